//! The workspace a running app has open, and the one switch an owner makes while it runs: from the demo to
//! a workspace of their own, in the same file, with the demo kept beside it or deleted as they choose.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use earshot_store::settings;
use serde::Serialize;
use ts_rs::TS;

use crate::workspace::{self, WorkspaceInfo, WorkspaceStart};
use crate::{ApiError, ApiErrorCode, Ctx};

/// How long the switch waits for calls that are still using the demo to finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The open workspace. Every call takes it for its own duration with [`OpenWorkspace::get`]; the switch
/// waits until none holds the demo any more before it touches the file.
pub struct OpenWorkspace {
    slot: RwLock<Option<Arc<Ctx>>>,
}

/// The owner's own workspace has replaced the demo.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DemoReplaced {
    pub workspace: WorkspaceInfo,
    /// Where the demo was kept, or `null` when the owner chose to delete it.
    pub demo_kept_at: Option<String>,
}

impl OpenWorkspace {
    pub fn new(ctx: Ctx) -> OpenWorkspace {
        OpenWorkspace { slot: RwLock::new(Some(Arc::new(ctx))) }
    }

    pub fn get(&self) -> Result<Arc<Ctx>, ApiError> {
        self.slot.read().unwrap_or_else(|p| p.into_inner()).clone().ok_or_else(busy)
    }

    fn take(&self) -> Option<Arc<Ctx>> {
        self.slot.write().unwrap_or_else(|p| p.into_inner()).take()
    }

    fn put(&self, ctx: Arc<Ctx>) {
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = Some(ctx);
    }

    /// Replaces the demo with an empty workspace of the owner's own at the same path (so the app and the
    /// `earshot` command line open it from now on). The demo is moved beside it (`earshot-demo.db`) when
    /// `keep` is set, else deleted. Only the demo can be replaced: nothing the owner entered is ever lost.
    /// The listening engine must be stopped first (it holds the workspace while it runs).
    pub fn replace_demo(&self, keep: bool) -> Result<DemoReplaced, ApiError> {
        let demo = self.get()?;
        let kind = demo.store.read(|c| settings::get(c, settings::WORKSPACE_KIND))?;
        if kind.as_deref() != Some("demo") {
            return Err(ApiError::invalid(
                "This workspace is not the demo, so it cannot be replaced: nothing was changed",
            ));
        }
        let path = demo.store.path().to_path_buf();
        drop(demo);
        // Empty while the file changes hands: calls made meanwhile are told to try again, not kept waiting.
        let Some(demo) = self.take() else { return Err(busy()) };
        let demo = match drained(demo, DRAIN_TIMEOUT) {
            Ok(alone) => alone,
            Err(still_shared) => {
                self.put(still_shared);
                return Err(ApiError {
                    code: ApiErrorCode::Busy,
                    message: "Earshot is still busy with the demo; try again in a moment".into(),
                });
            }
        };
        // Closing the demo checkpoints its journal into the file, so the file alone is the whole demo.
        drop(demo);
        let kept = if keep { Some(free_sibling(&path, "demo")) } else { None };
        let moved = match &kept {
            Some(to) => move_database(&path, to),
            None => delete_database(&path),
        };
        if let Err(e) = moved {
            self.put(Arc::new(Ctx::open(&path)?));
            return Err(ApiError { code: ApiErrorCode::Storage, message: format!("The demo could not be moved: {e}") });
        }
        let own = Ctx::open(&path)?;
        workspace::workspace_start(&own, WorkspaceStart::Empty)?;
        let info = workspace::workspace_info(&own)?;
        self.put(Arc::new(own));
        tracing::info!(kept = keep, "the demo was replaced by the owner's own workspace");
        Ok(DemoReplaced { workspace: info, demo_kept_at: kept.map(|p| p.display().to_string()) })
    }
}

fn busy() -> ApiError {
    ApiError {
        code: ApiErrorCode::Busy,
        message: "Earshot is opening your new workspace; try again in a moment".into(),
    }
}

/// The context once nothing else holds it, or still shared after `timeout`.
fn drained(mut ctx: Arc<Ctx>, timeout: Duration) -> Result<Ctx, Arc<Ctx>> {
    let start = Instant::now();
    loop {
        match Arc::try_unwrap(ctx) {
            Ok(alone) => return Ok(alone),
            Err(shared) if start.elapsed() < timeout => {
                ctx = shared;
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(shared) => return Err(shared),
        }
    }
}

/// `earshot-demo.db` beside `earshot.db`, or `earshot-demo-2.db` and so on when that is taken.
fn free_sibling(path: &Path, tag: &str) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    (1..)
        .map(|n| if n == 1 { format!("{stem}-{tag}{ext}") } else { format!("{stem}-{tag}-{n}{ext}") })
        .map(|name| path.with_file_name(name))
        .find(|candidate| !candidate.exists())
        .expect("an unused name")
}

