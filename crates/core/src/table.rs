//! Contacts from CSV: Google Contacts, LinkedIn Connections, Outlook, and any other CSV through a column
//! mapping. The three known flavours are preset mappings chosen from their header rows; a generic CSV gets a
//! mapping guessed from its header that the owner can correct before importing.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::contact::{ContactDraft, EmailDraft, PhoneDraft};
use crate::import::{decode_text, head_of, FileError, ImportFormat, RecordError, HEAD_BYTES};
use crate::text;
use crate::vcard::identity_from_url;

/// What one CSV column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Ignore,
    FullName,
    GivenName,
    MiddleName,
    FamilyName,
    Organization,
    Title,
    Email,
    Phone,
    City,
    Website,
    SocialProfile,
    Tags,
    Note,
    Birthday,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::Ignore,
        Field::FullName,
        Field::GivenName,
        Field::MiddleName,
        Field::FamilyName,
        Field::Organization,
        Field::Title,
        Field::Email,
        Field::Phone,
        Field::City,
        Field::Website,
        Field::SocialProfile,
        Field::Tags,
        Field::Note,
        Field::Birthday,
    ];
}

/// How to read one column: which field it fills and, for emails and phones, the label it gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ColumnRule {
    pub field: Field,
    pub label: Option<String>,
}

/// Where the header is and what each column means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Mapping {
    /// 1-based line of the header row (LinkedIn puts notes above it).
    #[ts(type = "number")]
    pub header_line: u64,
    pub columns: Vec<ColumnRule>,
}

/// The first rows of a CSV with the mapping Earshot would use, for the owner to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Preview {
    pub format: ImportFormat,
    pub headers: Vec<String>,
    pub sample_rows: Vec<Vec<String>>,
    pub mapping: Mapping,
}

/// The rows of a file as read: records with their line, and the rows that were refused or trimmed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub records: Vec<(u64, ContactDraft)>,
    pub errors: Vec<RecordError>,
    /// Rows imported with a value left out (an email that is not an email, ...).
    pub warnings: Vec<RecordError>,
}

fn header_key(h: &str) -> String {
    text::fold(h.trim_matches(|c: char| c == '"' || c.is_whitespace() || c == '\u{feff}'))
}

fn label_from_header(key: &str) -> Option<String> {
    [
        ("business", "work"),
        ("work", "work"),
        ("mobile", "mobile"),
        ("cell", "mobile"),
        ("home", "home"),
        ("fax", "fax"),
        ("other", "other"),
    ]
    .iter()
    .find(|(needle, _)| key.contains(needle))
    .map(|(_, label)| label.to_string())
}

/// Guesses what a column holds from its header text. `flavour` settles the names that differ between
/// tools (Outlook's "Title" is Mr/Ms; LinkedIn's "URL" is the LinkedIn profile).
pub fn guess_column(header: &str, flavour: ImportFormat) -> ColumnRule {
    let key = header_key(header);
    let rule = |field| ColumnRule { field, label: None };
    let labelled = |field| ColumnRule { field, label: label_from_header(&key) };
    let is_meta =
        key.contains("label") || key.contains("type") || key.contains("display name") || key.contains("phonetic");
    match key.as_str() {
        "name" | "full name" | "display name" | "contact name" | "contact" => return rule(Field::FullName),
        "first name" | "given name" | "firstname" | "first" | "forename" => return rule(Field::GivenName),
        "middle name" | "additional name" | "middle" => return rule(Field::MiddleName),
        "last name" | "family name" | "surname" | "lastname" | "last" => return rule(Field::FamilyName),
        "company"
        | "organization"
        | "organisation"
        | "organization name"
        | "organization 1 - name"
        | "company name"
        | "employer"
        | "business name" => return rule(Field::Organization),
        "job title" | "position" | "organization title" | "organization 1 - title" | "role" => {
            return rule(Field::Title)
        }
        "title" if flavour != ImportFormat::Outlook => return rule(Field::Title),
        "url" if flavour == ImportFormat::Linkedin => return rule(Field::SocialProfile),
        "website" | "web page" | "url" | "homepage" | "web site" | "website 1 - value" => return rule(Field::Website),
        "tags" | "labels" | "group membership" | "categories" | "groups" | "tag" => return rule(Field::Tags),
        "notes" | "note" | "comments" | "comment" => return rule(Field::Note),
        "birthday" | "date of birth" | "dob" | "birth date" => return rule(Field::Birthday),
        "city" | "town" | "address 1 - city" | "business city" | "home city" => return rule(Field::City),
        "linkedin" | "twitter" | "mastodon" | "bluesky" | "instagram" | "facebook" => {
            return ColumnRule { field: Field::SocialProfile, label: Some(key) }
        }
        "social profile" | "social profiles" | "profile url" => return rule(Field::SocialProfile),
        _ => {}
    }
    if is_meta {
        return rule(Field::Ignore);
    }
    if (key.contains("e-mail") || key.contains("email"))
        && (key.contains("value") || key.contains("address") || key.starts_with("e"))
    {
        return labelled(Field::Email);
    }
    if (key.contains("phone") || key.contains("mobile") || key.starts_with("tel")) && !key.contains("fax") {
        return labelled(Field::Phone);
    }
    if key.starts_with("website") && key.contains("value") {
        return rule(Field::Website);
    }
    rule(Field::Ignore)
}

