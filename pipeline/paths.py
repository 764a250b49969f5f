"""One place for every path the project uses (the catalog)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"
RULES = PACKAGE / "rules"
SCHEMAS = ROOT / "schemas"
RAW = ROOT / "data" / "raw"
INTERIM = ROOT / "data" / "interim"
PROCESSED = ROOT / "data" / "processed"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"

# Output tables in the order they are written; each has schemas/<name>.schema.json and .suite.json.
TABLES = ("articles", "mentions", "events", "casualties", "rejects")
