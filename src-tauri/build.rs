// App commands are declared here so the ACL applies to them: a command not granted in a window's
// capability file (capabilities/main.toml, generated with the list) cannot be called from that window.
include!("src/command_names.rs");

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run the Tauri build script");
}
