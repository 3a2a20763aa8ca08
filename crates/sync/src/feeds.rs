//! RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.x, read by feed-rs and normalised into mentions.
//!
//! Entry ids are the feed's own (`guid`, `atom:id`, JSON Feed `id`) when it has them; otherwise the entry's
//! cleaned link, otherwise a hash of the feed, title, date and text. Never random: an entry must get the
//! same id on every poll or it would come back as new each time.

use chrono::{DateTime, Utc};
use earshot_core::html;
use earshot_core::mention::{clean_url, MentionAuthor, NewMention};
use feed_rs::model::{Entry, Text};
use sha2::{Digest, Sha256};

mod charset;
mod dates;
mod dialect;
mod repair;

/// At most this many entries are taken from one fetch (the first ones: feeds list the newest first).
pub const MAX_ENTRIES: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("this is not a feed Earshot can read (RSS, Atom or JSON Feed): {0}")]
    Unreadable(String),
}

#[derive(Debug)]
pub struct ParsedFeed {
    pub title: Option<String>,
    /// The site the feed belongs to, when it says.
    pub site_url: Option<String>,
    pub entries: Vec<NewMention>,
    /// Entries read (at most [`MAX_ENTRIES`]), kept or not.
    pub seen: usize,
    /// Entries beyond [`MAX_ENTRIES`] that were left out.
    pub skipped: usize,
    /// How the feed had to be read, when that is worth knowing ("not valid UTF-8: read as Windows-1252").
    pub notice: Option<String>,
}

/// Decides whether an entry is worth keeping (whether a listening query matches it).
pub trait Relevance: Sync {
    /// Decides from the entry's title and plain text.
    fn is_relevant(&self, title: Option<&str>, text: &str) -> bool;
    /// A quick rule-out before an entry's HTML is rendered: `false` only when no entry can be relevant
    /// whose every word is a run of consecutive characters of `characters`.
    fn may_be_relevant(&self, characters: &str) -> bool;
}

/// Keeps every entry.
pub struct KeepAll;

impl Relevance for KeepAll {
    fn is_relevant(&self, _title: Option<&str>, _text: &str) -> bool {
        true
    }
    fn may_be_relevant(&self, _characters: &str) -> bool {
        true
    }
}

/// Parses a feed body. `feed_url` resolves relative links and seeds ids of entries that have none.
pub fn parse(body: &[u8], feed_url: Option<&str>, fetched_at: DateTime<Utc>) -> Result<ParsedFeed, FeedError> {
    parse_relevant(body, Served { url: feed_url, charset: None }, fetched_at, &KeepAll)
}

/// Where a feed body came from: its address (which resolves relative links and seeds ids of entries that
/// have none) and the `charset` its server gave.
#[derive(Debug, Clone, Copy, Default)]
pub struct Served<'a> {
    pub url: Option<&'a str>,
    pub charset: Option<&'a str>,
}

/// The `charset` parameter of a `Content-Type` header.
pub fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches(['"', '\'']))
    })
}

