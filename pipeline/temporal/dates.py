"""Resolvers for calendar expressions: dates, months, years, decades, centuries, holidays, parts, seasons, quarters."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from pipeline.temporal import calendar as cal
from pipeline.temporal.context import (
    Context, Groups, Resolved, day_of, day_resolved, key, latest_completed_quarter, month_of, nearest_year, number,
    ok_month_word, quarter_value, unit_value,
)
from pipeline.temporal.narrative import focus_here, narrative_year
from pipeline.temporal.rules import lexicon, placeholders


def date_mdy(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """Month and day, with or without a year ('Oct. 17', '17 October 2020')."""
    if not ok_month_word(g["month"] or ""):
        return None
    month, day = month_of(g["month"] or ""), day_of(g["day"] or "")
    if g.get("year"):
        year = int(g["year"] or 0)
        if not cal.valid_day(year, month, day):
            return None
        return day_resolved(date(year, month, day), "absolute")
    if not cal.valid_day(2000, month, day):  # 2000 is a leap year: Feb 29 is allowed here
        return None

    def interval(y: int) -> tuple[date, date]:
        d = date(y, month, min(day, cal.last_day(y, month)))
        return d, d

    year, anchor = narrative_year(ctx, interval, tolerance=7)
    if not cal.valid_day(year, month, day):
        return None
    return day_resolved(date(year, month, day), anchor)


def week_of(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'the week of March 6': the (ISO) week holding that date."""
    day = date_mdy(g, p, ctx)
    if day is None or day.start is None:
        return None
    return unit_value("W", day.start, day.anchor)


