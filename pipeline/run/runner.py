"""The whole run: plan the input units, process what changed, merge, publish, keep the books.

`run` (and `execute`, which also returns timings) is what `python -m pipeline run` calls; the
per-unit work and the merge live in `pipeline.run.batch`, the one-stage-at-a-time commands in
`pipeline.run.stepwise`, the chain of stages both walk in `pipeline.run.chain`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import export
from pipeline.run import batch, manifest
from pipeline.run import engine as engine_mod
from pipeline.settings import Settings
from pipeline.tables import empty
from pipeline.timeline import TABLES as TIMELINE_TABLES  # derived tables, built after the merge

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


def finish(data: dict[str, Any], report: str, validation_ok: bool, settings: Settings) -> int:
    """Log the run summary and choose the exit code."""
    if not validation_ok and settings.validation_fail_on_table_errors:
        status = VALIDATION_FAILED
    elif not data["accounting"]["balanced"]:
        status = CRASHED
    else:
        status = OK_WITH_REJECTS if data["row_counts"]["rejects"] else OK
    log_summary(summary_text(data, report), status)
    if status == CRASHED:
        log.error("accounting does not balance: %s", data["accounting"])
    return status


def log_summary(text: str, status: int) -> None:
    """The run summary goes to the log (the screen, and the log file when there is one). It is a warning
    when the run failed, so that `--quiet`, which keeps only warnings and errors on screen, still shows it."""
    log.log(logging.INFO if status in (OK, OK_WITH_REJECTS) else logging.WARNING, "%s", text)


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
# Settings that do not change a unit's rows (they act on the timeline, the screen or the exit code).
NOT_UNIT_SETTINGS = ("progress", "validation_fail_on_table_errors", "timeline_")


def processing_version(settings: Settings, v: dict[str, str]) -> str:
    """What cached unit results depend on: the unit code, rules and schemas (`v`) and the settings they read."""
    used = {k: x for k, x in asdict(settings).items() if not k.startswith(NOT_UNIT_SETTINGS)}
    unit = {k: x for k, x in v.items() if k.startswith("unit_")}
    payload = json.dumps({"versions": unit, "settings": used}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def derive_timeline(settings: Settings) -> Callable[[Path], tuple[pa.Table, dict[str, Any]]]:
    """The merge's last step: build, validate and write `timeline` and `timeline_links` from the finished tables."""

    def derive(folder: Path) -> tuple[pa.Table, dict[str, Any]]:
        from pipeline.timeline import EVENT_COLUMNS, build_timeline
        from pipeline.validate import validate_derived

        n = pq.read_metadata(folder / "articles.parquet").num_rows
        if n > settings.timeline_max_articles:
            log.warning("timeline: skipped, %d articles is more than timeline_max_articles (%d)", n, settings.timeline_max_articles)
            for name in TIMELINE_TABLES:
                export.write_table(name, empty(name), folder)
            return empty("rejects"), {"skipped": f"{n} articles > timeline_max_articles {settings.timeline_max_articles}"}
        # only the columns the merge needs; texts and sentences are streamed from the files
        articles = pq.read_table(folder / "articles.parquet", columns=["article_id", "source", "source_id", "raw_path", "published"])
        events = pq.read_table(folder / "events.parquet", columns=[*EVENT_COLUMNS, "plover_type"])
        casualties = pq.read_table(folder / "casualties.parquet")

        def texts():
            return pq.ParquetFile(folder / "articles.parquet").iter_batches(batch_size=2048, columns=["article_id", "text"])

        def sentences():
            return pq.ParquetFile(folder / "events.parquet").iter_batches(batch_size=65536, columns=["sentence"])

        built = build_timeline(articles, events, casualties, settings, texts=texts, sentences=sentences)
        result = validate_derived(built, articles)
        for name in TIMELINE_TABLES:
            export.write_table(name, result.tables[name], folder)
        summary = result.summary()
        summary["rows"] = {name: result.tables[name].num_rows for name in TIMELINE_TABLES}
        return result.tables["rejects"], summary

    return derive


