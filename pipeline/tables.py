"""Arrow schemas of the output tables, loaded from `schemas/<table>.schema.json`.

The JSON files are the single source of truth: Parquet schemas, CSV column order,
the Great Expectations column sets, the data dictionary and the relationships between
tables (`foreign_keys`: which column points at which table's key, checked by the
validate stage and by tests/test_relationships.py) all derive from them.

Column types: `string`, `int64`, `float64`, `bool`, `date32` and `list<string>` (a list of
ids or names: an Arrow list in Parquet, which pandas, polars and DuckDB read as lists;
joined with `;` in CSV, see `pipeline.export.csv_table`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any, Iterable, Mapping

import pyarrow as pa

from pipeline.paths import SCHEMAS, TABLES

_ARROW_TYPES = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date32": pa.date32(),
    "list<string>": pa.list_(pa.string()),
}


@dataclass(frozen=True)
class ForeignKey:
    """`table.column` holds keys of `references` (for a list column: each item does); null means none."""

    table: str
    column: str
    references: str  # the parent table; the key is its primary key
    description: str

    @property
    def parent_key(self) -> str:
        return spec(self.references).primary_key

    @property
    def is_list(self) -> bool:
        return next(c for c in spec(self.table).columns if c["name"] == self.column)["type"].startswith("list<")


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    primary_key: str | None
    columns: tuple[dict[str, Any], ...]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c["name"] for c in self.columns]

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c["name"], _ARROW_TYPES[c["type"]], nullable=c["nullable"]) for c in self.columns],
            metadata={"table": self.name, "description": self.description},
        )


@cache
def spec(table: str) -> TableSpec:
    data = json.loads((SCHEMAS / f"{table}.schema.json").read_text(encoding="utf-8"))
    unknown = {c["type"] for c in data["columns"]} - set(_ARROW_TYPES)
    if unknown:
        raise ValueError(f"schemas/{table}.schema.json uses unknown types {sorted(unknown)}")
    names = {c["name"] for c in data["columns"]}
    keys = tuple(ForeignKey(table, fk["column"], fk["references"], fk["description"]) for fk in data.get("foreign_keys", []))
    bad = [fk.column for fk in keys if fk.column not in names]
    if bad:
        raise ValueError(f"schemas/{table}.schema.json: foreign keys on unknown columns {bad}")
    return TableSpec(data["table"], data["description"], data["primary_key"], tuple(data["columns"]), keys)


def all_specs() -> dict[str, TableSpec]:
    return {t: spec(t) for t in TABLES}


def table_names() -> list[str]:
    """Every table with a schema file: the core tables in pipeline order, then the others (the timeline) by name."""
    found = sorted(p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json"))
    return [t for t in TABLES if t in found] + [t for t in found if t not in TABLES]


def foreign_keys() -> list[ForeignKey]:
    """Every declared relationship between the output tables, in table order."""
    return [fk for t in table_names() for fk in spec(t).foreign_keys]


def to_arrow(table: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Rows (dicts) to an Arrow table with the table's explicit schema; extra keys are an error."""
    s = spec(table)
    rows = list(rows)
    names = set(s.column_names)
    for row in rows[:1]:
        extra = set(row) - names
        if extra:
            raise KeyError(f"{table}: unexpected columns {sorted(extra)}")
    columns = {name: [row.get(name) for row in rows] for name in s.column_names}
    return pa.Table.from_pydict(columns, schema=s.arrow_schema)


def empty(table: str) -> pa.Table:
    return spec(table).arrow_schema.empty_table()
