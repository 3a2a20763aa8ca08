//! The owner's decisions on a mention and the rules around them: what each decision does to the mention's
//! state, what follow-up work it brings, and which network an author's handle belongs to.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::analysis::{self, Speaker};
use crate::mention::NewMention;
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

crate::closed_set::closed_set! {
    /// Where a reply stands in the outbox.
    pub enum OutboxState("reply state") {
        Queued = "queued",
        /// On its way; if Earshot stopped meanwhile, it is looked for on the server before it is sent again.
        Sending = "sending",
        Sent = "sent",
        /// Needs the owner (sign in again, edit the reply).
        Failed = "failed",
        Cancelled = "cancelled",
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

/// What the owner's workspace says about an arriving item's author, read before the item is assessed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AuthorFacts {
    /// The one live contact with the author's identity on the source's network.
    pub contact: Option<i64>,
    /// That customer's weight (value percentile and segment), once values are known.
    pub customer_weight: Option<f64>,
}

/// One of the owner's rules, as arrival tests it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleTest<'a> {
    pub id: i64,
    pub field: &'a str,
    pub value: &'a str,
}

/// What Earshot makes of an item as it arrives, computed before anything is written: how it reads, how
/// urgent and important it is, whose it is, and which of the owner's rules it meets.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub compound: f64,
    pub intents: Vec<crate::analysis::Intent>,
    pub lang: &'static str,
    pub urgency: f64,
    pub priority: f64,
    pub contact: Option<i64>,
    /// Ids of the rules the item meets, in the order they were given.
    pub rules: Vec<i64>,
}

impl Assessment {
    /// The intents as stored: comma-separated names.
    pub fn intents_text(&self) -> String {
        self.intents.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// Assesses an arriving item from its text, its author's facts and the owner's rules. Pure: the caller
/// reads the facts and rules first and stores the result after.
pub fn assess(m: &NewMention, source_id: i64, author: &AuthorFacts, rules: &[RuleTest<'_>]) -> Assessment {
    let speaker = Speaker {
        followers: m.author.followers,
        known_customer: author.contact.is_some(),
        value_percentile: author.customer_weight,
    };
    let a = analysis::read_adjusted(&analysis::titled(m.title.as_deref(), &m.text), None).spoken_by(&speaker);
    let priority = analysis::priority(a.urgency, &speaker, 0.0);
    let rules = rules.iter().filter(|r| rule_matches(r, m, source_id, &a)).map(|r| r.id).collect();
    Assessment {
        compound: a.compound,
        intents: a.intents,
        lang: a.lang,
        urgency: a.urgency,
        priority,
        contact: author.contact,
        rules,
    }
}

/// Whether an arriving item meets a rule: a keyword query on its title and text, its author's handle or
/// name, its source, its language or its sentiment.
pub fn rule_matches(rule: &RuleTest<'_>, m: &NewMention, source_id: i64, a: &analysis::Analysis) -> bool {
    let v = rule.value;
    match rule.field {
        "keyword" => {
            let q = crate::query::Query::parse(v);
            q.is_ok_and(|q| q.matches(&crate::query::MatchText::of(m.title.as_deref(), &m.text)))
        }
        "author" => {
            let key = crate::text::handle_key(v);
            m.author.handle.as_deref().is_some_and(|h| crate::text::handle_key(h) == key)
                || m.author.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(v))
        }
        "source" => v.parse::<i64>().is_ok_and(|id| id == source_id),
        "language" => a.lang.eq_ignore_ascii_case(v),
        "sentiment" => a.sentiment.as_str() == v,
        "intent" => a.intents.iter().any(|i| i.as_str().eq_ignore_ascii_case(v)),
        _ => false,
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
