"""The Python API, beside the command line (as sqlite-utils has its library beside its CLI): for notebooks.

    process(records, reference_date=None, settings=None, *, name="records") -> Tables
        every stage on articles held in memory (a list of dicts or a pandas DataFrame with the fields of a
        JSON Lines input), validated, the timeline merged; nothing is written
    read_outputs(folder) -> Tables
        the output tables of a run (`python -m pipeline run`), with their native types
    Tables
        the seven tables as Arrow tables (`tables.events`, `tables["events"]`), `to_pandas()` for DataFrames
        with Arrow-backed columns (dates are dates, counts nullable integers, id lists lists), and the
        validation summary

`import pipeline` gives these names (`pipeline.process`, ...) without importing this module until one
is used, so the command line starts fast. `process` walks the chain of `pipeline.run.chain` as the batched
run does on one JSON Lines file: the same ingest of each record, `process_articles` (the per-article
stages, then the Great Expectations suites), then the timeline (`timeline_in_memory`). So it gives the rows
`python -m pipeline run` gives on a file holding the same records, in the same order; only `raw_path`
differs (`name` here, the file's path there).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.ingest.metadata import PUBLISHED_ALIASES
from pipeline.records import as_date
from pipeline.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TABLES", "Settings", "Tables", "process", "read_outputs"]

log = logging.getLogger("pipeline")

TABLES = ("articles", "mentions", "events", "casualties", "rejects", "timeline", "timeline_links")
PUBLISHED_KEYS = ("published", *PUBLISHED_ALIASES)  # a record with any of these has a published date


@dataclass
class Tables:
    """The output tables as Arrow tables, by attribute or by name (`tables.timeline`, `tables["timeline"]`).

    `validation` is the validation summary (as `manifest.json` keeps it: `success`, and per table the rows in
    and out, the rows quarantined per expectation and the failures); `report` the same as text."""

    articles: pa.Table
    mentions: pa.Table
    events: pa.Table
    casualties: pa.Table
    rejects: pa.Table
    timeline: pa.Table
    timeline_links: pa.Table
    validation: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> pa.Table:
        if name not in TABLES:
            raise KeyError(f"no table {name!r}: the tables are {', '.join(TABLES)}")
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def items(self) -> Iterator[tuple[str, pa.Table]]:
        return ((name, getattr(self, name)) for name in TABLES)

    def __repr__(self) -> str:
        rows = ", ".join(f"{name}={table.num_rows}" for name, table in self.items())
        ok = self.validation.get("success")
        outcome = "" if ok is None else "; validation passed" if ok else "; validation FAILED"
        return f"Tables({rows}{outcome})"

    @property
    def report(self) -> str:
        """The validation summary as text, as `validation_report.txt` has it."""
        from pipeline.validate import render_report

        return render_report(self.validation) if self.validation else "no validation summary"

    def to_pandas(self, name: str | None = None) -> pd.DataFrame | dict[str, pd.DataFrame]:
        """One table (`name`) or all of them (a dict by name) as pandas DataFrames with Arrow-backed columns, as
        `pd.read_parquet(path, dtype_backend="pyarrow")` reads the files: dates are `date32`, counts nullable
        integers (a missing figure is `<NA>`, not a float NaN), list columns lists."""
        import pandas as pd

        if name is not None:
            return self[name].to_pandas(types_mapper=pd.ArrowDtype)
        return {n: t.to_pandas(types_mapper=pd.ArrowDtype) for n, t in self.items()}


def process(
    records: Iterable[Mapping[str, Any]] | pd.DataFrame,
    reference_date: date | str | None = None,
    settings: Settings | Mapping[str, Any] | str | Path | None = None,
    *,
    name: str = "records",
) -> Tables:
    """Run every stage on articles held in memory and return the tables; no file is written.

    `records`: a list (any iterable) of dicts or a pandas DataFrame, one article each, with the fields of a JSON
    Lines input: `text` and the metadata keys `id`, `published`, `source`, `url`, `title`, `language`, `timezone`
    (docs/inputs.md); other keys go to `articles.extra`. Missing values (None, and pandas' NaN, NaT and NA)
    count as absent keys. `reference_date` (a date or an ISO string such as "2023-03-03") stands in for
    `published` in records that have none; as in a run, the date in an article's dateline comes first, and an
    article with neither is a `no_reference_date` reject. `settings`: a `Settings`, a dict of keys to
    override, or a TOML file (docs/settings.md); default the defaults. `name` stands for the file name: it is
    `raw_path`, and record N without an `id` is `name:N`.

    Bad articles become `rejects` rows, rows failing a row-level expectation are quarantined there, and a
    table-level failure is logged and shows in `tables.validation["success"]` (the command line exits 3).
    """
    from pipeline.run.chain import ingest_records_stage, process_articles, timeline_in_memory

    settings = _settings(settings)
    default = as_date(reference_date, "process: reference_date", optional=True)
    ingested = ingest_records_stage(_records(records, default), settings, name)
    result, _ = process_articles(ingested.tables["articles"], ingested.rejects, settings)
    validation = result.summary()
    tables = dict(result.tables)
    derived = timeline_in_memory(tables, settings)
    tables |= {t: derived.tables[t] for t in ("timeline", "timeline_links")}
    tables["rejects"] = pa.concat_tables([tables["rejects"], derived.tables["rejects"]])
    summary = derived.summary()
    validation["tables"] |= {t: summary["tables"][t] for t in ("timeline", "timeline_links")}
    validation["success"] = validation["success"] and summary["success"]
    if not validation["success"]:
        log.warning("validation: a table-level expectation failed (see tables.report)")
    return Tables(**_typed(tables), validation=validation)


def read_outputs(folder: str | Path = "data/processed") -> Tables:
    """The output tables of a run (`python -m pipeline run --output FOLDER`) from their Parquet files, with the
    types of their schemas (`schemas/<table>.schema.json`), and the validation summary of its `manifest.json`."""
    folder = Path(folder)
    missing = [t for t in TABLES if not (folder / f"{t}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(
            f"{folder} holds no {', '.join(f'{t}.parquet' for t in missing)}: not the output folder of a run"
        )
    tables = {t: pq.read_table(folder / f"{t}.parquet") for t in TABLES}
    manifest = folder / "manifest.json"
    validation = json.loads(manifest.read_text(encoding="utf-8")).get("validation", {}) if manifest.is_file() else {}
    return Tables(**_typed(tables), validation=validation)


# ------------------------------------------------------------------ helpers
def _typed(tables: Mapping[str, pa.Table]) -> dict[str, pa.Table]:
    """Each table with its schema of `schemas/`, in one chunk per column."""
    from pipeline.tables import spec

    return {t: tables[t].cast(spec(t).arrow_schema).combine_chunks() for t in TABLES}


def _settings(settings: Settings | Mapping[str, Any] | str | Path | None) -> Settings:
    if settings is None:
        return Settings()
    if isinstance(settings, Settings):
        return settings
    if isinstance(settings, (str, Path)):
        return load_settings(settings)
    if isinstance(settings, Mapping):
        known = {f.name for f in fields(Settings)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise SettingsError(f"unknown settings key(s): {', '.join(map(str, unknown))} (see docs/settings.md)")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()}
        return replace(Settings(), **values)
    kind = type(settings).__name__
    raise TypeError(f"settings must be a Settings, a dict of settings, a TOML file or None, not {kind}")


def _records(records: Iterable[Mapping[str, Any]] | pd.DataFrame, default: date | None) -> Iterator[Any]:
    """The records as plain dicts: missing values left out, numpy scalars as Python values, and the default
    published date where a record has none. Raises TypeError at once for what is not a list of records."""
    if type(records).__name__ == "DataFrame" and hasattr(records, "to_dict"):
        records = records.to_dict(orient="records")
    elif isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
        raise TypeError(f"records must be a list of dicts or a DataFrame, not {type(records).__name__}")
    return _plain_records(records, default)


def _plain_records(records: Iterable[Any], default: date | None) -> Iterator[Any]:
    for record in records:
        if not isinstance(record, Mapping):
            yield record  # ingest rejects it, naming the record
            continue
        plain = {k: _plain(v) for k, v in record.items() if not _missing(v)}
        if default is not None and not any(k in plain and plain[k] != "" for k in PUBLISHED_KEYS):
            plain["published"] = default
        yield plain


def _missing(value: Any) -> bool:
    """None, a float NaN, or pandas' NaT / NA (a DataFrame's empty cells)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ in ("NaTType", "NAType")


def _plain(value: Any) -> Any:
    """numpy values (a DataFrame's int64, bool_, arrays) as the Python values JSON would give."""
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return value.tolist()
    return value
