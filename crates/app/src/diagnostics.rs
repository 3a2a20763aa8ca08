//! A report to send when something goes wrong ("Copy diagnostics" in the app, `earshot diagnostics`): the
//! version, the workspace's schema, each source's state and the recent log. It opens by saying what it holds,
//! so the owner knows what they are sharing: no contacts, no mentions, no sign-ins; source addresses are cut
//! to their host and error messages go through [`crate::logging::redact`].

use serde::Serialize;
use ts_rs::TS;

use crate::accounts::SecretsStatus;
use crate::logging;
use crate::{ApiError, Ctx};

/// Log lines the report carries.
pub const LOG_LINES: usize = 300;

#[derive(Debug, Clone, Serialize, TS)]
pub struct Diagnostics {
    /// The whole report, as plain text to paste into an email.
    pub text: String,
    /// Where the log files are, to attach more of them.
    pub log_dir: String,
}

/// The report for the open workspace. `secrets` is where sign-ins are kept, when the caller knows.
pub fn diagnostics(ctx: &Ctx, secrets: Option<&SecretsStatus>) -> Result<Diagnostics, ApiError> {
    let log_dir = logging::log_dir();
    let schema = ctx.store.read(earshot_store::migrations::current_version)?;
    let sources = ctx.store.read(|c| earshot_store::sources::list(c, &ctx.now_text()))?;
    let mut text = String::new();
    let mut line = |s: String| {
        text.push_str(&s);
        text.push('\n');
    };
    line("Earshot diagnostics".into());
    line(
        "This report holds: Earshot's version and system, the workspace's schema version, each listening \
         source's kind, host and state, and the last lines of the log (ids, counts and outcomes). It holds no \
         contacts, notes, orders, mentions, replies, sign-ins or tokens; addresses are cut to their host."
            .into(),
    );
    line(String::new());
    line(format!("Version: {} ({} {})", env!("CARGO_PKG_VERSION"), std::env::consts::OS, std::env::consts::ARCH));
    line(format!("Report made: {}", ctx.now_text()));
    line(format!("Workspace schema: {schema} of {}", earshot_store::migrations::MIGRATIONS.len()));
    if let Some(s) = secrets {
        let problem = s.problem.as_deref().map(|p| format!(" ({})", logging::redact(p))).unwrap_or_default();
        line(format!("Sign-ins kept in: {}{problem}", s.persistence));
    }
    line(format!("Log folder: {}", log_dir.display()));
    line(String::new());
    line(format!("Sources ({}):", sources.len()));
    for s in &sources {
        let host = url::Url::parse(&s.url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
        let mut state = s.status.to_string();
        if let Some(since) = &s.failing_since {
            state.push_str(&format!(" since {since}"));
        }
        if let Some(reason) = &s.paused_reason {
            state.push_str(&format!(", paused: {}", logging::redact(reason)));
        }
        line(format!(
            "  #{} {} {} — {state}; last checked {}, last success {}; {} failures in a row; {} items seen",
            s.id,
            s.kind,
            if host.is_empty() { "(no host)" } else { &host },
            s.last_checked_at.as_deref().unwrap_or("never"),
            s.last_success_at.as_deref().unwrap_or("never"),
            s.failures,
            s.items_seen,
        ));
        if let Some(error) = &s.last_error {
            line(format!("     last error: {}", logging::redact(error)));
        }
    }
    line(String::new());
    let recent = logging::recent_lines(&log_dir, LOG_LINES);
    line(format!("Recent log ({} lines):", recent.len()));
    for l in recent {
        line(l);
    }
    Ok(Diagnostics { text, log_dir: log_dir.display().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_each_source_by_host_and_keeps_private_feed_paths_out() {
        let (_dir, ctx) = crate::test_support::ctx();
        crate::listening::source_add_feed(&ctx, "https://www.google.com/alerts/feeds/0123/4567", None).unwrap();
        let report = diagnostics(&ctx, None).unwrap().text;
        assert!(report.starts_with("Earshot diagnostics\nThis report holds:"), "{report}");
        assert!(report.contains("Workspace schema: "), "{report}");
        assert!(report.contains("feed www.google.com — new"), "{report}");
        assert!(!report.contains("0123/4567"), "{report}");
    }
}
