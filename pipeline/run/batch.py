"""Scale: process input units in parallel into a per-unit cache, then merge the cache into the outputs.

An *input unit* is one text file (with its sidecar), one JSON Lines batch (or a slice of a large one), one file
of another format, or a *bundle*: a run of many small files read and cached as one unit (`bundle_small`), so an
archive of 10,000 single-article files costs a few dozen cache entries, not 10,000.
Workers turn units into validated rows and write them to
`WORK/cache/<version>/<unit key>/` (a unit key hashes the unit's path and
bytes; the version hashes code, rules, schemas and settings). The merge then
streams every unit's cached rows, in input order, into the output files,
dropping later copies of a story already seen (`duplicate`). A full run is an
incremental run with an empty cache, so both give the same outputs.

Validation runs in the workers on what changed. Units are validated in
sub-batches whose articles are distinct, so a unit's verdicts never depend on
which other units shared its task.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline import memory
from pipeline.export import csv_table
from pipeline.records import Article, Reject
from pipeline.run.chain import DATA_TABLES, article_row, process_articles, reject_row
from pipeline.run.hashbook import HashBook
from pipeline.run.manifest import balance, file_sha256
from pipeline.settings import Settings
from pipeline.tables import spec, to_arrow
from pipeline.timeline.syndication import shingle_table
from pipeline.timeline import TABLES as TIMELINE_TABLES  # derived tables: `derive` writes them

ALL_TABLES = (*DATA_TABLES, "rejects")
# Each unit also caches its articles' shingle sets, for the timeline's syndication (not an output table): a
# run then reads the sets of units it did not process instead of shingling their texts again.
SHINGLES = "shingles"
TASK_BYTES = 2_000_000  # group small units into tasks of about this many input bytes
CHUNK_BYTES = 4_000_000  # split JSON Lines files larger than this into slices of about this size
FLUSH_BYTES = 16 << 20  # merge writes a Parquet row group / CSV chunk when this much of a table is buffered


# ------------------------------------------------------------------ units and keys
@dataclass(frozen=True)
class UnitJob:
    kind: str
    path: str
    rel: str
    sidecar: str | None
    key: str
    size: int
    span: tuple[int, int, int] | None = None  # a slice of a large JSON Lines file: (start, end, first line)
    problem: str | None = None  # why an unreadable unit (FIFO, socket, dangling link, ...) is never opened
    members: tuple[UnitJob, ...] = ()  # a bundle of small units, read in order and cached as one


def _slices(path: Path, chunk_bytes: int) -> tuple[str, list[tuple[int, int, int, str]]]:
    """Hash a JSON Lines file and cut it at line ends into slices of about `chunk_bytes`.

    Returns the file's sha256 and (start, end, first line, sha256 of the slice) per slice. A slice is
    keyed by its own bytes, so appending to a file reprocesses only its last slice and the new ones.
    """
    whole = hashlib.sha256()
    slices: list[tuple[int, int, int, str]] = []
    start = pos = 0
    line = first_line = 1
    part = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.readline(1 << 20):
            whole.update(block)
            part.update(block)
            pos += len(block)
            if block.endswith(b"\n"):
                line += 1
                if pos - start >= chunk_bytes:
                    slices.append((start, pos, first_line, part.hexdigest()))
                    start, first_line, part = pos, line, hashlib.sha256()
    if pos > start or not slices:
        slices.append((start, pos, first_line, part.hexdigest()))
    return whole.hexdigest(), slices


def unit_jobs(
    input_path: Path, max_batch_bytes: int | None = None, settings: Settings | None = None, work: Path | None = None
) -> tuple[list[UnitJob], dict[str, str]]:
    """Units in input order with their cache keys, and the sha256 of every input file (by relative path).

    JSON Lines files larger than CHUNK_BYTES become several jobs (slices), so one large file is processed
    in parallel and in bounded memory; files over `max_batch_bytes` stay whole (ingest rejects them).
    With `work`, files unchanged since the last scan are not read again (`hashbook`).
    """
    from pipeline.ingest.discover import units

    root = input_path if input_path.is_dir() else input_path.parent
    hashes: dict[str, str] = {}
    book = HashBook(work)

    def digest(p: Path) -> str:
        rel = p.relative_to(root).as_posix()
        if rel not in hashes:
            st = p.stat()
            known = book.get(rel, st)
            hashes[rel] = known if isinstance(known, str) else file_sha256(p)
            book.put(rel, st, hashes[rel])
        return hashes[rel]

    def sliced(p: Path, rel: str) -> tuple[str, list[tuple[int, int, int, str]]]:
        st = p.stat()
        known = book.get(rel, st)
        if isinstance(known, list) and len(known) == 2:
            whole, slices = known[0], [tuple(x) for x in known[1]]
        else:
            whole, slices = _slices(p, CHUNK_BYTES)
        book.put(rel, st, [whole, [list(x) for x in slices]])
        return whole, slices

    jobs = []
    for u in units(input_path, settings):
        if u.kind == "unreadable":  # never stat, hash or open it: its reject says why
            key = hashlib.sha256(f"{u.kind}\0{u.rel}\0{u.problem}".encode()).hexdigest()[:32]
            jobs.append(UnitJob(u.kind, str(u.path), u.rel, None, key, 0, problem=u.problem))
            continue
        size = u.path.stat().st_size
        sidecar = str(u.sidecar) if u.sidecar else None
        if u.kind == "batch" and size > CHUNK_BYTES and (max_batch_bytes is None or size <= max_batch_bytes):
            hashes[u.rel], slices = sliced(u.path, u.rel)
            for start, end, first_line, sha in slices:
                key = hashlib.sha256(f"{u.kind}\0{u.rel}\0{first_line}\0{start == 0}\0{sha}".encode()).hexdigest()[:32]
                jobs.append(UnitJob(u.kind, str(u.path), u.rel, None, key, end - start, (start, end, first_line)))
            continue
        h = hashlib.sha256(f"{u.kind}\0{u.rel}\0{digest(u.path)}".encode())
        if u.sidecar is not None:
            h.update(f"\0{u.sidecar.name}\0{digest(u.sidecar)}".encode())
            size += u.sidecar.stat().st_size
        jobs.append(UnitJob(u.kind, str(u.path), u.rel, sidecar, h.hexdigest()[:32], size))
    book.save()
    return bundle_small(jobs), hashes


BUNDLE_MIN = 16  # runs of fewer small units stay one unit each
BUNDLE_FILES = 128  # a bundle ends after a unit whose key is 0 modulo this: about this many units a bundle
BUNDLE_BYTES = 1_000_000  # ... or at this size (tasks of TASK_BYTES then hold a few bundles, and workers share them evenly)
SMALL_BYTES = 256_000  # units up to this size may be bundled


def bundle_small(jobs: list[UnitJob]) -> list[UnitJob]:
    """Group runs of small units (single-article files) into bundles: one ingest loop, one validation call
    and one cache entry per bundle instead of per file. Cut points depend on the units' own keys (content
    defined), so adding, changing or removing one file changes the bundle around it, not the ones after it."""
    out: list[UnitJob] = []
    run: list[UnitJob] = []

    def flush() -> None:
        if len(run) < BUNDLE_MIN:
            out.extend(run)
        else:
            members: list[UnitJob] = []
            for job in run:
                members.append(job)
                if int(job.key[-8:], 16) % BUNDLE_FILES == 0 or sum(m.size for m in members) >= BUNDLE_BYTES:
                    out.append(_bundle(members))
                    members = []
            if members:
                out.append(_bundle(members))
        run.clear()

    for job in jobs:
        if job.span is None and job.size <= SMALL_BYTES:
            run.append(job)
        else:
            flush()
            out.append(job)
    flush()
    return out


def _bundle(members: list[UnitJob]) -> UnitJob:
    if len(members) == 1:
        return members[0]
    key = hashlib.sha256("\0".join(["bundle", *(m.key for m in members)]).encode()).hexdigest()[:32]
    first = members[0]
    return UnitJob("bundle", first.path, first.rel, None, key, sum(m.size for m in members), members=tuple(members))


def group_tasks(jobs: list[UnitJob], task_bytes: int = TASK_BYTES) -> list[list[UnitJob]]:
    tasks: list[list[UnitJob]] = []
    size = 0
    for job in jobs:
        if not tasks or size + job.size > task_bytes:
            tasks.append([])
            size = 0
        tasks[-1].append(job)
        size += job.size
    return tasks


# ------------------------------------------------------------------ duplicates
def duplicate_reject(article: dict[str, Any], first: tuple[str, str]) -> dict[str, Any]:
    from pipeline.ingest.build import duplicate

    return reject_row(duplicate(article["source_id"], article["raw_path"], article["article_id"], first))


# ------------------------------------------------------------------ worker side
@dataclass(frozen=True)
class Task:
    jobs: tuple[UnitJob, ...]
    cache_dir: str
    settings: Settings


def read_unit(job: UnitJob, settings: Settings) -> Iterator[Article | Reject]:
    from pipeline.ingest import read_unit as read

    if job.members:
        return (item for member in job.members for item in read_unit(member, settings))
    from pipeline.ingest.discover import Unit
    from pipeline.ingest.readers import LineSpan

    unit = Unit(job.kind, Path(job.path), job.rel, Path(job.sidecar) if job.sidecar else None, job.problem)
    return read(unit, settings, LineSpan(*job.span) if job.span else None)


@dataclass
class UnitRows:
    job: UnitJob
    articles: list[dict[str, Any]]
    rejects: list[dict[str, Any]]
    seconds: Counter


def ingest_unit(job: UnitJob, settings: Settings) -> UnitRows:
    start = time.perf_counter()
    articles, rejects, first = [], [], {}
    for item in read_unit(job, settings):
        if isinstance(item, Reject):
            rejects.append(reject_row(item))
            continue
        row = article_row(item)
        if row["article_id"] in first:  # the same story twice inside one unit
            rejects.append(duplicate_reject(row, first[row["article_id"]]))
            continue
        first[row["article_id"]] = (row["source_id"], row["raw_path"])
        articles.append(row)
    return UnitRows(job, articles, rejects, Counter(ingest=time.perf_counter() - start))


def _sub_batches(units: list[UnitRows]) -> list[list[UnitRows]]:
    """Split units so that no article id appears twice within one validation call."""
    batches: list[tuple[list[UnitRows], set[str]]] = []
    for u in units:
        ids = {a["article_id"] for a in u.articles}
        for members, seen in batches:
            if not ids & seen:
                members.append(u)
                seen |= ids
                break
        else:
            batches.append(([u], set(ids)))
    return [members for members, _ in batches]


def process_task(task: Task) -> list[dict[str, Any]]:
    """Worker entry point: ingest, normalise, extract and validate the task's units; cache each unit."""
    units = [ingest_unit(job, task.settings) for job in task.jobs]
    summaries = []
    for batch in _sub_batches(units):
        articles = to_arrow("articles", [a for u in batch for a in u.articles])
        # the chain, article by article, in memory, then validation
        result, seconds = process_articles(articles, [r for u in batch for r in u.rejects], task.settings)
        failures = result.summary()["tables"]
        owner = {a["article_id"]: i for i, u in enumerate(batch) for a in u.articles}
        # validate keeps the input rejects first, in order; later rows are about accepted articles
        reject_unit = [i for i, u in enumerate(batch) for _ in u.rejects]
        reject_unit += [owner.get(a) for a in result.tables["rejects"].column("article_id").to_pylist()[len(reject_unit):]]
        n = len(batch)
        for i, u in enumerate(batch):
            u.seconds.update({name: s / n for name, s in seconds.items()})
        for i, u in enumerate(batch):
            own = {}
            for name in DATA_TABLES:
                t = result.tables[name]
                ids = t.column("article_id").to_pylist()
                own[name] = t.filter(pa.array([owner.get(a) == i for a in ids], pa.bool_()))
            own["rejects"] = result.tables["rejects"].filter(pa.array([r == i for r in reject_unit], pa.bool_()))
            arts = own["articles"]
            words = task.settings.timeline_shingle_words
            own[SHINGLES] = shingle_table(arts.column("article_id").to_pylist(), arts.column("text").to_pylist(), words)
            stats = {
                "rel": u.job.rel,
                "input_articles": len(u.articles) + sum(1 for r in u.rejects),
                "rows": {k: v.num_rows for k, v in own.items()},
                "mentions": own["mentions"].num_rows,
                "shingle_words": words,
                "seconds": dict(u.seconds),
                # table-level failures belong to the sub-batch; the first unit carries them
                "table_failures": {k: v["failures"] for k, v in failures.items() if v["failures"]} if i == 0 else {},
            }
            write_unit(Path(task.cache_dir) / u.job.key, own, stats)
            summaries.append(stats)
    return summaries


