"""Validation stage: Great Expectations suites per table, quarantine of failing rows.

A row that fails a row-level expectation moves to `rejects` (stage `validate`,
reason = the expectation) and the run goes on. Rows whose text span does not
match the article (`span_mismatch`) and rows whose parent row was quarantined
(`parent_rejected`) follow the same path, so nothing is dropped silently. A
table-level failure (`meta.on_failure = "fail"`) makes the outcome failed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline import gx_adapter
from pipeline.paths import TABLES
from pipeline.tables import foreign_keys, spec, to_arrow

# child table -> (column pointing to the parent, parent table, parent key): the foreign keys of
# schemas/*.schema.json between the tables validated here (a row whose parent was quarantined follows it)
PARENTS: dict[str, list[tuple[str, str, str]]] = {}
for _fk in foreign_keys():
    if _fk.table in TABLES and _fk.references in TABLES:
        PARENTS.setdefault(_fk.table, []).append((_fk.column, _fk.references, _fk.parent_key))
# table -> column whose text must equal article text[char_start:char_end]
SPAN_TEXT = {"mentions": "text", "events": "trigger", "casualties": "text"}


@dataclass
class TableReport:
    table: str
    rows_in: int
    rows_out: int
    quarantined: Counter = field(default_factory=Counter)  # reason -> rows
    outcomes: list[gx_adapter.ExpectationOutcome] = field(default_factory=list)

    @property
    def table_failures(self) -> list[gx_adapter.ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and (o.on_failure == "fail" or o.error)]


@dataclass
class ValidationResult:
    tables: dict[str, pa.Table]
    reports: dict[str, TableReport]

    @property
    def success(self) -> bool:
        return not any(r.table_failures for r in self.reports.values())

    def summary(self) -> dict[str, Any]:
        """Plain data: what `render_report` prints and the manifest keeps."""
        return {
            "success": self.success,
            "tables": {
                name: {
                    "rows_in": r.rows_in,
                    "rows_out": r.rows_out,
                    "expectations": len(r.outcomes),
                    "quarantined": dict(sorted(r.quarantined.items())),
                    "failures": [_failure(o) for o in r.outcomes if not o.success],
                }
                for name, r in self.reports.items()
            },
        }


def _failure(o: gx_adapter.ExpectationOutcome) -> dict[str, Any]:
    return {
        "type": o.type,
        "column": o.column,
        "note": o.note,
        "fails_run": o.on_failure == "fail" or o.error is not None,
        "unexpected_count": o.unexpected_count,
        **({"error": o.error} if o.error else {}),
    }


_NS_MIN, _NS_MAX = pd.Timestamp("1678-01-01"), pd.Timestamp("2262-01-01")


def validation_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas in the shape GX checks fastest: nullable ints, datetime64 dates."""
    frame = table.to_pandas(
        types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get,
        date_as_object=False,
    )
    for f in table.schema:
        if pa.types.is_date32(f.type):
            column = pd.to_datetime(frame[f.name])
            # GX compares nanosecond datetimes vectorised and coarser ones row by row (~100x slower);
            # nanoseconds only cover 1677-2262, so dates outside keep their coarser unit.
            if column.isna().all() or (column.min() >= _NS_MIN and column.max() <= _NS_MAX):
                column = column.astype("datetime64[ns]")
            frame[f.name] = column
    return frame.reset_index(drop=True)


def validate_tables(tables: dict[str, pa.Table]) -> ValidationResult:
    """Validate articles, mentions, events, casualties, then rejects (including this stage's own)."""
    out: dict[str, pa.Table] = {}
    reports: dict[str, TableReport] = {}
    new_rejects: list[dict[str, Any]] = []
    kept_ids: dict[str, set] = {}
    articles = tables["articles"]
    texts = dict(zip(articles.column("article_id").to_pylist(), articles.column("text").to_pylist()))
    sources = {
        a: (s, p)
        for a, s, p in zip(
            articles.column("article_id").to_pylist(),
            articles.column("source_id").to_pylist(),
            articles.column("raw_path").to_pylist(),
        )
    }

    for name in ("articles", "mentions", "events", "casualties"):
        table = tables[name]
        extra = [_span_mismatches(name, table, texts), _orphans(name, table, kept_ids)]
        kept, rows, reports[name] = _check(name, table, sources, extra)
        new_rejects += rows
        out[name] = kept
        kept_ids[name] = set(kept.column(spec(name).primary_key).to_pylist())

    rejects = pa.concat_tables([tables["rejects"], to_arrow("rejects", new_rejects)])
    report = TableReport("rejects", rejects.num_rows, rejects.num_rows)
    report.outcomes = gx_adapter.check_table("rejects", rejects, lambda: validation_frame(rejects))
    out["rejects"] = rejects
    reports["rejects"] = report
    return ValidationResult(out, reports)


