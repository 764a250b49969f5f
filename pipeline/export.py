"""Export stage: Parquet (explicit Arrow schemas) and CSV for every table, plus the manifest.

List columns (`timeline.event_ids`, ...) are Arrow lists in Parquet and `;`-joined strings in CSV
(`csv_table`): any writer of a CSV file calls `csv_table` on what it writes.

Everything is written into a staging folder beside the output folder; once it is complete, a
commit plan is written into it, and each name the run wrote is moved into the output folder
(`os.replace`, one step each; the manifest last), and names an earlier run wrote that this one did
not (`stale`) are removed. Only those names are touched: the output folder itself stays (its
permissions, its owner, a link pointing to it), other files in it stay, and a symbolic link is never
followed. A crash or Ctrl-C before the plan is written leaves the previous outputs untouched; Ctrl-C
and SIGTERM wait while the plan is carried out (milliseconds), and after a kill -9 in the middle of
it, `recover`, at the start of the next run, carries out the rest of the plan.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.tables import spec

# A spreadsheet runs cells starting with these as formulas (CSV injection); prefix them with a quote.
_FORMULA_START = r"^[=+\-@\t\r]"
# The same characters as bytes: all ASCII, so a UTF-8 cell starts with one exactly when its first byte is one
# (an ASCII byte is never part of a longer character), and `_formula_cells` reads only each cell's first byte.
_FORMULA_BYTES = np.frombuffer(b"=+-@\t\r", dtype=np.uint8)
LIST_SEP = ";"  # list columns (ids, outlets, types) in CSV: the items joined with this


def neutralise_formulas(table: pa.Table) -> pa.Table:
    """Prefix string cells that a spreadsheet would evaluate with `'` (CSV only; Parquet keeps the raw text)."""
    columns = []
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_string(col.type):
            risky = _formula_cells(col)
            if pc.any(risky).as_py():  # rare: most columns have no such cell, and the join copies every string
                col = pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)
        columns.append(col)
    return pa.table(columns, schema=table.schema)


def _formula_cells(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Which cells of a string column a spreadsheet would run (`_FORMULA_START`), null cells never; what
    `match_substring_regex(col, _FORMULA_START)` says, from the first byte of each cell in the column's own
    buffers (the regex reads every cell through the engine: half the CSV conversion of a table of sentences)."""
    out = []
    for chunk in col.chunks:
        n = len(chunk)
        _, offsets, data = chunk.buffers()
        if n == 0 or data is None or data.size == 0:  # no cells, or only empty ones
            out.append(pa.array(np.zeros(n, dtype=bool)))
            continue
        ends = np.frombuffer(offsets, dtype=np.int32)[chunk.offset : chunk.offset + n + 1]
        starts, filled = ends[:-1], ends[1:] > ends[:-1]
        first = np.frombuffer(data, dtype=np.uint8)[np.where(filled, starts, 0)]
        risky = filled & np.isin(first, _FORMULA_BYTES)
        if chunk.null_count:
            risky &= chunk.is_valid().to_numpy(zero_copy_only=False)
        out.append(pa.array(risky))
    return pa.chunked_array(out, pa.bool_())


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
    return out_dir.parent / f".{out_dir.name}.old"  # the folder swap of earlier versions


PLAN = ".commit.json"  # in a staging folder: complete, to be moved in (names to move, names to remove)
LAST = "manifest.json"  # moved last: a manifest always describes files already in place


def recover(out_dir: Path) -> None:
    """Finish a publish that a crash interrupted, and remove staging folders that never got complete."""
    old = _old(out_dir)
    if old.exists():
        if out_dir.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, out_dir)
    if out_dir.parent.exists():
        for stale in sorted(out_dir.parent.glob(f".{out_dir.name}.staging-*")):
            if (stale / PLAN).is_file():
                _commit(stale, out_dir)
            else:
                shutil.rmtree(stale, ignore_errors=True)


def publish(out_dir: Path, write: Callable[[Path], None], stale: Iterable[str] = ()) -> None:
    """Run `write(staging)` and make its files the outputs in `out_dir`, replacing only those names.

    `stale`: names in `out_dir` that an earlier run wrote; those this run does not write are removed.
    Files in `out_dir` that `write` did not produce and that are not `stale` (a README) are left alone.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        write(staging)
        names = sorted(p.name for p in staging.iterdir())
        plan = {"move": names, "remove": sorted(set(stale) - set(names) - {PLAN})}
        tmp = staging / f"{PLAN}.tmp"
        tmp.write_text(json.dumps(plan) + "\n", encoding="utf-8")
        os.replace(tmp, staging / PLAN)  # from here on the publish happens, now or in `recover`
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with _signals_held():
        _commit(staging, out_dir)


def _commit(staging: Path, out_dir: Path) -> None:
    """Carry out a staging folder's plan; safe to repeat after a crash at any point."""
    plan = json.loads((staging / PLAN).read_text(encoding="utf-8"))
    out_dir.mkdir(exist_ok=True)
    trash = staging / ".replaced"
    for name in plan["move"]:
        if name != LAST:
            _move(staging / name, out_dir / name, trash)
    for name in plan["remove"]:
        _remove(out_dir / name, trash)
    if LAST in plan["move"]:
        _move(staging / LAST, out_dir / LAST, trash)
    shutil.rmtree(staging)


def _move(src: Path, dst: Path, trash: Path) -> None:
    if not os.path.lexists(src):
        return  # moved before a crash
    if dst.is_dir() and not dst.is_symlink():  # a folder is not replaced in one step: move the old one out first
        _remove(dst, trash)
    os.replace(src, dst)  # a link at `dst` is replaced itself, never followed


def _remove(path: Path, trash: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        trash.mkdir(exist_ok=True)
        os.rename(path, trash / f"{path.name}-{len(list(trash.iterdir()))}")
    elif os.path.lexists(path):
        os.unlink(path)  # a file, or a link (never what it points to)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block ends (they act right after it), so a commit is never cut short."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
