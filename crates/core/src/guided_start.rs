//! The guided start of a new workspace: from what the owner says about the business (its name, website and
//! handles, up to three competitors, the industry's words) Earshot proposes what to listen for and where.
//! Everything here is a proposal the owner edits and confirms; nothing is saved or fetched from it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::text::fold;

/// At most this many competitors are proposed (a small business watches a few, not a market).
pub const MAX_COMPETITORS: usize = 3;

/// The Mastodon server proposed for the hashtag when the owner has no Mastodon handle of their own.
pub const DEFAULT_MASTODON: &str = "mastodon.social";

/// What the owner tells Earshot in the guided start. Every field may be blank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
pub struct BusinessProfile {
    pub name: String,
    pub website: String,
    /// The business's own handles and profile addresses, one per item (`@shop@mastodon.social`,
    /// `shop.bsky.social`, `https://instagram.com/shop`).
    pub handles: Vec<String>,
    pub competitors: Vec<String>,
    /// The industry's words or phrases, separated by commas or new lines (`e-bikes, bike repair`).
    pub industry: String,
}

/// What Earshot proposes from a [`BusinessProfile`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct StartProposal {
    /// The brand query: the name as written and as people type it, the website's name, the handles.
    pub brand_query: Option<String>,
    /// One query per named competitor.
    pub competitor_queries: Vec<String>,
    pub industry_query: Option<String>,
    /// The handles as the owner's own: their posts are the shop's activity, never mentions.
    pub own_handles: Vec<String>,
    /// What to type into Google Alerts (it makes the feed whose address the owner pastes back).
    pub google_alerts_search: Option<String>,
    /// Reddit's search of the name, newest first, as a feed.
    pub reddit_feed: Option<String>,
    pub hacker_news_query: Option<String>,
    pub mastodon: Option<MastodonHashtag>,
    /// The owner's Bluesky handle when one was given (Bluesky search needs the owner signed in).
    pub bluesky_handle: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MastodonHashtag {
    pub instance: String,
    pub hashtag: String,
}

pub fn propose(profile: &BusinessProfile) -> StartProposal {
    let name = clean_name(&profile.name);
    let handles: Vec<String> = profile.handles.iter().map(|h| h.trim().to_string()).filter(|h| !h.is_empty()).collect();
    let mut brand = Alternatives::default();
    if !name.is_empty() {
        brand.add_name(&name);
        brand.add_word(&squashed(&name));
    }
    if let Some(site) = website_name(&profile.website) {
        brand.add_word(&site);
    }
    for handle in &handles {
        if let Some(local) = handle_name(handle) {
            brand.add_word(&local);
        }
    }
    let competitor_queries = profile
        .competitors
        .iter()
        .map(|c| clean_name(c))
        .filter(|c| !c.is_empty())
        .take(MAX_COMPETITORS)
        .filter_map(|c| {
            let mut alternatives = Alternatives::default();
            alternatives.add_name(&c);
            alternatives.query()
        })
        .collect();
    let mut industry = Alternatives::default();
    for words in profile.industry.split([',', ';', '\n']) {
        industry.add_name(&clean_name(words));
    }
    let named = (!name.is_empty()).then_some(name.as_str());
    StartProposal {
        brand_query: brand.query(),
        competitor_queries,
        industry_query: industry.query(),
        own_handles: handles.clone(),
        google_alerts_search: named.map(quoted),
        reddit_feed: named.map(reddit_search_feed),
        hacker_news_query: named.map(str::to_string),
        mastodon: named.map(squashed).filter(|tag| !tag.is_empty()).map(|hashtag| MastodonHashtag {
            instance: handles.iter().find_map(|h| mastodon_server(h)).unwrap_or_else(|| DEFAULT_MASTODON.to_string()),
            hashtag,
        }),
        bluesky_handle: handles.iter().find_map(|h| bluesky_handle(h)),
    }
}

/// The alternatives of one query, each kept once however it is written (compared as the query matches them).
#[derive(Default)]
struct Alternatives {
    terms: Vec<String>,
    seen: Vec<String>,
}

