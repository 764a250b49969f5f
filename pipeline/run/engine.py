"""Run one picklable function over many tasks: in this process, on local worker processes, or on Dask.

Results come back in task order, so the merge that follows is deterministic
whatever the engine. Workers write their real output to the cache themselves and
return only small summaries, so nothing large crosses process boundaries. The process pool and
Dask are imported only by the engine that uses them (the command line reads `ENGINES` for its help).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("local", "serial", "dask")


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_tasks(
    fn: Callable[[T], R], tasks: Sequence[T], *, engine: str = "local", workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[R]:  # fmt: skip
    """Yield fn(task) for every task, in task order."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    workers = workers or default_workers()
    if not tasks:
        return
    if engine == "serial" or (engine == "local" and (workers == 1 or len(tasks) == 1)):
        for task in tasks:
            yield fn(task)
    elif engine == "local":
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
            yield from pool.map(fn, tasks)
    else:
        yield from _dask(fn, tasks, workers, scheduler)


def _dask(fn: Callable[[T], R], tasks: Sequence[T], workers: int, scheduler: str | None) -> Iterator[Any]:
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
        )
        client = Client(cluster)
    try:
        futures = client.map(fn, list(tasks), pure=False)
        for future in futures:  # in task order
            yield future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
