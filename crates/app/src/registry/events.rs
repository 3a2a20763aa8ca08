//! Every event the UI can hear, declared once.

use crate::imports::ImportProgress;
use crate::sync::EngineEvent;
use crate::team::TeamStatus;

events! {
    /// How far an import has got, between chunks of rows.
    ImportProgress = "import-progress" (ImportProgress),
    /// Live listening status: a source being checked, its result, the end of a round, replies sent.
    Listening = "listening" (EngineEvent),
    /// Where sharing with the team stands, after every background sync (and every failed attempt).
    TeamSync = "team-sync" (Box<TeamStatus>),
}
