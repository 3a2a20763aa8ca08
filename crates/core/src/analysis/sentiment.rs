//! Sentiment of short social text: a compound score in [-1, 1].
//!
//! The lexicon and the rules are VADER's (Hutto & Gilbert, "VADER: A Parsimonious Rule-based Model for
//! Sentiment Analysis of Social Media Text", ICWSM 2014; lexicon and emoji table under the MIT licence in
//! `data/vader/`): word valences, negation up to three words back, boosters and dampeners, ALL CAPS emphasis
//! when only some words shout, "but" shifting weight to what follows, "!" and "??" emphasis, emoticons, emoji
//! read as their names. The reference implementation's known slips are corrected here, because they change
//! scores on ordinary text:
//! - "but" weights are applied by position (the reference finds each score by value, so repeated scores
//!   are weighted twice and others not at all);
//! - "this"/"so" right before a word no longer boosts it unless "never" comes first (an operator-precedence
//!   slip that also skipped the three-words-back negation);
//! - idioms ("the shit", "yeah right", "to die for") apply wherever they stand, not only from the fourth word;
//! - typographic apostrophes count ("don’t" negates like "don't");
//! - stretched words ("sooo goooood") are read as the word and count as emphasis;
//! - an emoji glued to the next word no longer merges with it.

use std::borrow::Cow;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

const LEXICON: &str = include_str!("../../data/vader/vader_lexicon.txt");
const EMOJI: &str = include_str!("../../data/vader/emoji_utf8_lexicon.txt");

/// Mean rating change for a booster ("very") or dampener ("slightly").
const B_INCR: f64 = 0.293;
const B_DECR: f64 = -0.293;
/// Mean rating change for a word in ALL CAPS among lower-case words.
const C_INCR: f64 = 0.733;
/// A negated word keeps about three quarters of its valence, with the sign flipped.
const N_SCALAR: f64 = -0.74;
/// Normalisation constant: the compound score approaches ±1 as the raw sum grows past about ±4.
const ALPHA: f64 = 15.0;

const NEGATE: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

const BOOSTERS: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerable",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormous",
    "enormously",
    "entirely",
    "especially",
    "exceptional",
    "exceptionally",
    "extreme",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "frackin",
    "fracking",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fuckin",
    "fucking",
    "fuggin",
    "fugging",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredible",
    "incredibly",
    "intensely",
    "major",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "total",
    "totally",
    "tremendous",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utter",
    "utterly",
    "very",
];

const DAMPENERS: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "kinda",
    "kindof",
    "kind-of",
    "less",
    "little",
    "marginal",
    "marginally",
    "occasional",
    "occasionally",
    "partly",
    "scarce",
    "scarcely",
    "slight",
    "slightly",
    "somewhat",
    "sort of",
    "sorta",
    "sortof",
    "sort-of",
];

/// Phrases whose meaning is not the sum of their words.
const SPECIAL_CASES: &[(&[&str], f64)] = &[
    (&["the", "shit"], 3.0),
    (&["the", "bomb"], 3.0),
    (&["bad", "ass"], 1.5),
    (&["bus", "stop"], 0.0),
    (&["yeah", "right"], -2.0),
    (&["kiss", "of", "death"], -1.5),
    (&["to", "die", "for"], 3.0),
    (&["beating", "heart"], 3.5),
];

/// Two-word dampeners, read together.
const DAMPENER_PAIRS: &[[&str; 2]] = &[["kind", "of"], ["sort", "of"], ["just", "enough"]];

/// Words the rules look for by name (besides the lexicon's), so every word a rule compares is a key of the
/// word table and tokens can point at the key instead of owning a copy.
const RULE_WORDS: &[&str] = &[
    "no", "but", "kind", "of", "never", "so", "this", "without", "doubt", "least", "at", "very", "or", "nor", "the",
    "shit", "bomb", "bad", "ass", "bus", "stop", "yeah", "right", "kiss", "death", "to", "die", "for", "beating",
    "heart", "just", "enough", "sort",
];

