"""End to end: articles written for this test, through the real ingest, temporal and extract stages, into one timeline.

tests/fixtures/timeline/: four outlets report one fictional car bombing in Kirkuk (14 / at least 16 / nineteen
killed; datelines KIRKUK, BAGHDAD and none; "on Tuesday", "yesterday", "Tuesday's"), one of them a syndicated copy
of the wire story, plus a roadside bomb in Erbil the same day and another bomb in Kirkuk two days later.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.tables import spec
from pipeline.timeline import build_timeline

FIXTURES = Path(__file__).parent / "fixtures" / "timeline"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from pipeline.run.chain import extract_stage, ingest_stage, temporal_stage

    raw = tmp_path_factory.mktemp("raw")
    for f in FIXTURES.glob("*.txt"):
        shutil.copy(f, raw / f.name)
    ingested = ingest_stage(raw, Settings())
    assert not ingested.rejects
    articles = ingested.tables["articles"]
    mentions = temporal_stage(articles).tables["mentions"]
    extracted = extract_stage(articles, mentions)
    out = build_timeline(articles, extracted.tables["events"], extracted.tables["casualties"])
    ids = dict(zip(articles.column("source_id").to_pylist(), articles.column("article_id").to_pylist()))
    return out, ids


def _rows_with(out, article_id):
    return [r for r in out["timeline"].to_pylist() if article_id in r["article_ids"]]


def test_four_reports_of_the_kirkuk_bombing_are_one_row_spanning_their_figures(built):
    out, ids = built
    kirkuk = [r for r in out["timeline"].to_pylist() if r["location"] == "Kirkuk" and r["date_start"] == date(2023, 3, 14)]
    assert len(kirkuk) == 1
    row = kirkuk[0]
    for source_id in ("wire-kirkuk-bus-station", "evening-post-kirkuk", "daily-star-kirkuk", "gulf-times-kirkuk"):
        assert ids[source_id] in row["article_ids"], source_id
    assert (row["date_end"], row["date_precision"], row["country_code"]) == (date(2023, 3, 14), "day", "IQ")
    assert row["event_type"] == "bombing"
    assert (row["killed_low"], row["killed_best"], row["killed_high"]) == (14, 16, 19)
    assert (row["injured_low"], row["injured_high"]) == (31, 40)
    assert (row["n_articles"], row["n_copies"], row["n_sources"]) == (3, 1, 3)  # the Evening Post copy counts once
    assert "Kirkuk" in row["sentence"]


def test_the_syndicated_copy_is_linked_to_the_wire_story(built):
    out, ids = built
    copy = [r for r in out["timeline_links"].to_pylist() if r["article_id"] == ids["evening-post-kirkuk"]]
    assert copy and all(r["is_copy"] and r["original_article_id"] == ids["wire-kirkuk-bus-station"] for r in copy)


def test_nearby_different_incidents_stay_apart(built):
    out, ids = built
    erbil = _rows_with(out, ids["herald-erbil-roadside"])
    assert erbil and all(r["location"] == "Erbil" and r["n_articles"] == 1 for r in erbil)
    assert [(r["killed_low"], r["killed_high"]) for r in erbil if r["killed_low"] is not None] == [(3, 3)]
    later = _rows_with(out, ids["wire-kirkuk-checkpoint"])
    assert [(r["date_start"], r["location"], r["killed_best"]) for r in later] == [(date(2023, 3, 16), "Kirkuk", 2)]


def test_every_event_is_on_exactly_one_row(built):
    out, _ = built
    links = out["timeline_links"].to_pylist()
    members = [e for r in out["timeline"].to_pylist() for e in r["event_ids"]]
    assert sorted(members) == sorted(r["event_id"] for r in links)
    assert len(set(members)) == len(members)


def test_the_suites_pass_on_the_built_tables(built):
    from pipeline import gx_adapter
    from pipeline.validate import validation_frame

    out, _ = built
    for name, table in out.items():
        assert table.schema.equals(spec(name).arrow_schema, check_metadata=False)
        failed = [o for o in gx_adapter.run_suite(name, validation_frame(table)) if not o.success]
        assert not failed, (name, failed)
