"""The whole run: determinism, incremental equivalence, lock, interruption, engines, exit codes, bad input."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.run import batch, runner
from pipeline.cli import main
from pipeline.settings import Settings

STORIES = {
    "a-harbour.md": """---
id: harbour
published: 2022-05-10
source: Coast Courier
---
PORT LOUIS, Mauritius – Three fishermen were killed on Monday when a storm capsized their boat, the coast guard said.
""",
    "b-pass.txt": """KABUL, May 9 (Pajhwok) – At least 11 people were killed and 20 injured when a bus fell into a gorge in the Salang Pass on Sunday, officials said.
""",
    "b-pass.json": json.dumps({"id": "pass", "published": "2022-05-09T20:00:00+04:30", "source": "Pajhwok"}),
    "c-batch.jsonl": json.dumps({"id": "quake", "published": "2022-05-12", "text": "LIMA, Peru (AP) _ An earthquake killed two people on Wednesday in southern Peru, officials said."})
    + "\n"
    + json.dumps({"id": "strike", "published": "2022-05-13", "text": "Dockers in Lisbon went on strike on Friday over pay."})
    + "\n",
}
NEW_STORY = (
    "d-later.md",
    "---\npublished: 2022-05-15\n---\nNAIROBI, Kenya, May 14 (AP) _ Floods killed five people in western Kenya on Saturday, police said.\n",
)


def write_raw(folder: Path, stories: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in stories.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != "README.md"}


def do_run(raw: Path, out: Path, work: Path, **kw) -> int:
    return runner.run(raw, out, Settings(progress="never"), work=work, **kw)


def test_two_runs_give_identical_outputs(tmp_path):
    raw = write_raw(tmp_path / "raw", STORIES)
    assert do_run(raw, tmp_path / "o1", tmp_path / "w1") == runner.OK
    assert do_run(raw, tmp_path / "o2", tmp_path / "w2", engine="serial") == runner.OK
    first, second = outputs(tmp_path / "o1"), outputs(tmp_path / "o2")
    assert set(first) == {
        "articles.parquet", "articles.csv", "mentions.parquet", "mentions.csv", "events.parquet", "events.csv",
        "casualties.parquet", "casualties.csv", "rejects.parquet", "rejects.csv", "timeline.parquet", "timeline.csv",
        "timeline_links.parquet", "timeline_links.csv", "manifest.json", "validation_report.txt",
    }  # fmt: skip
    assert first == second


def test_incremental_runs_equal_a_full_run(tmp_path, caplog):
    raw = write_raw(tmp_path / "raw", STORIES)
    out, work = tmp_path / "out", tmp_path / "work"
    do_run(raw, out, work)
    assert (work / runner.PAIR_MEMORY).is_file()  # syndication's pair counts, kept for the next run
    before = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    caplog.set_level(logging.INFO, logger="pipeline")
    do_run(raw, out, work)  # nothing new: nothing written
    assert "nothing changed" in caplog.text
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == before

    caplog.clear()
    write_raw(raw, dict([NEW_STORY]))
    do_run(raw, out, work)
    assert "1 to process" in caplog.text  # only the new file
    full = tmp_path / "full"
    do_run(raw, full, tmp_path / "fresh-work", full=True)
    assert outputs(out) == outputs(full)
    assert pq.read_table(out / "articles.parquet").num_rows == 5


def test_changed_settings_reprocess_everything(tmp_path, caplog):
    raw = write_raw(tmp_path / "raw", STORIES)
    do_run(raw, tmp_path / "out", tmp_path / "work")
    caplog.set_level(logging.INFO, logger="pipeline")
    runner.run(raw, tmp_path / "out", Settings(progress="never", min_text_chars=2), work=tmp_path / "work")
    assert "0 cached, 3 to process" in caplog.text  # three units: the .md, the .txt with its sidecar, the batch
    assert len(list((tmp_path / "work" / "cache").iterdir())) == 1  # the old version was pruned


def test_second_run_waits_for_nobody_it_exits_with_locked(tmp_path, capsys):
    raw = write_raw(tmp_path / "raw", STORIES)
    out = tmp_path / "out"
    with runner.run_lock(out):
        code = main(["run", "--input", str(raw), "--output", str(out), "--work", str(tmp_path / "w")])
    assert code == runner.LOCKED
    assert not out.exists()


def test_interrupted_merge_keeps_last_outputs_and_next_run_completes(tmp_path, monkeypatch):
    raw = write_raw(tmp_path / "raw", STORIES)
    out, work = tmp_path / "out", tmp_path / "work"
    do_run(raw, out, work)
    good = outputs(out)
    write_raw(raw, dict([NEW_STORY]))
    real_merge = batch.merge_units

    def interrupted(jobs, cache_dir, folder, *args):
        real_merge(jobs[:2], cache_dir, folder, *args)  # half the work is written into the staging folder...
        raise KeyboardInterrupt  # ...when the operator presses Ctrl-C

    monkeypatch.setattr(batch, "merge_units", interrupted)
    with pytest.raises(KeyboardInterrupt):
        do_run(raw, out, work)
    assert outputs(out) == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == [".out.lock"]
    monkeypatch.setattr(batch, "merge_units", real_merge)
    do_run(raw, out, work)
    do_run(raw, tmp_path / "full", tmp_path / "w2", full=True)
    assert outputs(out) == outputs(tmp_path / "full")


def test_crash_inside_a_worker_leaves_outputs_and_cache_consistent(tmp_path, monkeypatch):
    raw = write_raw(tmp_path / "raw", STORIES)
    out, work = tmp_path / "out", tmp_path / "work"
    do_run(raw, out, work)
    good = outputs(out)
    write_raw(raw, dict([NEW_STORY]))

    def boom(folder, tables, stats):
        raise OSError("disk full")

    monkeypatch.setattr(batch, "write_unit", boom)
    with pytest.raises(OSError):
        do_run(raw, out, work, engine="serial")
    assert outputs(out) == good


def test_dask_engine_gives_the_same_tables(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    raw = write_raw(tmp_path / "raw", STORIES)
    write_raw(raw, dict([NEW_STORY]))
    monkeypatch.setattr(batch, "TASK_BYTES", 1)  # one task per unit, so both workers get work
    assert do_run(raw, tmp_path / "dask", tmp_path / "w1", engine="dask", workers=2) == runner.OK
    assert do_run(raw, tmp_path / "local", tmp_path / "w2", engine="local", workers=2) == runner.OK
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")


BAD = {
    "empty.txt": b"",
    "latin1.txt": "---\npublished: 2022-05-10\n---\nS\xe3o Paulo police said two men were killed on Monday.\n".encode("cp1252"),
    "garbage.bin": bytes(range(256)) * 4,
    "broken-front.md": b"---\npublished: [2022\n---\nText.\n",
    "no-date.txt": b"Something happened somewhere, officials said.\n",
    "bad-date.md": b"---\npublished: next tuesday\n---\nA storm hit the coast, officials said.\n",
    "mixed.jsonl": b'{"id": "ok1", "published": "2022-05-10", "text": "Police said one man died on Monday in Lagos."}\n{"id": "broken", "text": \n{"id": "ok2", "published": "2022-05-11", "text": "Two people were injured in Accra on Tuesday, police said."}\n',
    "copy-of-harbour.md": STORIES["a-harbour.md"].replace("id: harbour", "id: harbour-copy").encode(),
}


def test_bad_input_is_rejected_and_the_batch_goes_on(tmp_path):
    raw = write_raw(tmp_path / "raw", STORIES)
    for name, data in BAD.items():
        (raw / name).write_bytes(data)
    out = tmp_path / "out"
    assert do_run(raw, out, tmp_path / "work") == runner.OK_WITH_REJECTS
    manifest = json.loads((out / "manifest.json").read_text())
    books = manifest["accounting"]
    assert books["balanced"] and books["input_articles"] == books["accepted"] + books["rejected_at_ingest"] + books["quarantined_articles"]
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    reasons = {r["source_id"]: r["reason"] for r in rejects}
    assert reasons["empty.txt"] == "empty"
    assert reasons["garbage.bin"] in {"binary", "unsupported"}
    assert reasons["broken-front.md"] == "bad_front_matter"
    assert reasons["no-date.txt"] == "no_reference_date"
    assert reasons["bad-date.md"] == "bad_published"
    assert reasons["mixed.jsonl:2"] == "bad_json"
    assert reasons["harbour-copy"] == "duplicate"
    dup = next(r for r in rejects if r["reason"] == "duplicate")
    assert "harbour" in dup["message"] and json.loads(dup["detail"])["first_source_id"] == "harbour"
    accepted = set(pq.read_table(out / "articles.parquet").column("source_id").to_pylist())
    assert {"ok1", "ok2", "harbour", "latin1.txt"} <= accepted  # good lines and decodable files survive
    assert all(r["message"] for r in rejects)


def test_validation_failure_exit_code(tmp_path, monkeypatch):
    raw = write_raw(tmp_path / "raw", STORIES)
    real = runner.merged_validation

    def failing(merge):
        summary = real(merge)
        summary["success"] = False
        return summary

    monkeypatch.setattr(runner, "merged_validation", failing)
    assert do_run(raw, tmp_path / "out", tmp_path / "work") == runner.VALIDATION_FAILED


def test_usage_errors(tmp_path):
    assert main(["run", "--input", str(tmp_path / "missing"), "--output", str(tmp_path / "o")]) == runner.USAGE
    bad = tmp_path / "s.toml"
    bad.write_text("nonsense = 1\n")
    assert main(["run", "--settings", str(bad), "--output", str(tmp_path / "o")]) == runner.USAGE
    with pytest.raises(SystemExit) as exc:
        main(["run", "--engine", "spark"])
    assert exc.value.code == 2


def test_stage_commands_chain_through_the_work_folder(tmp_path):
    raw = write_raw(tmp_path / "raw", STORIES)
    work, out = tmp_path / "work", tmp_path / "out"
    for stage in ("ingest", "temporal", "extract", "validate"):
        args = [stage, "--work", str(work)] + (["--input", str(raw)] if stage == "ingest" else [])
        assert main(args) == runner.OK, stage
    assert main(["export", "--work", str(work), "--output", str(out)]) == runner.OK
    do_run(raw, tmp_path / "run-out", tmp_path / "run-work")
    for table in ("articles", "mentions", "events", "casualties", "rejects", "timeline", "timeline_links"):
        staged = pq.read_table(out / f"{table}.parquet")
        whole = pq.read_table(tmp_path / "run-out" / f"{table}.parquet")
        assert staged.equals(whole), table


def test_partitioned_output_reads_as_one_dataset(tmp_path):
    import pyarrow.dataset as ds

    raw = write_raw(tmp_path / "raw", {**STORIES, "e-empty.md": "---\npublished: 2022-05-15\n---\n"})
    out = tmp_path / "out"
    assert do_run(raw, out, tmp_path / "w", partition=True) == runner.OK_WITH_REJECTS
    for table, months in [("articles", {"2022-05"}), ("casualties", {"2022-05"}), ("timeline", {"2022-05"}),
                          ("timeline_links", {"2022-05"}), ("rejects", {"unknown"})]:  # fmt: skip
        flat = pq.read_table(out / f"{table}.parquet")
        dataset = ds.dataset(out / "partitioned" / table, partitioning="hive").to_table()
        assert dataset.num_rows == flat.num_rows > 0 and set(dataset.column("month").to_pylist()) == months, table
        first = flat.column_names[0]
        assert dataset.drop_columns(["month"]).sort_by(first).equals(flat.sort_by(first)), table
    flat = pq.read_table(out / "casualties.parquet")
    root = out / "partitioned" / "casualties"
    polars = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    assert polars.scan_parquet(f"{root}/**/*.parquet", hive_partitioning=True).collect().height == flat.num_rows
    got = duckdb.connect().execute(f"select count(*) from read_parquet('{root}/**/*.parquet', hive_partitioning=true)").fetchall()
    assert got == [(flat.num_rows,)]


def test_log_file_gets_the_stage_lines_too(tmp_path, capsys):
    raw = write_raw(tmp_path / "raw", STORIES)
    log_file = tmp_path / "logs" / "run.log"
    args = ["run", "--input", str(raw), "--output", str(tmp_path / "o"), "--work", str(tmp_path / "w"), "--log-file", str(log_file)]
    assert main(args) == runner.OK
    logged = log_file.read_text()
    for stage in ("ingest:", "temporal:", "extract:", "validate:", "export:"):
        assert stage in logged
    assert "ingest:" in capsys.readouterr().err


@pytest.mark.parametrize(
    "commands, screen, logged",
    [
        ([["run", "--input", "{raw}", "--output", "{out}", "--work", "{work}"]], [],
         ["plan:", "ingest:", "temporal:", "extract:", "validate:", "export:", "Run summary", "rows: articles 4"]),
        ([["ingest", "--input", "{raw}", "--work", "{work}"], ["temporal", "--work", "{work}"],
          ["extract", "--work", "{work}"], ["validate", "--work", "{work}"], ["export", "--work", "{work}", "--output", "{out}"]],
         [], ["ingest:", "temporal:", "extract:", "validate:", "Validation: PASSED", "export:", "Run summary"]),
        ([["run", "--input", "{raw}/missing", "--output", "{out}"]], ["missing does not exist"], ["missing does not exist"]),
        ([["temporal", "--work", "{work}/none"]], ["run the previous stage first"], ["run the previous stage first"]),
    ],
)  # fmt: skip
def test_quiet_keeps_the_screen_to_errors_and_the_log_file_gets_everything(tmp_path, capsys, commands, screen, logged):
    raw = write_raw(tmp_path / "raw", STORIES)
    log_file = tmp_path / "run.log"
    for command in commands:
        args = [a.format(raw=raw, out=tmp_path / "out", work=tmp_path / "work") for a in command]
        main([*args, "--quiet", "--log-file", str(log_file)])
    shown, text = capsys.readouterr().err, log_file.read_text()
    for line in screen:
        assert line in shown and line in text  # errors go to both
    for line in logged:
        assert line in text
    assert not any(line in shown for line in logged if line not in screen)  # --quiet: no stage lines on screen


def _batch_lines(n: int, offset: int = 0) -> str:
    places = ["Lagos", "Accra", "Dakar", "Lima", "Quito"]
    return "".join(
        json.dumps({"id": f"s{i}", "published": f"2022-06-{1 + i % 28:02d}",
                    "text": f"Police said {2 + i % 5} people were injured in {places[i % 5]} on Monday (report {i})."}) + "\n"
        for i in range(offset, offset + n)
    )  # fmt: skip


def test_large_batches_are_sliced_without_changing_the_tables(tmp_path, monkeypatch, caplog):
    raw = write_raw(tmp_path / "raw", {"big.jsonl": _batch_lines(40)})
    do_run(raw, tmp_path / "whole", tmp_path / "w1")
    monkeypatch.setattr(batch, "CHUNK_BYTES", 1500)
    jobs, _ = batch.unit_jobs(raw)
    assert len(jobs) > 3 and jobs[1].span[2] > 1  # slices know their first line number
    do_run(raw, tmp_path / "sliced", tmp_path / "w2")
    for table in ("articles", "mentions", "events", "casualties", "rejects"):
        assert (tmp_path / "whole" / f"{table}.parquet").read_bytes() == (tmp_path / "sliced" / f"{table}.parquet").read_bytes()
    with open(raw / "big.jsonl", "a") as fh:  # a nightly batch grows: only the tail is processed again
        fh.write(_batch_lines(3, offset=40))
    caplog.set_level(logging.INFO, logger="pipeline")
    do_run(raw, tmp_path / "sliced", tmp_path / "w2")
    assert f"{len(jobs) - 1} cached, 1 to process" in caplog.text
    assert pq.read_table(tmp_path / "sliced" / "articles.parquet").num_rows == 43


def test_timeline_settings_rebuild_outputs_without_reprocessing_units(tmp_path, caplog):
    raw = write_raw(tmp_path / "raw", STORIES)
    do_run(raw, tmp_path / "out", tmp_path / "work")
    caplog.set_level(logging.INFO, logger="pipeline")
    settings = Settings(progress="never", timeline_max_merge_days=30)
    assert runner.run(raw, tmp_path / "out", settings, work=tmp_path / "work") == runner.OK
    assert "nothing changed" not in caplog.text and "3 cached, 0 to process" in caplog.text
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["settings"]["timeline_max_merge_days"] == 30


def test_the_worker_pool_has_ended_before_the_merge(tmp_path, monkeypatch):
    import multiprocessing

    raw = write_raw(tmp_path / "raw", {f"{i}-{k}": v for i in range(3) for k, v in STORIES.items()})
    alive = []
    real = batch.merge_units

    def merge_units(*args, **kwargs):
        alive.append(len(multiprocessing.active_children()))  # workers still up would hold their memory
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "group_tasks", lambda jobs: [[j] for j in jobs])  # a task per unit: a pool of 2
    monkeypatch.setattr(batch, "merge_units", merge_units)
    assert do_run(raw, tmp_path / "out", tmp_path / "work", workers=2) in (runner.OK, runner.OK_WITH_REJECTS)
    assert alive == [0]


def test_data_tables_hashed_by_the_timeline_workers_are_their_files_sha256(tmp_path, monkeypatch):
    """With month workers, the data tables' files are hashed there (while the workers would wait); the manifest's
    sha256s are still those of the published files, and the other files are hashed as before."""
    import hashlib

    from pipeline.run import outdir
    from pipeline.timeline import store

    monkeypatch.setattr(store, "PARALLEL_EVENTS", 0)  # month workers even for these few events
    given = []
    real = outdir.file_hashes
    monkeypatch.setattr(outdir, "file_hashes", lambda folder, known=None: given.append(dict(known or {})) or real(folder, known))
    out = tmp_path / "out"
    assert do_run(write_raw(tmp_path / "raw", STORIES), out, tmp_path / "work", workers=2) == runner.OK
    tables = ("articles", "mentions", "events", "casualties")
    assert sorted(given[0]) == sorted(f"{t}.{ext}" for t in tables for ext in ("parquet", "csv"))
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert set(files) > set(given[0])
    for name, sha in files.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == sha, name
