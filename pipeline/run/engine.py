"""Run one picklable function over many tasks: in this process, on local worker processes, or on Dask.

Results come back in task order, so the merge that follows is deterministic
whatever the engine. Workers write their real output to the cache themselves and
return only small summaries, so nothing large crosses process boundaries. The process pool and
Dask are imported only by the engine that uses them (the command line reads `ENGINES` for its help).

Workers never outlive the run: a local worker asks the kernel for SIGTERM when the process that
started it dies (`prctl(PR_SET_PDEATHSIG)` on Linux, through ctypes; elsewhere a watchdog thread
polls the parent's pid), so killing the main process alone (kill -9, SIGTERM) ends its workers too.
A forked worker also drops its copies of the run's lock files (`MAIN_ONLY_FDS`): a `flock` lock lives
as long as any process holds its file open, and the lock is the main process's alone. (Dask's workers
are spawned, so they inherit no descriptor, and they exit when their parent's pipe closes.) When the
main process stops the pool early (Ctrl-C, a crash), it cancels the queued tasks and ends the
running ones rather than waiting for them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from pipeline import memory

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("local", "serial", "dask")
# Open file descriptors that only the main process may hold (the run's locks; see `pipeline.run.runner`).
MAIN_ONLY_FDS: set[int] = set()
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int, fds: tuple[int, ...]) -> None:
    """Worker initializer: drop the main process's locks, and end when the main process ends."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in fds:  # point the inherited descriptor elsewhere; its number stays valid for whatever still holds it
        try:
            os.dup2(null, fd)
        except OSError:
            pass
    os.close(null)
    armed = False
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            armed = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watchdog").start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os.kill(os.getpid(), signal.SIGTERM)


def _watch_parent(parent: int, every: float = 1.0) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os.kill(os.getpid(), signal.SIGTERM)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def forks_workers(engine: str, workers: int | None, tasks: int) -> bool:
    """Whether `run_tasks` will run these tasks on local worker processes forked from this one."""
    import multiprocessing

    return engine == "local" and tasks > 1 and (workers or default_workers()) > 1 and multiprocessing.get_start_method() == "fork"


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

        import multiprocessing

        forked = multiprocessing.get_start_method() == "fork"  # only a forked worker has the main process's descriptors
        init = (os.getpid(), tuple(sorted(MAIN_ONLY_FDS)) if forked else ())
        pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), initializer=_die_with, initargs=init)
        thaw = contextlib.ExitStack()
        try:
            if forked:
                thaw.enter_context(memory.frozen())  # workers fork at the first task: they share, not copy
            yield from pool.map(fn, tasks)
        except BaseException:  # Ctrl-C, a crash, or the caller stopped: queued tasks must not run on
            running = list((getattr(pool, "_processes", None) or {}).values())  # the pool has no public list
            pool.shutdown(wait=False, cancel_futures=True)
            for process in running:
                process.terminate()
            raise
        finally:
            pool.shutdown(wait=True)
            thaw.close()
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
