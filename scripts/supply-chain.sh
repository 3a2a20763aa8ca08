#!/usr/bin/env bash
# The supply-chain check of `make test`: cargo-deny (known advisories, licences, banned crates, sources; see
# deny.toml) over the Rust crates, and `npm audit` at high severity over the UI's shipped npm packages.
#
# Both read advisory data that lives online. The RustSec database is kept as a local copy in
# $EARSHOT_ADVISORY_DBS (default: beside the build cache) and read offline; `--fetch` refreshes it where
# GitHub is reachable. Without a copy, the advisory check is skipped with a warning and the other checks run.
# npm's advisories have no offline copy: when the registry's audit endpoint cannot be reached, that is said
# and the rest goes on. Anything the checks find fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

DENY_VERSION=0.20.2
target="${CARGO_TARGET_DIR:-target}"
tools="$target/tools"
export EARSHOT_ADVISORY_DBS="${EARSHOT_ADVISORY_DBS:-$(realpath -m "$target/advisory-dbs")}"
export PATH="$(realpath -m "$tools/bin"):$PATH"

if ! cargo deny --version 2>/dev/null | grep -q "$DENY_VERSION"; then
  echo "Installing cargo-deny $DENY_VERSION (once; kept in $tools)"
  cargo install cargo-deny --locked --version "$DENY_VERSION" --root "$tools" --target-dir "$target/tools-build"
fi

if [ "${1:-}" = "--fetch" ]; then
  cargo deny fetch db
  echo "Advisory database refreshed in $EARSHOT_ADVISORY_DBS"
  exit 0
fi

checks=(bans licenses sources)
if compgen -G "$EARSHOT_ADVISORY_DBS/advisory-db-*/crates" >/dev/null; then
  checks=(advisories "${checks[@]}")
  db=$(compgen -G "$EARSHOT_ADVISORY_DBS/advisory-db-*" | head -n1)
  echo "RustSec advisories as of $(git -C "$db" log -1 --format=%cs 2>/dev/null || echo "an unknown date") ($db)"
else
  echo "WARNING: no local RustSec advisory database in $EARSHOT_ADVISORY_DBS: advisories NOT checked." >&2
  echo "         Run scripts/supply-chain.sh --fetch on a machine that reaches github.com." >&2
fi
cargo deny --offline --color never check "${checks[@]}"

# npm: only what ships in the app (--omit=dev), failing at high severity. One reading of the answer: an
# audit (clean, or the advisories found) or no answer from the registry's advisory service.
# npm audit exits non-zero both when it finds advisories and when it gets no answer: the reading decides.
{ npm audit --omit=dev --audit-level=high --json 2>/dev/null || true; } | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    let a = {};
    try { a = JSON.parse(s); } catch {}
    if (!a.metadata || !a.metadata.vulnerabilities) {
      const reason = a.message || (a.error && a.error.summary) || "no answer";
      console.error(`WARNING: npm audit could not reach the registry advisory service (${reason}): npm packages NOT audited.`);
      return;
    }
    const high = Object.entries(a.vulnerabilities || {}).filter(([, v]) => ["high", "critical"].includes(v.severity));
    if (high.length === 0) return console.log("npm audit: no high-severity advisories in the shipped packages.");
    for (const [name, v] of high) console.error(`${name}: ${v.severity}`);
    console.error("npm audit: shipped packages have high-severity advisories (above).");
    process.exit(1);
  });'