def write_unit(folder: Path, tables: dict[str, pa.Table], stats: dict[str, Any]) -> None:
    """Write one unit's cache entry atomically: a crash leaves either the whole entry or none."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, table in tables.items():
            pq.write_table(table, tmp / f"{name}.parquet", compression="zstd")
        (tmp / "unit.json").write_text(json.dumps(stats, sort_keys=True) + "\n")
        if folder.exists():
            shutil.rmtree(folder)
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def is_cached(cache_dir: Path, job: UnitJob) -> bool:
    return (cache_dir / job.key / "unit.json").exists()


# ------------------------------------------------------------------ merge side
def write_partitions(root: Path, name: str, table: pa.Table, months: pa.Array, part: int | str) -> None:
    """Rows of `table` into the Hive-partitioned dataset `root/<name>/month=YYYY-MM/part-<part>-N.parquet`
    (`months`: each row's month; list columns stay Arrow lists, as in the table's own Parquet file)."""
    import pyarrow.dataset as ds

    ds.write_dataset(
        table.append_column("month", months.cast(pa.string())), root / name, format="parquet",
        partitioning=ds.partitioning(pa.schema([("month", pa.string())]), flavor="hive"),
        basename_template=f"part-{part}-{{i}}.parquet", existing_data_behavior="overwrite_or_ignore",
    )  # fmt: skip


def partition_derived(folder: Path, root: Path, month_of: dict[str, str]) -> None:
    """Partition the tables `derive` wrote (the timeline), read back in batches: `timeline` by the month its
    date interval starts (a row merges the reports of several articles: its own date is the one it has),
    `timeline_links` by its article's reference month, as the tables of articles are."""
    for name in TIMELINE_TABLES:
        path = folder / f"{name}.parquet"
        for n, batch in enumerate(memory.row_group_batches(pq.ParquetFile(path))):
            table = pa.Table.from_batches([batch])
            if name == "timeline":
                starts = pc.strftime(table.column("date_start").cast(pa.timestamp("s")), "%Y-%m")
                months = pc.fill_null(starts, "unknown")
            else:
                months = _article_months(table, month_of)
            write_partitions(root, name, table, months, f"{n:05d}")


