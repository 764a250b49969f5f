"""The extract stage: figures, events, dates and places on sentences written for these tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import RULES_VERSION, extract
from pipeline.extract import places as pl
from pipeline.paths import RAW
from pipeline.records import Mention

REF = dt.date(2021, 3, 10)  # a Wednesday


def day_mention(text: str, phrase: str, day: dt.date, timex_type: str = "DATE", occurrence: int = 0) -> Mention:
    """A hand-built day-precision mention of `phrase` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return Mention(start, start + len(phrase), phrase, timex_type, day.isoformat(), None, day, day, "day", "reference", "test")


def figures(text: str, mentions=(), category: str | None = None):
    x = extract(text, REF, list(mentions))
    return [c for c in x.casualties if category is None or c.category == category]


def one(text: str, category: str):
    found = [c for c in figures(text) if c.category == category]
    assert found, f"no {category} figure in {text!r}: {figures(text)}"
    return max(found, key=lambda c: c.best if c.best is not None else (c.low or 0))


# --- number forms and qualifiers -------------------------------------------------------------
@pytest.mark.parametrize(
    "text, low, best, high, qualifier",
    [
        ("Police said 3 people were killed in the attack.", 3, 3, 3, "exact"),
        ("Rescuers said 1,200 people were killed by the flood waters.", 1200, 1200, 1200, "exact"),
        ("Officials said twenty-three soldiers were killed.", 23, 23, 23, "exact"),
        ("Forty one villagers were killed overnight.", 41, 41, 41, "exact"),
        ("A dozen people were killed near the market.", 12, 12, 12, "exact"),
        ("Two dozen fighters were killed in the assault.", 24, 24, 24, "exact"),
        ("At least 12 civilians were killed.", 12, 12, None, "at_least"),
        ("More than 40 people died in the fire fight.", 41, 41, None, "more_than"),
        ("Over 100 troops were killed, the army said.", 101, 101, None, "more_than"),
        ("Nearly 50 people were killed in the raids.", None, 50, 50, "nearly"),
        ("Up to 50 people were killed in the floods.", None, 50, 50, "up_to"),
        ("Up to 50 people may have been killed, but officials say 20 people were killed.", 20, 20, 20, "exact"),
        ("As many as 9 miners were killed.", None, 9, 9, "up_to"),
        ("About 30 people were killed in the clashes.", None, 30, None, "about"),
        ("Some 300 rebels were killed, the ministry said.", None, 300, None, "about"),
        ("Between 5 and 7 people were killed.", 5, None, 7, "range"),
        ("The blast killed 5 to 7 people.", 5, None, 7, "range"),
        ("Reports said 5-7 people were killed.", 5, None, 7, "range"),
        ("Dozens of people were killed in the bombing.", 24, None, 99, "vague"),
        ("Scores of villagers were killed.", 40, None, 199, "vague"),
        ("Hundreds of people were killed in the offensive.", 200, None, 999, "vague"),
    ],
)
def test_killed_number_forms_and_qualifiers(text, low, best, high, qualifier):
    c = one(text, "killed")
    assert (c.low, c.best, c.high, c.qualifier) == (low, best, high, qualifier)


# --- categories: the many ways news says it -------------------------------------------------
@pytest.mark.parametrize(
    "text, category, best",
    [
        ("Four soldiers lost their lives in the ambush.", "killed", 4),
        ("Seven border guards were martyred on Tuesday.", "killed", 7),
        ("Two of the passengers later died of their wounds.", "killed", 2),
        ("The death toll rose to 45 on Sunday.", "killed", 45),
        ("Three men suffered gunshot wounds.", "injured", 3),
        ("A teenager was shot and wounded outside the store.", "injured", 1),
        ("The crash left 3 dead and 5 wounded.", "killed", 3),
        ("The crash left 3 dead and 5 wounded.", "injured", 5),
        ("No one was hurt in the fire.", "injured", 0),
        ("Nobody was killed, the mayor said.", "killed", 0),
        ("A woman was pronounced dead at the scene.", "killed", 1),
        ("A man was killed when the shell hit his car.", "killed", 1),
        ("The victim died at a local hospital.", "killed", 1),
        ("The gunmen fled after killing two guards.", "killed", 2),
        ("Detectives are investigating the shooting death of a 22-year-old man.", "killed", 1),
        ("Eleven people were missing after the boat capsized.", "missing", 11),
        ("The fighting displaced 4,000 families.", "displaced", 4000),
        ("Police arrested 14 protesters in the square.", "detained", 14),
        ("Nine insurgents were captured in the raid.", "detained", 9),
        ("The rebels reported 20 casualties.", "killed_or_injured", 20),
        ("Thirty people were killed or wounded in the shelling.", "killed_or_injured", 30),
        ("Two people were shot, one fatally, outside a bar.", "killed", 1),
        ("Two people were shot, one fatally, outside a bar.", "injured", 1),
        ("Six people were shot at a party; nobody died.", "injured", 6),
        ("A man was shot twice in the back and died on the way to the clinic.", "killed", 1),
        ("The gunman then turned the gun on himself.", "killed", 1),
        ("Police are investigating a double shooting on Elm Road.", "injured", 2),
        ("Officers found two victims in an apparent murder-suicide.", "killed", 2),
    ],
)
def test_category_phrasings(text, category, best):
    assert one(text, category).best == best


