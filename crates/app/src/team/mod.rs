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

/// Where the team's server is, as shown and stored (never with a password).
pub struct ServerAddress {
    pub shown: String,
    pub credential_id: Option<String>,
}

impl ServerAddress {
    /// This desktop, new to the workspace `workspace` on this server: a device id of its own, nothing read yet.
    fn new_desktop(&self, workspace: Uuid, epoch: Uuid, member: String) -> Team {
        Team {
            workspace: workspace.to_string(),
            server: self.shown.clone(),
            credential_id: self.credential_id.clone(),
            device: format!("{:016x}", fastrand::u64(1..)),
            member,
            epoch: epoch.to_string(),
            cursor: 0,
            cursor_op: None,
            last_sync_at: None,
            last_error: None,
        }
    }
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
    let team = address.new_desktop(workspace, epoch, member);
    let now = ctx.now_text();
    ctx.store.write(|tx| {
        team::join(tx, &team, &now)?;
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
    let team = address.new_desktop(id, epoch, member);
    let now = ctx.now_text();
    ctx.store.write(|tx| team::join(tx, &team, &now))?;
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
    /// Mentions a teammate assigned to this desktop's member.
    pub assigned_to_me: Vec<i64>,
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
        let applied = ctx.store.write(|tx| team::apply(tx, &ops, page.cursor, &now))?;
        synced.assigned_to_me.extend(applied.assigned_to_me);
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
    let (joined, password) = stored_server(ctx, secrets)?;
    connect::connect(&joined.server, password.as_ref().map(|p| p.expose().as_str())).await.map_err(server_error)
}

/// The team this workspace is shared with, and its server's password from the keychain.
fn stored_server(ctx: &Ctx, secrets: &dyn SecretStore) -> Result<(Team, Option<Sensitive<String>>), ApiError> {
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
    Ok((joined, password))
}

/// One sync, recorded in the team's status: success or the reason it failed.
pub async fn sync_stored(ctx: &Ctx, secrets: &dyn SecretStore) -> Result<Synced, ApiError> {
    let result = match connect_stored(ctx, secrets).await {
        Ok(mut client) => sync_once(ctx, &mut client).await,
        Err(e) => Err(e),
    };
    if let Err(e) = &result {
        record_failure(ctx, e)?;
    }
    result
}

/// Keeps why the last sync failed, for the team's status.
fn record_failure(ctx: &Ctx, e: &ApiError) -> Result<(), ApiError> {
    let message = e.message.clone();
    ctx.store.write(|tx| Ok(tx.execute("UPDATE team SET last_error = ?1 WHERE id = 1", [&message])?))?;
    Ok(())
}

/// Where sharing stands on this desktop.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TeamStatus {
    pub shared: bool,
    pub team: Option<Team>,
    /// Changes made here that the server has not accepted yet.
    #[ts(type = "number")]
    pub waiting: i64,
    pub members: Vec<team::Member>,
    /// Contacts deleted on one desktop while another was changing them.
    pub restore_offers: Vec<team::RestoreOffer>,
    /// Orders changed on two desktops apart, flagged until someone looks at them.
    pub orders_to_review: Vec<team::orders::OrderToReview>,
}

pub fn status(ctx: &Ctx) -> Result<TeamStatus, ApiError> {
    Ok(ctx.store.read(|c| {
        let joined = team::get(c)?;
        Ok(TeamStatus {
            shared: joined.is_some(),
            team: joined,
            waiting: team::waiting(c)?,
            members: team::members(c)?,
            restore_offers: team::restore_offers(c)?,
            orders_to_review: team::orders::to_review(c)?,
        })
    })?)
}

/// Assigns a mention to a member of the team (`None`: to nobody). The member's name as the team spells it.
pub fn assign(ctx: &Ctx, mention_id: i64, member: Option<&str>) -> Result<Option<String>, ApiError> {
    let now = ctx.now_text();
    Ok(ctx.store.write(|tx| team::assign(tx, mention_id, member, &now))?)
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
mod heard_tests;
pub mod live;
#[cfg(test)]
mod orders_tests;

#[cfg(test)]
mod tests;
