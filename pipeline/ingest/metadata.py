"""Article metadata: YAML front matter, JSON sidecars and JSON Lines keys, normalised to one shape.

Whatever the input holds, metadata leaves here as plain JSON values (`canonical`): sets sorted, NaN and Infinity
as strings, bytes as base64, dates as ISO text, lone surrogates escaped, so `extra` is the same bytes under
any hash seed. YAML aliases are expanded on paper before anything is built: front matter whose aliases would
expand past the size limit ("billion laughs") or refer to themselves is `bad_front_matter`.
"""

from __future__ import annotations

import base64
import email.utils
import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

from pipeline.settings import Settings

KNOWN_KEYS = ("id", "published", "source", "url", "title", "language", "timezone")
# When `published` is absent, the first of these gives the article's date (annotated corpora and feeds
# call it so); the key itself stays in `extra`, so nothing the caller wrote is lost.
PUBLISHED_ALIASES = ("reference_date", "published_at", "publication_date", "pub_date", "date", "dct")
DEFAULT_LANGUAGE = "en"
MIN_PUBLISHED_YEAR = 1800  # the latest plausible year is a setting (published_max_year)
DEFAULT_MAX_EXPANDED = Settings.max_file_bytes  # front matter characters with aliases expanded (a run passes its own)


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

# libyaml's parser (PyYAML's C binding) reads front matter about ten times faster than the pure-Python one, and
# every text file with front matter pays for it. It only parses: the same Python resolver (timestamps off, as
# above) tags the scalars and the same safe constructor builds the values, after the same alias bound on the
# node graph. Front matter it refuses, for any reason, is read again by the pure-Python loader, so an error
# message (and what is an error) stays exactly the pure-Python one. None when PyYAML was built without libyaml.
_CPlainLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CPlainLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """`_PlainLoader` with libyaml's parser."""

    _CPlainLoader.yaml_implicit_resolvers = _PlainLoader.yaml_implicit_resolvers

_OPEN = re.compile(r"---[ \t]*(\r\n|\n|\r)")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\n|\r|$)", re.M)
_BLANK_LINE = re.compile(r"\r\n|\n|\r")


def _expanded_size(node: yaml.Node, limit: int, sizes: dict[int, int], open_: set[int]) -> int:
    """Characters (plus one per node) of `node` with every alias copied out; stops as soon as `limit` is passed.

    Memoised on node identity, so it is linear in the YAML however many times an anchor is reused.
    """
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise MetadataProblem("bad_front_matter", "the front matter has an alias that refers to itself")
    open_.add(key)
    if isinstance(node, yaml.ScalarNode):
        size = 1 + len(node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, limit, sizes, open_) for child in node.value)
    else:
        size = 1 + sum(
            _expanded_size(k, limit, sizes, open_) + _expanded_size(v, limit, sizes, open_) for k, v in node.value
        )
    open_.discard(key)
    if size > limit:
        raise MetadataProblem(
            "bad_front_matter",
            f"the front matter expands to more than {limit:,} characters through its aliases (*name)",
        )
    sizes[key] = size
    return size


def _load_bounded(block: str, limit: int) -> Any:
    """yaml.load with a bound on the expanded size, checked on the node graph before any value is built.

    libyaml parses when it can; whatever goes wrong there (bad YAML, a bound passed) is done again by the
    pure-Python loader, whose result or error is the one given."""
    if _CPlainLoader is not None and _libyaml_agrees(block):
        try:
            return _load_with(_CPlainLoader, block, limit)
        except Exception:  # noqa: BLE001 - redone below, so the error raised is the pure-Python loader's
            pass
    return _load_with(_PlainLoader, block, limit)


# Where the two parsers part ways (found by reading the same random blocks with both): libyaml takes tabs as
# separators, a byte-order mark inside the text and the Unicode line breaks (NEL, LS, PS) where the pure-Python
# scanner refuses them or reads them otherwise, and block scalars (`|`, `>`) with a comment right after the
# indicator. Front matter holding any of these characters goes to the pure-Python loader alone.
_LIBYAML_DIFFERS = re.compile("[\t\ufeff\x85\u2028\u2029|>]")


def _libyaml_agrees(block: str) -> bool:
    return _LIBYAML_DIFFERS.search(block) is None


def _load_with(loader_class: type, block: str, limit: int) -> Any:
    loader = loader_class(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, limit, {}, set())
        return loader.construct_document(node)
    finally:
        loader.dispose()