/// Line numbers for byte offsets. The csv crate reports a record after blank lines at the blank line's
/// position, so lines are computed from where the record's first non-newline byte is.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text: text.as_bytes(), starts }
    }

    pub(crate) fn line_of(&self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else { return 0 };
        let mut byte = position.byte() as usize;
        while matches!(self.text.get(byte), Some(b'\r') | Some(b'\n')) {
            byte += 1;
        }
        self.starts.partition_point(|&start| start <= byte) as u64
    }
}

pub(crate) fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes())
}

/// Finds the header row: the first of the first 30 rows with at least two columns Earshot recognises.
fn find_header(text: &str) -> Option<(u64, Vec<String>)> {
    let lines = Lines::new(text);
    for record in reader(text).records().take(30) {
        let Ok(record) = record else { continue };
        let known = record.iter().filter(|h| guess_column(h, ImportFormat::Csv).field != Field::Ignore).count();
        if known >= 2 {
            let line = lines.line_of(record.position());
            let headers = record.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect();
            return Some((line, headers));
        }
    }
    None
}

fn flavour_of(headers: &[String]) -> ImportFormat {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("e-mail 1 - value")
        || (has("given name") && has("group membership"))
        || (has("labels") && has("organization name"))
    {
        ImportFormat::Google
    } else if has("connected on") && has("url") {
        ImportFormat::Linkedin
    } else if has("e-mail address") && (has("job title") || has("business phone") || has("mobile phone")) {
        ImportFormat::Outlook
    } else {
        ImportFormat::Csv
    }
}

/// The first non-empty row, taken as the header of a CSV whose columns Earshot does not recognise.
fn first_row(text: &str) -> Option<(u64, Vec<String>)> {
    let lines = Lines::new(text);
    reader(text).records().filter_map(Result::ok).find(|r| r.iter().any(|c| !c.trim().is_empty())).map(|r| {
        (lines.line_of(r.position()), r.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect())
    })
}

/// The CSV flavour of a file's text: a known export when its header says so, a generic CSV when its first
/// row has at least two columns, `None` otherwise.
pub fn detect_csv_flavour(text: &str) -> Option<ImportFormat> {
    if text.contains('\0') {
        return None; // binary data, not a text export
    }
    match find_header(text) {
        Some((_, headers)) => Some(flavour_of(&headers)),
        None => first_row(text).filter(|(_, cells)| cells.len() >= 2).map(|_| ImportFormat::Csv),
    }
}

/// The header, a few rows and the guessed mapping, for the mapping step.
/// Only the head of the file is read, as format detection reads it: a sample row that runs past it shows
/// only its beginning.
pub fn preview(bytes: &[u8], sample: usize) -> Result<Preview, FileError> {
    let text = decode_text(head_of(bytes, HEAD_BYTES));
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    if detect_csv_flavour(&text).is_none() {
        return Err(FileError::Unrecognised);
    }
    let (header_line, headers) = find_header(&text).or_else(|| first_row(&text)).ok_or(FileError::NoHeader)?;
    let format = flavour_of(&headers);
    let columns = headers.iter().map(|h| guess_column(h, format)).collect();
    let lines = Lines::new(&text);
    let sample_rows = reader(&text)
        .records()
        .filter_map(Result::ok)
        .filter(|r| lines.line_of(r.position()) > header_line)
        .take(sample)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    Ok(Preview { format, headers, sample_rows, mapping: Mapping { header_line, columns } })
}

