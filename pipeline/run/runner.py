"""The whole run: plan the input units, process what changed, merge, publish, keep the books.

`run` (and `execute`, which also returns timings) is what `python -m pipeline run` calls; the
per-unit work and the merge live in `pipeline.run.batch`, the one-stage-at-a-time commands in
`pipeline.run.stepwise`, the chain of stages both walk in `pipeline.run.chain`.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
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
from pipeline.run import batch, manifest, outdir
from pipeline.run import engine as engine_mod
from pipeline.settings import Settings
from pipeline.tables import empty
from pipeline.timeline import TABLES as TIMELINE_TABLES  # derived tables, built after the merge

log = logging.getLogger("pipeline")

# Exit codes (documented in README "Exit codes").
OK, OK_WITH_REJECTS, USAGE, VALIDATION_FAILED, LOCKED, CRASHED, INTERRUPTED = 0, 1, 2, 3, 4, 70, 130


class RunLocked(RuntimeError):
    pass


def _alive(pid: int) -> bool:
    """Whether process `pid` is running (a zombie, dead but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2 :].split(" ", 1)[0] not in ("Z", "X")


@contextmanager
def folder_lock(folder: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock for `folder` (`.NAME.lock` beside it), or raise `RunLocked` at once.

    A kernel lock (`fcntl.flock`) rather than a lock file that is created and deleted (the `filelock`
    package's soft locks, pid files): the kernel drops it when its process dies, however it dies, so a
    stale lock cannot outlive its holder, and taking over from a holder that is gone needs no guess
    about pids, only the log line below. (`filelock`'s Unix lock is this same `flock` call, without the
    holder's pid or the worker side, which is ours to do anyway.) A `flock` lock lasts as long as any
    process keeps the file open, and forked children inherit open files: the local engine's workers
    drop their copies (`engine.MAIN_ONLY_FDS`), so the main process alone holds the lock.
    """
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    path = folder.parent / f".{folder.name}.lock"
    with open(path, "a+") as fh:
        fh.seek(0)
        holder = fh.read().strip()
        pid = int(m.group(1)) if (m := re.match(r"pid (\d+)", holder)) else None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            if pid and not _alive(pid):  # only a process that inherited the open file can hold it now
                holder += f"; pid {pid} has ended, a process it started still holds the lock: `fuser {path}` names it"
            raise RunLocked(f"another run is using the {what} {folder} (lock {path} held by {holder}); exiting") from None
        if pid is not None and pid != os.getpid() and not _alive(pid):
            log.warning("lock %s: taking over from pid %d, which ended without releasing it", path, pid)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} ({what} {folder})\n")
        fh.flush()
        engine_mod.MAIN_ONLY_FDS.add(fh.fileno())
        try:
            yield
        finally:
            engine_mod.MAIN_ONLY_FDS.discard(fh.fileno())
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_lock(out_dir: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the output folder's lock, so two scheduled runs never write one folder at once."""
    return folder_lock(out_dir, "output folder")


def work_lock(work: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the work folder's lock: two runs that share a work folder never prune or rewrite each other's cache."""
    return folder_lock(work, "work folder")


def _show_progress(settings: Settings) -> bool:
    return settings.progress == "always" or (settings.progress == "auto" and sys.stderr.isatty())


def progress_bar(settings: Settings, desc: str):
    if not _show_progress(settings):
        return None
    from tqdm import tqdm

    return lambda items, total: tqdm(items, total=total, desc=desc, unit="art", leave=False, mininterval=0.5)


class Progress:
    """Progress bars of a run's phases on stderr, in articles (or events) with rate and ETA; nothing when
    settings say no. A phase whose total is known only in bytes (the input files) estimates its article
    total from the articles per byte seen so far."""

    def __init__(self, settings: Settings) -> None:
        self.show = _show_progress(settings)
        self.bars: dict[str, Any] = {}
        self.bytes: dict[str, list[int]] = {}

    def _bar(self, phase: str, unit: str) -> Any:
        if phase not in self.bars:
            from tqdm import tqdm

            self.bars[phase] = tqdm(desc=f"{phase:<11}", unit=unit, unit_scale=True, leave=False, mininterval=0.5)
        return self.bars[phase]

    def articles(self, phase: str, articles: int, size: int, total_size: int) -> None:
        """`articles` more articles done in `phase`, read from `size` of the phase's `total_size` input bytes."""
        if not self.show:
            return
        bar = self._bar(phase, "art")
        done = self.bytes.setdefault(phase, [0, 0])
        done[0] += size
        done[1] += articles
        bar.total = max(done[1], round(done[1] * total_size / max(done[0], 1)))
        bar.update(articles)

    def count(self, phase: str, done: int, total: int, unit: str = "art") -> None:
        """`done` of `total` items in `phase` so far."""
        if not self.show:
            return
        bar = self._bar(phase, unit)
        bar.total = total
        bar.update(done - bar.n)

    def done(self, *phases: str) -> None:
        for phase in phases:
            bar = self.bars.pop(phase, None)
            if bar is not None:
                bar.close()

    def close(self) -> None:
        self.done(*list(self.bars))


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
PAIR_MEMORY = "syndication-pairs.npz"  # in the work folder: the pair counts syndication keeps for the next run
NOT_UNIT_SETTINGS = ("progress", "validation_fail_on_table_errors", "timeline_")


def processing_version(settings: Settings, v: dict[str, str]) -> str:
    """What cached unit results depend on: the unit code, rules and schemas (`v`) and the settings they read."""
    used = {k: x for k, x in asdict(settings).items() if not k.startswith(NOT_UNIT_SETTINGS)}
    unit = {k: x for k, x in v.items() if k.startswith("unit_")}
    payload = json.dumps({"versions": unit, "settings": used}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def derive_timeline(
    settings: Settings, previous: Path | None = None, version: str = "", reuse: bool = True,
    bars: Progress | None = None, workers: int = 1, pair_memory: Path | None = None,
    hashes: dict[str, str] | None = None,
) -> Callable[[Path], tuple[pa.Table, dict[str, Any]]]:  # fmt: skip
    """The merge's last step: build, validate and write `timeline` and `timeline_links` from the finished
    tables, a window at a time; windows whose inputs did not change since the run in `previous` are copied.
    `pair_memory`: a file in the work folder where syndication keeps its pair counts for the next run. With
    `hashes`, the finished data tables' files are hashed by the timeline's workers while they would wait, and
    their sha256s added to it (by file name; nothing when the timeline starts no worker)."""

    def derive(folder: Path, shingle_files: list[batch.ShingleFile] | None = None) -> tuple[pa.Table, dict[str, Any]]:
        from pipeline.timeline.store import state_metadata, write_timeline
        from pipeline.timeline.syndication import PairMemory
        from pipeline.validate import validate_derived

        def check(piece: dict[str, pa.Table], articles: pa.Table) -> tuple[dict[str, pa.Table], pa.Table, dict[str, Any]]:
            result = validate_derived(piece, articles)
            return {name: result.tables[name] for name in TIMELINE_TABLES}, result.tables["rejects"], result.summary()

        sinks = {name: batch.TableSink(name, folder) for name in TIMELINE_TABLES}
        started = time.perf_counter()
        try:
            old = previous if previous is not None and (previous / "timeline_links.parquet").exists() else None
            progress = None
            if bars is not None and bars.show:

                def progress(phase: str, done: int, total: int) -> None:
                    bars.count(phase, done, total, "art" if phase == "syndication" else "event")

            made = None
            if shingle_files is not None:
                total = pq.read_metadata(folder / "articles.parquet").num_rows
                told = (lambda done: progress("syndication", done, total)) if progress is not None else None
                made = batch.shingle_source(shingle_files, settings.timeline_shingle_words, told)
            pairs = None
            if pair_memory is not None:  # counts made by other code or another shingle length are not read
                key = hashlib.sha256(f"{version}|{settings.timeline_shingle_words}".encode()).hexdigest()[:16]
                pairs = PairMemory(pair_memory, key, read=reuse)
            finished = [folder / f"{name}.{ext}" for name in batch.DATA_TABLES for ext in ("parquet", "csv")]
            finished = [p for p in finished if p.is_file()] if hashes is not None else []
            out, windows = write_timeline(
                folder, settings, version, lambda name, t: sinks[name].write(t), check, old, reuse, progress, workers,
                made, pairs, [functools.partial(manifest.file_sha256, p) for p in finished],
            )  # fmt: skip
            if out.idle is not None and hashes is not None:
                hashes.update((p.name, sha) for p, sha in zip(finished, out.idle))
            sinks["timeline_links"].flush()
            sinks["timeline_links"].parquet.add_key_value_metadata(state_metadata(windows))
        finally:
            for sink in sinks.values():
                sink.close()
            if bars is not None:
                bars.done("syndication", "timeline", "validation")
        log.info(
            "timeline: %d windows (months), %d merged again, %d copied from the previous run [%.2fs, of which "
            "finding syndicated copies %.2fs]",
            out.windows, out.rebuilt, out.windows - out.rebuilt, time.perf_counter() - started, out.syndication_seconds,
        )  # fmt: skip
        summary = combine_validation(out.validation, out.rows)
        summary["rows"] = dict(out.rows)
        summary["windows"] = {"windows": out.windows, "rebuilt": out.rebuilt}
        rejects = pa.concat_tables(out.rejects) if out.rejects else empty("rejects")
        return rejects, summary

    return derive


def combine_validation(pieces: list[dict[str, Any]], rows: dict[str, int]) -> dict[str, Any]:
    """One validation summary of tables checked a piece at a time (rows copied unchecked count as passed)."""
    tables: dict[str, dict[str, Any]] = {}
    for name in TIMELINE_TABLES:
        quarantined: Counter = Counter()
        failures: dict[tuple[str, str], dict[str, Any]] = {}
        expectations = 0
        for p in pieces:
            t = p["tables"][name]
            expectations = max(expectations, t["expectations"])
            quarantined.update(t["quarantined"])
            for f in t["failures"]:
                _fold_failure(failures, f)
        if not pieces:
            from pipeline.gx_adapter import load_suite

            expectations = len(load_suite(name)["expectations"])
        out = rows.get(name, 0)
        tables[name] = {
            "rows_in": out + sum(quarantined.values()),
            "rows_out": out,
            "expectations": expectations,
            "quarantined": dict(sorted(quarantined.items())),
            "failures": [failures[k] for k in sorted(failures)],
        }
    success = not any(f["fails_run"] for t in tables.values() for f in t["failures"])
    return {"success": success, "tables": tables}


def _fold_failure(failures: dict[tuple[str, str], dict[str, Any]], f: dict[str, Any]) -> None:
    """Add one piece's failure of an expectation to the failures of the same expectation seen so far."""
    key = (f["type"], f["column"])
    if key in failures:
        failures[key]["unexpected_count"] += f["unexpected_count"]
        failures[key]["fails_run"] |= f["fails_run"]
    else:
        failures[key] = dict(f)


def merged_validation(merge: batch.MergeResult) -> dict[str, Any]:
    """The validation summary of a whole run, from the per-unit verdicts kept in the cache."""
    from pipeline.gx_adapter import load_suite

    tables = {}
    for name in batch.ALL_TABLES:
        failures: dict[tuple[str, str], dict[str, Any]] = {}
        for f in merge.table_failures.get(name, []):
            _fold_failure(failures, f)
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
    return {"success": success, "tables": tables}


# the merge's parts, as `RunOutcome.seconds` names them (merge_<part>): reading the cached units and writing the
# data tables and rejects; the timeline (syndication, filing, windows); validation report, manifest and publishing
MERGE_PHASES = ("tables", "timeline", "finish")


@dataclass
class RunOutcome:
    exit_code: int
    units: int = 0
    processed_units: int = 0
    seconds: dict[str, float] | None = None  # wall: scan, process, merge (and merge_<part>); cpu_<stage>, summed over workers
    manifest: dict[str, Any] | None = None


def run(input_path: Path, out_dir: Path, settings: Settings, **options: Any) -> int:
    """Every stage over `input_path` into `out_dir`; the exit code (see README "Exit codes")."""
    return execute(input_path, out_dir, settings, **options).exit_code


def execute(
    input_path: Path, out_dir: Path, settings: Settings, *, work: Path | None = None, engine: str = "local",
    workers: int | None = None, scheduler: str | None = None, full: bool = False, partition: bool = False,
    force: bool = False,
) -> RunOutcome:  # fmt: skip
    """Every stage over `input_path` into `out_dir`, reusing cached units that did not change.

    Raises `outdir.OutputRefused` for an output folder that is not the pipeline's to write (`force`: write
    beside files no run wrote), and `RunLocked` when another run holds the output or the work folder.
    """
    from pipeline.paths import INTERIM
    from pipeline.validate import render_report

    if not input_path.exists():
        log.error("input %s does not exist", input_path)
        return RunOutcome(USAGE)
    work = work or INTERIM
    outdir.check_location(out_dir, input_path, work)
    outdir.check_contents(out_dir, force)
    with run_lock(out_dir), work_lock(work):
        export.recover(out_dir.resolve())
        stale = outdir.owned(out_dir.resolve())
        with Timer() as t_scan:
            jobs, hashes = batch.unit_jobs(input_path, settings.max_batch_file_bytes, settings, work)
        versions = manifest.versions()
        version = processing_version(settings, versions)
        # the outputs also depend on everything else (timeline code and rules, all settings)
        everything = [versions, asdict(settings), partition, [(j.rel, j.key) for j in jobs]]
        run_key = hashlib.sha256(json.dumps(everything, sort_keys=True, default=str).encode()).hexdigest()[:16]
        previous = outdir.read_manifest(out_dir)
        if not full and previous and previous.get("run_key") == run_key:
            missing, changed = outdir.damaged(out_dir, previous, work)
            if previous.get("files") and not (missing or changed):
                log.info("nothing changed since the last run (%d input units, same code, rules and settings): outputs kept", len(jobs))
                return RunOutcome(previous.get("exit_code", OK), len(jobs), 0, {"scan": t_scan.seconds}, previous)
            log.warning(
                "outputs changed since the last run (missing: %s; not as written: %s): rebuilding them",
                ", ".join(missing) or "none", ", ".join(changed) or "none",
            )  # fmt: skip

        cache_dir = work / "cache" / version
        if full and cache_dir.exists():
            shutil.rmtree(cache_dir)
        todo = [j for j in jobs if not batch.is_cached(cache_dir, j)]
        tasks = [batch.Task(tuple(group), str(cache_dir), settings) for group in batch.group_tasks(todo)]
        log.info(
            "plan:     %d input units, %d cached, %d to process in %d tasks on engine %s [%.2fs]",
            len(jobs), len(jobs) - len(todo), len(todo), len(tasks), engine, t_scan.seconds,
        )  # fmt: skip
        short = outdir.space_short(out_dir, previous)
        if short is not None:
            log.warning(
                "disk: %.1f GB free beside %s, whose outputs take %.1f GB: the new outputs are written next to them "
                "before they replace them, so this run will most likely run out of space (free some, or write to "
                "another disk)", short[1] / 1e9, out_dir, short[0] / 1e9,
            )  # fmt: skip
        bars = Progress(settings)
        with Timer() as t_proc:
            if engine_mod.forks_workers(engine, workers, len(tasks)):
                from pipeline.run.chain import warm_up

                warm_up()  # once, here: the forked workers inherit the loaded rules and gazetteer
            results = engine_mod.run_tasks(batch.process_task, tasks, engine=engine, workers=workers, scheduler=scheduler)
            todo_bytes = sum(j.size for j in todo)
            # the results are drawn to their end, which shuts the worker pool down: left suspended after its last
            # result, the generator would keep the workers (and their memory) alive through the merge
            with contextlib.closing(results):
                for summaries, task in zip(results, tasks):
                    n = sum(u["input_articles"] for u in summaries)
                    bars.articles("process", n, sum(j.size for j in task.jobs), todo_bytes)
            from pipeline.run.chain import cool_down

            # what only ingest used, loaded here by `warm_up` for forked workers or by a task run in this process
            # (a nightly run's one new file): the merge and the timeline never need it
            cool_down()
            bars.done("process")
        merged: dict[str, batch.MergeResult] = {}
        phases: dict[str, float] = {}  # wall seconds of the merge's parts: data tables, timeline, the rest

        def write(folder: Path) -> None:
            # the timeline's windows are merged on forked worker processes when there are many (they share this
            # process's loaded gazetteer); the reading, checking and writing stay here
            forked = engine_mod.forks_workers(engine, workers, tasks=2)  # as local workers would be for any work to share
            timeline_workers = (workers or engine_mod.default_workers()) if forked else 1
            hashed: dict[str, str] = {}  # data tables' files the timeline's workers hashed
            derive = derive_timeline(
                settings, out_dir.resolve(), json.dumps(versions, sort_keys=True), not full, bars, timeline_workers,
                work / PAIR_MEMORY, hashed,
            )  # fmt: skip
            all_bytes = sum(j.size for j in jobs)

            def merged_unit(job: batch.UnitJob, articles: int) -> None:
                bars.articles("merge", articles, job.size, all_bytes)
                if job is jobs[-1]:
                    bars.done("merge")

            def timed_derive(folder: Path, shingle_files: list[batch.ShingleFile] | None = None) -> tuple[pa.Table, dict[str, Any]]:
                with Timer() as t:
                    derived = derive(folder, shingle_files)
                phases["timeline"] = t.seconds
                return derived

            with Timer() as t_units:
                merge = batch.merge_units(jobs, cache_dir, folder, partition, timed_derive, merged_unit)
            # where the merge's wall time went (logged and reported by `bench`, never written to the outputs)
            phases["tables"] = t_units.seconds - phases.get("timeline", 0.0)
            merged["result"] = merge
            validation = merged_validation(merge)
            report = render_report(validation)
            books = merge.accounting()
            status = (
                VALIDATION_FAILED if not validation["success"] and settings.validation_fail_on_table_errors
                else CRASHED if not books["balanced"]
                else OK_WITH_REJECTS if merge.rows["rejects"] else OK
            )  # fmt: skip
            (folder / "validation_report.txt").write_text(report + "\n", encoding="utf-8")
            data = manifest.build(
                input_root=input_path.name, inputs=[{"path": p, "sha256": h} for p, h in sorted(hashes.items())],
                settings=settings, row_counts=merge.rows | (merge.derived or {}).get("rows", {name: 0 for name in TIMELINE_TABLES}),
                rejects_by_reason=merge.rejects_by_reason,
                rejects_by_stage=merge.rejects_by_stage, accounting=books, validation=validation,
                run={"run_key": run_key, "processing_version": version, "exit_code": status}, code_versions=versions,
                files=outdir.file_hashes(folder, hashed),
            )  # fmt: skip
            export.write_json(folder / "manifest.json", data)
            merged["manifest"] = data
            merged["report"] = report

        with Timer() as t_merge:
            try:
                export.publish(out_dir, write, stale)
            finally:
                bars.close()
        outdir.remember(out_dir, merged["manifest"].get("files", {}), work)
        prune_cache(work / "cache", version, {j.key for j in jobs})
    merge, data = merged["result"], merged["manifest"]
    # the rest: validation report, manifest (hashing the files the timeline's workers did not), publishing
    phases["finish"] = max(t_merge.seconds - phases.get("tables", 0.0) - phases.get("timeline", 0.0), 0.0)
    _log_stages(merge, data, t_proc.seconds, t_merge.seconds, out_dir, phases)
    log_summary(summary_text(data, merged["report"]), data["exit_code"])
    if not data["accounting"]["balanced"]:
        log.error("accounting does not balance: %s", data["accounting"])
    seconds = {"scan": t_scan.seconds, "process": t_proc.seconds, "merge": t_merge.seconds}
    seconds.update({f"merge_{k}": phases[k] for k in MERGE_PHASES})
    seconds.update({f"cpu_{k}": v for k, v in merge.seconds.items()})
    return RunOutcome(data["exit_code"], len(jobs), len(todo), seconds, data)


def _log_stages(
    merge: batch.MergeResult, data: dict[str, Any], proc_s: float, merge_s: float, out_dir: Path, phases: dict[str, float]
) -> None:  # fmt: skip
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
    log.info(
        "export:   %s -> %s [processing %.2fs, merge %.2fs wall: data tables %.2fs, timeline %.2fs, "
        "manifest and publishing %.2fs]",
        ", ".join(f"{k} {v}" for k, v in rows.items()), out_dir, proc_s, merge_s,
        *(phases.get(k, 0.0) for k in MERGE_PHASES),
    )  # fmt: skip


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
