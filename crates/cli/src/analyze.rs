//! `earshot analyze`: one text per line on stdin, one JSON analysis per line on stdout, in the same order;
//! and `--evaluate FILE`, which scores the analysis against a labelled set.
//!
//! Lines are read in blocks and each block is analysed on every core, so a million lines take seconds.
//! Bytes that are not UTF-8 are replaced, never fatal: one bad line costs one odd result, not the run.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;

use anyhow::{bail, Context};
use earshot_core::analysis::evaluate::{read_examples, score};
use earshot_core::analysis::{self, analyze, Explanation, Speaker};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<Explanation>,
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn write_analysis(out: &mut Vec<u8>, text: &str, explain: bool) {
    let a = analyze(text, &Speaker::default());
    let line = Line {
        compound: round(a.compound, 4),
        sentiment: a.sentiment.as_str(),
        intents: a.intents.iter().map(|i| i.as_str()).collect(),
        urgency: round(a.urgency, 2),
        lang: a.lang,
        lexicon: a.lexicon,
        why: explain.then(|| analysis::explain(text)),
    };
    serde_json::to_writer(&mut *out, &line).expect("writing JSON to memory cannot fail");
    out.push(b'\n');
}

/// Analyses every line of stdin, with the reasons for each reading when `explain`.
pub fn run(explain: bool) -> anyhow::Result<()> {
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
                            write_analysis(&mut out, text, explain);
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

/// Scores the model, and in the same run the lexicon rules it replaced (VADER's compound and the cue
/// phrases), against a labelled file (format in `earshot_core::analysis::evaluate`), and prints both.
pub fn evaluate(path: &Path, json: bool) -> anyhow::Result<()> {
    let examples = read_examples(path)?;
    if examples.is_empty() {
        bail!("{}: no labelled examples; each line is sentiment<TAB>intents<TAB>text", path.display());
    }
    let model = score(&examples, |t| {
        let a = analyze(t, &Speaker::default());
        (a.compound, a.intents)
    });
    let rules = score(&examples, analysis::rule_reading);
    if json {
        let both = serde_json::json!({ "file": path.display().to_string(), "model": model, "lexicon_rules": rules });
        println!("{}", serde_json::to_string_pretty(&both)?);
        return Ok(());
    }
    let figure = |x: Option<f64>| x.map_or("–".to_owned(), |x| format!("{x:.3}"));
    println!(
        "{} examples from {} ({} rate sentiment, {} label intents)",
        examples.len(),
        path.display(),
        model.rated,
        model.labelled
    );
    println!("{:<28} {:>8} {:>14}", "", "model", "lexicon rules");
    for (name, m, r) in [
        ("sentiment Pearson r", model.pearson, rules.pearson),
        ("sentiment accuracy (3-way)", model.accuracy, rules.accuracy),
        ("intent any-match", model.any_match, rules.any_match),
        ("intent macro-F1", model.macro_f1, rules.macro_f1),
    ] {
        println!("{name:<28} {:>8} {:>14}", figure(m), figure(r));
    }
    if model.labelled > 0 {
        println!("\n{:<10} {:>13} {:>13} {:>8}", "intent", "F1 model", "F1 rules", "support");
        for ((intent, m), (_, r)) in model.intents.iter().zip(&rules.intents) {
            println!("{:<10} {:>13.3} {:>13.3} {:>8}", intent.as_str(), m.f1, r.f1, m.support);
        }
    }
    Ok(())
}
