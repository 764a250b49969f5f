"""JSON Lines compressed with gzip (`.jsonl.gz`, `.ndjson.gz`), streamed line by line like `.jsonl`.

Each line is read as a `.jsonl` line is (`pipeline.ingest.readers`): one Article or Reject per non-blank line,
the field map finding the text. The decompressed stream is capped at `max_batch_file_bytes`. A damaged archive
keeps every line read before the damage, then gives one `bad_gzip` reject saying after which line it broke
(truncated, a bad checksum, or no gzip at all), so the books still balance.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator

from pipeline.ingest.build import reject
from pipeline.ingest.discover import Unit
from pipeline.ingest.readers import _batch_line, _lines, internal_error
from pipeline.records import Article, Reject
from pipeline.settings import Settings


class _Capped:
    """A binary stream that stops with OverflowError after `limit` bytes (a gzip bomb costs no more)."""

    def __init__(self, fh: gzip.GzipFile, limit: int) -> None:
        self.fh, self.limit, self.read_bytes = fh, limit, 0

    def readline(self, size: int = -1) -> bytes:
        line = self.fh.readline(size)
        self.read_bytes += len(line)
        if self.read_bytes > self.limit:
            raise OverflowError
        return line


def read_jsonl_gz(unit: Unit, settings: Settings) -> Iterator[Article | Reject]:
    name = unit.rel
    last, seen = 0, False
    try:
        with gzip.open(unit.path, "rb") as raw:
            for number, line in _lines(_Capped(raw, settings.max_batch_file_bytes), settings.max_file_bytes):
                last = number
                if line is None:
                    seen = True
                    yield reject(
                        "too_large", f"line {number} of {name} is longer than max_file_bytes ({settings.max_file_bytes:,})",
                        source_id=f"{name}:{number}", raw_path=name, line=number,
                    )  # fmt: skip
                    continue
                if not line.strip():
                    continue
                seen = True
                try:
                    yield _batch_line(line, number, unit, settings)
                except Exception as exc:  # a bug must cost one line, not the batch
                    yield internal_error(exc, f"line {number} of {name}", f"{name}:{number}", name)
    except OverflowError:
        yield reject(
            "too_large", f"{name} decompresses to more than max_batch_file_bytes ({settings.max_batch_file_bytes:,}); "
            f"read up to line {last}", source_id=name, raw_path=name, after_line=last,
        )  # fmt: skip
        return
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        where = f"after line {last}" if last else "before its first line"
        problem = "is truncated" if isinstance(exc, EOFError) else f"is not a valid gzip file ({exc})"
        yield reject(
            "bad_gzip", f"{name} {problem}: the lines before were read, the rest is lost ({where})",
            source_id=name, raw_path=name, after_line=last,
        )  # fmt: skip
        return
    except OSError as exc:
        yield reject("unreadable", f"{name} cannot be read: {exc.strerror or exc}", source_id=name, raw_path=name)
        return
    if not seen:
        yield reject("empty", f"{name} holds no JSON lines", source_id=name, raw_path=name)
