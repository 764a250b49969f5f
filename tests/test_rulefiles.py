"""The one loader of the rule files: every file follows the schema of its kind, bad files fail with a clear message,
and one version covers all of them."""

from __future__ import annotations

import shutil
from fnmatch import fnmatch

import pytest
import yaml

from pipeline import ingest, rulefiles, temporal
from pipeline.run import manifest
from pipeline import extract as extract_stage
from pipeline.paths import RULES


@pytest.mark.parametrize("name", rulefiles.rule_files())
def test_every_rule_file_has_a_schema_and_follows_it(name):
    assert isinstance(rulefiles.load(name), dict)


def _typed(value):
    """A value with the type of every scalar in it (1 == 1.0 == True would hide a difference)."""
    if isinstance(value, dict):
        return [(_typed(k), _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return type(value).__name__, value


@pytest.mark.parametrize("name", rulefiles.rule_files())
def test_every_rule_file_reads_as_the_pure_python_loader_reads_it(name):
    # `load` parses with libyaml when PyYAML has it: the values must be the very same
    assert _typed(rulefiles.load(name)) == _typed(yaml.safe_load((RULES / name).read_text(encoding="utf-8")))


@pytest.mark.parametrize("text", ["rules: [a, b\n", "rules:\n  - id: a\n\t  pattern: x\n", "a: 1\na: [\n", "x: *nowhere\n"])
def test_a_file_that_is_not_yaml_fails_as_the_pure_python_loader_says(tmp_path, text):
    (tmp_path / "en" / "temporal").mkdir(parents=True)
    (tmp_path / "en" / "temporal" / "w.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as err:
        rulefiles.load("en/temporal/w.yaml", root=tmp_path)
    assert str(err.value) == str(expected.value)


def test_every_kind_of_rule_file_is_present():
    files = rulefiles.rule_files()
    for pattern, _ in rulefiles.SCHEMAS:
        assert any(fnmatch(f, pattern) for f in files), pattern


CASUALTY_RULE = """rules:
  - id: count_thing
    pattern: x
    examples:
      - {text: a, category: killed, best: 1}
"""
CASUALTY_TOP = """lexicon: {outcome: {}, action: {}, noun: {}}
aux: []
mods_stop: []
not_names: []
cumulative_before: []
cumulative_cues: []
"""


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("en/extract/casualties.yaml", CASUALTY_TOP + CASUALTY_RULE.replace("    pattern", "    patern"),
         r"casualties.yaml: rule count_thing: unknown key 'patern'"),
        ("en/extract/casualties.yaml", CASUALTY_TOP + CASUALTY_RULE.replace("    pattern: x\n", ""),
         r"casualties.yaml: rule count_thing: missing required key 'pattern'"),
        ("en/extract/casualties.yaml", CASUALTY_TOP + CASUALTY_RULE.replace("category:", "categroy:"),
         r"casualties.yaml: rule count_thing: example #1: unknown key 'categroy'"),
        ("en/extract/casualties.yaml", CASUALTY_TOP.replace("aux: []\n", "") + CASUALTY_RULE,
         r"casualties.yaml: missing required key 'aux'"),
        ("en/extract/casualties.yaml", CASUALTY_TOP.replace("noun: {}", "nouns: {}") + CASUALTY_RULE,
         r"casualties.yaml: lexicon: unknown key 'nouns'"),
        ("en/temporal/weeks.yaml", "rules:\n  - {id: w, pattern: w, resolve: fixed, prio: 2}\n",
         r"temporal/weeks.yaml: rule w: unknown key 'prio'"),
        ("en/temporal/weeks.yaml",
         "rules:\n  - {id: w, pattern: w, resolve: fixed, examples: [{text: a, reference: 2020-01-01, spam: a}]}\n",
         r"rule w: example #1: unknown key 'spam'"),
        ("en/temporal/weeks.yaml", "rules: {id: w}\n", r"rules must be a list of rules"),
        ("en/extract/events.yaml", "types: {shooting: {plover: X, violent: true}}\ncasualty_event: {}\nexamples: []\n",
         r"events.yaml: type shooting: missing required key 'triggers'"),
        ("timeline/types.yaml", "groups: {}\ngeneric: []\nspecificity: []\nextra: 1\n",
         r"types.yaml: unknown key 'extra'"),
        ("en/extract/weather.yaml", "rules: []\n", r"extract/weather.yaml: no schema for this rule file"),
    ],
)  # fmt: skip
def test_a_rule_file_off_its_schema_fails_naming_file_rule_and_key(tmp_path, name, text, message):
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(rulefiles.RuleFileError, match=message):
        rulefiles.load(name, root=tmp_path)


def test_every_problem_is_reported_at_once(tmp_path):
    (tmp_path / "en" / "temporal").mkdir(parents=True)
    rules = "rules:\n  - {id: a, pattern: x, resolve: r, bad: 1}\n  - {id: b, pattern: y}\n"
    (tmp_path / "en" / "temporal" / "w.yaml").write_text(rules)
    with pytest.raises(rulefiles.RuleFileError) as err:
        rulefiles.load("en/temporal/w.yaml", root=tmp_path)
    assert str(err.value).splitlines() == [
        "pipeline/rules/en/temporal/w.yaml: rule a: unknown key 'bad' (allowed: examples, flags, id, params, pattern, "
        "priority, resolve, trigger)",
        "pipeline/rules/en/temporal/w.yaml: rule b: missing required key 'resolve'",
    ]


def test_one_version_covers_every_rule_file(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    before = rulefiles.version(root)
    assert before == rulefiles.version(RULES) and len(before) == 64
    for name in ("en/datelines.yaml", "en/temporal/lexicon.yaml", "en/extract/places.yaml", "timeline/types.yaml"):
        path = root / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n# a comment\n")
        assert rulefiles.version(root) != before, name
        path.write_bytes(original)
    assert rulefiles.version(root) == before
    (root / "en" / "extract" / "extra.tsv").write_text("a\tb\n")
    assert rulefiles.version(root) != before


def test_the_stages_and_the_manifest_record_the_one_version():
    short = rulefiles.short_version()
    assert ingest.RULES_VERSION == temporal.RULES_VERSION == extract_stage.RULES_VERSION == short
    v = manifest.versions()
    assert v["rules_sha256"] == v["unit_rules_sha256"] == rulefiles.version()
