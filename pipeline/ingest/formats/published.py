"""Publication dates in the forms people store them, to ISO text; never the clock, never a guess per record.

`metadata.parse_published` reads ISO dates and datetimes and RFC 2822 (what feeds write). This module reads the
rest of what exports and scrapers hold, and gives ISO text that `parse_published` then reads:

| written | read as |
|---|---|
| `October 16, 2020`, `Oct. 16 2020`, `Friday, Oct 16th, 2020` | 2020-10-16 |
| `19 Oct 2020`, `19 October, 2020`, `Mon 19 Oct. 2020` | 2020-10-19 |
| `15/10/2020`, `15.10.2020`, `15-10-2020` | 2020-10-15 with `published_day_first` (the default); month first without |
| `2020/10/15`, `2020.10.15` | 2020-10-15 (year first is never ambiguous) |
| any of these + `14:05`, `2:05 pm`, `14:05:30 +0300`, `14:05 UTC` | a datetime (an offset when one is written) |
| `1602849600`, `1602849600.5` (9-10 digits) | epoch seconds, UTC |
| `1602849600000` (12-13 digits) | epoch milliseconds, UTC |

The order of day and month in numeric dates is a setting (`published_day_first`), never decided per record from
the numbers, so `05/06/2020` means the same in every row. Everything else is a `bad_published` reject whose
message shows the value: two-digit years (`16/10/20`), a day the month does not have, epoch numbers of other
lengths, a date without a day, a year outside 1800-2100, words (`yesterday`). The standard library does the
calendar (`datetime`); the shapes are a few regular expressions, since `dateutil` and `dateparser` both guess
(day/month order, missing parts filled from the current date).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

FIRST_YEAR, LAST_YEAR = 1800, 9999  # years this parser reads; the plausible range is the setting published_max_year, checked after

MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
         ("nov", "november"), ("dec", "december")),
        start=1,
    )
    for name in names
}  # fmt: skip
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?|monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+"
_MONTH = r"(?P<month>[a-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_TIME = (
    r"(?:(?:,\s*|\s+)(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?"
    r"(?:\s*(?P<zone>[zZ]|[+-]\d{2}:?\d{2}|utc|gmt|[a-z]{2,5}))?)?"
)
_SHAPES = (
    re.compile(rf"(?:{_WEEKDAY})?{_MONTH}\s+{_DAY},?\s+{_YEAR}{_TIME}", re.I),  # October 16, 2020
    re.compile(rf"(?:{_WEEKDAY})?{_DAY}\s+{_MONTH},?\s+{_YEAR}{_TIME}", re.I),  # 16 October 2020
)
_NUMERIC = re.compile(r"(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})" + _TIME, re.I)
_EPOCH = re.compile(r"(?P<int>\d+)(?:\.\d+)?")


class PublishedForm(ValueError):
    """A value that is no publication date; the message says why (the caller names the key and value)."""


def _year(value: int) -> int:
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise PublishedForm(f"the year {value} is implausible for a publication date (before 1800)")
    return value


def _clock(m: re.Match[str]) -> time | None:
    """The time of day written after the date, with its offset when it has one; None for none."""
    if not m.group("hour"):
        return None
    hour, minute, second = int(m.group("hour")), int(m.group("minute")), int(m.group("second") or 0)
    ampm = (m.group("ampm") or "").replace(".", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise PublishedForm(f"{hour} {ampm} is not a time of day")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise PublishedForm(f"{hour}:{minute:02d}:{second:02d} is not a time of day")
    zone = (m.group("zone") or "").lower()
    tz = None
    if zone in ("z", "utc", "gmt"):
        tz = timezone.utc
    elif zone[:1] in "+-" and zone:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset >= timedelta(hours=24):
            raise PublishedForm(f"{m.group('zone')} is not a UTC offset")
        tz = timezone(-offset if zone[0] == "-" else offset)
    elif zone:  # "EDT", "CET": names that are not one offset everywhere; the date as written is kept
        return None
    return time(hour, minute, second, tzinfo=tz)


def _iso(day: date, clock: time | None) -> str:
    return day.isoformat() if clock is None else datetime.combine(day, clock).isoformat()


def _calendar(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise PublishedForm(f"it is not a calendar date ({exc})") from None


def _epoch(value: float, digits: int) -> str:
    if 9 <= digits <= 10:
        seconds = value
    elif 12 <= digits <= 13:
        seconds = value / 1000
    else:
        raise PublishedForm(
            f"a number of {digits} digits is neither epoch seconds (9-10 digits) nor epoch milliseconds (12-13 digits)"
        )
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    _year(moment.year)
    return moment.isoformat()


def loose_published(value: Any, day_first: bool) -> str:
    """ISO text for a publication date written in one of the forms above; PublishedForm says why not."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PublishedForm("it is not text or a number")
    if not isinstance(value, str):
        if value != value or value in (float("inf"), float("-inf")):
            raise PublishedForm("it is not a number")
        if value < 0:
            raise PublishedForm("a negative number is no epoch time this pipeline reads")
        return _epoch(float(value), len(str(int(value))))
    text = " ".join(value.split())
    if m := _EPOCH.fullmatch(text):
        return _epoch(float(text), len(m.group("int")))
    for shape in _SHAPES:
        if m := shape.fullmatch(text):
            month = MONTHS.get(m.group("month").lower())
            if month is None:
                raise PublishedForm(f"{m.group('month')!r} is not an English month name")
            return _iso(_calendar(_year(int(m.group("year"))), month, int(m.group("day"))), _clock(m))
    if m := _NUMERIC.fullmatch(text):
        a, b, c = m.group("a"), m.group("b"), m.group("c")
        if len(a) == 4:  # year first: 2020/10/16
            year, month, day = int(a), int(b), int(c)
        elif len(c) == 4:
            (day, month) = (int(a), int(b)) if day_first else (int(b), int(a))
            year = int(c)
        else:
            raise PublishedForm("it has no four-digit year, so its century is not known")
        clock = _clock(m)
        year = _year(year)
        try:
            return _iso(date(year, month, day), clock)
        except ValueError:
            order = "day/month/year (published_day_first = true)" if day_first else "month/day/year (published_day_first = false)"
            raise PublishedForm(f"read as {order} it is no calendar date") from None
    raise PublishedForm(
        "it is in no form this pipeline reads (ISO 2020-10-16, RFC 2822, October 16, 2020, 16 Oct 2020, 16/10/2020, "
        "epoch seconds or milliseconds)"
    )
