//! What the trained model reads in a text: hashed words and word pairs, and a few dense signals (the three
//! sentiment lexicons, the intent cue phrases, punctuation, length).
//!
//! The trainer (`crates/train`) and the app read texts through this one function, so what was learned is
//! what is looked up. Any change to what is extracted here must bump [`FEATURE_VERSION`]: the weights file
//! records the version it was trained on, and a mismatch fails the model's tests instead of scoring noise.
//!
//! Words are lower-cased and stripped of apostrophes; addresses, handles and numbers become one token each,
//! so "@sam" and "@alex" teach the same thing. A word after a negation ("not", "never", "don't") up to the
//! next punctuation is a different feature ("!good"), the classic negation scope; pairs are read as written.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::{intent, sentiment};

/// Bumped whenever the extraction changes; the weights file must carry the same number.
pub const FEATURE_VERSION: u32 = 2;
/// Hashed features fall into this many buckets (a power of two).
pub const BUCKETS: usize = 1 << 18;
/// At most this many words of one text are read: a mention is short, a pasted essay is not worth more.
const MAX_WORDS: usize = 256;

/// The dense signals, in the order of [`Features::dense`].
pub const DENSE_NAMES: [&str; DENSE] = [
    "VADER score",
    "VADER positive words",
    "VADER negative words",
    "AFINN positive words",
    "AFINN negative words",
    "Bing positive words",
    "Bing negative words",
    "a question mark",
    "an exclamation mark",
    "a buying phrase",
    "a complaint phrase",
    "a question phrase",
    "a praise phrase",
    "an idea phrase",
    "a life-event phrase",
    "length",
    "a link",
    "emphasis (! with the lexicon's polarity)",
];
pub const DENSE: usize = 18;

const AFINN: &str = include_str!("../../data/afinn/AFINN-en-165.txt");
const AFINN_EMOTICONS: &str = include_str!("../../data/afinn/AFINN-emoticon-8.txt");
const BING: &str = include_str!("../../data/bing/opinion-lexicon.txt");

const NEGATIONS: &[&str] = &[
    "not", "no", "never", "nothing", "nobody", "none", "nor", "neither", "nowhere", "cannot", "cant", "dont", "doesnt",
    "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt", "shouldnt", "couldnt", "havent", "hasnt", "hadnt",
    "aint", "without",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Bucket of each word and pair, in reading order (a repeated word appears twice).
    pub hashed: Vec<u32>,
    pub dense: [f32; DENSE],
}

struct Lexicons {
    afinn: FxHashMap<&'static str, i8>,
    afinn_phrases: Vec<(&'static str, i8)>,
    bing: FxHashMap<&'static str, bool>,
}

fn lexicons() -> &'static Lexicons {
    static LEX: OnceLock<Lexicons> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut afinn = FxHashMap::default();
        let mut afinn_phrases = Vec::new();
        for line in AFINN.lines().chain(AFINN_EMOTICONS.lines()) {
            let Some((word, score)) = line.rsplit_once('\t') else { continue };
            let Ok(score) = score.trim().parse::<i8>() else { continue };
            if word.contains(' ') || !word.chars().all(|c| c.is_alphanumeric() || c == '\'' || c == '-') {
                afinn_phrases.push((word, score));
            } else {
                afinn.insert(word, score);
            }
        }
        let bing = BING
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(word, polarity)| (word, polarity == "positive"))
            .collect();
        Lexicons { afinn, afinn_phrases, bing }
    })
}

/// One word of the text as the features see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    pub text: String,
    /// Inside a negation's scope.
    pub negated: bool,
}

fn is_negation(w: &str) -> bool {
    NEGATIONS.contains(&w)
}

/// A pictograph or other symbol that stands for a word (emoji, ♥, ✔).
fn is_symbol(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_ascii() && !matches!(c, '\u{2000}'..='\u{206F}' | '\u{FE0F}')
}

