//! Listening: the queries the owner listens for, the sources Earshot checks, the mentions it heard, and
//! manual capture. Matching is local: every fetched item is matched against every live query and kept only
//! if it matches one (or is addressed to the owner). When the queries change, every stored mention is
//! matched again, so its list of matched queries stays true.

use earshot_core::mention::{clean_url, NewMention, SourceKind};
use earshot_core::query::{MatchText, Query};
use earshot_core::text::fold;
use earshot_store::arrivals::{self, Arriving};
use earshot_store::listening_queries::{self, ListeningQuery};
use earshot_store::mentions::{self, Mention};
use earshot_store::sources::{self, NewSource, Source};
use earshot_sync::feeds::Relevance;
use serde::Serialize;

use crate::{ApiError, Ctx};

/// The live queries, parsed, ready to match items.
pub struct Matcher {
    queries: Vec<(i64, Query)>,
}

impl Matcher {
    pub fn load(ctx: &Ctx) -> Result<Matcher, ApiError> {
        let stored = ctx.store.read(listening_queries::list)?;
        // A stored query always parsed when it was added; one that no longer does is skipped, not fatal.
        let queries = stored.into_iter().filter_map(|q| Query::parse(&q.query).ok().map(|p| (q.id, p))).collect();
        Ok(Matcher { queries })
    }

    /// The ids of the queries an item matches.
    pub fn matches(&self, title: Option<&str>, text: &str) -> Vec<i64> {
        if self.queries.is_empty() {
            return Vec::new();
        }
        let prepared = MatchText::of(title, text);
        self.queries.iter().filter(|(_, q)| q.matches(&prepared)).map(|(id, _)| *id).collect()
    }

    /// Server-side searches standing for the live queries (brand and competitor first), at most `limit`.
    pub fn searches(&self, limit: usize) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, q) in &self.queries {
            for s in q.search_texts(4) {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out.truncate(limit);
        out
    }

    /// The items worth keeping, each with the queries it matches, ready for `mentions::ingest`: those that
    /// match a query, and those addressed to the owner. The rest are dropped, as a search would drop them.
    pub fn keep_relevant(&self, items: Vec<NewMention>) -> Vec<(NewMention, Vec<i64>)> {
        items
            .into_iter()
            .filter_map(|m| {
                let ids = self.matches(m.title.as_deref(), &m.text);
                (m.direct || !ids.is_empty()).then_some((m, ids))
            })
            .collect()
    }
}

impl Relevance for Matcher {
    /// Whether any query matches an item (stops at the first that does).
    fn is_relevant(&self, title: Option<&str>, text: &str) -> bool {
        let prepared = MatchText::of(title, text);
        self.queries.iter().any(|(_, q)| q.matches(&prepared))
    }

    fn may_be_relevant(&self, characters: &str) -> bool {
        let folded = fold(characters);
        self.queries.iter().any(|(_, q)| q.may_match(&folded))
    }
}

fn parse_query(text: &str) -> Result<Query, ApiError> {
    Query::parse(text).map_err(|e| ApiError::invalid(format!("query \"{}\": {e}", text.trim())))
}

/// Matches every stored mention again against the live queries (after a query was added or removed).
fn rematch_all(ctx: &Ctx) -> Result<usize, ApiError> {
    let matcher = Matcher::load(ctx)?;
    let texts = ctx.store.read(mentions::match_texts)?;
    Ok(ctx.store.write(|tx| {
        let mut matched = 0;
        for (id, title, text) in &texts {
            let ids = matcher.matches(title.as_deref(), text);
            matched += usize::from(!ids.is_empty());
            mentions::set_matches(tx, *id, &ids)?;
        }
        Ok(matched)
    })?)
}

pub fn queries_add(ctx: &Ctx, kind: &str, query: &str) -> Result<ListeningQuery, ApiError> {
    parse_query(query)?;
    let id = ctx.store.write(|tx| listening_queries::add(tx, kind, query, &ctx.now_text()))?;
    rematch_all(ctx)?;
    let all = ctx.store.read(listening_queries::list)?;
    all.into_iter().find(|q| q.id == id).ok_or_else(|| ApiError::invalid("the query was not saved"))
}

pub fn queries_list(ctx: &Ctx) -> Result<Vec<ListeningQuery>, ApiError> {
    Ok(ctx.store.read(listening_queries::list)?)
}