/// Frequent English words that are rare as words in other languages: evidence that a text is English.
const FUNCTION_WORDS: &[&str] = &[
    "the", "and", "is", "are", "was", "were", "this", "that", "with", "for", "you", "your", "my", "have", "has", "not",
    "but", "just", "it's", "i'm", "don't", "can't", "what", "where", "when", "how", "who", "does", "of", "to", "it",
    "we", "they", "be", "at", "on", "our", "their", "from", "will", "would", "should", "could", "been", "any",
    "anyone", "looking", "thanks", "very", "really", "so", "about", "i", "me", "he", "she", "him", "his", "its", "us",
    "them", "there", "here", "then", "than", "these", "those", "which", "if", "or", "by", "up", "out", "all", "some",
    "can", "do", "did", "get", "got", "going", "make", "made", "new", "now", "one", "two", "time", "day", "today",
    "people", "know", "think", "want", "need", "see", "look", "into", "over", "after", "before", "why", "because",
    "more", "most", "only", "also", "still", "again", "back", "next", "first", "last", "every", "our", "week", "year",
    "shop", "store", "order", "service", "price", "buy", "off", "via", "tips", "post", "blog", "read", "check", "free",
    "open", "closed", "near", "while", "being", "had", "having", "i've", "you're", "we're", "they're", "isn't",
    "wasn't", "doesn't", "didn't", "won't", "let's", "that's", "there's",
];

/// What the rules know about one word: one lookup per token.
#[derive(Debug, Clone, Copy, Default)]
struct WordInfo {
    valence: Option<f64>,
    modifier: Option<f64>,
    negates: bool,
    function: bool,
}

struct Lexicon {
    words: FxHashMap<&'static str, WordInfo>,
    emoji: FxHashMap<char, &'static str>,
}

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut words: FxHashMap<&'static str, WordInfo> = FxHashMap::default();
        for line in LEXICON.lines() {
            let mut cols = line.split('\t');
            let (Some(word), Some(value)) = (cols.next(), cols.next()) else { continue };
            if let Ok(v) = value.trim().parse::<f64>() {
                words.entry(word).or_default().valence = Some(v);
            }
        }
        for w in BOOSTERS {
            words.entry(w).or_default().modifier = Some(B_INCR);
        }
        for w in DAMPENERS {
            words.entry(w).or_default().modifier = Some(B_DECR);
        }
        for w in NEGATE {
            words.entry(w).or_default().negates = true;
        }
        for w in FUNCTION_WORDS {
            words.entry(w).or_default().function = true;
        }
        for w in RULE_WORDS {
            words.entry(w).or_default();
        }
        // Only one-character emoji can be looked up as the text is read character by character; sequences
        // with a variation selector are covered by their base character.
        let emoji = EMOJI
            .lines()
            .filter_map(|line| {
                let (symbol, name) = line.split_once('\t')?;
                let mut chars = symbol.chars();
                let c = chars.next()?;
                chars.next().is_none().then_some((c, name.trim()))
            })
            .collect();
        Lexicon { words, emoji }
    })
}

impl Lexicon {
    fn sentiment_word(&self, w: &str) -> bool {
        self.words.get(w).is_some_and(|i| i.valence.is_some() || i.modifier.is_some())
    }
}

/// One word as the rules see it.
struct Token {
    /// The word in lower case when the word table knows it, else "" (no rule looks at unknown words).
    lower: &'static str,
    /// Lexicon valence of the word (after undoing a stretch).
    valence: Option<f64>,
    /// Booster (+) or dampener (-) strength.
    modifier: Option<f64>,
    negates: bool,
    function: bool,
    /// The word ends a sentence ("sure." "now!"): no rule reaches across it.
    ends_sentence: bool,
    /// The word ends a clause (a comma or a sentence end): a negation word here does not reach past it.
    ends_clause: bool,
    shouting: bool,
    stretched: bool,
}

/// What one reading of a text found: its score and how English its words look.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reading {
    pub compound: f64,
    pub words: usize,
    /// Words that are English function words.
    pub function_words: usize,
    /// Words that are English function words or sentiment words.
    pub english_words: usize,
    /// The sum of the positive word scores after the rules (negation, boosters, "but"), before emphasis.
    pub positive: f64,
    /// The sum of the negative word scores, likewise (zero or below).
    pub negative: f64,
}