/// The words of `text`, in order, with their negation scope; `?` and `!` are words too.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut negated = false;
    for raw in text.split_whitespace() {
        if out.len() >= MAX_WORDS {
            break;
        }
        let lower = raw.to_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") {
            out.push(Word { text: "_link_".into(), negated: false });
            continue;
        }
        if lower.starts_with('@') && lower.len() > 1 {
            out.push(Word { text: "_handle_".into(), negated: false });
            continue;
        }
        let mut current = String::new();
        let flush = |current: &mut String, out: &mut Vec<Word>, negated: &mut bool| {
            if current.is_empty() {
                return;
            }
            let text =
                if current.chars().all(|c| c.is_ascii_digit()) { "_number_".to_owned() } else { current.clone() };
            let negates = is_negation(&text);
            out.push(Word { negated: *negated && !negates, text });
            if negates {
                *negated = true;
            }
            current.clear();
        };
        for c in lower.chars() {
            if c.is_alphanumeric() {
                current.push(c);
            } else if c == '\'' || c == '\u{2019}' {
                // "don't" is read as "dont": one spelling whatever the apostrophe.
            } else {
                flush(&mut current, &mut out, &mut negated);
                match c {
                    '?' | '!' => {
                        if out.last().is_none_or(|w| w.text != c.to_string()) {
                            out.push(Word { text: c.to_string(), negated: false });
                        }
                        negated = false;
                    }
                    '.' | ',' | ';' | ':' => negated = false,
                    c if is_symbol(c) => out.push(Word { text: c.to_string(), negated: false }),
                    _ => {}
                }
            }
        }
        flush(&mut current, &mut out, &mut negated);
    }
    out
}

/// FNV-1a, 64 bits: stable across platforms and releases, unlike the standard hasher.
fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn bucket(parts: &[&str]) -> u32 {
    let h = fnv(parts);
    ((h ^ (h >> 29)) as usize & (BUCKETS - 1)) as u32
}

/// Calls `each(bucket, name)` for every hashed feature of the words; `name` is built only when `named`.
fn each_hashed(words: &[Word], named: bool, mut each: impl FnMut(u32, Option<String>)) {
    for w in words {
        if w.negated {
            each(bucket(&["!", &w.text]), named.then(|| format!("not … {}", w.text)));
        } else {
            each(bucket(&[&w.text]), named.then(|| w.text.clone()));
        }
    }
    let start = Word { text: "_start_".into(), negated: false };
    let mut previous = &start;
    for w in words {
        each(
            bucket(&[&previous.text, &w.text]),
            named.then(|| {
                if previous.text == "_start_" {
                    format!("{} (first word)", w.text)
                } else {
                    format!("{} {}", previous.text, w.text)
                }
            }),
        );
        previous = w;
    }
}

/// The features of `text`.
pub fn extract(text: &str) -> Features {
    extract_read(text, &sentiment::read(text))
}

/// The features of `text` whose lexicon reading is already known.
pub fn extract_read(text: &str, reading: &sentiment::Reading) -> Features {
    let words = words(text);
    let mut hashed = Vec::with_capacity(words.len() * 2);
    each_hashed(&words, false, |b, _| hashed.push(b));
    Features { hashed, dense: dense(text, &words, reading) }
}

/// The features of `text` (whose lexicon reading is known) with a readable name for each hashed one, for
/// explanations.
pub fn extract_named(text: &str, reading: &sentiment::Reading) -> (Features, Vec<String>) {
    let words = words(text);
    let mut hashed = Vec::with_capacity(words.len() * 2);
    let mut names = Vec::with_capacity(words.len() * 2);
    each_hashed(&words, true, |b, name| {
        hashed.push(b);
        names.push(name.unwrap_or_default());
    });
    (Features { hashed, dense: dense(text, &words, reading) }, names)
}

/// Squashes a count or a sum into (-1, 1) so no single signal dominates a long text.
fn squash(x: f64, scale: f64) -> f32 {
    (x / scale).tanh() as f32
}