pub fn queries_remove(ctx: &Ctx, id: i64) -> Result<(), ApiError> {
    ctx.store.write(|tx| listening_queries::remove(tx, id, &ctx.now_text()))?;
    Ok(())
}

/// How a query would be understood, and which stored items it would match (the live preview).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct QueryPreview {
    pub understood_as: String,
    #[ts(type = "number")]
    pub matching: usize,
    pub examples: Vec<PreviewItem>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PreviewItem {
    #[ts(type = "number")]
    pub mention_id: i64,
    pub title: Option<String>,
    pub text: String,
}

pub fn query_preview(ctx: &Ctx, query: &str, limit: usize) -> Result<QueryPreview, ApiError> {
    let parsed = parse_query(query)?;
    let texts = ctx.store.read(mentions::match_texts)?;
    let mut matching = 0;
    let mut examples = Vec::new();
    for (id, title, text) in texts.into_iter().rev() {
        if parsed.matches(&MatchText::of(title.as_deref(), &text)) {
            matching += 1;
            if examples.len() < limit {
                examples.push(PreviewItem {
                    mention_id: id,
                    title,
                    text: earshot_core::text::truncate_chars(&text, 280),
                });
            }
        }
    }
    Ok(QueryPreview { understood_as: parsed.to_string(), matching, examples })
}

pub fn sources_list(ctx: &Ctx) -> Result<Vec<Source>, ApiError> {
    Ok(ctx.store.read(|c| sources::list(c, &ctx.now_text()))?)
}

/// Checks a feed address before it is stored: http(s), no credentials, no tracking noise.
pub fn feed_url(input: &str) -> Result<String, ApiError> {
    let trimmed = input.trim();
    let with_scheme = if trimmed.contains("://") { trimmed.to_string() } else { format!("https://{trimmed}") };
    let parsed = url::Url::parse(&with_scheme)
        .map_err(|e| ApiError::invalid(format!("\"{trimmed}\" is not a web address ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ApiError::invalid(format!("\"{trimmed}\" is not an http or https address")));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ApiError::invalid(format!(
            "\"{trimmed}\" has a user name or password in it; Earshot does not store those in addresses"
        )));
    }
    Ok(parsed.to_string())
}

/// Adds a feed by its address. `name` is what the owner sees (the feed's title, once known).
pub fn source_add_feed(ctx: &Ctx, url: &str, name: Option<&str>) -> Result<Source, ApiError> {
    let url = feed_url(url)?;
    let host = url::Url::parse(&url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&host);
    add_source(ctx, &NewSource { kind: "feed", name, url: &url, config: "{}", credential_id: None })
}

/// What an OPML import did: feeds added, feeds already listened to, and the outlines that could not be used.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct OpmlImport {
    #[ts(type = "number")]
    pub added: usize,
    #[ts(type = "number")]
    pub already: usize,
    pub problems: Vec<OpmlProblem>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct OpmlProblem {
    #[ts(type = "number")]
    pub line: usize,
    pub reason: String,
}

/// Adds every feed an OPML file lists (from another feed reader); a bad outline is reported by line and
/// the rest are still added.
pub fn sources_import_opml(ctx: &Ctx, file_name: &str, bytes: &[u8]) -> Result<OpmlImport, ApiError> {
    let feeds = earshot_sync::opml::parse(bytes).map_err(|e| ApiError::invalid(format!("{file_name}: {e}")))?;
    let mut result = OpmlImport { added: 0, already: 0, problems: Vec::new() };
    let live: Vec<String> = sources_list(ctx)?.into_iter().map(|s| s.url).collect();
    for feed in feeds {
        let url = match feed_url(&feed.xml_url) {
            Ok(url) => url,
            Err(e) => {
                result.problems.push(OpmlProblem { line: feed.line, reason: e.message });
                continue;
            }
        };
        if live.contains(&url) {
            result.already += 1;
            continue;
        }
        match source_add_feed(ctx, &url, feed.title.as_deref()) {
            Ok(_) => result.added += 1,
            Err(e) => result.problems.push(OpmlProblem { line: feed.line, reason: e.message }),
        }
    }
    Ok(result)
}

/// Every feed source as an OPML 2.0 file, for another feed reader.
pub fn sources_export_opml(ctx: &Ctx) -> Result<String, ApiError> {
    let feeds: Vec<(String, String)> =
        sources_list(ctx)?.into_iter().filter(|s| s.kind == SourceKind::Feed).map(|s| (s.name, s.url)).collect();
    Ok(earshot_sync::opml::write("Earshot feeds", &feeds))
}

