"""The chain of stages, declared once (`CHAIN`), and the stage functions over tables.

`CHAIN` lists the stages in order with the tables each reads and writes. The whole run
(`batch.process_task`, per input unit), the one-stage commands (`stepwise`), the command
line's stage commands and the Python API (`pipeline.api.process`, through `process_articles`
and `timeline_in_memory`) all walk it. The per-article stages (temporal, extract) take and return
in-memory tables (pyarrow) through the one `apply` signature, so `run` chains them in memory and
the per-stage commands chain them through `data/interim/`. Per article work goes through pure
functions (`temporal_rows`, `extract_rows`); an exception inside one article becomes a reject row
(`stage_error`) and the batch goes on.

Each article also has a time budget for the per-article stages together (`article_time_budget_s`,
`ArticleBudget`): an article that uses it up becomes a `too_slow` reject row of the stage it was in,
is kept in `articles` without that stage's rows (and the later stages skip it), and the batch goes
on. Python cannot stop a runaway regular expression from another thread, so the budget is a timer
signal in the thread doing the work: in the main thread of a process on Linux or macOS (the local
worker processes, the serial engine, the stage commands), `signal.setitimer` raises `TooSlow` inside
the article's work the moment its time is up (the `re` module checks for signals while it matches),
and the SIGALRM handler that was there before is put back after the stage. Where no timer can be
used (Dask runs tasks in threads; a caller with its own SIGALRM handler), the time is measured after
each stage, so the article is still rejected, but only once the stage has finished it. Two runs give
the same rows unless an article comes near its budget; the default is generous: an ordinary 2 MB
article, the largest `max_file_bytes` lets in, takes about 5 s.

Importing this module is cheap (the command line reads the chain to build its help): pyarrow and
the stages themselves are imported when a stage runs.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.records import Article, Casualty, Event, Mention, Reject
from pipeline.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from pipeline.validate import ValidationResult

ARTICLE_COLUMNS = (
    "article_id", "source_id", "source", "url", "title", "published", "published_date", "reference_date",
    "reference_basis", "dateline_text", "dateline_place", "dateline_agency", "dateline_date", "language",
    "timezone", "raw_path", "content_sha256", "extra", "text",
)  # fmt: skip
MENTION_FIELDS = tuple(f.name for f in fields(Mention))
# The fields that become a row's columns (records hold plain values: no deep copy, as `asdict` makes, is needed)
_EVENT_FIELDS = tuple(f.name for f in fields(Event) if f.name != "mention_index")
_CASUALTY_FIELDS = tuple(f.name for f in fields(Casualty) if f.name != "event_index")


@dataclass
class StageOutput:
    tables: dict[str, pa.Table]
    rejects: list[dict[str, Any]]
    stats: dict[str, Any]


def reject_row(r: Reject) -> dict[str, Any]:
    return {**asdict(r), "table": None, "row_id": None}


def article_row(a: Article) -> dict[str, Any]:
    row = {name: getattr(a, name) for name in ARTICLE_COLUMNS}
    row["n_chars"] = a.n_chars
    return row


def _stage_error(stage: str, article_id: str, source_id: str, raw_path: str, exc: BaseException) -> dict[str, Any]:
    return {
        "stage": stage,
        "source_id": source_id,
        "raw_path": raw_path,
        "article_id": article_id,
        "reason": "stage_error",
        "message": f"{stage} failed on this article ({type(exc).__name__}: {exc}); the article is kept without {stage} rows",
        "detail": json.dumps({"traceback": traceback.format_exc(limit=6)}),
        "table": None,
        "row_id": None,
    }


class TooSlow(BaseException):
    """An article's time budget ran out inside its work (a BaseException, so `except Exception` in a stage lets it by)."""


# A short text that makes a stage load its rules and lexicons before any article's time is counted.
WARM_UP = "EASTMERE, March 3 - Two people were killed and four injured on Monday when a bus overturned, police said."
_warm: set[str] = set()


