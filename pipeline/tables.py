"""Arrow schemas of the output tables, loaded from `schemas/<table>.schema.json`.

The JSON files are the single source of truth: Parquet schemas, CSV column order,
the Great Expectations column sets and the data dictionary all derive from them.
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
}


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    primary_key: str | None
    columns: tuple[dict[str, Any], ...]

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
    return TableSpec(data["table"], data["description"], data["primary_key"], tuple(data["columns"]))


def all_specs() -> dict[str, TableSpec]:
    return {t: spec(t) for t in TABLES}


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
