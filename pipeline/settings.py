"""One flat, validated settings table. Every key is documented here and in docs/settings.md.

Defaults live in `DEFAULTS`; a TOML file (``--settings FILE`` or ``PIPELINE_SETTINGS``)
may override any key. Unknown keys and wrong types are errors, not warnings.
"""

from __future__ import annotations

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
    "validation_fail_on_table_errors": "When true, a table-level expectation failure makes the run exit with status 3.",
    "progress": "Show a progress bar on long runs (auto: only when stderr is a terminal).",
    "timeline_max_articles": "The merged timeline is built in memory (about 35 MB per 1,000 articles); above this many articles it is skipped (empty tables, a warning and a note in the manifest) so a run stays under 1.5 GB.",
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
    validation_fail_on_table_errors: bool = True
    progress: str = "auto"  # auto | always | never
    timeline_max_articles: int = 30_000
    timeline_shingle_words: int = 5
    timeline_syndication_jaccard: float = 0.7
    timeline_syndication_containment: float = 0.9
    timeline_syndication_min_shared: int = 20
    timeline_sketch_size: int = 16
    timeline_sketch_bucket_cap: int = 50
    timeline_max_merge_days: int = 366
    timeline_place_same_km: float = 2.0
    timeline_place_from_article: bool = True
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


def check_settings(s: Settings) -> None:
    if s.max_file_bytes <= 0 or s.max_batch_file_bytes <= 0:
        raise ValueError("max_file_bytes and max_batch_file_bytes must be positive")
    if not 0 < s.binary_control_ratio < 1:
        raise ValueError("binary_control_ratio must be between 0 and 1")
    if s.progress not in {"auto", "always", "never"}:
        raise ValueError("progress must be one of auto, always, never")
    if s.min_text_chars < 0:
        raise ValueError("min_text_chars must be >= 0")
    if s.timeline_shingle_words < 1 or s.timeline_sketch_size < 1 or s.timeline_sketch_bucket_cap < 2:
        raise ValueError(
            "timeline_shingle_words and timeline_sketch_size must be >= 1, timeline_sketch_bucket_cap >= 2"
        )
    if not (0 < s.timeline_syndication_jaccard <= 1 and 0 < s.timeline_syndication_containment <= 1):
        raise ValueError("timeline syndication thresholds must be in (0, 1]")
    if s.timeline_syndication_min_shared < 1 or s.timeline_max_merge_days < 1 or s.timeline_place_same_km < 0:
        raise ValueError(
            "timeline_syndication_min_shared and timeline_max_merge_days must be >= 1, timeline_place_same_km >= 0"
        )
    check_input_settings(s)


def check_input_settings(s: Settings) -> None:
    """The keys of the field map and the input formats (issue 11)."""
    for key in ("fields_text", "fields_published", "fields_source", "fields_title", "fields_url"):
        names = getattr(s, key)
        if not isinstance(names, tuple) or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"{key} must be a list of non-empty field names, got {names!r}")
    if s.max_json_file_bytes <= 0 or s.max_page_bytes <= 0:
        raise ValueError("max_json_file_bytes and max_page_bytes must be positive")


DEFAULTS = Settings()


def load_settings(path: str | Path | None = None) -> Settings:
    """Defaults, overridden by a TOML file when one is given (or named in PIPELINE_SETTINGS)."""
    path = path or os.environ.get("PIPELINE_SETTINGS")
    if not path:
        return Settings()
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"unknown settings key(s) in {path}: {', '.join(unknown)}")
    base = Settings()
    coerced = {}
    for key, value in data.items():
        default = getattr(base, key)
        if isinstance(default, tuple):
            value = tuple(value)
        elif isinstance(default, bool) != isinstance(value, bool) or not isinstance(value, type(default)) and not (
            isinstance(default, float) and isinstance(value, int)
        ):
            raise ValueError(f"settings key {key!r} must be {type(default).__name__}, got {value!r}")
        coerced[key] = value
    return replace(base, **coerced)


def render_docs() -> str:
    """docs/settings.md, generated from `Settings` and `DOCS` (`python -m pipeline.settings` rewrites it)."""
    lines = [
        "# Settings",
        "",
        "One flat table, validated when loaded (`pipeline/settings.py`). Override any key in a TOML file passed",
        "with `--settings FILE` or named in the `PIPELINE_SETTINGS` environment variable; unknown keys and wrong",
        "types are errors. This page is generated: `python -m pipeline.settings`.",
        "",
        "| key | default | meaning |",
        "|---|---|---|",
    ]
    defaults = Settings()
    lines += [f"| `{f.name}` | `{getattr(defaults, f.name)!r}` | {DOCS[f.name]} |" for f in fields(Settings)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from pipeline.paths import ROOT

    (ROOT / "docs" / "settings.md").write_text(render_docs(), encoding="utf-8")