/// Google exports several values in one cell separated by " ::: ".
fn split_multi(value: &str, extra: &[char]) -> Vec<String> {
    value
        .split(":::")
        .flat_map(|part| part.split(|c| extra.contains(&c)))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Reads every data row with `mapping`. Rows that identify nobody are errors; bad values are warnings.
pub fn parse(bytes: &[u8], mapping: &Mapping) -> Parsed {
    let mut records = Vec::new();
    let mut parsed = parse_each(bytes, mapping, &mut |record| records.push(record));
    parsed.records = records;
    parsed
}

/// How many rows [`parse_each`] will look at: the non-blank rows after the header, for a progress total
/// before the file is read. One pass over the bytes with the CSV quoting rules (a quote opens a field only
/// at its start, `""` inside one is a quote), no field decoded: a few milliseconds for a 10 MB file, so an
/// import does not read its file twice before storing anything.
pub fn count_rows(bytes: &[u8], mapping: &Mapping) -> usize {
    #[derive(PartialEq)]
    enum At {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let text = decode_text(bytes);
    let (mut rows, mut line, mut row_line) = (0usize, 1u64, 1u64);
    let (mut at, mut blank) = (At::FieldStart, true);
    let mut end_row = |row_line: u64, blank: bool| rows += usize::from(row_line > mapping.header_line && !blank);
    for &b in text.as_bytes() {
        if b == b'\n' {
            line += 1;
        }
        match at {
            At::Quoted => match b {
                b'"' => at = At::QuoteInQuoted,
                b if !b.is_ascii_whitespace() => blank = false,
                _ => {}
            },
            At::QuoteInQuoted if b == b'"' => {
                at = At::Quoted;
                blank = false;
            }
            _ => match b {
                b'\n' => {
                    end_row(row_line, blank);
                    (at, blank, row_line) = (At::FieldStart, true, line);
                }
                b',' => at = At::FieldStart,
                b'"' if at == At::FieldStart => at = At::Quoted,
                b if b.is_ascii_whitespace() => {}
                _ => {
                    at = At::Unquoted;
                    blank = false;
                }
            },
        }
    }
    // The last row needs no line break.
    if row_line < line || !blank || at != At::FieldStart {
        end_row(row_line, blank);
    }
    rows
}

/// [`parse`], handing each record to `on_record` as soon as it is read (an import can store the first
/// rows while the rest are still being read). The returned `Parsed` holds the errors and warnings only.
pub fn parse_each(bytes: &[u8], mapping: &Mapping, on_record: &mut dyn FnMut((u64, ContactDraft))) -> Parsed {
    let text = decode_text(bytes);
    let mut parsed = Parsed::default();
    let lines = Lines::new(&text);
    let headers: Vec<String> = reader(&text)
        .records()
        .filter_map(Result::ok)
        .find(|r| lines.line_of(r.position()) == mapping.header_line)
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default();
    for record in reader(&text).records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = lines.line_of(e.position());
                parsed.errors.push(RecordError::new(line, format!("the row cannot be read as CSV: {e}")));
                continue;
            }
        };
        let line = lines.line_of(record.position());
        if line <= mapping.header_line || record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut d = ContactDraft::default();
        for (idx, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            let Some(rule) = mapping.columns.get(idx) else {
                continue;
            };
            if cell.is_empty() {
                continue;
            }
            let column = headers.get(idx).map(String::as_str).unwrap_or("?");
            apply(&mut d, rule, cell, |reason| {
                parsed.warnings.push(RecordError::new(line, format!("column \"{column}\": {reason}")))
            });
        }
        match d.normalized() {
            Some(d) => on_record((line, d)),
            None => parsed.errors.push(RecordError::new(line, "the row has no name, organization, email or phone")),
        }
    }
    parsed
}