fn dense(text: &str, words: &[Word], reading: &sentiment::Reading) -> [f32; DENSE] {
    let lex = lexicons();
    let (mut afinn_pos, mut afinn_neg, mut bing_pos, mut bing_neg) = (0.0, 0.0, 0.0, 0.0);
    for w in words {
        let flip = if w.negated { -1.0 } else { 1.0 };
        if let Some(score) = lex.afinn.get(w.text.as_str()) {
            let s = f64::from(*score) * flip;
            if s > 0.0 {
                afinn_pos += s;
            } else {
                afinn_neg -= s;
            }
        }
        if let Some(positive) = lex.bing.get(w.text.as_str()) {
            if *positive != w.negated {
                bing_pos += 1.0;
            } else {
                bing_neg += 1.0;
            }
        }
    }
    for (phrase, score) in &lex.afinn_phrases {
        if text.contains(phrase) {
            let s = f64::from(*score);
            if s > 0.0 {
                afinn_pos += s;
            } else {
                afinn_neg -= s;
            }
        }
    }
    let cues = intent::cues_in(text);
    let flag = |on: bool| if on { 1.0 } else { 0.0 };
    [
        reading.compound as f32,
        squash(reading.positive, 4.0),
        squash(-reading.negative, 4.0),
        squash(afinn_pos, 6.0),
        squash(afinn_neg, 6.0),
        squash(bing_pos, 2.0),
        squash(bing_neg, 2.0),
        flag(text.contains('?') || text.contains('\u{FF1F}')),
        flag(text.contains('!')),
        flag(cues.lead),
        flag(cues.complaint),
        flag(cues.question),
        flag(cues.praise),
        flag(cues.idea),
        flag(cues.trigger),
        ((words.len() as f32) + 1.0).ln() / 5.0,
        flag(words.iter().any(|w| w.text == "_link_")),
        // "!" strengthens whatever the words say, as in VADER: on its own it says nothing about polarity.
        (reading.compound * (text.matches('!').count().min(3) as f64 / 3.0)) as f32,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(String, bool)> {
        words(text).into_iter().map(|w| (w.text, w.negated)).collect()
    }

    #[test]
    fn negation_reaches_to_the_next_punctuation_only() {
        let w = texts("I don't like the new menu, but the staff are great!");
        assert!(w.contains(&("like".into(), true)));
        assert!(w.contains(&("menu".into(), true)));
        assert!(w.contains(&("great".into(), false)));
        assert!(w.contains(&("!".into(), false)));
    }

    #[test]
    fn apostrophes_links_handles_and_numbers_read_as_one_spelling() {
        assert_eq!(texts("Don’t"), texts("don't"));
        let w = texts("@sam see https://example.com/x order 1234");
        assert_eq!(
            w.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
            ["_handle_", "see", "_link_", "order", "_number_"]
        );
    }

    #[test]
    fn emoji_are_words() {
        let w = texts("great coffee😍");
        assert_eq!(w.last().unwrap().0, "😍");
    }

    #[test]
    fn the_same_text_always_gives_the_same_buckets() {
        // Pinned: the weights file was trained on these exact buckets; a change here needs FEATURE_VERSION bumped.
        assert_eq!(bucket(&["coffee"]), bucket(&["coffee"]));
        assert_eq!(fnv(&["a"]), 0xaf63_dc4c_8601_ec8c);
        let f = extract("Great coffee, thanks!");
        assert_eq!(f.hashed.len(), 2 * 4);
        assert!(f.dense[0] > 0.5, "VADER reads it as positive");
        assert_eq!(f.dense[8], 1.0, "exclamation mark");
    }

    #[test]
    fn lexicons_count_words_and_flip_negated_ones() {
        let happy = extract("a wonderful friendly shop");
        let unhappy = extract("not a wonderful shop");
        assert!(happy.dense[3] > 0.0 && happy.dense[5] > 0.0);
        assert!(unhappy.dense[4] > 0.0 && unhappy.dense[6] > 0.0, "{:?}", unhappy.dense);
    }

    #[test]
    fn names_follow_the_buckets_one_for_one() {
        let (f, names) = extract_named("never again", &sentiment::read("never again"));
        assert_eq!(f.hashed.len(), names.len());
        assert!(names.contains(&"not … again".to_owned()), "{names:?}");
        assert!(names.contains(&"never (first word)".to_owned()), "{names:?}");
    }
}
