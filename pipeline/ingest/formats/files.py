"""Reading a whole file for the formats that need all of it (JSON files, pages), within a size limit."""

from __future__ import annotations

import hashlib

from pipeline.ingest.build import reject
from pipeline.ingest.decode import DecodeProblem, decode, looks_binary
from pipeline.ingest.discover import Unit
from pipeline.records import Reject
from pipeline.settings import Settings


def read_whole(unit: Unit, limit: int, setting: str) -> bytes | Reject:
    """The file's bytes, or a reject (`too_large` before reading, `unreadable`, `empty`)."""
    name = unit.rel
    try:
        size = unit.path.stat().st_size
        if size > limit:
            return reject(
                "too_large", f"{name} is {size:,} bytes, more than {setting} ({limit:,}); it was not read",
                source_id=name, raw_path=name, bytes=size, limit=limit,
            )  # fmt: skip
        with open(unit.path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        return reject("unreadable", f"{name} cannot be read: {exc.strerror or exc}", source_id=name, raw_path=name)
    if len(data) > limit:
        return reject("too_large", f"{name} grew past {setting} ({limit:,}) while read", source_id=name, raw_path=name)
    if not data.strip():
        return reject("empty", f"{name} is empty", source_id=name, raw_path=name, bytes=len(data))
    return data


def as_text(data: bytes, unit: Unit, settings: Settings) -> tuple[str, str | None] | Reject:
    """(text, fallback encoding used or None) by the project's rules (`pipeline.ingest.decode`), or a reject.

    Plain UTF-8 takes a fast path (the binary check then reads the first 8 KB), so a large file costs one pass."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in data and not looks_binary(data[:8192], settings):
        try:
            return data.decode("utf-8-sig"), None
        except UnicodeDecodeError:
            pass
    try:
        decoded = decode(data, settings, unit.rel)
    except DecodeProblem as exc:
        return reject(exc.reason, exc.message, source_id=unit.rel, raw_path=unit.rel)
    return decoded.text, decoded.encoding


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
