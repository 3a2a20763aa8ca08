//! The recovering pass, for a feed that is not well-formed XML as served. It runs only after the strict
//! parse failed, and does what browsers and mature feed readers do with the same bytes:
//!
//! - an HTML named entity XML does not declare (`&hellip;`, `&nbsp;`, `&eacute;`) becomes its character;
//! - a bare `&` (in a link's query, in a title) is escaped;
//! - characters XML forbids (most control characters) are dropped;
//! - a document cut short is closed after its last complete entry, so every entry read whole is kept.
//!
//! CDATA sections and comments are copied as they are, except for forbidden characters. What was repaired
//! is listed, for the source's status.

use quick_xml::events::Event;

/// The repaired document and what was done to it, or `None` when there was nothing to repair.
pub fn repair(text: &str) -> Option<(String, Vec<&'static str>)> {
    let quoted = quote_raw_markup(text);
    let (escaped, mut done) = escape(quoted.as_deref().unwrap_or(text));
    if quoted.is_some() {
        done.push("read HTML written unescaped in descriptions as text");
    }
    let closed = close_truncated(&escaped);
    if closed.is_some() {
        done.push("closed a document cut short after its last complete entry");
    }
    if done.is_empty() {
        return None;
    }
    Some((closed.unwrap_or(escaped), done))
}

/// RSS elements whose content is HTML as text, which feeds often write unescaped (`<description><p>Hi<br>
/// </p></description>`): not XML, so the whole document fails to parse.
const HTML_AS_TEXT: [&str; 2] = ["description", "content:encoded"];

