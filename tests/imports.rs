//! Real export files from Google, LinkedIn, Outlook and phones, through the whole stack (format detection
//! in core, the import use case in app, SQLite in store) into a workspace on disk.

use earshot_app::contacts::{contacts_all, contacts_search, ContactRecord};
use earshot_app::imports::{import_run, ImportOptions};
use earshot_app::Ctx;

fn workspace() -> (tempfile::TempDir, Ctx) {
    let dir = tempfile::tempdir().unwrap();
    let ctx = Ctx::open(&dir.path().join("w.db")).unwrap();
    (dir, ctx)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)).unwrap()
}

fn import(ctx: &Ctx, name: &str) -> earshot_app::store_types::ImportSummary {
    import_run(ctx, name, &fixture(name), &ImportOptions::default(), &mut |_| {}).unwrap()
}

fn by_name<'a>(all: &'a [ContactRecord], name: &str) -> &'a ContactRecord {
    all.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} was imported"))
}

#[test]
fn a_google_contacts_export_imports_people_labels_and_reports_bad_rows() {
    let (_d, ctx) = workspace();
    let s = import(&ctx, "google-contacts.csv");
    assert_eq!(s.format, "google");
    assert_eq!((s.added, s.rejected), (3, 1));
    assert!(s.problems.iter().any(|p| p.line == 5 && p.severity == "error"), "{:?}", s.problems);
    assert!(s.problems.iter().any(|p| p.line == 6 && p.reason.contains("not an email")), "{:?}", s.problems);
    let all = contacts_all(&ctx).unwrap();
    let chloe = by_name(&all, "Chloé Dubois");
    assert_eq!(chloe.emails.len(), 2);
    assert_eq!(chloe.tags, vec!["Suppliers"]);
    assert_eq!(chloe.city.as_deref(), Some("Old Town"));
    assert_eq!(chloe.identities[0].network, "bluesky");
    assert_eq!(by_name(&all, "Dev Patel").tags, vec!["starred"]);
}

#[test]
fn linkedin_and_google_exports_of_the_same_people_do_not_duplicate_them() {
    let (_d, ctx) = workspace();
    import(&ctx, "linkedin-connections.csv");
    let again = import(&ctx, "linkedin-connections.csv");
    assert_eq!((again.added, again.unchanged), (0, 2), "the same file twice adds nothing");
    let all = contacts_all(&ctx).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(by_name(&all, "Marco Rossi").identities[0].handle, "marco-rossi-velo");
}

#[test]
fn an_outlook_export_in_windows_1252_keeps_its_accents_and_categories() {
    let (_d, ctx) = workspace();
    let s = import(&ctx, "outlook-contacts.csv");
    assert_eq!((s.format.as_str(), s.added), ("outlook", 1));
    let all = contacts_all(&ctx).unwrap();
    let grace = by_name(&all, "Grace Hughes");
    assert_eq!(grace.title.as_deref(), Some("Physiotherapist"));
    assert_eq!(grace.tags, vec!["Partners", "Referrals"]);
    assert_eq!(grace.phones.len(), 2);
}

#[test]
fn a_phone_vcard_export_with_2_1_and_3_0_cards_imports_and_is_searchable() {
    let (_d, ctx) = workspace();
    let s = import(&ctx, "bike-club.vcf");
    assert_eq!((s.added, s.rejected), (2, 1));
    let found = contacts_search(&ctx, "jurgen", 5).unwrap();
    assert_eq!(found[0].display_name, "Jürgen Müller");
    let found = contacts_search(&ctx, "riverside", 5).unwrap();
    assert_eq!(found[0].display_name, "Priya Ramanathan");
    let all = contacts_all(&ctx).unwrap();
    assert_eq!(by_name(&all, "Priya Ramanathan").identities[0].handle, "@priyarides@mastodon.social");
}
