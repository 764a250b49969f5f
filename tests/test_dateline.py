"""Datelines: every example in pipeline/rules/datelines.yaml runs here, plus offsets and invariants."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rulefiles
from pipeline.ingest import RULES_VERSION, parse_dateline
from pipeline.ingest.dateline import load_rules

RULES = load_rules().raw
SHAPE_EXAMPLES = [(shape["id"], ex) for shape in RULES["shapes"] for ex in shape["examples"]]
HEADER_EXAMPLES = [("header", ex) for ex in RULES["header_examples"]]


def _as_date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value  # YAML gives dates already


@pytest.mark.parametrize(
    ("shape_id", "example"),
    SHAPE_EXAMPLES + HEADER_EXAMPLES,
    ids=[f"{s}:{e['text'][:30]}" for s, e in SHAPE_EXAMPLES + HEADER_EXAMPLES],
)
def test_rules_file_examples(shape_id: str, example: dict) -> None:
    got = parse_dateline(example["text"], _as_date(example["published"]))
    assert (got.text, got.place, got.agency, got.date) == (
        example["dateline"], example["place"], example["agency"], _as_date(example["date"])
    )  # fmt: skip
    if got.text is not None:
        assert example["text"][got.char_start : got.char_end] == got.text


@pytest.mark.parametrize(
    ("shape_id", "example"),
    [(s, e) for s, e in SHAPE_EXAMPLES if e["dateline"]],
    ids=[f"{s}:{e['text'][:30]}" for s, e in SHAPE_EXAMPLES if e["dateline"]],
)
def test_each_example_is_read_by_the_shape_it_sits_under(shape_id: str, example: dict) -> None:
    # `Dateline` does not record which shape read it, so the check repeats the choice the file header states: the
    # shape reads exactly this dateline, no other shape reads a longer span there, no earlier one an equal span
    # (place checks left out: a shape they would drop still counts here, which errs on the side of a failure)
    text = example["text"]
    got = parse_dateline(text, _as_date(example["published"]))
    shapes = load_rules().shapes
    ends = {s.id: m.end() if (m := s.pattern.match(text, got.char_start)) else None for s in shapes}
    assert ends[shape_id] == got.char_end, f"{shape_id} does not read {got.text!r}"
    mine = [s.id for s in shapes].index(shape_id)
    for i, s in enumerate(shapes):
        if s.id != shape_id and ends[s.id] is not None:
            assert ends[s.id] < got.char_end or (ends[s.id] == got.char_end and i > mine), f"{s.id} reads it first"


def test_every_shape_has_a_positive_example() -> None:
    for shape in RULES["shapes"]:
        assert any(ex["dateline"] for ex in shape["examples"]), shape["id"]


# The wire styles the project must read, as a reader would write them down.
@pytest.mark.parametrize(
    ("text", "published", "place", "agency", "when"),
    [
        ("TEHRAN – As talks resumed ...", date(2020, 10, 27), "Tehran", None, None),
        ("BAKU, Azerbaijan, Oct. 17 – Shells ...", date(2020, 10, 17), "Baku, Azerbaijan", None, date(2020, 10, 17)),
        ("NAIROBI, Kenya (AP) _ Rain ...", date(2021, 4, 3), "Nairobi, Kenya", "AP", None),
        ("WASHINGTON (Reuters) - The ...", date(2022, 6, 9), "Washington", "Reuters", None),
        ("KYIV, Ukraine, March 3 (UNIAN) — Shells ...", date(2023, 3, 4), "Kyiv, Ukraine", "UNIAN", date(2023, 3, 3)),
        ("LONDON, Jan 5 (Reuters) - Shares ...", date(2022, 1, 5), "London", "Reuters", date(2022, 1, 5)),
        ("GAZA CITY, July 9 (Xinhua) -- Four ...", date(2021, 7, 9), "Gaza City", "Xinhua", date(2021, 7, 9)),
        ("PARIS (AFP) — Unions ...", None, "Paris", "AFP", None),
        ("Beirut, Lebanon (CNN)A blast ...", date(2020, 8, 4), "Beirut, Lebanon", "CNN", None),
        ("MOSCOW, 12 March. /TASS/. Officials ...", date(2022, 3, 12), "Moscow", "TASS", date(2022, 3, 12)),
        ("MOSCOW, March 12. /TASS/. Officials ...", date(2022, 3, 13), "Moscow", "TASS", date(2022, 3, 12)),
        # the year comes from `published`, across a year boundary
        ("HAVANA, Dec. 30 (AP) — A ...", date(2021, 1, 2), "Havana", "AP", date(2020, 12, 30)),
        ("HAVANA, Dec. 30 (AP) — A ...", date(2020, 12, 31), "Havana", "AP", date(2020, 12, 30)),
        ("HAVANA, 29 Feb (AP) — A ...", date(2021, 3, 2), "Havana", "AP", date(2020, 2, 29)),
        ("SEOUL, Oct. 17 (Yonhap) -- A ...", None, "Seoul", "Yonhap", None),
        ("LIMA, Oct. 0 (AP) — A ...", date(2020, 1, 1), "Lima", "AP", None),
        ("LIMA, Oct. 40 (AP) — A ...", date(2020, 1, 1), "Lima", "AP", None),
        ("LIMA, Oct. 10 (AP) — A ...", datetime(2020, 10, 11, 23, 0), "Lima", "AP", date(2020, 10, 10)),
    ],
)
def test_wire_styles(text: str, published: date | None, place: str, agency: str | None, when: date | None) -> None:
    got = parse_dateline(text, published)
    assert (got.place, got.agency, got.date) == (place, agency, when)
    assert got.char_start == 0 and text[: got.char_end] == got.text


@pytest.mark.parametrize(
    "text",
    [
        "Police said the fire started at dawn on Monday.",
        "Officials in Geneva — where the talks were held — declined to comment.",
        "Nairobi is the capital of Kenya (AP) _",  # a sentence, not a dateline
        "Iran's Foreign Ministry announced on Monday that ...",
        "ACME CORP. said quarterly profit rose 5%.",
        "U.S. officials said on Tuesday ...",
        "The Associated Press (AP) reported on Monday ...",
        "\n\n",
        "A-" * 5000 + " — too long to be a place",
    ],
)
def test_ordinary_openings_have_no_dateline(text: str) -> None:
    assert parse_dateline(text, date(2021, 1, 1)).text is None


def test_header_lines_with_windows_line_endings() -> None:
    text = "Storm hits coast\r\n\r\nHAVANA (AP) — Winds ..."
    got = parse_dateline(text, date(2020, 1, 1))
    assert got.text == "HAVANA (AP) —" and text[got.char_start : got.char_end] == got.text


def test_rules_version_is_the_one_version_of_all_rule_files() -> None:
    assert RULES_VERSION == rulefiles.version()[:12]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)))
def test_any_text_gives_a_consistent_dateline(text: str, published: date | None) -> None:
    got = parse_dateline(text, published)
    if got.text is None:
        assert (got.place, got.agency, got.date, got.char_end) == (None, None, None, 0)
    else:
        assert text[got.char_start : got.char_end] == got.text
        assert not text[: got.char_start].strip() or "\n" in text[: got.char_start]
    if got.date is not None and published is not None:
        assert (got.date - published).days <= 7
