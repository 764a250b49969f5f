"""Loading the extraction rule files (`pipeline/rules/extract/*.yaml`) once, and their version hash."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).resolve().parent.parent / "rules" / "extract"
RULE_FILES = ("numbers.yaml", "guards.yaml", "casualties.yaml", "victims.yaml", "events.yaml", "sentences.yaml", "places.yaml")


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The parsed YAML rule file `name` (e.g. "numbers")."""
    return yaml.safe_load((RULES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def rules_version() -> str:
    """Short hash of the rule files' contents, recorded in the run manifest."""
    h = hashlib.sha256()
    for name in RULE_FILES:
        h.update(name.encode())
        h.update((RULES_DIR / name).read_bytes())
    return h.hexdigest()[:12]


def phrase(fragment: str) -> str:
    """A lexicon fragment as a regex: literal spaces match any run of whitespace."""
    return re.sub(r" +", r"\\s+", fragment)


def alternation(fragments: list[str]) -> str:
    """Fragments joined longest first, so the longest phrase wins at a position.

    Fragments are grouped by their first letter ("a(?:ttack|mbush)|b(?:last|omb)"): the same
    language and the same preference order (fragments with different first letters never compete
    at a position), but the regex engine tries one group per position instead of every fragment.
    """
    ordered = [phrase(f) for f in sorted(set(fragments), key=len, reverse=True)]
    groups: dict[str, list[str]] = {}
    for f in ordered:
        if not f[:1].isalnum() or f[1:2] in ("?", "*", "+", "{") or _top_level_bar(f):
            return "|".join(ordered)  # the first character is not a plain literal of every match
        groups.setdefault(f[0].lower(), []).append(f)
    out = []
    for members in groups.values():
        if len(members) == 1:
            out.append(members[0])
        elif len({m[0] for m in members}) == 1:
            out.append(f"{members[0][0]}(?:{'|'.join(m[1:] for m in members)})")
        else:  # "IED" and "improvised": letters differing in case only, kept apart in order
            out.append(f"(?:{'|'.join(members)})")
    return "|".join(out)


def _top_level_bar(fragment: str) -> bool:
    depth, i = 0, 0
    while i < len(fragment):
        c = fragment[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = fragment.index("]", i + 2) + 1
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c == "|" and depth == 0:
            return True
        i += 1
    return False


def required_words(fragment: str) -> list[frozenset[str]]:
    """Sets of lower-case words such that every match of a lexicon fragment contains a word of
    each set: literal runs outside groups ("killed" in "killed,? (?:and|or) wounded") and groups
    of plain alternatives ("(?:suffered|sustained) ..."). Optional parts never count. Empty when
    the fragment has top-level alternatives or no literal part.

    Used to skip costly patterns on text that cannot match (see `gate_of`).
    """
    pieces: list[frozenset[str]] = []
    run, i, n = "", 0, len(fragment)

    def flush() -> None:
        nonlocal run
        if run:
            pieces.append(frozenset([run]))
        run = ""

    while i < n:
        c = fragment[i]
        if c.isalnum() or c in "'’-":
            run += c.lower()
            i += 1
        elif c in "?*{":
            run = run[:-1]  # the last character is optional
            flush()
            i = fragment.index("}", i) + 1 if c == "{" else i + 1
        elif c == "(":
            flush()
            depth, j = 1, i + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(fragment[j], 0)
                j += 1 + (fragment[j] == "\\")
            body = fragment[i + 1 : j - 1]
            optional = j < n and fragment[j] in "?*{"
            body = body[2:] if body.startswith("?:") else body
            alts = body.split("|")
            if not optional and all(a and re.fullmatch(r"[\w'’-]+", a) for a in alts):
                pieces.append(frozenset(a.lower() for a in alts))
            i = j
        elif c == "|":
            return []  # top-level alternatives: no single requirement
        else:
            flush()
            i += 2 if c == "\\" else 1
            if c == "[":
                i = fragment.index("]", i) + 1
    flush()
    return pieces


def minimal_words(words: set[str] | frozenset[str]) -> frozenset[str]:
    """The same "contains one of" test with fewer words: a word containing another is redundant."""
    return frozenset(w for w in words if not any(v != w and v in w for v in words))


def gate_of(fragments: list[str]) -> frozenset[str] | None:
    """Words of which every match of any of the fragments contains one (None: no such words).

    Each fragment adds one of its required word sets, preferring one the words already chosen
    cover ("dead" for "found dead" when "dead" is in), else the one with the longest words.
    """
    needs = [required_words(f) for f in fragments]
    if any(not n for n in needs):
        return None
    chosen: set[str] = set()
    for pieces in sorted(needs, key=len):  # single-requirement fragments first
        if any(all(any(c in w for c in chosen) for w in p) for p in pieces):
            continue
        chosen |= max(pieces, key=lambda p: (min(len(w) for w in p), -len(p)))
    return minimal_words(chosen)


class WordIndex:
    """Where gate words occur in one article (lower-cased), so that testing whether a sentence
    contains one of them is a bisection instead of a scan of the sentence."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = text.lower()
        # Lower-casing that changes the length would shift offsets: test the sentence itself then.
        self.exact = len(self.low) == len(text)
        self._spans: dict[frozenset[str], tuple[list[int], list[int]]] = {}

    def has_any(self, words: frozenset[str], start: int, end: int) -> bool:
        """Whether text[start:end] contains one of `words` (case-insensitively)."""
        if not self.exact:
            low = self.text[start:end].lower()
            return any(w in low for w in words)
        found = self._spans.get(words)
        if found is None:
            spans = sorted((i, i + len(w)) for w in words for i in _find_all(self.low, w))
            found = self._spans[words] = ([a for a, _ in spans], [b for _, b in spans])
        starts, ends = found
        k = bisect_left(starts, start)
        while k < len(starts) and starts[k] < end:
            if ends[k] <= end:
                return True
            k += 1
        return False


def _find_all(haystack: str, needle: str) -> list[int]:
    out, i = [], haystack.find(needle)
    while i >= 0:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out
