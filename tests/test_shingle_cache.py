"""Syndication reads the shingle sets the workers cached, not every text again, and finds the same copies."""

from __future__ import annotations

import importlib
import json

import pyarrow.parquet as pq
import pytest

from pipeline.run import batch, runner
from pipeline.settings import Settings
syndication_mod = importlib.import_module("pipeline.timeline.syndication")  # the package also has a function of that name
from tests.test_run import outputs, write_raw

WIRE = (
    "HOLLOWAY, Verenia (Sample Wire) - A landslide buried four houses in the hill village of Marrow Creek on Tuesday, "
    "killing at least six people, district officials said. Rescue teams dug through mud with shovels and a single "
    "excavator while relatives waited at the edge of the slope. The district chief said heavy rain had loosened the "
    "ground for a week and warned that more slopes above the valley road could give way."
)


def _stories() -> dict[str, str]:
    rows = [
        {"id": "wire-1", "published": "2023-03-07", "source": "Sample Wire", "text": WIRE},
        {"id": "copy-1", "published": "2023-03-08", "source": "Valley Herald", "text": WIRE + " Schools in the district stayed shut."},
        {"id": "other-1", "published": "2023-03-08", "source": "Valley Herald",
         "text": "HOLLOWAY, Verenia - Two miners were injured on Wednesday when a tunnel roof fell at the Dunmore pit, the company said."},
    ]  # fmt: skip
    later = [  # the wire story again, spaced differently: the same article, a later copy dropped at the merge
        {"id": "wire-1b", "published": "2023-03-09", "source": "Elsewhere Daily", "text": WIRE.replace(". ", ".  ")},
    ]  # fmt: skip
    return {
        "a.jsonl": "".join(json.dumps(r) + "\n" for r in rows),
        "b.jsonl": "".join(json.dumps(r) + "\n" for r in later),
    }


def _run(raw, out, work, **settings) -> int:
    return runner.run(raw, out, Settings(progress="never", **settings), work=work, engine="serial")


def test_cached_sets_give_the_tables_reading_the_texts_gives(tmp_path, monkeypatch):
    raw = write_raw(tmp_path / "raw", _stories())
    assert _run(raw, tmp_path / "texts", tmp_path / "w1") == runner.OK_WITH_REJECTS  # the dropped copy

    def never(*args, **kwargs):
        raise AssertionError("the texts were read again")

    with monkeypatch.context() as m:  # from the cache: shingling texts in the merge would fail the run
        m.setattr(syndication_mod, "_shingled", never)
        assert _run(raw, tmp_path / "cached", tmp_path / "w1") == runner.OK_WITH_REJECTS
    with monkeypatch.context() as m:  # without cached sets: the texts are read
        m.setattr(batch, "shingle_source", lambda *a, **k: None)
        assert _run(raw, tmp_path / "read", tmp_path / "w2") == runner.OK_WITH_REJECTS
    cached, read = outputs(tmp_path / "cached"), outputs(tmp_path / "read")
    for name in ("timeline.parquet", "timeline_links.parquet", "timeline.csv"):
        assert cached[name] == read[name]
    rows = pq.read_table(tmp_path / "cached" / "timeline.parquet").to_pylist()
    rejects = pq.read_table(tmp_path / "cached" / "rejects.parquet").column("reason").to_pylist()
    assert rejects == ["duplicate"]
    slide = [r for r in rows if r["event_type"] == "killing"]
    # the copy was found from the cached sets: two reports, one of them a copy (so one article counts)
    assert len(slide) == 1 and len(slide[0]["article_ids"]) == 2 and (slide[0]["n_articles"], slide[0]["n_copies"]) == (1, 1)


def test_sets_made_with_another_shingle_length_are_not_used(tmp_path):
    raw = write_raw(tmp_path / "raw", _stories())
    assert _run(raw, tmp_path / "five", tmp_path / "w", timeline_shingle_words=5) == runner.OK_WITH_REJECTS
    # the units stay cached (timeline settings do not touch them) but their sets are of 5 words: texts are read
    assert _run(raw, tmp_path / "three", tmp_path / "w", timeline_shingle_words=3) == runner.OK_WITH_REJECTS
    assert _run(raw, tmp_path / "fresh", tmp_path / "w2", timeline_shingle_words=3) == runner.OK_WITH_REJECTS
    again, fresh = outputs(tmp_path / "three"), outputs(tmp_path / "fresh")
    assert again["timeline_links.parquet"] == fresh["timeline_links.parquet"]


@pytest.mark.parametrize("texts", [["one two three four five six", None, "", "one two"], []])
def test_a_shingle_table_holds_the_sets_the_texts_give(texts):
    ids = [f"a{i}" for i in range(len(texts))]
    got_ids, h, o = syndication_mod.table_sets(syndication_mod.shingle_table(ids, texts, 5))
    want_h, want_o = syndication_mod._shingle_sets(texts, 5, syndication_mod._Words())
    assert got_ids == ids and h.tolist() == want_h.tolist() and o.tolist() == want_o.tolist()
