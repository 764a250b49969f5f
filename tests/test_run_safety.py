"""Nothing the pipeline does harms the user's folders, and no run is left stuck: locks, the output folder, budgets.

Rows of issue 10 that live in orchestration: workers and locks die with the main process (3), two runs
sharing a work folder (4), the output folder is the pipeline's only (6), stale `partitioned/` (7), a log
file that cannot be opened (9), damaged outputs are rebuilt (14), a per-article time budget, exit 130, a full
disk said plainly and warned of.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pipeline import export
from pipeline.cli import main
from pipeline.paths import ROOT
from pipeline.run import batch, chain, runner
from pipeline.settings import Settings
from tests.test_run import NEW_STORY, STORIES, do_run, outputs, write_raw

# A run whose tasks never finish: every worker notes its pid in MARKS, then sleeps.
DRIVER = """
import os, sys, time
from pathlib import Path
from pipeline.cli import main
from pipeline.run import batch

def stuck(task):
    (Path(os.environ["MARKS"]) / str(os.getpid())).write_text("")
    time.sleep(120)

batch.process_task = stuck
batch.group_tasks = lambda jobs: [[job] for job in jobs]  # one task per input unit, so that every worker gets one
sys.exit(main(sys.argv[1:]))
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_for(condition, seconds: float = 60.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def start_stuck_run(tmp_path: Path, out: Path, work: Path) -> tuple[subprocess.Popen, list[int]]:
    raw = write_raw(tmp_path / "raw", STORIES)
    marks = tmp_path / "marks"
    marks.mkdir()
    (tmp_path / "driver.py").write_text(DRIVER)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MARKS": str(marks)}
    args = ["run", "--input", str(raw), "--output", str(out), "--work", str(work), "--workers", "2", "--quiet"]
    proc = subprocess.Popen([sys.executable, str(tmp_path / "driver.py"), *args], env=env, start_new_session=True)
    if not wait_for(lambda: len(list(marks.iterdir())) == 2):
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the two workers never started")
    return proc, [int(p.name) for p in marks.iterdir()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_the_main_process_alone_ends_its_workers_and_frees_the_lock(tmp_path, sig, caplog):
    out, work = tmp_path / "out", tmp_path / "work"
    proc, workers = start_stuck_run(tmp_path, out, work)
    try:
        os.kill(proc.pid, sig)  # the main process only, not its group
        proc.wait(timeout=30)
        assert wait_for(lambda: not any(alive(w) for w in workers), 15), "workers outlived the main process"
        caplog.set_level(logging.INFO, logger="pipeline")
        with runner.run_lock(out), runner.work_lock(work):  # free: the next run goes ahead
            pass
        assert f"taking over from pid {proc.pid}" in caplog.text
    finally:
        for pid in [proc.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_exits_130_and_leaves_the_last_outputs(tmp_path):
    raw = write_raw(tmp_path / "raw", STORIES)
    out, work = tmp_path / "out", tmp_path / "work"
    assert do_run(raw, out, work) == runner.OK
    good = outputs(out)
    write_raw(raw, dict([NEW_STORY]))
    proc, workers = start_stuck_run(tmp_path, out, tmp_path / "work2")  # a fresh cache: every unit is a task
    try:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
        assert proc.wait(timeout=60) == runner.INTERRUPTED
        assert wait_for(lambda: not any(alive(w) for w in workers), 15)
    finally:
        for pid in [proc.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert outputs(out) == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == [".out.lock"]


@pytest.mark.parametrize(
    "error, code, said, traceback",
    [
        (KeyboardInterrupt(), 130, "interrupted: previous outputs left intact", False),
        # a full disk: Python's own writes carry the errno, Arrow's say it in words
        (OSError(28, "No space left on device", "/somewhere/events.csv"), 70, "the disk is full", False),
        (OSError("IOError: error writing to file: No space left on device"), 70, "the disk is full", False),
        (PermissionError(13, "Permission denied", "/somewhere"), 70, "the run crashed", True),  # any other error
    ],
)
def test_a_run_stopped_in_the_merge_says_why_and_keeps_the_outputs(tmp_path, monkeypatch, capsys, error, code, said,
                                                                   traceback):  # fmt: skip
    raw = write_raw(tmp_path / "raw", STORIES)
    out, work = tmp_path / "out", tmp_path / "work"
    do_run(raw, out, work)
    good = outputs(out)
    write_raw(raw, dict([NEW_STORY]))

    def stopped(*args):
        raise error

    monkeypatch.setattr(batch, "merge_units", stopped)
    assert main(["run", "--input", str(raw), "--output", str(out), "--work", str(work), "--quiet"]) == code
    err = capsys.readouterr().err
    assert said in err and ("Traceback" in err) == traceback
    assert outputs(out) == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == [".out.lock"]  # no staging left


@pytest.mark.parametrize("free_share, warned", [(0.5, True), (1.5, False)])
def test_a_disk_with_less_room_than_the_outputs_is_warned_of_before_the_run(tmp_path, monkeypatch, caplog, free_share, warned):
    import shutil as shutil_mod
    from collections import namedtuple

    raw = write_raw(tmp_path / "raw", STORIES)
    out, work = tmp_path / "out", tmp_path / "work"
    do_run(raw, out, work)
    taken = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.name != "manifest.json")
    write_raw(raw, dict([NEW_STORY]))
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil_mod, "disk_usage", lambda path: usage(10 * taken, 9 * taken, int(free_share * taken)))
    with caplog.at_level(logging.WARNING, logger="pipeline"):
        assert do_run(raw, out, work) == runner.OK
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("disk:")]
    assert bool(said) == warned
    if warned:
        assert f"{taken / 1e9:.1f} GB" in said[0] and str(out) in said[0]


def test_a_lock_left_by_a_holder_that_is_gone_is_taken_over_with_a_log_line(tmp_path, caplog):
    raw = write_raw(tmp_path / "raw", STORIES)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (tmp_path / ".out.lock").write_text(f"pid {gone.pid} (output folder {tmp_path / 'out'})\n")
    caplog.set_level(logging.INFO, logger="pipeline")
    assert do_run(raw, tmp_path / "out", tmp_path / "work") == runner.OK
    assert f"taking over from pid {gone.pid}, which ended without releasing it" in caplog.text
    assert (tmp_path / ".out.lock").read_text() == ""  # released


def test_a_run_never_prunes_the_cache_of_another_run_sharing_its_work_folder(tmp_path, monkeypatch, capsys):
    raw = write_raw(tmp_path / "raw", STORIES)
    work = tmp_path / "work"
    real_merge = batch.merge_units
    second: list[int] = []

    def merge_while_another_run_starts(*args):
        # a second run, other output and other settings (another cache version), starts during the first one
        settings = tmp_path / "s.toml"
        settings.write_text("min_text_chars = 2\n")
        second.append(main(["run", "--input", str(raw), "--output", str(tmp_path / "o2"), "--work", str(work), "--settings", str(settings)]))
        return real_merge(*args)

    monkeypatch.setattr(batch, "merge_units", merge_while_another_run_starts)
    assert do_run(raw, tmp_path / "o1", work) == runner.OK
    assert second == [runner.LOCKED]
    assert "another run is using the work folder" in capsys.readouterr().err
    monkeypatch.setattr(batch, "merge_units", real_merge)
    do_run(raw, tmp_path / "fresh", tmp_path / "fresh-work")
    assert outputs(tmp_path / "o1") == outputs(tmp_path / "fresh")


# ------------------------------------------------------------------ the output folder is the pipeline's
REFUSED = {
    # case: (options given relative to tmp_path, what the message says)
    "the input folder": (lambda t: {"output": t / "raw"}, "is the input"),
    "inside the input": (lambda t: {"output": t / "raw" / "out"}, "is inside the input"),
    "holds the input": (lambda t: {"output": t}, "holds the input"),
    "the input file itself": (lambda t: {"input": t / "raw" / "a-harbour.md", "output": t / "raw" / "a-harbour.md"}, "not a folder"),
    "the input file's folder": (lambda t: {"input": t / "raw" / "a-harbour.md", "output": t / "raw"}, "holds the input"),
    "the file system root": (lambda t: {"output": Path("/")}, "root of the file system"),
    "the home folder": (lambda t: {"output": t / "home"}, "home folder"),
    "the work folder": (lambda t: {"output": t / "work"}, "holds the work folder"),
    "a folder holding the work folder": (lambda t: {"output": t / "out", "work": t / "out" / "cache"}, "holds the work folder"),
    "a folder of the user's files": (lambda t: {"output": t / "docs"}, "no run of the pipeline wrote (notes.txt)"),
    "a user's articles.csv": (lambda t: {"output": t / "mine"}, "no run of the pipeline wrote (articles.csv)"),
}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_output_folder_that_is_not_the_pipelines_is_refused(tmp_path, monkeypatch, capsys, case):
    write_raw(tmp_path / "raw", STORIES)
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("my notes")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "articles.csv").write_text("my own table")
    options, message = REFUSED[case]
    given = {"input": tmp_path / "raw", "work": tmp_path / "work", **options(tmp_path)}
    before = _snapshot(tmp_path)
    args = ["run", "--quiet"] + [x for k, v in given.items() for x in (f"--{k}", str(v))]
    assert main(args) == runner.USAGE
    assert message in capsys.readouterr().err
    assert _snapshot(tmp_path) == before and not (tmp_path / "work").exists()


