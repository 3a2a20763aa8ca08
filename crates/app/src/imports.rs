//! Importing contacts from files: detect the format, preview (with the CSV column mapping), import in
//! chunks with progress, report every bad row by line, undo.

use earshot_core::import::{self, FileError, ImportFormat, RecordError};
use earshot_core::table::{self, Mapping, Parsed, Preview};
use earshot_core::{vcard, ContactDraft};
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
        let mut cards = 0;
        vcard::parse_each(bytes, &mut Vec::new(), &mut |_| cards += 1);
        return Ok(ImportPreview { file_name: file_name.to_string(), format, table: None, cards: Some(cards) });
    }
    let table = table::preview(bytes, 5).map_err(|e| file_error(file_name, e))?;
    Ok(ImportPreview { file_name: file_name.to_string(), format, table: Some(table), cards: None })
}

/// The column mapping a CSV file is read with: the owner's, or the detected one. `None` for vCard files.
fn mapping_for(
    file_name: &str,
    bytes: &[u8],
    format: ImportFormat,
    confirmed: Option<&Mapping>,
) -> Result<Option<Mapping>, ApiError> {
    if format == ImportFormat::Vcard {
        return Ok(None);
    }
    let mapping = match confirmed {
        Some(m) => m.clone(),
        None => table::default_mapping(bytes).map_err(|e| file_error(file_name, e))?,
    };
    if mapping.columns.iter().all(|c| c.field == table::Field::Ignore) {
        return Err(file_error(file_name, FileError::NeedsMapping));
    }
    Ok(Some(mapping))
}

/// How many records the file holds, counted without reading them, for the progress total.
fn count_records(bytes: &[u8], mapping: Option<&Mapping>) -> usize {
    match mapping {
        Some(mapping) => table::count_rows(bytes, mapping),
        None => vcard::count_cards(bytes),
    }
}

/// Reads the file's records in chunks of [`CHUNK`], handing each on; returns the rows refused or trimmed.
fn read_chunks(bytes: &[u8], mapping: Option<&Mapping>, send: &mut dyn FnMut(Vec<(u64, ContactDraft)>)) -> Parsed {
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut on_record = |record| {
        chunk.push(record);
        if chunk.len() == CHUNK {
            send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)));
        }
    };
    let problems = match mapping {
        Some(mapping) => table::parse_each(bytes, mapping, &mut on_record),
        None => {
            let mut problems = Parsed::default();
            let mut errors = Vec::new();
            vcard::parse_each(bytes, &mut problems.warnings, &mut |card| match card {
                Ok(draft) => on_record((0, draft)),
                Err(e) => errors.push(e),
            });
            problems.errors = errors;
            problems
        }
    };
    if !chunk.is_empty() {
        send(chunk);
    }
    problems
}

