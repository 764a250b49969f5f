"""One flat, validated settings table. Every key is documented here and in docs/settings.md.

Defaults live in `DEFAULTS`; a TOML file (``--settings FILE`` or ``PIPELINE_SETTINGS``)
may override any key. Unknown keys, wrong types (lists element by element), unknown encodings and values out of
their range (`RANGES`: sizes are capped too) are errors, not warnings: `SettingsError`, which the CLI reports
as a usage error (exit 2) before any work.
"""

from __future__ import annotations

import codecs
import math
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

# key -> (default, documentation)
DOCS: dict[str, str] = {
    "max_file_bytes": "Largest raw file accepted as one article (bytes); larger files are rejected as `too_large`. JSON Lines batches are limited per line.",
    "max_batch_file_bytes": "Largest JSON Lines batch file accepted (bytes).",
    "fallback_encodings": "Encodings tried, in order, when a file is not valid UTF-8; the article is kept and `extra.decoded_as` records the encoding used.",
    "binary_control_ratio": "Share of control characters (excluding tab, CR, LF) above which a file is treated as binary and rejected.",
    "min_text_chars": "Articles whose body is shorter than this (after stripping) are rejected as `empty`.",
    "published_max_year": "Latest plausible year of a `published` date; a later one (or one before 1800) is rejected as `bad_published`.",
    "follow_symlinks_outside_input": "When false, a symbolic link in the input folder is read only if its target lies inside that folder; others are rejected as `unreadable`. Only regular files are ever read.",
    "validation_fail_on_table_errors": "When true, a table-level expectation failure makes the run exit with status 3.",
    "progress": "Show a progress bar on long runs (auto: only when stderr is a terminal).",
    "timeline_shingle_words": "Words per shingle when comparing article texts for syndication (word n-grams).",
    "timeline_syndication_jaccard": "Articles whose shingle sets have at least this Jaccard similarity are copies of one story.",
    "timeline_syndication_containment": "Also copies when this share of the shorter article's shingles occurs in the longer one "
    "(a trimmed or extended wire copy) ...",
    "timeline_syndication_min_shared": "... and they share at least this many shingles (a quoted sentence is not a copy).",
    "timeline_sketch_size": "Smallest shingle hashes kept per article to find candidate copies without comparing every pair.",
    "timeline_sketch_bucket_cap": "A sketch hash shared by more articles than this is boilerplate (a sign-off), not a copy.",
    "timeline_max_merge_days": "Events whose date interval is longer than this (decades, centuries) are never merged.",
    "timeline_place_same_km": "Two places of one country closer than this are one place under two names.",
    "timeline_place_from_article": "An event with no place joins the one row holding an event of its own article that it fits.",
    "article_time_budget_s": "Seconds one article may spend in the temporal and extract stages together; an article that takes longer "
    "is a `too_slow` reject (kept without those stages' rows) and the batch goes on. 0 turns the budget off.",
    "fields_text": "Other names of the article text in records (JSON, JSON Lines, CSV rows), tried in order when `text` is absent or blank (docs/inputs.md, \"The field map\").",
    "fields_published": "Other names of `published`, tried in order when it is absent or empty; the name used also stays in `extra`.",
    "fields_source": "Other names of `source` (the outlet), tried in order when it is absent or empty.",
    "fields_title": "Other names of `title`, tried in order when it is absent or empty.",
    "fields_url": "Other names of `url`, tried in order when it is absent or empty.",
    "published_day_first": "Numeric publication dates (`05/06/2020`) are day/month/year when true, month/day/year when false: one order for every record, never guessed from the numbers.",
    "keep_unsupported_languages": "When true, an article in a language the rules do not cover is kept (its `language` column names it) instead of rejected as `unsupported_language`.",
    "max_json_file_bytes": "Largest `.json` file (one article, or an array of articles) accepted (bytes); such a file is read whole.",
    "max_page_bytes": "Largest HTML page or trafilatura XML file accepted (bytes).",
}