def test_force_writes_beside_the_users_files_and_never_touches_them(tmp_path):
    raw = write_raw(tmp_path / "raw", STORIES)
    out = tmp_path / "shared-folder"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    (tmp_path / "elsewhere.csv").write_text("kept where it is")
    (out / "latest.csv").symlink_to(tmp_path / "elsewhere.csv")
    (out / "archive").symlink_to(tmp_path / "raw", target_is_directory=True)
    out.chmod(0o750)
    args = ["run", "--input", str(raw), "--output", str(out), "--work", str(tmp_path / "w"), "--quiet"]
    assert main(args) == runner.USAGE  # not without --force
    assert main([*args, "--force"]) == runner.OK
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    assert (out / "notes.txt").read_text() == "my notes"
    assert os.readlink(out / "latest.csv") == str(tmp_path / "elsewhere.csv")
    assert os.readlink(out / "archive") == str(tmp_path / "raw")
    assert (tmp_path / "elsewhere.csv").read_text() == "kept where it is"
    assert pq.read_table(out / "articles.parquet").num_rows == 4


def test_publishing_keeps_the_folder_its_mode_and_a_link_to_it(tmp_path):
    raw = write_raw(tmp_path / "raw", STORIES)
    real = tmp_path / "disk" / "processed"
    real.mkdir(parents=True)
    real.chmod(0o2775)
    (tmp_path / "processed").symlink_to(real, target_is_directory=True)
    inode = real.stat().st_ino
    for _ in range(2):  # a first run, then a rebuild after a change
        assert do_run(raw, tmp_path / "processed", tmp_path / "w", full=True) == runner.OK
    assert (tmp_path / "processed").is_symlink() and real.stat().st_ino == inode
    assert stat.S_IMODE(real.stat().st_mode) == 0o2775
    assert (real / "manifest.json").exists()