class ArticleBudget:
    """The seconds each article may spend in the per-article stages, together (see the module's docstring)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds
        self.spent: dict[str, float] = {}
        self._armed = False
        self._timer = False

    def exhausted(self, article_id: str) -> bool:
        return self.seconds is not None and self.spent.get(article_id, 0.0) >= self.seconds

    def expire(self, article_id: str) -> None:
        """The article ran out of time (whatever the clocks say to the microsecond): later stages skip it."""
        if self.seconds is not None:
            self.spent[article_id] = max(self.spent.get(article_id, 0.0), self.seconds)

    @contextmanager
    def stage(self, name: str, warm_up: Callable[[], Any]) -> Iterator[None]:
        """Around a stage's loop over articles: load the stage's rules first, and own SIGALRM while it runs."""
        if self.seconds is None:
            yield
            return
        if name not in _warm:
            try:
                warm_up()
            except Exception:
                pass  # the article that hits the same bug reports it
            _warm.add(name)
        usable = (
            hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
        )  # fmt: skip
        if not usable:
            yield
            return
        previous = signal.signal(signal.SIGALRM, self._expired)
        self._timer = True
        try:
            yield
        finally:
            self._timer = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def _expired(self, signum: int, frame: Any) -> None:
        if self._armed:
            raise TooSlow

    @contextmanager
    def article(self, article_id: str) -> Iterator[None]:
        """Around one article's work in one stage: raises TooSlow when the article's time is up."""
        if self.seconds is None:
            yield
            return
        start = time.perf_counter()
        if self._timer:
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, max(self.seconds - self.spent.get(article_id, 0.0), 1e-3))
        try:
            yield
        finally:
            self._armed = False
            if self._timer:
                signal.setitimer(signal.ITIMER_REAL, 0)
            self.spent[article_id] = self.spent.get(article_id, 0.0) + time.perf_counter() - start
        if self.exhausted(article_id):  # no timer here, or it fired as the work ended
            raise TooSlow


def _too_slow(stage: str, a: dict[str, Any], budget: ArticleBudget) -> dict[str, Any]:
    without = {"temporal": "mentions, events or casualty figures", "extract": "events or casualty figures"}[stage]
    return {
        "stage": stage,
        "source_id": a["source_id"],
        "raw_path": a["raw_path"],
        "article_id": a["article_id"],
        "reason": "too_slow",
        "message": f"{stage} took longer than the article's time budget (article_time_budget_s = {budget.seconds:g} s); "
        f"the article is kept without {without}",
        "detail": json.dumps({"budget_s": budget.seconds, "stage": stage}),
        "table": None,
        "row_id": None,
    }


# ---------------------------------------------------------------- ingest
def ingest_stage(input_path: Path, settings: Settings) -> StageOutput:
    from pipeline.ingest import ingest

    return _ingested(ingest(input_path, settings))


def ingest_records_stage(
    records: Iterable[Mapping[str, Any]], settings: Settings, name: str = "records"
) -> StageOutput:
    """The ingest stage on records held in memory, read as the lines of a JSON Lines file called `name`."""
    from pipeline.ingest import ingest_records

    return _ingested(ingest_records(records, settings, name))


def _ingested(items: Iterable[Article | Reject]) -> StageOutput:
    from pipeline.tables import to_arrow

    articles, rejects = [], []
    for item in items:
        if isinstance(item, Article):
            articles.append(article_row(item))
        else:
            rejects.append(reject_row(item))
    stats = {"input_articles": len(articles) + len(rejects), "accepted": len(articles), "rejected": len(rejects)}
    return StageOutput({"articles": to_arrow("articles", articles)}, rejects, stats)


# ---------------------------------------------------------------- temporal
def temporal_rows(article_id: str, text: str, reference: date) -> list[dict[str, Any]]:
    """Mentions of one article as table rows, with stable ids (article + span)."""
    from pipeline.temporal import normalise

    rows = []
    for m in normalise(text, reference):
        row = {"mention_id": f"{article_id}-t{m.char_start}-{m.char_end}", "article_id": article_id}
        row.update({k: getattr(m, k) for k in MENTION_FIELDS})
        rows.append(row)
    return rows


def temporal_stage(articles: pa.Table, progress: Iterable | None = None, budget: ArticleBudget | None = None) -> StageOutput:
    from pipeline.tables import to_arrow

    budget = budget or ArticleBudget()
    rows, rejects = [], []
    with budget.stage("temporal", _warm_up_temporal):
        for a in _iter_articles(articles, progress):
            if budget.exhausted(a["article_id"]):
                continue
            try:
                with budget.article(a["article_id"]):
                    found = temporal_rows(a["article_id"], a["text"], a["reference_date"])
            except TooSlow:
                budget.expire(a["article_id"])
                rejects.append(_too_slow("temporal", a, budget))
                continue
            except Exception as exc:  # one bad article never stops the batch
                rejects.append(_stage_error("temporal", a["article_id"], a["source_id"], a["raw_path"], exc))
                continue
            rows.extend(found)
    return StageOutput({"mentions": to_arrow("mentions", rows)}, rejects, {"mentions": len(rows)})


def _warm_up_temporal() -> None:
    temporal_rows("warm-up", WARM_UP, date(2001, 3, 3))


def warm_up() -> None:
    """Load what every per-article stage loads on first use (rules, lexicons, the gazetteer, the language
    model) in this process now. Worker processes forked afterwards inherit it all instead of each paying
    for it again (seconds a worker; see `runner.execute`)."""
    try:
        ingest_records_stage([{"id": "warm-up", "published": "2001-03-03", "text": WARM_UP}], Settings())
    except Exception:
        pass  # the article that hits the same bug reports it
    for name, load in (("temporal", _warm_up_temporal), ("extract", _warm_up_extract)):
        if name not in _warm:
            try:
                load()
            except Exception:
                pass
            _warm.add(name)


def cool_down() -> None:
    """Let go of the language model (about 70 MB) that `warm_up` loaded here for the forked workers once they are
    done: the merge and the timeline never detect a language (a later ingest in this process loads it again)."""
    from pipeline.ingest import language

    language._identifier.cache_clear()


# ---------------------------------------------------------------- extract
def extract_rows(
    article_id: str, text: str, reference: date, dateline_place: str | None, mention_rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Events and casualty figures of one article as table rows, with stable ids."""
    from pipeline.extract import extract

    mentions = [Mention(**{k: r[k] for k in MENTION_FIELDS}) for r in mention_rows]
    result = extract(text, reference, mentions, dateline_place)
    event_ids = _unique_ids(article_id, "e", result.events)
    casualty_ids = _unique_ids(article_id, "c", result.casualties)
    events = []
    for eid, ev in zip(event_ids, result.events):
        row = {"event_id": eid, "article_id": article_id}
        row.update({k: getattr(ev, k) for k in _EVENT_FIELDS})
        row["mention_id"] = mention_rows[ev.mention_index]["mention_id"] if ev.mention_index is not None else None
        events.append(row)
    casualties = []
    for cid, c in zip(casualty_ids, result.casualties):
        row = {"casualty_id": cid, "article_id": article_id}
        row.update({k: getattr(c, k) for k in _CASUALTY_FIELDS})
        row["event_id"] = event_ids[c.event_index] if c.event_index is not None else None
        casualties.append(row)
    return events, casualties