/// The compound sentiment score of `text`, in [-1, 1]. Empty or neutral text scores 0.
pub fn compound(text: &str) -> f64 {
    read(text).compound
}

/// Scores `text` and counts its English words in the same pass.
pub fn read(text: &str) -> Reading {
    let lex = lexicon();
    let prepared = prepare(text, lex);
    let tokens = tokenize(&prepared, lex);
    let mut reading = Reading::default();
    // Emoji names are English words the writer did not write: count the words of the text as written.
    let as_written;
    let written: &[Token] = match prepared {
        Cow::Borrowed(_) => &tokens,
        Cow::Owned(_) => {
            as_written = tokenize(text, lex);
            &as_written
        }
    };
    for t in written {
        reading.words += 1;
        reading.function_words += usize::from(t.function);
        reading.english_words += usize::from(t.function || t.valence.is_some() || t.modifier.is_some());
    }
    let text = prepared;
    if tokens.is_empty() {
        return reading;
    }
    let shouting = tokens.iter().filter(|t| t.shouting).count();
    let caps_differ = shouting > 0 && shouting < tokens.len();

    let mut scores: Vec<f64> = Vec::with_capacity(tokens.len());
    for i in 0..tokens.len() {
        let t = &tokens[i];
        let is_kind_of = t.lower == "kind" && tokens.get(i + 1).is_some_and(|n| n.lower == "of");
        if t.modifier.is_some() || is_kind_of {
            scores.push(0.0);
            continue;
        }
        scores.push(valence_at(&tokens, i, caps_differ));
    }
    // "but": what comes before counts half, what comes after one and a half.
    if let Some(b) = tokens.iter().position(|t| t.lower == "but") {
        for (i, s) in scores.iter_mut().enumerate() {
            if i < b {
                *s *= 0.5;
            } else if i > b {
                *s *= 1.5;
            }
        }
    }
    reading.positive = scores.iter().filter(|s| **s > 0.0).sum();
    reading.negative = scores.iter().filter(|s| **s < 0.0).sum();
    let mut sum = reading.positive + reading.negative;
    let emphasis = punctuation_emphasis(&text);
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    reading.compound = (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0);
    reading
}

/// Whether `word` (lower case) is in the sentiment lexicon or is a booster or dampener.
pub fn is_lexicon_word(word: &str) -> bool {
    lexicon().sentiment_word(word)
}

/// The compound score of only the emoji and emoticons in `text`: for languages the lexicon does not cover,
/// where reading words as English would mislead ("die" is German for "the").
pub fn compound_symbols(text: &str) -> f64 {
    let lex = lexicon();
    let mut symbols = String::new();
    for token in text.split_whitespace() {
        if !token.chars().any(char::is_alphabetic) {
            symbols.push_str(token);
            symbols.push(' ');
        } else {
            for c in token.chars().filter(|c| lex.emoji.contains_key(c)) {
                symbols.push(c);
                symbols.push(' ');
            }
        }
    }
    compound(&symbols)
}

/// Typographic apostrophes become ASCII ones and emoji become their names, as separate words.
fn prepare<'a>(text: &'a str, lex: &Lexicon) -> Cow<'a, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut glued = false;
    for c in text.chars() {
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' => {
                out.push('\'');
                glued = false;
            }
            '\u{FE0F}' | '\u{FE0E}' | '\u{200D}' => {}
            _ => {
                if let Some(name) = lex.emoji.get(&c) {
                    if !out.is_empty() && !out.ends_with(' ') {
                        out.push(' ');
                    }
                    out.push_str(name);
                    glued = true;
                } else {
                    if glued && !c.is_whitespace() {
                        out.push(' ');
                    }
                    out.push(c);
                    glued = false;
                }
            }
        }
    }
    Cow::Owned(out)
}

