"""One timeline from many articles: merge reports of the same event, keep their disagreements.

Public interface (the runner depends on exactly this):
    build_timeline(articles, events, casualties) -> {"timeline": pa.Table, "timeline_links": pa.Table}
    main(argv) -> int     `python -m pipeline timeline [--output DIR] [--picture PATH]`

`build_timeline` is pure and deterministic: syndicated copies are found first (`syndication`),
events are merged into rows (`merge`), each row's casualty figures are summarised across its
reports (`figures`), and every event gets a `timeline_links` row saying why it sits where it does.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

import pyarrow as pa

from pipeline.tables import to_arrow
from pipeline.timeline import merge as merging
from pipeline.timeline import places
from pipeline.timeline.config import DEFAULT, TimelineSettings
from pipeline.timeline.figures import Figure, summarise
from pipeline.timeline.merge import Group, Link, Member
from pipeline.timeline.syndication import Copy, copies
from pipeline.timeline.types import pick

__all__ = ["build_timeline", "main", "TimelineSettings"]

CATEGORIES = ("killed", "injured")
SEP = ";"


def timeline_id(event_ids: list[str]) -> str:
    return "tl-" + hashlib.blake2b(SEP.join(sorted(event_ids)).encode(), digest_size=8).hexdigest()


def build_timeline(
    articles: pa.Table, events: pa.Table, casualties: pa.Table, settings: TimelineSettings = DEFAULT
) -> dict[str, pa.Table]:
    """The `timeline` and `timeline_links` tables of validated articles, events and casualties."""
    wanted = [c for c in ("article_id", "source", "published", "text") if c in articles.column_names]
    art = {a["article_id"]: a for a in articles.select(wanted).to_pylist()}
    syn = copies([(a["article_id"], a.get("published"), a.get("text") or "") for a in art.values()], settings)
    ev = sorted(events.to_pylist(), key=lambda e: e["event_id"])

    def report(article_id: str) -> str:
        """A report is an article with its syndicated copies: the copies map to the original."""
        c = syn.get(article_id)
        return c.original if c else article_id

    members = [
        Member(
            e["event_id"], e["article_id"], e["event_type"],
            places.with_country(places.Place(e["location"], e["country_code"], e["latitude"], e["longitude"])),
            e["date_start"], e["date_end"], e["date_precision"], report(e["article_id"]), e["char_start"],
        )
        for e in ev
    ]  # fmt: skip
    groups, links = merging.merge(members, settings)

    figures: dict[str, list[Figure]] = defaultdict(list)
    for c in sorted(casualties.to_pylist(), key=lambda c: c["casualty_id"]):
        if c.get("event_id") is not None and c["category"] in CATEGORIES:
            figures[c["event_id"]].append(
                Figure(report(c["article_id"]), c["category"], c["low"], c["best"], c["high"], bool(c["cumulative"]))
            )
    by_event = {e["event_id"]: e for e in ev}

    rows, link_rows = [], []
    for g in groups:
        tid = timeline_id([m.event_id for m in g.members])
        rows.append(_row(tid, g, by_event, figures, art, syn))
        for m in g.members:
            link_rows.append(_link_row(tid, m, links[m.event_id], g, art, syn, figures))
    rows.sort(key=_row_order)
    order = {r["timeline_id"]: i for i, r in enumerate(rows)}
    link_rows.sort(key=lambda r: (order[r["timeline_id"]], r["link"] != merging.SEED, r["event_id"]))
    return {"timeline": to_arrow("timeline", rows), "timeline_links": to_arrow("timeline_links", link_rows)}


def _row_order(r: dict[str, Any]) -> tuple:
    """Timeline order: by date (undated last), then country and place, then id."""
    dated = r["date_start"] is not None
    return (not dated, r["date_start"] if dated else 0, r["date_end"] if dated else 0,
            r["country_code"] or "~", r["location"] or "~", r["timeline_id"])  # fmt: skip


def _row(
    tid: str,
    g: Group,
    by_event: dict[str, dict[str, Any]],
    figures: dict[str, list[Figure]],
    art: dict[str, dict[str, Any]],
    syn: dict[str, Copy],
) -> dict[str, Any]:
    member_events = [by_event[m.event_id] for m in g.members]
    kind = pick([m.event_type for m in g.members])
    place = g.place
    located = next((m.place for m in g.members if m.place.key == place.key and m.place.latitude is not None), None)
    article_ids = sorted({m.article_id for m in g.members})
    originals = sorted({syn[a].original if a in syn else a for a in article_ids})
    sources = sorted({(art.get(a) or {}).get("source") for a in article_ids} - {None})
    original_sources = {(art.get(a) or {}).get("source") for a in originals} - {None}
    row: dict[str, Any] = {
        "timeline_id": tid,
        "date_start": g.start,
        "date_end": g.end,
        "date_precision": merging.precision(g),
        "event_type": kind,
        "event_types": SEP.join(sorted({m.event_type for m in g.members})),
        "plover_type": next((e["plover_type"] for e in member_events if e["event_type"] == kind), None),
        "location": place.name,
        "country_code": places.with_country(place).country_code,
        "latitude": located.latitude if located else None,
        "longitude": located.longitude if located else None,
        "n_events": len(g.members),
        "n_articles": len(originals),
        "n_copies": len(article_ids) - len(originals),
        "n_sources": len(original_sources),
        "sources": SEP.join(s.replace(SEP, ",") for s in sources) or None,
        "article_ids": SEP.join(article_ids),
        "event_ids": SEP.join(sorted(m.event_id for m in g.members)),
    }
    event_figures = [f for m in g.members for f in figures.get(m.event_id, [])]
    for cat in CATEGORIES:
        r = summarise(event_figures, cat)
        row.update({f"{cat}_low": r.low, f"{cat}_best": r.best, f"{cat}_high": r.high})
    best = min(member_events, key=lambda e: _sentence_rank(e, figures, art, syn))
    row.update({"sentence": best["sentence"], "sentence_event_id": best["event_id"], "article_id": best["article_id"]})
    return row


def _sentence_rank(
    e: dict[str, Any], figures: dict[str, list[Figure]], art: dict[str, dict[str, Any]], syn: dict[str, Copy]
) -> tuple:
    """Prefer a sentence with a usable figure, a precise date and a named place, from an original, published first."""
    has_figure = any(not f.cumulative for f in figures.get(e["event_id"], []))
    precision = merging.precision_rank(e["date_precision"])
    is_copy = e["article_id"] in syn and syn[e["article_id"]].original != e["article_id"]
    published = (art.get(e["article_id"]) or {}).get("published") or "~"
    return (not has_figure, precision, e["location"] is None, is_copy, published, e["event_id"])


def _link_row(
    tid: str,
    m: Member,
    link: Link,
    g: Group,
    art: dict[str, dict[str, Any]],
    syn: dict[str, Copy],
    figures: dict[str, list[Figure]],
) -> dict[str, Any]:
    copy = syn.get(m.article_id) or Copy(m.article_id, m.article_id, None)
    own = figures.get(m.event_id, [])
    return {
        "event_id": m.event_id,
        "timeline_id": tid,
        "article_id": m.article_id,
        "source": (art.get(m.article_id) or {}).get("source"),
        "original_article_id": copy.original,
        "is_copy": copy.original != m.article_id,
        "copy_similarity": copy.similarity,
        "link": link.link,
        "linked_to": link.linked_to,
        "date_relation": link.date_relation,
        "place_relation": link.place_relation,
        "type_relation": link.type_relation,
        "candidates": link.candidates,
        "figures_used": sum(1 for f in own if not f.cumulative and f.floor is not None),
        "figures_cumulative": sum(1 for f in own if f.cumulative),
        "explanation": explain(m, link, g, copy),
    }


def explain(m: Member, link: Link, g: Group, copy: Copy) -> str:
    when = f"{m.date_start}..{m.date_end}" if m.date_start and m.date_end != m.date_start else str(m.date_start)
    what = f"{m.event_type} at {m.place.label()} on {when}"
    if link.link == merging.SEED:
        text = f"{what}: first report of this event (no earlier row fitted)"
    elif link.link == merging.MERGED:
        place = link.place_relation
        if place == "from_article":
            place = "taken from its own article" + (
                f" (the nearest earlier of {link.candidates} fitting rows)" if link.candidates > 1 else ""
            )
        text = (
            f"{what}: merged with {link.linked_to}, dates {link.date_relation}, place {place}, "
            f"type {link.type_relation}; compatible with every event already on the row"
        )
    elif link.link == merging.AMBIGUOUS:
        text = f"{what}: fits {link.candidates} different rows, so it is kept apart rather than guessed"
    elif link.link == merging.NO_DATE:
        text = f"{m.event_type} at {m.place.label()}: no date interval, never merged"
    elif link.link == merging.NO_PLACE:
        text = f"{m.event_type} on {when}: no place, and no row of its own article fits it (it could be anywhere)"
    else:
        text = f"{what}: date interval of {m.days} days is too vague to merge"
    if copy.original != m.article_id:
        text += f"; its article is a syndicated copy of {copy.original} (similarity {copy.similarity}), counted once"
    return text


def main(argv: list[str] | None = None) -> int:
    from pipeline.timeline.plot import main as plot_main

    return plot_main(argv)
