"""Wiring: chain the stages, keep the books, publish the outputs.

`run` chains every stage in memory; `run_stage` runs one stage, reading what the
previous stage left in the work folder (`data/interim/`) and writing its own.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import export, manifest
from pipeline.settings import Settings
from pipeline.stages import StageOutput, extract_stage, ingest_stage, temporal_stage
from pipeline.tables import empty, to_arrow

log = logging.getLogger("pipeline")

# Exit codes (documented in README "Exit codes").
OK, OK_WITH_REJECTS, USAGE, VALIDATION_FAILED, LOCKED, CRASHED = 0, 1, 2, 3, 4, 70


class RunLocked(RuntimeError):
    pass


@contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for the output folder, so two scheduled runs never overlap."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    path = out_dir.parent / f".{out_dir.name}.lock"
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RunLocked(f"another run is writing {out_dir} (lock {path} held by {holder}); exiting") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def progress_bar(settings: Settings, desc: str):
    show = settings.progress == "always" or (settings.progress == "auto" and sys.stderr.isatty())
    if not show:
        return None
    from tqdm import tqdm

    return lambda items, total: tqdm(items, total=total, desc=desc, unit="art", leave=False, mininterval=0.5)


@dataclass
class Timer:
    start: float = 0.0

    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start


def _reasons(rows: list[dict[str, Any]]) -> str:
    counts = Counter(r["reason"] for r in rows)
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"


# ------------------------------------------------------------------ stages as steps
def step_ingest(input_path: Path, settings: Settings) -> StageOutput:
    with Timer() as t:
        out = ingest_stage(input_path, settings)
    s = out.stats
    log.info(
        "ingest:   %d input articles -> %d accepted, %d rejected (%s) [%.2fs]",
        s["input_articles"], s["accepted"], s["rejected"], _reasons(out.rejects), t.seconds,
    )  # fmt: skip
    return out


def step_temporal(articles: pa.Table, settings: Settings) -> StageOutput:
    with Timer() as t:
        out = temporal_stage(articles, progress_bar(settings, "temporal"))
    log.info("temporal: %d mentions in %d articles, %d errors [%.2fs]", out.stats["mentions"], articles.num_rows, len(out.rejects), t.seconds)
    return out


def step_extract(articles: pa.Table, mentions: pa.Table, settings: Settings) -> StageOutput:
    with Timer() as t:
        out = extract_stage(articles, mentions, progress_bar(settings, "extract"))
    log.info(
        "extract:  %d events, %d casualty figures, %d errors [%.2fs]",
        out.stats["events"], out.stats["casualties"], len(out.rejects), t.seconds,
    )  # fmt: skip
    return out


def step_validate(tables: dict[str, pa.Table]):
    from pipeline.validate import validate_tables

    with Timer() as t:
        result = validate_tables(tables)
    quarantined = sum(sum(r.quarantined.values()) for r in result.reports.values())
    log.info("validate: %s, %d rows quarantined [%.2fs]", "passed" if result.success else "FAILED", quarantined, t.seconds)
    return result


def accounting(ingest_stats: dict[str, Any], tables: dict[str, pa.Table]) -> dict[str, Any]:
    rejects = tables["rejects"].to_pylist()
    ingest_rejected = sum(1 for r in rejects if r["stage"] == "ingest")
    quarantined = sum(1 for r in rejects if r["stage"] == "validate" and r["table"] == "articles")
    accepted = tables["articles"].num_rows
    n = ingest_stats["input_articles"]
    return {
        "input_articles": n,
        "accepted": accepted,
        "rejected_at_ingest": ingest_rejected,
        "quarantined_articles": quarantined,
        "balanced": n == accepted + ingest_rejected + quarantined,
    }


def step_export(
    out_dir: Path, tables: dict[str, pa.Table], validation: dict[str, Any], report: str, input_path: Path,
    input_files: list[Path], settings: Settings, ingest_stats: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    books = accounting(ingest_stats, tables)
    data = manifest.build(
        input_path=input_path, input_files=input_files, settings=settings, tables=tables,
        accounting=books, validation=validation,
    )  # fmt: skip

    def write(folder: Path) -> None:
        for name, table in tables.items():
            export.write_table(name, table, folder)
        (folder / "validation_report.txt").write_text(report + "\n", encoding="utf-8")
        export.write_json(folder / "manifest.json", data)

    with Timer() as t:
        export.publish(out_dir, write)
    log.info("export:   %s written to %s [%.2fs]", ", ".join(f"{k} {v}" for k, v in data["row_counts"].items()), out_dir, t.seconds)
    return data


def finish(data: dict[str, Any], report: str, validation_ok: bool, settings: Settings) -> int:
    """Print the run summary and choose the exit code."""
    print(summary_text(data, report), file=sys.stderr)
    if not validation_ok and settings.validation_fail_on_table_errors:
        return VALIDATION_FAILED
    if not data["accounting"]["balanced"]:
        log.error("accounting does not balance: %s", data["accounting"])
        return CRASHED
    return OK_WITH_REJECTS if data["row_counts"]["rejects"] else OK


def summary_text(data: dict[str, Any], report: str) -> str:
    b = data["accounting"]
    lines = [
        "",
        "Run summary",
        f"  input articles {b['input_articles']} = accepted {b['accepted']} + rejected at ingest "
        f"{b['rejected_at_ingest']} + quarantined {b['quarantined_articles']}  "
        f"({'balanced' if b['balanced'] else 'NOT BALANCED'})",
        "  rows: " + ", ".join(f"{k} {v}" for k, v in data["row_counts"].items()),
        "  rejects by reason: " + (", ".join(f"{k} {v}" for k, v in data["rejects_by_reason"].items()) or "none"),
        "  " + report.replace("\n", "\n  "),
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------ whole run
def run(input_path: Path, out_dir: Path, settings: Settings) -> int:
    from pipeline.ingest import input_files
    from pipeline.validate import render_report

    if not input_path.exists():
        log.error("input %s does not exist", input_path)
        return USAGE
    with run_lock(out_dir):
        ing = step_ingest(input_path, settings)
        articles = ing.tables["articles"]
        tem = step_temporal(articles, settings)
        ext = step_extract(articles, tem.tables["mentions"], settings)
        tables = {
            "articles": articles,
            "mentions": tem.tables["mentions"],
            "events": ext.tables["events"],
            "casualties": ext.tables["casualties"],
            "rejects": to_arrow("rejects", ing.rejects + tem.rejects + ext.rejects),
        }
        validation = step_validate(tables)
        report = render_report(validation)
        data = step_export(
            out_dir, validation.tables, validation.summary(), report, input_path, input_files(input_path), settings, ing.stats
        )
    return finish(data, report, validation.success, settings)


# ------------------------------------------------------------------ one stage at a time (work folder)
def _read(work: Path, name: str) -> pa.Table:
    path = work / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run the previous stage first")
    return pq.read_table(path)


def _write(work: Path, name: str, table: pa.Table) -> None:
    work.mkdir(parents=True, exist_ok=True)
    tmp = work / f".{name}.parquet.tmp"
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, work / f"{name}.parquet")


def _write_rejects(work: Path, stage: str, rows: list[dict[str, Any]]) -> None:
    _write(work, f"rejects.{stage}", to_arrow("rejects", rows))


def run_stage(stage: str, *, input_path: Path, work: Path, out_dir: Path, settings: Settings) -> int:
    if stage == "ingest":
        out = step_ingest(input_path, settings)
        _write(work, "articles", out.tables["articles"])
        _write_rejects(work, "ingest", out.rejects)
        (work / "ingest.json").write_text(json.dumps({"input_path": str(input_path.resolve()), **out.stats}) + "\n")
    elif stage == "temporal":
        out = step_temporal(_read(work, "articles"), settings)
        _write(work, "mentions", out.tables["mentions"])
        _write_rejects(work, "temporal", out.rejects)
    elif stage == "extract":
        out = step_extract(_read(work, "articles"), _read(work, "mentions"), settings)
        for name, table in out.tables.items():
            _write(work, name, table)
        _write_rejects(work, "extract", out.rejects)
    elif stage == "validate":
        from pipeline.validate import render_report

        tables = {n: _read(work, n) for n in ("articles", "mentions", "events", "casualties")}
        parts = [_read(work, f"rejects.{s}") for s in ("ingest", "temporal", "extract") if (work / f"rejects.{s}.parquet").exists()]
        tables["rejects"] = pa.concat_tables([empty("rejects"), *parts])
        validation = step_validate(tables)
        report = render_report(validation)
        folder = work / "validated"
        for name, table in validation.tables.items():
            _write(folder, name, table)
        (folder / "validation.json").write_text(json.dumps(validation.summary(), indent=2, default=str) + "\n")
        (folder / "validation_report.txt").write_text(report + "\n")
        print(report, file=sys.stderr)
        return OK if validation.success else VALIDATION_FAILED
    elif stage == "export":
        from pipeline.ingest import input_files
        from pipeline.paths import TABLES

        folder = work / "validated"
        tables = {n: _read(folder, n) for n in TABLES}
        summary = json.loads((folder / "validation.json").read_text())
        report = (folder / "validation_report.txt").read_text().rstrip("\n")
        stats = json.loads((work / "ingest.json").read_text())
        src = Path(stats.pop("input_path"))
        with run_lock(out_dir):
            data = step_export(out_dir, tables, summary, report, src, input_files(src), settings, stats)
        return finish(data, report, summary["success"], settings)
    else:
        raise ValueError(f"unknown stage {stage}")
    return OK
