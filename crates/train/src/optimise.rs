//! The learning itself: AdaGrad over the eight outputs, then quantisation and threshold choice.

use earshot_core::analysis::evaluate::{score, Example};
use earshot_core::analysis::features::{BUCKETS, DENSE};
use earshot_core::analysis::model::{self, Model, INTENTS, OUTPUTS};
use earshot_core::analysis::Sentiment;

use crate::Item;

const EPOCHS: usize = 12;
const RATE: f64 = 0.2;
/// L2 decay per update on the dense weights an example touches.
const L2_DENSE: f64 = 1e-5;

/// How strongly the hashed words and pairs are held to zero, per group of outputs: sentiment leans on the
/// lexicons and lets words correct them only where the evidence is strong; intents lean on words.
#[derive(Debug, Clone, Copy)]
pub struct Decay {
    pub sentiment: f64,
    pub intents: f64,
}

/// One copy of the weights in full precision, with AdaGrad's running sums of squared gradients.
pub struct Weights {
    hashed: Vec<f64>,
    dense: [[f64; DENSE]; OUTPUTS],
    bias: [f64; OUTPUTS],
    g2_hashed: Vec<f64>,
    g2_dense: [[f64; DENSE]; OUTPUTS],
    g2_bias: [f64; OUTPUTS],
}

/// SplitMix64: a seeded shuffle that is the same on every machine.
struct Shuffle(u64);

impl Shuffle {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The class an example teaches for sentiment: named, or the sign of its rating.
fn class_of(e: &Example) -> Option<Sentiment> {
    e.class.or_else(|| e.rating.map(|r| Sentiment::of(r / 4.0)))
}

/// The gradient of the loss for each output on one example (zero where the example says nothing).
fn gradients(item: &Item, z: &[f64; OUTPUTS], active: &mut [bool; OUTPUTS]) -> [f64; OUTPUTS] {
    let mut g = [0.0; OUTPUTS];
    *active = [false; OUTPUTS];
    if let Some(class) = class_of(&item.example) {
        let m = z[0].max(z[1]).max(0.0);
        let (ep, en, e0) = ((z[0] - m).exp(), (z[1] - m).exp(), (-m).exp());
        let total = ep + en + e0;
        let (pp, pn) = (ep / total, en / total);
        g[0] = pp - f64::from(u8::from(class == Sentiment::Positive));
        g[1] = pn - f64::from(u8::from(class == Sentiment::Negative));
        active[0] = true;
        active[1] = true;
    }
    if let Some(gold) = &item.example.intents {
        for (k, intent) in INTENTS.iter().enumerate() {
            let y = f64::from(u8::from(gold.contains(intent)));
            g[2 + k] = sigmoid(z[2 + k]) - y;
            active[2 + k] = true;
        }
    }
    for x in &mut g {
        *x *= item.weight;
    }
    g
}

impl Weights {
    fn new() -> Weights {
        Weights {
            hashed: vec![0.0; BUCKETS * OUTPUTS],
            dense: [[0.0; DENSE]; OUTPUTS],
            bias: [0.0; OUTPUTS],
            g2_hashed: vec![1e-8; BUCKETS * OUTPUTS],
            g2_dense: [[1e-8; DENSE]; OUTPUTS],
            g2_bias: [1e-8; OUTPUTS],
        }
    }

    fn add_logits(&self, item: &Item, z: &mut [f64; OUTPUTS]) {
        for (zk, b) in z.iter_mut().zip(&self.bias) {
            *zk += b;
        }
        for b in &item.features.hashed {
            let row = &self.hashed[*b as usize * OUTPUTS..][..OUTPUTS];
            for (zk, w) in z.iter_mut().zip(row) {
                *zk += w;
            }
        }
        for (k, zk) in z.iter_mut().enumerate() {
            *zk += self.dense[k].iter().zip(&item.features.dense).map(|(w, x)| w * f64::from(*x)).sum::<f64>();
        }
    }

    /// One AdaGrad step on output `k` with gradient `g` and L2 decay `l2` on the hashed weights; buckets not
    /// `learnable` keep their zero weight.
    fn step(&mut self, item: &Item, k: usize, g: f64, l2: f64, learnable: &[bool]) {
        self.g2_bias[k] += g * g;
        self.bias[k] -= RATE * g / self.g2_bias[k].sqrt();
        for (d, x) in item.features.dense.iter().enumerate() {
            let grad = g * f64::from(*x) + L2_DENSE * self.dense[k][d];
            self.g2_dense[k][d] += grad * grad;
            self.dense[k][d] -= RATE * grad / self.g2_dense[k][d].sqrt();
        }
        for b in item.features.hashed.iter().filter(|b| learnable[**b as usize]) {
            let at = *b as usize * OUTPUTS + k;
            let grad = g + l2 * self.hashed[at];
            self.g2_hashed[at] += grad * grad;
            self.hashed[at] -= RATE * grad / self.g2_hashed[at].sqrt();
        }
    }

