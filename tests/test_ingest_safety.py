"""Nothing a file can do stops the run: odd file types, undecodable names and values, hostile YAML, exotic YAML
types, implausible dates, oversized lines and bad settings each cost one reject (or are a usage error)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import tracemalloc
from dataclasses import fields
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.ingest import ingest, input_files, read_unit, units
from pipeline.ingest.discover import Unit
from pipeline.ingest.metadata import MetadataProblem, parse_published, split_front_matter
from pipeline.ingest.readers import LineSpan, read_text
from pipeline.paths import ROOT
from pipeline.records import Article, Reject
from pipeline.settings import Settings, SettingsError, load_settings

S = Settings()
GOOD = "---\npublished: 2021-03-04\n---\nA fire burnt a barn in Dorvale on Monday.\n"


def run(folder: Path, settings: Settings = S) -> list[Article | Reject]:
    return list(ingest(folder, settings))


def write(folder: Path, name: str | bytes, content: str | bytes) -> None:
    path = os.path.join(os.fsencode(folder), os.fsencode(name))
    with open(path, "wb") as fh:
        fh.write(content.encode("utf-8") if isinstance(content, str) else content)


def strings_encode(item: Article | Reject) -> bool:
    try:
        for f in fields(item):
            value = getattr(item, f.name)
            if isinstance(value, str):
                value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)  # json.dumps writes a lone surrogate as \ud800


# ------------------------------------------------------------------ 1: lone surrogates and non-UTF-8 file names
STORY = "Floods hit Marrow on Friday."
SURROGATES = [  # files, then per source_id: reason ("" = accepted) and fields that must read so
    ({"a.md": '---\npublished: 2021-03-04\ntitle: "Mayor \\ud800 quits"\n---\nThe mayor of Tolven quit on Monday.\n'},
     {"a.md": ("", {"title": "Mayor \\ud800 quits"})}),
    ({"b.jsonl": jsonl({"id": "s1", "published": "2021-03-04", "source": "\ud800Wire", "text": STORY})},
     {"s1": ("", {"source": "\\ud800Wire"})}),
    ({"b.jsonl": jsonl({"id": "s2", "published": "2021-03-04", "tags": ["x\udfff", {"\ud800": 1}], "text": STORY})},
     {"s2": ("", {"extra": '{"tags": ["x\\\\udfff", {"\\\\ud800": 1}]}'})}),
    ({"b.jsonl": jsonl({"id": "s3", "published": "2021-03-04", "text": "Floods \ud800 hit Marrow."})},
     {"s3": ("bad_encoding", {})}),
    ({"b.jsonl": jsonl({"id": "\ud800", "published": "2021-03-04"})}, {"\\ud800": ("no_text", {})}),
    ({"c.txt": STORY, "c.json": '{"published": "2021-03-04", "source": "\\ud800"}'},
     {"c.txt": ("", {"source": "\\ud800"})}),
    ({"a.md": '---\nid: "\\udc80"\npublished: someday\n---\nThe mayor of Tolven quit.\n'},
     {"\\udc80": ("bad_published", {})}),
    ({b"caf\xe9.md": GOOD}, {"caf\\xe9.md": ("", {"raw_path": "caf\\xe9.md"})}),
    ({b"n\xff.jsonl": "{not json\n"}, {"n\\xff.jsonl:1": ("bad_json", {"raw_path": "n\\xff.jsonl"})}),
]  # fmt: skip


@pytest.mark.parametrize(("files", "expected"), SURROGATES)
def test_unencodable_text_is_escaped_or_rejected_never_passed_on(tmp_path, files, expected):
    for name, content in files.items():
        write(tmp_path, name, content)
    items = run(tmp_path)
    assert all(strings_encode(i) for i in items), [i for i in items if not strings_encode(i)]
    got = {i.source_id: i for i in items}
    assert {k: getattr(v, "reason", "") for k, v in got.items()} == {k: r for k, (r, _) in expected.items()}
    for source_id, (_, values) in expected.items():
        assert {k: getattr(got[source_id], k) for k in values} == values


def test_a_run_over_unencodable_inputs_finishes(tmp_path):
    raw = tmp_path / "raw"
    for k, (files, _) in enumerate(SURROGATES):  # one folder per case: names repeat across cases
        (raw / f"case{k}").mkdir(parents=True)
        for name, content in files.items():
            write(raw / f"case{k}", name, content)
    args = ["run", "--input", str(raw), "--output", str(tmp_path / "out"), "--work", str(tmp_path / "work")]
    assert main([*args, "--engine", "serial", "--quiet"]) == 1  # finished, with rejects (not 70: crashed)
    csv = (tmp_path / "out" / "articles.csv").read_text(encoding="utf-8")
    assert "Mayor \\ud800 quits" in csv and "caf\\xe9.md" in csv


# ------------------------------------------------------------------ 2: only regular files are opened
def _fifo(d: Path) -> None:
    os.mkfifo(d / "x.txt")


def _dev_zero(d: Path) -> None:
    (d / "z.txt").symlink_to("/dev/zero")


def _dangling(d: Path) -> None:
    (d / "d.txt").symlink_to("nowhere.txt")


def _loop(d: Path) -> None:
    (d / "l1.txt").symlink_to("l2.txt")
    (d / "l2.txt").symlink_to("l1.txt")


def _socket(d: Path) -> None:
    cwd = os.getcwd()
    os.chdir(d)  # a relative name keeps the socket path short
    try:
        socket.socket(socket.AF_UNIX).bind("s.txt")
    finally:
        os.chdir(cwd)


def _outside(d: Path) -> None:
    (d.parent / "elsewhere.txt").write_text(GOOD.replace("barn", "mill"))
    (d / "o.txt").symlink_to(d.parent / "elsewhere.txt")


def _fifo_sidecar(d: Path) -> None:
    (d / "c.txt").write_text("TOLVEN, March 2, 2021 (Wire) - Floods hit Marrow on Friday.\n")
    os.mkfifo(d / "c.json")


def _inside(d: Path) -> None:
    (d / "_store").mkdir()
    (d / "_store" / "kept.md").write_text(GOOD.replace("barn", "mill"))
    (d / "k.md").symlink_to(Path("_store") / "kept.md")


ODD_FILES = [  # maker, {name: expected unit kind}, {source_id: reason} with the defaults, then with outside links
    (_fifo, {"x.txt": "unreadable"}, {"x.txt": "unreadable"}, {"x.txt": "unreadable"}),
    (_dev_zero, {"z.txt": "unreadable"}, {"z.txt": "unreadable"}, {"z.txt": "unreadable"}),
    (_dangling, {"d.txt": "unreadable"}, {"d.txt": "unreadable"}, {"d.txt": "unreadable"}),
    (_loop, {"l1.txt": "unreadable", "l2.txt": "unreadable"}, {"l1.txt": "unreadable", "l2.txt": "unreadable"},
     {"l1.txt": "unreadable", "l2.txt": "unreadable"}),
    (_socket, {"s.txt": "unreadable"}, {"s.txt": "unreadable"}, {"s.txt": "unreadable"}),
    (_outside, {"o.txt": "unreadable"}, {"o.txt": "unreadable"}, {"o.txt": ""}),
    (_fifo_sidecar, {"c.json": "unreadable", "c.txt": "text"}, {"c.json": "unreadable", "c.txt": ""},
     {"c.json": "unreadable", "c.txt": ""}),
    (_inside, {"k.md": "text"}, {"k.md": ""}, {"k.md": ""}),
]  # fmt: skip


@pytest.mark.parametrize("make", [m for m, *_ in ODD_FILES], ids=lambda m: m.__name__)
def test_a_whole_run_over_odd_files_finishes_with_rejects(tmp_path, make):
    """The batched run stats, hashes and reads every unit: an odd file must cost its own reject, not the run."""
    raw = tmp_path / "raw"
    raw.mkdir()
    write(raw, "good.md", GOOD)
    make(raw)
    args = ["run", "--input", str(raw), "--output", str(tmp_path / "out"), "--work", str(tmp_path / "work")]
    assert main([*args, "--engine", "serial", "--quiet"]) in (0, 1)  # finished (never hung, never 70)
    assert (tmp_path / "out" / "articles.parquet").is_file()


@pytest.mark.parametrize(("make", "kinds", "default", "followed"), ODD_FILES)
def test_only_regular_files_are_opened(tmp_path, make, kinds, default, followed):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text(GOOD)
    make(folder)
    # decided before anything is opened: a regression fails here instead of hanging on a FIFO
    assert {u.rel: u.kind for u in units(folder) if u.rel != "a.md"} == kinds
    readable = [p.name for p in input_files(folder)]
    assert not {name for name, kind in kinds.items() if kind == "unreadable"} & set(readable)
    for settings, expected in ((S, default), (Settings(follow_symlinks_outside_input=True), followed)):
        got = {i.source_id: getattr(i, "reason", "") for i in run(folder, settings)}
        assert got == {"a.md": "", **expected}


def test_a_fifo_swapped_in_after_discovery_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "x.txt")
    result: list[Article | Reject] = []
    reader = threading.Thread(target=lambda: result.append(read_text(Unit("text", tmp_path / "x.txt", "x.txt"), S)))
    reader.daemon = True
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert result[0].reason == "unreadable" and "not a regular file" in result[0].message


# ------------------------------------------------------------------ 5: YAML aliases are bounded
def _laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 9)}]" for k in range(1, levels + 1)]
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("yaml_block", "limit", "fragment"),
    [
        (_laughs(9), 2_000_000, "expands to more than 2,000,000 characters"),
        (_laughs(3), 1000, "expands to more than 1,000 characters"),
        ("a: &a [1, *a]", 2_000_000, "refers to itself"),
        ("a: &a {b: *a}", 2_000_000, "refers to itself"),
    ],
)
def test_front_matter_aliases_are_bounded(yaml_block, limit, fragment):
    with pytest.raises(MetadataProblem, match=fragment) as err:
        split_front_matter(f"---\n{yaml_block}\n---\nBody.\n", "a.md", limit)
    assert err.value.reason == "bad_front_matter"


def test_ordinary_aliases_still_read():
    meta, _ = split_front_matter("---\nbase: &b {source: Wire}\nother: {<<: *b, title: T}\n---\nBody.\n", "a.md")
    assert meta == {"base": {"source": "Wire"}, "other": {"source": "Wire", "title": "T"}}


def test_billion_laughs_file_is_one_reject(tmp_path):
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", f"---\npublished: 2021-03-04\n{_laughs(6)}\n---\nA riot in Pellum on Sunday.\n")
    got = {i.source_id: (getattr(i, "reason", ""), len(getattr(i, "extra", ""))) for i in run(tmp_path)}
    assert got == {"a.md": ("", 2), "b.md": ("bad_front_matter", 0)}


# ------------------------------------------------------------------ 10: settings are validated key by key
BAD_SETTINGS = [
    ('fallback_encodings = "utf-8"', "fallback_encodings must be a list of strings"),
    ("fallback_encodings = ['utf-8', 'klingon']", "'klingon' is not a text encoding"),
    ("fallback_encodings = ['rot13']", "'rot13' is not a text encoding"),
    ("fallback_encodings = ['cp1252', 3]", r"fallback_encodings\[1\] must be a non-empty string"),
    ("max_file_bytes = 9223372036854775807", "max_file_bytes must be between 1 and 1,073,741,824"),
    ("max_file_bytes = 0", "max_file_bytes must be between"),
    ("max_batch_file_bytes = 1e12", "max_batch_file_bytes must be int"),
    ("binary_control_ratio = 1.5", "binary_control_ratio must be between"),
    ("binary_control_ratio = nan", "binary_control_ratio must be float"),
    ("min_text_chars = -1", "min_text_chars must be between"),
    ("progress = 'sometimes'", "progress must be one of auto, always, never"),
    ("validation_fail_on_table_errors = 1", "validation_fail_on_table_errors must be true or false"),
    ("published_max_year = 99999", "published_max_year must be between 1800 and 9999"),
    ("follow_symlinks_outside_input = 'yes'", "follow_symlinks_outside_input must be true or false"),
    ("timeline_place_same_km = inf", "timeline_place_same_km must be float"),
    ("timeline_shingle_words = 0", "timeline_shingle_words must be between"),
    ("timeline_syndication_jaccard = 0.0", "syndication thresholds"),
    ("max_file_bytes = ", "not valid TOML"),
]


@pytest.mark.parametrize(("toml", "fragment"), BAD_SETTINGS)
def test_bad_settings_are_errors_naming_the_key(tmp_path, toml, fragment):
    path = tmp_path / "s.toml"
    path.write_text(toml + "\n")
    with pytest.raises(SettingsError, match=fragment):
        load_settings(path)


@pytest.mark.parametrize("toml", [BAD_SETTINGS[0][0], BAD_SETTINGS[4][0]])
def test_bad_settings_file_is_a_usage_error_before_any_work(tmp_path, toml, capsys):
    (tmp_path / "s.toml").write_text(toml + "\n")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.md").write_text(GOOD)
    out = tmp_path / "out"
    args = ["--input", str(tmp_path / "raw"), "--output", str(out), "--work", str(tmp_path / "w")]
    assert main(["run", *args, "--settings", str(tmp_path / "s.toml"), "--quiet"]) == 2
    assert not out.exists() and "settings:" in capsys.readouterr().err


def test_good_settings_still_load(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("fallback_encodings = ['cp1252', 'utf-16']\ntimeline_place_same_km = 3\npublished_max_year = 2200")
    s = load_settings(path)
    assert (s.fallback_encodings, s.timeline_place_same_km, s.published_max_year) == (("cp1252", "utf-16"), 3.0, 2200)


# ------------------------------------------------------------------ 11: non-JSON YAML types, canonically
TRICKY = """---
published: 2021-03-04
tags: !!set {kilo, alpha, juliet, bravo, india, charlie, hotel, delta, golf, echo, foxtrot}
nested: [!!set {zulu, yankee, xray, whiskey}, {1: one, two: 2, null: none}]
when: !!timestamp 2020-01-02
at: !!timestamp 2020-01-02T03:04:05Z
ratio: .nan
high: .inf
low: -.inf
blob: !!binary aGVsbG8=
---
A fire burnt a barn in Dorvale on Monday.
"""
TRICKY_EXTRA = {
    "at": "2020-01-02T03:04:05+00:00",
    "blob": "aGVsbG8=",
    "high": "Infinity",
    "low": "-Infinity",
    "nested": [["whiskey", "xray", "yankee", "zulu"], {"1": "one", "null": "none", "two": 2}],
    "ratio": "NaN",
    "tags": sorted("kilo alpha juliet bravo india charlie hotel delta golf echo foxtrot".split()),
    "when": "2020-01-02",
}
SHOW_EXTRA = "import sys; from pathlib import Path; from pipeline.ingest import ingest; from pipeline.settings import "
SHOW_EXTRA += "Settings; print([a.extra for a in ingest(Path(sys.argv[1]), Settings())])"


def test_yaml_types_become_canonical_json(tmp_path):
    write(tmp_path, "a.md", TRICKY)
    (article,) = run(tmp_path)
    assert json.loads(article.extra) == TRICKY_EXTRA
    assert "NaN" not in article.extra.replace('"NaN"', "")  # valid JSON: no bare NaN


def test_extra_is_the_same_bytes_under_any_hash_seed(tmp_path):
    write(tmp_path, "a.md", TRICKY)
    outs = {
        subprocess.run(
            [sys.executable, "-c", SHOW_EXTRA, str(tmp_path)], cwd=ROOT, capture_output=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }  # fmt: skip
    assert len(outs) == 1, outs


# ------------------------------------------------------------------ 12: plausible published dates only
@pytest.mark.parametrize(
    ("value", "max_year", "fragment"),
    [
        ("Tue, 27 Oct 0000 14:05:00 +0000", 2100, "the year '0000'"),
        ("Tue, 27 Oct 20 14:05:00 +0000", 2100, "the year '20'"),
        ("27 Oct 99 14:05 GMT", 2100, "the year '99'"),
        ("1799-12-31", 2100, "in the year 1799"),
        ("2101-01-01", 2100, "in the year 2101"),
        ("2031-06-01T10:00:00+02:00", 2030, "plausible years 1800-2030"),
        (datetime(1700, 1, 1), 2100, "in the year 1700"),
    ],
)
def test_implausible_published_is_rejected_naming_the_value(value, max_year, fragment):
    with pytest.raises(MetadataProblem, match=fragment) as err:
        parse_published(value, "published", max_year)
    assert err.value.reason == "bad_published" and repr(value) in err.value.message


@pytest.mark.parametrize(
    ("value", "local"),
    [("Tue, 27 Oct 2020 14:05:00 +0330", "2020-10-27"), ("Oct 27, 2020 09:00 GMT", "2020-10-27"),
     ("1800-01-01", "1800-01-01"), ("2100-12-31", "2100-12-31")],
)  # fmt: skip
def test_plausible_published_still_reads(value, local):
    assert parse_published(value)[1].isoformat() == local


def test_published_max_year_is_a_setting(tmp_path):
    write(tmp_path, "a.md", GOOD.replace("2021-03-04", "2150-01-01"))
    assert run(tmp_path)[0].reason == "bad_published"
    assert isinstance(run(tmp_path, Settings(published_max_year=2200))[0], Article)


# ------------------------------------------------------------------ 13: oversized lines are skipped by streaming
@pytest.mark.parametrize("sliced", [False, True])
def test_an_oversized_line_is_skipped_in_bounded_memory(tmp_path, sliced):
    line = json.dumps({"published": "2021-03-04", "text": "x" * 8_000_000})
    short = json.dumps({"id": "short", "published": "2021-03-04", "text": "A storm hit Varno on Friday."})
    path = tmp_path / "b.jsonl"
    path.write_text(line + "\n" + short + "\n")
    span = LineSpan(0, path.stat().st_size, 1) if sliced else None
    tracemalloc.start()
    try:
        items = list(read_unit(Unit("batch", path, "b.jsonl"), Settings(max_file_bytes=10_000), span))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(i.source_id, getattr(i, "reason", "")) for i in items] == [("b.jsonl:1", "too_large"), ("short", "")]
    assert peak < 1_000_000, f"peak {peak:,} bytes while skipping an 8 MB line"
