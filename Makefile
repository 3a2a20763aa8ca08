# The two commands of the README: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)
DATA_DIR ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/app.earshot.desktop
DEMO_DB ?= $(DATA_DIR)/demo.db

.PHONY: run test deps app bundle bench test-rust test-ui test-e2e test-supply-chain

deps:
	scripts/install-deps.sh

app: deps
	npx tauri build --debug --no-bundle
	cargo build -p earshot-cli

# Opens the app on the demo workspace (created on first run, kept in $(DEMO_DB)).
run: app
	@test -f "$(DEMO_DB)" || $(TARGET_DIR)/debug/earshot --db "$(DEMO_DB)" demo
	$(TARGET_DIR)/debug/earshot-desktop --db "$(DEMO_DB)"

test: deps test-supply-chain test-ui test-rust test-e2e
	@echo "All tests passed."

# Tests keep their logs beside the build, not in the OS log folder of whoever runs them.
test-rust test-e2e: export EARSHOT_LOG_DIR := $(abspath $(TARGET_DIR))/test-logs

# Known advisories, licences, banned crates and sources (deny.toml), and npm audit of the shipped packages.
test-supply-chain:
	scripts/supply-chain.sh

# The Rust tests, with the real keychain and, for the ignored Bluesky test, the reference atproto stack.
test-rust:
	cargo fmt --all -- --check
	EARSHOT_REAL_KEYRING=1 scripts/with-keyring.sh scripts/with-atproto.sh cargo test --workspace --locked -- --include-ignored

# The UI in Chromium against the real command handlers, served by earshot-host.
test-ui:
	npm run ui:check
	npm run test:unit
	npm run ui:build
	cargo build -p earshot-host
	HOST_BIN=$(TARGET_DIR)/debug/earshot-host npm run test:ui

test-e2e:
	scripts/e2e.sh

# Installers: .deb and .rpm under $(TARGET_DIR)/release/bundle/.
bundle: deps
	npx tauri build --bundles deb rpm
	cargo build --release -p earshot-cli

bench: deps
	cargo build --release -p earshot-cli
	$(TARGET_DIR)/release/earshot bench --contacts 100000
	$(TARGET_DIR)/release/earshot bench-listening
	$(TARGET_DIR)/release/earshot bench-triage
	$(TARGET_DIR)/release/earshot bench-value
