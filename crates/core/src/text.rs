//! Normalised keys used to compare what people type in different ways: names, emails, phones, handles.

use deunicode::deunicode;

/// Folds case, accents and spacing: "  Zoë  O'Brien " and "zoe o'brien" get the same key.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(&mut out, s);
    out
}

/// [`fold`] of the parts joined by spaces, without joining them first.
pub fn fold_all<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for part in parts {
        fold_into(&mut out, part);
    }
    out
}

/// Appends the folded words of `s` to `out`, a space before each (but the first of `out`).
fn fold_into(out: &mut String, s: &str) {
    let transliterated;
    let ascii = if s.is_ascii() {
        // Most names and emails: no transliteration needed, just case and spacing.
        s
    } else {
        // Transliteration drops control characters, line breaks and tabs among them: spaces keep the words
        // on either side apart. Its output is ASCII.
        let spaced: String = s.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
        transliterated = deunicode(&spaced);
        &transliterated
    };
    for word in ascii.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
}

/// Emails compare case-insensitively; the local part is kept as written otherwise.
pub fn email_key(address: &str) -> String {
    address.trim().to_lowercase()
}

/// Phones compare on their digits; a leading international prefix is dropped so "+44 20 7946 0018" and
/// "020 7946 0018" still differ (different numbers in general) but "(555) 010-0199" and "555.010.0199" match.
pub fn phone_key(number: &str) -> String {
    let digits: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
    let trimmed = digits.trim_start_matches("00");
    trimmed.to_string()
}

/// Handles compare without the leading `@` and case.
pub fn handle_key(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_lowercase()
}

/// Cuts a string to at most `max` characters, on a character boundary.
pub fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((idx, _)) => s[..idx].to_string(),
        None => s.to_string(),
    }
}

/// A loose check that a string looks like an email address: one `@`, something on each side, a dot in the
/// domain, no spaces. Enough to reject "n/a" and "call me" in an import, not a full RFC 5322 parser.
pub fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_makes_accented_and_plain_names_equal() {
        assert_eq!(fold("  Zoë   Ångström "), "zoe angstrom");
        assert_eq!(fold("ZOE"), fold("zoë"));
    }

    #[test]
    fn folding_parts_is_folding_them_joined() {
        let parts = ["  Zoë ", "", "O'Brien\tSPOKE", "plain"];
        assert_eq!(fold_all(parts), fold(&parts.join(" ")));
        assert_eq!(fold_all([]), "");
    }

    #[test]
    fn fold_keeps_words_on_separate_lines_apart_in_accented_text() {
        assert_eq!(fold("Café\nSpoke\tand\r\nChain"), "cafe spoke and chain");
    }

    #[test]
    fn phone_key_ignores_punctuation() {
        assert_eq!(phone_key("(555) 010-0199"), phone_key("555.010.0199"));
        assert_eq!(phone_key("+44 20 7946 0018"), "442079460018");
        assert_eq!(phone_key("0044 20 7946 0018"), "442079460018");
    }

    #[test]
    fn email_check_rejects_obvious_non_emails() {
        assert!(looks_like_email("ann@example.com"));
        assert!(!looks_like_email("n/a"));
        assert!(!looks_like_email("ann@localhost"));
        assert!(!looks_like_email("a b@example.com"));
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("hi", 5), "hi");
    }
}
