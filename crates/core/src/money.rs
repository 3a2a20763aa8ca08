//! Money as exact integers in the currency's minor unit (cents, pence, yen). Never floats.

/// Digits after the decimal point for a currency (ISO 4217); 2 for any currency not listed.
pub fn minor_digits(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "HUF" | "XOF" | "XAF" | "PYG" | "UGX" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
        _ => 2,
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("\"{0}\" is not an amount (expected a number like 12.50)")]
    NotANumber(String),
    #[error("\"{0}\" has more decimals than {1} allows")]
    TooPrecise(String, String),
    #[error("\"{0}\" is too large")]
    TooLarge(String),
}

/// Parses "1,234.50", "-12", "12.5" into minor units of `currency`. Thousands separators (`,` or space)
/// are accepted before a `.` decimal point; currency symbols around the number are ignored.
pub fn parse_minor(input: &str, currency: &str) -> Result<i64, MoneyError> {
    let digits = minor_digits(currency);
    let cleaned: String = input
        .trim()
        .trim_matches(|c: char| !(c.is_ascii_digit() || c == '-' || c == '.' || c == ','))
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    let (negative, body) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(MoneyError::NotANumber(input.to_string()));
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() as u32 > digits {
        return Err(MoneyError::TooPrecise(input.to_string(), currency.to_string()));
    }
    let scale = 10i64.pow(digits);
    let whole_value: i64 =
        if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyError::TooLarge(input.to_string()))? };
    let frac_value: i64 =
        if frac.is_empty() { 0 } else { frac.parse::<i64>().unwrap_or(0) * 10i64.pow(digits - frac.len() as u32) };
    let value = whole_value
        .checked_mul(scale)
        .and_then(|v| v.checked_add(frac_value))
        .ok_or_else(|| MoneyError::TooLarge(input.to_string()))?;
    Ok(if negative { -value } else { value })
}

/// Reads an amount as shop exports write it: "$1,234.56", "-€5.00", "(5.00)" (an accounting negative),
/// "1.234,56" and "12,5" (a decimal comma), "USD 10". When both separators appear the later one is the
/// decimal point; a lone comma followed by exactly three digits is a thousands separator.
pub fn parse_amount(input: &str, currency: &str) -> Result<i64, MoneyError> {
    let s = input.trim();
    let negative = s.contains('-') || (s.contains('(') && s.contains(')'));
    let kept: String = s.chars().filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',').collect();
    if !kept.chars().any(|c| c.is_ascii_digit()) {
        return Err(MoneyError::NotANumber(input.to_string()));
    }
    let decimal = match (kept.rfind('.'), kept.rfind(',')) {
        (Some(dot), Some(comma)) => Some(if dot > comma { '.' } else { ',' }),
        (None, Some(comma)) => {
            let single = kept.matches(',').count() == 1;
            (single && kept.len() - comma - 1 != 3).then_some(',')
        }
        (Some(_), None) => (kept.matches('.').count() == 1).then_some('.'),
        (None, None) => None,
    };
    let canonical: String = kept
        .chars()
        .filter_map(|c| match c {
            c if c.is_ascii_digit() => Some(c),
            c if Some(c) == decimal => Some('.'),
            _ => None,
        })
        .collect();
    let value = parse_minor(&canonical, currency).map_err(|e| match e {
        MoneyError::TooPrecise(_, c) => MoneyError::TooPrecise(input.to_string(), c),
        MoneyError::TooLarge(_) => MoneyError::TooLarge(input.to_string()),
        MoneyError::NotANumber(_) => MoneyError::NotANumber(input.to_string()),
    })?;
    Ok(if negative { -value } else { value })
}

/// Formats minor units back to a plain decimal string: 1250 EUR -> "12.50".
pub fn format_minor(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale as u64, abs % scale as u64, width = digits as usize)
}

/// Minor units as a number in the currency's major unit (1250 EUR -> 12.5), for JSON: the nearest double to
/// an exact decimal prints (shortest round-trip form) as that decimal.
pub fn to_major(minor: i64, currency: &str) -> f64 {
    minor as f64 / 10f64.powi(minor_digits(currency) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_export_amounts_parse_with_symbols_signs_and_decimal_commas() {
        assert_eq!(parse_amount("$1,234.56", "USD"), Ok(123456));
        assert_eq!(parse_amount("($5.00)", "USD"), Ok(-500));
        assert_eq!(parse_amount("-€5,5", "EUR"), Ok(-550));
        assert_eq!(parse_amount("1.234,56 €", "EUR"), Ok(123456));
        assert_eq!(parse_amount("1,234", "USD"), Ok(123400));
        assert_eq!(parse_amount("1.234.567", "USD"), Ok(123456700));
        assert_eq!(parse_amount("USD 10", "USD"), Ok(1000));
        assert_eq!(parse_amount("¥1,500", "JPY"), Ok(1500));
        assert!(matches!(parse_amount("n/a", "USD"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(parse_amount("1.005", "USD"), Err(MoneyError::TooPrecise(..))));
    }

    #[test]
    fn amounts_print_as_their_exact_decimal_in_json() {
        assert_eq!(to_major(123456, "USD").to_string(), "1234.56");
        assert_eq!(to_major(-1500, "JPY"), -1500.0);
    }

    #[test]
    fn amounts_parse_exactly_in_minor_units() {
        assert_eq!(parse_minor("12.50", "EUR"), Ok(1250));
        assert_eq!(parse_minor("$1,234.5", "USD"), Ok(123450));
        assert_eq!(parse_minor("-3", "GBP"), Ok(-300));
        assert_eq!(parse_minor("1500", "JPY"), Ok(1500));
        assert_eq!(parse_minor("0.1", "USD"), Ok(10));
    }

    #[test]
    fn bad_amounts_say_why() {
        assert!(matches!(parse_minor("abc", "EUR"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(parse_minor("1.234", "EUR"), Err(MoneyError::TooPrecise(..))));
        assert!(matches!(parse_minor("99999999999999999999", "EUR"), Err(MoneyError::TooLarge(_))));
    }

    #[test]
    fn formatting_round_trips() {
        for (v, c) in [(1250, "EUR"), (-5, "USD"), (1500, "JPY"), (1234, "KWD")] {
            assert_eq!(parse_minor(&format_minor(v, c), c), Ok(v));
        }
        assert_eq!(format_minor(-5, "USD"), "-0.05");
    }
}
