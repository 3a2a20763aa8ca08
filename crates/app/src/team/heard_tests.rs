//! Team sharing of what is heard and decided (mentions, triage, assignment), of activities, and of merges,
//! against a real PostgreSQL.

use chrono::Duration;
use earshot_core::mention::NewMention;
use earshot_core::triage::Decision;
use earshot_store::{contacts, mentions, sources};
use earshot_team::test_cluster::Cluster;

use super::tests::{add_customer, desktop, join_and_sync, share};
use super::*;
use crate::triage::{mention_triage, mentions_inbox, TriageInput};
use earshot_team::server;

/// A post a desktop's Bluesky search (`search`) heard; its local id.
pub(super) fn hear(ctx: &Ctx, search: &str, post: &str, text: &str) -> i64 {
    let now = ctx.now_text();
    let url = format!("https://bsky.app/search?q={search}");
    let listening = ctx.store.read(|c| sources::list(c, &now)).unwrap().into_iter().find(|s| s.url == url);
    let source = match listening {
        Some(s) => s.id,
        None => {
            let s = sources::NewSource { kind: "bluesky", name: search, url: &url, config: "{}", credential_id: None };
            ctx.store.write(|tx| sources::add(tx, &s, &now)).unwrap()
        }
    };
    let item = NewMention {
        external_id: post.to_string(),
        text: text.to_string(),
        direct: true,
        author: earshot_core::mention::MentionAuthor { handle: Some("ana.bsky.social".into()), ..Default::default() },
        ..Default::default()
    };
    let arriving = crate::listening::assessed(ctx, source, vec![(item, vec![])]).unwrap();
    ctx.store.write(|tx| mentions::ingest(tx, source, &arriving, &now)).unwrap();
    ctx.store.read(|c| mentions::id_of(c, source, post)).unwrap().expect("stored")
}

fn inbox(ctx: &Ctx, filter: earshot_store::inbox::InboxFilter) -> Vec<earshot_store::mentions::Mention> {
    mentions_inbox(ctx, &filter).unwrap().items.into_iter().map(|i| i.mention).collect()
}

