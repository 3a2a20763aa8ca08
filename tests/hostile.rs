//! Hostile and broken servers against the real sync round: decompression bombs, stalled and cut-off bodies,
//! unreadable answers, repeated ids, bursts of 5xx. Whatever happens, nothing half-read is stored, a
//! source's cursor never gets ahead of its items, and the last success is never erased.

mod fake_http;

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};
use earshot_app::listening::{mentions_list, queries_add, source_add_feed, sources_list};
use earshot_app::sync::{sync_once, SyncSummary};
use earshot_app::{Ctx, Store};
use earshot_secrets::MemorySecrets;
use earshot_sync::{Fetcher, Timeouts};
use fake_http::{response, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
}

fn quick_fetcher() -> Fetcher {
    Fetcher::with_timeouts(Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_millis(700),
        total: Duration::from_secs(5),
    })
    .unwrap()
}

struct Workspace {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl Workspace {
    fn new(feed_url: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db");
        let ctx = Ctx::with_clock(Store::open(&db).unwrap(), start());
        queries_add(&ctx, "industry", "bike").unwrap();
        source_add_feed(&ctx, feed_url, None).unwrap();
        Workspace { _dir: dir, db }
    }

    fn at(&self, now: DateTime<Utc>) -> Ctx {
        Ctx::with_clock(Store::open(&self.db).unwrap(), now)
    }

    async fn round(&self, now: DateTime<Utc>) -> SyncSummary {
        sync_once(&self.at(now), &quick_fetcher(), &MemorySecrets::default(), &mut |_| {}).await.unwrap()
    }
}

fn rss(items: &[(&str, &str)]) -> Vec<u8> {
    let items: String =
        items.iter().map(|(id, title)| format!("<item><guid>{id}</guid><title>{title}</title></item>")).collect();
    format!("<rss version=\"2.0\"><channel><title>Bikes</title>{items}</channel></rss>").into_bytes()
}

/// A server that answers each connection with `head` then `body`, then stalls or hangs up.
async fn raw_server(head: Vec<u8>, body: Vec<u8>, then_stall: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (head, body) = (head.clone(), body.clone());
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(&head).await;
                let _ = socket.write_all(&body).await;
                if then_stall {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                // Dropping the socket here cuts the body short of its Content-Length.
            });
        }
    });
    base
}

#[tokio::test]
async fn a_gzip_bomb_is_stopped_at_the_cap_and_stores_nothing() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..24 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 100 * 1024, "small on the wire");
    let server = serve(vec![response(
        "200 OK",
        &[("Content-Encoding", "gzip"), ("Content-Type", "application/rss+xml")],
        &bomb,
    )])
    .await;
    let w = Workspace::new(&format!("{}/feed", server.base));
    let summary = w.round(start()).await;
    assert_eq!(summary.failed, 1);
    let source = &sources_list(&w.at(start())).unwrap()[0];
    assert!(source.last_error.as_deref().unwrap().contains("larger than"), "{:?}", source.last_error);
    assert!(mentions_list(&w.at(start()), 10).unwrap().is_empty());
}

#[tokio::test]
async fn a_stalled_body_times_out_and_a_cut_one_is_not_half_stored() {
    let body = rss(&[("1", "bike one"), ("2", "bike two")]);
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    let half = body[..body.len() / 2].to_vec();

    let stalled = raw_server(head.clone(), half.clone(), true).await;
    let w = Workspace::new(&format!("{stalled}/feed"));
    let began = std::time::Instant::now();
    assert_eq!(w.round(start()).await.failed, 1);
    assert!(began.elapsed() < Duration::from_secs(10), "the read timeout ends a stalled body");

    let cut = raw_server(head, half, false).await;
    let w = Workspace::new(&format!("{cut}/feed"));
    assert_eq!(w.round(start()).await.failed, 1);
    let ctx = w.at(start());
    assert!(mentions_list(&ctx, 10).unwrap().is_empty(), "nothing from a cut-off body");
    assert_eq!(sources_list(&ctx).unwrap()[0].last_success_at, None);
}

#[tokio::test]
async fn unreadable_answers_store_nothing_and_a_later_good_one_restores_the_source() {
    let good = rss(&[("1", "bike one"), ("2", "bike two")]);
    let server = serve(vec![
        response("200 OK", &[], b"<rss version=\"2.0\"><channel><item><title>bike"),
        response("200 OK", &[], b"{\"not\": \"a feed\"}"),
        response("200 OK", &[], &good),
    ])
    .await;
    let w = Workspace::new(&format!("{}/feed", server.base));
    let mut now = start();
    for _ in 0..2 {
        assert_eq!(w.round(now).await.failed, 1);
        now += chrono::Duration::hours(7);
    }
    assert!(mentions_list(&w.at(now), 10).unwrap().is_empty());
    let summary = w.round(now).await;
    assert_eq!((summary.failed, summary.new_mentions), (0, 2));
    let source = &sources_list(&w.at(now)).unwrap()[0];
    assert_eq!((source.status.as_str(), source.failures, source.parse_failures), ("ok", 0, 0));
}

#[tokio::test]
async fn repeated_ids_in_one_answer_are_stored_once_and_a_changed_feed_adds_only_what_is_new() {
    let first = rss(&[("1", "bike one"), ("1", "bike one again"), ("2", "bike two")]);
    let second = rss(&[("3", "bike three"), ("1", "bike one"), ("2", "bike two")]);
    let server = serve(vec![
        response("200 OK", &[("ETag", "\"a\"")], &first),
        response("200 OK", &[("ETag", "\"b\"")], &second),
    ])
    .await;
    let w = Workspace::new(&format!("{}/feed", server.base));
    assert_eq!(w.round(start()).await.new_mentions, 2);
    let later = start() + chrono::Duration::hours(1);
    assert_eq!(w.round(later).await.new_mentions, 1);
    assert_eq!(mentions_list(&w.at(later), 10).unwrap().len(), 3);
    assert!(server.requests.lock().unwrap()[1].to_ascii_lowercase().contains("if-none-match: \"a\""));
}

#[tokio::test]
async fn a_burst_of_server_errors_backs_off_and_keeps_the_last_success() {
    let good = rss(&[("1", "bike one")]);
    let server = serve(vec![
        response("200 OK", &[], &good),
        response("503 Service Unavailable", &[], b""),
        response("502 Bad Gateway", &[], b""),
        response("500 Internal Server Error", &[], b""),
        response("200 OK", &[], &rss(&[("1", "bike one"), ("2", "bike two")])),
    ])
    .await;
    let w = Workspace::new(&format!("{}/feed", server.base));
    w.round(start()).await;
    let mut now = start() + chrono::Duration::hours(1);
    let mut waits = Vec::new();
    for _ in 0..3 {
        assert_eq!(w.round(now).await.failed, 1);
        let s = sources_list(&w.at(now)).unwrap().remove(0);
        assert_eq!(s.last_success_at.as_deref(), Some("2026-11-25T12:00:00Z"), "the last success stays");
        let next = DateTime::parse_from_rfc3339(s.next_check_at.as_deref().unwrap()).unwrap().to_utc();
        waits.push(next - now);
        now = next;
    }
    assert!(waits.iter().all(|w| *w >= chrono::Duration::seconds(30) && *w <= chrono::Duration::hours(6)), "{waits:?}");
    let back = w.round(now).await;
    assert_eq!((back.failed, back.new_mentions), (0, 1));
}