/// The document with the raw markup inside each [`HTML_AS_TEXT`] element put in a CDATA section, as it
/// should have been written; `None` when no element has any.
fn quote_raw_markup(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    let mut changed = false;
    'scan: while let Some((at, name)) =
        HTML_AS_TEXT.iter().filter_map(|name| Some((rest.find(&format!("<{name}"))?, *name))).min()
    {
        let open_end = match rest[at..].find('>') {
            Some(e) => at + e + 1,
            None => break 'scan,
        };
        let after_name = rest.as_bytes().get(at + 1 + name.len()).copied();
        let self_closing = rest[..open_end].ends_with("/>");
        if self_closing || !matches!(after_name, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
            out.push_str(&rest[..open_end]);
            rest = &rest[open_end..];
            continue;
        }
        let close = format!("</{name}>");
        let Some(close_at) = rest[open_end..].find(&close).map(|c| open_end + c) else { break 'scan };
        let inner = &rest[open_end..close_at];
        out.push_str(&rest[..open_end]);
        if inner.contains('<') && !inner.trim_start().starts_with("<![CDATA[") {
            out.push_str("<![CDATA[");
            out.push_str(&inner.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]>");
            changed = true;
        } else {
            out.push_str(inner);
        }
        out.push_str(&close);
        rest = &rest[close_at + close.len()..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Characters XML 1.0 does not allow anywhere in a document.
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

fn escape(text: &str) -> (String, Vec<&'static str>) {
    let mut out = String::with_capacity(text.len() + 64);
    let (mut entities, mut ampersands, mut controls) = (false, false, false);
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<']) {
        let (before, from) = rest.split_at(at);
        controls |= push_allowed(&mut out, before);
        if let Some(verbatim) = ["<![CDATA[", "<!--"].iter().find(|open| from.starts_with(**open)) {
            let close = if *verbatim == "<!--" { "-->" } else { "]]>" };
            let end = from.find(close).map_or(from.len(), |e| e + close.len());
            controls |= push_allowed(&mut out, &from[..end]);
            rest = &from[end..];
            continue;
        }
        if let Some(after_angle) = from.strip_prefix('<') {
            out.push('<');
            rest = after_angle;
            continue;
        }
        let after = &from[1..];
        let reference = after.find(';').filter(|end| *end <= 32).map(|end| &after[..end]);
        match reference {
            Some(num) if num.starts_with('#') && valid_char_ref(&num[1..]) => {
                out.push('&');
                out.push_str(num);
                out.push(';');
                rest = &after[num.len() + 1..];
            }
            Some(name) if quick_xml::escape::resolve_xml_entity(name).is_some() => {
                out.push('&');
                out.push_str(name);
                out.push(';');
                rest = &after[name.len() + 1..];
            }
            Some(name) if name.chars().all(|c| c.is_ascii_alphanumeric()) && html_entity(name).is_some() => {
                out.push_str(&quick_xml::escape::escape(html_entity(name).expect("checked")));
                entities = true;
                rest = &after[name.len() + 1..];
            }
            _ => {
                out.push_str("&amp;");
                ampersands = true;
                rest = after;
            }
        }
    }
    controls |= push_allowed(&mut out, rest);
    let mut done = Vec::new();
    if entities {
        done.push("resolved HTML entities XML does not know");
    }
    if ampersands {
        done.push("escaped bare & characters");
    }
    if controls {
        done.push("dropped control characters XML forbids");
    }
    (out, done)
}

/// Appends `s` without its forbidden characters; whether there were any.
fn push_allowed(out: &mut String, s: &str) -> bool {
    if !s.contains(forbidden) {
        out.push_str(s);
        return false;
    }
    out.extend(s.chars().filter(|c| !forbidden(*c)));
    true
}

fn valid_char_ref(digits: &str) -> bool {
    let code = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => digits.parse::<u32>(),
    };
    code.ok().and_then(char::from_u32).is_some_and(|c| !forbidden(c))
}

/// An HTML5 named character reference, the full list.
fn html_entity(name: &str) -> Option<&'static str> {
    quick_xml::escape::resolve_html5_entity(name)
}

/// The document closed after its last complete entry, when it ends (or breaks) with elements open; `None`
/// when it is whole. An entry left open is dropped whole: half an entry is not an entry.
fn close_truncated(text: &str) -> Option<String> {
    let is_entry = |name: &str| matches!(name.rsplit(':').next(), Some("item" | "entry"));
    let mut reader = quick_xml::Reader::from_str(text);
    let mut open: Vec<String> = Vec::new();
    // Where the entry being read started, and what was open around it.
    let mut entry_start: Option<(usize, Vec<String>)> = None;
    let mut good = 0;
    let broken_at = loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.name().as_ref().to_string();
                if is_entry(&name) && entry_start.is_none() {
                    entry_start = Some((good, open.clone()));
                }
                open.push(name);
            }
            Ok(Event::End(e)) => {
                open.pop();
                if is_entry(e.name().as_ref()) && entry_start.as_ref().is_some_and(|(_, around)| *around == open) {
                    entry_start = None;
                }
            }
            Ok(Event::Eof) if open.is_empty() => return None,
            Ok(Event::Eof) | Err(_) => break good,
            Ok(_) => {}
        }
        good = reader.buffer_position() as usize;
    };
    let (cut, still_open) = entry_start.unwrap_or((broken_at, open));
    let mut out = text[..cut.min(text.len())].to_string();
    for name in still_open.iter().rev() {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::parse;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
    }

    #[test]
    fn undeclared_entities_bare_ampersands_and_control_characters_are_repaired() {
        let doc = "<rss version=\"2.0\"><channel><title>Caf&eacute; news &hellip;\u{1}</title><item><title>Tom & Jerry&nbsp;&#8212;&#x2014;</title><link>https://shop.example/?a=1&b=2</link><description><![CDATA[<p>Fish & chips</p>]]></description></item></channel></rss>";
        let (repaired, done) = repair(doc).unwrap();
        assert_eq!(done.len(), 3, "{done:?}");
        assert!(repaired.contains("Café news …</title>"), "{repaired}");
        assert!(repaired.contains("Tom &amp; Jerry\u{a0}&#8212;&#x2014;"), "{repaired}");
        assert!(repaired.contains("?a=1&amp;b=2"));
        assert!(repaired.contains("<![CDATA[<p>Fish & chips</p>]]>"), "CDATA is left as it is");
        let feed = parse(doc.as_bytes(), None, now()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Café news …"));
        assert_eq!(feed.entries[0].url.as_deref(), Some("https://shop.example/?a=1&b=2"));
        assert!(feed.notice.unwrap().contains("read with repairs"));
    }

    #[test]
    fn a_document_cut_short_keeps_every_entry_read_whole() {
        let doc = "<rss version=\"2.0\"><channel><title>T</title><item><title>A</title><link>https://x.example/a</link></item><item><title>B</title></item><item><title>C</title><link>https://x.example/c";
        let feed = parse(doc.as_bytes(), None, now()).unwrap();
        let titles: Vec<_> = feed.entries.iter().map(|e| e.title.clone().unwrap()).collect();
        assert_eq!(titles, ["A", "B"]);
        let cut_in_a_tag = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><entry><id>1</id><title>A</title></entry><entry><id>2</id><ti";
        assert_eq!(parse(cut_in_a_tag.as_bytes(), None, now()).unwrap().entries.len(), 1);
    }

    #[test]
    fn html_written_unescaped_in_a_description_is_read_as_its_text() {
        let doc = "<rss version=\"2.0\"><channel><title>T</title><item><title>A</title><description><p>Hi<br> there</p></description></item><item><title>B</title><description>plain</description></item><item><title>C</title><content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><b>bold</content:encoded></item></channel></rss>";
        let feed = parse(doc.as_bytes(), None, now()).unwrap();
        let titles: Vec<_> = feed.entries.iter().map(|e| e.title.clone().unwrap()).collect();
        assert_eq!(titles, ["A", "B", "C"]);
        assert_eq!(feed.entries[0].text, "Hi\nthere");
        assert!(feed.notice.unwrap().contains("unescaped"));
    }

    #[test]
    fn a_whole_well_formed_document_needs_no_repair() {
        assert!(repair("<rss version=\"2.0\"><channel><title>A &amp; B &#233;</title></channel></rss>").is_none());
    }

    #[test]
    fn nothing_readable_is_still_an_error() {
        for doc in ["<rss version=\"2.0\"><channel><item><title>cut", "not xml at all & never", "<"] {
            assert!(parse(doc.as_bytes(), None, now()).is_err(), "{doc}");
        }
    }
}

