//! The team's server: installing and checking its schema, sharing a workspace, pushing changes and pulling
//! them in order.

use earshot_core::team::{Stamp, MAX_SKEW_MILLIS};
use serde::Serialize;
use tokio_postgres::{Client, GenericClient};
use uuid::Uuid;

/// The schema this build installs and understands, one file per version.
pub const SCHEMA: &[&str] = &[
    include_str!("../sql/0001_operations.sql"),
    include_str!("../sql/0002_epochs.sql"),
    include_str!("../sql/0003_members.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("the team's server: {}", reason(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error(
        "the team's server runs a newer Earshot schema ({found}) than this desktop knows ({known}); update Earshot"
    )]
    NewerSchema { found: i32, known: i32 },
    #[error("workspace {0} is not shared on this server")]
    UnknownWorkspace(Uuid),
    #[error("the server answered something Earshot cannot read: {0}")]
    Unreadable(String),
}

pub type Result<T> = std::result::Result<T, ServerError>;

/// What went wrong, in PostgreSQL's own words: the server's message for an error it reported ("permission
/// denied for table earshot_ops"), otherwise the connection's ("Connection refused").
fn reason(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let advice = if db.code() == &tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE {
            "; the server's administrator must let this member's role use the team's database"
        } else {
            ""
        };
        return format!("{}{advice}", db.message());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Brings the server's schema to this build's version, each step in its own transaction; a server already
/// there is left alone, and one with a newer schema is refused.
pub async fn install(client: &mut Client) -> Result<i32> {
    // Only the first install creates anything: a member who may not create tables finds the schema there.
    let there: bool = client.query_one("SELECT to_regclass('earshot_schema') IS NOT NULL", &[]).await?.get(0);
    if !there {
        client.batch_execute("CREATE TABLE IF NOT EXISTS earshot_schema (version integer NOT NULL)").await?;
    }
    let found = schema_version(client).await?;
    let known = SCHEMA.len() as i32;
    if found > known {
        return Err(ServerError::NewerSchema { found, known });
    }
    for (index, sql) in SCHEMA.iter().enumerate().skip(found as usize) {
        let tx = client.transaction().await?;
        // Two desktops installing at once: the second waits here, then finds the work done.
        tx.batch_execute("LOCK TABLE earshot_schema IN EXCLUSIVE MODE").await?;
        if schema_version(&tx).await? > index as i32 {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute("DELETE FROM earshot_schema", &[]).await?;
        tx.execute("INSERT INTO earshot_schema (version) VALUES ($1)", &[&(index as i32 + 1)]).await?;
        tx.commit().await?;
    }
    schema_version(client).await
}

async fn schema_version(client: &impl GenericClient) -> Result<i32> {
    let row = client.query_opt("SELECT version FROM earshot_schema", &[]).await?;
    Ok(row.map_or(0, |r| r.get(0)))
}

/// Shares a workspace on the server; its epoch is returned.
pub async fn create_workspace(client: &Client, id: Uuid, name: &str, epoch: Uuid) -> Result<Uuid> {
    client
        .execute("INSERT INTO earshot_workspaces (id, name, epoch) VALUES ($1, $2, $3)", &[&id, &name, &epoch])
        .await?;
    Ok(epoch)
}

/// One field-level change, as a desktop pushes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Op {
    pub op_id: Uuid,
    #[serde(serialize_with = "stamp_text")]
    pub stamp: Stamp,
    /// What kind of row: `contact`, `note`, `mention`…
    pub entity: String,
    pub row_id: Uuid,
    pub field: String,
    pub value: serde_json::Value,
}

fn stamp_text<S: serde::Serializer>(stamp: &Stamp, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&stamp.encode())
}

/// What the server made of a pushed change: its place in the order and the stamp every desktop applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub op_id: Uuid,
    pub seq: i64,
    pub stamp: Stamp,
}

/// Pushes changes in one transaction; changes pushed before are answered as they were the first time.
pub async fn push(client: &mut Client, workspace: Uuid, ops: &[Op]) -> Result<Vec<Accepted>> {
    let batch = serde_json::to_value(ops).map_err(|e| ServerError::Unreadable(e.to_string()))?;
    let tx = client.transaction().await?;
    let rows = tx
        .query("SELECT op_id, seq, stamp FROM earshot_push($1, $2, $3)", &[&workspace, &batch, &MAX_SKEW_MILLIS])
        .await
        .map_err(|e| unknown_workspace(e, workspace))?;
    tx.commit().await?;
    rows.iter()
        .map(|r| {
            let text: String = r.get(2);
            Ok(Accepted {
                op_id: r.get(0),
                seq: r.get(1),
                stamp: Stamp::decode(&text).ok_or_else(|| ServerError::Unreadable(format!("stamp {text}")))?,
            })
        })
        .collect()
}

