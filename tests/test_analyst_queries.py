"""Every query of docs/analysts.md and README.md runs as written on the output of `make run` on data/raw/,
returns rows, and its pandas, polars and DuckDB versions agree."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from pipeline.paths import ROOT
from pipeline.settings import DEFAULTS

DOC = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```(python|sql)\n(.*?)```", re.S)
LOADED = ("timeline", "links", "events", "casualties", "articles", "pl_timeline", "pl_casualties")
# README blocks that need more than `make run`'s output (the raw articles, `--partition`): tests/test_api.py runs them
ELSEWHERE = ("pipeline.process(", "partitioned/")
# Queries about what a rerun changed: on one run nothing moved, so they run here and return rows in
# tests/test_timeline_incremental.py, which checks `previous_timeline_id` after reruns that merge rows.
AFTER_A_RERUN = {"moved"}


def blocks(text: str, lang: str) -> dict[str, str]:
    """Code blocks of one language by the name on their first line (`# query: NAME` / `-- query: NAME`)."""
    out = {}
    for found_lang, body in BLOCK.findall(text):
        if found_lang == lang:
            name = re.match(r"(?:#|--) query: (\w+)", body).group(1)
            out[name] = body
    return out


def records(frame: Any) -> list[dict[str, Any]]:
    """Rows of a pandas or polars frame or a DuckDB relation as plain Python values (lists, dates, None)."""
    if isinstance(frame, pd.DataFrame):
        table = pa.Table.from_pandas(frame, preserve_index=False)
    elif isinstance(frame, pl.DataFrame):
        table = frame.to_arrow()
    else:
        table = frame.to_arrow_table()
    return table.to_pylist()


@pytest.fixture(scope="module")
def results(sample_run):
    """Namespace of the docs' Python blocks and the rows and columns of their SQL blocks, run on `make run`'s output."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(sample_run)
        namespace: dict = {}
        for body in blocks(DOC, "python").values():
            exec(compile(body, "docs/analysts.md", "exec"), namespace)
        sql = {name: records(duckdb.sql(body)) for name, body in blocks(DOC, "sql").items()}
    return namespace, sql


@pytest.fixture(scope="module")
def readme(sample_run):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(sample_run)
        namespace: dict = {}
        for lang, body in BLOCK.findall(README):
            if lang == "python" and not any(mark in body for mark in ELSEWHERE):
                exec(compile(body, "README.md", "exec"), namespace)
        return {k: records(v) for k, v in namespace.items() if isinstance(v, (pd.DataFrame, duckdb.DuckDBPyRelation))}


def test_every_sql_query_has_a_pandas_twin():
    assert set(blocks(DOC, "sql")) <= set(blocks(DOC, "python"))
    assert {"daily", "countries", "per_outlet", "totals", "in_range", "disagree", "figures", "outlets", "why"} <= set(
        blocks(DOC, "sql")
    )


@pytest.mark.parametrize("name", sorted(set(blocks(DOC, "python")) - {"load", "load_polars"}))
def test_every_python_query_returns_rows(results, name):
    ns, _ = results
    if name in AFTER_A_RERUN:
        assert records(ns[name]) == []  # it runs; a first run has nothing that moved
        return
    assert len(records(ns[name])) > 0, f"query {name} returned no rows on the sample"


@pytest.mark.parametrize("name", sorted(blocks(DOC, "sql")))
def test_every_sql_query_returns_rows_like_its_twin(results, name):
    ns, sql = results
    if name in AFTER_A_RERUN:
        assert sql[name] == [] and records(ns[name]) == []
        return
    assert sql[name], f"query {name} returned no rows on the sample"
    if name == "load":
        assert {r["column_name"] for r in sql[name]} == set(ns["timeline"].columns)
        return
    for twin in (name, f"{name}_pl"):
        if twin in ns:
            mine = records(ns[twin])
            common = [c for c in sql[name][0] if c in mine[0]]
            assert len(common) >= 2
            assert [[r[c] for c in common] for r in mine] == [[r[c] for c in common] for r in sql[name]], twin


def test_tables_load_with_native_types(results):
    ns, _ = results
    for name in LOADED:
        assert len(ns[name]) > 0, name
    t = ns["timeline"]
    assert t.date_start.dtype == pd.ArrowDtype(pa.date32())
    assert t.killed_low.dtype == pd.ArrowDtype(pa.int64()) and t.killed_low.isna().any()
    assert t.event_ids.dtype == pd.ArrowDtype(pa.list_(pa.string()))
    assert ns["pl_timeline"].schema["event_ids"] == pl.List(pl.String)


def test_the_python_api_reads_the_tables_as_pandas_does(results):
    ns, _ = results
    pd.testing.assert_frame_equal(ns["api_timeline"], ns["timeline"])


def test_daily_killed_is_one_count_per_event(results):
    ns, sql = results
    kherson = next(r for r in sql["daily"] if r["date_start"] == date(2023, 3, 3))
    # the market shelling: six killed (two outlets, one of them syndicated) or "at least 7" (a third)
    assert (kherson["killed"], kherson["low"], kherson["high"]) == (6, 6, 7)


def test_sums_leave_running_totals_out(results):
    ns, sql = results
    totals = sql["totals"]
    assert totals and all(r["text"] for r in totals)
    wire_bf = next(r for r in sql["per_outlet"] if (r["country_code"], r["source"]) == ("BF", "Sample Wire (fictional)"))
    assert (wire_bf["killed"], wire_bf["figures"]) == (32, 2)  # 20 at Djibo + 12 at Ouahigouya, not the 300 since January
    assert any(r["best"] == 301 and r["country_code"] == "BF" for r in totals)


def test_disagreeing_outlets(results):
    ns, sql = results
    by_place = {r["location"]: r for r in sql["disagree"]}
    assert {"Djibo", "Kherson", "Monguno"} <= set(by_place)
    djibo = by_place["Djibo"]
    assert (djibo["killed_low"], djibo["killed_high"], djibo["n_copies"]) == (20, 31, 1)
    assert "Sample Herald (fictional)" in djibo["sources"]  # the syndicated copy is listed among the outlets


def test_figures_with_their_sentences(results):
    ns, sql = results
    figures = ns["figures"]
    assert set(figures.source) == {"Sample Wire (fictional)", "Sample Herald (fictional)", "Sample Radio (fictional)",
                                   "Sample Courier (fictional)"}  # fmt: skip
    assert figures.is_copy.any()  # the syndicated copy's figures are listed, flagged as a copy
    assert all(isinstance(s, str) and s for s in figures.sentence)


def test_why_merged(results):
    ns, sql = results
    assert {r["link"] for r in sql["why"]} == {"seed", "merged"}
    assert all(r["explanation"] for r in sql["why"])


def test_readme_queries_return_rows(readme):
    assert readme, "README.md has no Python example"
    for name, rows in readme.items():
        assert rows, f"README query {name} returned no rows on the sample"


def test_rows_that_changed(results):
    ns, sql = results
    assert sql["moved"] == [] and ns["moved"].empty  # a first run: no row had an id before


def test_doc_states_the_current_thresholds():
    assert f"Jaccard at least {DEFAULTS.timeline_syndication_jaccard}" in DOC
    assert f"word {DEFAULTS.timeline_shingle_words}-gram" in DOC
