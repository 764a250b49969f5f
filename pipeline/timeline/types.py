"""Event-type compatibility and the choice of one type for a merged row (data: `pipeline/rules/timeline/types.yaml`)."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from pipeline import rulefiles

TYPES_FILE = Path(__file__).resolve().parent.parent / "rules" / "timeline" / "types.yaml"


@cache
def rules() -> dict[str, Any]:
    data = rulefiles.load("timeline/types.yaml")
    seen: dict[str, str] = {}
    for group, members in data["groups"].items():
        for t in members:
            if t in seen:
                raise ValueError(f"types.yaml: {t} is in groups {seen[t]} and {group}; groups must not overlap")
            seen[t] = group
    data["group_of"] = seen
    return data


def group(a: str, b: str) -> str | None:
    """The group that makes a and b compatible (None when they are equal or incompatible)."""
    g = rules()["group_of"]
    return g.get(a) if a != b and g.get(a) is not None and g.get(a) == g.get(b) else None


@cache
def kind(t: str) -> tuple[str, str]:
    """A class of mutually compatible types: `compatible(a, b)` exactly when `kind(a) == kind(b)`."""
    g = rules()["group_of"].get(t)
    return ("group", g) if g is not None else ("type", t)


def compatible(a: str, b: str) -> bool:
    return a == b or group(a, b) is not None


def pick(types: list[str]) -> str:
    """The type a merged row shows: the most frequent specific type (generic ones only when alone)."""
    r = rules()
    order = {t: i for i, t in enumerate(r["specificity"])}
    specific = [t for t in types if t not in r["generic"]] or list(types)
    counts = Counter(specific)
    return min(counts, key=lambda t: (-counts[t], order.get(t, len(order)), t))
