//! The baseline for Earshot's start-up and memory figures (BENCHMARKS.md): an empty Tauri window built
//! with the same Tauri, profile and WebKit, reporting its page load the same way
//! (`EARSHOT_STARTUP_TRACE=1`).

fn main() {
    tauri::Builder::default()
        .on_page_load(earshot_desktop::trace_page_load)
        .run(tauri::generate_context!("examples/empty-window/tauri.conf.json"))
        .expect("the empty window runs");
}
