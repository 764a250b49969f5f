"""Files that appear whole or not at all: written under a temporary name beside their place, then moved there in
one step (`os.replace`, atomic within a folder on POSIX and Windows).

    with replacing(path) as tmp:
        write(tmp)          # an error here removes tmp and leaves `path` as it was

Used by every file the pipeline rewrites in place (its caches, the hash book, the pair memory, the stage
commands' tables): a crash or a full disk mid-write leaves the previous file, never half of a new one. The
temporary name is `.<name>.<random>.tmp` (tempfile.mkstemp: unique across processes and threads), hidden and
ending in `.tmp`, so nothing that lists a folder for its own files (the load cache's pruning) mistakes it for one.
The output folder's tables are published differently (a staging folder and a plan, `pipeline.export.publish`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` (created empty) to write; on leaving the block without an error it
    replaces `path`, on an error it is removed and the error goes on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # already gone, or its folder cannot be reached either
            tmp.unlink()
        raise
