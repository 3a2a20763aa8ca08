//! Team sharing of contacts and notes, and how sharing survives servers that fail, restart or are restored,
//! against a real PostgreSQL.

use super::*;
use chrono::{Duration, Utc};
use earshot_core::triage::Decision;
use earshot_store::contacts;
use earshot_team::test_cluster::{connect, Cluster};

/// The changes a desktop sharing one contact pushes first: each of its fields, and its member (name and
/// when they joined).
pub(super) const ONE_CONTACT_SHARED: usize = team::CONTACT_FIELDS.len() + 2;

pub(super) fn desktop(dir: &std::path::Path, name: &str, clock_offset: Duration) -> Ctx {
    let store =
        earshot_store::Store::open_with(dir.join(format!("{name}.db")), earshot_store::OpenOptions { backups: false })
            .unwrap();
    Ctx::with_clock(store, Utc::now() + clock_offset)
}

/// A customer written on a desktop; their local id.
pub(super) fn add_customer(ctx: &Ctx, name: &str, notes: &[&str]) -> i64 {
    let now = ctx.now_text();
    let draft = earshot_core::ContactDraft {
        display_name: name.into(),
        notes: notes.iter().map(|n| n.to_string()).collect(),
        ..Default::default()
    };
    ctx.store.write(|tx| contacts::insert(tx, &draft, None, &now)).unwrap()
}

pub(super) fn address(url: &str) -> ServerAddress {
    ServerAddress { shown: url.to_string(), credential_id: None }
}

/// A desktop that shares its workspace on `url`, with what the first sync did.
pub(super) async fn share(ctx: &Ctx, url: &str) -> (Client, Synced) {
    let mut client = connect(url).await;
    create(ctx, &mut client, &address(url), "Ann", "Spoke and Chain").await.unwrap();
    let synced = sync_once(ctx, &mut client).await.unwrap();
    (client, synced)
}

/// A desktop that joins the workspace shared on `url` and receives it.
pub(super) async fn join_and_sync(ctx: &Ctx, url: &str, member: &str) -> Client {
    let mut client = connect(url).await;
    join(ctx, &client, &address(url), member, None).await.unwrap();
    sync_once(ctx, &mut client).await.unwrap();
    client
}

/// Changes one field of the desktop's first live contact.
pub(super) fn edit_first(ctx: &Ctx, field: &str, value: &str) {
    let id = ctx.store.read(|c| Ok(contacts::live_ids(c)?[0])).unwrap();
    crate::contacts::contact_edit_fields(ctx, id, &[(field.into(), value.into())]).unwrap();
}

pub(super) fn rename(ctx: &Ctx, to: &str) {
    let now = ctx.now_text();
    ctx.store
        .write(|tx| {
            let id = contacts::live_ids(tx)?[0];
            let mut draft = contacts::draft_of(tx, id)?;
            draft.display_name = to.into();
            contacts::update(tx, id, &draft, &now)
        })
        .unwrap();
}

pub(super) fn name_and_losers(ctx: &Ctx) -> (String, Vec<String>) {
    ctx.store
        .read(|c| {
            let ids = contacts::live_ids(c)?;
            assert_eq!(ids.len(), 1, "one contact on every desktop");
            let name = contacts::get(c, ids[0])?.display_name;
            let mut losers: Vec<String> = team::contact_history(c, ids[0])?
                .into_iter()
                .filter(|r| r.field == "display_name")
                .filter_map(|r| r.value.as_str().map(str::to_string))
                .collect();
            losers.sort();
            Ok((name, losers))
        })
        .unwrap()
}

