"""Documentation that tests check: every command, option, make target and setting is documented."""

from __future__ import annotations

import argparse
import re
import subprocess
from dataclasses import fields

import pytest

from pipeline.cli import build_parser
from pipeline.paths import ROOT
from pipeline.settings import DOCS, Settings, load_settings

README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS_DOC = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_is_in_readme(name):
    assert f"`{name}" in README or f"{name}`" in README


@pytest.mark.parametrize(
    "name, option",
    [(n, o) for n, p in sorted(subcommands().items()) for a in p._actions for o in a.option_strings if o.startswith("--") and o != "--help"],
)
def test_every_option_is_in_readme(name, option):
    assert option in README, f"{name} {option} is not documented in README.md"


def test_every_make_target_has_a_description():
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY: (.*)$", makefile, re.M).group(1).split()
    described = set(re.findall(r"^## ([\w-]+):", makefile, re.M))
    assert set(phony) == described


def test_readme_shows_the_two_commands_first():
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("key", [f.name for f in fields(Settings)])
def test_every_setting_is_documented(key):
    assert key in DOCS
    assert f"`{key}`" in SETTINGS_DOC


def test_settings_doc_is_up_to_date():
    from pipeline.settings import render_docs

    assert SETTINGS_DOC == render_docs(), "docs/settings.md is stale: run python -m pipeline.settings"


def test_settings_file_overrides_and_rejects_unknown_keys(tmp_path):
    good = tmp_path / "s.toml"
    good.write_text("max_file_bytes = 1000\nfallback_encodings = ['cp1252']\n")
    s = load_settings(good)
    assert s.max_file_bytes == 1000 and s.fallback_encodings == ("cp1252",)
    bad = tmp_path / "bad.toml"
    bad.write_text("max_file_byte = 1000\n")
    with pytest.raises(ValueError, match="unknown settings key"):
        load_settings(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("max_file_bytes = 'big'\n")
    with pytest.raises(ValueError, match="must be int"):
        load_settings(wrong)


def test_make_help_lists_targets():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "run" in out and "test" in out and "validate" in out
