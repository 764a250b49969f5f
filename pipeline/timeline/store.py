"""The timeline of a whole output folder, out of core: one window at a time, rebuilding only what changed.

    write_timeline(folder, settings, version, write, check=None, previous=None, reuse=True, progress=None,
                   workers=1) -> (what was written, the windows)

Events are compared only within their window (the calendar month their interval starts in, see
`pipeline.timeline.windows`), so the timeline is built a window at a time. One pass over
`events.parquet` files each event, with the columns the merge and the rows need, into its window's
Arrow IPC file (a temporary folder inside `folder`), and one pass over `casualties.parquet` does the
same for the figures (in step with the events: both tables list a unit's rows together, so only a few
recent batches of event ids are kept to find a figure's window); with workers, a process of its own
does this while the main process finds the syndicated copies. Then each window is read back,
merged (on `workers` processes when the input is large), checked (many windows at once: a check has
a fixed cost) and written in order, and let go: memory follows the largest window, not the archive.
Syndication is found over all articles first (from the shingle sets the workers cached, else the texts,
read once; see `syndication`).

Every window has a digest of all it reads (its events and figures, its articles' outlets,
publication times and syndication, the settings and the code `version`). `timeline_links.parquet`
keeps, in its footer, each window's digest and where its rows are; the next run copies the rows of
every window whose digest did not change from the previous folder and merges only the others, so
adding a day's articles rebuilds the windows their events reach. Whoever takes a window (a worker
process, when there are workers) hashes it and merges it only when its digest changed, so that the
main process copies unchanged windows while the next ones are hashed. The copy equals what merging again
would give: a window's rows depend on nothing but what its digest covers. A window that quarantined
rows is always merged again, so its reject rows are reported again.

The previous folder also gives each event the row it was on (`previous_timeline_id`, when that row
was another one: rows merged or split).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import multiprocessing
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from pipeline import memory
from pipeline.settings import Settings
from pipeline.tables import spec
from pipeline.timeline import (
    EVENT_COLUMNS,
    TABLES,
    Articles,
    _text_source,
    index_in,
    build_window,
    syndication,
    windows,
)
from pipeline.timeline.syndication import PairMemory, SetSource

STATE_KEY = b"pipeline.timeline.windows"  # footer key of timeline_links.parquet
PART_COLUMNS = [*EVENT_COLUMNS, "plover_type", "sentence"]
FIGURE_COLUMNS = ["casualty_id", "event_id", "article_id", "category", "low", "best", "high", "cumulative"]
BATCH = 65_536
CHECK_ROWS = 50_000  # links checked at once
PARALLEL_EVENTS = 50_000  # fewer events are merged in this process (starting workers costs time)
DIGEST_ROWS = 16_384  # rows of a window serialised into its digest at once
WINDOW_CHUNK = 20_000  # links built as Python objects at once in a window (a worker's memory follows it)
AHEAD = 1  # windows given to each worker ahead of the one being written (their rows wait in files, not here)
RECENT_BATCHES = 4  # event batches whose ids are kept to find the window of a figure

# `check(piece, articles)` validates one piece: (the rows that pass, the reject rows, a validation summary)
Check = Callable[[dict[str, pa.Table], pa.Table], tuple[dict[str, pa.Table], pa.Table, dict[str, Any]]]
# `write(name, table)` appends rows to the table's outputs
Write = Callable[[str, pa.Table], None]
Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class Window:
    key: int
    digest: str
    rows: dict[str, list[int]] = field(default_factory=dict)  # table -> [first row, rows]
    quarantined: int = 0


@dataclass
class Outcome:
    rows: dict[str, int]
    windows: int
    rebuilt: int
    validation: list[dict[str, Any]]  # one summary per checked piece
    rejects: list[pa.Table]
    idle: list[Any] | None = None  # what `idle_work` returned (None: it was not run)
    syndication_seconds: float = 0.0  # wall seconds of finding the syndicated copies (for the log)


def read_state(folder: Path) -> dict[int, Window]:
    """The windows recorded in a folder's `timeline_links.parquet` (none when it has no record)."""
    path = folder / "timeline_links.parquet"
    try:
        meta = pq.read_metadata(path).metadata or {}
    except (OSError, pa.ArrowException):
        return {}
    if STATE_KEY not in meta:
        return {}
    return {w["key"]: Window(**w) for w in json.loads(meta[STATE_KEY])}


