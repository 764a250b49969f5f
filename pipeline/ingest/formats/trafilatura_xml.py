"""trafilatura's XML output (`.xml`): `<doc title=... date=... url=... hostname=... sitename=...>` holding
`<main>` (the text, as `<p>`, `<head>`, `<list>` ...) and `<comments>` (left out).

The text is what trafilatura's own text output gives for `<main>` (`trafilatura.xml.xmltotxt`), minus a first line
repeating the title; the attributes are the metadata, read through the field map as a page's are
(`pipeline.ingest.formats.htmlpage`). The XML is parsed by lxml with entities and the network off. A file that
is not such a document (another XML vocabulary, a TEI file) is `unsupported`; one that is not well-formed is
`bad_xml`; one whose declared encoding the bytes contradict is `bad_encoding`.
"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.ingest.build import reject
from pipeline.ingest.discover import Unit
from pipeline.ingest.formats.declared import EncodingLie, decode_declared, declared_label, has_bom
from pipeline.ingest.formats.files import read_whole, sha256
from pipeline.ingest.formats.htmlpage import extractor, record_of
from pipeline.ingest.formats.records import record_article
from pipeline.records import Article, Reject
from pipeline.settings import Settings

ATTRIBUTES = ("title", "author", "date", "url", "hostname", "sitename", "description", "categories", "tags", "id",
              "fingerprint", "license", "language")  # fmt: skip


def read_xml(unit: Unit, settings: Settings) -> Iterator[Article | Reject]:
    from lxml import etree
    from trafilatura.xml import xmltotxt

    name = unit.rel
    data = read_whole(unit, settings.max_page_bytes, "max_page_bytes")
    if isinstance(data, Reject):
        yield data
        return
    label = None if has_bom(data) else declared_label(data, html=False)
    try:
        decode_declared(data, label or "utf-8")  # XML without a declaration is UTF-8
    except EncodingLie as exc:
        message = f"{name} {exc}" if label else f"{name} declares no encoding, so it must be UTF-8, and it is not"
        yield reject("bad_encoding", message, source_id=name, raw_path=name, declared=label)
        return
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        yield reject("bad_xml", f"{name} is not well-formed XML: {exc}", source_id=name, raw_path=name)
        return
    main = root.find("main") if root.tag == "doc" else None
    if main is None:
        yield reject(
            "unsupported", f"{name} is XML but not a trafilatura document (a <doc> holding <main>); its root is "
            f"<{root.tag}>", source_id=name, raw_path=name,
        )  # fmt: skip
        return
    found = {k: root.get(k) for k in ATTRIBUTES}
    for key in ("categories", "tags"):
        found[key] = [v for v in (found[key] or "").split(";") if v] or None
    found["text"] = xmltotxt(main, include_formatting=False)
    if not found["text"].strip():
        yield reject("no_text", f"{name} has an empty <main>: no text", source_id=name, raw_path=name)
        return
    record = record_of(found) | {"file_sha256": sha256(data), "extracted_with": extractor()}
    yield record_article(record, default_id=name, raw_path=name, what=name, settings=settings)
