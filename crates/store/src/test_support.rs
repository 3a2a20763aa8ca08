//! Shared helpers for this crate's tests: a fresh store in a temporary folder.

pub fn store() -> (tempfile::TempDir, crate::Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store =
        crate::Store::open_with(dir.path().join("test.db"), crate::OpenOptions { backups: false }).expect("open store");
    (dir, store)
}

pub const NOW: &str = "2026-11-25T12:00:00Z";

pub fn person(name: &str, email: Option<&str>) -> earshot_core::ContactDraft {
    earshot_core::ContactDraft {
        display_name: name.into(),
        emails: email.map(|e| vec![earshot_core::EmailDraft { address: e.into(), label: None }]).unwrap_or_default(),
        ..Default::default()
    }
}

/// Fetched items as the app stores them: planned and assessed before the write.
pub fn arriving(
    conn: &rusqlite::Connection,
    source_id: i64,
    items: Vec<(earshot_core::mention::NewMention, Vec<i64>)>,
) -> Vec<crate::arrivals::Arriving> {
    let mentions: Vec<_> = items.iter().map(|(m, _)| m).collect();
    crate::arrivals::plan(conn, source_id, &mentions).expect("plan").assess(source_id, items)
}
