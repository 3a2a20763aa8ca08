//! The `earshot` process killed (SIGKILL) in the middle of sync rounds, again and again: the workspace must
//! stay intact and a rerun must converge on every item exactly once, because each source's items and its
//! cursor are committed together or not at all.

#[path = "../../../tests/fake_http.rs"]
mod fake_http;

use std::process::{Command, Stdio};
use std::time::Duration;

const SOURCES: usize = 12;
const ENTRIES: usize = 300;

fn feed(n: usize) -> Vec<u8> {
    let items: String = (0..ENTRIES)
        .map(|i| format!("<item><guid>s{n}-e{i}</guid><title>bike news {i}</title><description>a bike story number {i} from feed {n}</description></item>"))
        .collect();
    format!("<rss version=\"2.0\"><channel><title>Feed {n}</title>{items}</channel></rss>").into_bytes()
}

fn earshot(db: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_earshot"));
    cmd.arg("--db").arg(db).args(args).stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_process_mid_sync_loses_nothing_and_duplicates_nothing() {
    let feeds: Vec<Vec<u8>> = (0..SOURCES).map(feed).collect();
    let base = fake_http::serve_with(move |req: &fake_http::HttpRequest| {
        // A little latency, so kills land between, during and after the sources' commits.
        std::thread::sleep(Duration::from_millis(15));
        let n: usize = req.path().trim_start_matches("/feed/").parse().unwrap_or(usize::MAX);
        match feeds.get(n) {
            Some(body) => fake_http::response("200 OK", &[("Content-Type", "application/rss+xml")], body),
            None => fake_http::response("404 Not Found", &[], b""),
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    assert!(earshot(&db, &["queries", "add", "--kind", "industry", "bike"]).status().unwrap().success());
    for n in 0..SOURCES {
        let url = format!("{base}/feed/{n}");
        assert!(earshot(&db, &["sources", "add", "feed", &url]).status().unwrap().success());
    }

    let mut seed = 7u64;
    for _ in 0..8 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let after = Duration::from_millis(20 + (seed >> 33) % 400);
        let mut child = earshot(&db, &["sync", "--once"]).spawn().unwrap();
        tokio::time::sleep(after).await;
        let _ = child.kill();
        let _ = child.wait();
    }

    // Reruns pick up whatever was not committed; the workspace opens (after its integrity check).
    for _ in 0..3 {
        assert!(earshot(&db, &["sync", "--once"]).status().unwrap().success());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(&db)
        .args(["mentions", "list", "--json", "--limit", "10000"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mentions: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids: Vec<&str> = mentions.iter().map(|m| m["external_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), SOURCES * ENTRIES, "every item arrives");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), SOURCES * ENTRIES, "no item twice");

    let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(&db)
        .args(["sources", "list", "--json"])
        .output()
        .unwrap();
    let sources: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(sources.iter().all(|s| s["status"] == "ok" && s["mentions"] == ENTRIES), "{sources:?}");
}
