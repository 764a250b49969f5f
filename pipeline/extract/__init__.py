"""The extract stage: events and casualty figures of one article.

`extract(text, reference, mentions, dateline_place)` is pure and deterministic. It splits the
text into sentences (skipping page furniture), finds event triggers and casualty figures in each,
attaches every figure to an event of its sentence (creating one from the figure when no trigger
fits), then dates and places the events:

- date: the governing timex of the sentence (the nearest dated mention, day precision first,
  passing over mentions that date a statement or an arrest); else context (for violent events the
  incident date told earlier in the article, same type first; else the latest dated mention of the
  previous sentences); else the reference date (`date_basis` "reference"). Violent events still on
  the reference date take the article's incident date, else its first day-precision date.
  "Overnight" is the night into the reference day unless it tells night-long fighting.
  `pipeline.extract.dating` holds these choices; docs/extraction.md lists the refinements.
- place: a gazetteer place in the sentence (the most specific, nearest the trigger), else the
  dateline place.
The event taxonomy and figure rules are documented in docs/extraction.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import replace

from pipeline.extract import dating
from pipeline.extract import events as ev
from pipeline.extract import places as pl
from pipeline.extract.casualties import Figure, find_figures
from pipeline.extract.rules import LowerText, rules_version
from pipeline.records import Casualty, Event, Extraction, Mention
from pipeline.sentences import is_furniture, split_sentences

RULES_VERSION = rules_version()

_PLACE_RANK = {"city": 0, "region": 1, "state": 2, "country": 3}
_SAME_INCIDENT_DAYS = 3
_LATE_DEATH_DAYS = 31
_OTHERS = re.compile(r"\b(?:other|others|more|additional|another)\b", re.IGNORECASE)


def _event_place(
    text: str, found: list[pl.Found], trigger_pos: int, codes: set[str], states: set[str]
) -> tuple[str, pl.Place] | None:
    if not found:
        return None
    best = min(found, key=lambda f: (_PLACE_RANK.get(f.candidates[0].kind, 9), abs(f.start - trigger_pos)))
    place = pl.resolve(best, codes, states)
    return text[best.start : best.end], place


def extract(
    text: str,
    reference: datetime.date,
    mentions: Sequence[Mention],
    dateline_place: str | None = None,
) -> Extraction:
    """Events and casualty figures of one article (see the module docstring)."""
    mentions = dating.overnight_to_reference(text, mentions, reference)
    spans = split_sentences(text)
    furniture = [s for s in spans if is_furniture(text[s[0] : s[1]])]
    furniture_set = set(furniture)
    story = [s for s in spans if s not in furniture_set]
    dated = dating.usable(text, mentions, furniture)
    # Violence is reported after it happens: dates after the reference cannot date it.
    dated_past = [i for i in dated if mentions[i].date_start <= reference]
    # Per pool (violent events: dated_past), what every event may ask for, found once: linear in the article.
    pools = {True: dated_past, False: dated}
    pool_days = {v: [i for i in pool if mentions[i].precision == "day"] for v, pool in pools.items()}
    pool_first_day = {v: dating.first_day(mentions, pool, reference) for v, pool in pools.items()}

    # Article context for resolving shared place names.
    article_places = pl.ArticlePlaces(text) if story else None
    all_places = article_places.all() if article_places else []
    codes = {f.candidates[0].country_code for f in all_places if f.candidates[0].kind in ("country", "state", "region")}
    states = {f.candidates[0].admin1 for f in all_places if f.candidates[0].kind == "state"}
    dateline = pl.lookup(dateline_place) if dateline_place else None
    if dateline:
        codes.add(dateline.country_code)

    # Pass 1: triggers and figures per sentence -> proto-events.
    protos: list[dict] = []  # keys: start, end, trigger, type, sentence index, rule_id
    figures: list[tuple[Figure, int]] = []  # (figure, proto index)
    words = LowerText(text)
    for si, (s0, s1) in enumerate(story):
        seen_types: dict[str, int] = {}
        for trig in ev.find_triggers(text, s0, s1, words):
            if trig.event_type in seen_types:
                continue
            seen_types[trig.event_type] = len(protos)
            protos.append(
                {"start": trig.start, "end": trig.end, "trigger": trig.text, "type": trig.event_type, "si": si,
                 "rule_id": f"trigger:{trig.event_type}", "trig": trig}
            )
        sentence_protos = list(seen_types.values())
        for fig in find_figures(text, s0, s1, words):
            target = _attach(fig, [protos[i] for i in sentence_protos], sentence_protos)
            if target is None:
                etype = ev.CASUALTY_EVENT.get(fig.category, "attack")
                w0, w1 = _word_span(text, fig)
                target = len(protos)
                protos.append(
                    {"start": w0, "end": w1, "trigger": text[w0:w1], "type": etype, "si": si,
                     "rule_id": f"casualty:{fig.rule_id}", "trig": ev.Trigger(w0, w1, text[w0:w1], etype)}
                )
                sentence_protos.append(target)
            figures.append((fig, target))
    protos_order = sorted(range(len(protos)), key=lambda i: (protos[i]["start"], i))
    remap = {old: new for new, old in enumerate(protos_order)}
    protos = [protos[i] for i in protos_order]
    figures = [(f, remap[p]) for f, p in figures]

    # Pass 2: date, place and actor of each event.
    late_death = {p for f, p in figures if dating.LATE_DEATH.search(f.word or "")}
    events: list[Event] = []
    incident: dict[str, int] = {}  # event type (and "*" for any violent type) -> first sentence-dated mention
    sentence_places: dict[int, list[pl.Found]] = {}  # sentence index -> its gazetteer places
    for k, p in enumerate(protos):
        s0, s1 = story[p["si"]]
        violent = p["type"] in ev.VIOLENT
        told = incident.get(p["type"], incident.get("*")) if violent else None
        pool = pools[violent]
        mi = dating.governing(mentions, pool, s0, s1, p["start"], p["end"])
        basis = "sentence"
        if mi is not None and told is not None:
            own, then = mentions[mi], mentions[told]
            if k in late_death and then.date_start < own.date_start and (own.date_start - then.date_start).days <= 31:
                mi, basis = told, "context"  # died later of the wounds of the incident told earlier
            elif dating.refines(own, then):
                mi, basis = told, "context"  # "in 2016" refined by the day told earlier
        if mi is None:
            basis = "context"
            mi = told if told is not None else dating.previous(mentions, pool, s0, pool_days[violent])
            if violent and mi is not None and mentions[mi].precision != "day":
                # A coarse earlier date ("in 2014", "in May") is background; the story's first day is better.
                day = pool_first_day[violent]
                mi = day if day is not None else mi
        if mi is None:
            basis = "reference"
        elif violent and basis == "sentence" and mentions[mi].precision == "day":
            incident.setdefault(p["type"], mi)
            incident.setdefault("*", mi)
        if p["si"] not in sentence_places:
            sentence_places[p["si"]] = article_places.sentence(s0, s1)
        place = _event_place(text, sentence_places[p["si"]], p["start"], codes, states)
        if place is not None:
            location, gp = place
        elif dateline_place:
            location, gp = dateline_place, dateline
        else:
            location, gp = None, None
        m = mentions[mi] if mi is not None else None
        events.append(
            Event(
                char_start=p["start"],
                char_end=p["end"],
                sentence=text[s0:s1],
                trigger=p["trigger"],
                event_type=p["type"],
                date_start=m.date_start if m else reference,
                date_end=m.date_end if m else reference,
                date_precision=m.precision if m else "day",
                date_basis=basis,
                mention_index=mi,
                actor=ev.actor(text, s0, p["trig"]),
                location=location,
                country_code=gp.country_code if gp else None,
                latitude=gp.latitude if gp else None,
                longitude=gp.longitude if gp else None,
                plover_type=ev.plover(p["type"]),
                rule_id=p["rule_id"],
            )
        )
    # Violent events that found no date take the incident date told in the article (of the same
    # type first; else the article's first day-precision date): a headline is dated by its story.
    first = dating.first_day(mentions, dated, reference)
    # Likewise a coarse date of a violent event ("Shooting 2016: ...", "in August") that holds the
    # incident day told later in the article gives way to that day.
    for k, e in enumerate(events):
        if e.event_type not in ev.VIOLENT:
            continue
        fallback = incident.get(e.event_type, incident.get("*", first))
        if fallback is None:
            continue
        if e.date_basis == "reference" or (
            e.mention_index is not None and dating.refines(mentions[e.mention_index], mentions[fallback])
        ):
            events[k] = _redate(e, fallback, mentions[fallback])

    casualties = [_casualty(text, f, p, events[p]) for f, p in figures]
    casualties.extend(_derived_injured(text, figures, casualties, events))
    return Extraction(events=events, casualties=casualties)


def _redate(e: Event, mi: int, m: Mention) -> Event:
    return replace(e, date_start=m.date_start, date_end=m.date_end, date_precision=m.precision,
                   date_basis="context", mention_index=mi)


def _attach(fig: Figure, candidates: list[dict], indexes: list[int]) -> int | None:
    """The event of the same sentence a figure belongs to: the nearest fitting one."""
    best, best_d = None, None
    for p, i in zip(candidates, indexes):
        fits = p["type"] in ev.VIOLENT or (fig.category == "detained" and p["type"] == "arrest")
        if not fits:
            continue
        d = abs(p["start"] - fig.start)
        if best_d is None or d < best_d:
            best, best_d = i, d
    return best


def _word_span(text: str, fig: Figure) -> tuple[int, int]:
    """The span of the words that gave a figure its category (the created event's trigger)."""
    if fig.word:
        k = text.find(fig.word, fig.start, fig.end)
        if k >= 0:
            return k, k + len(fig.word)
    return fig.start, fig.end


def _casualty(text: str, f: Figure, event_index: int, e: Event, category: str | None = None, rule_id: str | None = None) -> Casualty:
    cat = category or ("killed_or_injured" if f.category == "shot" else f.category)
    rid = rule_id or (f"{f.rule_id}:shot" if f.category == "shot" else f.rule_id)
    return Casualty(
        event_index=event_index,
        char_start=f.start,
        char_end=f.end,
        text=text[f.start : f.end],
        category=cat,
        low=f.count.low,
        best=f.count.best,
        high=f.count.high,
        qualifier=f.count.qualifier,
        victims=f.victims,
        cumulative=f.cumulative,
        date_start=e.date_start,
        date_end=e.date_end,
        location=e.location,
        rule_id=rid,
    )


def _same_incident_days(c: Casualty) -> int:
    return _LATE_DEATH_DAYS if dating.LATE_DEATH.search(c.text) else _SAME_INCIDENT_DAYS


def _derived_injured(text: str, figures: list[tuple[Figure, int]], casualties: list[Casualty], events: list[Event]) -> list[Casualty]:
    """People shot minus people killed in the same incident, when that is more than the article's own injured figures say."""
    shot = [(f, p) for f, p in figures if f.category == "shot" and not f.cumulative and f.count.best is not None]
    if not shot:
        return []
    f, p = max(shot, key=lambda fp: fp[0].count.best)
    day = events[p].date_start
    # Only deaths of the same incident reduce the number shot: a death dated within a few days of
    # the shooting (people die of their wounds later), not a killing told as background.
    # A death told as coming later ("he later died", "was pronounced dead Sunday") may come days after.
    killed = max(
        (
            c.best
            for c in casualties
            if c.category == "killed" and not c.cumulative and c.best is not None
            and abs((c.date_start - day).days) <= _same_incident_days(c)
        ),
        default=0,
    )
    total = f.count.best
    phrase = text[f.start : f.end]
    survivors = total if _OTHERS.search(phrase) else total - killed
    told = [c.best for c in casualties if c.category == "injured" and not c.cumulative and c.best is not None]
    if survivors < 0 or (told and max(told) >= survivors):
        return []  # the article's own injured figure already says as much
    c = _casualty(text, f, p, events[p], category="injured", rule_id="derived_shot_minus_killed")
    return [replace(c, low=survivors, best=survivors, high=survivors, qualifier="exact")]
