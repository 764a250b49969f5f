"""The validation stage: suites pass on good rows, quarantine bad rows, fail on table-level breaks."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pipeline import gx_adapter
from pipeline.paths import TABLES
from pipeline.tables import spec
from pipeline.validate import render_report, validate_tables
from tests import factories as f


def test_good_rows_pass_every_suite():
    result = validate_tables(f.tables())
    assert result.success, render_report(result.summary())
    assert all(o.success for r in result.reports.values() for o in r.outcomes), render_report(result.summary())
    assert {n: t.num_rows for n, t in result.tables.items()} == {
        "articles": 1, "mentions": 1, "events": 1, "casualties": 1, "rejects": 0,
    }  # fmt: skip


@pytest.mark.parametrize(
    "table, bad_row, reason",
    [
        ("casualties", f.casualty(low=-3, best=None, high=None), "expect_column_values_to_be_between"),
        ("casualties", f.casualty(low=9, best=5, high=9), "expect_column_pair_values_a_to_be_greater_than_b"),
        ("casualties", f.casualty(category="hurt"), "expect_column_values_to_be_in_set"),
        ("casualties", f.casualty(qualifier="roughly"), "expect_column_values_to_be_in_set"),
        ("mentions", f.mention(date_start=date(2021, 3, 5), date_end=date(2021, 3, 1)), "expect_column_pair_values_a_to_be_greater_than_b"),
        ("mentions", f.mention(timex_type="PERIOD"), "expect_column_values_to_be_in_set"),
        ("mentions", f.mention(date_end=date(2500, 1, 1)), "expect_column_values_to_be_between"),
        ("articles", f.article(reference_date=date(1200, 5, 1)), "expect_column_values_to_be_between"),
        ("mentions", f.mention(precision="fortnight"), "expect_column_values_to_be_in_set"),
        ("mentions", f.mention(text="Tuesday"), "span_mismatch"),
        ("events", f.event(latitude=123.0), "expect_column_values_to_be_between"),
        ("events", f.event(country_code="AFG"), "expect_column_values_to_match_regex"),
        ("events", f.event(date_basis="guess"), "expect_column_values_to_be_in_set"),
        ("articles", f.article(content_sha256="not-a-hash"), "expect_column_values_to_match_regex"),
        ("articles", f.article(reference_basis="clock"), "expect_column_values_to_be_in_set"),
    ],
)  # fmt: skip
def test_failing_row_is_quarantined_with_its_expectation(table, bad_row, reason):
    result = validate_tables(f.tables(**{table: [bad_row]}))
    assert result.tables[table].num_rows == 0
    rejects = result.tables["rejects"].to_pylist()
    own = [r for r in rejects if r["table"] == table]
    assert [r["reason"] for r in own] == [reason]
    assert own[0]["stage"] == "validate" and own[0]["message"] and own[0]["source_id"] == "src-a1"
    assert json.loads(own[0]["detail"])["table"] == table
    assert result.success  # a quarantined row does not fail the run


def test_children_of_a_quarantined_event_follow_it():
    result = validate_tables(f.tables(events=[f.event(event_type="Not A Code")]))
    reasons = {(r["table"], r["reason"]) for r in result.tables["rejects"].to_pylist()}
    assert reasons == {("events", "expect_column_values_to_match_regex"), ("casualties", "parent_rejected")}
    assert result.tables["casualties"].num_rows == 0


def test_children_of_a_quarantined_article_follow_it():
    result = validate_tables(f.tables(articles=[f.article(language="English language")]))
    tables_rejected = sorted(r["table"] for r in result.tables["rejects"].to_pylist())
    assert tables_rejected == ["articles", "casualties", "events", "mentions"]


def test_duplicate_ids_fail_the_run():
    result = validate_tables(f.tables(mentions=[f.mention(), f.mention()]))
    assert not result.success
    failures = result.reports["mentions"].table_failures
    assert [o.type for o in failures] == ["expect_column_values_to_be_unique"]
    assert "RUN FAILS" in render_report(result.summary())


def test_missing_column_fails_the_run():
    tables = f.tables()
    tables["events"] = tables["events"].drop_columns(["actor"])
    result = validate_tables(tables)
    assert not result.success
    assert "expect_table_columns_to_match_set" in {o.type for o in result.reports["events"].table_failures}


def test_empty_tables_pass():
    result = validate_tables(f.tables(articles=[], mentions=[], events=[], casualties=[]))
    assert result.success


@pytest.mark.parametrize("table", TABLES)
def test_suite_columns_match_arrow_schema(table):
    suite = gx_adapter.load_suite(table)
    column_set = next(e for e in suite["expectations"] if e["type"] == "expect_table_columns_to_match_set")
    assert column_set["kwargs"]["column_set"] == spec(table).column_names


@pytest.mark.parametrize("table", TABLES)
def test_every_suite_column_exists(table):
    names = set(spec(table).column_names)
    for e in gx_adapter.load_suite(table)["expectations"]:
        for key in ("column", "column_A", "column_B"):
            if key in e["kwargs"]:
                assert e["kwargs"][key] in names, (table, e)


# ---------------------------------------------------------------- the Arrow evaluator gives GX's outcomes
def _rows_with_every_violation(table: str) -> list[dict]:
    """Good rows and rows breaking each kind of expectation (nulls, NaN, bounds, sets, regexes, order, repeats)."""
    from pipeline.tables import to_arrow

    nan = float("nan")
    if table == "articles":
        good = f.article()
        bad = [{"reference_date": date(1200, 5, 1)}, {"reference_date": date(2300, 1, 1)}, {"n_chars": 0},
               {"content_sha256": "not-a-hash"}, {"content_sha256": "a" * 64 + "\n"}, {"language": "EN"},
               {"reference_basis": "clock"}, {"source_id": None}, {"article_id": "a1"}]  # fmt: skip
    elif table == "events":
        good = f.event()
        bad = [{"latitude": 123.0}, {"latitude": nan}, {"longitude": -181.0}, {"country_code": "AFG"},
               {"event_type": "Not A Code"}, {"date_start": date(2021, 3, 5), "date_end": date(2021, 3, 1)},
               {"date_start": None}, {"char_end": 0}, {"date_basis": "guess"}, {"event_id": "e-same"},
               {"event_id": "e-same"}, {"date_start": date(999, 1, 1), "date_end": date(999, 1, 2)}]  # fmt: skip
    elif table == "casualties":
        good = f.casualty()
        bad = [{"low": -3, "best": None, "high": None}, {"low": 9, "best": 5, "high": 9}, {"category": "hurt"},
               {"qualifier": None}, {"high": 10**9}, {"best": None}]  # fmt: skip
    else:
        good = f.mention()
        bad = [{"timex_type": "PERIOD"}, {"date_end": date(2500, 1, 1)}, {"value": "soon"}, {"precision": "fortnight"},
               {"date_start": date(2021, 3, 5), "date_end": date(2021, 3, 1)}, {"mention_id": None}]  # fmt: skip
    key = spec(table).primary_key
    rows = [good] + [{**good, key: f"{good[key]}-{i}", **b} for i, b in enumerate(bad)]
    return to_arrow(table, rows)


@pytest.mark.parametrize("table", ["articles", "mentions", "events", "casualties"])
def test_the_arrow_checks_give_the_outcomes_of_great_expectations(table):
    from pipeline.validate import validation_frame

    t = _rows_with_every_violation(table)
    native = gx_adapter.check_table(table, t, lambda: pytest.fail("fell back to GX"))
    reference = gx_adapter.run_suite(table, validation_frame(t))
    assert [(o.type, o.column, o.success, o.unexpected_count, o.unexpected_index) for o in native] == [
        (o.type, o.column, o.success, o.unexpected_count, tuple(int(i) for i in o.unexpected_index)) for o in reference
    ]
    assert not all(o.success for o in native)


def test_a_suite_the_arrow_checks_do_not_know_runs_through_great_expectations(monkeypatch):
    from pipeline.validate import validation_frame

    t = f.tables()["events"]
    suite = gx_adapter.load_suite("events")
    odd = {**suite, "expectations": [*suite["expectations"], {"type": "expect_column_values_to_be_between",
           "kwargs": {"column": "char_start", "min_value": 0, "strict_min": True}, "meta": {"on_failure": "quarantine"}}]}  # fmt: skip
    monkeypatch.setattr(gx_adapter, "load_suite", lambda name: odd)
    called = []
    monkeypatch.setattr(gx_adapter, "run_suite", lambda name, frame: called.append(name) or [])
    gx_adapter.check_table("events", t, lambda: validation_frame(t))
    assert called == ["events"]


@pytest.mark.parametrize("regex, values, unexpected", [
    (r"^[a-z]+$", ["abc", "abc\n", "ABC", None], (2,)),  # Python's `$` also matches before a final newline
    (r"^(?=a)a[a-z]*$", ["abc", "bcd", None], (1,)),  # a lookahead: RE2 refuses it, Python's re decides
])  # fmt: skip
def test_regex_checks_follow_pythons_re_as_gx_does(regex, values, unexpected):
    import pyarrow as pa

    table = pa.table({"v": pa.array(values, pa.string())})
    e = {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "v", "regex": regex}, "meta": {}}
    success, bad = gx_adapter._evaluate(e, table)
    assert tuple(i for i, b in enumerate(bad) if b) == unexpected and success == (not unexpected)
