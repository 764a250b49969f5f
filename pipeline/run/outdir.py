"""The output folder is the pipeline's, and only that.

Before a run writes anything, `check_location` refuses an output folder that would harm the user's
folders or feed the pipeline its own outputs: the input folder, a folder inside it or holding it,
the work folder or one holding it, a file system's root or mount point, the home folder; and
`check_contents` refuses a folder holding files that no run of the pipeline
wrote: the last manifest lists what its run wrote (`files`, with each file's sha256; a publish cut
short lists what it is still to move in), and a few
names are always allowed (`ALWAYS_KEPT`: a note about the folder, the `timeline` command's
picture). `--force` lets a run write beside other files; it never touches them.

Publishing (`pipeline.export.publish`) then replaces only the names the run writes, keeps the
folder itself (its permissions, owner, and any symbolic link pointing to it), removes what an earlier
run wrote and this one does not (`partitioned/` after a run without `--partition`), and never
follows a link. `damaged` compares the files on disk with the manifest's hashes, so a rerun
rebuilds outputs that were deleted or edited by hand instead of saying "nothing changed". A run writes its
outputs beside the previous ones before it replaces them, so `space_short` warns, before the merge, when the
disk holding the output folder has less room than the previous outputs take.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from pipeline.run.hashbook import OUTPUTS_BOOK, HashBook
from pipeline.run.manifest import file_sha256

MANIFEST = "manifest.json"
# Names any output folder may hold besides the run's files; a run never writes or removes them.
ALWAYS_KEPT = ("README.md", ".gitkeep", ".gitignore", "timeline.png")


class OutputRefused(ValueError):
    """The output folder is not one the pipeline may write (a usage error: exit 2)."""


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_location(out_dir: Path, input_path: Path, work: Path | None = None) -> None:
    """Raise `OutputRefused` when `out_dir` is a place the pipeline must not write its outputs into."""
    out = out_dir.resolve()
    given = str(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"--output {given} is not a folder")
    if out == Path(out.anchor):
        raise OutputRefused(f"--output {given} is the root of the file system; give a folder of its own")
    if out.exists() and os.path.ismount(out):
        raise OutputRefused(
            f"--output {given} is a mount point: outputs are staged beside the folder and moved in, which cannot "
            "cross file systems; give a folder inside it"
        )  # fmt: skip
    home = Path.home().resolve()
    if out == home:
        raise OutputRefused(f"--output {given} is the home folder; give a folder of its own")
    source = input_path.resolve()
    if _within(out, source) if source.is_dir() else out == source:
        where = "is" if out == source else "is inside"
        raise OutputRefused(f"--output {given} {where} the input {input_path}: the next run would read its own outputs")
    if _within(source, out):
        raise OutputRefused(f"--output {given} holds the input {input_path}: the next run would read its own outputs")
    if work is not None and _within(work.resolve(), out):
        raise OutputRefused(f"--output {given} holds the work folder {work}; give them separate folders")


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def owned(out_dir: Path, manifest: dict[str, Any] | None = None) -> set[str]:
    """Names in `out_dir` that the last run wrote (and may remove): from its manifest."""
    manifest = manifest if manifest is not None else read_manifest(out_dir)
    if manifest is None:
        return set()
    names = {MANIFEST}
    files = manifest.get("files")
    if isinstance(files, dict):
        names |= {rel.split("/", 1)[0] for rel in files}
    else:  # a manifest from before `files`: its tables, the report, and `--partition`'s folder
        outputs = manifest.get("outputs") or {}
        names |= {f for fs in outputs.values() if isinstance(fs, list) for f in fs}
        names |= {"validation_report.txt", "partitioned"}
    return {n for n in names if n and "/" not in n and n not in (".", "..")}


def pending(out_dir: Path) -> set[str]:
    """Names that a publish cut short is still to move into `out_dir` (`pipeline.export.recover` finishes it)."""
    from pipeline.export import PLAN

    names: set[str] = set()
    for plan in out_dir.parent.glob(f".{out_dir.name}.staging-*/{PLAN}"):
        try:
            names |= set(json.loads(plan.read_text(encoding="utf-8"))["move"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return names


def check_contents(out_dir: Path, force: bool = False) -> None:
    """Raise `OutputRefused` when `out_dir` holds files that no run wrote (unless `force`). Reads only."""
    out = out_dir.resolve()
    if not out.is_dir():
        return
    mine = owned(out) | pending(out)
    foreign = sorted(p.name for p in out.iterdir() if p.name not in mine and p.name not in ALWAYS_KEPT)
    if foreign and not force:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputRefused(
            f"--output {out_dir} holds files that no run of the pipeline wrote ({shown}); give an empty or new "
            "folder, or --force to write beside them (they are left as they are)"
        )  # fmt: skip


def file_hashes(folder: Path, known: dict[str, str] | None = None) -> dict[str, str]:
    """sha256 of every file under `folder` but the manifest, by relative path (what a manifest records).
    `known`: sha256s already made of finished files (by relative path), not made again."""
    known = known or {}
    found = sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return {
        rel: known.get(rel) or file_sha256(p) for p in found if (rel := p.relative_to(folder).as_posix()) != MANIFEST
    }


def damaged(out_dir: Path, manifest: dict[str, Any], work: Path | None = None) -> tuple[list[str], list[str]]:
    """(missing, changed): the manifest's files that are gone from `out_dir`, or whose bytes differ. With `work`,
    a file whose identity (size, times, inode) is the one recorded when it was published (`remember`) is not
    hashed again (`pipeline.run.hashbook`)."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        return [], []
    book = HashBook(work, OUTPUTS_BOOK)
    missing, changed = [], []
    for rel, sha in sorted(files.items()):
        path = out_dir / rel
        if path.is_symlink() or not path.is_file():
            missing.append(rel)
        elif book.get(_book_key(out_dir, rel), path.stat()) != sha and file_sha256(path) != sha:
            changed.append(rel)
    return missing, changed


def remember(out_dir: Path, files: dict[str, str], work: Path) -> None:
    """Record the identity of each published file with its sha256, for the next run's `damaged`."""
    book = HashBook(work, OUTPUTS_BOOK)
    for rel, sha in sorted(files.items()):
        path = out_dir / rel
        if path.is_file() and not path.is_symlink():
            book.put(_book_key(out_dir, rel), path.stat(), sha)
    book.save()


def _book_key(out_dir: Path, rel: str) -> str:
    return f"{out_dir.resolve()}/{rel}"


def space_short(out_dir: Path, manifest: dict[str, Any] | None) -> tuple[int, int] | None:
    """(bytes the previous run's outputs take, bytes free beside them) when the disk holding `out_dir` has less
    room than those outputs: the new outputs are written next to them (in a staging folder) before they replace
    them, with the timeline's temporary files, so such a run will most likely fail on a full disk. None when there
    is room, no previous run, or nothing can be measured."""
    files = (manifest or {}).get("files")
    if not isinstance(files, dict) or not files:
        return None
    need = 0
    for rel in files:
        path = out_dir / rel
        try:
            if not path.is_symlink():
                need += path.stat().st_size
        except OSError:
            continue  # gone since: the run rebuilds it, with room counted for the others
    try:
        free = shutil.disk_usage(out_dir.resolve().parent).free
    except OSError:
        return None
    return (need, free) if free < need else None
