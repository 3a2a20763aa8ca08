//! Sharing the workspace with a team through its PostgreSQL server: sharing it first, joining it from
//! another desktop, and one sync (push everything waiting, then pull until nothing is left, each page applied
//! with its cursor in one local transaction). The connection is the caller's ([`earshot_team::server`]).

use earshot_secrets::{SecretStore, Sensitive};
use earshot_store::team::{self, FieldOp, Team};
use earshot_team::connect;
use earshot_team::server::{self, Op, ServerError};
use serde::Serialize;
use tokio_postgres::Client;
use uuid::Uuid;

use crate::{ApiError, ApiErrorCode, Ctx};

/// Changes pushed and pulled per round trip.
const PAGE: i64 = 1000;

fn server_error(e: ServerError) -> ApiError {
    let code = match e {
        ServerError::NewerSchema { .. } => ApiErrorCode::NewerSchema,
        ServerError::UnknownWorkspace(_) => ApiErrorCode::NotFound,
        _ => ApiErrorCode::Storage,
    };
    ApiError { code, message: e.to_string() }
}

fn random_device() -> String {
    format!("{:016x}", fastrand::u64(1..))
}

/// Where the team's server is, as shown and stored (never with a password).
pub struct ServerAddress {
    pub shown: String,
    pub credential_id: Option<String>,
}

/// Shares this workspace on the team's server: installs Earshot's schema there when needed, names this
/// desktop and its member, and records every contact for the first push.
pub async fn create(
    ctx: &Ctx,
    client: &mut Client,
    address: &ServerAddress,
    member: &str,
    name: &str,
) -> Result<Team, ApiError> {
    let member = member_name(member)?;
    server::install(client).await.map_err(server_error)?;
    let (workspace, epoch) = (Uuid::new_v4(), Uuid::new_v4());
    server::create_workspace(client, workspace, name, epoch).await.map_err(server_error)?;
    let team = Team {
        workspace: workspace.to_string(),
        server: address.shown.clone(),
        credential_id: address.credential_id.clone(),
        device: random_device(),
        member,
        epoch: epoch.to_string(),
        cursor: 0,
        cursor_op: None,
        last_sync_at: None,
        last_error: None,
    };
    let now = ctx.now_text();
    ctx.store.write(|tx| {
        team::join(tx, &team)?;
        team::share_everything(tx, &now)
    })?;
    Ok(team)
}

/// Joins the workspace shared on the team's server from this desktop; the next sync brings it in.
pub async fn join(
    ctx: &Ctx,
    client: &Client,
    address: &ServerAddress,
    member: &str,
    workspace: Option<Uuid>,
) -> Result<Team, ApiError> {
    let member = member_name(member)?;
    let shared = client
        .query("SELECT id, epoch FROM earshot_workspaces ORDER BY created_at", &[])
        .await
        .map_err(|e| server_error(e.into()))?;
    let (id, epoch): (Uuid, Uuid) = match (workspace, shared.as_slice()) {
        (Some(wanted), rows) => {
            rows.iter().map(|r| (r.get(0), r.get(1))).find(|(id, _)| *id == wanted).ok_or_else(|| ApiError {
                code: ApiErrorCode::NotFound,
                message: format!("workspace {wanted} is not shared on {}", address.shown),
            })?
        }
        (None, [one]) => (one.get(0), one.get(1)),
        (None, []) => {
            return Err(ApiError::invalid(format!(
                "no workspace is shared on {} yet: share one first with `earshot team create`",
                address.shown
            )))
        }
        (None, _) => return Err(ApiError::invalid(format!("{} shares several workspaces: name one", address.shown))),
    };
    let team = Team {
        workspace: id.to_string(),
        server: address.shown.clone(),
        credential_id: address.credential_id.clone(),
        device: random_device(),
        member,
        epoch: epoch.to_string(),
        cursor: 0,
        cursor_op: None,
        last_sync_at: None,
        last_error: None,
    };
    ctx.store.write(|tx| team::join(tx, &team))?;
    Ok(team)
}