class TableSink:
    """Append-only Parquet + CSV writer for one table, flushing in large row groups.

    With `partition_root`, each flush is also written as a Hive-partitioned dataset
    (`<root>/<table>/month=YYYY-MM/part-NNNNN-0.parquet`) by the article's reference month.
    """

    def __init__(self, name: str, folder: Path, partition_root: Path | None = None) -> None:
        self.name = name
        self.partition_root = partition_root
        self.flushes = 0
        self.months: list[pa.Array] = []
        self.schema = spec(name).arrow_schema
        self.parquet = pq.ParquetWriter(folder / f"{name}.parquet", self.schema, compression="zstd")
        self.csv = pacsv.CSVWriter(
            folder / f"{name}.csv", csv_table(self.schema.empty_table()).schema,
            write_options=pacsv.WriteOptions(quoting_style="needed"),
        )  # fmt: skip
        self.buffer: list[pa.Table] = []
        self.buffered = 0
        self.rows = 0

    def write(self, table: pa.Table, months: pa.Array | None = None) -> None:
        if table.num_rows == 0:
            return
        if self.partition_root is not None:
            self.months.append(months)
        self.buffer.append(table.cast(self.schema))
        self.buffered += table.nbytes
        self.rows += table.num_rows
        if self.buffered >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        table = pa.concat_tables(self.buffer).combine_chunks()
        # the CSV is formatted and written on a second thread while this one compresses the Parquet row group:
        # Arrow lets go of the GIL in both, so the merge's two halves of the work take one's time
        csv_written = in_background(lambda: self.csv.write_table(csv_table(table)))
        try:
            self.parquet.write_table(table)
            if self.partition_root is not None:
                month = pa.concat_arrays([m.cast(pa.string()) for m in self.months])
                write_partitions(self.partition_root, self.name, table, month, f"{self.flushes:05d}")
                self.months = []
        finally:
            csv_written()
        self.flushes += 1
        self.buffer, self.buffered = [], 0

    def close(self) -> None:
        if self.parquet is None:
            return
        self.flush()
        self.parquet.close()
        self.csv.close()
        self.parquet = self.csv = None


