"""Resolve a matched expression into a TIMEX3 value and a date interval.

Each resolver takes the match's named groups, the rule's params and a `Context` (text, reference date, earlier
mentions) and returns a `Resolved`, or None when the match is not a temporal expression after all. Resolvers are
named by the rule files' `resolve:` key (see `RESOLVERS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pipeline.temporal import calendar as cal
from pipeline.temporal.rules import lexicon
from pipeline.temporal.tense import direction


@dataclass(frozen=True, slots=True)
class Resolved:
    type: str
    value: str
    mod: str | None = None
    start: date | None = None
    end: date | None = None
    precision: str | None = None
    anchor: str = "reference"


@dataclass(slots=True)
class Context:
    text: str
    span: tuple[int, int]
    reference: date
    last_day: date | None = None  # latest earlier day-precision date in the article
    last_day_end: int = -10_000  # where that mention ended
    last_precision: str | None = None  # precision of the latest earlier dated mention
    last_value: str | None = None
    last_start: date | None = None  # start of the latest earlier dated mention (any precision)
    last_quarter: tuple[int, int] | None = None  # (year, quarter) of the latest quarter mentioned
    last_quarter_end: int = -10_000  # where that mention ended
    _direction: str | None = None

    def direction(self) -> str:
        if self._direction is None:
            self._direction = direction(self.text, *self.span)
        return self._direction

    def matched(self) -> str:
        return self.text[self.span[0] : self.span[1]]


Groups = dict[str, str | None]
Resolver = Callable[[Groups, dict[str, Any], Context], Resolved | None]


# ---------------------------------------------------------------- lexical helpers


def _key(s: str) -> str:
    return re.sub(r"[\s-]+", " ", s.lower().rstrip(".")).strip()


def number(s: str | None) -> float | None:
    if s is None:
        return None
    k = _key(s)
    lex = lexicon()
    if k in lex.numbers:
        return lex.numbers[k]
    if re.fullmatch(r"[\d,]+(\.\d+)?", k):
        return float(k.replace(",", ""))
    parts = k.split(" ")
    if len(parts) == 2 and parts[0] in lex.numbers and parts[1] in lex.numbers:
        return lex.numbers[parts[0]] + lex.numbers[parts[1]]
    return None


def month_of(s: str) -> int:
    return lexicon().months[_key(s)]


def weekday_of(s: str) -> int:
    return lexicon().weekdays[_key(s)]


def day_of(s: str) -> int:
    return int(re.match(r"\d+", s).group())  # type: ignore[union-attr]


def ok_month_word(s: str) -> bool:
    """'may', 'march' and short forms count only when capitalised (they are also common words)."""
    k = _key(s)
    return k not in lexicon().ambiguous_months or s[:1].isupper()


def ok_weekday_word(s: str) -> bool:
    """Abbreviated weekdays ('Sat.', 'Sun.') only capitalised and with their period."""
    k = _key(s)
    if k in lexicon().weekday_abbreviations:
        return s[:1].isupper() and s.endswith(".")
    return True


def _fmt_num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


# ---------------------------------------------------------------- year choice


def nearest_year(
    ctx: Context, interval_of: Callable[[int], tuple[date, date]], tolerance: int = 0, future_tolerance: int | None = None
) -> int:
    """The year putting the interval nearest the reference in the tense's direction.

    Past/neutral: the latest year whose interval starts no later than R + tolerance days. Future: the earliest whose
    interval ends no earlier than R - tolerance days.
    """
    r = ctx.reference
    slack = timedelta(days=tolerance)
    if ctx.direction() == "future":
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


def _day(d: date, anchor: str, kind: str = "DATE") -> Resolved:
    return Resolved(kind, cal.day_value(d), None, d, d, "day", anchor)


def date_mdy(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """Month and day, with or without a year ('Oct. 17', '17 October 2020')."""
    if not ok_month_word(g["month"] or ""):
        return None
    month, day = month_of(g["month"] or ""), day_of(g["day"] or "")
    if g.get("year"):
        year = int(g["year"] or 0)
        if not cal.valid_day(year, month, day):
            return None
        return _day(date(year, month, day), "absolute")
    if not cal.valid_day(2000, month, day):  # 2000 is a leap year: Feb 29 is allowed here
        return None

    def interval(y: int) -> tuple[date, date]:
        d = date(y, month, min(day, cal.last_day(y, month)))
        return d, d

    year = nearest_year(ctx, interval, tolerance=7)
    if not cal.valid_day(year, month, day):
        return None
    return _day(date(year, month, day), "reference")


def date_numeric(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """ISO 2020-10-27 or US 10/27/2020 (day first when the first number cannot be a month)."""
    y = int(g["year"] or 0)
    a, b = int(g["a"] or 0), int(g["b"] or 0)
    m, d = (a, b) if p.get("order") == "ymd" or a <= 12 else (b, a)
    if len(g["year"] or "") == 2:
        y += 1900 if y > 30 else 2000
    if not cal.valid_day(y, m, d):
        return None
    return _day(date(y, m, d), "absolute")


def month_year(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'July 2016'; 'June last year'."""
    if not ok_month_word(g["month"] or ""):
        return None
    month = month_of(g["month"] or "")
    if g.get("yrel"):
        year, anchor = ctx.reference.year + lexicon().relative[_key(g["yrel"] or "")], "reference"
    else:
        year, anchor = int(g["year"] or 0), "absolute"
    s, e = cal.month_interval(year, month)
    return Resolved("DATE", cal.month_value(year, month), None, s, e, "month", anchor)


