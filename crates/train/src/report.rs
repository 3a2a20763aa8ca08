//! The held-out report: each set scored by the model and, in the same run, by the lexicon rules alone
//! (VADER's compound and the cue phrases) that the model replaces.

use std::fmt::Write;

use earshot_core::analysis::evaluate::{score, Example, Scores};
use earshot_core::analysis::model::Model;
use earshot_core::analysis::rule_reading;

use crate::optimise::model_scores;
use crate::Set;

fn rules(examples: &[Example]) -> Scores {
    score(examples, rule_reading)
}

fn num(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{x:.3}"))
}

pub fn markdown(model: &Model, groups: &[(&str, &[Set])]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| set | role | n | r rules | r model | acc rules | acc model | any-match rules | any-match model | macro-F1 rules | macro-F1 model |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut per_class = String::new();
    for (role, sets) in groups {
        for set in *sets {
            let examples: Vec<Example> = set.items.iter().map(|i| i.example.clone()).collect();
            let (r, m) = (rules(&examples), model_scores(model, &set.items));
            let _ = writeln!(
                out,
                "| {} | {role} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                set.name,
                examples.len(),
                num(r.pearson),
                num(m.pearson),
                num(r.accuracy),
                num(m.accuracy),
                num(r.any_match),
                num(m.any_match),
                num(r.macro_f1),
                num(m.macro_f1)
            );
            if m.labelled > 0 {
                let _ = write!(per_class, "| {} ({role}) |", set.name);
                for ((_, rs), (_, ms)) in r.intents.iter().zip(&m.intents) {
                    let _ = write!(per_class, " {:.2} → {:.2} ({}) |", rs.f1, ms.f1, ms.support);
                }
                per_class.push('\n');
            }
        }
    }
    if !per_class.is_empty() {
        out.push_str("\nIntent F1, rules → model (support):\n\n");
        out.push_str(
            "| set | lead | complaint | question | praise | idea | trigger |\n|---|---|---|---|---|---|---|\n",
        );
        out.push_str(&per_class);
    }
    out
}
