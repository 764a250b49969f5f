"""The founding article, end to end through `python -m pipeline run`: the figures issue 2 fixes."""

from __future__ import annotations

import shutil
from datetime import date

import pyarrow.parquet as pq
import pytest

from pipeline.run import runner
from pipeline.cli import main
from tests.conftest import SEED

SEED_ID = "mehr-2020-10-27-iran-karabakh"


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("seed")
    raw = tmp / "raw"
    raw.mkdir()
    for f in SEED.glob(f"{SEED_ID}.*"):
        shutil.copy(f, raw / f.name)
    code = main(["run", "--input", str(raw), "--output", str(tmp / "out"), "--work", str(tmp / "work"), "--quiet"])
    assert code == runner.OK
    return {t: pq.read_table(tmp / "out" / f"{t}.parquet").to_pylist() for t in ("articles", "mentions", "events", "casualties")}


def test_seed_article(seed_out):
    (article,) = seed_out["articles"]
    assert article["source_id"] == SEED_ID
    assert article["dateline_place"].upper() == "TEHRAN"
    assert article["reference_date"] == date(2020, 10, 27)


def test_every_monday_is_the_day_before(seed_out):
    mondays = [m for m in seed_out["mentions"] if "monday" in m["text"].lower()]
    assert len(mondays) >= 5
    assert {(m["date_start"], m["date_end"]) for m in mondays} == {(date(2020, 10, 26), date(2020, 10, 26))}


@pytest.mark.parametrize(
    "text, start, end, precision",
    [
        ("late September", date(2020, 9, 21), date(2020, 9, 30), "part_of_month"),
        ("early October", date(2020, 10, 1), date(2020, 10, 10), "part_of_month"),
        ("October 17", date(2020, 10, 17), date(2020, 10, 17), "day"),
    ],
)
def test_seed_dates(seed_out, text, start, end, precision):
    found = [m for m in seed_out["mentions"] if m["text"].lower().endswith(text.lower())]
    assert found, text
    assert {(m["date_start"], m["date_end"], m["precision"]) for m in found} == {(start, end, precision)}


def test_ganja_attack_with_at_least_12_civilians_killed(seed_out):
    events = {e["event_id"]: e for e in seed_out["events"]}
    killed = [c for c in seed_out["casualties"] if c["category"] == "killed" and c["low"] == 12]
    assert len(killed) == 1
    figure = killed[0]
    assert (figure["qualifier"], figure["victims"], figure["high"]) == ("at_least", "civilians", None)
    event = events[figure["event_id"]]
    assert event["event_type"] == "attack"
    assert event["location"] == "Ganja" and event["country_code"] == "AZ"
    assert (event["date_start"], event["date_end"]) == (date(2020, 10, 17), date(2020, 10, 17))
    assert (figure["date_start"], figure["location"]) == (date(2020, 10, 17), "Ganja")
