from __future__ import annotations

import os
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


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Cache files (`pipeline.loadcache`: gazetteers, language model) go to a folder of the session, never the user's
    real cache; the pipeline runs in subprocesses inherit it, so the session builds each once."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg_cache"))
    yield
    if saved is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = saved
