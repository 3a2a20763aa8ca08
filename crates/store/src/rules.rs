//! The owner's triage rules: when a field of an arriving item matches a value, the item is ignored, marked
//! done, its contact tagged, or (in a team) it is assigned to a member: "complaints go to Sam". Which items meet a rule is decided before they are stored
//! ([`earshot_core::triage::rule_matches`]); here rules are kept, listed and applied.

use chrono::{DateTime, Utc};
use earshot_core::triage::RuleTest;
use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::{triage, Result, StoreError};

/// A rule the owner set: when `field` matches `value`, new mentions get `action`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Rule {
    #[ts(type = "number")]
    pub id: i64,
    pub field: String,
    pub value: String,
    pub action: String,
    pub tag: Option<String>,
    /// The member an `assign` rule sends mentions to.
    pub member: Option<String>,
    pub created_at: String,
}

impl Rule {
    /// The rule as arrival tests it.
    pub fn test(&self) -> RuleTest<'_> {
        RuleTest { id: self.id, field: &self.field, value: &self.value }
    }
}

pub const RULE_FIELDS: [&str; 6] = ["keyword", "author", "source", "language", "sentiment", "intent"];
pub const RULE_ACTIONS: [&str; 4] = ["ignore", "done", "tag", "assign"];

pub fn rule_add(
    tx: &Transaction<'_>,
    field: &str,
    value: &str,
    action: &str,
    tag: Option<&str>,
    member: Option<&str>,
    now: &str,
) -> Result<i64> {
    if !RULE_FIELDS.contains(&field) {
        return Err(StoreError::Invalid(format!("rule field \"{field}\" is not one of {}", RULE_FIELDS.join(", "))));
    }
    if !RULE_ACTIONS.contains(&action) {
        return Err(StoreError::Invalid(format!("rule action \"{action}\" is not one of {}", RULE_ACTIONS.join(", "))));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(StoreError::Invalid("a rule needs a value to match".into()));
    }
    if field == "sentiment" && !["positive", "neutral", "negative"].contains(&value) {
        return Err(StoreError::Invalid(format!("sentiment \"{value}\" is not positive, neutral or negative")));
    }
    if field == "intent" && earshot_core::analysis::Intent::parse(value).is_none() {
        let known: Vec<&str> = earshot_core::analysis::Intent::ALL.iter().map(|i| i.as_str()).collect();
        return Err(StoreError::Invalid(format!("intent \"{value}\" is not one of {}", known.join(", "))));
    }
    let tag = tag.map(str::trim).filter(|t| !t.is_empty());
    if action == "tag" && tag.is_none() {
        return Err(StoreError::Invalid("a tag rule needs a tag".into()));
    }
    let member = match member.map(str::trim).filter(|m| !m.is_empty()) {
        Some(name) if action == "assign" => Some(crate::team::heard::routing_member(tx, name)?),
        None if action == "assign" => {
            return Err(StoreError::Invalid("an assign rule needs the member to send mentions to".into()))
        }
        _ => None,
    };
    tx.execute(
        "INSERT INTO triage_rules (field, value, action, tag, member, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![field, value, action, tag, member, now],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn rule_remove(tx: &Transaction<'_>, id: i64, now: &str) -> Result<()> {
    let n =
        tx.execute("UPDATE triage_rules SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL", params![id, now])?;
    if n == 0 {
        return Err(StoreError::NotFound { what: "rule", id });
    }
    Ok(())
}

pub fn rules_list(conn: &Connection) -> Result<Vec<Rule>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, field, value, action, tag, member, created_at FROM triage_rules WHERE deleted_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Rule {
            id: r.get(0)?,
            field: r.get(1)?,
            value: r.get(2)?,
            action: r.get(3)?,
            tag: r.get(4)?,
            member: r.get(5)?,
            created_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// "Hide mentions like this": an ignore rule from a mention, on its author or on a phrase it contains,
/// logged in `batch` so undo takes the rule back too.
pub fn rule_from_mention(
    tx: &Transaction<'_>,
    batch: i64,
    mention_id: i64,
    field: &str,
    phrase: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let s = triage::subject(tx, mention_id)?;
    let at = crate::timestamp(now);
    let value = match field {
        "author" => s
            .author_handle
            .clone()
            .or(s.author_name.clone())
            .ok_or_else(|| StoreError::Invalid("this mention has no author to make a rule from".into()))?,
        "keyword" => phrase.map(str::to_owned).ok_or_else(|| StoreError::Invalid("say which phrase to hide".into()))?,
        other => {
            return Err(StoreError::Invalid(format!(
                "a rule from a mention is on its author or a keyword, not \"{other}\""
            )))
        }
    };
    let id = rule_add(tx, field, &value, "ignore", None, None, &at)?;
    let created = triage::Created { rule: Some(id), ..Default::default() };
    triage::log(tx, batch, mention_id, "rule", &s.before, &created, &at)?;
    Ok(id)
}

/// Applies a rule an arriving item met (see [`earshot_core::triage::rule_matches`]).
pub(crate) fn apply_rule(tx: &Transaction<'_>, rule: &Rule, mention_id: i64, now: &str) -> Result<()> {
    match rule.action.as_str() {
        "ignore" | "done" => {
            let state = if rule.action == "ignore" { "ignored" } else { "done" };
            let changed = tx.execute(
                "UPDATE mentions SET state = ?3, decided_at = ?2 WHERE id = ?1 AND state = 'new'",
                params![mention_id, now, state],
            )?;
            if changed > 0 {
                crate::team::heard::record_state_changed(tx, mention_id, now)?;
            }
        }
        "assign" => {
            let changed = tx.execute(
                "UPDATE mentions SET assignee = ?2 WHERE id = ?1 AND assignee IS NULL",
                params![mention_id, rule.member],
            )?;
            if changed > 0 {
                crate::team::heard::record_assignee(tx, mention_id, now)?;
            }
        }
        _ => {
            let contact: Option<i64> =
                tx.query_row("SELECT contact_id FROM mentions WHERE id = ?1", [mention_id], |r| r.get(0))?;
            if let (Some(cid), Some(tag)) = (contact, &rule.tag) {
                crate::tags::add(tx, cid, tag, None)?;
            }
        }
    }
    Ok(())
}
