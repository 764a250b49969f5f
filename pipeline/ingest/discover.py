"""Which files under an input path are inputs, in which order, and how they pair up (text + sidecar).

Only regular files are ever opened: a FIFO, socket, device, dangling link or link loop becomes an `unreadable`
unit, decided from `lstat`/`stat` alone. A symbolic link is followed only when its target lies inside the input
folder (or `follow_symlinks_outside_input` is set). A file name that is not UTF-8 keeps its bytes escaped
(`caf\\xe9.md`) in `rel`, so no undecodable text leaves discovery.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pipeline.settings import Settings
from pipeline.ingest.formats import kind_of as format_kind

TEXT_SUFFIXES = (".txt", ".md")
BATCH_SUFFIXES = (".jsonl", ".ndjson")
SIDECAR_SUFFIXES = (".meta.json", ".json")  # tried in this order for story.txt: story.meta.json, then story.json
# Notes kept beside the data (attribution, licence, a README) are not articles.
IGNORED_NAME_PREFIXES = ("_", ".")
IGNORED_NAME_STEMS = ("readme", "license", "licence", "notice", "copying", "changelog")


@dataclass(frozen=True)
class Unit:
    """One thing ingest reads: a text file (with its sidecar, if any), a JSON Lines batch, or an unusable file."""

    kind: str  # "text" | "batch" | "unsupported" | "unreadable" | a kind of pipeline.ingest.formats
    path: Path
    rel: str  # posix path relative to the input root; the default id and the raw_path of what it yields
    sidecar: Path | None = None
    problem: str | None = None  # why an "unreadable" unit is not opened


_FILE_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)
OUTSIDE = "is a symbolic link that leads outside the input folder (the setting follow_symlinks_outside_input allows it)"


def unreadable_reason(path: Path, root: Path | None = None) -> str | None:
    """Why `path` must not be opened (a phrase after its name), or None for a regular file ingest may read.

    Nothing is opened. With `root`, a symbolic link whose target lies outside `root` is refused too.
    """
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISLNK(mode):
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:  # dangling (ENOENT) or a loop (ELOOP)
            return f"is a symbolic link that cannot be followed: {exc.strerror or exc}"
        if root is not None and not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root)):
            return OUTSIDE
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    return f"is {kind}, not a regular file; it was not opened"


def printable(rel: str) -> str:
    """A relative path as text that encodes: bytes of a non-UTF-8 file name escaped (`caf\\xe9.md`)."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def is_ignored(name: str) -> bool:
    lower = name.lower()
    return lower.startswith(IGNORED_NAME_PREFIXES) or lower.split(".")[0] in IGNORED_NAME_STEMS


def _root(input_path: Path) -> Path:
    return input_path if input_path.is_dir() else input_path.parent


def _walk(input_path: Path) -> list[Path]:
    """Every non-ignored file, sorted by relative path (compared part by part, so a folder's files stay together)."""
    if not input_path.is_dir():
        return [input_path]
    found = []
    for folder, dirs, files in os.walk(input_path):
        dirs[:] = [d for d in dirs if not is_ignored(d)]
        found += [Path(folder) / f for f in files if not is_ignored(f)]
    return sorted(found, key=lambda p: p.relative_to(input_path).parts)


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def sidecar_for(text_path: Path, root: Path | None = None) -> Path | None:
    """The sidecar of a text file: the first candidate that is a readable file (see `unreadable_reason`)."""
    for suffix in SIDECAR_SUFFIXES:
        candidate = text_path.with_name(text_path.stem + suffix)
        if os.path.lexists(candidate) and unreadable_reason(candidate, root) is None:
            return candidate
    return None


def _sidecar_owner(json_path: Path, fence: Path | None) -> Path | None:
    """The text file a .json would be the sidecar of, when one exists."""
    name = json_path.name
    stem = name[: -len(".meta.json")] if name.lower().endswith(".meta.json") else json_path.stem
    for suffix in TEXT_SUFFIXES:
        owner = json_path.with_name(stem + suffix)
        if unreadable_reason(owner, fence) is None:
            return owner
    return None


def _fence(input_path: Path, settings: Settings | None) -> Path | None:
    """The folder symbolic links must stay inside; None when any target may be read (an explicit file input is
    read wherever it points, as is everything when the setting allows it)."""
    if not input_path.is_dir() or (settings is not None and settings.follow_symlinks_outside_input):
        return None
    return input_path


def input_files(input_path: Path, settings: Settings | None = None) -> list[Path]:
    """Every readable file ingest reads under `input_path` (what the manifest hashes), in ingest order.

    Files that are not opened (see `unreadable_reason`) are left out: they have no bytes to hash.
    """
    fence = _fence(input_path, settings)
    files = [p for p in _walk(input_path) if unreadable_reason(p, fence) is None]
    if not input_path.is_dir() and _suffix(input_path) in TEXT_SUFFIXES:
        sidecar = sidecar_for(input_path)
        files += [sidecar] if sidecar else []
    return files


def units(input_path: Path, settings: Settings | None = None) -> list[Unit]:
    """The input units under `input_path` in ingest order. `settings` (default: the defaults) only decides
    whether symbolic links may lead outside the input folder."""
    root = _root(input_path)
    fence = _fence(input_path, settings)
    out = []
    for path in _walk(input_path):
        rel = printable(path.relative_to(root).as_posix())
        suffix = _suffix(path)
        problem = unreadable_reason(path, fence)
        if problem is not None:
            out.append(Unit("unreadable", path, rel, problem=problem))
        elif suffix in TEXT_SUFFIXES:
            out.append(Unit("text", path, rel, sidecar_for(path, fence)))
        elif suffix in BATCH_SUFFIXES:
            out.append(Unit("batch", path, rel))
        elif suffix == ".json" and input_path.is_dir() and _sidecar_owner(path, fence) is not None:
            continue  # read with its text file
        elif (kind := format_kind(path.name)) is not None:
            out.append(Unit(kind, path, rel))
        else:
            out.append(Unit("unsupported", path, rel))
    return out
