//! The `earshot` binary as a script would use it: real files, real exit codes, stable JSON.

use std::path::Path;
use std::process::{Command, Output};

fn earshot(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earshot")).arg("--db").arg(db).args(args).output().expect("earshot runs")
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(name).display().to_string()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
}

#[test]
fn the_demo_workspace_lists_as_json_with_every_documented_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let created = earshot(&db, &["demo"]);
    assert!(created.status.success());
    let list = json(&earshot(&db, &["contacts", "list", "--json"]));
    let contacts = list.as_array().unwrap();
    // 320 people the shop knows, and the leads its listening brought in.
    assert!(contacts.len() > 320, "{}", contacts.len());
    assert!(String::from_utf8_lossy(&created.stdout).contains(&format!("with {} contacts", contacts.len())));
    for field in ["id", "name", "organization", "title", "emails", "phones", "identities", "tags"] {
        assert!(contacts[0].get(field).is_some(), "contacts list --json has {field}");
    }
    assert!(contacts.iter().any(|c| c["organization"].is_string()));
    let again = earshot(&db, &["demo"]);
    assert!(!again.status.success(), "the demo is not added twice");
    assert!(String::from_utf8_lossy(&again.stderr).contains(&format!("already has {} contacts", contacts.len())));
}

#[test]
fn an_imported_vcard_is_found_by_search_and_exported_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let out = earshot(&db, &["contacts", "import", &fixture("bike-club.vcf")]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("2 added"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bike-club.vcf:") && stderr.contains("error"), "bad cards are reported: {stderr}");

    let found = json(&earshot(&db, &["contacts", "search", "müller", "--json"]));
    assert_eq!(found[0]["display_name"], "Jürgen Müller");

    let file = dir.path().join("out.vcf");
    assert!(earshot(&db, &["contacts", "export", "--format", "vcard", "-o", file.to_str().unwrap()]).status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("BEGIN:VCARD").count(), 2);
    assert!(text.contains("VERSION:4.0"));
}

#[test]
fn a_generic_csv_imports_with_a_column_mapping_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "Who,Reach\nAnn Lee,ann@x.example\n").unwrap();
    let refused = earshot(&db, &["contacts", "import", csv.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("choose what each column holds"));
    let out = earshot(
        &db,
        &["contacts", "import", csv.to_str().unwrap(), "--map", "Who=full_name", "--map", "Reach=email", "--json"],
    );
    assert_eq!(json(&out)["added"], 1);
}

#[test]
fn errors_name_the_input_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let missing = earshot(&db, &["contacts", "import", "/nonexistent/people.vcf"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/people.vcf"));

    let binary = dir.path().join("photo.jpg");
    std::fs::write(&binary, [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0]).unwrap();
    let out = earshot(&db, &["contacts", "import", binary.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("photo.jpg: this does not look like a contacts file"));
}

#[test]
fn a_handle_listed_as_the_owners_keeps_its_captures_out_of_the_inbox_until_taken_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    assert!(earshot(&db, &["own", "add", "@SpokeAndChain", "Spoke & Chain"]).status.success());
    assert_eq!(json(&earshot(&db, &["own", "list", "--json"])), serde_json::json!(["@SpokeAndChain", "Spoke & Chain"]));
    let capture = |author: &str| {
        earshot(&db, &["capture", "https://www.instagram.com/p/abc/", "--text", "New e-bikes in", "--author", author])
    };
    let refused = capture("spokeandchain");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("one of your own accounts"));
    assert!(earshot(&db, &["own", "remove", "@spokeandchain"]).status.success());
    assert!(!earshot(&db, &["own", "remove", "@spokeandchain"]).status.success(), "not on the list any more");
    assert!(capture("spokeandchain").status.success());
}

#[test]
fn an_export_never_overwrites_a_file_unless_forced_and_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    assert!(earshot(&db, &["contacts", "import", &fixture("bike-club.vcf")]).status.success());
    let file = dir.path().join("contacts.csv");
    std::fs::write(&file, "the owner's own notes").unwrap();
    let out = file.to_str().unwrap();
    let refused = earshot(&db, &["contacts", "export", "--format", "csv", "-o", out]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "the owner's own notes");
    assert!(earshot(&db, &["contacts", "export", "--format", "csv", "-o", out, "--force"]).status.success());
    assert!(std::fs::read_to_string(&file).unwrap().contains("Jürgen"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

/// `earshot diagnostics` opens by saying what it holds and carries the session's log: what was done, never
/// who it was done to.
#[test]
fn diagnostics_say_what_they_hold_and_carry_the_log_without_customer_names() {
    let dir = tempfile::tempdir().unwrap();
    let (db, logs, csv) = (dir.path().join("w.db"), dir.path().join("logs"), dir.path().join("people.csv"));
    std::fs::write(&csv, "Name,Email\nPhilippa Canarywood,philippa@canary.example\n").unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
            .env("EARSHOT_LOG_DIR", &logs)
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["contacts", "import", csv.to_str().unwrap()]);
    let report = run(&["diagnostics"]);
    assert!(report.starts_with("Earshot diagnostics\nThis report holds:"), "{report}");
    assert!(report.contains("Workspace schema: "), "{report}");
    assert!(report.contains("contacts imported"), "the import is in the recent log:\n{report}");
    assert!(!report.contains("Canarywood") && !report.contains("philippa@"), "{report}");
    let files: Vec<String> =
        std::fs::read_dir(&logs).unwrap().map(|f| f.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(files.iter().all(|f| f.starts_with("cli.") && f.ends_with(".log")), "{files:?}");
}
