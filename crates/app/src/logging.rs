//! The log: what Earshot did, kept for a week in the OS log folder so a source that misbehaved for days or a
//! reply that failed at 3 a.m. can be reconstructed afterwards (and sent with "Copy diagnostics").
//!
//! Invariants: events carry ids, counts, kinds, outcomes and durations, never content: no contact names,
//! no mention text, no tokens or passwords. Messages that come from elsewhere (a server's error, a fetch
//! failure) go through [`redact`] first, which cuts every web address down to its origin, since paths and
//! query strings can hold private feed keys. The desktop app writes `app.YYYY-MM-DD.log`, the command line
//! `cli.YYYY-MM-DD.log`, side by side; each keeps its last [`DAYS_KEPT`] files.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

/// Days of log kept per program.
pub const DAYS_KEPT: usize = 7;

/// Which program writes: each has its own files in the shared folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Desktop,
    CommandLine,
}

impl Program {
    fn prefix(self) -> &'static str {
        match self {
            Program::Desktop => "app",
            Program::CommandLine => "cli",
        }
    }
}

/// The OS log folder, as Tauri names it for this app (`~/.local/share/app.earshot.desktop/logs` on Linux,
/// `~/Library/Logs/app.earshot.desktop` on macOS, `%LOCALAPPDATA%\app.earshot.desktop\logs` on Windows), or
/// `$EARSHOT_LOG_DIR` when set.
pub fn log_dir() -> PathBuf {
    use crate::env_path;
    if let Some(dir) = env_path("EARSHOT_LOG_DIR") {
        return dir;
    }
    let app = crate::APP_ID;
    let base = if cfg!(target_os = "windows") {
        env_path("LOCALAPPDATA").map(|d| d.join(app).join("logs"))
    } else if cfg!(target_os = "macos") {
        env_path("HOME").map(|home| home.join("Library/Logs").join(app))
    } else {
        crate::xdg_data_home().map(|d| d.join(app).join("logs"))
    };
    base.unwrap_or_else(|| PathBuf::from("logs"))
}

/// Keeps the log writing until it is dropped (at the end of `main`): the last lines are flushed then.
#[must_use = "the log stops when the guard is dropped"]
pub struct LogGuard(#[allow(dead_code)] WorkerGuard);

/// The subscriber that writes `program`'s log in `dir` at info (or `$EARSHOT_LOG`, e.g. `earshot=debug`), with the
/// guard that flushes it. Installed process-wide by [`init`]; tests install it on their own thread.
pub fn file_subscriber(
    dir: &Path,
    program: Program,
) -> std::io::Result<(impl tracing::Subscriber + Send + Sync + 'static, LogGuard)> {
    create_private_dir(dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(program.prefix())
        .filename_suffix("log")
        .max_log_files(DAYS_KEPT)
        .build(dir)
        .map_err(std::io::Error::other)?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    // Earshot's own events at info; libraries only when they warn (their debug output, HTTP internals above
    // all, would carry addresses and bodies).
    let filter = EnvFilter::try_from_env("EARSHOT_LOG").unwrap_or_else(|_| EnvFilter::new("warn,earshot=info"));
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false)
        .with_env_filter(filter)
        .finish();
    Ok((subscriber, LogGuard(guard)))
}

/// Starts the log for the whole process. A log that cannot be opened (a read-only home) is reported and
/// Earshot runs without one.
pub fn init(program: Program) -> Option<LogGuard> {
    let dir = log_dir();
    match file_subscriber(&dir, program) {
        Ok((subscriber, guard)) => {
            if tracing::subscriber::set_global_default(subscriber).is_err() {
                return None;
            }
            std::panic::set_hook(Box::new(log_panic));
            tracing::info!(version = env!("CARGO_PKG_VERSION"), program = program.prefix(), "started");
            Some(guard)
        }
        Err(e) => {
            eprintln!("earshot: no log will be kept: {} cannot be written ({e})", dir.display());
            None
        }
    }
}

/// A panic is logged with where it happened (its message is code's, not the owner's data), then printed as
/// usual.
fn log_panic(info: &std::panic::PanicHookInfo<'_>) {
    let message = panic_message(info.payload()).unwrap_or_default();
    let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
    tracing::error!(at, message = redact(&message), "panic");
    eprintln!("{info}");
}

/// What a panic said, when it said it as text (`panic!("...")` carries a `&str` or a `String`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// `text` with every web address cut to its origin (`https://host`), for messages that come from elsewhere:
/// a feed's path or query can be a private key (Google Alerts, private RSS), and never goes in the log.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = find_address(rest) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end =
            tail.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')')).unwrap_or(tail.len());
        // Punctuation after an address belongs to the sentence ("{url}: {reason}").
        let end = tail[..end].trim_end_matches([':', '.', ',', ';']).len();
        let address = &tail[..end];
        match url::Url::parse(address) {
            Ok(u) if u.has_host() => {
                out.push_str(&u.origin().ascii_serialization());
                if u.path() != "/" || u.query().is_some() {
                    out.push_str("/…");
                }
            }
            _ => out.push_str("[address]"),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn find_address(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    ["http://", "https://", "wss://", "ws://", "at://"].iter().filter_map(|scheme| lower.find(scheme)).min()
}

/// The last `lines` lines of the newest log files in `dir` (both programs', oldest first), for diagnostics.
pub fn recent_lines(dir: &Path, lines: usize) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    let mut kept: Vec<String> = Vec::new();
    for (_, path) in files.iter().rev() {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut these: Vec<String> = text.lines().map(|l| format!("{file}: {l}")).collect();
        these.extend(kept);
        kept = these;
        if kept.len() >= lines {
            break;
        }
    }
    let skip = kept.len().saturating_sub(lines);
    kept.split_off(skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_a_message_keep_only_their_origin() {
        assert_eq!(
            redact("https://www.google.com/alerts/feeds/0123/4567?key=secret: 404 Not Found"),
            "https://www.google.com/…: 404 Not Found"
        );
        assert_eq!(
            redact("error sending request for url (http://127.0.0.1:9/)"),
            "error sending request for url (http://127.0.0.1:9)"
        );
        assert_eq!(redact("no address here"), "no address here");
        assert_eq!(redact("HTTPS://Example.com/private/feed"), "https://example.com/…");
    }

    #[test]
    fn the_recent_lines_come_from_the_newest_files_and_stop_at_the_count() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cli.2026-12-01.log"), "old 1\nold 2\n").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("app.2026-12-05.log"), "new 1\nnew 2\nnew 3\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a log").unwrap();
        let lines = recent_lines(dir.path(), 4);
        assert_eq!(
            lines,
            [
                "cli.2026-12-01.log: old 2",
                "app.2026-12-05.log: new 1",
                "app.2026-12-05.log: new 2",
                "app.2026-12-05.log: new 3"
            ]
        );
    }
}
