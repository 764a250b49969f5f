"""When a casualty figure happened: the incident's day, a running total's period, or undated.

Every article here is invented; each case shows one habit of news writing (DESIGN.md "Casualty figures").
"""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.extract import extract
from pipeline.extract.periods import stretch
from pipeline.extract.rules import load
from pipeline.temporal import normalise

D = dt.date.fromisoformat


def figures(text: str, reference: dt.date):
    return extract(text, reference, normalise(text, reference)).casualties


def figure(text: str, reference: dt.date, words: str):
    found = [c for c in figures(text, reference) if words in text[c.char_start : c.char_end] or text[c.char_start : c.char_end] in words]
    assert found, f"no figure for {words!r} in {[c.text for c in figures(text, reference)]}"
    return found[0]


def dates(c) -> tuple[str | None, str | None, str]:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return iso(c.date_start), iso(c.date_end), c.date_basis


@pytest.mark.parametrize("example", load("periods")["examples"], ids=lambda e: e["text"][:40])
def test_rule_file_examples(example):
    c = figure(example["text"], D(example["reference"]), example["figure"])
    assert c.cumulative is example.get("cumulative", True)
    assert (dates(c)[0], dates(c)[1]) == (example["start"], example["end"])
    assert c.date_basis == ("period" if c.cumulative else "sentence")


REF = D("2031-06-17")  # a Tuesday


@pytest.mark.parametrize(
    "text, words, expected",
    [
        # the incident's own day, in its sentence
        ("Gunmen killed four farmers in Varesk on Sunday, officials said.", "killed four farmers",
         ("2031-06-15", "2031-06-15", "sentence")),
        # a date tied only to the reporting verb does not date the killing
        ("The army said on Monday that its troops had killed six insurgents near the pass.", "killed six insurgents",
         ("2031-06-17", "2031-06-17", "reference")),
        ("Rebels killed nine villagers, the governor announced Monday.", "killed nine villagers",
         ("2031-06-17", "2031-06-17", "reference")),
        # a later sentence refers back to the incident told before it
        ("A car bomb exploded at the Orlu market on Saturday. Eleven people were killed in the blast.",
         "Eleven people were killed", ("2031-06-14", "2031-06-14", "context")),
        # a headline is dated by the incident its story tells
        ("Bomb kills 7 in Orlu\n\nA car bomb killed nine shoppers at the Orlu market on Saturday.", "kills 7",
         ("2031-06-14", "2031-06-14", "context")),
        # a page header's date, a clock time alone or a claim of responsibility date nothing
        ("Monday, June 16, 2031\n\nEight soldiers were killed in an ambush near Tarsk.", "Eight soldiers were killed",
         ("2031-06-17", "2031-06-17", "reference")),
        ("The quake struck at 4:12 a.m. local time. At least 30 people were killed in Belmor.",
         "At least 30 people were killed", ("2031-06-17", "2031-06-17", "reference")),
        ("A group on Monday claimed responsibility for the attack. Five guards were killed in it.",
         "Five guards were killed", ("2031-06-17", "2031-06-17", "reference")),
        # the night into a day
        ("Shelling overnight into Tuesday killed nine people in Dorvik.", "killed nine people",
         ("2031-06-16", "2031-06-17", "sentence")),
        ("Nine people were killed in shelling overnight, officials said.", "Nine people were killed",
         ("2031-06-16", "2031-06-16", "sentence")),
        # a toll over the hours before the report covers those days
        ("Health officials said 23 people were killed over the previous 24 hours.", "23 people were killed",
         ("2031-06-16", "2031-06-17", "sentence")),
        ("Shelling killed 12 civilians in the past 48 hours, the mayor said.", "killed 12 civilians",
         ("2031-06-15", "2031-06-17", "sentence")),
        # running totals: stated start, a start the article gives elsewhere, no start at all
        ("Since the offensive began on May 2, at least 310 fighters have been killed.", "310 fighters have been killed",
         ("2031-05-02", "2031-06-17", "period")),
        ("The offensive began on May 2. The ministry says 1,240 people have died since the start of the offensive.",
         "1,240 people have died", ("2031-05-02", "2031-06-17", "period")),
        ("The war has killed more than 8,000 people, aid groups say.", "killed more than 8,000 people",
         (None, "2031-06-17", "period")),
        ("Some 40,000 residents have fled the province so far.", "40,000 residents have fled",
         (None, "2031-06-17", "period")),
        ("In total, 52 people have been killed since Jan. 1, according to a local monitor.", "52 people have been killed",
         ("2031-01-01", "2031-06-17", "period")),
    ],
)
def test_figure_dates(text, words, expected):
    assert dates(figure(text, REF, words)) == expected


def test_an_updated_toll_of_one_attack_is_not_a_running_total():
    text = "A suicide bomber struck a bus in Kelso on Friday. The death toll from the attack rose to 21."
    c = figure(text, REF, "rose to 21")
    assert (c.cumulative, dates(c)) == (False, ("2031-06-13", "2031-06-13", "context"))


def test_the_figure_takes_the_nearest_incident_told_before_it():
    text = ("Gunmen shot dead two traders in Olsk on Sunday. "
            "In March 2030, a raid on the same market killed 15 people and wounded dozens. "
            "One of the attackers later died of his wounds in hospital.")
    c = figure(text, REF, "killed 15 people")
    assert dates(c)[:2] == ("2030-03-01", "2030-03-31")


def test_a_restated_figure_is_one_row_and_a_different_group_is_not():
    text = ("Three guards killed in Dorn\n\nThree guards were killed at a checkpoint in Dorn on Sunday. "
            "Earlier in May, three other guards were killed in the same district.")
    killed = [c for c in figures(text, REF) if c.category == "killed"]
    assert [c.best for c in killed] == [3, 3]
    assert dates(killed[0])[:2] == ("2031-06-15", "2031-06-15")
    assert dates(killed[1])[:2] == ("2031-05-01", "2031-05-31")


def test_a_lone_victim_already_counted_is_not_added():
    text = "A bomb killed five people in Varna on Sunday. A local councillor was among the dead."
    assert [c.best for c in figures(text, REF) if c.category == "killed"] == [5]


def test_figures_carry_the_country_of_their_place():
    text = "Shelling killed 14 civilians in Kharkiv, Ukraine, on Sunday."
    c = figure(text, REF, "killed 14 civilians")
    assert c.country_code == "UA"


@pytest.mark.parametrize(
    "sentence, start",
    [
        ("in the past 24 hours", "2031-06-16"),
        ("over the last three days", "2031-06-15"),
        ("during the past month", "2031-05-17"),
        ("over the past year", "2030-06-17"),
        ("in the last week", "2031-06-10"),
        ("five days ago", None),
    ],
)
def test_stretches_end_at_the_report(sentence, start):
    found = stretch(sentence, REF)
    assert (found[0].isoformat() if found else None) == start