def test_a_run_without_partition_removes_the_stale_partitioned_folder(tmp_path):
    raw = write_raw(tmp_path / "raw", STORIES)
    out, work = tmp_path / "out", tmp_path / "w"
    (out).mkdir()
    (out / "README.md").write_text("about this folder")
    assert do_run(raw, out, work, partition=True) == runner.OK
    assert (out / "partitioned" / "articles").is_dir()
    assert do_run(raw, out, work) == runner.OK
    assert not (out / "partitioned").exists()
    assert (out / "README.md").read_text() == "about this folder"
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert sorted(p.name for p in out.iterdir()) == sorted({*files, "manifest.json", "README.md"})


@pytest.mark.parametrize(
    "damage",
    [
        lambda out: (out / "articles.csv").unlink(),
        lambda out: (out / "events.parquet").write_bytes(b"edited by hand"),
        lambda out: (out / "validation_report.txt").write_text("nothing to see"),
        lambda out: next((out / "partitioned" / "mentions").rglob("*.parquet")).unlink(),
    ],
    ids=["deleted", "corrupted", "edited", "deleted-partition-file"],
)
def test_a_rerun_rebuilds_outputs_deleted_or_changed_by_hand(tmp_path, caplog, damage):
    raw = write_raw(tmp_path / "raw", STORIES)
    out, work = tmp_path / "out", tmp_path / "w"
    do_run(raw, out, work, partition=True)
    good = _snapshot(out)
    damage(out)
    caplog.set_level(logging.INFO, logger="pipeline")
    assert do_run(raw, out, work, partition=True) == runner.OK
    assert "outputs changed since the last run" in caplog.text and "nothing changed" not in caplog.text
    assert "0 to process" in caplog.text  # rebuilt from the cache
    assert _snapshot(out) == good
    caplog.clear()
    do_run(raw, out, work, partition=True)
    assert "nothing changed" in caplog.text


def test_the_manifest_records_the_sha256_of_every_output_file(tmp_path):
    raw = write_raw(tmp_path / "raw", STORIES)
    do_run(raw, tmp_path / "out", tmp_path / "w")
    files = json.loads((tmp_path / "out" / "manifest.json").read_text())["files"]
    assert "articles.parquet" in files and "manifest.json" not in files
    from pipeline.run.manifest import file_sha256

    assert all(file_sha256(tmp_path / "out" / rel) == sha for rel, sha in files.items())


