"""One stage at a time: `python -m pipeline ingest|temporal|extract|validate|export`.

Each stage of the chain (`pipeline.run.chain.CHAIN`) reads what the previous one left in the
work folder (`data/interim/`) and writes its own tables there; `export` publishes them like `run`
does. The stages are the same pure functions `run` uses per unit, so the tables come out the same.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import atomic, export
from pipeline.run import batch, manifest, outdir
from pipeline.run.chain import CHAIN, STAGES, ArticleBudget, Stage, StageOutput, ingest_stage
from pipeline.run.runner import (
    OK, TIMELINE_TABLES, VALIDATION_FAILED, Timer, derive_timeline, finish, log, log_summary, progress_bar, run_lock,
    work_lock,
)  # fmt: skip
from pipeline.settings import Settings
from pipeline.tables import empty, to_arrow


def _reasons(rows: list[dict[str, Any]]) -> str:
    counts = Counter(r["reason"] for r in rows)
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"


def step_ingest(input_path: Path, settings: Settings) -> StageOutput:
    with Timer() as t:
        out = ingest_stage(input_path, settings)
    s = out.stats
    log.info(
        "ingest:   %d input articles -> %d accepted, %d rejected (%s) [%.2fs]",
        s["input_articles"], s["accepted"], s["rejected"], _reasons(out.rejects), t.seconds,
    )  # fmt: skip
    return out


def step_articles(stage: Stage, tables: dict[str, pa.Table], settings: Settings) -> StageOutput:
    """One per-article stage of the chain (temporal, extract) on tables read from the work folder."""
    with Timer() as t:
        out = stage.apply(tables, progress_bar(settings, stage.name), ArticleBudget(settings.article_time_budget_s or None))
    done = stage.done.format(**out.stats, articles=tables["articles"].num_rows)
    log.info("%-9s %s, %d errors [%.2fs]", f"{stage.name}:", done, len(out.rejects), t.seconds)
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
    return manifest.balance(ingest_stats["input_articles"], tables["articles"].num_rows, ingest_rejected, quarantined)


def step_export(
    out_dir: Path, tables: dict[str, pa.Table], validation: dict[str, Any], input_path: Path,
    input_files: list[Path], settings: Settings, ingest_stats: dict[str, Any], stale: set[str] = frozenset(),
) -> tuple[dict[str, Any], str]:  # fmt: skip
    """The export stage alone: validated tables in memory (see `run_stage`); returns the manifest and report."""
    from pipeline.validate import render_report

    done: dict[str, Any] = {}

    def write(folder: Path) -> None:
        for name in batch.DATA_TABLES:
            export.write_table(name, tables[name], folder)
        derived_rejects, derived = derive_timeline(settings)(folder)
        rejects = pa.concat_tables([tables["rejects"], derived_rejects])
        export.write_table("rejects", rejects, folder)
        summary = {**validation, "tables": {**validation["tables"], **derived.get("tables", {})}}
        summary["success"] = summary["success"] and derived.get("success", True)
        row_counts = {name: tables[name].num_rows for name in batch.DATA_TABLES} | {"rejects": rejects.num_rows}
        done["report"] = render_report(summary)
        (folder / "validation_report.txt").write_text(done["report"] + "\n", encoding="utf-8")
        done["manifest"] = manifest.build(
            input_root=input_path.name, inputs=manifest.inputs(input_path, input_files), settings=settings,
            row_counts=row_counts | derived.get("rows", {name: 0 for name in TIMELINE_TABLES}),
            rejects_by_reason=Counter(rejects.column("reason").to_pylist()),
            rejects_by_stage=Counter(rejects.column("stage").to_pylist()),
            accounting=accounting(ingest_stats, {**tables, "rejects": rejects}), validation=summary,
            files=outdir.file_hashes(folder),
        )  # fmt: skip
        export.write_json(folder / "manifest.json", done["manifest"])

    with Timer() as t:
        export.publish(out_dir, write, stale)
    counts = ", ".join(f"{k} {v}" for k, v in done["manifest"]["row_counts"].items())
    log.info("export:   %s written to %s [%.2fs]", counts, out_dir, t.seconds)
    return done["manifest"], done["report"]


def _read(work: Path, name: str) -> pa.Table:
    path = work / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run the previous stage first")
    return pq.read_table(path)


def _write(work: Path, name: str, table: pa.Table) -> None:
    with atomic.replacing(work / f"{name}.parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _write_rejects(work: Path, stage: str, rows: list[dict[str, Any]]) -> None:
    _write(work, f"rejects.{stage}", to_arrow("rejects", rows))


def run_stage(
    stage: str, *, input_path: Path, work: Path, out_dir: Path, settings: Settings, force: bool = False
) -> int:
    """Run one stage of the chain through the work folder, holding its lock (and the output folder's, to export)."""
    with work_lock(work):
        return _run_stage(stage, input_path=input_path, work=work, out_dir=out_dir, settings=settings, force=force)


def _run_stage(stage: str, *, input_path: Path, work: Path, out_dir: Path, settings: Settings, force: bool) -> int:
    if stage == "ingest":
        out = step_ingest(input_path, settings)
        _write(work, "articles", out.tables["articles"])
        _write_rejects(work, "ingest", out.rejects)
        (work / "ingest.json").write_text(json.dumps({"input_path": str(input_path.resolve()), **out.stats}) + "\n")
    elif stage in STAGES and STAGES[stage].apply is not None:
        step = STAGES[stage]
        out = step_articles(step, {n: _read(work, n) for n in step.reads}, settings)
        for name in step.writes:
            _write(work, name, out.tables[name])
        _write_rejects(work, stage, out.rejects)
    elif stage == "validate":
        from pipeline.validate import render_report

        tables = {n: _read(work, n) for n in STAGES["validate"].reads}
        earlier = [s.name for s in CHAIN[: CHAIN.index(STAGES["validate"])]]
        parts = [_read(work, f"rejects.{s}") for s in earlier if (work / f"rejects.{s}.parquet").exists()]
        tables["rejects"] = pa.concat_tables([empty("rejects"), *parts])
        validation = step_validate(tables)
        report = render_report(validation.summary())
        folder = work / "validated"
        for name, table in validation.tables.items():
            _write(folder, name, table)
        (folder / "validation.json").write_text(json.dumps(validation.summary(), indent=2, default=str) + "\n")
        (folder / "validation_report.txt").write_text(report + "\n")
        status = OK if validation.success else VALIDATION_FAILED
        log_summary(report, status)
        return status
    elif stage == "export":
        from pipeline.ingest import input_files
        from pipeline.paths import TABLES

        folder = work / "validated"
        tables = {n: _read(folder, n) for n in TABLES}
        summary = json.loads((folder / "validation.json").read_text())
        stats = json.loads((work / "ingest.json").read_text())
        src = Path(stats.pop("input_path"))
        outdir.check_location(out_dir, src, work)
        outdir.check_contents(out_dir, force)
        with run_lock(out_dir):
            export.recover(out_dir.resolve())
            stale = outdir.owned(out_dir.resolve())
            data, report = step_export(out_dir, tables, summary, src, input_files(src), settings, stats, stale)
        return finish(data, report, data["validation"]["success"], settings)
    else:
        raise ValueError(f"unknown stage {stage}")
    return OK
