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

fn import_text(ctx: &Ctx, name: &str, text: &str) -> earshot_app::store_types::ImportSummary {
    import_run(ctx, name, text.as_bytes(), &ImportOptions::default(), &mut |_| {}).unwrap()
}

#[test]
fn colleagues_on_one_switchboard_stay_three_people_and_are_suggested_for_the_owner_to_decide() {
    let (_d, ctx) = workspace();
    let header = "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Street,Business City,Business Phone,Home Phone,Mobile Phone,E-mail Address,E-mail Display Name,E-mail 2 Address,Categories,Notes,Web Page";
    let rows = [
        ",Ann,,Lee,,Harbour Logistics,,Buyer,,Eastgate,+44 20 7946 0000,,,ann.lee@harbour.example,,,,,",
        ",Tom,,Ward,,Harbour Logistics,,Fleet manager,,Eastgate,+44 20 7946 0000,,,tom.ward@harbour.example,,,,,",
        ",Sue,,Park,,Harbour Logistics,,Accounts,,Eastgate,+44 (20) 7946-0000,,,,,,,,",
    ];
    let file = format!("{header}\r\n{}\r\n", rows.join("\r\n"));
    let s = import_text(&ctx, "outlook.csv", &file);
    assert_eq!((s.format.as_str(), s.added, s.merged), ("outlook", 3, 0), "{:?}", s.problems);
    assert_eq!(contacts_all(&ctx).unwrap().len(), 3, "one switchboard, three people");
    let again = import_text(&ctx, "outlook.csv", &file);
    assert_eq!((again.added, again.unchanged), (0, 3), "the same file twice adds nothing");
    let suggestions = earshot_app::merges::merge_suggestions(&ctx, 50).unwrap();
    assert_eq!(suggestions.len(), 3, "each pair is suggested, for the owner to decide");
    assert!(suggestions.iter().all(|s| s.evidence.iter().any(|e| e.kind == "same_phone")), "{suggestions:?}");
}

#[test]
fn a_couple_on_one_landline_and_a_team_on_one_role_address_are_separate_people() {
    let (_d, ctx) = workspace();
    let header = "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Label,Address 1 - City,Website 1 - Label,Website 1 - Value";
    let rows = [
        "Ann,,Lee,,,,,,,,,,,,,,* myContacts,,,,,Home,01632 960123,,,,",
        "Tom,,Lee,,,,,,,,,,,,,,* myContacts,,,,,Home,01632 960123,,,,",
        "Ann,,Lee,,,,,,,,,,,,,,* myContacts,Home,ann.lee@mail.example,,,Home,01632 960123,,,,",
        "Maya,,Fox,,,,,,,,Fox Studio,,,,,,* myContacts,Work,hello@foxstudio.example,,,,,,,,",
        "Raj,,Iyer,,,,,,,,Fox Studio,,,,,,* myContacts,Work,hello@foxstudio.example,,,,,,,,",
    ];
    let s = import_text(&ctx, "google.csv", &format!("{header}\n{}\n", rows.join("\n")));
    assert_eq!(s.format, "google");
    let all = contacts_all(&ctx).unwrap();
    let names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(all.len(), 4, "Ann (once, with her email), Tom, Maya, Raj: {names:?}");
    assert_eq!(by_name(&all, "Ann Lee").emails.len(), 1, "the same name on the same phone is the same Ann");
    assert_eq!(by_name(&all, "Raj Iyer").emails[0].address, "hello@foxstudio.example");
}

#[test]
fn the_same_person_in_linkedin_and_google_with_different_emails_is_one_contact_by_profile() {
    let (_d, ctx) = workspace();
    let linkedin = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\nMaria,Kowalska,https://www.linkedin.com/in/maria-kowalska-bikes,maria@work.example,Cog Co,Owner,14 Mar 2024\n";
    import_text(&ctx, "Connections.csv", linkedin);
    let header = "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Label,Address 1 - City,Website 1 - Label,Website 1 - Value";
    let google = format!("{header}\nMaria,,Kowalska,,,,,,,,,,,,,,* myContacts,Home,maria.k@mail.example,,,,,,,Profile,https://www.linkedin.com/in/maria-kowalska-bikes/\n");
    let s = import_text(&ctx, "google.csv", &google);
    assert_eq!((s.added, s.merged), (0, 1), "{:?}", s.problems);
    let all = contacts_all(&ctx).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].emails.len(), 2);
}

