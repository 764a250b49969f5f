"""Narrative time: the year of a date written without one comes from the time the text is talking about.

News carries background paragraphs ("In 2014 the army retook the city. In April, rebels shelled it again": April 2014)
and histories read the same way ("the invasion began in September 1939; in April ...": April 1940). The resolution
pass in `normalise` keeps the time in focus in its `Context`:

- an absolute year or date sets it when it frames what is told ("In 2014, ...", "retook the city in 2014", "on
  Sept. 1, 1939"), not when it only dates a noun ("the 2014 election", "the Dec. 21, 1988, bombing"), an aside
  (", founded in 1965,", "under a program approved in 1987") or the start of a range ("from 1939 to 1945");
- an expression resolved against it moves it on ("In April" after September 1939 is April 1940, and "June 10" after
  that is June 1940), as do "the following year", "that summer" and "two years later";
- a mention of the reporting time clears it: anything resolved against the reference date (a weekday, "yesterday",
  "last week", a dateline's date, a clause in the future tense), an absolute date around the reference date, or a
  period reaching the present ("since 2011");
- in a story that has named the reporting time, a background paragraph's time carries into the next paragraph only
  for an expression that opens it ("In April, rebels ..."); a text that never names the reporting time (a history)
  carries it on.

`narrative_year` is what resolvers of year-less expressions call instead of `context.nearest_year`: the year from the
time in focus (anchor `previous_mention`), else the reference date's rule (anchor `reference`). Word lists live in
`lexicon.yaml` (`narrative_since`, `narrative_aside`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

from pipeline.temporal.context import Context, Resolved, nearest_year
from pipeline.temporal.rules import lexicon

# a month or day in focus: a year-less date that ends at most this many days before it stays in its year ("On Sept. 15,
# 1939 ... on Sept. 3"), an earlier one is the next year's (narratives move forward: after September 1939, "in April"
# is April 1940)
BACK_DAYS = 45
# an absolute day at most this many days before the reference date is the reporting time (a header or dateline date)
_REPORTING_DAYS = 7
_COARSE = frozenset({"decade", "century"})  # too wide to give a year


def narrative_year(
    ctx: Context, interval_of: Callable[[int], tuple[date, date]], tolerance: int = 0
) -> tuple[int, str]:
    """The year of an expression written without one and its anchor: from the time in focus (`previous_mention`) in
    a clause that is not in the future tense, unless that puts it after the reference date (+ `tolerance` days);
    else the reference date's year rule (`nearest_year`, anchor `reference`)."""
    focus = focus_here(ctx)
    if focus is not None and ctx.direction() != "future":
        if ctx.focus_precision == "year":
            y = focus.year
        else:
            y = focus.year if interval_of(focus.year)[1] >= focus - timedelta(days=BACK_DAYS) else focus.year + 1
        if interval_of(y)[0] <= ctx.reference + timedelta(days=tolerance):
            return y, "previous_mention"
    return nearest_year(ctx, interval_of, tolerance), "reference"


def focus_here(ctx: Context) -> date | None:
    """The time in focus where the current expression stands (None: the reporting time).

    Past a paragraph break, in a text that has named the reporting time, only an expression that opens its paragraph
    (at most two words before it: "In April", "Then on June 10") still reads the earlier paragraph's time.
    """
    if ctx.focus is None:
        return None
    start = ctx.span[0]
    brk = ctx.text.rfind("\n", ctx.focus_end, start)
    if brk < 0 or not ctx.reporting_seen or _OPENING.fullmatch(ctx.text, brk + 1, start):
        return ctx.focus
    return None


_OPENING = re.compile(r"\s*[\"“‘']?(?:[A-Za-z]+\s+){0,2}")


def move_focus(ctx: Context, res: Resolved, text: str, start: int, end: int) -> None:
    """Update the time in focus after the mention text[start:end] resolved to `res`."""
    if res.start is None or res.end is None or res.type not in {"DATE", "TIME"}:
        return
    if res.anchor == "reference" or (res.anchor == "absolute" and _is_reporting_time(res, ctx.reference)):
        ctx.focus = ctx.focus_precision = None
        ctx.reporting_seen = True
    elif res.anchor == "absolute":
        kind = role(text, start, end) if res.precision not in _COARSE else None
        if kind == "frame":
            ctx.focus, ctx.focus_precision, ctx.focus_end = res.start, res.precision, end
        elif kind == "present":
            ctx.focus = ctx.focus_precision = None
    elif res.anchor == "previous_mention" and ctx.focus is not None:
        # a comparison ("a year earlier", "the year-ago quarter") looks back without moving the narrative on
        if res.precision != "quarter" and not _BACKWARD.search(text, start, end):
            ctx.focus, ctx.focus_precision, ctx.focus_end = res.start, res.precision, end


_BACKWARD = re.compile(r"\b(?:earlier|before|previously|ago|prior)$", re.IGNORECASE)


def _is_reporting_time(res: Resolved, reference: date) -> bool:
    """An absolute date around the reference date (a header's or dateline's date, "October 2020" in October 2020)."""
    assert res.start is not None and res.end is not None
    if res.start <= reference <= res.end:
        return True
    return res.precision == "day" and timedelta(0) <= reference - res.start <= timedelta(days=_REPORTING_DAYS)


def role(text: str, start: int, end: int) -> str | None:
    """What an absolute expression at text[start:end] does to the narrative time: "frame" (sets the time the text is
    talking about), "present" (starts a period reaching the reporting time: "since 2011") or None (dates only its own
    noun or aside, or starts a range)."""
    before = text[max(0, start - 80) : start]
    if _since().search(before):
        return "present"
    if _FROM.search(before) or _DETERMINER.search(before) or _MODIFIER_AFTER.match(text, end):
        return None
    if _aside().search(before):
        return None
    return "frame"


# the first end of a range: "from 1939 to 1945" (the second frames)
_FROM = re.compile(r"\bfrom\s+$", re.IGNORECASE)
# a modifier of a noun after a determiner: "the 2014 election", "the Dec. 21, 1988, bombing", "its 1988 results"
_DETERMINER = re.compile(r"\b(?:the|a|an|its|his|her|their|our|this|that|these|those|whose)\s+(?:\w+\s+)?$", re.IGNORECASE)
# a possessive ("2014's vote") or the first year of a compound ("2014-15")
_MODIFIER_AFTER = re.compile(r"['’]s\b|\s*[-–/]\s*\d")


def _phrases(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@cache
def _since() -> re.Pattern[str]:
    """A period reaching the present before the expression ("since 2011", "since early 2014", "dating back to 1994")."""
    return re.compile(
        rf"\b(?:{_phrases(lexicon().narrative_since)})\s+(?:(?:early|mid|late|the\s+(?:start|beginning|end)\s+of)"
        r"[-\s]+)?$",
        re.IGNORECASE,
    )


@cache
def _aside() -> re.Pattern[str]:
    """The expression inside an aside that dates a noun's own story: a clause after a comma, parenthesis or dash
    (", who was elected in 2014", ", founded in 1965") or a participle after a preposition's object ("under a program
    approved by the board in 1987", "against a treaty signed in 1998")."""
    return re.compile(
        rf"(?:(?:,|\(|\s[-–—]+)\s*(?:{_phrases(lexicon().narrative_aside)})\b"
        r"|\b(?:under|of|for|with|against|to|on|at|after|before|by)\s+(?:a|an|the|its|their|his|her)\s+"
        r"(?:[\w-]+\s+){1,2}?\w+ed\s+(?:by\s+[^,.;]{1,40}?\s+)?(?:in|on)\s+)[^,.;:()]*$",
        re.IGNORECASE,
    )
