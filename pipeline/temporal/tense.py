"""Which way a bare weekday, month-day or month points: the clause's tense around the expression.

The nearest tense cue before the expression in its sentence decides ("said on Monday that he will ..." is past);
with none before, the first cue after it ("On Friday the ministers will meet" is future). Default: past.
"""

from __future__ import annotations

import re
from functools import cache

from pipeline.temporal.rules import lexicon

# a full stop after an initial ("Daniel P. Davison") or a title or month abbreviation does not end the sentence
_NOT_AFTER = "".join(
    rf"(?<!\b{a})"
    for a in ("[A-Z]", "Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Jr", "No", "Jan", "Feb",
              "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
)
_SENTENCE_END = re.compile(_NOT_AFTER + r"[.!?;:]\s+(?=[\"“'‘(\[]?[A-Z])|\n")
# a new clause also starts at a comma before a relative or temporal conjunction ("..., where the Aug. 7 blasts")
_CLAUSE_START = re.compile(_SENTENCE_END.pattern + r"|,\s+(?:where|when|which|who|whose|while|after|before|since|as)\b")
_WINDOW = 160


def _phrase(cue: str) -> str:
    return re.escape(cue).replace(r"\ ", r"\s+")


@cache
def _cues() -> re.Pattern[str]:
    lex = lexicon()
    fut = "|".join(_phrase(c) for c in sorted(lex.future_cues, key=len, reverse=True))
    past = "|".join(_phrase(c) for c in sorted(set(lex.past_cues), key=len, reverse=True))
    not_past = "|".join(_phrase(w) for w in lex.not_past_ed)
    return re.compile(rf"(?<![\w'])(?:(?P<f>{fut})|(?P<p>{past}|(?!(?:{not_past})\b)\w+ed))(?!\w)", re.IGNORECASE)


@cache
def _forward_preposition() -> re.Pattern[str]:
    words = "|".join(_phrase(c) for c in sorted(lexicon().future_prepositions, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{words})\s+(?:(?:on|the|early|late|mid|around)\s+)?$", re.IGNORECASE)


def direction(text: str, start: int, end: int) -> str:
    """'future' or 'past' for the expression text[start:end]."""
    lo = max(0, start - _WINDOW)
    before = text[lo:start]
    cut = 0
    for m in _CLAUSE_START.finditer(before):
        cut = m.end()
    last = prev = None
    for m in _cues().finditer(before, cut):
        prev, last = last, m
    clause = _clause_direction(last, prev)
    if _forward_preposition().search(before, max(cut, len(before) - 40)):
        # "by Jan. 14", "until March 6" point forward unless the clause itself is told in the past
        if last is None:
            after = _first_cue_after(text, end)
            clause = None if after is None else ("future" if after.group("f") else "past")
            last = after
        if clause != "past" or last is None or last.group().lower() in lexicon().reporting_verbs:
            return "future"
        return "past"
    if clause is not None:
        return clause
    cue = _first_cue_after(text, end)
    if cue is not None and cue.group("f"):
        return "future"
    return "past"


def _clause_direction(last: re.Match[str] | None, prev: re.Match[str] | None) -> str | None:
    """The direction the clause's last tense cue gives, reading two-word verb groups as one."""
    if last is None:
        return None
    if prev is not None and last.start() - prev.end() <= 12:
        if not last.group("f") and prev.group("f"):
            return "future"  # "will be held", "must be returned"
        if last.group("f") and prev.group().lower() == "had":
            return "past"  # "had been due to"
    return "future" if last.group("f") else "past"


def _first_cue_after(text: str, end: int) -> re.Match[str] | None:
    after = text[end : end + _WINDOW]
    stop = _SENTENCE_END.search(after)
    return _cues().search(after, 0, stop.start() if stop else len(after))
