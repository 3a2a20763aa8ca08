//! vCard 2.1 (versit), 3.0 (RFC 2426) and 4.0 (RFC 6350) reading, and vCard 4.0 writing.
//!
//! The reader works on bytes, because vCard 2.1 files mix encodings: a property may say
//! `CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE` and the next one be plain UTF-8. It handles folded lines,
//! quoted-printable soft line breaks, quoted parameter values, bare 2.1 parameters (`TEL;WORK;VOICE:`),
//! grouped properties with Apple's `itemN.X-ABLabel` labels, several cards per file, and embedded photos.

use base64::Engine;

use crate::contact::{ContactDraft, EmailDraft, IdentityDraft, PhoneDraft, Photo};
use crate::import::RecordError;

/// One unfolded content line: `group.NAME;PARAM=V:value`.
#[derive(Debug, Clone)]
struct Property {
    group: Option<String>,
    name: String,
    params: Vec<(String, String)>,
    raw_value: Vec<u8>,
}

impl Property {
    fn param_values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.params
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
    }

    fn encoding(&self) -> Option<String> {
        self.param_values("ENCODING").next().map(|e| e.to_ascii_uppercase())
    }

    /// The value's bytes after transfer decoding (quoted-printable or base64).
    fn decoded_bytes(&self) -> Vec<u8> {
        match self.encoding().as_deref() {
            Some("QUOTED-PRINTABLE") => decode_quoted_printable(&self.raw_value),
            Some("B") | Some("BASE64") => decode_base64(&self.raw_value).unwrap_or_default(),
            _ => self.raw_value.clone(),
        }
    }

    /// The value as text, honouring `CHARSET`; invalid UTF-8 without a charset is read as Windows-1252.
    fn text(&self) -> String {
        let bytes = self.decoded_bytes();
        if let Some(label) = self.param_values("CHARSET").next() {
            if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) {
                return enc.decode_without_bom_handling(&bytes).0.into_owned();
            }
        }
        crate::import::decode_text(&bytes).into_owned()
    }

    /// TYPE values, including 2.1's bare parameters, lower-cased, without the noise ones.
    fn types(&self) -> Vec<String> {
        let mut out: Vec<String> = self.param_values("TYPE").map(|v| v.trim_matches('"').to_lowercase()).collect();
        for (k, v) in &self.params {
            if v.is_empty() && !k.eq_ignore_ascii_case("QUOTED-PRINTABLE") && !k.eq_ignore_ascii_case("BASE64") {
                out.push(k.to_lowercase());
            }
        }
        out.retain(|t| !matches!(t.as_str(), "internet" | "pref" | "voice" | "x400" | ""));
        out
    }
}

/// Largest embedded photo kept, decoded. A contact's picture needs far less; a larger one (a camera's
/// original) is left out with a warning, and the rest of the card is kept.
pub const PHOTO_CAP: usize = 2 * 1024 * 1024;

/// Reads every card in a file. Cards that cannot be used come back as errors naming their first line.
pub fn parse(bytes: &[u8]) -> Vec<Result<ContactDraft, RecordError>> {
    parse_reporting(bytes, &mut Vec::new())
}

/// [`parse`], adding to `warnings` what was left out of cards that were read (a photo over [`PHOTO_CAP`]).
pub fn parse_reporting(bytes: &[u8], warnings: &mut Vec<RecordError>) -> Vec<Result<ContactDraft, RecordError>> {
    let mut cards = Vec::new();
    parse_each(bytes, warnings, &mut |card| cards.push(card));
    cards
}

/// Reads the cards of a file one by one, handing each to `on_card` as soon as it ends: memory grows with the
/// largest card, not with the file.
/// How many cards the file holds, by its BEGIN lines (a card nested in an AGENT property counts too): a
/// quick progress total before the file is read.
pub fn count_cards(bytes: &[u8]) -> usize {
    let bytes = transcode_utf16(bytes);
    bytes
        .split(|b| *b == b'\n')
        .filter(|line| {
            let line = line.trim_ascii_start();
            line.len() >= 11 && line[..11].eq_ignore_ascii_case(b"BEGIN:VCARD")
        })
        .count()
}