def in_background(work: Callable[[], Any]) -> Callable[[], Any]:
    """Start `work` on a thread of its own; the returned function waits for it and gives its result or raises its
    error. (A plain thread, not a pool: nothing is left running for a forked worker process to inherit.)"""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the waiting thread, which raises it
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="pipeline-background", daemon=True)
    thread.start()

    def wait() -> Any:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    return wait


@dataclass(frozen=True)
class ShingleFile:
    """A unit's cached shingle sets: the file, the shingle length they were made with, the ids to leave out."""

    path: Path
    words: int | None
    dropped: pa.Array | None


def shingle_source(files: list[ShingleFile], words: int, progress: Callable[[int], None] | None = None):
    """The cached sets as the timeline's syndication reads them, or None when any unit lacks them or made
    them with another shingle length (then the texts are read)."""
    if any(f.words != words or not f.path.is_file() for f in files):
        return None
    from pipeline.timeline.syndication import table_sets

    def made() -> Iterator[tuple[list[str], Any, Any]]:
        done = 0
        for f in files:
            table = pq.read_table(f.path)
            if f.dropped is not None:
                table = table.filter(pc.invert(pc.is_in(table.column("article_id"), value_set=f.dropped)))
            done += table.num_rows
            yield table_sets(table)
            if progress is not None:
                progress(done)

    return made


