from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.paths import RAW, ROOT

# The founding article ships in data/raw/ (CC BY 4.0, see data/raw/_ATTRIBUTION.md) with its sidecar.
SEED = RAW


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    """`make run` on the sample articles of data/raw/, once per session, as its command line runs it.

    Returns a folder laid out like the project: `data/processed/` holds the outputs, so the queries of
    the docs (which read `data/processed/...`) run as written from there."""
    root = tmp_path_factory.mktemp("sample_run")
    out = root / "data" / "processed"
    command = [sys.executable, "-m", "pipeline", "run", "--input", str(RAW), "--output", str(out),
               "--work", str(root / "work"), "--quiet"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: finished with rejects
    return root
