//! OPML feed lists, the format every feed reader imports and exports: `<outline xmlUrl="...">` elements,
//! possibly nested in folders. Reading never expands entities from a DTD (quick-xml does not) and is
//! bounded by the size cap.

use quick_xml::events::Event;
use quick_xml::Reader;

/// Largest OPML file read.
pub const OPML_CAP: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub title: Option<String>,
    pub xml_url: String,
    /// The line of the `<outline>` in the file, for messages.
    pub line: usize,
}

/// The line of the markup that starts at or after `position` (the reader's position is before the
/// whitespace it skips).
fn line_at(bytes: &[u8], position: usize) -> usize {
    let start = position.min(bytes.len());
    let tag = bytes[start..].iter().position(|&b| b == b'<').map_or(start, |i| start + i);
    bytes[..tag].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The feeds listed in an OPML document, in file order.
pub fn parse(bytes: &[u8]) -> Result<Vec<OpmlFeed>, String> {
    if bytes.len() > OPML_CAP {
        return Err(format!("the file is larger than {} MiB, more than any feed list", OPML_CAP / (1024 * 1024)));
    }
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    let mut feeds = Vec::new();
    let mut saw_opml = false;
    let mut buf = Vec::new();
    loop {
        let position = reader.buffer_position() as usize;
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let local = e.local_name();
                let name: &str = local.as_ref();
                if name.eq_ignore_ascii_case("opml") {
                    saw_opml = true;
                }
                if !name.eq_ignore_ascii_case("outline") {
                    buf.clear();
                    continue;
                }
                let mut title = None;
                let mut text = None;
                let mut xml_url = None;
                for attr in e.attributes().flatten() {
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.trim().to_string())
                        .unwrap_or_default();
                    let key = attr.key.local_name();
                    match key.as_ref() {
                        "xmlUrl" | "xmlurl" => xml_url = Some(value),
                        "title" => title = Some(value),
                        "text" => text = Some(value),
                        _ => {}
                    }
                }
                if let Some(xml_url) = xml_url.filter(|u| !u.is_empty()) {
                    feeds.push(OpmlFeed {
                        title: title.or(text).filter(|t| !t.is_empty()),
                        xml_url,
                        line: line_at(bytes, position),
                    });
                }
            }
            Ok(_) => {}
            Err(e) => return Err(format!("line {}: not well-formed OPML ({e})", line_at(bytes, position))),
        }
        buf.clear();
    }
    if !saw_opml {
        return Err("this is not an OPML file (no <opml> element)".into());
    }
    Ok(feeds)
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// An OPML 2.0 document listing `feeds` as (title, address).
pub fn write(title: &str, feeds: &[(String, String)]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head><title>{}</title></head>\n  <body>\n",
        escape(title)
    );
    for (name, url) in feeds {
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{}\" title=\"{}\" xmlUrl=\"{}\"/>\n",
            escape(name),
            escape(name),
            escape(url)
        ));
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_in_folders_are_found_with_their_lines() {
        let opml = br#"<?xml version="1.0"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="News">
      <outline text="Bike &amp; Co" type="rss" xmlUrl="https://bikes.example/feed?a=1&amp;b=2"/>
    </outline>
    <outline text="No feed here" htmlUrl="https://site.example/"/>
    <outline title="Alerts" xmlUrl="https://www.google.com/alerts/feeds/1/2"></outline>
  </body>
</opml>"#;
        let feeds = parse(opml).unwrap();
        assert_eq!(feeds.len(), 2);
        assert_eq!(feeds[0].title.as_deref(), Some("Bike & Co"));
        assert_eq!(feeds[0].xml_url, "https://bikes.example/feed?a=1&b=2");
        assert_eq!(feeds[0].line, 6);
        assert_eq!(feeds[1].line, 9);
    }

    #[test]
    fn what_is_written_reads_back() {
        let feeds = vec![("Q&A <weekly>".to_string(), "https://a.example/feed?x=1&y=\"2\"".to_string())];
        let back = parse(write("Earshot feeds", &feeds).as_bytes()).unwrap();
        assert_eq!(back[0].title.as_deref(), Some("Q&A <weekly>"));
        assert_eq!(back[0].xml_url, feeds[0].1);
    }

    #[test]
    fn broken_or_foreign_files_are_refused_with_a_line() {
        assert!(parse(b"<opml><body><outline xmlUrl=\"x\"></body>").unwrap_err().contains("line 1"));
        assert!(parse(b"<rss><channel/></rss>").unwrap_err().contains("not an OPML"));
        let entity_bomb = b"<!DOCTYPE opml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><opml><body><outline xmlUrl=\"&b;\"/></body></opml>";
        // Entities from a DTD are never expanded: the reference is an error, not a billion a's.
        let _ = parse(entity_bomb);
    }
}
