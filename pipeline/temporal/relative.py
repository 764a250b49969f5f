"""Resolvers for expressions relative to the reference date or to an earlier mention: weekdays, deictics, clock
times, last/this/next units, offsets ("three days ago", "two days later") and anaphora ("the next day", "that year")."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from pipeline.temporal import calendar as cal
from pipeline.temporal.context import (
    Context, Groups, Resolved, day_resolved, fmt_num, key, number, ok_weekday_word, quarter_value, shift_date,
    unit_value, weekday_of,
)
from pipeline.temporal.dates import date_mdy
from pipeline.temporal.narrative import focus_here
from pipeline.temporal.rules import lexicon


def _day_part_suffix(g: Groups) -> str | None:
    if g.get("daypart"):
        return lexicon().day_parts[key(g["daypart"] or "")]
    return None


def _clock(g: Groups) -> str | None:
    """'7 p.m.' -> '19:00'; 'noon' -> '12:00'; None when no clock time was matched."""
    if g.get("noon"):
        return "12:00" if key(g["noon"] or "") in {"noon", "midday"} else "24:00"
    if not g.get("hour"):
        return None
    h = int(g["hour"] or 0)
    mnt = int(g["minute"] or 0) if g.get("minute") else 0
    ampm = (g.get("ampm") or "").lower().replace(".", "").replace(" ", "")
    if g.get("half_of_day"):  # "4 in the morning", "8 in the evening"
        ampm = "am" if key(g["half_of_day"] or "") == "morning" else "pm"
    if ampm.startswith("p") and h < 12:
        h += 12
    elif ampm.startswith("a") and h == 12:
        h = 0
    if h > 24 or mnt > 59:
        return None
    return f"{h:02d}:{mnt:02d}"


def with_time(d: date, g: Groups, anchor: str) -> Resolved:
    clock = _clock(g)
    if clock:
        return Resolved("TIME", f"{d.isoformat()}T{clock}", None, d, d, "day", anchor)
    part = _day_part_suffix(g)
    if part:
        return Resolved("TIME", f"{d.isoformat()}T{part}", None, d, d, "day", anchor)
    return day_resolved(d, anchor)


def weekday(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    word = g["weekday"] or ""
    if not ok_weekday_word(word):
        return None
    wd = weekday_of(word)
    rel = key(g["rel"]) if g.get("rel") else None
    r, anchor = _base(rel, ctx.last_day, ctx)
    shift = lexicon().relative[rel] if rel else None
    if shift is None:
        forward = ctx.direction() == "future" and not _past_possessive(ctx)
        d = cal.weekday_on_or_after(r, wd) if forward else cal.weekday_on_or_before(r, wd)
    elif shift < 0:
        d = cal.weekday_on_or_before(r - timedelta(days=1), wd)
    elif shift > 0:
        d = cal.weekday_on_or_after(r + timedelta(days=1), wd)
    else:
        d = cal.week_interval(r)[0] + timedelta(days=wd - 1)
    return with_time(d, g, anchor)


_POSSESSIVE = re.compile(r"['’]s\s+[a-z]")
_AWAITED = re.compile(r"\b(?:ahead\s+of|before|until|for|await\w*|prepar\w*|expected|scheduled|planned|upcoming)"
                      r"(?:\s+\S+){0,2}?\s+$", re.IGNORECASE)


def _past_possessive(ctx: Context) -> bool:
    """'Wednesday's ruling' names an event already reported, whatever the clause's tense ('would look for ways around
    Wednesday's ruling'), unless it is awaited ('ahead of Tuesday's vote', 'preparing for Sunday's runoff')."""
    if not _POSSESSIVE.match(ctx.text, ctx.span[1]):
        return False
    return not _AWAITED.search(ctx.text, max(0, ctx.span[0] - 40), ctx.span[0])


def _base(rel: str | None, antecedent: date | None, ctx: Context) -> tuple[date, str]:
    """The date a relative word counts from: the antecedent for "previous"/"following", else the reference date."""
    if rel in lexicon().anaphoric_relative and antecedent is not None:
        return antecedent, "previous_mention"
    return ctx.reference, "reference"


def dayword(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """today / yesterday / tomorrow (with a part of day or clock time), tonight, last night, this morning."""
    if "offset" in p:
        offset = int(p["offset"])
    else:
        offset = lexicon().day_offsets[key(g["dayword"] or "")]
        if offset != -1 and _generic(ctx):
            return None
    d = ctx.reference + timedelta(days=offset)
    if p.get("daypart"):
        return Resolved("TIME", f"{d.isoformat()}T{p['daypart']}", None, d, d, "day", "reference")
    return with_time(d, g, "reference")


# "today's youth", "the leaders of tomorrow": the present or future age in general, not a day
_GENERIC_AFTER = re.compile(
    r"['’]s\s+(?:[a-z]+\s+)?(?:world|youth|society|generations?|young|children|kids|standards|terms|dollars"
    r"|technology|culture|economy|politics|women|men|people|teenagers|students|consumers|computers|leaders)\b"
)
_GENERIC_BEFORE = re.compile(
    r"\b(?:people|world|children|youth|leaders|generations?|society|jobs)\s+of\s+$", re.IGNORECASE
)


def _generic(ctx: Context) -> bool:
    return bool(_GENERIC_AFTER.match(ctx.text, ctx.span[1])
                or _GENERIC_BEFORE.search(ctx.text, max(0, ctx.span[0] - 30), ctx.span[0]))


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
        d, anchor = ctx.reference + timedelta(days=lexicon().day_offsets[key(g["dayword"] or "")]), "reference"
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


def _is_title(ctx: Context) -> bool:
    """Every word capitalised ("This Week") where a sentence does not start: a name, not a date."""
    words = ctx.matched().split()
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return False
    before = ctx.text[: ctx.span[0]].rstrip(" \"'“‘`")
    return bool(before) and before[-1] not in ".!?:\n"


def rel_unit(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """last / this / next week, month, quarter, year, weekend."""
    if _is_title(ctx):
        return None  # "This Week", a programme's name
    rel = key(g["rel"]) if g.get("rel") else p.get("rel", "this")
    shift = lexicon().relative[rel] if rel in lexicon().relative else int(p.get("shift", 0))
    unit_word = key(g.get("unit") or p.get("unit", ""))
    if unit_word == "weekend":
        d = cal.week_interval(ctx.reference)[0] + timedelta(weeks=shift)
        if shift == 0 and rel in {"this"} and ctx.direction() != "future" and ctx.reference.isoweekday() < 5:
            d -= timedelta(weeks=1)
        sat = d + timedelta(days=5)
        return Resolved("DATE", cal.iso_week_value(sat) + "-WE", None, sat, sat + timedelta(days=1), "week")
    unit = lexicon().units.get(unit_word)
    if unit not in {"D", "W", "M", "Q", "Y", "DE", "CE"}:
        return None
    mod = lexicon().parts.get(key(g["part"])) if g.get("part") else p.get("mod")
    base, anchor = _base(rel, ctx.last_start, ctx)
    if anchor == "reference" and (p.get("narrative") or (rel == "next" and key(ctx.matched()).startswith("the "))):
        # "the end of the month", "the next year": in a told past, of the time in focus
        focus = focus_here(ctx)
        if focus is not None and ctx.direction() != "future" and _finer_than(ctx.focus_precision, unit):
            base, anchor = focus, "previous_mention"
    res = unit_value(unit, shift_date(base, unit, shift), anchor, mod)
    if mod and unit == "Y" and res.start:
        s, e = cal.part_of_year_interval(res.start.year, mod)
        res = Resolved(res.type, res.value, mod, s, e, "part_of_year", res.anchor)
    return res


_SAYS_WHICH = {"D": {"day"}, "W": {"day", "week"}, "M": {"day", "week", "part_of_month", "month"}}


def _finer_than(precision: str | None, unit: str) -> bool:
    """Whether a time of this precision says which `unit` it falls in (any time says its year; a year says no month)."""
    return unit not in _SAYS_WHICH or precision in _SAYS_WHICH[unit]


def offset(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'three days ago' (from R), 'two days later' / 'a week before' (from the latest day mentioned, else R)."""
    n = number(g.get("num")) if g.get("num") else 1.0
    if n is None or not float(n).is_integer():
        return None
    unit = lexicon().units.get(key(g.get("unit") or p.get("unit", "")))
    if unit not in {"D", "W", "FN", "M", "Q", "Y", "DE", "CE"}:
        return None
    sign = int(p.get("sign", -1))
    antecedent = _offset_antecedent(ctx, unit) if p.get("anaphoric") else None
    base, anchor = (antecedent, "previous_mention") if antecedent is not None else (ctx.reference, "reference")
    d = shift_date(base, unit, sign * int(n))
    if unit == "FN":
        unit = "D"
    in_report = ctx.last_quarter is not None and ctx.span[0] - ctx.last_quarter_end < _QUARTER_CONTEXT
    if unit == "Y" and in_report:
        # in a quarterly report "a year ago" / "a year earlier" names the quarter under discussion a year before
        y, qn = ctx.last_quarter
        return quarter_value(y + sign * int(n), qn, "previous_mention")
    return unit_value(unit, d, anchor)


