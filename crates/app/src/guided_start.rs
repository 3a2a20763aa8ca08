//! The guided start of an empty workspace: Earshot proposes queries and sources from what the owner says
//! about the business ([`earshot_core::guided_start`]); the owner edits and confirms, and only then is
//! anything saved, or fetched (the engine checks the new sources when the shell wakes it).

use earshot_core::guided_start::MastodonHashtag;
use earshot_core::query::Query;
use earshot_store::{listening_queries, settings, sources};
use serde::Deserialize;
use ts_rs::TS;

use crate::{accounts, listening, ApiError, Ctx};

/// What the owner confirmed. Each field is what they kept of the proposal, as edited; blanks are left out.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct StartChoice {
    pub business_name: String,
    pub own_handles: Vec<String>,
    pub brand_query: String,
    pub competitor_queries: Vec<String>,
    pub industry_query: String,
    /// The Google Alerts feed address the owner pasted (blank when they made none).
    pub google_alerts_feed: String,
    pub reddit_feed: Option<String>,
    pub hacker_news_query: Option<String>,
    pub mastodon: Option<MastodonHashtag>,
}

/// What the guided start set up.
#[derive(Debug, Clone, serde::Serialize, TS)]
pub struct StartDone {
    #[ts(type = "number")]
    pub queries: usize,
    #[ts(type = "number")]
    pub sources: usize,
}

/// True while an empty workspace has not been through the guided start: nothing to listen for yet and the
/// owner has neither finished nor skipped it. Asked on every workspace refresh, so the settings decide
/// first and the tables are only counted for an empty workspace that has not answered.
pub fn pending(ctx: &Ctx) -> Result<bool, ApiError> {
    Ok(ctx.store.read(|conn| {
        let empty = settings::get(conn, settings::WORKSPACE_KIND)?.as_deref() == Some("empty");
        if !empty || settings::get(conn, settings::GUIDED_START)?.is_some() {
            return Ok(false);
        }
        Ok(listening_queries::count(conn)? == 0 && sources::count(conn)? == 0)
    })?)
}

/// Saves what the owner confirmed. Everything is checked first, so a mistake in one field (named in the
/// error) saves nothing and the owner can fix it and confirm again.
pub fn apply(ctx: &Ctx, choice: &StartChoice) -> Result<StartDone, ApiError> {
    let name = choice.business_name.trim();
    let mut queries: Vec<(&str, &str, &str)> = Vec::new();
    if !choice.brand_query.trim().is_empty() {
        queries.push(("brand", choice.brand_query.trim(), "The query for your business"));
    }
    for q in choice.competitor_queries.iter().map(|q| q.trim()).filter(|q| !q.is_empty()) {
        queries.push(("competitor", q, "A competitor's query"));
    }
    if !choice.industry_query.trim().is_empty() {
        queries.push(("industry", choice.industry_query.trim(), "The industry query"));
    }
    for (_, query, field) in &queries {
        Query::parse(query).map_err(|e| ApiError::invalid(format!("{field} \"{query}\": {e}")))?;
    }
    let alerts = choice.google_alerts_feed.trim();
    if !alerts.is_empty() {
        google_alerts_feed(alerts)?;
    }
    if let Some(reddit) = &choice.reddit_feed {
        listening::feed_url(reddit).map_err(|e| ApiError::invalid(format!("The Reddit feed: {}", e.message)))?;
    }

    ctx.store.write(|tx| {
        if !name.is_empty() {
            settings::set(tx, settings::BUSINESS_NAME, name)?;
        }
        Ok(())
    })?;
    if !choice.own_handles.is_empty() {
        let mut handles = accounts::own_handles_list(ctx)?;
        handles.extend(choice.own_handles.iter().cloned());
        accounts::own_handles_set(ctx, &handles)?;
    }
    for (kind, query, _) in &queries {
        listening::queries_add(ctx, kind, query)?;
    }
    let label = |site: &str| if name.is_empty() { site.to_string() } else { format!("{site}: {name}") };
    let mut added = 0;
    if !alerts.is_empty() {
        listening::source_add_feed(ctx, alerts, Some(&label("Google Alerts")))?;
        added += 1;
    }
    if let Some(reddit) = &choice.reddit_feed {
        listening::source_add_feed(ctx, reddit, Some(&label("Reddit")))?;
        added += 1;
    }
    if let Some(hn) = choice.hacker_news_query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        listening::source_add_hn(ctx, hn, listening::HACKER_NEWS_SEARCH)?;
        added += 1;
    }
    if let Some(m) = &choice.mastodon {
        accounts::source_add_mastodon_hashtag(ctx, &m.instance, &m.hashtag)?;
        added += 1;
    }
    ctx.store.write(|tx| settings::set(tx, settings::GUIDED_START, "done"))?;
    tracing::info!(queries = queries.len(), sources = added, "guided start done");
    Ok(StartDone { queries: queries.len(), sources: added })
}

/// The owner skipped the guided start: it is not offered again (Listening has every part of it).
pub fn skip(ctx: &Ctx) -> Result<(), ApiError> {
    ctx.store.write(|tx| settings::set(tx, settings::GUIDED_START, "skipped"))?;
    Ok(())
}