/// [`parse`], keeping only the entries `relevant` accepts; the rest are dropped as soon as their text is
/// known, before the work of normalising them.
pub fn parse_relevant(
    body: &[u8],
    served: Served<'_>,
    fetched_at: DateTime<Utc>,
    relevant: &dyn Relevance,
) -> Result<ParsedFeed, FeedError> {
    let feed_url = served.url;
    let decoded = charset::to_utf8(body, served.charset);
    // The parser must never take the process down: a panic inside it is a feed we cannot read. A parser
    // keeps state from a failed parse (its media namespace scope), so each reading gets a new one.
    let read = |bytes: &[u8]| {
        let parser = feed_rs::parser::Builder::new()
            .base_uri(feed_url)
            // Entries without an id are keyed below; the empty id marks them (feed-rs would otherwise invent
            // one, possibly random).
            .id_generator(|_links, _title, _uri| String::new())
            .timestamp_parser(dates::feed_date)
            .build();
        quietly(|| parser.parse(bytes))
            .ok_or_else(|| FeedError::Unreadable("the parser failed on this input".into()))?
            .map_err(|e| FeedError::Unreadable(e.to_string()))
    };
    let document = dialect::normalise(&decoded.text);
    let mut notice = decoded.notice;
    let strict = match read(document.as_bytes()) {
        Ok(feed) => Ok(feed),
        // Not well-formed as served: read again with the repairs browsers and feed readers make, if any
        // apply; the parser's first complaint stands otherwise.
        // Atom with text types the parser refuses, and then documents that need repairs.
        Err(strict) if !document.trim_start().starts_with('{') => {
            match dialect::atom_text_types(&document).and_then(|retyped| read(retyped.as_bytes()).ok()) {
                Some(feed) => Ok(feed),
                None => match repair::repair(&document) {
                    Some((repaired, done)) => read(repaired.as_bytes()).map_err(|_| strict).inspect(|_| {
                        let repairs = format!("read with repairs ({})", done.join(", "));
                        notice = Some(notice.take().map_or(repairs.clone(), |n| format!("{n}; {repairs}")));
                    }),
                    None => Err(strict),
                },
            }
        }
        Err(strict) => Err(strict),
    };
    let feed = match strict {
        Ok(feed) => feed,
        // A feed with nothing in it yet (`<rss version="2.0"></rss>`, a channel without items): the parser
        // wants more, but it is simply empty.
        Err(_) if dialect::is_feed_root(&document) && unread_entries(&decoded.text).is_none() => {
            return Ok(ParsedFeed { title: None, site_url: None, entries: Vec::new(), seen: 0, skipped: 0, notice });
        }
        Err(e) => return Err(e),
    };
    if feed.entries.is_empty() {
        if let Some(element) = unread_entries(&decoded.text) {
            return Err(FeedError::Unreadable(format!(
                "it has {element} elements but none of them could be read as an entry (an unknown namespace or \
                 dialect); nothing was stored"
            )));
        }
    }
    let base = feed_url.and_then(|u| url::Url::parse(u).ok());
    let language = feed.language.clone();
    let skipped = feed.entries.len().saturating_sub(MAX_ENTRIES);
    let seen = feed.entries.len().min(MAX_ENTRIES);
    let entries = feed
        .entries
        .into_iter()
        .take(MAX_ENTRIES)
        .filter_map(|e| normalise(e, feed_url.unwrap_or(""), base.as_ref(), language.as_deref(), fetched_at, relevant))
        .collect();
    let site_url =
        feed.links.iter().find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate")).map(|l| l.href.clone());
    Ok(ParsedFeed {
        title: feed.title.map(|t| text_of(&t)).filter(|t| !t.is_empty()),
        site_url: site_url.and_then(|u| clean_url(&u)),
        entries,
        seen,
        skipped,
        notice,
    })
}

thread_local! {
    /// Set while this thread runs the feed parser: a panic there is caught and reported as an unreadable
    /// feed, so it must not also print a panic message on stderr.
    static PARSING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic (the last line of defence against a defect in a dependency) without the
/// message the default panic hook would print; `None` when it panicked. Panics elsewhere print as before.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !PARSING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    PARSING.with(|p| p.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    PARSING.with(|p| p.set(false));
    result.ok()
}

/// A person's name as RSS writes it beside an email (`maria@example.org (Maria K)`, whose email the parser
/// took out): without the brackets around it.
fn person_name(raw: &str) -> String {
    let name = raw.trim();
    let unwrapped = name
        .strip_prefix('(')
        .and_then(|n| n.strip_suffix(')'))
        .or_else(|| name.strip_prefix('<').and_then(|n| n.strip_suffix('>')))
        .unwrap_or(name);
    html::tidy_lines(unwrapped.trim())
}

/// The kind of entry a document holds (`<item>`, `<entry>`, JSON Feed items), when it holds any: a feed
/// read as empty although it has some was not understood, which must not pass for "nothing new".
fn unread_entries(text: &str) -> Option<&'static str> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(trimmed).ok()?;
        let items = value.get("items")?.as_array()?;
        return (!items.is_empty()).then_some("JSON Feed item");
    }
    text.match_indices('<').find_map(|(at, _)| {
        let rest = &text[at + 1..];
        let name = &rest[..rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len())];
        match name.rsplit(':').next() {
            Some("item") => Some("<item>"),
            Some("entry") => Some("<entry>"),
            _ => None,
        }
    })
}

