"""Places: the GeoNames gazetteer, resolving namesakes, and which place an event is at.

Sentences written for these tests; the towns are real gazetteer entries, the stories invented."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.extract import extract
from pipeline.extract import places as pl
from pipeline.timeline import places as tp

REF = dt.date(2023, 5, 10)


def _event(text: str, dateline: str | None = None, nth: int = 0):
    return extract(text, REF, [], dateline_place=dateline).events[nth]


def _places(text: str) -> list[tuple[str, str, str | None]]:
    return [(text[f.start : f.end], (p := pl.resolve(f, set())).name, p.country_code) for f in pl.find_places(text)]


@pytest.mark.parametrize(
    "text, location, country",
    [
        # namesakes: the most populous, unless the text names the country or state of another
        ("Two people were killed by shelling in Odessa.", "Odesa", "UA"),
        ("Two people were killed in a shooting in Odessa, Texas.", "Odessa", "US"),
        ("Two people were killed by shelling in Odessa, Ukraine.", "Odesa", "UA"),
        ("Police in Texas said two people were shot dead in Odessa.", "Odessa", "US"),
        ("A gunman killed three people in Memphis, Tenn.", "Memphis", "US"),
        ("A gunman killed three people in Paris, Texas.", "Paris", "US"),
        ("A car bomb killed four soldiers in Paris.", "Paris", "FR"),
        ("Clashes killed three people in Tripoli, Lebanon.", "Tripoli", "LB"),
        # alternate spellings and diacritics: one place
        ("A missile strike killed five people in Kiev.", "Kyiv", "UA"),
        ("A missile strike killed five people in Kyiv.", "Kyiv", "UA"),
        ("A roadside bomb killed two soldiers near Kandahar.", "Kandahar", "AF"),
        ("Gunmen killed four guards in Herat.", "Herat", "AF"),
        ("An airstrike killed nine people in Hodeidah.", "Al Hudaydah", "YE"),
        ("Drones struck a power station in Zaporizhzhia, killing one.", "Zaporizhzhya", "UA"),
        ("An airstrike on Gaza City killed six people.", "Gaza", "PS"),
        ("Shelling killed two people in Rafah.", "Rafah", "PS"),
        # a district resolves to its city
        ("A bomb killed eight people in Sadr City.", "Baghdad", "IQ"),
        # admin-1 areas
        ("Militants killed six police officers in Khyber Pakhtunkhwa.", "Khyber Pakhtunkhwa", "PK"),
        ("Floods killed twelve people in Bavaria, Germany.", "Bayern", "DE"),  # the GeoNames name
    ],
)
def test_event_place_resolution(text, location, country):
    e = _event(text)
    assert (e.location, e.country_code) == (location, country)


@pytest.mark.parametrize(
    "text, name, context, states, country",
    [
        ("a raid in Odessa", "Odessa", set(), set(), "UA"),  # most populous
        ("a raid in Odessa", "Odessa", {"US"}, set(), "US"),  # a country named in the article
        ("a raid in Memphis", "Memphis", set(), {("US", "FL")}, "US"),  # a state named in the article
        ("a raid in Rafah", "Rafah", {"EG"}, set(), "EG"),
        ("a raid in Rafah", "Rafah", set(), set(), "PS"),
    ],
)
def test_context_decides_between_namesakes(text, name, context, states, country):
    found = {text[f.start : f.end]: f for f in pl.find_places(text)}
    p = pl.resolve(found[name], context, states)
    assert p.country_code == country
    if states:
        assert (p.country_code, p.admin1) in states


@pytest.mark.parametrize(
    "written, name, country, admin1",
    [
        ("Memphis, Tenn.", "Memphis", "US", "TN"),
        ("MEMPHIS, Tenn.", "Memphis", "US", "TN"),
        ("Columbus, Ga.", "Columbus", "US", "GA"),
        ("Columbus, Ohio", "Columbus", "US", "OH"),
        ("Portland, Ore.", "Portland", "US", "OR"),
        ("Portland, Maine", "Portland", "US", "ME"),
        ("Springfield, Ill.", "Springfield", "US", "IL"),
        ("Kansas City, Kan.", "Kansas City", "US", "KS"),
        ("KYIV, Ukraine", "Kyiv", "UA", None),
        ("Odessa, Ukraine", "Odesa", "UA", None),
        ("Baku, Azerbaijan", "Baku", "AZ", None),
        ("Kherson", "Kherson", "UA", None),
    ],
)
def test_lookup_of_datelines_and_state_abbreviations(written, name, country, admin1):
    p = pl.lookup(written)
    assert (p.name, p.country_code) == (name, country)
    assert admin1 is None or p.admin1 == admin1


@pytest.mark.parametrize(
    "text",
    [
        "Detective Jane Chandler said the suspect fled.",  # first name + a surname that is a city
        "Gen. Austin told reporters the operation was over.",  # title
        "Sen. Warren said she would vote against it.",
        "The suspect, Mark Hickory, was arrested.",
        "said spokesman Tyler, adding that no one was hurt.",  # lower-case title
        "Pop star Kim Sakai was arrested.",
        "The International Court of Justice ruled on Friday.",  # part of an institution's name
        "He spoke to the Voice of America.",
        "He was reading a book.",
        "Mobile phones were seized.",
    ],
)
def test_people_and_institutions_are_not_places(text):
    assert _places(text) == []


def test_a_name_the_article_uses_for_a_person_is_a_person_everywhere():
    text = "Officer Dan Chandler arrived first. Chandler said two people were wounded."
    article = pl.ArticlePlaces(text)
    assert article.all() == []
    # ... but a locative cue still says place
    text2 = text + " The shooting happened in Chandler, Ariz."
    assert [text2[f.start : f.end] for f in pl.ArticlePlaces(text2).all()] == ["Chandler"]


@pytest.mark.parametrize(
    "text, names",
    [
        ("Three people were wounded outside a store in Orange Mound.", []),  # a neighbourhood, not Orange
        ("Shots were fired in Hickory Hill on Sunday.", []),
        ("Floods swept the Swat valley.", []),  # a valley named after a town
        ("Troops crossed the Dnipro River.", []),
        ("Memphis Police Department officers arrived.", ["Memphis"]),  # an institution of the city
        ("Fighting in Kherson Oblast killed two.", ["Kherson Oblast"]),
    ],
)
def test_longer_local_names(text, names):
    assert [n for n, _, _ in _places(text)] == names


def test_small_towns_need_a_cue_or_their_country():
    # A single-word town below uncued_min_population counts only after a locative cue ...
    assert _places("Hickory said the figures were wrong.") == []
    assert [n for n, _, _ in _places("A man was shot in Hickory.")] == ["Hickory"]
    # ... and, at event level, only when the article's countries agree.
    assert _event("A man was shot dead in Babylon on Tuesday.").location is None
    us = _event("A man was shot dead in Babylon, N.Y., on Tuesday.")
    assert (us.location, us.country_code) == ("Babylon", "US")


@pytest.mark.parametrize(
    "text, dateline, locations",
    [
        # the sentence's own place wins over the dateline city
        ("Shelling killed two people in Kherson.", "Kyiv, Ukraine", ["Kherson"]),
        # the dateline is the fallback for a sentence with no place of its own
        ("Two soldiers were killed.", "KABUL", ["Kabul"]),
        # a violent sentence without a place continues the incident told just before
        ("KYIV, Ukraine — Shelling of Kherson killed three people. Two of the wounded were children. "
         "A shell hit a bus stop, killing a man.", "Kyiv, Ukraine", ["Kherson", "Kherson", "Kherson"]),
        # the dateline's own words are no place of the sentence
        ("BAKU, Azerbaijan — Rescue workers said four people were killed.", "Baku, Azerbaijan", ["Baku"]),
        # a country holding the dateline city says less than the dateline
        ("MEMPHIS, Tenn. — The United States saw many shootings. A man was shot dead on Sunday.",
         "Memphis, Tenn.", ["United States", "Memphis"]),
        # no inheritance across unrelated, non-violent news
        ("A bomb killed six people in Mosul. A singer was arrested for drug possession.", None, ["Mosul", None]),
    ],
)
def test_dateline_only_when_the_sentence_names_no_place(text, dateline, locations):
    events = extract(text, REF, [], dateline_place=dateline).events
    by_sentence = {}
    for e in events:
        by_sentence.setdefault(e.sentence, e.location)
    assert list(by_sentence.values()) == locations


def test_a_district_is_of_the_city_the_story_is_in():
    # Kyiv has a district of this name, but the story is in Kherson (Kyiv is only the dateline).
    text = ("KYIV, Ukraine — Russian shelling killed two people in Kherson on Friday. "
            "On Thursday, a shell killed a man in the Dniprovskyi district.")
    events = extract(text, REF, [], dateline_place="Kyiv, Ukraine").events
    assert {e.location for e in events} == {"Kherson"}


@pytest.mark.parametrize(
    "a, b, relation",
    [
        (tp.Place("Memphis, Tenn.", None), tp.Place("Memphis", "US", 35.15, -90.05), tp.SAME),
        (tp.Place("Kiev", "UA"), tp.Place("Kyiv", "UA", 50.45, 30.52), tp.SAME),
        (tp.Place("Sadr City", "IQ"), tp.Place("Baghdad", "IQ"), tp.INSIDE),
        (tp.Place("Baghdad", "IQ"), tp.Place("Sadr City", "IQ"), tp.CONTAINS),
        (tp.Place("Kharkiv", "UA"), tp.Place("Kyiv", "UA"), None),
        (tp.Place("Odessa", "US"), tp.Place("Odesa", "UA"), None),
    ],
)
def test_timeline_groups_spellings_and_districts(a, b, relation):
    assert tp.relation(a, b) == relation


def test_gazetteer_is_built_once_and_shares_its_entries():
    assert pl._gazetteer() is pl._gazetteer()
    assert pl.lookup("Kiev") is pl.lookup("Kyiv")
