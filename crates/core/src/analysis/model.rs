//! The trained model: one linear layer over [`features`](super::features), learned by `crates/train` from
//! the sets `scripts/train/train.py` builds (provenance in `MODEL.md`).
//!
//! Eight outputs share the features: two sentiment logits (positive and negative against neutral, a
//! three-way softmax whose `P(positive) - P(negative)` is the compound score) and one logistic output per
//! intent, each with the threshold chosen on validation data.
//!
//! The weights file (little-endian): `ESM1`, then u32 feature version, buckets, dense count and outputs; f32
//! per-output scale, bias, dense weights (output-major) and intent thresholds; then the hashed weights as i8,
//! bucket-major, so one word's eight weights sit in one cache line.

use std::sync::OnceLock;

use super::features::{Features, BUCKETS, DENSE, DENSE_NAMES, FEATURE_VERSION};
use super::intent::Intent;

/// The outputs, in the file's order.
pub const OUTPUTS: usize = 8;
/// The intents the model predicts, in output order after the two sentiment logits.
pub const INTENTS: [Intent; 6] =
    [Intent::Lead, Intent::Complaint, Intent::Question, Intent::Praise, Intent::Idea, Intent::Trigger];

const MAGIC: &[u8; 4] = b"ESM1";
static WEIGHTS: &[u8] = include_bytes!("../../data/model/weights.bin");

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub scale: [f32; OUTPUTS],
    pub bias: [f32; OUTPUTS],
    /// `dense[output][feature]`.
    pub dense: [[f32; DENSE]; OUTPUTS],
    pub thresholds: [f32; INTENTS.len()],
    /// Differences `P(positive) - P(negative)` this small are neutral: the compound is shrunk toward zero by
    /// this much, so the app's neutral band (±0.05) means what the three-way softmax means.
    pub neutral_margin: f32,
    /// `hashed[bucket * OUTPUTS + output]`, to be multiplied by `scale[output]`.
    pub hashed: Vec<i8>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WeightsError {
    #[error("not an Earshot weights file")]
    Magic,
    #[error("the weights were trained on feature version {0}, this build extracts version {FEATURE_VERSION}; run scripts/train/train.py")]
    Version(u32),
    #[error(
        "the weights file has the wrong shape (expected {BUCKETS} buckets, {DENSE} dense features, {OUTPUTS} outputs)"
    )]
    Shape,
    #[error("the weights file is cut short")]
    Short,
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], WeightsError> {
        if self.0.len() < n {
            return Err(WeightsError::Short);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32, WeightsError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("four bytes")))
    }
    fn f32s<const N: usize>(&mut self) -> Result<[f32; N], WeightsError> {
        let mut out = [0.0; N];
        for x in &mut out {
            *x = f32::from_le_bytes(self.take(4)?.try_into().expect("four bytes"));
        }
        Ok(out)
    }
}

