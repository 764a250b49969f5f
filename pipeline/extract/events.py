"""Event triggers (events.yaml) and the actor of a sentence.

A trigger is a word or phrase of the lexicon of one event type; the longest trigger wins at a
position. The actor is the organisation or group the sentence names as doing the act: the
capitalised or group-noun subject just before the trigger, or the agent of "by ..." after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.extract.rules import LowerText, WordSets, alternation, gate_of, load, lowered

_E = load("events")
TYPES: dict[str, dict] = {**_E["types"], **_E.get("extra_types", {})}
CASUALTY_EVENT: dict[str, str] = _E["casualty_event"]
VIOLENT = {t for t, spec in TYPES.items() if spec.get("violent")}

_TRIGGER_TYPE: list[tuple[str, re.Pattern]] = [
    (t, re.compile(rf"(?:{alternation(spec['triggers'])})", re.IGNORECASE)) for t, spec in _E["types"].items()
]
_TRIGGERS_PATTERN = r"\b(?:" + alternation([f for spec in _E["types"].values() for f in spec["triggers"]]) + r")\b"
_TRIGGERS = re.compile(_TRIGGERS_PATTERN, re.IGNORECASE)
_TRIGGERS_LOW = lowered(_TRIGGERS_PATTERN)  # the same on lower-cased text, faster
# Words every trigger contains one of: a sentence without any holds no trigger (None: no such words).
_TRIGGER_GATE = gate_of([f for spec in _E["types"].values() for f in spec["triggers"]])
_TRIGGER_WORDS = WordSets([_TRIGGER_GATE]) if _TRIGGER_GATE is not None else None


@dataclass(frozen=True, slots=True)
class Trigger:
    start: int
    end: int
    text: str
    event_type: str


def plover(event_type: str) -> str | None:
    return TYPES.get(event_type, {}).get("plover")


@lru_cache(maxsize=4096)
def type_of(words: str) -> str | None:
    """The event type of a trigger's words. Cached: articles use a few hundred distinct triggers,
    and every match is typed (a full match against each type's pattern)."""
    w = " ".join(words.split())
    for t, rx in _TRIGGER_TYPE:
        if rx.fullmatch(w):
            return t
    return None


def trigger_words() -> WordSets | None:
    """The word set every trigger needs a word of, for a caller that tests several at once (None: no such words)."""
    return _TRIGGER_WORDS


def find_triggers(text: str, start: int, end: int, words: LowerText | None = None, gate: int | None = None) -> list[Trigger]:
    """Event triggers in text[start:end], in text order (`words`, a LowerText of `text`, only
    makes it faster; so does `gate`, `trigger_words().mask` of the span when known)."""
    out = []
    if words is not None and _TRIGGER_WORDS is not None:
        if not (gate if gate is not None else _TRIGGER_WORDS.mask(words, start, end)):
            return out  # no word any trigger needs
    if words is not None and words.folded and _TRIGGERS_LOW is not None:
        matches = _TRIGGERS_LOW.finditer(words.low, start, end)
    else:
        matches = _TRIGGERS.finditer(text, start, end)
    for m in matches:
        a, b = m.span()
        t = type_of(text[a:b])
        if t:
            out.append(Trigger(a, b, text[a:b], t))
    return out


# Group nouns that make an actor ("Azerbaijani forces", "Taliban militants", "police").
_GROUP_NOUNS = (
    r"forces|troops|army|military|militants?|insurgents?|rebels?|fighters|gunmen|gunman|police|soldiers|"
    r"government|ministry|militia|militias|group|regime|authorities|officials|protesters|demonstrators|"
    r"jets|aircraft|navy|guards?|corps|brigades?|battalions?|coalition|alliance|taliban|embassy|council|"
    r"suspects?|attackers?|assailants?|terrorists?|jihadists?|separatists?|president|minister|spokesman"
)


def _by_first_letter(alternatives: str) -> str:
    """Plain-word alternatives ("forces|fighters|troops") grouped by first letter
    ("f(?:orces|ighters)|t(?:roops)"), each group in the given order: the same language and the
    same preference, as words with different first letters never match at one position, but the
    engine tries one literal per group instead of every word."""
    groups: dict[str, list[str]] = {}
    for word in alternatives.split("|"):
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


_GROUP_NOUNS_GROUPED = _by_first_letter(_GROUP_NOUNS)
_CAP = r"[A-Z][\w'’.-]*"
# Searched on the 80 characters before a trigger, the pattern is tried at every position, and most
# positions open no actor: the lookahead (what a match must start with: "the", a capital or a group
# noun) turns them away before the costly repeats start, so the search costs a third. It changes no match.
_ADVERBS = ("has", "have", "had", "reportedly", "allegedly", "also", "then", "later")  # between actor and act
_ACTOR_BEFORE = re.compile(
    rf"(?=the\s|[A-Z]|{_GROUP_NOUNS_GROUPED})"
    rf"((?:the\s+)?(?:(?:{_CAP}\s+){{0,3}}(?:{_GROUP_NOUNS_GROUPED})|{_CAP}(?:\s+{_CAP}){{0,3}}))"
    rf"(?:\s*,[^,]{{1,60}},)?\s+(?:(?:{'|'.join(_ADVERBS)}|on \w+)\s+)*$"
)


def _reversed_words(alternatives: str) -> str:
    """Plain-word alternatives, an optional final "s" spelled out, each written backwards."""
    words = []
    for w in alternatives.split("|"):
        words += [w[:-2], w[:-2] + "s"] if w.endswith("s?") else [w]
    return "|".join(sorted({w[::-1] for w in words}))


# How the text before a trigger must end for `_ACTOR_BEFORE` to match, read on the text backwards:
# the pattern's tail reversed (adverbs, the optional ", ... ," aside), then the end of a capitalised
# word or of a group noun. Most texts before a trigger end with a lower-case word that is neither:
# one anchored match on the reversed text turns them away, where the search itself would try every
# position of the 80 characters. It only says no when `_ACTOR_BEFORE` cannot match.
_ACTOR_BEFORE_END = re.compile(
    rf"(?:\s+(?:{_reversed_words('|'.join(_ADVERBS))}|\w+ no))*\s+(?:,[^,]{{1,60}},\s*)?"
    rf"(?:[\w'’.-]*[A-Z]|{_reversed_words(_GROUP_NOUNS)})"
)
_ACTOR_BY = re.compile(
    rf"^\s*(?:\w+\s+){{0,3}}?by\s+((?:the\s+)?(?:(?:{_CAP}\s+){{0,3}}(?:{_GROUP_NOUNS_GROUPED})|{_CAP}(?:\s+{_CAP}){{0,3}}))",
)
_NOT_ACTOR = re.compile(
    r"^(?:the\s+)?(?:The|A|An|It|He|She|They|We|This|That|There|On|In|At|After|Before|When|While|But|And|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December)$"
)

_TARGET_FIRST = re.compile(r"came\s+under|was\s+hit|were\s+hit", re.IGNORECASE)

_LEADING = re.compile(r"^(?:(?:the|The|As|When|While|After|Before|Then|But|And|If|Since|Meanwhile|However|Also)\s+)+")


def _clean_actor(s: str) -> str | None:
    s = " ".join(s.split())
    s = _LEADING.sub("", s)
    s = re.sub(r"(?:'s|’s)$", "", s)
    if not s or _NOT_ACTOR.match(s) or len(s) < 3:
        return None
    return s


def actor(text: str, sent_start: int, trigger: Trigger) -> str | None:
    """The group doing the act, where the sentence names one."""
    after = text[trigger.end : trigger.end + 80]
    m = _ACTOR_BY.match(after) if "by" in after else None  # (the pattern needs a "by")
    if m:
        a = _clean_actor(m.group(1))
        if a:
            return a
    if _TARGET_FIRST.match(trigger.text):
        return None  # the subject of "came under attack" is the target, not the actor
    before = text[max(sent_start, trigger.start - 80) : trigger.start]
    m = _ACTOR_BEFORE.search(before) if _ACTOR_BEFORE_END.match(before[::-1]) else None
    if m:
        return _clean_actor(m.group(1))
    return None
