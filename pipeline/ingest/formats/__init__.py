"""The input formats beyond text files and JSON Lines (issue 11), one module each, registered here.

| name ends with | kind | module |
|---|---|---|
| `.json` (no text file of the same name beside it) | `json` | `jsonfile`: one article (news-please, trafilatura JSON), or an array of articles |
| `.jsonl.gz`, `.ndjson.gz` | `jsonl_gz` | `gzipped`: JSON Lines, gzip-compressed, streamed |
| `.csv`, `.tsv` | `csv`, `tsv` | `delimited`: a header row, then one article per row |
| `.xml` | `xml` | `trafilatura_xml`: trafilatura's XML output (`<doc>` with `<main>`) |
| `.html`, `.htm` | `html` | `htmlpage`: a saved web page, main text extracted by trafilatura |

`.ndjson` is JSON Lines (`pipeline.ingest.discover.BATCH_SUFFIXES`). Every record goes through the one field map
(`fields`) and the one article builder (`pipeline.ingest.build`), so a format only says where records are.
Readers are imported when a unit of their kind is read (the page extractor is heavy).
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.ingest.discover import Unit
    from pipeline.records import Article, Reject
    from pipeline.settings import Settings

# (name ending, unit kind), longest endings first
SUFFIXES = (
    (".jsonl.gz", "jsonl_gz"),
    (".ndjson.gz", "jsonl_gz"),
    (".json", "json"),
    (".csv", "csv"),
    (".tsv", "tsv"),
    (".xml", "xml"),
    (".html", "html"),
    (".htm", "html"),
)
READERS = {  # kind -> (module, function)
    "json": ("jsonfile", "read_json"),
    "jsonl_gz": ("gzipped", "read_jsonl_gz"),
    "csv": ("delimited", "read_delimited"),
    "tsv": ("delimited", "read_delimited"),
    "xml": ("trafilatura_xml", "read_xml"),
    "html": ("htmlpage", "read_html"),
}
DESCRIPTION = ".txt/.md with front matter or a sidecar, .jsonl/.ndjson(.gz), .json, .csv/.tsv, .xml or .html"


def kind_of(name: str) -> str | None:
    """The unit kind of a file name (case does not matter), or None when it is none of these formats."""
    lower = name.lower()
    return next((kind for ending, kind in SUFFIXES if lower.endswith(ending)), None)


def read_format(unit: Unit, settings: Settings) -> Iterator[Article | Reject]:
    module, function = READERS[unit.kind]
    return getattr(import_module(f"{__name__}.{module}"), function)(unit, settings)