/// Three desktops, one a day fast and one a day slow, rename the same customer while offline. After
/// they sync, all three show the same name, and the two other names are in the contact's history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_desktops_renaming_one_customer_offline_with_clocks_a_day_apart_converge_and_keep_the_losers() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", Duration::hours(24));
    let staff = desktop(dir.path(), "staff", -Duration::hours(24));
    add_customer(&counter, "Ann Lee", &[]);

    let (mut on_counter, shared) = share(&counter, &url).await;
    assert_eq!(shared.pushed, ONE_CONTACT_SHARED, "every shared field of Ann, and the member joining");
    let mut on_laptop = join_and_sync(&laptop, &url, "Ann at home").await;
    let mut on_staff = join_and_sync(&staff, &url, "Sam").await;
    assert_eq!(name_and_losers(&staff), ("Ann Lee".to_string(), vec![]));

    rename(&counter, "Ann Lee-Smith");
    rename(&laptop, "Anne Lee");
    rename(&staff, "Ann L.");
    for _ in 0..2 {
        sync_once(&counter, &mut on_counter).await.unwrap();
        sync_once(&laptop, &mut on_laptop).await.unwrap();
        sync_once(&staff, &mut on_staff).await.unwrap();
    }
    let seen = [name_and_losers(&counter), name_and_losers(&laptop), name_and_losers(&staff)];
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[1], seen[2]);
    let (name, losers) = &seen[0];
    let mut all = vec!["Ann L.", "Ann Lee", "Ann Lee-Smith", "Anne Lee"];
    all.retain(|n| n != name);
    assert_eq!(losers, &all, "every other name is in the history");
    // The laptop's change, stamped a day ahead, was stamped again by the server when it arrived: the
    // laptop's fast clock cannot make its changes win for a day.
    let laptop_stamp: String = counter
        .store
        .read(|c| Ok(c.query_row("SELECT stamp FROM team_versions WHERE value = '\"Anne Lee\"'", [], |r| r.get(0))?))
        .unwrap();
    let stamp = earshot_core::team::Stamp::decode(&laptop_stamp).unwrap();
    assert!(stamp.millis < (Utc::now() + Duration::minutes(5)).timestamp_millis(), "{laptop_stamp}");
    for ctx in [&counter, &laptop, &staff] {
        assert_eq!(ctx.store.read(team::waiting).unwrap(), 0);
    }
}

fn notes(ctx: &Ctx) -> Vec<String> {
    ctx.store
        .read(|c| {
            let id = contacts::live_ids(c)?[0];
            let mut bodies: Vec<String> =
                earshot_store::notes::of_contact(c, id)?.into_iter().map(|n| n.body).collect();
            bodies.sort();
            Ok(bodies)
        })
        .unwrap()
}

/// Notes written on two desktops while apart are both kept everywhere; a note deleted on one is deleted
/// on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_written_apart_are_all_kept_and_a_deleted_one_goes_everywhere() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", Duration::zero());
    add_customer(&counter, "Ana Lima", &["Rides a cargo bike"]);
    let (mut on_counter, _) = share(&counter, &url).await;
    let mut on_laptop = join_and_sync(&laptop, &url, "Sam").await;
    assert_eq!(notes(&laptop), ["Rides a cargo bike"]);

    let add = |ctx: &Ctx, body: &str| {
        let now = ctx.now_text();
        ctx.store.write(|tx| earshot_store::notes::add(tx, contacts::live_ids(tx)?[0], body, &now)).unwrap()
    };
    add(&counter, "Asked about tubeless tyres");
    add(&laptop, "Bought a helmet at the market stall");
    let first = laptop
        .store
        .read(|c| earshot_store::notes::of_contact(c, contacts::live_ids(c)?[0]))
        .unwrap()
        .into_iter()
        .find(|n| n.body == "Rides a cargo bike")
        .unwrap();
    let now = laptop.now_text();
    laptop.store.write(|tx| earshot_store::notes::set_deleted(tx, first.id, true, &now)).unwrap();
    for _ in 0..2 {
        sync_once(&counter, &mut on_counter).await.unwrap();
        sync_once(&laptop, &mut on_laptop).await.unwrap();
    }
    let expected = ["Asked about tubeless tyres", "Bought a helmet at the market stall"];
    assert_eq!(notes(&counter), expected);
    assert_eq!(notes(&laptop), expected);
}

fn city_and_title(ctx: &Ctx) -> (Option<String>, Option<String>) {
    ctx.store
        .read(|c| {
            let ana = contacts::get(c, contacts::live_ids(c)?[0])?;
            Ok((ana.city, ana.title))
        })
        .unwrap()
}

