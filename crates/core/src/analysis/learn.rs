//! Learning from the owner's own decisions, on the device.
//!
//! - [`Adjustment`]: a per-workspace correction of the trained model's intents, learned from what the owner
//!   filed mentions as. It is bounded, so a few clicks nudge the model and cannot overturn it, and it is
//!   rebuilt from the decisions that stand, so an undone decision takes its lesson with it.
//! - [`Classifier`]: a multinomial naive Bayes classifier over word unigrams and bigrams, for what the model
//!   has no output for (is this relevant at all?). It learns from a handful of examples, its confidence is a
//!   probability the owner can read, and it stays silent until it has seen enough (`MIN_EXAMPLES`, at least
//!   two labels).

use rustc_hash::FxHashMap;
use serde::Serialize;
use ts_rs::TS;

use super::features::{self, Features};
use super::intent::Intent;
use super::model::{self, Model, INTENTS};

/// The intents a triage decision can teach (lead, issue, praise, idea, question).
const TAUGHT: [Intent; 5] = [Intent::Lead, Intent::Complaint, Intent::Praise, Intent::Idea, Intent::Question];
/// No single word or pair moves an intent's logit by more than this.
const MAX_WEIGHT: f32 = 0.6;
/// The whole correction moves an intent's logit by at most this much: enough to tip a borderline text,
/// never enough to turn a clear complaint into praise.
pub const MAX_SHIFT: f32 = 2.0;
const EPOCHS: usize = 4;
const RATE: f32 = 0.3;
const DECAY: f32 = 0.01;

/// The owner's corrections to the model's intents: a few weights over the model's own hashed features.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Adjustment {
    /// Per taught intent, the correction of each hashed feature it has learned.
    weights: [FxHashMap<u32, f32>; TAUGHT.len()],
    decisions: u32,
}

impl Adjustment {
    /// Learns from `(text, intent it was filed as)` pairs, oldest first, on top of `model`. The same pairs
    /// always give the same adjustment; without a pair, its lesson is gone.
    pub fn learn(model: &Model, decisions: &[(String, Intent)]) -> Adjustment {
        let mut adj = Adjustment::default();
        let examples: Vec<(Features, [f32; model::OUTPUTS], Intent)> = decisions
            .iter()
            .filter(|(_, i)| TAUGHT.contains(i))
            .map(|(text, intent)| {
                let f = features::extract(text);
                let z = model.logits(&f);
                (f, z, *intent)
            })
            .collect();
        adj.decisions = examples.len() as u32;
        for _ in 0..EPOCHS {
            for (f, z, taught) in &examples {
                for (t, intent) in TAUGHT.iter().enumerate() {
                    let k = INTENTS.iter().position(|i| i == intent).expect("taught intents are model outputs");
                    let shift = adj.shift(t, f);
                    let p = model::sigmoid(z[2 + k] + shift) as f32;
                    let y = if taught == intent { 1.0 } else { 0.0 };
                    let g = p - y;
                    for b in &f.hashed {
                        let w = adj.weights[t].entry(*b).or_insert(0.0);
                        *w = (*w - RATE * (g + DECAY * *w)).clamp(-MAX_WEIGHT, MAX_WEIGHT);
                    }
                }
            }
        }
        for w in &mut adj.weights {
            w.retain(|_, v| v.abs() > 1e-4);
        }
        adj
    }

    /// How many decisions it learned from.
    pub fn decisions(&self) -> u32 {
        self.decisions
    }

    fn shift(&self, t: usize, f: &Features) -> f32 {
        let sum: f32 = f.hashed.iter().filter_map(|b| self.weights[t].get(b)).sum();
        sum.clamp(-MAX_SHIFT, MAX_SHIFT)
    }

    /// Adds the corrections to the model's outputs for `f`.
    pub fn apply(&self, f: &Features, logits: &mut [f32; model::OUTPUTS]) {
        if self.decisions == 0 {
            return;
        }
        for (t, intent) in TAUGHT.iter().enumerate() {
            let k = INTENTS.iter().position(|i| i == intent).expect("taught intents are model outputs");
            logits[2 + k] += self.shift(t, f);
        }
    }
}

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
    use crate::analysis::model::embedded;

    fn intents_with(adj: &Adjustment, text: &str) -> Vec<Intent> {
        let m = embedded().unwrap();
        let f = features::extract(text);
        let mut z = m.logits(&f);
        adj.apply(&f, &mut z);
        m.intents(&z)
    }

    fn filed(texts: &[&str], as_: Intent) -> Vec<(String, Intent)> {
        texts.iter().map(|t| (t.to_string(), as_)).collect()
    }

    #[test]
    fn the_owners_filing_teaches_the_model_a_workspace_sense() {
        // In this shop, a mention of the brake bleed special is someone wanting to buy it.
        let text = "brake bleed special this month";
        let before = intents_with(&Adjustment::default(), text);
        assert!(!before.contains(&Intent::Lead), "{before:?}");
        let taught = filed(
            &[
                "brake bleed special for my road bike",
                "the brake bleed special please",
                "saw the brake bleed special",
                "brake bleed special on saturday",
                "brake bleed special for two bikes",
                "is the brake bleed special on",
            ],
            Intent::Lead,
        );
        let adj = Adjustment::learn(embedded().unwrap(), &taught);
        assert_eq!(adj.decisions(), 6);
        assert!(intents_with(&adj, text).contains(&Intent::Lead));
    }

    #[test]
    fn a_few_odd_clicks_cannot_turn_a_clear_complaint_into_praise() {
        let complaint = "Still waiting for my refund, terrible service, never again";
        let odd = filed(
            &["terrible service refund never again", "still waiting terrible", "refund never again"],
            Intent::Praise,
        );
        let adj = Adjustment::learn(embedded().unwrap(), &odd);
        let read = intents_with(&adj, complaint);
        assert!(read.contains(&Intent::Complaint), "{read:?}");
        assert!(!read.contains(&Intent::Praise), "{read:?}");
    }

    #[test]
    fn without_a_decision_its_lesson_is_gone() {
        let m = embedded().unwrap();
        let kept = filed(&["love the new saddles", "great saddle range"], Intent::Praise);
        let mut with_undone = kept.clone();
        with_undone.push(("saddle sale next week".into(), Intent::Lead));
        assert_ne!(Adjustment::learn(m, &with_undone), Adjustment::learn(m, &kept));
        assert_eq!(Adjustment::learn(m, &kept), Adjustment::learn(m, &kept.clone()));
        assert_eq!(
            intents_with(&Adjustment::learn(m, &[]), "saddle sale"),
            intents_with(&Adjustment::default(), "saddle sale")
        );
    }

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