pub fn parse_each(
    bytes: &[u8],
    warnings: &mut Vec<RecordError>,
    on_card: &mut dyn FnMut(Result<ContactDraft, RecordError>),
) {
    let bytes = transcode_utf16(bytes);
    let lines = Unfold::new(&bytes);
    let mut out = Emit(on_card);
    let mut current: Option<(u64, Vec<Property>)> = None;
    // Depth of nested cards (2.1 AGENT values) to skip inside the current card.
    let mut nested = 0usize;
    // A 2.1 AGENT with no value on its own line: the card that follows is its value, not a new card.
    let mut agent_follows = false;
    const UNFINISHED: &str = "the card has no END:VCARD line (the file may be cut short)";

    for (line_no, line, cut) in lines {
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let Some(prop) = parse_property(&line) else {
            if current.is_none() {
                continue; // Text between cards is ignored, as readers commonly do.
            }
            continue;
        };
        // A photo cut short is left out whole below; any other value is kept as far as it was read.
        if cut && prop.name != "PHOTO" {
            warnings.push(RecordError::new(line_no, format!("the {} value is too long and was cut short", prop.name)));
        }
        let is_begin = prop.name == "BEGIN" && prop.raw_value.trim_ascii().eq_ignore_ascii_case(b"VCARD");
        let is_end = prop.name == "END" && prop.raw_value.trim_ascii().eq_ignore_ascii_case(b"VCARD");
        let opens_agent =
            std::mem::replace(&mut agent_follows, prop.name == "AGENT" && prop.raw_value.trim_ascii().is_empty());
        match (&mut current, is_begin, is_end) {
            (None, true, _) => current = Some((line_no, Vec::new())),
            (None, false, _) => {}
            (Some(_), true, _) if opens_agent || nested > 0 => nested += 1,
            // A new card where the last one never ended: that one is reported, this one is read.
            (Some(_), true, _) => {
                let (start, _) = current.replace((line_no, Vec::new())).expect("checked above");
                out.push(Err(RecordError::new(start, UNFINISHED)));
            }
            (Some(_), _, true) if nested > 0 => nested -= 1,
            (Some(_), _, true) => {
                let (start, mut props) = current.take().expect("checked above");
                let with_photos = props.len();
                // Base64 holds three bytes in four characters.
                props.retain(|p| !(p.name == "PHOTO" && p.raw_value.len() / 4 * 3 > PHOTO_CAP));
                if props.len() < with_photos {
                    warnings.push(RecordError::new(
                        start,
                        "the photo is larger than 2 MB and was left out; the rest of the card was imported",
                    ));
                }
                out.push(
                    card_to_draft(&props)
                        .ok_or_else(|| RecordError::new(start, "the card has no name, organization, email or phone")),
                );
            }
            (Some((_, props)), false, false) => {
                if nested == 0 {
                    props.push(prop);
                }
            }
        }
    }
    if let Some((start, _)) = current {
        out.push(Err(RecordError::new(start, UNFINISHED)));
    }
}

/// Hands each card on as it is read.
struct Emit<'f>(&'f mut dyn FnMut(Result<ContactDraft, RecordError>));

impl Emit<'_> {
    fn push(&mut self, card: Result<ContactDraft, RecordError>) {
        (self.0)(card);
    }
}

fn transcode_utf16(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    match encoding_rs::Encoding::for_bom(bytes) {
        Some((enc, bom)) if enc != encoding_rs::UTF_8 => {
            std::borrow::Cow::Owned(enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned().into_bytes())
        }
        Some((_, bom)) => std::borrow::Cow::Borrowed(&bytes[bom..]),
        None => std::borrow::Cow::Borrowed(bytes),
    }
}