@dataclass
class MergeResult:
    rows: dict[str, int]
    input_articles: int
    rejects_by_reason: Counter
    rejects_by_stage: Counter
    quarantined: dict[str, Counter]
    table_failures: dict[str, list[dict[str, Any]]]
    seconds: Counter
    derived: dict[str, Any] | None = None  # what `derive` reported (the timeline's validation)

    def accounting(self) -> dict[str, Any]:
        quarantined = sum(self.quarantined.get("articles", Counter()).values())
        return balance(self.input_articles, self.rows["articles"], self.rejects_by_stage.get("ingest", 0), quarantined)


def _months(tables: dict[str, pa.Table], month_of: dict[str, str]) -> dict[str, pa.Array]:
    """The reference month (YYYY-MM) of each row's article: the partition key."""
    arts = tables["articles"]
    for a, d in zip(arts.column("article_id").to_pylist(), arts.column("reference_date").to_pylist()):
        month_of[a] = f"{d.year:04d}-{d.month:02d}"
    return {name: _article_months(t, month_of) for name, t in tables.items()}


def _article_months(table: pa.Table, month_of: dict[str, str]) -> pa.Array:
    ids = table.column("article_id").to_pylist()
    return pa.array([month_of.get(a, "unknown") if a else "unknown" for a in ids], pa.string())


_CONTENT_KEY = re.compile(r"a[0-9a-f]{16}")  # `ingest.build.article_id_for`: one number per id, and back


class _SeenArticles:
    """The articles merged so far, in little memory (a million-article archive): each id as the 64-bit number its
    hex digits spell (ids are content keys, "a" + 16 hex digits), in a set. Where the first copy of a story came
    from is looked up in the merged units' cached articles only when a later copy turns up (rare)."""

    def __init__(self) -> None:
        self.ids: set[int | str] = set()
        self.units: list[Path] = []

    @staticmethod
    def key(article_id: str) -> int | str:
        return int(article_id[1:], 16) if _CONTENT_KEY.fullmatch(article_id) else article_id

    def add_unit(self, articles: Path, article_ids: list[str]) -> None:
        self.units.append(articles)
        self.ids.update(map(self.key, article_ids))

    def first(self, article_id: str) -> tuple[str, str] | None:
        """(source id, raw path) of the story's first copy, or None when it was not seen yet."""
        if self.key(article_id) not in self.ids:
            return None
        wanted = pa.array([article_id], pa.string())
        for path in self.units:
            t = pq.read_table(path, columns=["article_id", "source_id", "raw_path"])
            t = t.filter(pc.is_in(t.column("article_id"), value_set=wanted))
            if t.num_rows:
                return t.column("source_id")[0].as_py(), t.column("raw_path")[0].as_py()
        raise AssertionError(f"article {article_id} was merged but is in no merged unit")


def _read_unit_cache(unit: Path) -> tuple[dict[str, Any], dict[str, pa.Table]]:
    stats = json.loads((unit / "unit.json").read_text())
    return stats, {name: pq.read_table(unit / f"{name}.parquet") for name in ALL_TABLES}


def _read_ahead(cache_dir: Path, jobs: list[UnitJob]) -> Iterator[tuple[UnitJob, dict[str, Any], dict[str, pa.Table]]]:
    """Each unit's cached stats and tables, in order; the next unit is read on a second thread while the caller
    writes this one (one unit ahead: a few tens of MB held)."""
    pending = in_background(lambda: _read_unit_cache(cache_dir / jobs[0].key)) if jobs else None
    for i, job in enumerate(jobs):
        stats, tables = pending()
        pending = in_background(lambda k=jobs[i + 1].key: _read_unit_cache(cache_dir / k)) if i + 1 < len(jobs) else None
        yield job, stats, tables
    # a caller that stops early (an error) leaves at most one read running; it ends on its own


