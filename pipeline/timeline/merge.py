"""Merge the events of many articles into one row per real-world event.

Events are taken most precise first (shortest date interval, then most specific place, then date,
then id), so exact reports seed the rows and vaguer ones join them. An event joins a row only
when it is compatible with *every* event already in it: the date intervals share at least one day
(the row keeps their intersection), each place is the same as or inside/around the others, and
the types are compatible (`types.yaml`). This complete-linkage rule is what keeps a vague report
("fighting in October") from chaining two different incidents together. An event compatible with
several rows is ambiguous and stays on its own row; events with no date, no place, or a date
interval longer than `max_merge_days` are never merged. Every decision is kept as a `Link`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from pipeline.timeline import places, types
from pipeline.timeline.config import DEFAULT, TimelineSettings
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

    @property
    def days(self) -> int | None:
        if self.date_start is None or self.date_end is None:
            return None
        return (self.date_end - self.date_start).days + 1

    def order_key(self) -> tuple:
        lvl = places.LEVELS[self.place.level] if self.place.name else -1
        return (self.days is None, self.days or 0, -lvl, self.date_start or date.max, self.event_id)


@dataclass(frozen=True, slots=True)
class Link:
    """How one event came to sit on its row."""

    event_id: str
    link: str  # SEED, MERGED, AMBIGUOUS, NO_DATE, NO_PLACE, TOO_VAGUE
    linked_to: str | None = None  # the row's seed event (merged events)
    date_relation: str | None = None  # same | within | contains | overlap: this event's interval vs the row's
    place_relation: str | None = None  # same | inside | contains: this event's place vs the row's
    type_relation: str | None = None  # same | compatible:<group>: this event's type vs the seed's
    candidates: int = 0  # rows this event was compatible with


@dataclass
class Group:
    """A row under construction: its members and what they all agree on."""

    seed: Member
    members: list[Member] = field(default_factory=list)
    start: date | None = None
    end: date | None = None

    @property
    def places(self) -> dict[str, Place]:
        return {m.place.key: m.place for m in self.members if m.place.name}

    @property
    def place(self) -> Place:
        """The most specific place of the row (the seed's among equals)."""
        return max(self.places.values(), key=lambda p: places.LEVELS[p.level], default=self.seed.place)


def _date_relation(m: Member, g: Group) -> str:
    if (m.date_start, m.date_end) == (g.start, g.end):
        return "same"
    if g.start <= m.date_start and m.date_end <= g.end:
        return "within"
    if m.date_start <= g.start and g.end <= m.date_end:
        return "contains"
    return "overlap"


def _fits(m: Member, g: Group, s: TimelineSettings) -> Link | None:
    """The link m would have if it joined g, or None when any member of g rules it out."""
    if g.start is None or max(m.date_start, g.start) > min(m.date_end, g.end):
        return None
    if any(not types.compatible(m.event_type, o.event_type) for o in g.members):
        return None
    if any(places.relation(m.place, p, s.place_same_km) is None for p in g.places.values()):
        return None
    type_group = types.group(m.event_type, g.seed.event_type)
    return Link(
        m.event_id,
        MERGED,
        linked_to=g.seed.event_id,
        date_relation=_date_relation(m, g),
        place_relation=places.relation(m.place, g.place, s.place_same_km),
        type_relation="same" if m.event_type == g.seed.event_type else f"compatible:{type_group}",
    )


def _index_keys(m: Member, s: TimelineSettings) -> list[tuple[str, date]]:
    country = places.with_country(m.place).country_code or f"?{m.place.key}"
    return [(country, m.date_start + timedelta(days=i)) for i in range(min(m.days, s.max_merge_days))]


def merge(members: list[Member], s: TimelineSettings = DEFAULT) -> tuple[list[Group], dict[str, Link]]:
    """Partition the events into rows; every event is on exactly one row and has one Link."""
    groups: list[Group] = []
    links: dict[str, Link] = {}
    index: dict[tuple[str, date], list[int]] = defaultdict(list)

    def alone(m: Member, link: Link) -> None:
        groups.append(Group(m, [m], m.date_start, m.date_end))
        links[m.event_id] = link

    for m in sorted(members, key=Member.order_key):
        if m.days is None:
            alone(m, Link(m.event_id, NO_DATE))
            continue
        if m.days > s.max_merge_days:
            alone(m, Link(m.event_id, TOO_VAGUE))
            continue
        if not m.place.name:
            alone(m, Link(m.event_id, NO_PLACE))
            continue
        keys = _index_keys(m, s)
        seen = sorted({gi for k in keys for gi in index.get(k, ())})
        fits = [(gi, link) for gi in seen if (link := _fits(m, groups[gi], s)) is not None]
        if len(fits) == 1:
            gi, link = fits[0]
            g = groups[gi]
            g.members.append(m)
            g.start, g.end = max(g.start, m.date_start), min(g.end, m.date_end)
            links[m.event_id] = Link(**{**_asdict(link), "candidates": 1})
            continue
        gi = len(groups)
        alone(m, Link(m.event_id, AMBIGUOUS if fits else SEED, candidates=len(fits)))
        for k in keys:
            index[k].append(gi)
    return groups, links


def _asdict(link: Link) -> dict:
    return {f: getattr(link, f) for f in Link.__slots__}


def precision(g: Group) -> str | None:
    """Precision of the row's interval: `day` for one day, else the narrowest member's."""
    if g.start is None:
        return None
    if g.start == g.end:
        return "day"
    dated = [m for m in g.members if m.days is not None]
    return min(dated, key=lambda m: (m.days, precision_rank(m.precision))).precision


def precision_rank(precision: str | None) -> int:
    return PRECISION_ORDER.index(precision) if precision in PRECISION_ORDER else len(PRECISION_ORDER)
