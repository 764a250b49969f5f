"""Read one input unit (a text file with optional sidecar, or a JSON Lines batch) into Articles and Rejects."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from pipeline.ingest.build import build_article, reject
from pipeline.ingest.decode import DecodeProblem, decode, looks_binary
from pipeline.ingest.discover import Unit
from pipeline.ingest.formats import DESCRIPTION as FORMATS
from pipeline.ingest.formats.records import record_article
from pipeline.ingest.metadata import MetadataProblem, as_text, load_sidecar, split_front_matter
from pipeline.records import Article, Reject
from pipeline.settings import Settings

_SNIFF_BYTES = 8192


def _too_large(size: int, limit: int, what: str, unit: Unit, setting: str) -> Reject:
    return reject(
        "too_large",
        f"{what} is {size:,} bytes, more than {setting} ({limit:,}); it was not read",
        source_id=unit.rel,
        raw_path=unit.rel,
        bytes=size,
        limit=limit,
    )


def read_text(unit: Unit, settings: Settings) -> Article | Reject:
    """A .txt/.md file: front matter and/or a sidecar for metadata, the rest is the article text."""
    name = unit.rel
    try:
        size = unit.path.stat().st_size
        if size > settings.max_file_bytes:
            return _too_large(size, settings.max_file_bytes, name, unit, "max_file_bytes")
        data = unit.path.read_bytes()
    except OSError as exc:
        return reject("unreadable", f"{name} cannot be read: {exc.strerror or exc}", source_id=name, raw_path=name)
    if not data.strip():
        return reject("empty", f"{name} is empty", source_id=name, raw_path=name, bytes=len(data))
    try:
        decoded = decode(data, settings, name)
        front, body = split_front_matter(decoded.text, name)
    except (DecodeProblem, MetadataProblem) as exc:
        return reject(exc.reason, exc.message, source_id=name, raw_path=name)
    meta: dict[str, Any] = {}
    if unit.sidecar is not None:
        side_name = unit.sidecar.name
        try:
            side_size = unit.sidecar.stat().st_size
            if side_size > settings.max_file_bytes:
                raise MetadataProblem(
                    "bad_sidecar", f"sidecar {side_name} is {side_size:,} bytes, more than max_file_bytes"
                )
            meta.update(load_sidecar(unit.sidecar.read_bytes(), f"sidecar {side_name}"))
        except MetadataProblem as exc:
            return reject(exc.reason, f"{name}: {exc.message}", source_id=name, raw_path=name, sidecar=side_name)
        except OSError as exc:
            return reject(
                "bad_sidecar", f"{name}: sidecar {side_name} cannot be read: {exc.strerror or exc}",
                source_id=name, raw_path=name, sidecar=side_name,
            )  # fmt: skip
    meta.update(front or {})  # front matter wins over the sidecar on a shared key
    return build_article(
        body, meta, default_id=name, raw_path=name, settings=settings, decoded_as=decoded.encoding, what=name
    )


def _lines(fh: BinaryIO, limit: int, first: int = 1) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per physical line; None for a line longer than `limit`, skipped without keeping it."""
    number = first - 1
    while True:
        line = fh.readline(limit + 3)
        if not line:
            return
        number += 1
        if len(line.rstrip(b"\r\n")) > limit:
            while line and not line.endswith(b"\n"):
                line = fh.readline(1 << 16)
            yield number, None
        else:
            yield number, line