/// The team's server is restored from last night's backup: the changes it lost are sent again by the
/// desktops that made them, and both desktops end with everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_server_is_restored_from_a_backup_the_desktops_send_again_what_it_lost() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let database = url.rsplit('/').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", Duration::zero());
    add_customer(&counter, "Ana Lima", &[]);
    let (mut on_counter, _) = share(&counter, &url).await;
    let backup = cluster.dump(&database);

    // After the backup: the counter sets the city, the laptop joins and sees it.
    edit_first(&counter, "city", "Leeds");
    sync_once(&counter, &mut on_counter).await.unwrap();
    join_and_sync(&laptop, &url, "Sam").await;
    assert_eq!(city_and_title(&laptop).0.as_deref(), Some("Leeds"));

    cluster.restore(&database, &backup).await;
    let (mut on_counter, mut on_laptop) = (connect(&url).await, connect(&url).await);
    edit_first(&laptop, "title", "Head buyer");
    sync_once(&laptop, &mut on_laptop).await.unwrap();
    sync_once(&counter, &mut on_counter).await.unwrap();
    sync_once(&laptop, &mut on_laptop).await.unwrap();
    let both = (Some("Leeds".to_string()), Some("Head buyer".to_string()));
    assert_eq!(city_and_title(&counter), both);
    assert_eq!(city_and_title(&laptop), both);
    // The server holds everything again: a desktop joining now gets it all.
    let newcomer = desktop(dir.path(), "newcomer", Duration::zero());
    join_and_sync(&newcomer, &url, "Kim").await;
    assert_eq!(city_and_title(&newcomer), both);
}

pub(super) async fn server_ops(client: &Client) -> i64 {
    client.query_one("SELECT count(*) FROM earshot_ops", &[]).await.unwrap().get(0)
}

/// The desktop stopped after the server accepted its changes but before it heard so: the next sync sends
/// them again, and the server keeps each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_whose_acceptance_was_never_heard_are_sent_again_without_duplicates() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    add_customer(&counter, "Ana Lima", &[]);
    let mut client = connect(&url).await;
    let joined = create(&counter, &mut client, &address(&url), "Ann", "Spoke and Chain").await.unwrap();
    // The push reaches the server; the desktop dies before it records the answer.
    let waiting = counter.store.read(|c| team::pending(c, 100)).unwrap();
    let ops: Vec<Op> = waiting.iter().map(|op| to_server(op).unwrap()).collect();
    server::push(&mut client, joined.workspace.parse().unwrap(), &ops).await.unwrap();
    assert_eq!(counter.store.read(team::waiting).unwrap(), ONE_CONTACT_SHARED as i64, "nothing was acknowledged");

    let synced = sync_once(&counter, &mut client).await.unwrap();
    assert_eq!(synced.pushed, ONE_CONTACT_SHARED);
    assert_eq!(server_ops(&client).await, ONE_CONTACT_SHARED as i64, "each change once on the server");
    assert_eq!(counter.store.read(team::waiting).unwrap(), 0);
}

/// The server goes down mid-day: a sync fails with the reason, kept for the status; nothing waiting is
/// lost, and the next sync after the server is back sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_while_the_server_is_down_fails_with_the_reason_and_loses_nothing() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    add_customer(&counter, "Ana Lima", &[]);
    share(&counter, &url).await;

    cluster.kill();
    edit_first(&counter, "city", "Leeds");
    let secrets = earshot_secrets::MemorySecrets::default();
    let failed = sync_stored(&counter, &secrets).await.unwrap_err();
    assert_eq!(failed.code, ApiErrorCode::Storage);
    let down = status(&counter).unwrap();
    assert_eq!(down.waiting, 1, "the edit waits");
    assert_eq!(down.team.unwrap().last_error.as_deref(), Some(failed.message.as_str()));

    cluster.restart();
    let synced = sync_stored(&counter, &secrets).await.unwrap();
    assert_eq!(synced.pushed, 1);
    assert_eq!(status(&counter).unwrap().team.unwrap().last_error, None, "the problem is cleared");
}

