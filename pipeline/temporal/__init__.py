"""Temporal normalisation: find the temporal expressions of an article and resolve them against its reference date.

Recognition is rule-driven (patterns in `pipeline/rules/temporal/*.yaml`, words in `lexicon.yaml`); resolution is a
separate pass in text order, so anaphoric expressions ("two days later") see the dates mentioned before them.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.records import Mention
from pipeline.temporal.resolvers import RESOLVERS, Context, Resolved
from pipeline.temporal.rules import Rule, rules, rules_version

__all__ = ["normalise", "RULES_VERSION"]

RULES_VERSION: str = rules_version()


# A match extends at most this far before its first trigger word and after its last one.
_LEFT, _RIGHT = 48, 64


def _lower(text: str) -> str:
    """Lowercased text of the same length (a few characters lowercase to two; those are kept as they are)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low


def _windows(text: str, trigger: re.Pattern[str]) -> list[tuple[int, int]]:
    """Stretches of text around a rule's trigger words (merged); rules scan only these, which is most of the speed."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    lo, hi = 0, None
    for m in trigger.finditer(text):
        start = max(0, m.start() - _LEFT)
        if hi is None or start > hi:
            if hi is not None:
                spans.append((lo, _to_space(text, hi, n)))
            lo = start
        hi = m.end() + _RIGHT
    if hi is not None:
        spans.append((lo, _to_space(text, hi, n)))
    return spans


def _to_space(text: str, hi: int, n: int) -> int:
    """Extend a window end to the next blank: lookaheads treat the window end as the end of the text."""
    if hi >= n:
        return n
    m = _BLANK.search(text, hi)
    return m.start() if m else n


_BLANK = re.compile(r"\s")


def _candidates(text: str, windowed: bool = True) -> list[tuple[int, int, int, dict[str, str | None]]]:
    """Every rule match as (start, end, rule index, groups); `windowed=False` scans the whole text (for tests)."""
    out = []
    low = _lower(text)
    windows_by_trigger: dict[re.Pattern[str], list[tuple[int, int]]] = {}
    for i, rule in enumerate(rules()):
        windows = windows_by_trigger.get(rule.trigger) if windowed else [(0, len(text))]
        if windows is None:
            windows = windows_by_trigger[rule.trigger] = _windows(low, rule.trigger)
        finditer = rule.regex.finditer
        subject = text if rule.case_sensitive else low
        for lo, hi in windows:
            for m in finditer(subject, lo, hi):
                if m.end() > m.start():
                    # group values come from the original text, so resolvers can check capitalisation
                    groups = {k: None if v is None else text[m.start(k) : m.end(k)] for k, v in m.groupdict().items()}
                    out.append((m.start(), m.end(), i, groups))
    return out


def _resolve(rule: Rule, groups: dict[str, str | None], ctx: Context) -> Resolved | None:
    return RESOLVERS[rule.resolve](groups, rule.params, ctx)


def _select(text: str, reference: date) -> list[tuple[int, int, Rule, dict[str, str | None]]]:
    """Longest match first (then higher priority, then earlier rule); matches that do not resolve are dropped."""
    all_rules = rules()
    cands = _candidates(text)
    cands.sort(key=lambda c: (-(c[1] - c[0]), -all_rules[c[2]].priority, c[2], c[0]))
    taken: list[tuple[int, int]] = []
    chosen = []
    for start, end, idx, groups in cands:
        if any(start < e and s < end for s, e in taken):
            continue
        rule = all_rules[idx]
        # anaphoric rules are checked against a stand-in antecedent; the real one is known only in text order
        probe = Context(
            text, (start, end), reference, last_day=reference, last_start=reference, last_precision="day",
            last_quarter=(reference.year, 1), last_quarter_end=start,
        )
        if _resolve(rule, groups, probe) is None:
            continue
        taken.append((start, end))
        chosen.append((start, end, rule, groups))
    chosen.sort(key=lambda c: c[0])
    return chosen


def normalise(text: str, reference: date) -> list[Mention]:
    """All temporal expressions of `text`, resolved against `reference`, sorted and non-overlapping."""
    out: list[Mention] = []
    ctx = Context(text, (0, 0), reference)
    for start, end, rule, groups in _select(text, reference):
        ctx.move_to(start, end)
        res = _resolve(rule, groups, ctx)
        if res is None:
            continue
        out.append(
            Mention(
                char_start=start,
                char_end=end,
                text=text[start:end],
                timex_type=res.type,
                value=res.value,
                mod=res.mod,
                date_start=res.start,
                date_end=res.end,
                precision=res.precision,
                anchor=res.anchor,
                rule_id=rule.id,
            )
        )
        if res.precision == "day" and res.start is not None:
            ctx.last_day, ctx.last_day_end = res.start, end
        if res.start is not None and res.type in {"DATE", "TIME"}:
            ctx.last_precision, ctx.last_start = res.precision, res.start
        if rule.resolve in {"quarter", "current_unit", "latest_quarter"} and res.start is not None:
            ctx.last_quarter = (res.start.year, (res.start.month - 1) // 3 + 1)
            ctx.last_quarter_end = end
    return out
