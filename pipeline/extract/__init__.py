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
  place of the latest earlier sentence that names one, else the dateline place
  (`pipeline.extract.places.ArticlePlacer`).
The event taxonomy and figure rules are documented in docs/extraction.md.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pipeline.extract import dating, periods
from pipeline.extract import events as ev
from pipeline.extract import places as pl
from pipeline.extract.casualties import Figure, find_figures, gate_words
from pipeline.extract.rules import JointSets, LowerText, WordSets, rules_version
from pipeline.records import Casualty, Event, Extraction, Mention, as_date
from pipeline.sentences import furniture_words, is_furniture, split_sentences

RULES_VERSION = rules_version()

RECENT_SENTENCES = 2  # an incident told this close before a figure is the one it refers to
_SAME_INCIDENT_DAYS = 3
_LATE_DEATH_DAYS = 31
_OTHERS = re.compile(r"\b(?:other|others|more|additional|another)\b", re.IGNORECASE)
# The words of each sentence are tested once for the gates of page furniture, triggers and casualty
# rules together (`rules.JointSets`); each gets its own mask.
_GATES = JointSets([furniture_words(), ev.trigger_words() or WordSets([]), gate_words()])


@dataclass(slots=True)
class Proto:
    """An event found in pass 1, before it is dated and placed."""

    start: int
    end: int
    trigger: str
    type: str
    si: int  # index of its sentence in the story
    rule_id: str
    trig: ev.Trigger


@dataclass(slots=True)
class Article:
    """What the passes share about one article."""

    text: str
    reference: datetime.date
    mentions: list[Mention]
    story: list[tuple[int, int]]  # sentences outside page furniture
    dated: list[int]  # mentions that can date something (outside furniture, not dating a report)
    dated_past: list[int]  # of those, the ones not after the reference (violence is reported after it happens)
    period_dates: list[int]  # usable mentions not after the reference, period edges included
    words: LowerText  # the text lower-cased, with the tokens of its sentences
    gates: dict[tuple[int, int], list[int]]  # sentence -> its masks of `_GATES` (furniture, triggers, figures)


def extract(
    text: str,
    reference: datetime.date,
    mentions: Sequence[Mention],
    dateline_place: str | None = None,
) -> Extraction:
    """Events and casualty figures of one article (see the module docstring); `reference` may be an ISO string."""
    reference = as_date(reference, "extract: reference")
    mentions = dating.overnight_to_reference(text, mentions, reference)
    spans = split_sentences(text)
    words = LowerText(text)
    gates = {s: _GATES.masks(words, s[0], s[1]) for s in spans}
    furniture = [s for s in spans if is_furniture(text[s[0] : s[1]], gates[s][0])]
    furniture_set = set(furniture)
    story = [s for s in spans if s not in furniture_set]
    usable = dating.usable(text, mentions, furniture)
    # The edges of a period ("since May 4") date running totals, never an incident.
    dated = [i for i in usable if not dating.period_edge(text, mentions[i])]
    art = Article(text, reference, mentions, story, dated, [i for i in dated if mentions[i].date_start <= reference],
                  [i for i in usable if mentions[i].date_start <= reference], words, gates)

    protos, figures = find_events(art)
    dates = date_events(art, protos, figures)
    events = place_events(art, protos, dates, dateline_place)
    casualties = [_casualty(text, f, p, events[p]) for f, p in figures]
    casualties.extend(_derived_injured(text, figures, casualties, events))
    casualties = date_figures(art, figures, casualties, events)
    return Extraction(events=events, casualties=drop_covered_singulars(merge_restatements(casualties)))


