"""The one place that talks to Great Expectations (1.x).

GX is slow to import and its API changed at 1.0, so everything goes through
`run_suite`: a pandas frame and a suite loaded from `schemas/<table>.suite.json`
in, plain `ExpectationOutcome` records out.

`check_table` is what the stages call: the expectations our suites use (not null, between, in a
set, unique, a regex, a column pair in order, the column set) are evaluated on the Arrow table
itself, with GX's semantics (missing values are ignored by the column checks; a regex is searched
for in the value, as GX's pandas engine does), which costs no pandas frame and no GX import; a suite
with any other expectation, or another keyword, runs through GX. `tests/test_validate.py` checks
that both give the same outcomes on tables with every kind of violation.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import re
from collections.abc import Callable
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.paths import SCHEMAS

ON_FAILURE = ("quarantine", "fail")


@dataclass(frozen=True)
class ExpectationOutcome:
    type: str
    kwargs: dict[str, Any]
    on_failure: str  # quarantine: failing rows move to rejects; fail: the run fails
    note: str
    success: bool
    unexpected_count: int = 0
    unexpected_index: tuple[Any, ...] = field(default_factory=tuple)
    error: str | None = None

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column") or (
            f"{self.kwargs['column_A']},{self.kwargs['column_B']}" if "column_A" in self.kwargs else None
        )


@cache
def load_suite(table: str) -> dict[str, Any]:
    suite = json.loads((SCHEMAS / f"{table}.suite.json").read_text(encoding="utf-8"))
    for exp in suite["expectations"]:
        on_failure = exp.get("meta", {}).get("on_failure")
        if on_failure not in ON_FAILURE:
            raise ValueError(f"{table}.suite.json: {exp['type']} needs meta.on_failure in {ON_FAILURE}")
    return suite


@cache
def _context():
    import great_expectations as gx  # slow import: only when validating

    for name in [n for n in logging.root.manager.loggerDict if n.startswith("great_expectations")] + ["great_expectations"]:
        logging.getLogger(name).setLevel(logging.ERROR)  # GX logs its internals at INFO
    context = gx.get_context(mode="ephemeral")
    try:  # no per-metric progress bars on the user's screen
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    except (ImportError, AttributeError, TypeError):
        pass
    return gx, context, context.data_sources.add_pandas("pipeline")


@cache
def _validation(table: str):
    gx, context, source = _context()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    suite_json = load_suite(table)
    expectations = [
        ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"], meta=e.get("meta", {})).to_domain_obj()
        for e in suite_json["expectations"]
    ]
    suite = context.suites.add(gx.ExpectationSuite(name=suite_json["name"], expectations=expectations))
    batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(f"{table}_whole")
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{table}_validation", data=batch, suite=suite)
    )
    # GX reports results in its own order; its expectation ids map them back to the suite file's order.
    return validation, [str(e.id) for e in suite.expectations]


def run_suite(table: str, frame: pd.DataFrame) -> list[ExpectationOutcome]:
    """Validate `frame` (index = row positions) against the table's suite, in suite order."""
    validation, ids = _validation(table)
    result = validation.run(batch_parameters={"dataframe": frame}, result_format={"result_format": "COMPLETE"})
    by_id = {str(r.expectation_config.id): r for r in result.results}
    outcomes = []
    for exp, exp_id in zip(load_suite(table)["expectations"], ids, strict=True):
        r = by_id[exp_id]
        error = _exception(r.exception_info or {})
        res = r.result or {}
        outcomes.append(
            ExpectationOutcome(
                type=exp["type"],
                kwargs=exp["kwargs"],
                on_failure=exp["meta"]["on_failure"],
                note=exp["meta"].get("note", ""),
                success=bool(r.success) and error is None,
                unexpected_count=int(res.get("unexpected_count") or 0),
                unexpected_index=tuple(res.get("unexpected_index_list") or ()),
                error=error,
            )
        )
    return outcomes


def _exception(info: dict[str, Any]) -> str | None:
    """GX nests exception details per metric; any raised exception means the check did not run."""
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


# ---------------------------------------------------------------- the same checks on Arrow tables
def check_table(table_name: str, table: pa.Table, frame: Callable[[], pd.DataFrame]) -> list[ExpectationOutcome]:
    """`run_suite` on an Arrow table: evaluated natively when every expectation is one we know, else by GX
    on `frame()` (the table as the pandas frame GX wants)."""
    expectations = load_suite(table_name)["expectations"]
    if not all(_supported(e, table) for e in expectations):
        return run_suite(table_name, frame())
    outcomes = []
    for e in expectations:
        success, bad = _evaluate(e, table)
        index = tuple(np.flatnonzero(bad).tolist()) if bad is not None else ()
        outcomes.append(
            ExpectationOutcome(
                type=e["type"], kwargs=e["kwargs"], on_failure=e["meta"]["on_failure"], note=e["meta"].get("note", ""),
                success=success, unexpected_count=len(index), unexpected_index=index,
            )  # fmt: skip
        )
    return outcomes


