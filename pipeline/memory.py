"""Keep a large run's memory down: share the parent's objects with forked workers, and hand freed memory back.

    frozen()        while forked workers live: the objects alive at the fork are frozen, so they keep sharing pages
    release()       return memory freed by large steps (numpy, Arrow) to the operating system
    row_group_batches(file, columns, size)
                    a Parquet file's rows in batches, a row group at a time

Forked workers share the parent's pages until something writes to them. CPython's cyclic garbage collector
writes to every object it examines, so a worker's first full collection would copy every page of the parent's
heap (the rules, the gazetteer: hundreds of MB a worker). `gc.freeze()` moves the objects alive at the fork out
of the collector's reach (the documented recipe for forking servers); they were going to live as long as the
run anyway.

After a step that allocated and freed a lot (syndication's pair arrays at a million articles), glibc keeps the
freed heap and Arrow's allocator keeps its pages, so the process's resident size stays at its peak for the rest
of the run. `malloc_trim` and `MemoryPool.release_unused` give them back. There is no library for the first: it
is one libc call, made through ctypes where glibc is present and skipped elsewhere.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any


@contextmanager
def frozen() -> Iterator[None]:
    """Freeze the objects alive now (children forked inside share their pages instead of copying them); thaw
    them when the block ends, so that cyclic garbage made before the fork can be collected again."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@lru_cache(maxsize=1)
def _malloc_trim():  # type: ignore[no-untyped-def]
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def release() -> None:
    """Give memory freed so far back to the operating system (the C heap and Arrow's pool)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def row_group_batches(file: Any, columns: list[str] | None = None, size: int = 65_536) -> Iterator[Any]:
    """The rows of `file` (a `pyarrow.parquet.ParquetFile`) in record batches of at most `size` rows, a row group at
    a time. One `iter_batches` over a whole file keeps what it allocated as it goes (pyarrow 26: 240 MB more by
    the end of a million articles' events); a reader per row group lets go of it after each."""
    for group in range(file.metadata.num_row_groups):
        yield from file.iter_batches(batch_size=size, columns=columns, row_groups=[group])