# ---------------------------------------------------------------- pass 1: figures and events
def find_events(art: Article) -> tuple[list[Proto], list[tuple[Figure, int]]]:
    """Triggers and figures per sentence; every figure attached to an event of its sentence (one is
    created from the figure when no trigger fits). Events come back in text order."""
    text = art.text
    protos: list[Proto] = []
    figures: list[tuple[Figure, int]] = []  # (figure, proto index)
    words, gates = art.words, art.gates
    gated = ev.trigger_words() is not None  # (else find_triggers searches every sentence)
    for si, span in enumerate(art.story):
        s0, s1 = span
        _, trigger_gate, figure_gate = gates[span]
        sentence_protos: list[int] = []
        # Most sentences hold no trigger word: they skip the call (find_triggers would return none).
        if trigger_gate or not gated:
            seen_types: dict[str, int] = {}
            for trig in ev.find_triggers(text, s0, s1, words, trigger_gate if gated else None):
                if trig.event_type in seen_types:
                    continue
                seen_types[trig.event_type] = len(protos)
                protos.append(Proto(trig.start, trig.end, trig.text, trig.event_type, si, f"trigger:{trig.event_type}", trig))
            sentence_protos = list(seen_types.values())
        for fig in find_figures(text, s0, s1, words, figure_gate):
            target = _attach(fig, [protos[i] for i in sentence_protos], sentence_protos)
            if target is None:
                etype = ev.CASUALTY_EVENT.get(fig.category, "attack")
                w0, w1 = _word_span(text, fig)
                target = len(protos)
                protos.append(Proto(w0, w1, text[w0:w1], etype, si, f"casualty:{fig.rule_id}",
                                    ev.Trigger(w0, w1, text[w0:w1], etype)))
                sentence_protos.append(target)
            figures.append((fig, target))
    order = sorted(range(len(protos)), key=lambda i: (protos[i].start, i))
    remap = {old: new for new, old in enumerate(order)}
    return [protos[i] for i in order], [(f, remap[p]) for f, p in figures]


# ---------------------------------------------------------------- pass 2: dates of events
@dataclass(frozen=True, slots=True)
class EventDate:
    mention: int | None  # index into the article's mentions; None: the reference date stands in
    basis: str  # sentence | context | reference


def date_events(art: Article, protos: list[Proto], figures: list[tuple[Figure, int]]) -> list[EventDate]:
    """The mention that dates each event: its sentence's governing date; else, for violence, the
    incident told nearest before it in the article (a figure refers back to the incident last told),
    and nothing else: a page header, a time stamp or the date of a statement does not date an
    incident; for other events, the latest date of the previous sentences."""
    mentions, reference = art.mentions, art.reference
    late_death = {p for f, p in figures if dating.LATE_DEATH.search(f.word or "")}
    told = _Told()  # incidents dated by their sentence
    days = [i for i in art.dated if mentions[i].precision == "day"]  # for `dating.previous`, built once
    out: list[EventDate] = []
    for k, p in enumerate(protos):
        s0, s1 = art.story[p.si]
        violent = p.type in ev.VIOLENT
        near = art.story[max(0, p.si - RECENT_SENTENCES)][0]
        before = told.before(p.type, s0, near) if violent else None
        pool = art.dated_past if violent else art.dated
        mi = dating.governing(mentions, pool, s0, s1, p.start, p.end)
        basis = "sentence"
        if mi is not None and before is not None:
            own, then = mentions[mi], mentions[before]
            if k in late_death and then.date_start < own.date_start and (own.date_start - then.date_start).days <= _LATE_DEATH_DAYS:
                mi, basis = before, "context"  # died later of the wounds of the incident told earlier
            elif dating.refines(own, then):
                mi, basis = before, "context"  # "in 2016" refined by the day told earlier
        if mi is None:
            basis = "context"
            mi = before if violent else dating.previous(mentions, pool, s0, days)
        if mi is None:
            basis = "reference"
        elif violent and basis == "sentence" and mentions[mi].precision == "day":
            told.add(p.start, p.type, mi)
        out.append(EventDate(mi, basis))
    # A violent event told before any dated incident (a headline, a lead) is dated by the first incident
    # the story tells, of the same type first; a coarse date of its own that holds that day gives way to it.
    # Nothing else dates violence: a page header, a time stamp or the date of a statement does not.
    # With no incident told, the first day a story sentence tells stands in (a local report that says
    # "It happened about 11 p.m. Friday" and then "The man died at the scene").
    # (The story's day is needed only when no incident is told.)
    story_day = None if told else dating.story_day(art.text, mentions, art.dated_past, art.story, reference)
    for k, p in enumerate(protos):
        if p.type not in ev.VIOLENT or (not told and story_day is None):
            continue
        if told:
            first = told.first(p.type)
        elif p.start >= mentions[story_day].char_start or p.si < dating.HEADLINE_SENTENCES:
            first = story_day  # the day the lead tells dates what follows it, and the headline above it
        else:
            continue
        d = out[k]
        if d.basis == "reference" or (d.mention is not None and dating.refines(mentions[d.mention], mentions[first])):
            out[k] = EventDate(first, "context")
    return out