@dataclass(frozen=True)
class Settings:
    max_file_bytes: int = 2_000_000
    max_batch_file_bytes: int = 2_000_000_000
    fallback_encodings: tuple[str, ...] = ("utf-16", "cp1252", "latin-1")
    binary_control_ratio: float = 0.05
    min_text_chars: int = 1
    published_max_year: int = 2100
    follow_symlinks_outside_input: bool = False
    validation_fail_on_table_errors: bool = True
    progress: str = "auto"  # auto | always | never
    timeline_shingle_words: int = 5
    timeline_syndication_jaccard: float = 0.7
    timeline_syndication_containment: float = 0.9
    timeline_syndication_min_shared: int = 20
    timeline_sketch_size: int = 16
    timeline_sketch_bucket_cap: int = 50
    timeline_max_merge_days: int = 366
    timeline_place_same_km: float = 2.0
    timeline_place_from_article: bool = True
    article_time_budget_s: float = 10.0
    fields_text: tuple[str, ...] = ("maintext", "body", "content", "article")
    fields_published: tuple[str, ...] = (
        "reference_date", "published_at", "publication_date", "pub_date", "date_publish", "publish_date", "pubdate",
        "datePublished", "date", "dct",
    )  # fmt: skip
    fields_source: tuple[str, ...] = ("source_domain", "hostname", "sitename", "outlet", "publisher")
    fields_title: tuple[str, ...] = ("headline",)
    fields_url: tuple[str, ...] = ("link", "source_url")
    published_day_first: bool = True
    keep_unsupported_languages: bool = False
    max_json_file_bytes: int = 200_000_000
    max_page_bytes: int = 20_000_000

    def __post_init__(self) -> None:
        check_settings(self)


class SettingsError(ValueError):
    """A settings key with a wrong type or a value out of range; a usage error (the CLI exits 2)."""


# key -> (lowest, highest) accepted, inclusive; every number has one, so no size can overflow a read
RANGES: dict[str, tuple[float, float]] = {
    "max_file_bytes": (1, 1 << 30),  # one article: 1 GiB at most
    "max_batch_file_bytes": (1, 1 << 40),
    "binary_control_ratio": (0.0, 1.0),  # exclusive at both ends (checked below)
    "min_text_chars": (0, 1 << 30),
    "published_max_year": (1800, 9999),
    "article_time_budget_s": (0.0, 86_400.0),  # 0: no budget
    "max_json_file_bytes": (1, 1 << 40),
    "max_page_bytes": (1, 1 << 34),
    "timeline_shingle_words": (1, 100),
    "timeline_syndication_jaccard": (0.0, 1.0),
    "timeline_syndication_containment": (0.0, 1.0),
    "timeline_syndication_min_shared": (1, 1_000_000_000),
    "timeline_sketch_size": (1, 4096),
    "timeline_sketch_bucket_cap": (2, 1_000_000_000),
    "timeline_max_merge_days": (1, 366_000),
    "timeline_place_same_km": (0.0, 20_040.0),  # half the Earth's circumference
}
CHOICES: dict[str, tuple[str, ...]] = {"progress": ("auto", "always", "never")}


def _num(key: str, value: float) -> str:
    return str(value) if key.endswith("_year") else f"{value:,}"


def _type_problem(key: str, value: object, default: object) -> str | None:
    """What is wrong with the type of `value` for a key whose default is `default` (None: nothing)."""
    if isinstance(default, bool):
        ok, want = isinstance(value, bool), "true or false"
    elif isinstance(default, int):
        ok, want = isinstance(value, int) and not isinstance(value, bool), "int (a whole number)"
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        want = "float (a finite number)"
    elif isinstance(default, tuple):
        if not isinstance(value, tuple):  # a TOML array arrives as a tuple (see load_settings)
            return f"{key} must be a list of strings, got {value!r}"
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                return f"{key}[{i}] must be a non-empty string, got {item!r}"
        return None
    else:
        ok, want = isinstance(value, type(default)), type(default).__name__
    return None if ok else f"{key} must be {want}, got {value!r}"