/// Adds a Hacker News search (stories and comments) through Algolia at `base`.
/// Where Hacker News is searched (Algolia's public search of it).
pub const HACKER_NEWS_SEARCH: &str = "https://hn.algolia.com";

pub fn source_add_hn(ctx: &Ctx, query: &str, base: &str) -> Result<Source, ApiError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(ApiError::invalid("a Hacker News source needs words to search for"));
    }
    let base = feed_url(base)?;
    let config = serde_json::json!({ "query": query }).to_string();
    add_source(
        ctx,
        &NewSource {
            kind: "hn",
            name: &format!("Hacker News: {query}"),
            url: &base,
            config: &config,
            credential_id: None,
        },
    )
}

fn add_source(ctx: &Ctx, s: &NewSource<'_>) -> Result<Source, ApiError> {
    let now = ctx.now_text();
    let id = ctx.store.write(|tx| sources::add(tx, s, &now))?;
    Ok(ctx.store.read(|c| sources::get(c, id, &now))?)
}

/// Removes a source (its mentions stay) and deletes its secret from the keychain.
pub fn source_remove(ctx: &Ctx, secrets: &dyn earshot_secrets::SecretStore, id: i64) -> Result<(), ApiError> {
    let credential = ctx.store.write(|tx| sources::remove(tx, id, &ctx.now_text()))?;
    if let Some(credential) = credential {
        secrets
            .delete(&credential)
            .map_err(|e| ApiError::invalid(format!("source {id} was removed, but its keychain item was not: {e}")))?;
    }
    Ok(())
}

/// Lets a paused source be checked again at the next round.
pub fn source_resume(ctx: &Ctx, id: i64) -> Result<Source, ApiError> {
    let now = ctx.now_text();
    ctx.store.write(|tx| sources::resume(tx, id, &now))?;
    Ok(ctx.store.read(|c| sources::get(c, id, &now))?)
}

/// Removes a mention for good: later fetches of the same item never bring it back.
pub fn mention_remove(ctx: &Ctx, id: i64) -> Result<(), ApiError> {
    ctx.store.write(|tx| mentions::remove(tx, id, &ctx.now_text()))?;
    Ok(())
}

pub fn mentions_list(ctx: &Ctx, limit: i64) -> Result<Vec<Mention>, ApiError> {
    Ok(ctx.store.read(|c| mentions::list(c, limit.clamp(1, 10_000)))?)
}

