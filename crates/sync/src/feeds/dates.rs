//! Dates as feeds write them. Nearly every feed sends RFC 3339 (Atom, JSON Feed) or RFC 2822 (RSS), read
//! directly. The rest get, in turn: the repairs feed-rs makes by default (kept for the same results), then
//! a reading of what real feeds also write: two-digit years, time zone names beyond RFC 822's, ISO 8601
//! without a `T` or a zone (read as UTC), the basic format (`20261124T090000Z`), and month and weekday
//! names in French, German, Spanish, Italian, Dutch and Portuguese where they cannot be mistaken.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

/// A date as a feed writes it. Nearly every feed sends RFC 3339 (Atom, JSON Feed) or RFC 2822 (RSS), read
/// here directly; anything else gets the repairs feed-rs makes by default, and the same result. Those
/// repairs cost a dozen regular-expression passes, so they are kept for the dates that need them.
pub fn feed_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .map(|d| d.to_utc())
        .ok()
        .or_else(|| repaired_date(text))
        .or_else(|| iso_date(text))
        .or_else(|| named_month_date(text))
}

/// feed-rs's lenient reading (its `parse_timestamp_lenient`, which it does not export): RFC 3339 with a
/// colon-less offset or no time; RFC 2822 with "UTC", any weekday, long month names, month before day, hour
/// 24 or one-digit hours; RFC 1123 without the weekday.
fn repaired_date(text: &str) -> Option<DateTime<Utc>> {
    use std::sync::LazyLock;
    type Repairs = LazyLock<Vec<(regex::Regex, &'static str)>>;
    fn repairs(list: &[(&str, &'static str)]) -> Vec<(regex::Regex, &'static str)> {
        list.iter().map(|(pattern, with)| (regex::Regex::new(pattern).expect("a valid pattern"), *with)).collect()
    }
    static RFC3339: Repairs =
        LazyLock::new(|| repairs(&[(r"(\+|-)(\d{2})(\d{2})", "${1}${2}:${3}"), (r"-\d{2}$", "${0}T00:00:00+00:00")]));
    static RFC2822: Repairs = LazyLock::new(|| {
        repairs(&[
            ("(UTC|-0000$)", "+0000"),
            ("(Sun|Mon|Tue|Wed|Thu|Fri|Sat)[a-z]*, ", ""),
            ("(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*", "$1"),
            ("(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\\d{1,2}) (\\d{4})", "$2 $1 $3"),
            (" 24:", " 00:"),
            (" ([0-9]):", " 0${1}:"),
        ])
    });
    static RFC1123: Repairs = LazyLock::new(|| repairs(&[(" Z$", " +0000"), ("^[[:alpha:]]{3}, ", "")]));
    let repaired = |list: &Repairs| {
        list.iter().fold(text.to_string(), |text, (pattern, with)| pattern.replace(&text, *with).into_owned())
    };
    DateTime::parse_from_rfc3339(repaired(&RFC3339).trim())
        .or_else(|_| DateTime::parse_from_rfc2822(&repaired(&RFC2822)))
        .or_else(|_| DateTime::parse_from_str(&repaired(&RFC1123), "%d %b %Y %H:%M:%S %z"))
        .map(|d| d.to_utc())
        .ok()
}

/// Months by name (any case, a prefix of at least three letters where that is unambiguous), in English,
/// French, German, Spanish, Italian, Dutch and Portuguese.
const MONTHS: [&[&str]; 12] = [
    &["jan", "janv", "januar", "janvier", "enero", "ene", "gennaio", "gen", "januari", "janeiro"],
    &["feb", "fév", "fev", "février", "fevrier", "februar", "febrero", "febbraio", "februari", "fevereiro"],
    &["mar", "mär", "märz", "maerz", "mars", "marzo", "maart", "março", "marco"],
    &["apr", "avr", "avril", "abril", "aprile", "april", "abr"],
    &["may", "mai", "mayo", "maggio", "mag", "mei", "maio"],
    &["jun", "juin", "juni", "junio", "giugno", "giu", "junho"],
    &["jul", "juil", "juillet", "juli", "julio", "luglio", "lug", "julho"],
    &["aug", "aoû", "aou", "août", "aout", "agosto", "ago", "augustus"],
    &["sep", "sept", "septembre", "september", "septiembre", "settembre", "set", "setembro"],
    &["oct", "okt", "octobre", "oktober", "octubre", "ottobre", "ott", "outubro", "out"],
    &["nov", "novembre", "november", "noviembre", "novembro"],
    &["dec", "déc", "dez", "décembre", "decembre", "dezember", "diciembre", "dicembre", "dic", "december", "dezembro"],
];

fn month(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.').to_lowercase();
    if word.chars().count() < 3 {
        return None;
    }
    let english = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .zip(english)
        .position(|(names, full)| names.contains(&word.as_str()) || (word.len() >= 3 && full.starts_with(&word)))
        .map(|i| i as u32 + 1)
}

/// Offsets of the time zone names feeds write (RFC 822's and the common others; IST and other ambiguous
/// names are left out).
fn zone(name: &str) -> Option<i32> {
    let hours = match name.to_ascii_uppercase().as_str() {
        "UT" | "UTC" | "GMT" | "Z" | "WET" => 0.0,
        "EST" => -5.0,
        "EDT" => -4.0,
        "CST" => -6.0,
        "CDT" => -5.0,
        "MST" => -7.0,
        "MDT" => -6.0,
        "PST" => -8.0,
        "PDT" => -7.0,
        "AKST" => -9.0,
        "AKDT" => -8.0,
        "HST" => -10.0,
        "BST" | "CET" | "WEST" | "MEZ" => 1.0,
        "CEST" | "EET" | "MESZ" | "SAST" => 2.0,
        "EEST" | "MSK" => 3.0,
        "JST" | "KST" => 9.0,
        "AEST" => 10.0,
        "AEDT" => 11.0,
        "NZST" => 12.0,
        "NZDT" => 13.0,
        _ => return None,
    };
    Some((hours * 3600.0) as i32)
}

/// `+hhmm`, `-hh:mm`, `+hh`, or a zone name; the offset in seconds.
fn offset(token: &str) -> Option<i32> {
    if let Some(seconds) = zone(token) {
        return Some(seconds);
    }
    let (sign, digits) = match token.as_bytes().first()? {
        b'+' => (1, &token[1..]),
        b'-' => (-1, &token[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
        _ => return None,
    };
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

fn time_of(token: &str) -> Option<NaiveTime> {
    let token = token.split(['.', ',']).next()?;
    let parts: Vec<u32> = token.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    match parts.as_slice() {
        [h, m] => NaiveTime::from_hms_opt(*h % 24, *m, 0),
        [h, m, s] => NaiveTime::from_hms_opt(*h % 24, *m, (*s).min(59)),
        _ => None,
    }
}

fn year_of(token: &str) -> Option<i32> {
    let y: i32 = token.parse().ok()?;
    match token.len() {
        4 => Some(y),
        // Two-digit years, as RFC 822 allowed: 70-99 are the 1900s.
        2 => Some(if y < 70 { 2000 + y } else { 1900 + y }),
        _ => None,
    }
}

fn at(date: NaiveDate, time: NaiveTime, offset_seconds: i32) -> Option<DateTime<Utc>> {
    let zone = FixedOffset::east_opt(offset_seconds)?;
    zone.from_local_datetime(&date.and_time(time)).single().map(|d| d.to_utc())
}

/// Day, month name, year, time and zone in any order RFC 822 and its variants put them, after an optional
/// weekday.
fn named_month_date(text: &str) -> Option<DateTime<Utc>> {
    let tokens: Vec<&str> = text.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty()).collect();
    let (mut day, mut month_number, mut year, mut time, mut offset_seconds) = (None, None, None, None, None);
    for token in tokens {
        let token = token.trim_end_matches('.');
        if let Some(m) = month(token).filter(|_| month_number.is_none()) {
            month_number = Some(m);
        } else if token.contains(':') && time.is_none() {
            time = Some(time_of(token)?);
        } else if let Some(o) = offset(token).filter(|_| time.is_some() || token.starts_with(['+', '-'])) {
            offset_seconds = Some(o);
        } else if token.chars().all(|c| c.is_ascii_digit()) {
            match (token.len(), day) {
                (1 | 2, None) if year.is_none() || month_number.is_some() => day = Some(token.parse::<u32>().ok()?),
                (2 | 4, _) if year.is_none() => year = Some(year_of(token)?),
                _ => return None,
            }
        } else if token.chars().all(char::is_alphabetic)
            && ((month_number.is_none() && day.is_none()) || ["de", "del", "of", "the", "am", "um"].contains(&token))
        {
            // A weekday in whatever language, or the little words of a written date ("24 de noviembre").
        } else {
            return None;
        }
    }
    let date = NaiveDate::from_ymd_opt(year?, month_number?, day?)?;
    at(date, time.unwrap_or(NaiveTime::MIN), offset_seconds.unwrap_or(0))
}

/// ISO 8601 as feeds write it beyond RFC 3339: a space for the `T`, no seconds, no zone (UTC), the basic
/// format without separators.
fn iso_date(text: &str) -> Option<DateTime<Utc>> {
    let (date_part, rest) = match text.find(['T', 't', ' ']) {
        Some(i) => (&text[..i], text[i + 1..].trim()),
        None => (text, ""),
    };
    let digits: String = date_part.chars().filter(|c| *c != '-').collect();
    if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let date =
        NaiveDate::from_ymd_opt(digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..].parse().ok()?)?;
    if rest.is_empty() {
        return at(date, NaiveTime::MIN, 0);
    }
    let zone_at = rest.find(['Z', 'z', '+', '-', ' ']).unwrap_or(rest.len());
    let (clock, zone_text) = rest.split_at(zone_at);
    let clock = if clock.contains(':') {
        clock.to_string()
    } else {
        // Basic format: hhmm or hhmmss.
        let c: Vec<char> = clock.chars().collect();
        match c.len() {
            4 => format!("{}{}:{}{}", c[0], c[1], c[2], c[3]),
            6 => format!("{}{}:{}{}:{}{}", c[0], c[1], c[2], c[3], c[4], c[5]),
            _ => return None,
        }
    };
    let zone_text = zone_text.trim();
    let offset_seconds = if zone_text.is_empty() { 0 } else { offset(zone_text)? };
    at(date, time_of(&clock)?, offset_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_feed_rs_reads_are_read_the_same() {
        for date in [
            "Tue, 24 Nov 2026 05:07:00 GMT",
            "Tue, 24 Nov 2026 05:07:00 +0100",
            "24 Nov 2026 05:07:00 -0000",
            "Wed, 24 Nov 2026 05:07:00 GMT",
            "Thurs, 13 Jul 2011 07:38:00 GMT",
            "Tuesday, 24 November 2026 05:07:00 UTC",
            "Tue, Nov 24 2026 5:07:00 EST",
            "Tue, 24 Nov 2026 24:07:00 PDT",
            "Tue, 24 Nov 2026 05:07:00 Z",
            "2026-11-24T05:07:00Z",
            "2026-11-24T05:07:00.123+01:00",
            "2026-11-24T05:07:00+0100",
            "2026-11-24",
            "  2026-11-24T05:07:00Z  ",
            "yesterday",
            "",
        ] {
            let rss = format!(
                "<rss version=\"2.0\"><channel><title>t</title><item><guid>1</guid><pubDate>{date}</pubDate></item></channel></rss>"
            );
            let expected = feed_rs::parser::parse(rss.as_bytes()).unwrap().entries[0].published;
            assert_eq!(feed_date(date), expected, "{date:?}");
        }
        assert!(feed_date("Tue, 24 Nov 2026 05:07:00 GMT").is_some());
    }

    #[test]
    fn dates_real_feeds_write_beyond_the_standards_are_read() {
        for (date, expected) in [
            ("Tue, 24 Nov 26 09:00:00 CET", "2026-11-24T08:00:00Z"),
            ("24 Nov 2026 09:00 GMT", "2026-11-24T09:00:00Z"),
            ("2026-11-24 09:00:00", "2026-11-24T09:00:00Z"),
            ("2026-11-24T09:00", "2026-11-24T09:00:00Z"),
            ("2026-11-24 09:00:00 +0100", "2026-11-24T08:00:00Z"),
            ("20261124T090000Z", "2026-11-24T09:00:00Z"),
            ("2026-11-24T09:00:00.123456", "2026-11-24T09:00:00Z"),
            ("November 24, 2026 9:00 AEDT", "2026-11-23T22:00:00Z"),
            ("Di, 24 Nov 2026 09:00:00 +0100", "2026-11-24T08:00:00Z"),
            ("mardi 24 novembre 2026 09:00", "2026-11-24T09:00:00Z"),
            ("24 de noviembre de 2026", "2026-11-24T00:00:00Z"),
            ("24. Dezember 2026 18:30 MEZ", "2026-12-24T17:30:00Z"),
            ("Sun, 22 Nov 2026 17:45:00 EST", "2026-11-22T22:45:00Z"),
        ] {
            assert_eq!(
                feed_date(date).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                Some(expected.into()),
                "{date}"
            );
        }
        for nonsense in ["yesterday", "24", "2026", "99 Nov 2026", "Tue, 24 Foo 2026", "2026-13-01", "25:99"] {
            assert_eq!(feed_date(nonsense), None, "{nonsense}");
        }
    }
}
