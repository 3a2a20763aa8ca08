//! Scoring an analysis against labelled text: the one definition of the figures the trainer reports and
//! `earshot analyze --evaluate` prints.
//!
//! A labelled file has one example per line, `sentiment<TAB>intents<TAB>text`:
//! - sentiment is `positive`, `neutral`, `negative`, a number (a human rating on any symmetric scale, such as
//!   -4..4), or `-` when the line does not rate sentiment;
//! - intents are comma-separated names (`lead,question`), `other`, or `-` when the line does not label them.
//!
//! Lines starting with `#` and blank lines are skipped.

use std::path::Path;

use serde::Serialize;

use super::intent::Intent;
use super::model::INTENTS;
use super::Sentiment;

#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The rating as a number (classes read as -1, 0, 1), if the line rates sentiment.
    pub rating: Option<f64>,
    /// The class, if the line names one.
    pub class: Option<Sentiment>,
    /// The intents, if the line labels them (`[Other]` for none).
    pub intents: Option<Vec<Intent>>,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{file} line {line}: {message}")]
pub struct LabelError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Reads a labelled file; every bad line is reported with its number, none is skipped silently.
pub fn read_examples(path: &Path) -> Result<Vec<Example>, LabelError> {
    let file = path.display().to_string();
    let body = std::fs::read(path).map_err(|e| LabelError {
        file: file.clone(),
        line: 0,
        message: format!("cannot be read: {e}"),
    })?;
    parse_examples(&String::from_utf8_lossy(&body), &file)
}

pub fn parse_examples(body: &str, file: &str) -> Result<Vec<Example>, LabelError> {
    let mut out = Vec::new();
    for (n, line) in body.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |message: String| LabelError { file: file.to_owned(), line: n + 1, message };
        let mut cols = line.splitn(3, '\t');
        let (Some(s), Some(i), Some(text)) = (cols.next(), cols.next(), cols.next()) else {
            return Err(fail("expected `sentiment<TAB>intents<TAB>text`".into()));
        };
        let (rating, class) = match s.trim() {
            "-" | "" => (None, None),
            "positive" => (Some(1.0), Some(Sentiment::Positive)),
            "neutral" => (Some(0.0), Some(Sentiment::Neutral)),
            "negative" => (Some(-1.0), Some(Sentiment::Negative)),
            other => match other.parse::<f64>() {
                Ok(x) if x.is_finite() => (Some(x), None),
                _ => {
                    return Err(fail(format!("sentiment `{other}` is not positive, neutral, negative, a number or -")))
                }
            },
        };
        let intents = match i.trim() {
            "-" | "" => None,
            list => Some(
                list.split(',')
                    .map(|x| Intent::parse(x.trim()).ok_or_else(|| fail(format!("unknown intent `{}`", x.trim()))))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        out.push(Example { rating, class, intents, text: text.to_owned() });
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ClassScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    /// Examples that rate sentiment.
    pub rated: usize,
    /// Pearson correlation of the compound score with the ratings.
    pub pearson: Option<f64>,
    /// Three-class accuracy (the compound read with the neutral band) on lines that name a class.
    pub accuracy: Option<f64>,
    /// Examples that label intents.
    pub labelled: usize,
    /// Per intent, in model order.
    pub intents: Vec<(Intent, ClassScore)>,
    /// Mean F1 over the intents that occur in the labels.
    pub macro_f1: Option<f64>,
    /// Share of examples where at least one predicted intent is a labelled one (`other` counts as one).
    pub any_match: Option<f64>,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len() as f64;
    if xs.len() < 2 {
        return None;
    }
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Scores `predict` (text to compound score and intents) on `examples`.
pub fn score(examples: &[Example], mut predict: impl FnMut(&str) -> (f64, Vec<Intent>)) -> Scores {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let (mut classed, mut right) = (0usize, 0usize);
    let mut counts = [(0usize, 0usize, 0usize); INTENTS.len()]; // true pos, false pos, false neg
    let (mut labelled, mut matched) = (0usize, 0usize);
    for ex in examples {
        let (compound, predicted) = predict(&ex.text);
        if let Some(r) = ex.rating {
            xs.push(compound);
            ys.push(r);
        }
        if let Some(c) = ex.class {
            classed += 1;
            right += usize::from(Sentiment::of(compound) == c);
        }
        let Some(gold) = &ex.intents else { continue };
        labelled += 1;
        matched += usize::from(predicted.iter().any(|p| gold.contains(p)));
        for (k, intent) in INTENTS.iter().enumerate() {
            match (predicted.contains(intent), gold.contains(intent)) {
                (true, true) => counts[k].0 += 1,
                (true, false) => counts[k].1 += 1,
                (false, true) => counts[k].2 += 1,
                (false, false) => {}
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let intents: Vec<(Intent, ClassScore)> = INTENTS
        .iter()
        .zip(counts)
        .map(|(i, (tp, fp, fn_))| {
            let (precision, recall) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
            (*i, ClassScore { precision, recall, f1: f1(precision, recall), support: tp + fn_ })
        })
        .collect();
    let present: Vec<f64> = intents.iter().filter(|(_, s)| s.support > 0).map(|(_, s)| s.f1).collect();
    Scores {
        rated: xs.len(),
        pearson: pearson(&xs, &ys),
        accuracy: (classed > 0).then(|| ratio(right, classed)),
        labelled,
        macro_f1: (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64),
        any_match: (labelled > 0).then(|| ratio(matched, labelled)),
        intents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_is_reported_by_number_and_field() {
        let err = parse_examples("positive\tpraise\tok\nmaybe\tpraise\tx\n", "set.tsv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "set.tsv line 2: sentiment `maybe` is not positive, neutral, negative, a number or -"
        );
        let err = parse_examples("-\tpraise,wish\tx\n", "set.tsv").unwrap_err();
        assert!(err.to_string().contains("unknown intent `wish`"));
    }

    #[test]
    fn ratings_classes_and_missing_labels_are_read() {
        let ex = parse_examples("# note\n2.5\t-\tnice\nnegative\tcomplaint,question\tbad?\n", "f").unwrap();
        assert_eq!((ex[0].rating, ex[0].class, ex[0].intents.clone()), (Some(2.5), None, None));
        assert_eq!(ex[1].intents, Some(vec![Intent::Complaint, Intent::Question]));
    }

    #[test]
    fn scores_count_what_a_reader_would() {
        let ex = parse_examples(
            "positive\tpraise\tgood\nnegative\tcomplaint\tbad\nneutral\tquestion\twhen?\nneutral\tother\tfine\n",
            "f",
        )
        .unwrap();
        let s = score(&ex, |t| match t {
            "good" => (0.8, vec![Intent::Praise]),
            "bad" => (-0.7, vec![Intent::Praise]),
            "when?" => (0.0, vec![Intent::Question]),
            _ => (0.3, vec![Intent::Other]),
        });
        assert_eq!(s.accuracy, Some(0.75));
        assert_eq!(s.any_match, Some(0.75), "other matches other; bad is missed");
        let praise = s.intents.iter().find(|(i, _)| *i == Intent::Praise).unwrap().1;
        assert_eq!((praise.precision, praise.recall, praise.support), (0.5, 1.0, 1));
        // praise 0.67, complaint 0, question 1: macro over the three present.
        assert!((s.macro_f1.unwrap() - (2.0 / 3.0 + 0.0 + 1.0) / 3.0).abs() < 1e-9);
        assert!(s.pearson.unwrap() > 0.5);
    }
}