impl Alternatives {
    /// A name as written; with `&`, also as people type it with "and" (they match different words).
    fn add_name(&mut self, name: &str) {
        self.add_term(name);
        if name.contains('&') {
            self.add_term(&name.replace('&', " and ").split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }

    fn add_word(&mut self, word: &str) {
        self.add_term(word);
    }

    fn add_term(&mut self, term: &str) {
        let key =
            fold(term).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
        if key.is_empty() || self.seen.contains(&key) {
            return;
        }
        self.seen.push(key);
        let single_word = !term.contains(char::is_whitespace) && term != "OR" && !term.starts_with('-');
        self.terms.push(if single_word { term.to_string() } else { quoted(term) });
    }

    fn query(&self) -> Option<String> {
        (!self.terms.is_empty()).then(|| self.terms.join(" OR "))
    }
}

/// A name without the characters the query syntax gives a meaning to, and with single spaces.
fn clean_name(raw: &str) -> String {
    raw.replace(['"', '*'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

/// The name as one word, the way it appears in handles, hashtags and web addresses ("Spoke & Chain" is
/// `spokeandchain`).
fn squashed(name: &str) -> String {
    name.replace('&', "and").chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The site's own name from its address: `https://www.spokeandchain.co.uk/shop` is `spokeandchain`.
fn website_name(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let with_scheme = if raw.contains("://") { raw.to_string() } else { format!("https://{raw}") };
    let host = url::Url::parse(&with_scheme).ok()?.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let label = host.split('.').next()?;
    (host.contains('.') && !label.is_empty()).then(|| label.to_string())
}

/// The account's own name in a handle: `@shop@mastodon.social`, `shop.bsky.social`, `@shop` and
/// `https://instagram.com/shop` are all `shop`. A handle that is a domain of its own (`spokeandchain.com` on
/// Bluesky) is the domain's name.
fn handle_name(handle: &str) -> Option<String> {
    let handle = handle.trim();
    let local = if handle.contains("://") {
        let url = url::Url::parse(handle).ok()?;
        let last = url.path_segments()?.rfind(|s| !s.is_empty())?.to_string();
        last.trim_start_matches('@').to_string()
    } else {
        let bare = handle.trim_start_matches('@');
        let user = bare.split('@').next().unwrap_or(bare);
        user.split('.').next().unwrap_or(user).to_string()
    };
    let local = local.trim().to_string();
    (local.chars().any(char::is_alphanumeric)).then_some(local)
}

/// The server of a Mastodon handle (`@shop@bikes.social` or `https://bikes.social/@shop`).
fn mastodon_server(handle: &str) -> Option<String> {
    let handle = handle.trim();
    if let Ok(url) = url::Url::parse(handle) {
        let on_profile = url.path().starts_with("/@");
        return on_profile.then(|| url.host_str().map(str::to_string)).flatten();
    }
    let mut parts = handle.trim_start_matches('@').split('@');
    let (_user, server) = (parts.next()?, parts.next()?);
    (server.contains('.') && parts.next().is_none()).then(|| server.to_ascii_lowercase())
}

/// A Bluesky handle: `shop.bsky.social`, or `@shop.bsky.social`, or a profile address on bsky.app.
fn bluesky_handle(handle: &str) -> Option<String> {
    let handle = handle.trim();
    if let Ok(url) = url::Url::parse(handle) {
        let mut segments = url.path_segments()?;
        return (url.host_str() == Some("bsky.app") && segments.next() == Some("profile"))
            .then(|| segments.next().map(str::to_string))
            .flatten();
    }
    let bare = handle.trim_start_matches('@').to_ascii_lowercase();
    bare.ends_with(".bsky.social").then_some(bare)
}

/// Reddit's search for the exact name, newest first, as an RSS feed.
fn reddit_search_feed(name: &str) -> String {
    let mut url = url::Url::parse("https://www.reddit.com/search.rss").expect("a fixed address");
    url.query_pairs_mut().append_pair("q", &quoted(name)).append_pair("sort", "new");
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{MatchText, Query};

    fn profile(name: &str, website: &str, handles: &[&str]) -> BusinessProfile {
        BusinessProfile {
            name: name.into(),
            website: website.into(),
            handles: handles.iter().map(|h| h.to_string()).collect(),
            ..Default::default()
        }
    }

    fn finds(query: &str, text: &str) -> bool {
        Query::parse(query).expect("the proposal parses").matches(&MatchText::new(text))
    }

    #[test]
    fn the_brand_query_finds_the_shop_however_people_write_it() {
        let p = propose(&profile(
            "Spoke & Chain",
            "https://www.spokeandchain.co.uk/",
            &["@spokechain@bikes.social", "spokeandchain.bsky.social"],
        ));
        let q = p.brand_query.expect("a brand query");
        assert_eq!(q, "\"Spoke & Chain\" OR \"Spoke and Chain\" OR spokeandchain OR spokechain");
        for text in [
            "Got my wheel trued at Spoke & Chain today",
            "spoke and chain fixed it in an hour",
            "Ordered from spokeandchain.co.uk",
            "#SpokeAndChain rocks",
            "thanks @spokechain!",
        ] {
            assert!(finds(&q, text), "{text}");
        }
        assert!(!finds(&q, "a bike chain with a broken spoke"), "the words apart are not the shop");
    }

    #[test]
    fn sources_are_proposed_from_the_name_and_the_owners_own_accounts() {
        let p = propose(&profile(
            "Café Lune",
            "cafelune.fr",
            &["@cafelune@piaille.fr", "https://bsky.app/profile/cafelune.fr"],
        ));
        assert_eq!(p.google_alerts_search.as_deref(), Some("\"Café Lune\""));
        assert_eq!(p.hacker_news_query.as_deref(), Some("Café Lune"));
        assert_eq!(p.reddit_feed.as_deref(), Some("https://www.reddit.com/search.rss?q=%22Caf%C3%A9+Lune%22&sort=new"));
        assert_eq!(p.mastodon, Some(MastodonHashtag { instance: "piaille.fr".into(), hashtag: "cafélune".into() }));
        assert_eq!(p.bluesky_handle.as_deref(), Some("cafelune.fr"));
        assert_eq!(p.own_handles, vec!["@cafelune@piaille.fr", "https://bsky.app/profile/cafelune.fr"]);
    }

    #[test]
    fn without_a_mastodon_account_the_hashtag_is_proposed_on_the_largest_server() {
        let p = propose(&profile("Riverside Bikes", "", &["riversidebikes.bsky.social"]));
        assert_eq!(p.mastodon.unwrap().instance, DEFAULT_MASTODON);
        assert_eq!(p.bluesky_handle.as_deref(), Some("riversidebikes.bsky.social"));
        assert_eq!(p.brand_query.as_deref(), Some("\"Riverside Bikes\" OR riversidebikes"));
    }

    #[test]
    fn competitors_and_industry_become_queries_and_quotes_in_names_cannot_break_them() {
        let p = propose(&BusinessProfile {
            competitors: vec!["Gearbox Cycles".into(), " ".into(), "Pedal \"Republic\"".into(), "A".into(), "B".into()],
            industry: "e-bikes, bike repair\ncargo bikes;".into(),
            ..Default::default()
        });
        assert_eq!(p.competitor_queries, vec!["\"Gearbox Cycles\"", "\"Pedal Republic\"", "A"]);
        let industry = p.industry_query.unwrap();
        assert_eq!(industry, "e-bikes OR \"bike repair\" OR \"cargo bikes\"");
        assert!(finds(&industry, "Which e-bikes are worth it?"));
        assert!(finds(&industry, "Looking for bike repair near me"));
        assert!(!finds(&industry, "my bike needs a repair"));
    }

    #[test]
    fn a_blank_profile_proposes_nothing() {
        assert_eq!(propose(&BusinessProfile::default()), StartProposal::default());
        let p = propose(&profile("  ", "not a website", &["  "]));
        assert_eq!(p.brand_query, None);
        assert!(p.own_handles.is_empty());
    }

    #[test]
    fn a_word_the_query_syntax_reads_as_an_operator_is_quoted() {
        let p = propose(&profile("OR", "", &[]));
        assert_eq!(p.brand_query.as_deref(), Some("\"OR\""));
        assert!(Query::parse(p.brand_query.as_deref().unwrap()).is_ok());
    }
}