/// Imports a file. Records are matched to existing contacts, so importing a file twice adds nothing.
///
/// The file is read on a second thread while the records already read are stored, one transaction per
/// chunk; progress counts the records stored against the file's records, counted first.
pub fn import_run(
    ctx: &Ctx,
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, ApiError> {
    ctx.store.write(store_imports::begin_import_cache)?;
    let result = store_file(ctx, file_name, bytes, options, progress);
    let restored = ctx.store.write(store_imports::end_import_cache);
    let summary = result?;
    restored?;
    Ok(summary)
}

fn store_file(
    ctx: &Ctx,
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, ApiError> {
    let started = std::time::Instant::now();
    let format = format_of(file_name, bytes, options.format)?;
    let mapping = mapping_for(file_name, bytes, format, options.mapping.as_ref())?;
    let now = ctx.now_text();
    let import_id = ctx.store.write(|tx| store_imports::begin(tx, file_name, format.as_str(), &now))?;
    let mut counts = Counts::default();
    let mut filled = Vec::new();
    let mut matcher = ctx.store.read(store_imports::Matcher::load)?;
    let total = count_records(bytes, mapping.as_ref());
    let mut done = 0;
    let problems = std::thread::scope(|scope| -> Result<Parsed, ApiError> {
        // Reading is far quicker than storing: the queue holds two chunks, so memory follows the chunk size,
        // not the file's.
        let (sender, chunks) = std::sync::mpsc::sync_channel(2);
        let reader = scope.spawn(|| {
            let sender = sender;
            read_chunks(bytes, mapping.as_ref(), &mut |chunk| {
                // A closed channel means storing failed: the rest of the file is not needed.
                let _ = sender.send(chunk);
            })
        });
        for chunk in chunks {
            let c =
                ctx.store.write(|tx| store_imports::apply(tx, import_id, &chunk, &mut matcher, &now, &mut filled))?;
            counts.added += c.added;
            counts.merged += c.merged;
            counts.unchanged += c.unchanged;
            done += chunk.len();
            progress(ImportProgress { done, total: total.max(done) });
        }
        // Reading stopped part-way only on a fault in a parser; what was stored stays, and says so.
        Ok(reader.join().unwrap_or_else(|_| Parsed {
            errors: vec![RecordError::new(
                0,
                "the file could not be read to the end; the rows after this were not imported",
            )],
            ..Parsed::default()
        }))
    })?;
    if total != done {
        // Rows refused, or cards nested in others, made the count an estimate: the bar ends full.
        progress(ImportProgress { done, total: done });
    }
    ctx.store.write(|tx| {
        store_imports::record_problems(tx, import_id, &problems.errors, &problems.warnings)?;
        store_imports::finish(tx, import_id, counts, problems.errors.len() as i64, &filled, &now)?;
        if counts.added + counts.merged >= earshot_store::search::COMPACT_AFTER_CONTACTS {
            earshot_store::search::compact(tx)?;
        }
        Ok(())
    })?;
    tracing::info!(
        import = import_id,
        format = format.as_str(),
        bytes = bytes.len(),
        added = counts.added,
        merged = counts.merged,
        unchanged = counts.unchanged,
        refused = problems.errors.len(),
        warnings = problems.warnings.len(),
        ms = started.elapsed().as_millis() as u64,
        "contacts imported"
    );
    Ok(ctx.store.read(|c| store_imports::get(c, import_id))?)
}

pub fn import_undo(ctx: &Ctx, import_id: i64) -> Result<ImportSummary, ApiError> {
    let now = ctx.now_text();
    ctx.store.write(|tx| store_imports::undo(tx, import_id, &now))?;
    tracing::info!(import = import_id, "import undone");
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
    fn a_file_larger_than_a_chunk_is_stored_whole_with_progress_up_to_its_total() {
        let (_d, ctx) = ctx();
        let rows = 2 * CHUNK + 1;
        let mut csv = String::from("First Name,Last Name,E-mail 1 - Value\n");
        for i in 0..rows {
            csv.push_str(&format!("Ann{i},Lee,ann{i}@x.example\n"));
        }
        let mut seen = Vec::new();
        let summary =
            import_run(&ctx, "big.csv", csv.as_bytes(), &ImportOptions::default(), &mut |p| seen.push(p)).unwrap();
        assert_eq!(summary.added, rows as i64);
        let done: Vec<usize> = seen.iter().map(|p| p.done).collect();
        assert_eq!(done, [CHUNK, 2 * CHUNK, rows]);
        assert!(seen.iter().all(|p| p.done <= p.total && p.total <= rows));
        assert_eq!(seen.last(), Some(&ImportProgress { done: rows, total: rows }));
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

/// A contact an earlier import made of several people, and the people to take out of it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Untangled {
    #[ts(type = "number")]
    pub contact_id: i64,
    pub name: String,
    pub separated: Vec<SeparatedPerson>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SeparatedPerson {
    pub name: String,
    /// Emails and phones that go back to them.
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    /// Phones they shared with whoever stays (a switchboard, a landline): copied, not taken away.
    pub shared_phones: Vec<String>,
    /// Their new contact, once separated.
    #[ts(type = "number | null")]
    pub contact_id: Option<i64>,
}

/// Finds, from the export file they came from, contacts that an earlier import merged from several people
/// (the old rule merged on any shared phone or address), and with `apply` separates them: each person gets
/// a contact of their own with the emails and phones they brought. Without `apply` nothing changes: the owner
/// reads the list first. Merging a separated person back (`contact_merge`) undoes it.
pub fn contacts_untangle(
    ctx: &Ctx,
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
    apply: bool,
) -> Result<Vec<Untangled>, ApiError> {
    use earshot_core::same_person::{self, Brought, PersonName};
    use earshot_core::text;

    let format = format_of(file_name, bytes, options.format)?;
    let mapping = mapping_for(file_name, bytes, format, options.mapping.as_ref())?;
    let mut records: Vec<ContactDraft> = Vec::new();
    read_chunks(bytes, mapping.as_ref(), &mut |chunk| records.extend(chunk.into_iter().map(|(_, d)| d)));
    // Each record, to the contact its emails and phones landed on: a holder whose name is the record's when
    // there is one (that record is where it belongs), else the first.
    let mut by_contact: Vec<(i64, PersonName, String, Vec<Brought>)> = Vec::new();
    let matcher = ctx.store.read(store_imports::Matcher::load)?;
    for d in &records {
        let name = PersonName::new(&d.given_name, &d.family_name, &d.display_name);
        let emails: Vec<String> = d.emails.iter().map(|e| text::email_key(&e.address)).collect();
        let phones: Vec<String> =
            d.phones.iter().map(|p| text::phone_key(&p.number)).filter(|k| k.len() >= 6).collect();
        let holders = matcher.holders(&emails, &phones);
        let Some((id, holder_name)) = holders.iter().find(|(_, n)| n.compatible(&name)).or(holders.first()).cloned()
        else {
            continue;
        };
        let brought = Brought {
            name,
            display_name: d.display_name.clone(),
            organization: d.organization.clone(),
            title: d.title.clone(),
            emails,
            phones,
        };
        match by_contact.iter_mut().find(|(known, ..)| *known == id) {
            Some((.., list)) => list.push(brought),
            None => {
                let shown = ctx.store.read(|c| earshot_store::contacts::get(c, id))?.display_name;
                by_contact.push((id, holder_name, shown, vec![brought]));
            }
        }
    }
    let now = ctx.now_text();
    let mut out = Vec::new();
    for (contact_id, contact_name, shown, brought) in by_contact {
        let people = same_person::separate(&contact_name, &brought);
        if people.is_empty() {
            continue;
        }
        let mut separated = Vec::new();
        for person in people {
            let new_id = if apply {
                Some(ctx.store.write(|tx| earshot_store::untangle::separate(tx, contact_id, &person, &now))?)
            } else {
                None
            };
            separated.push(SeparatedPerson {
                name: person.display_name,
                emails: person.emails,
                phones: person.phones_moved,
                shared_phones: person.phones_shared,
                contact_id: new_id,
            });
        }
        out.push(Untangled { contact_id, name: shown, separated });
    }
    Ok(out)
}
