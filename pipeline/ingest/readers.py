"""Read one input unit (a text file with optional sidecar, or a JSON Lines batch) into Articles and Rejects.

Files are opened without blocking and checked to be regular files on the open descriptor (a FIFO swapped in
after discovery is refused, not waited on), and never more than the size limit is read from them.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any, BinaryIO, Protocol

from pipeline.ingest.build import build_article, reject
from pipeline.ingest.decode import DecodeProblem, decode, looks_binary
from pipeline.ingest.discover import OUTSIDE, Unit, printable, unreadable_reason
from pipeline.ingest.metadata import (
    MetadataProblem, as_text, escape_surrogates, has_surrogate, load_sidecar, split_front_matter,
)  # fmt: skip
from pipeline.ingest.formats import DESCRIPTION as FORMATS
from pipeline.ingest.formats.records import record_article
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


def open_regular(path: os.PathLike[str] | str) -> tuple[BinaryIO, int]:
    """(binary file object, size) of a regular file; OSError for anything else, which is never read from."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def read_at_most(path: os.PathLike[str] | str, limit: int) -> bytes | int:
    """A regular file's bytes, or its size when it is larger than `limit` bytes (then at most limit + 1 are read)."""
    fh, size = open_regular(path)
    with fh:
        if size > limit:
            return size
        data = fh.read(limit + 1)  # the file may have grown since fstat
    return len(data) if len(data) > limit else data


def read_text(unit: Unit, settings: Settings) -> Article | Reject:
    """A .txt/.md file: front matter and/or a sidecar for metadata, the rest is the article text."""
    name = unit.rel
    try:
        data = read_at_most(unit.path, settings.max_file_bytes)
        if isinstance(data, int):
            return _too_large(data, settings.max_file_bytes, name, unit, "max_file_bytes")
    except OSError as exc:
        return reject("unreadable", f"{name} cannot be read: {exc.strerror or exc}", source_id=name, raw_path=name)
    if not data.strip():
        return reject("empty", f"{name} is empty", source_id=name, raw_path=name, bytes=len(data))
    try:
        decoded = decode(data, settings, name)
        front, body = split_front_matter(decoded.text, name, settings.max_file_bytes)
    except (DecodeProblem, MetadataProblem) as exc:
        return reject(exc.reason, exc.message, source_id=name, raw_path=name)
    meta: dict[str, Any] = {}
    if unit.sidecar is not None:
        side_name = printable(unit.sidecar.name)
        try:
            side = read_at_most(unit.sidecar, settings.max_file_bytes)
            if isinstance(side, int):
                raise MetadataProblem("bad_sidecar", f"sidecar {side_name} is {side:,} bytes, more than max_file_bytes")
            meta.update(load_sidecar(side, f"sidecar {side_name}"))
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


class _LineSource(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


class _Window:
    """Lines of an open file up to byte `end` (a slice of a JSON Lines file), read as `_lines` asks, so a
    slice holding one enormous line is skipped in bounded memory too."""

    def __init__(self, fh: BinaryIO, end: int) -> None:
        self.fh = fh
        self.end = end

    def readline(self, size: int = -1, /) -> bytes:
        left = self.end - self.fh.tell()
        return self.fh.readline(left if size < 0 else min(size, left)) if left > 0 else b""


def _lines(fh: _LineSource, limit: int, first: int = 1) -> Iterator[tuple[int, bytes | None]]:
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


def read_records(
    records: Iterable[Mapping[str, Any]], settings: Settings, name: str = "records"
) -> Iterator[Article | Reject]:
    """Articles held in memory, each record a mapping with the keys of a JSON Lines line (`text`, `id`,
    `published`, ...), as Articles or Rejects, without duplicate tracking (see `pipeline.ingest.ingest_records`).

    Record N (counting from 1) reads as line N of a JSON Lines file called `name` would: its default id is
    `name:N` and its `raw_path` is `name`. A text longer than `max_file_bytes` (UTF-8) is `too_large`, as such a
    line is; a record that is not a mapping is `bad_json`."""
    for number, record in enumerate(records, 1):
        what, default_id = f"record {number} of {name}", f"{name}:{number}"
        try:
            if not isinstance(record, Mapping):
                message = f"{what} is {type(record).__name__}, not a mapping of field names to values"
                yield reject("bad_json", message, source_id=default_id, raw_path=name, record=number)
                continue
            text = record.get("text")  # the field map's other names are checked by record_article
            if isinstance(text, str) and len(text.encode("utf-8", "surrogatepass")) > settings.max_file_bytes:
                yield reject(
                    "too_large", f"the text of {what} is longer than max_file_bytes ({settings.max_file_bytes:,} bytes)",
                    source_id=as_text(record.get("id")) or default_id, raw_path=name, record=number,
                )  # fmt: skip
                continue
            item = record_article(dict(record), default_id=default_id, raw_path=name, what=what, settings=settings,
                                  record=number)
            yield checked(item)
        except Exception as exc:  # a bug must cost one record, not the batch
            yield checked(internal_error(exc, what, default_id, name))


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
        fh, size = open_regular(unit.path)
        if first and size > settings.max_batch_file_bytes:
            fh.close()
            yield _too_large(size, settings.max_batch_file_bytes, name, unit, "max_batch_file_bytes")
            return
        with fh:
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
                source: _LineSource = fh
                first_line = 1
            else:
                fh.seek(span.start)
                source = _Window(fh, span.end)
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


def read_unreadable(unit: Unit) -> Reject:
    """A unit discovery found unfit to open (a FIFO, socket, device, dangling link, link loop, or a link out of
    the input folder): rejected as `unreadable` without opening it."""
    why = unit.problem or unreadable_reason(unit.path) or OUTSIDE  # a regular file here was reached by a link out
    return reject("unreadable", f"{unit.rel} {why}", source_id=unit.rel, raw_path=unit.rel)


@lru_cache(maxsize=None)
def _field_names(kind: type) -> tuple[str, ...]:
    """The field names of a record class (`dataclasses.fields` rebuilds its answer on every call)."""
    return tuple(f.name for f in fields(kind))


def checked(item: Article | Reject) -> Article | Reject:
    """The last gate of every reader: every string must encode as UTF-8 (a lone surrogate such as `\\ud800`
    from a JSON escape does not). A reject gets such characters escaped; an article becomes a `bad_encoding`
    reject naming the fields (its text cannot be written, and escaping it would move every offset)."""
    bad = [name for name in _field_names(type(item)) if isinstance(v := getattr(item, name), str) and has_surrogate(v)]
    if not bad:
        return item
    if isinstance(item, Reject):
        return replace(item, **{name: escape_surrogates(getattr(item, name)) for name in bad})
    return reject(
        "bad_encoding",
        f"{escape_surrogates(item.source_id)}: {', '.join(bad)} holds a lone surrogate (an unpaired \\uD800-\\uDFFF "
        "escape), which is not Unicode text",
        source_id=escape_surrogates(item.source_id), raw_path=escape_surrogates(item.raw_path),
        article_id=item.article_id, fields=bad,
    )  # fmt: skip
