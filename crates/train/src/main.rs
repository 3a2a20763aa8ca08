//! `earshot-train`: learns the analysis model (see `earshot_core::analysis::model`) and reports it on
//! held-out sets beside the lexicon rules. Run by `scripts/train/train.py`, which builds the sets.
//!
//! - Sentiment: a three-way softmax (negative, neutral, positive) over the features, trained on every
//!   training example that rates sentiment.
//! - Intents: one logistic output per intent, trained on the examples that label intents; each output's
//!   threshold is the one with the best F1 on the validation sets.
//!
//! Optimisation is AdaGrad with L2 decay over shuffled epochs, single-threaded with a seeded shuffle, so the
//! same sets and seed give the same file byte for byte.

mod optimise;
mod report;

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use earshot_core::analysis::evaluate::{read_examples, Example};
use earshot_core::analysis::features::{self, Features};
use earshot_core::analysis::model::{Model, INTENTS};

#[derive(Parser)]
#[command(about = "Learn the analysis model's weights")]
struct Args {
    /// Labelled files to learn from.
    #[arg(long = "train", required = true)]
    train: Vec<PathBuf>,
    /// Labelled files from another domain (critics' snippets): learned through a domain copy of the weights
    /// that does not ship.
    #[arg(long = "train-elsewhere")]
    train_elsewhere: Vec<PathBuf>,
    /// Labelled files to choose intent thresholds on (never learned from).
    #[arg(long = "valid")]
    valid: Vec<PathBuf>,
    /// Held-out files, reported only.
    #[arg(long = "test")]
    test: Vec<PathBuf>,
    /// Further files reported only (sets that may not be learned from).
    #[arg(long = "measure")]
    measure: Vec<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// L2 decay of the hashed weights of the sentiment outputs.
    #[arg(long, default_value_t = 1e-2)]
    decay_sentiment: f64,
    /// L2 decay of the hashed weights of the intent outputs.
    #[arg(long, default_value_t = 2e-4)]
    decay_intents: f64,
    /// How much more a hand-labelled mention counts than a critic's snippet: mentions are few and are
    /// the text the app reads.
    #[arg(long, default_value_t = 3.0)]
    mention_weight: f64,
    /// A word or pair must occur in at least this many training texts to be given a weight.
    #[arg(long, default_value_t = 1)]
    min_texts: u32,
    #[arg(long)]
    out: PathBuf,
    /// Where to write the held-out report (Markdown).
    #[arg(long)]
    report: Option<PathBuf>,
}

/// One example, read and featurised once.
pub struct Item {
    pub example: Example,
    pub features: Features,
    /// How much this example counts in training.
    pub weight: f64,
    /// From another domain (`--train-elsewhere`): learned with a domain copy.
    pub elsewhere: bool,
}

pub struct Set {
    pub name: String,
    pub items: Vec<Item>,
}

fn load(paths: &[PathBuf], mention_weight: f64, elsewhere: bool) -> anyhow::Result<Vec<Set>> {
    paths
        .iter()
        .map(|path| {
            let examples = read_examples(path)?;
            // Sets written for Earshot (mentions, reviews) count more than the borrowed critics' snippets.
            let weight = if elsewhere { 1.0 } else { mention_weight };
            let name = path
                .parent()
                .and_then(|p| p.file_name())
                .map(|d| format!("{}/{}", d.to_string_lossy(), path.file_name().unwrap_or_default().to_string_lossy()))
                .unwrap_or_else(|| path.display().to_string());
            let items = examples
                .into_iter()
                .map(|example| Item { features: features::extract(&example.text), example, weight, elsewhere })
                .collect();
            Ok(Set { name, items })
        })
        .collect::<anyhow::Result<_>>()
        .context("reading the labelled sets")
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut train = load(&args.train, args.mention_weight, false)?;
    train.extend(load(&args.train_elsewhere, args.mention_weight, true)?);
    let valid = load(&args.valid, 1.0, false)?;
    let test = load(&args.test, 1.0, false)?;
    let measure = load(&args.measure, 1.0, false)?;
    let learned: Vec<&Item> = train.iter().flat_map(|s| &s.items).collect();
    eprintln!(
        "learning from {} examples ({} rate sentiment, {} label intents)",
        learned.len(),
        learned.iter().filter(|i| i.example.rating.is_some()).count(),
        learned.iter().filter(|i| i.example.intents.is_some()).count()
    );
    let decay = optimise::Decay { sentiment: args.decay_sentiment, intents: args.decay_intents };
    let weights = optimise::learn_weights(&learned, args.seed, decay, args.min_texts);
    let mut model: Model = weights.quantise();
    let choosing: Vec<&Item> = valid.iter().flat_map(|s| &s.items).collect();
    model.thresholds = optimise::thresholds(&model, &choosing);
    model.neutral_margin = optimise::neutral_margin(&model, &choosing);
    eprintln!(
        "neutral margin {:.2}; thresholds: {}",
        model.neutral_margin,
        INTENTS
            .iter()
            .zip(model.thresholds)
            .map(|(i, t)| format!("{} {t:.2}", i.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(&args.out, model.to_bytes()).with_context(|| format!("writing {}", args.out.display()))?;
    let report = report::markdown(&model, &[("validation", &valid), ("held out", &test), ("measured only", &measure)]);
    print!("{report}");
    if let Some(path) = &args.report {
        std::fs::write(path, &report).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