fn without_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn is_newline(b: &u8) -> bool {
    *b == b'\n'
}

/// Joins folded lines (a line starting with space or tab continues the previous one) and quoted-printable
/// soft line breaks (a QP value ending in `=` continues on the next line), one logical line at a time, with
/// the number of the physical line it starts on. Only the line being joined is held, never the file's.
struct Unfold<'a> {
    lines: std::iter::Peekable<std::iter::Enumerate<PhysicalLines<'a>>>,
}

/// The file's lines as they are written, split on `\n`.
type PhysicalLines<'a> = std::slice::Split<'a, u8, fn(&u8) -> bool>;

impl<'a> Unfold<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Unfold { lines: bytes.split(is_newline as fn(&u8) -> bool).enumerate().peekable() }
    }
}

/// The longest logical line kept whole: a photo at [`PHOTO_CAP`] in base64, and some room. Past it the rest
/// of the line is read and not kept, so one huge value cannot take the memory of the whole file.
const LINE_CAP: usize = PHOTO_CAP / 3 * 4 + 64 * 1024;

impl Iterator for Unfold<'_> {
    /// The physical line it starts on, the joined line, and whether it was cut at [`LINE_CAP`].
    type Item = (u64, Vec<u8>, bool);

    fn next(&mut self) -> Option<(u64, Vec<u8>, bool)> {
        let (idx, raw) = self.lines.next()?;
        let mut line = without_cr(raw).to_vec();
        let mut cut = line.len() > LINE_CAP;
        line.truncate(LINE_CAP);
        let mut qp_continues = is_qp(&line) && line.ends_with(b"=");
        while let Some((_, next)) = self.lines.peek() {
            let next = without_cr(next);
            let more = if qp_continues {
                line.pop(); // the soft-break '='
                next.trim_ascii_start()
            } else if matches!(next.first(), Some(b' ') | Some(b'\t')) {
                &next[1..]
            } else {
                break;
            };
            let room = LINE_CAP.saturating_sub(line.len());
            cut |= more.len() > room;
            line.extend_from_slice(&more[..more.len().min(room)]);
            self.lines.next();
            qp_continues = !cut && is_qp(&line) && line.ends_with(b"=");
        }
        Some((idx as u64 + 1, line, cut))
    }
}

fn is_qp(line: &[u8]) -> bool {
    let head_end = line.iter().position(|&b| b == b':').unwrap_or(line.len());
    let head = String::from_utf8_lossy(&line[..head_end]).to_ascii_uppercase();
    head.contains("QUOTED-PRINTABLE")
}

fn parse_property(line: &[u8]) -> Option<Property> {
    // The name/parameter part ends at the first ':' outside double quotes.
    let mut in_quotes = false;
    let mut colon = None;
    for (i, &b) in line.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let head = String::from_utf8_lossy(&line[..colon]);
    let mut parts = split_unquoted(&head, ';').into_iter();
    let full_name = parts.next()?.trim().to_string();
    if full_name.is_empty() {
        return None;
    }
    let (group, name) = match full_name.rsplit_once('.') {
        Some((g, n)) => (Some(g.to_string()), n.to_ascii_uppercase()),
        None => (None, full_name.to_ascii_uppercase()),
    };
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().trim_matches('"').to_string()),
            None => (p.trim().to_ascii_uppercase(), String::new()),
        })
        .collect();
    Some(Property { group, name, params, raw_value: line[colon + 1..].to_vec() })
}

fn split_unquoted(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut in_quotes = false;
    for c in s.chars() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if c == sep && !in_quotes {
            out.push(String::new());
        } else {
            out.last_mut().expect("never empty").push(c);
        }
    }
    out
}