/// Whether a body is HTML: declared so, or plain text that carries markup anyway (common in RSS).
fn is_html_body(mime_subtype: &str, body: &str) -> bool {
    matches!(mime_subtype, "html" | "xhtml" | "xhtml+xml") || html::looks_like_html(body)
}

fn is_html(t: &Text) -> bool {
    is_html_body(t.content_type.subty().as_str(), &t.content)
}

/// Plain text of a feed text construct, whatever its declared type.
fn text_of(t: &Text) -> String {
    if is_html(t) {
        html::to_text(&t.content)
    } else {
        html::tidy_lines(&t.content)
    }
}

/// An entry's body as the feed gave it.
#[derive(Clone, Copy)]
enum Body<'a> {
    /// Markup to render; `keep` whether its sanitized HTML is kept beside the text.
    Html {
        markup: &'a str,
        keep: bool,
    },
    Plain(&'a str),
}

impl<'a> Body<'a> {
    fn of(content: &'a str, is_html: bool, keep: bool) -> Body<'a> {
        if is_html {
            Body::Html { markup: content, keep }
        } else {
            Body::Plain(content)
        }
    }
}

fn normalise(
    entry: Entry,
    feed_url: &str,
    base: Option<&url::Url>,
    language: Option<&str>,
    fetched_at: DateTime<Utc>,
    relevant: &dyn Relevance,
) -> Option<NewMention> {
    // The body: full content, else the summary, else a media description (YouTube).
    let media_description = entry.media.iter().find_map(|m| m.description.as_ref());
    let body = match (&entry.content, &entry.summary, media_description) {
        (Some(content), _, _) if content.body.as_deref().is_some_and(|b| !b.trim().is_empty()) => {
            let body = content.body.as_deref().unwrap_or_default();
            Body::of(body, is_html_body(content.content_type.subty().as_str(), body), true)
        }
        (_, Some(summary), _) if !summary.content.trim().is_empty() => {
            Body::of(&summary.content, is_html(summary), true)
        }
        // A media description's markup is read for its text only.
        (_, _, Some(description)) => Body::of(&description.content, is_html(description), false),
        _ => Body::Plain(""),
    };
    // Rendering HTML is most of the work here, and most entries match no query: rule those out first on the
    // characters outside the tags, when the markup allows it.
    if let Body::Html { markup, .. } = body {
        let title_characters = match &entry.title {
            Some(t) if is_html(t) => html::characters_outside_tags(&t.content),
            Some(t) => Some(t.content.clone()),
            None => Some(String::new()),
        };
        if let (Some(title), Some(text)) = (title_characters, html::characters_outside_tags(markup)) {
            if !relevant.may_be_relevant(&format!("{title}\n{text}")) {
                return None;
            }
        }
    }
    // The title, else a media title (podcasts and video feeds that give only that).
    let title = entry
        .title
        .as_ref()
        .or_else(|| entry.media.iter().find_map(|m| m.title.as_ref()))
        .map(text_of)
        .filter(|t| !t.is_empty());
    let (text, rich) = match body {
        Body::Html { markup, keep } => {
            let r = html::render(markup, base);
            (r.text, keep.then_some(r.html))
        }
        Body::Plain(text) => (html::tidy_lines(text), None),
    };
    if !relevant.is_relevant(title.as_deref(), &text) {
        return None;
    }
    let html = rich.filter(|h| !h.is_empty());
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .and_then(|l| clean_url(&l.href));

    let author = match entry.authors.first() {
        Some(p) => Some(MentionAuthor {
            // A feed's only stable mark of its author: the email, when the feed gives one.
            id: p.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_lowercase),
            name: p.name.as_deref().map(person_name).filter(|n| !n.is_empty()).or_else(|| p.email.clone()),
            handle: None,
            profile_url: p.uri.as_deref().and_then(clean_url),
            followers: None,
        }),
        // A podcast's `itunes:author`.
        None => entry.media.iter().flat_map(|m| &m.credits).next().map(|credit| MentionAuthor {
            name: Some(person_name(&credit.entity)).filter(|n| !n.is_empty()),
            ..Default::default()
        }),
    };
    let published = entry.published.or(entry.updated);
    let raw = serde_json::json!({
        "id": entry.id,
        "links": entry.links.iter().map(|l| &l.href).collect::<Vec<_>>(),
        "title": entry.title.as_ref().map(|t| &t.content),
        "summary": entry.summary.as_ref().map(|t| &t.content),
        "content": entry.content.as_ref().and_then(|c| c.body.as_ref()),
        "authors": entry.authors.iter().map(|p| serde_json::json!({"name": p.name, "uri": p.uri})).collect::<Vec<_>>(),
        "published": entry.published,
        "updated": entry.updated,
    });