_KEYWORDS = {
    "expect_column_values_to_not_be_null": {"column"},
    "expect_column_values_to_be_unique": {"column"},
    "expect_column_values_to_be_between": {"column", "min_value", "max_value"},
    "expect_column_values_to_be_in_set": {"column", "value_set"},
    "expect_column_values_to_match_regex": {"column", "regex"},
    "expect_column_pair_values_a_to_be_greater_than_b": {"column_A", "column_B", "or_equal", "ignore_row_if"},
    "expect_table_columns_to_match_set": {"column_set", "exact_match"},
}


def _supported(e: dict[str, Any], table: pa.Table) -> bool:
    kw = e["kwargs"]
    if e["type"] not in _KEYWORDS or not set(kw) <= _KEYWORDS[e["type"]]:
        return False
    columns = [kw[c] for c in ("column", "column_A", "column_B") if c in kw]
    if any(c not in table.column_names for c in columns):
        return False  # GX reports the missing column
    types = [table.schema.field(c).type for c in columns]
    if e["type"] == "expect_column_values_to_be_between":
        if kw.get("min_value") is None and kw.get("max_value") is None:
            return False
        bounds = [kw[k] for k in ("min_value", "max_value") if kw.get(k) is not None]
        if pa.types.is_date32(types[0]):
            return all(isinstance(b, str) and _midnight(b) is not None for b in bounds)
        return (pa.types.is_integer(types[0]) or pa.types.is_floating(types[0])) and all(
            isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds
        )
    if e["type"] == "expect_column_values_to_be_in_set":
        return pa.types.is_string(types[0]) and all(isinstance(v, str) for v in kw["value_set"])
    if e["type"] == "expect_column_values_to_match_regex":
        return pa.types.is_string(types[0])
    if e["type"] == "expect_column_pair_values_a_to_be_greater_than_b":
        same = types[0] == types[1] and (pa.types.is_integer(types[0]) or pa.types.is_date32(types[0]))
        return same and kw.get("ignore_row_if") == "either_value_is_missing"
    if e["type"] == "expect_column_values_to_be_unique":
        return not pa.types.is_floating(types[0])
    return True


def _midnight(value: str) -> Any:
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t.date() if (t.hour, t.minute, t.second, t.microsecond) == (0, 0, 0, 0) and t.tzinfo is None else None


def _missing(col: pa.ChunkedArray) -> np.ndarray:
    """Null, or NaN (pandas, and so GX, takes both for a missing value)."""
    if pa.types.is_floating(col.type):
        return pc.is_null(col, nan_is_null=True).to_numpy(zero_copy_only=False)
    return pc.is_null(col).to_numpy(zero_copy_only=False)


def _true(mask: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


def _evaluate(e: dict[str, Any], table: pa.Table) -> tuple[bool, np.ndarray | None]:
    """(success, the unexpected rows as a mask) of one expectation; no mask for a table-level one."""
    kw, kind = e["kwargs"], e["type"]
    if kind == "expect_table_columns_to_match_set":
        have, want = set(table.column_names), set(kw["column_set"])
        return (have == want if kw.get("exact_match", True) else want <= have), None
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = table.column(kw["column_A"]), table.column(kw["column_B"])
        ordered = pc.greater_equal(a, b) if kw.get("or_equal") else pc.greater(a, b)
        bad = ~_true(ordered) & ~(_missing(a) | _missing(b))
        return not bad.any(), bad
    col = table.column(kw["column"])
    missing = _missing(col)
    if kind == "expect_column_values_to_not_be_null":
        bad = missing
    elif kind == "expect_column_values_to_be_between":
        ok = np.ones(len(col), dtype=bool)
        for key, op in (("min_value", pc.greater_equal), ("max_value", pc.less_equal)):
            bound = kw.get(key)
            if bound is None:
                continue
            value = pa.scalar(_midnight(bound), pa.date32()) if pa.types.is_date32(col.type) else pa.scalar(bound)
            ok &= _true(op(col, value))
        bad = ~ok & ~missing
    elif kind == "expect_column_values_to_be_in_set":
        bad = ~_true(pc.is_in(col, value_set=pa.array(kw["value_set"], pa.string()))) & ~missing
    elif kind == "expect_column_values_to_be_unique":
        counts = pc.value_counts(col.drop_null() if hasattr(col, "drop_null") else col)
        repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
        bad = _true(pc.is_in(col, value_set=repeated)) & ~missing
    else:  # expect_column_values_to_match_regex: GX searches (re.search) each value
        try:
            bad = ~_true(pc.match_substring_regex(col, kw["regex"])) & ~missing
        except pa.ArrowInvalid:  # a pattern RE2 cannot run: every value goes to Python's re
            bad = ~missing
        if bad.any():  # what RE2 refuses, Python's re (GX's engine) may still find (e.g. `$` before a final newline)
            pattern = re.compile(kw["regex"])
            rows = np.flatnonzero(bad)
            values = col.take(pa.array(rows)).to_pylist()
            bad[rows[[pattern.search(str(v)) is not None for v in values]]] = False
    return not bad.any(), bad