fn everything(ctx: &Ctx) -> Vec<earshot_store::mentions::Mention> {
    inbox(ctx, earshot_store::inbox::InboxFilter { state: Some("all".into()), ..Default::default() })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_post_heard_on_two_desktops_is_one_mention_on_both() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", Duration::minutes(3));
    let (mut on_counter, _) = share(&counter, &url).await;
    let mut on_laptop = join_and_sync(&laptop, &url, "Sam").await;

    // Offline, each desktop's own search hears the same post, and one more only it hears.
    let post = "at://did:plc:ana/app.bsky.feed.post/3kaheyt6vpc22";
    hear(&counter, "spoke", post, "Spoke and Chain fixed my wheel in ten minutes");
    hear(&laptop, "bike repair", post, "Spoke and Chain fixed my wheel in ten minutes");
    hear(&counter, "spoke", "at://did:plc:bo/app.bsky.feed.post/1", "Spoke and Chain is open late today");
    hear(&laptop, "bike repair", "at://did:plc:cy/app.bsky.feed.post/2", "Looking for a bike repair shop");
    for _ in 0..2 {
        sync_once(&counter, &mut on_counter).await.unwrap();
        sync_once(&laptop, &mut on_laptop).await.unwrap();
    }

    for (ctx, who) in [(&counter, "counter"), (&laptop, "laptop")] {
        let mut texts: Vec<String> = everything(ctx).into_iter().map(|m| m.text).collect();
        texts.sort();
        assert_eq!(
            texts,
            [
                "Looking for a bike repair shop",
                "Spoke and Chain fixed my wheel in ten minutes",
                "Spoke and Chain is open late today"
            ],
            "the {who}'s inbox"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triage_on_one_desktop_and_an_assignment_on_another_are_both_kept() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", -Duration::hours(24));
    let heard = hear(&counter, "spoke", "at://did:plc:ana/app.bsky.feed.post/9", "My brakes squeal since the service");
    let (mut on_counter, _) = share(&counter, &url).await;
    let mut on_laptop = join_and_sync(&laptop, &url, "Sam").await;
    let there = everything(&laptop);
    assert_eq!(there.len(), 1, "the laptop receives what the counter heard");
    let on_the_laptop = there[0].id;

    // Apart: the counter files it as an issue; the laptop, its clock a day behind, assigns it to Ann.
    let triage = TriageInput { ids: vec![heard], decision: Some(Decision::Issue), ..Default::default() };
    mention_triage(&counter, &triage).unwrap();
    assert_eq!(assign(&laptop, on_the_laptop, Some("ann")).unwrap().as_deref(), Some("Ann"));
    assert!(assign(&laptop, on_the_laptop, Some("Zoë")).unwrap_err().message.contains("members: Ann, Sam"));
    sync_once(&laptop, &mut on_laptop).await.unwrap();
    let on_counter_sync = sync_once(&counter, &mut on_counter).await.unwrap();
    sync_once(&laptop, &mut on_laptop).await.unwrap();

    assert_eq!(on_counter_sync.assigned_to_me, vec![heard], "Ann hears that the mention is hers");
    for (ctx, id) in [(&counter, heard), (&laptop, on_the_laptop)] {
        let m = ctx.store.read(|c| mentions::get(c, id)).unwrap();
        assert_eq!(
            (m.state.as_str(), m.filed_as.as_deref(), m.assignee.as_deref()),
            ("filed", Some("issue"), Some("Ann"))
        );
        assert_eq!(m.decided_by.as_deref(), Some("Ann"), "who filed it shows on every desktop");
    }
    let mine =
        earshot_store::inbox::InboxFilter { state: Some("all".into()), assigned_to_me: true, ..Default::default() };
    assert_eq!(inbox(&counter, mine.clone()).len(), 1, "in Ann's \"Assigned to me\"");
    assert!(inbox(&laptop, mine).is_empty(), "not in Sam's");
    // The laptop's log shows who filed it; undo there cannot take back the counter's decision.
    let log = laptop.store.read(|c| earshot_store::triage::decisions_on(c, on_the_laptop)).unwrap();
    let log: Vec<(&str, Option<&str>, bool)> =
        log.iter().map(|d| (d.action.as_str(), d.member.as_deref(), d.from_team)).collect();
    assert_eq!(log, [("issue", Some("Ann"), true)]);
    assert!(crate::triage::mention_undo(&laptop).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_new_customer_on_two_desktops_is_one_contact_with_both_notes_after_the_suggested_merge() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", Duration::minutes(2));
    let staff = desktop(dir.path(), "staff", -Duration::minutes(2));
    let (mut on_counter, _) = share(&counter, &url).await;
    let mut on_laptop = join_and_sync(&laptop, &url, "Sam").await;
    let mut on_staff = join_and_sync(&staff, &url, "Kim").await;

    // Offline, the same new customer walks in at the counter and calls the laptop.
    let customer = |ctx: &Ctx, note: &str| {
        let id = add_customer(ctx, "Ann Lee", &[note]);
        let now = ctx.now_text();
        ctx.store
            .write(|tx| {
                let mut d = contacts::draft_of(tx, id)?;
                d.emails = vec![earshot_core::EmailDraft { address: "ann@lee.example".into(), label: None }];
                contacts::update(tx, id, &d, &now)
            })
            .unwrap();
    };
    customer(&counter, "Likes oat milk");
    customer(&laptop, "Asked about catering");
    for (ctx, client) in [(&counter, &mut on_counter), (&laptop, &mut on_laptop), (&staff, &mut on_staff)] {
        sync_once(ctx, client).await.unwrap();
    }
    sync_once(&counter, &mut on_counter).await.unwrap();

    // The laptop follows the suggestion: keep the counter's Ann, merge its own into it.
    let suggestions = crate::merges::merge_suggestions(&laptop, 10).unwrap();
    assert_eq!(suggestions.len(), 1, "one suggested merge");
    let with_note = |ctx: &Ctx, note: &str| {
        ctx.store
            .read(|c| {
                Ok(c.query_row("SELECT contact_id FROM notes WHERE body = ?1 AND deleted_at IS NULL", [note], |r| {
                    r.get::<_, i64>(0)
                })?)
            })
            .unwrap()
    };
    let (keep, merge) = (with_note(&laptop, "Likes oat milk"), with_note(&laptop, "Asked about catering"));
    assert!([suggestions[0].keep.id, suggestions[0].merge.id].contains(&keep));
    crate::merges::contact_merge(&laptop, keep, merge).unwrap();
    // Meanwhile the staff desktop, which has not heard of the merge, gives the merged-away Ann a city.
    let merged_on_staff = with_note(&staff, "Asked about catering");
    crate::contacts::contact_edit_fields(&staff, merged_on_staff, &[("city".into(), "Leeds".into())]).unwrap();

    for _ in 0..2 {
        for (ctx, client) in [(&laptop, &mut on_laptop), (&staff, &mut on_staff), (&counter, &mut on_counter)] {
            sync_once(ctx, client).await.unwrap();
        }
    }
    for (ctx, who) in [(&counter, "counter"), (&laptop, "laptop"), (&staff, "staff")] {
        let (ids, notes, city) = ctx
            .store
            .read(|c| {
                let ids = contacts::live_ids(c)?;
                let mut notes: Vec<String> =
                    earshot_store::notes::of_contact(c, ids[0])?.into_iter().map(|n| n.body).collect();
                notes.sort();
                Ok((ids.clone(), notes, contacts::get(c, ids[0])?.city))
            })
            .unwrap();
        assert_eq!(ids.len(), 1, "one Ann on the {who}");
        assert_eq!(notes, ["Asked about catering", "Likes oat milk"], "both notes on the {who}");
        assert_eq!(city.as_deref(), Some("Leeds"), "the edit aimed at the merged Ann landed on the {who}'s Ann");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activities_logged_on_two_desktops_are_all_kept_with_their_money() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", Duration::minutes(1));
    let ann = add_customer(&counter, "Ann Lee", &[]);
    let (mut on_counter, _) = share(&counter, &url).await;
    let mut on_laptop = join_and_sync(&laptop, &url, "Sam").await;
    let ann_on_laptop = laptop.store.read(|c| Ok(contacts::live_ids(c)?[0])).unwrap();

    let log = |ctx: &Ctx, id: i64, kind: earshot_core::ActivityKind, amount: Option<&str>| {
        let input = earshot_store::activities::ActivityInput {
            kind,
            summary: format!("{kind:?}"),
            occurred_at: None,
            amount: amount.map(str::to_string),
            cost: None,
            currency: Some("EUR".into()),
        };
        crate::contacts::activity_log(ctx, id, &input).unwrap()
    };
    log(&counter, ann, earshot_core::ActivityKind::Visit, None);
    let call = log(&counter, ann, earshot_core::ActivityKind::Call, None);
    log(&laptop, ann_on_laptop, earshot_core::ActivityKind::Purchase, Some("42.50"));
    counter.store.write(|tx| earshot_store::activities::set_deleted(tx, call, true, &counter.now_text())).unwrap();
    for _ in 0..2 {
        sync_once(&counter, &mut on_counter).await.unwrap();
        sync_once(&laptop, &mut on_laptop).await.unwrap();
    }
    for (ctx, id) in [(&counter, ann), (&laptop, ann_on_laptop)] {
        let (kinds, paid) = ctx
            .store
            .read(|c| {
                let mut kinds: Vec<String> = earshot_store::activities::of_contact(c, id)?
                    .into_iter()
                    .map(|a| a.kind.as_str().to_string())
                    .collect();
                kinds.sort();
                let paid: i64 = c.query_row(
                    "SELECT coalesce(sum(amount_minor), 0) FROM orders WHERE contact_id = ?1 AND deleted_at IS NULL",
                    [id],
                    |r| r.get(0),
                )?;
                Ok((kinds, paid))
            })
            .unwrap();
        assert_eq!(kinds, ["purchase", "visit"], "the deleted call stays deleted");
        assert_eq!(paid, 4250, "the purchase counts as revenue everywhere");
    }
}

/// Whatever a desktop of another version (or a broken one) sends, a sync never stops on it and nothing
/// unreadable is stored: an unknown kind of source, an unknown state, an order status this version does not
/// know, an over-long name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_this_version_cannot_store_are_kept_aside_and_never_block_a_sync() {
    use earshot_core::team::{row_id, DeviceId, PostKey, Stamp};
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let heard = hear(&counter, "spoke", "at://did:plc:ana/app.bsky.feed.post/1", "Open on Sunday?");
    add_customer(&counter, "Ana Lima", &[]);
    let (mut on_counter, _) = share(&counter, &url).await;
    let laptop = desktop(dir.path(), "laptop", Duration::zero());
    let mut on_laptop = join_and_sync(&laptop, &url, "Sam").await;

    let now = chrono::Utc::now().timestamp_millis();
    let odd = |n: u32, entity: &str, row: uuid::Uuid, field: &str, value: serde_json::Value| server::Op {
        op_id: row_id(now, [n as u8; 10]),
        stamp: Stamp { millis: now, counter: n, device: DeviceId(0xbad) },
        entity: entity.into(),
        row_id: row,
        field: field.into(),
        value,
    };
    let mention =
        earshot_core::team::mention_id(PostKey::of(None, "bluesky", "", "at://did:plc:ana/app.bsky.feed.post/1"));
    let contact: uuid::Uuid = counter
        .store
        .read(|c| Ok(c.query_row("SELECT uid FROM team_ids WHERE entity = 'contact'", [], |r| r.get::<_, String>(0))?))
        .unwrap()
        .parse()
        .unwrap();
    let ops = [
        odd(1, "mention", row_id(now, [9; 10]), "post", serde_json::json!({"source_kind": "tiktok"})),
        odd(2, "mention", mention, "state", serde_json::json!({"state": "exploded", "decided_at": null})),
        odd(3, "order", row_id(now, [8; 10]), "details", serde_json::json!({"source": "shopify", "status": "lost"})),
        odd(4, "contact", contact, "given_name", serde_json::Value::String("A".repeat(10_000))),
        odd(5, "hologram", row_id(now, [7; 10]), "shape", serde_json::json!("cube")),
    ];
    let workspace = laptop.store.read(team::get).unwrap().unwrap().workspace.parse().unwrap();
    server::push(&mut on_counter, workspace, &ops).await.unwrap();

    sync_once(&laptop, &mut on_laptop).await.unwrap();
    sync_once(&counter, &mut on_counter).await.unwrap();
    for ctx in [&counter, &laptop] {
        let listed = everything(ctx);
        assert_eq!(listed.len(), 1, "the inbox still reads, with no post of an unknown kind");
        assert_eq!(listed[0].state.as_str(), "new", "an unknown state is not applied");
        let given = ctx.store.read(|c| Ok(contacts::get(c, contacts::live_ids(c)?[0])?.given_name)).unwrap();
        assert_eq!(given.chars().count(), earshot_core::contact::MAX_FIELD_CHARS, "capped like any name");
        assert!(crate::value::orders_to_review(ctx).unwrap().is_empty());
    }
    assert_eq!(counter.store.read(|c| mentions::get(c, heard)).unwrap().text, "Open on Sunday?");
}
