"""Every example in pipeline/rules/temporal/*.yaml runs as a test, plus integrity checks on the rule files."""

from __future__ import annotations

from datetime import date

import pytest

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
    found = [m for m in mentions if m.text == ex["span"]]
    assert found, f"{ex['span']!r} not found; got {[(m.text, m.value, m.rule_id) for m in mentions]}"
    m = found[0]
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


def test_rules_version_is_a_short_hash() -> None:
    assert len(RULES_VERSION) == 12 and int(RULES_VERSION, 16) >= 0