    let external_id = if !entry.id.trim().is_empty() {
        entry.id.trim().to_string()
    } else if let Some(link) = &link {
        link.clone()
    } else {
        let mut hash = Sha256::new();
        for part in
            [feed_url, title.as_deref().unwrap_or(""), &published.map(|p| p.to_rfc3339()).unwrap_or_default(), &text]
        {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        format!("sha256:{:x}", hash.finalize())
    };

    let mention = NewMention {
        external_id,
        url: link,
        author: author.unwrap_or_default(),
        title,
        text,
        html,
        language: entry.language.or(language.map(str::to_string)),
        published_at: published,
        engagement: Default::default(),
        raw: Some(raw.to_string()),
        direct: false,
        thread: None,
        reply_ref: None,
    }
    .made_safe(fetched_at);
    Some(mention)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../../tests/fixtures/apis/feeds/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
    }

    /// One listening query, matched as the app matches it.
    struct Listening(earshot_core::query::Query);

    impl Relevance for Listening {
        fn is_relevant(&self, title: Option<&str>, text: &str) -> bool {
            self.0.matches(&earshot_core::query::MatchText::of(title, text))
        }
        fn may_be_relevant(&self, characters: &str) -> bool {
            self.0.may_match(&earshot_core::text::fold(characters))
        }
    }

    #[test]
    fn entries_are_kept_by_their_rendered_words_whatever_the_markup_around_them() {
        let item = |guid: &str, title: &str, description: &str| {
            format!("<item><guid>{guid}</guid><title>{title}</title><description>{description}</description></item>")
        };
        let body = format!(
            "<rss version=\"2.0\"><channel><title>t</title>{}{}{}{}{}</channel></rss>",
            item("split", "a", "&lt;p&gt;Sp&lt;b&gt;oke&lt;/b&gt; rocks&lt;/p&gt;"),
            item("entity", "b", "&lt;p&gt;Spoke &amp;amp; Chain&lt;/p&gt;"),
            item("title", "Spoke news", "&lt;p&gt;nothing here&lt;/p&gt;"),
            item("none", "c", "&lt;p&gt;nothing &lt;a href=\"https://spoke.example/\"&gt;here&lt;/a&gt;&lt;/p&gt;"),
            item("lines", "d", "&lt;p&gt;bike&lt;/p&gt;&lt;p&gt;spokes and more&lt;/p&gt;"),
        );
        let query = Listening(earshot_core::query::Query::parse("spoke").unwrap());
        let parsed = parse_relevant(body.as_bytes(), Served::default(), now(), &query).unwrap();
        let kept: Vec<&str> = parsed.entries.iter().map(|e| e.external_id.as_str()).collect();
        assert_eq!(kept, ["split", "entity", "title"], "a link's address or a longer word is not the word");
        assert_eq!(parsed.seen, 5);
    }

