"""Every example in pipeline/rules/en/temporal/*.yaml runs as a test, plus integrity checks on the rule files.

An example with a `span` must be read by the rule it sits under (by rule id), so a rule shadowed by another cannot
look tested; `none: true` means nothing is read, `not: [...]` lists spans no rule may read.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline import rulefiles
from pipeline.temporal import RULES_VERSION, normalise
from pipeline.temporal.resolvers import RESOLVERS
from pipeline.temporal.rules import rules

EXAMPLES = [(r.id, i, ex) for r in rules() for i, ex in enumerate(r.examples)]


def _as_date(v: object) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


@pytest.mark.parametrize(("rule_id", "i", "ex"), EXAMPLES, ids=[f"{r}-{i}" for r, i, _ in EXAMPLES])
def test_rule_example(rule_id: str, i: int, ex: dict) -> None:
    mentions = normalise(ex["text"], _as_date(ex["reference"]))
    if ex.get("none"):
        assert mentions == [], f"expected no temporal expression, got {mentions}"
        return
    for span in ex.get("not", []):
        read = [(m.text, m.rule_id) for m in mentions]
        assert span not in [t for t, _ in read], f"{span!r} must not be read; got {read}"
    if "span" not in ex:
        return
    found = [m for m in mentions if m.text == ex["span"]]
    assert found, f"{ex['span']!r} not found; got {[(m.text, m.value, m.rule_id) for m in mentions]}"
    m = found[0]
    assert m.rule_id == rule_id, f"{ex['span']!r} is read by {m.rule_id}, not by the rule {rule_id} it sits under"
    assert m.value == str(ex["value"])
    for key, attr in (("start", "date_start"), ("end", "date_end")):
        if key in ex:
            assert getattr(m, attr) == _as_date(ex[key])
    for key, attr in (("mod", "mod"), ("precision", "precision"), ("anchor", "anchor"), ("type", "timex_type")):
        if key in ex:
            assert getattr(m, attr) == ex[key]


def test_every_rule_has_a_known_resolver_and_most_have_examples() -> None:
    assert all(r.resolve in RESOLVERS for r in rules())
    without = [r.id for r in rules() if not r.examples]
    assert len(without) <= 3, f"rules without examples: {without}"


def test_every_example_is_positive_or_negative() -> None:
    for rule_id, i, ex in EXAMPLES:
        assert ("span" in ex) == ("value" in ex), f"{rule_id}-{i}: span and value go together"
        assert "span" in ex or ex.get("none") or ex.get("not"), f"{rule_id}-{i}: says nothing"


def test_rules_version_is_the_one_version_of_all_rule_files() -> None:
    assert RULES_VERSION == rulefiles.version()[:12]
