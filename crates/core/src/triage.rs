//! The owner's decisions on a mention and the rules around them: what each decision does to the mention's
//! state, what follow-up work it brings, and which network an author's handle belongs to.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::text::truncate_chars;

crate::closed_set::closed_set! {
    /// Where a mention stands with the owner.
    pub enum MentionState("mention state") {
        /// Not looked at yet.
        New = "new",
        /// Filed as a lead, issue, praise, idea or question (`filed_as` says which).
        Filed = "filed",
        Done = "done",
        Ignored = "ignored",
        /// Back in the inbox when its time comes.
        Snoozed = "snoozed",
    }
}

/// One keystroke's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Lead,
    Issue,
    Praise,
    Idea,
    Question,
    Done,
    Ignore,
    Snooze,
}

impl Decision {
    pub const ALL: [Decision; 8] = [
        Decision::Lead,
        Decision::Issue,
        Decision::Praise,
        Decision::Idea,
        Decision::Question,
        Decision::Done,
        Decision::Ignore,
        Decision::Snooze,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Lead => "lead",
            Decision::Issue => "issue",
            Decision::Praise => "praise",
            Decision::Idea => "idea",
            Decision::Question => "question",
            Decision::Done => "done",
            Decision::Ignore => "ignore",
            Decision::Snooze => "snooze",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The mention's state after this decision, and what it is filed as.
    pub fn state(self) -> (MentionState, Option<&'static str>) {
        match self {
            Decision::Lead | Decision::Issue | Decision::Praise | Decision::Idea | Decision::Question => {
                (MentionState::Filed, Some(self.as_str()))
            }
            Decision::Done => (MentionState::Done, None),
            Decision::Ignore => (MentionState::Ignored, None),
            Decision::Snooze => (MentionState::Snoozed, None),
        }
    }

    /// The label this decision teaches the intent classifier, if it says what the mention was.
    pub fn intent_label(self) -> Option<&'static str> {
        match self {
            Decision::Lead => Some("lead"),
            Decision::Issue => Some("complaint"),
            Decision::Praise => Some("praise"),
            Decision::Idea => Some("idea"),
            Decision::Question => Some("question"),
            _ => None,
        }
    }
}

/// Mention states the inbox shows as open.
pub const OPEN_STATES: [MentionState; 2] = [MentionState::New, MentionState::Snoozed];

/// A service case's priority from the urgency of the mention that opened it.
pub fn case_priority(urgency: f64) -> &'static str {
    if urgency >= 0.7 {
        "high"
    } else if urgency >= 0.4 {
        "normal"
    } else {
        "low"
    }
}

/// When a lead's follow-up falls due unless the owner says otherwise: tomorrow, same time.
pub fn follow_up_due(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(1)
}

/// How long a snooze lasts unless the owner says otherwise.
pub fn default_snooze(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(1)
}

/// The contact-identity network of a source kind (feeds have no single network).
pub fn network_of(source_kind: &str) -> Option<&'static str> {
    match source_kind {
        "mastodon" => Some("mastodon"),
        "bluesky" => Some("bluesky"),
        "hn" => Some("hackernews"),
        _ => None,
    }
}

/// A one-line summary of a mention for task and case titles.
pub fn snippet(text: &str, max_chars: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max_chars {
        line
    } else {
        format!("{}…", truncate_chars(&line, max_chars.saturating_sub(1)).trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filing_decisions_file_and_the_others_set_their_state() {
        assert_eq!(Decision::Lead.state(), (MentionState::Filed, Some("lead")));
        assert_eq!(Decision::Done.state(), (MentionState::Done, None));
        assert_eq!(Decision::Ignore.state(), (MentionState::Ignored, None));
        assert_eq!(Decision::parse("snooze"), Some(Decision::Snooze));
        assert_eq!(Decision::parse("later"), None);
    }

    #[test]
    fn urgent_complaints_open_high_priority_cases() {
        assert_eq!(case_priority(0.8), "high");
        assert_eq!(case_priority(0.5), "normal");
        assert_eq!(case_priority(0.1), "low");
    }

    #[test]
    fn snippets_fit_one_line() {
        assert_eq!(snippet("a\n\nb   c", 20), "a b c");
        assert_eq!(snippet("abcdefghij", 5), "abcd…");
    }
}
