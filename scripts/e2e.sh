#!/usr/bin/env bash
# End-to-end tests of the real app: builds it with the UI bundled (debug, no installer), then drives it
# through tauri-driver in a virtual X display inside a private D-Bus session.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
npx tauri build --debug --no-bundle
# The demo test builds its workspace with the command line, as `make run` does.
cargo build -p earshot-cli
export APP_BIN="$target/debug/earshot-desktop"
# A private D-Bus session with an unlocked gnome-keyring: the app finds a real keychain, as on a desktop.
scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x800x24" npm run test:e2e
