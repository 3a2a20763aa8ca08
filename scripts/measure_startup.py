#!/usr/bin/env python3
"""Cold start to page load, and idle memory (PSS of the app and its WebKit processes), of Earshot next to an
empty Tauri window built the same way. Prints a Markdown table for BENCHMARKS.md.

Usage (needs a display, e.g. under xvfb-run):  scripts/measure_startup.py APP_BIN EMPTY_BIN DEMO_DB [RUNS]
scripts/measure-startup.sh builds both release binaries and a demo workspace, then calls this.
"""
import os
import signal
import statistics
import subprocess
import sys
import time

MARKER = "earshot-startup: page loaded"
IDLE_SECONDS = 10


def descendants(root):
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(pid))
        except (OSError, IndexError, ValueError):
            pass
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def process_name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def smaps_kib(pid, fields=("Pss:", "Pss_Anon:", "Pss_File:")):
    out = dict.fromkeys(fields, 0)
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key = line.split()[0]
                if key in out:
                    out[key] = int(line.split()[1])
    except OSError:
        pass
    return out


def run_once(binary, args, extra_env=None):
    env = dict(os.environ, EARSHOT_STARTUP_TRACE="1", **(extra_env or {}))
    start = time.monotonic()
    proc = subprocess.Popen([binary, *args], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env,
                            text=True, start_new_session=True)
    loaded = None
    for line in proc.stderr:
        if MARKER in line:
            loaded = time.monotonic() - start
            break
    if loaded is None:
        raise SystemExit(f"{binary} exited without loading its page")
    time.sleep(IDLE_SECONDS)
    pids = descendants(proc.pid)
    pss = sum(smaps_kib(pid)["Pss:"] for pid in pids)
    if os.environ.get("MEASURE_BREAKDOWN") == "1":
        for pid in pids:
            m = smaps_kib(pid)
            print(f"  {process_name(pid):<24} PSS {m['Pss:'] / 1024:6.1f} MiB  anon {m['Pss_Anon:'] / 1024:6.1f}"
                  f"  file {m['Pss_File:'] / 1024:6.1f}", file=sys.stderr)
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)
    return loaded * 1000, pss / 1024


def main():
    app, empty, demo_db = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    results = {}
    # Earshot draws without GPU compositing on Linux (src-tauri/src/lib.rs); the last row is the empty window
    # drawn the same way, for a like-for-like view of what Earshot's own content costs.
    runs_of = [
        ("Earshot (demo workspace)", app, ["--db", demo_db], {}),
        ("empty Tauri window", empty, [], {}),
        ("empty Tauri window, no compositing", empty, [], {"WEBKIT_DISABLE_COMPOSITING_MODE": "1"}),
    ]
    for name, binary, args, extra_env in runs_of:
        samples = [run_once(binary, args, extra_env) for _ in range(runs)]
        results[name] = (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples))
    print(f"| app | cold start to page load, median of {runs} (ms) | idle PSS after {IDLE_SECONDS} s, median (MiB) |")
    print("|---|---:|---:|")
    for name, (ms, mib) in results.items():
        print(f"| {name} | {ms:.0f} | {mib:.0f} |")
    (a_ms, a_mib), (e_ms, e_mib), (n_ms, n_mib) = results.values()
    print(f"| ratio Earshot / empty | {a_ms / e_ms:.2f} | {a_mib / e_mib:.2f} |")
    print(f"| ratio Earshot / empty without compositing | {a_ms / n_ms:.2f} | {a_mib / n_mib:.2f} |")


if __name__ == "__main__":
    main()
