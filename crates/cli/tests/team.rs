//! A team on one workspace, from the command line, against a real PostgreSQL: the counter shares the
//! workspace, the laptop joins it, both edit the same customer while apart, and after syncing both show
//! both edits; leaving keeps the workspace.

use std::path::Path;
use std::process::Command;

use earshot_team::test_cluster::Cluster;

fn earshot(db: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(db)
        .args(args)
        // No keychain is needed: the test server trusts connections from this machine, so no password.
        .env("EARSHOT_LOG_DIR", db.with_extension("logs"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(db: &Path, args: &[&str]) -> String {
    let (ok, out, err) = earshot(db, args);
    assert!(ok, "{args:?} failed: {err}");
    out
}

fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(db, args)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desktops_share_a_workspace_edit_one_customer_apart_and_both_keep_both_edits() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let (counter, laptop) = (dir.path().join("counter.db"), dir.path().join("laptop.db"));
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "Name,Email\nAna Lima,ana@example.com\n").unwrap();
    ok(&counter, &["contacts", "import", people.to_str().unwrap()]);

    let created = ok(&counter, &["team", "create", &url, "--member", "Ann"]);
    assert!(created.contains("8 changes sent"), "{created}");
    let joined = ok(&laptop, &["team", "join", &url, "--member", "Sam"]);
    assert!(joined.contains("8 changes received"), "{joined}");
    let on_laptop = json(&laptop, &["contacts", "list", "--json"]);
    assert_eq!(on_laptop[0]["name"], "Ana Lima");

    let counter_id = json(&counter, &["contacts", "list", "--json"])[0]["id"].to_string();
    let laptop_id = on_laptop[0]["id"].to_string();
    ok(&counter, &["contacts", "edit", &counter_id, "--set", "city=Leeds"]);
    ok(&laptop, &["contacts", "edit", &laptop_id, "--set", "title=Head buyer"]);
    let status = json(&laptop, &["team", "status", "--json"]);
    assert_eq!(status["waiting"], 1);
    assert_eq!(status["team"]["member"], "Sam");

    for db in [&counter, &laptop, &counter] {
        ok(db, &["team", "sync", "--once", "--json"]);
    }
    for (db, id) in [(&counter, &counter_id), (&laptop, &laptop_id)] {
        let ana = json(db, &["contacts", "show", id]);
        assert_eq!(ana["contact"]["city"], "Leeds", "{ana}");
        assert_eq!(ana["contact"]["title"], "Head buyer", "{ana}");
        assert_eq!(json(db, &["team", "status", "--json"])["waiting"], 0);
    }

    ok(&laptop, &["team", "leave"]);
    assert_eq!(json(&laptop, &["team", "status", "--json"])["shared"], false);
    assert_eq!(json(&laptop, &["contacts", "list", "--json"])[0]["name"], "Ana Lima", "the workspace stays");
}

/// A password in the server's address goes to the keychain: the workspace file, the status and the
/// messages never hold it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_password_is_kept_in_the_keychain_never_in_the_workspace() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let with_password = url.replacen("postgres@", "postgres:s3cret-Pa55@", 1);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("counter.db");
    let (created, out, err) = earshot(&db, &["team", "create", &with_password, "--member", "Ann"]);
    if std::env::var("EARSHOT_REAL_KEYRING").as_deref() != Ok("1") {
        // Without a keychain session the password is refused rather than written down, and the refusal says
        // why. (`make test` runs this under the test keyring, where the rest is checked.)
        assert!(!created && err.contains("keychain") && !err.contains("s3cret"), "{err}");
        return;
    }
    assert!(created, "{err}");
    assert!(!out.contains("s3cret"), "{out}");
    let status = json(&db, &["team", "status", "--json"]);
    assert_eq!(status["team"]["server"], url.as_str(), "the stored address has no password");
    assert!(status["team"]["credential_id"].as_str().is_some_and(|id| id.starts_with("team:")));
    ok(&db, &["team", "sync", "--once"]);
    for file in [db.clone(), db.with_extension("db-wal")] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(!bytes.windows(6).any(|w| w == b"s3cret"), "the password is not in {}", file.display());
    }
    ok(&db, &["team", "leave"]);
}

/// A desktop catching up is killed (`kill -9`) again and again, in the middle of pulling and applying
/// pages: each page is applied with its cursor in one transaction, so once a sync finally completes it has
/// every contact exactly once, and nothing waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_killed_again_and_again_while_catching_up_ends_with_everything_once() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let (counter, laptop) = (dir.path().join("counter.db"), dir.path().join("laptop.db"));
    let people = dir.path().join("people.csv");
    let mut csv = String::from("Name,Email,City\n");
    for i in 0..1500 {
        csv.push_str(&format!("Person {i},p{i}@example.com,Town {}\n", i % 37));
    }
    std::fs::write(&people, csv).unwrap();
    ok(&counter, &["contacts", "import", people.to_str().unwrap()]);
    ok(&counter, &["team", "create", &url, "--member", "Ann"]);

    let mut rng = fastrand::Rng::with_seed(9);
    let mut killed = 0;
    for _ in 0..12 {
        let shared = json(&laptop, &["team", "status", "--json"])["shared"] == true;
        let args: Vec<&str> =
            if shared { vec!["team", "sync", "--once"] } else { vec!["team", "join", &url, "--member", "Sam"] };
        let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(&laptop)
            .args(&args)
            .env("EARSHOT_LOG_DIR", laptop.with_extension("logs"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(rng.u64(20..400)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
    }
    assert!(killed > 0, "no run was cut short; the test would prove nothing");
    if json(&laptop, &["team", "status", "--json"])["shared"] != true {
        ok(&laptop, &["team", "join", &url, "--member", "Sam"]);
    }
    ok(&laptop, &["team", "sync", "--once"]);
    let names = |db: &Path| -> Vec<String> {
        let mut names: Vec<String> = json(db, &["contacts", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{}|{}", c["name"], c["city"]))
            .collect();
        names.sort();
        names
    };
    let (here, there) = (names(&counter), names(&laptop));
    assert_eq!(there.len(), 1500, "every contact once");
    assert_eq!(here, there);
    let status = json(&laptop, &["team", "status", "--json"]);
    assert_eq!(status["waiting"], 0);
    assert_eq!(status["team"]["cursor"], 1500 * 8, "the cursor is at the end, with no gap");
}
