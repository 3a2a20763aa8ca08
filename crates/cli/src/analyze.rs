//! `earshot analyze`: one text per line on stdin, one JSON analysis per line on stdout, in the same order;
//! and `--evaluate FILE`, which scores the analysis against a labelled set.
//!
//! Lines are read in blocks and each block is analysed on every core, so a million lines take seconds.
//! Bytes that are not UTF-8 are replaced, never fatal: one bad line costs one odd result, not the run.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;

use anyhow::{bail, Context};
use earshot_core::analysis::{analyze, Intent, Sentiment, Speaker};
use serde::Serialize;

const BLOCK: usize = 16 * 1024;

#[derive(Serialize)]
struct Line<'a> {
    compound: f64,
    sentiment: &'static str,
    intents: Vec<&'static str>,
    urgency: f64,
    lang: &'a str,
    lexicon: bool,
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn write_analysis(out: &mut Vec<u8>, text: &str) {
    let a = analyze(text, &Speaker::default());
    let line = Line {
        compound: round(a.compound, 4),
        sentiment: a.sentiment.as_str(),
        intents: a.intents.iter().map(|i| i.as_str()).collect(),
        urgency: round(a.urgency, 2),
        lang: a.lang,
        lexicon: a.lexicon,
    };
    serde_json::to_writer(&mut *out, &line).expect("writing JSON to memory cannot fail");
    out.push(b'\n');
}

/// Analyses every line of stdin.
pub fn run() -> anyhow::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let stdin = io::stdin();
    let mut input = io::BufReader::with_capacity(1 << 20, stdin.lock());
    let stdout = io::stdout();
    let mut output = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut raw = Vec::new();
    loop {
        let mut lines: Vec<String> = Vec::with_capacity(BLOCK);
        while lines.len() < BLOCK {
            raw.clear();
            if input.read_until(b'\n', &mut raw).context("reading stdin")? == 0 {
                break;
            }
            let line = String::from_utf8_lossy(&raw);
            lines.push(line.trim_end_matches(['\n', '\r']).to_owned());
        }
        if lines.is_empty() {
            break;
        }
        let per_thread = lines.len().div_ceil(threads);
        let parts: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = lines
                .chunks(per_thread)
                .map(|chunk| {
                    s.spawn(move || {
                        let mut out = Vec::with_capacity(chunk.len() * 120);
                        for text in chunk {
                            write_analysis(&mut out, text);
                        }
                        out
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("analysis never panics")).collect()
        });
        for part in parts {
            if let Err(e) = output.write_all(&part) {
                // The reader went away (`earshot analyze | head`): stop quietly.
                if e.kind() == io::ErrorKind::BrokenPipe {
                    return Ok(());
                }
                return Err(e).context("writing stdout");
            }
        }
    }
    match output.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e).context("writing stdout"),
        _ => Ok(()),
    }
}

/// One labelled example: `sentiment<TAB>intents<TAB>text`, intents comma-separated.
struct Example {
    sentiment: Sentiment,
    intents: Vec<Intent>,
    text: String,
}

fn read_examples(path: &Path) -> anyhow::Result<Vec<Example>> {
    let body = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in body.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let where_ = || format!("{} line {}", path.display(), n + 1);
        let mut cols = line.splitn(3, '\t');
        let (Some(s), Some(i), Some(text)) = (cols.next(), cols.next(), cols.next()) else {
            bail!("{}: expected `sentiment<TAB>intents<TAB>text`", where_());
        };
        let sentiment = match s {
            "positive" => Sentiment::Positive,
            "neutral" => Sentiment::Neutral,
            "negative" => Sentiment::Negative,
            other => bail!("{}: sentiment `{other}` is not positive, neutral or negative", where_()),
        };
        let intents = i
            .split(',')
            .map(|x| Intent::parse(x.trim()).with_context(|| format!("{}: unknown intent `{x}`", where_())))
            .collect::<anyhow::Result<Vec<_>>>()?;
        out.push(Example { sentiment, intents, text: text.to_owned() });
    }
    Ok(out)
}

#[derive(Serialize, Default)]
struct Evaluation {
    examples: usize,
    sentiment_accuracy: f64,
    /// Per intent: precision, recall, F1 and support.
    intents: BTreeMap<&'static str, IntentScore>,
    intent_micro_f1: f64,
}

#[derive(Serialize, Default, Clone, Copy)]
struct IntentScore {
    precision: f64,
    recall: f64,
    f1: f64,
    support: usize,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Scores the analysis against a labelled file and prints the figures.
pub fn evaluate(path: &Path, json: bool) -> anyhow::Result<()> {
    let examples = read_examples(path)?;
    if examples.is_empty() {
        bail!("{}: no labelled examples", path.display());
    }
    let mut right = 0usize;
    let mut counts: BTreeMap<&'static str, (usize, usize, usize)> = BTreeMap::new(); // (tp, fp, fn)
    for ex in &examples {
        let a = analyze(&ex.text, &Speaker::default());
        right += usize::from(a.sentiment == ex.sentiment);
        for intent in Intent::ALL.into_iter().filter(|i| *i != Intent::Other) {
            let (predicted, actual) = (a.intents.contains(&intent), ex.intents.contains(&intent));
            let c = counts.entry(intent.as_str()).or_default();
            match (predicted, actual) {
                (true, true) => c.0 += 1,
                (true, false) => c.1 += 1,
                (false, true) => c.2 += 1,
                (false, false) => {}
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut eval =
        Evaluation { examples: examples.len(), sentiment_accuracy: ratio(right, examples.len()), ..Default::default() };
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (name, (t, p, n)) in &counts {
        let (precision, recall) = (ratio(*t, t + p), ratio(*t, t + n));
        eval.intents.insert(name, IntentScore { precision, recall, f1: f1(precision, recall), support: t + n });
        (tp, fp, fn_) = (tp + t, fp + p, fn_ + n);
    }
    eval.intent_micro_f1 = f1(ratio(tp, tp + fp), ratio(tp, tp + fn_));
    if json {
        println!("{}", serde_json::to_string_pretty(&eval)?);
        return Ok(());
    }
    println!("{} examples from {}", eval.examples, path.display());
    println!("sentiment accuracy (3 classes): {:.1}%", eval.sentiment_accuracy * 100.0);
    println!("{:<10} {:>9} {:>7} {:>5} {:>8}", "intent", "precision", "recall", "F1", "support");
    for (name, s) in &eval.intents {
        println!("{name:<10} {:>8.1}% {:>6.1}% {:>5.2} {:>8}", s.precision * 100.0, s.recall * 100.0, s.f1, s.support);
    }
    println!("intent micro-F1: {:.2}", eval.intent_micro_f1);
    Ok(())
}