/// Everything the team shares, as one text to compare between desktops: each contact by its team id
/// with its shared fields, and its live notes.
/// Everything a desktop holds of the shared workspace, written the same way on every desktop: each
/// contact (by team id) with its fields, channels, notes and activities, whether it is deleted or merged;
/// each mention (by team id) with its state, assignee and contact; and the team's triage log.
fn canonical(ctx: &Ctx) -> String {
    ctx.store
        .read(|c| {
            let uid_of = |entity: &str, id: Option<i64>| -> String {
                id.and_then(|id| {
                    c.query_row("SELECT uid FROM team_ids WHERE entity = ?1 AND local_id = ?2", (entity, id), |r| {
                        r.get::<_, String>(0)
                    })
                    .ok()
                })
                .unwrap_or_else(|| "-".into())
            };
            let mut rows: Vec<String> = Vec::new();
            let mut stmt = c.prepare(
                "SELECT i.local_id, i.uid, c.deleted_at IS NOT NULL, c.merged_into_id
                   FROM team_ids i JOIN contacts c ON c.id = i.local_id WHERE i.entity = 'contact' ORDER BY i.uid",
            )?;
            let ids: Vec<(i64, String, bool, Option<i64>)> =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
            for (id, uid, deleted, merged_into) in ids {
                if merged_into.is_some() {
                    // Merged away: only the contact it lives on as counts (through merges of merges).
                    let root: String =
                        c.query_row("SELECT kept FROM team_aliases WHERE merged = ?1", [&uid], |r| r.get(0))?;
                    rows.push(format!("{uid}|{deleted}|lives on as {root}"));
                    continue;
                }
                let a = contacts::get(c, id)?;
                let mut notes: Vec<String> =
                    earshot_store::notes::of_contact(c, id)?.into_iter().map(|n| n.body).collect();
                notes.sort();
                let mut emails: Vec<String> = a.emails.iter().map(|e| e.address.clone()).collect();
                emails.sort();
                let mut activities: Vec<String> = earshot_store::activities::of_contact(c, id)?
                    .into_iter()
                    .map(|x| format!("{}:{}", x.kind.as_str(), x.summary))
                    .collect();
                activities.sort();
                rows.push(format!(
                    "{uid}|{deleted}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{emails:?}|{notes:?}|{activities:?}",
                    a.display_name, a.given_name, a.family_name, a.organization, a.title, a.city, a.website, a.birthday
                ));
            }
            let mut stmt = c.prepare(
                "SELECT i.uid, m.text, m.state, m.filed_as, m.assignee, m.contact_id
                   FROM team_ids i JOIN mentions m ON m.id = i.local_id WHERE i.entity = 'mention' ORDER BY i.uid",
            )?;
            let mentions: Vec<(String, Option<i64>)> = stmt
                .query_map([], |r| {
                    let (uid, text, state): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
                    let (filed_as, assignee): (Option<String>, Option<String>) = (r.get(3)?, r.get(4)?);
                    Ok((format!("{uid}|{text}|{state}|{filed_as:?}|{assignee:?}"), r.get(5)?))
                })?
                .collect::<Result<_, _>>()?;
            for (mention, contact) in mentions {
                rows.push(format!("{mention}|{}", uid_of("contact", contact)));
            }
            let mut stmt = c.prepare(
                "SELECT i.uid, l.action, l.member FROM triage_log l LEFT JOIN team_ids i
                     ON i.entity = 'mention' AND i.local_id = l.mention_id",
            )?;
            let mut log: Vec<String> = stmt
                .query_map([], |r| {
                    Ok(format!(
                        "log|{}|{}|{:?}",
                        r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?
                    ))
                })?
                .collect::<Result<_, _>>()?;
            log.sort();
            rows.extend(log);
            Ok(rows.join("\n"))
        })
        .unwrap()
}

/// Three desktops work apart in random stretches (creating, renaming, moving, deleting and merging
/// customers, noting, logging visits, hearing posts, triaging and assigning them) and sync now and then, in
/// a random order; once all have synced twice, they hold the same workspace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_desktops_working_apart_at_random_end_with_the_same_workspace() {
    let cluster = Cluster::start();
    for seed in 0..12 {
        random_team_day(&cluster, seed).await;
    }
}

