"""Syndicated copies: the same wire story run by several outlets counts once.

Texts are compared as sets of word shingles (n-grams of lower-cased words). Two articles are
copies when their Jaccard similarity reaches `timeline_syndication_jaccard`, or when nearly all of the
shorter one's shingles occur in the longer one (`timeline_syndication_containment`, a trimmed or extended
copy) and they share enough shingles to rule out one quoted sentence. Candidate pairs come from a
bottom-k sketch (the k smallest shingle hashes) so that large batches are not compared pair by
pair; a hash found in very many articles is boilerplate and proposes no pairs. Copies are grouped
transitively; the group's first article (earliest `published`, then `article_id`) is the original.

Memory does not grow with the texts: the texts are streamed once to keep each article's sketch and
shingle count, then again for the few articles of candidate pairs, whose full shingle sets are held
(a bounded number of bytes at a time) only while their pairs are compared.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from pipeline.settings import DEFAULTS, Settings

_WORD = re.compile(r"\w+")
# A shingle's hash: each word's stable 64-bit hash (blake2b), combined over the n words as a
# polynomial mod 2**64 and mixed by the murmur3 finaliser so the smallest hashes are a fair sample.
_P = np.uint64(0x100000001B3)
_M1, _M2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB93FE53E7883)
_S33 = np.uint64(33)
_CACHE_WORDS = 1 << 18  # word hashes kept between texts (the cache is emptied when full)
SET_BYTES = 128 << 20  # full shingle sets kept at once to compare candidate pairs (more are streamed again)

# Texts arrive as batches of (article ids, texts); the callable restricts them to the ids it is given.
TextSource = Callable[[set[str] | None], Iterable[tuple[list[str], list[str | None]]]]


@dataclass(frozen=True, slots=True)
class Copy:
    article_id: str
    original: str  # article id of the group's original (itself for the original)
    similarity: float | None  # Jaccard with the original (None for the original itself)


class _Words:
    """Stable 64-bit word hashes, cached because news reuses its vocabulary."""

    def __init__(self) -> None:
        self.cache: dict[str, int] = {}

    def extend(self, out: list[int], words: list[str]) -> None:
        """Append the hashes of `words` to `out`."""
        c = self.cache
        if len(c) > _CACHE_WORDS:
            c.clear()
        for w in set(words).difference(c):
            c[w] = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
        out.extend(map(c.__getitem__, words))


class _Store:
    """Shingle sets of some articles (by rank) in one buffer, so that they are freed at once."""

    def __init__(self, n: int, capacity: int) -> None:
        self.buffer = np.empty(max(capacity, 0), dtype=np.uint64)  # pages are only taken as they are written
        self.used = 0
        self.start = np.full(n, -1, dtype=np.int64)
        self.size = np.zeros(n, dtype=np.int64)

    def put(self, ranks: np.ndarray, h: np.ndarray, first: np.ndarray, counts: np.ndarray) -> bool:
        """Keep the sets of `ranks` (h sliced at `first`, `counts` long); False (nothing kept) when full."""
        if self.used + len(h) > len(self.buffer):
            return False
        self.buffer[self.used : self.used + len(h)] = h
        self.start[ranks] = self.used + first
        self.size[ranks] = counts
        self.used += len(h)
        return True

    def get(self, rank: int) -> np.ndarray | None:
        st = int(self.start[rank])
        return self.buffer[st : st + int(self.size[rank])] if st >= 0 else None


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> _S33)
    x = x * _M1
    x = x ^ (x >> _S33)
    x = x * _M2
    return x ^ (x >> _S33)


def _shingle_sets(texts: list[str | None], n: int, words: _Words) -> tuple[np.ndarray, np.ndarray]:
    """Distinct shingle hashes of each text, sorted: (hashes, owner index), ordered by owner then hash."""
    flat: list[int] = []
    bounds = [0]
    for text in texts:
        if text:
            words.extend(flat, _WORD.findall(text.casefold()))
        bounds.append(len(flat))
    w = np.array(flat, dtype=np.uint64)
    ends = np.array(bounds[1:], dtype=np.int64)
    lengths = np.diff(np.array(bounds, dtype=np.int64))
    with np.errstate(over="ignore"):
        m = max(len(w) - n + 1, 0)
        acc = w[:m].copy()
        for j in range(1, n):
            acc = acc * _P + w[j : j + m]
        owner_of_word = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        start = np.arange(m)
        valid = start + n <= ends[owner_of_word[:m]] if m else np.zeros(0, dtype=bool)
        hashes, owners = [acc[valid]], [owner_of_word[:m][valid]]
        for t in np.flatnonzero((lengths > 0) & (lengths < n)).tolist():  # a text shorter than n words is one shingle
            hs = np.zeros(1, dtype=np.uint64)
            for x in w[bounds[t] : bounds[t + 1]]:
                hs = hs * _P + x
            hashes.append(hs)
            owners.append(np.array([t], dtype=np.int64))
        h, o = _mix(np.concatenate(hashes)), np.concatenate(owners)
    order = np.lexsort((h, o))
    h, o = h[order], o[order]
    keep = np.ones(len(h), dtype=bool)
    keep[1:] = (h[1:] != h[:-1]) | (o[1:] != o[:-1])
    return h[keep], o[keep]


def shingles(text: str, n: int) -> frozenset[int]:
    """Hashes of the text's word n-grams (a text shorter than n words is one shingle)."""
    h, _ = _shingle_sets([text], n, _Words())
    return frozenset(h.tolist())


