//! Earshot's domain: the shapes of contacts and their parts, the import and export formats, the rules for
//! duplicates, money and keep-in-touch cadence, the demo workspace; and for listening, the query language
//! (`query`), the one shape of a fetched item (`mention`) and remote HTML made safe (`html`).
//!
//! Invariants: nothing here does I/O or reads the clock (callers pass `now`), so every rule is testable as a
//! pure function. Parsers never panic on any input: bad records come back as [`RecordError`]s that name the
//! line and the reason, and the good records around them are still returned.
//!
//! To add a new import format, add a module that turns bytes into `Vec<Result<ContactDraft, RecordError>>`
//! and teach [`import::detect`] to recognise it. To add a kind, state or other closed set of names the UI
//! sees, declare it with `closed_set!` (it becomes a TypeScript string union) and list it in the app's
//! bindings. What an arriving mention is worth ([`triage::assess`]) is decided here, from facts the caller
//! reads first.

pub mod analysis;
pub mod cadence;
mod closed_set;
pub mod contact;
pub mod csv_export;
pub mod dedupe;
pub mod demo;
pub mod demo_listening;
pub mod guided_start;
pub mod hours;
pub mod html;
pub mod import;
pub mod mention;
pub mod metrics;
pub mod money;
pub mod orders;
pub mod own;
pub mod query;
pub mod same_person;
pub mod sheet;
pub mod survey;
pub mod table;
pub mod team;
pub mod text;
pub mod tid;
pub mod triage;
pub mod url_safety;
pub mod value;
pub mod vcard;

pub use contact::{ActivityKind, ContactDraft, EmailDraft, IdentityDraft, PhoneDraft, Photo};
pub use import::{ImportFormat, RecordError};
