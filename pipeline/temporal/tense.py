"""Which way a bare weekday, month-day or month points: the clause's tense around the expression.

The nearest tense cue before the expression in its sentence decides ("said on Monday that he will ..." is past);
with none before, the first cue after it ("On Friday the ministers will meet" is future). Default: past.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from pipeline.temporal.rules import lexicon

# a full stop after an initial ("Daniel P. Davison") or a title or month abbreviation does not end the sentence
# (checked after the punctuation mark, so that each pattern starts with a character set the engine skips to quickly)
_NOT_AFTER = "".join(
    rf"(?<!\b{a}.)"
    for a in ("[A-Z]", "Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Jr", "No", "Jan", "Feb",
              "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
)
_STOP = rf"(?<=[.!?;:]){_NOT_AFTER}\s+(?=[\"“'‘(\[]?[A-Z])"
_SENTENCE_END = re.compile(rf"[.!?;:\n](?:(?<=\n)|{_STOP})")
# a new clause also starts at a comma before a relative or temporal conjunction ("..., where the Aug. 7 blasts")
_CLAUSE_START = re.compile(
    rf"[.!?;:\n,](?:(?<=\n)|{_STOP}|(?<=,)\s+(?:where|when|which|who|whose|while|after|before|since|as)\b)"
)
_WINDOW = 160


def _phrase(cue: str) -> str:
    return re.escape(cue).replace(r"\ ", r"\s+")


_MODALS = frozenset({"may", "might"})


@cache
def _cues(lowercased: bool = False) -> re.Pattern[str] | None:
    """Tense cues, case-blind; with `lowercased`, the same for lowercased text (None if that cannot be told apart).

    Without IGNORECASE the engine compares characters directly, about twice as fast; `_cues_in` then drops a modal
    that is capitalised in the text, which the case-blind pattern does not take.
    """
    lex = lexicon()
    fold = str.lower if lowercased else str
    # tries, not flat alternations: under IGNORECASE the engine enters every alternative at every word start
    fut = _trie(map(fold, lex.future_cues))
    past = _trie(map(fold, lex.past_cues))
    not_past = _trie(map(fold, lex.not_past_ed))
    # "may" and "might" as modals; lowercase "may" is never the month
    modal = "may|might" if lowercased else "(?-i:may|might)"
    if lowercased and any(c.lower().split(" ")[0] in _MODALS for c in (*lex.future_cues, *lex.past_cues)):
        return None  # a cue that starts like a modal: a capitalised one could match as that cue instead
    return re.compile(
        rf"(?<![\w'])(?:(?P<f>{fut}|{modal})|(?P<p>{past}|(?!(?:{not_past})\b)\w+ed))(?!\w)",
        0 if lowercased else re.IGNORECASE,
    )


def _trie(phrases: Iterable[str]) -> str:
    """An alternation of `phrases` (spaces match any run of blanks) written as a trie, one branch per next character.

    It matches what the longest-first alternation matches and prefers the same phrase: among phrases that match at
    one place, one is a prefix of the other, and the trie tries a longer continuation before stopping.
    """
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(r"\s+" if ch == " " else re.escape(ch), {})
        node[""] = {}

    def body(node: dict[str, dict]) -> str:
        alts = [token + body(child) for token, child in node.items() if token]
        if "" in node:
            alts.append("")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return body(root)


@cache
def _just_before(words: tuple[str, ...]) -> re.Pattern[str]:
    """One of `words` right before the expression (a determiner or "early/late" may sit between)."""
    alt = "|".join(_phrase(c) for c in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{alt})\s+(?:(?:on|the|early|late|mid|around)\s+)?$", re.IGNORECASE)


def direction(text: str, start: int, end: int) -> str:
    """'future', 'past', or 'neutral' (no tense cue at all) for the expression text[start:end]."""
    if _future_noun_after().match(text, end) and any(c.isdigit() for c in text[start:end]):
        # a dated deadline ("said little about the Jan. 19 deadline") is the coming one, whatever the clause's tense;
        # a weekday one follows the clause ("had tendered by the Tuesday deadline"): within a week the tense is reliable
        return "future"
    lo = max(0, start - _WINDOW)
    before = text[lo:start]
    cut = 0
    for m in _CLAUSE_START.finditer(before):
        cut = m.end()
    cues = _cues_in(before, cut, len(before))
    last = cues[-1] if cues else None
    clause = _clause_direction(cues)
    lex = lexicon()
    if _just_before(lex.forward_phrases).search(before, max(cut, len(before) - 40)):
        return "future"
    if _just_before_deferral(before, max(cut, len(before) - 80)):
        return "future"  # "postponed until Tuesday", "extended the loans through March"
    if _just_before(lex.future_prepositions).search(before, max(cut, len(before) - 40)):
        # "by Jan. 14", "until March 6" point forward unless the clause itself is told in the past
        if last is None:
            after = _first_cue_after(text, end)
            clause = None if after is None else ("future" if after.group("f") else "past")
            last = after
        told_in_past = clause == "past" and not any(m.group("f") for m in cues)
        if not told_in_past or last is None or last.group().lower() in lex.reporting_verbs:
            return "future"
        return "past"
    if clause is not None:
        return clause
    cue = _first_cue_after(text, end)
    if cue is None:
        return "neutral"  # no tense in the sentence around it (a heading, a present-tense statement)
    if cue.group("f") and " ".join(cue.group().lower().split()) not in lex.future_in_past:
        return "future"
    return "past"


@cache
def _future_noun_after() -> re.Pattern[str]:
    return re.compile(rf"(?:'s|’s)?\s+(?:{_alternation(lexicon().future_nouns)})\b", re.IGNORECASE)


def _just_before_deferral(before: str, lo: int) -> bool:
    """A deferral verb ("postponed", "put off") right before the forward preposition that precedes the expression."""
    return _deferral().search(before, lo) is not None


@cache
def _deferral() -> re.Pattern[str]:
    lex = lexicon()
    verbs = _alternation(lex.deferral_verbs)
    preps = _alternation((*lex.future_prepositions, "to"))
    return re.compile(
        rf"(?<![\w'])(?:{verbs})(?:\s+[\w$,.]+){{0,10}}?\s+(?:{preps})\s+(?:(?:on|the|early|late|mid|around)\s+)?$",
        re.IGNORECASE,
    )


def _alternation(words: frozenset[str] | tuple[str, ...]) -> str:
    return "|".join(_phrase(w) for w in sorted(words, key=len, reverse=True))


def _clause_direction(cues: list[re.Match[str]]) -> str | None:
    """The direction of the clause's last verb group (cues at most a few characters apart, read together)."""
    if not cues:
        return None
    group = [cues[-1]]
    for m in reversed(cues[:-1]):
        if group[0].start() - m.end() > 12:
            break
        group.insert(0, m)
    words = [m.group().lower() for m in group]
    if words[0] == "had":
        return "past"  # "had been due to expire"
    if any(m.group("f") for m in group):
        return "future"  # "will be held", "must be returned"
    return "past"


