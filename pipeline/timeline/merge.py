"""Merge the events of many articles into one row per real-world event.

Events are taken most precise first (shortest date interval, then most specific place, then date,
then id), so exact reports seed the rows and vaguer ones join them. An event joins a row only
when it is compatible with *every* event already in it: the date intervals share at least one day
(the row keeps their intersection), each place is the same as or inside/around the others, and
the types are compatible (`types.yaml`). This complete-linkage rule is what keeps a vague report
("fighting in October") from chaining two different incidents together. An event compatible with
several rows is ambiguous and stays on its own row; events with no date, no place, or a date
interval longer than `timeline_max_merge_days` are never merged. The one exception (`timeline_place_from_article`):
an event with no place of its own ("the attack also wounded 40") joins a row holding an event of
the same report; its article's context places it. When several such rows fit, it joins the one
whose event comes last before it in the text (what "the attack" refers back to). Unplaced events
are taken last, so they never steer how placed reports merge. Every decision is kept as a `Link`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from pipeline.settings import DEFAULTS, Settings
from pipeline.timeline import places, types
from pipeline.timeline.places import Place

PRECISION_ORDER = (
    "day", "week", "part_of_month", "month", "quarter", "season", "part_of_year", "year", "decade", "century",
)  # fmt: skip
# Why an event sits on its row (the `link` column of timeline_links).
SEED, MERGED, AMBIGUOUS = "seed", "merged", "ambiguous"
NO_DATE, NO_PLACE, TOO_VAGUE = "no_date", "no_place", "too_vague"


@dataclass(frozen=True, slots=True)
class Member:
    """One event as the merge sees it."""

    event_id: str
    article_id: str
    event_type: str
    place: Place
    date_start: date | None
    date_end: date | None
    precision: str | None
    report: str = ""  # the original article when this one is a syndicated copy, else the article itself
    position: int = 0  # character offset in the article (orders an article's events)

    @property
    def days(self) -> int | None:
        if self.date_start is None or self.date_end is None:
            return None
        return (self.date_end - self.date_start).days + 1

    def order_key(self) -> tuple:
        lvl = places.LEVELS[self.place.level] if self.place.name else -1
        days = self.days
        return (days is None, lvl < 0, days or 0, -lvl, self.date_start or date.max, self.event_id)


@dataclass(frozen=True, slots=True)
class Link:
    """How one event came to sit on its row."""

    event_id: str
    link: str  # SEED, MERGED, AMBIGUOUS, NO_DATE, NO_PLACE, TOO_VAGUE
    linked_to: str | None = None  # the row's seed event (merged events)
    date_relation: str | None = None  # same | within | contains | overlap: this event's interval vs the row's
    place_relation: str | None = None  # same | inside | contains | from_article: this event's place vs the row's
    type_relation: str | None = None  # same | compatible:<group>: this event's type vs the seed's
    candidates: int = 0  # rows this event was compatible with


@dataclass(slots=True)
class Group:
    """A row under construction: its members and what they all agree on (small lists: there are millions)."""

    seed: Member
    members: list[Member] = field(default_factory=list)
    start: date | None = None
    end: date | None = None
    places: list[Place] = field(default_factory=list)  # distinct places of the members (by name), in order
    types: list[str] = field(default_factory=list)  # distinct event types
    reports: list[str] = field(default_factory=list)  # distinct reports
    top: Place | None = None  # the most specific of `places`, the first among equals
    place_ids: list[int] = field(default_factory=list)  # `places` as ids of the merge's `_Places` (when it gave them)
    top_id: int = -1  # `top` as such an id

    def add(self, m: Member, place_id: int = -1) -> None:
        self.members.append(m)
        if m.event_type not in self.types:
            self.types.append(m.event_type)
        report = m.report or m.article_id
        if report not in self.reports:
            self.reports.append(report)
        place = m.place
        if place.name:
            key = place.key
            for p in self.places:  # a loop, not all(<generator>): called for every event
                if p.key == key:
                    break
            else:
                self.places.append(place)
                self.place_ids.append(place_id)
                if self.top is None or places.LEVELS[place.level] > places.LEVELS[self.top.level]:
                    self.top = place
                    self.top_id = place_id
        if m.date_start is not None and m.date_end is not None:  # m.days is not None
            self.start = m.date_start if self.start is None else max(self.start, m.date_start)
            self.end = m.date_end if self.end is None else min(self.end, m.date_end)

    @property
    def place(self) -> Place:
        """The most specific place of the row (the seed's among equals)."""
        return self.top or self.seed.place


def _date_relation(m: Member, g: Group) -> str:
    if (m.date_start, m.date_end) == (g.start, g.end):
        return "same"
    if g.start <= m.date_start and m.date_end <= g.end:
        return "within"
    if m.date_start <= g.start and g.end <= m.date_end:
        return "contains"
    return "overlap"


class _Places:
    """The merge's distinct places as small ints, and `places.relation` between two of them memoised by
    the pair of ints: a row is tried against many events, and a tuple of ints hashes far faster than
    a tuple of places (relation is a pure function of the two places)."""

    def __init__(self, same_km: float) -> None:
        self.same_km = same_km
        self.ids: dict[Place, int] = {}
        self.places: list[Place] = []
        self.relations: dict[tuple[int, int], str | None] = {}

    def id(self, p: Place) -> int:
        i = self.ids.get(p)
        if i is None:
            i = self.ids[p] = len(self.places)
            self.places.append(p)
        return i

    def relation(self, a: int, b: int) -> str | None:
        try:
            return self.relations[a, b]
        except KeyError:
            r = self.relations[a, b] = places.relation(self.places[a], self.places[b], self.same_km)
            return r


_NO_FIT = "no fit"  # what `_fit` says when m cannot join the row


def _fit(m: Member, g: Group, known: _Places, place_id: int) -> str | None:
    """The place relation m (whose place is `place_id` of `known`) would have if it joined g, or _NO_FIT when
    any member of g rules it out. (The Link is built by `_merged` for the row chosen only: most fitting rows
    are the one row an event joins, but building a Link for each would cost more than the test.)"""
    if g.start is None or m.date_start > g.end or g.start > m.date_end:  # no common day (both intervals ordered)
        return _NO_FIT
    if types.kind(m.event_type) != types.kind(g.seed.event_type):  # every type on a row is of its seed's kind
        return _NO_FIT
    if m.place.name:
        relation = known.relation
        for p in g.place_ids:
            if relation(place_id, p) is None:
                return _NO_FIT
        return relation(place_id, g.top_id if g.top is not None else known.id(g.place))
    if g.places and (m.report or m.article_id) in g.reports:
        return "from_article"
    return _NO_FIT


def _merged(m: Member, g: Group, place_relation: str | None, candidates: int) -> Link:
    """The link of m joining g (before it is added), `_fit` having said it fits with this place relation."""
    seed = g.seed  # (positional: keywords cost more than the rest of this call)
    return Link(m.event_id, MERGED, seed.event_id, _date_relation(m, g), place_relation,
                _type_relation(m.event_type, seed.event_type), candidates)  # fmt: skip


@lru_cache(maxsize=1 << 12)
def _type_relation(event_type: str, seed_type: str) -> str:
    """The `type_relation` of an event joining a row of this seed type (memoised: a handful of pairs repeat)."""
    return "same" if event_type == seed_type else f"compatible:{types.group(event_type, seed_type)}"


BUCKET_DAYS = 7  # rows are filed by week: a day's lookup is one list, a month's a handful


def _index_keys(m: Member) -> Sequence[tuple[str, tuple[str, str], int]]:
    """Where a row is filed: its country, its class of compatible types and each week of its interval.
    A row can only take events of its seed's country (or place) and type class that share one of its days."""
    country = places.with_country(m.place).country_code or f"?{m.place.key}"
    return _filed(country, types.kind(m.event_type), m.date_start.toordinal(), m.date_end.toordinal())


@lru_cache(maxsize=1 << 16)
def _filed(country: str, kind: tuple[str, str], start: int, end: int) -> tuple[tuple[str, tuple[str, str], int], ...]:
    """`_index_keys` of a country, a type class and the ordinals of an interval (memoised: events repeat them)."""
    return tuple((country, kind, week) for week in range(start // BUCKET_DAYS, end // BUCKET_DAYS + 1))


def merge(members: list[Member], s: Settings = DEFAULTS) -> tuple[list[Group], dict[str, Link]]:
    """Partition the events into rows; every event is on exactly one row and has one Link."""
    groups: list[Group] = []
    links: dict[str, Link] = {}
    index: dict[tuple[str, tuple[str, str], int], list[int]] = defaultdict(list)
    by_report: dict[str, list[int]] = defaultdict(list)  # rows holding an event of each report

    known = _Places(s.timeline_place_same_km)

    def alone(m: Member, link: Link) -> None:
        g = Group(m)
        g.add(m, known.id(m.place) if m.place.name else -1)
        groups.append(g)
        links[m.event_id] = link

    for m in sorted(members, key=Member.order_key):
        days = m.days
        if days is None:
            alone(m, Link(m.event_id, NO_DATE))
            continue
        if days > s.timeline_max_merge_days:
            alone(m, Link(m.event_id, TOO_VAGUE))
            continue
        report = m.report or m.article_id
        if not m.place.name:
            seen = sorted(set(by_report.get(report, ()))) if s.timeline_place_from_article else []
            fits = [(gi, rel) for gi in seen if (rel := _fit(m, groups[gi], known, -1)) is not _NO_FIT]
            if fits:
                gi, rel = min(fits, key=lambda f: _distance(m, groups[f[0]]))
                links[m.event_id] = _merged(m, groups[gi], rel, len(fits))
                groups[gi].add(m)
            else:
                alone(m, Link(m.event_id, NO_PLACE))
            continue
        place_id = known.id(m.place)
        keys = _index_keys(m)
        start, end = m.date_start, m.date_end
        if len(keys) > 1:
            near = {gi for k in keys for gi in index.get(k, ())}
            seen = sorted(gi for gi in near if (g := groups[gi]).start <= end and start <= g.end)
        else:  # one list of rows, filed as they were made: already in order
            seen = [gi for gi in index.get(keys[0], ()) if (g := groups[gi]).start <= end and start <= g.end]
        fits = [(gi, rel) for gi in seen if (rel := _fit(m, groups[gi], known, place_id)) is not _NO_FIT]
        if len(fits) == 1:
            gi, rel = fits[0]
            links[m.event_id] = _merged(m, groups[gi], rel, 1)
            groups[gi].add(m, place_id)
            if gi not in by_report[report]:
                by_report[report].append(gi)
            continue
        gi = len(groups)
        alone(m, Link(m.event_id, AMBIGUOUS if fits else SEED, candidates=len(fits)))
        by_report[report].append(gi)
        for k in keys:
            index[k].append(gi)
    return groups, links


def _distance(m: Member, g: Group) -> tuple[int, int]:
    """How far back in m's article the row's nearest placed event is (events after m come last)."""
    own = [o.position for o in g.members if o.article_id == m.article_id and o.place.name]
    before = [m.position - p for p in own if p <= m.position]
    return (0, min(before)) if before else (1, min((p - m.position for p in own), default=1 << 30))


def precision(g: Group) -> str | None:
    """Precision of the row's interval: `day` for one day, else the narrowest member's."""
    if g.start is None:
        return None
    if g.start == g.end:
        return "day"
    dated = [m for m in g.members if m.days is not None]
    return min(dated, key=lambda m: (m.days, precision_rank(m.precision))).precision


def precision_rank(precision: str | None) -> int:
    return _PRECISION_RANK.get(precision, len(PRECISION_ORDER))


_PRECISION_RANK = {p: i for i, p in enumerate(PRECISION_ORDER)}  # precision_rank's table (asked for every event)
