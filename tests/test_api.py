"""The Python API (`pipeline.process`, `pipeline.read_outputs`, `pipeline.Tables`), the README's examples of it and
of `--partition`, and the public functions that take a date.

The README's examples run as written in a folder laid out like the project: `data/raw/` holds the JSON Lines file
the API example reads, `data/processed/` what `python -m pipeline run --partition` wrote from that same file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline.api import TABLES
from pipeline.ingest import parse_dateline
from pipeline.paths import RAW, ROOT
from pipeline.settings import Settings, SettingsError
from pipeline.tables import spec
from pipeline.temporal import normalise

README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON = re.findall(r"```python\n(.*?)```", README, re.S)
API_EXAMPLE = next(b for b in PYTHON if "pipeline.process(" in b)
PARTITION_EXAMPLE = next(b for b in PYTHON if "partitioned/timeline" in b)
EXAMPLE_FILE = re.search(r'"data/raw/([\w.-]+\.jsonl)"', API_EXAMPLE).group(1)


def files(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """data/raw/ with the README example's file, and data/processed/ from `python -m pipeline run --partition` on it."""
    root = tmp_path_factory.mktemp("project")
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copy(RAW / EXAMPLE_FILE, root / "data" / "raw" / EXAMPLE_FILE)
    command = [sys.executable, "-m", "pipeline", "run", "--input", str(root / "data" / "raw" / EXAMPLE_FILE),
               "--output", str(root / "data" / "processed"), "--work", str(root.parent / f"{root.name}-work"),
               "--partition", "--quiet"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return root


def run_block(folder: Path, block: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.chdir(folder)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def example(project):
    before = files(project)
    with pytest.MonkeyPatch.context() as mp:
        namespace = run_block(project, API_EXAMPLE, mp)
    assert files(project) == before, "the API example wrote files"
    return namespace


def written(project: Path, table: str) -> pa.Table:
    return pq.read_table(project / "data" / "processed" / f"{table}.parquet")


# ---------------------------------------------------------------- the README's example = a run on the same articles
@pytest.mark.parametrize("table", TABLES)
def test_readme_example_gives_the_tables_of_a_run(project, example, table):
    got, want = example["tables"][table], written(project, table)
    assert got.schema.equals(want.schema)
    if table != "rejects":
        assert got.num_rows > 0, f"the example gives no {table}"
    # raw_path names the input: the file for the run, `records` (the default `name`) for the API
    if "raw_path" in got.column_names:
        assert set(got.column("raw_path").to_pylist()) <= {"records"}
        assert set(want.column("raw_path").to_pylist()) <= {EXAMPLE_FILE}
        got, want = got.drop_columns(["raw_path"]), want.drop_columns(["raw_path"])
    assert got.to_pylist() == want.to_pylist()


def test_read_outputs_gives_the_files_with_their_schemas_and_validation(project, example):
    saved = example["saved"]
    assert isinstance(saved, pipeline.Tables)
    for table in TABLES:
        assert saved[table].equals(written(project, table)), table
        assert saved[table].schema.equals(spec(table).arrow_schema), table
    manifest = json.loads((project / "data" / "processed" / "manifest.json").read_text())
    assert saved.validation == manifest["validation"]
    assert example["tables"].validation["success"] and set(example["tables"].validation["tables"]) == set(TABLES)


def test_to_pandas_reads_like_read_parquet_with_arrow_types(project, example):
    path = project / "data" / "processed"
    read = pd.read_parquet(path / "casualties.parquet", dtype_backend="pyarrow")
    pd.testing.assert_frame_equal(example["casualties"], read)
    frames = example["tables"].to_pandas()
    assert list(frames) == list(TABLES)
    timeline = frames["timeline"]
    assert timeline.date_start.dtype == pd.ArrowDtype(pa.date32())
    assert timeline.killed_low.dtype == pd.ArrowDtype(pa.int64()) and timeline.killed_low.isna().any()
    assert pa.types.is_list(timeline.event_ids.dtype.pyarrow_dtype)


# ---------------------------------------------------------------- --partition: every table, the timeline included
def test_readme_partition_recipe_reads_one_month_of_the_timeline(project):
    with pytest.MonkeyPatch.context() as mp:
        march = run_block(project, PARTITION_EXAMPLE, mp)["march"]
    flat = pl.read_parquet(project / "data" / "processed" / "timeline.parquet")
    in_march = flat.filter(pl.col("date_start").dt.strftime("%Y-%m") == "2023-03")
    assert march.height == in_march.height > 0
    assert march.schema["sources"] == pl.List(pl.String)
    assert sorted(march["date_start"].to_list()) == sorted(in_march["date_start"].to_list())


KINDS = {
    "list": (pa.types.is_list, pa.types.is_large_list, pa.types.is_list_view, pa.types.is_large_list_view),
    "string": (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view),
    "date": (pa.types.is_date,), "integer": (pa.types.is_integer,), "float": (pa.types.is_floating,),
    "bool": (pa.types.is_boolean,),
}  # fmt: skip


def kind(t: pa.DataType) -> str:
    """A column's type as each reader may spell it (polars reads strings and lists as large ones)."""
    return next(k for k, tests in KINDS.items() if any(test(t) for test in tests))


READERS = {
    "pyarrow": lambda root: ds.dataset(root, partitioning="hive").to_table(),
    "polars": lambda root: pl.scan_parquet(f"{root}/**/*.parquet", hive_partitioning=True).collect().to_arrow(),
    "duckdb": lambda root: duckdb.sql(f"FROM read_parquet('{root}/**/*.parquet', hive_partitioning=true)").to_arrow_table(),
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("table", [t for t in TABLES if t != "rejects"])
def test_every_partitioned_table_reads_as_one_dataset(project, table, reader):
    flat = written(project, table)
    got = READERS[reader](project / "data" / "processed" / "partitioned" / table)
    assert got.num_rows == flat.num_rows > 0
    assert set(got.column_names) == set(flat.column_names) | {"month"}
    key = spec(table).primary_key
    assert sorted(got.column(key).to_pylist()) == sorted(flat.column(key).to_pylist())
    for f in flat.schema:  # list columns stay lists, dates dates, counts integers
        assert kind(got.schema.field(f.name).type) == kind(f.type), f.name
    months = set(got.column("month").to_pylist())
    assert months and all(re.fullmatch(r"\d{4}-\d{2}|unknown", str(m)) for m in months)


def test_timeline_is_partitioned_by_the_month_its_interval_starts(project):
    root = project / "data" / "processed" / "partitioned" / "timeline"
    got = ds.dataset(root, partitioning="hive").to_table().to_pylist()
    assert len({r["month"] for r in got}) > 1
    assert all(r["month"] == (f"{r['date_start']:%Y-%m}" if r["date_start"] else "unknown") for r in got)


# ---------------------------------------------------------------- process: records in, tables out
DEFAULT = "2023-03-08"
RECORDS = [
    {"id": "own-date", "published": "2023-03-06", "source": "Sample Post", "text": "Two guards were killed in Eastmere on Monday, police said."},
    {"id": "no-date", "text": "Four miners were injured at a quarry near Lowfield on Tuesday, the company said."},
    {"id": "dateline", "text": "WESTPORT, March 2 (Sample Wire) - A ferry fire killed three passengers on Thursday, officials said."},
    {"text": "Flooding cut the road between Brackley and Ormsby on Sunday, the county said."},
    {"id": "no-text", "title": "A headline without a story"},
    "not a mapping",
    {"id": "copy", "published": "2023-03-07", "text": "Two guards were killed in Eastmere on Monday, police said."},
    {"id": "alias", "date": "2023-02-01", "text": "A storm damaged 40 homes in Kettleby on Saturday, the mayor said."},
]  # fmt: skip


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    empty = tmp_path_factory.mktemp("cwd")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(empty)
        tables = pipeline.process(RECORDS, reference_date=DEFAULT)
        assert not any(empty.iterdir()), "process wrote files"
    return tables


def by_source(table: pa.Table) -> dict[str, dict]:
    return {r["source_id"]: r for r in table.to_pylist()}


@pytest.mark.parametrize(
    "source_id, published, reference_date, basis",
    [
        ("own-date", "2023-03-06", date(2023, 3, 6), "metadata"),  # its own date stays
        ("no-date", DEFAULT, date(2023, 3, 8), "metadata"),  # reference_date stands in for `published`
        ("dateline", DEFAULT, date(2023, 3, 2), "dateline"),  # the dateline still comes first (its year from the default)
        ("records:4", DEFAULT, date(2023, 3, 8), "metadata"),  # no id: named like line 4 of a file called `records`
        ("alias", "2023-02-01", date(2023, 2, 1), "metadata"),  # a published date under another key is one
    ],
)  # fmt: skip
def test_process_accepts_articles(processed, source_id, published, reference_date, basis):
    row = by_source(processed.articles)[source_id]
    assert (row["published"], row["reference_date"], row["reference_basis"], row["raw_path"]) == (
        published, reference_date, basis, "records",
    )  # fmt: skip


@pytest.mark.parametrize(
    "source_id, reason, message",
    [
        ("no-text", "no_text", "record 5 of records has no text"),
        ("records:6", "bad_json", "record 6 of records is str, not a mapping"),
        ("copy", "duplicate", "copy (records) is a copy of own-date (records)"),
    ],
)
def test_process_rejects_bad_records_with_a_reason(processed, source_id, reason, message):
    row = by_source(processed.rejects)[source_id]
    assert (row["stage"], row["reason"]) == ("ingest", reason) and row["message"].startswith(message)


def test_process_runs_every_stage_and_accounts_for_every_record(processed):
    at_ingest = processed.rejects.column("stage").to_pylist().count("ingest")
    assert processed.articles.num_rows + at_ingest == len(RECORDS)
    for table in ("mentions", "events", "casualties", "timeline", "timeline_links"):
        assert processed[table].num_rows > 0, table
    killed = [r for r in processed.casualties.to_pylist() if r["category"] == "killed"]
    assert {(r["best"], r["date_start"]) for r in killed} >= {(2, date(2023, 3, 6)), (3, date(2023, 3, 2))}


def test_process_reads_a_dataframe_with_missing_cells_and_numpy_values():
    frame = pd.DataFrame(
        {
            "id": ["first", "second"],
            "published": ["2023-03-06", None],
            "title": [None, "Second story"],
            "words": [11, 12],
            "text": ["Two guards were killed in Eastmere on Monday.", "A bridge collapsed in Lowfield on Tuesday."],
        }
    )
    tables = pipeline.process(frame)
    (article,) = tables.articles.to_pylist()
    assert (article["source_id"], article["title"], article["published"]) == ("first", None, "2023-03-06")
    assert json.loads(article["extra"]) == {"words": 11}  # an int, not "11" or "nan"
    (reject,) = tables.rejects.to_pylist()
    assert (reject["source_id"], reject["reason"]) == ("second", "no_reference_date")  # an empty cell is no date


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"reference_date": "yesterday"}, ValueError, "reference_date 'yesterday' is not an ISO date"),
        ({"reference_date": 20230308}, TypeError, "reference_date must be a date"),
        ({"settings": {"no_such_key": 1}}, SettingsError, "unknown settings key(s): no_such_key"),
        ({"settings": 42}, TypeError, "settings must be a Settings"),
        ({"records": "a text"}, TypeError, "records must be a list of dicts or a DataFrame"),
        ({"records": {"text": "a text"}}, TypeError, "records must be a list of dicts or a DataFrame"),
    ],
)
def test_process_refuses_wrong_arguments_before_any_work(kwargs, error, words):
    kwargs = {"records": [{"text": "x", "published": "2023-03-01"}], **kwargs}
    with pytest.raises(error, match=re.escape(words)):
        pipeline.process(**kwargs)


