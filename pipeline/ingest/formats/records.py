"""One record (a mapping of an article's fields: a JSON object, a CSV row, a page's metadata) to an Article."""

from __future__ import annotations

from typing import Any

from pipeline.ingest.build import build_article, reject
from pipeline.ingest.formats.fields import NoText, take_text
from pipeline.ingest.metadata import as_text
from pipeline.records import Article, Reject
from pipeline.settings import Settings


def record_article(
    record: dict[str, Any], /, *, default_id: str, raw_path: str, what: str, settings: Settings,
    decoded_as: str | None = None, **detail: Any,
) -> Article | Reject:  # fmt: skip
    """The text comes from the field map (`text`, then `fields_text`), the rest is metadata. `what` names the
    record in messages ("element 3 of a.json"); `detail` goes into a `no_text` reject (a line or row number)."""
    source_id = as_text(record.get("id")) or default_id
    record = dict(record)
    try:
        text = take_text(record, settings)
    except NoText as exc:
        return reject("no_text", f"{what} {exc}", source_id=source_id, raw_path=raw_path, **detail)
    return build_article(
        text, record, default_id=default_id, raw_path=raw_path, settings=settings, decoded_as=decoded_as, what=what
    )