fn tokenize(text: &str, lex: &Lexicon) -> Vec<Token> {
    let mut buf = String::new();
    text.split_whitespace()
        .map(|raw| {
            // Punctuation around a word is dropped, unless what is left is two characters or fewer: then the
            // token was most likely an emoticon (":)", ":-(").
            let stripped = raw.trim_matches(|c: char| c.is_ascii_punctuation());
            let word = if stripped.chars().count() <= 2 { raw } else { stripped };
            buf.clear();
            buf.extend(word.chars().flat_map(char::to_lowercase));
            let contracted_not = buf.contains("n't");
            let mut known = lex.words.get_key_value(buf.as_str());
            let mut stretched = false;
            if !known.is_some_and(|(_, i)| i.valence.is_some() || i.modifier.is_some()) {
                if let Some(w) = unstretch(&buf, |w| lex.sentiment_word(w)) {
                    known = lex.words.get_key_value(w.as_str());
                    stretched = true;
                }
            }
            let (lower, info) = known.map_or(("", WordInfo::default()), |(k, i)| (*k, *i));
            let last = raw.chars().next_back();
            // A word followed by punctuation, not an emoticon made of punctuation.
            let punctuated = raw.chars().any(char::is_alphanumeric);
            let ends_sentence = punctuated && matches!(last, Some('.' | '!' | '?' | ';'));
            Token {
                ends_sentence,
                ends_clause: ends_sentence || (punctuated && last == Some(',')),
                valence: info.valence,
                modifier: info.modifier,
                negates: info.negates || contracted_not,
                function: info.function,
                shouting: is_upper(word),
                stretched,
                lower,
            }
        })
        .collect()
}

