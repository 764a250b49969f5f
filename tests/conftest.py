from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.paths import SHARED

SEED = SHARED / "seed"


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A raw folder holding only the seed article and its sidecar."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in SEED.glob("mehr-2020-10-27-iran-karabakh.*"):
        shutil.copy(f, raw / f.name)
    return raw
