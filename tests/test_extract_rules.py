"""Every example in the extraction rule files runs as a test; a casualty example must be read by the rule it sits
under (by rule id), so a rule that another rule shadows cannot look tested."""

from __future__ import annotations

import re

import pytest

from pipeline.extract import events as ev
from pipeline.extract import places as pl
from pipeline.extract.casualties import find_figures, not_a_count
from pipeline.extract.numbers import COUNT_RE, parse_count
from pipeline import rulefiles
from pipeline.extract.rules import load, rules_version
from pipeline.sentences import split_sentences

_COUNT = re.compile(COUNT_RE, re.IGNORECASE)


def _examples(name: str, rules_key: str | None = None) -> list:
    data = load(name)
    if rules_key:
        return [(r["id"], ex) for r in data[rules_key] for ex in r.get("examples", [])]
    return data.get("examples", [])


@pytest.mark.parametrize("ex", _examples("numbers"), ids=lambda ex: ex["text"])
def test_number_examples(ex):
    assert _COUNT.fullmatch(ex["text"]), "the count pattern must read the whole expression"
    c = parse_count(ex["text"])
    assert (c.low, c.best, c.high, c.qualifier) == (ex["low"], ex["best"], ex["high"], ex["qualifier"])


@pytest.mark.parametrize("ex", _examples("guards"), ids=lambda ex: ex["text"])
def test_guard_examples(ex):
    text = ex["text"]
    read = {text[f.count_start : f.count_end] for f in find_figures(text, 0, len(text))}
    for token in ex.get("not", []):
        for m in re.finditer(rf"(?<![\w]){re.escape(token)}(?!\w)", text):
            assert not_a_count(text, m.start(), m.end()) or token not in read, token
        assert not any(token == r or r.endswith(" " + token) for r in read), token
    for token in ex.get("count", []):
        assert any(r == token or r.endswith(token) for r in read), (token, read)


@pytest.mark.parametrize("rule_id, ex", _examples("casualties", "rules"), ids=lambda v: v if isinstance(v, str) else v["text"])
def test_casualty_rule_examples(rule_id, ex):
    text = ex["text"]
    figures = find_figures(text, 0, len(text))
    if ex.get("none"):
        assert figures == [], [(f.rule_id, text[f.start : f.end]) for f in figures]
        return
    wanted = {k: ex[k] for k in ("low", "best", "high", "qualifier") if k in ex}
    matches = [
        f
        for f in figures
        if f.category == ex["category"]
        and all(getattr(f.count, k) == v for k, v in wanted.items())
        and ("victims" not in ex or f.victims == ex["victims"])
        and ("cumulative" not in ex or f.cumulative == ex["cumulative"])
    ]
    assert matches, [(f.rule_id, f.category, tuple(f.count), f.victims, f.cumulative) for f in figures]
    # the rule id of a figure of people shot carries a suffix ("count_outcome:shot")
    by = sorted({f.rule_id.split(":")[0] for f in matches})
    assert rule_id in by, f"read by {by}, not by the rule {rule_id} it sits under"


@pytest.mark.parametrize("ex", _examples("victims"), ids=lambda ex: ex["text"])
def test_victim_examples(ex):
    from pipeline.extract.casualties import _victims

    assert _victims(ex["text"]) == ex["group"]


@pytest.mark.parametrize("ex", _examples("events"), ids=lambda ex: ex["text"])
def test_event_examples(ex):
    text = ex["text"]
    assert ex["type"] in {t.event_type for t in ev.find_triggers(text, 0, len(text))}


@pytest.mark.parametrize("ex", _examples("sentences"), ids=lambda ex: ex["text"][:30])
def test_sentence_examples(ex):
    text = ex["text"]
    assert [text[a:b] for a, b in split_sentences(text)] == ex["sentences"]


@pytest.mark.parametrize("ex", _examples("places"), ids=lambda ex: ex["text"])
def test_place_examples(ex):
    text = ex["text"]
    found = pl.find_places(text)
    if ex["place"] is None:
        assert found == []
        return
    names = {text[f.start : f.end]: f for f in found}
    assert ex["place"] in names
    assert pl.resolve(names[ex["place"]], set()).country_code == ex["country"]


def test_every_event_type_has_a_plover_entry_or_none():
    for name, spec in ev.TYPES.items():
        assert "plover" in spec, name
    assert set(ev.CASUALTY_EVENT.values()) <= set(ev.TYPES)


def test_rules_version_is_the_one_version_of_all_rule_files():
    v = rules_version()
    assert re.fullmatch(r"[0-9a-f]{12}", v) and v == rulefiles.version()[:12]


@pytest.mark.parametrize(
    "text, name, context, country",
    [
        ("envoys flew to Moscow", "Moscow", {"US"}, "RU"),  # a US mention does not make it Moscow, Idaho
        ("clashes in Tripoli", "Tripoli", {"LB"}, "LB"),  # comparable namesakes: the named country decides
        ("clashes in Tripoli", "Tripoli", set(), "LY"),
        ("a storm hit Paris", "Paris", {"US", "FR"}, "FR"),
    ],
)
def test_country_context_only_outweighs_comparable_namesakes(text, name, context, country):
    found = {text[f.start : f.end]: f for f in pl.find_places(text)}
    assert pl.resolve(found[name], context).country_code == country
