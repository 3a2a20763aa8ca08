//! Listening queries: what the owner asks Earshot to listen for, in a syntax a non-technical person can type
//! and a power user can stretch.
//!
//! - `spoke chain` — both words, anywhere in the text (whole words, any case, any accents);
//! - `"spoke and chain"` — the exact phrase;
//! - `bike OR bicycle OR cycling` — any of them (`OR` in capitals; it binds tighter than the space, so
//!   `repair bike OR bicycle` means repair and (bike or bicycle));
//! - `-job -"for sale"` — leave out items with that word or phrase;
//! - `cycl*` — any word starting with "cycl".
//!
//! Words are compared after folding (case, accents, transliteration) and split on anything that is not a
//! letter or digit, so `spokeandchain.com`, `@spokeandchain` and `#SpokeAndChain` are phrases of their
//! pieces and find the same pieces in a text. Matching is linear in the text; nothing here backtracks.

crate::closed_set::closed_set! {
    /// What a listening query is about.
    pub enum QueryKind("kind of query") {
        /// The owner's own business.
        Brand = "brand",
        Competitor = "competitor",
        Industry = "industry",
    }
}

use std::fmt;

use crate::text::fold;

/// A short name for what a query listens for, to show where it stands for a brand on the dashboard: its
/// first alternative without quotes (`"Gearbox Cycles" OR gearbox` is "Gearbox Cycles").
pub fn label(input: &str) -> String {
    let first = input.split(" OR ").next().unwrap_or(input).trim();
    let unquoted = first.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(first).trim();
    if unquoted.is_empty() {
        input.trim().to_string()
    } else {
        unquoted.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query is empty: type a word, a name or an \"exact phrase\" to listen for")]
    Empty,
    #[error("the query only leaves things out: add at least one word to listen for")]
    OnlyExclusions,
    #[error("OR needs a word on each side, as in: bike OR bicycle")]
    DanglingOr,
}

/// One piece of a phrase: a whole word, or a word prefix (`cycl*`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Word(String),
    Prefix(String),
}

impl Piece {
    fn matches(&self, token: &str) -> bool {
        match self {
            Piece::Word(w) => w == token,
            Piece::Prefix(p) => token.starts_with(p.as_str()),
        }
    }
}

/// A word or an exact phrase: consecutive pieces that must appear in order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Phrase(Vec<Piece>);

impl Phrase {
    fn parse(raw: &str, allow_prefix: bool) -> Phrase {
        let folded = fold(raw);
        let prefix_last = allow_prefix && raw.ends_with('*');
        let words: Vec<&str> = tokens(&folded).map(|(s, e)| &folded[s..e]).collect();
        let last = words.len().saturating_sub(1);
        Phrase(
            words
                .iter()
                .enumerate()
                .map(
                    |(i, w)| {
                        if prefix_last && i == last {
                            Piece::Prefix(w.to_string())
                        } else {
                            Piece::Word(w.to_string())
                        }
                    },
                )
                .collect(),
        )
    }

    /// Whether every piece at least occurs in the folded text as a substring: true whenever the phrase is
    /// found, and false for most texts, cheaply.
    fn pieces_occur_in(&self, folded: &str) -> bool {
        self.0.iter().all(|p| match p {
            Piece::Word(w) | Piece::Prefix(w) => folded.contains(w.as_str()),
        })
    }

    fn found_in(&self, text: &MatchText) -> bool {
        let n = self.0.len();
        self.pieces_occur_in(&text.folded)
            && n > 0
            && text.words().windows(n).any(|w| self.0.iter().zip(w).all(|(p, &range)| p.matches(text.word(range))))
    }
}

/// A parsed listening query: every group must match (at least one phrase of each group), and no excluded
/// phrase may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    groups: Vec<Vec<Phrase>>,
    excluded: Vec<Phrase>,
}

