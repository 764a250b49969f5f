"""The chain of stages, declared once (`CHAIN`), and the stage functions over tables.

`CHAIN` lists the stages in order with the tables each reads and writes. The whole run
(`batch.process_task`, per input unit), the one-stage commands (`stepwise`) and the command
line's stage commands all walk it. The per-article stages (temporal, extract) take and return
in-memory tables (pyarrow) through the one `apply` signature, so `run` chains them in memory and
the per-stage commands chain them through `data/interim/`. Per article work goes through pure
functions (`temporal_rows`, `extract_rows`); an exception inside one article becomes a reject row
(`stage_error`) and the batch goes on.

Importing this module is cheap (the command line reads the chain to build its help): pyarrow and
the stages themselves are imported when a stage runs.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.records import Article, Casualty, Event, Mention, Reject
from pipeline.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

ARTICLE_COLUMNS = (
    "article_id", "source_id", "source", "url", "title", "published", "published_date", "reference_date",
    "reference_basis", "dateline_text", "dateline_place", "dateline_agency", "dateline_date", "language",
    "timezone", "raw_path", "content_sha256", "extra", "text",
)  # fmt: skip
MENTION_FIELDS = tuple(f.name for f in fields(Mention))


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


# ---------------------------------------------------------------- ingest
def ingest_stage(input_path: Path, settings: Settings) -> StageOutput:
    from pipeline.ingest import ingest
    from pipeline.tables import to_arrow

    articles, rejects = [], []
    for item in ingest(input_path, settings):
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
        row.update(asdict(m))
        rows.append(row)
    return rows


def temporal_stage(articles: pa.Table, progress: Iterable | None = None) -> StageOutput:
    from pipeline.tables import to_arrow

    rows, rejects = [], []
    for a in _iter_articles(articles, progress):
        try:
            rows.extend(temporal_rows(a["article_id"], a["text"], a["reference_date"]))
        except Exception as exc:  # one bad article never stops the batch
            rejects.append(_stage_error("temporal", a["article_id"], a["source_id"], a["raw_path"], exc))
    return StageOutput({"mentions": to_arrow("mentions", rows)}, rejects, {"mentions": len(rows)})


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
        row.update({k: v for k, v in asdict(ev).items() if k != "mention_index"})
        row["mention_id"] = mention_rows[ev.mention_index]["mention_id"] if ev.mention_index is not None else None
        events.append(row)
    casualties = []
    for cid, c in zip(casualty_ids, result.casualties):
        row = {"casualty_id": cid, "article_id": article_id}
        row.update({k: v for k, v in asdict(c).items() if k != "event_index"})
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


def extract_stage(articles: pa.Table, mentions: pa.Table, progress: Iterable | None = None) -> StageOutput:
    from pipeline.tables import to_arrow

    by_article: dict[str, list[dict[str, Any]]] = {}
    for row in mentions.to_pylist():
        by_article.setdefault(row["article_id"], []).append(row)
    events, casualties, rejects = [], [], []
    for a in _iter_articles(articles, progress):
        try:
            ev, ca = extract_rows(
                a["article_id"], a["text"], a["reference_date"], a["dateline_place"], by_article.get(a["article_id"], [])
            )
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
    # The per-article stages: tables in, new tables and rejects out, the same call in `run` and alone.
    apply: Callable[[dict[str, pa.Table], Progress | None], StageOutput] | None = None
    done: str = ""  # what `apply` reports, from its stats (and `articles`, the rows it read)


def _temporal(tables: dict[str, pa.Table], progress: Progress | None = None) -> StageOutput:
    return temporal_stage(tables["articles"], progress)


def _extract(tables: dict[str, pa.Table], progress: Progress | None = None) -> StageOutput:
    return extract_stage(tables["articles"], tables["mentions"], progress)


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
