//! Learning from the owner's own decisions, on the device: a multinomial naive Bayes classifier over word
//! unigrams and bigrams, trained from triage decisions (each filed item is a labelled example).
//!
//! Naive Bayes suits this place: it learns from a handful of examples, updates in microseconds when one
//! decision is made or undone, and its confidence is a probability the owner can read. It stays silent until
//! it has seen enough (`MIN_EXAMPLES`, at least two labels), so early guesses come from the rules alone.

use rustc_hash::FxHashMap;
use serde::Serialize;
use ts_rs::TS;

/// Fewer labelled examples than this and the classifier makes no predictions.
pub const MIN_EXAMPLES: u32 = 8;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Prediction {
    pub label: String,
    /// Probability of `label` given the text, in [0, 1].
    pub confidence: f64,
}

#[derive(Debug, Default, Clone)]
struct Class {
    docs: u32,
    tokens: u64,
    counts: FxHashMap<String, u32>,
}

#[derive(Debug, Default, Clone)]
pub struct Classifier {
    classes: FxHashMap<String, Class>,
    /// How many classes use each feature, to know the vocabulary size for smoothing.
    vocabulary: FxHashMap<String, u32>,
    examples: u32,
}

/// Lower-case words of two or more letters or digits, and each adjacent pair.
pub fn features(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .take(200)
        .map(str::to_lowercase)
        .collect();
    let pairs = words.windows(2).map(|p| format!("{} {}", p[0], p[1]));
    let mut out: Vec<String> = pairs.collect();
    out.extend(words);
    out
}

impl Classifier {
    pub fn examples(&self) -> u32 {
        self.examples
    }

    /// Adds one labelled example.
    pub fn learn(&mut self, label: &str, text: &str) {
        let class = self.classes.entry(label.to_owned()).or_default();
        class.docs += 1;
        self.examples += 1;
        for f in features(text) {
            class.tokens += 1;
            let n = class.counts.entry(f.clone()).or_insert(0);
            if *n == 0 {
                *self.vocabulary.entry(f).or_insert(0) += 1;
            }
            *n += 1;
        }
    }

    /// Takes back an example learned before (an undone decision).
    pub fn unlearn(&mut self, label: &str, text: &str) {
        let Some(class) = self.classes.get_mut(label) else { return };
        if class.docs == 0 {
            return;
        }
        class.docs -= 1;
        self.examples -= 1;
        for f in features(text) {
            let Some(n) = class.counts.get_mut(&f) else { continue };
            *n -= 1;
            class.tokens = class.tokens.saturating_sub(1);
            if *n == 0 {
                class.counts.remove(&f);
                if let Some(v) = self.vocabulary.get_mut(&f) {
                    *v -= 1;
                    if *v == 0 {
                        self.vocabulary.remove(&f);
                    }
                }
            }
        }
        if class.docs == 0 {
            self.classes.remove(label);
        }
    }

    /// Probability of each label for `text`, best first; empty until the classifier has seen enough.
    pub fn scores(&self, text: &str) -> Vec<Prediction> {
        let live: Vec<(&String, &Class)> = self.classes.iter().filter(|(_, c)| c.docs > 0).collect();
        if self.examples < MIN_EXAMPLES || live.len() < 2 {
            return Vec::new();
        }
        let feats = features(text);
        let v = self.vocabulary.len().max(1) as f64;
        let logs: Vec<(String, f64)> = live
            .iter()
            .map(|(label, c)| {
                let prior = (c.docs as f64 / self.examples as f64).ln();
                let denom = (c.tokens as f64 + v).ln();
                let likelihood: f64 =
                    feats.iter().map(|f| (*c.counts.get(f).unwrap_or(&0) as f64 + 1.0).ln() - denom).sum();
                ((*label).clone(), prior + likelihood)
            })
            .collect();
        let max = logs.iter().map(|(_, l)| *l).fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = logs.iter().map(|(_, l)| (l - max).exp()).sum();
        let mut out: Vec<Prediction> =
            logs.into_iter().map(|(label, l)| Prediction { label, confidence: (l - max).exp() / total }).collect();
        out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then_with(|| a.label.cmp(&b.label)));
        out
    }

    /// The most likely label, if the classifier has seen enough to say.
    pub fn predict(&self, text: &str) -> Option<Prediction> {
        self.scores(text).into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trained() -> Classifier {
        let mut c = Classifier::default();
        for t in ["new apple iphone case", "apple watch strap broke", "iphone screen repair", "apple macbook charger"] {
            c.learn("relevant", t);
        }
        for t in ["apple pie recipe", "apple orchard picking", "baked apple crumble", "apple cider vinegar"] {
            c.learn("irrelevant", t);
        }
        c
    }

    #[test]
    fn says_nothing_until_it_has_seen_enough() {
        let mut c = Classifier::default();
        c.learn("relevant", "iphone case");
        assert_eq!(c.predict("iphone"), None);
    }

    #[test]
    fn learns_the_owners_sense_of_a_word() {
        let c = trained();
        let fruit = c.predict("grandma's apple crumble recipe").unwrap();
        assert_eq!(fruit.label, "irrelevant");
        assert!(fruit.confidence > 0.8, "{fruit:?}");
        assert_eq!(c.predict("apple iphone charger broke").unwrap().label, "relevant");
    }

    #[test]
    fn unlearning_takes_an_example_back_exactly() {
        let mut c = trained();
        let before = c.scores("apple crumble");
        c.learn("relevant", "apple crumble at the phone shop");
        assert_ne!(c.scores("apple crumble"), before);
        c.unlearn("relevant", "apple crumble at the phone shop");
        assert_eq!(c.scores("apple crumble"), before);
    }
}
