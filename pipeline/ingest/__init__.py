"""Ingest: raw files in, one Article or Reject per input article out.

Public interface (other stages and the runner depend on exactly this):
    ingest(input_path, settings) -> Iterator[Article | Reject]
    ingest_records(records, settings, name="records") -> Iterator[Article | Reject]   (in-memory records, as JSON Lines)
    parse_dateline(text, published) -> Dateline
    input_files(input_path, settings=None) -> list[Path]   (the regular files read, which the manifest hashes)
    read_unit(unit, settings, span=None) -> Iterator[Article | Reject]   (one unit, no duplicate tracking)
    units(input_path, settings=None) -> list[Unit]   (what read_unit reads, in ingest order)
    RULES_VERSION: the short version of all rule files (pipeline.rulefiles.short_version)
Input formats, ignored files and reject reasons are described in docs/inputs.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pipeline.ingest.build import duplicate
from pipeline.ingest.dateline import Dateline, parse_dateline, rules_version
from pipeline.ingest.discover import Unit, input_files, units
from pipeline.ingest.readers import (
    LineSpan, checked, internal_error, read_batch, read_records, read_text, read_unreadable, read_unsupported,
)  # fmt: skip
from pipeline.ingest.formats import READERS as FORMAT_READERS
from pipeline.ingest.formats import read_format
from pipeline.records import Article, Reject
from pipeline.settings import Settings

RULES_VERSION = rules_version()

__all__ = [
    "Dateline", "RULES_VERSION", "ingest", "ingest_records", "input_files", "parse_dateline", "read_unit", "units",
]  # fmt: skip


def read_unit(unit: Unit, settings: Settings, span: LineSpan | None = None) -> Iterator[Article | Reject]:
    """One input unit (a text file with its sidecar, a JSON Lines batch or a slice of one) without
    duplicate tracking: `ingest` tracks duplicates over a whole input, the batched run at merge time.
    Every item is `checked`: no string that UTF-8 cannot encode leaves."""
    if unit.kind in FORMAT_READERS:  # JSON, CSV/TSV, gzip, XML, HTML: pipeline/ingest/formats
        try:
            yield from map(checked, read_format(unit, settings))
        except Exception as exc:  # a bug must cost one file, not the batch
            yield checked(internal_error(exc, unit.rel, unit.rel, unit.rel))
        return
    try:
        if unit.kind == "batch":  # each line has its own guard; this one catches what happens around them
            yield from map(checked, read_batch(unit, settings, span))
            return
        if unit.kind == "text":
            item = read_text(unit, settings)
        else:
            item = read_unreadable(unit) if unit.kind == "unreadable" else read_unsupported(unit)
        yield checked(item)
    except Exception as exc:  # a bug must cost one file, not the batch
        yield checked(internal_error(exc, unit.rel, unit.rel, unit.rel))


def ingest(input_path: Path, settings: Settings) -> Iterator[Article | Reject]:
    """Every input article under `input_path` (a file or a folder, recursive) as an Article or a Reject.

    Order: files by relative path, JSON Lines in line order. A later copy of an accepted story (same
    `article_id`) is rejected as `duplicate`, naming the first copy. Bad input never raises.
    """
    input_path = Path(input_path)
    if not input_path.exists():
        raise FileNotFoundError(f"input {input_path} does not exist")
    return _first_copies(x for unit in units(input_path, settings) for x in read_unit(unit, settings))


def ingest_records(
    records: Iterable[Mapping[str, Any]], settings: Settings, name: str = "records"
) -> Iterator[Article | Reject]:
    """Articles held in memory (mappings with the keys of a JSON Lines line: `text`, `id`, `published`, ...) as
    Articles and Rejects, as `ingest` reads a JSON Lines file called `name` (see `readers.read_records`)."""
    return _first_copies(read_records(records, settings, name))


def _first_copies(items: Iterable[Article | Reject]) -> Iterator[Article | Reject]:
    """The items, each later copy of an accepted story (same `article_id`) a `duplicate` reject naming the first."""
    first: dict[str, tuple[str, str]] = {}
    for item in items:
        if isinstance(item, Article):
            if item.article_id in first:
                yield duplicate(item.source_id, item.raw_path, item.article_id, first[item.article_id])
                continue
            first[item.article_id] = (item.source_id, item.raw_path)
        yield item