class Writer:
    """Counts the rows written, so that each window knows where its rows are."""

    def __init__(self, write: Write) -> None:
        self.write = write
        self.rows = {name: 0 for name in TABLES}

    def put(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self.write(name, table)
        self.rows[name] += table.num_rows


def write_timeline(
    folder: Path,
    settings: Settings,
    version: str,
    write: Write,
    check: Check | None = None,
    previous: Path | None = None,
    reuse: bool = True,
    progress: Progress | None = None,
    workers: int = 1,
    sets_made: SetSource | None = None,
    pairs: PairMemory | None = None,
    idle_work: Sequence[Callable[[], Any]] = (),
) -> tuple[Outcome, list[Window]]:
    """Build `timeline` and `timeline_links` from the tables in `folder`, writing them through `write`.

    Returns what was written and the windows (to be recorded with `state_metadata` in the links file's footer).
    With `previous` (the last run's folder), windows whose digest did not change are copied from there
    when `reuse`, and events get their `previous_timeline_id`. With `workers` > 1, windows are merged
    on that many processes (large inputs only), and written in order as they come back. `sets_made`: the
    articles' shingle sets as the workers made them (else syndication reads every text); `pairs`: the counts of
    shared shingles remembered from the last run (`syndication.PairMemory`). `idle_work`: picklable calls to run
    on the workers while they would wait for the first window (syndication and the filing of events into windows
    take a minute at a million articles); their results are `Outcome.idle`, or None when no worker was started
    (then nothing was run)."""
    events = pq.read_metadata(folder / "events.parquet").num_rows
    tmp = Path(tempfile.mkdtemp(prefix=".timeline-", dir=folder))  # the windows' files
    try:
        if workers <= 1 or events < PARALLEL_EVENTS:
            return _write_windows(
                folder, tmp, settings, version, write, check, previous, reuse, progress, None, 1, sets_made, pairs
            )  # fmt: skip
        # The workers are started now, while this process is small: a worker forked later, from a process that
        # has read the articles and found the copies, would hold on to those pages as this process reuses them.
        # The heap the data tables' merge freed is handed back first, for the same reason (a million articles:
        # 590 MB resident before, 320 MB after).
        memory.release()
        with contextlib.ExitStack() as stack:
            if multiprocessing.get_start_method() == "fork":
                stack.enter_context(memory.frozen())  # they share what is alive now, not copy it
            # a process of its own files the events into their windows while this one finds the syndicated copies
            # (neither needs the other: at a million articles each takes 20 to 30 s), and ends with it, the memory
            # it used with it (a month worker that had done it kept about 90 MB more through the merge). Started
            # before the pool, while no thread runs here: the pool's workers are forked before its thread starts.
            filing = stack.enter_context(_Filing(folder, tmp))
            pool = stack.enter_context(_pool(workers))
            idle = [pool.submit(work) for work in idle_work]  # the workers would only wait meanwhile
            out, done = _write_windows(
                folder, tmp, settings, version, write, check, previous, reuse, progress, pool, workers, sets_made, pairs,
                filing,
            )  # fmt: skip
            out.idle = [f.result() for f in idle]
            return out, done
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _Filing:
    """`_partition(folder, tmp)` on a process of its own, started at once; `result()` waits for (the windows, the
    events) and raises the process's error. Leaving the context ends the process if it still runs."""

    def __init__(self, folder: Path, tmp: Path) -> None:
        method = "fork" if multiprocessing.get_start_method() == "fork" else "spawn"
        context = multiprocessing.get_context(method)
        self.answer, told = context.Pipe(duplex=False)
        self.process = context.Process(target=_file_windows, args=(str(folder), str(tmp), told), daemon=True)
        self.process.start()
        told.close()  # only the child writes: the pipe then ends when the child does

    def result(self) -> tuple[set[int], int]:
        try:
            status, value = self.answer.recv()
        except EOFError:
            self.process.join()
            status, value = "error", f"the process filing events into windows ended (exit code {self.process.exitcode})"
        self.process.join()
        if status != "ok":
            raise RuntimeError(f"filing events into windows failed: {value}")
        return value

    def __enter__(self) -> _Filing:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.answer.close()


def _file_windows(folder: str, tmp: str, told: Any) -> None:
    """The filing process: `_partition`, its answer sent through the pipe `told`."""
    try:
        answer = ("ok", _partition(Path(folder), Path(tmp)))
    except BaseException as exc:  # told to the main process, which raises it
        answer = ("error", f"{type(exc).__name__}: {exc}")
    told.send(answer)
    told.close()


def _write_windows(
    folder: Path, tmp: Path, settings: Settings, version: str, write: Write, check: Check | None,
    previous: Path | None, reuse: bool, progress: Progress | None, pool: ProcessPoolExecutor | None, workers: int,
    sets_made: SetSource | None, pairs: PairMemory | None, filing: _Filing | None = None,
) -> tuple[Outcome, list[Window]]:  # fmt: skip
    """`write_timeline`, its windows' files in `tmp`: filed by `filing` meanwhile, or here after syndication."""
    before = read_state(previous) if previous is not None else {}
    articles = pq.read_table(
        folder / "articles.parquet", columns=["article_id", "source", "source_id", "raw_path", "published"]
    ).combine_chunks()  # one chunk: the book below selects from it without copying (a million articles: 85 MB)
    memory.release()  # the reader's buffers

    passes = [0]

    def texts() -> Iterator[pa.RecordBatch]:
        passes[0] += 1
        read = 0
        for batch in memory.row_group_batches(pq.ParquetFile(folder / "articles.parquet"), ["article_id", "text"], 2048):
            yield batch
            read += batch.num_rows
            if progress and passes[0] == 1:  # the first pass reads every text; later ones only a few
                progress("syndication", read, articles.num_rows)

    started = time.perf_counter()
    book = Articles(articles, syndication(articles, _text_source(articles, texts), settings, folder, sets_made, pairs))
    memory.release()  # syndication's pair arrays (GBs at a million articles) are freed: give them back
    writer = Writer(write)
    out = Outcome({}, 0, 0, [], [], syndication_seconds=time.perf_counter() - started)
    done: list[Window] = []
    parts, total = filing.result() if filing is not None else _partition(folder, tmp)
    memory.release()
    out.windows = len(parts)
    seen = 0
    pending: list[tuple[Window, list[dict[str, pa.Table]]]] = []  # merged windows waiting to be checked

    def flush() -> None:
        if pending:
            _check_and_write(pending, articles, check, writer, out)
            pending.clear()
            memory.release()  # the checked rows are written: do not keep their pages
            if progress and check is not None:
                progress("validation", writer.rows["timeline_links"], total)

    copied = {name: _Groups(previous / f"{name}.parquet") for name in TABLES} if previous is not None else {}
    previous_links = str(previous / "timeline_links.parquet") if previous is not None else None
    queue: deque[tuple[int, Any, int, Window | None]] = deque()  # (window, its digest and rows to come, events, old)

    def consume() -> None:
        nonlocal seen
        key, task, n, old = queue.popleft()
        digest, built = _read_built(*task.result()) if pool is not None else task()
        win = Window(key, digest)
        if built is None:  # nothing it reads changed since the previous run: its rows are copied from there
            flush()  # windows are written in order
            start = dict(writer.rows)
            for name in TABLES:
                for table in copied[name].rows(old.rows.get(name)):
                    if name == "timeline_links":  # nothing moved since the previous run
                        table = table.set_column(
                            table.schema.get_field_index("previous_timeline_id"), "previous_timeline_id",
                            pa.nulls(table.num_rows, pa.string()),
                        )  # fmt: skip
                    writer.put(name, table)
            win.rows = {name: [start[name], writer.rows[name] - start[name]] for name in TABLES}
        else:
            out.rebuilt += 1
            if not built:
                pending.append((win, []))
            while built:  # a piece at a time, so that a large window is checked (and let go) in parts
                pending.append((win, [built.pop(0)]))
                if sum(p["timeline_links"].num_rows for _, ps in pending for p in ps) >= CHECK_ROWS:
                    flush()
        done.append(win)
        seen += n
        if progress:
            progress("timeline", seen, total)

    try:
        for key in sorted(parts):
            paths = (tmp / f"events-{key}.arrow", tmp / f"figures-{key}.arrow")
            ev = _read(paths[0], PART_COLUMNS)
            old = before.get(key)
            # the previous digest, when the previous rows may be copied: whoever takes the window (a worker)
            # hashes what the window reads, and merges it only when that changed
            same = old.digest if reuse and old is not None and not old.quarantined and previous is not None else None
            # where the window's events were in the previous run: read by whoever merges the window (a
            # worker), so that this process never holds a window's ids as Python objects
            prev = PreviousRows(previous_links, old.rows.get("timeline_links")) if old and previous_links else None
            if pool is not None:
                built_path = str(tmp / f"built-{key}")  # the worker writes the window's rows there
                task = pool.submit(
                    _window_files, *map(str, paths), _book_of(book, ev), settings, version, same, prev, built_path
                )  # fmt: skip
            else:
                task = functools.partial(_window, *paths, book, settings, version, same, prev)
            queue.append((key, task, ev.num_rows, old))
            del ev
            while len(queue) > (AHEAD * workers if pool is not None else 0):
                consume()
        while queue:
            consume()
    finally:
        if pool is not None:
            for _, task, _, _ in queue:  # an error: windows not started are not merged
                task.cancel()
    flush()
    out.rows = dict(writer.rows)
    return out, done


def _check_and_write(
    pending: list[tuple[Window, list[dict[str, pa.Table]]]], articles: pa.Table, check: Check | None, writer: Writer,
    out: Outcome,
) -> None:  # fmt: skip
    """Check the rows of several windows at once (a check has a fixed cost), then write them window by window."""
    tables = {name: pa.concat_tables([p[name] for _, ps in pending for p in ps]) for name in TABLES}
    clean = tables
    if check is not None:
        ids = pc.unique(tables["timeline_links"].column("article_id"))
        arts = articles.filter(pc.is_in(articles.column("article_id"), value_set=ids))
        clean, rejects, summary = check(tables, arts)
        out.validation.append(summary)
        if rejects.num_rows:
            out.rejects.append(rejects)
    counts = {}
    for name, key in (("timeline", "timeline_id"), ("timeline_links", "event_id")):
        owner = np.repeat(np.arange(len(pending)), [sum(p[name].num_rows for p in ps) for _, ps in pending])
        if clean[name].num_rows == tables[name].num_rows:  # nothing quarantined (nearly always): every row kept
            kept = np.arange(len(owner))
        else:
            kept = pc.index_in(clean[name].column(key), value_set=tables[name].column(key)).to_numpy().astype(np.int64)
        counts[name] = (np.bincount(owner[kept], minlength=len(pending)), np.bincount(owner, minlength=len(pending)))
    offset = {name: 0 for name in TABLES}
    for i, (win, _) in enumerate(pending):
        for name in TABLES:  # a window's pieces are written one after another: its rows are one span
            n = int(counts[name][0][i])
            span = win.rows.setdefault(name, [writer.rows[name], 0])
            span[1] += n
            writer.put(name, clean[name].slice(offset[name], n))
            offset[name] += n
            win.quarantined += int(counts[name][1][i]) - n


def _window(
    events_path: Path | str, figures_path: Path | str, book: Articles, settings: Settings, version: str,
    same: str | None, prev: PreviousRows | None,
) -> tuple[str, list[dict[str, pa.Table]] | None]:  # fmt: skip
    """The digest of the window filed in these two files, and its rows merged (None when the digest is `same`:
    the previous rows stand)."""
    ev, cas = _read(Path(events_path), PART_COLUMNS), _read(Path(figures_path), FIGURE_COLUMNS)
    digest = window_digest(ev, cas, book, settings, version)
    del ev, cas  # unmapped: hashing touched every page (sentences and all), merging reads far fewer
    if digest == same:
        return digest, None
    return digest, _build(_read(Path(events_path), PART_COLUMNS), _read(Path(figures_path), FIGURE_COLUMNS), book, settings, prev)


def _build(
    ev: pa.Table, cas: pa.Table, book: Articles, settings: Settings, prev: PreviousRows | None
) -> list[dict[str, pa.Table]]:
    def sentence_of(rows: np.ndarray) -> pa.ChunkedArray:
        return ev.column("sentence").take(pa.array(rows))

    return list(build_window(ev, cas, book, settings, sentence_of, WINDOW_CHUNK, _previous_ids(prev)))


def _book_of(book: Articles, ev: pa.Table) -> Articles:
    """What a worker needs to know about the articles of one window's events (not the whole archive)."""
    ids = pc.unique(ev.column("article_id"))
    table = book.table.take(index_in(ids, book.table.column("article_id")).drop_null())
    copies = {a: c for a in ids.to_pylist() if (c := book.copies.get(a)) is not None}
    return Articles(table, copies)


def _window_files(
    events_path: str, figures_path: str, book: Articles, settings: Settings, version: str, same: str | None,
    prev: PreviousRows | None, out: str,
) -> tuple[str, str | None, list[dict[str, int]]]:  # fmt: skip
    """A worker's task: the digest of the window filed in these two files and, unless it is `same`, the window
    merged, its rows written to Arrow IPC files named from `out` (one a table); returns the digest, `out` (None
    when the window was not merged) and the rows of each piece. Rows sent back through the pool would be
    pickled and wait in the main process, a window or two of them (50 MB at 125,000 events); a file is read
    when its rows are checked and written, memory-mapped. The digest is made here too, so that the main
    process copies unchanged windows meanwhile (a million articles: 121 windows, about 0.2 s of hashing each)."""
    digest, built = _window(events_path, figures_path, book, settings, version, same, prev)
    if built is None:
        return digest, None, []
    sizes = [{name: piece[name].num_rows for name in TABLES} for piece in built]
    for name in TABLES if built else ():
        with ipc.new_file(f"{out}-{name}.arrow", built[0][name].schema) as w:
            for piece in built:
                w.write_table(piece[name])
    del built
    memory.release()  # the window's objects are gone: the next window need not find them still resident
    return digest, out, sizes


def _read_built(digest: str, out: str | None, sizes: list[dict[str, int]]) -> tuple[str, list[dict[str, pa.Table]] | None]:
    """The digest and the pieces `_window_files` wrote (None: not merged), as slices of the memory-mapped files
    (the files are removed now: on Linux and macOS the mapping keeps them readable until the last slice is let go)."""
    if out is None:
        return digest, None
    if not sizes:
        return digest, []
    tables = {}
    for name in TABLES:
        path = Path(f"{out}-{name}.arrow")
        with pa.memory_map(str(path)) as source:
            tables[name] = ipc.open_file(source).read_all()
        with contextlib.suppress(OSError):  # where a mapped file cannot be removed, the folder's removal at the end does it
            path.unlink()
    pieces, at = [], {name: 0 for name in TABLES}
    for size in sizes:
        pieces.append({name: tables[name].slice(at[name], size[name]) for name in TABLES})
        at = {name: at[name] + size[name] for name in TABLES}
    return digest, pieces


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes for the windows, started at once. Forked where the platform forks by default (Linux):
    a worker then shares this process's loaded code and gazetteer instead of loading its own (seconds, and
    hundreds of MB); elsewhere spawned."""
    method = "fork" if multiprocessing.get_start_method() == "fork" else "spawn"
    if method == "fork":
        from pipeline.timeline import places

        places.preload()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
    for started in [pool.submit(int) for _ in range(workers)]:
        started.result()
    return pool


def state_metadata(done: list[Window]) -> dict[bytes, bytes]:
    """The footer entry of `timeline_links.parquet` that the next run reads (`read_state`)."""
    return {STATE_KEY: json.dumps([asdict(w) for w in done], sort_keys=True).encode()}


def window_digest(ev: pa.Table, cas: pa.Table, book: Articles, settings: Settings, version: str) -> str:
    """What a window's rows depend on, hashed: its events and figures (in any order), its articles'
    outlets, publication times and syndication, the timeline settings and the code version."""
    h = hashlib.blake2b(digest_size=16)
    timeline_settings = {k: v for k, v in asdict(settings).items() if k.startswith("timeline_")}
    h.update(json.dumps([version, timeline_settings], sort_keys=True, default=str).encode())
    for table, key in ((ev, "event_id"), (cas, "casualty_id")):
        # in key order, a slice at a time, streamed into the hash: a sorted copy of a month's events (sentences
        # and all) and its serialisation would be two more copies of the window in this process
        order = pc.sort_indices(table, [(key, "ascending")])
        with ipc.new_stream(_HashSink(h), table.schema) as w:
            for start in range(0, table.num_rows, DIGEST_ROWS):
                w.write_table(table.take(order.slice(start, DIGEST_ROWS)).combine_chunks())
    aids = sorted(set(ev.column("article_id").to_pylist()))
    sources, published = book.lookup(aids)
    copies = {a: (c.original, c.similarity) for a in aids if (c := book.copies.get(a)) is not None}
    h.update(json.dumps([aids, sources, published, copies], sort_keys=True, default=str).encode())
    return h.hexdigest()


class _HashSink:
    """A file that only hashes what is written to it (what `ipc.new_stream` writes to)."""

    closed = False

    def __init__(self, h: Any) -> None:
        self.h = h

    def write(self, data: Any) -> int:
        self.h.update(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def _read(path: Path, columns: list[str]) -> pa.Table:
    if not path.exists():
        return pa.table({c: pa.array([], _type(c)) for c in columns})
    with pa.memory_map(str(path)) as source:
        return ipc.open_file(source).read_all()


def _type(column: str) -> pa.DataType:
    for name in ("events", "casualties"):
        schema = spec(name).arrow_schema
        if column in schema.names:
            return schema.field(column).type
    raise KeyError(column)


class _Groups:
    """The row groups of one Parquet file, read on demand, the last one kept: windows are copied in the
    order they were written, so consecutive windows mostly lie in the same (large) row group, which is
    then decoded once rather than once per window."""

    def __init__(self, path: Path, columns: list[str] | None = None) -> None:
        self.path, self.columns = path, columns
        self.file: pq.ParquetFile | None = None
        self.last: tuple[int, pa.Table] | None = None

    def group(self, i: int) -> pa.Table:
        if self.last is None or self.last[0] != i:
            self.last = None  # let the previous group go before decoding the next
            self.last = (i, self.file.read_row_group(i, columns=self.columns))
        return self.last[1]

    def rows(self, span: list[int] | None) -> Iterator[pa.Table]:
        """Rows [first, first + n) of the file, from the row groups that hold them."""
        if not span or not span[1]:
            return
        if self.file is None:
            self.file = pq.ParquetFile(self.path)
        first, n = span
        meta, at = self.file.metadata, 0
        for i in range(meta.num_row_groups):
            size = meta.row_group(i).num_rows
            lo, hi = max(first, at), min(first + n, at + size)
            if lo < hi:
                yield self.group(i).slice(lo - at, hi - lo)
            at += size
            if at >= first + n:
                break


@dataclass(frozen=True)
class PreviousRows:
    """Where a window's links are in the previous run's `timeline_links.parquet`: [first row, rows]."""

    path: str
    span: list[int] | None


def _previous_ids(prev: PreviousRows | None) -> dict[str, str]:
    """event id -> timeline id in the previous run, for the events of one window."""
    ids: dict[str, str] = {}
    if prev is not None:
        for t in _Groups(Path(prev.path), ["event_id", "timeline_id"]).rows(prev.span):
            ids.update(zip(t.column("event_id").to_pylist(), t.column("timeline_id").to_pylist()))
    return ids


class _Files:
    """One Arrow IPC file per window, opened as rows arrive."""

    def __init__(self, folder: Path, prefix: str, schema: pa.Schema) -> None:
        self.folder, self.prefix, self.schema = folder, prefix, schema
        self.open: dict[int, ipc.RecordBatchFileWriter] = {}

    def put(self, batch: pa.RecordBatch, win: np.ndarray) -> None:
        if not batch.num_rows:
            return
        order = np.argsort(win, kind="stable")
        keys = win[order]
        cuts = [0, *(np.flatnonzero(np.diff(keys)) + 1).tolist(), len(keys)]
        grouped = batch.take(pa.array(order))  # one copy of the batch in window order, then a slice a window
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            key = int(keys[lo])
            w = self.open.get(key)
            if w is None:
                w = self.open[key] = ipc.new_file(str(self.folder / f"{self.prefix}-{key}.arrow"), self.schema)
            w.write_batch(grouped.slice(lo, hi - lo))

    def close(self) -> None:
        for w in self.open.values():
            w.close()


def _partition(folder: Path, tmp: Path) -> tuple[set[int], int]:
    """File every event and every figure into its window's IPC file; (the windows, the events)."""
    events = pq.ParquetFile(folder / "events.parquet")
    figures = pq.ParquetFile(folder / "casualties.parquet")
    ev_schema = pa.schema([events.schema_arrow.field(c) for c in PART_COLUMNS])
    cas_schema = pa.schema([figures.schema_arrow.field(c) for c in FIGURE_COLUMNS])
    ev_files, cas_files = _Files(tmp, "events", ev_schema), _Files(tmp, "figures", cas_schema)
    keys: set[int] = set()
    recent: deque[tuple[pa.Array, np.ndarray]] = deque()
    stream = memory.row_group_batches(events, PART_COLUMNS, BATCH)
    total = 0

    def more() -> bool:
        nonlocal total
        batch = next(stream, None)
        if batch is None:
            return False
        win = windows(batch.column("date_start"), batch.column("date_end"))
        ev_files.put(batch, win)
        keys.update(np.unique(win).tolist())
        recent.append((batch.column("event_id"), win))
        total += batch.num_rows
        return True

    late: list[pa.RecordBatch] = []
    try:
        for batch in memory.row_group_batches(figures, FIGURE_COLUMNS, BATCH):
            batch = batch.filter(pc.is_valid(batch.column("event_id")))
            while True:
                ids = pa.chunked_array([r[0] for r in recent], pa.string())
                found = index_in(batch.column("event_id"), ids)
                if found.null_count == 0 or not more():
                    break
            if recent:
                win = np.concatenate([r[1] for r in recent])[found.fill_null(0).to_numpy().astype(np.int64)]
                ok = found.is_valid()
                cas_files.put(batch.filter(ok), win[ok.to_numpy(zero_copy_only=False)])
                if found.null_count:
                    late.append(batch.filter(pc.invert(ok)))
                # later figures belong to later units: drop the event batches before the first one used
                first = int(pc.min(found).as_py() or 0)
                while len(recent) > RECENT_BATCHES or (len(recent) > 1 and first >= len(recent[0][0])):
                    first -= len(recent.popleft()[0])
            elif batch.num_rows:
                late.append(batch)
        while more():
            if len(recent) > RECENT_BATCHES:
                recent.popleft()
        if late:  # figures whose event was not near them (never in files this pipeline writes): one more pass
            _file_late(pa.Table.from_batches(late, cas_schema), events, cas_files)
    finally:
        ev_files.close()
        cas_files.close()
    return keys, total


def _file_late(late: pa.Table, events: pq.ParquetFile, files: _Files) -> None:
    wanted = late.column("event_id")
    for batch in memory.row_group_batches(events, ["event_id", "date_start", "date_end"], BATCH):
        found = pc.index_in(wanted, value_set=batch.column("event_id"))
        ok = found.is_valid()
        if not pc.any(ok).as_py():
            continue
        win = windows(batch.column("date_start"), batch.column("date_end"))
        rows = found.filter(ok).to_numpy().astype(np.int64)
        files.put(late.filter(ok).combine_chunks().to_batches()[0], win[rows])
