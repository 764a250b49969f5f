"""Casualty figures of a merged event: low / best / high across the reports.

A report is one story (an article with its syndicated copies). Within a report, several figures
for the event (the lead's "at least 10", the body's "12 killed") restate or update one count, so
the report's figure is the largest of each bound: figures are never summed. Across reports,
disagreement widens the range: `low` is the smallest number any report gives, `high` the largest,
`best` the median of the reports' best estimates (the lower one of the middle pair). A figure
with an open bound counts its stated number on that side ("at least 12" gives 12 as a high).
Running totals (`cumulative`: "the death toll rose to 45", "710 soldiers since September") are
not a count of the single event and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, slots=True)
class Figure:
    report: str  # the original article of the report the figure comes from
    category: str
    low: int | None
    best: int | None
    high: int | None
    cumulative: bool = False

    @property
    def floor(self) -> int | None:
        return next((v for v in (self.low, self.best, self.high) if v is not None), None)

    @property
    def ceiling(self) -> int | None:
        return next((v for v in (self.high, self.best, self.low) if v is not None), None)


@dataclass(frozen=True, slots=True)
class Range:
    low: int | None = None
    best: int | None = None
    high: int | None = None


def _max(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def summarise(figures: Iterable[Figure], category: str) -> Range:
    """The event's range for one category (Range() when no report gives a usable figure)."""
    by_report: dict[str, list[Figure]] = {}
    for f in figures:
        if f.category == category and not f.cumulative and f.floor is not None:
            by_report.setdefault(f.report, []).append(f)
    if not by_report:
        return Range()
    reports = [
        (_max(f.floor for f in fs), _max(f.best for f in fs), _max(f.ceiling for f in fs)) for fs in by_report.values()
    ]
    bests = sorted(b for _, b, _ in reports if b is not None)
    best = bests[(len(bests) - 1) // 2] if bests else None
    low, high = min(lo for lo, _, _ in reports), max(hi for _, _, hi in reports)
    if best is not None:  # a report's range and another's estimate can disagree; keep low <= best <= high
        low, high = min(low, best), max(high, best)
    return Range(low, best, high)
