"""The foreign keys declared in schemas/*.schema.json hold on the output of `make run` on data/raw/, and the
data dictionary's joins return rows."""

from __future__ import annotations

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pipeline import datadict
from pipeline.tables import foreign_keys, spec

KEYS = foreign_keys()


def _values(folder, table: str, column: str) -> set:
    col = pq.read_table(folder / f"{table}.parquet", columns=[column]).column(column)
    if str(col.type).startswith("list<"):
        col = pc.list_flatten(col)
    return set(col.drop_null().to_pylist())


def test_every_relationship_is_declared():
    declared = {(fk.table, fk.column, fk.references) for fk in KEYS}
    assert {
        ("mentions", "article_id", "articles"), ("events", "article_id", "articles"), ("events", "mention_id", "mentions"),
        ("casualties", "article_id", "articles"), ("casualties", "event_id", "events"),
        ("timeline", "event_ids", "events"), ("timeline", "article_ids", "articles"),
        ("timeline_links", "event_id", "events"), ("timeline_links", "timeline_id", "timeline"),
    } <= declared  # fmt: skip
    for fk in KEYS:
        assert spec(fk.references).primary_key == fk.parent_key, fk


@pytest.mark.parametrize("fk", KEYS, ids=lambda fk: f"{fk.table}.{fk.column}")
def test_every_child_value_is_found_in_the_parent(sample_run, fk):
    out = sample_run / "data" / "processed"
    children = _values(out, fk.table, fk.column)
    parents = _values(out, fk.references, fk.parent_key)
    assert children, f"{fk.table}.{fk.column} has no values on the sample: the check would prove nothing"
    assert children <= parents, sorted(children - parents)[:5]


@pytest.mark.parametrize("fk", KEYS, ids=lambda fk: f"{fk.table}.{fk.column}")
def test_the_dictionary_join_returns_rows(sample_run, fk, monkeypatch):
    monkeypatch.chdir(sample_run)
    example = datadict.join_example(fk)
    assert example in datadict.render()
    assert duckdb.sql(f"SELECT count(*) FROM ({example})").fetchall()[0][0] > 0