def _unique_ids(article_id: str, kind: str, items: list[Event] | list[Casualty]) -> list[str]:
    ids, seen = [], {}
    for it in items:
        base = f"{article_id}-{kind}{it.char_start}-{it.char_end}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        ids.append(base if n == 0 else f"{base}-{n}")
    return ids


def _warm_up_extract() -> None:
    extract_rows("warm-up", WARM_UP, date(2001, 3, 3), "Eastmere", temporal_rows("warm-up", WARM_UP, date(2001, 3, 3)))


def extract_stage(
    articles: pa.Table, mentions: pa.Table, progress: Iterable | None = None, budget: ArticleBudget | None = None
) -> StageOutput:
    from pipeline.tables import to_arrow

    budget = budget or ArticleBudget()
    by_article: dict[str, list[dict[str, Any]]] = {}
    for row in mentions.to_pylist():
        by_article.setdefault(row["article_id"], []).append(row)
    events, casualties, rejects = [], [], []
    with budget.stage("extract", _warm_up_extract):
        for a in _iter_articles(articles, progress):
            if budget.exhausted(a["article_id"]):
                continue  # out of time in an earlier stage, which said so
            try:
                with budget.article(a["article_id"]):
                    ev, ca = extract_rows(
                        a["article_id"], a["text"], a["reference_date"], a["dateline_place"], by_article.get(a["article_id"], [])
                    )
            except TooSlow:
                budget.expire(a["article_id"])
                rejects.append(_too_slow("extract", a, budget))
                continue
            except Exception as exc:
                rejects.append(_stage_error("extract", a["article_id"], a["source_id"], a["raw_path"], exc))
                continue
            events.extend(ev)
            casualties.extend(ca)
    return StageOutput(
        {"events": to_arrow("events", events), "casualties": to_arrow("casualties", casualties)},
        rejects,
        {"events": len(events), "casualties": len(casualties)},
    )


def _iter_articles(articles: pa.Table, progress: Iterable | None) -> Iterator[dict[str, Any]]:
    cols = ("article_id", "source_id", "raw_path", "text", "reference_date", "dateline_place")
    data = {c: articles.column(c).to_pylist() for c in cols}
    items = (dict(zip(cols, values)) for values in zip(*data.values()))
    return iter(progress(items, total=articles.num_rows)) if progress else items


