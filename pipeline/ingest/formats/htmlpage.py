"""A saved web page (`.html`, `.htm`): its main text, extracted by trafilatura, with its title, date, URL and site.

trafilatura (pinned in pyproject.toml) is the reference open-source extractor of a page's main text and
metadata; it and its date finder (htmldate) ship their data, so nothing is fetched. It runs with its balanced
defaults (fallback extractors on), reader comments left out, and the date search limited to the page's metadata
(meta tags, JSON-LD, `<time>`, the URL) between `FIRST_DAY` and `LAST_DAY`, so the clock is never read.

- **Text**: the extracted main text, paragraphs one per line, as the article's `text` (offsets point into it),
  minus a first line that repeats the title. Fewer than `MIN_WORDS` words is no main text: `no_text`.
- **Metadata**: `title`, `url` (canonical link or `og:url`), `hostname`, `sitename`, `date`, `author`,
  `description`, `categories`, `tags` and the `<html lang>` value, read through the field map like any record
  (so `source` is the host name, `published` the date). `extra` also holds `file_sha256`, the hash of the page
  as saved (`content_sha256` is the hash of the text), and `extracted_with`.
- **Encoding**: a byte-order mark, else the page's declared charset (`pipeline.ingest.formats.declared`: a
  declaration the bytes contradict is `bad_encoding`), else the project's rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pipeline.ingest.build import reject
from pipeline.ingest.discover import Unit
from pipeline.ingest.formats.declared import EncodingLie, decode_declared, declared_label, has_bom
from pipeline.ingest.formats.files import as_text, read_whole, sha256
from pipeline.ingest.formats.records import record_article
from pipeline.records import Article, Reject
from pipeline.settings import Settings

FIRST_DAY, LAST_DAY = "1800-01-01", "2100-12-31"
MIN_WORDS = 8
_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)", re.I)
METADATA = ("title", "url", "hostname", "sitename", "date", "author", "description", "categories", "tags")


@lru_cache(maxsize=1)
def extractor() -> str:
    import trafilatura

    return f"trafilatura {trafilatura.__version__}"


@lru_cache(maxsize=1)
def _options() -> Any:
    """trafilatura's options for `extract`, built once: `bare_extraction` builds the same `Extractor` from its
    keyword arguments on every call (reading its config file's settings each time) and only reads it."""
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python", with_metadata=True, comments=False, dedup=False,
        date_params={"original_date": True, "extensive_search": False, "min_date": FIRST_DAY, "max_date": LAST_DAY},
    )  # fmt: skip


def extract(page: str) -> dict[str, Any] | None:
    """trafilatura's main text and metadata of one page (None when it finds no text)."""
    import trafilatura

    doc = trafilatura.bare_extraction(page, options=_options())
    if doc is None or not doc.text:
        return None
    found = {k: getattr(doc, k) for k in METADATA}
    found["text"] = doc.text
    return found


def without_title(text: str, title: str | None) -> str:
    """The text without a first line that only repeats the title (trafilatura keeps the page's <h1>)."""
    text = text.strip()
    first, newline, rest = text.partition("\n")
    if title and newline and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.lstrip("\n")
    return text


def record_of(found: dict[str, Any], title: str | None = None) -> dict[str, Any]:
    """A page's (or trafilatura XML document's) fields as a record for the field map; empty values left out."""
    record: dict[str, Any] = {}
    for key, value in found.items():
        if isinstance(value, list):
            value = [v for v in value if v] or None
        if value not in (None, ""):
            record[key] = value
    record["text"] = without_title(found["text"], title if title is not None else found.get("title"))
    return record


def read_html(unit: Unit, settings: Settings) -> Iterator[Article | Reject]:
    name = unit.rel
    data = read_whole(unit, settings.max_page_bytes, "max_page_bytes")
    if isinstance(data, Reject):
        yield data
        return
    label = None if has_bom(data) else declared_label(data, html=True)
    decoded_as = None
    if label is not None:
        try:
            page = decode_declared(data, label)
        except EncodingLie as exc:
            yield reject("bad_encoding", f"{name} {exc}", source_id=name, raw_path=name, declared=label)
            return
    else:
        text = as_text(data, unit, settings)
        if isinstance(text, Reject):
            yield text
            return
        page, decoded_as = text
    found = extract(page)
    words = len(found["text"].split()) if found else 0
    if found is None or words < MIN_WORDS:
        got = f" (only {words} words: {found['text'][:80]!r})" if found else ""
        yield reject(
            "no_text", f"{name} has no main text: {extractor()} found no article in the page{got}",
            source_id=name, raw_path=name, words=words,
        )  # fmt: skip
        return
    record = record_of(found)
    if lang := _LANG.search(page[:4096]):
        record["language"] = lang.group(1)
    record |= {"file_sha256": sha256(data), "extracted_with": extractor()}
    yield record_article(record, default_id=name, raw_path=name, what=name, settings=settings, decoded_as=decoded_as)
