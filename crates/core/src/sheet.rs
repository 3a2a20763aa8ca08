//! A CSV export read as a header row and data rows that keep their line numbers: what the order and survey
//! imports share. Shops and survey tools put notes above the header and leave blank rows, so the header is
//! found rather than assumed, and a row the CSV reader cannot read is reported by line, not fatal.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::import::{decode_text, FileError, RecordError};
use crate::table::{reader, Lines};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based line where the row starts.
    pub line: u64,
    pub cells: Vec<String>,
}

impl Row {
    /// The trimmed cell of `column`, or "" when the column is missing or the row is short.
    pub fn get(&self, column: Option<usize>) -> &str {
        column.and_then(|c| self.cells.get(c)).map(|s| s.trim()).unwrap_or("")
    }

    /// The cell, or `None` when it is empty.
    pub fn opt(&self, column: Option<usize>) -> Option<&str> {
        Some(self.get(column)).filter(|s| !s.is_empty())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub header_line: u64,
    pub rows: Vec<Row>,
    /// Rows the CSV reader could not read at all.
    pub unreadable: Vec<RecordError>,
}

impl Sheet {
    /// Reads `bytes`; the header is the first of the first 30 rows that `is_header` accepts, else the first
    /// non-empty row.
    pub fn read(bytes: &[u8], is_header: impl Fn(&[String]) -> bool) -> Result<Sheet, FileError> {
        let text = decode_text(bytes);
        if text.trim().is_empty() {
            return Err(FileError::Empty);
        }
        if text.contains('\0') {
            return Err(FileError::Unrecognised);
        }
        let lines = Lines::new(&text);
        let mut all = Vec::new();
        let mut unreadable = Vec::new();
        for record in reader(&text).records() {
            match record {
                Ok(r) => {
                    if r.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    let cells = r.iter().map(|c| c.trim_start_matches('\u{feff}').to_string()).collect();
                    all.push(Row { line: lines.line_of(r.position()), cells });
                }
                Err(e) => unreadable
                    .push(RecordError::new(lines.line_of(e.position()), format!("the row cannot be read as CSV: {e}"))),
            }
        }
        let header_at = all.iter().take(30).position(|r| is_header(&r.cells)).unwrap_or(0);
        if all.is_empty() {
            return Err(FileError::NoHeader);
        }
        let mut rows = all.split_off(header_at);
        let header = rows.remove(0);
        Ok(Sheet {
            headers: header.cells.iter().map(|h| h.trim().to_string()).collect(),
            header_line: header.line,
            rows,
            unreadable,
        })
    }

    /// The first column whose folded header equals one of `names` (folded: case, accents and spacing).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            let want = text::fold(name);
            self.headers.iter().position(|h| text::fold(h) == want)
        })
    }

    /// The first column whose folded header contains `needle`.
    pub fn column_containing(&self, needle: &str) -> Option<usize> {
        let want = text::fold(needle);
        self.headers.iter().position(|h| text::fold(h).contains(&want))
    }
}

/// Whether a file writes dates day first (31/01/2026) or month first (01/31/2026): day first as soon as
/// any slash date's first number is above 12, else month first (the US convention of the shop exports).
pub fn day_first<'a>(values: impl Iterator<Item = &'a str>) -> bool {
    values.filter_map(|v| v.split(['/', '.']).next()?.trim().parse::<u32>().ok()).any(|first| first > 12)
}

/// Reads a date or date-time as exports write them: RFC 3339, "2026-01-31 14:05:09 +0100",
/// "2026-01-31 14:05[:09]", "2026-01-31", "01/31/2026 [2:05 PM]", "31.01.2026". Times without an offset are
/// in `zone` (the shop's or the workspace's); a date alone is noon there, so it stays on its day in any
/// zone the owner later views it from.
pub fn parse_when(value: &str, zone: Tz, day_first: bool) -> Option<DateTime<Utc>> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%.f %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(v, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let v = v.trim_end_matches(" UTC").trim_end_matches('Z');
    let (dm, md) = if day_first { ("%d/%m/%Y", "%d.%m.%Y") } else { ("%m/%d/%Y", "%d.%m.%Y") };
    let mut naive = None;
    for date_fmt in ["%Y-%m-%d", dm, md, "%Y/%m/%d"] {
        for time_fmt in
            ["", " %H:%M:%S%.f", " %H:%M:%S", " %H:%M", "T%H:%M:%S%.f", "T%H:%M:%S", " %I:%M %p", " %I:%M:%S %p"]
        {
            let f = format!("{date_fmt}{time_fmt}");
            if time_fmt.is_empty() {
                if let Ok(d) = NaiveDate::parse_from_str(v, &f) {
                    naive = d.and_hms_opt(12, 0, 0);
                }
            } else if let Ok(t) = NaiveDateTime::parse_from_str(v, &f) {
                naive = Some(t);
            }
            if naive.is_some() {
                break;
            }
        }
        if naive.is_some() {
            break;
        }
    }
    let naive = naive?;
    // A time skipped by a daylight-saving jump does not exist; the hour after it does.
    zone.from_local_datetime(&naive)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(naive + chrono::Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_found_below_notes_and_rows_keep_their_lines() {
        let csv = "Exported 2026-01-31\n\nEmail,Score\na@example.com,9\n\nb@example.com,3\n";
        let sheet = Sheet::read(csv.as_bytes(), |h| h.iter().any(|c| c == "Score")).unwrap();
        assert_eq!(sheet.header_line, 3);
        assert_eq!(sheet.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![4, 6]);
        assert_eq!(sheet.rows[1].get(sheet.column(&["score"])), "3");
        assert_eq!(sheet.rows[1].get(Some(9)), "");
    }

    #[test]
    fn dates_read_in_every_export_shape() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let at = |s: &str, df| parse_when(s, ny, df).map(|t| t.to_rfc3339());
        assert_eq!(at("2026-01-31 14:05:09 +0100", false).unwrap(), "2026-01-31T13:05:09+00:00");
        assert_eq!(at("2026-01-31T14:05:09Z", false).unwrap(), "2026-01-31T14:05:09+00:00");
        assert_eq!(at("2026-01-31 09:00", false).unwrap(), "2026-01-31T14:00:00+00:00");
        assert_eq!(at("01/31/2026", false).unwrap(), "2026-01-31T17:00:00+00:00");
        assert_eq!(at("31/01/2026 2:05 PM", true).unwrap(), "2026-01-31T19:05:00+00:00");
        assert_eq!(at("07/04/2026", true).unwrap(), "2026-04-07T16:00:00+00:00");
        assert_eq!(at("tomorrow", false), None);
        // 02:30 on the spring-forward night does not exist in New York; it reads as 03:30 local.
        assert_eq!(at("2026-03-08 02:30", false).unwrap(), "2026-03-08T07:30:00+00:00");
    }

    #[test]
    fn a_day_above_twelve_means_the_file_is_day_first() {
        assert!(day_first(["01/02/2026", "25/01/2026"].into_iter()));
        assert!(!day_first(["01/02/2026", "12/31/2026"].into_iter()));
    }
}
