"""What each input file hashed to in the last run, so that a rerun reads only the files that changed.

A scheduled run over a large archive would otherwise read every byte again just to learn that almost
nothing changed (4 GB for a million articles). The book, `WORK/hashes.json`, keeps each file's
sha256 (and the slices of a large JSON Lines file, see `batch._slices`) under the file's identity:
size, modification time, status-change time (ctime: no program can set it back), inode and device.
A file whose identity matches is not read again. A second book, `WORK/outputs.json`, does the same for the
files a run published, so that "nothing changed" need not hash gigabytes of outputs.

Git's "racily clean" rule guards the one gap: a file changed within the timestamp granularity of the
moment the book was written could keep its size and times. Entries whose file was modified less
than `RACY_NS` before the book was written are hashed again. (The clock is read only to date the
book itself; it never takes part in interpreting an article.)
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from pipeline import atomic

BOOK = "hashes.json"
OUTPUTS_BOOK = "outputs.json"  # the same for the files a run published (`outdir.damaged`)
RACY_NS = 2_000_000_000  # files modified this close to the book's writing are hashed again
FORMAT = 1


def identity(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


class HashBook:
    """Hashes of input files by relative path, trusted while the file's identity is unchanged."""

    def __init__(self, folder: Path | None, name: str = BOOK) -> None:
        self.path = folder / name if folder is not None else None
        self.old: dict[str, dict[str, Any]] = {}
        self.new: dict[str, dict[str, Any]] = {}
        self.written_ns = 0
        if self.path is not None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("files"), dict):
                    self.old, self.written_ns = data["files"], int(data["written_ns"])
            except (OSError, ValueError, KeyError, TypeError):  # no book, or a damaged one: hash everything
                self.old = {}

    def get(self, rel: str, st: os.stat_result) -> Any | None:
        """What was recorded for this file, if it is the same file as then (else None: hash it)."""
        entry = self.old.get(rel)
        if not isinstance(entry, dict) or entry.get("id") != identity(st) or st.st_mtime_ns >= self.written_ns - RACY_NS:
            return None
        self.new[rel] = entry
        return entry["value"]

    def put(self, rel: str, st: os.stat_result, value: Any) -> None:
        self.new[rel] = {"id": identity(st), "value": value}

    def save(self) -> None:
        """Write the entries of this scan (files gone since are forgotten), atomically."""
        if self.path is None:
            return
        data = {"format": FORMAT, "written_ns": time.time_ns(), "files": self.new}
        with atomic.replacing(self.path) as tmp:
            tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
