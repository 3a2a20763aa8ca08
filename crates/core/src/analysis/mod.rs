//! On-device analysis of a mention: sentiment (`sentiment`), intents (`intent`), language (`lang`), urgency
//! and priority (here), and what the owner's decisions taught (`learn`).
//!
//! Priority is urgency weighted by who is speaking: `priority = urgency x (1 + customer weight)`, where the
//! customer weight comes from the customer's value when it is known (a 0-1 percentile) and a fixed step for a
//! known contact otherwise. Anything that knows more about a customer plugs in through [`Speaker`].

pub mod evaluate;
pub mod features;
pub mod intent;
pub mod lang;
pub mod learn;
pub mod model;
pub mod sentiment;

use serde::Serialize;
use ts_rs::TS;

pub use intent::Intent;

/// Compound scores within this distance of zero are neutral (the lexicon's published threshold).
pub const NEUTRAL_BAND: f64 = 0.05;

crate::closed_set::closed_set! {
    /// How a text reads: its compound score against [`NEUTRAL_BAND`].
    pub enum Sentiment("sentiment") {
        Positive = "positive",
        Neutral = "neutral",
        Negative = "negative",
    }
}

impl Sentiment {
    pub fn of(compound: f64) -> Sentiment {
        if compound >= NEUTRAL_BAND {
            Sentiment::Positive
        } else if compound <= -NEUTRAL_BAND {
            Sentiment::Negative
        } else {
            Sentiment::Neutral
        }
    }
}

/// Who said it, as far as Earshot knows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Speaker {
    pub followers: Option<i64>,
    /// The author is linked to a contact.
    pub known_customer: bool,
    /// The customer's value as a 0-1 percentile within the workspace, once values are known.
    pub value_percentile: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub compound: f64,
    pub sentiment: Sentiment,
    pub intents: Vec<Intent>,
    pub urgency: f64,
    pub lang: &'static str,
    /// False when the language has no sentiment lexicon: only emoji and emoticons were scored.
    pub lexicon: bool,
}

/// Analyses one text said by `speaker`.
pub fn analyze(text: &str, speaker: &Speaker) -> Analysis {
    analyze_adjusted(text, speaker, None)
}

/// Analyses one text with the workspace's corrections to the model's intents (see [`learn::Adjustment`]).
pub fn analyze_adjusted(text: &str, speaker: &Speaker, adjustment: Option<&learn::Adjustment>) -> Analysis {
    read_adjusted(text, adjustment).spoken_by(speaker)
}

/// What the text alone says: the costly part of an analysis, which does not depend on who said it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub compound: f64,
    pub intents: Vec<Intent>,
    pub lang: &'static str,
    pub lexicon: bool,
}

/// Reads one text (sentiment, intents, language), with the workspace's corrections to the model's intents.
pub fn read_adjusted(text: &str, adjustment: Option<&learn::Adjustment>) -> Reading {
    let reading = sentiment::read(text);
    let lang = lang::detect_with(text, &reading);
    let lexicon = lang == lang::UNDETERMINED || lang::has_lexicon(lang);
    let (compound, intents) = match model::embedded() {
        Some(m) if lexicon => {
            let f = features::extract_read(text, &reading);
            let mut logits = m.logits(&f);
            let compound = m.compound(&logits);
            if let Some(adjustment) = adjustment {
                adjustment.apply(&f, &mut logits);
            }
            (compound, m.intents(&logits))
        }
        // Only a broken build lacks the model; the rules still give a fair reading.
        None if lexicon => (reading.compound, intent::rule_intents(text, reading.compound)),
        _ => {
            let compound = sentiment::compound_symbols(text);
            (compound, symbol_intents(text))
        }
    };
    Reading { compound, intents, lang, lexicon }
}

impl Reading {
    /// The whole analysis, once it is known who said it (their reach and custom make it more urgent).
    pub fn spoken_by(self, speaker: &Speaker) -> Analysis {
        let urgency = urgency(&self.intents, self.compound, speaker);
        Analysis {
            compound: self.compound,
            sentiment: Sentiment::of(self.compound),
            intents: self.intents,
            urgency,
            lang: self.lang,
            lexicon: self.lexicon,
        }
    }
}

/// Why the model read a text as it did: the inputs that moved its sentiment and each intent it found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Explanation {
    /// Toward positive (weight above zero) or negative (below).
    pub sentiment: Vec<model::Reason>,
    pub intents: Vec<IntentReasons>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IntentReasons {
    pub intent: Intent,
    pub reasons: Vec<model::Reason>,
}

/// How many inputs an explanation names per output: enough to see why, few enough to read at a glance.
const REASONS: usize = 5;

