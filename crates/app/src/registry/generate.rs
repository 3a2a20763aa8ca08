//! The files generated from the declarations: the UI's typed client (`ui/src/lib/ipc/bindings.ts`), the
//! desktop shell's command list (`src-tauri/src/command_names.rs`) and its window capability
//! (`src-tauri/capabilities/main.toml`). The test below fails when a committed file is stale; with
//! `EARSHOT_UPDATE_BINDINGS=1` it writes them instead.

use std::fmt::Write;

use ts_rs::Config;

use super::{Signature, COMMANDS, EVENTS};

const REGENERATE: &str = "EARSHOT_UPDATE_BINDINGS=1 cargo test -p earshot-app generated";

/// An event as the TypeScript client needs it.
pub struct EventSignature {
    pub variant: &'static str,
    pub name: &'static str,
    pub doc: &'static str,
    pub payload: String,
}

fn config() -> Config {
    Config::new().with_large_int("number")
}

/// `contact_get` → `contactGet`.
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn js_doc(out: &mut String, indent: &str, doc: &str) {
    let lines: Vec<&str> = doc.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for line in lines {
        let _ = writeln!(out, "{indent} * {}", line.replace("*/", "* /"));
    }
    let _ = writeln!(out, "{indent} */");
}

/// The typed client: every type that crosses, one function per command, one `on…` per event.
pub fn typescript() -> String {
    let cfg = config();
    let mut out = format!(
        "// Generated from the command and type declarations by crates/app/src/registry. Do not edit: regenerate\n\
         // with {REGENERATE}\n\n\
         import {{ invoke, listen, type FileArg, type Unlisten }} from \"./transport\";\n\n"
    );
    for d in crate::bindings::declarations() {
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str("/** Every command, as the UI calls it. Errors are thrown as `IpcError`, whose `code` is an `ApiErrorCode`. */\n");
    out.push_str("export const api = {\n");
    for sig in super::commands::signatures(&cfg) {
        client_function(&mut out, &sig);
    }
    out.push_str("} as const;\n\n");
    let names: Vec<String> = COMMANDS.iter().map(|c| format!("\"{c}\"")).collect();
    let _ = writeln!(out, "export type CommandName = {};\n", names.join(" | "));
    let names: Vec<String> = EVENTS.iter().map(|e| format!("\"{e}\"")).collect();
    let _ = writeln!(out, "export type EventName = {};", names.join(" | "));
    for event in super::events::signatures(&cfg) {
        out.push('\n');
        js_doc(&mut out, "", event.doc);
        let _ = writeln!(
            out,
            "export function on{}(handler: (payload: {}) => void): Promise<Unlisten> {{\n  return listen(\"{}\", handler);\n}}",
            event.variant, event.payload, event.name
        );
    }
    out
}

fn client_function(out: &mut String, sig: &Signature) {
    js_doc(out, "  ", sig.doc);
    let mut params: Vec<String> = Vec::new();
    if let Some(file) = sig.file {
        params.push(format!("{}: FileArg", camel(file)));
    }
    params.extend(sig.args.iter().map(|(name, ty)| format!("{}: {ty}", camel(name))));
    let keys: Vec<String> = sig
        .args
        .iter()
        .map(|(name, _)| if camel(name) == *name { name.to_string() } else { format!("{name}: {}", camel(name)) })
        .collect();
    let returns = if sig.returns == "null" { "void".to_string() } else { sig.returns.clone() };
    let args = if keys.is_empty() { "{}".to_string() } else { format!("{{ {} }}", keys.join(", ")) };
    let file = sig.file.map(|f| format!(", {}", camel(f))).unwrap_or_default();
    let _ = writeln!(
        out,
        "  {}: ({}): Promise<{returns}> => invoke(\"{}\", {args}{file}),",
        camel(sig.name),
        params.join(", "),
        sig.name,
    );
}

/// `src-tauri/src/command_names.rs`: the list `build.rs` declares in the app manifest.
pub fn command_names() -> String {
    let mut out = format!(
        "// Generated from the command declarations by crates/app/src/registry. Do not edit: regenerate with\n\
         // {REGENERATE}\n\n\
         /// Every command the UI may call; build.rs declares them in the app manifest, and the capability\n\
         /// grants them to the main window.\n\
         pub const COMMANDS: &[&str] = &[\n"
    );
    for c in COMMANDS {
        let _ = writeln!(out, "    \"{c}\",");
    }
    out.push_str("];\n");
    out
}

/// `src-tauri/capabilities/main.toml`: the main window may call Earshot's own commands and hear its
/// events, and nothing else (no shell, fs, http, opener or dialog access from the webview).
pub fn capability() -> String {
    let mut out = format!(
        "# Generated from the command declarations by crates/app/src/registry. Do not edit: regenerate with\n\
         # {REGENERATE}\n\n\
         identifier = \"main\"\n\
         description = \"The main window: Earshot's own commands and events only. No shell, fs, http, opener or dialog access from the webview.\"\n\
         windows = [\"main\"]\n\
         local = true\n\
         permissions = [\n  \"core:event:allow-listen\",\n  \"core:event:allow-unlisten\",\n"
    );
    for c in COMMANDS {
        let _ = writeln!(out, "  \"allow-{}\",", c.replace('_', "-"));
    }
    out.push_str("]\n");
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    fn check(relative: &str, fresh: String) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative);
        if std::env::var("EARSHOT_UPDATE_BINDINGS").as_deref() == Ok("1") {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(committed == fresh, "{relative} is stale: run {}", super::REGENERATE);
    }

    #[test]
    fn generated_typescript_client_matches_the_declarations() {
        check("ui/src/lib/ipc/bindings.ts", super::typescript());
    }

    #[test]
    fn generated_desktop_command_list_matches_the_declarations() {
        check("src-tauri/src/command_names.rs", super::command_names());
    }

    #[test]
    fn generated_window_capability_matches_the_declarations() {
        check("src-tauri/capabilities/main.toml", super::capability());
    }

    #[test]
    fn the_window_may_call_every_command_and_no_plugin() {
        let capability = super::capability();
        for command in super::COMMANDS {
            assert!(capability.contains(&format!("\"allow-{}\",", command.replace('_', "-"))), "{command}");
        }
        assert!(capability.contains("windows = [\"main\"]"));
        for plugin in ["shell:", "fs:", "http:", "opener:", "dialog:"] {
            assert!(!capability.contains(plugin), "the webview must not get {plugin} permissions");
        }
    }

    #[test]
    fn generated_client_functions_are_camel_case_and_send_the_declared_keys() {
        let ts = super::typescript();
        assert!(ts.contains(
            "  noteAdd: (contactId: number, body: string): Promise<number> => invoke(\"note_add\", { contact_id: contactId, body }),"
        ));
        assert!(ts.contains(
            "  importRun: (file: FileArg, options: ImportOptions): Promise<ImportSummary> => invoke(\"import_run\", { options }, file),"
        ));
        assert!(ts.contains("  tagsList: (): Promise<Array<TagCount>> => invoke(\"tags_list\", {}),"));
    }
}
