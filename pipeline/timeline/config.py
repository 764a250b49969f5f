"""Settings of the timeline stage: one frozen, validated table, each key documented.

The pipeline-wide `Settings` belongs to the runner; these keys only matter to
`build_timeline`, which takes them as an optional argument so tests can vary them.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS: dict[str, str] = {
    "shingle_words": "Words per shingle when comparing article texts for syndication (word n-grams).",
    "syndication_jaccard": "Articles whose shingle sets have at least this Jaccard similarity are copies of one story.",
    "syndication_containment": "Also copies when this share of the shorter article's shingles occurs in the longer one "
    "(a trimmed or extended wire copy) ...",
    "syndication_min_shared": "... and they share at least this many shingles (a quoted sentence is not a copy).",
    "sketch_size": "Smallest shingle hashes kept per article to find candidate copies without comparing every pair.",
    "sketch_bucket_cap": "A sketch hash shared by more articles than this is boilerplate (a sign-off), not a copy.",
    "max_merge_days": "Events whose date interval is longer than this (decades, centuries) are never merged.",
    "place_from_article": "An event with no place joins the one row holding an event of its own article that it fits.",
    "place_same_km": "Two places of one country closer than this are one place under two names.",
}


@dataclass(frozen=True)
class TimelineSettings:
    shingle_words: int = 5
    syndication_jaccard: float = 0.7
    syndication_containment: float = 0.9
    syndication_min_shared: int = 20
    sketch_size: int = 16
    sketch_bucket_cap: int = 50
    max_merge_days: int = 366
    place_same_km: float = 2.0
    place_from_article: bool = True

    def __post_init__(self) -> None:
        if self.shingle_words < 1 or self.sketch_size < 1 or self.sketch_bucket_cap < 2:
            raise ValueError("shingle_words and sketch_size must be >= 1, sketch_bucket_cap >= 2")
        if not (0 < self.syndication_jaccard <= 1 and 0 < self.syndication_containment <= 1):
            raise ValueError("syndication thresholds must be in (0, 1]")
        if self.syndication_min_shared < 1 or self.max_merge_days < 1 or self.place_same_km < 0:
            raise ValueError("syndication_min_shared and max_merge_days must be >= 1, place_same_km >= 0")


DEFAULT = TimelineSettings()