@pytest.mark.parametrize(
    "text",
    [
        "Several people were killed when the roof fell.",
        "A number of soldiers were killed near the border.",
        "Many villagers were wounded in the shelling.",
        "A few guards were injured, the company said.",
        "Police investigate fatal shooting near the park.",
        "A deadly blast hit the depot on Tuesday.",
    ],
)
def test_words_that_are_not_counts_give_no_figure(text):
    """Non-numeric quantities and "fatal"/"deadly" say that people died, not how many: no figure."""
    assert figures(text) == []


def test_shot_total_minus_killed_gives_injured():
    text = "Five people were shot late Saturday. One of them, a 30-year-old man, was killed."
    assert one(text, "killed").best == 1
    assert one(text, "injured").best == 4
    assert one(text, "injured").rule_id == "derived_shot_minus_killed"


def test_a_victim_who_died_days_later_is_not_left_injured():
    text = "A boy was shot in the head on March 1. The boy died of his injuries, police said Saturday."
    ms = [day_mention(text, "March 1", dt.date(2021, 3, 1)), day_mention(text, "Saturday", dt.date(2021, 3, 6))]
    x = extract(text, REF, ms)
    assert [c.best for c in x.casualties if c.category == "killed"] == [1]
    assert [c.best for c in x.casualties if c.category == "injured"] in ([], [0])


@pytest.mark.parametrize(
    "text, category, best",
    [
        ("4 shot and wounded, 2 others grazed by bullets at cookout", "injured", 6),
        ("Two soldiers were wounded and three others were injured in the blast.", "injured", 5),
        ("One man was killed, two others were killed in the crossfire.", "killed", 3),
        ("One dead, nine others wounded in overnight violence", "injured", 9),
        ("Two were wounded Saturday and three others were hurt Sunday.", "injured", 3),
    ],
)
def test_joined_counts_of_others_add_up(text, category, best):
    assert one(text, category).best == best


def test_shot_others_are_not_reduced_by_the_killed():
    text = "A man was shot and killed and three others were shot on the porch."
    assert one(text, "injured").best == 3


# --- numbers that are not counts -------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "A 15-year-old was shot and wounded on Main Street.",
        "Marisol Perrault, 34, was wounded in the leg.",
        "In 2019 a gunman wounded a man at the mall.",
        "Shots were fired at 7 p.m. and a man was wounded.",
        "He used a .40-caliber pistol and a man was wounded.",
        "Police found a 9mm handgun; a man was wounded.",
        "The robbers took $300 and wounded a clerk.",
        "The shooting in the 2300 block of South Alder Street wounded a man.",
        "Call 555-0134 with tips; a man was wounded.",
        "On March 3 a gunman wounded a man.",
    ],
)
def test_numbers_that_are_not_counts(text):
    injured = [c.best for c in figures(text, category="injured")]
    assert injured and set(injured) == {1}, figures(text)


@pytest.mark.parametrize(
    "text, number",
    [
        ("The 2014 report listed the charges.", 2014),
        ("He was sentenced to 15 years in prison for the killings.", 15),
        ("The gunman fired 30 rounds.", 30),
        ("The man was shot 3 times.", 3),
        ("Route 66 was closed for 2 hours.", 66),
        ("Route 66 was closed for 2 hours.", 2),
        ("The victim, 19, was a student.", 19),
        ("A reward of $5,000 was offered after 2 men were hurt.", 5000),
        ("Traffic on Interstate 40 was closed after a crash.", 40),
    ],
)
def test_numbers_never_read_as_counts(text, number):
    for c in figures(text):
        assert number not in (c.low, c.best, c.high), c


