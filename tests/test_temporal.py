"""normalise(): calendar edge cases, the seed article, offsets, determinism and false positives."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.paths import RAW
from pipeline.temporal import normalise

SEED = RAW / "mehr-2020-10-27-iran-karabakh.txt"  # the founding article, shipped in data/raw


def one(text: str, ref: date, span: str):
    found = [m for m in normalise(text, ref) if m.text == span]
    assert found, f"{span!r} not found in {[(m.text, m.value) for m in normalise(text, ref)]}"
    return found[0]


@pytest.mark.parametrize(
    ("text", "ref", "span", "value", "start", "end"),
    [
        # month-day without a year across the year boundary
        ("Troops withdrew on December 30.", date(2021, 1, 2), "December 30", "2020-12-30", date(2020, 12, 30), None),
        ("Talks will resume on January 4.", date(2020, 12, 30), "January 4", "2021-01-04", None, None),
        ("The ceasefire began on January 14.", date(2021, 1, 2), "January 14", "2020-01-14", None, None),
        ("Shelling stopped on January 6.", date(2021, 1, 2), "January 6", "2021-01-06", None, None),  # within a week
        # weekdays
        ("Talks ended on Friday.", date(2020, 10, 30), "Friday", "2020-10-30", None, None),
        ("The rebels attacked Saturday.", date(2020, 10, 30), "Saturday", "2020-10-24", None, None),
        ("The envoy will arrive on Friday.", date(2020, 10, 30), "Friday", "2020-10-30", None, None),
        ("Talks resume next Monday.", date(2020, 10, 25), "next Monday", "2020-10-26", None, None),
        ("Talks resume next Monday.", date(2020, 10, 26), "next Monday", "2020-11-02", None, None),
        ("The strike came last Monday.", date(2020, 10, 26), "last Monday", "2020-10-19", None, None),
        ("The vote is this Thursday.", date(2020, 10, 26), "this Thursday", "2020-10-29", None, None),
        ("The office reopened Thursday.", date(2021, 1, 2), "Thursday", "2020-12-31", None, None),
        # weeks, including ISO week 53 and weeks that straddle years
        ("Prices rose last week.", date(2020, 10, 26), "last week", "2020-W43", date(2020, 10, 19), date(2020, 10, 25)),
        ("Prices rose last week.", date(2021, 1, 4), "last week", "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        ("Prices rose this week.", date(2021, 1, 1), "this week", "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        ("Prices rise next week.", date(2019, 12, 28), "next week", "2020-W01", date(2019, 12, 30), date(2020, 1, 5)),
        # months and years at the boundary
        ("Sales fell last month.", date(2021, 1, 2), "last month", "2020-12", date(2020, 12, 1), date(2020, 12, 31)),
        ("Sales rise next month.", date(2020, 12, 31), "next month", "2021-01", None, None),
        ("Exports fell last year.", date(2021, 1, 2), "last year", "2020", date(2020, 1, 1), date(2020, 12, 31)),
        # leap days
        ("The deal was signed on Feb. 29.", date(2020, 3, 5), "Feb. 29", "2020-02-29", None, None),
        ("Rain fell in late February.", date(2024, 3, 5), "late February", "2024-02", date(2024, 2, 21), date(2024, 2, 29)),
        ("Rain fell in late February.", date(2023, 3, 5), "late February", "2023-02", date(2023, 2, 21), date(2023, 2, 28)),
        ("It happened a year ago.", date(2024, 2, 29), "a year ago", "2023", None, None),
        ("The town fell three days ago.", date(2020, 3, 1), "three days ago", "2020-02-27", None, None),
        ("The town fell three days ago.", date(2021, 3, 1), "three days ago", "2021-02-26", None, None),
        # deictics
        ("Shelling resumed yesterday.", date(2021, 1, 1), "yesterday", "2020-12-31", None, None),
        ("The envoy arrives tomorrow.", date(2020, 12, 31), "tomorrow", "2021-01-01", None, None),
        # seasons: winter spans two years
        ("Fuel ran short last winter.", date(2021, 6, 1), "last winter", "2020-WI", date(2020, 12, 1), date(2021, 2, 28)),
    ],
)
def test_calendar_table(text, ref, span, value, start, end) -> None:
    m = one(text, ref, span)
    assert m.value == value
    if start:
        assert m.date_start == start
    if end:
        assert m.date_end == end


def test_seed_article() -> None:
    text = SEED.read_text(encoding="utf-8")
    ms = normalise(text, date(2020, 10, 27))
    mondays = [m for m in ms if m.text.lower().startswith("monday")]
    assert len(mondays) == 5 and {m.date_start for m in mondays} == {date(2020, 10, 26)}
    late = one(text, date(2020, 10, 27), "late September")
    assert (late.date_start, late.date_end, late.precision) == (date(2020, 9, 21), date(2020, 9, 30), "part_of_month")
    early = one(text, date(2020, 10, 27), "early October")
    assert (early.date_start, early.date_end) == (date(2020, 10, 1), date(2020, 10, 10))
    assert one(text, date(2020, 10, 27), "October 17").value == "2020-10-17"


def test_mentions_are_sorted_non_overlapping_and_exact() -> None:
    text = SEED.read_text(encoding="utf-8") + "\nTwo days later, on Oct. 29, 2020 at 7 p.m. Tuesday, the 1990s ended."
    ms = normalise(text, date(2020, 10, 27))
    assert all(text[m.char_start : m.char_end] == m.text for m in ms)
    assert all(a.char_end <= b.char_start for a, b in zip(ms, ms[1:]))
    assert all(m.rule_id for m in ms)
    assert normalise(text, date(2020, 10, 27)) == ms  # deterministic


@pytest.mark.parametrize(
    "text",
    [
        "Officials said they may agree to a truce.",
        "Protesters will march to the square.",
        "The Sun reported the attack.",
        "A 15-year-old boy and a 40-year-old man were hurt.",
        "The fund paid $27 to 1,500 people.",
        "He scored 2020 points in 1,999 games.",
        "Prices fall as the dollar gains.",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert normalise(text, date(2020, 10, 27)) == []


def test_anaphoric_uses_latest_day_mentioned() -> None:
    text = "The town fell on Oct. 4. The next day the army struck back. Two days later a truce held."
    ms = {m.text: m for m in normalise(text, date(2020, 10, 27))}
    assert ms["The next day"].value == "2020-10-05" and ms["The next day"].anchor == "previous_mention"
    assert ms["Two days later"].value == "2020-10-07"


def test_types_without_interval() -> None:
    ms = {m.text: m for m in normalise("Talks lasted three days; patrols run every Monday and now recently.", date(2020, 10, 27))}
    assert (ms["three days"].timex_type, ms["three days"].value, ms["three days"].date_start) == ("DURATION", "P3D", None)
    assert (ms["every Monday"].timex_type, ms["every Monday"].value) == ("SET", "XXXX-WXX-1")
    assert ms["now"].value == "PRESENT_REF" and ms["recently"].value == "PAST_REF"


def _all_example_text() -> str:
    from pipeline.temporal.rules import rules

    return "\n".join(ex["text"] for r in rules() for ex in r.examples)


@pytest.mark.parametrize("head", ["", "The index is rebalanced every month. "])
def test_windows_find_what_a_full_scan_finds(head: str) -> None:
    from pipeline.temporal import _candidates

    text = head + _all_example_text() + "\n" + SEED.read_text(encoding="utf-8")
    strip = lambda cands: sorted((s, e, i) for s, e, i, _ in cands)  # noqa: E731
    assert strip(_candidates(text)) == strip(_candidates(text, windowed=False))
    for ex in _all_example_text().split("\n"):
        assert strip(_candidates(ex)) == strip(_candidates(ex, windowed=False)), ex


def test_clock_time_uses_a_nearby_day_only() -> None:
    near = normalise("The town fell on Oct. 4 at 3 a.m. local time.", date(2020, 10, 27))
    assert [m.value for m in near if m.timex_type == "TIME"] == ["2020-10-04T03:00"]
    far = "The town fell on Oct. 4. " + "Nothing else happened that week. " * 20 + "Sirens sounded at 3 a.m."
    assert [m.value for m in normalise(far, date(2020, 10, 27)) if m.timex_type == "TIME"] == ["2020-10-27T03:00"]


@pytest.mark.parametrize(
    ("amount", "unit", "value"),
    [(3, "D", "P3D"), (4, "H", "PT4H"), (2, "DE", "P20Y"), (1, "CE", "P100Y"), (2.5, "Y", "P2Y6M"), (0.5, "D", "PT12H"),
     (1.5, "H", "PT1H30M"), (1.5, "D", "P1DT12H"), ("X", "W", "PXW"), ("X", "H", "PTXH"), (2, "FN", "P4W"), (90, "MIN", "PT90M")],
)
def test_duration_values(amount, unit, value) -> None:
    from pipeline.temporal.resolvers import duration_value

    assert duration_value(amount, unit) == value


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("The ministry said on Monday that the envoy will travel.", "Monday", "past"),
        ("The envoy will travel on Monday.", "Monday", "future"),
        ("Elections will be held on Friday.", "Friday", "future"),
        ("The rebels could return as soon as Tuesday.", "Tuesday", "future"),
        ("Officials postponed the vote until Friday.", "Friday", "future"),
        ("Until Thursday, police had not named a suspect.", "Thursday", "past"),
        ("Mr. Smith will succeed Anne B. Jones Feb. 1.", "Feb. 1", "future"),
        ("The fee had been due to expire Friday.", "Friday", "past"),
        ("Aid groups hoped for help in the region, where the Aug. 7 blasts killed 200.", "Aug. 7", "past"),
        ("The town fell to rebels on Sunday.", "Sunday", "past"),
        ("On Sunday the ministers are expected to meet.", "Sunday", "future"),
        ("The bank announced the plan Aug. 21.", "Aug. 21", "past"),
        ("They expect the deal to be completed by Dec. 15.", "Dec. 15", "future"),
        ("Fuel ran out by the end of March.", "March", "past"),
        ("The rebels extended their offer Friday.", "Friday", "past"),
        ("The lenders extended the company $90 million in loans through January.", "January", "future"),
        ("The team planned to leave on Thursday.", "Thursday", "future"),
        ("On Friday, the government planned to pay the first claims.", "Friday", "past"),
        ("Judges set a Jan. 14 return date.", "Jan. 14", "future"),
        ("Schedule for Nov. 9: talks in Geneva.", "Nov. 9", "neutral"),
    ],
)
def test_tense_direction(text: str, span: str, expected: str) -> None:
    from pipeline.temporal.tense import direction

    start = text.index(span)
    assert direction(text, start, start + len(span)) == expected


def test_explicit_dates_read_by_dateparser_are_cached() -> None:
    from pipeline.temporal.dates import parse_explicit_date

    parse_explicit_date.cache_clear()
    text = "The decree of 17.10.2020 was annulled; a new one dated 17.10.2020 replaced it."
    assert [m.value for m in normalise(text, date(2020, 10, 27))] == ["2020-10-17", "2020-10-17"]
    info = parse_explicit_date.cache_info()
    assert info.misses == 1 and info.hits >= 1  # the second copy (and any re-resolution) is a cache hit
    assert parse_explicit_date("31.02.2020", "DMY") is None  # dateparser rejects what is not a calendar day


@pytest.mark.parametrize(
    ("body", "chars"),
    [
        ("abc|d", "[ad]"),
        (r"(?:the\s+)?year", "[ty]"),
        (r"(?<=in\s)march|(?P<m>may)", "[m]"),
        (r"\d+/x", r"[\d]"),
        (r"[0-3]?\d", r"[0-3\d]"),
        ("a*", None),  # can match nothing: no first character to require
        (".x", None),  # any character
        (r"[^a]x", None),
    ],
)
def test_first_chars(body: str, chars: str | None) -> None:
    from pipeline.temporal.rules import first_chars

    assert first_chars(body) == chars


def test_rule_scan_matches_what_the_rule_matches() -> None:
    """`Rule.scan` (start character consumed, first-character lookahead) finds the spans `Rule.regex` finds."""
    from pipeline.temporal.rules import rules

    text = _all_example_text() + "\n" + SEED.read_text(encoding="utf-8")
    for rule in rules():
        subject = text if rule.case_sensitive else text.lower()
        plain = [m.span() for m in rule.regex.finditer(subject)]
        scanned = [(m.start(), m.end() - 1) for m in rule.scan.finditer(" " + subject)]
        assert plain == scanned, rule.id


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("after afternoons aftermath", ["after", "afternoons", "after"]),  # literal stems are prefixes
        ("the market decided", []),  # lexicon words only whole: no "mar(ch)", "dec(ember)"
        ("mondays, a week-long weekend", ["mondays", "week", "weekend"]),
        ("(march) 3-day", ["march", "day"]),
    ],
)
def test_trigger_scan_finds_the_longest_stem_at_word_starts(text: str, hits: list[str]) -> None:
    from pipeline.temporal import _trigger_scan

    assert [m.group(1) for m in _trigger_scan()[0].finditer(" " + text)] == hits
