"""The one loader for the rule files under `pipeline/rules/`, their schemas and their one version hash.

`load("en/extract/casualties.yaml")` reads a rule file and checks it against the schema of its kind (`SCHEMAS`): a
key the schema does not know is an error, and so is a missing required key; the message names the file, the rule
(by its id, or its place in the list) and the key. Each stage turns the checked data into its own structures, and
caches them (`load` itself reads the file every time, so a caller may keep and change what it gets).

`version()` is one hash over every rule file (paths and contents): the run manifest and the cache keys of the
processed units record it, and `pipeline.ingest`, `pipeline.temporal` and `pipeline.extract` export its short form
as `RULES_VERSION`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

from pipeline.paths import RULES

# The files the version covers: every data file under pipeline/rules/.
RULE_PATTERNS = ("*.yaml", "*.yml", "*.tsv", "*.json")
# Rules that read text are kept per language, in a folder named by its ISO 639-1 code (`en/`); the stages read this
# one, the only language the rules cover (docs/languages.md says how another would be added). Rules about the
# tables, not the text (`timeline/`), sit beside the language folders.
RULES_LANGUAGE = "en"


class RuleFileError(ValueError):
    """A rule file that does not follow its schema (every problem found, one per line)."""


@dataclass(frozen=True)
class Fields:
    """The keys a mapping may hold.

    `required` keys must be present, `optional` ones may be. `lists` names keys holding a list of mappings, each
    checked against its own Fields (with a label for messages: "rule", "example"); an item with an `id` is named
    by it. `nested` names keys holding one mapping; `each` names keys holding a mapping whose every value is a
    mapping (named by its key). Keys in `lists`, `nested` and `each` must also be listed as required or optional.
    """

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    lists: Mapping[str, tuple[str, Fields]] = field(default_factory=dict)
    nested: Mapping[str, Fields] = field(default_factory=dict)
    each: Mapping[str, tuple[str, Fields]] = field(default_factory=dict)


# ------------------------------------------------------------------ the schemas, one per kind of file

_TEMPORAL_EXAMPLE = Fields(
    required=("text", "reference"),
    # span + value: the rule reads `span` with that value; none: nothing is read; not: these spans are not read
    optional=("span", "value", "type", "mod", "start", "end", "precision", "anchor", "none", "not"),
)
TEMPORAL_RULES = Fields(
    required=("rules",),
    lists={
        "rules": (
            "rule",
            Fields(
                required=("id", "pattern", "resolve"),
                optional=("trigger", "priority", "params", "flags", "examples"),
                lists={"examples": ("example", _TEMPORAL_EXAMPLE)},
            ),
        )
    },
)
TEMPORAL_LEXICON = Fields(
    required=(
        "months", "ambiguous_months", "weekdays", "weekday_abbreviations", "numbers", "vague_numbers", "ordinals",
        "units", "seasons", "parts", "day_parts", "day_offsets", "relative", "anaphoric_relative", "trigger_words",
        "holidays", "future_cues", "future_prepositions", "forward_phrases", "reporting_verbs", "deferral_verbs",
        "future_in_past", "future_nouns", "not_past_ed", "past_cues", "narrative_since", "narrative_aside",
    ),
)  # fmt: skip
_DATELINE_EXAMPLE = Fields(required=("text", "published", "dateline", "place", "agency", "date"))
DATELINES = Fields(
    required=(
        "version", "max_header_lines", "max_header_chars", "min_place_letters", "future_slack_days", "months",
        "agencies", "not_places", "particles", "parts", "shapes", "max_scan_chars", "prose_min_words",
        "prose_max_capitalised", "alternate_names_min_population",
    ),
    optional=("not_place_patterns", "header_examples"),
    lists={
        "shapes": (
            "shape",
            Fields(
                required=("id", "pattern", "examples"),
                optional=("gazetteer", "prose"),
                lists={"examples": ("example", _DATELINE_EXAMPLE)},
            ),
        ),
        "header_examples": ("header example", _DATELINE_EXAMPLE),
    },
)  # fmt: skip
CASUALTIES = Fields(
    required=("lexicon", "aux", "mods_stop", "not_names", "cumulative_before", "cumulative_cues", "rules"),
    nested={"lexicon": Fields(required=("outcome", "action", "noun"))},
    lists={
        "rules": (
            "rule",
            Fields(
                required=("id", "pattern", "examples"),
                optional=("count", "category", "category_default", "qualifier", "needs", "add", "kinds",
                          "multipliers", "verb_qualifiers"),
                lists={
                    "examples": (
                        "example",
                        Fields(
                            required=("text",),
                            optional=("category", "low", "best", "high", "qualifier", "victims", "cumulative",
                                      "none"),
                        ),
                    )
                },
            ),
        )
    },
)  # fmt: skip
GUARDS = Fields(
    required=("before", "after", "age_apposition", "year_range", "examples"),
    nested={"age_apposition": Fields(required=("before", "after"))},
    lists={"examples": ("example", Fields(required=("text", "not"), optional=("count",)))},
)
NUMBERS = Fields(
    required=("units", "tens", "multipliers", "qualifiers", "vague", "examples"),
    lists={"examples": ("example", Fields(required=("text", "low", "best", "high", "qualifier")))},
)
VICTIMS = Fields(
    required=("groups", "not_victims", "examples"),
    each={"groups": ("group", Fields(optional=("plural", "singular")))},
    lists={"examples": ("example", Fields(required=("text", "group")))},
)
EVENTS = Fields(
    required=("types", "casualty_event", "examples"),
    optional=("extra_types",),
    each={
        "types": ("type", Fields(required=("plover", "violent", "triggers"))),
        "extra_types": ("type", Fields(required=("plover", "violent"))),
    },
    lists={"examples": ("example", Fields(required=("text", "type")))},
)
SENTENCES = Fields(
    required=("never_final", "may_end", "sentence_starters", "furniture"),
    optional=("examples",),
    lists={"examples": ("example", Fields(required=("text", "sentences")))},
)
PLACES = Fields(
    required=("min_city_population", "context_population_ratio", "ambiguous", "unambiguous", "never", "aliases"),
    optional=("examples", "alternate_names_min_population", "alternate_names_sure_population", "feature_words_after",
              "inherit_sentences", "local_name_heads", "lowercase_titles", "not_first_names", "section_km", "titles",
              "uncued_min_population", "us_state_abbreviations"),
    lists={"examples": ("example", Fields(required=("text", "place"), optional=("country",)))},
)
PERIODS = Fields(
    required=("since_before", "as_of_before", "war_start_around", "since_war", "stretch", "examples"),
    lists={"examples": ("example", Fields(required=("text", "reference", "figure", "start", "end"),
                                           optional=("cumulative",)))},
)
TIMELINE_TYPES = Fields(
    required=("groups", "generic", "specificity"),
    optional=("examples",),
    # a pair (a, b: compatible, group) or a list of types and the one picked
    lists={"examples": ("example", Fields(optional=("a", "b", "compatible", "group", "types", "picked")))},
)

# Rule file (path under pipeline/rules/, fnmatch pattern; the first match wins) -> its schema. `??/` is a language
# folder (`en/`): every language has the same files, checked against the same schemas.
SCHEMAS: tuple[tuple[str, Fields], ...] = (
    ("??/datelines.yaml", DATELINES),
    ("??/temporal/lexicon.yaml", TEMPORAL_LEXICON),
    ("??/temporal/*.yaml", TEMPORAL_RULES),
    ("??/extract/casualties.yaml", CASUALTIES),
    ("??/extract/guards.yaml", GUARDS),
    ("??/extract/numbers.yaml", NUMBERS),
    ("??/extract/victims.yaml", VICTIMS),
    ("??/extract/events.yaml", EVENTS),
    ("??/extract/sentences.yaml", SENTENCES),
    ("??/extract/places.yaml", PLACES),
    ("??/extract/periods.yaml", PERIODS),
    ("timeline/types.yaml", TIMELINE_TYPES),
)


# ------------------------------------------------------------------ loading and checking


def schema_of(name: str) -> Fields:
    """The schema of the rule file `name` (its path under pipeline/rules/, e.g. "en/extract/casualties.yaml")."""
    for pattern, fields in SCHEMAS:
        if fnmatch(name, pattern):
            return fields
    raise RuleFileError(f"pipeline/rules/{name}: no schema for this rule file (add it to pipeline.rulefiles.SCHEMAS)")


# libyaml's parser (PyYAML's C binding) reads the rule files about ten times faster than the pure-Python one (0.02 s
# instead of 0.2 s of CPU for all of them, which every process pays at its start); the same resolver and safe
# constructor build the values, so they are the same (a test compares every rule file). A file it refuses is read
# again by the pure-Python loader, so an error message stays the pure-Python one.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(name: str, root: Path = RULES) -> dict[str, Any]:
    """The rule file `name` (path under `root`, e.g. "en/temporal/parts.yaml"), parsed and checked against its schema."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        data = yaml.safe_load(text)
    check(data, schema_of(name), f"pipeline/rules/{name}")
    return data