#[test]
fn buyers_who_share_orders_at_in_a_shopify_export_are_not_merged() {
    let (_d, ctx) = workspace();
    let orders = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/value/shopify_orders.csv"),
    )
    .unwrap();
    let mut lines = orders.lines();
    let header = lines.next().unwrap();
    let template = lines.next().unwrap();
    let row = |order: &str, email: &str, name: &str| {
        template
            .replacen("#1001", &format!("#{order}"), 1)
            .replace(",5001,", &format!(",{order},"))
            .replace("ana@example.com", email)
            .replace("Ana Lima", name)
    };
    let file = [
        header.to_string(),
        row("2001", "orders@bigcafe.example", "Ben Ode"),
        row("2002", "orders@bigcafe.example", "Cleo Marsh"),
        row("2003", "orders@bigcafe.example", "Ben Ode"),
    ]
    .join("\n");
    let options = earshot_app::value::OrdersImportOptions { create_contacts: true, ..Default::default() };
    let done = earshot_app::value::orders_import(&ctx, "orders_export.csv", file.as_bytes(), &options).unwrap();
    assert_eq!(done.counts.contacts_created, 2, "{:?}", done.counts);
    let all = contacts_all(&ctx).unwrap();
    let names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn colleagues_an_older_import_merged_are_separated_from_their_file_each_with_what_they_brought() {
    let (_d, ctx) = workspace();
    // What the old rule made of the switchboard export: one "Ann Lee" holding everyone's emails and phones.
    ctx.store
        .write(|tx| {
            let mut ann = earshot_core::ContactDraft { display_name: "Ann Lee".into(), ..Default::default() };
            for e in ["ann.lee@harbour.example", "tom.ward@harbour.example"] {
                ann.emails.push(earshot_core::EmailDraft { address: e.into(), label: None });
            }
            for p in ["+44 20 7946 0000", "07700 900222"] {
                ann.phones.push(earshot_core::PhoneDraft { number: p.into(), label: None });
            }
            earshot_store::contacts::insert(tx, &ann, None, "2026-01-01T00:00:00Z")
        })
        .unwrap();
    let header = "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Street,Business City,Business Phone,Home Phone,Mobile Phone,E-mail Address,E-mail Display Name,E-mail 2 Address,Categories,Notes,Web Page";
    let file = format!(
        "{header}\n,Ann,,Lee,,Harbour,,Buyer,,,+44 20 7946 0000,,,ann.lee@harbour.example,,,,,\n,Tom,,Ward,,Harbour,,Fleet,,,+44 20 7946 0000,,07700 900222,tom.ward@harbour.example,,,,,\n,Sue,,Park,,Harbour,,Accounts,,,+44 20 7946 0000,,,,,,,,\n"
    );
    let options = ImportOptions::default();
    let preview =
        earshot_app::imports::contacts_untangle(&ctx, "outlook.csv", file.as_bytes(), &options, false).unwrap();
    assert_eq!(preview.len(), 1);
    let names: Vec<&str> = preview[0].separated.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Tom Ward", "Sue Park"]);
    assert_eq!(contacts_all(&ctx).unwrap().len(), 1, "a preview changes nothing");

    let done = earshot_app::imports::contacts_untangle(&ctx, "outlook.csv", file.as_bytes(), &options, true).unwrap();
    assert!(done[0].separated.iter().all(|p| p.contact_id.is_some()));
    let all = contacts_all(&ctx).unwrap();
    assert_eq!(all.len(), 3);
    let ann = by_name(&all, "Ann Lee");
    assert_eq!(ann.emails.iter().map(|e| e.address.as_str()).collect::<Vec<_>>(), ["ann.lee@harbour.example"]);
    assert_eq!(ann.phones.len(), 1, "Ann keeps the switchboard, not Tom's mobile");
    let tom = by_name(&all, "Tom Ward");
    assert_eq!(tom.emails[0].address, "tom.ward@harbour.example");
    assert_eq!(tom.phones.len(), 2, "his mobile, and a copy of the switchboard");
    assert_eq!(tom.organization.as_deref(), Some("Harbour"));
    assert_eq!(by_name(&all, "Sue Park").phones.len(), 1);
    assert!(earshot_app::imports::contacts_untangle(&ctx, "outlook.csv", file.as_bytes(), &options, false)
        .unwrap()
        .is_empty());
    assert_eq!(import_text(&ctx, "outlook.csv", &file).added, 0, "importing the file now adds nobody");
}