async fn random_team_day(cluster: &Cluster, seed: u64) {
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(seed);
    let desktops: Vec<Ctx> =
        (0..3).map(|i| desktop(dir.path(), &format!("d{i}"), Duration::minutes(rng.i64(-600..600)))).collect();
    for name in ["Ana Lima", "Bea Costa"] {
        add_customer(&desktops[0], name, &[]);
    }
    let mut clients = vec![share(&desktops[0], &url).await.0];
    for (i, ctx) in desktops.iter().enumerate().skip(1) {
        clients.push(join_and_sync(ctx, &url, &format!("Member {i}")).await);
    }
    let members = ["Ann", "Member 1", "Member 2"];
    for step in 0..80 {
        let d = rng.usize(0..3);
        let ctx = &desktops[d];
        let live = ctx.store.read(contacts::live_ids).unwrap();
        let inbox: Vec<i64> =
            ctx.store.read(|c| earshot_store::mentions::list(c, 100)).unwrap().iter().map(|m| m.id).collect();
        match rng.u8(0..13) {
            5 => {
                // A small pool of posts, so two desktops often hear the same one.
                let post = rng.u8(0..6);
                super::heard_tests::hear(
                    ctx,
                    "spoke",
                    &format!("at://did:plc:x/app.bsky.feed.post/{post}"),
                    &format!("post {post}"),
                );
            }
            6 if !inbox.is_empty() => {
                let decision = [Decision::Lead, Decision::Issue, Decision::Praise, Decision::Done, Decision::Ignore]
                    [rng.usize(0..5)];
                let ids = vec![inbox[rng.usize(0..inbox.len())]];
                // A lead whose contact a teammate deleted is refused ("restore it first"): nothing changes.
                let input = crate::triage::TriageInput { ids, decision: Some(decision), ..Default::default() };
                if let Err(e) = crate::triage::mention_triage(ctx, &input) {
                    assert!(e.message.contains("restore it first"), "{e:?}");
                }
            }
            7 if !inbox.is_empty() => {
                let known: Vec<String> = ctx.store.read(team::members).unwrap().into_iter().map(|m| m.name).collect();
                let member = members[rng.usize(0..3)];
                if known.iter().any(|k| k == member) {
                    assign(ctx, inbox[rng.usize(0..inbox.len())], Some(member)).unwrap();
                }
            }
            8 if live.len() > 2 => {
                crate::contacts::contact_delete(ctx, live[rng.usize(0..live.len())]).unwrap();
            }
            9 if !live.is_empty() => {
                let input = earshot_store::activities::ActivityInput {
                    kind: earshot_core::ActivityKind::Visit,
                    summary: format!("visit {step}"),
                    occurred_at: None,
                    amount: None,
                    cost: None,
                    currency: None,
                };
                crate::contacts::activity_log(ctx, live[rng.usize(0..live.len())], &input).unwrap();
            }
            10 if live.len() > 2 => {
                let keep = live[rng.usize(0..live.len())];
                let merge = live[rng.usize(0..live.len())];
                if keep != merge {
                    crate::merges::contact_merge(ctx, keep, merge).unwrap();
                }
            }
            11 if !live.is_empty() => {
                let id = live[rng.usize(0..live.len())];
                let now = ctx.now_text();
                ctx.store
                    .write(|tx| {
                        let mut d = contacts::draft_of(tx, id)?;
                        d.emails
                            .push(earshot_core::EmailDraft { address: format!("p{step}@example.com"), label: None });
                        contacts::update(tx, id, &d, &now)
                    })
                    .unwrap();
            }
            12 if !inbox.is_empty() => {
                // Make the author a contact (and every other post of theirs with it), or take a decision back.
                let id = inbox[rng.usize(0..inbox.len())];
                if rng.bool() {
                    let _ = crate::triage::mention_create_contact(ctx, id);
                } else {
                    crate::triage::mention_undo(ctx).unwrap();
                }
            }
            6..=12 => {}
            0 => {
                sync_once(ctx, &mut clients[d]).await.unwrap();
            }
            1 => {
                let draft = earshot_core::ContactDraft { display_name: format!("New {step}"), ..Default::default() };
                let now = ctx.now_text();
                ctx.store.write(|tx| contacts::insert(tx, &draft, None, &now)).unwrap();
            }
            2 => {
                let now = ctx.now_text();
                let body = format!("note {step}");
                ctx.store
                    .write(|tx| {
                        let ids = contacts::live_ids(tx)?;
                        earshot_store::notes::add(tx, ids[step % ids.len()], &body, &now)
                    })
                    .unwrap();
            }
            field => {
                let ids = ctx.store.read(contacts::live_ids).unwrap();
                let id = ids[rng.usize(0..ids.len())];
                let (name, value) =
                    if field == 3 { ("city", format!("City {step}")) } else { ("name", format!("Name {step}")) };
                crate::contacts::contact_edit_fields(ctx, id, &[(name.into(), value)]).unwrap();
            }
        }
    }
    for _ in 0..2 {
        for (ctx, client) in desktops.iter().zip(clients.iter_mut()) {
            sync_once(ctx, client).await.unwrap();
        }
    }
    let states: Vec<String> = desktops.iter().map(canonical).collect();
    assert!(states[0].lines().count() >= 2, "{}", states[0]);
    if states[0] != states[1] || states[1] != states[2] {
        for (i, s) in states.iter().enumerate() {
            eprintln!("--- desktop {i}\n{s}");
        }
    }
    assert_eq!(states[0], states[1], "seed {seed}");
    assert_eq!(states[1], states[2], "seed {seed}");
}

