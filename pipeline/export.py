"""Export stage: Parquet (explicit Arrow schemas) and CSV for every table, plus the manifest.

List columns (`timeline.event_ids`, ...) are Arrow lists in Parquet and `;`-joined strings in CSV
(`csv_table`): any writer of a CSV file calls `csv_table` on what it writes.

Everything is written into a staging folder beside the output folder, which then
replaces the output folder with two renames. A crash or Ctrl-C before the swap
leaves the previous outputs untouched; a crash between the two renames is
repaired by `recover` at the start of the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.tables import spec

# A spreadsheet runs cells starting with these as formulas (CSV injection); prefix them with a quote.
_FORMULA_START = r"^[=+\-@\t\r]"
LIST_SEP = ";"  # list columns (ids, outlets, types) in CSV: the items joined with this


def neutralise_formulas(table: pa.Table) -> pa.Table:
    """Prefix string cells that a spreadsheet would evaluate with `'` (CSV only; Parquet keeps the raw text)."""
    columns = []
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_string(col.type):
            risky = pc.fill_null(pc.match_substring_regex(col, _FORMULA_START), False)
            col = pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)
        columns.append(col)
    return pa.table(columns, schema=table.schema)


def join_lists(table: pa.Table) -> pa.Table:
    """List columns as `;`-joined strings (CSV has no lists; Parquet keeps them as Arrow lists)."""
    columns, fields = [], []
    for f, col in zip(table.schema, table.columns):
        if pa.types.is_list(f.type) or pa.types.is_large_list(f.type):
            col = pc.binary_join(col, LIST_SEP)
            f = pa.field(f.name, pa.string(), nullable=f.nullable)
        columns.append(col)
        fields.append(f)
    return pa.table(columns, schema=pa.schema(fields, metadata=table.schema.metadata))


def csv_table(table: pa.Table) -> pa.Table:
    """The table as its CSV file holds it: lists joined with `;`, formula-like cells neutralised."""
    return neutralise_formulas(join_lists(table))


def write_table(name: str, table: pa.Table, folder: Path) -> None:
    table = table.cast(spec(name).arrow_schema)
    pq.write_table(table, folder / f"{name}.parquet", compression="zstd")
    pacsv.write_csv(
        csv_table(table),
        folder / f"{name}.csv",
        write_options=pacsv.WriteOptions(quoting_style="needed"),
    )


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def _old(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.old"


def recover(out_dir: Path) -> None:
    """Finish or undo a swap that a crash interrupted, and remove stale staging folders."""
    old = _old(out_dir)
    if old.exists():
        if out_dir.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, out_dir)
    if out_dir.parent.exists():
        for stale in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
            shutil.rmtree(stale, ignore_errors=True)


def publish(out_dir: Path, write: Callable[[Path], None]) -> None:
    """Run `write(staging)` and atomically make its result the content of `out_dir`.

    Files in `out_dir` that `write` did not produce (a README, .gitkeep) are carried over.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        write(staging)
        if out_dir.exists():
            for item in out_dir.iterdir():
                target = staging / item.name
                if not target.exists():
                    if item.is_dir():
                        shutil.copytree(item, target)
                    else:
                        shutil.copy2(item, target)
            os.rename(out_dir, _old(out_dir))
        os.rename(staging, out_dir)
        shutil.rmtree(_old(out_dir), ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