def _offset_antecedent(ctx: Context, unit: str) -> date | None:
    """What "two years later" counts from: the latest day mentioned, or the time in focus when it came after that day
    and is precise enough for the unit ("In 1941 ... Two years later": 1943)."""
    focus = focus_here(ctx)
    if focus is not None and ctx.focus_end > ctx.last_day_end and (
        unit not in {"D", "W", "FN"} and _finer_than(ctx.focus_precision, "M" if unit == "Q" else unit)
    ):
        return focus
    return ctx.last_day


_QUARTER_CONTEXT = 2000  # characters after a quarter mention within which "a year ago" means that quarter


def anaphoric_unit(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'that day', 'later that year', 'the same month': the unit holding the latest dated mention (else nothing)."""
    unit = lexicon().units.get(key(g.get("unit") or ""))
    if ctx.last_start is None or unit not in {"D", "W", "M", "Q", "Y"}:
        return None
    if unit == "D" and ctx.last_precision in {"month", "part_of_month"} and "same" in ctx.matched().lower():
        # "last October ... that same day": a day of that month, which one is not said ("that day" alone after a
        # month is more often generic: "redemptions that day")
        s, e = cal.month_interval(ctx.last_start.year, ctx.last_start.month)
        value = f"{cal.month_value(s.year, s.month)}-XX"
        return Resolved("DATE", value, None, s, e, "month", "previous_mention")
    if unit == "D" and ctx.last_precision != "day":
        return None
    return unit_value(unit, ctx.last_start, "previous_mention")


def anaphoric_day(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'the next day', 'the day before', 'the following morning': from the latest day mentioned, else R ('that
    night' with params antecedent_only: else nothing)."""
    if ctx.last_day is None and p.get("antecedent_only"):
        return None
    base, anchor = (ctx.last_day, "previous_mention") if ctx.last_day is not None else (ctx.reference, "reference")
    d = base + timedelta(days=int(p["days"]))
    return with_time(d, g, anchor)


def unresolved(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """An offset from an event the text does not date ('a week after the war began')."""
    n = number(g.get("num")) if g.get("num") else 1.0
    unit = lexicon().units.get(key(g.get("unit") or ""))
    if n is None or unit is None:
        return None
    return Resolved("DURATION", f"P{fmt_num(n)}{unit}", None, None, None, None, "unresolved")


def ordinal_day(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'(today is) the eighth day of the siege': the reference day, in the present; in a past narrative the day counts
    from an event the text does not date, so nothing is said."""
    if key(g.get("ordinal") or "") == "last" or not _IS_NOW.search(ctx.text, max(0, ctx.span[0] - 40), ctx.span[0]):
        return None
    return day_resolved(ctx.reference, "reference")


# "(today) is / it's / marks / enters (its) ..." before the ordinal day: the count reaches the present
_IS_NOW = re.compile(r"\b(?:is|it's|it’s|marks|marked|enters|entered|into)\s+(?:its\s+|their\s+|his\s+|her\s+)?$",
                     re.IGNORECASE)


def daypart_alone(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'by mid-afternoon': that part of the day last mentioned (when it is near), else of the reference day."""
    code = lexicon().day_parts[key(g["daypart"] or "")]
    if ctx.last_day is not None and ctx.span[0] - ctx.last_day_end <= _CLOCK_CONTEXT:
        d, anchor = ctx.last_day, "previous_mention"
    else:
        d, anchor = ctx.reference, "reference"
    return Resolved("TIME", f"{d.isoformat()}T{code}", None, d, d, "day", anchor)