@pytest.mark.parametrize(
    "settings, reasons, timeline",
    [
        ({"min_text_chars": 1000}, ["empty"], 0),
        ("min_text_chars = 1000", ["empty"], 0),  # a TOML file
        (Settings(min_text_chars=1000), ["empty"], 0),
        ({"max_file_bytes": 20}, ["too_large"], 0),  # in UTF-8 bytes, as a line of JSON Lines is
        ({"timeline_max_merge_days": 5}, [], 1),
    ],
)
def test_process_takes_settings_as_a_dict_a_file_or_settings(tmp_path, settings, reasons, timeline):
    if isinstance(settings, str):
        (tmp_path / "s.toml").write_text(settings + "\n")
        settings = tmp_path / "s.toml"
    tables = pipeline.process([{"text": "Two guards were killed in Eastmere on Monday.", "published": "2023-03-08"}], settings=settings)
    assert tables.rejects.column("reason").to_pylist() == reasons
    assert tables.timeline.num_rows == timeline


def test_tables_by_name_and_attribute(processed):
    assert list(processed) == list(TABLES)
    assert all(processed[name] is getattr(processed, name) for name in TABLES)
    with pytest.raises(KeyError, match="no table 'nope'"):
        processed["nope"]
    assert repr(processed).startswith(f"Tables(articles={processed.articles.num_rows}, mentions=")
    assert processed.report.startswith("Validation: PASSED") and "timeline_links" in processed.report


