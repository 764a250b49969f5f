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
