//! Feed dialects the parser does not read as they are, rewritten into ones it does, before it sees them.
//! Only the document's root decides, and a document in a dialect the parser reads is left untouched (no
//! copy):
//!
//! - RSS without a `version`, or versions 0.93 and 0.94: RSS 2.0, which they are subsets of.
//! - RSS 0.90 (RDF in Netscape's namespace): RSS 1.0's namespace, whose elements 0.90 already uses.
//! - Atom 0.3 (`http://purl.org/atom/ns#`): Atom 1.0, element by element: `issued` is `published`,
//!   `modified` is `updated`, `tagline` is `subtitle`, `copyright` is `rights`, an author's `url` is its
//!   `uri`, and a text construct's MIME `type` with its `mode` (`xml`, `escaped` or `base64`) becomes
//!   Atom 1.0's `text`, `html` or `xhtml`, base64 decoded.

use std::borrow::Cow;

use base64::Engine;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

const ATOM_03: &str = "http://purl.org/atom/ns#";
const ATOM_10: &str = "http://www.w3.org/2005/Atom";
const RSS_090: &str = "http://my.netscape.com/rdf/simple/0.9/";
const RSS_10: &str = "http://purl.org/rss/1.0/";

/// The document in a dialect the parser reads.
pub fn normalise(text: &str) -> Cow<'_, str> {
    let Some((at, name)) = root(text) else { return Cow::Borrowed(text) };
    let head_end = text[at..].find('>').map_or(text.len(), |e| at + e);
    let head = &text[at..head_end];
    match name {
        "rss" => {
            let document = match attribute(head, "version") {
                Some("2.0" | "0.91" | "0.92" | "") => Cow::Borrowed(text),
                Some(_) | None => Cow::Owned(rss_as_2_0(text, at, head)),
            };
            // Items straight under `<rss>`, with no channel around them: given one.
            if text.contains("<item") && !text.contains("<channel") {
                return Cow::Owned(with_channel(&document));
            }
            document
        }
        "rdf:RDF" | "RDF" if head.contains(RSS_090) => Cow::Owned(text.replace(RSS_090, RSS_10)),
        "feed" if head.contains(ATOM_03) => match atom_as_1_0(text, true) {
            Some(rewritten) => Cow::Owned(rewritten),
            // Not well-formed: the parser's own error says why.
            None => Cow::Borrowed(text),
        },
        _ => Cow::Borrowed(text),
    }
}

/// Whether the document's root is a feed's (`rss`, `feed`, `rdf:RDF`), whatever is inside it.
pub fn is_feed_root(text: &str) -> bool {
    root(text).is_some_and(|(at, name)| {
        matches!(name.rsplit(':').next(), Some("rss" | "feed" | "RDF" | "channel")) && text[at..].contains('>')
    })
}

/// Where the root element starts, and its name: after the declaration, comments, processing instructions
/// and the doctype.
fn root(text: &str) -> Option<(usize, &str)> {
    let mut at = 0;
    loop {
        at += text[at..].find('<')?;
        let rest = &text[at..];
        let skip_to = |end: &str| rest.find(end).map(|e| at + e + end.len());
        at = if rest.starts_with("<?") {
            skip_to("?>")?
        } else if rest.starts_with("<!--") {
            skip_to("-->")?
        } else if rest.starts_with("<!") {
            // A doctype, with an internal subset in brackets when it has one.
            match (rest.find('['), rest.find('>')) {
                (Some(open), Some(close)) if open < close => at + rest.find("]>").or(Some(close))? + 1,
                (_, Some(close)) => at + close + 1,
                _ => return None,
            }
        } else {
            let name_end =
                rest[1..].find(|c: char| c.is_whitespace() || c == '>' || c == '/').map_or(rest.len(), |e| e + 1);
            return Some((at, &rest[1..name_end]));
        };
    }
}

/// Where attribute `name` is in a start tag's text: the span of the whole `name="value"`, and the value.
fn attribute_span(head: &str, name: &str) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut from = 0;
    while let Some(found) = head[from..].find(name).map(|f| from + f) {
        let before = head[..found].chars().last();
        let after_name = found + name.len();
        let rest = &head[after_name..];
        let value = rest.trim_start().strip_prefix('=').map(str::trim_start);
        if let (true, Some(value)) = (before.is_some_and(char::is_whitespace), value) {
            let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let value_start = head.len() - value.len() + 1;
            let value_end = value_start + value[1..].find(quote)?;
            return Some((found..value_end + 1, value_start..value_end));
        }
        from = after_name;
    }
    None
}

