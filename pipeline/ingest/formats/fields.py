"""The field map: the names scrapers and exports give an article's fields, read as the pipeline's own.

One map for every input (JSON Lines lines, JSON files and arrays, CSV rows, front matter, sidecars, HTML and
XML metadata), held in the settings so a user with other names adds them there (`fields_text`,
`fields_published`, `fields_source`, `fields_title`, `fields_url`). Each lists the other names of a field, tried
in order when the field's own name is absent or empty; names are compared exactly (case matters). A name that
gave a field stays in `extra` as written (nothing the caller wrote is lost), except the text's, which is the text.

- `text`: the first of `text` and `fields_text` holding a non-blank string. None holding one: a `no_text` reject
  that lists the fields the record did have.
- `published`: read by `metadata.parse_published` (ISO, RFC 2822) or else by `published.loose_published`
  (`October 16, 2020`, `19 Oct 2020`, `15/10/2020` with `published_day_first`, epoch seconds and milliseconds);
  the ISO text replaces it, and `published_as_written` in `extra` keeps what `published` said.
- `source`: trafilatura writes the page's address as `source` (and its site under `source-hostname`): a `source`
  that is a web address, in a record without `url`, is the `url`, and `source` comes from the other names.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.ingest.formats.published import PublishedForm, loose_published
from pipeline.ingest.metadata import MetadataProblem, parse_published
from pipeline.settings import Settings

MAPPED = ("published", "source", "title", "url")  # the metadata fields with other names (text aside)
_WEB_ADDRESS = re.compile(r"https?://\S+$", re.I)


class NoText(Exception):
    """A record with no usable text; the message lists what it had."""


def other_names(field: str, settings: Settings) -> tuple[str, ...]:
    return getattr(settings, f"fields_{field}")


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def take_text(record: dict[str, Any], settings: Settings) -> str:
    """Pop the article text from `record` (a mapping of one article's fields); NoText says why there is none.

    A blank string is returned as it is (the article is then `empty`); a value that is no string is `no_text`.
    Text names holding null are dropped from the record too.
    """
    names = ("text", *settings.fields_text)
    for k in names:
        if k in record and record[k] is None:
            del record[k]  # news-please writes `"text": null` beside `maintext`: a name for nothing
    present = [k for k in names if k in record]
    key = next((k for k in present if isinstance(record[k], str) and record[k].strip()), None)
    key = key or next((k for k in present if isinstance(record[k], str)), None)
    if key is not None:
        return record.pop(key)
    if present:
        kinds = ", ".join(f"`{k}` is {_kind(record[k])}" for k in present)
        raise NoText(f"has no text: {kinds}, not a string")
    had = [k for k, v in record.items() if _given(v)]
    fields = ", ".join(had[:20]) + (f" and {len(had) - 20} more" if len(had) > 20 else "")
    raise NoText(
        f"has no text: none of {', '.join(names)} is there"
        + (f"; its fields are {fields}" if had else "; it has no fields with a value")
        + " (other names for the text go in the setting fields_text)"
    )


def _kind(value: Any) -> str:
    return {list: "a list", dict: "an object", bool: "a boolean"}.get(type(value), f"a {type(value).__name__}")


def map_fields(meta: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """`meta` with `published`, `source`, `title` and `url` filled from their other names, and `published`
    as ISO text; raises MetadataProblem("bad_published") naming the key and value of a date it cannot read."""
    meta = dict(meta)
    source = meta.get("source")
    if isinstance(source, str) and _WEB_ADDRESS.match(source.strip()) and not _given(meta.get("url")):
        meta["url"] = meta.pop("source").strip()
    published_key = "published"
    for field in MAPPED:
        if _given(meta.get(field)):
            continue
        name = next((n for n in other_names(field, settings) if _given(meta.get(n))), None)
        if name is not None:
            meta[field] = meta[name]
            published_key = name if field == "published" else published_key
    value = meta.get("published")
    if _given(value):
        try:
            parse_published(value, published_key, settings.published_max_year)
        except MetadataProblem:
            try:
                meta["published"] = loose_published(value, settings.published_day_first)
            except PublishedForm as why:
                raise MetadataProblem("bad_published", f"{published_key} {value!r} is not a date: {why}") from None
            if published_key == "published":
                meta["published_as_written"] = value
    return meta