fn unknown_workspace(e: tokio_postgres::Error, workspace: Uuid) -> ServerError {
    if e.code().is_some_and(|c| c.code() == "P0002") {
        ServerError::UnknownWorkspace(workspace)
    } else {
        ServerError::Postgres(e)
    }
}

/// The notification channel of a workspace: the server notifies it with the last sequence number each
/// time changes are accepted (`earshot_push`).
fn channel(workspace: Uuid) -> String {
    format!("earshot_{}", workspace.simple())
}

/// Asks the server to notify this connection whenever the workspace gets new changes (see
/// [`crate::connect::connect_listening`]).
pub async fn listen(client: &Client, workspace: Uuid) -> Result<()> {
    client.batch_execute(&format!("LISTEN {}", channel(workspace))).await?;
    Ok(())
}

/// The id of the change at `seq`, if the server has one there: a desktop checks that the change it applied
/// last is still where it was, or the server was restored from a backup.
pub async fn op_at(client: &Client, workspace: Uuid, seq: i64) -> Result<Option<Uuid>> {
    let row = client
        .query_opt("SELECT op_id FROM earshot_ops WHERE workspace = $1 AND seq = $2", &[&workspace, &seq])
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// The workspace's epoch in force.
pub async fn epoch(client: &Client, workspace: Uuid) -> Result<Uuid> {
    Ok(client
        .query_opt("SELECT epoch FROM earshot_workspaces WHERE id = $1", &[&workspace])
        .await?
        .ok_or(ServerError::UnknownWorkspace(workspace))?
        .get(0))
}

/// Starts a new epoch after a restore, unless another desktop did since `seen`; the epoch in force.
pub async fn new_epoch(client: &Client, workspace: Uuid, seen: Uuid) -> Result<Uuid> {
    let row = client
        .query_one("SELECT earshot_new_epoch($1, $2)", &[&workspace, &seen])
        .await
        .map_err(|e| unknown_workspace(e, workspace))?;
    Ok(row.get(0))
}

/// A change as every desktop applies it, in the server's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Pulled {
    pub seq: i64,
    pub op: Op,
}

/// One page of changes after a cursor, with the workspace's epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub epoch: Uuid,
    pub ops: Vec<Pulled>,
    /// The cursor after this page: the last sequence number in it, or the one asked after when empty.
    pub cursor: i64,
}

