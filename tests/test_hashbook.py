"""A rerun reads only the input files that changed: the hash book trusts a file while its identity holds."""

from __future__ import annotations

import json
import os
import time

import pytest

from pipeline.run import batch
from pipeline.run.hashbook import BOOK, RACY_NS

HOUR_AGO = time.time() - 3600


def _archive(folder, n=3, big=False):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"story-{i}.txt").write_text(f"ALDERTON - Story {i} about the bridge opening on Monday.\n")
        (folder / f"story-{i}.json").write_text(json.dumps({"published": "2021-05-04", "source": "Sample Post"}))
    if big:  # a JSON Lines file large enough to be cut into slices
        line = json.dumps({"id": "x", "published": "2021-05-04", "text": "Filler text. " * 400}) + "\n"
        (folder / "batch.jsonl").write_text("".join(line.replace('"x"', f'"b{i}"') for i in range(1500)))
    for p in folder.iterdir():
        os.utime(p, (HOUR_AGO, HOUR_AGO))  # written an hour ago: not racy


@pytest.fixture
def reads(monkeypatch):
    counted = {"files": 0, "slices": 0}
    real_hash, real_slices = batch.file_sha256, batch._slices

    def file_sha256(p):
        counted["files"] += 1
        return real_hash(p)

    def slices(p, chunk):
        counted["slices"] += 1
        return real_slices(p, chunk)

    monkeypatch.setattr(batch, "file_sha256", file_sha256)
    monkeypatch.setattr(batch, "_slices", slices)
    return counted


def test_an_unchanged_archive_is_not_read_again(tmp_path, reads):
    _archive(tmp_path / "raw", big=True)
    first = batch.unit_jobs(tmp_path / "raw", None, None, tmp_path / "work")
    assert reads == {"files": 6, "slices": 1} and (tmp_path / "work" / BOOK).is_file()
    again = batch.unit_jobs(tmp_path / "raw", None, None, tmp_path / "work")
    assert reads == {"files": 6, "slices": 1}  # nothing read the second time
    assert again == first  # same units, same keys, same file hashes


@pytest.mark.parametrize(
    "change",
    [
        "same size, times put back",  # only ctime (which no program can set) tells
        "appended",
        "replaced by another file",
    ],
)
def test_a_changed_file_is_read_again_and_gets_a_new_key(tmp_path, reads, change):
    raw = tmp_path / "raw"
    _archive(raw)
    jobs, hashes = batch.unit_jobs(raw, None, None, tmp_path / "work")
    target = raw / "story-1.txt"
    text = target.read_text()
    time.sleep(0.01)  # a new ctime
    if change == "same size, times put back":
        target.write_text(text.replace("Monday", "Friday"))
        os.utime(target, (HOUR_AGO, HOUR_AGO))
    elif change == "appended":
        with open(target, "a") as fh:
            fh.write("More.\n")
    else:
        target.unlink()
        (raw / "other.txt").write_text(text.replace("Monday", "Sunday"))
        os.rename(raw / "other.txt", target)
    before = reads["files"]
    jobs2, hashes2 = batch.unit_jobs(raw, None, None, tmp_path / "work")
    assert reads["files"] == before + 1  # that file alone
    assert hashes2["story-1.txt"] != hashes["story-1.txt"]
    assert {j.rel: j.key for j in jobs2}["story-1.txt"] != {j.rel: j.key for j in jobs}["story-1.txt"]


def test_files_modified_just_before_the_book_was_written_are_hashed_again(tmp_path, reads):
    raw = tmp_path / "raw"
    _archive(raw)
    os.utime(raw / "story-0.txt", ns=(time.time_ns(), time.time_ns()))  # racily clean: too close to the scan
    batch.unit_jobs(raw, None, None, tmp_path / "work")
    before = reads["files"]
    batch.unit_jobs(raw, None, None, tmp_path / "work")
    assert reads["files"] == before + 1
    assert RACY_NS >= 1_000_000_000


@pytest.mark.parametrize("book", ["{not json", '{"format": 1}', '{"format": 99, "files": {}, "written_ns": 0}', "[]"])
def test_a_damaged_or_foreign_book_means_reading_everything(tmp_path, reads, book):
    raw = tmp_path / "raw"
    _archive(raw)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / BOOK).write_text(book)
    jobs, _ = batch.unit_jobs(raw, None, None, tmp_path / "work")
    assert reads["files"] == 6 and len(jobs) == 3
    assert json.loads((tmp_path / "work" / BOOK).read_text())["format"] == 1  # rewritten


def test_files_gone_are_forgotten(tmp_path, reads):
    raw = tmp_path / "raw"
    _archive(raw)
    batch.unit_jobs(raw, None, None, tmp_path / "work")
    (raw / "story-2.txt").unlink()
    (raw / "story-2.json").unlink()
    batch.unit_jobs(raw, None, None, tmp_path / "work")
    assert sorted(json.loads((tmp_path / "work" / BOOK).read_text())["files"]) == [
        "story-0.json", "story-0.txt", "story-1.json", "story-1.txt"
    ]  # fmt: skip


def test_nothing_changed_is_told_without_hashing_the_outputs_again(tmp_path, monkeypatch):
    import json as _json

    from pipeline.run import outdir, runner
    from pipeline.settings import Settings
    from tests.test_run import STORIES, write_raw

    raw, out, work = write_raw(tmp_path / "raw", STORIES), tmp_path / "out", tmp_path / "work"
    for p in raw.iterdir():
        os.utime(p, (HOUR_AGO, HOUR_AGO))
    assert runner.run(raw, out, Settings(progress="never"), work=work) == runner.OK
    files = _json.loads((out / "manifest.json").read_text())["files"]
    for rel in files:  # published an hour ago, as a nightly run finds them
        os.utime(out / rel, (HOUR_AGO, HOUR_AGO))
    outdir.remember(out, files, work)
    hashed = []
    real = outdir.file_sha256
    monkeypatch.setattr(outdir, "file_sha256", lambda p: hashed.append(p.name) or real(p))
    assert runner.run(raw, out, Settings(progress="never"), work=work) == runner.OK
    assert hashed == []  # every output's identity was as recorded: none read
    (out / "events.csv").write_text("edited by hand\n")
    assert runner.run(raw, out, Settings(progress="never"), work=work) == runner.OK
    assert "events.csv" in hashed and (out / "events.csv").read_text() != "edited by hand\n"  # rebuilt
