"""Tiny hand-made table rows for stage tests."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pyarrow as pa

from pipeline.tables import to_arrow

TEXT = "KABUL – Two soldiers were killed on Monday in Herat."
MON = (TEXT.index("Monday"), TEXT.index("Monday") + len("Monday"))
KILLED = (TEXT.index("killed"), TEXT.index("killed") + len("killed"))
FIGURE = (TEXT.index("Two"), KILLED[1])


def article(article_id: str = "a1", text: str = TEXT, **kw: Any) -> dict[str, Any]:
    row = {
        "article_id": article_id, "source_id": f"src-{article_id}", "source": "Test Wire", "url": None,
        "title": None, "published": "2021-03-02", "published_date": date(2021, 3, 2),
        "reference_date": date(2021, 3, 2), "reference_basis": "metadata", "dateline_text": "KABUL –",
        "dateline_place": "KABUL", "dateline_agency": None, "dateline_date": None, "language": "en",
        "timezone": None, "n_chars": len(text), "raw_path": f"{article_id}.txt",
        "content_sha256": hashlib.sha256(text.encode()).hexdigest(), "extra": "{}", "text": text,
    }  # fmt: skip
    row.update(kw)
    return row


def mention(article_id: str = "a1", start: int = MON[0], end: int = MON[1], **kw: Any) -> dict[str, Any]:
    row = {
        "mention_id": f"{article_id}-t{start}-{end}", "article_id": article_id, "char_start": start,
        "char_end": end, "text": TEXT[start:end], "timex_type": "DATE", "value": "2021-03-01", "mod": None,
        "date_start": date(2021, 3, 1), "date_end": date(2021, 3, 1), "precision": "day",
        "anchor": "reference", "rule_id": "weekday",
    }  # fmt: skip
    row.update(kw)
    return row


def event(article_id: str = "a1", **kw: Any) -> dict[str, Any]:
    row = {
        "event_id": f"{article_id}-e{KILLED[0]}-{KILLED[1]}", "article_id": article_id, "char_start": KILLED[0], "char_end": KILLED[1],
        "sentence": TEXT, "trigger": "killed", "event_type": "attack", "plover_type": "ASSAULT", "actor": None,
        "location": "Herat", "country_code": "AF", "latitude": 34.35, "longitude": 62.2,
        "date_start": date(2021, 3, 1), "date_end": date(2021, 3, 1), "date_precision": "day",
        "date_basis": "sentence", "mention_id": f"{article_id}-t{MON[0]}-{MON[1]}", "rule_id": "trigger:killed",
    }  # fmt: skip
    row.update(kw)
    return row


def casualty(article_id: str = "a1", **kw: Any) -> dict[str, Any]:
    row = {
        "casualty_id": f"{article_id}-c{FIGURE[0]}-{FIGURE[1]}", "event_id": f"{article_id}-e{KILLED[0]}-{KILLED[1]}",
        "article_id": article_id, "char_start": FIGURE[0], "char_end": FIGURE[1], "text": TEXT[FIGURE[0]:FIGURE[1]], "category": "killed", "low": 2, "best": 2,
        "high": 2, "qualifier": "exact", "victims": "soldiers", "cumulative": False,
        "date_start": date(2021, 3, 1), "date_end": date(2021, 3, 1), "date_precision": "day", "date_basis": "sentence",
        "location": "Herat", "country_code": "AF", "rule_id": "count",
    }  # fmt: skip
    row.update(kw)
    return row


def tables(**rows: list[dict[str, Any]]) -> dict[str, pa.Table]:
    defaults = {
        "articles": [article()],
        "mentions": [mention()],
        "events": [event()],
        "casualties": [casualty()],
        "rejects": [],
    }
    defaults.update(rows)
    return {name: to_arrow(name, r) for name, r in defaults.items()}
