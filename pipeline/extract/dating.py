"""Choosing the temporal mention that dates an event.

- In its sentence: the dated mention nearest the trigger, day precision first. Mentions that date
  the reporting rather than the event ("police said Saturday", "officials on Monday told") are
  passed over.
- From context: for a violent event, the incident date told earlier in the article; otherwise
  (or when none was told) the latest dated mention of the previous sentences, day precision first.
- A coarse sentence date ("in 2016") that contains the incident day told earlier gives way to it.
- Deaths reported after the incident ("died Saturday", "was pronounced dead Sunday") keep the
  incident date told earlier when that is earlier and within a month.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import replace

from pipeline.extract.rules import lowered, search_folded
from pipeline.records import Mention

# A mention directly governed by a speech verb dates the report, not the event.
_SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|say|told|tells|reported|reports|announced|confirmed|added|stated|noted|explained|"
    r"commented|comment|identified|released|reports? say|turned (?:himself|herself) in|surrendered|"
    r"told (?:reporters|journalists|the (?:media|press))|"
    r"(?:was|were) (?:arrested|charged|arraigned))\s+(?:(?:on|late|early|in\s+a\s+\w+)\s+){0,2}$",
    re.IGNORECASE,
)
_SPEECH_BEFORE_LOW = lowered(_SPEECH_BEFORE.pattern)  # the same on lower-cased text (faster: see `rules.lowered`)
_SPEECH_AFTER = re.compile(
    r"^\s*,?\s*(?:(?:have|has|had)\s+)?(?:said|says|say|told|announced|confirmed|released|identified|reported|"
    r"claimed responsibility|claims responsibility|denied responsibility|"
    r"did not comment|declined to comment|would not say|charged|arrested|(?:press|news) (?:conference|briefing|release))\b",
    re.IGNORECASE,
)
# Outcomes that happen after the incident itself.
LATE_DEATH = re.compile(r"\b(?:died|dies|pronounced dead|succumbed|did not survive)\b", re.IGNORECASE)


def is_reporting(text: str, m: Mention) -> bool:
    """Whether a mention dates a statement about the event rather than the event."""
    before = text[max(0, m.char_start - 40) : m.char_start]
    after = text[m.char_end : m.char_end + 40]
    return bool(search_folded(_SPEECH_BEFORE, _SPEECH_BEFORE_LOW, before) or _SPEECH_AFTER.match(after))


# A clock time with no day word ("at 3:40 a.m. local time") takes the reference day by assumption
# only: it names no calendar day, so it dates nothing.
_CLOCK_ONLY = re.compile(
    r"(?:(?:at|around|about|shortly (?:before|after)|before|after|until|by)\s+)?"
    r"(?:\d{1,2}(?:[:.]\d\d)?\s*(?:[ap]\.?\s?m\b\.?|hours?|hrs|h\b|o'clock)?|noon|midnight)"
    r"(?:\s*\(?(?:local time|gmt|utc|[a-z]{2,4}t)\)?)?",
    re.IGNORECASE,
)


# The date of a dateline ("KARSHI, May 4 (Agency) –") is the report's, not an incident's.
_DATELINE_BEFORE = re.compile(r"(?:^|\n)[ \t]*\(?[A-Z][A-Za-z .'’-]{1,40}\)?,(?:[ \t]*[A-Z][A-Za-z .'-]{1,30},)?[ \t]*$")
_DATELINE_AFTER = re.compile(r"[ \t]*(?:\([^()\n]{1,40}\))?[ \t]*(?:[–—-]{1,2}|:)")
# A date that opens or closes a period ("since May 4") is not the day of an incident.
_PERIOD_EDGE = re.compile(r"\b(?:since|until|till|from|as of|through)\s+(?:the\s+)?(?:\w+\s+)?$", re.IGNORECASE)


def period_edge(text: str, m: Mention) -> bool:
    """Whether a mention opens or closes a period ("since May 4", "as of Monday")."""
    return _PERIOD_EDGE.search(text[max(0, m.char_start - 30) : m.char_start]) is not None


def in_dateline(text: str, m: Mention) -> bool:
    # A dateline's place and comma stand within ~80 characters of its line start: look no further back
    # (a scan to the text's start would make a long line of dates quadratic).
    window = max(0, m.char_start - 80)
    newline = text.rfind("\n", window, m.char_start)
    if newline < 0 and window > 0:
        return False
    line_start = newline + 1
    return bool(_DATELINE_BEFORE.search(text[line_start : m.char_start]) and _DATELINE_AFTER.match(text, m.char_end))


def clock_only(m: Mention) -> bool:
    return m.timex_type == "TIME" and _CLOCK_ONLY.fullmatch(m.text.strip()) is not None


def usable(text: str, mentions: Sequence[Mention], furniture: list[tuple[int, int]]) -> list[int]:
    """Indexes of mentions with a date interval, outside page furniture, not dating a report, not a bare clock time."""
    out = []
    starts = [a for a, _ in furniture]  # sentences, so in text order and disjoint: bisect, not a scan
    for i, m in enumerate(mentions):
        if m.date_start is None or m.timex_type not in ("DATE", "TIME") or clock_only(m) or in_dateline(text, m):
            continue
        k = bisect_right(starts, m.char_start)
        if k and m.char_start < furniture[k - 1][1]:
            continue
        if is_reporting(text, m):
            continue
        out.append(i)
    return out


def governing(mentions: Sequence[Mention], dated: list[int], s0: int, s1: int, t0: int, t1: int) -> int | None:
    """The dated mention of sentence [s0, s1) nearest the trigger [t0, t1), day precision first.
    `dated` is in text order (mentions are), so the sentence's mentions are found by bisection."""
    lo = bisect_left(dated, s0, key=lambda i: mentions[i].char_start)
    hi = bisect_left(dated, s1, lo, key=lambda i: mentions[i].char_start)
    inside = dated[lo:hi]
    if not inside:
        return None

    def key(i: int) -> tuple[int, int]:
        m = mentions[i]
        distance = m.char_start - t1 if m.char_start >= t1 else max(0, t0 - m.char_end)
        return (0 if m.precision == "day" else 1, abs(distance))

    return min(inside, key=key)


