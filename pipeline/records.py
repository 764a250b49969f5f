"""The records that flow between stages.

Each dataclass mirrors one output table of DESIGN.md. Stage functions are pure:
they take and return these records; ids and article keys are attached by the
run package (`pipeline.run.chain`), so extractors only deal with one article's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


def as_date(value: Any, what: str, *, optional: bool = False) -> date | None:
    """A date given as a `date`, a `datetime` (its date) or an ISO string ("2020-10-21", "2020-10-21T09:30+02:00"),
    checked where it enters a public function (`what` names the argument), so a wrong one fails there with a
    clear message, not deep inside: TypeError for another type, ValueError for a string that is not ISO."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None and optional:
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            raise ValueError(f"{what} {value!r} is not an ISO date (like 2020-10-21) or datetime") from None
    accepted = "a date, a datetime, an ISO date string" + (" or None" if optional else "")
    raise TypeError(f"{what} must be {accepted}, not {type(value).__name__} ({value!r})")


@dataclass(frozen=True, slots=True)
class Article:
    """An accepted article, as produced by ingest."""

    article_id: str
    source_id: str
    text: str
    reference_date: date
    reference_basis: str  # "dateline" | "metadata"
    source: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date or datetime exactly as given (normalised to ISO)
    published_date: date | None = None  # local date of `published`
    dateline_text: str | None = None
    dateline_place: str | None = None
    dateline_agency: str | None = None
    dateline_date: date | None = None
    language: str = "en"
    timezone: str | None = None
    raw_path: str = ""
    content_sha256: str = ""
    extra: str = "{}"  # JSON object of unknown metadata keys

    @property
    def n_chars(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class Reject:
    """An input or row that could not be used, with a reason code and a message for a person."""

    stage: str
    reason: str
    message: str
    source_id: str | None = None
    raw_path: str | None = None
    article_id: str | None = None
    detail: str = "{}"  # JSON object


@dataclass(frozen=True, slots=True)
class Mention:
    """A temporal expression in an article's text (offsets are Python str offsets)."""

    char_start: int
    char_end: int
    text: str
    timex_type: str  # DATE | TIME | DURATION | SET
    value: str  # TIMEX3 value
    mod: str | None = None  # TIMEX3 mod: START, MID, END, APPROX, BEFORE, AFTER, ...
    date_start: date | None = None
    date_end: date | None = None
    precision: str | None = None  # day, week, part_of_month, month, quarter, season, part_of_year, year, decade, century
    anchor: str = "reference"  # absolute | reference | previous_mention | unresolved
    rule_id: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """A dated event. `mention_index` points into the article's mention list (None: no timex used)."""

    char_start: int
    char_end: int
    sentence: str
    trigger: str
    event_type: str
    date_start: date | None
    date_end: date | None
    date_precision: str | None
    date_basis: str  # sentence | context | reference
    mention_index: int | None = None
    actor: str | None = None
    location: str | None = None
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    plover_type: str | None = None
    rule_id: str = ""


@dataclass(frozen=True, slots=True)
class Casualty:
    """A casualty figure. `event_index` points into the article's event list."""

    event_index: int | None
    char_start: int
    char_end: int
    text: str
    category: str  # killed | injured | killed_or_injured | missing | displaced | detained
    low: int | None
    best: int | None
    high: int | None
    qualifier: str  # exact | at_least | more_than | nearly | up_to | about | range | vague
    victims: str | None = None
    cumulative: bool = False
    date_start: date | None = None
    date_end: date | None = None
    date_precision: str | None = None
    date_basis: str = "reference"  # sentence | context | period | reference (undated: the reference date stands in)
    location: str | None = None
    country_code: str | None = None
    rule_id: str = ""


@dataclass(slots=True)
class Extraction:
    """What the extract stage returns for one article."""

    events: list[Event] = field(default_factory=list)
    casualties: list[Casualty] = field(default_factory=list)
