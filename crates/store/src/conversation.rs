//! Share-of-conversation volumes per local day and brand group, kept in `conversation_days` so the
//! dashboard reads a few hundred rows instead of every mention of the year. The table is a cache of the
//! mentions: [`refresh`] adds mentions past the watermark, recomputes the days a trigger marked stale (a
//! stored mention's matches, sentiment, reach or date changed, or it was removed), and starts over when the
//! shop's time zone changed. Groups: every `brand` query together is the business ("brand"); each
//! `competitor` query is its own group (`q:<id>`); `industry` queries are not part of the share.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use earshot_core::metrics::Volume;
use rusqlite::{params, Connection, Transaction};

use crate::Result;

/// New mentions rolled up per call: the first build over a large archive is done in several short
/// transactions, so listening keeps writing in between.
pub const CHUNK: i64 = 100_000;

/// Positive and negative as the dashboard counts them: a compound score of at least 0.05, at most -0.05.
fn tone(sentiment: f64) -> i64 {
    if sentiment >= 0.05 {
        1
    } else if sentiment <= -0.05 {
        -1
    } else {
        0
    }
}

/// The local calendar day of an instant.
pub fn local_day(t: DateTime<Utc>, zone: Tz) -> NaiveDate {
    t.with_timezone(&zone).date_naive()
}