    /// Eight i8 weights per bucket with one scale per output; thresholds are set afterwards.
    pub fn quantise(&self) -> Model {
        let mut scale = [0f32; OUTPUTS];
        for (k, s) in scale.iter_mut().enumerate() {
            let max = self.hashed.iter().skip(k).step_by(OUTPUTS).fold(0.0f64, |m, w| m.max(w.abs()));
            *s = if max > 0.0 { (max / 127.0) as f32 } else { 1.0 };
        }
        let hashed = self
            .hashed
            .iter()
            .enumerate()
            .map(|(i, w)| (w / f64::from(scale[i % OUTPUTS])).round().clamp(-127.0, 127.0) as i8)
            .collect();
        Model {
            scale,
            bias: self.bias.map(|b| b as f32),
            dense: self.dense.map(|row| row.map(|w| w as f32)),
            thresholds: [0.5; INTENTS.len()],
            neutral_margin: 0.0,
            hashed,
        }
    }
}

/// The domain copy is held to zero this much less than the shared weights, so evidence seen in one domain
/// only settles mostly in its copy (with equal decay it would split evenly between the two).
const ELSEWHERE_DECAY: f64 = 0.1;

/// Learns the weights from `items` with the seeded shuffle.
///
/// Examples from another domain (`Item::elsewhere`, the critics' snippets) are read by the shared weights
/// plus a copy of their own, which is thrown away afterwards ("frustratingly easy" domain adaptation,
/// Daumé 2007): what only holds for films ("furious" action, "!" of delight) settles in the copy, and only
/// what holds across domains reaches the shipped weights.
pub fn learn_weights(items: &[&Item], seed: u64, decay: Decay, min_texts: u32) -> Weights {
    // A word or pair seen in fewer than `min_texts` training texts says more about those texts than about
    // the language: it keeps no weight.
    let mut seen_in = vec![0u32; BUCKETS];
    for item in items {
        let mut buckets = item.features.hashed.clone();
        buckets.sort_unstable();
        buckets.dedup();
        for b in buckets {
            seen_in[b as usize] += 1;
        }
    }
    let learnable: Vec<bool> = seen_in.iter().map(|n| *n >= min_texts).collect();
    let mut shared = Weights::new();
    let mut elsewhere = Weights::new();
    let mut order: Vec<usize> = (0..items.len()).collect();
    let mut shuffle = Shuffle(seed);
    let mut active = [false; OUTPUTS];
    for _ in 0..EPOCHS {
        shuffle.shuffle(&mut order);
        for &i in &order {
            let item = items[i];
            let mut z = [0.0; OUTPUTS];
            shared.add_logits(item, &mut z);
            if item.elsewhere {
                elsewhere.add_logits(item, &mut z);
            }
            let g = gradients(item, &z, &mut active);
            for k in (0..OUTPUTS).filter(|k| active[*k]) {
                let l2 = if k < 2 { decay.sentiment } else { decay.intents };
                shared.step(item, k, g[k], l2, &learnable);
                if item.elsewhere {
                    elsewhere.step(item, k, g[k], l2 * ELSEWHERE_DECAY, &learnable);
                }
            }
        }
    }
    shared
}

/// For each intent, the threshold with the best F1 on `items` (0.5 when they label none of it).
pub fn thresholds(model: &Model, items: &[&Item]) -> [f32; INTENTS.len()] {
    let probabilities: Vec<[f64; INTENTS.len()]> = items
        .iter()
        .map(|i| {
            let z = model.logits(&i.features);
            std::array::from_fn(|k| model::sigmoid(z[2 + k]))
        })
        .collect();
    let mut out = [0.5f32; INTENTS.len()];
    for (k, intent) in INTENTS.iter().enumerate() {
        let labelled: Vec<(f64, bool)> = items
            .iter()
            .zip(&probabilities)
            .filter_map(|(i, p)| i.example.intents.as_ref().map(|g| (p[k], g.contains(intent))))
            .collect();
        if !labelled.iter().any(|(_, y)| *y) {
            continue;
        }
        let mut best = (0.0, 0.5);
        for step in 5..=95 {
            let t = f64::from(step) / 100.0;
            let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
            for (p, y) in &labelled {
                match (*p >= t, *y) {
                    (true, true) => tp += 1.0,
                    (true, false) => fp += 1.0,
                    (false, true) => fn_ += 1.0,
                    _ => {}
                }
            }
            let f1 = 2.0 * tp / (2.0 * tp + fp + fn_);
            if f1 > best.0 {
                best = (f1, t);
            }
        }
        out[k] = best.1 as f32;
    }
    out
}

/// Scores the quantised model on one set exactly as the app will run it.
pub fn model_scores(model: &Model, items: &[Item]) -> earshot_core::analysis::evaluate::Scores {
    let examples: Vec<Example> = items.iter().map(|i| i.example.clone()).collect();
    let mut at = 0;
    score(&examples, |_| {
        let z = model.logits(&items[at].features);
        at += 1;
        (model.compound(&z), model.intents(&z))
    })
}

/// The polarity below which a text reads as neutral, chosen for the best three-class accuracy on `items`.
pub fn neutral_margin(model: &Model, items: &[&Item]) -> f32 {
    let classed: Vec<(f64, Sentiment)> = items
        .iter()
        .filter_map(|i| i.example.class.map(|c| (model::polarity(&model.logits(&i.features)), c)))
        .collect();
    let mut best = (0usize, 0.0);
    for step in 0..=60 {
        let m = f64::from(step) / 100.0;
        let right = classed.iter().filter(|(p, c)| Sentiment::of(model::shrink(*p, m)) == *c).count();
        if right > best.0 {
            best = (right, m);
        }
    }
    best.1 as f32
}
