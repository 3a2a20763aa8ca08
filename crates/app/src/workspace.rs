//! The workspace as a whole: what it is, and the first-launch choice between the demo and an empty book.

use earshot_store::{contacts, settings};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Ctx};

#[derive(Debug, Clone, Serialize, TS)]
pub struct WorkspaceInfo {
    pub path: String,
    #[ts(type = "number")]
    pub contacts: i64,
    /// "demo" or "empty"; `null` until the owner has chosen on first launch.
    pub kind: Option<String>,
    pub business_name: Option<String>,
    pub currency: String,
    /// The last session did not close cleanly; the database was checked and is fine.
    pub recovered_from_unclean_shutdown: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum WorkspaceStart {
    Demo,
    Empty,
}

pub fn workspace_info(ctx: &Ctx) -> Result<WorkspaceInfo, ApiError> {
    Ok(ctx.store.read(|c| {
        Ok(WorkspaceInfo {
            path: ctx.store.path().display().to_string(),
            contacts: contacts::page(c, 0, 0, None)?.total,
            kind: settings::get(c, settings::WORKSPACE_KIND)?,
            business_name: settings::get(c, settings::BUSINESS_NAME)?,
            currency: settings::currency(c)?,
            recovered_from_unclean_shutdown: ctx.store.recovered_from_unclean_shutdown,
        })
    })?)
}

/// The first-launch choice: fill the workspace with the demo shop, or start empty.
pub fn workspace_start(ctx: &Ctx, start: WorkspaceStart) -> Result<WorkspaceInfo, ApiError> {
    match start {
        WorkspaceStart::Demo => {
            crate::demo::demo_create(ctx, crate::demo::DEMO_CONTACTS)?;
        }
        WorkspaceStart::Empty => ctx.store.write(|tx| settings::set(tx, settings::WORKSPACE_KIND, "empty"))?,
    }
    workspace_info(ctx)
}
