"""What a run records about itself: inputs with hashes, code and rules versions, counts, validation."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pipeline import __version__, rulefiles
from pipeline.paths import PACKAGE, SCHEMAS
from pipeline.settings import Settings


def tree_sha256(root: Path, patterns: tuple[str, ...]) -> str:
    """Hash of the files anywhere under `root` matching `patterns` (paths and contents, sorted)."""
    return _files_sha256(root, tuple(f"**/{p}" for p in patterns))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# What per-unit results depend on (ingest, temporal, extract, validate; the rules: one version for every rule file);
# everything else (the timeline code, the CLI, evaluations, benchmarks, docs) can change without reprocessing the
# cached units.
UNIT_CODE = ("ingest/*.py", "temporal/*.py", "extract/*.py", "sentences.py", "records.py", "run/chain.py",
             "run/batch.py", "validate.py", "gx_adapter.py", "tables.py", "rulefiles.py", "__init__.py")  # fmt: skip
UNIT_SCHEMAS = ("articles.*.json", "mentions.*.json", "events.*.json", "casualties.*.json", "rejects.*.json")


def _files_sha256(root: Path, patterns: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    found = {p for pattern in patterns for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}
    for path in sorted(found):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def unit_versions() -> dict[str, str]:
    """Hashes of the code, rules and schemas that per-unit processing uses (the cache key's version part)."""
    return {
        "unit_code_sha256": _files_sha256(PACKAGE, UNIT_CODE),
        "unit_rules_sha256": rulefiles.version(),  # one version for all rule files
        "unit_schemas_sha256": _files_sha256(SCHEMAS, UNIT_SCHEMAS),
    }


def versions() -> dict[str, str]:
    return {
        "pipeline": __version__,
        "code_sha256": tree_sha256(PACKAGE, ("*.py",)),
        "rules_sha256": rulefiles.version(),
        "schemas_sha256": tree_sha256(SCHEMAS, ("*.json",)),
        **unit_versions(),
    }


def inputs(input_path: Path, files: list[Path]) -> list[dict[str, Any]]:
    base = input_path if input_path.is_dir() else input_path.parent
    return [
        {"path": f.relative_to(base).as_posix(), "bytes": f.stat().st_size, "sha256": file_sha256(f)} for f in files
    ]


def balance(input_articles: int, accepted: int, rejected_at_ingest: int, quarantined_articles: int) -> dict[str, Any]:
    """The books of a run: every input article is accepted, rejected at ingest or quarantined."""
    return {
        "input_articles": input_articles,
        "accepted": accepted,
        "rejected_at_ingest": rejected_at_ingest,
        "quarantined_articles": quarantined_articles,
        "balanced": input_articles == accepted + rejected_at_ingest + quarantined_articles,
    }


def build(
    *,
    input_root: str,
    inputs: list[dict[str, Any]],
    settings: Settings,
    row_counts: dict[str, int],
    rejects_by_reason: Counter,
    rejects_by_stage: Counter,
    accounting: dict[str, Any],
    validation: dict[str, Any],
    run: dict[str, Any] | None = None,
    code_versions: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest: deterministic (no clock), so two runs over the same inputs write the same file.

    `files`: the sha256 of every file the run wrote beside the manifest (`pipeline.run.outdir`), by path."""
    return {
        **(run or {}),
        "versions": code_versions or versions(),
        "settings": asdict(settings),
        "input_root": input_root,
        "inputs": inputs,
        "accounting": accounting,
        "row_counts": row_counts,
        "rejects_by_reason": dict(sorted(rejects_by_reason.items())),
        "rejects_by_stage": dict(sorted(rejects_by_stage.items())),
        "validation": validation,
        "outputs": {name: [f"{name}.parquet", f"{name}.csv"] for name in row_counts},
        "files": files or {},
    }
