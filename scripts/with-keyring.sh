#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring (Secret Service), so
# tests use the real OS keychain without touching the user's own.
set -euo pipefail
if [ -z "${EARSHOT_KEYRING_SESSION:-}" ]; then
  exec env EARSHOT_KEYRING_SESSION=1 dbus-run-session -- "$0" "$@"
fi
XDG_DATA_HOME="$(mktemp -d)"
export XDG_DATA_HOME
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
printf '%s' "earshot-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