/// One desktop deletes a customer while another is still changing them: the delete holds everywhere, and
/// every desktop offers the contact back; restoring it on one brings it back everywhere with the change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_deleted_while_another_desktop_changed_it_is_offered_back_everywhere() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", Duration::minutes(1));
    let ana = add_customer(&counter, "Ana Lima", &[]);
    let (mut on_counter, _) = share(&counter, &url).await;
    let mut on_laptop = join_and_sync(&laptop, &url, "Sam").await;

    crate::contacts::contact_delete(&counter, ana).unwrap();
    let on_laptop_id = laptop.store.read(|c| Ok(contacts::live_ids(c)?[0])).unwrap();
    edit_first(&laptop, "city", "Leeds");
    for _ in 0..2 {
        sync_once(&counter, &mut on_counter).await.unwrap();
        sync_once(&laptop, &mut on_laptop).await.unwrap();
    }
    for ctx in [&counter, &laptop] {
        assert!(ctx.store.read(contacts::live_ids).unwrap().is_empty(), "the delete holds");
        let offers = status(ctx).unwrap().restore_offers;
        assert_eq!(offers.len(), 1);
        assert_eq!(offers[0].name, "Ana Lima");
    }
    crate::contacts::contact_restore(&laptop, on_laptop_id).unwrap();
    sync_once(&laptop, &mut on_laptop).await.unwrap();
    sync_once(&counter, &mut on_counter).await.unwrap();
    let back = counter.store.read(|c| contacts::get(c, ana)).unwrap();
    assert_eq!((back.deleted_at, back.city.as_deref()), (None, Some("Leeds")));
    assert!(status(&counter).unwrap().restore_offers.is_empty());
}

/// Each member signs in to the server with a role of their own: the one who shares first owns Earshot's
/// tables, and a member who may only connect still joins, sends and receives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_signing_in_with_roles_of_their_own_share_one_workspace() {
    let cluster = Cluster::start();
    let admin = cluster.connect("postgres").await;
    // One statement at a time: CREATE DATABASE may not share a transaction with others.
    for statement in [
        "CREATE ROLE ann LOGIN",
        "CREATE ROLE sam LOGIN",
        "CREATE DATABASE shop OWNER ann",
        "REVOKE ALL ON DATABASE shop FROM PUBLIC",
        "GRANT CONNECT ON DATABASE shop TO ann, sam",
    ] {
        admin.batch_execute(statement).await.unwrap();
    }
    let url = |role: &str| format!("postgres://{role}@127.0.0.1:{}/shop", cluster.port());
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", Duration::minutes(1));
    add_customer(&counter, "Ana Lima", &["Likes oat milk"]);
    let (mut on_counter, _) = share(&counter, &url("ann")).await;
    let mut on_laptop = join_and_sync(&laptop, &url("sam"), "Sam").await;
    edit_first(&laptop, "city", "Leeds");
    sync_once(&laptop, &mut on_laptop).await.unwrap();
    sync_once(&counter, &mut on_counter).await.unwrap();
    let city = counter.store.read(|c| Ok(contacts::get(c, contacts::live_ids(c)?[0])?.city)).unwrap();
    assert_eq!(city.as_deref(), Some("Leeds"));
    // Sam may also share a second workspace on the same server: the schema is there already.
    let third = desktop(dir.path(), "third", Duration::zero());
    add_customer(&third, "Bo Chen", &[]);
    share(&third, &url("sam")).await;
}