def merge_units(
    jobs: list[UnitJob], cache_dir: Path, folder: Path, partition: bool = False,
    derive: Callable[[Path, list[ShingleFile]], tuple[pa.Table, dict[str, Any]]] | None = None,
    progress: Callable[[UnitJob, int], None] | None = None,
) -> MergeResult:  # fmt: skip
    """Stream every unit's cached rows into `folder`, in input order, dropping later copies of a story.

    `derive(folder, shingle_files)` runs once the data tables are complete and before `rejects` closes: it
    writes tables derived from them (the timeline) and returns the reject rows those tables quarantined;
    `shingle_files` are the units' cached shingle sets, in the same order (later copies to be left out).
    `progress(job, articles)` is told of each unit merged.
    """
    partition_root = folder / "partitioned" if partition else None
    sinks = {name: TableSink(name, folder, partition_root) for name in ALL_TABLES}
    month_of: dict[str, str] = {}
    seen = _SeenArticles()
    result = MergeResult({}, 0, Counter(), Counter(), {}, {}, Counter())
    shingle_files: list[ShingleFile] = []
    try:
        for job, stats, tables in _read_ahead(cache_dir, jobs):
            unit = cache_dir / job.key
            result.input_articles += stats["input_articles"]
            result.seconds.update(stats["seconds"])
            for table, fails in stats["table_failures"].items():
                result.table_failures.setdefault(table, []).extend(fails)
            articles = tables["articles"]
            dup_rows, keep = [], []
            for row in articles.select(["article_id", "source_id", "raw_path"]).to_pylist():
                first = seen.first(row["article_id"])
                if first is not None:
                    dup_rows.append(duplicate_reject(row, first))
                    keep.append(False)
                else:
                    keep.append(True)
            seen.add_unit(unit / "articles.parquet", [a for a, k in zip(articles.column("article_id").to_pylist(), keep) if k])
            dropped = None
            if dup_rows:  # later copies: drop the article and everything read from it
                dropped = pa.array(sorted(r["article_id"] for r in dup_rows), pa.string())
                for name in ALL_TABLES:
                    t = tables[name]
                    if name == "articles":
                        tables[name] = t.filter(pa.array(keep, pa.bool_()))
                    else:
                        hit = pc.fill_null(pc.is_in(t.column("article_id"), value_set=dropped), False)
                        if name == "rejects":  # keep what ingest said about the unit; drop rows read from the copy
                            hit = pc.and_(hit, pc.not_equal(t.column("stage"), "ingest"))
                        tables[name] = t.filter(pc.invert(hit))
                tables["rejects"] = pa.concat_tables([tables["rejects"], to_arrow("rejects", dup_rows)])
            shingle_files.append(ShingleFile(unit / f"{SHINGLES}.parquet", stats.get("shingle_words"), dropped))
            months = _months(tables, month_of) if partition else {}
            for name in ALL_TABLES:
                sinks[name].write(tables[name], months.get(name))
            rej = tables["rejects"]
            _count_rejects(result, rej)
            if progress is not None:
                progress(job, stats["input_articles"])
        for name in DATA_TABLES:
            sinks[name].close()
        del seen  # the ids of every article (tens of MB at a million): not needed by what follows
        if derive is not None:
            derived_rejects, result.derived = derive(folder, shingle_files)
            if partition_root is not None:
                partition_derived(folder, partition_root, month_of)
            sinks["rejects"].write(derived_rejects, _article_months(derived_rejects, month_of) if partition else None)
            _count_rejects(result, derived_rejects)
    finally:
        for sink in sinks.values():
            sink.close()
    result.rows = {name: sinks[name].rows for name in ALL_TABLES}
    return result


def _count_rejects(result: MergeResult, rejects: pa.Table) -> None:
    for stage, reason, table in zip(*(rejects.column(c).to_pylist() for c in ("stage", "reason", "table"))):
        result.rejects_by_reason[reason] += 1
        result.rejects_by_stage[stage] += 1
        if stage == "validate":
            result.quarantined.setdefault(table, Counter())[reason] += 1
