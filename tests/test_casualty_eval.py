"""The casualty evaluation command, on a small corpus written for this test."""

from __future__ import annotations

import json

import pytest

from pipeline.evaluate.casualties import article_reading, baseline, main
from pipeline.extract import extract
from pipeline.temporal import normalise

ARTICLES = [
    {
        "id": "a1",
        "reference_date": "2021-05-10",
        "text": "Two killed, three hurt in Elm Street shooting\n\nA gunman opened fire outside a bar on Saturday "
        "night, killing two men and wounding three other people, police said Sunday.",
        "gold": {"killed": 2, "injured": 3, "event_date": "2021-05-08"},
    },
    {
        "id": "a2",
        "reference_date": "2021-05-10",
        "text": "A 13-year-old girl was wounded in the arm on Sunday afternoon. She is expected to recover. Nobody else was hurt.",
        "gold": {"killed": 0, "injured": 1, "event_date": "2021-05-09"},
    },
    {
        "id": "a3",
        "reference_date": "2021-05-10",
        "text": "Rebels attacked an army post on Friday, killing at least 12 soldiers, the ministry said.",
        "gold": {"killed": 12, "injured": None, "event_date": "2021-05-07"},
    },
]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    return path


def test_reports_all_metrics_and_the_baseline(corpus, capsys):
    assert main([str(corpus), "--worst", "3"]) == 0
    out = capsys.readouterr().out
    for label in ("killed exact (all articles)", "killed exact (gold killed > 0)", "injured exact", "event date exact"):
        assert label in out
    assert "100.0% (3/3)" in out  # killed and dates
    assert "1 records with null gold injured left out" in out
    assert "baseline" in out


def test_floors_fail_the_run(corpus, capsys):
    assert main([str(corpus), "--min-killed", "99", "--min-date", "99"]) == 0
    assert main([str(corpus), "--min-injured", "100.1"]) == 1
    assert "FLOOR MISSED" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text, killed, injured",
    [
        ("Police said 3 people were killed and 4 wounded.", 3, 4),
        ("In 2019 a man was killed.", 2019, 0),  # the naive reading takes years: that is why it is a baseline
        ("Nothing happened.", 0, 0),
        ("Five people died, and later two more died.", 5, 0),
    ],
)
def test_baseline(text, killed, injured):
    assert baseline(text) == (killed, injured)


def test_article_reading_prefers_the_largest_non_cumulative_figure():
    import datetime as dt

    text = "Three people were killed on Monday. The death toll this year rose to 40. One man was killed in a later raid."
    ref = dt.date(2021, 5, 12)
    r = article_reading(extract(text, ref, normalise(text, ref)))
    assert (r.killed, r.injured) == (3, 0)
    assert r.event_date == dt.date(2021, 5, 10)


@pytest.mark.parametrize(
    "text, killed, injured",
    [
        ("Two men were shot Sunday night, police said. One of the men died at the hospital.", 1, 1),
        ("A man was killed and his two nephews were hurt when someone fired into their pickup truck.", 1, 2),
        ("Three people were hurt in a shooting early Monday.", 0, 3),
        ("A 19-year-old man was found shot to death in an alley. No arrests have been made.", 1, 0),
        ("Police are investigating a double shooting that left one man dead and another injured.", 1, 1),
        ("Officers found a man suffering from a gunshot wound to the leg.", 0, 1),
        ("A gunman killed four people and wounded seven others before turning the gun on himself.", 5, 7),
        ("The suspect fired at deputies, who returned fire, killing him. No deputies were hurt.", 1, 0),
        ("The teen was shot in the chest and pronounced dead at the scene.", 1, 0),
        ("Six people were shot, two fatally, outside a bar.", 2, 4),
        ("A man and a woman were found dead inside a home in what police called a murder-suicide.", 2, 0),
        ("Two people were rushed to an area hospital after the shooting, where one of them died.", 1, 1),
        ("Three teenagers are recovering after being hit by stray bullets on Friday.", 0, 3),
    ],
)
def test_article_readings_of_short_shooting_reports(text, killed, injured):
    import datetime as dt

    ref = dt.date(2021, 6, 14)
    r = article_reading(extract(text, ref, normalise(text, ref)))
    assert (r.killed, r.injured) == (killed, injured)
