"""Bytes to text: UTF-8 first, a fallback encoding only when the bytes clearly are one, binary files refused."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from pipeline.settings import Settings

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The bytes and characters counted as controls, found by C-level scans (bytes.translate, a regex) rather than a
# Python loop per byte: the same counts, a fraction of the CPU (this runs on every article and JSON line).
_CONTROL_BYTES = bytes(b for b in range(256) if (b < 0x20 and b not in (9, 10, 11, 12, 13)) or b == 0x7F)
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


class DecodeProblem(Exception):
    """Bytes that are not usable text; `reason` is the reject code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str | None  # None: plain UTF-8; else the encoding used (recorded as extra["decoded_as"])


def control_share(text: str) -> float:
    """Share of control characters other than tab/newline/form feed (C0, DEL and C1)."""
    if not text:
        return 0.0
    bad = len(_CONTROL_CHARS.findall(text))
    return bad / len(text)


def looks_binary(data: bytes, settings: Settings) -> bool:
    """NUL bytes, or too many ASCII control bytes, mean the file is not text (BOM-marked UTF-16/32 excepted)."""
    if b"\x00" in data:
        return True
    if not data:
        return False
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return controls / len(data) > settings.binary_control_ratio


def _family(encoding: str) -> str:
    return codecs.lookup(encoding).name


def decode(data: bytes, settings: Settings, what: str) -> Decoded:
    """Decode `data` (named `what` in messages); raise DecodeProblem("binary" | "bad_encoding", message)."""
    fallbacks = [_family(e) for e in settings.fallback_encodings]
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding != "utf-8-sig" and _family(encoding) not in fallbacks:
                raise DecodeProblem(
                    "bad_encoding", f"{what} is marked as {encoding.upper()}, which is not among fallback_encodings"
                )
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeProblem("bad_encoding", f"{what} is marked as {encoding.upper()} but is not: {exc.reason}")
            text = text.removeprefix("\ufeff")
            if control_share(text) > settings.binary_control_ratio:
                raise DecodeProblem("binary", f"{what} looks like a binary file, not text")
            return Decoded(text, None if encoding == "utf-8-sig" else encoding)
    if looks_binary(data, settings):
        raise DecodeProblem("binary", f"{what} looks like a binary file (NUL or control bytes), not text")
    try:
        return Decoded(data.decode("utf-8"), None)
    except UnicodeDecodeError as exc:
        first_error = f"byte 0x{data[exc.start]:02x} at position {exc.start}"
    tried = []
    for encoding in settings.fallback_encodings:
        if _family(encoding).startswith(("utf-16", "utf-32")):
            continue  # only with a byte-order mark: without one any even-length bytes "decode"
        tried.append(encoding)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # "clearly" that encoding: no C1 control characters, which real cp1252/latin-1 prose does not contain
        if not any("\x80" <= ch <= "\x9f" for ch in text):
            return Decoded(text, encoding)
    also = f" and does not decode cleanly as {' or '.join(tried)}" if tried else ""
    raise DecodeProblem("bad_encoding", f"{what} is not valid UTF-8 ({first_error}){also}")