fn member_name(member: &str) -> Result<String, ApiError> {
    let member = member.trim();
    if member.is_empty() {
        return Err(ApiError::invalid("say who this desktop belongs to: a member name (--member NAME)"));
    }
    Ok(member.to_string())
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Synced {
    pub pushed: usize,
    pub pulled: usize,
    pub cursor: i64,
}

fn shared_team(ctx: &Ctx) -> Result<Team, ApiError> {
    ctx.store
        .read(team::get)?
        .ok_or_else(|| ApiError::invalid("this workspace is not shared with a team (earshot team create or join)"))
}

/// Pushes every change waiting here, then pulls and applies everything the server has after this desktop's
/// cursor, page by page.
pub async fn sync_once(ctx: &Ctx, client: &mut Client) -> Result<Synced, ApiError> {
    let joined = shared_team(ctx)?;
    let workspace: Uuid = joined
        .workspace
        .parse()
        .map_err(|_| ApiError::invalid(format!("the team workspace id {} is not valid", joined.workspace)))?;
    let mut synced = Synced::default();
    let joined = check_epoch(ctx, client, workspace, joined).await?;
    loop {
        let waiting = ctx.store.read(|c| team::pending(c, PAGE))?;
        if waiting.is_empty() {
            break;
        }
        let ops: Vec<Op> = waiting.iter().map(to_server).collect::<Result<_, _>>()?;
        let accepted = server::push(client, workspace, &ops).await.map_err(server_error)?;
        let now = ctx.now_text();
        let done: Vec<(String, earshot_core::team::Stamp)> =
            accepted.iter().map(|a| (a.op_id.to_string(), a.stamp)).collect();
        ctx.store.write(|tx| team::accepted(tx, &done, &now))?;
        synced.pushed += accepted.len();
    }
    let mut cursor = joined.cursor;
    loop {
        let page = server::pull(client, workspace, cursor, PAGE).await.map_err(server_error)?;
        let ops: Vec<FieldOp> = page
            .ops
            .iter()
            .map(|p| FieldOp {
                op_id: p.op.op_id.to_string(),
                stamp: p.op.stamp,
                entity: p.op.entity.clone(),
                row_uid: p.op.row_id.to_string(),
                field: p.op.field.clone(),
                value: p.op.value.clone(),
            })
            .collect();
        let now = ctx.now_text();
        ctx.store.write(|tx| team::apply(tx, &ops, page.cursor, &now))?;
        synced.pulled += ops.len();
        cursor = page.cursor;
        if ops.is_empty() {
            break;
        }
    }
    synced.cursor = cursor;
    Ok(synced)
}

/// The keychain item of a team server's password.
fn credential_of(url: &str) -> String {
    format!("team:{url}")
}

/// Connects to a typed address, keeping its password (if any) in the keychain: the address stored and
/// shown never holds it.
async fn connect_typed(secrets: &dyn SecretStore, typed: &str) -> Result<(Client, ServerAddress), ApiError> {
    let address = connect::parse(typed).map_err(server_error)?;
    let client = connect::connect(&address.url, address.password.as_deref()).await.map_err(server_error)?;
    let credential_id = match &address.password {
        Some(password) => {
            let id = credential_of(&address.url);
            secrets.set(&id, &Sensitive::new(password.clone())).map_err(|e| {
                ApiError::invalid(format!(
                    "the team's server answered, but the keychain could not keep its password ({e}); Earshot never \
                     stores passwords in plain text"
                ))
            })?;
            Some(id)
        }
        None => None,
    };
    Ok((client, ServerAddress { shown: address.url, credential_id }))
}

/// Shares this workspace on the server at `typed` (`postgres://USER:PASSWORD@HOST:PORT/DB`).
pub async fn create_at(ctx: &Ctx, secrets: &dyn SecretStore, typed: &str, member: &str) -> Result<Team, ApiError> {
    let (mut client, address) = connect_typed(secrets, typed).await?;
    let name = ctx
        .store
        .read(|c| earshot_store::settings::get(c, earshot_store::settings::BUSINESS_NAME))?
        .unwrap_or_else(|| "Earshot workspace".into());
    create(ctx, &mut client, &address, member, &name).await
}

/// Joins the workspace shared on the server at `typed`.
pub async fn join_at(
    ctx: &Ctx,
    secrets: &dyn SecretStore,
    typed: &str,
    member: &str,
    workspace: Option<Uuid>,
) -> Result<Team, ApiError> {
    let (client, address) = connect_typed(secrets, typed).await?;
    join(ctx, &client, &address, member, workspace).await
}

/// Connects to this workspace's team server, with its password from the keychain.
pub async fn connect_stored(ctx: &Ctx, secrets: &dyn SecretStore) -> Result<Client, ApiError> {
    let joined = shared_team(ctx)?;
    let password = match &joined.credential_id {
        Some(id) => Some(
            secrets
                .get(id)
                .map_err(|e| ApiError::invalid(format!("the team server's password could not be read: {e}")))?
                .ok_or_else(|| {
                    ApiError::invalid("the team server's password is not in the keychain any more: join again")
                })?,
        ),
        None => None,
    };
    connect::connect(&joined.server, password.as_ref().map(|p| p.expose().as_str())).await.map_err(server_error)
}

/// One sync, recorded in the team's status: success or the reason it failed.
pub async fn sync_stored(ctx: &Ctx, secrets: &dyn SecretStore) -> Result<Synced, ApiError> {
    let result = match connect_stored(ctx, secrets).await {
        Ok(mut client) => sync_once(ctx, &mut client).await,
        Err(e) => Err(e),
    };
    if let Err(e) = &result {
        let message = e.message.clone();
        ctx.store.write(|tx| Ok(tx.execute("UPDATE team SET last_error = ?1 WHERE id = 1", [&message])?))?;
    }
    result
}

/// Where sharing stands on this desktop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamStatus {
    pub shared: bool,
    pub team: Option<Team>,
    /// Changes made here that the server has not accepted yet.
    pub waiting: i64,
    /// Contacts deleted on one desktop while another was changing them.
    pub restore_offers: Vec<team::RestoreOffer>,
}