fn decode_quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'=' {
            let hex = input.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
            // A '=' at the very end is a soft break left over; anything else is kept literally.
            if i + 1 == input.len() {
                break;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

fn decode_base64(input: &[u8]) -> Option<Vec<u8>> {
    let cleaned: Vec<u8> = input.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(cleaned).ok()
}

/// Splits a structured value on unescaped `sep` and unescapes each component.
fn components(value: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') | Some('N') => out.last_mut().expect("never empty").push('\n'),
                Some(other) => out.last_mut().expect("never empty").push(other),
                None => {}
            },
            c if c == sep => out.push(String::new()),
            c => out.last_mut().expect("never empty").push(c),
        }
    }
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Apple writes custom labels as `item1.X-ABLabel:Mastodon` beside `item1.URL:...`; `_$!<Home>!$_` are its
/// built-in labels.
fn group_labels(props: &[Property]) -> std::collections::HashMap<String, String> {
    props
        .iter()
        .filter(|p| p.name == "X-ABLABEL")
        .filter_map(|p| {
            let label = p.text();
            let label = label.trim_start_matches("_$!<").trim_end_matches(">!$_").trim().to_string();
            Some((p.group.clone()?, label))
        })
        .collect()
}

const KNOWN_NETWORKS: [(&str, &str); 12] = [
    ("mastodon", "mastodon"),
    ("bsky.app", "bluesky"),
    ("bluesky", "bluesky"),
    ("linkedin.com", "linkedin"),
    ("twitter.com", "twitter"),
    ("x.com", "twitter"),
    ("instagram.com", "instagram"),
    ("facebook.com", "facebook"),
    ("youtube.com", "youtube"),
    ("github.com", "github"),
    ("tiktok.com", "tiktok"),
    ("threads.net", "threads"),
];

/// Recognises a social profile from its URL (and an optional network hint), e.g.
/// `https://mastodon.social/@ann` -> mastodon `@ann@mastodon.social`.
pub fn identity_from_url(url: &str, hint: Option<&str>) -> Option<IdentityDraft> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let host = parsed.host_str()?.trim_start_matches("www.").to_lowercase();
    let segments: Vec<&str> = parsed.path_segments().map(|s| s.filter(|x| !x.is_empty()).collect()).unwrap_or_default();
    let hint = hint.map(|h| h.to_lowercase());
    let network = KNOWN_NETWORKS
        .iter()
        .find(|(needle, _)| {
            host == *needle || host.ends_with(&format!(".{needle}")) || hint.as_deref() == Some(*needle)
        })
        .map(|(_, n)| n.to_string())
        .or_else(|| segments.first().filter(|s| s.starts_with('@')).map(|_| "mastodon".to_string()))?;
    let handle = match network.as_str() {
        "mastodon" => {
            let user = segments.first()?.trim_start_matches('@');
            format!("@{user}@{host}")
        }
        "bluesky" => segments.iter().skip_while(|s| **s != "profile").nth(1).map(|s| s.to_string())?,
        "linkedin" => segments.get(1).or(segments.first()).map(|s| s.to_string())?,
        _ => segments.first().map(|s| s.trim_start_matches('@').to_string())?,
    };
    Some(IdentityDraft { network, handle, profile_url: Some(parsed.to_string()), follower_count: None })
}