# --- cumulative and victims -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, cumulative",
    [
        ("The death toll rose to 45 on Sunday.", False),
        ("Since September 27, 710 soldiers have been killed.", True),
        ("So far this year, 40 people have been killed in the city.", True),
        ("The strike killed 5 people, bringing the death toll to 40.", False),
        ("Three people were killed in Monday's attack.", False),
    ],
)
def test_cumulative(text, cumulative):
    first = min((c for c in figures(text) if c.category == "killed"), key=lambda c: c.char_start)
    assert first.cumulative is cumulative


def test_bringing_the_toll_marks_the_total():
    found = {c.best: c.cumulative for c in figures("The strike killed 5 people, bringing the death toll to 40.")}
    assert found == {5: False, 40: True}


@pytest.mark.parametrize(
    "text, victims",
    [
        ("Twelve civilians were killed in the strike.", "civilians"),
        ("Three soldiers were wounded.", "soldiers"),
        ("Two police officers were shot and killed.", "police"),
        ("Four children were among those injured: 4 children were injured.", "children"),
        ("Six people died.", "people"),
        ("Two women were wounded.", "women"),
        ("15 Taliban fighters were killed.", "militants"),
    ],
)
def test_victims(text, victims):
    assert figures(text)[0].victims == victims


# --- events: typing, dating, places -----------------------------------------------------------
@pytest.mark.parametrize(
    "text, event_type, plover",
    [
        ("Gunmen opened fire on a bus near the border.", "shooting", "ASSAULT"),
        ("A suicide bomber blew himself up; the blast shook the market.", "bombing", "ASSAULT"),
        ("Government troops clashed with rebels.", "fight", "FIGHT"),
        ("Militants attacked a police post.", "attack", "ASSAULT"),
        ("The two sides agreed to a ceasefire.", "ceasefire", "AGREE"),
        ("The envoy held talks with the foreign minister.", "talks", "CONSULT"),
        ("The ministry condemned the strike.", "accusation", "ACCUSE"),
        ("The group threatened to retaliate.", "threat", "THREATEN"),
        ("Thousands joined a protest in the capital.", "protest", "PROTEST"),
        ("Police arrested the suspect at his home.", "arrest", "ARREST"),
    ],
)
def test_event_typing(text, event_type, plover):
    events = extract(text, REF, []).events
    match = [e for e in events if e.event_type == event_type]
    assert match and match[0].plover_type == plover
    assert text[match[0].char_start : match[0].char_end] == match[0].trigger


def test_event_date_from_the_sentence_prefers_the_nearest_day():
    text = "In March, on Monday, militants attacked a checkpoint, killing four soldiers."
    ms = [
        Mention(3, 8, "March", "DATE", "2021-03", None, dt.date(2021, 3, 1), dt.date(2021, 3, 31), "month", "reference", "t"),
        day_mention(text, "Monday", dt.date(2021, 3, 8)),
    ]
    x = extract(text, REF, ms)
    attack = next(e for e in x.events if e.event_type == "attack")
    assert (attack.date_start, attack.date_basis, attack.mention_index) == (dt.date(2021, 3, 8), "sentence", 1)
    killed = one(text, "killed")
    assert x.casualties[0].date_start == dt.date(2021, 3, 8) and killed.best == 4


def test_reporting_dates_do_not_date_the_event():
    text = "A man was killed in a shooting on Saturday night, police said Sunday."
    ms = [day_mention(text, "Saturday night", dt.date(2021, 3, 6)), day_mention(text, "Sunday", dt.date(2021, 3, 7))]
    x = extract(text, REF, ms)
    assert {e.date_start for e in x.events} == {dt.date(2021, 3, 6)}


def test_dates_of_what_officials_told_reporters_do_not_date_the_event():
    text = "Six people were wounded in a shooting on Monday night. The chief told reporters Tuesday the gunman opened fire from a car."
    ms = [day_mention(text, "Monday night", dt.date(2021, 3, 8)), day_mention(text, "Tuesday", dt.date(2021, 3, 9))]
    x = extract(text, REF, ms)
    assert {c.date_start for c in x.casualties} == {dt.date(2021, 3, 8)}
    assert {e.date_start for e in x.events} == {dt.date(2021, 3, 8)}