pub fn status(ctx: &Ctx) -> Result<TeamStatus, ApiError> {
    let joined = ctx.store.read(team::get)?;
    let waiting = ctx.store.read(team::waiting)?;
    let restore_offers = ctx.store.read(team::restore_offers)?;
    Ok(TeamStatus { shared: joined.is_some(), team: joined, waiting, restore_offers })
}

/// Leaves the team: the workspace stays as it is; the server's password leaves the keychain.
pub fn leave(ctx: &Ctx, secrets: &dyn SecretStore) -> Result<(), ApiError> {
    let joined = shared_team(ctx)?;
    ctx.store.write(team::leave)?;
    if let Some(id) = &joined.credential_id {
        let _ = secrets.delete(id);
    }
    Ok(())
}

/// Notices a server restored from a backup: the change this desktop applied last is no longer where it
/// was (a new epoch is started), or another desktop already started one. Either way this desktop sends its
/// changes again and reads everything from the start.
async fn check_epoch(ctx: &Ctx, client: &Client, workspace: Uuid, joined: Team) -> Result<Team, ApiError> {
    let mut epoch = server::epoch(client, workspace).await.map_err(server_error)?;
    if let Some(last) = &joined.cursor_op {
        let there = server::op_at(client, workspace, joined.cursor).await.map_err(server_error)?;
        if there.map(|id| id.to_string()).as_ref() != Some(last) && epoch.to_string() == joined.epoch {
            tracing::warn!(cursor = joined.cursor, "the team's server has lost changes: it was restored from a backup");
            epoch = server::new_epoch(client, workspace, epoch).await.map_err(server_error)?;
        }
    }
    if epoch.to_string() == joined.epoch {
        return Ok(joined);
    }
    let requeued = ctx.store.write(|tx| team::restart_after_restore(tx, &epoch.to_string()))?;
    tracing::info!(requeued, "a new team epoch: changes made here are sent again");
    shared_team(ctx)
}

