"""Temporal normalisation: find the temporal expressions of an article and resolve them against its reference date.

Recognition is rule-driven (patterns in `pipeline/rules/temporal/*.yaml`, words in `lexicon.yaml`); resolution is a
separate pass in text order, so anaphoric expressions ("two days later") see the dates mentioned before them.
"""

from __future__ import annotations

from datetime import date

from pipeline.records import Mention
from pipeline.temporal.resolvers import RESOLVERS, Context, Resolved
from pipeline.temporal.rules import Rule, rules, rules_version

__all__ = ["normalise", "RULES_VERSION"]

RULES_VERSION: str = rules_version()


def _candidates(text: str) -> list[tuple[int, int, int, dict[str, str | None]]]:
    """Every rule match as (start, end, rule index, groups)."""
    out = []
    for i, rule in enumerate(rules()):
        for m in rule.regex.finditer(text):
            if m.end() > m.start():
                out.append((m.start(), m.end(), i, m.groupdict()))
    return out


def _resolve(rule: Rule, groups: dict[str, str | None], ctx: Context) -> Resolved | None:
    res = RESOLVERS[rule.resolve](groups, rule.params, ctx)
    if res is not None and rule.type and res.type != rule.type and rule.type != "TIME":
        res = Resolved(rule.type, res.value, res.mod, res.start, res.end, res.precision, res.anchor)
    return res


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
        if _resolve(rule, groups, Context(text, (start, end), reference)) is None:
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
        ctx.span, ctx._direction = (start, end), None
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
            ctx.last_day = res.start
        if res.start is not None and res.type in {"DATE", "TIME"}:
            ctx.last_precision, ctx.last_value = res.precision, res.value
    return out
