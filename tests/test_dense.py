"""Dense articles: the work of temporal and extract grows linearly with the article (counted, not timed).

Each built-in unit of `pipeline.bench.dense` is repeated 300, 600 and 1,200 times; the function calls each stage
makes (a measure that does not depend on the machine's load) may at most grow 2.5-fold per doubling. A scan
comparing each match with every earlier one grows 4-fold. `python -m pipeline bench dense` prints the seconds.
"""

from __future__ import annotations

import pytest

from pipeline.bench.dense import UNITS, operations, stages, warm_up

SIZES = (300, 600, 1200)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    warm_up()


@pytest.mark.parametrize("stage", ["temporal", "extract"])
@pytest.mark.parametrize("unit", UNITS)
def test_work_per_doubling_stays_linear(unit: str, stage: str) -> None:
    counts = [operations(stages(unit * n)[0 if stage == "temporal" else 1]) for n in SIZES]
    ratios = [later / max(earlier, 1) for earlier, later in zip(counts, counts[1:])]
    print(f"{stage} {unit!r}: calls {counts}, ratio per doubling {[round(r, 2) for r in ratios]}")
    assert all(r <= 2.5 for r in ratios), (counts, ratios)


def test_bench_dense_prints_a_ratio_per_doubling(capsys):
    from pipeline.bench.dense import main

    assert main(["--sizes", "50,100", "5 killed "]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split()[:2] == ["unit", "reps"] and len(rows) == 3
    assert float(rows[2].split()[-1]) > 0  # the extract ratio of the second size