def _sentence_index(story: list[tuple[int, int]], offset: int) -> int:
    return next((i for i, (a, b) in enumerate(story) if a <= offset < b), len(story))


class _Told:
    """Incidents dated by their own sentence, in text order: which one a later sentence refers back to."""

    LOOK_BACK = 50  # at most this many recent incidents are searched for one of the same type

    def __init__(self) -> None:
        self.offsets: list[int] = []
        self.items: list[tuple[int, str, int]] = []  # (offset, event type, mention)
        self.first_of: dict[str, int] = {}  # event type -> index of its first incident

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, offset: int, etype: str, mention: int) -> None:
        self.first_of.setdefault(etype, len(self.items))
        self.offsets.append(offset)
        self.items.append((offset, etype, mention))

    def before(self, etype: str, offset: int, near: int) -> int | None:
        """One told in the last few sentences (from offset `near` on), else the first the article told;
        of the same type first. Bisection and bounded scans: linear in the article overall."""
        hi = bisect_left(self.offsets, offset)
        if hi == 0:
            return None
        lo = max(bisect_left(self.offsets, near, 0, hi), hi - self.LOOK_BACK)
        if lo < hi:
            same = next((self.items[k][2] for k in range(hi - 1, lo - 1, -1) if self.items[k][1] == etype), None)
            return same if same is not None else self.items[hi - 1][2]
        return self.first(etype, hi)

    def first(self, etype: str, hi: int | None = None) -> int:
        """The first incident of the type (before index `hi`), else the article's first."""
        k = self.first_of.get(etype)
        return self.items[k][2] if k is not None and (hi is None or k < hi) else self.items[0][2]


# ---------------------------------------------------------------- pass 3: places, and the events themselves
def place_events(art: Article, protos: list[Proto], dates: list[EventDate], dateline_place: str | None) -> list[Event]:
    text, mentions, reference = art.text, art.mentions, art.reference
    # Places of the article's sentences, resolved in the article's context (pipeline.extract.places).
    placer = pl.ArticlePlacer(text, art.story, dateline_place)
    events: list[Event] = []
    for p, d in zip(protos, dates):
        s0, s1 = art.story[p.si]
        location, gp = placer.place(p.si, p.start, p.type in ev.VIOLENT)
        m = mentions[d.mention] if d.mention is not None else None
        events.append(
            Event(
                char_start=p.start,
                char_end=p.end,
                sentence=text[s0:s1],
                trigger=p.trigger,
                event_type=p.type,
                date_start=m.date_start if m else reference,
                date_end=m.date_end if m else reference,
                date_precision=m.precision if m else "day",
                date_basis=d.basis,
                mention_index=d.mention,
                actor=ev.actor(text, s0, p.trig),
                location=location,
                country_code=gp.country_code if gp else None,
                latitude=gp.latitude if gp else None,
                longitude=gp.longitude if gp else None,
                plover_type=ev.plover(p.type),
                rule_id=p.rule_id,
            )
        )
    return events


# ---------------------------------------------------------------- pass 4: dates of figures
def date_figures(art: Article, figures: list[tuple[Figure, int]], casualties: list[Casualty], events: list[Event]
                 ) -> list[Casualty]:
    """Each figure's own date: a running total's period, a toll over the hours before the report, or
    the date of the incident (its event's), else undated (`reference`)."""
    war: list[datetime.date | None] = []  # the war's start, found when a running total first needs it
    by_sentence: dict[tuple[int, int], periods.FigureDate | None] = {}
    out = []
    for c in casualties:
        e = events[c.event_index] if c.event_index is not None else None
        s0, s1 = _sentence_of(art.story, c.char_start)
        if c.cumulative:
            if not war:
                war.append(periods.war_start(art.text, art.mentions, art.period_dates, art.story, art.reference))
            fd = periods.period(art.text, s0, s1, c.char_start, c.char_end, art.reference, art.mentions,
                                art.period_dates, war[0])
        else:
            if (s0, s1) not in by_sentence:  # once per sentence: a long one may hold many figures
                by_sentence[(s0, s1)] = periods.overnight_into(
                    art.text, s0, s1, art.mentions, art.dated_past) or periods.day_stretch(art.text, s0, s1, art.reference)
            fd = by_sentence[(s0, s1)]
            if fd is None and e is not None and e.date_basis != "reference":
                fd = periods.FigureDate(e.date_start, e.date_end, e.date_precision, e.date_basis)
            if fd is None:
                fd = periods.FigureDate(art.reference, art.reference, "day", "reference")
        out.append(replace(c, date_start=fd.start, date_end=fd.end, date_precision=fd.precision, date_basis=fd.basis,
                           country_code=e.country_code if e is not None else None))
    return out


