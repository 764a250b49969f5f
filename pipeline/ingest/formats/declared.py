"""Pages and XML say which encoding they are in; a declaration that the bytes contradict is a reject.

A byte-order mark wins over a declaration (as browsers do). A declared legacy code page is checked both ways:
bytes it cannot decode, and bytes that are valid non-ASCII UTF-8 (the page was saved as UTF-8 and the
declaration was kept), are both `bad_encoding`. Labels follow the web's rules: `iso-8859-1`, `latin1` and
`ascii` mean windows-1252. Without a declaration the project's own rules apply (`pipeline.ingest.decode`).
"""

from __future__ import annotations

import codecs
import re

_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_WEB_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                "l1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252", "windows-1252": "cp1252"}  # fmt: skip
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class EncodingLie(Exception):
    """The bytes contradict the declared encoding, or it names none Python knows; the message says which."""


def declared_label(data: bytes, *, html: bool) -> str | None:
    """The encoding a file declares in its first 4 KB (an XML declaration; for HTML also a `<meta>` charset)."""
    head = data[:4096]
    found = _XML_DECLARATION.match(head) or (_META_CHARSET.search(head) if html else None)
    return found.group(1).decode("ascii").lower() if found else None


def has_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


def decode_declared(data: bytes, label: str) -> str:
    """`data` decoded as its declaration says; EncodingLie when it cannot be, or is plainly something else."""
    name = _WEB_ALIASES.get(label, label)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise EncodingLie(f"declares its encoding as {label!r}, which is no encoding Python knows") from None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise EncodingLie(
            f"declares its encoding as {label!r}, but it is not: byte 0x{data[exc.start]:02x} at position {exc.start} "
            f"is not {label}"
        ) from None
    if not codec.startswith("utf") and not text.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return text
        raise EncodingLie(f"declares its encoding as {label!r}, but its bytes are UTF-8")
    return text
