"""Which files under an input path are inputs, in which order, and how they pair up (text + sidecar)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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

    kind: str  # "text" | "batch" | "unsupported" | a kind of pipeline.ingest.formats
    path: Path
    rel: str  # posix path relative to the input root; the default id and the raw_path of what it yields
    sidecar: Path | None = None


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


def sidecar_for(text_path: Path) -> Path | None:
    for suffix in SIDECAR_SUFFIXES:
        candidate = text_path.with_name(text_path.stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def _sidecar_owner(json_path: Path) -> Path | None:
    """The text file a .json would be the sidecar of, when one exists."""
    name = json_path.name
    stem = name[: -len(".meta.json")] if name.lower().endswith(".meta.json") else json_path.stem
    for suffix in TEXT_SUFFIXES:
        owner = json_path.with_name(stem + suffix)
        if owner.is_file():
            return owner
    return None


def input_files(input_path: Path) -> list[Path]:
    """Every file ingest reads or reports on under `input_path` (what the manifest hashes), in ingest order."""
    files = _walk(input_path)
    if not input_path.is_dir() and _suffix(input_path) in TEXT_SUFFIXES:
        sidecar = sidecar_for(input_path)
        files += [sidecar] if sidecar else []
    return files


def units(input_path: Path) -> list[Unit]:
    root = _root(input_path)
    out = []
    for path in _walk(input_path):
        rel = path.relative_to(root).as_posix()
        suffix = _suffix(path)
        if suffix in TEXT_SUFFIXES:
            out.append(Unit("text", path, rel, sidecar_for(path)))
        elif suffix in BATCH_SUFFIXES:
            out.append(Unit("batch", path, rel))
        elif suffix == ".json" and input_path.is_dir() and _sidecar_owner(path) is not None:
            continue  # read with its text file
        elif (kind := format_kind(path.name)) is not None:
            out.append(Unit(kind, path, rel))
        else:
            out.append(Unit("unsupported", path, rel))
    return out
