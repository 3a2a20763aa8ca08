//! People in conversations: the authors of mentions who are not contacts, one row per author on a network,
//! with what they said (how often, how warmly) and how far it can travel. Kept apart from contacts until the
//! owner promotes one (which creates the contact from the author of their latest mention).

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::Result;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Person {
    /// Where they were heard: the source kind (mastodon, bluesky, hn, feed, manual).
    pub network: String,
    pub name: Option<String>,
    pub handle: Option<String>,
    pub profile_url: Option<String>,
    #[ts(type = "number | null")]
    pub followers: Option<i64>,
    #[ts(type = "number")]
    pub mentions: i64,
    /// Mean compound sentiment of what they said.
    pub sentiment: f64,
    pub last_heard_at: String,
    /// Their latest mention: what promoting them makes the contact from.
    #[ts(type = "number")]
    pub latest_mention_id: i64,
}

/// Authors who are not contacts, the most heard first (then the widest reach).
pub fn list(conn: &Connection, limit: i64) -> Result<Vec<Person>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.kind, max(m.author_name), m.author_handle_key, max(m.author_url), max(m.author_followers), count(*),
                avg(m.sentiment), max(coalesce(m.published_at, m.fetched_at)), max(m.id), max(m.author_handle)
           FROM (SELECT *, coalesce(lower(author_handle), lower(author_name)) AS author_handle_key FROM mentions
                  WHERE contact_id IS NULL AND (author_handle IS NOT NULL OR author_name IS NOT NULL)
                    AND (matches > 0 OR direct = 1) AND duplicate_of IS NULL) m
           JOIN sources s ON s.id = m.source_id
          GROUP BY s.kind, m.author_handle_key
          ORDER BY count(*) DESC, max(m.author_followers) DESC
          LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(Person {
            network: r.get(0)?,
            name: r.get(1)?,
            handle: r.get(9)?,
            profile_url: r.get(3)?,
            followers: r.get(4)?,
            mentions: r.get(5)?,
            sentiment: r.get(6)?,
            last_heard_at: r.get(7)?,
            latest_mention_id: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A contact the author of a mention may be, with the evidence and how sure it is. Never applied without
/// the owner: the inbox offers it when linking.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Suggestion {
    #[ts(type = "number")]
    pub contact_id: i64,
    pub name: String,
    /// 0 to 1: independent pieces of evidence combined as 1 - (1 - a)(1 - b)...
    pub confidence: f64,
    pub evidence: Vec<String>,
}

/// Weights of each kind of evidence.
const SAME_PROFILE: f64 = 0.9;
const SAME_HANDLE_ELSEWHERE: f64 = 0.6;
const SAME_FULL_NAME: f64 = 0.5;
const SAME_SINGLE_NAME: f64 = 0.2;

fn same_link(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().trim_end_matches('/').to_lowercase();
    norm(a) == norm(b)
}

/// Contacts the author of `mention_id` may be, most likely first (at most five).
pub fn suggest(conn: &Connection, mention_id: i64) -> Result<Vec<Suggestion>> {
    /// The author's name, handle and profile link, and the contact already linked.
    type Author = (Option<String>, Option<String>, Option<String>, Option<i64>);
    let row: Option<Author> = conn
        .prepare_cached("SELECT author_name, author_handle, author_url, contact_id FROM mentions WHERE id = ?1")?
        .query_row([mention_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((name, handle, url, linked)) = row else {
        return Err(crate::StoreError::NotFound { what: "mention", id: mention_id });
    };
    let mut found: std::collections::BTreeMap<i64, (String, Vec<(f64, String)>)> = Default::default();
    let mut add = |id: i64, contact: String, weight: f64, why: String| {
        let entry = found.entry(id).or_insert_with(|| (contact, Vec::new()));
        if !entry.1.iter().any(|(_, w)| *w == why) {
            entry.1.push((weight, why));
        }
    };
    if let Some(url) = url.as_deref().filter(|u| !u.is_empty()) {
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, c.display_name, i.profile_url FROM contacts c LEFT JOIN identities i ON i.contact_id = c.id
              WHERE c.deleted_at IS NULL AND (i.profile_url = ?1 COLLATE NOCASE OR c.website = ?1 COLLATE NOCASE
                    OR i.profile_url = ?2 COLLATE NOCASE OR c.website = ?2 COLLATE NOCASE)",
        )?;
        let trimmed = url.trim_end_matches('/').to_string();
        let with_slash = format!("{trimmed}/");
        let rows = stmt.query_map(rusqlite::params![trimmed, with_slash], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))
        })?;
        for row in rows {
            let (id, contact, profile) = row?;
            let via = if profile.as_deref().is_some_and(|p| same_link(p, url)) { "profile" } else { "website" };
            add(id, contact, SAME_PROFILE, format!("same {via} link"));
        }
    }
    if let Some(handle) = handle.as_deref() {
        // "@ann@social.example" and "ann" are the same person's name on the network; elsewhere it is a hint.
        let key = earshot_core::text::handle_key(handle.split('@').find(|p| !p.is_empty()).unwrap_or(handle));
        let mut stmt = conn.prepare_cached(
            "SELECT c.id, c.display_name, i.network FROM identities i JOIN contacts c ON c.id = i.contact_id
              WHERE c.deleted_at IS NULL AND (i.handle_key = ?1 OR i.handle_key LIKE ?1 || '@%') LIMIT 20",
        )?;
        let rows =
            stmt.query_map([&key], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (id, contact, network) = row?;
            add(id, contact, SAME_HANDLE_ELSEWHERE, format!("same handle on {network}"));
        }
    }
    if let Some(name) = name.as_deref().map(str::trim).filter(|n| !n.is_empty() && !n.starts_with('@')) {
        let folded = earshot_core::text::fold(name);
        let weight = if folded.split_whitespace().count() >= 2 { SAME_FULL_NAME } else { SAME_SINGLE_NAME };
        let mut stmt = conn.prepare_cached(
            "SELECT id, display_name FROM contacts WHERE deleted_at IS NULL AND sort_key = ?1 LIMIT 20",
        )?;
        let rows = stmt.query_map([&folded], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, contact) = row?;
            add(id, contact, weight, "same name".into());
        }
    }
    let mut out: Vec<Suggestion> = found
        .into_iter()
        .filter(|(id, _)| Some(*id) != linked)
        .map(|(contact_id, (name, evidence))| Suggestion {
            contact_id,
            name,
            confidence: 1.0 - evidence.iter().map(|(w, _)| 1.0 - w).product::<f64>(),
            evidence: evidence.into_iter().map(|(_, why)| why).collect(),
        })
        .collect();
    out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.contact_id.cmp(&b.contact_id)));
    out.truncate(5);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{self, NewSource};
    use crate::test_support::{store, NOW};
    use crate::{listening_queries, mentions, triage};
    use earshot_core::mention::{MentionAuthor, NewMention};

    /// A Mastodon source and a brand query listening on it: (source id, query id).
    fn listening_on_mastodon(tx: &rusqlite::Transaction<'_>) -> crate::Result<(i64, i64)> {
        let source =
            NewSource { kind: "mastodon", name: "m", url: "https://s.example", config: "{}", credential_id: None };
        Ok((sources::add(tx, &source, NOW)?, listening_queries::add(tx, "brand", "spokes", NOW)?))
    }

    #[test]
    fn authors_who_are_not_contacts_are_listed_once_each_until_promoted() {
        let (_dir, store) = store();
        store
            .write(|tx| {
                let (source, q) = listening_on_mastodon(tx)?;
                let toot = |id: &str, handle: &str, text: &str| NewMention {
                    external_id: id.into(),
                    author: MentionAuthor {
                        name: Some(handle.into()),
                        handle: Some(handle.into()),
                        followers: Some(10),
                        ..Default::default()
                    },
                    text: text.into(),
                    ..Default::default()
                };
                let items = vec![
                    (toot("1", "@ann", "spokes is great"), vec![q]),
                    (toot("2", "@Ann", "spokes again, love it"), vec![q]),
                    (toot("3", "@bo", "spokes is awful"), vec![q]),
                ];
                mentions::ingest(tx, source, &crate::test_support::arriving(tx, source, items), NOW)?;
                Ok(())
            })
            .unwrap();
        let people = store.read(|c| list(c, 50)).unwrap();
        assert_eq!(people.len(), 2);
        assert_eq!((people[0].mentions, people[0].network.as_str()), (2, "mastodon"));
        assert!(people[0].sentiment > 0.0 && people[1].sentiment < 0.0);

        let now = crate::parse_timestamp(NOW).unwrap();
        store
            .write(|tx| triage::create_contact(tx, triage::next_batch(tx)?, people[0].latest_mention_id, now))
            .unwrap();
        let left = store.read(|c| list(c, 50)).unwrap();
        assert_eq!(left.len(), 1, "a promoted author is a contact now, with all their mentions");
        assert_eq!(left[0].handle.as_deref(), Some("@bo"));
    }

    #[test]
    fn suggestions_weigh_the_evidence_and_never_include_the_linked_contact() {
        let (_dir, store) = store();
        let (ann, other_ann, mention) = store
            .write(|tx| {
                let mut ann = crate::test_support::person("Ann Lee", None);
                ann.identities.push(earshot_core::IdentityDraft {
                    network: "bluesky".into(),
                    handle: "annlee.bsky.social".into(),
                    profile_url: Some("https://social.example/@annlee".into()),
                    follower_count: None,
                });
                let ann = crate::contacts::insert(tx, &ann, None, NOW)?;
                let other = crate::contacts::insert(tx, &crate::test_support::person("Ann Lee", None), None, NOW)?;
                let (source, q) = listening_on_mastodon(tx)?;
                let m = NewMention {
                    external_id: "1".into(),
                    author: MentionAuthor {
                        name: Some("Ann Lée".into()),
                        handle: Some("@annlee@social.example".into()),
                        profile_url: Some("https://social.example/@annlee/".into()),
                        ..Default::default()
                    },
                    text: "spokes".into(),
                    ..Default::default()
                };
                mentions::ingest(tx, source, &crate::test_support::arriving(tx, source, vec![(m, vec![q])]), NOW)?;
                let id: i64 = tx.query_row("SELECT id FROM mentions", [], |r| r.get(0))?;
                Ok((ann, other, id))
            })
            .unwrap();
        let s = store.read(|c| suggest(c, mention)).unwrap();
        assert_eq!(s[0].contact_id, ann, "{s:?}");
        assert!(s[0].confidence > 0.9 && s[0].evidence.contains(&"same profile link".to_string()), "{s:?}");
        assert_eq!(s[1].contact_id, other_ann);
        assert!((s[1].confidence - 0.5).abs() < 1e-9, "a name alone is a guess: {s:?}");
        let now = crate::parse_timestamp(NOW).unwrap();
        store.write(|tx| triage::link(tx, triage::next_batch(tx)?, mention, ann, now)).unwrap();
        assert!(store.read(|c| suggest(c, mention)).unwrap().iter().all(|x| x.contact_id != ann));
    }
}
