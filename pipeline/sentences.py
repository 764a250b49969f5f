"""Sentence splitting for news text, with offsets.

Blank lines and line breaks after a finished line end a sentence; inside a line, a sentence ends
at . ! ? (plus closing quotes/brackets) before a capital, a digit or an opening quote, unless the
period belongs to an abbreviation or an initial. Page furniture ("Posted: ... Updated: ...",
copyright lines, share buttons, bylines) is recognised so later stages can skip it.
The lexicons live in `pipeline/rules/en/extract/sentences.yaml`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import rulefiles

if TYPE_CHECKING:
    from pipeline.extract.rules import WordSets

RULES_FILE = Path(__file__).parent / "rules" / rulefiles.RULES_LANGUAGE / "extract" / "sentences.yaml"


@lru_cache(maxsize=1)
def _rules() -> dict:
    data = rulefiles.load(f"{rulefiles.RULES_LANGUAGE}/extract/sentences.yaml")
    return {
        "never_final": {a.lower() for a in data["never_final"]},
        "may_end": {a.lower() for a in data["may_end"]},
        "starters": set(data["sentence_starters"]),
        "furniture": _furniture(data["furniture"]),
        "examples": data.get("examples", []),
    }


def _furniture(patterns: list[str]) -> tuple[re.Pattern | None, tuple[tuple[int, re.Pattern], ...], WordSets, int]:
    """Furniture patterns for a fast test: those anchored at a line start as one pattern tried at
    line starts only; the others each with the words it needs, as a bit of a `WordSets` (all of
    them tested at once before searching; -1: a pattern searched always), and -1 when there is
    such a pattern (else 0)."""
    from pipeline.extract.rules import WordSets, gate_of, top_level_bar  # here: pipeline.extract imports this module

    flags = re.IGNORECASE | re.MULTILINE
    anchored = [p for p in patterns if p.startswith("^") and not top_level_bar(p)]
    gated = [(gate_of([p]), re.compile(p, flags)) for p in patterns if p not in anchored]
    sets = WordSets([g for g, _ in gated if g is not None])
    floating = tuple((sets.bits((g,)) if g is not None else -1, p) for g, p in gated)
    always = -1 if any(bit == -1 for bit, _ in floating) else 0
    return (re.compile("|".join(f"(?:{p})" for p in anchored), flags) if anchored else None), floating, sets, always


# A candidate end: terminal punctuation, optional closers, then whitespace.
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
# Line structure: blank-line blocks, and single line breaks.
_BLOCK = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*")
_LINE = re.compile(r"[^\n]+")
# Split a line before page-furniture labels that share it with a headline.
_FURNITURE_LABEL = re.compile(r"\s(?=(?:Posted|Updated|Published|Last Updated)\s*:)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_NEXT_WORD = re.compile(r"\s+([\"'“‘(\[]?)(\S+)")
_SPACES = re.compile(r"\s*")


_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


def _letters_start(text: str, end: int) -> int:
    """Start of the run of ASCII letters and dots ending at `end` (so the word search before
    `end` looks at that run only, not at the whole text before it)."""
    i = end
    while i > 0 and text[i - 1] in _WORD_CHARS:
        i -= 1
    return i


def _is_boundary(text: str, end: int) -> bool:
    """Whether the punctuation run ending at `end` closes a sentence."""
    rules = _rules()
    m = _NEXT_WORD.match(text, end)
    if not m:
        return True
    opener, word = m.group(1), m.group(2)
    first = word[0]
    if not (first.isupper() or first.isdigit() or opener or first in "\"'“‘"):
        return False
    punct_start = end
    while punct_start > 0 and text[punct_start - 1] in ".!?\"'”’)]":
        punct_start -= 1
    if text[punct_start:end].startswith((".", ".\"", ".”")) and text[punct_start:end].count(".") == 1:
        w = _WORD_BEFORE.search(text, _letters_start(text, punct_start), punct_start)
        if w:
            token = w.group(1).lower().rstrip(".")
            if len(token) == 1 and token.isalpha() and w.group(1)[0].isupper():
                return False  # an initial: "J. Smith"
            if token in rules["never_final"] or token in rules["may_end"]:
                if first.isdigit():
                    return False  # "No. 3", "Oct. 17"
                if token in rules["never_final"] and token not in rules["may_end"]:
                    return False
                return word.strip("\"'“‘,") in rules["starters"]
            if "." in token and all(len(p) <= 2 for p in token.split(".")):
                return word.strip("\"'“‘,") in rules["starters"]  # other dotted abbreviations
    return True


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    cur = start
    for m in _END.finditer(text, start, end):
        e = m.end()
        if _is_boundary(text, e):
            # Spaces trimmed off the front only: the span ends in the punctuation `_END` matched.
            s = _SPACES.match(text, cur, e).end()
            if s < e:
                out.append((s, e))
            cur = e
    s, e = _SPACES.match(text, cur, end).end(), end
    while e > s and text[e - 1].isspace():
        e -= 1
    if s < e:
        out.append((s, e))
    return out


def _line_ends_sentence(line: str) -> bool:
    """A line break ends a sentence unless the line was hard-wrapped mid-sentence."""
    stripped = line.rstrip()
    if not stripped:
        return True
    return stripped[-1] in ".!?\"'”’:)]" or len(stripped) < 70


def split_sentences(text: str, drop_furniture: bool = False) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, in order.

    With `drop_furniture`, spans that are page furniture are left out.
    """
    spans: list[tuple[int, int]] = []
    for block in _BLOCK.finditer(text):
        # Join hard-wrapped lines; cut at lines that end a sentence.
        seg_start = block.start()
        lines = list(_LINE.finditer(text, block.start(), block.end()))
        for i, line in enumerate(lines):
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if nxt is None or _line_ends_sentence(line.group()):
                spans.extend(_split_segment(text, seg_start, line.end()))
                seg_start = nxt.start() if nxt else line.end()
    if drop_furniture:
        spans = [s for s in spans if not is_furniture(text[s[0] : s[1]])]
    return spans


def _split_segment(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if text.find(":", start, end) < 0 or _FURNITURE_LABEL.search(text, start, end) is None:
        return _split_line(text, start, end)  # the usual case: no label (each is followed by a colon)
    pieces = []
    cur = start
    for m in _FURNITURE_LABEL.finditer(text, start, end):
        pieces.append((cur, m.start()))
        cur = m.end()
    pieces.append((cur, end))
    out = []
    for s, e in pieces:
        out.extend(_split_line(text, s, e))
    return out


def furniture_words() -> WordSets:
    """The word sets of the furniture patterns, for a caller that tests several at once (see `is_furniture`)."""
    return _rules()["furniture"][2]


def is_furniture(sentence: str, present: int | None = None) -> bool:
    """Whether a sentence is page furniture rather than story text. `present`, when given, is
    `furniture_words().mask` of the sentence (it saves working it out again)."""
    anchored, floating, sets, always = _rules()["furniture"]
    if anchored is not None:
        k = 0
        while k >= 0:
            if anchored.match(sentence, k):
                return True
            k = sentence.find("\n", k)
            k = k + 1 if k >= 0 else -1
    if present is None:
        present = sets.mask_of(sentence.lower())  # bit set: the sentence has a word of that pattern's gate
    return bool(present | always) and any(present & bit and p.search(sentence) for bit, p in floating)
