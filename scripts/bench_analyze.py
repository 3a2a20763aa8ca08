#!/usr/bin/env python3
"""`earshot analyze` against the reference Python VADER, process start included:

    python3 scripts/bench_analyze.py [--earshot target/release/earshot] [--lines 4200] [--runs 5]

Both read the same file of short texts (the hand-labelled mentions under scripts/train/mentions, repeated
up to --lines) from a fresh process each run; the table gives the median wall time and lines per second.
The reference (vaderSentiment 3.3.2 from PyPI) is installed into a private virtual environment once.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VADER = "vaderSentiment==3.3.2"
REFERENCE = r"""
import sys
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
analyzer = SentimentIntensityAnalyzer()
out = sys.stdout
for line in sys.stdin:
    out.write(str(analyzer.polarity_scores(line.rstrip("\n"))["compound"]) + "\n")
"""


def texts(lines: int) -> list[str]:
    found = []
    for path in sorted((ROOT / "scripts" / "train" / "mentions").glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                found.append(line.split("\t", 2)[2])
    return [found[i % len(found)] for i in range(lines)]


def reference_python() -> Path:
    env = Path.home() / ".cache" / "earshot" / "bench-vader"
    python = env / "bin" / "python"
    if not python.exists():
        venv.create(env, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", VADER], check=True)
    return python


def timed(command: list[str], corpus: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        with corpus.open("rb") as stdin:
            start = time.perf_counter()
            subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    parser.add_argument("--earshot", type=Path, default=target / "release" / "earshot")
    parser.add_argument("--lines", type=int, default=4200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.earshot.exists():
        sys.exit(f"{args.earshot} does not exist: run `cargo build --release -p earshot-cli` first")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "texts.txt"
        corpus.write_text("\n".join(texts(args.lines)) + "\n", encoding="utf-8")
        python = reference_python()
        rows = [
            ("Python vaderSentiment 3.3.2 (sentiment only)", timed([str(python), "-c", REFERENCE], corpus, args.runs)),
            ("earshot analyze (model: sentiment, intents, language, urgency)", timed([str(args.earshot), "analyze"], corpus, args.runs)),
        ]
    base = rows[0][1]
    print(f"{args.lines} lines, median of {args.runs} runs, process start included")
    print("| | wall s | lines/s | vs Python |")
    print("|---|---:|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} | {args.lines / seconds:,.0f} | {base / seconds:.1f}x |")


if __name__ == "__main__":
    main()
