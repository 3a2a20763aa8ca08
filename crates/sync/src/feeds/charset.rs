//! A feed's bytes as UTF-8, before any parser sees them. The XML parser is given UTF-8 only: transcoding
//! here is what keeps a UTF-16 document without a byte order mark from reaching it undecoded.
//!
//! The encoding is decided as RFC 7303 and mature feed readers decide it: a byte order mark (UTF-8, UTF-16,
//! UTF-32); else the `charset` of the HTTP `Content-Type`; else the XML declaration's `encoding` (read
//! in the byte pattern the document starts with, which also tells UTF-16 and UTF-32 without a mark);
//! else UTF-8, with Windows-1252 for a document that is not valid UTF-8. The XML declaration is rewritten
//! to say UTF-8, so nothing downstream decodes the text a second time.
//!
//! A document whose bytes contradict its declared encoding is read as well as it can be, and the
//! [`Decoded::notice`] says so.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// The document as UTF-8, and what the owner should know about how it was read.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub notice: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Utf32 {
    Le,
    Be,
}

/// Where the encoding came from, for the notice when the bytes disagree.
#[derive(Clone, Copy)]
enum Said {
    Mark,
    Http,
    Declaration,
    Nothing,
}

/// Decodes `body`; `http_charset` is the `charset` parameter of the response's `Content-Type`, if any.
pub fn to_utf8<'a>(body: &'a [u8], http_charset: Option<&str>) -> Decoded<'a> {
    // The common case, read without copying: no mark, nothing but UTF-8 said anywhere, and valid UTF-8.
    let http = http_charset.map(str::trim).filter(|c| !c.is_empty()).and_then(|c| Encoding::for_label(c.as_bytes()));
    if http.is_none_or(|e| e == UTF_8) && !starts_like_utf16_or_32(body) {
        if let Ok(text) = std::str::from_utf8(body) {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            match declared(text.as_bytes()) {
                None => return Decoded { text: Cow::Borrowed(text), notice: None },
                Some(label) if Encoding::for_label(label.as_bytes()) == Some(UTF_8) => {
                    return Decoded { text: Cow::Borrowed(text), notice: None }
                }
                // Declares another encoding: decided below, where the HTTP header (if any) comes first.
                Some(_) => {}
            }
        }
    }

    if let Some((order, skip)) = utf32_mark(body) {
        return finish(decode_utf32(&body[skip..], order), Said::Mark, "UTF-32");
    }
    if let Some((encoding, skip)) = Encoding::for_bom(body) {
        return decode_with(&body[skip..], encoding, Said::Mark);
    }
    // A document that starts with `<` in UTF-16 or UTF-32 is that, whatever a header says: no other
    // encoding writes XML that way.
    if let Some(order) = utf32_pattern(body) {
        return finish(decode_utf32(body, order), Said::Declaration, "UTF-32");
    }
    if let Some(encoding) = utf16_pattern(body) {
        return decode_with(body, encoding, Said::Declaration);
    }
    if let Some(encoding) = http {
        return decode_with(body, encoding, Said::Http);
    }
    let declared = declared(body).and_then(|label| Encoding::for_label(label.trim().as_bytes()));
    match declared {
        // The declaration can only name an ASCII-compatible encoding here: UTF-16 was ruled out above, so a
        // declaration of it is a mistake, read as UTF-8.
        Some(e) if e != UTF_16LE && e != UTF_16BE => decode_with(body, e, Said::Declaration),
        _ => decode_with(body, UTF_8, Said::Nothing),
    }
}