/// A Google Alerts feed address, as the RSS icon beside an alert gives it.
fn google_alerts_feed(raw: &str) -> Result<String, ApiError> {
    let help = "In Google Alerts, click the RSS icon beside your alert and copy the address of that page";
    let url = listening::feed_url(raw)
        .map_err(|e| ApiError::invalid(format!("The Google Alerts address: {}. {help}.", e.message)))?;
    let parsed = url::Url::parse(&url).map_err(|e| ApiError::invalid(e.to_string()))?;
    let google = parsed.host_str().is_some_and(|h| h == "google.com" || h.ends_with(".google.com"));
    if !google || !parsed.path().starts_with("/alerts/feeds/") {
        return Err(ApiError::invalid(format!(
            "\"{raw}\" is not a Google Alerts feed address (those start with https://www.google.com/alerts/feeds/). {help}."
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{workspace_info, workspace_start, WorkspaceStart};
    use earshot_core::guided_start::{propose, BusinessProfile};

    fn empty_workspace() -> (tempfile::TempDir, Ctx) {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Ctx::open(&dir.path().join("w.db")).unwrap();
        workspace_start(&ctx, WorkspaceStart::Empty).unwrap();
        (dir, ctx)
    }

    fn riverside() -> StartChoice {
        let proposal = propose(&BusinessProfile {
            name: "Riverside Bikes".into(),
            website: "riversidebikes.co.uk".into(),
            handles: vec!["@riversidebikes@bikes.social".into()],
            competitors: vec!["Gearbox Cycles".into()],
            industry: "e-bikes, bike repair".into(),
        });
        StartChoice {
            business_name: "Riverside Bikes".into(),
            own_handles: proposal.own_handles,
            brand_query: proposal.brand_query.unwrap(),
            competitor_queries: proposal.competitor_queries,
            industry_query: proposal.industry_query.unwrap(),
            google_alerts_feed: "https://www.google.com/alerts/feeds/0123/4567".into(),
            reddit_feed: proposal.reddit_feed,
            hacker_news_query: proposal.hacker_news_query,
            mastodon: proposal.mastodon,
        }
    }

    #[test]
    fn an_empty_workspace_is_offered_the_guided_start_until_it_is_done() {
        let (_dir, ctx) = empty_workspace();
        assert!(pending(&ctx).unwrap());
        let done = apply(&ctx, &riverside()).unwrap();
        assert_eq!((done.queries, done.sources), (3, 4));
        assert!(!pending(&ctx).unwrap());
        assert_eq!(workspace_info(&ctx).unwrap().business_name.as_deref(), Some("Riverside Bikes"));

        let queries = listening::queries_list(&ctx).unwrap();
        let kinds: Vec<_> = queries.iter().map(|q| (q.kind.as_str(), q.query.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                ("brand", "\"Riverside Bikes\" OR riversidebikes"),
                ("competitor", "\"Gearbox Cycles\""),
                ("industry", "e-bikes OR \"bike repair\""),
            ]
        );
        let sources = listening::sources_list(&ctx).unwrap();
        let names: Vec<_> = sources.iter().map(|s| (s.kind.as_str(), s.name.as_str())).collect();
        assert_eq!(
            names,
            vec![
                ("mastodon", "#riversidebikes on bikes.social"),
                ("feed", "Google Alerts: Riverside Bikes"),
                ("hn", "Hacker News: Riverside Bikes"),
                ("feed", "Reddit: Riverside Bikes"),
            ]
        );
        assert!(sources.iter().all(|s| s.last_checked_at.is_none()), "nothing is fetched by saving");
        assert_eq!(accounts::own_handles_list(&ctx).unwrap(), vec!["@riversidebikes@bikes.social"]);
    }

    #[test]
    fn a_mistake_in_one_field_saves_nothing_and_names_the_field() {
        let (_dir, ctx) = empty_workspace();
        let mut choice = riverside();
        choice.google_alerts_feed = "https://example.com/feed.xml".into();
        let e = apply(&ctx, &choice).unwrap_err();
        assert!(e.message.contains("not a Google Alerts feed address"), "{}", e.message);
        choice.google_alerts_feed.clear();
        choice.industry_query = "-bikes".into();
        let e = apply(&ctx, &choice).unwrap_err();
        assert!(e.message.starts_with("The industry query \"-bikes\""), "{}", e.message);
        assert!(listening::queries_list(&ctx).unwrap().is_empty());
        assert!(listening::sources_list(&ctx).unwrap().is_empty());
        assert!(pending(&ctx).unwrap(), "still offered after a mistake");
    }

    #[test]
    fn skipping_is_remembered_and_a_demo_or_a_listening_workspace_is_never_offered_it() {
        let (_dir, ctx) = empty_workspace();
        skip(&ctx).unwrap();
        assert!(!pending(&ctx).unwrap());

        let (_dir, ctx) = empty_workspace();
        listening::queries_add(&ctx, "brand", "riverside").unwrap();
        assert!(!pending(&ctx).unwrap(), "set up by hand already");

        let dir = tempfile::tempdir().unwrap();
        let ctx = Ctx::open(&dir.path().join("fresh.db")).unwrap();
        assert!(!pending(&ctx).unwrap(), "the first-launch choice comes first");
    }
}