/// Python's `str.isupper`: at least one cased character and no lower-case one.
fn is_upper(word: &str) -> bool {
    let mut cased = false;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// "goooood" -> "good", "sooooo" -> "so": runs of three or more of a letter shortened to two, then to one,
/// when that makes a known word.
fn unstretch(word: &str, known: impl Fn(&str) -> bool) -> Option<String> {
    let has_run = word.as_bytes().windows(3).any(|w| w[0] == w[1] && w[1] == w[2] && w[0].is_ascii_alphabetic());
    if !has_run {
        return None;
    }
    let squeeze = |keep: usize| {
        let mut out = String::with_capacity(word.len());
        let mut prev = None;
        let mut run = 0;
        for c in word.chars() {
            run = if Some(c) == prev { run + 1 } else { 1 };
            prev = Some(c);
            if run <= keep {
                out.push(c);
            }
        }
        out
    };
    [2, 1].into_iter().map(squeeze).find(|w| known(w))
}

fn modifier_scalar(t: &Token, valence: f64, caps_differ: bool) -> f64 {
    let Some(m) = t.modifier else { return 0.0 };
    let mut scalar = if valence < 0.0 { -m } else { m };
    if t.shouting && caps_differ {
        scalar += if valence > 0.0 { C_INCR } else { -C_INCR };
    }
    scalar
}

fn valence_at(tokens: &[Token], i: usize, caps_differ: bool) -> f64 {
    let t = &tokens[i];
    let Some(base) = t.valence else { return 0.0 };
    let word = |k: usize| tokens[k].lower;
    let mut valence = base;
    // "no" before another sentiment word negates it instead of counting as a negative word itself.
    if t.lower == "no" && tokens.get(i + 1).is_some_and(|n| n.valence.is_some()) {
        valence = 0.0;
    }
    // How many words back the rules may look: not past the end of the previous sentence.
    let reach = (1..=3.min(i)).take_while(|k| !tokens[i - k].ends_sentence).count();
    if (reach >= 1 && word(i - 1) == "no")
        || (reach >= 2 && word(i - 2) == "no")
        || (reach >= 3 && word(i - 3) == "no" && matches!(word(i - 1), "or" | "nor"))
    {
        valence = base * N_SCALAR;
    }
    // Shouting among calm words, or stretching a word, is emphasis away from zero.
    let emphasis = if t.shouting && caps_differ {
        C_INCR
    } else if t.stretched {
        B_INCR
    } else {
        0.0
    };
    if emphasis > 0.0 {
        valence += if valence > 0.0 { emphasis } else { -emphasis };
    }
    for back in 0..reach {
        let prev = &tokens[i - back - 1];
        if prev.valence.is_some() {
            continue;
        }
        // Modifiers further away count a little less.
        let s = modifier_scalar(prev, valence, caps_differ) * [1.0, 0.95, 0.9][back];
        valence += s;
        valence = negation(valence, tokens, back, i);
    }
    valence = idioms(valence, tokens, i);
    least(valence, tokens, i)
}

fn negation(valence: f64, tokens: &[Token], back: usize, i: usize) -> f64 {
    let word = |k: usize| tokens[k].lower;
    let so_or_this = |k: usize| matches!(word(k), "so" | "this");
    match back {
        // "Thanks for nothing, worst service": a negation word that ends its clause negates nothing after it.
        _ if tokens[i - back - 1].negates && tokens[i - back - 1].ends_clause => valence,
        0 if tokens[i - 1].negates => valence * N_SCALAR,
        1 if word(i - 2) == "never" && so_or_this(i - 1) => valence * 1.25,
        1 if word(i - 2) == "without" && word(i - 1) == "doubt" => valence,
        1 if tokens[i - 2].negates => valence * N_SCALAR,
        2 if word(i - 3) == "never" && (so_or_this(i - 2) || so_or_this(i - 1)) => valence * 1.25,
        2 if word(i - 3) == "without" && (word(i - 2) == "doubt" || word(i - 1) == "doubt") => valence,
        2 if tokens[i - 3].negates => valence * N_SCALAR,
        _ => valence,
    }
}

fn idioms(mut valence: f64, tokens: &[Token], i: usize) -> f64 {
    let is = |from: usize, words: &[&str]| {
        tokens.get(from..from + words.len()).is_some_and(|ts| ts.iter().zip(words).all(|(t, w)| t.lower == *w))
    };
    // Phrases ending at this word or just before it (up to three words back), then phrases starting here.
    let special = |from: usize, to: usize| {
        SPECIAL_CASES.iter().find(|(words, _)| words.len() == to + 1 - from && is(from, words)).map(|(_, v)| *v)
    };
    let before = [(1, 0), (2, 0), (2, 1), (3, 1), (3, 2)]
        .into_iter()
        .filter(|(back, _)| i >= *back)
        .find_map(|(back, end)| special(i - back, i - end));
    if let Some(v) = before {
        valence = v;
    }
    for len in [2, 3] {
        if let Some(v) = special(i, i + len - 1) {
            valence = v;
        }
    }
    // A two-word dampener ("kind of", "sort of") in the two words before.
    for back in [2, 3] {
        if i >= back && DAMPENER_PAIRS.iter().any(|pair| is(i - back, pair)) {
            valence += B_DECR;
        }
    }
    valence
}

/// "least" negates the word after it, except in "at least" and "very least".
fn least(valence: f64, tokens: &[Token], i: usize) -> f64 {
    if i == 0 || tokens[i - 1].lower != "least" || tokens[i - 1].valence.is_some() {
        return valence;
    }
    if i > 1 && matches!(tokens[i - 2].lower, "at" | "very") {
        return valence;
    }
    valence * N_SCALAR
}

/// Up to four "!" add emphasis; two or more "?" add some too.
fn punctuation_emphasis(text: &str) -> f64 {
    let exclamations = text.bytes().filter(|b| *b == b'!').count().min(4) as f64 * 0.292;
    let questions = match text.bytes().filter(|b| *b == b'?').count() {
        0 | 1 => 0.0,
        n @ 2..=3 => n as f64 * 0.18,
        _ => 0.96,
    };
    exclamations + questions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(text: &str) -> f64 {
        compound(text)
    }

    #[test]
    fn plain_positive_and_negative_words_score_their_way() {
        assert!(score("The coffee was good.") > 0.3);
        assert!(score("The coffee was awful.") < -0.3);
        assert_eq!(score("The shop opens at nine."), 0.0);
        assert_eq!(score(""), 0.0);
    }

    #[test]
    fn scores_match_the_published_examples() {
        // Values from the VADER paper's examples, unaffected by the corrections.
        let cases = [
            ("VADER is smart, handsome, and funny.", 0.8316),
            ("VADER is smart, handsome, and funny!", 0.8439),
            ("VADER is very smart, handsome, and funny.", 0.8545),
            ("VADER is VERY SMART, handsome, and FUNNY.", 0.9227),
            ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342),
            ("VADER is not smart, handsome, nor funny.", -0.7424),
            ("The book was good.", 0.4404),
            ("At least it isn't a horrible book.", 0.431),
            ("The book was only kind of good.", 0.3832),
            ("Today SUX!", -0.5461),
            ("Not bad at all", 0.431),
        ];
        for (text, expected) in cases {
            assert!((score(text) - expected).abs() < 0.001, "{text}: {} != {expected}", score(text));
        }
    }

    #[test]
    fn negation_flips_and_softens() {
        let good = score("the service was good");
        let not_good = score("the service was not good");
        assert!(not_good < 0.0 && not_good.abs() < good);
        assert!(score("the service wasn't good") < 0.0);
        assert!(score("the service wasn\u{2019}t good") < 0.0, "typographic apostrophe negates too");
        assert!(score("never had a bad coffee here") > 0.0, "negation up to three words back");
    }

    #[test]
    fn intensifiers_raise_and_dampeners_lower() {
        let good = score("the bike fit was good");
        assert!(score("the bike fit was extremely good") > good);
        assert!(score("the bike fit was slightly good") < good);
        assert!(score("the bike fit was sort of good") < good);
    }

    #[test]
    fn but_shifts_weight_to_what_follows() {
        assert!(score("The coffee is great but the staff were rude") < 0.0);
        assert!(score("The staff were rude but the coffee is great") > 0.0);
    }

    #[test]
    fn but_weights_each_word_by_position_even_when_scores_repeat() {
        // Two equally positive words before "but" are both halved.
        let mixed = score("good good but bad");
        let single = score("good but bad");
        assert!(mixed > single, "{mixed} vs {single}");
        assert!(mixed < 0.0, "what follows 'but' dominates: {mixed}");
    }

    #[test]
    fn all_caps_emphasis_counts_only_when_some_words_shout() {
        let calm = score("this is great");
        assert!(score("this is GREAT") > calm);
        assert!((score("THIS IS GREAT") - calm).abs() < 1e-9, "all caps is just a style");
    }

    #[test]
    fn exclamations_and_question_marks_add_emphasis() {
        let plain = score("love it");
        assert!(score("love it!") > plain);
        assert!(score("love it!!!") > score("love it!"));
        assert_eq!(score("love it!!!!!!!!"), score("love it!!!!"), "capped at four");
        assert!(score("why so bad??") < score("why so bad?"));
    }

    #[test]
    fn emoticons_emoji_and_slang_carry_sentiment() {
        assert!(score("see you tomorrow :)") > 0.2);
        assert!(score("see you tomorrow :(") < -0.2);
        assert!(score("new menu 😍") > 0.2);
        assert!(score("new menu😍yes") > 0.2, "emoji glued to words");
        assert!(score("delivery was late 😠") < -0.2);
        assert!(score("that ride was lol") > 0.0);
        assert!(score("this app sux") < 0.0);
    }

    #[test]
    fn stretched_words_read_as_the_word_with_emphasis() {
        let good = score("the cake was good");
        let stretched = score("the cake was goooood");
        assert!(stretched > good, "{stretched} vs {good}");
    }

    #[test]
    fn negation_stops_at_the_end_of_its_clause_or_sentence() {
        assert!(score("Thanks for nothing, worst service ever") < 0.0);
        assert!(score("I was not sure. Great coffee though") > 0.3);
        assert!(score("VADER is not smart, handsome, nor funny.") < -0.5, "a negated list stays negated");
    }

    #[test]
    fn this_before_a_word_is_not_a_booster() {
        assert!((score("this sucks") - score("it sucks")).abs() < 1e-9);
    }

    #[test]
    fn idioms_apply_at_the_start_of_a_text() {
        assert!(score("yeah right, great service") < 0.0);
        assert!(score("the bomb") > 0.5);
    }

    #[test]
    fn hostile_input_never_panics() {
        for text in ["least", "but", "no", "kind", "no no no no", "!!!???", "\u{FE0F}", "a\u{200D}b", "ünïcödé ÜBER"]
        {
            let s = score(text);
            assert!((-1.0..=1.0).contains(&s));
        }
    }
}
