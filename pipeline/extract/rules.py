"""Loading the extraction rule files (`pipeline/rules/extract/*.yaml`) once, and their version hash."""

from __future__ import annotations

import hashlib
import re
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
    """Fragments joined longest first, so the longest phrase wins at a position."""
    return "|".join(phrase(f) for f in sorted(set(fragments), key=len, reverse=True))


def required_words(fragment: str) -> frozenset[str] | None:
    """Lower-case words of which every match of a lexicon fragment contains one, or None.

    Used to skip costly patterns on text that cannot match: the longest literal run outside
    groups ("killed" in "killed,? (?:and|or) wounded"), else a group of plain alternatives
    ("(?:suffered|sustained) ..." needs "suffered" or "sustained"). Optional parts never count.
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
            return None  # top-level alternatives: no single requirement
        else:
            flush()
            i += 2 if c == "\\" else 1
            if c == "[":
                i = fragment.index("]", i) + 1
    flush()
    if not pieces:
        return None
    return max(pieces, key=lambda p: (min(len(w) for w in p), -len(p)))