def split_front_matter(
    text: str, what: str, max_expanded: int = DEFAULT_MAX_EXPANDED
) -> tuple[dict[str, Any] | None, str]:
    """(front matter mapping or None when there is none, body). The body is everything after the closing
    `---` line, minus one blank line right after it (the usual separator); everything else is kept as is.
    Front matter larger than `max_expanded` characters once its aliases are expanded is refused."""
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
        data = _load_bounded(block, max_expanded)
    except yaml.YAMLError as exc:
        message = f"{what}: the front matter is not valid YAML: {_yaml_error(exc)}"
        raise MetadataProblem("bad_front_matter", message) from None
    except MetadataProblem as exc:
        raise MetadataProblem(exc.reason, f"{what}: {exc.message}") from None
    except RecursionError:
        raise MetadataProblem("bad_front_matter", f"{what}: the front matter is nested too deeply") from None
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


# The year of an RFC 2822 date: after the month name, and after the day when the day follows the month.
_RFC_YEAR = re.compile(
    r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?:\d{1,2},?\s+)?(\d+)\b(?!:)"
)


def _plausible(iso: str, day: date, value: Any, key: str, max_year: int) -> tuple[str, date]:
    if not MIN_PUBLISHED_YEAR <= day.year <= max_year:
        raise MetadataProblem(
            "bad_published",
            f"{key} {value!r} is in the year {day.year}, outside the plausible years "
            f"{MIN_PUBLISHED_YEAR}-{max_year} (setting published_max_year)",
        )
    return iso, day


def parse_published(
    value: Any, key: str = "published", max_year: int = Settings.published_max_year
) -> tuple[str | None, date | None]:
    """(ISO text, local date) of a `published` value; ISO dates/datetimes, or RFC 2822 as feeds write them.

    A year before MIN_PUBLISHED_YEAR or after `max_year`, or an RFC 2822 year not written with four digits
    (which the email module would silently put in 19xx or 20xx), is `bad_published`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        return _plausible(value.isoformat(), value.date(), value, key, max_year)
    if isinstance(value, date):
        return _plausible(value.isoformat(), value, value, key, max_year)
    if not isinstance(value, str):
        raise MetadataProblem("bad_published", f"{key} is {_json_kind(value)} ({value!r}), not a date")
    text = value.strip()
    try:
        if len(text) <= 10:
            day = date.fromisoformat(text)
            return _plausible(day.isoformat(), day, value, key, max_year)
        moment = datetime.fromisoformat(text)
        return _plausible(moment.isoformat(), moment.date(), value, key, max_year)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        moment = None
    if moment is not None:
        written = _RFC_YEAR.search(text)
        if written is not None and (len(written.group(1)) != 4 or int(written.group(1)) < MIN_PUBLISHED_YEAR):
            raise MetadataProblem(
                "bad_published",
                f"{key} {value!r} has the year {written.group(1)!r}, which is not a full four-digit year "
                f"from {MIN_PUBLISHED_YEAR} on",
            )
        return _plausible(moment.isoformat(), moment.date(), value, key, max_year)
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


def normalise(meta: dict[str, Any], max_year: int = Settings.published_max_year) -> Metadata:
    """Known keys to typed fields, everything else kept in `extra`; raises MetadataProblem("bad_published").
    `meta` is expected to be `canonical` already (build_article makes it so)."""
    key = next(
        (k for k in ("published", *PUBLISHED_ALIASES) if meta.get(k) is not None and meta.get(k) != ""), "published"
    )
    published, published_date = parse_published(meta.get(key), key, max_year)
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


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    """True when `text` holds a lone surrogate, the one thing a Python str can hold that UTF-8 cannot encode."""
    return _SURROGATE.search(text) is not None


def escape_surrogates(text: str) -> str:
    """`text` with each lone surrogate written as its escape (`\\ud800`), so it encodes."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _non_finite(value: float) -> str:
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


def canonical(value: Any) -> Any:
    """Metadata as plain JSON values whose text does not depend on the hash seed: sets become sorted lists,
    NaN/Infinity the strings "NaN"/"Infinity"/"-Infinity", bytes base64 text, dates ISO text, mapping keys
    text; lone surrogates are escaped. Anything else becomes its `str`."""
    if isinstance(value, str):
        return escape_surrogates(value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _non_finite(value)
    if isinstance(value, dict):
        return {_key(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=_sort_key)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return escape_surrogates(str(value))


def _key(key: Any) -> str:
    value = canonical(key)
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)


def extra_json(extra: dict[str, Any]) -> str:
    return json.dumps(canonical(extra), sort_keys=True, ensure_ascii=False, allow_nan=False)
