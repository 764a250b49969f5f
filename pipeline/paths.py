"""One place for every path the project uses (the catalog).

The package's own data files (rules, table schemas and suites) are package data, found through
importlib.resources, so an installed copy (`pip install .`) finds them wherever it lives; the package
is installed as plain files (never zipped), so they are ordinary paths. The data folders are the
checkout's `data/` when the code runs from a checkout, else `data/` under the current folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE = Path(str(files("pipeline")))
RULES = PACKAGE / "rules"
SCHEMAS = PACKAGE / "schemas"  # also reachable as `schemas/` at the top of a checkout (a symbolic link)
ROOT = PACKAGE.parent  # the checkout, when running from one
DATA = ROOT / "data" if (ROOT / "pyproject.toml").is_file() else Path("data")
RAW = DATA / "raw"
INTERIM = DATA / "interim"
PROCESSED = DATA / "processed"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"

# Output tables in the order they are written; each has schemas/<name>.schema.json and .suite.json.
TABLES = ("articles", "mentions", "events", "casualties", "rejects")
