"""One article body + its metadata -> an Article, or a Reject saying why not."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pipeline.ingest.dateline import parse_dateline
from pipeline.ingest.metadata import MetadataProblem, as_text, canonical, extra_json, has_surrogate, normalise
from pipeline.ingest.formats.fields import map_fields
from pipeline.ingest.language import language_of
from pipeline.records import Article, Reject
from pipeline.settings import Settings

STAGE = "ingest"


def article_id_for(text: str) -> str:
    """Content key: the same story with other whitespace, case or metadata is the same article."""
    folded = " ".join(text.casefold().split())
    return "a" + hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


def reject(
    reason: str,
    message: str,
    *,
    source_id: str | None,
    raw_path: str | None,
    article_id: str | None = None,
    **detail: Any,
) -> Reject:
    """An ingest reject; `detail` (JSON) holds the keyword arguments, plus `article_id` when it is known."""
    return Reject(
        stage=STAGE,
        reason=reason,
        message=message,
        source_id=source_id,
        raw_path=raw_path,
        article_id=article_id,
        detail=json.dumps(
            {**detail, "article_id": article_id} if article_id else detail,
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        ),
    )


def duplicate(source_id: str, raw_path: str, article_id: str, first: tuple[str, str]) -> Reject:
    """A later copy of a story already accepted: names the first copy (its source id and raw path)."""
    first_source_id, first_raw_path = first
    return reject(
        "duplicate",
        f"{source_id} ({raw_path}) is a copy of {first_source_id} ({first_raw_path}), already ingested",
        source_id=source_id,
        raw_path=raw_path,
        article_id=article_id,
        first_source_id=first_source_id,
        first_raw_path=first_raw_path,
    )


def build_article(
    body: str,
    meta: dict[str, Any],
    *,
    default_id: str,
    raw_path: str,
    settings: Settings,
    decoded_as: str | None = None,
    what: str,
) -> Article | Reject:
    """`what` names the input in messages ("story.txt", "line 3 of batch.jsonl"). Metadata values are made
    `canonical` first (so a lone surrogate in one is kept escaped); a body holding one is `bad_encoding`."""
    meta = canonical(meta)
    source_id = as_text(meta.get("id")) or default_id
    if has_surrogate(body):
        return reject(
            "bad_encoding",
            f"{what}: its text holds a lone surrogate (an unpaired \\uD800-\\uDFFF escape), which is not Unicode text",
            source_id=source_id,
            raw_path=raw_path,
        )
    stripped = body.strip()
    if not stripped or len(stripped) < settings.min_text_chars:
        return reject(
            "empty",
            f"{what} has no article text" + (f" (fewer than {settings.min_text_chars} characters)" if stripped else ""),
            source_id=source_id,
            raw_path=raw_path,
        )
    article_id = article_id_for(body)
    language = language_of(body, meta.get("language"), settings)
    if language.problem is not None:
        return reject(
            "unsupported_language", f"{what} {language.problem}", source_id=source_id, raw_path=raw_path,
            article_id=article_id, **language.detail,
        )  # fmt: skip
    try:
        md = normalise(map_fields(meta, settings), settings.published_max_year)
    except MetadataProblem as exc:
        return reject(
            exc.reason, f"{what}: {exc.message}", source_id=source_id, raw_path=raw_path, article_id=article_id,
            published=meta.get("published"),
        )  # fmt: skip
    dateline = parse_dateline(body, md.published_date)
    if dateline.date is not None:
        reference, basis = dateline.date, "dateline"
    elif md.published_date is not None:
        reference, basis = md.published_date, "metadata"
    else:
        why = f"its dateline {dateline.text!r} has no date" if dateline.text else "it has no dateline"
        return reject(
            "no_reference_date",
            f"{what} has no reference date: no `published` date in its metadata, and {why}",
            source_id=source_id,
            raw_path=raw_path,
            article_id=article_id,
            dateline_text=dateline.text,
        )
    extra = dict(md.extra) | language.extra
    if decoded_as:
        extra["decoded_as"] = decoded_as
    return Article(
        article_id=article_id,
        source_id=source_id,
        text=body,
        reference_date=reference,
        reference_basis=basis,
        source=md.source,
        url=md.url,
        title=md.title,
        published=md.published,
        published_date=md.published_date,
        dateline_text=dateline.text,
        dateline_place=dateline.place,
        dateline_agency=dateline.agency,
        dateline_date=dateline.date,
        language=language.code,
        timezone=md.timezone,
        raw_path=raw_path,
        content_sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        extra=extra_json(extra),
    )
