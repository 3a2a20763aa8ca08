//! People in conversations: the authors of mentions who are not contacts, one row per author on a network,
//! with what they said (how often, how warmly) and how far it can travel. Kept apart from contacts until the
//! owner promotes one (which creates the contact from the author of their latest mention).

use rusqlite::Connection;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{self, NewSource};
    use crate::test_support::{store, NOW};
    use crate::{listening_queries, mentions, triage};
    use earshot_core::mention::{MentionAuthor, NewMention};

    #[test]
    fn authors_who_are_not_contacts_are_listed_once_each_until_promoted() {
        let (_dir, store) = store();
        store
            .write(|tx| {
                let source = sources::add(
                    tx,
                    &NewSource {
                        kind: "mastodon",
                        name: "m",
                        url: "https://s.example",
                        config: "{}",
                        credential_id: None,
                    },
                    NOW,
                )?;
                let q = listening_queries::add(tx, "brand", "spokes", NOW)?;
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
                mentions::ingest(tx, source, &items, NOW)?;
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
}
