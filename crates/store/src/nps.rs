//! Net Promoter answers, imported from survey exports or recorded by hand on a contact. Each answer is
//! matched to a contact like an order's buyer (email, then name); `answer_key` (who, when, score) makes a
//! re-import add nothing (an answer whose import was undone comes back).

use chrono::{DateTime, Utc};
use earshot_core::survey::NpsDraft;
use earshot_core::text;
use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::imports::Matcher;
use crate::{contacts, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NpsAnswer {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub contact_id: Option<i64>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub score: u8,
    pub comment: Option<String>,
    pub answered_at: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct NpsCounts {
    #[ts(type = "number")]
    pub added: i64,
    #[ts(type = "number")]
    pub unchanged: i64,
    /// New answers linked to a contact.
    #[ts(type = "number")]
    pub matched: i64,
}

fn answer_key(who: &str, answered_at: DateTime<Utc>, score: u8) -> String {
    format!("{}|{}|{score}", text::fold(who), crate::timestamp(answered_at))
}

fn insert(
    tx: &Transaction<'_>,
    contact_id: Option<i64>,
    d: &NpsDraft,
    key: &str,
    import_id: Option<i64>,
    now: &str,
) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT INTO nps_answers (contact_id, email, name, score, comment, answered_at, answer_key, import_id,
                                      created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (answer_key) DO UPDATE SET deleted_at = NULL WHERE deleted_at IS NOT NULL",
        )?
        .execute(params![
            contact_id,
            d.email.as_deref().map(|e| text::truncate_chars(e, 320)),
            d.name.as_deref().map(|n| text::truncate_chars(n, 300)),
            d.score,
            d.comment,
            crate::timestamp(d.answered_at),
            key,
            import_id,
            now
        ])?;
    Ok(n > 0)
}

pub fn import(
    tx: &Transaction<'_>,
    import_id: i64,
    answers: &[NpsDraft],
    matcher: &Matcher,
    now: &str,
) -> Result<NpsCounts> {
    let mut counts = NpsCounts::default();
    for d in answers {
        let who = d.email.as_deref().or(d.name.as_deref()).unwrap_or("");
        // An anonymous answer has no one to tell it from another with the same score and time but its line.
        let key = if who.is_empty() {
            format!("{}#line{}", answer_key("", d.answered_at, d.score), d.line)
        } else {
            answer_key(who, d.answered_at, d.score)
        };
        let contact = matcher.find_buyer(d.email.as_deref(), None, d.name.as_deref());
        if insert(tx, contact, d, &key, Some(import_id), now)? {
            counts.added += 1;
            counts.matched += contact.is_some() as i64;
        } else {
            counts.unchanged += 1;
        }
    }
    Ok(counts)
}

/// Records an answer the owner heard in person or by phone.
pub fn record(
    tx: &Transaction<'_>,
    contact_id: i64,
    score: u8,
    comment: Option<&str>,
    at: DateTime<Utc>,
    now: &str,
) -> Result<i64> {
    if score > 10 {
        return Err(StoreError::Invalid(format!("score {score} is not from 0 to 10")));
    }
    contacts::ensure_live(tx, contact_id)?;
    let d = NpsDraft {
        line: 0,
        email: None,
        name: None,
        score,
        comment: comment.map(str::trim).filter(|c| !c.is_empty()).map(|c| text::truncate_chars(c, 4000)),
        answered_at: at,
    };
    let key = answer_key(&format!("contact:{contact_id}"), at, score);
    if !insert(tx, Some(contact_id), &d, &key, None, now)? {
        return Err(StoreError::Invalid("this answer is already recorded".into()));
    }
    Ok(tx.last_insert_rowid())
}

pub fn of_contact(conn: &Connection, contact_id: i64) -> Result<Vec<NpsAnswer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, contact_id, email, name, score, comment, answered_at FROM nps_answers
          WHERE contact_id = ?1 AND deleted_at IS NULL ORDER BY answered_at DESC",
    )?;
    let rows = stmt.query_map([contact_id], |r| {
        Ok(NpsAnswer {
            id: r.get(0)?,
            contact_id: r.get(1)?,
            email: r.get(2)?,
            name: r.get(3)?,
            score: r.get(4)?,
            comment: r.get(5)?,
            answered_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A contact who answered 0-6.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Detractor {
    #[ts(type = "number")]
    pub contact_id: i64,
    pub name: String,
    pub score: u8,
    pub comment: Option<String>,
    pub answered_at: String,
}

/// Contacts who answered 0-6 since `since`, newest first.
pub fn recent_detractors(conn: &Connection, since: &str, limit: i64) -> Result<Vec<Detractor>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.contact_id, c.display_name, a.score, a.comment, a.answered_at FROM nps_answers a
           JOIN contacts c ON c.id = a.contact_id AND c.deleted_at IS NULL
          WHERE a.deleted_at IS NULL AND a.score <= 6 AND a.answered_at >= ?1
          ORDER BY a.answered_at DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![since, limit], |r| {
        Ok(Detractor {
            contact_id: r.get(0)?,
            name: r.get(1)?,
            score: r.get(2)?,
            comment: r.get(3)?,
            answered_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{person, store};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn answers_link_to_contacts_and_a_reimport_adds_nothing() {
        let (_dir, store) = store();
        let ana = store
            .write(|tx| {
                contacts::insert(
                    tx,
                    &person("Ana", Some("ana@example.com")).normalized().unwrap(),
                    None,
                    "2026-01-01T00:00:00Z",
                )
            })
            .unwrap();
        let answers = vec![
            NpsDraft {
                line: 2,
                email: Some("ana@example.com".into()),
                name: None,
                score: 9,
                comment: None,
                answered_at: at("2026-02-01T00:00:00Z"),
            },
            NpsDraft {
                line: 3,
                email: None,
                name: None,
                score: 3,
                comment: Some("slow".into()),
                answered_at: at("2026-02-01T00:00:00Z"),
            },
        ];
        let run = || {
            store
                .write(|tx| {
                    let m = Matcher::load(tx)?;
                    import(tx, 1, &answers, &m, "2026-02-02T00:00:00Z")
                })
                .unwrap()
        };
        assert_eq!(run(), NpsCounts { added: 2, unchanged: 0, matched: 1 });
        assert_eq!(run(), NpsCounts { added: 0, unchanged: 2, matched: 0 });
        store
            .write(|tx| {
                record(tx, ana, 10, Some("told me at the counter"), at("2026-03-01T00:00:00Z"), "2026-03-01T00:00:00Z")
            })
            .unwrap();
        let mine = store.read(|c| of_contact(c, ana)).unwrap();
        assert_eq!(mine.iter().map(|a| a.score).collect::<Vec<_>>(), vec![10, 9]);
        assert!(store.write(|tx| record(tx, ana, 11, None, at("2026-03-02T00:00:00Z"), "x")).is_err());
    }
}
