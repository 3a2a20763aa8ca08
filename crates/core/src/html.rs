//! Remote HTML, made safe: [`render`] parses a fragment once and returns both the sanitized HTML (a small
//! allowlist, for display where no script can run) and its plain text (for matching, search and the default
//! view). [`sanitize`] and [`to_text`] are the two halves.
//!
//! The parsing is ammonia's (html5ever), so malformed markup, entities and hostile attributes are handled by
//! a real HTML parser. The plain text is then read off the sanitizer's own serialised output, whose shape is
//! known (every `<` opens a tag, attributes are double-quoted, text holds only `&amp; &lt; &gt; &nbsp;`).

use std::cell::RefCell;
use std::sync::LazyLock;

/// Tags kept for display. Structure and emphasis only: no images, media, forms, styles or frames; the only
/// attribute kept is a link's `href`.
const ALLOWED: &[&str] = &[
    "a",
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "sub",
    "sup",
    "div",
    "span",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "header",
    "footer",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
];
/// Kept elements whose start or end is a line break in plain text.
const BLOCKS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "dt",
    "dd",
    "figcaption",
    "table",
    "figure",
    "dl",
];
/// Elements whose content is never text a person reads.
const DROPPED: &[&str] =
    &["script", "style", "template", "noscript", "title", "head", "svg", "math", "iframe", "object"];

fn builder(base_url: Option<&url::Url>) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(ALLOWED.iter().copied().collect())
        .clean_content_tags(DROPPED.iter().copied().collect())
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    match base_url {
        Some(base) => builder.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone())),
        None => builder.url_relative(ammonia::UrlRelative::Deny),
    };
    builder
}

// Building a sanitizer costs more than using it: keep one without a base, and on each thread the last one
// made for a base (the entries of one feed share it).
static WITHOUT_BASE: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| builder(None));
thread_local! {
    static WITH_BASE: RefCell<Option<(url::Url, ammonia::Builder<'static>)>> = const { RefCell::new(None) };
}

/// A fragment of remote HTML, made safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitized HTML.
    pub html: String,
    /// Plain text: entities decoded, scripts and styles dropped, blocks on their own lines.
    pub text: String,
}

/// Parses `html` once; relative links resolve against `base_url`, or are dropped without one.
pub fn render(html: &str, base_url: Option<&url::Url>) -> Rendered {
    let clean = match base_url {
        None => WITHOUT_BASE.clean(html).to_string(),
        Some(base) => WITH_BASE.with(|cell| {
            let mut cached = cell.borrow_mut();
            if cached.as_ref().is_none_or(|(b, _)| b != base) {
                *cached = Some((base.clone(), builder(Some(base))));
            }
            cached.as_ref().map(|(_, b)| b.clean(html).to_string()).unwrap_or_default()
        }),
    };
    let text = text_of_clean(&clean);
    Rendered { html: clean.trim().to_string(), text }
}

/// The display allowlist applied to `html`.
pub fn sanitize(html: &str, base_url: Option<&url::Url>) -> String {
    render(html, base_url).html
}

/// Plain text of an HTML fragment.
pub fn to_text(html: &str) -> String {
    render(html, None).text
}

/// Reads the text off sanitized, serialised HTML: tags skipped (a block tag becomes a line break),
/// the serialiser's entities decoded.
fn text_of_clean(clean: &str) -> String {
    let mut raw = String::with_capacity(clean.len());
    let mut rest = clean;
    while let Some(open) = rest.find('<') {
        raw.push_str(&rest[..open]);
        let tag = &rest[open + 1..];
        // Attribute values are double-quoted and may hold '>': the tag ends at the first '>' outside quotes.
        let mut in_quotes = false;
        let end = tag
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    in_quotes = !in_quotes;
                }
                c == '>' && !in_quotes
            })
            .map_or(tag.len(), |(i, _)| i + 1);
        let name: String =
            tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>();
        if BLOCKS.contains(&name.to_ascii_lowercase().as_str()) {
            raw.push('\n');
        }
        rest = &tag[end..];
    }
    raw.push_str(rest);
    let decoded = raw.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ").replace("&amp;", "&");
    tidy_lines(&decoded)
}

/// Elements whose text a parser drops, keeps as raw markup or moves elsewhere (a table fosters stray text
/// out in front of it): markup holding one is never read by [`characters_outside_tags`].
const NOT_READ_CHEAPLY: &[&str] = &[
    "script",
    "style",
    "template",
    "noscript",
    "title",
    "head",
    "svg",
    "math",
    "iframe",
    "object",
    "textarea",
    "xmp",
    "plaintext",
    "noembed",
    "noframes",
    "table",
    "select",
    "frameset",
];