def list_day(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """The bare second day of a list or range ('April 24 and 25', 'March 3-4'): the first one's month and year."""
    lo = max(0, ctx.span[0] - 48)
    before = ctx.text[lo : ctx.span[0]]
    head = _list_head().search(before.lower())
    if head is None or not ok_month_word(before[head.start("month") : head.end("month")]):
        return None
    month, first, day = month_of(head.group("month")), day_of(head.group("day")), day_of(g["day"] or "")
    if day <= first:
        return None
    if ctx.last_day is not None and ctx.last_day_end == lo + head.end("md") and ctx.last_day.month == month:
        year, anchor = ctx.last_day.year, "previous_mention"
    else:  # the first date is not (yet) a resolved day: only while a match is checked, before text order is known
        year, anchor = ctx.reference.year, "reference"
    if not cal.valid_day(year, month, day):
        return None
    return day_resolved(date(year, month, day), anchor)


@lru_cache(maxsize=1)
def _list_head() -> re.Pattern[str]:
    """A month-day and a list or range connector, ending where the bare day starts (on lowercased text)."""
    ph = placeholders()
    return re.compile(
        rf"(?<![\w.])(?P<md>(?P<month>{ph['month']})\s*(?P<day>{ph['day']})(?:,?\s+{ph['year']})?)"
        r"\s*(?:,\s*)?(?:and|or|&|-|–)\s*$"
    )


def date_numeric(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """ISO 2020-10-27 or US 10/27/2020 (day first when the first number cannot be a month)."""
    y = int(g["year"] or 0)
    a, b = int(g["a"] or 0), int(g["b"] or 0)
    m, d = (a, b) if p.get("order") == "ymd" or a <= 12 else (b, a)
    if len(g["year"] or "") == 2:
        y += 1900 if y > 30 else 2000
    if not cal.valid_day(y, m, d):
        return None
    return day_resolved(date(y, m, d), "absolute")


def date_parsed(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """An explicit date in a shape the lexicon does not read ('17.10.2020', '2020/10/17', '17-Oct-2020'), parsed by
    dateparser: the rules find the string, dateparser only reads it (with the rule's day/month order)."""
    if g.get("month") and not ok_month_word(g["month"] or ""):
        return None
    d = parse_explicit_date(" ".join(ctx.matched().split()), str(p.get("order", "DMY")))
    return None if d is None else day_resolved(d, "absolute")


@lru_cache(maxsize=4096)
def parse_explicit_date(text: str, order: str = "DMY") -> date | None:
    """dateparser's reading of one already-recognised date string (day, month and year all required), cached: a
    parse costs about half a millisecond and news repeats its dates."""
    import dateparser  # imported on first use: most articles never need it

    settings = {"DATE_ORDER": order, "REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True,
                "PREFER_LOCALE_DATE_ORDER": False}
    parsed = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return None if parsed is None else parsed.date()


def month_year(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'July 2016'; 'June last year'."""
    if not ok_month_word(g["month"] or ""):
        return None
    month = month_of(g["month"] or "")
    if g.get("yrel"):
        year, anchor = ctx.reference.year + lexicon().relative[key(g["yrel"] or "")], "reference"
    elif g.get("spoken"):
        spoken = spoken_year(g["spoken"] or "")
        if spoken is None:
            return None
        year, anchor = spoken, "absolute"
    else:
        year, anchor = int(g["year"] or 0), "absolute"
    s, e = cal.month_interval(year, month)
    return Resolved("DATE", cal.month_value(year, month), None, s, e, "month", anchor)


_WORD_NUM = {"o": 0, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
             "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}


def year_spoken(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """Years written out, as in transcripts: 'nineteen ninety-four', 'the year two thousand'."""
    text = key(ctx.matched())
    if "thousand" in text:
        y = 2000 + int(number(g.get("ones")) or 0) if g.get("ones") else 2000
    else:
        tens = key(g.get("tens") or "")
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


def spoken_year(s: str) -> int | None:
    """'nineteen ninety-four' -> 1994, 'twenty o five' -> 2005, 'two thousand one' -> 2001."""
    words = key(s).replace("the year ", "").split(" ")
    if words[:2] == ["two", "thousand"]:
        rest = [w for w in words[2:] if w != "and"]
        n = number(" ".join(rest)) if rest else 0
        return None if n is None else 2000 + int(n)
    century = {"nineteen": 1900, "twenty": 2000}.get(words[0])
    rest = words[1:]
    if century is None or not rest:
        return None
    if rest[0] == "o":
        n = number(" ".join(rest[1:]))
    else:
        tens = " ".join(rest)
        n = _WORD_NUM.get(tens) if tens in _WORD_NUM else number(tens)
    return None if n is None else century + int(n)


def holiday(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """Named holidays, in the year the tense points to (or last/this/next)."""
    spec = lexicon().holidays.get(key(g["holiday"] or "").replace("’", "'"))
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

    r, anchor = ctx.reference, "reference"
    rel = key(g["rel"]) if g.get("rel") else None
    if rel == "last":
        y = r.year if day_in(r.year) < r else r.year - 1
    elif rel == "next":
        y = r.year if day_in(r.year) > r else r.year + 1
    elif rel == "this":
        y = r.year
    else:
        y, anchor = narrative_year(ctx, lambda yy: (day_in(yy), day_in(yy)), tolerance=7)
    return day_resolved(day_in(y), anchor)


def month(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    word = g.get("month") or g.get("m2") or ""
    if not ok_month_word(word) or (len(key(word)) <= 4 and not word[:1].isupper()):
        return None
    m = month_of(word)
    rel = key(g["rel"]) if g.get("rel") else None
    r = ctx.reference
    anchor = "reference"
    if rel is not None:
        shift = lexicon().relative[rel]
        if shift < 0:
            year = r.year if m < r.month else r.year - 1
        elif shift > 0:
            year = r.year if m > r.month else r.year + 1
        else:
            year = r.year
    else:
        year, anchor = narrative_year(ctx, lambda y: cal.month_interval(y, m), tolerance=7)
    s, e = cal.month_interval(year, m)
    return Resolved("DATE", cal.month_value(year, m), None, s, e, "month", anchor)


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
        tens = int(g["yy"] or 0) if g.get("yy") else _DECADE_WORDS[key(g.get("dword") or "")]
        century = ctx.reference.year // 100
        d = century * 10 + tens // 10
        if d * 10 > ctx.reference.year:
            d -= 10
    mod = lexicon().parts.get(key(g["part"])) if g.get("part") else None
    s, e = cal.decade_interval(d)
    return Resolved("DATE", f"{d:03d}", mod, s, e, "decade", "absolute" if g.get("decade4") else "reference")


_DECADE_WORDS = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
                 "eighties": 80, "nineties": 90}


def century(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    nth = g["nth"] or ""
    digits = re.match(r"\d+", nth)
    n = int(digits.group()) if digits else lexicon().ordinals.get(key(nth))
    if not n:
        return None
    c = n - 1
    s, e = cal.century_interval(c)
    mod = lexicon().parts.get(key(g["part"])) if g.get("part") else None
    return Resolved("DATE", f"{c:02d}", mod, s, e, "century", "absolute")


def part_of_month(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    if not ok_month_word(g["month"] or ""):
        return None
    mod = lexicon().parts[key(g["part"] or "")]
    m = month_of(g["month"] or "")
    if g.get("year"):
        y, anchor = int(g["year"] or 0), "absolute"
    else:
        y, anchor = narrative_year(ctx, lambda yy: cal.part_of_month_interval(yy, m, mod), tolerance=7)
    s, e = cal.part_of_month_interval(y, m, mod)
    return Resolved("DATE", cal.month_value(y, m), mod, s, e, "part_of_month", anchor)


def part_of_year(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    mod = lexicon().parts[key(g["part"] or "")]
    if g.get("year"):
        y, anchor = int(g["year"] or 0), "absolute"
    else:
        y, anchor = ctx.reference.year + int(p.get("shift", 0)), "reference"
    s, e = cal.part_of_year_interval(y, mod)
    return Resolved("DATE", f"{y:04d}", mod, s, e, "part_of_year", anchor)


def season(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    code = lexicon().seasons[key(g["season"] or "")]
    r = ctx.reference
    spoken = spoken_year(g["spoken"] or "") if g.get("spoken") else None
    if g.get("year") or spoken:
        y, anchor = spoken or int(g["year"] or 0), "absolute"
    else:
        anchor = "reference"
        rel = key(g["rel"]) if g.get("rel") else None
        if p.get("anaphoric") or rel in lexicon().anaphoric_relative:
            # "that summer", "the following spring": the season of, or after, the latest date mentioned
            if ctx.last_start is not None:
                r, anchor = ctx.last_start, "previous_mention"
                if ctx.last_precision == "year" and rel is not None and lexicon().relative[rel] > 0:
                    r = date(r.year, 12, 31)  # "In 1940 ... the following spring": after that year
            elif p.get("anaphoric"):
                return None  # "that summer" with no date before it
            rel = rel or "this"
        cur = r.year if not (code == "WI" and r.month <= 2) else r.year - 1
        if rel is None:
            y, anchor = narrative_year(ctx, lambda yy: cal.season_interval(yy, code))
        else:
            shift = lexicon().relative[rel]
            if shift == 0:
                y = cur
            elif shift < 0:
                y = cur if cal.season_interval(cur, code)[1] < r else cur - 1
            else:
                y = cur if cal.season_interval(cur, code)[0] > r else cur + 1
    s, e = cal.season_interval(y, code)
    mod = lexicon().parts.get(key(g["part"])) if g.get("part") else None
    return Resolved("DATE", f"{y:04d}-{code}", mod, s, e, "season", anchor)


def quarter(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    q = lexicon().ordinals.get(key(g.get("ordinal") or "")) if g.get("ordinal") else int(g.get("q") or 0)
    if not q or not 1 <= q <= 4:
        return None
    if g.get("year") or g.get("year2"):
        return quarter_value(int(g.get("year") or g.get("year2") or 0), q, "absolute")
    if g.get("yrel"):
        return quarter_value(ctx.reference.year + lexicon().relative[key(g["yrel"] or "")], q, "reference")
    if g.get("ago"):  # "the year-ago third quarter"
        return quarter_value(nearest_year(ctx, lambda yy: cal.quarter_interval(yy, q)) - 1, q, "reference")
    # results are reported after a quarter ends: even in future context the latest quarter stays in view
    return quarter_value(nearest_year(ctx, lambda yy: cal.quarter_interval(yy, q), future_tolerance=92), q, "reference")


def half(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    h = lexicon().ordinals.get(key(g.get("ordinal") or ""))
    if h not in (1, 2, 4):
        return None
    h = 1 if h == 1 else 2
    if g.get("year"):
        y, anchor = int(g["year"] or 0), "absolute"
    else:
        y, anchor = narrative_year(ctx, lambda yy: cal.half_interval(yy, h))
    s, e = cal.half_interval(y, h)
    return Resolved("DATE", f"{y:04d}-H{h}", None, s, e, "part_of_year", anchor)


def quarter_of_year(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'the 1988 quarter', 'the 1989 period' in a report: the quarter under discussion, in that year."""
    if ctx.last_quarter is None:
        return None
    return quarter_value(int(g["year"] or 0), ctx.last_quarter[1], "previous_mention")


def latest_quarter(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'the latest quarter', 'the most recent period': the latest quarter completed by the reference date."""
    return quarter_value(*latest_completed_quarter(ctx.reference), "reference")


def current_unit(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'the quarter', 'the latest period' in a report: the latest quarter mentioned, else the latest completed one."""
    if ctx.last_quarter is not None:
        return quarter_value(*ctx.last_quarter, "previous_mention")
    return quarter_value(*latest_completed_quarter(ctx.reference), "reference")


_RELATIVE_CLAUSE = re.compile(r"\s+(?:that|when|in\s+which|during\s+which|after\s+which)\b", re.IGNORECASE)


def the_year(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'the year', 'the full year', 'the current fiscal year': the reference date's year, as news and company reports
    use them; 'the latest fiscal year' (params shift -1) is the one before. A bare 'the year' ('later in the year') in a
    told past is the year in focus (`narrative`)."""
    if "Year" in ctx.matched():
        return None  # a title: "Player of the Year"
    bare = key(ctx.matched()).endswith("the year")
    if bare and _RELATIVE_CLAUSE.match(ctx.text, ctx.span[1]):
        return None  # "the year (that / when / in which) the war began" is named by its clause, not the calendar
    y, anchor = ctx.reference.year + int(p.get("shift", 0)), "reference"
    focus = focus_here(ctx) if bare else None
    if focus is not None and ctx.direction() != "future":
        y, anchor = focus.year, "previous_mention"  # "the year", "later in the year" of a told past
    s, e = cal.year_interval(y)
    return Resolved("DATE", f"{y:04d}", None, s, e, "year", anchor)


def year_end(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'by year-end' (this year's end), 'since year-end' (the last one passed): the end part of that year."""
    if g.get("year"):
        y, anchor = int(g["year"] or 0), "absolute"
    else:
        y, anchor = nearest_year(ctx, lambda yy: (date(yy, 12, 31), date(yy, 12, 31))), "reference"
    s, e = cal.part_of_year_interval(y, "END")
    return Resolved("DATE", f"{y:04d}", "END", s, e, "part_of_year", anchor)