/// Explains [`analyze`]'s reading of `text`; empty when the text was not read by the model (another
/// language, where only emoji and emoticons count).
pub fn explain(text: &str) -> Explanation {
    let reading = sentiment::read(text);
    let lang = lang::detect_with(text, &reading);
    let Some(m) = model::embedded().filter(|_| lang == lang::UNDETERMINED || lang::has_lexicon(lang)) else {
        return Explanation { sentiment: Vec::new(), intents: Vec::new() };
    };
    let named = features::extract_named(text, &reading);
    let logits = m.logits(&named.0);
    let intents = m
        .intents(&logits)
        .into_iter()
        .filter(|i| *i != Intent::Other)
        .map(|intent| IntentReasons { intent, reasons: model::intent_reasons(m, &named, intent, REASONS) })
        .collect();
    Explanation { sentiment: model::sentiment_reasons(m, &named, REASONS), intents }
}

/// The reading of the lexicon rules alone (VADER's compound and the cue phrases): what the model replaced,
/// scored beside it in evaluations.
pub fn rule_reading(text: &str) -> (f64, Vec<Intent>) {
    let compound = sentiment::compound(text);
    (compound, intent::rule_intents(text, compound))
}

/// The text a mention is read as: its title first when the text does not already hold it.
pub fn titled<'a>(title: Option<&str>, text: &'a str) -> std::borrow::Cow<'a, str> {
    match title {
        Some(t) if !text.contains(t) => std::borrow::Cow::Owned(format!("{t}\n{text}")),
        _ => std::borrow::Cow::Borrowed(text),
    }
}

/// Without an English text, only a question mark says anything about intent.
fn symbol_intents(text: &str) -> Vec<Intent> {
    vec![if text.contains('?') || text.contains('\u{FF1F}') { Intent::Question } else { Intent::Other }]
}

/// How soon this should be answered, in [0, 1]: what is asked (a complaint most), how negative it is, how
/// far it can travel (the author's reach, on a log scale), and whether a known customer said it.
pub fn urgency(intents: &[Intent], compound: f64, speaker: &Speaker) -> f64 {
    let asked = intents
        .iter()
        .map(|i| match i {
            Intent::Complaint => 0.5,
            Intent::Lead => 0.4,
            Intent::Question => 0.35,
            Intent::Trigger => 0.2,
            Intent::Idea => 0.15,
            Intent::Praise => 0.1,
            Intent::Other => 0.0,
        })
        .fold(0.0, f64::max);
    let negativity = (-compound).max(0.0) * 0.25;
    // 10 followers add little, 10,000 add 0.1, a million 0.15.
    let reach = speaker.followers.map_or(0.0, |f| ((f.max(0) as f64 + 1.0).log10() / 6.0).min(1.0) * 0.15);
    let customer = if speaker.known_customer { 0.1 } else { 0.0 };
    (asked + negativity + reach + customer).clamp(0.0, 1.0)
}

/// The inbox order: urgency weighted by the customer's worth, and damped when the owner's past decisions
/// say items like this are not relevant (`irrelevance` is that probability, 0 when unknown).
pub fn priority(urgency: f64, speaker: &Speaker, irrelevance: f64) -> f64 {
    let weight = match (speaker.known_customer, speaker.value_percentile) {
        (_, Some(p)) => p.clamp(0.0, 1.0),
        (true, None) => 0.25,
        (false, None) => 0.0,
    };
    urgency * (1.0 + weight) * (1.0 - irrelevance.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_english_complaint_is_negative_and_urgent() {
        let a = analyze("Still waiting for my refund, this is terrible service", &Speaker::default());
        assert_eq!(a.sentiment, Sentiment::Negative);
        assert_eq!(a.intents, vec![Intent::Complaint]);
        assert_eq!(a.lang, "en");
        assert!(a.urgency >= 0.5);
    }

    #[test]
    fn a_known_customer_with_reach_is_more_urgent() {
        let text = "Is the shop open on Sunday?";
        let stranger = analyze(text, &Speaker::default()).urgency;
        let customer = analyze(text, &Speaker { followers: Some(20_000), known_customer: true, ..Default::default() });
        assert!(customer.urgency > stranger);
    }

    #[test]
    fn priority_weights_valuable_customers_and_damps_irrelevant_items() {
        let nobody = Speaker::default();
        let valued = Speaker { known_customer: true, value_percentile: Some(0.9), ..Default::default() };
        assert!(priority(0.5, &valued, 0.0) > priority(0.5, &nobody, 0.0));
        assert!(priority(0.5, &nobody, 0.9) < priority(0.5, &nobody, 0.0));
    }

    #[test]
    fn words_of_other_languages_are_not_read_with_the_english_lexicon() {
        // "die" is a strongly negative English word and the German article.
        let a = analyze("Die Torte war gestern wirklich lecker, ich komme wieder", &Speaker::default());
        assert_eq!((a.lang, a.lexicon), ("de", false));
        assert_eq!(a.sentiment, Sentiment::Neutral);
        let happy = analyze("Die Torte war gestern wirklich lecker, ich komme wieder 😍", &Speaker::default());
        assert_eq!(happy.sentiment, Sentiment::Positive, "emoji still count");
    }
}