def _sentence_of(story: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    k = bisect_right(story, offset, key=lambda s: s[0]) - 1  # sentences are in text order and disjoint
    if k >= 0 and story[k][0] <= offset < story[k][1]:
        return story[k]
    return offset, offset


def drop_covered_singulars(casualties: list[Casualty]) -> list[Casualty]:
    """A lone unnamed person ("a policeman was among the dead") counts as one only when no numeric
    figure of the same category covers the same incident (the same date, or either undated)."""
    numeric: dict[str, list[Casualty]] = {}
    for c in casualties:
        if not c.rule_id.startswith("singular_") and not c.cumulative and (c.best or c.low or 0) > 1:
            numeric.setdefault(c.category, []).append(c)

    def covered(c: Casualty) -> bool:
        return any(
            (c.victims in (None, "people") or n.victims in (None, "people") or c.victims == n.victims)
            and ("reference" in (n.date_basis, c.date_basis) or (n.date_start, n.date_end) == (c.date_start, c.date_end))
            for n in numeric.get(c.category, ())
        )

    return [c for c in casualties if not (c.rule_id.startswith("singular_") and covered(c))]


_BASIS_RANK = {"sentence": 0, "context": 1, "period": 2, "reference": 3}


def merge_restatements(casualties: list[Casualty]) -> list[Casualty]:
    """One row per figure: a later mention with the same category, counts, qualifier and running-total
    flag whose date agrees (or either is undated) restates it (a headline, the lead, a quote). The first
    mention stays, with the better-founded date of the two."""
    kept: list[Casualty] = []
    by_key: dict[tuple, list[int]] = {}  # counts -> indexes in kept (only equal counts can restate)
    for c in casualties:
        key = (c.category, c.low, c.best, c.high, c.qualifier, c.cumulative)
        same = by_key.setdefault(key, [])
        twin = next((i for i in same if _restates(kept[i], c)), None)
        if twin is None:
            same.append(len(kept))
            kept.append(c)
            continue
        k = kept[twin]
        if _BASIS_RANK[c.date_basis] < _BASIS_RANK[k.date_basis]:
            kept[twin] = replace(k, date_start=c.date_start, date_end=c.date_end, date_precision=c.date_precision,
                                 date_basis=c.date_basis)
    return kept


# "two other guards", "another soldier": a different group ("ten others" after a death toll is the same incident's).
_ANOTHER = re.compile(r"\b(?:other(?=\s+[a-z])|another|second|third|separate)\b", re.IGNORECASE)


def _restates(a: Casualty, b: Casualty) -> bool:
    if (a.category, a.low, a.best, a.high, a.qualifier, a.cumulative) != (b.category, b.low, b.best, b.high, b.qualifier, b.cumulative):
        return False
    if _ANOTHER.search(b.text):  # "two other guards were killed": a different group
        return False
    if "reference" in (a.date_basis, b.date_basis):
        return True
    return (a.date_start, a.date_end) == (b.date_start, b.date_end)


def _redate(e: Event, mi: int, m: Mention) -> Event:
    return replace(e, date_start=m.date_start, date_end=m.date_end, date_precision=m.precision,
                   date_basis="context", mention_index=mi)


def _attach(fig: Figure, candidates: list[Proto], indexes: list[int]) -> int | None:
    """The event of the same sentence a figure belongs to: the nearest fitting one."""
    best, best_d = None, None
    for p, i in zip(candidates, indexes):
        fits = p.type in ev.VIOLENT or (fig.category == "detained" and p.type == "arrest")
        if not fits:
            continue
        d = abs(p.start - fig.start)
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
