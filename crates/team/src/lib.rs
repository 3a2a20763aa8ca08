//! Team sharing through PostgreSQL, the server side: the schema and functions a team's server runs
//! ([`server`]), installed by the first desktop and versioned, and the calls a desktop makes to push its
//! changes and pull everyone's in the server's one order. Desktops keep their own SQLite workspace and work
//! offline; nothing here runs on the server but SQL.
//!
//! Invariants: every accepted change gets a per-workspace sequence number in commit order (a push holds the
//! workspace's row lock until it commits); pushing the same change twice is harmless; a page of changes and
//! the cursor after it are what a desktop applies in one local transaction.

pub mod connect;
pub mod server;

#[cfg(any(test, feature = "test-cluster"))]
pub mod test_cluster;