def previous(mentions: Sequence[Mention], dated: list[int], before: int, days: list[int] | None = None) -> int | None:
    """The latest dated mention before offset `before`, day precision first. `days`, the day-precision
    members of `dated`, may be passed in so a caller asking for many offsets does not rebuild it each time."""
    days = days if days is not None else [i for i in dated if mentions[i].precision == "day"]
    for pool in (days, dated):  # both in text order
        k = bisect_right(pool, before, key=lambda i: mentions[i].char_end)
        if k:
            return pool[k - 1]
    return None


def refines(coarse: Mention, fine: Mention) -> bool:
    """Whether a day-precision date falls inside a coarser interval (so it can stand for it)."""
    return (
        coarse.precision != "day"
        and fine.precision == "day"
        and coarse.date_start is not None
        and coarse.date_end is not None
        and coarse.date_start <= fine.date_start <= coarse.date_end
    )


LEAD_SENTENCES = 10  # a local report tells its day in the lead, not further down
HEADLINE_SENTENCES = 3  # story sentences before the lead that a lead's day can date (headline, deck)


def story_day(text: str, mentions: Sequence[Mention], dated: list[int], story: Sequence[tuple[int, int]],
              reference) -> int | None:
    """The first day-precision date told in a lead sentence of the story (not after the reference, not
    the edge of a period): the day a local report is about when its incident sentence carries no date. A line that is
    little more than dates (a header "Monday, May 4, 2031", a time stamp) is not a story sentence."""
    words = re.compile(r"[^\W\d_]{2,}")
    for a, b in story[:LEAD_SENTENCES]:
        lo = bisect_left(dated, a, key=lambda k: mentions[k].char_start)
        hi = bisect_left(dated, b, lo, key=lambda k: mentions[k].char_start)
        inside = dated[lo:hi]
        candidates = [k for k in inside if mentions[k].precision == "day" and mentions[k].date_start is not None
                      and mentions[k].date_start <= reference and not period_edge(text, mentions[k])]
        if not candidates:
            continue
        dated_words = sum(len(words.findall(mentions[k].text)) for k in inside)
        if len(words.findall(text, a, b)) - dated_words >= 4:
            return candidates[0]
    return None


def first_day(mentions: Sequence[Mention], dated: list[int], reference) -> int | None:
    """The article's first day-precision mention not after the reference date."""
    for i in dated:
        m = mentions[i]
        if m.precision == "day" and m.date_start is not None and m.date_start <= reference:
            return i
    return None


# "Overnight" in a report published on day D is the night into D: a single incident told so
# happened after midnight far more often than before it (and is dated D). The temporal stage reads
# it as the evening of D-1; small-hours clock times resolved against it follow it there. Fighting
# that lasts the night ("overnight clashes", "battles overnight") began the evening before: D-1.
_OVERNIGHT = re.compile(r"(?:early\s+)?overnight", re.IGNORECASE)
_NIGHT_LONG = re.compile(
    r"\b(?:clashes|fighting|battles?|offensive|operations?|raids|shelling|bombardments?|air ?strikes|strikes|"
    r"skirmishes|gunfights|firefights|hostilities)\b", re.IGNORECASE)
_SMALL_HOURS = re.compile(r"\b(?:12|0?[1-5])(?::\d\d)?\s*(?:a\.?\s?m\b\.?)", re.IGNORECASE)


def overnight_to_reference(text: str, mentions: Sequence[Mention], reference) -> list[Mention]:
    """Mentions with "overnight" (and small-hours times read against it) moved from the day
    before the reference date to the reference date, unless they tell night-long fighting."""
    out = list(mentions)
    eve = None
    for i, m in enumerate(mentions):
        if m.date_start is None or m.precision != "day" or (reference - m.date_start).days != 1:
            continue
        if _OVERNIGHT.fullmatch(m.text.strip()):
            around = text[max(0, m.char_start - 25) : m.char_end + 25]
            if _NIGHT_LONG.search(around):
                continue
            eve = m.date_start
        elif not (eve is not None and m.anchor == "previous_mention" and _SMALL_HOURS.search(m.text)):
            continue
        out[i] = replace(m, date_start=reference, date_end=reference)
    return out
