"""Archives as people have them (issue 11): scraper and export formats, the field map, publication date forms,
languages said out loud, bad cases of every format, and many small files processed as bundles."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.ingest import ingest, units
from pipeline.ingest.formats.published import PublishedForm, loose_published
from pipeline.paths import RAW
from pipeline.records import Article, Reject
from pipeline.run import batch, runner
from pipeline.settings import Settings

S = Settings()
FORMATS = RAW / "formats"  # one small sample of every format, written for the project


def run(path: Path, settings: Settings = S) -> list[Article | Reject]:
    return list(ingest(path, settings))


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# ------------------------------------------------------------------ one example of every format
# source_id -> (start of text, title, published, source, url, end of text)
EVERY_FORMAT = {
    "array-bus-crash": ("A bus overturned on a highway", "Bus overturns on highway", "2023-02-06", "Sample Highway News", None, "police said."),
    "array-clinic-opens": ("A new district clinic opened", "New clinic opens", "2023-02-07", "Sample Health Weekly",
                           "https://health.example.org/clinic", "about 25,000 people."),
    "csv-ferry-strike": ("Ferry crews on the northern routes", "Ferry crews strike over pay", "2020-10-19", "Sample Coast Radio",
                         "https://radio.example.org/ferry-strike", "would resume on Friday."),
    "csv-flood-warning": ("Forecasters issued flood warnings", "Flood warnings issued for three valleys", "2020-11-15",
                          "Sample Weather Desk", "https://weather.example.org/flood-warnings", "officials said."),
    "tsv-market-blaze": ("A fire swept through an open-air market", "Fire destroys market stalls", "2020-10-18",
                         "Sample Evening Post", "https://post.example.org/market-fire", "No one was hurt."),
    "newsplease-article.json": ("KATHMANDU, Nepal (Sample Wire) - A landslide", "Landslide buries minibus on mountain road",
                                "2021-03-08T18:40:00", "news.example.org", "https://news.example.org/2021/03/landslide",
                                "loosened the slopes above it."),
    "newsplease-records.jsonl:1": ("Two workers were killed on Sunday", "Quarry collapse kills two workers", "2022-09-11T21:05:00",
                                   "inland.example.org", "https://inland.example.org/quarry", "under the debris."),
    "newsplease-records.jsonl:2": ("Authorities opened 25 cooling centres", "Cooling centres open in heatwave", "2022-09-12T10:30:00",
                                   "inland.example.org", "https://inland.example.org/heatwave", "the city council said."),
    "page.html": ("Ferry workers walked out on Tuesday", "Ferry strike halts island crossings", "2021-05-04", "example.org",
                  "https://coast.example.org/2021/05/ferry-strike", "a reduced timetable on Thursday."),
    "trafilatura-article.json": ("A fire broke out at a grain warehouse", "Warehouse fire forces evacuation near port", "2022-07-14",
                                 "harbour.example.net", "https://harbour.example.net/news/warehouse-fire", "a spokeswoman said on Thursday."),
    "trafilatura-article.xml": ("A section of an old road bridge", "Bridge collapse closes river crossing", "2019-11-21",
                                "valley.example.com", "https://valley.example.com/2019/11/bridge-collapse", "the council said."),
    "gz-tram-derailment": ("A tram derailed while leaving its depot", "Tram derails at depot", "2020-10-16T12:00:00+00:00",
                           "Sample Metro News", None, "for the rest of the day."),
    "gz-power-cut": ("About 30,000 homes lost power", "Power cut hits 30,000 homes", "2020-10-17T09:15:00+02:00", "Sample Metro News",
                     None, "by early afternoon."),
    "ndjson-dam-release": ("Engineers opened the gates", "Dam release floods farmland", "2020-10-19T12:00:00+00:00", "river.example.org",
                           None, "No injuries were reported."),
    "ndjson-school-closure": ("Twelve schools stayed closed", "Schools close after storm", "2020-10-20T08:00:00+01:00",
                              "Sample Schools Bulletin", None, "the education office said."),
}  # fmt: skip


def test_every_format_gives_text_title_published_source_and_url():
    items = run(FORMATS)
    assert all(isinstance(i, Article) for i in items), [i.message for i in items if isinstance(i, Reject)]
    got = {a.source_id: a for a in items}
    assert set(got) == set(EVERY_FORMAT) and len(items) == len(EVERY_FORMAT)  # no silent loss
    for source_id, (start, title, published, source, url, end) in EVERY_FORMAT.items():
        a = got[source_id]
        assert (a.title, a.published, a.source, a.url, a.language) == (title, published, source, url, "en"), source_id
        assert a.text.startswith(start) and a.text.rstrip().endswith(end), (source_id, a.text)
    assert {a.raw_path.rsplit(".", 1)[-1] for a in items} == {"json", "csv", "tsv", "jsonl", "html", "xml", "gz", "ndjson"}


def test_nothing_the_caller_wrote_is_lost_and_pages_keep_their_file_hash():
    got = {a.source_id: a for a in run(FORMATS)}
    extra = json.loads(got["newsplease-article.json"].extra)
    assert extra["authors"] == ["Mara Tellenby"] and extra["date_publish"] == "2021-03-08 18:40:00"
    assert "maintext" not in extra  # the text is the text, not a copy in extra
    assert json.loads(got["gz-tram-derailment"].extra) == {"published_as_written": 1602849600}
    assert json.loads(got["newsplease-records.jsonl:2"].extra)["language_declared"] == "English"
    page = json.loads(got["page.html"].extra)
    import hashlib

    assert page["file_sha256"] == hashlib.sha256((FORMATS / "page.html").read_bytes()).hexdigest()
    assert page["extracted_with"].startswith("trafilatura ") and page["sitename"] == "Example Coast News"
    assert "Ferry strike halts island crossings" not in got["page.html"].text  # the <h1> is the title, not the text


# ------------------------------------------------------------------ the field map
@pytest.mark.parametrize(
    ("record", "settings", "expected"),
    [
        ({"maintext": "Body.", "date_publish": "2020-10-16 08:00:00", "source_domain": "a.example", "url": "u"}, S,
         ("Body.", None, "2020-10-16T08:00:00", "a.example", "u")),
        ({"text": None, "maintext": "Body."}, S, ("Body.", None, None, None, None)),  # news-please's null text
        ({"text": "", "body": "Body."}, S, ("Body.", None, None, None, None)),  # a blank text gives way
        ({"content": "Body.", "headline": "H", "pubdate": "19 Oct 2020", "outlet": "O", "link": "L"}, S,
         ("Body.", "H", "2020-10-19", "O", "L")),
        ({"article": "Body.", "datePublished": "October 16, 2020", "publisher": "P", "source_url": "L"}, S,
         ("Body.", None, "2020-10-16", "P", "L")),
        ({"text": "Body.", "source": "https://x.example/a", "source-hostname": "X", "hostname": "x.example"}, S,
         ("Body.", None, None, "x.example", "https://x.example/a")),  # trafilatura's `source` is the address
        ({"text": "Body.", "title": "T", "headline": "H", "published": "2020-01-02", "date": "2021-01-01"}, S,
         ("Body.", "T", "2020-01-02", None, None)),  # a field's own name wins
        ({"story": "Body.", "when": "2020-05-06", "paper": "Q"},
         Settings(fields_text=("story",), fields_published=("when",), fields_source=("paper",)),
         ("Body.", None, "2020-05-06", "Q", None)),  # other names in the settings
    ],
)  # fmt: skip
def test_field_map(tmp_path: Path, record: dict, settings: Settings, expected: tuple) -> None:
    write(tmp_path, "b.jsonl", json.dumps({"dct": "2001-01-01", **record}) + "\n")  # dct: the last other name of published
    (a,) = run(tmp_path, settings)
    assert isinstance(a, Article), a.message
    published = a.published if a.published != "2001-01-01" else None
    assert (a.text, a.title, published, a.source, a.url) == expected


@pytest.mark.parametrize(
    ("record", "fragment"),
    [
        ({"id": "n1", "headline": "H", "date": "2020-01-01"},
         "has no text: none of text, maintext, body, content, article is there; its fields are id, headline, date"),
        ({"id": "n2", "maintext": ["a", "b"]}, "has no text: `maintext` is a list, not a string"),
        ({"id": "n3", "body": None}, "its fields are id"),
    ],
)  # fmt: skip
def test_a_record_without_text_names_the_fields_it_had(tmp_path: Path, record: dict, fragment: str) -> None:
    write(tmp_path, "b.jsonl", json.dumps(record) + "\n")
    (r,) = run(tmp_path)
    assert isinstance(r, Reject) and r.reason == "no_text" and fragment in r.message, r.message


# ------------------------------------------------------------------ publication dates
@pytest.mark.parametrize(
    ("value", "day_first", "iso"),
    [
        ("October 16, 2020", True, "2020-10-16"),
        ("Oct. 16 2020", True, "2020-10-16"),
        ("Friday, Oct 16th, 2020", True, "2020-10-16"),
        ("19 Oct 2020", True, "2020-10-19"),
        ("19 October, 2020", True, "2020-10-19"),
        ("Mon 19 Oct. 2020", True, "2020-10-19"),
        ("Sept 9, 2021", True, "2021-09-09"),
        ("15/10/2020", True, "2020-10-15"),
        ("15.10.2020", True, "2020-10-15"),
        ("05/06/2020", True, "2020-06-05"),
        ("05/06/2020", False, "2020-05-06"),
        ("10/15/2020", False, "2020-10-15"),
        ("2020/10/15", False, "2020-10-15"),  # year first: never ambiguous
        ("October 16, 2020 2:05 pm", True, "2020-10-16T14:05:00"),
        ("16 Oct 2020 14:05:30 +0300", True, "2020-10-16T14:05:30+03:00"),
        ("16/10/2020 09:00 UTC", True, "2020-10-16T09:00:00+00:00"),
        ("October 16, 2020 10:30 AM EDT", True, "2020-10-16"),  # a zone name is no one offset: the date as written
        ("1602849600", True, "2020-10-16T12:00:00+00:00"),
        (1602849600, True, "2020-10-16T12:00:00+00:00"),
        (1602849600.5, True, "2020-10-16T12:00:00.500000+00:00"),
        (1602849600000, True, "2020-10-16T12:00:00+00:00"),
        ("999999999", True, "2001-09-09T01:46:39+00:00"),
    ],
)
def test_publication_date_forms(value, day_first: bool, iso: str) -> None:
    assert loose_published(value, day_first) == iso


@pytest.mark.parametrize(
    ("value", "day_first", "why"),
    [
        ("15/10/2020", False, "read as month/day/year (published_day_first = false) it is no calendar date"),
        ("16/10/20", True, "no four-digit year"),
        ("February 30, 2021", True, "not a calendar date"),
        ("31/04/2021", True, "no calendar date"),
        ("Octember 16, 2020", True, "not an English month name"),
        ("October 2020", True, "in no form this pipeline reads"),
        ("yesterday", True, "in no form this pipeline reads"),
        ("16 Oct 1750", True, "the year 1750 is implausible"),
        ("1602849600123456", True, "a number of 16 digits is neither epoch seconds"),
        (16028496001, True, "a number of 11 digits"),
        (20201016, True, "a number of 8 digits"),
        ("16 Oct 2020 25:10", True, "25:10:00 is not a time of day"),
        (True, True, "not text or a number"),
        (-5, True, "negative"),
    ],
)
def test_ambiguous_or_implausible_dates_say_why(value, day_first: bool, why: str) -> None:
    with pytest.raises(PublishedForm) as err:
        loose_published(value, day_first)
    assert why in str(err.value)


def test_a_date_after_the_plausible_years_is_a_reject_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "c.jsonl", json.dumps({"id": "e", "pubdate": "16 Oct 2150", "text": "Body of a story."}) + "\n")
    (r,) = run(tmp_path)
    assert r.reason == "bad_published" and "2150" in r.message and "published_max_year" in r.message


def test_a_bad_date_is_a_reject_that_shows_the_value(tmp_path: Path) -> None:
    write(tmp_path, "b.jsonl", json.dumps({"id": "d", "pubdate": "07/08/20", "text": "Body."}) + "\n")
    (r,) = run(tmp_path)
    assert (r.reason, r.message) == ("bad_published", "line 1 of b.jsonl: pubdate '07/08/20' is not a date: it has no "
                                     "four-digit year, so its century is not known")  # fmt: skip


# ------------------------------------------------------------------ languages
FRENCH = ("Lundi, trois personnes ont été tuées et onze autres blessées dans l'explosion d'une citerne de gaz près du "
          "marché central de Valbonne, selon les pompiers. Les secours ont travaillé toute la nuit.")  # fmt: skip
SPANISH = ("El lunes murieron cuatro personas y otras nueve resultaron heridas cuando un autobús cayó por un barranco "
           "cerca de San Telmo, según informaron los bomberos de la provincia.")  # fmt: skip
ENGLISH = ("Four people were killed on Monday when a bus fell into a ravine near the coast road, the provincial fire "
           "service said. Nine others were taken to hospital.")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "declared", "code", "name"),
    [(FRENCH, None, "fr", "French"), (SPANISH, None, "es", "Spanish"), (FRENCH, "en", "fr", "French"),
     (SPANISH, "Spanish", "es", "Spanish")],
)  # fmt: skip
def test_articles_in_languages_the_rules_do_not_cover_are_rejected_by_name(tmp_path, text, declared, code, name):
    record = {"id": "x", "published": "2021-03-01", "text": text} | ({"language": declared} if declared else {})
    write(tmp_path, "b.jsonl", json.dumps(record) + "\n")
    (r,) = run(tmp_path)
    assert isinstance(r, Reject) and r.reason == "unsupported_language"
    assert r.message.startswith(f"line 1 of b.jsonl is in {name} ({code}, detected with confidence ")
    assert "the rules cover English (en) only" in r.message
    assert json.loads(r.detail)["language"] == code
    (kept,) = run(tmp_path, Settings(keep_unsupported_languages=True))
    assert isinstance(kept, Article) and kept.language == code


@pytest.mark.parametrize(
    ("text", "declared", "language", "extra"),
    [
        (ENGLISH, "English", "en", {"language_declared": "English"}),
        (ENGLISH, "en-GB", "en", {"language_declared": "en-GB"}),
        (ENGLISH, "EN", "en", {"language_declared": "EN"}),
        (ENGLISH, "eng", "en", {"language_declared": "eng"}),
        (ENGLISH, "fr", "en", {"language_declared": "fr"}),  # the text says otherwise, surely
        ("Short text.", "English", "en", {"language_declared": "English"}),  # too short to judge: as declared
        ("Short text.", None, "en", {}),
    ],
)  # fmt: skip
def test_declared_languages_are_normalised(tmp_path, text, declared, language, extra):
    record = {"id": "x", "published": "2021-03-01", "text": text} | ({"language": declared} if declared else {})
    write(tmp_path, "b.jsonl", json.dumps(record) + "\n")
    (a,) = run(tmp_path)
    assert isinstance(a, Article) and a.language == language and json.loads(a.extra) == extra


def test_a_short_text_declared_in_another_language_is_rejected_as_declared(tmp_path):
    write(tmp_path, "b.jsonl", json.dumps({"published": "2021-03-01", "text": "Trois morts.", "language": "fr-FR"}) + "\n")
    (r,) = run(tmp_path)
    assert r.reason == "unsupported_language" and "is in French (fr, as its metadata says ('fr-FR'))" in r.message


@pytest.fixture(scope="module")
def langid_library():
    """py3langid's own identifier, as the library ships it (loading its model takes a second or two)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@pytest.mark.parametrize(
    "text",
    [ENGLISH, FRENCH, SPANISH, "", " ", "Two  spaces  between  words ", "ALL CAPITALS HEADLINE ABOUT A FLOOD",
     "Ünïcödé wörds, ñ and € signs", "Дождь и ветер в городе", "一二三 四五", ENGLISH * 3, "x " * 400],
)  # fmt: skip
def test_language_detection_gives_the_library_answer_bit_for_bit(text, langid_library):
    """Half-precision model rows widened by table look-up: the scores are those of py3langid's own product."""
    from pipeline.ingest.language import _identifier

    assert _identifier()._decide(text).tobytes() == langid_library._decide(text).tobytes()
    assert _identifier().classify(text) == langid_library.classify(text)