/// The raw lexical items of a query string.
#[derive(Debug, PartialEq)]
enum Item<'a> {
    Term { text: &'a str, quoted: bool, negated: bool },
    Or,
}

fn lex(input: &str) -> Vec<Item<'_>> {
    let mut items = Vec::new();
    let mut rest = input.trim_start();
    while !rest.is_empty() {
        let negated = rest.starts_with('-') && rest.len() > 1 && !rest[1..].starts_with(char::is_whitespace);
        let body = if negated { &rest[1..] } else { rest };
        let (item, after) = if let Some(inner) = body.strip_prefix('"') {
            // An unclosed quote runs to the end: what the person meant is clear enough.
            let end = inner.find('"').unwrap_or(inner.len());
            let after = inner.get(end + 1..).unwrap_or("");
            (Item::Term { text: &inner[..end], quoted: true, negated }, after)
        } else {
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            let word = &body[..end];
            let item =
                if word == "OR" && !negated { Item::Or } else { Item::Term { text: word, quoted: false, negated } };
            (item, &body[end..])
        };
        items.push(item);
        rest = after.trim_start();
    }
    items
}

impl Query {
    pub fn parse(input: &str) -> Result<Query, QueryError> {
        let items = lex(input);
        if items.is_empty() {
            return Err(QueryError::Empty);
        }
        let mut groups: Vec<Vec<Phrase>> = Vec::new();
        let mut excluded = Vec::new();
        let mut join_next = false;
        for (i, item) in items.iter().enumerate() {
            match item {
                Item::Or => {
                    let before_is_positive =
                        matches!(items.get(i.wrapping_sub(1)), Some(Item::Term { negated: false, .. }));
                    let after_is_positive = matches!(items.get(i + 1), Some(Item::Term { negated: false, .. }));
                    if !before_is_positive || !after_is_positive {
                        return Err(QueryError::DanglingOr);
                    }
                    join_next = true;
                }
                Item::Term { text, quoted, negated } => {
                    let phrase = Phrase::parse(text, !quoted);
                    if phrase.0.is_empty() {
                        // Punctuation alone ("-", "#", "&") says nothing to match on.
                        join_next = false;
                        continue;
                    }
                    if *negated {
                        excluded.push(phrase);
                    } else if join_next && !groups.is_empty() {
                        groups.last_mut().expect("checked non-empty").push(phrase);
                    } else {
                        groups.push(vec![phrase]);
                    }
                    join_next = false;
                }
            }
        }
        if groups.is_empty() {
            return Err(if excluded.is_empty() { QueryError::Empty } else { QueryError::OnlyExclusions });
        }
        Ok(Query { groups, excluded })
    }

    /// Plain searches that together find what this query matches, for sources that search server-side
    /// (one per combination of `OR` alternatives, at most `limit`). Exclusions and prefixes are left to the
    /// local match that every fetched item still goes through.
    pub fn search_texts(&self, limit: usize) -> Vec<String> {
        let phrase = |p: &Phrase| {
            let words: Vec<&str> =
                p.0.iter()
                    .map(|piece| match piece {
                        Piece::Word(w) | Piece::Prefix(w) => w.as_str(),
                    })
                    .collect();
            if words.len() > 1 {
                format!("\"{}\"", words.join(" "))
            } else {
                words.join(" ")
            }
        };
        let mut combos: Vec<Vec<String>> = vec![Vec::new()];
        for group in &self.groups {
            combos = combos
                .iter()
                .flat_map(|c| group.iter().map(move |p| [c.clone(), vec![phrase(p)]].concat()))
                .take(limit)
                .collect();
        }
        combos.into_iter().map(|c| c.join(" ")).collect()
    }

    /// A quick rule-out on folded text: `false` only when no text whose words all occur in `folded` (as
    /// substrings, in any order) can match. Used before the costly work of turning markup into text.
    pub fn may_match(&self, folded: &str) -> bool {
        self.groups.iter().all(|group| group.iter().any(|p| p.pieces_occur_in(folded)))
    }