#[cfg(test)]
mod cut_anywhere {
    use crate::feeds::parse;

    /// Every prefix of documents in each dialect, and every byte flipped in one: read or refused, never a
    /// panic (the dialect, encoding and repair passes run outside the parser's panic guard).
    #[test]
    fn a_document_cut_or_damaged_anywhere_never_panics() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc();
        let docs = [
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"0.93\"><channel><title>Caf\u{e9} &eacute;</title><item><title>A &amp; B</title><link>http://x.example/?a=1&b=2</link><description><![CDATA[<p>x</p>]]></description></item></channel></rss>",
            "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title mode=\"escaped\" type=\"text/html\">&lt;b&gt;T</title><entry><id>1</id><issued>2026-11-24T09:00:00Z</issued><author><url>http://x.example/</url></author><content mode=\"base64\" type=\"text/html\">PHA+aGk8L3A+</content></entry></feed>",
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel><title>T</title></channel><item><title>A</title><link>http://x.example/</link></item></rdf:RDF>",
            "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"T\",\"items\":[{\"id\":\"1\",\"content_text\":\"caf\u{e9}\"}]}",
        ];
        for doc in docs {
            let bytes = doc.as_bytes();
            for cut in 0..=bytes.len() {
                let _ = parse(&bytes[..cut], None, now);
            }
            for at in 0..bytes.len() {
                for replacement in [0u8, b'<', b'&', 0xFF] {
                    let mut damaged = bytes.to_vec();
                    damaged[at] = replacement;
                    let _ = parse(&damaged, None, now);
                }
            }
            let utf16: Vec<u8> = doc.encode_utf16().flat_map(u16::to_le_bytes).collect();
            for cut in 0..=utf16.len() {
                let _ = parse(&utf16[..cut], None, now);
            }
        }
    }
}