/// The value of attribute `name` in a start tag's text.
fn attribute<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    attribute_span(head, name).map(|(_, value)| &head[value])
}

/// The `<rss>` start tag with `version="2.0"` instead of its own version, or with one added.
fn rss_as_2_0(text: &str, at: usize, head: &str) -> String {
    let tag = match attribute_span(head, "version") {
        Some((whole, _)) => format!("{}version=\"2.0\"{}", &head[..whole.start], &head[whole.end..]),
        None => format!("<rss version=\"2.0\"{}", &head["<rss".len()..]),
    };
    format!("{}{}{}", &text[..at], tag, &text[at + head.len()..])
}

/// The RSS document with a `<channel>` around everything inside `<rss>`.
fn with_channel(text: &str) -> String {
    let Some((at, _)) = root(text) else { return text.to_string() };
    let Some(open_end) = text[at..].find('>').map(|e| at + e + 1) else { return text.to_string() };
    let close = text.rfind("</rss").filter(|c| *c >= open_end).unwrap_or(text.len());
    format!("{}<channel>{}</channel>{}", &text[..open_end], &text[open_end..close], &text[close..])
}

/// What a text construct becomes in Atom 1.0.
enum TextKind {
    Kept(&'static str),
    Base64 { html: bool },
}

/// A text construct's `type` and `mode` as Atom 1.0's `text`, `html` or `xhtml`. In Atom 0.3 (`mode`
/// present, or `atom_03`) the type is a MIME type, `text/plain` by default, and the mode `xml` by default.
/// In Atom 1.0 a MIME type that is neither text nor XML means base64 content.
fn text_kind(mime: Option<&str>, mode: Option<&str>, atom_03: bool) -> TextKind {
    let mime = mime.map(str::trim).unwrap_or(if atom_03 { "text/plain" } else { "text" }).to_ascii_lowercase();
    let html = mime.contains("html");
    match mode.map(str::to_ascii_lowercase).as_deref() {
        Some("base64") => TextKind::Base64 { html },
        Some("escaped") => TextKind::Kept(if html { "html" } else { "text" }),
        // Inline XML: markup when the type is HTML or XHTML (an Atom 1.0 `html` left as it was).
        _ if mime == "html" => TextKind::Kept("html"),
        _ if mime == "text/html" && !atom_03 => TextKind::Kept("html"),
        _ if html || mime.ends_with("/xml") || mime.ends_with("+xml") => TextKind::Kept("xhtml"),
        _ if mime.is_empty() || mime == "text" || mime.starts_with("text/") || atom_03 => TextKind::Kept("text"),
        _ => TextKind::Base64 { html: false },
    }
}

/// An Atom 1.0 document whose text constructs use types the parser refuses (MIME types, base64, Atom 0.3's
/// `mode`), rewritten with `text`, `html` and `xhtml` only; `None` when it is not Atom or not well-formed.
pub fn atom_text_types(text: &str) -> Option<String> {
    let (_, name) = root(text)?;
    (name == "feed").then(|| atom_as_1_0(text, false)).flatten()
}

const TEXT_CONSTRUCTS: [&str; 5] = ["title", "subtitle", "rights", "summary", "content"];

fn atom_10_name<'a>(name: &'a str, parent: Option<&str>) -> &'a str {
    match (name, parent) {
        ("issued", _) => "published",
        ("modified", _) => "updated",
        ("tagline", _) => "subtitle",
        ("copyright", _) => "rights",
        ("url", Some("author" | "contributor")) => "uri",
        _ => name,
    }
}