    pub fn matches(&self, text: &MatchText) -> bool {
        self.groups.iter().all(|group| group.iter().any(|p| p.found_in(text)))
            && !self.excluded.iter().any(|p| p.found_in(text))
    }
}

impl fmt::Display for Query {
    /// The normalised form of the query, as it is matched: folded words, quotes around phrases.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phrase = |p: &Phrase| {
            let words: Vec<String> =
                p.0.iter()
                    .map(|piece| match piece {
                        Piece::Word(w) => w.clone(),
                        Piece::Prefix(w) => format!("{w}*"),
                    })
                    .collect();
            if words.len() > 1 {
                format!("\"{}\"", words.join(" "))
            } else {
                words.join(" ")
            }
        };
        let mut parts: Vec<String> =
            self.groups.iter().map(|g| g.iter().map(phrase).collect::<Vec<_>>().join(" OR ")).collect();
        parts.extend(self.excluded.iter().map(|p| format!("-{}", phrase(p))));
        f.write_str(&parts.join(" "))
    }
}

/// Byte ranges of the words of an already folded text.
fn tokens(folded: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = None;
    let mut chars = folded.char_indices().chain(std::iter::once((folded.len(), ' ')));
    std::iter::from_fn(move || {
        for (i, c) in chars.by_ref() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    start = None;
                    return Some((s, i));
                }
                _ => {}
            }
        }
        None
    })
}

/// A text prepared once for matching against any number of queries.
#[derive(Debug, Clone)]
pub struct MatchText {
    folded: String,
    /// Word ranges, found on first use (most texts are ruled out before).
    words: std::sync::OnceLock<Vec<(u32, u32)>>,
}

impl MatchText {
    pub fn new(text: &str) -> MatchText {
        MatchText { folded: fold(text), words: std::sync::OnceLock::new() }
    }

    /// What an item is matched on: its title and its text (the title once, when the text starts with it).
    pub fn of(title: Option<&str>, text: &str) -> MatchText {
        match title {
            Some(t) if !text.starts_with(t) => MatchText::new(&format!("{t}\n{text}")),
            _ => MatchText::new(text),
        }
    }

    fn words(&self) -> &[(u32, u32)] {
        self.words.get_or_init(|| tokens(&self.folded).map(|(s, e)| (s as u32, e as u32)).collect())
    }

