//! Net Promoter answers from survey exports (Typeform, Google Forms, SurveyMonkey, Delighted, a
//! spreadsheet): each row is one answer with a 0-10 score, who gave it (email and/or name), an optional
//! comment and when. The score column is found by name ("score", "nps", "rating") or by the question's
//! wording ("... recommend ..."); a score outside 0-10 refuses the row with its line.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::import::{FileError, RecordError};
use crate::sheet::{day_first, parse_when, Sheet};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpsDraft {
    pub line: u64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub score: u8,
    pub comment: Option<String>,
    pub answered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedNps {
    pub answers: Vec<NpsDraft>,
    pub errors: Vec<RecordError>,
}

const SCORE: [&str; 7] = ["score", "nps", "nps score", "rating", "likelihood to recommend", "recommend", "answer"];
const EMAIL: [&str; 6] = ["email", "email address", "e-mail", "respondent email", "customer email", "mail"];
const NAME: [&str; 5] = ["name", "full name", "respondent", "customer", "customer name"];
const COMMENT: [&str; 6] = ["comment", "comments", "feedback", "reason", "why", "verbatim"];
const DATE: [&str; 10] = [
    "date",
    "submitted at",
    "submitted",
    "timestamp",
    "response date",
    "created at",
    "date submitted",
    "end date",
    "completed at",
    "answered at",
];

fn score_column(sheet: &Sheet) -> Option<usize> {
    sheet.column(&SCORE).or_else(|| sheet.column_containing("recommend"))
}

/// A score as survey tools write it: "9", "10 - Extremely likely", "9.0".
fn read_score(cell: &str) -> Option<u8> {
    let digits: String = cell.trim().chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = &cell.trim()[digits.len()..];
    if rest.starts_with('.') && !rest[1..].chars().take_while(|c| c.is_ascii_digit()).all(|c| c == '0') {
        return None;
    }
    digits.parse::<u8>().ok().filter(|s| *s <= 10)
}

/// Reads every answer; times without an offset are in `zone`.
pub fn read(bytes: &[u8], zone: Tz) -> Result<ParsedNps, FileError> {
    let sheet = Sheet::read(bytes, |cells| {
        let s = Sheet { headers: cells.to_vec(), ..Default::default() };
        score_column(&s).is_some()
    })?;
    let score = score_column(&sheet).ok_or(FileError::NeedsMapping)?;
    let email = sheet.column(&EMAIL).or_else(|| sheet.column_containing("email"));
    let name = sheet.column(&NAME);
    let comment = sheet
        .column(&COMMENT)
        .or_else(|| sheet.column_containing("reason"))
        .or_else(|| sheet.column_containing("comment"));
    let date = sheet.column(&DATE).or_else(|| sheet.column_containing("date"));
    let day_first = day_first(sheet.rows.iter().map(|r| r.get(date)));
    let mut out = ParsedNps { errors: sheet.unreadable.clone(), ..Default::default() };
    for row in &sheet.rows {
        let cell = row.get(Some(score));
        let Some(s) = read_score(cell) else {
            out.errors.push(RecordError::new(row.line, format!("score \"{cell}\" is not a whole number from 0 to 10")));
            continue;
        };
        let when = row.get(date);
        let Some(answered_at) = parse_when(when, zone, day_first) else {
            let reason = if when.is_empty() || date.is_none() {
                "no date: add a date column (when the answer was given)".to_string()
            } else {
                format!("date \"{when}\" is not a date (expected e.g. 2026-01-31)")
            };
            out.errors.push(RecordError::new(row.line, reason));
            continue;
        };
        out.answers.push(NpsDraft {
            line: row.line,
            email: row.opt(email).filter(|e| e.contains('@')).map(str::to_string),
            name: row.opt(name).map(str::to_string),
            score: s,
            comment: row.opt(comment).map(|c| text::truncate_chars(c, 4000).to_string()),
            answered_at,
        });
    }
    out.errors.sort_by_key(|e| e.line);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_exports_read_scores_by_header_or_question_and_refuse_bad_rows() {
        let csv = "Timestamp,Email Address,How likely are you to recommend Bean There to a friend?,What is the main reason for your score?\n\
2026-02-01 09:00:00,ana@example.com,10 - Extremely likely,Best coffee\n\
2026-02-02 09:00:00,bo@example.com,11,\n\
2026-02-03 09:00:00,,6,Slow service\n\
,cy@example.com,8,\n";
        let p = read(csv.as_bytes(), Tz::UTC).unwrap();
        assert_eq!(p.answers.len(), 2);
        assert_eq!((p.answers[0].score, p.answers[0].email.as_deref()), (10, Some("ana@example.com")));
        assert_eq!(p.answers[0].comment.as_deref(), Some("Best coffee"));
        assert_eq!((p.answers[1].score, p.answers[1].email.as_deref()), (6, None));
        assert_eq!(p.errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 5]);
        assert!(p.errors[0].reason.contains("\"11\""));
        assert!(p.errors[1].reason.contains("no date"));
    }

    #[test]
    fn a_file_without_a_score_column_asks_for_one() {
        assert_eq!(read(b"Email,Date\na@example.com,2026-01-01\n", Tz::UTC), Err(FileError::NeedsMapping));
        assert_eq!(read_score("9.0"), Some(9));
        assert_eq!(read_score("9.5"), None);
        assert_eq!(read_score("-1"), None);
    }
}