fn apply(d: &mut ContactDraft, rule: &ColumnRule, cell: &str, mut warn: impl FnMut(String)) {
    match rule.field {
        Field::Ignore => {}
        Field::FullName => d.display_name = cell.to_string(),
        Field::GivenName => d.given_name = cell.to_string(),
        Field::MiddleName => d.given_name = format!("{} {}", d.given_name, cell).trim().to_string(),
        Field::FamilyName => d.family_name = cell.to_string(),
        Field::Organization => d.organization = Some(cell.to_string()),
        Field::Title => d.title = Some(cell.to_string()),
        Field::City => d.city = Some(cell.to_string()),
        Field::Birthday => d.birthday = Some(cell.to_string()),
        Field::Note => d.notes.push(cell.to_string()),
        Field::Email => {
            for address in split_multi(cell, &[';', ',']) {
                if text::looks_like_email(&address) {
                    d.emails.push(EmailDraft { address, label: rule.label.clone() });
                } else {
                    warn(format!(
                        "\"{}\" is not an email address; the row was imported without it",
                        text::truncate_chars(&address, 80)
                    ));
                }
            }
        }
        Field::Phone => {
            for number in split_multi(cell, &[';']) {
                if text::phone_key(&number).len() >= 3 {
                    d.phones.push(PhoneDraft { number, label: rule.label.clone() });
                } else {
                    warn(format!(
                        "\"{}\" is not a phone number; the row was imported without it",
                        text::truncate_chars(&number, 80)
                    ));
                }
            }
        }
        Field::Website => {
            for url in split_multi(cell, &[]) {
                match identity_from_url(&url, None) {
                    Some(identity) => d.identities.push(identity),
                    None if d.website.is_none() => d.website = Some(url),
                    None => d.notes.push(format!("Website: {url}")),
                }
            }
        }
        Field::SocialProfile => {
            for value in split_multi(cell, &[';']) {
                match identity_from_url(&value, rule.label.as_deref()) {
                    Some(identity) => d.identities.push(identity),
                    None => match &rule.label {
                        Some(network) => d.identities.push(crate::contact::IdentityDraft {
                            network: network.clone(),
                            handle: value,
                            profile_url: None,
                            follower_count: None,
                        }),
                        None => warn(format!(
                            "\"{}\" is not a profile link; the row was imported without it",
                            text::truncate_chars(&value, 80)
                        )),
                    },
                }
            }
        }
        Field::Tags => {
            for tag in split_multi(cell, &[';', ',', '|']) {
                // Google's system groups: "* myContacts" says nothing; "* starred" is worth keeping.
                match tag.strip_prefix("* ") {
                    Some("myContacts") | Some("Other Contacts") => {}
                    Some(system) => d.tags.push(system.to_string()),
                    None => d.tags.push(tag),
                }
            }
        }
    }
}