def _verdict(shared: int, na: int, nb: int, s: Settings) -> float | None:
    if not na or not nb:
        return None
    jaccard = shared / (na + nb - shared)
    if jaccard >= s.timeline_syndication_jaccard:
        return jaccard
    if shared >= s.timeline_syndication_min_shared and shared / min(na, nb) >= s.timeline_syndication_containment:
        return jaccard
    return None


def similar(a: frozenset[int], b: frozenset[int], s: Settings = DEFAULTS) -> float | None:
    """Jaccard similarity when the two shingle sets are copies of one story, else None."""
    return _verdict(len(a & b), len(a), len(b), s)


def copies(articles: list[tuple[str, str | None, str]], s: Settings = DEFAULTS) -> dict[str, Copy]:
    """Syndication groups of (article_id, published, text) rows: article id -> Copy."""
    texts = {a[0]: a[2] for a in articles}

    def source(wanted: set[str] | None) -> Iterator[tuple[list[str], list[str | None]]]:
        ids = [a for a in texts if wanted is None or a in wanted]
        for i in range(0, len(ids), 512):
            yield ids[i : i + 512], [texts[a] for a in ids[i : i + 512]]

    return copies_streamed([(a[0], a[1]) for a in articles], source, s)


def copies_streamed(
    articles: list[tuple[str, str | None]], texts: TextSource, s: Settings = DEFAULTS, set_bytes: int = SET_BYTES
) -> dict[str, Copy]:
    """Syndication groups of (article_id, published) rows whose texts are streamed by `texts`: article id -> Copy."""
    order = sorted(articles, key=lambda a: (a[1] is None, a[1] or "", a[0]))
    ids = [a[0] for a in order]
    rank = {a: i for i, a in enumerate(ids)}
    size = np.zeros(len(ids), dtype=np.int64)  # distinct shingles per article
    position = np.full(len(ids), -1, dtype=np.int64)  # where the article comes in the text stream
    words = _Words()
    kept = _Store(len(ids), set_bytes // 8)  # the sets of the first articles, while they fit
    sketch_h, sketch_r = [], []
    seen = 0
    for batch_ids, batch_texts in texts(None):
        ranks = np.array([rank.get(a, -1) for a in batch_ids], dtype=np.int64)
        h, o = _shingle_sets(batch_texts, s.timeline_shingle_words, words)
        counts = np.bincount(o, minlength=len(batch_ids))
        first = np.concatenate(([0], np.cumsum(counts)[:-1]))
        in_sketch = (np.arange(len(o)) - first[o] < s.timeline_sketch_size) & (ranks[o] >= 0)
        sketch_h.append(h[in_sketch])
        sketch_r.append(ranks[o[in_sketch]])
        known = ranks >= 0
        size[ranks[known]] = counts[known]
        position[ranks[known]] = seen + np.flatnonzero(known)
        seen += len(batch_ids)
        if known.all():
            kept.put(ranks, h, first, counts)

    pairs = _candidate_pairs(np.concatenate(sketch_h or [np.zeros(0, np.uint64)]),
                             np.concatenate(sketch_r or [np.zeros(0, np.int64)]),
                             s.timeline_sketch_bucket_cap)  # fmt: skip
    shared = _shared(pairs, ids, size, position, texts, s.timeline_shingle_words, words, set_bytes, kept)

    parent = list(range(len(ids)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in sorted(pairs):
        if _verdict(shared[a, b], int(size[a]), int(size[b]), s) is not None:
            ra, rb = root(a), root(b)
            if ra != rb:  # the earlier article stays the group's original (ranks are publication order)
                parent[max(ra, rb)] = min(ra, rb)
    roots = [root(i) for i in range(len(ids))]
    to_original = {(r, i) for i, r in enumerate(roots) if r != i}
    missing = to_original - shared.keys()
    shared.update(_shared(missing, ids, size, position, texts, s.timeline_shingle_words, words, set_bytes, kept))
    out = {}
    for i, r in enumerate(roots):
        sim = None
        if r != i:
            n = shared[r, i]
            sim = round(n / (int(size[i]) + int(size[r]) - n), 3)
        out[ids[i]] = Copy(ids[i], ids[r], sim)
    return out


def _candidate_pairs(h: np.ndarray, r: np.ndarray, cap: int) -> set[tuple[int, int]]:
    """Pairs of article ranks (lower first) that share a sketch hash held by at most `cap` articles."""
    order = np.lexsort((r, h))
    h, r = h[order], r[order]
    starts = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1]))) if len(h) else np.zeros(0, np.int64)
    lengths = np.diff(np.append(starts, len(h)))
    pairs: set[tuple[int, int]] = set()
    small = (lengths > 1) & (lengths <= cap)
    for st, ln in zip(starts[small].tolist(), lengths[small].tolist()):
        pairs.update(combinations(r[st : st + ln].tolist(), 2))
    return pairs


