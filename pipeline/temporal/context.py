"""What resolvers share: the `Resolved` result, the `Context` they read, lexical helpers and calendar units."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from pipeline.temporal import calendar as cal
from pipeline.temporal.rules import lexicon
from pipeline.temporal.tense import direction


@dataclass(frozen=True, slots=True)
class Resolved:
    """A resolved expression: TIMEX3 type, value and mod, the inclusive date interval, precision and anchor."""

    type: str
    value: str
    mod: str | None = None
    start: date | None = None
    end: date | None = None
    precision: str | None = None
    anchor: str = "reference"


@dataclass(slots=True)
class Context:
    """What a resolver may read: the text, the match's span, the reference date and the article's earlier mentions."""

    text: str
    span: tuple[int, int]
    reference: date
    last_day: date | None = None  # latest earlier day-precision date in the article
    last_day_end: int = -10_000  # where that mention ended
    last_precision: str | None = None  # precision of the latest earlier dated mention
    last_start: date | None = None  # start of the latest earlier dated mention (any precision)
    last_quarter: tuple[int, int] | None = None  # (year, quarter) of the latest quarter mentioned
    last_quarter_end: int = -10_000  # where that mention ended
    # narrative time (see `narrative`): the start and precision of the time the text is talking about (None: the
    # reporting time), where the mention that set it ended, and whether the text has named the reporting time yet
    focus: date | None = None
    focus_precision: str | None = None
    focus_end: int = -10_000
    reporting_seen: bool = False
    _direction: str | None = None
    # the article's directions by span, shared by every Context of one `normalise` call: it asks once while choosing
    # among overlapping matches and again while resolving in text order
    directions: dict[tuple[int, int], str] | None = None

    def direction(self) -> str:
        if self._direction is None:
            memo = self.directions
            if memo is None:
                self._direction = direction(self.text, *self.span)
            else:
                way = memo.get(self.span)
                if way is None:
                    way = memo[self.span] = direction(self.text, *self.span)
                self._direction = way
        return self._direction

    def move_to(self, start: int, end: int) -> None:
        self.span, self._direction = (start, end), None

    def matched(self) -> str:
        return self.text[self.span[0] : self.span[1]]


Groups = dict[str, str | None]
Resolver = Callable[[Groups, dict[str, Any], Context], Resolved | None]


# ---------------------------------------------------------------- lexical helpers


@lru_cache(maxsize=4096)
def key(s: str) -> str:
    """A lexicon key: lowercase, blanks and hyphens as one space, no final period."""
    return _SEPARATORS.sub(" ", s.lower().rstrip(".")).strip()


_SEPARATORS = re.compile(r"[\s-]+")


def number(s: str | None) -> float | None:
    if s is None:
        return None
    k = key(s)
    lex = lexicon()
    if k in lex.numbers:
        return lex.numbers[k]
    if _DIGIT_NUMBER.fullmatch(k):
        return float(k.replace(",", ""))
    parts = k.split(" ")
    if len(parts) == 2 and parts[0] in lex.numbers and parts[1] in lex.numbers:
        return lex.numbers[parts[0]] + lex.numbers[parts[1]]
    return None


def month_of(s: str) -> int:
    return lexicon().months[key(s)]


def weekday_of(s: str) -> int:
    return lexicon().weekdays[key(s)]


def day_of(s: str) -> int:
    return int(_LEADING_DIGITS.match(s).group())  # type: ignore[union-attr]


_DIGIT_NUMBER = re.compile(r"[\d,]+(\.\d+)?")
_LEADING_DIGITS = re.compile(r"\d+")


def ok_month_word(s: str) -> bool:
    """'may', 'march' and short forms count only when capitalised (they are also common words)."""
    k = key(s)
    return k not in lexicon().ambiguous_months or s[:1].isupper()


def ok_weekday_word(s: str) -> bool:
    """Abbreviated weekdays ('Sat.', 'Sun.') only capitalised and with their period."""
    k = key(s)
    if k in lexicon().weekday_abbreviations:
        return s[:1].isupper() and s.endswith(".")
    return True


def fmt_num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


# ---------------------------------------------------------------- year choice


def nearest_year(
    ctx: Context,
    interval_of: Callable[[int], tuple[date, date]],
    tolerance: int = 0,
    future_tolerance: int | None = None,
) -> int:
    """The year putting the interval nearest the reference in the tense's direction.

    Past/neutral: the latest year whose interval starts no later than R + tolerance days. Future: the earliest whose
    interval ends no earlier than R - tolerance days.
    """
    r = ctx.reference
    way = ctx.direction()
    slack = timedelta(days=tolerance)
    if way == "future":
        fslack = slack if future_tolerance is None else timedelta(days=future_tolerance)
        for y in (r.year - 1, r.year, r.year + 1):
            if interval_of(y)[1] >= r - fslack:
                return y
        return r.year + 1
    for y in (r.year + 1, r.year, r.year - 1):
        if interval_of(y)[0] <= r + slack:
            return y
    return r.year - 1


# ---------------------------------------------------------------- dates


def day_resolved(d: date, anchor: str, kind: str = "DATE") -> Resolved:
    return Resolved(kind, cal.day_value(d), None, d, d, "day", anchor)


def unit_value(unit: str, d: date, anchor: str, mod: str | None = None) -> Resolved:
    """The calendar unit containing d, at that unit's precision."""
    if unit == "D":
        return Resolved("DATE", d.isoformat(), mod, d, d, "day", anchor)
    if unit == "W":
        s, e = cal.week_interval(d)
        return Resolved("DATE", cal.iso_week_value(d), mod, s, e, "week", anchor)
    if unit == "M":
        s, e = cal.month_interval(d.year, d.month)
        return Resolved("DATE", cal.month_value(d.year, d.month), mod, s, e, "month", anchor)
    if unit == "Q":
        q = (d.month - 1) // 3 + 1
        s, e = cal.quarter_interval(d.year, q)
        return Resolved("DATE", f"{d.year:04d}-Q{q}", mod, s, e, "quarter", anchor)
    if unit == "DE":
        dec = d.year // 10
        s, e = cal.decade_interval(dec)
        return Resolved("DATE", f"{dec:03d}", mod, s, e, "decade", anchor)
    if unit == "CE":
        c = d.year // 100
        s, e = cal.century_interval(c)
        return Resolved("DATE", f"{c:02d}", mod, s, e, "century", anchor)
    s, e = cal.year_interval(d.year)
    return Resolved("DATE", f"{d.year:04d}", mod, s, e, "year", anchor)


def shift_date(d: date, unit: str, n: int) -> date:
    if unit == "D":
        return d + timedelta(days=n)
    if unit == "W":
        return d + timedelta(weeks=n)
    if unit == "FN":
        return d + timedelta(weeks=2 * n)
    if unit == "M":
        return cal.add_months(d, n)
    if unit == "Q":
        return cal.add_months(d, 3 * n)
    if unit == "Y":
        return cal.add_years(d, n)
    if unit == "DE":
        return cal.add_years(d, 10 * n)
    if unit == "CE":
        return cal.add_years(d, 100 * n)
    raise KeyError(unit)


def quarter_value(y: int, q: int, anchor: str) -> Resolved:
    s, e = cal.quarter_interval(y, q)
    return Resolved("DATE", f"{y:04d}-Q{q}", None, s, e, "quarter", anchor)


def latest_completed_quarter(r: date) -> tuple[int, int]:
    q = (r.month - 1) // 3  # the quarter before the reference's
    return (r.year, q) if q else (r.year - 1, 4)