/// The mapping Earshot would use for a file of a known flavour (or its best guess for a generic CSV).
pub fn default_mapping(bytes: &[u8]) -> Result<Mapping, FileError> {
    preview(bytes, 0).map(|p| p.mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINKEDIN: &str = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here https://www.linkedin.com/help/linkedin/answer/261\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nAnn,Lee,https://www.linkedin.com/in/annlee,,Spoke Co,Owner,12 Mar 2024\n,,,,,,\nBob,Day,https://www.linkedin.com/in/bobday,bob@day.example,,,01 Jan 2023\n";

    #[test]
    fn linkedin_notes_above_the_header_are_skipped() {
        let p = preview(LINKEDIN.as_bytes(), 5).unwrap();
        assert_eq!(p.format, ImportFormat::Linkedin);
        assert_eq!(p.mapping.header_line, 4);
        let parsed = parse(LINKEDIN.as_bytes(), &p.mapping);
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.records.len(), 2);
        let (line, ann) = &parsed.records[0];
        assert_eq!(*line, 5);
        assert_eq!(ann.display_name, "Ann Lee");
        assert_eq!(ann.organization.as_deref(), Some("Spoke Co"));
        assert_eq!(ann.identities[0].network, "linkedin");
        assert_eq!(ann.identities[0].handle, "annlee");
    }

    #[test]
    fn google_multi_values_and_labels_are_split() {
        let csv = "First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name,Organization Title,Labels,Notes\nZoë,Martin,* Work,zoe@a.example ::: zoe@b.example,Mobile,+1 555 0100,Spokes,Mechanic,* myContacts ::: Racing ::: * starred,\"multi\nline\"\n";
        let p = preview(csv.as_bytes(), 5).unwrap();
        assert_eq!(p.format, ImportFormat::Google);
        let parsed = parse(csv.as_bytes(), &p.mapping);
        let (_, z) = &parsed.records[0];
        assert_eq!(z.emails.len(), 2);
        assert_eq!(z.tags, vec!["Racing", "starred"]);
        assert_eq!(z.title.as_deref(), Some("Mechanic"));
        assert_eq!(z.notes, vec!["multi\nline"]);
    }

    #[test]
    fn outlook_title_is_an_honorific_not_a_job() {
        let csv = "Title,First Name,Middle Name,Last Name,Company,Job Title,Business Phone,Mobile Phone,E-mail Address,E-mail 2 Address,Categories\nMr.,Sam,,Cole,Cole Cycles,Owner,020 7946 0018,07700 900123,sam@cole.example,,Suppliers;VIP\n";
        let p = preview(csv.as_bytes(), 5).unwrap();
        assert_eq!(p.format, ImportFormat::Outlook);
        let parsed = parse(csv.as_bytes(), &p.mapping);
        let (_, s) = &parsed.records[0];
        assert_eq!(s.title.as_deref(), Some("Owner"));
        assert_eq!(s.phones[0].label.as_deref(), Some("work"));
        assert_eq!(s.phones[1].label.as_deref(), Some("mobile"));
        assert_eq!(s.tags, vec!["Suppliers", "VIP"]);
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_good_rows_kept() {
        let csv = "Name,Email,Phone\nAnn,ann@x.example,\n,,\n,not-an-email,\nBob,bob@x.example,12\n";
        let p = preview(csv.as_bytes(), 5).unwrap();
        assert_eq!(p.format, ImportFormat::Csv);
        let parsed = parse(csv.as_bytes(), &p.mapping);
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(parsed.errors, vec![RecordError::new(4, "the row has no name, organization, email or phone")]);
        assert_eq!(parsed.warnings.len(), 2, "{:?}", parsed.warnings);
        assert!(parsed.warnings[0].reason.contains("Email"));
    }

    #[test]
    fn a_csv_with_unknown_columns_is_previewed_for_mapping_by_hand() {
        let p = preview(b"Who,Where\nAnn,Spokes\n", 5).unwrap();
        assert_eq!(p.format, ImportFormat::Csv);
        assert_eq!(p.headers, vec!["Who", "Where"]);
        assert!(p.mapping.columns.iter().all(|c| c.field == Field::Ignore));
        assert_eq!(p.sample_rows, vec![vec!["Ann".to_string(), "Spokes".to_string()]]);
    }

    #[test]
    fn binary_files_are_not_csv() {
        assert_eq!(preview(b"\x89PNG\r\n\x1a\n\0\0,\0", 5), Err(FileError::Unrecognised));
    }

    #[test]
    fn the_row_count_is_the_rows_after_the_header_that_are_not_blank() {
        let csv = "Exported by a tool\nFirst Name,Last Name,E-mail 1 - Value\nAnn,Lee,ann@x.example\n,,\n\"Bo\nBo\",Ray,bo@x.example\nCy,Day,cy@x.example\n";
        let mapping = preview(csv.as_bytes(), 5).unwrap().mapping;
        let parsed = parse(csv.as_bytes(), &mapping);
        assert_eq!(count_rows(csv.as_bytes(), &mapping), 3);
        assert_eq!(parsed.records.len() + parsed.errors.len(), 3);
    }

    #[test]
    fn the_quick_row_count_agrees_with_the_parser_on_quoting_and_line_endings() {
        let files = [
            "Name,Email\r\nAnn,a@x.example\r\n\r\nBo,b@x.example",
            "Name,Email,Note\nAnn,a@x.example,\"a 26\"\" wheel,\nnew line\"\nBo,b@x.example,5\" tyre\nCy,c@x.example,\"\"\n",
            "Name,Email\n\"\",\"\"\n  ,  \nDee,d@x.example\n\n",
            "Name,Email\nÉmile,e@x.example\nFrançoise,\"f@x.example\"",
        ];
        for csv in files {
            let mapping = preview(csv.as_bytes(), 5).unwrap().mapping;
            let parsed = parse(csv.as_bytes(), &mapping);
            assert_eq!(count_rows(csv.as_bytes(), &mapping), parsed.records.len() + parsed.errors.len(), "{csv:?}");
        }
    }
}
