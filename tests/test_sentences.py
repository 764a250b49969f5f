"""Sentence splitting: abbreviations, initials, quotes, line structure and page furniture."""

from __future__ import annotations

import pytest

from pipeline.sentences import is_furniture, split_sentences


def sentences(text: str, **kw) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, **kw)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The attack happened on Oct. 17 near the border. Nine died.", ["The attack happened on Oct. 17 near the border.", "Nine died."]),
        ("U.S. officials said so. Others disagreed.", ["U.S. officials said so.", "Others disagreed."]),
        ("Troops left the U.S. The base closed.", ["Troops left the U.S.", "The base closed."]),
        ("Gen. Ali Khan spoke first. Lt. Col. Reed followed.", ["Gen. Ali Khan spoke first.", "Lt. Col. Reed followed."]),
        ("Bus No. 3 was hit. It burned.", ["Bus No. 3 was hit.", "It burned."]),
        ("The Dept. of Health said 4 died. Dr. Lee agreed.", ["The Dept. of Health said 4 died.", "Dr. Lee agreed."]),
        ("It began at 4 a.m. Police arrived later.", ["It began at 4 a.m.", "Police arrived later."]),
        ("It began at 4 a.m. near the bridge.", ["It began at 4 a.m. near the bridge."]),
        ("John F. Kennedy Airport closed. Flights resumed.", ["John F. Kennedy Airport closed.", "Flights resumed."]),
        ("Mr. and Mrs. Diaz were home. Both were hurt.", ["Mr. and Mrs. Diaz were home.", "Both were hurt."]),
        ("\"We ran,\" she said. \"Then it stopped.\"", ["\"We ran,\" she said.", "\"Then it stopped.\""]),
        ("Was anyone hurt? No. Two were shot!", ["Was anyone hurt?", "No.", "Two were shot!"]),
        ("He lives on Main St. in Dover.", ["He lives on Main St. in Dover."]),
        ("The shooting occurred at 3 p.m. Sunday in Tulsa.", ["The shooting occurred at 3 p.m. Sunday in Tulsa."]),
        ("Prices rose 3.5 percent. Sales fell.", ["Prices rose 3.5 percent.", "Sales fell."]),
    ],
)
def test_abbreviations_and_ends(text, expected):
    assert sentences(text) == expected


def test_blank_lines_and_short_lines_end_sentences():
    text = "Two hurt in crash\n\nTwo people were hurt\nwhen a truck hit a van on the motorway near the old bridge, the police said in a statement.\nMore later"
    assert sentences(text) == [
        "Two hurt in crash",
        "Two people were hurt",
        "when a truck hit a van on the motorway near the old bridge, the police said in a statement.",
        "More later",
    ]


def test_hard_wrapped_long_lines_are_joined():
    line1 = "Officials said the convoy was travelling along the coastal road towards the port city when it"
    text = line1 + "\ncame under fire. Nobody was hurt."
    assert sentences(text) == [line1 + "\ncame under fire.", "Nobody was hurt."]


@pytest.mark.parametrize(
    "line, furniture",
    [
        ("Posted: Monday, March 1, 2021 8:00 PM EST", True),
        ("Updated: Tuesday, March 2, 2021", True),
        ("© Copyright 2021 Example Media. All rights reserved.", True),
        ("Copyright 2021 by Example News", True),
        ("Share this story", True),
        ("By Jane Doe, Staff Writer", True),
        ("Caption Police look for a suspect in a robbery", True),
        ("(Jane Doe / Example Times) Officers at the scene", True),
        ("This material may not be published, broadcast or redistributed.", True),
        ("Police said the victim was posted at the gate.", False),
        ("By noon, three people had been hurt.", False),
        ("SPRINGFIELD (AP) — In a story on May 3 about a fire, The Associated Press misspelled a name.", True),
        ("Correction: A caption misidentified the officer.", True),
        ("(Published Monday, March 1, 2021)", True),
        ("An earlier version of this story gave the wrong age of the victim.", True),
        ("This article has been corrected to show the shooting happened on Elm Street.", True),
        ("In a report on Monday, the agency said 30 civilians were killed.", False),
        ("The story of the raid was told by two survivors.", False),
    ],
)
def test_furniture(line, furniture):
    assert is_furniture(line) is furniture


def test_headline_sharing_a_line_with_posted_and_updated():
    text = "Man hurt in shooting Posted: Friday, May 7, 2021 7:14 PM Updated: Friday, May 7, 2021 9:00 PM\n\nA man was hurt."
    assert sentences(text) == [
        "Man hurt in shooting",
        "Posted: Friday, May 7, 2021 7:14 PM",
        "Updated: Friday, May 7, 2021 9:00 PM",
        "A man was hurt.",
    ]
    assert sentences(text, drop_furniture=True) == ["Man hurt in shooting", "A man was hurt."]


def test_offsets_are_into_the_original_text():
    text = "  One.\r\n\r\n  Two!  Three?\n"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["One.", "Two!", "Three?"]
    assert all(a < b for a, b in spans) and spans == sorted(spans)


def test_empty():
    assert split_sentences("") == [] and split_sentences("\n\n \n") == []
