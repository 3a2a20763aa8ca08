//! Remote HTML, made safe: [`sanitize`] keeps a small allowlist for display where no script can run, and
//! [`to_text`] turns any HTML into plain text for matching, search and the default view.
//!
//! Both go through ammonia (html5ever), so malformed markup, entities and hostile attributes are handled by a
//! real HTML parser, never by hand-written tag stripping of the raw input.

use std::collections::HashSet;

/// Elements whose start or end is a line break in plain text.
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
];
/// Elements whose content is never text a person reads.
const DROPPED: &[&str] =
    &["script", "style", "template", "noscript", "title", "head", "svg", "math", "iframe", "object"];

/// The display allowlist: text structure and links, no images, media, forms, styles or frames.
pub fn sanitize(html: &str, base_url: Option<&url::Url>) -> String {
    let tags: HashSet<&str> = [
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
    ]
    .into_iter()
    .collect();
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(tags)
        .clean_content_tags(DROPPED.iter().copied().collect())
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    match base_url {
        Some(base) => builder.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone())),
        None => builder.url_relative(ammonia::UrlRelative::Deny),
    };
    builder.clean(html).to_string().trim().to_string()
}

/// Plain text of an HTML fragment: entities decoded, scripts and styles dropped, block elements on their own
/// lines, runs of spaces collapsed.
pub fn to_text(html: &str) -> String {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(BLOCKS.iter().copied().collect())
        .clean_content_tags(DROPPED.iter().copied().collect())
        .strip_comments(true);
    let cleaned = builder.clean(html).to_string();
    // The sanitizer's output is serialised HTML: every `<` starts one of the block tags above and text holds
    // only the entities the serialiser writes, so a simple scan is exact here.
    let mut raw = String::with_capacity(cleaned.len());
    let mut rest = cleaned.as_str();
    while let Some(open) = rest.find('<') {
        raw.push_str(&rest[..open]);
        let close = rest[open..].find('>').map_or(rest.len(), |i| open + i + 1);
        raw.push('\n');
        rest = &rest[close..];
    }
    raw.push_str(rest);
    let decoded = raw.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ").replace("&amp;", "&");
    tidy_lines(&decoded)
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
    fn deeply_nested_or_broken_markup_still_yields_text() {
        let deep = "<div>".repeat(2_000) + "deep" + &"</div>".repeat(2_000);
        assert_eq!(to_text(&deep), "deep");
        assert_eq!(to_text("<p>unclosed <b>bold <i>mess"), "unclosed bold mess");
    }
}
