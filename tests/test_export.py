"""Export: explicit schemas, CSV safety, atomic publication, loading in other engines."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import export
from pipeline.paths import TABLES
from pipeline.tables import spec, to_arrow
from tests import factories as f


def write_all(folder: Path, tables: dict[str, pa.Table]) -> None:
    for name, table in tables.items():
        export.write_table(name, table, folder)


@pytest.mark.parametrize(
    "cell, written",
    [
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("plain title", "plain title"),
        ("a = b", "a = b"),
        (None, None),
    ],
)
def test_csv_neutralises_formula_cells(cell, written):
    table = pa.table({"title": pa.array([cell], pa.string()), "n": pa.array([-5], pa.int64())})
    out = export.neutralise_formulas(table)
    assert out.column("title").to_pylist() == [written]
    assert out.column("n").to_pylist() == [-5]  # numbers are never touched


def test_formula_cells_are_found_from_first_bytes_as_the_regex_finds_them():
    """`_formula_cells` reads each cell's first byte from the buffers: sliced arrays, several chunks, nulls (with
    and without data behind them), empty cells and cells opening with a multi-byte character give what the regex
    gives."""
    import itertools

    import pyarrow.compute as pc

    openings = ["=", "+", "-", "@", "\t", "\r", "a", " ", "é", "€", "😀", "'", "0", "\n"]
    cells = ["".join(p) for p in itertools.product(openings, ["", "=1", "x"])] + ["", None]
    whole = pa.array(cells * 3, pa.string())
    column = pa.chunked_array([whole.slice(5, 40), whole.slice(0, 0), whole.slice(41), pa.array([None, ""], pa.string())])
    expected = pc.fill_null(pc.match_substring_regex(column, export._FORMULA_START), False)
    assert export._formula_cells(column).to_pylist() == expected.to_pylist()
    assert sum(expected.to_pylist()) > 10  # the table does hold formula-like cells
    # a null slot with bytes behind it (allowed by Arrow) is never a formula
    data = pa.py_buffer(b"=x")
    masked = pa.Array.from_buffers(pa.string(), 1, [pa.py_buffer(b"\x00"), pa.py_buffer((0).to_bytes(4, "little") + (2).to_bytes(4, "little")), data], 1)
    assert export._formula_cells(pa.chunked_array([masked])).to_pylist() == [False]


def test_parquet_keeps_schema_and_csv_is_iso(tmp_path):
    tables = f.tables()
    write_all(tmp_path, tables)
    for name in TABLES:
        assert pq.read_schema(tmp_path / f"{name}.parquet").remove_metadata() == spec(name).arrow_schema.remove_metadata()
    header, row = (tmp_path / "mentions.csv").read_text().splitlines()[:2]
    assert header.replace('"', "").split(",")[:3] == ["mention_id", "article_id", "char_start"]
    assert "2021-03-01" in row


def test_outputs_load_in_polars_and_duckdb(tmp_path):
    polars = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    write_all(tmp_path, f.tables())
    pl_frame = polars.read_parquet(tmp_path / "casualties.parquet")
    assert pl_frame["low"].to_list() == [2] and str(pl_frame["date_start"].dtype) == "Date"
    pl_csv = polars.read_csv(tmp_path / "casualties.csv", try_parse_dates=True)
    assert pl_csv["best"].to_list() == [2]
    con = duckdb.connect()
    assert con.execute(f"select sum(best) from '{tmp_path / 'casualties.parquet'}'").fetchall() == [(2,)]
    got = con.execute(f"select date_start, cumulative from read_csv_auto('{tmp_path / 'casualties.csv'}')").fetchall()[0]
    assert str(got[0]) == "2021-03-01" and got[1] is False


def test_publish_replaces_outputs_and_keeps_foreign_files(tmp_path):
    out = tmp_path / "processed"
    out.mkdir()
    (out / "README.md").write_text("keep me")
    (out / "articles.csv").write_text("old")
    export.publish(out, lambda d: (d / "articles.csv").write_text("new"))
    assert (out / "articles.csv").read_text() == "new"
    assert (out / "README.md").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]


def test_crash_while_writing_leaves_previous_outputs(tmp_path):
    out = tmp_path / "processed"
    export.publish(out, lambda d: (d / "articles.csv").write_text("good"))

    def crash(folder: Path) -> None:
        (folder / "articles.csv").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export.publish(out, crash)
    assert (out / "articles.csv").read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]


def test_recover_after_crash_between_renames(tmp_path):
    out = tmp_path / "processed"
    export.publish(out, lambda d: (d / "articles.csv").write_text("good"))
    os.rename(out, tmp_path / ".processed.old")  # the crash happened after the first rename
    export.recover(out)
    assert (out / "articles.csv").read_text() == "good"


def test_to_arrow_rejects_unknown_columns():
    with pytest.raises(KeyError):
        to_arrow("rejects", [{"stage": "x", "reason": "y", "message": "z", "colour": "red"}])
