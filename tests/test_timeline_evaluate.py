"""The merge evaluation's scoring, and the settings documentation of the timeline."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from pipeline.evaluate.timeline import _get, evaluate, score
from pipeline.paths import ROOT
from pipeline.settings import DOCS, Settings

ANALYSTS = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")


def test_score_pairs():
    p = {frozenset("ab"), frozenset("cd")}
    g = {frozenset("ab"), frozenset("ae"), frozenset("be")}
    assert score(p, g) == {"predicted_pairs": 2, "gold_pairs": 3, "correct_pairs": 1, "precision": 0.5, "recall": 0.333}
    assert score(set(), set())["precision"] == score(set(), set())["recall"] == 1.0


def test_dotted_key():
    assert _get({"meta": {"id": 7}}, "meta.id") == 7 and _get({"meta": None}, "meta.id") is None


def test_evaluate_on_articles_written_for_this_test(tmp_path):
    kirkuk = "A car bomb exploded at a bus station in Kirkuk on Tuesday, killing {} people, police said."
    rows = [
        {"id": "k1", "reference_date": "2023-03-14", "text": kirkuk.format(14), "event": "kirkuk"},
        {"id": "k2", "reference_date": "2023-03-15", "text": "At least 16 people were killed when a bomb went off at a bus "
         "station in Kirkuk on Tuesday, a ministry spokesman said.", "event": "kirkuk"},
        {"id": "e1", "reference_date": "2023-03-14", "text": "A roadside bomb killed three soldiers outside Erbil on Tuesday.",
         "event": "erbil"},
    ]  # fmt: skip
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = evaluate(path, "event")
    assert result["all gold pairs"] == {"predicted_pairs": 1, "gold_pairs": 1, "correct_pairs": 1, "precision": 1.0, "recall": 1.0}


@pytest.mark.parametrize("key", [f.name for f in fields(Settings) if f.name.startswith("timeline_")])
def test_every_timeline_setting_is_documented(key):
    assert key in DOCS
    default = getattr(Settings(), key)
    assert f"| `{key}` | {str(default).lower() if isinstance(default, bool) else default} |" in ANALYSTS


@pytest.mark.parametrize(
    "bad", [{"timeline_syndication_jaccard": 0}, {"timeline_sketch_bucket_cap": 1}, {"timeline_max_merge_days": 0}]
)
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValueError):
        Settings(**bad)