# ---------------------------------------------------------------- the chain
INPUT, OUTPUT = "input", "output"  # the raw articles, and the published output folder
Progress = Callable[[Iterable, int], Iterable]  # wraps the articles of a stage, e.g. a progress bar


@dataclass(frozen=True)
class Stage:
    name: str
    help: str
    reads: tuple[str, ...]  # tables (or INPUT): in memory within `run`, from the work folder when run alone
    writes: tuple[str, ...]  # tables (or OUTPUT); every stage may also add `rejects` rows
    # The per-article stages: tables in, new tables and rejects out, the same call in `run` and alone; one
    # ArticleBudget is shared by the stages of one batch (a stage command alone gives each article a fresh budget).
    apply: Callable[[dict[str, pa.Table], Progress | None, ArticleBudget | None], StageOutput] | None = None
    done: str = ""  # what `apply` reports, from its stats (and `articles`, the rows it read)


def _temporal(tables: dict[str, pa.Table], progress: Progress | None = None, budget: ArticleBudget | None = None) -> StageOutput:
    return temporal_stage(tables["articles"], progress, budget)


def _extract(tables: dict[str, pa.Table], progress: Progress | None = None, budget: ArticleBudget | None = None) -> StageOutput:
    return extract_stage(tables["articles"], tables["mentions"], progress, budget)


DATA_TABLES = ("articles", "mentions", "events", "casualties")
CHAIN = (
    Stage("ingest", "read raw articles: metadata, dateline, reference date; bad input becomes rejects",
          (INPUT,), ("articles",)),
    Stage("temporal", "find and normalise temporal expressions against each article's reference date",
          ("articles",), ("mentions",), _temporal, "{mentions} mentions in {articles} articles"),
    Stage("extract", "extract dated events and casualty figures",
          ("articles", "mentions"), ("events", "casualties"), _extract, "{events} events, {casualties} casualty figures"),
    Stage("validate", "run the Great Expectations suites; failing rows move to rejects", DATA_TABLES, DATA_TABLES),
    Stage("export", "write Parquet, CSV, the timeline, manifest.json and the validation report",
          (*DATA_TABLES, "rejects"), (OUTPUT,)),
)  # fmt: skip
STAGES = {s.name: s for s in CHAIN}
ARTICLE_STAGES = tuple(s for s in CHAIN if s.apply)  # between ingest and validate, article by article


# ---------------------------------------------------------------- the chain in memory
def process_articles(
    articles: pa.Table, rejects: Iterable[dict[str, Any]], settings: Settings, progress: Progress | None = None
) -> tuple[ValidationResult, dict[str, float]]:
    """The chain from ingested articles to validated tables, in memory: the per-article stages (`ARTICLE_STAGES`)
    in order, one `ArticleBudget` per article across them, then `validate`. `rejects` are the ingest stage's rows.

    Returns the validation result (every data table and `rejects`, with the rows validation quarantined) and
    the seconds of each stage. The batched run calls it on each sub-batch of input units (`batch.process_task`),
    the Python API (`pipeline.api.process`) on its records."""
    from pipeline.tables import to_arrow
    from pipeline.validate import validate_tables

    tables, rejects, seconds = {"articles": articles}, list(rejects), {}
    budget = ArticleBudget(settings.article_time_budget_s or None)
    for stage in ARTICLE_STAGES:
        t0 = time.perf_counter()
        out = stage.apply(tables, progress, budget)
        tables.update(out.tables)
        rejects += out.rejects
        seconds[stage.name] = time.perf_counter() - t0
    tables["rejects"] = to_arrow("rejects", rejects)
    t0 = time.perf_counter()
    result = validate_tables(tables)
    seconds["validate"] = time.perf_counter() - t0
    return result, seconds


def timeline_in_memory(validated: dict[str, pa.Table], settings: Settings) -> ValidationResult:
    """`timeline` and `timeline_links` of validated tables held in memory, validated (their quarantined rows in
    the result's `rejects`): what the export stage derives, without files (`runner.derive_timeline` does the same
    from the written tables, streaming texts and sentences)."""
    from pipeline.timeline import build_timeline
    from pipeline.validate import validate_derived

    articles = validated["articles"]
    built = build_timeline(articles, validated["events"], validated["casualties"], settings)
    return validate_derived(built, articles)
