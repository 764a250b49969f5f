"""The data dictionary (`docs/data-dictionary.md`), generated from `schemas/`.

Every `schemas/<table>.schema.json` gives a section (description, primary key, columns) and its
`<table>.suite.json` the checks, in plain words. The schemas' `foreign_keys` give the
"Relationships" section: each key with a DuckDB join that tests/test_relationships.py runs on the
output of `make run` (and checks that every child value is found in the parent). `python -m pipeline.datadict` rewrites the file;
`--check` only says whether it is up to date (tests/test_datadict.py runs the same comparison).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.paths import ROOT, SCHEMAS
from pipeline.tables import ForeignKey, foreign_keys, table_names

TARGET = ROOT / "docs" / "data-dictionary.md"
ON_FAILURE = {"quarantine": "failing rows move to `rejects`", "fail": "a failure fails the run"}


def tables() -> list[str]:
    """Every table with a schema file: the core tables in pipeline order, then the others by name."""
    return table_names()


def _code(v: Any) -> str:
    return f"`{v}`"


def _value(v: Any) -> Any:
    """Date bounds are written as midnight timestamps for GX; a person reads the date."""
    return v.removesuffix("T00:00:00") if isinstance(v, str) else v


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def expectation_text(exp: dict[str, Any]) -> str:
    """One expectation of a suite in plain words."""
    kind, kw = exp["type"], exp["kwargs"]
    col = _code(kw.get("column"))
    if kind == "expect_table_columns_to_match_set":
        return "The table has exactly the columns listed above" + ("" if kw.get("exact_match", True) else " (at least)")
    if kind == "expect_column_values_to_be_unique":
        return f"{col} is unique"
    if kind == "expect_column_values_to_not_be_null":
        return f"{col} is never null"
    if kind == "expect_column_values_to_be_between":
        lo, hi = _value(kw.get("min_value")), _value(kw.get("max_value"))
        if lo is not None and hi is not None:
            return f"{col} is between {lo} and {hi}"
        return f"{col} is at least {lo}" if lo is not None else f"{col} is at most {hi}"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        op = "≥" if kw.get("or_equal") else ">"
        when = " (when both are present)" if kw.get("ignore_row_if") == "either_value_is_missing" else ""
        return f"{_code(kw['column_A'])} {op} {_code(kw['column_B'])}{when}"
    if kind == "expect_column_values_to_be_in_set":
        return f"{col} is one of " + ", ".join(_code(v) for v in kw["value_set"])
    if kind == "expect_column_values_to_match_regex":
        return f"{col} matches {_code(kw['regex'])}"
    if kind == "expect_column_values_to_be_of_type":
        return f"{col} is of type {_code(kw['type_'])}"
    args = ", ".join(f"{k}={v}" for k, v in sorted(kw.items()))
    return f"{kind.removeprefix('expect_').replace('_', ' ')} ({args})"


def _anchor(table: str) -> str:
    return f"[`{table}`](#{table.replace('_', '-')})"


def join_example(fk: ForeignKey, folder: str = "data/processed") -> str:
    """A DuckDB query joining the child rows of `fk` to their parent rows (list columns unnested first)."""
    child, parent, key = f"'{folder}/{fk.table}.parquet'", f"'{folder}/{fk.references}.parquet'", fk.parent_key
    if fk.is_list:
        return (f"SELECT c.*, p.* FROM (SELECT *, unnest({fk.column}) AS {fk.column}_item FROM {child}) c "
                f"JOIN {parent} p ON p.{key} = c.{fk.column}_item")  # fmt: skip
    return f"SELECT c.*, p.* FROM {child} c JOIN {parent} p ON p.{key} = c.{fk.column}"


def relationships() -> list[str]:
    """The "Relationships" section: every declared foreign key, with a join."""
    out = [
        "## Relationships",
        "",
        "Ids point from the more detailed tables to the broader ones. Each "
        "foreign key below is declared in its table's `schemas/<table>.schema.json` (`foreign_keys`); "
        "`tests/test_relationships.py` runs `make run` on `data/raw/` and checks that every non-null value of "
        "each key is found in its parent table, and that the join shown returns rows. Keys in list columns "
        "(`timeline.event_ids`, `timeline.article_ids`) hold several ids: unnest them first (DuckDB "
        "`unnest(event_ids)`, pandas `.explode(\"event_ids\")`, polars `.explode(\"event_ids\")`). In pandas, "
        "`child.merge(parent, on=KEY, how=\"left\", suffixes=(\"\", \"_parent\"))` is the same join. "
        "`rejects.article_id` is not a foreign key: it names articles that may themselves be rejected.",
        "",
        "| column | refers to | meaning |",
        "|---|---|---|",
    ]
    keys = foreign_keys()
    for fk in keys:
        out.append(f"| `{fk.table}.{fk.column}` | {_anchor(fk.references)}`.{fk.parent_key}` | {_cell(fk.description)} |")
    out += ["", "Joins (DuckDB, from the output folder):", ""]
    for fk in keys:
        out += [f"- `{fk.table}.{fk.column}` → `{fk.references}`:", "", "  ```sql", f"  {join_example(fk)}", "  ```"]
    out.append("")
    return out


def render() -> str:
    names = tables()
    out = [
        "# Data dictionary",
        "",
        "<!-- Generated by `python -m pipeline.datadict` from schemas/*.schema.json and schemas/*.suite.json; "
        "do not edit by hand. -->",
        "",
        "Every table is written as `<table>.parquet` (with the Arrow schema below) and `<table>.csv` in the output "
        "folder (default `data/processed/`). Types: `string`, `int64` (nullable integers), `float64`, `bool`, "
        "`date32` (ISO `YYYY-MM-DD` in CSV), `list<string>` (an Arrow list in Parquet, its items joined with `;` in "
        "CSV). How dates and figures are normalised, and example queries: "
        "[analysts.md](analysts.md).",
        "",
        "Tables: " + " · ".join(_anchor(n) for n in names) + " · [relationships](#relationships)",
        "",
    ]
    for name in names:
        schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
        out += [f"## {name}", "", schema["description"], ""]
        key = schema.get("primary_key")
        out += [f"Primary key: `{key}`." if key else "No primary key.", ""]
        refs = [f"`{fk['column']}` → {_anchor(fk['references'])}" for fk in schema.get("foreign_keys", [])]
        if refs:
            out += ["Foreign keys ([relationships](#relationships)): " + ", ".join(refs) + ".", ""]
        out += ["| column | type | nullable | description |", "|---|---|---|---|"]
        for c in schema["columns"]:
            nullable = "yes" if c["nullable"] else "no"
            out.append(f"| `{c['name']}` | {c['type']} | {nullable} | {_cell(c['description'])} |")
        out.append("")
        suite_path = SCHEMAS / f"{name}.suite.json"
        if suite_path.exists():
            suite = json.loads(suite_path.read_text(encoding="utf-8"))
            out += [f"Checks (`schemas/{name}.suite.json`, run by the validate stage):", ""]
            for exp in suite["expectations"]:
                meta = exp.get("meta", {})
                note = f" — {meta['note']}" if meta.get("note") else ""
                action = ON_FAILURE.get(meta.get("on_failure"), "")
                out.append(f"- {expectation_text(exp)}{note} ({action})")
            out.append("")
    out += relationships()
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.datadict", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/data-dictionary.md is out of date")
    parser.add_argument("--target", type=Path, default=TARGET, help="file to write (default docs/data-dictionary.md)")
    args = parser.parse_args(argv)
    text = render()
    current = args.target.read_text(encoding="utf-8") if args.target.exists() else None
    if args.check:
        if current != text:
            print(f"{args.target} is out of date: run `python -m pipeline.datadict`", file=sys.stderr)
            return 1
        return 0
    args.target.parent.mkdir(parents=True, exist_ok=True)
    args.target.write_text(text, encoding="utf-8")
    print(f"wrote {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