def merged_validation(merge: batch.MergeResult) -> dict[str, Any]:
    """The validation summary of a whole run, from the per-unit verdicts kept in the cache."""
    from pipeline.gx_adapter import load_suite

    tables = {}
    for name in batch.ALL_TABLES:
        failures: dict[tuple[str, str], dict[str, Any]] = {}
        for f in merge.table_failures.get(name, []):
            key = (f["type"], f["column"])
            if key in failures:
                failures[key]["unexpected_count"] += f["unexpected_count"]
                failures[key]["fails_run"] |= f["fails_run"]
            else:
                failures[key] = dict(f)
        quarantined = merge.quarantined.get(name, Counter())
        tables[name] = {
            "rows_in": merge.rows[name] + sum(quarantined.values()),
            "rows_out": merge.rows[name],
            "expectations": len(load_suite(name)["expectations"]),
            "quarantined": dict(sorted(quarantined.items())),
            "failures": [failures[k] for k in sorted(failures)],
        }
    derived = merge.derived or {}
    for name, t in derived.get("tables", {}).items():
        tables[name] = {**t, "rows_in": t["rows_in"], "rows_out": t["rows_out"]}
    success = not any(f["fails_run"] for t in tables.values() for f in t["failures"])
    summary = {"success": success, "tables": tables}
    if "skipped" in derived:
        summary["timeline_skipped"] = derived["skipped"]
    return summary


