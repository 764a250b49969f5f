"""docs/data-dictionary.md is generated from schemas/ and must be up to date."""

from __future__ import annotations

import json

import pytest

from pipeline import datadict
from pipeline.paths import SCHEMAS


def test_data_dictionary_is_up_to_date():
    current = datadict.TARGET.read_text(encoding="utf-8") if datadict.TARGET.exists() else ""
    assert current == datadict.render(), "docs/data-dictionary.md is stale: run `python -m pipeline.datadict`"


def test_check_mode_reports_a_stale_file(tmp_path):
    target = tmp_path / "dd.md"
    assert datadict.main(["--check", "--target", str(target)]) == 1
    assert datadict.main(["--target", str(target)]) == 0
    assert datadict.main(["--check", "--target", str(target)]) == 0
    target.write_text(target.read_text() + "edited by hand\n")
    assert datadict.main(["--check", "--target", str(target)]) == 1


@pytest.mark.parametrize("name", datadict.tables())
def test_every_table_and_column_is_documented(name):
    text = datadict.render()
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
    for c in schema["columns"]:
        assert f"| `{c['name']}` | {c['type']} |" in section
    if (SCHEMAS / f"{name}.suite.json").exists():
        assert "Checks (" in section


@pytest.mark.parametrize("suite", sorted(SCHEMAS.glob("*.suite.json")), ids=lambda p: p.name)
def test_every_expectation_reads_as_plain_words(suite):
    for exp in json.loads(suite.read_text())["expectations"]:
        text = datadict.expectation_text(exp)
        assert not text.startswith(exp["type"].removeprefix("expect_").replace("_", " ")), f"no wording for {exp['type']}"


@pytest.mark.parametrize(
    "exp, words",
    [
        ({"type": "expect_column_values_to_be_between", "kwargs": {"column": "low", "min_value": 0, "max_value": 9}}, "`low` is between 0 and 9"),
        ({"type": "expect_column_values_to_be_between", "kwargs": {"column": "n", "min_value": 1}}, "`n` is at least 1"),
        ({"type": "expect_column_pair_values_a_to_be_greater_than_b",
          "kwargs": {"column_A": "high", "column_B": "low", "or_equal": True, "ignore_row_if": "either_value_is_missing"}},
         "`high` ≥ `low` (when both are present)"),
        ({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "c", "value_set": ["a", "b"]}}, "`c` is one of `a`, `b`"),
    ],
)  # fmt: skip
def test_expectation_wording(exp, words):
    assert datadict.expectation_text(exp) == words
