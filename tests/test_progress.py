"""Progress bars count articles (not tasks), with a total estimated from the input bytes."""

from __future__ import annotations

import pytest

from pipeline.run.runner import Progress
from pipeline.settings import Settings


@pytest.mark.parametrize(
    "steps, total, done",
    [
        ([(100, 1_000)], 400, 100),  # 100 articles in a quarter of the bytes: about 400 in all
        ([(100, 1_000), (300, 3_000)], 400, 400),
        ([(50, 1_000), (250, 1_000)], 600, 300),  # the estimate follows the articles per byte seen so far
        ([(10, 4_000)], 10, 10),  # never below what is done
    ],
)
def test_articles_and_their_estimated_total(steps, total, done, capsys):
    bars = Progress(Settings(progress="always"))
    for articles, size in steps:
        bars.articles("process", articles, size, 4_000)
    bar = bars.bars["process"]
    assert (bar.total, bar.n, bar.unit) == (total, done, "art")
    bars.close()
    assert not bars.bars


def test_phases_with_a_known_total_and_no_bars_when_asked_for_none():
    bars = Progress(Settings(progress="always"))
    bars.count("timeline", 250, 1_000, "event")
    bars.count("timeline", 600, 1_000, "event")
    assert (bars.bars["timeline"].n, bars.bars["timeline"].total) == (600, 1_000)
    bars.done("timeline")
    quiet = Progress(Settings(progress="never"))
    quiet.articles("process", 10, 10, 100)
    quiet.count("timeline", 1, 2)
    assert not quiet.bars and not bars.bars
