"""Syndicated copies: the same wire story run by several outlets counts once.

Texts are compared as sets of word shingles (n-grams of lower-cased words). Two articles are
copies when their Jaccard similarity reaches `syndication_jaccard`, or when nearly all of the
shorter one's shingles occur in the longer one (`syndication_containment`, a trimmed or extended
copy) and they share enough shingles to rule out one quoted sentence. Candidate pairs come from a
bottom-k sketch (the k smallest shingle hashes) so that large batches are not compared pair by
pair; a hash found in very many articles is boilerplate and proposes no pairs. Copies are grouped
transitively; the group's first article (earliest `published`, then `article_id`) is the original.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from pipeline.timeline.config import DEFAULT, TimelineSettings

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Copy:
    article_id: str
    original: str  # article id of the group's original (itself for the original)
    similarity: float | None  # Jaccard with the original (None for the original itself)


def shingles(text: str, n: int) -> frozenset[int]:
    """Hashes of the text's word n-grams (a text shorter than n words is one shingle)."""
    words = _WORD.findall(text.casefold())
    grams = [" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))] if words else []
    return frozenset(int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams)


def similar(a: frozenset[int], b: frozenset[int], s: TimelineSettings = DEFAULT) -> float | None:
    """Jaccard similarity when the two shingle sets are copies of one story, else None."""
    if not a or not b:
        return None
    shared = len(a & b)
    jaccard = shared / len(a | b)
    if jaccard >= s.syndication_jaccard:
        return jaccard
    if shared >= s.syndication_min_shared and shared / min(len(a), len(b)) >= s.syndication_containment:
        return jaccard
    return None


def copies(articles: list[tuple[str, str | None, str]], s: TimelineSettings = DEFAULT) -> dict[str, Copy]:
    """Syndication groups of (article_id, published, text) rows: article id -> Copy."""
    order = sorted(articles, key=lambda a: (a[1] is None, a[1] or "", a[0]))
    rank = {a[0]: i for i, a in enumerate(order)}
    sets = {a[0]: shingles(a[2] or "", s.shingle_words) for a in order}
    buckets: dict[int, list[str]] = defaultdict(list)
    for aid, sh in sets.items():
        for h in sorted(sh)[: s.sketch_size]:
            buckets[h].append(aid)
    pairs = set()
    for members in buckets.values():
        if 1 < len(members) <= s.sketch_bucket_cap:
            pairs.update(combinations(sorted(members, key=rank.__getitem__), 2))

    parent = {aid: aid for aid in sets}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in sorted(pairs, key=lambda p: (rank[p[0]], rank[p[1]])):
        if similar(sets[a], sets[b], s) is not None:
            ra, rb = root(a), root(b)
            if ra != rb:  # the earlier article stays the group's original
                first, second = (ra, rb) if rank[ra] < rank[rb] else (rb, ra)
                parent[second] = first
    out = {}
    for aid in sets:
        original = root(aid)
        sim = None if original == aid else round(len(sets[aid] & sets[original]) / len(sets[aid] | sets[original]), 3)
        out[aid] = Copy(aid, original, sim)
    return out
