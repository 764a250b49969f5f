"""Dating casualty figures: the incident's day, a running total's period, or undated.

A figure's date is the date of the incident that caused it (DESIGN.md "Casualty figures"):

- `sentence` / `context`: the date of the event the figure belongs to, when that event was dated by
  its own sentence or by an incident told elsewhere in the article.
- `period`: a running total covers a period. Its start is the stated start ("since Sept. 27", "since
  the start of this year", "over the past month" = the reference date less a month); "since the war
  began" takes the start the article gives elsewhere ("the war began on March 3", "since March 3");
  with no stated start the start is null. Its end is the stated as-of date ("as of October 7", "up to
  Monday") or else the reference date.
- "Overnight into Tuesday" is the Monday and the Tuesday.
- A toll over a stretch of hours or days ending at the report ("in the past 24 hours", "over the
  previous 48 hours", "in three days") covers those days: the reference date less the stretch, to
  the reference date (24 hours: the day before and the day of the report).
- `reference`: the text dates nothing; the reference date stands in and readers treat the figure as
  undated.

Hand-written because no date library reads "since"/"as of" scopes or news-style stretches of time
against an article's own reference date; the words live in rules/en/extract/periods.yaml.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.extract.numbers import number_value
from pipeline.extract.rules import load, lowered, search_folded
from pipeline.records import Mention

_P = load("periods")


def _join(key: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in _P[key]), re.IGNORECASE)


_SINCE = _join("since_before")  # just before a mention that starts a period
_AS_OF = _join("as_of_before")  # just before a mention that ends one
_WAR_START = _join("war_start_around")  # a sentence that dates the start of the war / the escalation
_WAR_START_LOW = lowered(_WAR_START.pattern)  # the same on lower-cased text (faster: see `rules.lowered`)
_SINCE_WAR = _join("since_war")  # "since the war began", "since the start of the offensive"
_STRETCH = re.compile(_P["stretch"], re.IGNORECASE)
_DURING = re.compile(r"\b(?:during|over|in|throughout|across|within)\s+(?:the\s+)?$", re.IGNORECASE)  # "in the past 24 hours", "over the last month"
_UNITS = {"hour": "hours", "hours": "hours", "day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
          "month": "months", "months": "months", "year": "years", "years": "years"}


@dataclass(frozen=True, slots=True)
class FigureDate:
    """When a figure happened: an interval (either end may be null), its precision and where it came from."""

    start: datetime.date | None
    end: datetime.date | None
    precision: str | None
    basis: str  # sentence | context | period | reference


def _minus(day: datetime.date, n: int, unit: str) -> datetime.date:
    if unit == "hours":
        return day - datetime.timedelta(days=max(1, round(n / 24)))
    if unit == "days":
        return day - datetime.timedelta(days=max(0, n - 1))
    if unit == "weeks":
        return day - datetime.timedelta(weeks=n)
    months = n if unit == "months" else 12 * n
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    last = (datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(y, m, min(day.day, last))


def stretch(sentence: str, reference: datetime.date) -> tuple[datetime.date, str, str] | None:
    """(start, unit, words) of a stretch ending at the report ("in the past 24 hours"), if the sentence tells one."""
    m = _STRETCH.search(sentence)
    if not m:
        return None
    n_words = m.group("n") or m.group("n2")
    unit = _UNITS[(m.group("unit") or m.group("unit2")).lower()]
    n = 1 if not n_words else number_value(n_words)
    if n is None or n <= 0:
        return None
    return _minus(reference, n, unit), unit, m.group(0)


def _mentions_in(mentions: Sequence[Mention], dated: Sequence[int], s0: int, s1: int) -> list[int]:
    """The mentions of [s0, s1): `dated` is in text order, so by bisection (linear in the article overall)."""
    lo = bisect_left(dated, s0, key=lambda i: mentions[i].char_start)
    hi = bisect_left(dated, s1, lo, key=lambda i: mentions[i].char_start)
    return list(dated[lo:hi])


def war_start(text: str, mentions: Sequence[Mention], dated: Sequence[int], sentences: Sequence[tuple[int, int]],
              reference: datetime.date) -> datetime.date | None:
    """The start date the article gives for the war, offensive or escalation it reports on, if any:
    the first day- or month-precision date after "since", else one in a sentence that tells a start."""
    since = []
    for i in dated:
        m = mentions[i]
        # "since yesterday" counts a day, not a war: a start is a week or more before the report.
        if m.precision in ("day", "month") and m.date_start is not None and (reference - m.date_start).days >= 7 and _SINCE.search(
                text[max(0, m.char_start - 30) : m.char_start]):
            since.append(m.date_start)
    # Sentences and `dated` are both in text order: one walk finds each sentence's mentions.
    starts = [mentions[i].char_start for i in dated]
    k = 0
    for s0, s1 in sentences:
        k = bisect_left(starts, s0, k)
        # The sentence's first date that can tell a start, searched for a start cue only then (cheaper).
        first = None
        for j in range(k, bisect_left(starts, s1, k)):
            m = mentions[dated[j]]
            if m.precision in ("day", "month", "part_of_month") and m.date_start is not None:
                first = m.date_start
                break
        if first is not None and search_folded(_WAR_START, _WAR_START_LOW, text[s0:s1]):
            return first
    return next((d for d in since if d is not None), None)


def period(
    text: str,
    s0: int,
    s1: int,
    f0: int,
    f1: int,
    reference: datetime.date,
    mentions: Sequence[Mention],
    dated: Sequence[int],
    war: datetime.date | None,
) -> FigureDate:
    """The period of a running total [f0, f1) told in sentence [s0, s1): a stated start ("since"), else
    the stretch or named interval nearest the figure ("in three days", "during the weekend"), else the
    war's start when the sentence counts from it."""
    start = end = None
    intervals = []  # (distance to the figure, start, end)
    for i in _mentions_in(mentions, dated, s0, s1):
        m = mentions[i]
        before = text[max(s0, m.char_start - 30) : m.char_start]
        if _SINCE.search(before):
            start = m.date_start if start is None else start
        elif _AS_OF.search(before):
            end = m.date_end if end is None else end
        elif (m.precision in ("week", "part_of_month", "month") and m.date_start is not None
              and _DURING.search(text[max(s0, m.char_start - 12) : m.char_start])):
            intervals.append((_distance(m.char_start, m.char_end, f0, f1), m.date_start, m.date_end, m.char_start))
    sentence = text[s0:s1]
    if start is None:
        found = stretch(sentence, reference)
        if found is not None and found[1] != "hours":
            k = _STRETCH.search(sentence)
            a, b = s0 + k.start(), s0 + k.end()
            # "over the past month" is a stretch ending at the report, not the calendar month before it
            intervals = [x for x in intervals if not a <= x[3] < b]
            intervals.append((_distance(a, b, f0, f1), found[0], reference, a))
        if intervals:
            _, start, last, _ = min(intervals, key=lambda x: x[0])
            end = end or last
    if start is None and war is not None and (_SINCE_WAR.search(sentence) or _WAR_START.search(sentence)):
        start = war
    return FigureDate(start, end or reference, "day" if start is not None else None, "period")


def _distance(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, a0 - b1, b0 - a1)


_INTO = re.compile(r"\bovernight\s+(?:from\s+\w+\s+)?(?:into|to)\s+$", re.IGNORECASE)


def overnight_into(text: str, s0: int, s1: int, mentions: Sequence[Mention], dated: Sequence[int]) -> FigureDate | None:
    """"Overnight into Tuesday": the night from the day before to that day."""
    for i in _mentions_in(mentions, dated, s0, s1):
        m = mentions[i]
        if m.precision == "day" and m.date_start is not None and _INTO.search(text[max(s0, m.char_start - 30) : m.char_start]):
            return FigureDate(m.date_start - datetime.timedelta(days=1), m.date_start, "day", "sentence")
    return None


def day_stretch(text: str, s0: int, s1: int, reference: datetime.date) -> FigureDate | None:
    """A single toll over the hours or days ending at the report ("59 killed in the past 24 hours")."""
    found = stretch(text[s0:s1], reference)
    if found is None or found[1] not in ("hours", "days"):
        return None
    return FigureDate(found[0], reference, "day", "sentence")