def _first_cue_after(text: str, end: int) -> re.Match[str] | None:
    after = text[end : end + _WINDOW]
    stop = _SENTENCE_END.search(after)
    cues = _cues_in(after, 0, stop.start() if stop else len(after))
    return cues[0] if cues else None


_DETERMINER = re.compile(r"\b(?:the|a|an|its|their|his|her|our|this|that|whose)\s+$", re.IGNORECASE)


def _cues_in(text: str, lo: int, hi: int) -> list[re.Match[str]]:
    """Tense cues in text[lo:hi], leaving out nouns ("the plan", "a deadline") that look like future verbs."""
    nouns = lexicon().future_nouns
    low = text.lower()
    fast = _cues(lowercased=True)
    # IGNORECASE matches a letter where its lowercase does, and also "ı" as "i" and "ſ" as "s" (no other characters
    # fold to the ASCII letters of the cues): a text with neither, whose lowercase keeps its length, is read lowercased
    if fast is not None and len(low) == len(text) and "ı" not in text and "ſ" not in text:
        found = [
            m for m in fast.finditer(low, lo, hi)
            if not (m.group("f") in _MODALS and text[m.start() : m.end()] != m.group())
        ]
    else:
        found = list(_cues().finditer(text, lo, hi))  # type: ignore[union-attr]
    return [
        m for m in found
        if not (
            m.group("f")
            and " ".join(m.group().lower().split()) not in nouns
            and _DETERMINER.search(text, max(0, m.start() - 8), m.start())
        )
    ]
