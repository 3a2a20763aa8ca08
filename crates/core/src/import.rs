//! Import formats: what a file is, and the error shape every parser reports.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::table;

/// A file format Earshot can read contacts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Vcard,
    Google,
    Linkedin,
    Outlook,
    /// Any other CSV: needs a column mapping (guessed from the header when not given).
    Csv,
}

impl ImportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Vcard => "vcard",
            ImportFormat::Google => "google",
            ImportFormat::Linkedin => "linkedin",
            ImportFormat::Outlook => "outlook",
            ImportFormat::Csv => "csv",
        }
    }

    pub fn parse(s: &str) -> Option<ImportFormat> {
        match s.trim().to_lowercase().as_str() {
            "vcard" | "vcf" => Some(ImportFormat::Vcard),
            "google" => Some(ImportFormat::Google),
            "linkedin" => Some(ImportFormat::Linkedin),
            "outlook" => Some(ImportFormat::Outlook),
            "csv" => Some(ImportFormat::Csv),
            _ => None,
        }
    }
}

/// One record an import could not take, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordError {
    /// 1-based line in the file where the record starts.
    pub line: u64,
    pub reason: String,
}

impl RecordError {
    pub fn new(line: u64, reason: impl Into<String>) -> Self {
        RecordError { line, reason: reason.into() }
    }
}

/// Errors that stop a whole file from being read (as opposed to one bad record).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("this does not look like a contacts file: no vCard (BEGIN:VCARD) and no CSV header row was found")]
    Unrecognised,
    #[error("the CSV file has no header row")]
    NoHeader,
    #[error("no column of this CSV file could be recognised; choose what each column holds")]
    NeedsMapping,
}

/// Decodes a file's bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252, which
/// is what older Outlook and Excel exports use.
pub fn decode_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return std::borrow::Cow::Owned(text.into_owned());
    }
    // UTF-8 (the common case) is read in place: a large file is not copied.
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => std::borrow::Cow::Owned(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()),
    }
}

/// How much of a file format detection and the column-mapping preview read: the header and the first rows.
pub(crate) const HEAD_BYTES: usize = 64 * 1024;

/// At most `max` bytes from the start, never ending inside a UTF-8 character: a character cut in two would
/// make a UTF-8 file look like Windows-1252.
pub(crate) fn head_of(bytes: &[u8], max: usize) -> &[u8] {
    let mut end = bytes.len().min(max);
    while end > 0 && end < bytes.len() && (bytes[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    &bytes[..end]
}

/// Guesses the format from the content (and the file name as a tie-breaker).
pub fn detect(file_name: &str, bytes: &[u8]) -> Result<ImportFormat, FileError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::Empty);
    }
    let head = decode_text(head_of(bytes, HEAD_BYTES));
    if head.lines().take(50).any(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCARD")) {
        return Ok(ImportFormat::Vcard);
    }
    if file_name.to_lowercase().ends_with(".vcf") {
        return Err(FileError::Unrecognised);
    }
    table::detect_csv_flavour(&head).ok_or(FileError::Unrecognised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcards_are_recognised_by_content_not_name() {
        assert_eq!(
            detect("contacts.txt", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n"),
            Ok(ImportFormat::Vcard)
        );
    }

    #[test]
    fn the_head_read_for_detection_never_cuts_a_character_in_two() {
        let text = "Zoë,Ørsted\n".repeat(10);
        for max in 1..text.len() {
            let head = decode_text(head_of(text.as_bytes(), max));
            assert!(text.starts_with(head.as_ref()), "cut at {max} gave {head:?}");
        }
    }

    #[test]
    fn empty_files_are_reported_as_empty() {
        assert_eq!(detect("x.csv", b"  \n"), Err(FileError::Empty));
    }

    #[test]
    fn windows_1252_bytes_decode_to_accented_text() {
        assert_eq!(decode_text(b"Zo\xeb"), "Zoë");
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let bytes: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("Zoë".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        assert_eq!(decode_text(&bytes), "Zoë");
    }
}