fn card_to_draft(props: &[Property]) -> Option<ContactDraft> {
    let labels = group_labels(props);
    let label_of = |p: &Property| -> Option<String> {
        p.group.as_ref().and_then(|g| labels.get(g).cloned()).or_else(|| p.types().into_iter().next())
    };
    let mut d = ContactDraft::default();
    let mut formatted_name = None;
    for p in props {
        match p.name.as_str() {
            "FN" => formatted_name = Some(unescape(&p.text())),
            "N" => {
                let parts = components(&p.text(), ';');
                d.family_name = parts.first().cloned().unwrap_or_default();
                d.given_name = parts.get(1).cloned().unwrap_or_default();
                if let Some(middle) = parts.get(2).filter(|m| !m.is_empty()) {
                    d.given_name = format!("{} {}", d.given_name, middle).trim().to_string();
                }
            }
            "ORG" => {
                let org = components(&p.text(), ';').into_iter().find(|s| !s.is_empty());
                d.organization = org;
            }
            "TITLE" => d.title = Some(unescape(&p.text())),
            "EMAIL" => d.emails.push(EmailDraft { address: unescape(&p.text()), label: label_of(p) }),
            "TEL" => {
                let number = unescape(&p.text());
                let number = number.strip_prefix("tel:").unwrap_or(&number).to_string();
                d.phones.push(PhoneDraft { number, label: label_of(p) });
            }
            "URL" => {
                let url = unescape(&p.text());
                match identity_from_url(&url, label_of(p).as_deref()) {
                    Some(identity) => d.identities.push(identity),
                    None if d.website.is_none() => d.website = Some(url),
                    None => d.notes.push(format!("Website: {url}")),
                }
            }
            "X-SOCIALPROFILE" | "SOCIALPROFILE" => {
                let value = unescape(&p.text());
                let hint =
                    p.param_values("SERVICE-TYPE").next().map(str::to_string).or_else(|| p.types().into_iter().next());
                let identity = identity_from_url(&value, hint.as_deref()).or_else(|| {
                    let user = p.param_values("X-USER").next().map(str::to_string).unwrap_or_else(|| value.clone());
                    hint.as_ref().map(|h| IdentityDraft {
                        network: h.to_lowercase(),
                        handle: user,
                        profile_url: value.starts_with("http").then(|| value.clone()),
                        follower_count: None,
                    })
                });
                d.identities.extend(identity);
            }
            "NOTE" => d.notes.push(unescape(&p.text())),
            "BDAY" => d.birthday = Some(unescape(&p.text())),
            "ADR" => {
                let parts = components(&p.text(), ';');
                if let Some(city) = parts.get(3).filter(|c| !c.is_empty()) {
                    d.city.get_or_insert_with(|| city.clone());
                }
            }
            "CATEGORIES" => d.tags.extend(components(&p.text(), ',').into_iter().filter(|t| !t.is_empty())),
            "PHOTO" => d.photo = d.photo.take().or_else(|| photo(p)),
            _ => {}
        }
    }
    if let Some(fn_) = formatted_name.filter(|f| !f.is_empty()) {
        d.display_name = fn_;
    }
    d.normalized()
}

fn photo(p: &Property) -> Option<Photo> {
    let raw = String::from_utf8_lossy(&p.raw_value).trim().to_string();
    if let Some(rest) = raw.strip_prefix("data:") {
        let (meta, data) = rest.split_once(',')?;
        let mime = meta.split(';').next().unwrap_or("image/jpeg").to_string();
        let bytes = decode_base64(data.as_bytes())?;
        return image_mime(&mime).then_some(Photo { mime, bytes });
    }
    if matches!(p.encoding().as_deref(), Some("B") | Some("BASE64")) {
        let kind = p
            .param_values("TYPE")
            .chain(p.params.iter().filter(|(_, v)| v.is_empty()).map(|(k, _)| k.as_str()))
            .find_map(|t| match t.to_ascii_uppercase().as_str() {
                "JPEG" | "JPG" | "IMAGE/JPEG" => Some("image/jpeg"),
                "PNG" | "IMAGE/PNG" => Some("image/png"),
                "GIF" | "IMAGE/GIF" => Some("image/gif"),
                _ => None,
            })
            .unwrap_or("image/jpeg");
        let bytes = p.decoded_bytes();
        return (!bytes.is_empty()).then(|| Photo { mime: kind.to_string(), bytes });
    }
    None // A photo given by URL is not fetched: importing must not reach the network.
}

fn image_mime(mime: &str) -> bool {
    matches!(mime, "image/jpeg" | "image/png" | "image/gif" | "image/webp")
}

// ---------------------------------------------------------------------------------------------- writing

