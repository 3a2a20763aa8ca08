//! A team on one workspace, from the command line, against a real PostgreSQL: the counter shares the
//! workspace, the laptop joins it, both edit the same customer while apart, and after syncing both show
//! both edits; leaving keeps the workspace.

#[path = "../../../tests/fake_http.rs"]
mod fake_http;

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

/// Two desktops' workspaces (the counter's and the laptop's) in a temporary folder, and an empty database on
/// a throw-away PostgreSQL; with `shared`, Ann at the counter has shared the workspace and Sam's laptop joined.
struct Desks {
    _cluster: Cluster,
    url: String,
    dir: tempfile::TempDir,
    counter: std::path::PathBuf,
    laptop: std::path::PathBuf,
}

async fn desks(shared: bool) -> Desks {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let (counter, laptop) = (dir.path().join("counter.db"), dir.path().join("laptop.db"));
    if shared {
        ok(&counter, &["team", "create", &url, "--member", "Ann"]);
        ok(&laptop, &["team", "join", &url, "--member", "Sam"]);
    }
    Desks { _cluster: cluster, url, dir, counter, laptop }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desktops_share_a_workspace_edit_one_customer_apart_and_both_keep_both_edits() {
    let Desks { _cluster, url, dir, counter, laptop } = desks(false).await;
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "Name,Email\nAna Lima,ana@example.com\n").unwrap();
    ok(&counter, &["contacts", "import", people.to_str().unwrap()]);

    let created = ok(&counter, &["team", "create", &url, "--member", "Ann"]);
    // Each of Ana's eleven shared fields, and Ann joining (her name and when).
    assert!(created.contains("13 changes sent"), "{created}");
    let joined = ok(&laptop, &["team", "join", &url, "--member", "Sam"]);
    assert!(joined.contains("15 changes received"), "the workspace, and Sam joining: {joined}");
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
    let Desks { _cluster, url, dir, counter, laptop } = desks(false).await;
    let people = dir.path().join("people.csv");
    let mut csv = String::from("Name,Email,City\n");
    for i in 0..1500 {
        csv.push_str(&format!("Person {i},p{i}@example.com,Town {}\n", i % 37));
    }
    std::fs::write(&people, csv).unwrap();
    ok(&counter, &["contacts", "import", people.to_str().unwrap()]);
    ok(&counter, &["team", "create", &url, "--member", "Ann"]);

    // The first runs join (and start catching up); once joined, they sync.
    let next = || {
        let shared = json(&laptop, &["team", "status", "--json"])["shared"] == true;
        let args = if shared { vec!["team", "sync", "--once"] } else { vec!["team", "join", &url, "--member", "Sam"] };
        args.into_iter().map(String::from).collect()
    };
    let killed = kill_while_running(&laptop, &next, 12, 9);
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
    assert_eq!(status["team"]["cursor"], server_ops(&url).await, "the cursor is at the end, with no gap");
}

/// How many changes the server holds.
async fn server_ops(url: &str) -> i64 {
    let client = earshot_team::test_cluster::connect(url).await;
    client.query_one("SELECT count(*) FROM earshot_ops", &[]).await.unwrap().get(0)
}