_WORD_NUM = {"o": 0, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
             "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}


def year_spoken(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """Years written out, as in transcripts: 'nineteen ninety-four', 'the year two thousand'."""
    text = _key(ctx.matched())
    if "thousand" in text:
        y = 2000 + int(number(g.get("ones")) or 0) if g.get("ones") else 2000
    else:
        tens = _key(g.get("tens") or "")
        century = 1900 if "nineteen" in text.split(" ")[:3] and not text.startswith("the year twenty") else 2000
        if text.replace("the year ", "").startswith("twenty"):
            century = 2000
        if tens.startswith("o "):
            n = number(tens[2:])
        else:
            n = _WORD_NUM.get(tens) if tens in _WORD_NUM else number(tens)
        if n is None:
            return None
        y = century + int(n)
    s, e = cal.year_interval(y)
    return Resolved("DATE", f"{y:04d}", None, s, e, "year", "absolute")


def holiday(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """Named holidays, in the year the tense points to (or last/this/next)."""
    spec = lexicon().holidays.get(_key(g["holiday"] or "").replace("’", "'"))
    if spec is None:
        return None

    def day_in(y: int) -> date:
        if isinstance(spec, str) and spec == "us_election":
            return cal.nth_weekday(y, 11, 1, 1) + timedelta(days=1)
        if isinstance(spec, str):
            mm, dd = spec.split("-")
            return date(y, int(mm), int(dd))
        if isinstance(spec, dict):
            return cal.easter(y) + timedelta(days=int(spec["easter"]))
        return cal.nth_weekday(y, int(spec[0]), int(spec[1]), int(spec[2]))

    r = ctx.reference
    rel = _key(g["rel"]) if g.get("rel") else None
    if rel == "last":
        y = r.year if day_in(r.year) < r else r.year - 1
    elif rel == "next":
        y = r.year if day_in(r.year) > r else r.year + 1
    elif rel == "this":
        y = r.year
    else:
        y = nearest_year(ctx, lambda yy: (day_in(yy), day_in(yy)), tolerance=7)
    d = day_in(y)
    return _day(d, "reference")


def month(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    word = g.get("month") or g.get("m2") or ""
    if not ok_month_word(word) or (len(_key(word)) <= 4 and not word[:1].isupper()):
        return None
    m = month_of(word)
    rel = _key(g["rel"]) if g.get("rel") else None
    r = ctx.reference
    if rel is not None:
        shift = lexicon().relative[rel]
        if shift < 0:
            year = r.year if m < r.month else r.year - 1
        elif shift > 0:
            year = r.year if m > r.month else r.year + 1
        else:
            year = r.year
    else:
        year = nearest_year(ctx, lambda y: cal.month_interval(y, m))
    s, e = cal.month_interval(year, m)
    return Resolved("DATE", cal.month_value(year, m), None, s, e, "month", "reference")


def year(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    y = int(g["year"] or 0)
    if not p.get("any_year") and not 1800 <= y <= 2099:
        return None
    s, e = cal.year_interval(y)
    return Resolved("DATE", f"{y:04d}", None, s, e, "year", "absolute")


def year_short(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'98 -> the year in the reference's century window (never more than 20 years ahead)."""
    yy = int(g["yy"] or 0)
    y = (ctx.reference.year // 100) * 100 + yy
    if y > ctx.reference.year + 20:
        y -= 100
    s, e = cal.year_interval(y)
    return Resolved("DATE", f"{y:04d}", None, s, e, "year", "absolute")


def decade(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    if g.get("decade4"):
        d = int((g["decade4"] or "")[:3])
    else:  # "the '80s", "the eighties": the latest such decade not after the reference
        tens = int(g["yy"] or 0) if g.get("yy") else _DECADE_WORDS[_key(g.get("dword") or "")]
        century = ctx.reference.year // 100
        d = century * 10 + tens // 10
        if d * 10 > ctx.reference.year:
            d -= 10
    mod = lexicon().parts.get(_key(g["part"])) if g.get("part") else None
    s, e = cal.decade_interval(d)
    return Resolved("DATE", f"{d:03d}", mod, s, e, "decade", "absolute" if g.get("decade4") else "reference")


_DECADE_WORDS = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
                 "eighties": 80, "nineties": 90}


def century(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    n = int(re.match(r"\d+", g["nth"] or "").group()) if re.match(r"\d", g["nth"] or "") else lexicon().ordinals.get(_key(g["nth"] or ""))  # type: ignore[union-attr]
    if not n:
        return None
    c = n - 1
    s, e = cal.century_interval(c)
    mod = lexicon().parts.get(_key(g["part"])) if g.get("part") else None
    return Resolved("DATE", f"{c:02d}", mod, s, e, "century", "absolute")


# ---------------------------------------------------------------- weekdays, deictics, times of day


def _day_part_suffix(g: Groups) -> str | None:
    if g.get("daypart"):
        return lexicon().day_parts[_key(g["daypart"] or "")]
    return None


def _clock(g: Groups) -> str | None:
    """'7 p.m.' -> '19:00'; 'noon' -> '12:00'; None when no clock time was matched."""
    if g.get("noon"):
        return "12:00" if _key(g["noon"] or "") in {"noon", "midday"} else "24:00"
    if not g.get("hour"):
        return None
    h = int(g["hour"] or 0)
    mnt = int(g["minute"] or 0) if g.get("minute") else 0
    ampm = (g.get("ampm") or "").lower().replace(".", "").replace(" ", "")
    if ampm.startswith("p") and h < 12:
        h += 12
    elif ampm.startswith("a") and h == 12:
        h = 0
    if h > 24 or mnt > 59:
        return None
    return f"{h:02d}:{mnt:02d}"


def _with_time(d: date, g: Groups, anchor: str) -> Resolved:
    clock = _clock(g)
    if clock:
        return Resolved("TIME", f"{d.isoformat()}T{clock}", None, d, d, "day", anchor)
    part = _day_part_suffix(g)
    if part:
        return Resolved("TIME", f"{d.isoformat()}T{part}", None, d, d, "day", anchor)
    return _day(d, anchor)


def weekday(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    word = g["weekday"] or ""
    if not ok_weekday_word(word):
        return None
    wd = weekday_of(word)
    r = ctx.reference
    rel = _key(g["rel"]) if g.get("rel") else None
    shift = lexicon().relative[rel] if rel else None
    if shift is None:
        d = cal.weekday_on_or_after(r, wd) if ctx.direction() == "future" else cal.weekday_on_or_before(r, wd)
    elif shift < 0:
        d = cal.weekday_on_or_before(r - timedelta(days=1), wd)
    elif shift > 0:
        d = cal.weekday_on_or_after(r + timedelta(days=1), wd)
    else:
        d = cal.week_interval(r)[0] + timedelta(days=wd - 1)
    return _with_time(d, g, "reference")


def dayword(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """today / yesterday / tomorrow (with a part of day or clock time), tonight, last night, this morning."""
    if "offset" in p:
        offset = int(p["offset"])
    else:
        offset = lexicon().day_offsets[_key(g["dayword"] or "")]
    d = ctx.reference + timedelta(days=offset)
    if p.get("daypart"):
        return Resolved("TIME", f"{d.isoformat()}T{p['daypart']}", None, d, d, "day", "reference")
    return _with_time(d, g, "reference")


_CLOCK_CONTEXT = 400  # a bare clock time belongs to a day mentioned at most this many characters before


def clock_time(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """A clock time, on the day given beside it, else the latest day mentioned, else the reference day."""
    clock = _clock(g)
    if clock is None:
        return None
    if g.get("weekday"):
        inner = weekday(g, p, ctx)
        if inner is None or inner.start is None:
            return None
        d, anchor = inner.start, "reference"
    elif g.get("dayword"):
        d, anchor = ctx.reference + timedelta(days=lexicon().day_offsets[_key(g["dayword"] or "")]), "reference"
    elif g.get("month") and g.get("day"):
        inner = date_mdy(g, p, ctx)
        if inner is None or inner.start is None:
            return None
        d, anchor = inner.start, inner.anchor
    elif ctx.last_day is not None and ctx.span[0] - ctx.last_day_end <= _CLOCK_CONTEXT:
        d, anchor = ctx.last_day, "previous_mention"
    else:
        d, anchor = ctx.reference, "reference"
    return Resolved("TIME", f"{d.isoformat()}T{clock}", None, d, d, "day", anchor)


# ---------------------------------------------------------------- relative units


def _unit_value(unit: str, d: date, anchor: str, mod: str | None = None) -> Resolved:
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


def _shift(d: date, unit: str, n: int) -> date:
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


def rel_unit(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """last / this / next week, month, quarter, year, weekend."""
    rel = _key(g["rel"]) if g.get("rel") else p.get("rel", "this")
    shift = lexicon().relative[rel] if rel in lexicon().relative else int(p.get("shift", 0))
    unit_word = _key(g.get("unit") or p.get("unit", ""))
    if unit_word == "weekend":
        d = cal.week_interval(ctx.reference)[0] + timedelta(weeks=shift)
        if shift == 0 and rel in {"this"} and ctx.direction() == "past" and ctx.reference.isoweekday() < 5:
            d -= timedelta(weeks=1)
        sat = d + timedelta(days=5)
        return Resolved("DATE", cal.iso_week_value(sat) + "-WE", None, sat, sat + timedelta(days=1), "week")
    unit = lexicon().units.get(unit_word)
    if unit not in {"D", "W", "M", "Q", "Y", "DE", "CE"}:
        return None
    mod = lexicon().parts.get(_key(g["part"])) if g.get("part") else p.get("mod")
    res = _unit_value(unit, _shift(ctx.reference, unit, shift), "reference", mod)
    if mod and unit == "Y" and res.start:
        s, e = cal.part_of_year_interval(res.start.year, mod)
        res = Resolved(res.type, res.value, mod, s, e, "part_of_year", res.anchor)
    return res


def offset(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'three days ago' (from R), 'two days later' / 'a week before' (from the latest day mentioned, else R)."""
    n = number(g.get("num")) if g.get("num") else 1.0
    if n is None or not float(n).is_integer():
        return None
    unit = lexicon().units.get(_key(g.get("unit") or p.get("unit", "")))
    if unit not in {"D", "W", "FN", "M", "Q", "Y", "DE", "CE"}:
        return None
    sign = int(p.get("sign", -1))
    if p.get("anaphoric") and ctx.last_day is not None:
        base, anchor = ctx.last_day, "previous_mention"
    else:
        base, anchor = ctx.reference, "reference"
    d = _shift(base, unit, sign * int(n))
    if unit == "FN":
        unit = "D"
    in_report = ctx.last_quarter is not None and ctx.span[0] - ctx.last_quarter_end < _QUARTER_CONTEXT
    if unit == "Y" and in_report:
        # in a quarterly report "a year ago" / "a year earlier" names the quarter under discussion a year before
        y, qn = ctx.last_quarter
        return _quarter(y + sign * int(n), qn, "previous_mention")
    return _unit_value(unit, d, anchor)


_QUARTER_CONTEXT = 2000  # characters after a quarter mention within which "a year ago" means that quarter


def anaphoric_unit(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'that day', 'later that year', 'the same month': the unit holding the latest dated mention (else nothing)."""
    unit = lexicon().units.get(_key(g.get("unit") or ""))
    if ctx.last_start is None or unit not in {"D", "W", "M", "Q", "Y"}:
        return None
    if unit == "D" and ctx.last_precision != "day":
        return None
    return _unit_value(unit, ctx.last_start, "previous_mention")


def anaphoric_day(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'the next day', 'the day before', 'the following morning': from the latest day mentioned, else R."""
    base, anchor = (ctx.last_day, "previous_mention") if ctx.last_day is not None else (ctx.reference, "reference")
    d = base + timedelta(days=int(p["days"]))
    return _with_time(d, g, anchor)


# ---------------------------------------------------------------- parts, seasons, quarters


def part_of_month(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    if not ok_month_word(g["month"] or ""):
        return None
    mod = lexicon().parts[_key(g["part"] or "")]
    m = month_of(g["month"] or "")
    if g.get("year"):
        y, anchor = int(g["year"] or 0), "absolute"
    else:
        y, anchor = nearest_year(ctx, lambda yy: cal.part_of_month_interval(yy, m, mod)), "reference"
    s, e = cal.part_of_month_interval(y, m, mod)
    return Resolved("DATE", cal.month_value(y, m), mod, s, e, "part_of_month", anchor)


def part_of_year(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    mod = lexicon().parts[_key(g["part"] or "")]
    if g.get("year"):
        y, anchor = int(g["year"] or 0), "absolute"
    else:
        y, anchor = ctx.reference.year + int(p.get("shift", 0)), "reference"
    s, e = cal.part_of_year_interval(y, mod)
    return Resolved("DATE", f"{y:04d}", mod, s, e, "part_of_year", anchor)


def season(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    code = lexicon().seasons[_key(g["season"] or "")]
    r = ctx.reference
    if g.get("year"):
        y, anchor = int(g["year"] or 0), "absolute"
    else:
        anchor = "reference"
        rel = _key(g["rel"]) if g.get("rel") else None
        cur = r.year if not (code == "WI" and r.month <= 2) else r.year - 1
        if rel is None:
            y = nearest_year(ctx, lambda yy: cal.season_interval(yy, code))
        else:
            shift = lexicon().relative[rel]
            if shift == 0:
                y = cur
            elif shift < 0:
                y = cur if cal.season_interval(cur, code)[1] < r else cur - 1
            else:
                y = cur if cal.season_interval(cur, code)[0] > r else cur + 1
    s, e = cal.season_interval(y, code)
    mod = lexicon().parts.get(_key(g["part"])) if g.get("part") else None
    return Resolved("DATE", f"{y:04d}-{code}", mod, s, e, "season", anchor)


def quarter(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    q = lexicon().ordinals.get(_key(g.get("ordinal") or "")) if g.get("ordinal") else int(g.get("q") or 0)
    if not q or not 1 <= q <= 4:
        return None
    if g.get("year") or g.get("year2"):
        return _quarter(int(g.get("year") or g.get("year2") or 0), q, "absolute")
    if g.get("yrel"):
        return _quarter(ctx.reference.year + lexicon().relative[_key(g["yrel"] or "")], q, "reference")
    if g.get("ago"):  # "the year-ago third quarter"
        return _quarter(nearest_year(ctx, lambda yy: cal.quarter_interval(yy, q)) - 1, q, "reference")
    # results are reported after a quarter ends: even in future context the latest quarter stays in view
    return _quarter(nearest_year(ctx, lambda yy: cal.quarter_interval(yy, q), future_tolerance=92), q, "reference")


def half(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    h = lexicon().ordinals.get(_key(g.get("ordinal") or ""))
    if h not in (1, 2, 4):
        return None
    h = 1 if h == 1 else 2
    if g.get("year"):
        y, anchor = int(g["year"] or 0), "absolute"
    else:
        y, anchor = nearest_year(ctx, lambda yy: cal.half_interval(yy, h)), "reference"
    s, e = cal.half_interval(y, h)
    return Resolved("DATE", f"{y:04d}-H{h}", None, s, e, "part_of_year", anchor)


def _quarter(y: int, q: int, anchor: str) -> Resolved:
    s, e = cal.quarter_interval(y, q)
    return Resolved("DATE", f"{y:04d}-Q{q}", None, s, e, "quarter", anchor)


def latest_completed_quarter(r: date) -> tuple[int, int]:
    q = (r.month - 1) // 3  # the quarter before the reference's
    return (r.year, q) if q else (r.year - 1, 4)


def current_unit(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'the quarter', 'the latest period' in a report: the latest quarter mentioned, else the latest completed one."""
    if ctx.last_quarter is not None:
        return _quarter(*ctx.last_quarter, "previous_mention")
    return _quarter(*latest_completed_quarter(ctx.reference), "reference")


# ---------------------------------------------------------------- durations, sets, vague references


def duration(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    unit = lexicon().units.get(_key(g.get("unit") or p.get("unit", "")))
    if unit is None:
        return None
    after = ctx.text[ctx.span[1] : ctx.span[1] + 4].lower()
    if unit == "Q" and (after.startswith(" of") or re.search(r"[a-z]-quarters$", ctx.matched().lower())):
        return None  # fractions: "a quarter of", "three-quarters"
    if unit == "S" and _key(g.get("num") or "") in {"a", "an", "one"}:
        return None  # "a second attack" is an ordinal
    if g.get("vague"):
        v = lexicon().vague_numbers[_key(g["vague"] or "")]
        amount = str(v)
    elif g.get("num"):
        n = number(g["num"])
        if n is None or n <= 0:
            return None
        if unit in {"DE", "CE", "ML", "FN"} and not float(n).is_integer():
            return None
        if g.get("frac"):
            a, b = (g["frac"] or "1/2").split("/")
            n += int(a) / int(b)
        elif re.search(r"and\s+a\s+half", ctx.matched()):
            n += 0.5
        amount = _fmt_num(n)
    else:
        amount = str(p.get("amount", "X"))
    if p.get("plural_only") and not _key(g.get("unit") or "").endswith(("s", "ia", "ies")):
        return None
    conv = {"DE": ("Y", 10), "CE": ("Y", 100), "ML": ("Y", 1000), "FN": ("W", 2)}
    if unit in conv and amount != "X":
        letter, k = conv[unit]
        n2 = float(amount) * k
        amount, unit = _fmt_num(n2), letter
    elif unit == "DE":
        unit = "DE"
    if unit in {"S", "MIN", "H"}:
        value = f"PT{amount}{'M' if unit == 'MIN' else unit}"
    elif unit in {"DE", "CE", "ML"}:
        value = f"P{amount}{unit}"
    else:
        value = f"P{amount}{unit}"
    if "." in amount:  # TIMEX3 has no fractions: 2 1/2 years -> P2Y6M, half an hour -> PT30M
        finer = {"Y": ("M", 12), "M": ("D", 30), "W": ("D", 7), "D": ("H", 24), "H": ("M", 60)}
        if unit in finer:
            whole, part = divmod(float(amount), 1)
            letter, k = finer[unit]
            rest = f"{_fmt_num(round(part * k, 3))}{letter}"
            head = f"{int(whole)}{unit}" if whole else ""
            time_part = unit in {"H"} or letter == "H"
            if unit == "H":
                value = f"PT{head}{rest}"
            elif time_part:
                value = f"P{head}T{rest}" if head else f"PT{rest}"
            else:
                value = f"P{head}{rest}"
    mod = p.get("mod")
    if g.get("approx"):
        mod = _APPROX.get(_key(g["approx"] or ""), mod)
    return Resolved("DURATION", value, mod, None, None, None, "reference")


_APPROX = {
    "about": "APPROX", "around": "APPROX", "roughly": "APPROX", "some": "APPROX", "approximately": "APPROX",
    "nearly": "LESS_THAN", "almost": "LESS_THAN", "less than": "LESS_THAN", "under": "LESS_THAN",
    "up to": "EQUAL_OR_LESS", "no more than": "EQUAL_OR_LESS", "at most": "EQUAL_OR_LESS",
    "more than": "MORE_THAN", "over": "MORE_THAN", "at least": "EQUAL_OR_MORE", "nearly a": "LESS_THAN",
}


def fixed(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """A value given by the rule itself: sets ('daily' P1D), vague references ('now' PRESENT_REF)."""
    return Resolved(p.get("type", "DATE"), str(p["value"]), p.get("mod"), None, None, None, p.get("anchor", "reference"))


def set_weekday(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    if not ok_weekday_word(g["weekday"] or "") or (p.get("plural") and len(_key(g["weekday"] or "")) < 6):
        return None  # "thus" is not a plural of "Thu"
    wd = weekday_of(g["weekday"] or "")
    return Resolved("SET", f"XXXX-WXX-{wd}", None, None, None, None, "reference")


def set_unit(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    unit = lexicon().units.get(_key(g.get("unit") or ""))
    if unit is None:
        return None
    n = number(g.get("num")) if g.get("num") else 1
    if n is None:
        return None
    value = f"PT{_fmt_num(n)}{'M' if unit == 'MIN' else unit}" if unit in {"S", "MIN", "H"} else f"P{_fmt_num(n)}{unit}"
    return Resolved("SET", value, None, None, None, None, "reference")


def unresolved(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """An offset from an event the text does not date ('a week after the war began')."""
    n = number(g.get("num")) if g.get("num") else 1.0
    unit = lexicon().units.get(_key(g.get("unit") or ""))
    if n is None or unit is None:
        return None
    return Resolved("DURATION", f"P{_fmt_num(n)}{unit}", None, None, None, None, "unresolved")


RESOLVERS: dict[str, Resolver] = {
    f.__name__: f
    for f in (
        date_mdy, date_numeric, month_year, month, year, year_short, decade, century, weekday, dayword,
        clock_time, rel_unit, offset, anaphoric_day, anaphoric_unit, holiday, year_spoken, part_of_month, part_of_year, season, quarter, half,
        current_unit, duration, fixed, set_weekday, set_unit, unresolved,
    )
}