def check(data: Any, fields: Fields, where: str) -> None:
    """Raise RuleFileError listing every place where `data` does not follow `fields` (`where` names the file)."""
    problems: list[str] = []
    _check(data, fields, where, problems)
    if problems:
        raise RuleFileError("\n".join(problems))


def _check(data: Any, fields: Fields, where: str, problems: list[str]) -> None:
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping, got {type(data).__name__}")
        return
    allowed = (*fields.required, *fields.optional)
    for key in data:
        if key not in allowed:
            problems.append(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
    for key in fields.required:
        if key not in data:
            problems.append(f"{where}: missing required key {key!r}")
    for key, sub in fields.nested.items():
        if key in data:
            _check(data[key], sub, f"{where}: {key}", problems)
    for key, (label, sub) in fields.each.items():
        if key in data:
            if not isinstance(data[key], dict):
                problems.append(f"{where}: {key} must be a mapping of {label}s")
                continue
            for name, value in data[key].items():
                _check(value, sub, f"{where}: {label} {name}", problems)
    for key, (label, sub) in fields.lists.items():
        if key not in data or data[key] is None:
            continue
        if not isinstance(data[key], list):
            problems.append(f"{where}: {key} must be a list of {label}s")
            continue
        for i, item in enumerate(data[key], 1):
            name = item.get("id") if isinstance(item, dict) else None
            _check(item, sub, f"{where}: {label} {name if name is not None else f'#{i}'}", problems)


def rule_files(root: Path = RULES) -> list[str]:
    """Every rule file, as its path under `root` (sorted)."""
    found = {p for pattern in RULE_PATTERNS for p in root.rglob(pattern) if p.is_file()}
    return sorted(p.relative_to(root).as_posix() for p in found)


def version(root: Path = RULES) -> str:
    """sha256 (hex) over every rule file's path and contents: one version for all rules."""
    h = hashlib.sha256()
    for name in rule_files(root):
        h.update(name.encode())
        h.update(b"\0")
        h.update((root / name).read_bytes())
    return h.hexdigest()


def short_version() -> str:
    """The first 12 characters of `version()`, as `RULES_VERSION` in the stages."""
    return version()[:12]