    fn word(&self, (start, end): (u32, u32)) -> &str {
        &self.folded[start as usize..end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(query: &str, text: &str) -> bool {
        Query::parse(query).unwrap().matches(&MatchText::new(text))
    }

    #[test]
    fn plain_words_must_all_appear_as_whole_words_in_any_case_and_accent() {
        assert!(hits("spoke chain", "Loved the new CHAIN from Spoke today"));
        assert!(!hits("spoke chain", "Loved the new chain today"));
        assert!(hits("cafe", "Best Café in town"));
        assert!(hits("zoë", "zoe was here"));
        assert!(!hits("bike", "my bikes are great"), "whole words only");
        assert!(!hits("art", "the party was fun"));
    }

    #[test]
    fn exact_phrases_need_the_words_together_and_in_order() {
        assert!(hits("\"spoke and chain\"", "Went to Spoke & Chain? No: Spoke and Chain, Leeds"));
        assert!(!hits("\"spoke and chain\"", "chain and spoke"));
        assert!(!hits("\"spoke and chain\"", "spoke and the chain"));
    }

    #[test]
    fn or_offers_alternatives_and_binds_tighter_than_the_space() {
        assert!(hits("repair bike OR bicycle", "bicycle repair done"));
        assert!(hits("repair bike OR bicycle", "bike repair done"));
        assert!(!hits("repair bike OR bicycle", "bike done"));
        assert!(hits("a OR b OR c", "just c"));
        assert!(hits("bike or bicycle", "bike or bicycle"), "lowercase or is a word");
        assert!(!hits("bike or bicycle", "bike bicycle"));
    }

    #[test]
    fn exclusions_leave_items_out() {
        assert!(hits("bike -sale", "bike repair"));
        assert!(!hits("bike -sale", "bike for SALE"));
        assert!(!hits("bike -\"for sale\"", "bike for sale"));
        assert!(hits("bike -\"for sale\"", "bike sale for you"));
        assert!(hits("well-known", "a well known shop"), "a dash inside a word is not an exclusion");
    }

    #[test]
    fn handles_domains_and_hashtags_match_their_pieces() {
        assert!(hits("@spokeandchain", "thanks @SpokeAndChain!"));
        assert!(hits("spokeandchain.com", "see https://spokeandchain.com/shop"));
        assert!(hits("#spokeandchain", "#SpokeAndChain rocks"));
        assert!(!hits("spokeandchain.com", "spokeandchain is a shop"));
    }

    #[test]
    fn the_quick_rule_out_never_rejects_a_text_the_query_matches() {
        let texts = ["bicycle repair done", "Spoke & Chain", "see https://spokeandchain.com/shop", "Cycling", "x"];
        for query in ["repair bike OR bicycle", "\"spoke and chain\"", "spokeandchain.com -sale", "cycl*", "y"] {
            let q = Query::parse(query).unwrap();
            for text in texts {
                let prepared = MatchText::new(text);
                if q.matches(&prepared) {
                    assert!(q.may_match(&fold(text)), "{query} rejected {text}");
                }
            }
        }
        let q = Query::parse("repair bike OR bicycle").unwrap();
        assert!(!q.may_match("bicycle shop"), "a group with no candidate rules the text out");
        assert!(q.may_match("bicyclerepair"), "pieces may run together: it is only a rule-out");
    }

    #[test]
    fn a_trailing_star_matches_word_prefixes() {
        assert!(hits("cycl*", "Cycling in the rain"));
        assert!(!hits("cycl*", "bicycle"));
        assert!(!hits("\"cycl*\"", "cycling"), "quoted stars are literal");
    }

    #[test]
    fn queries_that_say_nothing_are_refused_with_a_reason() {
        assert_eq!(Query::parse("   "), Err(QueryError::Empty));
        assert_eq!(Query::parse("- # &"), Err(QueryError::Empty));
        assert_eq!(Query::parse("-jobs"), Err(QueryError::OnlyExclusions));
        assert_eq!(Query::parse("OR bike"), Err(QueryError::DanglingOr));
        assert_eq!(Query::parse("bike OR"), Err(QueryError::DanglingOr));
        assert_eq!(Query::parse("bike OR -sale"), Err(QueryError::DanglingOr));
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end() {
        assert!(hits("\"spoke and chain", "at spoke and chain"));
    }

    #[test]
    fn the_normalised_form_shows_how_the_query_was_understood() {
        let q = Query::parse("Spoke  \"Café Central\" bike OR Bicycle -job cycl*").unwrap();
        assert_eq!(q.to_string(), "spoke \"cafe central\" bike OR bicycle cycl* -job");
    }

    #[test]
    fn server_searches_cover_each_alternative() {
        let q = Query::parse("\"spoke and chain\" bike OR bicycle -job").unwrap();
        assert_eq!(q.search_texts(4), vec!["\"spoke and chain\" bike", "\"spoke and chain\" bicycle"]);
        let many = Query::parse("a OR b OR c x OR y OR z").unwrap();
        assert_eq!(many.search_texts(4).len(), 4);
    }

    #[test]
    fn any_input_parses_or_fails_without_panicking() {
        for s in ["\"", "-\"", "-", "OR", "\"\"", "-\"\" x", "*", "a*b*", "ü-\"", "x OR OR y", "\u{0}"] {
            let _ = Query::parse(s).map(|q| q.matches(&MatchText::new(s)));
        }
    }
}
