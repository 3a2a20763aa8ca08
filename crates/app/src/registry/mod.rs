//! The one registry of what the UI can ask and hear. Each command is declared once, in `commands.rs`, as a
//! name, its arguments, its result and a body over [`Services`]; each event once, in `events.rs`. From those
//! declarations come:
//!
//! - [`dispatch`], which the desktop shell's IPC handler and the local HTTP host (`earshot-host`) both call;
//! - [`COMMANDS`], from which the shell's app manifest (`src-tauri/src/command_names.rs`) and its window
//!   capability (`src-tauri/capabilities/main.toml`) are generated;
//! - the typed TypeScript client in `ui/src/lib/ipc/bindings.ts`: one function per command with its
//!   argument and result types, one `on…` function per event, and the types they use.
//!
//! The generated files say so in their first lines; [`generate`]'s test fails when one is stale
//! (regenerate with `EARSHOT_UPDATE_BINDINGS=1 cargo test -p earshot-app generated`).
//!
//! To add a command: write its use case in the module of its noun, then declare it in `commands.rs` and
//! regenerate. Nothing else names it.

/// Declares the commands: `name(services, arg: Type, …; file) -> Result { body }`. The body is an async
/// block evaluating to `Result<Result, ApiError>`; `; file` binds the uploaded [`Upload`].
macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident($s:ident $(, $arg:ident: $ty:ty)* $(; $file:ident)?) -> $ret:ty $body:block
    )*) => {
        /// Every command's name, in the order declared.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        pub(super) async fn run(
            services: &std::sync::Arc<Services>,
            name: &str,
            mut call: super::Call,
        ) -> Result<serde_json::Value, ApiError> {
            match name {
                $(stringify!($name) => {
                    #[derive(serde::Deserialize)]
                    #[serde(deny_unknown_fields)]
                    struct Args { $($arg: $ty,)* }
                    let Args { $($arg,)* } = call.args(stringify!($name))?;
                    $(let $file = call.file(stringify!($name))?;)?
                    let $s = services;
                    let answer: Result<$ret, ApiError> = async $body.await;
                    super::to_json(answer?)
                })*
                _ => Err(super::unknown(name)),
            }
        }

        pub(super) fn signatures(cfg: &ts_rs::Config) -> Vec<super::Signature> {
            vec![$(super::Signature {
                name: stringify!($name),
                doc: concat!($($doc, "\n",)* ""),
                args: vec![$((stringify!($arg), <$ty as ts_rs::TS>::name(cfg)),)*],
                file: None $(.or(Some(stringify!($file))))?,
                returns: <$ret as ts_rs::TS>::name(cfg),
            },)*]
        }
    };
}

/// Declares the events: `Variant = "event-name" (Payload)`.
macro_rules! events {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal ($payload:ty) ),* $(,)?) => {
        /// What the UI can hear, each with its payload.
        #[derive(Debug, Clone)]
        pub enum Event {
            $( $(#[doc = $doc])* $variant($payload), )*
        }

        /// Every event's name, in the order declared.
        pub const EVENTS: &[&str] = &[$($name),*];

        impl Event {
            pub fn name(&self) -> &'static str {
                match self { $(Event::$variant(_) => $name,)* }
            }

            pub fn payload(&self) -> serde_json::Value {
                match self { $(Event::$variant(p) => serde_json::to_value(p).unwrap_or_default(),)* }
            }
        }

        pub(super) fn signatures(cfg: &ts_rs::Config) -> Vec<super::generate::EventSignature> {
            vec![$(super::generate::EventSignature {
                variant: stringify!($variant),
                name: $name,
                doc: concat!($($doc, "\n",)* ""),
                payload: <$payload as ts_rs::TS>::name(cfg),
            },)*]
        }
    };
}

mod commands;
mod events;
pub mod generate;

use std::sync::Arc;

pub use commands::COMMANDS;
pub use events::{Event, EVENTS};

use crate::services::Services;
use crate::{ApiError, ApiErrorCode};

/// One call of a command, as it arrived: its arguments and, for a command that takes a file, the file.
#[derive(Debug, Default)]
pub struct Call {
    /// The arguments, a JSON object keyed by the declared argument names.
    pub args: serde_json::Value,
    /// The file, which travels as the raw request body (a JSON array of bytes would be ten times larger).
    pub file: Option<Upload>,
}

