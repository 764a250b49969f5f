"""build_timeline on hand-made tables: one incident from several reports, its neighbours kept apart."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa
import pytest

from pipeline.tables import to_arrow
from pipeline.timeline import build_timeline, timeline_id
from pipeline.timeline.figures import Figure, Range, summarise
from pipeline.timeline.merge import Member, merge
from pipeline.timeline.places import Place
from tests.factories import article, casualty, event

D14, D16 = date(2023, 3, 14), date(2023, 3, 16)
KIRKUK = {"location": "Kirkuk", "country_code": "IQ", "latitude": 35.468, "longitude": 44.392}
ERBIL = {"location": "Erbil", "country_code": "IQ", "latitude": 36.191, "longitude": 44.009}
IRAQ = {"location": "Iraq", "country_code": "IQ", "latitude": 33.0, "longitude": 44.0}
WIRE = (
    "KIRKUK, Iraq (Wire) - A car bomb tore through a crowded bus station in the northern city of Kirkuk on "
    "Tuesday, killing 14 people and wounding 31 others, police and hospital officials said. The blast hit "
    "as commuters queued for minibuses to Baghdad, and ambulances ferried the wounded to two hospitals."
)


def _day(d: date, **kw):
    return {"date_start": d, "date_end": d, "date_precision": "day", **kw}


def _fig(aid: str, n: int, category: str = "killed", low=None, best=None, high=None, **kw):
    """A figure row; exact count n unless low/best/high are given."""
    low, best, high = (n, n, n) if (low, best, high) == (None, None, None) else (low, best, high)
    return casualty(aid, casualty_id=f"{aid}-c{category}{n}", event_id=f"{aid}-e", category=category,
                    low=low, best=best, high=high, **kw)  # fmt: skip


def reports():
    """Four reports of the Kirkuk bombing (one a syndicated copy), one in Erbil the same day, one in Kirkuk later."""
    arts = [
        article("a1", text=WIRE, source="Wire", published="2023-03-14T18:00:00+03:00"),
        article("a2", text="BAGHDAD - At least 16 people were killed and dozens injured when a bomb went off at a "
                "bus terminal in Kirkuk yesterday, an interior ministry spokesman told reporters.",
                source="Daily Star", published="2023-03-15"),
        article("a3", text="Nineteen people died in Tuesday's attack on a Kirkuk bus station, the provincial health "
                "directorate said on Wednesday, raising its earlier count.", source="Gulf Times", published="2023-03-15"),
        article("a4", text=WIRE.replace("(Wire) - ", "- ") + " Reporting by staff.", source="Evening Post",
                published="2023-03-14T20:00:00+03:00"),
        article("a5", text="ERBIL - A roadside bomb killed three people in Erbil on Tuesday, security sources said.",
                source="Gulf Times", published="2023-03-14"),
        article("a6", text="KIRKUK - Two policemen were killed when a bomb exploded at a checkpoint in Kirkuk on Thursday.",
                source="Wire", published="2023-03-16"),
    ]  # fmt: skip
    evs = [
        event("a1", event_id="a1-e", event_type="bombing", sentence=WIRE.split(". ")[0], **KIRKUK, **_day(D14)),
        event("a2", event_id="a2-e", event_type="attack", sentence="At least 16 people were killed.", **KIRKUK, **_day(D14)),
        event("a3", event_id="a3-e", event_type="killing", sentence="Nineteen people died.", **KIRKUK, **_day(D14)),
        event("a4", event_id="a4-e", event_type="bombing", sentence=WIRE.split(". ")[0], **KIRKUK, **_day(D14)),
        event("a5", event_id="a5-e", event_type="bombing", sentence="A roadside bomb killed three.", **ERBIL, **_day(D14)),
        event("a6", event_id="a6-e", event_type="bombing", sentence="Two policemen were killed.", **KIRKUK, **_day(D16)),
    ]  # fmt: skip
    cas = [
        _fig("a1", 14), _fig("a1", 31, "injured"),
        _fig("a2", 16, low=16, best=16, high=None, qualifier="at_least"),
        _fig("a2", 24, "injured", low=24, best=None, high=99, qualifier="vague"),
        _fig("a3", 19), _fig("a4", 14), _fig("a4", 31, "injured"), _fig("a5", 3), _fig("a6", 2),
    ]  # fmt: skip
    return arts, evs, cas


def build(arts, evs, cas):
    return build_timeline(to_arrow("articles", arts), to_arrow("events", evs), to_arrow("casualties", cas))


def rows(arts, evs, cas):
    out = build(arts, evs, cas)
    return out["timeline"].to_pylist(), {r["event_id"]: r for r in out["timeline_links"].to_pylist()}


def row_of(timeline, event_id):
    return next(r for r in timeline if event_id in r["event_ids"])


def test_reports_of_one_incident_merge_into_one_row_whose_range_spans_them():
    timeline, links = rows(*reports())
    assert len(timeline) == 3
    k = row_of(timeline, "a1-e")
    assert k["event_ids"] == ["a1-e", "a2-e", "a3-e", "a4-e"]
    assert (k["killed_low"], k["killed_best"], k["killed_high"]) == (14, 16, 19)
    assert (k["injured_low"], k["injured_best"], k["injured_high"]) == (24, 31, 99)
    assert (k["date_start"], k["date_end"], k["date_precision"]) == (D14, D14, "day")
    assert (k["location"], k["country_code"], k["event_type"]) == ("Kirkuk", "IQ", "bombing")
    assert k["event_types"] == ["attack", "bombing", "killing"]
    assert (k["n_events"], k["n_articles"], k["n_copies"], k["n_sources"]) == (4, 3, 1, 3)
    assert k["sources"] == ["Daily Star", "Evening Post", "Gulf Times", "Wire"]
    assert k["article_id"] == "a1" and k["sentence_event_id"] == "a1-e"
    assert links["a1-e"]["link"] == "seed"
    assert {links[e]["link"] for e in ("a2-e", "a3-e", "a4-e")} == {"merged"}
    assert links["a3-e"]["type_relation"] == "compatible:violence" and links["a3-e"]["linked_to"] == "a1-e"
    assert links["a4-e"]["is_copy"] and links["a4-e"]["original_article_id"] == "a1"
    assert "syndicated copy of a1" in links["a4-e"]["explanation"]


def test_nearby_incidents_stay_apart():
    timeline, links = rows(*reports())
    erbil, later = row_of(timeline, "a5-e"), row_of(timeline, "a6-e")
    assert erbil["event_ids"] == ["a5-e"] and (erbil["killed_low"], erbil["killed_high"]) == (3, 3)
    assert later["event_ids"] == ["a6-e"] and later["date_start"] == D16
    assert links["a5-e"]["link"] == links["a6-e"]["link"] == "seed"


def test_syndicated_copy_counts_once_in_the_figures():
    arts, evs, cas = reports()
    cas = [c for c in cas if c["article_id"] != "a1"] + [_fig("a1", 14)]  # the copy alone carries the injured
    k = row_of(rows(arts, evs, cas)[0], "a1-e")
    assert (k["injured_low"], k["injured_best"], k["injured_high"]) == (24, 31, 99)
    # without the copy relation the copy would be one more vote for 14 and pull the median down
    assert k["killed_best"] == 16


def test_country_level_report_joins_the_one_city_it_fits_and_ambiguous_ones_stay_apart():
    arts, evs, cas = reports()
    arts.append(article("a7", text="Officials in Iraq counted 15 dead after a bombing on Tuesday.", source="Radio"))
    evs.append(event("a7", event_id="a7-e", event_type="bombing", **IRAQ, **_day(D16)))  # only Kirkuk fits on the 16th
    arts.append(article("a8", text="Bombings across Iraq this month.", source="Radio 2"))
    evs.append(event("a8", event_id="a8-e", event_type="bombing", **IRAQ, date_start=date(2023, 3, 1),
                     date_end=date(2023, 3, 31), date_precision="month"))  # fmt: skip
    timeline, links = rows(arts, evs, cas)
    assert row_of(timeline, "a7-e")["event_ids"] == ["a6-e", "a7-e"]
    assert links["a7-e"]["place_relation"] == "contains"
    assert row_of(timeline, "a7-e")["location"] == "Kirkuk"
    assert links["a8-e"]["link"] == "ambiguous" and links["a8-e"]["candidates"] == 3
    assert row_of(timeline, "a8-e")["event_ids"] == ["a8-e"]


def test_vague_interval_narrows_to_the_precise_report():
    arts, evs, cas = reports()
    arts.append(article("a9", text="A bombing in Kirkuk in mid-March killed many.", source="Monthly"))
    evs.append(event("a9", event_id="a9-e", event_type="bombing", **KIRKUK, date_start=date(2023, 3, 11),
                     date_end=date(2023, 3, 20), date_precision="part_of_month"))  # fmt: skip
    evs[0] = {**evs[0], "date_start": date(2023, 3, 13), "date_end": date(2023, 3, 19), "date_precision": "week"}
    evs = [e for e in evs if e["event_id"] != "a6-e"]  # with the Kirkuk bombing of the 16th, both would be ambiguous
    timeline, links = rows(arts, evs, cas)
    k = row_of(timeline, "a2-e")
    assert k["event_ids"] == ["a1-e", "a2-e", "a3-e", "a4-e", "a9-e"]
    assert (k["date_start"], k["date_end"], k["date_precision"]) == (D14, D14, "day")
    assert links["a1-e"]["date_relation"] == links["a9-e"]["date_relation"] == "contains"


def test_vague_report_fitting_two_incidents_is_kept_apart():
    arts, evs, cas = reports()
    arts.append(article("a9", text="A blast in Kirkuk on Monday.", source="Monthly"))
    evs.append(event("a9", event_id="a9-e", event_type="bombing", **KIRKUK, **_day(D14 - timedelta(days=1))))
    evs[0] = {**evs[0], "date_start": date(2023, 3, 13), "date_end": date(2023, 3, 19), "date_precision": "week"}
    timeline, links = rows(arts, evs, cas)
    assert links["a1-e"]["link"] == "ambiguous" and links["a1-e"]["candidates"] == 3  # the 13th, 14th and 16th
    assert row_of(timeline, "a1-e")["event_ids"] == ["a1-e"]
    assert row_of(timeline, "a2-e")["event_ids"] == ["a2-e", "a3-e", "a4-e"]


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"location": None, "country_code": None, "latitude": None, "longitude": None}, "no_place"),
        ({"date_start": None, "date_end": None, "date_precision": None}, "no_date"),
        ({"date_start": date(2020, 1, 1), "date_end": date(2029, 12, 31), "date_precision": "decade"}, "too_vague"),
        ({"event_type": "protest"}, "seed"),
        ({"location": "Mosul", "latitude": 36.34, "longitude": 43.13}, "seed"),
        ({"location": "Kirkuk", "country_code": "AZ"}, "seed"),
        ({"date_start": D14 + timedelta(days=1), "date_end": D14 + timedelta(days=1)}, "seed"),
    ],
)
def test_what_never_merges(change, reason):
    arts, evs, cas = reports()
    evs[2] = {**evs[2], **change}
    timeline, links = rows(arts, evs, cas)
    assert row_of(timeline, "a3-e")["event_ids"] == ["a3-e"]
    assert links["a3-e"]["link"] == reason
    assert row_of(timeline, "a1-e")["killed_high"] == 16  # a3's 19 is not on the Kirkuk row


def test_running_totals_never_count_for_the_event():
    arts, evs, cas = reports()
    cas.append(_fig("a3", 710, cumulative=True))
    timeline, links = rows(arts, evs, cas)
    assert row_of(timeline, "a1-e")["killed_high"] == 19
    assert (links["a3-e"]["figures_used"], links["a3-e"]["figures_cumulative"]) == (1, 1)


@pytest.mark.parametrize(
    "figures, expected",
    [
        ([("r1", 12, 12, 12), ("r2", 13, 13, 13)], Range(12, 12, 13)),
        ([("r1", 12, 12, None)], Range(12, 12, 12)),  # "at least 12": 12 is what was said
        ([("r1", None, 50, 50), ("r2", 41, 41, None)], Range(41, 41, 50)),  # nearly 50 / more than 40
        ([("r1", 24, None, 99)], Range(24, None, 99)),  # dozens: a range, no best
        ([("r1", 10, 10, None), ("r1", 12, 12, 12)], Range(12, 12, 12)),  # one report restating: never summed
        ([("r1", 5, None, 7), ("r2", None, 3, None)], Range(3, 3, 7)),  # disagreement keeps low <= best <= high
        ([], Range()),
    ],
)
def test_figure_ranges(figures, expected):
    assert summarise([Figure(r, "killed", lo, b, hi) for r, lo, b, hi in figures], "killed") == expected


def test_stable_ids_and_order_independent():
    arts, evs, cas = reports()
    first = build(arts, evs, cas)
    rng = random.Random(7)
    for _ in range(3):
        shuffled = [rng.sample(x, len(x)) for x in (arts, evs, cas)]
        again = build(*shuffled)
        assert again["timeline"].equals(first["timeline"]) and again["timeline_links"].equals(first["timeline_links"])
    # the id comes from the event of the earliest report (a1 was published before a4, a2 and a3)
    assert row_of(first["timeline"].to_pylist(), "a1-e")["timeline_id"] == timeline_id("a1-e")


def test_empty_input():
    out = build_timeline(*(to_arrow(t, []) for t in ("articles", "events", "casualties")))
    assert out["timeline"].num_rows == out["timeline_links"].num_rows == 0
    assert isinstance(out["timeline"], pa.Table)


# ---------------------------------------------------------------- property: rows are partitions of compatible events
PLACES = [Place("Kirkuk", "IQ", 35.47, 44.39), Place("Erbil", "IQ", 36.19, 44.01), Place("Iraq", "IQ"),
          Place("Aleppo", "SY", 36.2, 37.16), Place("Syria", "SY"), Place(None, None)]  # fmt: skip
TYPES = ["bombing", "attack", "killing", "protest", "talks", "airstrike"]


@pytest.mark.parametrize("seed", range(25))
def test_every_event_on_one_row_and_rows_pairwise_compatible(seed):
    from pipeline.timeline import places, types

    rng = random.Random(seed)
    members = []
    for i in range(rng.randint(1, 60)):
        start = date(2023, 3, 1) + timedelta(days=rng.randint(0, 20))
        span = rng.choice([1, 1, 1, 2, 7, 10, 31])
        members.append(Member(f"e{i:02}", f"a{rng.randint(0, 9)}", rng.choice(TYPES), rng.choice(PLACES),
                              start, start + timedelta(days=span - 1), "day" if span == 1 else "week"))  # fmt: skip
    groups, links = merge(members)
    assert sorted(m.event_id for g in groups for m in g.members) == sorted(m.event_id for m in members)
    assert set(links) == {m.event_id for m in members}
    for g in groups:
        assert g.start <= g.end
        for a in g.members:
            assert a.date_start <= g.start and g.end <= a.date_end
            for b in g.members:
                assert types.compatible(a.event_type, b.event_type)
                assert a is b or not (a.place.name and b.place.name) or places.relation(a.place, b.place) is not None
            if not a.place.name and len(g.members) > 1:  # placed by its own article's row
                assert any(b.article_id == a.article_id and b.place.name for b in g.members)


def test_an_event_without_a_place_joins_the_one_row_of_its_own_article():
    arts, evs, cas = reports()
    unplaced = {"location": None, "country_code": None, "latitude": None, "longitude": None}
    evs.append(event("a1", event_id="a1-e2", event_type="attack", **unplaced, **_day(D14)))  # "the attack also ..."
    evs.append(event("a2", event_id="a2-e2", event_type="protest", **unplaced, **_day(D14)))  # type fits no row of a2
    evs.append(event("a7", event_id="a7-e2", event_type="attack", **unplaced, **_day(D14)))  # its article has no row
    arts.append(article("a7", text="An attack on Tuesday.", source="Radio"))
    timeline, links = rows(arts, evs, cas)
    assert "a1-e2" in row_of(timeline, "a1-e")["event_ids"]
    assert (links["a1-e2"]["link"], links["a1-e2"]["place_relation"]) == ("merged", "from_article")
    assert links["a2-e2"]["link"] == links["a7-e2"]["link"] == "no_place"
    assert row_of(timeline, "a1-e")["location"] == "Kirkuk"


def test_an_event_without_a_place_fitting_two_rows_of_its_article_joins_the_one_before_it():
    arts, evs, cas = reports()
    unplaced = {"location": None, "country_code": None, "latitude": None, "longitude": None}
    evs[4] = {**evs[4], "char_start": 10, "char_end": 20}  # a5: Erbil first ...
    evs.append(event("a5", event_id="a5-e2", event_type="bombing", **KIRKUK, **_day(D14), char_start=100, char_end=104))
    evs.append(event("a5", event_id="a5-e3", event_type="killing", **unplaced, **_day(D14), char_start=50, char_end=56))
    evs.append(event("a5", event_id="a5-e4", event_type="attack", **unplaced, **_day(D14), char_start=150, char_end=156))
    timeline, links = rows(arts, evs, cas)
    assert row_of(timeline, "a5-e3")["location"] == "Erbil"  # after the Erbil sentence, before the Kirkuk one
    assert row_of(timeline, "a5-e4")["location"] == "Kirkuk"
    assert (links["a5-e3"]["link"], links["a5-e3"]["candidates"]) == ("merged", 2)
    assert "nearest earlier of 2" in links["a5-e3"]["explanation"]


@pytest.mark.parametrize("seed", range(10))
def test_the_index_only_skips_rows_that_cannot_fit(seed, monkeypatch):
    """Filing rows by country, type class and week gives the same rows as trying every row."""
    from pipeline.timeline import merge as merging

    rng = random.Random(100 + seed)
    members = []
    for i in range(rng.randint(20, 120)):
        start = date(2023, 3, 1) + timedelta(days=rng.randint(0, 40))
        span = rng.choice([1, 1, 1, 2, 7, 10, 31, 90])
        members.append(Member(f"e{i:03}", f"a{rng.randint(0, 15)}", rng.choice(TYPES), rng.choice(PLACES),
                              start, start + timedelta(days=span - 1), "day" if span == 1 else "week",
                              position=rng.randint(0, 900)))  # fmt: skip

    def summary(groups, links):
        return [[m.event_id for m in g.members] for g in groups], links

    indexed = summary(*merge(members))
    monkeypatch.setattr(merging, "_index_keys", lambda m: [("every row",)])
    assert summary(*merge(members)) == indexed


def test_streamed_texts_and_sentences_and_pieces_give_the_same_tables():
    from pipeline.timeline import iter_timeline

    arts, evs, cas = reports()
    a, e, c = to_arrow("articles", arts), to_arrow("events", evs), to_arrow("casualties", cas)
    whole = build_timeline(a, e, c)
    streamed = build_timeline(
        a.drop_columns(["text"]), e.drop_columns(["sentence"]), c,
        texts=lambda: a.select(["article_id", "text"]).to_batches(max_chunksize=2),
        sentences=lambda: e.select(["sentence"]).to_batches(max_chunksize=4),
    )  # fmt: skip
    pieces = list(iter_timeline(a, e, c, chunk=2))
    assert len(pieces) > 1
    for name in ("timeline", "timeline_links"):
        assert streamed[name].equals(whole[name])
        assert pa.concat_tables([p[name] for p in pieces]).equals(whole[name])


@pytest.mark.parametrize(
    "asked",
    [["a2", "a0"], ["a1", "zz"], [], ["a3", "a3"], ["zz"]],  # in any order; an unknown id; none; one id twice
)
def test_the_book_looks_up_outlet_and_publication_time_of_the_ids_asked(asked):
    from pipeline.timeline import Articles

    table = pa.table({
        "article_id": ["a0", "a1", "a2", "a3", "a3"],  # a book holding an id twice answers with its first row
        "source": ["Desk A", None, "Desk C", "Desk D", "Desk E"],
        "published": ["2023-03-01", "2023-03-02", None, "2023-03-04", "2023-03-05"],
    })  # fmt: skip
    rows = {"a0": ("Desk A", "2023-03-01"), "a1": (None, "2023-03-02"), "a2": ("Desk C", None), "a3": ("Desk D", "2023-03-04")}
    sources, published = Articles(table, {}).lookup(asked)
    assert sources == {a: rows[a][0] for a in asked if a in rows and rows[a][0] is not None}
    assert published == {a: rows.get(a, (None, None))[1] for a in asked}