/// What the writer needs to know about one stored contact.
pub struct CardOut<'a> {
    pub uid: String,
    pub draft: &'a ContactDraft,
}

/// Writes cards as vCard 4.0 (RFC 6350): CRLF line ends, lines folded at 75 octets, values escaped.
pub fn write(cards: &[CardOut<'_>]) -> String {
    let mut out = String::new();
    for card in cards {
        let d = card.draft;
        let mut lines = vec!["BEGIN:VCARD".to_string(), "VERSION:4.0".to_string()];
        lines.push(format!("UID:{}", escape(&card.uid)));
        lines.push(format!("FN:{}", escape(&d.display_name)));
        lines.push(format!("N:{};{};;;", escape(&d.family_name), escape(&d.given_name)));
        if let Some(org) = &d.organization {
            lines.push(format!("ORG:{}", escape(org)));
        }
        if let Some(title) = &d.title {
            lines.push(format!("TITLE:{}", escape(title)));
        }
        for e in &d.emails {
            lines.push(format!("EMAIL{}:{}", type_param(&e.label), escape(&e.address)));
        }
        for p in &d.phones {
            lines.push(format!("TEL;VALUE=text{}:{}", type_param(&p.label), escape(&p.number)));
        }
        for i in &d.identities {
            let value = i.profile_url.clone().unwrap_or_else(|| i.handle.clone());
            lines.push(format!(
                "SOCIALPROFILE;SERVICE-TYPE={};USERNAME=\"{}\":{}",
                param_safe(&i.network),
                param_safe(&i.handle),
                escape(&value)
            ));
        }
        if let Some(w) = &d.website {
            lines.push(format!("URL:{}", escape(w)));
        }
        if let Some(city) = &d.city {
            lines.push(format!("ADR:;;;{};;;", escape(city)));
        }
        if let Some(b) = &d.birthday {
            lines.push(format!("BDAY:{}", escape(b)));
        }
        if !d.tags.is_empty() {
            let tags: Vec<String> = d.tags.iter().map(|t| escape(t)).collect();
            lines.push(format!("CATEGORIES:{}", tags.join(",")));
        }
        for n in &d.notes {
            lines.push(format!("NOTE:{}", escape(n)));
        }
        if let Some(photo) = &d.photo {
            let data = base64::engine::general_purpose::STANDARD.encode(&photo.bytes);
            lines.push(format!("PHOTO:data:{};base64,{}", photo.mime, data));
        }
        lines.push("END:VCARD".to_string());
        for line in lines {
            fold_into(&mut out, &line);
        }
    }
    out
}

fn type_param(label: &Option<String>) -> String {
    match label {
        Some(l) if !l.is_empty() => format!(";TYPE=\"{}\"", param_safe(l)),
        _ => String::new(),
    }
}

/// Parameter values cannot carry quotes or control characters; drop them.
fn param_safe(s: &str) -> String {
    s.chars().filter(|c| *c != '"' && !c.is_control()).collect()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: &str) -> ContactDraft {
        let mut cards = parse(input.as_bytes());
        assert_eq!(cards.len(), 1, "{cards:?}");
        cards.remove(0).expect("card parses")
    }

    #[test]
    fn reads_a_vcard_3_with_folded_lines_and_escapes() {
        let d = one("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë\r\n  Martin\r\nN:Martin;Zoë;;;\r\nORG:Spoke & Chain\\, Ltd;Repairs\r\nEMAIL;TYPE=INTERNET,WORK:zoe@example.com\r\nNOTE:likes\\nblue bikes\\; fast\r\nEND:VCARD\r\n");
        assert_eq!(d.display_name, "Zoë Martin");
        assert_eq!(d.given_name, "Zoë");
        assert_eq!(d.organization.as_deref(), Some("Spoke & Chain, Ltd"));
        assert_eq!(d.emails[0].label.as_deref(), Some("work"));
        assert_eq!(d.notes, vec!["likes\nblue bikes; fast"]);
    }

    #[test]
    fn reads_vcard_2_1_quoted_printable_with_charset_and_soft_breaks() {
        let input = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\r\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Caf=C3=A9 owner, =\r\nlikes espresso\r\nTEL;WORK;VOICE:+49 30 1234567\r\nEND:VCARD\r\n";
        let cards = parse(input);
        let d = cards[0].clone().unwrap();
        assert_eq!(d.display_name, "Jürgen Müller");
        assert_eq!(d.notes, vec!["Café owner, likes espresso"]);
        assert_eq!(d.phones[0].label.as_deref(), Some("work"));
    }

    #[test]
    fn reads_several_cards_and_reports_the_broken_one_by_line() {
        let input = "BEGIN:VCARD\nVERSION:4.0\nFN:Ann\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nNOTE:nobody\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nFN:Bob\nEND:VCARD\nBEGIN:VCARD\nFN:Cut\n";
        let cards = parse(input.as_bytes());
        assert_eq!(cards.len(), 4);
        assert_eq!(cards[0].as_ref().unwrap().display_name, "Ann");
        assert_eq!(cards[1].as_ref().unwrap_err().line, 5);
        assert_eq!(cards[2].as_ref().unwrap().display_name, "Bob");
        assert_eq!(cards[3].as_ref().unwrap_err().line, 13);
    }

    #[test]
    fn a_card_without_its_end_is_reported_and_the_next_card_is_still_read() {
        let input = "BEGIN:VCARD\nVERSION:3.0\nFN:Cut Short\nEMAIL:cut@example.com\nBEGIN:VCARD\nVERSION:3.0\nFN:Bob Whole\nEND:VCARD\n";
        let cards = parse(input.as_bytes());
        assert_eq!(cards.len(), 2);
        let err = cards[0].as_ref().unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.reason.contains("END:VCARD"), "{}", err.reason);
        assert_eq!(cards[1].as_ref().unwrap().display_name, "Bob Whole");
    }

    #[test]
    fn a_photo_over_two_megabytes_is_left_out_with_a_warning_and_the_card_is_kept() {
        let big = "A".repeat(PHOTO_CAP / 3 * 4 + 400);
        let input = format!("BEGIN:VCARD\nVERSION:4.0\nFN:Ann Big\nPHOTO:data:image/jpeg;base64,{big}\nEMAIL:ann@x.example\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nFN:Bob Small\nPHOTO:data:image/jpeg;base64,/9j/4AAQ\nEND:VCARD\n");
        let mut warnings = Vec::new();
        let cards = parse_reporting(input.as_bytes(), &mut warnings);
        let ann = cards[0].as_ref().unwrap();
        assert!(ann.photo.is_none());
        assert_eq!(ann.emails.len(), 1, "the rest of the card is kept");
        assert!(cards[1].as_ref().unwrap().photo.is_some());
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 1);
        assert!(warnings[0].reason.contains("larger than 2 MB"));

        let folded: String =
            big.as_bytes().chunks(74).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n ");
        let huge_note = "n".repeat(LINE_CAP + 10);
        let note = format!("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cy Long\r\nPHOTO;ENCODING=b;TYPE=JPEG:{folded}\r\nNOTE:{huge_note}\r\nEND:VCARD\r\n");
        let mut warnings = Vec::new();
        let cards = parse_reporting(note.as_bytes(), &mut warnings);
        let cy = cards[0].as_ref().unwrap();
        assert!(cy.photo.is_none(), "a folded photo over the cap is left out too");
        assert!(cy.notes[0].len() < huge_note.len(), "an over-long note is cut");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn a_2_1_agent_card_stays_inside_its_card() {
        let input = "BEGIN:VCARD\nVERSION:2.1\nFN:Ann Boss\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nFN:Pat Assistant\nEND:VCARD\nTEL:+44 20 1234\nEND:VCARD\n";
        let cards = parse(input.as_bytes());
        assert_eq!(cards.len(), 1);
        let ann = cards[0].as_ref().unwrap();
        assert_eq!(ann.display_name, "Ann Boss");
        assert_eq!(ann.phones.len(), 1, "the boss's own phone, after the agent's card");
    }

    #[test]
    fn apple_grouped_labels_name_the_property() {
        let d = one("BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nitem1.EMAIL;type=INTERNET:ann@shop.example\nitem1.X-ABLabel:Shop\nitem2.URL:https://mastodon.social/@ann\nitem2.X-ABLabel:_$!<HomePage>!$_\nEND:VCARD\n");
        assert_eq!(d.emails[0].label.as_deref(), Some("Shop"));
        assert_eq!(d.identities[0].network, "mastodon");
        assert_eq!(d.identities[0].handle, "@ann@mastodon.social");
    }

    #[test]
    fn embedded_photos_are_kept_in_2_1_and_4_0() {
        let d21 = one("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:P\r\nPHOTO;ENCODING=BASE64;TYPE=PNG:\r\n iVBORw0KGgo=\r\n\r\nEND:VCARD\r\n");
        assert_eq!(d21.photo.as_ref().unwrap().mime, "image/png");
        assert_eq!(&d21.photo.unwrap().bytes[..4], &[0x89, b'P', b'N', b'G']);
        let d40 = one("BEGIN:VCARD\nVERSION:4.0\nFN:P\nPHOTO:data:image/jpeg;base64,/9j/4AAQ\nEND:VCARD\n");
        assert_eq!(d40.photo.unwrap().bytes[..2], [0xFF, 0xD8]);
    }

    #[test]
    fn written_cards_read_back_the_same() {
        let d = ContactDraft {
            given_name: "Zoë".into(),
            family_name: "O'Neil; Jr".into(),
            display_name: "Zoë O'Neil; Jr".into(),
            organization: Some("Spokes, Inc".into()),
            title: Some("Owner".into()),
            emails: vec![EmailDraft { address: "zoe@example.com".into(), label: Some("work".into()) }],
            phones: vec![PhoneDraft { number: "+1 555 0100".into(), label: None }],
            identities: vec![IdentityDraft {
                network: "mastodon".into(),
                handle: "@zoe@mastodon.social".into(),
                profile_url: Some("https://mastodon.social/@zoe".into()),
                follower_count: None,
            }],
            tags: vec!["vip".into(), "racing, road".into()],
            notes: vec!["line one\nline two ".repeat(10).trim().to_string()],
            ..Default::default()
        };
        let text = write(&[CardOut { uid: "urn:uuid:1".into(), draft: &d }]);
        assert!(text.lines().all(|l| l.len() <= 75), "lines are folded");
        let back = one(&text);
        assert_eq!(back.display_name, d.display_name);
        assert_eq!(back.family_name, d.family_name);
        assert_eq!(back.organization, d.organization);
        assert_eq!(back.emails, d.emails);
        assert_eq!(back.tags, d.tags);
        assert_eq!(back.notes, d.notes);
        assert_eq!(back.identities[0].handle, "@zoe@mastodon.social");
    }

    #[test]
    fn garbage_never_panics() {
        for input in [
            &b"BEGIN:VCARD"[..],
            b"\xff\xfe\x00",
            b"BEGIN:VCARD\nN;ENCODING=QUOTED-PRINTABLE:=\n=",
            b":::\n;;;",
            b"BEGIN:VCARD\nBEGIN:VCARD\nEND:VCARD",
        ] {
            let _ = parse(input);
        }
    }

    #[test]
    fn cards_are_counted_by_their_begin_lines_in_any_case_and_encoding() {
        let file = "BEGIN:VCARD\nFN:Ann\nEND:VCARD\r\n  begin:vcard\nFN:Bo\nEND:VCARD\n";
        assert_eq!(count_cards(file.as_bytes()), 2);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(file.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(count_cards(&utf16), 2);
    }
}