/// A file the owner picked, as its name and its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The request headers a file's name and the other arguments travel in, beside a file in the body.
pub const FILE_NAME_HEADER: &str = "x-file-name";
pub const ARGS_HEADER: &str = "x-args";

impl Call {
    /// A call with JSON arguments only.
    pub fn json(args: serde_json::Value) -> Call {
        Call { args, file: None }
    }

    /// A call whose body is a file: its name and the arguments come in headers (percent-encoded, since
    /// header values are ASCII and names like "Zoë's contacts.vcf" are not).
    pub fn with_file(bytes: Vec<u8>, header: impl Fn(&str) -> Option<String>) -> Result<Call, ApiError> {
        let name = header(FILE_NAME_HEADER).map(|n| percent_decoded(&n)).unwrap_or_else(|| "file".into());
        let args = match header(ARGS_HEADER) {
            Some(json) => serde_json::from_str(&percent_decoded(&json))
                .map_err(|e| ApiError::invalid(format!("the options sent with {name} are not valid: {e}")))?,
            None => serde_json::Value::Null,
        };
        Ok(Call { args, file: Some(Upload { name, bytes }) })
    }

    fn args<T: serde::de::DeserializeOwned>(&mut self, command: &str) -> Result<T, ApiError> {
        let args = match std::mem::take(&mut self.args) {
            serde_json::Value::Null => serde_json::Value::Object(Default::default()),
            args => args,
        };
        serde_json::from_value(args).map_err(|e| ApiError::invalid(format!("{command}: {e}")))
    }

    fn file(&mut self, command: &str) -> Result<Upload, ApiError> {
        self.file
            .take()
            .ok_or_else(|| ApiError::invalid(format!("{command}: the file did not arrive; choose it again")))
    }
}

/// Runs the command named `name`. Every error, from unknown names to bad arguments, is an [`ApiError`].
pub async fn dispatch(services: Arc<Services>, name: &str, call: Call) -> Result<serde_json::Value, ApiError> {
    commands::run(&services, name, call).await
}

/// Whether `name` is a declared command.
pub fn is_command(name: &str) -> bool {
    COMMANDS.contains(&name)
}

fn to_json<T: serde::Serialize>(value: T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value)
        .map_err(|e| ApiError { code: ApiErrorCode::Storage, message: format!("the answer could not be written: {e}") })
}

fn unknown(name: &str) -> ApiError {
    ApiError { code: ApiErrorCode::NotFound, message: format!("Earshot has no command \"{name}\"") }
}

/// `%XX` sequences decoded; anything else kept as it is.
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(v) = value.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A command as the TypeScript client needs it.
pub struct Signature {
    pub name: &'static str,
    pub doc: &'static str,
    /// Argument names and TypeScript types, in order.
    pub args: Vec<(&'static str, String)>,
    /// The file argument's name, for a command that takes a file.
    pub file: Option<&'static str>,
    pub returns: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_and_options_arrive_decoded_from_their_headers() {
        let call = Call::with_file(b"BEGIN:VCARD".to_vec(), |h| match h {
            FILE_NAME_HEADER => Some("Zo%C3%AB's%20contacts.vcf".into()),
            ARGS_HEADER => Some("%7B%22options%22%3A%7B%7D%7D".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(call.file.as_ref().unwrap().name, "Zoë's contacts.vcf");
        assert_eq!(call.args, serde_json::json!({ "options": {} }));
    }

    #[test]
    fn options_that_are_not_json_are_refused_naming_the_file() {
        let err = Call::with_file(Vec::new(), |h| match h {
            FILE_NAME_HEADER => Some("orders.csv".into()),
            ARGS_HEADER => Some("{not json".into()),
            _ => None,
        })
        .unwrap_err();
        assert!(err.message.contains("orders.csv"), "{}", err.message);
    }

    #[test]
    fn command_and_event_names_are_unique_and_spelled_alike() {
        let mut seen = std::collections::HashSet::new();
        for name in COMMANDS {
            assert!(seen.insert(*name), "{name} is declared twice");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}: snake_case only");
        }
        for name in EVENTS {
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{name}: kebab-case only");
        }
    }
}
