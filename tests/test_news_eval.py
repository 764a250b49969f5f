"""`eval news`: the scorer's matching rules and the pipeline read in the folder's conventions.

The articles and gold here are invented for the test, in the news_dev folder format.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from pipeline.evaluate import news


def _write(folder, articles, gold):
    folder.mkdir()
    (folder / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    (folder / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")


TEXT = (
    "Blast kills 6 in Varnel\n\n"
    "VARNEL, May 4 (Northwire) – A bomb killed six people at a bus depot in Varnel on Sunday, "
    "police said. Since the fighting began on March 3, at least 140 civilians have been killed in the province."
)
ARTICLE = {"id": "x1", "published": "2031-05-05", "outlet": "Northwire", "url": "https://example.org/x1", "text": TEXT}


def _span(text: str, words: str) -> dict:
    k = text.index(words)
    return {"text": words, "occurrence": 0, "start": k, "end": k + len(words)}


GOLD = {
    "id": "x1",
    "dateline": {"place": "Varnel", "date": "2031-05-04"},
    "timexes": [
        {**_span(TEXT, "May 4"), "start_date": "2031-05-04", "end_date": "2031-05-04"},
        {**_span(TEXT, "Sunday"), "start_date": "2031-05-04", "end_date": "2031-05-04"},
        {**_span(TEXT, "March 3"), "start_date": "2031-03-03", "end_date": "2031-03-03"},
    ],
    "casualties": [
        {**_span(TEXT, "killed six people"), "category": "killed", "low": 6, "high": 6,
         "event_date_start": "2031-05-04", "event_date_end": "2031-05-04", "cumulative": False},
        {**_span(TEXT, "at least 140 civilians have been killed"), "category": "killed", "low": 140, "high": None,
         "event_date_start": "2031-03-03", "event_date_end": "2031-05-04", "cumulative": True},
    ],
}


def test_the_pipeline_reads_an_invented_article_in_the_folders_conventions(tmp_path, capsys):
    _write(tmp_path / "set", [ARTICLE], [GOLD])
    code = news.main([str(tmp_path / "set"), "--min-casualty-f1", "1.0", "--min-event-date", "1.0",
                      "--min-dateline", "1.0", "--min-timex-f1", "1.0"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "dateline place (gold has one)  1.000" in out


def test_a_missed_floor_fails(tmp_path, capsys):
    gold = dict(GOLD, casualties=GOLD["casualties"] + [{**_span(TEXT, "Varnel"), "category": "injured", "low": 9,
                                                        "high": 9, "event_date_start": None, "event_date_end": None}])
    _write(tmp_path / "set", [ARTICLE], [gold])
    assert news.main([str(tmp_path / "set"), "--min-casualty-f1", "0.9"]) == 1
    assert "FLOOR MISSED: casualty_f1" in capsys.readouterr().out


def _score(gold: dict, system: dict) -> news.Tally:
    return news.score({"x1": ARTICLE}, {"x1": gold}, {"x1": system})


@pytest.mark.parametrize(
    "system_figure, matched, date_ok",
    [
        ({"text": "killed six people", "category": "killed", "low": 6, "high": 6,
          "event_date_start": "2031-05-04", "event_date_end": "2031-05-04"}, 1, 1),
        # another span, same key: still a match (spans only break ties)
        ({"text": "A bomb", "category": "killed", "low": 6, "high": 6,
          "event_date_start": None, "event_date_end": None}, 1, 0),
        ({"text": "killed six people", "category": "injured", "low": 6, "high": 6}, 0, 0),
        ({"text": "killed six people", "category": "killed", "low": 6, "high": None}, 0, 0),
    ],
)
def test_casualty_matching_needs_category_low_and_high(system_figure, matched, date_ok):
    gold = dict(GOLD, casualties=GOLD["casualties"][:1])
    t = _score(gold, {"id": "x1", "casualties": [system_figure]})
    assert (t.counts["cas_tp"], t.counts["cas_ev_ok"]) == (matched, date_ok)


def test_timex_matching_needs_overlap_and_equal_dates():
    system = {"id": "x1", "timexes": [
        {"start": GOLD["timexes"][1]["start"], "end": GOLD["timexes"][1]["end"] + 3,  # "Sunday, p": overlaps
         "start_date": "2031-05-04", "end_date": "2031-05-04"},
        {"text": "March 3", "start_date": "2030-03-03", "end_date": "2030-03-03"},  # wrong year
    ]}
    t = _score(GOLD, system)
    assert (t.counts["tx_tp"], t.counts["tx_gold"], t.counts["tx_sys"]) == (1, 3, 2)
    assert any(k.startswith("timex value wrong") for k in t.errors)


@pytest.mark.parametrize(
    "qualifier, low, best, high, expected",
    [
        ("exact", 6, 6, 6, (6, 6)),
        ("about", None, 80, None, (80, 80)),
        ("nearly", None, 70, 70, (None, 70)),
        ("at_least", 12, 12, None, (12, None)),
        ("vague", 24, None, 99, (24, None)),
        ("range", 5, None, 7, (5, 7)),
    ],
)
def test_our_counts_in_the_folders_reading(qualifier, low, best, high, expected):
    assert news._low_high(SimpleNamespace(qualifier=qualifier, low=low, best=best, high=high)) == expected


@pytest.mark.parametrize("place, normal", [("TEHRAN", "tehran"), ("Kyiv, Ukraine", "kyiv"), ("Gaza City (AP)", "gaza city"),
                                          ("", None), (None, None)])
def test_dateline_places_compare_on_the_name_before_the_first_comma(place, normal):
    assert news.norm_place(place) == normal