def _encoding_problem(name: str) -> str | None:
    try:
        codecs.lookup(name)
        b"a".decode(name)  # a codec such as rot13 or hex exists but does not turn bytes into text
    except UnicodeDecodeError:
        pass  # a text encoding (UTF-16 cannot decode one byte)
    except LookupError as exc:
        return f"fallback_encodings: {name!r} is not a text encoding Python knows ({exc})"
    return None


def check_settings(s: Settings) -> None:
    """Every key's type and range; raises SettingsError listing every problem found."""
    problems = []
    for f in fields(s):
        value = getattr(s, f.name)
        problem = _type_problem(f.name, value, f.default)
        if problem is None and f.name in RANGES:
            low, high = RANGES[f.name]
            if not low <= value <= high:
                problem = f"{f.name} must be between {_num(f.name, low)} and {_num(f.name, high)}, got {value!r}"
        if problem is None and f.name in CHOICES and value not in CHOICES[f.name]:
            problem = f"{f.name} must be one of {', '.join(CHOICES[f.name])}, got {value!r}"
        if problem:
            problems.append(problem)
    if not problems:
        if not 0 < s.binary_control_ratio < 1:
            problems.append("binary_control_ratio must be between 0 and 1 (both excluded)")
        if not (0 < s.timeline_syndication_jaccard <= 1 and 0 < s.timeline_syndication_containment <= 1):
            problems.append("timeline syndication thresholds must be in (0, 1]")
        problems += filter(None, map(_encoding_problem, s.fallback_encodings))
    if problems:
        raise SettingsError("; ".join(problems))


DEFAULTS = Settings()


def load_settings(path: str | Path | None = None) -> Settings:
    """Defaults, overridden by a TOML file when one is given (or named in PIPELINE_SETTINGS)."""
    path = path or os.environ.get("PIPELINE_SETTINGS")
    if not path:
        return Settings()
    with open(path, "rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path} is not valid TOML: {exc}") from None
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise SettingsError(f"unknown settings key(s) in {path}: {', '.join(unknown)}")
    coerced = {}
    for key, value in data.items():
        default = known[key].default
        if isinstance(default, tuple) and isinstance(value, list):
            value = tuple(value)  # TOML arrays are lists; their elements are checked one by one
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        coerced[key] = value
    try:
        return replace(Settings(), **coerced)
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from None


def _accepted(key: str, default: object) -> str:
    """The accepted values of a key, for the docs table."""
    if key == "binary_control_ratio":
        return "0 < x < 1"
    if key in RANGES:
        low, high = RANGES[key]
        return f"{_num(key, low)} to {_num(key, high)}"
    if key in CHOICES:
        return ", ".join(f"`{c}`" for c in CHOICES[key])
    if isinstance(default, bool):
        return "true, false"
    if isinstance(default, tuple):
        return "list of encoding names" if key == "fallback_encodings" else "list of strings"
    return type(default).__name__


def render_docs() -> str:
    """docs/settings.md, generated from `Settings` and `DOCS` (`python -m pipeline.settings` rewrites it)."""
    lines = [
        "# Settings",
        "",
        "One flat table, validated when loaded (`pipeline/settings.py`). Override any key in a TOML file passed",
        "with `--settings FILE` or named in the `PIPELINE_SETTINGS` environment variable. Unknown keys, wrong types",
        "(lists element by element), encodings Python does not know and values outside their range are errors:",
        "the command exits with status 2 and a message before any work. This page is generated:",
        "`python -m pipeline.settings`.",
        "",
        "| key | default | accepted | meaning |",
        "|---|---|---|---|",
    ]
    defaults = Settings()
    lines += [
        f"| `{f.name}` | `{getattr(defaults, f.name)!r}` | {_accepted(f.name, f.default)} | {DOCS[f.name]} |"
        for f in fields(Settings)
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from pipeline.paths import ROOT

    (ROOT / "docs" / "settings.md").write_text(render_docs(), encoding="utf-8")
