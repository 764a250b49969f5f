"""Ingest: formats, metadata, reference dates, rejects and duplicates (fixtures in tests/fixtures/ingest/)."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipeline.ingest import ingest, input_files
from pipeline.ingest.build import article_id_for
from pipeline.ingest.metadata import MetadataProblem, parse_published, split_front_matter
from pipeline.paths import RAW
from pipeline.records import Article, Reject
from pipeline.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
MIXED = FIXTURES / "mixed"
S = Settings()


def run(path: Path, settings: Settings = S) -> list[Article | Reject]:
    return list(ingest(path, settings))


def by_id(items: list[Article | Reject]) -> dict[str, Article | Reject]:
    return {item.source_id: item for item in items}


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# ------------------------------------------------------------------ a folder of good and bad inputs
@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """The committed mixed fixture plus the binary / oversized / badly encoded cases, generated here."""
    folder = tmp_path / "mixed"
    shutil.copytree(MIXED, folder)
    write(folder, "10-empty.txt", b"")
    write(folder, "11-blank.md", "---\npublished: 2022-01-01\n---\n\n   \n")
    write(folder, "12-binary.txt", bytes(range(256)) * 2)
    write(folder, "13-cp1252.txt", "LISBON, March 7, 2022 (AP) — Café owners protested – again.".encode("cp1252"))
    write(folder, "14-utf16.txt", "ATHENS, March 8, 2022 (AP) — Ferry workers struck on Tuesday.".encode("utf-16"))
    write(folder, "15-undecodable.txt", b"BERN (AP) \x81\x8d\x90\x9d strike on Monday")
    write(folder, "16-too-large.txt", "ROME (AP) — " + "word " * 300)
    return folder


EXPECTED = {  # source_id -> reason ("" = accepted)
    "01-good.md": "",
    "02-bad-front-matter.md": "bad_front_matter",
    "03-no-date.txt": "no_reference_date",
    "04-bad-published.md": "bad_published",
    "05-broken-sidecar.txt": "bad_sidecar",
    "wire-1": "",
    "06-batch.jsonl:2": "bad_json",
    "wire-3": "no_text",
    "06-batch.jsonl:5": "",
    "wire-5": "duplicate",
    "06-batch.jsonl:7": "bad_json",
    "07-plain-dated.txt": "",
    "08-table.ods": "unsupported",
    "10-empty.txt": "empty",
    "11-blank.md": "empty",
    "12-binary.txt": "binary",
    "13-cp1252.txt": "",
    "14-utf16.txt": "",
    "15-undecodable.txt": "bad_encoding",
    "16-too-large.txt": "too_large",
    "quito-quake": "",
}


def test_every_input_article_gives_one_row_with_its_reason(mixed: Path) -> None:
    items = run(mixed, Settings(max_file_bytes=1000))
    got = {item.source_id: ("" if isinstance(item, Article) else item.reason) for item in items}
    assert got == EXPECTED
    assert len(items) == len(EXPECTED)  # inputs == accepted + rejected
    for item in items:
        if isinstance(item, Reject):
            assert item.stage == "ingest" and item.message and json.loads(item.detail) is not None


def test_order_is_relative_path_then_line(mixed: Path) -> None:
    ids = [item.source_id for item in run(mixed, Settings(max_file_bytes=1000))]
    assert ids == list(EXPECTED)  # the table above is written in the expected order
    assert ids == [item.source_id for item in run(mixed, Settings(max_file_bytes=1000))]


@pytest.mark.parametrize(
    ("source_id", "fragment"),
    [
        ("02-bad-front-matter.md", "front matter is not valid YAML"),
        ("03-no-date.txt", "no `published` date in its metadata, and it has no dateline"),
        ("04-bad-published.md", "'last Tuesday' is not a date"),
        ("05-broken-sidecar.txt", "sidecar 05-broken-sidecar.json is not valid JSON: Expecting property name"),
        ("06-batch.jsonl:2", "line 2 of 06-batch.jsonl is not valid JSON: Expecting ',' delimiter at column 44"),
        ("wire-3", "line 3 of 06-batch.jsonl has no text: none of text, maintext, body, content, article is there; its fields are id, published, headline"),
        ("06-batch.jsonl:7", "line 7 of 06-batch.jsonl is an array, not a JSON object"),
        ("12-binary.txt", "binary"),
        ("15-undecodable.txt", "not valid UTF-8 (byte 0x81 at position 10)"),
        ("16-too-large.txt", "more than max_file_bytes (1,000)"),
        ("08-table.ods", "not an input format"),
    ],
)
def test_messages_are_for_a_person(mixed: Path, source_id: str, fragment: str) -> None:
    item = by_id(run(mixed, Settings(max_file_bytes=1000)))[source_id]
    assert isinstance(item, Reject) and fragment in item.message, item.message


def test_duplicate_names_the_first_copy(mixed: Path) -> None:
    items = by_id(run(mixed))
    first, dup = items["01-good.md"], items["wire-5"]
    assert isinstance(first, Article) and isinstance(dup, Reject)
    assert dup.article_id == first.article_id
    assert "01-good.md (01-good.md)" in dup.message
    assert json.loads(dup.detail) == {
        "article_id": first.article_id, "first_raw_path": "01-good.md", "first_source_id": "01-good.md",
    }  # fmt: skip


def test_decoded_files_keep_the_article_and_say_how(mixed: Path) -> None:
    items = by_id(run(mixed))
    cp = items["13-cp1252.txt"]
    assert isinstance(cp, Article) and cp.text == "LISBON, March 7, 2022 (AP) — Café owners protested – again."
    assert json.loads(cp.extra) == {"decoded_as": "cp1252"}
    u16 = items["14-utf16.txt"]
    assert isinstance(u16, Article) and u16.text.startswith("ATHENS, March 8, 2022 (AP)")
    assert json.loads(u16.extra) == {"decoded_as": "utf-16"}


def test_too_large_is_not_read(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = Path.read_bytes

    def guarded(self: Path) -> bytes:
        assert self.name != "16-too-large.txt", "an oversized file was read"
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    assert by_id(run(mixed, Settings(max_file_bytes=1000)))["16-too-large.txt"].reason == "too_large"


# ------------------------------------------------------------------ accepted articles: fields
def test_front_matter_article_fields(mixed: Path) -> None:
    a = by_id(run(mixed))["01-good.md"]
    assert isinstance(a, Article)
    assert (a.source_id, a.raw_path, a.language, a.title, a.source) == (
        "01-good.md", "01-good.md", "en", "Bridge closed after barge strike", "Fixture Gazette"
    )  # fmt: skip
    assert (a.published, a.published_date, a.reference_date, a.reference_basis) == (
        "2022-11-14", date(2022, 11, 14), date(2022, 11, 14), "metadata"
    )  # fmt: skip
    dateline = (a.dateline_text, a.dateline_place, a.dateline_agency, a.dateline_date)
    assert dateline == ("PITTSBURGH (AP) —", "Pittsburgh", "AP", None)
    assert json.loads(a.extra) == {"desk": "metro", "tags": ["river", "transport"]}
    assert a.extra == json.dumps({"desk": "metro", "tags": ["river", "transport"]}, sort_keys=True)
    assert a.text.startswith("PITTSBURGH (AP) — A barge") and a.text.endswith("said.  No one was hurt.\n")
    assert a.content_sha256 == hashlib.sha256(a.text.encode()).hexdigest()
    assert a.article_id == article_id_for(a.text) and len(a.article_id) == 17


def test_jsonl_keeps_text_exactly_and_unknown_keys(mixed: Path) -> None:
    items = by_id(run(mixed))
    a = items["wire-1"]
    assert isinstance(a, Article)
    assert a.text == "BERLIN, May 2 (Reuters) - German factory orders fell in March, data showed on Monday.  "
    assert (a.raw_path, a.extra, a.published) == ("06-batch.jsonl", '{"priority": 2}', "2022-05-02T08:00:00+02:00")
    assert (a.reference_date, a.reference_basis, a.dateline_date) == (date(2022, 5, 2), "dateline", date(2022, 5, 2))
    default = items["06-batch.jsonl:5"]
    assert isinstance(default, Article) and default.dateline_text is None and default.reference_basis == "metadata"


def test_sidecar_and_dateline_year(mixed: Path) -> None:
    items = by_id(run(mixed))
    quake = items["quito-quake"]
    assert isinstance(quake, Article) and quake.raw_path == "sub/09-sidecar-meta.txt"
    assert quake.published_date == date(2023, 3, 18)
    assert json.loads(quake.extra) == {"shared_with": ["desk-a", "desk-b"]}
    plain = items["07-plain-dated.txt"]
    assert isinstance(plain, Article) and plain.published is None
    assert (plain.reference_date, plain.reference_basis) == (date(2021, 1, 20), "dateline")


def test_sidecar_and_front_matter_merge_front_matter_wins(tmp_path: Path) -> None:
    write(tmp_path, "s.txt", "---\ntitle: From front matter\n---\nOSLO (AP) — Text.")
    write(tmp_path, "s.json", '{"title": "From sidecar", "published": "2020-02-02", "id": "s1"}')
    (a,) = run(tmp_path)
    assert isinstance(a, Article) and (a.source_id, a.title, a.published) == ("s1", "From front matter", "2020-02-02")


def test_dateline_date_wins_over_published(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\npublished: 2021-01-02T01:00:00+08:00\n---\nMANILA, Dec. 31 (AP) — Fireworks ...")
    (a,) = run(tmp_path)
    assert isinstance(a, Article)
    assert (a.reference_date, a.reference_basis, a.published_date) == (date(2020, 12, 31), "dateline", date(2021, 1, 2))


# ------------------------------------------------------------------ front matter and published, unit level
@pytest.mark.parametrize(
    ("text", "meta", "body"),
    [
        ("---\nid: x\n---\n\nBody\n", {"id": "x"}, "Body\n"),  # one blank separator line is dropped
        ("---\nid: x\n---\nBody", {"id": "x"}, "Body"),
        ("---\r\nid: x\r\n---\r\n\r\n\r\nBody", {"id": "x"}, "\r\nBody"),  # only one
        ("---\n---\nBody", {}, "Body"),
        # the YAML end marker closes too; a YAML date stays the text written
        ("---\npublished: 2020-10-27\n...\nBody", {"published": "2020-10-27"}, "Body"),
        ("No front matter\n---\n", None, "No front matter\n---\n"),
        (" ---\nid: x\n---\n", None, " ---\nid: x\n---\n"),
    ],
)
def test_split_front_matter(text: str, meta: dict | None, body: str) -> None:
    assert split_front_matter(text, "f") == (meta, body)


@pytest.mark.parametrize(
    "text", ["---\nid: x\nBody without a closing line", "---\n- a\n- b\n---\nBody", "---\nkey: [unclosed\n---\nBody"]
)
def test_bad_front_matter(text: str) -> None:
    with pytest.raises(MetadataProblem) as err:
        split_front_matter(text, "f")
    assert err.value.reason == "bad_front_matter"


@pytest.mark.parametrize(
    ("value", "iso", "local"),
    [
        ("2020-10-27", "2020-10-27", date(2020, 10, 27)),
        ("2020-10-27T23:30:00+03:30", "2020-10-27T23:30:00+03:30", date(2020, 10, 27)),  # the date as written
        ("2020-10-27T23:30:00Z", "2020-10-27T23:30:00+00:00", date(2020, 10, 27)),
        ("2020-10-27 08:15", "2020-10-27T08:15:00", date(2020, 10, 27)),
        ("Tue, 27 Oct 2020 22:10:00 -0400", "2020-10-27T22:10:00-04:00", date(2020, 10, 27)),
        (None, None, None),
        ("", None, None),
    ],
)
def test_parse_published(value: str | None, iso: str | None, local: date | None) -> None:
    assert parse_published(value) == (iso, local)


@pytest.mark.parametrize("value", ["yesterday", "2020-13-01", "27/10/2020", 20201027, ["2020-10-27"], True])
def test_bad_published(value: object) -> None:
    with pytest.raises(MetadataProblem) as err:
        parse_published(value)
    assert err.value.reason == "bad_published"


# ------------------------------------------------------------------ JSON Lines details
def test_jsonl_long_line_is_rejected_and_the_next_survives(tmp_path: Path) -> None:
    long = json.dumps({"id": "long", "published": "2020-01-01", "text": "x " * 2000})
    short = json.dumps({"id": "short", "published": "2020-01-01", "text": "A short story."})
    write(tmp_path, "b.jsonl", long + "\n" + short + "\n")
    got = [(i.source_id, getattr(i, "reason", "")) for i in run(tmp_path, Settings(max_file_bytes=500))]
    assert got == [("b.jsonl:1", "too_large"), ("short", "")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"\x00\x01\x02" * 100, "binary"),
        ('\ufeff{"x": 1}\n'.encode(), "no_text"),
    ],
)
def test_jsonl_file_level_cases(tmp_path: Path, content: bytes, reason: str) -> None:
    write(tmp_path, "b.jsonl", content)
    (item,) = run(tmp_path)
    assert isinstance(item, Reject) and item.reason == reason


def test_jsonl_text_types(tmp_path: Path) -> None:
    lines = [{"published": "2020-01-01", "text": 5}, {"published": "2020-01-01", "text": ""}, {"text": "No date here."}]
    write(tmp_path, "b.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    assert [i.reason for i in run(tmp_path)] == ["no_text", "empty", "no_reference_date"]


# ------------------------------------------------------------------ which files are inputs
def test_input_files_and_ignored_names(mixed: Path) -> None:
    names = [p.relative_to(mixed).as_posix() for p in input_files(mixed)]
    assert "README.md" not in names and "_notes.md" not in names
    assert "05-broken-sidecar.json" in names and "sub/09-sidecar-meta.meta.json" in names
    assert names == sorted(names, key=lambda n: n.split("/"))


def test_single_file_input_brings_its_sidecar(mixed: Path) -> None:
    path = mixed / "sub" / "09-sidecar-meta.txt"
    assert input_files(path) == [path, mixed / "sub" / "09-sidecar-meta.meta.json"]
    (a,) = run(path)
    assert isinstance(a, Article) and (a.source_id, a.raw_path) == ("quito-quake", "09-sidecar-meta.txt")


def test_orphan_json_is_an_article_of_its_own(tmp_path: Path) -> None:
    write(tmp_path, "lonely.json", '{"text": "hello"}')  # no text file beside it: not a sidecar (tests/test_formats.py)
    (item,) = run(tmp_path)
    assert isinstance(item, Reject) and item.reason == "no_reference_date" and item.source_id == "lonely.json"


def test_missing_input_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run(tmp_path / "nope")


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.sampled_from(["a.txt", "a.md", "a.jsonl"]))
def test_any_bytes_give_rows_and_never_raise(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), name, data)
        items = run(Path(folder))
    assert items and all(isinstance(i, (Article, Reject)) for i in items)
    if name != "a.jsonl":
        assert len(items) == 1


# ------------------------------------------------------------------ the sample data shipped in data/raw
def test_sample_raw_data_is_all_accepted() -> None:
    items = [i for i in run(RAW) if not i.raw_path.startswith("formats/")]  # one of each format: tests/test_formats.py
    assert all(isinstance(i, Article) for i in items), [i.message for i in items if isinstance(i, Reject)]
    got = {i.source_id: (i.reference_basis, i.dateline_text) for i in items}
    assert len(got) == len(items) == 34
    # the three conflicts of February and March 2023: every dated dateline gives the reference date
    outlets = ("sample-wire-", "sample-herald-", "sample-radio-", "sample-courier-", "sample-monitor-")
    conflict = {k: v for k, v in got.items() if k.startswith(outlets)}
    assert len(conflict) == 27
    assert {k for k, (basis, _) in conflict.items() if basis != "dateline"} == {"sample-radio-2023-02-27-djibo-convoy"}
    assert {k: v for k, v in got.items() if k not in conflict} == {
        "sample-baku-2020-10-18-ganja-toll": ("dateline", "BAKU, Azerbaijan, Oct. 18 –"),
        "sample-memphis-2016-07-17-shooting": ("metadata", "MEMPHIS, Tenn. —"),
        "mehr-2020-10-27-iran-karabakh": ("metadata", "TEHRAN –"),
        "sample-nairobi-2021-04-03-market-fire": ("metadata", "NAIROBI, Kenya (AP) _"),
        "sample-washington-2023-03-02-bus-crash": ("metadata", "WASHINGTON (Reuters) -"),
        "sample-kyiv-2023-03-03-kherson-shelling": ("dateline", "KYIV, Ukraine, March 3 (UNIAN) —"),
        "sample-swat-2023-03-08-floods": ("metadata", None),
    }
    assert len({i.article_id for i in items}) == len(items)


@pytest.mark.parametrize(
    ("record", "source_id", "language", "timezone", "extra"),
    [
        ({"text": "Text one."}, "b.jsonl:1", "en", None, {}),
        ({"id": 42, "text": "Text one.", "language": "en-GB", "timezone": "Europe/London"}, "42", "en", "Europe/London",
         {"language_declared": "en-GB"}),
        ({"id": "x", "text": "Text one.", "Source": "case matters", "gold": {"killed": 2}}, "x", "en", None,
         {"Source": "case matters", "gold": {"killed": 2}}),
        ({"id": "y", "text": "Text one.", "source": None, "language": ""}, "y", "en", None, {}),
    ],
)  # fmt: skip
def test_metadata_defaults_and_extra(
    tmp_path: Path, record: dict, source_id: str, language: str, timezone: str | None, extra: dict
) -> None:
    write(tmp_path, "b.jsonl", json.dumps({"published": "2020-01-01", **record}) + "\n")
    (a,) = run(tmp_path)
    assert isinstance(a, Article)
    assert (a.source_id, a.language, a.timezone, json.loads(a.extra)) == (source_id, language, timezone, extra)
    assert a.text == "Text one." and a.source is None


@pytest.mark.parametrize(
    "meta, expected",
    [
        ({"published": "2021-03-02", "reference_date": "2020-01-01"}, "2021-03-02"),
        ({"reference_date": "2016-07-17"}, "2016-07-17"),
        ({"date": "2019-05-04T10:00:00Z"}, "2019-05-04"),
        ({"pub_date": "Tue, 27 Oct 2020 14:05:00 +0330"}, "2020-10-27"),
    ],
)
def test_published_aliases_give_the_reference_date(tmp_path, meta, expected):
    from pipeline.ingest import ingest
    from pipeline.settings import Settings

    line = json.dumps({"id": "x", "text": "Two men were hurt in a crash on Monday, police said.", **meta})
    (tmp_path / "b.jsonl").write_text(line + "\n")
    (article,) = list(ingest(tmp_path, Settings()))
    assert article.reference_date.isoformat() == expected and article.reference_basis == "metadata"
    assert all(k in json.loads(article.extra) for k in meta if k != "published")