/// The first instant of a local day (the hour after a daylight-saving gap at midnight, where one exists).
fn day_start(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    zone.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(midnight + Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

fn groups(conn: &Connection) -> Result<HashMap<i64, String>> {
    let mut stmt = conn.prepare_cached("SELECT id, kind FROM listening_queries WHERE kind != 'industry'")?;
    let rows = stmt.query_map([], |r| {
        let (id, kind): (i64, String) = (r.get(0)?, r.get(1)?);
        Ok((id, if kind == "brand" { "brand".to_string() } else { format!("q:{id}") }))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Volumes by (local day, group) of the mentions with an id in (ids.0, ids.1] said in [times.0, times.1),
/// each mention counted once per group.
fn aggregate(
    tx: &Transaction<'_>,
    groups: &HashMap<i64, String>,
    zone: Tz,
    ids: (i64, i64),
    times: (&str, &str),
) -> Result<HashMap<(String, String), Volume>> {
    let mut stmt = tx.prepare_cached(
        "SELECT m.id, mm.query_id, coalesce(m.published_at, m.fetched_at), coalesce(m.author_followers, 0),
                coalesce(m.likes, 0) + coalesce(m.reposts, 0) + coalesce(m.replies, 0), m.sentiment
           FROM mentions m JOIN mention_matches mm ON mm.mention_id = m.id
          WHERE m.id > ?1 AND m.id <= ?2 AND (m.matches > 0 OR m.direct = 1) AND m.duplicate_of IS NULL
            AND coalesce(m.published_at, m.fetched_at) >= ?3 AND coalesce(m.published_at, m.fetched_at) < ?4",
    )?;
    let mut out: HashMap<(String, String), Volume> = HashMap::new();
    let mut seen: HashSet<(i64, &str)> = HashSet::new();
    let mut rows = stmt.query(params![ids.0, ids.1, times.0, times.1])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let Some(group) = groups.get(&r.get::<_, i64>(1)?) else { continue };
        if !seen.insert((id, group.as_str())) {
            continue;
        }
        let Some(at) = crate::parse_timestamp(&r.get::<_, String>(2)?) else { continue };
        let t = tone(r.get(5)?);
        let v = out.entry((local_day(at, zone).to_string(), group.clone())).or_default();
        v.mentions += 1;
        v.reach += r.get::<_, i64>(3)?;
        v.engagement += r.get::<_, i64>(4)?;
        v.positive += (t > 0) as i64;
        v.negative += (t < 0) as i64;
    }
    Ok(out)
}

fn add_to_days(tx: &Transaction<'_>, volumes: HashMap<(String, String), Volume>) -> Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO conversation_days (day, grp, mentions, reach, engagement, positive, negative)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (day, grp) DO UPDATE SET mentions = mentions + excluded.mentions, reach = reach + excluded.reach,
           engagement = engagement + excluded.engagement, positive = positive + excluded.positive,
           negative = negative + excluded.negative",
    )?;
    for ((day, grp), v) in volumes {
        upsert.execute(params![day, grp, v.mentions, v.reach, v.engagement, v.positive, v.negative])?;
    }
    Ok(())
}

const ALL_TIME: (&str, &str) = ("", "\u{10ffff}");

/// Brings `conversation_days` up to date, at most [`CHUNK`] new mentions at a time. Returns true when it
/// is up to date (call again while it returns false).
pub fn refresh(tx: &Transaction<'_>, zone: Tz) -> Result<bool> {
    let (mut watermark, built_for): (i64, String) =
        tx.query_row("SELECT watermark, zone FROM conversation_rollup WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if built_for != zone.name() {
        tx.execute_batch("DELETE FROM conversation_days; DELETE FROM conversation_stale;")?;
        watermark = 0;
    }
    let groups = groups(tx)?;

    let stale: Vec<String> = tx
        .prepare("SELECT day FROM conversation_stale")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if !stale.is_empty() {
        // A UTC day overlaps at most two local days; both are recomputed from the mentions already counted.
        let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
        for d in stale.iter().filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
            let start = d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
            days.insert(local_day(start, zone));
            days.insert(local_day(start + Duration::days(1) - Duration::seconds(1), zone));
        }
        for day in days {
            let (from, to) =
                (crate::timestamp(day_start(day, zone)), crate::timestamp(day_start(day + Duration::days(1), zone)));
            tx.execute("DELETE FROM conversation_days WHERE day = ?1", [day.to_string()])?;
            let volumes = aggregate(tx, &groups, zone, (0, watermark), (&from, &to))?;
            add_to_days(tx, volumes)?;
        }
        tx.execute("DELETE FROM conversation_stale", [])?;
    }

    let newest: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM mentions", [], |r| r.get(0))?;
    let upto = newest.min(watermark + CHUNK);
    if upto > watermark {
        let volumes = aggregate(tx, &groups, zone, (watermark, upto), ALL_TIME)?;
        add_to_days(tx, volumes)?;
    }
    tx.execute(
        "UPDATE conversation_rollup SET watermark = ?1, zone = ?2 WHERE id = 1",
        params![upto.max(watermark), zone.name()],
    )?;
    Ok(upto >= newest)
}

/// The volumes of local days `from`..=`to` by group, and by (day, group).
pub fn read(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<(NaiveDate, String, Volume)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, grp, mentions, reach, engagement, positive, negative FROM conversation_days
          WHERE day >= ?1 AND day <= ?2 ORDER BY day",
    )?;
    let rows = stmt.query_map([from.to_string(), to.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            Volume {
                mentions: r.get(2)?,
                reach: r.get(3)?,
                engagement: r.get(4)?,
                positive: r.get(5)?,
                negative: r.get(6)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (day, grp, v) = row?;
        if let Ok(d) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
            out.push((d, grp, v));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::store;

    fn totals(conn: &Connection) -> HashMap<String, Volume> {
        let mut out: HashMap<String, Volume> = HashMap::new();
        let from = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap();
        for (_, grp, v) in read(conn, from, to).unwrap() {
            out.entry(grp).or_default().add(&v);
        }
        out
    }

    #[test]
    fn the_cache_follows_new_changed_and_removed_mentions() {
        let (_dir, store) = store();
        store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO sources (id, kind, name, url, created_at) VALUES (1, 'manual', 'Captured', 'manual:', 'x');
                     INSERT INTO listening_queries (id, kind, query, created_at) VALUES (1, 'brand', 'a', 'x'), (2, 'brand', 'b', 'x'),
                       (3, 'competitor', 'c', 'x');
                     INSERT INTO mentions (id, source_id, external_id, text, published_at, fetched_at, matches, author_followers, sentiment)
                       VALUES (1, 1, '1', 't', '2026-01-05T23:30:00Z', 'x', 2, 10, 0.5),
                              (2, 1, '2', 't', '2026-01-06T10:00:00Z', 'x', 1, 20, -0.5);
                     INSERT INTO mention_matches VALUES (1, 1), (1, 2), (2, 3);",
                )?;
                Ok(())
            })
            .unwrap();
        assert!(store.write(|tx| refresh(tx, Tz::UTC)).unwrap());
        let t = store.read(|c| Ok(totals(c))).unwrap();
        // Matching two brand queries counts once for the business.
        assert_eq!((t["brand"].mentions, t["brand"].positive, t["q:3"].negative), (1, 1, 1));

        store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO mentions (id, source_id, external_id, text, published_at, fetched_at, matches, sentiment)
                       VALUES (3, 1, '3', 't', '2026-01-07T10:00:00Z', 'x', 1, 0.0);
                     INSERT INTO mention_matches VALUES (3, 1);
                     UPDATE mentions SET sentiment = -0.9 WHERE id = 1;
                     DELETE FROM mention_matches WHERE mention_id = 2; DELETE FROM mentions WHERE id = 2;",
                )?;
                refresh(tx, Tz::UTC)
            })
            .unwrap();
        let t = store.read(|c| Ok(totals(c))).unwrap();
        assert_eq!((t["brand"].mentions, t["brand"].positive, t["brand"].negative), (2, 0, 1));
        assert_eq!(t.get("q:3").map_or(0, |v| v.mentions), 0);

        // In New York, 23:30 UTC on the 5th is still the 5th; the cache is rebuilt for the new zone.
        let ny: Tz = "America/New_York".parse().unwrap();
        store.write(|tx| refresh(tx, ny)).unwrap();
        let days = store
            .read(|c| {
                read(c, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(), NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
            })
            .unwrap();
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].2.mentions, 1);
    }
}
