"""Syndicated copies, event-type compatibility (types.yaml examples) and place containment."""

from __future__ import annotations

import pytest

from pipeline.timeline import places, types
from pipeline.timeline.config import TimelineSettings
from pipeline.timeline.places import Place
from pipeline.timeline.syndication import copies, shingles, similar

STORY = (
    "A car bomb tore through a crowded bus station in the northern city of Kirkuk on Tuesday, killing 14 people "
    "and wounding 31 others, police and hospital officials said. The blast hit as commuters queued for minibuses "
    "to Baghdad. Ambulances ferried the wounded to two hospitals, where doctors appealed for blood donations. "
    "No group immediately claimed responsibility for the attack, the deadliest in the city this year."
)
REWRITE = (
    "Fourteen people were killed in Kirkuk on Tuesday when a bomb hidden in a car exploded at the bus station, "
    "police said. Officials said 31 people were hurt. Nobody has claimed the bombing so far, and doctors in the "
    "city asked residents to give blood for the injured commuters who had been waiting for minibuses."
)


@pytest.mark.parametrize(
    "a, b, is_copy",
    [
        (STORY, STORY, True),
        (STORY, "KIRKUK, Iraq (Wire) - " + STORY, True),  # dateline and agency added
        (STORY, STORY.replace("Tuesday", "Tuesday morning") + " Reporting by staff.", True),  # light edits
        (STORY, STORY.rsplit(". ", 1)[0] + ".", True),  # trimmed last sentence
        (STORY, REWRITE, False),  # same facts, own words: an independent report
        (STORY, STORY.split(". ")[0] + ". Our correspondent adds that the city had been calm for months.", False),
        ("Two killed.", "Two killed in Herat.", False),
        ("", STORY, False),
    ],
)
def test_copies_are_near_identical_texts(a, b, is_copy):
    s = TimelineSettings()
    assert (similar(shingles(a, s.shingle_words), shingles(b, s.shingle_words), s) is not None) is is_copy


def test_groups_are_transitive_and_the_earliest_article_is_the_original():
    rows = [
        ("c", "2023-03-15", STORY + " Copied again."),
        ("b", "2023-03-14T20:00", "KIRKUK (Wire) - " + STORY),
        ("a", "2023-03-14T18:00", STORY),
        ("d", "2023-03-14T19:00", REWRITE),
        ("e", None, STORY),
    ]
    out = copies(rows)
    assert {k: v.original for k, v in out.items()} == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "a"}
    assert out["a"].similarity is None and 0.7 <= out["b"].similarity <= 1


def test_boilerplate_shared_by_many_articles_proposes_no_pairs_but_copies_still_meet():
    sign_off = " Reporting by the desk; editing by the night editor; all rights reserved by the agency."
    rows = [(f"x{i:03}", "2023-01-01", f"Story number {i} is about topic {i * 7} and nothing else." + sign_off) for i in range(80)]
    rows += [("y1", "2023-01-02", STORY + sign_off), ("y2", "2023-01-03", STORY + sign_off)]
    out = copies(rows, TimelineSettings(sketch_bucket_cap=10))
    assert out["y2"].original == "y1"
    assert sum(v.original != k for k, v in out.items()) == 1


@pytest.mark.parametrize("example", types.rules()["examples"], ids=str)
def test_types_yaml_examples(example):
    if "types" in example:
        assert types.pick(example["types"]) == example["picked"]
    else:
        assert types.compatible(example["a"], example["b"]) is example["compatible"]
        assert types.compatible(example["b"], example["a"]) is example["compatible"]
        assert types.group(example["a"], example["b"]) == example["group"]


@pytest.mark.parametrize(
    "a, b, rel",
    [
        (Place("Ganja", "AZ", 40.68, 46.36), Place("Azerbaijan", "AZ"), "inside"),
        (Place("Azerbaijan", None), Place("Ganja", "AZ"), "contains"),
        (Place("GANJA", "AZ"), Place("Ganja", None), "same"),
        (Place("Ganja", "AZ"), Place("Tartar", "AZ"), None),  # two towns of one country
        (Place("Dallas", "US", 32.78, -96.8), Place("Texas", "US"), "inside"),
        (Place("Dallas", "US", 32.78, -96.8), Place("Ohio", "US"), None),
        (Place("U.S.", "US"), Place("Texas", "US"), "contains"),
        (Place("Kirkuk", "IQ", 35.468, 44.392), Place("Kerkuk", "IQ", 35.47, 44.39), "same"),  # 1 km apart
        (Place("Kirkuk", "IQ", 35.468, 44.392), Place("Erbil", "IQ", 36.19, 44.01), None),
        (Place("Kirkuk", "IQ"), Place("Kirkuk", "AZ"), None),
        (Place(None, "IQ"), Place("Iraq", "IQ"), None),
    ],
)
def test_place_relations(a, b, rel):
    assert places.relation(a, b) == rel
