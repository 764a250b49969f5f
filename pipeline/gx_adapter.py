"""The one place that talks to Great Expectations (1.x).

GX is slow to import and its API changed at 1.0, so everything goes through
`run_suite`: a pandas frame and a suite loaded from `schemas/<table>.suite.json`
in, plain `ExpectationOutcome` records out.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

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