def _batch_line(raw: bytes, number: int, unit: Unit, settings: Settings) -> Article | Reject:
    what = f"line {number} of {unit.rel}"
    default_id = f"{unit.rel}:{number}"
    try:
        decoded = decode(raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw, settings, what)
    except DecodeProblem as exc:
        return reject(exc.reason, exc.message, source_id=default_id, raw_path=unit.rel, line=number)
    try:
        record = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        return reject(
            "bad_json", f"{what} is not valid JSON: {exc.msg} at column {exc.colno}",
            source_id=default_id, raw_path=unit.rel, line=number,
        )  # fmt: skip
    if not isinstance(record, dict):
        kind = "an array" if isinstance(record, list) else type(record).__name__
        return reject(
            "bad_json", f"{what} is {kind}, not a JSON object", source_id=default_id, raw_path=unit.rel, line=number
        )
    return record_article(  # the field map finds the text (news-please's `maintext`, ...): pipeline/ingest/formats
        record, default_id=default_id, raw_path=unit.rel, what=what, settings=settings, decoded_as=decoded.encoding,
        line=number,
    )  # fmt: skip


@dataclass(frozen=True)
class LineSpan:
    """A slice of a JSON Lines file: bytes [start, end) that begin at line number `first_line`."""

    start: int
    end: int
    first_line: int


def read_batch(unit: Unit, settings: Settings, span: LineSpan | None = None) -> Iterator[Article | Reject]:
    """A .jsonl file (or one slice of it), line by line: one Article or Reject per non-blank line.

    File-level checks (size, encoding, binary, no lines at all) belong to the slice that starts the file.
    """
    name = unit.rel
    first = span is None or span.start == 0
    whole = span is None
    try:
        size = unit.path.stat().st_size
        if first and size > settings.max_batch_file_bytes:
            yield _too_large(size, settings.max_batch_file_bytes, name, unit, "max_batch_file_bytes")
            return
        with open(unit.path, "rb") as fh:
            if first:
                head = fh.read(_SNIFF_BYTES)
                if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                    yield reject("bad_encoding", f"{name}: JSON Lines files must be UTF-8", source_id=name, raw_path=name)
                    return
                if looks_binary(head, settings):
                    message = f"{name} looks like a binary file, not JSON Lines"
                    yield reject("binary", message, source_id=name, raw_path=name)
                    return
            if span is None:
                fh.seek(0)
                source: BinaryIO = fh
                first_line = 1
            else:  # a slice is a few MB: read it whole, then split it into lines
                fh.seek(span.start)
                source = io.BytesIO(fh.read(span.end - span.start))
                first_line = span.first_line
            seen_line = False
            for number, raw in _lines(source, settings.max_file_bytes, first_line):
                if raw is None:
                    seen_line = True
                    yield reject(
                        "too_large",
                        f"line {number} of {name} is longer than max_file_bytes ({settings.max_file_bytes:,})",
                        source_id=f"{name}:{number}", raw_path=name, line=number,
                    )  # fmt: skip
                    continue
                if not raw.strip():
                    continue  # blank lines separate nothing and are not articles
                seen_line = True
                try:
                    yield _batch_line(raw, number, unit, settings)
                except Exception as exc:  # a bug must cost one line, not the batch
                    yield internal_error(exc, f"line {number} of {name}", f"{name}:{number}", name)
    except OSError as exc:
        yield reject("unreadable", f"{name} cannot be read: {exc.strerror or exc}", source_id=name, raw_path=name)
        return
    if whole and not seen_line:
        yield reject("empty", f"{name} holds no JSON lines", source_id=name, raw_path=name, bytes=size)


def internal_error(exc: Exception, what: str, source_id: str, raw_path: str) -> Reject:
    return reject(
        "ingest_error", f"{what} could not be ingested because of an internal error ({type(exc).__name__}: {exc})",
        source_id=source_id, raw_path=raw_path, error=type(exc).__name__,
    )  # fmt: skip


def read_unsupported(unit: Unit) -> Reject:
    hint = (
        " and no .txt/.md file of the same name sits beside it, so it is not a sidecar"
        if unit.path.suffix.lower() == ".json"
        else ""
    )
    return reject(
        "unsupported",
        f"{unit.rel} is not an input format ({FORMATS}){hint}; "
        "prefix its name with _ to keep notes beside the data",
        source_id=unit.rel,
        raw_path=unit.rel,
    )
