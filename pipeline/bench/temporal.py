"""Benchmark `normalise` against dateparser's `search_dates` on the same TimeML documents, in the same run.

    python -m pipeline bench temporal [DIR...]

Default corpus: `../shared/corpora/timeml/timebank` relative to the repository root. Prints documents/s and
characters/s for each, and the speed ratio. Single process: pin it to one core with `taskset -c 0` if you like.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = REPO_ROOT.parent / "shared" / "corpora" / "timeml" / "timebank"


def load_docs(dirs: list[Path]) -> list[tuple[str, date]]:
    from pipeline.evaluate.timeml import read_tml

    return [(d.text, d.reference) for folder in dirs for d in map(read_tml, sorted(folder.glob("*.tml")))]


def time_it(fn: Callable[[str, date], object], docs: list[tuple[str, date]]) -> float:
    t0 = time.perf_counter()
    for text, ref in docs:
        fn(text, ref)
    return time.perf_counter() - t0


def run_normalise(text: str, ref: date) -> object:
    from pipeline.temporal import normalise

    return normalise(text, ref)


def run_dateparser(text: str, ref: date) -> object:
    from dateparser.search import search_dates

    base = datetime(ref.year, ref.month, ref.day)
    return search_dates(text, languages=["en"], settings={"RELATIVE_BASE": base})


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline bench temporal", description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path, help=f"folders of .tml files (default {DEFAULT_DIR})")
    args = ap.parse_args(argv)
    dirs = args.dirs or [DEFAULT_DIR]
    missing = [d for d in dirs if not d.is_dir()]
    if missing:
        print(f"not a folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    docs = load_docs(dirs)
    if not docs:
        print("no .tml documents found", file=sys.stderr)
        return 2
    chars = sum(len(t) for t, _ in docs)
    # warm up both (imports, rule compilation, dateparser's language data) on one document, outside the timing
    run_normalise(*docs[0])
    run_dateparser(*docs[0])
    ours = time_it(run_normalise, docs)
    theirs = time_it(run_dateparser, docs)
    print(f"{len(docs)} documents, {chars} characters")
    for name, secs in (("normalise", ours), ("dateparser.search_dates", theirs)):
        print(f"{name:<24} {secs:8.3f} s  {len(docs) / secs:9.1f} docs/s  {chars / secs:12.0f} chars/s")
    print(f"ratio (normalise speed / dateparser speed): {theirs / ours:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