/// The database and whatever journal files SQLite left beside it.
fn with_journals(path: &Path) -> Vec<(PathBuf, &'static str)> {
    ["", "-wal", "-shm", "-journal"]
        .into_iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_os_string();
            name.push(suffix);
            (PathBuf::from(name), suffix)
        })
        .collect()
}

fn move_database(from: &Path, to: &Path) -> std::io::Result<()> {
    for (file, suffix) in with_journals(from) {
        if file.exists() {
            let mut target = to.as_os_str().to_os_string();
            target.push(suffix);
            std::fs::rename(&file, PathBuf::from(target))?;
        }
    }
    Ok(())
}

fn delete_database(path: &Path) -> std::io::Result<()> {
    for (file, _) in with_journals(path) {
        if file.exists() {
            std::fs::remove_file(&file)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_workspace() -> (tempfile::TempDir, OpenWorkspace, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("earshot.db");
        let ctx = Ctx::open(&path).unwrap();
        crate::demo::demo_create(&ctx, 30).unwrap();
        (dir, OpenWorkspace::new(ctx), path)
    }

    #[test]
    fn the_demo_is_kept_beside_the_owners_new_empty_workspace() {
        let (_dir, open, path) = demo_workspace();
        // A call still reading the demo when the owner switches: the switch waits for it.
        let busy = open.get().unwrap();
        let reader = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            workspace::workspace_info(&busy).unwrap().contacts
        });
        let replaced = open.replace_demo(true).unwrap();
        assert!(reader.join().unwrap() > 0);

        assert_eq!(replaced.workspace.contacts, 0);
        assert_eq!(replaced.workspace.kind.as_deref(), Some("empty"));
        let kept = PathBuf::from(replaced.demo_kept_at.unwrap());
        assert_eq!(kept, path.with_file_name("earshot-demo.db"));
        let now = open.get().unwrap();
        assert_eq!(now.store.path(), path, "the app and the command line keep opening the same file");
        assert_eq!(workspace::workspace_info(&now).unwrap().contacts, 0);

        let demo = Ctx::open(&kept).unwrap();
        let info = workspace::workspace_info(&demo).unwrap();
        assert_eq!(info.kind.as_deref(), Some("demo"));
        assert!(info.contacts > 30, "the demo's customers and the leads its listening found");
        assert!(!crate::listening::mentions_list(&demo, 1000).unwrap().is_empty(), "the demo keeps its mentions");
    }

    #[test]
    fn a_deleted_demo_leaves_no_file_and_a_second_kept_demo_gets_its_own_name() {
        let (dir, open, path) = demo_workspace();
        let replaced = open.replace_demo(false).unwrap();
        assert_eq!(replaced.demo_kept_at, None);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.contains("demo"))
            .collect();
        assert!(names.is_empty(), "{names:?}");

        std::fs::write(path.with_file_name("earshot-demo.db"), b"something else").unwrap();
        assert_eq!(free_sibling(&path, "demo"), path.with_file_name("earshot-demo-2.db"));
    }

    #[test]
    fn a_workspace_that_is_not_the_demo_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Ctx::open(&dir.path().join("mine.db")).unwrap();
        workspace::workspace_start(&ctx, WorkspaceStart::Empty).unwrap();
        let ada = earshot_store::contacts::ContactInput { display_name: "Ada Lovelace".into(), ..Default::default() };
        crate::contacts::contact_create(&ctx, &ada).unwrap();
        let open = OpenWorkspace::new(ctx);
        let e = open.replace_demo(false).unwrap_err();
        assert!(e.message.contains("not the demo"), "{}", e.message);
        assert_eq!(workspace::workspace_info(&open.get().unwrap()).unwrap().contacts, 1);
    }

    #[test]
    fn a_call_that_never_lets_go_of_the_demo_leaves_it_open_and_unchanged() {
        let (_dir, open, path) = demo_workspace();
        let held = open.get().unwrap();
        let demo = open.take().unwrap();
        assert!(open.get().is_err_and(|e| e.code == ApiErrorCode::Busy), "calls meanwhile are told to wait");
        let Err(still_shared) = drained(demo, Duration::from_millis(50)) else { panic!("drained while held") };
        open.put(still_shared);
        drop(held);
        assert_eq!(workspace::workspace_info(&open.get().unwrap()).unwrap().kind.as_deref(), Some("demo"));
        assert!(path.exists());
    }
}
