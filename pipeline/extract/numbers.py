"""Count expressions: digits, number words, dozens, ranges, qualifiers and vague quantities.

`COUNT_RE` is the regex fragment (with the named group `count`) that casualty rules embed;
`parse_count` turns a matched count into (low, best, high, qualifier) as DESIGN.md fixes:
"at least 12" 12/12/None, "more than 40" 41/41/None, "nearly 50" None/50/50, "about 30" None/30/None,
"between 5 and 7" 5/None/7, vague words a range from numbers.yaml with best None.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from pipeline.extract.rules import alternation, gate_of, load, minimal_words

_N = load("numbers")
UNITS: dict[str, int] = _N["units"]
TENS: dict[str, int] = _N["tens"]
MULTIPLIERS: dict[str, int] = _N["multipliers"]
QUALIFIERS: dict[str, str] = {p: q for q, ps in _N["qualifiers"].items() for p in ps}
VAGUE: dict[str, tuple[int, int]] = {k: (v[0], v[1]) for k, v in _N["vague"].items()}


class Count(NamedTuple):
    low: int | None
    best: int | None
    high: int | None
    qualifier: str


_UNIT = "(?:" + "|".join(sorted(UNITS, key=len, reverse=True)) + ")"
_TEN = "(?:" + "|".join(TENS) + ")"
_SMALL = rf"(?:{_TEN}(?:[-\s]{_UNIT})?|{_UNIT})"
_WORDS = rf"(?:(?:{_SMALL}|a)\s+(?:hundred|thousand)(?:\s+(?:and\s+)?{_SMALL})?|{_SMALL})"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?![\d,]\d)|\d+(?:\.\d+)?(?:\s+(?:million|thousand))?)"
_DOZEN = rf"(?:half\s+a\s+dozen|(?:a|{_SMALL}|\d+)\s+dozen)"
NUMBER = rf"(?:{_DOZEN}|{_DIGITS}|{_WORDS})(?!\w|-[^\W\d])"
_RANGE = rf"(?:between\s+{NUMBER}\s+and\s+{NUMBER}|{NUMBER}\s*(?:to|or|-|–)\s*{NUMBER})"
_QUAL = "(?:" + alternation(list(QUALIFIERS)) + r")\s+"
_VAGUE = "(?:" + alternation(list(VAGUE)) + r")(?![\w-])"
# Inside the group: optional qualifier, then a range, a number or a vague quantity.
COUNT_RE = rf"(?P<count>\b(?:{_QUAL})?(?:{_RANGE}|{NUMBER}\+?|{_VAGUE}))"


def _opening(phrase_text: str) -> tuple[str, str | None]:
    """The first word of a phrase, and the second when only whitespace stands between them."""
    m = re.match(r"(\w+)(?:\s+(\w+))?", phrase_text.lower())
    return m.group(1), m.group(2)


# Where a count can begin (the casualty rules that open with a count try only there): a digit, a
# word that can open a count alone ("twelve", "nearly", "dozens"), or the first two words of a
# longer opening ("at least", "a dozen", "a number of"; "a" alone is too common to try).
_OPENINGS = [_opening(p) for p in (*QUALIFIERS, *VAGUE)] + [("a", "dozen"), ("a", "hundred"), ("a", "thousand")]
COUNT_FIRST_WORDS: frozenset[str] = frozenset(
    {"between", "half"} | set(UNITS) | set(TENS) | {w for w, second in _OPENINGS if second is None}
)
COUNT_FIRST_PAIRS: frozenset[tuple[str, str]] = frozenset(
    (w, second) for w, second in _OPENINGS if second is not None and w not in COUNT_FIRST_WORDS
)
# Words every count contains one of: the casualty rules skip sentences without any.
_VAGUE_WORDS = gate_of(list(VAGUE))
COUNT_WORDS: frozenset[str] | None = (
    minimal_words(set("0123456789") | set(UNITS) | set(TENS) | {"dozen", "hundred", "thousand"} | _VAGUE_WORDS)
    if _VAGUE_WORDS is not None
    else None
)

_NUMBER_RE = re.compile(NUMBER, re.IGNORECASE)
_RANGE_RE = re.compile(rf"(?:between\s+)?({NUMBER})\s*(?:and|to|or|-|–)\s*({NUMBER})$", re.IGNORECASE)
_QUAL_RE = re.compile(rf"^({_QUAL})", re.IGNORECASE)
_VAGUE_RE = re.compile(rf"^(?:{_VAGUE})$", re.IGNORECASE)


def number_value(text: str) -> int | None:
    """The value of one number expression ("1,200", "twenty-three", "two dozen"), or None."""
    t = re.sub(r"\s+", " ", text.strip().lower()).replace("-", " ")
    t = t.replace(",", "") if re.fullmatch(r"[\d,]+", t) else t
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?: (million|thousand))?", t)
    if m:
        value = float(m.group(1)) * (MULTIPLIERS[m.group(2)] if m.group(2) else 1)
        return int(round(value))
    if t == "half a dozen":
        return 6
    total, current = 0, 0
    for word in t.split():
        if word == "and":
            continue
        if word == "a":
            current = current or 1
        elif word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word.isdigit() and current == 0 and total == 0:
            current = int(word)  # "2 dozen"
        elif word in ("hundred",):
            current = (current or 1) * 100
        elif word in MULTIPLIERS:
            total += (current or 1) * MULTIPLIERS[word]
            current = 0
        else:
            return None
    return total + current


def parse_count(text: str) -> Count | None:
    """(low, best, high, qualifier) of a count expression matched by COUNT_RE."""
    t = re.sub(r"\s+", " ", text.strip())
    qualifier = "exact"
    qm = _QUAL_RE.match(t)
    if qm:
        key = re.sub(r"\s+", " ", qm.group(1).strip().lower())
        # IGNORECASE also matches look-alikes ("ſome" for "some") that lower() keeps apart.
        qualifier = QUALIFIERS.get(key) or QUALIFIERS.get(key.casefold(), "exact")
        t = t[qm.end() :]
    if t.endswith("+"):  # "10+ dead": at least ten
        t, qualifier = t[:-1].rstrip(), "at_least"
    low_t = t.lower()
    if _VAGUE_RE.match(low_t):
        vague = VAGUE.get(low_t) or VAGUE.get(low_t.casefold())
        if vague is None:
            return None
        lo, hi = vague
        return Count(lo, None, hi, "vague")
    rm = _RANGE_RE.match(t)
    if rm and not _NUMBER_RE.fullmatch(t):
        a, b = number_value(rm.group(1)), number_value(rm.group(2))
        if a is not None and b is not None and a < b:
            return Count(a, None, b, "range")
        return None
    n = number_value(t)
    if n is None:
        return None
    if qualifier == "at_least":
        return Count(n, n, None, qualifier)
    if qualifier == "more_than":
        return Count(n + 1, n + 1, None, qualifier)
    if qualifier in ("nearly", "up_to"):
        return Count(None, n, n, qualifier)
    if qualifier == "about":
        return Count(None, n, None, qualifier)
    return Count(n, n, n, "exact")
