"""CSV and TSV exports with a header row: one article per row, columns named by the header.

The header names the fields, and the field map reads them (`text` or `maintext`/`body`/`content`/`article`,
`published` or `date`, ...; names are compared exactly). Rows are numbered as a spreadsheet shows them: the
header is row 1, so the first article is row 2 and its default id is `file.csv:2`. An empty cell is no value
(a row whose text cell is empty or missing is `no_text`, naming the fields it had); a row with more cells than
the header, or that the CSV grammar cannot read (a quote never closed), is `bad_csv`; blank rows are skipped.

The file is streamed through Python's `csv` module (strict, so a stray quote is an error, not a silent merge of
rows) with the field size limit raised to `max_file_bytes`. It must be text in one encoding: UTF-8 (with or
without a byte-order mark), UTF-16 with a byte-order mark (Excel's "Unicode text"), or else the first of
`fallback_encodings` that decodes all of it cleanly (checked in one pass before reading), recorded in
`extra.decoded_as`.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator

from pipeline.ingest.build import reject
from pipeline.ingest.decode import looks_binary
from pipeline.ingest.discover import Unit
from pipeline.ingest.formats.records import record_article
from pipeline.ingest.readers import internal_error
from pipeline.records import Article, Reject
from pipeline.settings import Settings

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BLOCK = 1 << 20


def _decodes(path, encoding: str) -> bool:
    """Whether the whole file decodes as `encoding`, with no C1 control characters for a legacy code page."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    legacy = not codecs.lookup(encoding).name.startswith("utf")
    with open(path, "rb") as fh:
        try:
            while block := fh.read(_BLOCK):
                text = decoder.decode(block)
                if legacy and any("\x80" <= ch <= "\x9f" for ch in text):
                    return False
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _encoding(unit: Unit, head: bytes, settings: Settings) -> tuple[str, str | None] | Reject:
    """(codec to read with, what to record as `decoded_as`) or a reject."""
    name = unit.rel
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if _decodes(unit.path, encoding):
                return encoding, None if encoding == "utf-8-sig" else "utf-16"
            return reject("bad_encoding", f"{name} is marked as {encoding.upper()} but is not", source_id=name, raw_path=name)
    if looks_binary(head, settings):
        return reject("binary", f"{name} looks like a binary file, not CSV text", source_id=name, raw_path=name)
    if _decodes(unit.path, "utf-8"):
        return "utf-8", None
    tried = [e for e in settings.fallback_encodings if not codecs.lookup(e).name.startswith(("utf-16", "utf-32"))]
    for encoding in tried:
        if _decodes(unit.path, encoding):
            return encoding, encoding
    also = f" and does not decode cleanly as {' or '.join(tried)}" if tried else ""
    return reject("bad_encoding", f"{name} is not valid UTF-8{also}", source_id=name, raw_path=name)


def _header(cells: list[str]) -> list[str]:
    return [c.strip().lstrip("\ufeff") or f"column_{i}" for i, c in enumerate(cells, start=1)]


def read_delimited(unit: Unit, settings: Settings) -> Iterator[Article | Reject]:
    name = unit.rel
    delimiter = "\t" if unit.kind == "tsv" else ","
    try:
        size = unit.path.stat().st_size
        if size > settings.max_batch_file_bytes:
            yield reject(
                "too_large", f"{name} is {size:,} bytes, more than max_batch_file_bytes ({settings.max_batch_file_bytes:,})",
                source_id=name, raw_path=name, bytes=size,
            )  # fmt: skip
            return
        with open(unit.path, "rb") as fh:
            head = fh.read(8192)
        if not head.strip():
            yield reject("empty", f"{name} is empty", source_id=name, raw_path=name)
            return
        chosen = _encoding(unit, head, settings)
        if isinstance(chosen, Reject):
            yield chosen
            return
        encoding, decoded_as = chosen
        csv.field_size_limit(max(csv.field_size_limit(), settings.max_file_bytes))
        with open(unit.path, encoding=encoding, newline="") as fh:
            yield from _rows(csv.reader(fh, delimiter=delimiter, strict=True), unit, settings, decoded_as)
    except OSError as exc:
        yield reject("unreadable", f"{name} cannot be read: {exc.strerror or exc}", source_id=name, raw_path=name)


def _rows(reader, unit: Unit, settings: Settings, decoded_as: str | None) -> Iterator[Article | Reject]:
    name = unit.rel
    header: list[str] | None = None
    row_number = 0
    seen = False
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_number += 1
            seen = True
            yield reject(
                "bad_csv", f"row {row_number} of {name} cannot be read as CSV ({exc}, at line {reader.line_num})",
                source_id=f"{name}:{row_number}", raw_path=name, row=row_number, line=reader.line_num,
            )  # fmt: skip
            if header is None:
                return
            continue
        row_number += 1
        if not any(c.strip() for c in cells):
            continue  # a blank row is no article (nor a header)
        if header is None:
            header = _header(cells)
            twice = sorted({h for h in header if header.count(h) > 1})
            if twice:
                yield reject(
                    "bad_csv", f"the header of {name} names {', '.join(twice)} more than once", source_id=name,
                    raw_path=name,
                )  # fmt: skip
                return
            continue
        seen = True
        what, default_id = f"row {row_number} of {name}", f"{name}:{row_number}"
        if len(cells) > len(header):
            yield reject(
                "bad_csv", f"{what} has {len(cells)} cells but the header has {len(header)} columns",
                source_id=default_id, raw_path=name, row=row_number,
            )  # fmt: skip
            continue
        record = {h: c for h, c in zip(header, cells) if c != ""}
        try:
            yield record_article(
                record, default_id=default_id, raw_path=name, what=what, settings=settings, decoded_as=decoded_as,
                row=row_number,
            )  # fmt: skip
        except Exception as exc:  # a bug must cost one row, not the file
            yield internal_error(exc, what, default_id, name)
    if header is None or not seen:
        yield reject("empty", f"{name} has a header but no rows" if header else f"{name} has no rows", source_id=name, raw_path=name)