def test_event_date_from_context_and_reference():
    text = "Gunmen stormed a village on Monday. Five villagers were killed. The minister condemned the raid."
    ms = [day_mention(text, "Monday", dt.date(2021, 3, 8))]
    x = extract(text, REF, ms)
    killed = one(text, "killed")
    ev = x.events[[c for c in x.casualties if c.category == "killed"][0].event_index]
    assert ev.date_basis == "context" and ev.date_start == dt.date(2021, 3, 8) and killed.best == 5
    assert extract("Five villagers were killed.", REF, []).events[0].date_basis == "reference"
    assert extract("Five villagers were killed.", REF, []).events[0].date_start == REF


def test_headline_takes_the_incident_date_told_in_the_story():
    text = "Three shot outside club\n\nThree people were shot outside a club early Sunday, police said."
    ms = [day_mention(text, "early Sunday", dt.date(2021, 3, 7))]
    x = extract(text, REF, ms)
    assert {e.date_start for e in x.events} == {dt.date(2021, 3, 7)}


def test_death_after_the_incident_keeps_the_incident_date():
    text = "A boy was shot in the head on Friday. He was pronounced dead on Saturday at the hospital."
    ms = [day_mention(text, "Friday", dt.date(2021, 3, 5)), day_mention(text, "Saturday", dt.date(2021, 3, 6))]
    x = extract(text, REF, ms)
    killed = [c for c in x.casualties if c.category == "killed"][0]
    assert killed.date_start == dt.date(2021, 3, 5)


@pytest.mark.parametrize(
    "text, day",
    [
        ("Two teenagers were wounded in a shooting overnight near the park.", REF),
        ("A man was shot and killed overnight in the parking lot of a bar.", REF),
        ("Fourteen fighters were killed in overnight clashes with the army.", REF - dt.timedelta(days=1)),
        ("Troops killed nine insurgents in fighting overnight in the district.", REF - dt.timedelta(days=1)),
    ],
)
def test_overnight_is_the_night_into_the_report_day_unless_fighting_lasted_it(text, day):
    ms = [day_mention(text, "overnight", REF - dt.timedelta(days=1))]
    assert {c.date_start for c in extract(text, REF, ms).casualties} == {day}


def test_small_hours_read_against_overnight_follow_it():
    text = "A woman was shot overnight. Police said the shooting happened about 2:15 a.m. outside a bar."
    eve = REF - dt.timedelta(days=1)
    ms = [day_mention(text, "overnight", eve),
          replace(day_mention(text, "about 2:15 a.m.", eve, "TIME"), anchor="previous_mention")]
    x = extract(text, REF, ms)
    assert {e.date_start for e in x.events} == {REF}


def test_a_coarse_headline_date_gives_way_to_the_incident_day_told_later():
    text = "School Shooting 2021: Student Killed In Parking Lot\n\nA student was shot and killed at 3 p.m. on Monday."
    ms = [Mention(16, 20, "2021", "DATE", "2021", None, dt.date(2021, 1, 1), dt.date(2021, 12, 31), "year", "reference", "t"),
          day_mention(text, "Monday", dt.date(2021, 3, 8))]
    x = extract(text, REF, ms)
    assert {c.date_start for c in x.casualties if c.category == "killed"} == {dt.date(2021, 3, 8)}


def test_furniture_dates_are_ignored():
    text = "Two killed in crash Posted: Monday, March 1, 2021 Updated: Tuesday\n\nTwo people were killed on Tuesday."
    ms = [day_mention(text, "Monday, March 1, 2021", dt.date(2021, 3, 1)), day_mention(text, "Tuesday", dt.date(2021, 3, 9), occurrence=1)]
    x = extract(text, REF, ms)
    assert {c.date_start for c in x.casualties} == {dt.date(2021, 3, 9)}


@pytest.mark.parametrize(
    "text, place, country",
    [
        ("Shelling killed three people in Donetsk.", "Donetsk", "UA"),
        ("A car bomb exploded in Kabul, killing 5.", "Kabul", "AF"),
        ("Two men were shot in Mobile, Alabama.", "Mobile", "US"),
        ("Troops clashed with rebels in Syria.", "Syria", "SY"),
        ("Four people were shot in Ohio.", "Ohio", "US"),
    ],
)
def test_event_places(text, place, country):
    e = [e for e in extract(text, REF, []).events][0]
    assert (e.location, e.country_code) == (place, country)