/// Runs the command `args` gives on `db` again and again, killing (`kill -9`) each run still going after a
/// random moment; how many were cut short.
fn kill_while_running(db: &Path, args: &dyn Fn() -> Vec<String>, runs: usize, seed: u64) -> usize {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut killed = 0;
    for _ in 0..runs {
        let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(db)
            .args(args())
            .env("EARSHOT_LOG_DIR", db.with_extension("logs"))
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
    killed
}

/// A desktop with many changes to send is killed again and again while sending: some runs die after the
/// server committed a batch but before the desktop recorded it. The changes it sends again are taken once,
/// and the other desktop ends with every contact once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_killed_again_and_again_while_sending_leaves_every_change_once_on_the_server() {
    let Desks { _cluster, url, dir, counter, laptop } = desks(true).await;
    let people = dir.path().join("people.csv");
    let mut csv = String::from("Name,Email\n");
    for i in 0..1500 {
        csv.push_str(&format!("Person {i},p{i}@example.com\n"));
    }
    std::fs::write(&people, csv).unwrap();
    ok(&laptop, &["contacts", "import", people.to_str().unwrap()]);
    let waiting = json(&laptop, &["team", "status", "--json"])["waiting"].as_i64().unwrap();
    let before = server_ops(&url).await;

    // Killed runs until one died after the server took a batch and before the desktop recorded it (the
    // server holds more of its changes than it knows were taken).
    let sync = || ["team", "sync", "--once"].map(String::from).to_vec();
    let waiting_now = || json(&laptop, &["team", "status", "--json"])["waiting"].as_i64().unwrap();
    let mut caught_between = false;
    for run in 0..40 {
        kill_while_running(&laptop, &sync, 1, run);
        let taken = server_ops(&url).await - before;
        if taken > waiting - waiting_now() {
            caught_between = true;
            break;
        }
        if waiting_now() == 0 {
            break;
        }
    }
    assert!(caught_between, "no run died between the server's commit and the desktop's record of it");
    ok(&laptop, &["team", "sync", "--once"]);
    ok(&counter, &["team", "sync", "--once"]);
    assert_eq!(server_ops(&url).await - before, waiting, "each change sent exactly once, however often it was resent");
    assert_eq!(json(&laptop, &["team", "status", "--json"])["waiting"], 0);
    let names: std::collections::BTreeSet<String> = json(&counter, &["contacts", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 1500, "every contact once on the other desktop");
}

/// A mention captured at the counter reaches the laptop, which assigns it to Ann; after syncing, both
/// desktops list it with Ann as its assignee, and only Ann's "assigned to me" shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_assigned_on_one_desktop_is_listed_with_its_assignee_on_both() {
    let Desks { _cluster, url: _url, dir: _dir, counter, laptop } = desks(true).await;
    let link = "https://www.facebook.com/spokeandchain/posts/1";
    let said = "The new saddle you sold me broke after a week";
    ok(&counter, &["capture", link, "--text", said, "--author", "Bo Diaz", "--network", "facebook"]);
    ok(&counter, &["team", "sync", "--once"]);
    ok(&laptop, &["team", "sync", "--once"]);
    let on_laptop = json(&laptop, &["mentions", "list", "--json"]);
    assert_eq!(on_laptop.as_array().unwrap().len(), 1, "{on_laptop}");
    assert_eq!(on_laptop[0]["text"], said);
    let id = on_laptop[0]["id"].to_string();

    let (refused, _, err) = earshot(&laptop, &["mentions", "assign", &id, "Zoë"]);
    assert!(!refused && err.contains("not a member of the team"), "{err}");
    assert!(ok(&laptop, &["mentions", "assign", &id, "ann"]).contains("assigned to Ann"));
    ok(&laptop, &["team", "sync", "--once"]);
    ok(&counter, &["team", "sync", "--once"]);
    for db in [&counter, &laptop] {
        let listed = json(db, &["mentions", "list", "--json"]);
        assert_eq!(listed[0]["assignee"], "Ann", "{listed}");
    }
    assert_eq!(json(&counter, &["mentions", "list", "--mine", "--json"]).as_array().unwrap().len(), 1);
    assert!(json(&laptop, &["mentions", "list", "--mine", "--json"]).as_array().unwrap().is_empty());
    let members: Vec<String> = json(&laptop, &["team", "status", "--json"])["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(members, ["Ann", "Sam"]);
}

/// An RSS feed of bike stories: each (guid, link, title).
fn rss(items: &[(&str, &str, &str)]) -> Vec<u8> {
    let items: String = items
        .iter()
        .map(|(guid, link, title)| {
            format!("<item><guid>{guid}</guid><link>{link}</link><title>{title}</title><description>{title}, a bike story</description></item>")
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>Bike news</title>{items}</channel></rss>").into_bytes()
}

/// Both desktops listen to the shop's feed; the laptop also to an alerts feed that links to one of the same
/// pages. Every post is one mention on both desktops, and a decision on one shows on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_posts_heard_on_two_desktops_are_one_mention_each_on_both() {
    let shop = rss(&[
        ("s1", "https://blog.example/new-saddles", "New saddles for bike commuters"),
        ("s2", "https://blog.example/repair-cafe", "Bike repair cafe on Sunday"),
    ]);
    let alerts = rss(&[(
        "tag:alerts,1",
        "https://blog.example/new-saddles?utm_source=alerts",
        "New saddles for bike commuters",
    )]);
    let base = fake_http::serve_with(move |req: &fake_http::HttpRequest| {
        let body = if req.path() == "/alerts" { alerts.clone() } else { shop.clone() };
        fake_http::response("200 OK", &[("Content-Type", "application/rss+xml")], &body)
    })
    .await;
    let Desks { _cluster, url: _url, dir: _dir, counter, laptop } = desks(true).await;
    for db in [&counter, &laptop] {
        ok(db, &["queries", "add", "--kind", "industry", "bike"]);
        ok(db, &["sources", "add", "feed", &format!("{base}/shop")]);
    }
    ok(&laptop, &["sources", "add", "feed", &format!("{base}/alerts")]);
    for db in [&counter, &laptop] {
        ok(db, &["sync", "--once"]);
    }
    for _ in 0..2 {
        for db in [&counter, &laptop] {
            ok(db, &["team", "sync", "--once"]);
        }
    }
    let titles = |db: &Path| -> Vec<String> {
        let mut titles: Vec<String> = json(db, &["mentions", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["title"].as_str().unwrap_or_default().to_string())
            .collect();
        titles.sort();
        titles
    };
    for db in [&counter, &laptop] {
        assert_eq!(titles(db), ["Bike repair cafe on Sunday", "New saddles for bike commuters"], "{}", db.display());
    }

    let id = |db: &Path, title: &str| -> String {
        json(db, &["mentions", "list", "--json"]).as_array().unwrap().iter().find(|m| m["title"] == title).unwrap()
            ["id"]
            .to_string()
    };
    ok(&laptop, &["mentions", "triage", &id(&laptop, "Bike repair cafe on Sunday"), "idea"]);
    ok(&laptop, &["team", "sync", "--once"]);
    ok(&counter, &["team", "sync", "--once"]);
    let on_counter = json(&counter, &["mentions", "list", "--json", "--state", "filed"]);
    assert_eq!(on_counter.as_array().unwrap().len(), 1, "{on_counter}");
    assert_eq!(on_counter[0]["filed_as"], "idea");
    assert_eq!(on_counter[0]["decided_by"], "Sam");
}