impl Model {
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, WeightsError> {
        let mut r = Reader(bytes);
        if r.take(4).map_err(|_| WeightsError::Magic)? != MAGIC {
            return Err(WeightsError::Magic);
        }
        let version = r.u32()?;
        if version != FEATURE_VERSION {
            return Err(WeightsError::Version(version));
        }
        if (r.u32()? as usize, r.u32()? as usize, r.u32()? as usize) != (BUCKETS, DENSE, OUTPUTS) {
            return Err(WeightsError::Shape);
        }
        let scale = r.f32s::<OUTPUTS>()?;
        let bias = r.f32s::<OUTPUTS>()?;
        let mut dense = [[0.0; DENSE]; OUTPUTS];
        for row in &mut dense {
            *row = r.f32s::<DENSE>()?;
        }
        let thresholds = r.f32s::<6>()?;
        let [neutral_margin] = r.f32s::<1>()?;
        let hashed = r.take(BUCKETS * OUTPUTS)?.iter().map(|b| *b as i8).collect();
        if !r.0.is_empty() {
            return Err(WeightsError::Shape);
        }
        Ok(Model { scale, bias, dense, thresholds, neutral_margin, hashed })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(BUCKETS * OUTPUTS + 1024);
        out.extend_from_slice(MAGIC);
        for n in [FEATURE_VERSION, BUCKETS as u32, DENSE as u32, OUTPUTS as u32] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        let floats = self
            .scale
            .iter()
            .chain(&self.bias)
            .chain(self.dense.iter().flatten())
            .chain(&self.thresholds)
            .chain([&self.neutral_margin]);
        for x in floats {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend(self.hashed.iter().map(|w| *w as u8));
        out
    }

    /// The compound score in [-1, 1] from the outputs.
    pub fn compound(&self, logits: &[f32; OUTPUTS]) -> f64 {
        shrink(polarity(logits), f64::from(self.neutral_margin))
    }

    /// The intents whose probability reaches their threshold, in output order; `[Other]` when none.
    pub fn intents(&self, logits: &[f32; OUTPUTS]) -> Vec<Intent> {
        let mut out: Vec<Intent> = INTENTS
            .iter()
            .enumerate()
            .filter(|(k, _)| sigmoid(logits[2 + k]) >= f64::from(self.thresholds[*k]))
            .map(|(_, i)| *i)
            .collect();
        if out.is_empty() {
            out.push(Intent::Other);
        }
        out
    }

    /// The eight raw outputs (logits) for some features.
    pub fn logits(&self, f: &Features) -> [f32; OUTPUTS] {
        let mut sums = [0i32; OUTPUTS];
        for b in &f.hashed {
            let row = &self.hashed[*b as usize * OUTPUTS..][..OUTPUTS];
            for (s, w) in sums.iter_mut().zip(row) {
                *s += i32::from(*w);
            }
        }
        let mut out = self.bias;
        for (k, o) in out.iter_mut().enumerate() {
            *o += sums[k] as f32 * self.scale[k];
            *o += self.dense[k].iter().zip(&f.dense).map(|(w, x)| w * x).sum::<f32>();
        }
        out
    }
}

/// The embedded model, read once. `None` only if the embedded file is broken, which its tests rule out.
pub fn embedded() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_bytes(WEIGHTS).ok()).as_ref()
}

/// `P(positive) - P(negative)` from the two sentiment logits (neutral's logit is zero).
pub fn polarity(logits: &[f32; OUTPUTS]) -> f64 {
    let (pos, neg) = (f64::from(logits[0]), f64::from(logits[1]));
    let m = pos.max(neg).max(0.0);
    let (ep, en, e0) = ((pos - m).exp(), (neg - m).exp(), (-m).exp());
    (ep - en) / (ep + en + e0)
}

/// The polarity shrunk by `margin` toward zero, so `|polarity| <= margin` lands inside the neutral band.
pub fn shrink(polarity: f64, margin: f64) -> f64 {
    let m = margin.clamp(0.0, 0.9);
    let band = super::NEUTRAL_BAND;
    let x = polarity.abs();
    // Piecewise linear and increasing: [0, m] maps onto [0, band), [m, 1] onto [band, 1].
    let y = if x <= m { x / m.max(1e-9) * band * 0.999 } else { band + (x - m) / (1.0 - m) * (1.0 - band) };
    y.copysign(polarity)
}

pub fn sigmoid(x: f32) -> f64 {
    1.0 / (1.0 + (-f64::from(x)).exp())
}

/// One input that moved an output, and by how much (in logits; positive pushes toward the output).
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct Reason {
    pub feature: String,
    pub weight: f64,
}

/// A text's features with the name of each hashed one ([`super::features::extract_named`]).
pub type NamedFeatures = (Features, Vec<String>);