/// A feed file as `earshot feed parse` prints it. Stable: fields are only added.
#[derive(Debug, Clone, Serialize)]
pub struct FeedFile {
    pub title: Option<String>,
    pub entries: Vec<FeedEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedEntry {
    pub id: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
    /// RFC 3339, UTC.
    pub published: Option<String>,
    /// Plain text.
    pub text: String,
    /// Sanitized HTML, when the entry has rich content.
    pub html: Option<String>,
}

/// Reads a feed file (RSS, Atom or JSON Feed) without storing anything.
pub fn feed_parse(ctx_now: chrono::DateTime<chrono::Utc>, file_name: &str, bytes: &[u8]) -> Result<FeedFile, ApiError> {
    if bytes.len() > earshot_sync::FEED_BODY_CAP {
        return Err(ApiError::invalid(format!(
            "{file_name} is larger than {} MiB, the most Earshot reads from one feed",
            earshot_sync::FEED_BODY_CAP / (1024 * 1024)
        )));
    }
    let feed =
        earshot_sync::feeds::parse(bytes, None, ctx_now).map_err(|e| ApiError::invalid(format!("{file_name}: {e}")))?;
    Ok(FeedFile {
        title: feed.title,
        entries: feed
            .entries
            .into_iter()
            .map(|e| FeedEntry {
                id: e.external_id,
                url: e.url,
                title: e.title,
                author: e.author.name,
                published: e.published_at.map(earshot_store::timestamp),
                text: e.text,
                html: e.html,
            })
            .collect(),
    })
}

/// The networks manual capture knows; anything else is filed under "other".
pub const CAPTURE_NETWORKS: [&str; 9] =
    ["facebook", "instagram", "linkedin", "yelp", "google", "email", "x", "tiktok", "other"];

/// What the owner pasted: a link, what was said (empty: the page's own title and description are used),
/// who said it, and where.
#[derive(Debug, Clone, Default)]
pub struct Capture {
    pub url: String,
    pub text: String,
    pub author: Option<String>,
    pub network: Option<String>,
}

/// Captures a link, reading the page's title and description when the owner did not paste the text.
pub async fn capture_link(ctx: &Ctx, fetcher: &earshot_sync::Fetcher, c: &Capture) -> Result<Mention, ApiError> {
    if !c.text.trim().is_empty() {
        return earshot_sync::off_worker(|| capture(ctx, c, None));
    }
    let url = feed_url(&c.url)?;
    let page = earshot_sync::page::fetch_summary(fetcher, &url)
        .await
        .map_err(|e| ApiError::invalid(format!("cannot read the page: {e}. Paste what was said instead")))?;
    let text = page.description.clone().or_else(|| page.title.clone()).ok_or_else(|| {
        ApiError::invalid(format!("the page at {url} has no title or description; paste what was said instead"))
    })?;
    earshot_sync::off_worker(|| capture(ctx, &Capture { url, text, ..c.clone() }, page.title))
}

/// Files a mention from a network with no usable API. It is stored whether or not a query matches it: the
/// owner chose it.
pub fn capture(ctx: &Ctx, c: &Capture, title: Option<String>) -> Result<Mention, ApiError> {
    if c.text.trim().is_empty() {
        return Err(ApiError::invalid("a captured mention needs what was said (or a link to a page that says it)"));
    }
    let url = clean_url(&feed_url(&c.url)?)
        .ok_or_else(|| ApiError::invalid(format!("\"{}\" is not a link Earshot can keep", c.url.trim())))?;
    let network = match c.network.as_deref().map(str::trim).map(str::to_lowercase) {
        Some(n) if CAPTURE_NETWORKS.contains(&n.as_str()) => n,
        Some(n) if !n.is_empty() => {
            return Err(ApiError::invalid(format!(
                "\"{n}\" is not a network Earshot knows ({}); use \"other\"",
                CAPTURE_NETWORKS.join(", ")
            )))
        }
        _ => network_of(&url).to_string(),
    };
    let now = ctx.now();
    let mention = NewMention {
        external_id: url.clone(),
        url: Some(url),
        text: c.text.trim().to_string(),
        title,
        author: earshot_core::mention::MentionAuthor { name: c.author.clone(), ..Default::default() },
        published_at: Some(now),
        ..Default::default()
    }
    .made_safe(now);
    if crate::accounts::own_accounts(ctx)?.is_own(&network, &mention.author) {
        return Err(ApiError::invalid(format!(
            "\"{}\" is one of your own accounts (Listening > Your own accounts): what you post yourself is not a \
             mention. Capture what others say, or take it off that list first",
            c.author.as_deref().unwrap_or_default().trim()
        )));
    }
    let matcher = Matcher::load(ctx)?;
    let ids = matcher.matches(mention.title.as_deref(), &mention.text);
    let now_text = ctx.now_text();
    let source = ctx.store.write(|tx| sources::manual(tx, &network, &now_text))?;
    let item = assessed(ctx, source, vec![(mention, ids)])?.remove(0);
    let id = ctx.store.write(|tx| mentions::capture(tx, source, &item, &now_text))?;
    Ok(ctx.store.read(|c| mentions::get(c, id))?)
}

/// Items about to be stored from `source_id`, assessed: what the assessment needs is read first, then each
/// item is read and scored (pure, [`earshot_core::triage::assess`]) outside any write, so the write that
/// follows only stores.
pub fn assessed(ctx: &Ctx, source_id: i64, items: Vec<(NewMention, Vec<i64>)>) -> Result<Vec<Arriving>, ApiError> {
    let mentions: Vec<&NewMention> = items.iter().map(|(m, _)| m).collect();
    let plan = earshot_sync::off_worker(|| ctx.store.read(|c| arrivals::plan(c, source_id, &mentions)))?;
    Ok(plan.assess(source_id, items))
}

/// Guesses the network of a captured link from its host.
fn network_of(url: &str) -> &'static str {
    let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_lowercase)).unwrap_or_default();
    let is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if is("facebook.com") || is("fb.com") {
        "facebook"
    } else if is("instagram.com") {
        "instagram"
    } else if is("linkedin.com") {
        "linkedin"
    } else if is("yelp.com") {
        "yelp"
    } else if is("google.com") || is("goo.gl") {
        "google"
    } else if is("x.com") || is("twitter.com") {
        "x"
    } else if is("tiktok.com") {
        "tiktok"
    } else {
        "other"
    }
}