def test_a_publish_cut_short_after_its_plan_is_finished_by_the_next_run(tmp_path, monkeypatch):
    out = tmp_path / "processed"
    export.publish(out, lambda d: [(d / n).write_text("old") for n in ("articles.csv", "manifest.json")])
    real_move = export._move
    moved: list[str] = []

    def killed_after_one(src, dst, trash):
        if moved:
            raise SystemExit("kill -9")
        moved.append(src.name)
        real_move(src, dst, trash)

    monkeypatch.setattr(export, "_move", killed_after_one)
    with pytest.raises(SystemExit):
        export.publish(out, lambda d: [(d / n).write_text("new") for n in ("articles.csv", "events.csv", "manifest.json")])
    assert (out / "manifest.json").read_text() == "old"  # the manifest moves last
    monkeypatch.setattr(export, "_move", real_move)
    export.recover(out)
    assert {p.name: p.read_text() for p in out.iterdir()} == {"articles.csv": "new", "events.csv": "new", "manifest.json": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]


# ------------------------------------------------------------------ log file
@pytest.mark.parametrize("where", ["a folder", "under a file"])
def test_a_log_file_that_cannot_be_opened_is_a_usage_error_before_any_work(tmp_path, capsys, where):
    raw = write_raw(tmp_path / "raw", STORIES)
    (tmp_path / "plain").write_text("")
    log_file = {"a folder": tmp_path, "under a file": tmp_path / "plain" / "run.log"}[where]
    args = ["run", "--input", str(raw), "--output", str(tmp_path / "out"), "--work", str(tmp_path / "w"), "--log-file", str(log_file)]
    assert main(args) == runner.USAGE
    assert "--log-file" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "w").exists()


# ------------------------------------------------------------------ per-article time budget
SLOW = "Dockers in Lisbon"  # the one story that takes forever (c-batch.jsonl, id "strike")


def _never_ending(real, finished: list[str]):
    def rows(article_id, text, *args):
        if SLOW in text:
            end = time.monotonic() + 60
            while time.monotonic() < end:  # a runaway scan, in Python
                pass
            finished.append(article_id)
        return real(article_id, text, *args)

    return rows


@pytest.mark.parametrize("stage", ["temporal", "extract"])
def test_an_article_over_its_time_budget_is_a_too_slow_reject_and_the_batch_goes_on(tmp_path, monkeypatch, stage):
    raw = write_raw(tmp_path / "raw", STORIES)
    do_run(raw, tmp_path / "plain", tmp_path / "w0")
    finished: list[str] = []
    name = f"{stage}_rows"
    monkeypatch.setattr(chain, name, _never_ending(getattr(chain, name), finished))
    settings = Settings(progress="never", article_time_budget_s=0.5)
    out = tmp_path / "out"
    assert runner.run(raw, out, settings, work=tmp_path / "w", engine="serial") == runner.OK_WITH_REJECTS
    assert finished == []  # stopped by the budget, not by finishing
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    assert [(r["source_id"], r["stage"], r["reason"]) for r in rejects] == [("strike", stage, "too_slow")]
    assert "article_time_budget_s" in rejects[0]["message"]
    articles = pq.read_table(out / "articles.parquet")
    assert "strike" in articles.column("source_id").to_pylist()  # kept, without that stage's rows
    slow_id = articles.filter(pc.equal(articles.column("source_id"), "strike")).column("article_id")[0].as_py()
    for table in ("mentions", "events", "casualties"):
        got = pq.read_table(out / f"{table}.parquet")
        plain = pq.read_table(tmp_path / "plain" / f"{table}.parquet")
        others = lambda t: t.filter(pc.not_equal(t.column("article_id"), slow_id)).to_pylist()  # noqa: E731
        assert others(got) == others(plain), table
    if stage == "extract":  # what temporal found is kept
        assert pq.read_table(out / "mentions.parquet").equals(pq.read_table(tmp_path / "plain" / "mentions.parquet"))
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL


def test_without_a_timer_the_budget_is_checked_after_each_article(monkeypatch):
    from tests import factories as f

    articles = f.tables()["articles"]
    first = articles.column("article_id")[0].as_py()

    def slowish(article_id, text, reference):
        if article_id == first:
            time.sleep(0.3)
        return []

    monkeypatch.setattr(chain, "temporal_rows", slowish)
    monkeypatch.setattr(chain, "_warm", set())
    result = {}
    worker = threading.Thread(target=lambda: result.update(out=chain.temporal_stage(articles, None, chain.ArticleBudget(0.1))))
    worker.start()  # not the main thread: no SIGALRM there
    worker.join()
    assert [(r["article_id"], r["reason"]) for r in result["out"].rejects] == [(first, "too_slow")]


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf")])
def test_the_time_budget_setting_is_checked(value):
    with pytest.raises(ValueError, match="article_time_budget_s"):
        Settings(article_time_budget_s=value)
