#!/usr/bin/env bash
# Builds Earshot and the empty-window baseline as release binaries, makes a demo workspace, and measures
# cold start and idle memory of both under a virtual display. Results go in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
npx tauri build --no-bundle
cargo build --release -p earshot-desktop --example empty_window --features tauri/custom-protocol
cargo build --release -p earshot-cli
demo="$(mktemp -d)/demo.db"
"$target/release/earshot" --db "$demo" demo
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  scripts/measure_startup.py "$target/release/earshot-desktop" "$target/release/examples/empty_window" "$demo" "${1:-5}"