def test_dateline_place_when_the_sentence_names_none():
    e = extract("Two soldiers were killed.", REF, [], dateline_place="KABUL").events[0]
    assert e.location == "Kabul" and e.country_code == "AF" and e.latitude is not None  # the gazetteer's name


@pytest.mark.parametrize("word", ["Mobile", "Reading", "Nice", "Police"])
def test_ambiguous_words_are_not_places_without_a_cue(word):
    text = f"{word} said the figures were wrong."
    assert pl.find_places(text) == []


def test_actor():
    text = "Taliban militants attacked a checkpoint in Kandahar."
    e = next(e for e in extract(text, REF, []).events if e.event_type == "attack")
    assert e.actor == "Taliban militants"


# --- contract ----------------------------------------------------------------------------------
def test_offsets_indexes_and_determinism():
    text = "Gunmen attacked a bus on Monday. At least 12 people were killed and 20 injured.\n\nNo one was arrested."
    ms = [day_mention(text, "Monday", dt.date(2021, 3, 8))]
    a, b = extract(text, REF, ms), extract(text, REF, ms)
    assert a == b
    for c in a.casualties:
        assert text[c.char_start : c.char_end] == c.text
        assert 0 <= c.event_index < len(a.events)
        assert c.date_start == a.events[c.event_index].date_start
    for e in a.events:
        assert text[e.char_start : e.char_end] == e.trigger and e.sentence in text
        assert e.mention_index is None or 0 <= e.mention_index < len(ms)


def test_empty_and_figure_free_text():
    assert extract("", REF, []).events == [] and extract("", REF, []).casualties == []
    assert extract("The weather was fine.", REF, []).casualties == []
    assert len(RULES_VERSION) == 12


def test_seed_article_ganja_attack():
    text = (RAW / "mehr-2020-10-27-iran-karabakh.txt").read_text(encoding="utf-8")  # the founding article
    from pipeline.temporal import normalise

    ref = dt.date(2020, 10, 27)
    x = extract(text, ref, normalise(text, ref), "TEHRAN")
    killed = [c for c in x.casualties if c.category == "killed"]
    assert len(killed) == 1
    k = killed[0]
    assert (k.low, k.best, k.high, k.qualifier, k.victims) == (12, 12, None, "at_least", "civilians")
    e = x.events[k.event_index]
    assert (e.event_type, e.location, e.country_code, e.date_start, e.date_basis) == (
        "attack", "Ganja", "AZ", dt.date(2020, 10, 17), "sentence")
    vague = [c for c in x.casualties if c.category == "killed_or_injured"]
    assert [(c.qualifier, c.best, c.victims) for c in vague] == [("vague", None, "civilians")]


def test_background_killing_does_not_reduce_the_number_shot():
    text = ("Four people were shot on Friday night outside a bar. "
            "In January a man was killed at the same bar.")
    ms = [day_mention(text, "Friday night", dt.date(2021, 3, 5)),
          Mention(text.index("January"), text.index("January") + 7, "January", "DATE", "2021-01", None,
                  dt.date(2021, 1, 1), dt.date(2021, 1, 31), "month", "reference", "t")]
    x = extract(text, REF, ms)
    assert max(c.best for c in x.casualties if c.category == "injured") == 4


def test_a_coarse_earlier_date_gives_way_to_the_storys_first_day():
    text = "Police were called on Sunday. The family had moved there in 2019. Two men were killed."
    ms = [day_mention(text, "Sunday", dt.date(2021, 3, 7)),
          Mention(text.index("2019"), text.index("2019") + 4, "2019", "DATE", "2019", None,
                  dt.date(2019, 1, 1), dt.date(2019, 12, 31), "year", "reference", "t")]
    killed = next(c for c in extract(text, REF, ms).casualties if c.category == "killed")
    assert killed.date_start == dt.date(2021, 3, 7)


_WORDS = ["3", "twelve", "people", "were", "killed", "wounded", "shot", "a", "man", "at least", "dozens of",
          "in", "Kabul", ",", ".", "\n\n", "Posted:", "the", "attack", "15-year-old", "$40", "2019", "police", "said"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=40))
def test_offsets_hold_on_any_word_salad(words):
    text = " ".join(words)
    x = extract(text, REF, [])
    for c in x.casualties:
        assert text[c.char_start : c.char_end] == c.text and c.category in {
            "killed", "injured", "killed_or_injured", "missing", "displaced", "detained"}
        assert c.low is None or c.high is None or c.low <= c.high
    for e in x.events:
        assert text[e.char_start : e.char_end] == e.trigger
