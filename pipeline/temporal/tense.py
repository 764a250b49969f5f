"""Which way a bare weekday, month-day or month points: the clause's tense around the expression.

The nearest tense cue before the expression in its sentence decides ("said on Monday that he will ..." is past);
with none before, the first cue after it ("On Friday the ministers will meet" is future). Default: past.
"""

from __future__ import annotations

import re
from functools import cache

from pipeline.temporal.rules import lexicon

_SENTENCE_END = re.compile(r"[.!?;:]\s+(?=[\"“'‘(\[]?[A-Z0-9])|\n\s*\n|\n")
_WINDOW = 160


def _phrase(cue: str) -> str:
    return re.escape(cue).replace(r"\ ", r"\s+")


@cache
def _cues() -> re.Pattern[str]:
    lex = lexicon()
    fut = "|".join(_phrase(c) for c in sorted(lex.future_cues, key=len, reverse=True))
    past = "|".join(_phrase(c) for c in sorted(set(lex.past_cues), key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:(?P<f>{fut})|(?P<p>{past}|\w+ed))(?!\w)", re.IGNORECASE)


@cache
def _forward_preposition() -> re.Pattern[str]:
    words = "|".join(_phrase(c) for c in sorted(lexicon().future_prepositions, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{words})\s+(?:(?:on|the|early|late|mid|around)\s+)?$", re.IGNORECASE)


def direction(text: str, start: int, end: int) -> str:
    """'future' or 'past' for the expression text[start:end]."""
    lo = max(0, start - _WINDOW)
    before = text[lo:start]
    cut = 0
    for m in _SENTENCE_END.finditer(before):
        cut = m.end()
    last = prev = None
    for m in _cues().finditer(before, cut):
        prev, last = last, m
    if _forward_preposition().search(before, max(cut, len(before) - 40)):
        # "by Jan. 14", "until March 6" point forward unless the clause itself is told in the past
        cue = last if last is not None else _first_cue_after(text, end)
        if cue is None or cue.group("f") or cue.group().lower() in lexicon().reporting_verbs:
            return "future"
        return "past"
    if last is not None:
        gap = last.start() - prev.end() if prev is not None else 99
        if prev is not None and gap <= 12:
            # "will be held": a participle right after a future cue stays future; "had been due to": past
            if not last.group("f") and prev.group("f"):
                return "future"
            if last.group("f") and prev.group().lower() == "had":
                return "past"
        return "future" if last.group("f") else "past"
    cue = _first_cue_after(text, end)
    if cue is not None and cue.group("f"):
        return "future"
    return "past"


def _first_cue_after(text: str, end: int) -> re.Match[str] | None:
    after = text[end : end + _WINDOW]
    stop = _SENTENCE_END.search(after)
    return _cues().search(after, 0, stop.start() if stop else len(after))