fn decode_with<'a>(bytes: &'a [u8], encoding: &'static Encoding, said: Said) -> Decoded<'a> {
    // Said to be Latin-1 (or Windows-1252, or ASCII) but valid UTF-8 with characters beyond ASCII: UTF-8 it
    // is. A misconfigured server or template is common; Latin-1 text that happens to be valid UTF-8 is not.
    if encoding == WINDOWS_1252 && !bytes.is_ascii() {
        if let Ok(text) = std::str::from_utf8(bytes) {
            let notice = "the feed says it is Latin-1 (ISO-8859-1 or Windows-1252) but is UTF-8; it was read as UTF-8";
            return Decoded { text: Cow::Owned(redeclare(text)), notice: Some(notice.to_string()) };
        }
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors && encoding == UTF_8 {
        // Not UTF-8 after all: the bytes of old Windows and Mac tools, nearly always.
        let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
        let notice = match said {
            Said::Nothing => "the feed is not valid UTF-8 and says no other encoding; it was read as Windows-1252",
            _ => "the feed says it is UTF-8 but is not; it was read as Windows-1252",
        };
        return Decoded { text: Cow::Owned(redeclare(&text)), notice: Some(notice.to_string()) };
    }
    let name = encoding.name();
    finish((text.into_owned(), had_errors), said, name)
}

fn finish(decoded: (String, bool), said: Said, name: &str) -> Decoded<'static> {
    let (text, had_errors) = decoded;
    let notice = had_errors.then(|| {
        let source = match said {
            Said::Mark => "its byte order mark",
            Said::Http => "the server",
            Said::Declaration | Said::Nothing => "its XML declaration",
        };
        format!("the feed is not valid {name} as {source} says; unreadable characters were replaced")
    });
    Decoded { text: Cow::Owned(redeclare(&text)), notice }
}

/// The text with its XML declaration (if any) saying UTF-8, and no byte order mark.
fn redeclare(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("<?xml") else { return text.to_string() };
    let Some(end) = rest.find("?>") else { return text.to_string() };
    let declaration = &rest[..end];
    let Some(at) = declaration.find("encoding") else { return text.to_string() };
    let after = declaration[at + "encoding".len()..].trim_start().strip_prefix('=').map(str::trim_start);
    let Some(value) = after else { return text.to_string() };
    let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else { return text.to_string() };
    let Some(close) = value[1..].find(quote) else { return text.to_string() };
    let value_start = declaration.len() - value.len();
    let mut out = String::with_capacity(text.len());
    out.push_str("<?xml");
    out.push_str(&declaration[..value_start]);
    out.push_str("\"UTF-8\"");
    out.push_str(&declaration[value_start + close + 2..]);
    out.push_str(&rest[end..]);
    out
}

/// The `encoding` of an XML declaration at the start of ASCII-compatible bytes.
fn declared(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let head = head.strip_prefix(b"<?xml")?;
    let end = head.windows(2).position(|w| w == b"?>")?;
    let declaration = std::str::from_utf8(&head[..end]).ok()?;
    let value = declaration.split_once("encoding")?.1.trim_start().strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].to_string())
}

fn starts_like_utf16_or_32(body: &[u8]) -> bool {
    body.len() >= 2
        && (body[0] == 0 || body[1] == 0 || body.starts_with(&[0xFF, 0xFE]) || body.starts_with(&[0xFE, 0xFF]))
}

fn utf32_mark(body: &[u8]) -> Option<(Utf32, usize)> {
    if body.starts_with(&[0xFF, 0xFE, 0, 0]) {
        Some((Utf32::Le, 4))
    } else if body.starts_with(&[0, 0, 0xFE, 0xFF]) {
        Some((Utf32::Be, 4))
    } else {
        None
    }
}

/// A document that starts with `<` in UTF-32 without a mark (XML 1.0, appendix F).
fn utf32_pattern(body: &[u8]) -> Option<Utf32> {
    if body.starts_with(&[b'<', 0, 0, 0]) {
        Some(Utf32::Le)
    } else if body.starts_with(&[0, 0, 0, b'<']) {
        Some(Utf32::Be)
    } else {
        None
    }
}