# ------------------------------------------------------------------ bad cases: a reject each, the rest unharmed
GOOD = {"published": "2021-06-01", "text": "Dock workers in the harbour town went on strike on Tuesday, the union said."}


def _gzip_truncated() -> bytes:
    lines = "".join(json.dumps(GOOD | {"id": f"z{i}", "text": f"{GOOD['text']} Report {i} of many."}) + "\n" for i in range(40))
    whole = gzip.compress(lines.encode(), mtime=0)
    return whole[: len(whole) // 2]


def _page(body: str, head: str = '<meta charset="utf-8">') -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>T</title></head><body>{body}</body></html>"


PARAGRAPHS = ("<article><p>Dock workers in the harbour town went on strike on Tuesday over pay, the union said.</p>"
              "<p>Talks with the port authority are due to resume on Friday, a spokesman for the workers said.</p></article>")  # fmt: skip
BAD = {
    "truncated.jsonl.gz": _gzip_truncated(),
    "not-gzip.jsonl.gz": b"this is not compressed\n",
    "rows.csv": "id,title,text,published\nc1,T,A full story about the strike at the docks.,2021-06-01\nc2,Headline only\n"
                "c3,T,Too,many,cells\n",
    "quote.csv": 'id,text,published\nq1,"A story with a quote that never closes,2021-06-01\n',
    "dupe-header.csv": "id,text,text\nd1,a,b\n",
    "nav.html": _page('<nav><a href="/a">A</a> <a href="/b">B</a></nav>'),
    "lies-utf8.html": _page(PARAGRAPHS.replace("harbour", "harbour café"), '<meta charset="utf-8">').encode("cp1252"),
    "lies-latin1.html": _page(PARAGRAPHS.replace("harbour", "harbour café"),
                              '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">').encode("utf-8"),
    "unknown-charset.html": _page(PARAGRAPHS, '<meta charset="klingon-8">'),
    "array.json": json.dumps([GOOD | {"id": "a1"}, "not an object", {"id": "a3", "title": "no text"}]),
    "broken.json": '{"text": "unfinished',
    "empty-array.json": "[]",
    "lies.xml": '<?xml version="1.0" encoding="utf-8"?><doc title="Café"><main><p>x</p></main></doc>'.encode("latin-1"),
    "feed.xml": '<?xml version="1.0"?><rss><channel><title>Feed</title></channel></rss>',
    "broken.xml": "<doc><main><p>unclosed</main></doc>",
    "zz-good.md": "---\npublished: 2021-06-01\n---\nFerry crews on the island routes joined the strike on Wednesday.\n",
}  # fmt: skip
EXPECTED_BAD = [  # (source_id, reason or "" for accepted, fragment of the message)
    ("a1", "", ""),
    ("array.json:2", "bad_json", "element 2 of array.json is a string, not a JSON object"),
    ("a3", "no_text", "element 3 of array.json has no text: none of text, maintext, body, content, article is there; its fields are id, title"),
    ("broken.json", "bad_json", "broken.json is not valid JSON: Unterminated string"),
    ("broken.xml", "bad_xml", "broken.xml is not well-formed XML"),
    ("dupe-header.csv", "bad_csv", "the header of dupe-header.csv names text more than once"),
    ("empty-array.json", "empty", "empty-array.json is an empty array"),
    ("feed.xml", "unsupported", "feed.xml is XML but not a trafilatura document (a <doc> holding <main>); its root is <rss>"),
    ("lies-latin1.html", "bad_encoding", "lies-latin1.html declares its encoding as 'iso-8859-1', but its bytes are UTF-8"),
    ("lies-utf8.html", "bad_encoding", "lies-utf8.html declares its encoding as 'utf-8', but it is not: byte 0xe9"),
    ("lies.xml", "bad_encoding", "lies.xml declares its encoding as 'utf-8', but it is not: byte 0xe9"),
    ("nav.html", "no_text", "nav.html has no main text: trafilatura"),
    ("not-gzip.jsonl.gz", "bad_gzip", "not-gzip.jsonl.gz is not a valid gzip file"),
    ("quote.csv:2", "bad_csv", "row 2 of quote.csv cannot be read as CSV (unexpected end of data"),
    ("c1", "", ""),
    ("c2", "no_text", "row 3 of rows.csv has no text: none of text, maintext, body, content, article is there; its fields are id, title"),
    ("rows.csv:4", "bad_csv", "row 4 of rows.csv has 5 cells but the header has 4 columns"),
    ("z*", "", ""),  # the lines before the damage: z0, z1, ... (how many depends on the compressor)
    ("truncated.jsonl.gz", "bad_gzip", "truncated.jsonl.gz is truncated: the lines before were read, the rest is lost (after line "),
    ("unknown-charset.html", "bad_encoding", "declares its encoding as 'klingon-8', which is no encoding Python knows"),
    ("zz-good.md", "", ""),
]  # fmt: skip


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    for name, content in BAD.items():
        write(folder, name, content)
    return folder


def test_every_bad_case_is_one_reject_with_its_reason_and_the_rest_is_read(bad_folder: Path) -> None:
    got = [(i.source_id, "" if isinstance(i, Article) else i.reason, "" if isinstance(i, Article) else i.message)
           for i in run(bad_folder)]  # fmt: skip
    kept = [g for g in got if g[0].startswith("z") and g[0][1:].isdigit()]
    assert len(kept) >= 2 and [g[0] for g in kept] == [f"z{i}" for i in range(len(kept))] and not any(g[1] for g in kept)
    start = got.index(kept[0])
    got[start : start + len(kept)] = [("z*", "", "")]
    assert [g[:2] for g in got] == [e[:2] for e in EXPECTED_BAD]
    for (source_id, _, message), (_, _, fragment) in zip(got, EXPECTED_BAD):
        assert fragment in message, (source_id, message)
    assert f"(after line {len(kept)})" in dict((g[0], g[2]) for g in got)["truncated.jsonl.gz"]


def test_a_run_over_the_bad_cases_balances_its_books(bad_folder: Path, tmp_path: Path) -> None:
    status = runner.run(bad_folder, tmp_path / "out", Settings(progress="never"), work=tmp_path / "work")
    assert status == runner.OK_WITH_REJECTS
    books = json.loads((tmp_path / "out" / "manifest.json").read_text())["accounting"]
    read = sum(1 for i in run(bad_folder) if isinstance(i, Article))
    assert books["balanced"] and books["accepted"] == read and books["rejected_at_ingest"] == sum(1 for e in EXPECTED_BAD if e[1])
    assert books["input_articles"] == books["accepted"] + books["rejected_at_ingest"] + books["quarantined_articles"]


def test_csv_in_a_legacy_encoding_is_read_and_says_so(tmp_path: Path) -> None:
    write(tmp_path, "old.csv", f'id,text,published\nl1,"{GOOD["text"]} Café owners joined.",2021-06-01\n'.encode("cp1252"))
    write(tmp_path, "excel.tsv", f"id\ttext\tpublished\nl2\t{GOOD['text']} Naïve.\t2021-06-01\n".encode("utf-16"))
    a, b = run(tmp_path)
    assert (a.source_id, json.loads(a.extra)) == ("l2", {"decoded_as": "utf-16"}) and "Naïve" in a.text
    assert (b.source_id, json.loads(b.extra)) == ("l1", {"decoded_as": "cp1252"}) and "Café" in b.text


# ------------------------------------------------------------------ many small files, processed as bundles
def _small_files(folder: Path, n: int) -> Path:
    for i in range(n):
        text = f"Police said {2 + i % 5} people were injured in a crash on the ring road on Monday (report {i})."
        if i % 3 == 0:
            write(folder, f"s/{i:03d}.md", f"---\nid: m{i}\npublished: 2022-06-{1 + i % 28:02d}\n---\n{text}\n")
        elif i % 3 == 1:
            write(folder, f"s/{i:03d}.json", json.dumps({"maintext": text, "date_publish": f"2022-06-{1 + i % 28:02d} 10:00:00"}))
        else:
            write(folder, f"s/{i:03d}.txt", text)
            write(folder, f"s/{i:03d}.meta.json", json.dumps({"published": f"2022-06-{1 + i % 28:02d}"}))
    return folder


def test_small_files_are_bundled_without_changing_the_tables(tmp_path, monkeypatch, caplog):
    import logging

    raw = _small_files(tmp_path / "raw", 60)
    monkeypatch.setattr(batch, "BUNDLE_FILES", 8)
    jobs, _ = batch.unit_jobs(raw)
    assert 2 < len(jobs) < 30 and all(j.kind == "bundle" for j in jobs if j.members)
    assert [m.rel for j in jobs for m in (j.members or (j,))] == [u.rel for u in units(raw)]  # in input order
    settings = Settings(progress="never")
    assert runner.run(raw, tmp_path / "bundled", settings, work=tmp_path / "w1") == runner.OK
    monkeypatch.setattr(batch, "BUNDLE_MIN", 10_000)  # every file a unit of its own, as before bundles
    assert runner.run(raw, tmp_path / "single", settings, work=tmp_path / "w2") == runner.OK
    for table in ("articles", "mentions", "events", "casualties", "rejects"):
        assert pq.read_table(tmp_path / "bundled" / f"{table}.parquet") == pq.read_table(tmp_path / "single" / f"{table}.parquet")
    monkeypatch.setattr(batch, "BUNDLE_MIN", 16)
    write(raw, "s/030.md", "---\nid: m30\npublished: 2022-06-03\n---\nA changed story about floods on Tuesday.\n")
    caplog.set_level(logging.INFO, logger="pipeline")
    assert runner.run(raw, tmp_path / "bundled", settings, work=tmp_path / "w1") == runner.OK
    assert f"{len(jobs) - 1} cached, 1 to process" in caplog.text  # one bundle, not all of them
