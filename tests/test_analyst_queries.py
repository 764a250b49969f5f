"""The example queries of docs/analysts.md run as written (pandas and DuckDB) and agree with each other."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pytest

from pipeline.export import write_table
from pipeline.paths import ROOT
from pipeline.settings import DEFAULTS
from pipeline.tables import to_arrow
from pipeline.timeline import build_timeline
from tests.test_timeline_merge import reports

DOC = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```(python|sql)\n(.*?)```", re.S)


def blocks(lang: str) -> dict[str, str]:
    """Code blocks of one language by the name on their first line (`# query: NAME` / `-- query: NAME`)."""
    out = {}
    for found_lang, body in BLOCK.findall(DOC):
        if found_lang == lang:
            name = re.match(r"(?:#|--) query: (\w+)", body).group(1)
            out[name] = body
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("analyst")
    folder = root / "data" / "processed"
    folder.mkdir(parents=True)
    arts, evs, cas = reports()
    tables = {"articles": to_arrow("articles", arts), "events": to_arrow("events", evs), "casualties": to_arrow("casualties", cas)}
    tables.update(build_timeline(*tables.values()))
    for name, table in tables.items():
        write_table(name, table, folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        namespace: dict = {}
        for body in blocks("python").values():
            exec(compile(body, "docs/analysts.md", "exec"), namespace)
        sql = {name: duckdb.sql(body).fetchall() for name, body in blocks("sql").items()}
    return namespace, sql


def test_every_sql_query_has_a_pandas_twin():
    assert set(blocks("sql")) <= set(blocks("python"))
    assert {"daily", "in_range", "figures"} <= set(blocks("sql"))


def test_daily_killed_in_a_country(results):
    ns, sql = results
    # 14 March: the Kirkuk bombing (best 16 of 14-19) and the Erbil bomb (3); 16 March: Kirkuk again (2)
    expected = [(date(2023, 3, 14), 19, 17, 22, 2), (date(2023, 3, 16), 2, 2, 2, 1)]
    assert sql["daily"] == expected
    got = [(d, int(k), int(lo), int(hi), int(n)) for d, k, lo, hi, n in ns["daily"].itertuples(index=False)]
    assert got == expected


def test_events_in_a_date_range(results):
    ns, sql = results
    assert [r[0] for r in sql["in_range"]] == ns["in_range"].timeline_id.tolist()
    assert sorted(r[5] for r in sql["in_range"]) == ["Erbil", "Kirkuk"]


def test_figures_with_their_sentences(results):
    ns, sql = results
    figures = ns["figures"]
    assert len(sql["figures"]) == len(figures) > 0
    assert set(figures.source) == {"Wire", "Daily Star", "Gulf Times", "Evening Post"}
    assert figures.is_copy.any()  # the syndicated copy's figures are listed, flagged as a copy
    assert all(isinstance(s, str) and s for s in figures.sentence)
    assert [r[10] for r in sql["figures"]] == figures.text.tolist()


def test_why_merged(results):
    ns, sql = results
    assert len(sql["why"]) == len(reports()[1])
    assert ns["why"].explanation.str.len().gt(0).all()


def test_rows_that_changed(results):
    ns, sql = results
    assert sql["moved"] == [] and ns["moved"].empty  # a first run: no row had an id before


def test_doc_states_the_current_thresholds():
    assert f"Jaccard at least {DEFAULTS.timeline_syndication_jaccard}" in DOC
    assert f"word {DEFAULTS.timeline_shingle_words}-gram" in DOC