    #[test]
    fn a_youtube_channel_feed_gives_videos_with_their_description() {
        let feed = parse(&fixture("youtube_channel_feed.xml"), None, now()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("PBS Space Time"));
        let video = &feed.entries[0];
        assert_eq!(video.external_id, "yt:video:0A1ouV7iD8o");
        assert_eq!(video.url.as_deref(), Some("https://www.youtube.com/watch?v=0A1ouV7iD8o"));
        assert_eq!(video.author.name.as_deref(), Some("PBS Space Time"));
        assert!(video.text.contains("Weathered on PBS Terra"), "{}", video.text);
        assert_eq!(video.published_at.unwrap().to_rfc3339(), "2020-12-22T19:15:01+00:00");
    }

    #[test]
    fn reddit_feeds_give_plain_text_and_safe_html() {
        for name in ["reddit_search_rss.xml", "reddit_atom_example.xml"] {
            let feed = parse(&fixture(name), Some("https://www.reddit.com/r/rust/.rss"), now()).unwrap();
            assert!(!feed.entries.is_empty(), "{name}");
            for e in &feed.entries {
                assert!(!e.text.contains("<a") && !e.text.contains("&lt;"), "{name}: {}", e.text);
                assert!(e.html.as_deref().is_none_or(|h| !h.contains("<script")), "{name}");
                assert!(e.url.as_deref().is_some_and(|u| u.starts_with("https://")), "{name}");
            }
        }
    }

    #[test]
    fn a_json_feed_is_read_like_any_other() {
        let feed = parse(&fixture("jsonfeed_spec_1.json"), None, now()).unwrap();
        assert!(!feed.entries.is_empty());
        assert!(feed.entries.iter().all(|e| !e.external_id.is_empty()));
    }

    #[test]
    fn google_alerts_entries_link_to_the_article_and_lose_the_highlighting() {
        let atom = r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
 <id>tag:google.com,2005:reader/user/0123/state/com.google/alerts/456</id>
 <title>Google Alert - spoke and chain</title>
 <entry>
  <id>tag:google.com,2013:googlealerts/feed:1234567890</id>
  <title type="html">Best bike shops: &lt;b&gt;Spoke and Chain&lt;/b&gt; tops the list</title>
  <link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.example/bikes%3Fref%3Dx%26utm_source%3Dalerts&amp;ct=ga&amp;cd=CAIyGg&amp;usg=AOvVaw"/>
  <published>2026-11-24T08:00:00Z</published>
  <updated>2026-11-24T08:00:00Z</updated>
  <content type="html">Leeds&amp;#39;s &lt;b&gt;Spoke and Chain&lt;/b&gt;&amp;nbsp;wins</content>
  <author><name></name></author>
 </entry>
</feed>"#;
        let feed = parse(atom.as_bytes(), None, now()).unwrap();
        let e = &feed.entries[0];
        assert_eq!(e.url.as_deref(), Some("https://news.example/bikes?ref=x"));
        assert_eq!(e.title.as_deref(), Some("Best bike shops: Spoke and Chain tops the list"));
        assert_eq!(e.text, "Leeds's Spoke and Chain wins");
        assert_eq!(e.author.name, None);
    }