/// The changes after `after`, at most `limit`, in order.
pub async fn pull(client: &Client, workspace: Uuid, after: i64, limit: i64) -> Result<Page> {
    let epoch = client
        .query_opt("SELECT epoch FROM earshot_workspaces WHERE id = $1", &[&workspace])
        .await?
        .ok_or(ServerError::UnknownWorkspace(workspace))?
        .get(0);
    let rows = client
        .query(
            "SELECT seq, op_id, stamp, entity, row_id, field, value FROM earshot_ops
              WHERE workspace = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            &[&workspace, &after, &limit],
        )
        .await?;
    let mut ops = Vec::with_capacity(rows.len());
    for r in rows {
        let text: String = r.get(2);
        ops.push(Pulled {
            seq: r.get(0),
            op: Op {
                op_id: r.get(1),
                stamp: Stamp::decode(&text).ok_or_else(|| ServerError::Unreadable(format!("stamp {text}")))?,
                entity: r.get(3),
                row_id: r.get(4),
                field: r.get(5),
                value: r.get::<_, Option<serde_json::Value>>(6).unwrap_or(serde_json::Value::Null),
            },
        });
    }
    let cursor = ops.last().map_or(after, |p| p.seq);
    Ok(Page { epoch, ops, cursor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_cluster::{connect, Cluster};
    use earshot_core::team::DeviceId;

    const WORKSPACE: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001);

    fn op(n: u128, millis: i64, device: u64) -> Op {
        Op {
            op_id: Uuid::from_u128(0x0193_0000_0000_7000_9000_0000_0000_0000 + n),
            stamp: Stamp { millis, counter: 0, device: DeviceId(device) },
            entity: "contact".into(),
            row_id: Uuid::from_u128(0x0193_0000_0000_7000_a000_0000_0000_0000 + n % 3),
            field: "display_name".into(),
            value: serde_json::json!(format!("name {n}")),
        }
    }

    fn now_millis() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
    }

    async fn shared(cluster: &Cluster) -> Client {
        let mut client = connect(&cluster.database().await).await;
        assert_eq!(install(&mut client).await.unwrap(), SCHEMA.len() as i32);
        create_workspace(&client, WORKSPACE, "Spoke and Chain", Uuid::from_u128(7)).await.unwrap();
        client
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn installing_twice_changes_nothing_and_a_newer_server_schema_is_refused() {
        let cluster = Cluster::start();
        let url = cluster.database().await;
        let mut first = connect(&url).await;
        let latest = SCHEMA.len() as i32;
        assert_eq!(install(&mut first).await.unwrap(), latest);
        assert_eq!(install(&mut first).await.unwrap(), latest);
        first.execute("UPDATE earshot_schema SET version = 99", &[]).await.unwrap();
        match install(&mut first).await {
            Err(ServerError::NewerSchema { found: 99, known }) => assert_eq!(known, latest),
            other => panic!("a newer schema was not refused: {other:?}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn changes_come_back_in_order_in_pages_and_pushing_again_adds_nothing() {
        let cluster = Cluster::start();
        let mut client = shared(&cluster).await;
        let now = now_millis();
        let ops: Vec<Op> = (0..5).map(|n| op(n, now, 1)).collect();
        let first = push(&mut client, WORKSPACE, &ops).await.unwrap();
        assert_eq!(first.iter().map(|a| a.seq).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        // The same push again (the desktop died before it heard the answer): the same answer, nothing new.
        let again = push(&mut client, WORKSPACE, &ops[1..3]).await.unwrap();
        assert_eq!(again, first[1..3].to_vec());
        let page = pull(&client, WORKSPACE, 0, 3).await.unwrap();
        assert_eq!(page.epoch, Uuid::from_u128(7));
        assert_eq!(page.ops.iter().map(|p| p.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(page.ops[0].op, ops[0]);
        let rest = pull(&client, WORKSPACE, page.cursor, 3).await.unwrap();
        assert_eq!(rest.ops.iter().map(|p| p.seq).collect::<Vec<_>>(), [4, 5]);
        let none = pull(&client, WORKSPACE, rest.cursor, 3).await.unwrap();
        assert!(none.ops.is_empty());
        assert_eq!(none.cursor, 5);
    }

    /// Sequence numbers follow commit order: a reader that follows the cursor while two desktops push sees
    /// every change exactly once, with no gap.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_reader_following_two_pushing_desktops_sees_every_change_once() {
        let cluster = Cluster::start();
        let client = shared(&cluster).await;
        let url = cluster.url(&client.query_one("SELECT current_database()", &[]).await.unwrap().get::<_, String>(0));
        let now = now_millis();
        let pusher = |device: u64| {
            let url = url.clone();
            tokio::spawn(async move {
                let mut desktop = connect(&url).await;
                for batch in 0..40u128 {
                    let ops: Vec<Op> =
                        (0..5).map(|i| op(device as u128 * 10_000 + batch * 10 + i, now, device)).collect();
                    push(&mut desktop, WORKSPACE, &ops).await.unwrap();
                }
            })
        };
        let (a, b) = (pusher(1), pusher(2));
        let mut seen = Vec::new();
        let mut cursor = 0;
        while seen.len() < 400 {
            let page = pull(&client, WORKSPACE, cursor, 37).await.unwrap();
            seen.extend(page.ops.iter().map(|p| p.seq));
            cursor = page.cursor;
        }
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(seen, (1..=400).collect::<Vec<i64>>());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_change_stamped_a_day_ahead_is_stamped_again_once_by_the_server() {
        let cluster = Cluster::start();
        let mut client = shared(&cluster).await;
        let now = now_millis();
        let ahead = op(1, now + 24 * 60 * 60 * 1000, 9);
        let close = op(2, now + 1000, 9);
        let accepted = push(&mut client, WORKSPACE, &[ahead.clone(), close.clone()]).await.unwrap();
        assert!(accepted[0].stamp.millis < now + MAX_SKEW_MILLIS, "{}", accepted[0].stamp);
        assert_eq!(accepted[0].stamp.device, DeviceId(9));
        assert_eq!(accepted[1].stamp, close.stamp, "a stamp within the bound is kept");
        let page = pull(&client, WORKSPACE, 0, 10).await.unwrap();
        assert_eq!(page.ops[0].op.stamp, accepted[0].stamp, "every desktop pulls the same new stamp");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_workspace_the_server_does_not_share_is_named_in_the_error() {
        let cluster = Cluster::start();
        let mut client = shared(&cluster).await;
        let other = Uuid::from_u128(42);
        match push(&mut client, other, &[op(1, now_millis(), 1)]).await {
            Err(ServerError::UnknownWorkspace(id)) => assert_eq!(id, other),
            result => panic!("not refused: {result:?}"),
        }
        assert!(matches!(pull(&client, other, 0, 10).await, Err(ServerError::UnknownWorkspace(_))));
    }
}
