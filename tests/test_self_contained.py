"""Tests are self-contained: none reads the shared evaluation corpora, and CI checks that none of their text was
copied into the project."""

from __future__ import annotations

import re

import pytest

from pipeline.paths import ROOT

TESTS = ROOT / "tests"
# Ways a test could reach ../shared: the path written out, joined from parts, or taken from pipeline.paths.
SHARED_ACCESS = re.compile(
    r"""\.\./shared|shared/corpora|shared/seed|["']shared["']|\bSHARED\b|\bCORPORA\b|copied_text"""
)


FILES = sorted(
    p for p in TESTS.rglob("*")
    if p.is_file() and p.suffix in {".py", ".json", ".jsonl", ".txt", ".md", ".toml", ".yaml"}
    and p.name != "test_self_contained.py" and "__pycache__" not in p.parts
)  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(TESTS).as_posix())
def test_no_test_reads_the_shared_folder(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    found = [(text.count("\n", 0, m.start()) + 1, m.group()) for m in SHARED_ACCESS.finditer(text)]
    assert not found, f"{path.name} reaches ../shared at lines {found}: tests must bring their own data"


def test_the_pattern_catches_the_usual_ways_in():
    ways = ('Path("../shared/corpora/x")', 'ROOT.parent / "shared" / "seed"', "from pipeline.paths import CORPORA")
    for line in ways:
        assert SHARED_ACCESS.search(line), line


def test_ci_fails_on_text_copied_from_the_corpora():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 ../shared/tools/copied_text.py ." in ci
    assert "[ -d ../shared ]" in ci and "exit 1" in ci and "set -euo pipefail" in ci
