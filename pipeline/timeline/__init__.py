"""One timeline from many articles: merge reports of the same event, keep their disagreements.

Public interface (the runner depends on exactly this):
    build_timeline(articles, events, casualties, settings=DEFAULTS, texts=None, sentences=None, previous=None)
        -> {"timeline": pa.Table, "timeline_links": pa.Table}
    iter_timeline(...same..., chunk=50_000) -> the same tables as consecutive pieces (bounded memory)
    store.write_timeline(folder, settings, version, write, ...) -> the same, out of core, from a folder's
        Parquet files, rebuilding only the windows whose inputs changed since the previous run
    main(argv) -> int     `python -m pipeline timeline [--output DIR] [--picture PATH]`

`build_timeline` is pure and deterministic: syndicated copies are found first (`syndication`),
events are merged into rows (`merge`), each row's casualty figures are summarised across its
reports (`figures`), and every event gets a `timeline_links` row saying why it sits where it does.
Events are merged within their window (`windows`: the calendar month their interval starts in),
one window at a time (`build_window`), so memory follows the busiest month and not the archive, and
the windows in order give the timeline in its order. A row's `timeline_id` comes from the event of
its earliest report, so it survives reruns that add reports; `previous` (event id -> the row it was
on before) fills `previous_timeline_id` for events whose row changed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.settings import DEFAULTS, Settings
from pipeline.tables import spec, to_arrow
from pipeline.timeline import merge as merging
from pipeline.timeline import places
from pipeline.timeline.figures import Figure, Range, summarise
from pipeline.timeline.merge import Group, Link, Member
from pipeline.timeline.syndication import Copy, PairMemory, SetSource, TextSource, copies_of
from pipeline.timeline.types import pick

__all__ = ["build_timeline", "iter_timeline", "main"]

CATEGORIES = ("killed", "injured")
SEP = ";"  # joins the sorted event ids that a timeline id hashes


def timeline_id(event_id: str) -> str:
    """A row's id: a hash of the event id of its earliest report (see `_earliest`), so it survives new reports."""
    return "tl-" + hashlib.blake2b(event_id.encode(), digest_size=8).hexdigest()


EVENT_COLUMNS = ("event_id", "article_id", "event_type", "location", "country_code", "latitude", "longitude",
                 "date_start", "date_end", "date_precision", "char_start")  # fmt: skip
CHUNK = 50_000  # rows built as Python objects at once
TEXT_BATCH = 256  # texts shingled at once (the arrays of a batch are several times its text)
TABLES = ("timeline", "timeline_links")
Batches = Callable[[], Iterable[pa.RecordBatch | pa.Table]]  # re-readable batches of some columns


def build_timeline(
    articles: pa.Table,
    events: pa.Table,
    casualties: pa.Table,
    settings: Settings = DEFAULTS,
    texts: Batches | None = None,
    sentences: Batches | None = None,
    previous: dict[str, str] | None = None,
) -> dict[str, pa.Table]:
    """The `timeline` and `timeline_links` tables of validated articles, events and casualties (see `iter_timeline`)."""
    parts = list(iter_timeline(articles, events, casualties, settings, texts, sentences, previous=previous))
    return {name: pa.concat_tables([p[name] for p in parts]) for name in TABLES}


def iter_timeline(
    articles: pa.Table,
    events: pa.Table,
    casualties: pa.Table,
    settings: Settings = DEFAULTS,
    texts: Batches | None = None,
    sentences: Batches | None = None,
    chunk: int = CHUNK,
    previous: dict[str, str] | None = None,
) -> Iterator[dict[str, pa.Table]]:
    """`build_timeline` in pieces: consecutive slices of both tables, about `chunk` links at a time, each
    piece's links belonging to its timeline rows, so a caller can validate and write them as they come.

    The article texts (for syndication) come from `articles.text`, or, when `texts` is given, from
    the batches it returns (columns `article_id` and `text`, e.g. `lambda: pq.ParquetFile(path).iter_batches(
    columns=["article_id", "text"])`). Likewise the events' `sentence`, read only for each row's
    representative event, comes from `events.sentence` or from the `sentences` batches (column `sentence`,
    in the order of `events`). So neither the texts nor the sentences need to be in memory.
    `previous` maps event ids to the timeline row they were on in an earlier run (`previous_timeline_id`)."""
    book = Articles(articles, syndication(articles, _text_source(articles, texts), settings))
    win = windows(events.column("date_start"), events.column("date_end"))
    cas_events = casualties.column("event_id")
    pieces = 0
    for w, rows in _by_window(win):
        ev = events.take(pa.array(rows))
        cas = casualties.filter(pc.fill_null(pc.is_in(cas_events, value_set=ev.column("event_id")), False))

        def sentence_of(local: np.ndarray, rows: np.ndarray = rows, ev: pa.Table = ev) -> pa.ChunkedArray:
            if sentences is None:
                return _take(ev, "sentence", local, None)
            return _take(events, "sentence", rows[local], sentences)

        for piece in build_window(ev, cas, book, settings, sentence_of, chunk, previous):
            pieces += 1
            yield piece
    if not pieces:
        yield {name: to_arrow(name, []) for name in TABLES}