/// A document that starts with `<` (or whitespace) in UTF-16 without a mark.
fn utf16_pattern(body: &[u8]) -> Option<&'static Encoding> {
    let ascii = |b: u8| b == b'<' || b.is_ascii_whitespace();
    match body {
        [a, 0, ..] if ascii(*a) => Some(UTF_16LE),
        [0, b, ..] if ascii(*b) => Some(UTF_16BE),
        _ => None,
    }
}

fn decode_utf32(bytes: &[u8], order: Utf32) -> (String, bool) {
    let mut text = String::with_capacity(bytes.len() / 4);
    let mut had_errors = !bytes.len().is_multiple_of(4);
    for unit in bytes.chunks_exact(4) {
        let unit: [u8; 4] = unit.try_into().expect("four bytes");
        let code = if order == Utf32::Le { u32::from_le_bytes(unit) } else { u32::from_be_bytes(unit) };
        match char::from_u32(code) {
            Some(c) => text.push(c),
            None => {
                text.push('\u{FFFD}');
                had_errors = true;
            }
        }
    }
    (text, had_errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = "<?xml version=\"1.0\" encoding=\"ENC\"?><rss version=\"2.0\"><channel><title>Café «Ünï» ☕ 日本 Ωμέγα</title></channel></rss>";

    fn feed_in(label: &str) -> String {
        FEED.replace("ENC", label)
    }

    fn encoded(text: &str, encoding: &'static Encoding) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{} cannot hold the sample", encoding.name());
        bytes.into_owned()
    }

    fn utf16(text: &str, little: bool, mark: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if mark {
            out.extend(if little { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for unit in text.encode_utf16() {
            out.extend(if little { unit.to_le_bytes() } else { unit.to_be_bytes() });
        }
        out
    }

    fn utf32(text: &str, little: bool, mark: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if mark {
            out.extend(if little { [0xFF, 0xFE, 0, 0] } else { [0, 0, 0xFE, 0xFF] });
        }
        for c in text.chars() {
            out.extend(if little { (c as u32).to_le_bytes() } else { (c as u32).to_be_bytes() });
        }
        out
    }

    #[test]
    fn plain_utf8_is_read_without_a_copy() {
        let text = feed_in("utf-8");
        let d = to_utf8(text.as_bytes(), Some("utf-8"));
        assert!(matches!(d.text, Cow::Borrowed(_)));
        assert!(d.notice.is_none());
        let no_declaration = "<rss><channel/></rss>";
        assert!(matches!(to_utf8(no_declaration.as_bytes(), None).text, Cow::Borrowed(_)));
    }

    #[test]
    fn utf16_and_utf32_are_read_with_and_without_a_byte_order_mark() {
        let text = feed_in("UTF-16");
        for little in [true, false] {
            for mark in [true, false] {
                let bytes = utf16(&text, little, mark);
                let d = to_utf8(&bytes, None);
                assert!(d.text.contains("Café «Ünï» ☕ 日本 Ωμέγα"), "utf-16 little={little} mark={mark}");
                assert!(d.text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "{}", &d.text[..50]);
                assert!(d.notice.is_none());
                let bytes = utf32(&feed_in("UTF-32"), little, mark);
                let d = to_utf8(&bytes, None);
                assert!(d.text.contains("Café «Ünï» ☕ 日本 Ωμέγα"), "utf-32 little={little} mark={mark}");
            }
        }
    }

    #[test]
    fn legacy_encodings_are_read_from_the_declaration() {
        let samples: [(&str, &str); 12] = [
            ("ISO-8859-1", "Café «Ünï»"),
            ("ISO-8859-2", "Łódź, Żółć"),
            ("ISO-8859-5", "Привет"),
            ("ISO-8859-7", "Ωμέγα"),
            ("windows-1250", "Příliš žluťoučký"),
            ("windows-1251", "Привет, мир"),
            ("windows-1252", "Café “quoted” €"),
            ("KOI8-R", "Привет"),
            ("Shift_JIS", "日本語のフィード"),
            ("EUC-JP", "日本語のフィード"),
            ("GBK", "中文新闻"),
            ("Big5", "中文新聞"),
        ];
        for (label, sample) in samples {
            let text = format!(
                "<?xml version=\"1.0\" encoding=\"{label}\"?><rss><channel><title>{sample}</title></channel></rss>"
            );
            let bytes = encoded(&text, Encoding::for_label(label.as_bytes()).unwrap());
            let d = to_utf8(&bytes, None);
            assert!(d.text.contains(sample), "{label}: {}", d.text);
            assert!(d.text.contains("encoding=\"UTF-8\""), "{label}");
            assert!(d.notice.is_none(), "{label}");
        }
        let korean = "<?xml version='1.0' encoding='EUC-KR'?><rss><channel><title>한국어</title></channel></rss>";
        let bytes = encoded(korean, encoding_rs::EUC_KR);
        let d = to_utf8(&bytes, None);
        assert!(d.text.contains("한국어") && d.text.contains("encoding=\"UTF-8\""), "{}", d.text);
        let gb2312 = "<?xml version=\"1.0\" encoding=\"gb2312\"?><rss><channel><title>中文</title></channel></rss>";
        assert!(to_utf8(&encoded(gb2312, encoding_rs::GBK), None).text.contains("中文"));
    }

    #[test]
    fn the_http_charset_comes_before_the_declaration_and_the_mark_before_both() {
        let text = feed_in("ISO-8859-1");
        let bytes = encoded(&text.replace("☕ 日本 Ωμέγα", ""), WINDOWS_1252);
        let latin = to_utf8(&bytes, Some("windows-1252"));
        assert!(latin.text.contains("Café «Ünï»"));
        let marked = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
        let d = to_utf8(&marked, Some("iso-8859-1"));
        assert!(d.text.contains("☕ 日本"), "the byte order mark wins over the header");
    }

    #[test]
    fn bytes_that_contradict_the_declared_encoding_are_read_and_said() {
        let latin_in_utf8 = encoded(&feed_in("utf-8").replace("☕ 日本 Ωμέγα", ""), WINDOWS_1252);
        let d = to_utf8(&latin_in_utf8, None);
        assert!(d.text.contains("Café «Ünï»"), "read as Windows-1252: {}", d.text);
        assert!(d.notice.unwrap().contains("says it is UTF-8 but is not"));
        let undeclared = encoded("<rss><channel><title>Café</title></channel></rss>", WINDOWS_1252);
        let d = to_utf8(&undeclared, None);
        assert!(d.text.contains("Café"));
        assert!(d.notice.unwrap().contains("not valid UTF-8"));
        let broken_sjis =
            [&feed_in("Shift_JIS").as_bytes()[..60], &[0x81, 0x20][..], b"</title></channel></rss>"].concat();
        let d = to_utf8(&broken_sjis, None);
        assert!(d.notice.unwrap().contains("not valid Shift_JIS"));
    }

    #[test]
    fn utf8_said_to_be_latin1_is_read_as_utf8_and_said() {
        let text = feed_in("ISO-8859-1");
        let d = to_utf8(text.as_bytes(), None);
        assert!(d.text.contains("Café «Ünï» ☕"), "{}", d.text);
        assert!(d.notice.unwrap().contains("is UTF-8"));
        let ascii = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss/>";
        assert!(to_utf8(ascii.as_bytes(), None).notice.is_none(), "plain ASCII is both");
    }

    #[test]
    fn odd_bytes_never_panic() {
        for bytes in
            [&b""[..], b"\xFF", b"\xFE\xFF\x00", b"\x00\x00\xFE\xFF\x00", b"<?xml encoding=", b"<\x00\x00", b"\x00<"]
        {
            let _ = to_utf8(bytes, None);
            let _ = to_utf8(bytes, Some("utf-16"));
            let _ = to_utf8(bytes, Some("nonsense"));
        }
    }
}