/// The characters of `markup` outside its tags, in order, without parsing it: every word of the text
/// [`render`] would give is then a run of consecutive characters here (tags between its letters
/// removed). It lets a caller rule an item out before rendering it. `None` whenever that could be untrue:
/// an entity or NUL, a comment or doctype, an element from [`NOT_READ_CHEAPLY`], a tag that never ends.
pub fn characters_outside_tags(markup: &str) -> Option<String> {
    if markup.contains(['&', '\0']) {
        return None;
    }
    let bytes = markup.as_bytes();
    let mut out = String::with_capacity(markup.len());
    let (mut from, mut copied) = (0, 0);
    while let Some(found) = markup[from..].find('<') {
        let open = from + found;
        let closing = bytes.get(open + 1) == Some(&b'/');
        let name_start = open + 1 + usize::from(closing);
        match bytes.get(name_start) {
            Some(c) if c.is_ascii_alphabetic() => {}
            // `</>`, `</ x`, `<!--`, `<?`: ignored or read as comments by a parser.
            _ if closing => return None,
            Some(b'!' | b'?') => return None,
            // A `<` that opens no tag is text.
            _ => {
                from = open + 1;
                continue;
            }
        }
        let name_end = markup[name_start..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .map_or(markup.len(), |i| name_start + i);
        if NOT_READ_CHEAPLY.iter().any(|n| markup[name_start..name_end].eq_ignore_ascii_case(n)) {
            return None;
        }
        let end = tag_end(bytes, name_end)?;
        out.push_str(&markup[copied..open]);
        from = end + 1;
        copied = from;
    }
    out.push_str(&markup[copied..]);
    Some(out)
}

/// Where a tag whose name ends at `at` closes (the index of its `>`), reading its attributes as the HTML
/// tokenizer does, so a `>` inside a quoted value does not end it. `None` if it never closes.
fn tag_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    #[derive(Clone, Copy)]
    enum State {
        BeforeName,
        Name,
        AfterName,
        BeforeValue,
        Unquoted,
    }
    let mut state = State::BeforeName;
    loop {
        let c = *bytes.get(at)?;
        state = match (state, c) {
            (_, b'>') => return Some(at),
            (State::BeforeValue, b'"' | b'\'') => {
                let close = bytes[at + 1..].iter().position(|&b| b == c)?;
                at += close + 1;
                State::BeforeName
            }
            (State::Unquoted, c) if c.is_ascii_whitespace() => State::BeforeName,
            (State::Unquoted, _) => State::Unquoted,
            (State::BeforeValue, c) if c.is_ascii_whitespace() => State::BeforeValue,
            (State::BeforeValue, _) => State::Unquoted,
            (State::Name | State::AfterName, b'=') => State::BeforeValue,
            (State::Name, c) if c.is_ascii_whitespace() => State::AfterName,
            (State::AfterName | State::BeforeName, c) if c.is_ascii_whitespace() => state,
            (_, b'/') => State::BeforeName,
            // Any other byte, `=` included when no name comes before it, is part of an attribute name.
            _ => State::Name,
        };
        at += 1;
    }
}

/// Collapses spaces within lines and blank lines between them, and trims the ends.
pub fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(&words.join(" "));
    }
    out
}