fn to_server(op: &FieldOp) -> Result<Op, ApiError> {
    let uuid = |text: &str| text.parse::<Uuid>().map_err(|_| ApiError::invalid(format!("{text} is not a team id")));
    Ok(Op {
        op_id: uuid(&op.op_id)?,
        stamp: op.stamp,
        entity: op.entity.clone(),
        row_id: uuid(&op.row_uid)?,
        field: op.field.clone(),
        value: op.value.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};
    use earshot_store::contacts;
    use earshot_team::test_cluster::{connect, Cluster};

    fn desktop(dir: &std::path::Path, name: &str, clock_offset: Duration) -> Ctx {
        let store = earshot_store::Store::open_with(
            dir.join(format!("{name}.db")),
            earshot_store::OpenOptions { backups: false },
        )
        .unwrap();
        Ctx::with_clock(store, Utc::now() + clock_offset)
    }

    /// A customer written on a desktop; their local id.
    fn add_customer(ctx: &Ctx, name: &str, notes: &[&str]) -> i64 {
        let now = ctx.now_text();
        let draft = earshot_core::ContactDraft {
            display_name: name.into(),
            notes: notes.iter().map(|n| n.to_string()).collect(),
            ..Default::default()
        };
        ctx.store.write(|tx| contacts::insert(tx, &draft, None, &now)).unwrap()
    }

    fn address(url: &str) -> ServerAddress {
        ServerAddress { shown: url.to_string(), credential_id: None }
    }

    /// A desktop that shares its workspace on `url`, with what the first sync did.
    async fn share(ctx: &Ctx, url: &str) -> (Client, Synced) {
        let mut client = connect(url).await;
        create(ctx, &mut client, &address(url), "Ann", "Spoke and Chain").await.unwrap();
        let synced = sync_once(ctx, &mut client).await.unwrap();
        (client, synced)
    }

    /// A desktop that joins the workspace shared on `url` and receives it.
    async fn join_and_sync(ctx: &Ctx, url: &str, member: &str) -> Client {
        let mut client = connect(url).await;
        join(ctx, &client, &address(url), member, None).await.unwrap();
        sync_once(ctx, &mut client).await.unwrap();
        client
    }

    /// Changes one field of the desktop's first live contact.
    fn edit_first(ctx: &Ctx, field: &str, value: &str) {
        let id = ctx.store.read(|c| Ok(contacts::live_ids(c)?[0])).unwrap();
        crate::contacts::contact_edit_fields(ctx, id, &[(field.into(), value.into())]).unwrap();
    }

    fn rename(ctx: &Ctx, to: &str) {
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

    fn name_and_losers(ctx: &Ctx) -> (String, Vec<String>) {
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
        assert_eq!(shared.pushed, 8, "every shared field of Ann");
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
            .read(
                |c| Ok(c.query_row("SELECT stamp FROM team_versions WHERE value = '\"Anne Lee\"'", [], |r| r.get(0))?),
            )
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
            .read(|c| Ok(earshot_store::notes::of_contact(c, contacts::live_ids(c)?[0])?))
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

    async fn server_ops(client: &Client) -> i64 {
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
        assert_eq!(counter.store.read(team::waiting).unwrap(), 8, "nothing was acknowledged here");

        let synced = sync_once(&counter, &mut client).await.unwrap();
        assert_eq!(synced.pushed, 8);
        assert_eq!(server_ops(&client).await, 8, "each change once on the server");
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
    fn canonical(ctx: &Ctx) -> String {
        ctx.store
            .read(|c| {
                let mut rows: Vec<String> = Vec::new();
                let mut stmt = c.prepare("SELECT local_id, uid FROM team_ids WHERE entity = 'contact' ORDER BY uid")?;
                let ids: Vec<(i64, String)> =
                    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
                for (id, uid) in ids {
                    let a = contacts::get(c, id)?;
                    let mut notes: Vec<String> =
                        earshot_store::notes::of_contact(c, id)?.into_iter().map(|n| n.body).collect();
                    notes.sort();
                    rows.push(format!(
                        "{uid}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{notes:?}",
                        a.display_name,
                        a.given_name,
                        a.family_name,
                        a.organization,
                        a.title,
                        a.city,
                        a.website,
                        a.birthday
                    ));
                }
                Ok(rows.join("\n"))
            })
            .unwrap()
    }

    /// Three desktops work apart in random stretches (renaming, moving, noting, creating customers) and
    /// sync now and then, in a random order; once all have synced twice, they hold the same workspace.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn three_desktops_working_apart_at_random_end_with_the_same_workspace() {
        let cluster = Cluster::start();
        for seed in 0..6 {
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
        for step in 0..60 {
            let d = rng.usize(0..3);
            let ctx = &desktops[d];
            match rng.u8(0..5) {
                0 => {
                    sync_once(ctx, &mut clients[d]).await.unwrap();
                }
                1 => {
                    let draft =
                        earshot_core::ContactDraft { display_name: format!("New {step}"), ..Default::default() };
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
}