def _shared(
    pairs: Iterable[tuple[int, int]],
    ids: list[str],
    size: np.ndarray,
    position: np.ndarray,
    texts: TextSource,
    n: int,
    words: _Words,
    set_bytes: int,
    kept: _Store,
) -> dict[tuple[int, int], int]:
    """Shingles shared by each pair of article ranks (lower first).

    Pairs of two kept articles are compared at once. The others are compared when their later
    article (in stream order) passes, against the earlier one's set, kept or held since it passed;
    the earlier articles to hold are taken in blocks of at most about `set_bytes`, one stream per block."""
    out: dict[tuple[int, int], int] = {}
    partners: dict[int, list[int]] = defaultdict(list)  # earlier article in the stream -> later ones
    for a, b in pairs:
        sa, sb = kept.get(a), kept.get(b)
        if sa is not None and sb is not None:
            out[a, b] = int(np.intersect1d(sa, sb, assume_unique=True).size)
            continue
        early, late = (a, b) if position[a] < position[b] else (b, a)
        partners[early].append(late)
    blocks, block, used = [], [], 0
    for early in sorted(partners, key=lambda e: position[e]):
        cost = 0 if kept.get(early) is not None else int(size[early])
        if block and used + cost > set_bytes // 8:
            blocks.append((block, used))
            block, used = [], 0
        block.append(early)
        used += cost
    if block:
        blocks.append((block, used))
    rank = {a: i for i, a in enumerate(ids)}
    for block, used in blocks:
        waiting: dict[int, list[int]] = defaultdict(list)  # later article -> earlier ones it is compared with
        for early in block:
            for late in partners[early]:
                waiting[late].append(early)
        held = _Store(len(ids), used)
        holders = {e for e in block if kept.get(e) is None}
        wanted = {ids[i] for i in holders | waiting.keys()}
        for batch_ids, batch_texts in texts(wanted):
            keep = [(rank[a], t) for a, t in zip(batch_ids, batch_texts) if a in wanted]
            h, o = _shingle_sets([t for _, t in keep], n, words)
            cuts = np.searchsorted(o, np.arange(1, len(keep)))
            for (i, _), hs in zip(keep, np.split(h, cuts)):
                for early in waiting.get(i, ()):
                    other = kept.get(early)
                    other = held.get(early) if other is None else other
                    if other is not None:
                        out[min(i, early), max(i, early)] = int(np.intersect1d(hs, other, assume_unique=True).size)
                if i in holders:
                    held.put(np.array([i]), hs, np.zeros(1, dtype=np.int64), np.array([len(hs)]))
    return out
