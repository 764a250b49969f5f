"""A `.json` file that is no sidecar: one article (as news-please and trafilatura write them), or an array of them.

An object is one article: its text and metadata come through the field map (`maintext`, `date_publish`,
`source_domain`, ...; trafilatura's `text`, `date`, `hostname`, and its `source`, which is the page's address).
An array holds one article per element: element N (counted from 1) has the default id `file.json:N`, and a bad
element is one reject (`bad_json`, `no_text`, ...) while the others are read. The file is read whole, up to
`max_json_file_bytes`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from pipeline.ingest.build import reject
from pipeline.ingest.discover import Unit
from pipeline.ingest.formats.files import as_text, read_whole
from pipeline.ingest.formats.records import record_article
from pipeline.ingest.readers import internal_error
from pipeline.records import Article, Reject
from pipeline.settings import Settings


def _kind(value: object) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def read_json(unit: Unit, settings: Settings) -> Iterator[Article | Reject]:
    name = unit.rel
    data = read_whole(unit, settings.max_json_file_bytes, "max_json_file_bytes")
    if isinstance(data, Reject):
        yield data
        return
    text = as_text(data, unit, settings)
    if isinstance(text, Reject):
        yield text
        return
    body, decoded_as = text
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        yield reject(
            "bad_json", f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            source_id=name, raw_path=name,
        )  # fmt: skip
        return
    if isinstance(value, dict):
        yield record_article(value, default_id=name, raw_path=name, what=name, settings=settings, decoded_as=decoded_as)
        return
    if not isinstance(value, list):
        yield reject(
            "bad_json", f"{name} holds {_kind(value)}, not an article (an object) or an array of articles",
            source_id=name, raw_path=name,
        )  # fmt: skip
        return
    if not value:
        yield reject("empty", f"{name} is an empty array", source_id=name, raw_path=name)
        return
    for number, element in enumerate(value, start=1):
        what, default_id = f"element {number} of {name}", f"{name}:{number}"
        if not isinstance(element, dict):
            yield reject(
                "bad_json", f"{what} is {_kind(element)}, not a JSON object", source_id=default_id, raw_path=name,
                element=number,
            )  # fmt: skip
            continue
        try:
            yield record_article(
                element, default_id=default_id, raw_path=name, what=what, settings=settings, decoded_as=decoded_as,
                element=number,
            )  # fmt: skip
        except Exception as exc:  # a bug must cost one element, not the file
            yield internal_error(exc, what, default_id, name)
