//! Importing contacts from files: detect the format, preview (with the CSV column mapping), import in
//! chunks with progress, report every bad row by line, undo.

use earshot_core::import::{self, FileError, ImportFormat};
use earshot_core::table::{self, Mapping, Parsed, Preview};
use earshot_core::vcard;
use earshot_store::imports::{self as store_imports, Counts, ImportSummary};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Ctx};

/// Records written per transaction: big enough to be fast, small enough to keep the writer responsive
/// and to report progress.
const CHUNK: usize = 10_000;

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportPreview {
    pub file_name: String,
    pub format: ImportFormat,
    /// For CSV files: the header, sample rows and the column mapping that will be used.
    pub table: Option<Preview>,
    /// For vCard files: how many cards were found.
    #[ts(type = "number | null")]
    pub cards: Option<usize>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct ImportOptions {
    /// Forces a format instead of detecting it.
    pub format: Option<ImportFormat>,
    /// For CSV files: the column mapping the owner confirmed (detected when absent).
    pub mapping: Option<Mapping>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct ImportProgress {
    #[ts(type = "number")]
    pub done: usize,
    #[ts(type = "number")]
    pub total: usize,
}

fn file_error(file_name: &str, e: FileError) -> ApiError {
    ApiError::invalid(format!("{file_name}: {e}"))
}

fn format_of(file_name: &str, bytes: &[u8], forced: Option<ImportFormat>) -> Result<ImportFormat, ApiError> {
    let detected = import::detect(file_name, bytes).map_err(|e| file_error(file_name, e))?;
    match forced {
        Some(ImportFormat::Vcard) if detected != ImportFormat::Vcard => {
            Err(ApiError::invalid(format!("{file_name}: this is not a vCard file (no BEGIN:VCARD line)")))
        }
        Some(f) if f != ImportFormat::Vcard && detected == ImportFormat::Vcard => {
            Err(ApiError::invalid(format!("{file_name}: this is a vCard file, not {}; import it as vcard", f.as_str())))
        }
        Some(f) => Ok(f),
        None => Ok(detected),
    }
}

pub fn import_preview(file_name: &str, bytes: &[u8]) -> Result<ImportPreview, ApiError> {
    let format = format_of(file_name, bytes, None)?;
    if format == ImportFormat::Vcard {
        let cards = vcard::parse(bytes).len();
        return Ok(ImportPreview { file_name: file_name.to_string(), format, table: None, cards: Some(cards) });
    }
    let table = table::preview(bytes, 5).map_err(|e| file_error(file_name, e))?;
    Ok(ImportPreview { file_name: file_name.to_string(), format, table: Some(table), cards: None })
}

fn parse(file_name: &str, bytes: &[u8], format: ImportFormat, mapping: Option<&Mapping>) -> Result<Parsed, ApiError> {
    if format == ImportFormat::Vcard {
        let mut parsed = Parsed::default();
        for card in vcard::parse(bytes) {
            match card {
                Ok(draft) => parsed.records.push((0, draft)),
                Err(e) => parsed.errors.push(e),
            }
        }
        return Ok(parsed);
    }
    let mapping = match mapping {
        Some(m) => m.clone(),
        None => table::default_mapping(bytes).map_err(|e| file_error(file_name, e))?,
    };
    if mapping.columns.iter().all(|c| c.field == table::Field::Ignore) {
        return Err(file_error(file_name, FileError::NeedsMapping));
    }
    Ok(table::parse(bytes, &mapping))
}

/// Imports a file. Records are matched to existing contacts, so importing a file twice adds nothing.
pub fn import_run(
    ctx: &Ctx,
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, ApiError> {
    let format = format_of(file_name, bytes, options.format)?;
    let parsed = parse(file_name, bytes, format, options.mapping.as_ref())?;
    let now = ctx.now_text();
    let import_id = ctx.store.write(|tx| store_imports::begin(tx, file_name, format.as_str(), &now))?;
    let total = parsed.records.len();
    let mut counts = Counts::default();
    let mut filled = Vec::new();
    let mut matcher = ctx.store.read(store_imports::Matcher::load)?;
    progress(ImportProgress { done: 0, total });
    for (idx, chunk) in parsed.records.chunks(CHUNK).enumerate() {
        let c = ctx.store.write(|tx| store_imports::apply(tx, import_id, chunk, &mut matcher, &now, &mut filled))?;
        counts.added += c.added;
        counts.merged += c.merged;
        counts.unchanged += c.unchanged;
        progress(ImportProgress { done: (idx * CHUNK + chunk.len()).min(total), total });
    }
    ctx.store.write(|tx| {
        store_imports::record_problems(tx, import_id, &parsed.errors, &parsed.warnings)?;
        store_imports::finish(tx, import_id, counts, parsed.errors.len() as i64, &filled, &now)?;
        if counts.added + counts.merged >= earshot_store::search::COMPACT_AFTER_CONTACTS {
            earshot_store::search::compact(tx)?;
        }
        Ok(())
    })?;
    Ok(ctx.store.read(|c| store_imports::get(c, import_id))?)
}

pub fn import_undo(ctx: &Ctx, import_id: i64) -> Result<ImportSummary, ApiError> {
    let now = ctx.now_text();
    ctx.store.write(|tx| store_imports::undo(tx, import_id, &now))?;
    Ok(ctx.store.read(|c| store_imports::get(c, import_id))?)
}

pub fn imports_list(ctx: &Ctx) -> Result<Vec<ImportSummary>, ApiError> {
    Ok(ctx.store.read(store_imports::list)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    const GOOGLE: &str = "First Name,Last Name,E-mail 1 - Value,Phone 1 - Value,Organization Name,Labels\n\
        Ann,Lee,ann@x.example,+1 555 0100,Spokes,* myContacts ::: Club\n\
        ,,,,,\n\
        Bob,Day,not-an-email,,,\n\
        ,,bad,,,\n";

    #[test]
    fn a_google_export_imports_with_bad_rows_reported_by_line() {
        let (_d, ctx) = ctx();
        let mut seen = Vec::new();
        let summary =
            import_run(&ctx, "google.csv", GOOGLE.as_bytes(), &ImportOptions::default(), &mut |p| seen.push(p))
                .unwrap();
        assert_eq!(summary.format, "google");
        assert_eq!((summary.added, summary.rejected), (2, 1));
        let error = summary.problems.iter().find(|p| p.severity == "error").unwrap();
        assert_eq!(error.line, 5);
        assert!(summary.problems.iter().any(|p| p.line == 4 && p.reason.contains("not-an-email")));
        assert_eq!(seen.last(), Some(&ImportProgress { done: 2, total: 2 }));
    }

    #[test]
    fn importing_twice_adds_nothing_and_undo_takes_it_back() {
        let (_d, ctx) = ctx();
        let first = import_run(&ctx, "g.csv", GOOGLE.as_bytes(), &ImportOptions::default(), &mut |_| {}).unwrap();
        let second = import_run(&ctx, "g.csv", GOOGLE.as_bytes(), &ImportOptions::default(), &mut |_| {}).unwrap();
        assert_eq!((second.added, second.merged, second.unchanged), (0, 0, 2));
        import_undo(&ctx, first.id).unwrap();
        assert_eq!(crate::contacts::contacts_page(&ctx, 0, 10, None).unwrap().total, 0);
    }

    #[test]
    fn a_file_that_is_not_contacts_is_refused_by_name() {
        let (_d, ctx) = ctx();
        let err = import_run(&ctx, "photo.jpg", &[0xFF, 0xD8, 0xFF, 0x00], &ImportOptions::default(), &mut |_| {})
            .unwrap_err();
        assert!(err.message.starts_with("photo.jpg: "), "{}", err.message);
        let forced = ImportOptions { format: Some(ImportFormat::Vcard), mapping: None };
        let err = import_run(&ctx, "g.csv", GOOGLE.as_bytes(), &forced, &mut |_| {}).unwrap_err();
        assert!(err.message.contains("not a vCard"));
    }

    #[test]
    fn a_generic_csv_uses_the_mapping_the_owner_chose() {
        let (_d, ctx) = ctx();
        let csv = "Who,Where,Reach\nAnn Lee,Spokes,ann@x.example\n";
        let preview = import_preview("x.csv", csv.as_bytes()).unwrap();
        assert_eq!(preview.table.unwrap().headers, vec!["Who", "Where", "Reach"]);
        let err = import_run(&ctx, "x.csv", csv.as_bytes(), &ImportOptions::default(), &mut |_| {}).unwrap_err();
        assert!(err.message.contains("choose what each column holds"), "{}", err.message);
        let mapping = Mapping {
            header_line: 1,
            columns: vec![
                table::ColumnRule { field: table::Field::FullName, label: None },
                table::ColumnRule { field: table::Field::Organization, label: None },
                table::ColumnRule { field: table::Field::Email, label: None },
            ],
        };
        let options = ImportOptions { format: Some(ImportFormat::Csv), mapping: Some(mapping) };
        let summary = import_run(&ctx, "x.csv", csv.as_bytes(), &options, &mut |_| {}).unwrap();
        assert_eq!(summary.added, 1);
        let found = crate::contacts::contacts_search(&ctx, "spokes", 5).unwrap();
        assert_eq!(found[0].display_name, "Ann Lee");
    }
}