def _previous_manifest(out_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass
class RunOutcome:
    exit_code: int
    units: int = 0
    processed_units: int = 0
    seconds: dict[str, float] | None = None  # wall: scan, process, merge; cpu: per stage, summed over workers
    manifest: dict[str, Any] | None = None


def run(input_path: Path, out_dir: Path, settings: Settings, **options: Any) -> int:
    """Every stage over `input_path` into `out_dir`; the exit code (see README "Exit codes")."""
    return execute(input_path, out_dir, settings, **options).exit_code


def execute(
    input_path: Path, out_dir: Path, settings: Settings, *, work: Path | None = None, engine: str = "local",
    workers: int | None = None, scheduler: str | None = None, full: bool = False, partition: bool = False,
) -> RunOutcome:  # fmt: skip
    """Every stage over `input_path` into `out_dir`, reusing cached units that did not change."""
    from pipeline.paths import INTERIM
    from pipeline.validate import render_report

    if not input_path.exists():
        log.error("input %s does not exist", input_path)
        return RunOutcome(USAGE)
    work = work or INTERIM
    with run_lock(out_dir):
        export.recover(out_dir.resolve())
        with Timer() as t_scan:
            jobs, hashes = batch.unit_jobs(input_path, settings.max_batch_file_bytes)
        versions = manifest.versions()
        version = processing_version(settings, versions)
        # the outputs also depend on everything else (timeline code and rules, all settings)
        everything = [versions, asdict(settings), partition, [(j.rel, j.key) for j in jobs]]
        run_key = hashlib.sha256(json.dumps(everything, sort_keys=True, default=str).encode()).hexdigest()[:16]
        previous = _previous_manifest(out_dir)
        if not full and previous and previous.get("run_key") == run_key:
            log.info("nothing changed since the last run (%d input units, same code, rules and settings): outputs kept", len(jobs))
            return RunOutcome(previous.get("exit_code", OK), len(jobs), 0, {"scan": t_scan.seconds}, previous)

        cache_dir = work / "cache" / version
        if full and cache_dir.exists():
            shutil.rmtree(cache_dir)
        todo = [j for j in jobs if not batch.is_cached(cache_dir, j)]
        tasks = [batch.Task(tuple(group), str(cache_dir), settings) for group in batch.group_tasks(todo)]
        log.info(
            "plan:     %d input units, %d cached, %d to process in %d tasks on engine %s [%.2fs]",
            len(jobs), len(jobs) - len(todo), len(todo), len(tasks), engine, t_scan.seconds,
        )  # fmt: skip
        with Timer() as t_proc:
            bar = progress_bar(settings, "process")
            results = engine_mod.run_tasks(batch.process_task, tasks, engine=engine, workers=workers, scheduler=scheduler)
            for _ in bar(results, total=len(tasks)) if bar else results:
                pass
        merged: dict[str, batch.MergeResult] = {}

        def write(folder: Path) -> None:
            merge = batch.merge_units(jobs, cache_dir, folder, partition, derive_timeline(settings))
            merged["result"] = merge
            validation = merged_validation(merge)
            report = render_report(validation)
            books = merge.accounting()
            status = (
                VALIDATION_FAILED if not validation["success"] and settings.validation_fail_on_table_errors
                else CRASHED if not books["balanced"]
                else OK_WITH_REJECTS if merge.rows["rejects"] else OK
            )  # fmt: skip
            data = manifest.build(
                input_root=input_path.name, inputs=[{"path": p, "sha256": h} for p, h in sorted(hashes.items())],
                settings=settings, row_counts=merge.rows | (merge.derived or {}).get("rows", {name: 0 for name in TIMELINE_TABLES}),
                rejects_by_reason=merge.rejects_by_reason,
                rejects_by_stage=merge.rejects_by_stage, accounting=books, validation=validation,
                run={"run_key": run_key, "processing_version": version, "exit_code": status}, code_versions=versions,
            )  # fmt: skip
            (folder / "validation_report.txt").write_text(report + "\n", encoding="utf-8")
            export.write_json(folder / "manifest.json", data)
            merged["manifest"] = data
            merged["report"] = report

        with Timer() as t_merge:
            export.publish(out_dir, write)
        prune_cache(work / "cache", version, {j.key for j in jobs})
    merge, data = merged["result"], merged["manifest"]
    _log_stages(merge, data, t_proc.seconds, t_merge.seconds, out_dir)
    log_summary(summary_text(data, merged["report"]), data["exit_code"])
    if not data["accounting"]["balanced"]:
        log.error("accounting does not balance: %s", data["accounting"])
    seconds = {"scan": t_scan.seconds, "process": t_proc.seconds, "merge": t_merge.seconds}
    seconds.update({f"cpu_{k}": v for k, v in merge.seconds.items()})
    return RunOutcome(data["exit_code"], len(jobs), len(todo), seconds, data)


def _log_stages(merge: batch.MergeResult, data: dict[str, Any], proc_s: float, merge_s: float, out_dir: Path) -> None:
    b, rows, sec = data["accounting"], merge.rows, merge.seconds
    ingest_reasons = ", ".join(f"{k}: {v}" for k, v in data["rejects_by_reason"].items()) or "none"
    log.info(
        "ingest:   %d input articles -> %d accepted, %d rejected (%s) [%.2f cpu-s]",
        b["input_articles"], b["accepted"], b["rejected_at_ingest"], ingest_reasons, sec["ingest"],
    )  # fmt: skip
    log.info("temporal: %d mentions [%.2f cpu-s]", rows["mentions"], sec["temporal"])
    log.info("extract:  %d events, %d casualty figures [%.2f cpu-s]", rows["events"], rows["casualties"], sec["extract"])
    quarantined = sum(sum(q.values()) for q in merge.quarantined.values())
    log.info(
        "validate: %s, %d rows quarantined [%.2f cpu-s]",
        "passed" if data["validation"]["success"] else "FAILED", quarantined, sec["validate"],
    )  # fmt: skip
    log.info("export:   %s -> %s [processing %.2fs, merge %.2fs wall]", ", ".join(f"{k} {v}" for k, v in rows.items()), out_dir, proc_s, merge_s)


def prune_cache(cache_root: Path, version: str, keep: set[str]) -> None:
    """Drop cache entries of other versions and of units no longer in the input."""
    if not cache_root.exists():
        return
    for vdir in cache_root.iterdir():
        if vdir.name != version:
            shutil.rmtree(vdir, ignore_errors=True)
            continue
        for entry in vdir.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
