"""Calendar arithmetic and TIMEX3 value formatting (pure functions, no clock)."""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta
from functools import lru_cache

SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}
PART_OF_MONTH_DAYS = {"START": (1, 10), "MID": (11, 20), "END": (21, 31)}
PART_OF_YEAR_MONTHS = {"START": (1, 4), "MID": (5, 8), "END": (9, 12)}


@lru_cache(maxsize=4096)  # called for nearly every resolved date; the stdlib's monthrange is slowish
def last_day(year: int, month: int) -> int:
    return _cal.monthrange(year, month)[1]


def month_interval(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, last_day(year, month))


def year_interval(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def quarter_interval(year: int, q: int) -> tuple[date, date]:
    return date(year, 3 * q - 2, 1), month_interval(year, 3 * q)[1]


def half_interval(year: int, h: int) -> tuple[date, date]:
    return date(year, 6 * h - 5, 1), month_interval(year, 6 * h)[1]


def season_interval(year: int, season: str) -> tuple[date, date]:
    """Meteorological seasons; winter Y runs from December Y to the end of February Y+1."""
    first, last = SEASON_MONTHS[season]
    if season == "WI":
        return date(year, 12, 1), month_interval(year + 1, 2)[1]
    return date(year, first, 1), month_interval(year, last)[1]


def part_of_month_interval(year: int, month: int, mod: str) -> tuple[date, date]:
    lo, hi = PART_OF_MONTH_DAYS[mod]
    return date(year, month, lo), date(year, month, min(hi, last_day(year, month)))


def part_of_year_interval(year: int, mod: str) -> tuple[date, date]:
    lo, hi = PART_OF_YEAR_MONTHS[mod]
    return date(year, lo, 1), month_interval(year, hi)[1]


def week_interval(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.isoweekday() - 1)
    return monday, monday + timedelta(days=6)


def decade_interval(decade: int) -> tuple[date, date]:
    """`decade` is the first three digits (198 -> 1980..1989)."""
    return date(decade * 10, 1, 1), date(decade * 10 + 9, 12, 31)


def century_interval(century: int) -> tuple[date, date]:
    """`century` is the first two digits (19 -> 1900..1999), as TIMEX3 writes it."""
    return date(max(century * 100, 1), 1, 1), date(century * 100 + 99, 12, 31)


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, last_day(year, month)))


def add_years(day: date, years: int) -> date:
    year = day.year + years
    return date(year, day.month, min(day.day, last_day(year, day.month)))


def iso_week_value(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def day_value(day: date) -> str:
    return day.isoformat()


def month_value(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def weekday_on_or_before(ref: date, weekday: int) -> date:
    return ref - timedelta(days=(ref.isoweekday() - weekday) % 7)


def weekday_on_or_after(ref: date, weekday: int) -> date:
    return ref + timedelta(days=(weekday - ref.isoweekday()) % 7)


def valid_day(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= last_day(year, month)


def easter(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian computus."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th ISO weekday of a month (n = -1: the last one)."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (n - 1))
    last = date(year, month, last_day(year, month))
    return last - timedelta(days=(last.isoweekday() - weekday) % 7)