    #[test]
    fn entries_without_ids_get_the_same_id_on_every_poll() {
        let rss = r#"<rss version="2.0"><channel><title>t</title>
            <item><title>With link</title><link>https://blog.example/a?utm_medium=x</link></item>
            <item><title>No link</title><description>just text</description></item>
        </channel></rss>"#;
        let first = parse(rss.as_bytes(), Some("https://blog.example/feed"), now()).unwrap();
        let second = parse(rss.as_bytes(), Some("https://blog.example/feed"), now()).unwrap();
        assert_eq!(first.entries[0].external_id, "https://blog.example/a");
        assert!(first.entries[1].external_id.starts_with("sha256:"));
        let ids = |f: &ParsedFeed| f.entries.iter().map(|e| e.external_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&first), ids(&second));
    }

    #[test]
    fn hostile_markup_in_every_field_is_neutralised() {
        let rss = r#"<rss version="2.0"><channel><title>&lt;script&gt;alert(1)&lt;/script&gt;Feed</title>
            <item><guid>1</guid><title>&lt;img src=x onerror=alert(1)&gt;Hi</title>
            <link>javascript:alert(1)</link><author>&lt;b&gt;x&lt;/b&gt;</author>
            <description>&lt;p onclick="x()"&gt;text&lt;script&gt;alert(2)&lt;/script&gt;&lt;a href="javascript:y()"&gt;l&lt;/a&gt;&lt;/p&gt;</description></item>
        </channel></rss>"#;
        let feed = parse(rss.as_bytes(), None, now()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Feed"));
        let e = &feed.entries[0];
        assert_eq!(e.title.as_deref(), Some("Hi"));
        assert_eq!(e.url, None);
        assert_eq!(e.text, "textl");
        let html = e.html.as_deref().unwrap();
        assert!(!html.contains("script") && !html.contains("onclick") && !html.contains("javascript"), "{html}");
    }

    #[test]
    fn garbage_is_refused_with_a_reason_not_a_panic() {
        for bytes in
            [&b""[..], b"\x00\xff\xfe", b"<html><body>captive portal</body></html>", b"{\"version\": 3}", b"<rss"]
        {
            let err = parse(bytes, None, now());
            assert!(err.is_err(), "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn a_feed_that_is_not_valid_utf8_is_read_as_windows_1252_and_says_so() {
        let rss = b"<rss version=\"2.0\"><channel><title>Caf\xe9 \x93news\x94</title><item><guid>1</guid><title>ok</title></item></channel></rss>";
        let feed = parse(rss, None, now()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Café \u{201c}news\u{201d}"));
        assert_eq!(feed.entries.len(), 1);
        assert!(feed.notice.unwrap().contains("Windows-1252"));
    }

    #[test]
    fn a_utf16_feed_without_a_byte_order_mark_is_read_not_lost() {
        let rss = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><title>Café</title><item><guid>1</guid><title>naïve</title></item></channel></rss>";
        let bytes: Vec<u8> = rss.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let feed = parse(&bytes, None, now()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Café"));
        assert_eq!(feed.entries[0].title.as_deref(), Some("naïve"));
    }

    #[test]
    fn a_feed_with_entries_none_of_which_can_be_read_is_an_error_not_an_empty_feed() {
        let unknown_namespace =
            "<feed xmlns=\"http://example.com/not-atom\"><title>x</title><entry><title>lost</title></entry></feed>";
        let err = parse(unknown_namespace.as_bytes(), None, now()).unwrap_err();
        assert!(err.to_string().contains("<entry> elements"), "{err}");
        let empty = "<rss version=\"2.0\"><channel><title>Quiet week</title></channel></rss>";
        assert!(parse(empty.as_bytes(), None, now()).unwrap().entries.is_empty(), "a feed with no entries is fine");
    }

    #[test]
    fn a_panic_while_parsing_is_caught_and_other_panics_still_reach_the_hook() {
        assert_eq!(quietly(|| 7), Some(7));
        assert_eq!(quietly(|| -> u8 { panic!("inside the parser") }), None);
        assert!(!PARSING.with(std::cell::Cell::get), "the flag is cleared after a panic");
    }

    #[test]
    fn a_feed_with_nothing_in_it_yet_is_empty_not_an_error() {
        for doc in
            ["<rss version=\"2.0\">\n</rss>", "<!-- c --><rss/>", "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>"]
        {
            let feed = parse(doc.as_bytes(), None, now()).unwrap_or_else(|e| panic!("{doc}: {e}"));
            assert!(feed.entries.is_empty());
        }
        assert!(parse(b"<html><body>not a feed</body></html>", None, now()).is_err());
    }

    #[test]
    fn at_most_a_thousand_entries_are_taken_from_one_fetch() {
        let items: String = (0..1_200).map(|i| format!("<item><guid>{i}</guid><title>t{i}</title></item>")).collect();
        let rss = format!("<rss version=\"2.0\"><channel><title>big</title>{items}</channel></rss>");
        let feed = parse(rss.as_bytes(), None, now()).unwrap();
        assert_eq!((feed.entries.len(), feed.skipped), (MAX_ENTRIES, 200));
    }
}