def validate_derived(tables: dict[str, pa.Table], articles: pa.Table) -> ValidationResult:
    """Validate tables derived from the validated ones (the timeline); `rejects` holds only their quarantined rows."""
    sources = {
        a: (s, p)
        for a, s, p in zip(*(articles.column(c).to_pylist() for c in ("article_id", "source_id", "raw_path")))
    }
    out, reports, rejects = {}, {}, []
    for name, table in tables.items():
        out[name], rows, reports[name] = _check(name, table, sources, [])
        rejects += rows
    out["rejects"] = to_arrow("rejects", rejects)
    return ValidationResult(out, reports)


def _check(
    name: str, table: pa.Table, sources: dict[str, tuple[str, str]], extra: list[dict[int, dict[str, Any]]]
) -> tuple[pa.Table, list[dict[str, Any]], TableReport]:
    """Run the table's suite; rows failing a row-level expectation (or an `extra` check) become reject rows."""
    report = TableReport(name, table.num_rows, 0)
    reasons: dict[int, list[dict[str, Any]]] = {}
    report.outcomes = gx_adapter.check_table(name, table, lambda: validation_frame(table))
    for o in report.outcomes:
        if not o.success and o.on_failure == "quarantine" and not o.error:
            for i in o.unexpected_index:
                reasons.setdefault(int(i), []).append({"reason": o.type, "column": o.column, "note": o.note, "kwargs": o.kwargs})
    for found in extra:
        for i, why in found.items():
            reasons.setdefault(i, []).append(why)
    rows = table.to_pylist() if reasons else []
    key = spec(name).primary_key
    rejects = []
    for i in sorted(reasons):
        row, failed = rows[i], reasons[i]
        report.quarantined[failed[0]["reason"]] += 1
        source_id, raw_path = sources.get(row.get("article_id"), (None, None))
        rejects.append(
            {
                "stage": "validate",
                "source_id": source_id,
                "raw_path": raw_path,
                "article_id": row.get("article_id"),
                "reason": failed[0]["reason"],
                "message": f"{name} row {row.get(key)} quarantined: "
                + "; ".join(f"{f['note']} ({f['reason']} on {f['column']})" for f in failed),
                "detail": json.dumps({"table": name, "failed": failed, "row": _short(row)}, sort_keys=True, default=str),
                "table": name,
                "row_id": row.get(key),
            }
        )
    kept = table.filter(pa.array([i not in reasons for i in range(table.num_rows)], type=pa.bool_()))
    report.rows_out = kept.num_rows
    return kept, rejects, report


def _span_mismatches(name: str, table: pa.Table, texts: dict[str, str]) -> dict[int, dict[str, Any]]:
    column = SPAN_TEXT.get(name)
    if column is None or table.num_rows == 0:
        return {}
    bad = {}
    cols = [table.column(c).to_pylist() for c in ("article_id", "char_start", "char_end", column)]
    for i, (article_id, start, end, value) in enumerate(zip(*cols)):
        text = texts.get(article_id)
        if text is not None and start is not None and end is not None and text[start:end] != value:
            bad[i] = {
                "reason": "span_mismatch",
                "column": column,
                "note": f"text[char_start:char_end] differs from `{column}`",
                "kwargs": {"expected": text[start:end][:200]},
            }
    return bad


def _orphans(name: str, table: pa.Table, kept_ids: dict[str, set]) -> dict[int, dict[str, Any]]:
    bad = {}
    for column, parent, _key in PARENTS.get(name, []):
        if parent not in kept_ids:
            continue
        values = table.column(column)
        present = pc.is_in(values, value_set=pa.array(sorted(kept_ids[parent]), type=pa.string()))
        missing = pc.and_(pc.invert(present), pc.is_valid(values))
        for i in pc.indices_nonzero(missing).to_pylist():
            bad[i] = {
                "reason": "parent_rejected",
                "column": column,
                "note": f"its {parent} row was quarantined or is missing",
                "kwargs": {"parent": parent, "id": values[i].as_py()},
            }
    return bad


def _short(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v[:200] + "…" if isinstance(v, str) and len(v) > 200 else v) for k, v in row.items()}


def render_report(summary: dict[str, Any]) -> str:
    """A validation summary (see `ValidationResult.summary`) as plain text a person can read."""
    lines = [f"Validation: {'PASSED' if summary['success'] else 'FAILED'}"]
    for name, r in summary["tables"].items():
        failed = {(f["type"], f["column"]) for f in r["failures"]}
        quarantined = sum(r["quarantined"].values())
        lines.append(
            f"  {name:<14} {r['rows_in']:>8} rows in, {r['rows_out']:>8} kept, {quarantined:>6} quarantined, "
            f"{r['expectations'] - len(failed)}/{r['expectations']} expectations met"
        )
        for f in r["failures"]:
            action = "RUN FAILS" if f["fails_run"] else "rows quarantined"
            what = f.get("error") or f"{f['unexpected_count']} unexpected"
            lines.append(f"      - {f['type']} on {f['column']}: {what} ({action}) — {f['note']}")
        for reason, n in sorted(r["quarantined"].items()):
            if reason in {"span_mismatch", "parent_rejected"}:
                lines.append(f"      - {reason}: {n} rows quarantined")
    return "\n".join(lines)
