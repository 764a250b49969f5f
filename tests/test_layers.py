"""Layers: settings and stages import nothing above them; the command line parses, `pipeline.run` runs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
STAGES = ("ingest", "temporal", "extract", "timeline", "validate.py", "export.py")
ABOVE_STAGES = ("pipeline.run", "pipeline.cli", "pipeline.evaluate", "pipeline.bench")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions count too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def files(*parts: str) -> list[Path]:
    return [f for p in parts for f in ((PACKAGE / p).rglob("*.py") if (PACKAGE / p).is_dir() else [PACKAGE / p])]


@pytest.mark.parametrize("path", files(*STAGES, "settings.py", "records.py", "tables.py", "gx_adapter.py", "sentences.py"),
                         ids=lambda p: p.relative_to(PACKAGE).as_posix())  # fmt: skip
def test_stages_and_settings_import_no_orchestration(path):
    assert not {m for m in imported(path) if m.startswith(ABOVE_STAGES)}


def test_settings_import_no_stage():
    ours = {m for m in imported(PACKAGE / "settings.py") if m.startswith("pipeline")}
    assert ours <= {"pipeline.paths", "pipeline.paths.ROOT"}


def test_the_command_line_only_parses_and_calls_the_run_package():
    ours = {m.split(".")[1] for m in imported(PACKAGE / "cli.py") if m.startswith("pipeline.")}
    assert ours <= {"run", "paths", "timeline", "__version__"}


HEAVY = ("pyarrow", "pandas", "numpy", "great_expectations", "dask", "distributed", "matplotlib", "dateparser")


@pytest.mark.parametrize(
    "code, allowed",
    [
        ("from pipeline.cli import build_parser; build_parser().format_help()", ()),
        ("import pipeline; dir(pipeline); pipeline.__version__", ()),  # the API loads on first use
        ("import pipeline.run.runner, pipeline.run.stepwise", ("pyarrow", "pandas", "numpy")),
    ],
)
def test_start_up_imports_only_what_is_needed(code, allowed):
    probe = f"import sys; {code}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=PACKAGE.parent, capture_output=True, text=True, check=True)
    assert set(out.stdout.split()) <= set(allowed)