def test_read_outputs_of_a_folder_that_is_no_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="not the output folder of a run"):
        pipeline.read_outputs(tmp_path)


def test_import_pipeline_exposes_the_api_and_nothing_unknown():
    assert {"process", "read_outputs", "Tables", "Settings"} <= set(dir(pipeline))
    assert pipeline.Settings is Settings
    with pytest.raises(AttributeError):
        pipeline.no_such_name  # noqa: B018


# ---------------------------------------------------------------- public functions take a date or an ISO string
DATELINE = "WESTPORT, Oct 20 (Sample Wire) - Two people were killed on Monday."


@pytest.mark.parametrize(
    "call, as_string, as_date",
    [
        (lambda d: parse_dateline(DATELINE, d), "2020-10-21", date(2020, 10, 21)),
        (lambda d: parse_dateline(DATELINE, d), "2020-10-21T23:30:00+03:00", date(2020, 10, 21)),
        (lambda d: normalise(DATELINE, d), "2020-10-21", date(2020, 10, 21)),
    ],
)
def test_a_string_date_works_like_a_date(call, as_string, as_date):
    assert call(as_string) == call(as_date)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: parse_dateline(DATELINE, 20201021), TypeError, "parse_dateline: published must be a date"),
        (lambda: parse_dateline(DATELINE, "21/10/2020"), ValueError, "parse_dateline: published '21/10/2020' is not an ISO date"),
        (lambda: parse_dateline(None, "2020-10-21"), TypeError, "parse_dateline: text must be a str"),
        (lambda: normalise(DATELINE, None), TypeError, "normalise: reference must be a date"),
        (lambda: normalise(DATELINE, "Monday"), ValueError, "normalise: reference 'Monday' is not an ISO date"),
    ],
)  # fmt: skip
def test_a_wrong_date_fails_at_the_public_boundary(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()
