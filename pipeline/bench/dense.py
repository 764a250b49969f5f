"""Dense articles: is every rule scan linear in the article length?

    python -m pipeline bench dense [--sizes 10000,20000,40000] [--repeat N] [UNIT...]

An article made of one short unit repeated thousands of times ("5 killed ", a date, a sentence) is where a scan
that compares every match with every earlier one shows: twice the text, four times the work. For each unit and
each size this prints the CPU seconds `normalise` (temporal) and `extract` take (the best of `--repeat` runs;
CPU time, so other jobs on the machine disturb it less) and the ratio to the previous size; near 2 per doubling is
linear. `operations` counts function calls instead of seconds, which does not depend on
the machine's load: the tests use it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date

REFERENCE = date(2021, 3, 4)
# Invented units, each dense in something a rule scans for: figures, dates, sentences with both, background years,
# page furniture between sentences, relative and anaphoric dates.
UNITS = (
    "5 killed ",
    "March 3, 2021 ",
    "On Monday, 5 people were killed. ",
    "In 2016 there was fighting in Dravo. 7 were killed. ",
    "Photo: Wire. On Monday 3 died. ",
    "at least 12 people were killed and 30 injured in Narvo on Friday. ",
    "two days later ",
    "yesterday ",
)


def stages(text: str) -> tuple[Callable[[], object], Callable[[], object]]:
    """(temporal, extract) of `text` as zero-argument calls; extract gets the mentions computed beforehand."""
    from pipeline.extract import extract
    from pipeline.temporal import normalise

    mentions = normalise(text, REFERENCE)
    return (lambda: normalise(text, REFERENCE)), (lambda: extract(text, REFERENCE, mentions))


def operations(fn: Callable[[], object]) -> int:
    """Python and C function calls (generator resumptions included) made by `fn()`: a machine-independent
    measure of work, for comparing one text with a text twice as long."""
    count = 0

    def tick(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(tick)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count


def warm_up() -> None:
    """Load rules, lexicons and gazetteers once, so the first measured size does not pay for them."""
    for stage in stages(" ".join(UNITS)):
        stage()


def seconds(fn: Callable[[], object], repeat: int = 1) -> float:
    """CPU seconds of `fn()`, the best of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline bench dense", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,20000,40000", help="repetitions per article, comma-separated")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts (default 1)")
    ap.add_argument("units", nargs="*", help=f"repeated units (default: {len(UNITS)} built-in ones)")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    warm_up()
    print(f"{'unit':40} {'reps':>7} {'chars':>9} {'temporal s':>10} {'ratio':>6} {'extract s':>10} {'ratio':>6}")
    for unit in args.units or UNITS:
        previous: tuple[float, float] | None = None
        for n in sizes:
            temporal, extract = stages(unit * n)
            now = (seconds(temporal, args.repeat), seconds(extract, args.repeat))
            ratios = [f"{b / max(a, 1e-3):6.2f}" for a, b in zip(previous, now)] if previous else ["", ""]
            print(
                f"{unit[:40]!r:40} {n:7} {len(unit) * n:9} {now[0]:10.2f} {ratios[0]:>6} {now[1]:10.2f} {ratios[1]:>6}",
                flush=True,
            )
            previous = now
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
