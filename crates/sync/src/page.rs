//! What a web page says about itself: its title and description (Open Graph, else the HTML `<title>` and
//! meta description), for capturing a mention from a bare link. The page is parsed by html5ever (scraper)
//! and only attribute values and text are read from it.

use scraper::{Html, Selector};

use crate::{Fetcher, Request};

/// Largest page read for its summary.
pub const PAGE_CAP: usize = 2 * 1024 * 1024;
const FIELD_CAP: usize = 2_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageSummary {
    pub title: Option<String>,
    pub description: Option<String>,
    pub site: Option<String>,
}

fn first(doc: &Html, selectors: &[(&str, Option<&str>)]) -> Option<String> {
    selectors.iter().find_map(|(css, attr)| {
        let selector = Selector::parse(css).ok()?;
        doc.select(&selector).find_map(|el| {
            let value = match attr {
                Some(attr) => el.value().attr(attr)?.to_string(),
                None => el.text().collect::<String>(),
            };
            let value = earshot_core::html::tidy_lines(&value).replace('\n', " ");
            (!value.is_empty()).then(|| earshot_core::text::truncate_chars(&value, FIELD_CAP))
        })
    })
}

/// Reads the title, description and site name out of an HTML document.
pub fn summarize(html: &str) -> PageSummary {
    let doc = Html::parse_document(html);
    PageSummary {
        title: first(
            &doc,
            &[
                ("meta[property=\"og:title\"]", Some("content")),
                ("meta[name=\"twitter:title\"]", Some("content")),
                ("title", None),
            ],
        ),
        description: first(
            &doc,
            &[
                ("meta[property=\"og:description\"]", Some("content")),
                ("meta[name=\"description\"]", Some("content")),
                ("meta[name=\"twitter:description\"]", Some("content")),
            ],
        ),
        site: first(&doc, &[("meta[property=\"og:site_name\"]", Some("content"))]),
    }
}

/// Fetches `url` and summarizes it. Errors name the address and say what went wrong.
pub async fn fetch_summary(fetcher: &Fetcher, url: &str) -> Result<PageSummary, String> {
    let fetched = fetcher.send(url, PAGE_CAP, Request::default()).await.map_err(|e| e.to_string())?;
    if !(200..300).contains(&fetched.status) {
        return Err(format!("{url}: the page answered HTTP {}", fetched.status));
    }
    Ok(summarize(&String::from_utf8_lossy(&fetched.body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_graph_wins_and_the_title_is_the_fallback() {
        let page = r#"<html><head><title>Shop &amp; more</title>
            <meta property="og:title" content="Spoke &amp; Chain review">
            <meta name="description" content="  Best   bike shop
              in Leeds ">
            <meta property="og:site_name" content="Yelp"></head><body>x</body></html>"#;
        let s = summarize(page);
        assert_eq!(s.title.as_deref(), Some("Spoke & Chain review"));
        assert_eq!(s.description.as_deref(), Some("Best bike shop in Leeds"));
        assert_eq!(s.site.as_deref(), Some("Yelp"));
        assert_eq!(summarize("<title>Only a title</title>").title.as_deref(), Some("Only a title"));
    }

    #[test]
    fn hostile_pages_give_text_only() {
        let s = summarize("<title><script>alert(1)</script>Hi</title><meta name=description content='<b>x</b>'>");
        assert_eq!(s.title.as_deref(), Some("<script>alert(1)</script>Hi"), "a title's content is text, never markup");
        assert_eq!(summarize("").title, None);
        assert_eq!(summarize("\u{0}<<<>>>").description, None);
    }
}