/// Whether a string looks like HTML markup rather than plain text (feeds often don't say): a tag start
/// (`<` then a letter, `/` or `!`) with a `>` after it, or an entity.
pub fn looks_like_html(s: &str) -> bool {
    let bytes = s.as_bytes();
    let tag =
        bytes.windows(2).position(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'));
    tag.is_some_and(|at| s[at..].contains('>'))
        || ["&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&#"].iter().any(|e| s.contains(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_dangerous_links_never_survive_sanitizing() {
        let hostile = r#"<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">a</a>
            <img src=x onerror=alert(1)><iframe src="https://evil"></iframe><style>body{}</style>
            <a href="https://ok.example/">ok</a><svg><script>alert(2)</script></svg></p>"#;
        let safe = sanitize(hostile, None);
        for bad in ["script", "onclick", "javascript", "onerror", "<img", "iframe", "style", "svg", "alert"] {
            assert!(!safe.contains(bad), "{bad} in {safe}");
        }
        assert!(safe.contains(r#"<a href="https://ok.example/" rel="noopener noreferrer nofollow">ok</a>"#), "{safe}");
    }

    #[test]
    fn relative_links_resolve_against_the_page_or_are_dropped() {
        let base = url::Url::parse("https://blog.example/posts/1").unwrap();
        assert!(sanitize(r#"<a href="/about">a</a>"#, Some(&base)).contains("https://blog.example/about"));
        assert!(!sanitize(r#"<a href="/about">a</a>"#, None).contains("href"));
    }

    #[test]
    fn text_keeps_words_apart_across_blocks_and_decodes_entities() {
        let text =
            to_text("<p>Fish &amp; chips&nbsp;at <b>Spoke</b></p><p>2 &lt; 3</p>line<br>break<script>x</script>");
        assert_eq!(text, "Fish & chips at Spoke\n\n2 < 3\nline\nbreak");
    }

    #[test]
    fn characters_outside_tags_hold_every_word_of_the_rendered_text() {
        let words = |text: &str| {
            text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect::<Vec<_>>()
        };
        for markup in [
            "<p>Spoke <b>and</b> Chain</p><p>next</p>",
            "sp<b>oke</b> chain<br>x",
            r#"<a href="https://x.example/?a>b" title='c>d'>link</a>tail"#,
            "<a href=x>y</a>z <3 a < b",
            "<div class=x/>one<span a = \"q>r\" b>two</span></div>",
        ] {
            let cheap = characters_outside_tags(markup).unwrap_or_else(|| panic!("{markup} was not read"));
            for word in words(&to_text(markup)) {
                assert!(cheap.contains(&word), "{word:?} of {markup:?} is not in {cheap:?}");
            }
        }
        assert_eq!(characters_outside_tags("<p>Spoke <b>and</b></p>").as_deref(), Some("Spoke and"));
    }

    #[test]
    fn generated_markup_read_cheaply_never_loses_a_word() {
        const PIECES: &[&str] = &[
            "sp",
            "oke",
            "Zoë",
            " ",
            "\n",
            "<b>",
            "</b>",
            "<p>",
            "</p>",
            "<br/>",
            "<div class=x>",
            "</div>",
            "<",
            ">",
            "=",
            "\"",
            "'",
            "/",
            "<a href=\"u>v\">",
            "<a href='u>v'>",
            "</a>",
            "<i title=a\"b>",
            "<span x = y>",
            "</span>",
            "<ul><li>",
            "<3",
            "a<b",
            "<em/>",
            "<img src=x>",
            "<p =\"x>\">",
            "<P>",
            "</p >",
            "<br\n>",
            "<a\nhref='x'>",
            "<b\tclass=\"y\">",
            "<é",
            "<a b='x'c>",
            "<a/b='>'>",
            "<tr>",
            "<td>",
            "</td>",
            "<pre>\n",
            "<button>",
            "<applet>",
            "ß",
            "İ",
            "Ω",
            "北京",
        ];
        let mut rng = crate::demo::Seeded::new(7);
        for _ in 0..5_000 {
            let n = rng.between(1, 12) as usize;
            let markup: String =
                (0..n).map(|_| PIECES[rng.between(0, PIECES.len() as i64 - 1) as usize]).collect::<Vec<_>>().concat();
            let Some(cheap) = characters_outside_tags(&markup) else { continue };
            let cheap = crate::text::fold(&cheap);
            let text = crate::text::fold(&to_text(&markup));
            for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                assert!(cheap.contains(word), "{word:?} of {markup:?} is not in {cheap:?}");
            }
        }
    }

    #[test]
    fn markup_a_parser_reads_differently_is_never_read_cheaply() {
        for markup in [
            "Fish &amp; chips",
            "sp<!-- x -->oke",
            "sp<script>x</script>oke",
            "<TABLE>sp<tr><td>x</td></tr>oke</TABLE>",
            "sp</ >oke",
            "<a href=\"never closed>spoke",
            "<b",
            "sp\0oke",
            "<?php echo 1 ?>",
        ] {
            assert_eq!(characters_outside_tags(markup), None, "{markup}");
        }
    }

    #[test]
    fn text_of_plain_text_is_the_text_itself() {
        assert_eq!(to_text("  just   words \n\n\n here "), "just words\n\nhere");
        assert_eq!(to_text("a < b and c > d"), "a < b and c > d");
    }

    #[test]
    fn markup_is_recognised_in_text_that_does_not_declare_it() {
        assert!(looks_like_html("<img src=x>Hi"));
        assert!(looks_like_html("Fish &amp; chips"));
        assert!(!looks_like_html("a < b and c > d"));
        assert!(!looks_like_html("plain words"));
    }

    #[test]
    fn one_parse_gives_the_safe_html_and_its_text() {
        let base = url::Url::parse("https://blog.example/post/").unwrap();
        let r = render(r#"<div>Go <a href="x?a>b" onclick="y()">here</a></div><div>next</div>"#, Some(&base));
        assert_eq!(r.text, "Go here\n\nnext");
        assert!(
            r.html.contains(r#"href="https://blog.example/post/x?a%3Eb""#) || r.html.contains("x?a>b"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("onclick"));
    }

    #[test]
    fn deeply_nested_or_broken_markup_still_yields_text() {
        let deep = "<div>".repeat(2_000) + "deep" + &"</div>".repeat(2_000);
        assert_eq!(to_text(&deep), "deep");
        assert_eq!(to_text("<p>unclosed <b>bold <i>mess"), "unclosed bold mess");
    }
}
