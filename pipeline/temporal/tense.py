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


def direction(text: str, start: int, end: int) -> str:
    """'future' or 'past' for the expression text[start:end]."""
    lo = max(0, start - _WINDOW)
    before = text[lo:start]
    cut = 0
    for m in _SENTENCE_END.finditer(before):
        cut = m.end()
    last = None
    for m in _cues().finditer(before, cut):
        last = m
    if last is not None:
        return "future" if last.group("f") else "past"
    after = text[end : end + _WINDOW]
    stop = _SENTENCE_END.search(after)
    for m in _cues().finditer(after, 0, stop.start() if stop else len(after)):
        return "future" if m.group("f") else "past"
    return "past"