/// The few inputs that moved one output most, strongest first: `weight_of` gives a dense input's weight,
/// `hashed_of` a bucket's from its row of weights.
fn reasons(
    model: &Model,
    (f, names): &NamedFeatures,
    weight_of: impl Fn(usize) -> f32,
    hashed_of: impl Fn(&[i8]) -> f32,
    n: usize,
) -> Vec<Reason> {
    let mut by_name: Vec<(String, f32)> = Vec::new();
    for (b, name) in f.hashed.iter().zip(names) {
        let w = hashed_of(&model.hashed[*b as usize * OUTPUTS..][..OUTPUTS]);
        match by_name.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 += w,
            None => by_name.push((name.clone(), w)),
        }
    }
    for (k, x) in f.dense.iter().enumerate() {
        if *x != 0.0 {
            by_name.push((DENSE_NAMES[k].to_owned(), weight_of(k) * x));
        }
    }
    by_name.retain(|(_, w)| w.abs() >= 0.05);
    by_name.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    by_name.truncate(n);
    by_name.into_iter().map(|(feature, w)| Reason { feature, weight: (f64::from(w) * 100.0).round() / 100.0 }).collect()
}

/// What moved the sentiment: positive weights toward positive, negative toward negative.
pub fn sentiment_reasons(model: &Model, features: &NamedFeatures, n: usize) -> Vec<Reason> {
    reasons(
        model,
        features,
        |k| model.dense[0][k] - model.dense[1][k],
        |row| f32::from(row[0]) * model.scale[0] - f32::from(row[1]) * model.scale[1],
        n,
    )
}

/// What moved one intent: positive weights toward it.
pub fn intent_reasons(model: &Model, features: &NamedFeatures, intent: Intent, n: usize) -> Vec<Reason> {
    let Some(k) = INTENTS.iter().position(|i| *i == intent) else { return Vec::new() };
    reasons(model, features, |d| model.dense[2 + k][d], |row| f32::from(row[2 + k]) * model.scale[2 + k], n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_weights_are_the_ones_the_training_script_wrote() {
        use sha2::Digest;
        let recorded = include_str!("../../data/model/weights.sha256");
        let hex: String = sha2::Sha256::digest(WEIGHTS).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(recorded.split_whitespace().next(), Some(hex.as_str()), "weights.bin differs from weights.sha256");
        assert!(embedded().is_some(), "{:?}", Model::from_bytes(WEIGHTS).err());
    }

    #[test]
    fn a_file_round_trips_and_a_broken_one_is_refused() {
        let m = embedded().unwrap();
        assert_eq!(&Model::from_bytes(&m.to_bytes()).unwrap(), m);
        assert_eq!(Model::from_bytes(b"nope"), Err(WeightsError::Magic));
        let bytes = m.to_bytes();
        assert_eq!(Model::from_bytes(&bytes[..bytes.len() - 1]), Err(WeightsError::Short));
        let mut old = bytes.clone();
        old[4..8].copy_from_slice(&(FEATURE_VERSION + 1).to_le_bytes());
        assert_eq!(Model::from_bytes(&old), Err(WeightsError::Version(FEATURE_VERSION + 1)));
    }

    #[test]
    fn polarity_is_the_difference_of_the_two_probabilities() {
        let mut l = [0.0; OUTPUTS];
        assert_eq!(polarity(&l), 0.0);
        l[0] = 20.0;
        assert!(polarity(&l) > 0.99);
        l[1] = 20.0;
        assert!(polarity(&l).abs() < 1e-9);
    }

    #[test]
    fn the_margin_maps_onto_the_neutral_band_and_keeps_the_order() {
        use crate::analysis::{Sentiment, NEUTRAL_BAND};
        assert_eq!(Sentiment::of(shrink(0.19, 0.2)), Sentiment::Neutral);
        assert_eq!(Sentiment::of(shrink(-0.21, 0.2)), Sentiment::Negative);
        assert!((shrink(1.0, 0.2) - 1.0).abs() < 1e-12 && (shrink(0.2, 0.2) - NEUTRAL_BAND).abs() < 1e-3);
        let xs: Vec<f64> = (-100..=100).map(|i| shrink(f64::from(i) / 100.0, 0.3)).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]));
    }
}
