#!/usr/bin/env python3
"""Earshot's feed reading beside Python feedparser 6, the mature reference, on a corpus of feeds.

For every document: `earshot feed parse FILE` and `feedparser.parse(bytes)`, compared on the number of
entries, the first entry's link and the entries' titles. The agreement figure counts the documents
feedparser reads cleanly (its `bozo` flag unset); documents it reads with complaints are listed apart. Every
entry's sanitized HTML is also checked for what must never survive (scripts, frames, event handlers,
script URLs).

Usage:
  pip install feedparser==6.0.12
  cargo build --release -p earshot-cli
  python3 scripts/feed-diff.py [--earshot target/release/earshot] [DIR_OR_FILE ...]

With no folder given, the corpus of scripts/feed_corpus.py and the recorded feeds in
tests/fixtures/apis/feeds/ are compared. Not part of `make test`: it needs feedparser from PyPI.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import feedparser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What must never survive sanitizing: elements that run or load things, event handlers, script URLs.
UNSAFE_HTML = re.compile(
    r"<\s*(script|style|iframe|frame|object|embed|svg|math|form|input|meta|link|base)\b|\son\w+\s*=|"
    r"javascript:|vbscript:|data:text/html|expression\(",
    re.I,
)


def words(s):
    return re.sub(r"\s+", " ", s or "").strip()


def earshot_read(binary, path):
    run = subprocess.run([binary, "feed", "parse", path], capture_output=True, timeout=30)
    stderr = run.stderr.decode("utf-8", "replace")
    if "panicked" in stderr:
        return {"panic": stderr.strip()}
    if run.returncode != 0:
        return {"error": stderr.strip()}
    return json.loads(run.stdout)


def compare(binary, path):
    with open(path, "rb") as f:
        data = f.read()
    ref = feedparser.parse(data)
    ours = earshot_read(binary, path)
    ref_entries = ref.entries
    row = {
        "file": os.path.relpath(path, ROOT),
        "bozo": bool(ref.bozo),
        "bozo_reason": str(ref.get("bozo_exception", ""))[:80],
        "ref_count": len(ref_entries),
        "panic": "panic" in ours,
        "error": ours.get("error") or ours.get("panic"),
    }
    ours_entries = ours.get("entries", [])
    row["our_count"] = len(ours_entries)
    row["unsafe_html"] = sum(1 for e in ours_entries if UNSAFE_HTML.search(e.get("html") or ""))
    row["count_ok"] = row["error"] is None and len(ours_entries) == len(ref_entries)
    ref_link = ref_entries[0].get("link") if ref_entries else None
    our_link = ours_entries[0].get("url") if ours_entries else None
    row["link_ok"] = (ref_link or None) == (our_link or None)
    row["titles_ok"] = [words(e.get("title")) for e in ref_entries] == [words(e.get("title")) for e in ours_entries]
    return row


def files(args):
    if args:
        for a in args:
            if os.path.isdir(a):
                for folder, _, names in sorted(os.walk(a)):
                    for name in sorted(names):
                        yield os.path.join(folder, name)
            else:
                yield a
        return
    corpus = tempfile.mkdtemp(prefix="feed-corpus-")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "feed_corpus.py"), corpus], check=True)
    for name in sorted(os.listdir(corpus)):
        yield os.path.join(corpus, name)
    recorded = os.path.join(ROOT, "tests", "fixtures", "apis", "feeds")
    for name in sorted(os.listdir(recorded)):
        if not name.endswith(".md"):
            yield os.path.join(recorded, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--earshot", default=os.path.join(ROOT, "target", "release", "earshot"))
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--json", action="store_true", help="print every row as JSON")
    parser.add_argument("--quiet", action="store_true", help="list only the documents that differ")
    a = parser.parse_args()
    rows = [compare(a.earshot, p) for p in files(a.paths)]
    if a.json:
        print(json.dumps(rows, indent=2))
    if a.quiet:
        rows_shown = [r for r in rows if not (r["count_ok"] and r["link_ok"] and r["titles_ok"])]
    else:
        rows_shown = rows
    print(f"{'file':48} {'bozo':5} {'ref':>4} {'ours':>4} {'count':6} {'link':5} {'titles':6}")
    for r in rows_shown:
        name = r["file"][-48:]
        mark = lambda ok: "ok" if ok else "DIFF"
        print(
            f"{name:48} {'yes' if r['bozo'] else '':5} {r['ref_count']:>4} {r['our_count']:>4} "
            f"{mark(r['count_ok']):6} {mark(r['link_ok']):5} {mark(r['titles_ok']):6}"
            + (f"  {r['error'][:70]}" if r["error"] else "")
        )
    clean = [r for r in rows if not r["bozo"]]
    agree = lambda key, rs: sum(1 for r in rs if r[key])
    print()
    print(f"documents: {len(rows)}, read cleanly by feedparser: {len(clean)}, panics: {sum(r['panic'] for r in rows)}")
    entries = sum(r["our_count"] for r in rows)
    print(f"entries read: {entries}, with unsafe HTML left after sanitizing: {sum(r['unsafe_html'] for r in rows)}")
    for key in ["count_ok", "link_ok", "titles_ok"]:
        n = agree(key, clean)
        print(f"{key[:-3]:7} agreement on clean documents: {n}/{len(clean)} = {100 * n / max(len(clean), 1):.1f} %")
    n = agree("count_ok", rows)
    print(f"count   agreement on all documents:   {n}/{len(rows)} = {100 * n / max(len(rows), 1):.1f} %")


if __name__ == "__main__":
    main()
