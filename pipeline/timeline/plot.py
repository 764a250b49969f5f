"""The timeline as one picture: events over time, coloured by type, sized by casualties (PNG, matplotlib).

Rows are places (countries when there are too many places, the busiest countries plus "elsewhere"
when there are too many countries), ordered by their first event. A day-precision event is a dot;
an event known only to a week, month or longer is a bar over its interval with the dot in the
middle. Dot area grows with killed + injured (best estimate, else the low one).
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
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


def casualties(row: dict[str, Any]) -> int:
    def one(cat: str) -> int:
        v = row.get(f"{cat}_best")
        return v if v is not None else (row.get(f"{cat}_low") or 0)

    return one("killed") + one("injured")


SPREAD = (0.0, -0.2, 0.2, -0.33, 0.33)  # y offsets of same-day events sharing a row


def area(n: int, scale: float = 1.0) -> float:
    return scale * (18 + 45 * math.sqrt(n))


def _label(row: dict[str, Any], by: str) -> str:
    if by == "place":
        if not row.get("location"):
            return NO_PLACE
        return places.Place(row["location"], row.get("country_code")).label()
    return row.get("country_code") or NO_PLACE


def lanes(rows: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The y row of every event and the row names in display order (first event first)."""
    by = "place" if len({_label(r, "place") for r in rows}) <= MAX_ROWS else "country"
    labels = [_label(r, by) for r in rows]
    counts = Counter(labels)
    if len(counts) > MAX_ROWS:
        keep = {k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: MAX_ROWS - 1]}
        labels = [lbl if lbl in keep else ELSEWHERE for lbl in labels]
    first: dict[str, date] = {}
    for lbl, r in zip(labels, rows):
        first.setdefault(lbl, r["date_start"])
    order = sorted(first, key=lambda lbl: (lbl in (ELSEWHERE, NO_PLACE), first[lbl], lbl))
    return labels, order


def colours(kinds: list[str]) -> dict[str, Any]:
    import matplotlib

    rank = {t: i for i, t in enumerate(types.rules()["specificity"])}
    present = sorted(set(kinds), key=lambda t: (rank.get(t, len(rank)), t))
    palette = matplotlib.colormaps["tab20" if len(present) > 10 else "tab10"]
    return {t: palette(i % palette.N) for i, t in enumerate(present)}


def draw(timeline: pa.Table, picture: Path) -> Path:
    """Write the picture of a `timeline` table to `picture` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    rows = sorted(
        (r for r in timeline.to_pylist() if r["date_start"] is not None),
        key=lambda r: (r["date_start"], r["date_end"], r["timeline_id"]),
    )
    undated = timeline.num_rows - len(rows)
    labels, order = lanes(rows) if rows else ([], [])
    y_of = {lbl: i for i, lbl in enumerate(order)}
    colour = colours([r["event_type"] for r in rows])
    height = max(3.6, 0.42 * len(order) + 2.4)
    fig, ax = plt.subplots(figsize=(12, height), dpi=110, layout="constrained")

    if not rows:
        ax.text(0.5, 0.5, "No dated events in this timeline", ha="center", va="center", fontsize=14,
                transform=ax.transAxes)  # fmt: skip
        ax.set_axis_off()
    else:
        stacked: dict[tuple[str, date], int] = defaultdict(int)
        sizes = []
        scale = max(0.3, min(1.0, math.sqrt(150 / len(rows))))  # crowded pictures get smaller dots
        alpha = 0.8 if scale == 1.0 else 0.65
        for r, lbl in zip(rows, labels):
            start, end = r["date_start"], r["date_end"] + timedelta(days=1)  # bars cover whole days
            mid = start + (end - start) / 2
            k = stacked[(lbl, r["date_start"])]
            stacked[(lbl, r["date_start"])] += 1
            y = y_of[lbl] + SPREAD[k % len(SPREAD)]
            c = colour[r["event_type"]]
            if r["date_precision"] != "day":
                ax.plot([start, end], [y, y], color=c, linewidth=5 * scale, alpha=0.35, solid_capstyle="butt", zorder=1)
            n = casualties(r)
            sizes.append((n, mid, y, r))
            ax.scatter([mid], [y], s=area(n, scale), color=c, alpha=alpha, edgecolors="black", linewidths=0.5, zorder=2)
        first = rows[0]["date_start"]
        last = max(r["date_end"] for r in rows)
        near = max(timedelta(days=1), (last - first) / 10)
        labelled: list[tuple[date, float]] = []
        for n, mid, y, r in sorted(sizes, key=lambda t: (-t[0], t[3]["timeline_id"])):
            if len(labelled) == LABELLED or not n:
                break
            if any(abs(y - ly) < 0.5 and abs(mid - lx) < near for lx, ly in labelled):
                continue  # keep labels from overlapping
            labelled.append((mid, y))
            ax.annotate(_figure_text(r), (mid, y), xytext=(7, 7), textcoords="offset points", fontsize=7.5,
                        color="#333")  # fmt: skip
        ax.set_yticks(range(len(order)), order)
        ax.set_ylim(len(order) - 0.4, -0.6)
        pad = max(timedelta(days=1), (last - first) / 25)
        ax.set_xlim(first - pad, last + timedelta(days=1) + pad)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(axis="x", color="#ddd", linewidth=0.6)
        ax.grid(axis="y", color="#f0f0f0", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        type_handles = [_dot(8, c, t.replace("_", " ")) for t, c in colour.items()]
        legend = ax.legend(handles=type_handles, title="event type", loc="upper left", bbox_to_anchor=(1.01, 1),
                           frameon=False)  # fmt: skip
        ax.add_artist(legend)
        top = max(n for n, *_ in sizes)
        steps = [v for v in (1, 10, 100, 1000) if v <= max(1.5 * top, 1)]
        size_handles = [_dot(math.sqrt(area(v, scale)), "#bbb", f"{v}") for v in steps]
        ax.legend(handles=size_handles, title="killed + injured", loc="lower left", bbox_to_anchor=(1.01, 0),
                  frameon=False, labelspacing=1.3, borderpad=1)  # fmt: skip
        n_articles = len({a for r in rows for a in r["article_ids"]})
        span = f"{first:%d %b %Y} – {last:%d %b %Y}"
        ax.set_title(
            f"{_count(len(rows), 'event')} reported in {_count(n_articles, 'article')}, {span}",
            loc="left", fontsize=12,
        )  # fmt: skip
        note = "dot area: killed + injured (best estimate); bars: events dated only to a week, month or longer"
        if undated:
            note += f"; {undated} undated event(s) not shown"
        ax.set_xlabel(note, fontsize=8, color="#555")
    fig.suptitle("News event timeline", x=0.01, ha="left", fontsize=14, fontweight="bold")
    picture.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(picture, format="png")
    plt.close(fig)
    return picture


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


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
        span = f"{lo}" if lo == hi or hi is None else f"{lo}–{hi}"
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline timeline",
        description="Draw the merged event timeline of an output folder as a PNG picture.",
    )
    parser.add_argument(
        "--output", type=Path, default=PROCESSED, help="folder holding timeline.parquet (default data/processed/)"
    )
    parser.add_argument("--picture", type=Path, help="PNG file to write (default OUTPUT/timeline.png)")
    args = parser.parse_args(argv)
    try:
        timeline = load_timeline(args.output)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    picture = draw(timeline, args.picture or args.output / "timeline.png")
    print(f"wrote {picture} ({timeline.num_rows} timeline rows)")
    return 0