/// Rewrites an Atom document (0.3, or 1.0 with types the parser refuses) as plain Atom 1.0; `None` when it
/// is not well-formed XML.
fn atom_as_1_0(text: &str, atom_03: bool) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(text.len()));
    // Open elements, as renamed; the base64 text being gathered for the innermost one, if any.
    let mut open: Vec<String> = Vec::new();
    let mut base64: Option<(usize, String)> = None;
    loop {
        let event = reader.read_event().ok()?;
        let (start, empty) = match event {
            // A document cut short is not rewritten: the parser's error (or the repairs) deal with it.
            Event::Eof if !open.is_empty() => return None,
            Event::Eof => break,
            Event::Start(start) if base64.is_none() => (start, false),
            Event::Empty(start) if base64.is_none() => (start, true),
            Event::Text(t) if base64.is_some() => {
                base64.as_mut().expect("checked").1.push_str(&t.xml10_content());
                continue;
            }
            Event::End(_) => {
                if let Some((_, encoded)) = base64.take_if(|(depth, _)| *depth == open.len()) {
                    let cleaned: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
                    let decoded = base64::engine::general_purpose::STANDARD.decode(cleaned).unwrap_or_default();
                    writer.write_event(Event::Text(BytesText::new(&String::from_utf8_lossy(&decoded)))).ok()?;
                }
                if base64.is_none() {
                    let name = open.pop()?;
                    writer.write_event(Event::End(BytesEnd::new(name))).ok()?;
                }
                continue;
            }
            // Inside base64 text nothing else counts; elsewhere everything else passes through.
            _ if base64.is_some() => continue,
            other => {
                writer.write_event(other).ok()?;
                continue;
            }
        };
        let original = start.name().as_ref().to_string();
        let atom_element = !original.contains(':');
        let renamed = if atom_element {
            atom_10_name(&original, open.last().map(String::as_str)).to_string()
        } else {
            original.clone()
        };
        let text_construct = atom_element && TEXT_CONSTRUCTS.contains(&renamed.as_str());
        let mut rewritten = BytesStart::new(renamed.clone());
        let (mut mime, mut mode) = (None, None);
        for attr in start.attributes().flatten() {
            let key = attr.key.as_ref().to_string();
            let value = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()?.into_owned();
            match key.as_str() {
                "xmlns" if value == ATOM_03 => rewritten.push_attribute(("xmlns", ATOM_10)),
                "version" if open.is_empty() => {}
                "type" if text_construct => mime = Some(value),
                "mode" if text_construct => mode = Some(value),
                _ => rewritten.push_attribute((key.as_str(), value.as_str())),
            }
        }
        if text_construct {
            match text_kind(mime.as_deref(), mode.as_deref(), atom_03 || mode.is_some()) {
                TextKind::Kept(kind) => rewritten.push_attribute(("type", kind)),
                TextKind::Base64 { html } => {
                    rewritten.push_attribute(("type", if html { "html" } else { "text" }));
                    if !empty {
                        base64 = Some((open.len() + 1, String::new()));
                    }
                }
            }
        }
        if empty {
            writer.write_event(Event::Empty(rewritten)).ok()?;
        } else {
            writer.write_event(Event::Start(rewritten)).ok()?;
            open.push(renamed);
        }
    }
    String::from_utf8(writer.into_inner()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::parse;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
    }

    #[test]
    fn dialects_the_parser_reads_are_not_copied() {
        for doc in [
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel/></rss>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>",
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"/>",
        ] {
            assert!(matches!(normalise(doc), Cow::Borrowed(_)), "{doc}");
        }
    }

    #[test]
    fn rss_without_a_version_and_rss_0_93_and_0_94_are_read_as_rss_2() {
        for root in
            ["<rss>", "<rss version=\"0.93\">", "<rss\n  version='0.94' xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"]
        {
            let doc = format!("<?xml version=\"1.0\"?>\n<!-- a comment -->\n{root}<channel><title>Bikes</title><item><title>Spokes</title><link>https://shop.example/a</link><dc:creator>Ann</dc:creator></item><item><title>Chains</title></item></channel></rss>");
            let feed = parse(doc.as_bytes(), None, now()).unwrap_or_else(|e| panic!("{root}: {e}"));
            assert_eq!(feed.title.as_deref(), Some("Bikes"), "{root}");
            assert_eq!(feed.entries.len(), 2, "{root}");
            assert_eq!(feed.entries[0].url.as_deref(), Some("https://shop.example/a"));
        }
    }

    #[test]
    fn rss_items_with_no_channel_around_them_are_read() {
        let doc = "<!-- x --><rss>\n<item>\n<title>Alone</title><description><![CDATA[<img alt=\"&#169;\" />]]></description>\n</item>\n</rss>";
        let feed = parse(doc.as_bytes(), None, now()).unwrap();
        assert_eq!(feed.entries.len(), 1);
        assert_eq!(feed.entries[0].title.as_deref(), Some("Alone"));
    }

    #[test]
    fn only_the_version_attribute_itself_is_rewritten() {
        let head = "<rss xmlns:v=\"http://example.com/version/\" version = '0.94' xmlns:dc=\"http://purl.org/dc/elements/1.1/\"";
        let doc = format!("{head}><channel/></rss>");
        let out = rss_as_2_0(&doc, 0, head);
        assert_eq!(out, "<rss xmlns:v=\"http://example.com/version/\" version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel/></rss>");
        assert_eq!(rss_as_2_0("<rss><channel/></rss>", 0, "<rss"), "<rss version=\"2.0\"><channel/></rss>");
    }

    #[test]
    fn netscape_rss_0_91_with_its_doctype_is_read() {
        let doc = r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old news</title><link>http://old.example/</link><description>d</description><language>en</language>
<item><title>First</title><link>http://old.example/1</link></item></channel></rss>"#;
        let feed = parse(doc.as_bytes(), None, now()).unwrap();
        assert_eq!(feed.entries.len(), 1);
    }

    #[test]
    fn rss_0_90_in_netscapes_namespace_is_read_as_rss_1() {
        let doc = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
  <channel><title>Mozilla Dot Org</title><link>http://www.mozilla.org</link><description>d</description></channel>
  <item><title>New Status Updates</title><link>http://www.mozilla.org/status/</link></item>
  <item><title>Bugzilla Reorganized</title><link>http://www.mozilla.org/bugs/</link></item>
</rdf:RDF>"#;
        let feed = parse(doc.as_bytes(), None, now()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Mozilla Dot Org"));
        assert_eq!(feed.entries.len(), 2);
        assert_eq!(feed.entries[1].title.as_deref(), Some("Bugzilla Reorganized"));
    }

    #[test]
    fn atom_0_3_is_read_with_its_dates_authors_and_every_content_mode() {
        let base64 = base64::engine::general_purpose::STANDARD.encode("<p>Decoded <b>body</b></p>");
        let doc = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="en">
  <title type="text/plain" mode="xml">Spoke &amp; Chain</title>
  <tagline type="text/html" mode="escaped">Bikes &lt;em&gt;fixed&lt;/em&gt;</tagline>
  <link rel="alternate" type="text/html" href="https://shop.example/"/>
  <modified>2026-11-20T10:00:00Z</modified>
  <entry>
    <title>Escaped</title>
    <link rel="alternate" type="text/html" href="https://shop.example/1"/>
    <id>tag:shop.example,2026:1</id>
    <issued>2026-11-19T09:00:00+01:00</issued>
    <modified>2026-11-19T10:00:00Z</modified>
    <author><name>Maria K</name><url>https://shop.example/maria</url></author>
    <content type="text/html" mode="escaped">&lt;p&gt;Hello &lt;b&gt;riders&lt;/b&gt;&lt;/p&gt;</content>
  </entry>
  <entry>
    <title type="text/plain">Base64</title>
    <id>tag:shop.example,2026:2</id>
    <issued>2026-11-18T09:00:00Z</issued>
    <content type="text/html" mode="base64">{base64}</content>
  </entry>
  <entry>
    <title>Inline</title>
    <id>tag:shop.example,2026:3</id>
    <issued>2026-11-17T09:00:00Z</issued>
    <summary type="text/plain">A plain summary</summary>
    <content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Inline <i>xhtml</i></p></div></content>
  </entry>
</feed>"#
        );
        let feed = parse(doc.as_bytes(), None, now()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Spoke & Chain"));
        assert_eq!(feed.entries.len(), 3);
        let first = &feed.entries[0];
        assert_eq!(first.external_id, "tag:shop.example,2026:1");
        assert_eq!(first.url.as_deref(), Some("https://shop.example/1"));
        assert_eq!(first.text, "Hello riders");
        assert_eq!(first.published_at.map(|t| t.to_rfc3339()), Some("2026-11-19T08:00:00+00:00".into()));
        assert_eq!(first.author.name.as_deref(), Some("Maria K"));
        assert_eq!(first.author.profile_url.as_deref(), Some("https://shop.example/maria"));
        assert_eq!(feed.entries[1].text, "Decoded body");
        assert!(feed.entries[2].text.contains("Inline xhtml"), "{}", feed.entries[2].text);
    }

    #[test]
    fn atom_1_0_text_in_mime_types_and_base64_is_read() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="text/plain">Shop</title>
<entry><id>1</id><title type="application/octet-stream">
    RXhhbXBsZSA8Yj5BdG9tPC9iPg==
  </title><summary type="">Plain</summary></entry>
<entry><id>2</id><title type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><a title="&#38;">&#38;</a></div></title></entry></feed>"#;
        let feed = parse(doc.as_bytes(), None, now()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Shop"));
        assert_eq!(feed.entries.len(), 2);
        assert_eq!(feed.entries[0].title.as_deref(), Some("Example Atom"));
        assert_eq!(feed.entries[1].title.as_deref(), Some("&"));
    }

    #[test]
    fn a_broken_atom_0_3_document_is_left_for_the_parser_to_refuse() {
        let doc = "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry><title>cut";
        assert!(matches!(normalise(doc), Cow::Borrowed(_)));
        assert!(parse(doc.as_bytes(), None, now()).is_err());
    }
}
