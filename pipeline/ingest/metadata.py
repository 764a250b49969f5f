"""Article metadata: YAML front matter, JSON sidecars and JSON Lines keys, normalised to one shape."""

from __future__ import annotations

import email.utils
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

KNOWN_KEYS = ("id", "published", "source", "url", "title", "language", "timezone")
# When `published` is absent, the first of these gives the article's date (annotated corpora and feeds
# call it so); the key itself stays in `extra`, so nothing the caller wrote is lost.
PUBLISHED_ALIASES = ("reference_date", "published_at", "publication_date", "pub_date", "date", "dct")
DEFAULT_LANGUAGE = "en"


class MetadataProblem(Exception):
    """Metadata that cannot be used; `reason` is the reject code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class _PlainLoader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: `published: 2020-10-27` stays the string as written."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_OPEN = re.compile(r"---[ \t]*(\r\n|\n|\r)")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\n|\r|$)", re.M)
_BLANK_LINE = re.compile(r"\r\n|\n|\r")


def split_front_matter(text: str, what: str) -> tuple[dict[str, Any] | None, str]:
    """(front matter mapping or None when there is none, body). The body is everything after the closing
    `---` line, minus one blank line right after it (the usual separator); everything else is kept as is."""
    opened = _OPEN.match(text)
    if not opened:
        return None, text
    closed = _CLOSE.search(text, opened.end())
    if not closed:
        raise MetadataProblem(
            "bad_front_matter", f"{what}: the front matter opened on line 1 is never closed by a '---' line"
        )
    block = text[opened.end() : closed.start()]
    try:
        data = yaml.load(block, Loader=_PlainLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        message = f"{what}: the front matter is not valid YAML: {_yaml_error(exc)}"
        raise MetadataProblem("bad_front_matter", message) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MetadataProblem(
            "bad_front_matter",
            f"{what}: the front matter must be a mapping of keys to values, not a {type(data).__name__}",
        )
    body = text[closed.end() :]
    blank = _BLANK_LINE.match(body)
    return {str(k): v for k, v in data.items()}, body[blank.end() :] if blank else body


def _yaml_error(exc: yaml.YAMLError) -> str:
    """PyYAML's context and problem with file line numbers (the block starts on line 2)."""
    parts = []
    for text, mark in ((getattr(exc, "context", None), getattr(exc, "context_mark", None)),
                       (getattr(exc, "problem", None), getattr(exc, "problem_mark", None))):  # fmt: skip
        if text:
            parts.append(text + (f" (line {mark.line + 2})" if mark is not None else ""))
    return ": ".join(parts) or str(exc).splitlines()[0]


def load_sidecar(raw: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise MetadataProblem("bad_sidecar", f"{what} is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise MetadataProblem(
            "bad_sidecar", f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise MetadataProblem("bad_sidecar", f"{what} must hold a JSON object, not {_json_kind(data)}")
    return data


def _json_kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


@dataclass(frozen=True)
class Metadata:
    id: str | None
    published: str | None  # normalised ISO
    published_date: date | None  # the date as written (local to the publisher)
    source: str | None
    url: str | None
    title: str | None
    language: str
    timezone: str | None
    extra: dict[str, Any]


def parse_published(value: Any, key: str = "published") -> tuple[str | None, date | None]:
    """(ISO text, local date) of a `published` value; ISO dates/datetimes, or RFC 2822 as feeds write them."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        return value.isoformat(), value.date()
    if isinstance(value, date):
        return value.isoformat(), value
    if not isinstance(value, str):
        raise MetadataProblem("bad_published", f"{key} is {_json_kind(value)} ({value!r}), not a date")
    text = value.strip()
    try:
        if len(text) <= 10:
            day = date.fromisoformat(text)
            return day.isoformat(), day
        moment = datetime.fromisoformat(text)
        return moment.isoformat(), moment.date()
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is not None:
        return moment.isoformat(), moment.date()
    raise MetadataProblem(
        "bad_published",
        f"{key} {value!r} is not a date "
        "(expected an ISO date like 2020-10-27 or a datetime like 2020-10-27T14:05:00+03:30)",
    )


def as_text(value: Any) -> str | None:
    """A metadata value as text: strings as given, other JSON values as their JSON text (`42`, `true`)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def normalise(meta: dict[str, Any]) -> Metadata:
    """Known keys to typed fields, everything else kept in `extra`; raises MetadataProblem("bad_published")."""
    key = next(
        (k for k in ("published", *PUBLISHED_ALIASES) if meta.get(k) is not None and meta.get(k) != ""), "published"
    )
    published, published_date = parse_published(meta.get(key), key)
    extra = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
    return Metadata(
        id=as_text(meta.get("id")),
        published=published,
        published_date=published_date,
        source=as_text(meta.get("source")),
        url=as_text(meta.get("url")),
        title=as_text(meta.get("title")),
        language=as_text(meta.get("language")) or DEFAULT_LANGUAGE,
        timezone=as_text(meta.get("timezone")),
        extra=extra,
    )


def extra_json(extra: dict[str, Any]) -> str:
    return json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str)