UNDATED = 1 << 30  # the window of events without a date interval: after every month


def windows(date_start: pa.ChunkedArray | pa.Array, date_end: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Each event's window: the calendar month its interval starts in (UNDATED without an interval).

    Events are compared with the events of their own window only, so the timeline is built (and
    rebuilt) one window at a time, and memory follows the busiest month, not the archive. The
    windows, in order, give the timeline in its order. A report of a whole month, or of any day
    of it, is compared with every report of that month; an interval that starts in one month
    (a week across its end, a quarter, a year) is compared with the reports of its first month only."""
    month = pc.add(pc.multiply(pc.year(date_start), 12), pc.subtract(pc.month(date_start), 1))
    dated = pc.and_(pc.is_valid(date_start), pc.is_valid(date_end))
    return pc.if_else(dated, month, UNDATED).to_numpy(zero_copy_only=False).astype(np.int64)


def _by_window(win: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(window, row numbers in input order) for each window present, in window order."""
    order = np.argsort(win, kind="stable")
    if not len(order):
        return
    cuts = np.flatnonzero(np.diff(win[order])) + 1
    for part in np.split(order, cuts):
        yield int(win[part[0]]), part


class Articles:
    """What the timeline needs to know about articles: outlet, publication time and syndicated copies
    (`copies`: article id -> Copy, copies only). Looked up per window, so no per-article Python dicts."""

    def __init__(self, articles: pa.Table, copies: dict[str, Copy]) -> None:
        cols = [c for c in ("article_id", "source", "published") if c in articles.column_names]
        self.table = articles.select(cols).combine_chunks()
        self.copies = copies

    def lookup(self, article_ids: list[str]) -> tuple[dict[str, str], dict[str, str | None]]:
        """(source, published) of these articles (published None for an article not in the book)."""
        rows = index_in(pa.array(article_ids, pa.string()), self.table.column("article_id"))
        out = []
        for col in ("source", "published"):
            values = self.table.column(col).take(rows).to_pylist() if col in self.table.column_names else repeat(None)
            out.append(dict(zip(article_ids, values)))
        sources = {a: s for a, s in out[0].items() if s is not None}
        return sources, out[1]


def index_in(wanted: pa.Array, ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`pc.index_in(wanted, value_set=ids)`: the first row of `ids` holding each wanted value (null where none
    does; a null is found nowhere), with the hash table made of the distinct wanted values instead of `ids`.
    Arrow builds a value set's table at about 1 µs an entry, and the timeline looks a few ids up among many: a
    month's articles in the book (0.34 s a month at a million articles, this way 0.02 s), a batch of figures
    among the recent batches of events (300,000 ids: 0.38 s a batch, this way 0.02 s)."""
    distinct = pc.unique(wanted)
    at = pc.index_in(ids, value_set=distinct)  # each id: which wanted value it is
    held = pc.is_valid(at)
    none = np.iinfo(np.int64).max
    first = np.full(len(distinct), none, np.int64)
    np.minimum.at(first, at.filter(held).to_numpy().astype(np.int64), pc.indices_nonzero(held).to_numpy().astype(np.int64))
    rows = first[pc.index_in(wanted, value_set=distinct).fill_null(0).to_numpy().astype(np.int64)]
    return pa.array(rows, pa.int64(), mask=(rows == none) | np.asarray(pc.is_null(wanted)))


def syndication(
    articles: pa.Table, text_source: TextSource, settings: Settings, spill_dir: Path | None = None,
    sets_made: SetSource | None = None, pairs: PairMemory | None = None,
) -> dict[str, Copy]:  # fmt: skip
    """The syndicated copies among the articles (article id -> Copy; an article missing is its own original);
    the articles' shingle sets are filed in a temporary folder inside `spill_dir` meanwhile. With `sets_made`,
    the sets the workers made are read instead of the texts."""
    ids = articles.column("article_id")
    published = articles.column("published") if "published" in articles.column_names else pa.nulls(len(ids), pa.string())
    return copies_of(
        ids, published, text_source, settings, only_copies=True, spill_dir=spill_dir, sets_made=sets_made, pairs=pairs
    )  # fmt: skip


def build_window(
    events: pa.Table,
    casualties: pa.Table,
    book: Articles,
    settings: Settings,
    sentence_of: Callable[[np.ndarray], pa.ChunkedArray],
    chunk: int = CHUNK,
    previous: dict[str, str] | None = None,
) -> Iterator[dict[str, pa.Table]]:
    """The timeline rows and links of one window's events, in timeline order, in pieces of about `chunk` links."""
    if events.num_rows == 0:
        return
    syn = book.copies
    sources, pub = book.lookup(sorted(set(events.column("article_id").to_pylist())))

    def report(article_id: str) -> str:
        """A report is an article with its syndicated copies: the copies map to the original."""
        c = syn.get(article_id)
        return c.original if c else article_id

    members = _members(events, report)
    groups, links = merging.merge(members, settings)
    del members

    figures: dict[str, list[Figure]] = defaultdict(list)
    cas = casualties.select(["casualty_id", "event_id", "article_id", "category", "low", "best", "high", "cumulative"])
    by_id = pc.sort_indices(cas, [("casualty_id", "ascending")])
    for start in range(0, cas.num_rows, CHUNK):
        part = cas.take(by_id.slice(start, CHUNK))
        names = ("event_id", "article_id", "category", "low", "best", "high", "cumulative")
        columns = [part.column(c).to_pylist() for c in names]
        for event_id, article_id, category, low, best, high, cumulative in zip(*columns):  # columns: no dict per row
            if event_id is not None and category in CATEGORIES:
                figures[event_id].append(Figure(report(article_id), category, low, best, high, bool(cumulative)))
    del cas, by_id

    # Rows in timeline order, each with its representative event; only those events' sentences are read.
    kind = [pick([m.event_type for m in g.members]) for g in groups]
    plover = _plover(events, groups, kind)
    # (A row of one event, most rows of real news, needs no ranking.)
    tids = [timeline_id(_first(g.members, lambda m: _earliest(m, pub)).event_id) for g in groups]
    order = sorted(range(len(groups)), key=lambda i: _group_order(tids[i], groups[i]))
    best = [_first(groups[i].members, lambda m: _sentence_rank(m, figures, pub, syn)) for i in order]
    shown = sentence_of(_rows_of(events, [b.event_id for b in best]))
    previous = previous or {}
    rows: list[tuple] = []  # tuples in ROW_COLUMNS order: no dict per row (a window has ~100,000 of them)
    link_rows: list[tuple] = []  # in LINK_COLUMNS order
    done = 0
    for k, i in enumerate(order):
        g = groups[i]
        groups[i] = None  # type: ignore[call-overload]  # what is written is let go
        tid = tids[i]
        rows.append(_row(tid, g, kind[i], plover[i], best[k], None, figures, sources, syn))
        seed_first = g.members
        if len(seed_first) > 1:
            seed_first = sorted(seed_first, key=lambda m: (links[m.event_id].link != merging.SEED, m.event_id))
        for m in seed_first:
            before = previous.get(m.event_id)
            link_rows.append(
                _link_row(tid, m, links.pop(m.event_id), g, sources, syn, figures, before if before != tid else None)
            )
        if figures:  # (most windows' figures are few)
            for m in g.members:
                figures.pop(m.event_id, None)
        if len(link_rows) >= chunk or k == len(order) - 1:
            columns = list(zip(*rows))
            columns[_SENTENCE] = shown.slice(done, len(rows)).to_pylist()
            done += len(rows)
            yield {"timeline": _table("timeline", ROW_COLUMNS, columns),
                   "timeline_links": _table("timeline_links", LINK_COLUMNS, list(zip(*link_rows)))}  # fmt: skip
            rows, link_rows = [], []


# The columns of the tuples `_row` and `_link_row` make, in their order (`_table` checks them against the schemas).
ROW_COLUMNS = ("timeline_id", "date_start", "date_end", "date_precision", "event_type", "event_types", "plover_type",
               "location", "country_code", "latitude", "longitude", "killed_low", "killed_best", "killed_high",
               "injured_low", "injured_best", "injured_high", "n_events", "n_articles", "n_copies", "n_sources",
               "sources", "article_ids", "event_ids", "sentence", "sentence_event_id", "article_id")  # fmt: skip
_SENTENCE = ROW_COLUMNS.index("sentence")
LINK_COLUMNS = ("event_id", "timeline_id", "article_id", "source", "original_article_id", "is_copy", "copy_similarity",
                "link", "linked_to", "date_relation", "place_relation", "type_relation", "candidates", "figures_used",
                "figures_cumulative", "explanation", "previous_timeline_id")  # fmt: skip


@lru_cache(maxsize=None)
def _schema(table: str) -> pa.Schema:
    """The table's Arrow schema, made once (`TableSpec.arrow_schema` builds it anew on every call)."""
    return spec(table).arrow_schema


def _table(table: str, names: tuple[str, ...], columns: list[Sequence[Any]]) -> pa.Table:
    """Columns (in the order of `names`) to the table's Arrow table: `to_arrow` without a dict per row."""
    schema = _schema(table)
    if set(names) != set(schema.names):
        raise KeyError(f"{table}: columns {sorted(set(names) ^ set(schema.names))} differ from the schema")
    by_name = dict(zip(names, columns)) if columns else {}
    # Lists, not the tuples zip makes: pyarrow reads a tuple ~50 times slower (it first tries it as an array-like).
    return pa.Table.from_pydict({n: list(by_name.get(n, ())) for n in schema.names}, schema=schema)


def _first(members: list[Member], rank: Callable[[Member], tuple]) -> Member:
    """min(members, key=rank), without ranking a lone member."""
    return members[0] if len(members) == 1 else min(members, key=rank)


def _earliest(m: Member, published: dict[str, str | None]) -> tuple:
    """The earliest report first: the row's id comes from its event, so new reports of the event keep the id."""
    p = published.get(m.article_id)
    return (p is None, p or "", m.article_id, m.event_id)


def _take(events: pa.Table, column: str, rows: np.ndarray, batches: Batches | None) -> pa.ChunkedArray:
    """events[column][rows], read from `batches` (the column, in the order of `events`) when given."""
    if batches is None:
        if column not in events.column_names:
            raise ValueError(f"events has no `{column}` column: pass it, or batches of it (`sentences=`)")
        return events.column(column).take(pa.array(rows))
    wanted = np.array(rows, dtype=np.int64)
    order = np.argsort(wanted, kind="stable")
    ascending = wanted[order]
    pieces, offset = [], 0
    for batch in batches():
        lo, hi = np.searchsorted(ascending, [offset, offset + batch.num_rows])
        if hi > lo:
            got = batch.column(column).take(pa.array(ascending[lo:hi] - offset))
            pieces += got.chunks if isinstance(got, pa.ChunkedArray) else [got]
        offset += batch.num_rows
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return pa.chunked_array(pieces, type=pa.string()).take(pa.array(inverse))


def _text_source(articles: pa.Table, texts: Batches | None) -> TextSource:
    """The article texts as the syndication stream wants them: batches of (ids, texts), restricted on request."""
    if texts is None and "text" in articles.column_names:
        table = articles.select(["article_id", "text"])

        def texts() -> Iterable[pa.RecordBatch]:
            return table.to_batches(max_chunksize=TEXT_BATCH)

    def source(wanted: set[str] | None) -> Iterator[tuple[list[str], list[str | None]]]:
        if texts is None:
            return
        wanted_ids = pa.array(sorted(wanted), type=pa.string()) if wanted is not None else None
        for batch in texts():
            if wanted_ids is not None:
                batch = batch.filter(pc.is_in(batch.column("article_id"), value_set=wanted_ids))
            for start in range(0, batch.num_rows, TEXT_BATCH):
                part = batch.slice(start, TEXT_BATCH)
                yield part.column("article_id").to_pylist(), part.column("text").to_pylist()

    return source


def _members(events: pa.Table, report: Callable[[str], str]) -> list[Member]:
    """The events as the merge sees them, sorted by id; equal values share one object (millions of events).

    Column by column, not event by event: each column but the ids is dictionary-encoded, so a value becomes a
    Python object once and is shared by position (a numpy take), and each distinct place is made once."""
    ev = events.select(list(EVENT_COLUMNS))
    by_id = pc.sort_indices(ev, [("event_id", "ascending")])  # taken a slice at a time: no sorted copy of the table
    place_of: dict[tuple, places.Place] = {}
    report_of: dict[str, str] = {}  # article id -> its report
    members: list[Member] = []
    for start in range(0, ev.num_rows, CHUNK):
        part = ev.take(by_id.slice(start, CHUNK))
        codes, values = zip(*(_encoded(part.column(c)) for c in EVENT_COLUMNS[1:]))
        aid, etype, loc, cc, lat, lon, d0, d1, prec, pos = codes
        # A place per distinct (location, country, latitude, longitude): the four codes as one row of ints.
        if part.num_rows < SHORT:  # (each row is its own value: see `_encoded`; `place_of` shares the places)
            first = which = np.arange(part.num_rows)
        else:
            where_codes = np.stack([loc, cc, lat, lon], axis=1)
            _, first, which = np.unique(where_codes, axis=0, return_index=True, return_inverse=True)
        place_list = []
        for row in first.tolist():
            key = (values[2][loc[row]], values[3][cc[row]], values[4][lat[row]], values[5][lon[row]])
            place = place_of.get(key)
            if place is None:
                place = place_of[key] = places.with_country(places.Place(*key))
            place_list.append(place)
        reports = []
        for a in values[0].tolist():
            rep = report_of.get(a)
            if rep is None:
                rep = report_of[a] = report(a)
            reports.append(rep)
        aids, etypes, d0s, d1s, precs, poss = (values[k][codes[k]].tolist() for k in (0, 1, 6, 7, 8, 9))
        where = _objects(place_list)[which.ravel()].tolist()
        members += map(Member, part.column("event_id").to_pylist(), aids, etypes, where, d0s, d1s, precs,
                       _objects(reports)[aid].tolist(), poss)  # fmt: skip
    return members


def _objects(values: list) -> np.ndarray:
    """A list as a numpy array of the same objects (np.array would read a list of tuples as a 2-D array)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


SHORT = 512  # events below which a window's columns are not dictionary-encoded


def _encoded(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, values): the column as ints into its distinct values (None among them), values as Python objects.
    A short column is its own values (encoding it costs more than it saves, and its values are few anyway)."""
    if len(column) < SHORT:
        return np.arange(len(column)), _objects([*column.to_pylist(), None])
    encoded = pc.dictionary_encode(column.combine_chunks())
    values = encoded.dictionary.to_pylist()
    codes = encoded.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
    return codes, _objects([*values, None])


def _plover(events: pa.Table, groups: list[Group], kind: list[str]) -> list[str | None]:
    """Each row's PLOVER type: that of the row's first event of the row's type."""
    if "plover_type" not in events.column_names:
        return [None] * len(groups)
    first = [next((m.event_id for m in g.members if m.event_type == k), None) for g, k in zip(groups, kind)]
    rows = _rows_of(events, [e or "" for e in first])
    taken = events.column("plover_type").take(pa.array(np.maximum(rows, 0))).to_pylist()
    return [t if e is not None else None for t, e in zip(taken, first)]


def _rows_of(events: pa.Table, event_ids: list[str]) -> np.ndarray:
    """Row numbers of the events with these ids (-1 for an unknown id)."""
    found = pc.index_in(pa.array(event_ids, type=pa.string()), value_set=events.column("event_id"))
    return found.fill_null(-1).to_numpy().astype(np.int64)


def _group_order(tid: str, g: Group) -> tuple:
    """Timeline order: by date (undated last), then country and place, then id."""
    dated = g.start is not None
    place = g.place
    return (not dated, g.start if dated else 0, g.end if dated else 0,
            places.with_country(place).country_code or "~", place.name or "~", tid)  # fmt: skip


def _row(
    tid: str,
    g: Group,
    kind: str,
    plover_type: str | None,
    best: Member,
    sentence: str | None,
    figures: dict[str, list[Figure]],
    sources: dict[str, str],
    syn: dict[str, Copy],
) -> tuple:
    """The row of group g, in ROW_COLUMNS order."""
    place = g.place
    located = next((m.place for m in g.members if m.place.key == place.key and m.place.latitude is not None), None)
    article_ids = sorted({m.article_id for m in g.members})
    originals = sorted({syn[a].original if a in syn else a for a in article_ids})
    source_names = sorted({sources.get(a) for a in article_ids} - {None})
    original_sources = {sources.get(a) for a in originals} - {None}
    event_figures = [f for m in g.members for f in figures.get(m.event_id, ())]
    if event_figures:
        killed, injured = (summarise(event_figures, cat) for cat in CATEGORIES)
    else:
        killed = injured = _NO_FIGURES  # most rows have no figure
    return (
        tid, g.start, g.end, merging.precision(g), kind, sorted({m.event_type for m in g.members}), plover_type,
        place.name, places.with_country(place).country_code,
        located.latitude if located else None, located.longitude if located else None,
        killed.low, killed.best, killed.high, injured.low, injured.best, injured.high,
        len(g.members), len(originals), len(article_ids) - len(originals), len(original_sources),
        source_names, article_ids, sorted(m.event_id for m in g.members),
        sentence, best.event_id, best.article_id,
    )  # fmt: skip


_NO_FIGURES = Range()


def _sentence_rank(
    m: Member, figures: dict[str, list[Figure]], published: dict[str, str | None], syn: dict[str, Copy]
) -> tuple:
    """Prefer a sentence with a usable figure, a precise date and a named place, from an original, published first."""
    has_figure = any(not f.cumulative for f in figures.get(m.event_id, []))
    precision = merging.precision_rank(m.precision)
    is_copy = m.article_id in syn
    return (not has_figure, precision, m.place.name is None, is_copy, published.get(m.article_id) or "~", m.event_id)


def _link_row(
    tid: str,
    m: Member,
    link: Link,
    g: Group,
    sources: dict[str, str],
    syn: dict[str, Copy],
    figures: dict[str, list[Figure]],
    before: str | None = None,
) -> tuple:
    """The link of event m on row `tid`, in LINK_COLUMNS order."""
    copy = syn.get(m.article_id) or _original(m.article_id)
    own = figures.get(m.event_id)
    used = sum(1 for f in own if not f.cumulative and f.floor is not None) if own else 0
    return (
        m.event_id, tid, m.article_id, sources.get(m.article_id), copy.original, copy.original != m.article_id,
        copy.similarity, link.link, link.linked_to, link.date_relation, link.place_relation, link.type_relation,
        link.candidates, used, sum(1 for f in own if f.cumulative) if own else 0, explain(m, link, g, copy, before),
        before,
    )  # fmt: skip


@lru_cache(maxsize=1 << 14)
def _original(article_id: str) -> Copy:
    """The Copy of an article that is its own original (one object per article: each has many events)."""
    return Copy(article_id, article_id, None)


def explain(m: Member, link: Link, g: Group, copy: Copy, before: str | None = None) -> str:
    when = f"{m.date_start}..{m.date_end}" if m.date_start and m.date_end != m.date_start else str(m.date_start)
    what = f"{m.event_type} at {m.place.label()} on {when}"
    if link.link == merging.SEED:
        text = f"{what}: first report of this event (no earlier row fitted)"
    elif link.link == merging.MERGED:
        place = link.place_relation
        if place == "from_article":
            place = "taken from its own article" + (
                f" (the nearest earlier of {link.candidates} fitting rows)" if link.candidates > 1 else ""
            )
        text = (
            f"{what}: merged with {link.linked_to}, dates {link.date_relation}, place {place}, "
            f"type {link.type_relation}; compatible with every event already on the row"
        )
    elif link.link == merging.AMBIGUOUS:
        text = f"{what}: fits {link.candidates} different rows, so it is kept apart rather than guessed"
    elif link.link == merging.NO_DATE:
        text = f"{m.event_type} at {m.place.label()}: no date interval, never merged"
    elif link.link == merging.NO_PLACE:
        text = f"{m.event_type} on {when}: no place, and no row of its own article fits it (it could be anywhere)"
    else:
        text = f"{what}: date interval of {m.days} days is too vague to merge"
    if copy.original != m.article_id:
        text += f"; its article is a syndicated copy of {copy.original} (similarity {copy.similarity}), counted once"
    if before:
        text += f"; it was on row {before} in the previous run, now merged into this one"
    return text


def main(argv: list[str] | None = None) -> int:
    from pipeline.timeline.plot import main as plot_main

    return plot_main(argv)
