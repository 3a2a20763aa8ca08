//! Customer value from the command line, on realistic exports: Shopify orders, Stripe payments and a
//! survey export imported into a real workspace file, then `metrics --json` and `contacts list --json`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/value").join(name)
}

fn earshot(db: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_earshot")).arg("--db").arg(db).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    let (ok, out, err) = earshot(db, args);
    assert!(ok, "{args:?} failed: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn an_owner_imports_orders_and_answers_and_sees_value_per_customer_and_for_the_business() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "Name,Email\nAna Lima,ana@example.com\nBo Chen,bo@example.com\nCy Diaz,cy@example.com\n")
        .unwrap();
    assert!(earshot(&db, &["contacts", "import", people.to_str().unwrap()]).0);

    let shopify = fixture("shopify_orders.csv");
    let first = json(&db, &["orders", "import", shopify.to_str().unwrap(), "--json"]);
    assert_eq!(first["counts"]["added"], 4);
    assert_eq!(first["counts"]["matched"], 4);
    // The row with "eighty" as its total is refused with its line; the others are in.
    let problems = first["import"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0]["line"], 7);
    assert!(problems[0]["reason"].as_str().unwrap().contains("eighty"));
    let again = json(&db, &["orders", "import", shopify.to_str().unwrap(), "--json"]);
    assert_eq!((again["counts"]["added"].as_i64(), again["counts"]["unchanged"].as_i64()), (Some(0), Some(4)));

    let stripe = json(&db, &["orders", "import", fixture("stripe_payments.csv").to_str().unwrap(), "--json"]);
    // Bo is known; the refunded stranger waits in "who is this?"; the failed card is nobody to chase.
    assert_eq!((stripe["counts"]["matched"].as_i64(), stripe["counts"]["waiting"].as_i64()), (Some(1), Some(1)));
    let waiting = json(&db, &["orders", "waiting", "--json"]);
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    assert_eq!(waiting[0]["email"], "new@example.com");

    let nps = json(&db, &["nps", "import", fixture("nps.csv").to_str().unwrap(), "--json"]);
    assert_eq!((nps["counts"]["added"].as_i64(), nps["counts"]["matched"].as_i64()), (Some(4), Some(3)));

    let m = json(&db, &["metrics", "--json", "--from", "2026-01-01", "--to", "2026-03-31"]);
    // 2 promoters, 1 passive, 1 detractor of 4: 50% - 25% = 25.
    assert_eq!(m["nps"]["score"], 25.0);
    assert_eq!(m["nps"]["responses"], 4);
    // Paid: 100 + 60 + 40 (Shopify, the voided order left out) + 50 + 30 (Stripe); refunded 10 + 30.
    assert_eq!(m["revenue"]["gross"], 280.0);
    assert_eq!(m["revenue"]["refunds"], 40.0);
    assert_eq!(m["revenue"]["net"], 240.0);
    assert_eq!(m["revenue"]["orders"], 5);
    assert_eq!(m["revenue"]["customers"], 2);
    // Ana and Bo both came back.
    assert_eq!(m["retention"]["repeat_purchase_rate"], 1.0);
    assert!(m["response_time"].get("first_action_median_minutes").is_some());
    assert!(m["lead_conversion"].get("rate").is_some());
    assert!(m["share_of_conversation"].is_array());

    let contacts = json(&db, &["contacts", "list", "--json"]);
    let ana = contacts.as_array().unwrap().iter().find(|c| c["name"] == "Ana Lima").unwrap();
    let cy = contacts.as_array().unwrap().iter().find(|c| c["name"] == "Cy Diaz").unwrap();
    assert!(ana["lifetime_value"].as_f64().unwrap() >= 60.0, "{ana}"); // 150 net x 40% margin, plus a forward estimate
    assert_eq!(cy["lifetime_value"], 0.0); // only a voided order
    assert!(ana.get("lifetime_influence").is_some() && ana.get("lifetime_activity").is_some());
    assert!(ana["lifetime_activity"].as_f64().unwrap() > 0.0); // answered the survey
}

#[test]
fn a_file_that_is_not_orders_is_refused_with_its_name_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let notes = dir.path().join("notes.csv");
    std::fs::write(&notes, "Title,Body\nhello,world\n").unwrap();
    let (ok, _, err) = earshot(&db, &["orders", "import", notes.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("notes.csv") && err.contains("map the columns"), "{err}");
}
