"""Resolvers for durations, sets and fixed values (vague references such as PRESENT_REF)."""

from __future__ import annotations

import re
from typing import Any

from pipeline.temporal.context import (
    Context, Groups, Resolved, fmt_num, key, month_of, number, ok_month_word, ok_weekday_word, weekday_of,
)
from pipeline.temporal.rules import lexicon


def duration(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'three days' P3D, 'two-year' P2Y, '2 1/2 hours' PT2H30M, 'several weeks' PXW, 'decades' PXDE."""
    unit_word = key(g.get("unit") or p.get("unit", ""))
    unit = lexicon().units.get(unit_word)
    if unit is None or (g.get("unit") or "")[:1].isupper() and not ctx.matched()[:1].isupper():
        return None  # "CBS's 60 Minutes": a capitalised unit after a lowercase start is part of a name
    after = ctx.text[ctx.span[1] : ctx.span[1] + 4].lower()
    fraction = after.startswith(" of") and not g.get("vague")  # "several quarters of losses" is a span of time
    if unit == "Q" and (fraction or re.search(r"[a-z]-quarters$", ctx.matched().lower())):
        return None  # fractions: "a quarter of", "three-quarters"
    if unit == "S" and key(g.get("num") or "") in {"a", "an", "one"}:
        return None  # "a second attack" is an ordinal
    if p.get("plural_only") and not unit_word.endswith(("s", "ia", "ies")):
        return None
    if g.get("vague"):
        amount: float | str = _amount(lexicon().vague_numbers[key(g["vague"] or "")])
    elif g.get("num"):
        n = number(g["num"])
        if n is None or n <= 0:
            return None
        if g.get("frac"):
            a, b = (g["frac"] or "1/2").split("/")
            n += int(a) / int(b)
        elif re.search(r"and\s+a\s+half", ctx.matched()):
            n += 0.5
        amount = n
    else:
        amount = _amount(p.get("amount", "X"))
    if unit == "Q" and isinstance(amount, float) and amount >= 1000:
        return None  # "the 1988 quarter" is a year's quarter, not 1988 quarters
    mod = p.get("mod")
    if g.get("approx"):
        mod = _APPROX.get(key(g["approx"] or ""), mod)
    return Resolved("DURATION", duration_value(amount, unit), mod, None, None, None, "reference")


def _amount(v: Any) -> float | str:
    """A lexicon or rule amount: a number, or "X" for an unspecified one."""
    return float(v) if isinstance(v, (int, float)) or str(v).isdigit() else str(v)


_IN_YEARS = {"DE": 10, "CE": 100, "ML": 1000}
_FINER = {"Y": ("M", 12), "M": ("D", 30), "W": ("D", 7), "D": ("H", 24), "H": ("MIN", 60), "MIN": ("S", 60)}


def duration_value(amount: float | str, unit: str) -> str:
    """TIMEX3 duration: P3D, PT4H, P20Y for two decades, PXW when vague; fractions go to the next finer unit."""
    if isinstance(amount, str):  # vague: "X"
        return f"PT{amount}{_letter(unit)}" if unit in {"S", "MIN", "H"} else f"P{amount}{unit}"
    if unit == "FN":
        amount, unit = amount * 2, "W"
    if unit in _IN_YEARS and float(amount * _IN_YEARS[unit]).is_integer():
        amount, unit = amount * _IN_YEARS[unit], "Y"
    whole, part = divmod(float(amount), 1)
    parts = [(int(whole), unit)] if whole else []
    if part and unit in _FINER:
        finer, k = _FINER[unit]
        parts.append((round(part * k), finer))
    elif part:
        return f"P{fmt_num(amount)}{unit}"
    date_parts = "".join(f"{n}{u}" for n, u in parts if u not in {"H", "MIN", "S"})
    time_parts = "".join(f"{n}{_letter(u)}" for n, u in parts if u in {"H", "MIN", "S"})
    return "P" + date_parts + (f"T{time_parts}" if time_parts else "")


def _letter(unit: str) -> str:
    return "M" if unit == "MIN" else unit


_APPROX = {
    "about": "APPROX", "around": "APPROX", "roughly": "APPROX", "some": "APPROX", "approximately": "APPROX",
    "nearly": "LESS_THAN", "almost": "LESS_THAN", "less than": "LESS_THAN", "under": "LESS_THAN",
    "up to": "EQUAL_OR_LESS", "no more than": "EQUAL_OR_LESS", "at most": "EQUAL_OR_LESS",
    "more than": "MORE_THAN", "over": "MORE_THAN", "at least": "EQUAL_OR_MORE", "nearly a": "LESS_THAN",
}


def fixed(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """A value given by the rule itself: sets ('daily' P1D), vague references ('now' PRESENT_REF)."""
    if p.get("discourse_marker") and _is_discourse_marker(ctx, p["discourse_marker"]):
        return None
    if p.get("not_past") and ctx.direction() == "past" and not _MODAL_BEFORE.search(ctx.text, 0, ctx.span[0]):
        return None
    anchor = p.get("anchor", "reference")
    return Resolved(p.get("type", "DATE"), str(p["value"]), p.get("mod"), None, None, None, anchor)


_MODAL_BEFORE = re.compile(r"\b(?:will|would|may|might|could|should|can|must|to)\s+$", re.IGNORECASE)


def _is_discourse_marker(ctx: Context, word: str) -> bool:
    """'Now, ...' opening a sentence moves the story on; it does not name the present."""
    if ctx.matched().lower() != word or not ctx.text.startswith(",", ctx.span[1]):
        return False
    before = ctx.text[: ctx.span[0]].rstrip(" \"“'‘`")
    return not before or before[-1] in ".!?\n"


def set_weekday(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    if not ok_weekday_word(g["weekday"] or "") or (p.get("plural") and len(key(g["weekday"] or "")) < 6):
        return None  # "thus" is not a plural of "Thu"
    wd = weekday_of(g["weekday"] or "")
    return Resolved("SET", f"XXXX-WXX-{wd}", None, None, None, None, "reference")


def set_unit(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    unit = lexicon().units.get(key(g.get("unit") or ""))
    if unit is None:
        return None
    n = number(g.get("num")) if g.get("num") else 1
    if n is None:
        return None
    value = f"PT{fmt_num(n)}{'M' if unit == 'MIN' else unit}" if unit in {"S", "MIN", "H"} else f"P{fmt_num(n)}{unit}"
    return Resolved("SET", value, None, None, None, None, "reference")


def set_month(g: Groups, p: dict[str, Any], ctx: Context) -> Resolved | None:
    """'every July', 'each March': that month of every year."""
    if not ok_month_word(g["month"] or ""):
        return None
    return Resolved("SET", f"XXXX-{month_of(g['month'] or ''):02d}", None, None, None, None, "reference")
