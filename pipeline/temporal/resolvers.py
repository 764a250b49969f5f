"""Resolve a matched expression into a TIMEX3 value and a date interval.

Each resolver takes the match's named groups, the rule's params and a `Context` (text, reference date, earlier
mentions) and returns a `Resolved`, or None when the match is not a temporal expression after all. Rule files name
their resolver with `resolve:`; this module maps those names to the functions in `dates`, `relative` and `amounts`.
"""

from __future__ import annotations

from pipeline.temporal.amounts import duration, duration_value, fixed, set_month, set_unit, set_weekday
from pipeline.temporal.context import Context, Resolved, Resolver
from pipeline.temporal.dates import (
    century, current_unit, date_mdy, list_day, week_of, date_numeric, date_parsed, decade, half, holiday, latest_quarter, month,
    month_year, part_of_month, part_of_year, quarter, quarter_of_year, season, the_year, year, year_end, year_short,
    year_spoken,
)
from pipeline.temporal.relative import (
    anaphoric_day, anaphoric_unit, clock_time, daypart_alone, dayword, offset, ordinal_day, rel_unit, unresolved,
    weekday,
)

__all__ = ["RESOLVERS", "Context", "Resolved", "duration_value"]

RESOLVERS: dict[str, Resolver] = {
    f.__name__: f
    for f in (
        date_mdy, list_day, week_of, date_numeric, date_parsed, month_year, month, year, year_short, decade, century, weekday, dayword,
        clock_time, rel_unit, offset, anaphoric_day, anaphoric_unit, holiday, year_spoken, part_of_month,
        part_of_year, season, quarter, half,
        current_unit, latest_quarter, quarter_of_year, the_year, year_end, duration, fixed, set_weekday, set_month,
        set_unit, unresolved, ordinal_day, daypart_alone,
    )
}
