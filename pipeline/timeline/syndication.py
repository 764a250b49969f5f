"""Syndicated copies: the same wire story run by several outlets counts once.

Texts are compared as sets of word shingles (n-grams of lower-cased words). Two articles are
copies when their Jaccard similarity reaches `timeline_syndication_jaccard`, or when nearly all of the
shorter one's shingles occur in the longer one (`timeline_syndication_containment`, a trimmed or extended
copy) and they share enough shingles to rule out one quoted sentence. Candidate pairs come from a
bottom-k sketch (the k smallest shingle hashes) so that large batches are not compared pair by
pair; a hash found in very many articles is boilerplate and proposes no pairs. Copies are grouped
transitively; the group's first article (earliest `published`, then `article_id`) is the original.

Memory does not grow with the texts: the texts are streamed once; each article's sketch is kept in
memory (16 hashes), and its full shingle set goes to a file (`spill_dir`, removed at the end), from
which the sets of the candidate pairs are read back when they are compared. The
texts are read once whatever the number of candidate pairs. A run of the pipeline does not even read
them: each worker caches its articles' sets beside their rows (`shingle_table`), and the merge reads those
(`copies_of(..., sets_made=...)`), so a nightly run shingles only the new articles. And with a `PairMemory`
(a file in the run's work folder) the shingles two articles share are counted once: a nightly run compares only
the candidate pairs that involve a new article.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline import atomic
from pipeline.settings import DEFAULTS, Settings

_WORD = re.compile(r"\w+")
# A shingle's hash: each word's stable 64-bit hash (blake2b), combined over the n words as a
# polynomial mod 2**64 and mixed by the murmur3 finaliser so the smallest hashes are a fair sample.
_P = np.uint64(0x100000001B3)
_M1, _M2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB93FE53E7883)
_S33 = np.uint64(33)
_CACHE_WORDS = 1 << 18  # word hashes kept between texts (the cache is emptied when full)

# Texts arrive as batches of (article ids, texts) (`texts(None)`: all of them; the callable may be asked for a set of ids).
TextSource = Callable[[set[str] | None], Iterable[tuple[list[str], list[str | None]]]]
# Or shingle sets made beforehand (`shingle_table`, by the workers): batches of (article ids, hashes, owner index),
# as `_shingle_sets` returns them; each article once.
SetSource = Callable[[], Iterable[tuple[list[str], np.ndarray, np.ndarray]]]


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


_EMPTY = np.zeros(0, dtype=np.uint64)


class _Sets:
    """Every article's shingle set, in a file, by rank: written while the texts stream, then read back a set
    at a time (not memory-mapped: the pages read would count as the process's memory)."""

    def __init__(self, n: int, folder: str) -> None:
        self.path = Path(folder) / "shingles.u64"
        self.file = open(self.path, "wb")
        self.used = 0
        self.start = np.zeros(n, dtype=np.int64)
        self.size = np.zeros(n, dtype=np.int64)  # distinct shingles per article
        self.fd = -1

    def put(self, ranks: np.ndarray, h: np.ndarray, first: np.ndarray, counts: np.ndarray) -> None:
        """Keep the sets of `ranks` (h sliced at `first`, `counts` long; rank -1: not an article of ours)."""
        known = ranks >= 0
        self.file.write(np.ascontiguousarray(h, dtype=np.uint64).tobytes())
        self.start[ranks[known]] = self.used + first[known]
        self.size[ranks[known]] = counts[known]
        self.used += len(h)

    def close(self) -> None:
        self.file.close()
        self.fd = os.open(self.path, os.O_RDONLY)

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def get(self, rank: int) -> np.ndarray:
        n = int(self.size[rank])
        return np.frombuffer(os.pread(self.fd, 8 * n, 8 * int(self.start[rank])), dtype=np.uint64) if n else _EMPTY


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
    h, o = _by_owner_then_hash(h, o)
    keep = np.ones(len(h), dtype=bool)
    keep[1:] = (h[1:] != h[:-1]) | (o[1:] != o[:-1])
    return h[keep], o[keep]


def _by_owner_then_hash(h: np.ndarray, o: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(h, o) ordered by owner, then hash. The owners nearly always come in order already (only a text
    shorter than n words is appended out of place): then each text's run is sorted in place, many times
    faster than a lexsort of the whole batch (equal pairs are equal values, so both give the same arrays)."""
    if len(o) > 1 and not (o[1:] >= o[:-1]).all():
        order = np.lexsort((h, o))
        return h[order], o[order]
    cuts = [0, *(np.flatnonzero(o[1:] != o[:-1]) + 1).tolist(), len(o)]
    for start, end in zip(cuts[:-1], cuts[1:]):
        h[start:end].sort()
    return h, o


_TABLE_WORDS = _Words()  # kept between a worker's calls (a word's hash never depends on the cache)


def shingle_table(article_ids: list[str], texts: list[str | None], n: int) -> pa.Table:
    """Each article's distinct shingle hashes, sorted, as a table (`article_id`, `shingles`: list<uint64>): what a
    worker caches beside its rows, so the timeline reads sets instead of shingling every text on every run."""
    h, o = _shingle_sets(texts, n, _TABLE_WORDS)
    offsets = np.concatenate(([0], np.cumsum(np.bincount(o, minlength=len(texts))))).astype(np.int32)
    return pa.table({
        "article_id": pa.array(article_ids, pa.string()),
        "shingles": pa.ListArray.from_arrays(pa.array(offsets), pa.array(h, pa.uint64())),
    })  # fmt: skip


def table_sets(table: pa.Table | pa.RecordBatch) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A `shingle_table` (or a batch of one) as `_shingle_sets` gives sets: (ids, hashes, owner index)."""
    lists = table.column("shingles")
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    counts = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    h = pc.list_flatten(lists).to_numpy(zero_copy_only=False).astype(np.uint64)
    return table.column("article_id").to_pylist(), h, np.repeat(np.arange(len(counts), dtype=np.int64), counts)


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
    articles: list[tuple[str, str | None]], texts: TextSource, s: Settings = DEFAULTS, only_copies: bool = False
) -> dict[str, Copy]:
    """Syndication groups of (article_id, published) rows whose texts are streamed by `texts`: article id -> Copy
    (with `only_copies`, only the articles that are a copy of another: the others are their own original)."""
    ids = pa.array([a[0] for a in articles], pa.string())
    published = pa.array([a[1] for a in articles], pa.string())
    return copies_of(ids, published, texts, s, only_copies)


class _Ranks:
    """Article id -> rank, from a sorted array of 64-bit hashes of the ids (a dict of millions of ids is large)."""

    def __init__(self, ids: pa.Array) -> None:
        self.ids = ids
        h = _id_hashes(ids.to_pylist())
        self.order = np.argsort(h, kind="stable")
        self.sorted = h[self.order]
        if len(h) > 1 and (self.sorted[1:] == self.sorted[:-1]).any():
            raise ValueError("two article ids with one hash (or an id twice)")

    def get(self, article_ids: list[str]) -> np.ndarray:
        """Ranks of these ids (-1 for an unknown id)."""
        h = _id_hashes(article_ids)
        at = np.minimum(np.searchsorted(self.sorted, h), max(len(self.sorted) - 1, 0))
        if not len(self.sorted):
            return np.full(len(h), -1, dtype=np.int64)
        found = self.sorted[at] == h
        return np.where(found, self.order[at], -1).astype(np.int64)

    def __getitem__(self, i: int) -> str:
        return self.ids[i].as_py()

    def hashes(self) -> np.ndarray:
        """The id hash of each rank."""
        out = np.empty_like(self.sorted)
        out[self.order] = self.sorted
        return out


class PairMemory:
    """The shingles each candidate pair of the last run shared, kept in a file (in the run's work folder), so
    that a nightly run counts only the pairs that involve a new article.

    An article id is a hash of the article's content, so two ids always stand for the same two shingle sets
    and the same count; a pair is filed under its two id hashes (`keys`: a 64-bit key, and a 32-bit check that
    must match too, so a pair is never taken for another). `key` names what the counts depend on (the
    shingle length and the code that makes the sets): a file made under another key is not read. The file
    holds this run's pairs only, so it does not grow with the runs; a missing or damaged file means every
    pair is counted, as in a first run. Hand-written: a pair count cache is particular to this comparison.
    """

    def __init__(self, path: Path, key: str, read: bool = True) -> None:
        self.path, self.key = Path(path), key
        self.sorted_keys = np.zeros(0, np.uint64)
        self.checks = np.zeros(0, np.uint32)
        self.counts = np.zeros(0, np.int32)
        if read:
            self._load()

    def _load(self) -> None:
        try:
            with np.load(self.path, allow_pickle=False) as z:
                if str(z["key"]) != self.key:
                    return
                keys, checks, counts = z["keys"], z["checks"], z["counts"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return
        if len(keys) == len(checks) == len(counts) and (len(keys) < 2 or bool((keys[1:] >= keys[:-1]).all())):
            self.sorted_keys, self.checks, self.counts = keys, checks, counts

    @staticmethod
    def keys(id_hashes: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(key, check) of each pair of ranks, the same whichever way round the pair is written."""
        if not len(pairs):
            return np.zeros(0, np.uint64), np.zeros(0, np.uint32)
        a, b = id_hashes[pairs[:, 0]], id_hashes[pairs[:, 1]]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        with np.errstate(over="ignore"):
            key = _mix(lo * _P + hi)
            check = (_mix(hi * _P + lo) >> np.uint64(32)).astype(np.uint32)
        return key, check

    def recall(self, keys: np.ndarray, checks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(remembered?, count) of each pair. The remembered counts are let go of then (at a million articles,
        a hundred MB): this run's take their place in `keep`."""
        remembered, self.sorted_keys = self.sorted_keys, np.zeros(0, np.uint64)
        their_checks, self.checks = self.checks, np.zeros(0, np.uint32)
        counts, self.counts = self.counts, np.zeros(0, np.int32)
        if not len(remembered) or not len(keys):
            return np.zeros(len(keys), bool), np.zeros(len(keys), np.int32)
        at = np.minimum(np.searchsorted(remembered, keys), len(remembered) - 1)
        found = remembered[at] == keys
        found &= their_checks[at] == checks
        return found, np.where(found, counts[at], 0).astype(np.int32)

    def keep(self, keys: np.ndarray, checks: np.ndarray, counts: np.ndarray) -> None:
        """Remember this run's pairs (and only them), atomically. A file that cannot be written (a full disk) is
        no reason to fail the run: the next run counts those pairs again (the file there, if any, is still true)."""
        order = np.argsort(keys, kind="stable")
        with contextlib.suppress(OSError), atomic.replacing(self.path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, key=np.array(self.key), keys=keys[order], checks=checks[order], counts=counts[order].astype(np.int32))


def _id_hashes(ids: list[str]) -> np.ndarray:
    out = np.empty(len(ids), dtype=np.uint64)
    for k, a in enumerate(ids):
        out[k] = int.from_bytes(hashlib.blake2b(a.encode(), digest_size=8).digest(), "little")
    return out


def copies_of(
    article_ids: pa.Array | pa.ChunkedArray, published: pa.Array | pa.ChunkedArray, texts: TextSource,
    s: Settings = DEFAULTS, only_copies: bool = False, spill_dir: str | Path | None = None,
    sets_made: SetSource | None = None, pairs: PairMemory | None = None,
) -> dict[str, Copy]:  # fmt: skip
    """`copies_streamed` on two Arrow columns (no Python object per article: there may be millions); the
    shingle sets are filed in a temporary folder inside `spill_dir` (default: the system's). With `sets_made`,
    the sets are read from there instead of made from `texts` (the same sets: `shingle_table`). With `pairs`,
    the counts it remembers are used and this run's are remembered in their place."""
    # ranks are publication order: (no date last, published, article id); UTF-8 bytes sort as code points do
    table = pa.table({"id": article_ids, "published": published})
    order = pc.sort_indices(table, [("published", "ascending"), ("id", "ascending")])  # nulls (no date) last
    by_rank = _Ranks(table.column("id").take(order).combine_chunks())
    del table, order
    with tempfile.TemporaryDirectory(prefix="shingles-", dir=spill_dir) as folder:
        sets = _Sets(len(by_rank.ids), folder)
        try:
            made = sets_made() if sets_made is not None else _shingled(texts, s.timeline_shingle_words)
            sketch_h, sketch_r = _stream(made, by_rank, sets, s)
        finally:
            sets.close()
        candidates = _candidate_pairs(sketch_h, sketch_r, s.timeline_sketch_bucket_cap)
        del sketch_h, sketch_r
        try:
            return _groups(candidates, sets, by_rank, s, only_copies, pairs)
        finally:
            sets.release()


def _shingled(texts: TextSource, n: int) -> Iterator[tuple[list[str], np.ndarray, np.ndarray]]:
    """Every text read once, as shingle sets."""
    words = _Words()
    for batch_ids, batch_texts in texts(None):
        yield (batch_ids, *_shingle_sets(batch_texts, n, words))


def _stream(
    made: Iterable[tuple[list[str], np.ndarray, np.ndarray]], by_rank: _Ranks, sets: _Sets, s: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """Every article's shingle set once: file it, keep its sketch; (sketch hashes, their ranks)."""
    # filled in place: at most `timeline_sketch_size` hashes an article (lists joined at the end would briefly
    # hold every sketch twice: hundreds of MB for a million articles)
    cap = len(sets.size) * s.timeline_sketch_size
    sketch_h, sketch_r, used = np.empty(cap, np.uint64), np.empty(cap, np.int32), 0
    for batch_ids, h, o in made:
        ranks = by_rank.get(batch_ids)
        counts = np.bincount(o, minlength=len(batch_ids))
        first = np.concatenate(([0], np.cumsum(counts)[:-1]))
        in_sketch = (np.arange(len(o)) - first[o] < s.timeline_sketch_size) & (ranks[o] >= 0)
        n = int(in_sketch.sum())
        if used + n > cap:  # an article twice in the stream (never, from the merge): grow
            cap = max(2 * cap, used + n)
            sketch_h, sketch_r = np.resize(sketch_h, cap), np.resize(sketch_r, cap)
        sketch_h[used : used + n] = h[in_sketch]
        sketch_r[used : used + n] = ranks[o[in_sketch]]
        used += n
        sets.put(ranks, h, first, counts)
    return sketch_h[:used], sketch_r[:used]


def _groups(
    pairs: np.ndarray, sets: _Sets, by_rank: _Ranks, s: Settings, only_copies: bool, memory: PairMemory | None = None
) -> dict[str, Copy]:
    """Compare the candidate pairs (sorted, distinct rows of ranks), group copies transitively, and say who is a
    copy of whom. Pairs and their counts stay numpy arrays (a million articles give millions of pairs)."""
    size = sets.size
    if memory is None:
        shared = _shared(sets, pairs)
    else:
        keys, checks = memory.keys(by_rank.hashes(), pairs)
        shared = _shared(sets, pairs, memory.recall(keys, checks))
        memory.keep(keys, checks, shared)
        del keys, checks
    copies = np.zeros(len(pairs), dtype=bool)
    for lo in range(0, len(pairs), VERDICT_PAIRS):  # a block at a time: the temporaries of all pairs are GBs
        sh = shared[lo : lo + VERDICT_PAIRS]
        na, nb = size[pairs[lo : lo + VERDICT_PAIRS, 0]], size[pairs[lo : lo + VERDICT_PAIRS, 1]]
        with np.errstate(divide="ignore", invalid="ignore"):  # `_verdict`, for many pairs at once (same float division)
            jaccard = sh / (na + nb - sh)
            contained = sh / np.minimum(na, nb)
        copies[lo : lo + VERDICT_PAIRS] = (na > 0) & (nb > 0) & (
            (jaccard >= s.timeline_syndication_jaccard)
            | ((sh >= s.timeline_syndication_min_shared) & (contained >= s.timeline_syndication_containment))
        )  # fmt: skip
    parent = np.arange(len(size), dtype=np.int64)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for a, b in pairs[copies].tolist():
        ra, rb = root(a), root(b)
        if ra != rb:  # the earlier article stays the group's original (ranks are publication order)
            parent[max(ra, rb)] = min(ra, rb)
    grouped = np.unique(pairs[copies]).tolist()  # only articles of a pair of copies can be copies
    roots = {i: root(i) for i in grouped}
    keys, n = _keys(pairs, len(size)), {}
    for r, i in sorted((r, i) for i, r in roots.items() if r != i):
        at = int(np.searchsorted(keys, r * len(size) + i))
        known = at < len(keys) and keys[at] == r * len(size) + i
        n[r, i] = int(shared[at]) if known else _intersection(sets, r, i)
    out = {}
    for i in range(len(size)) if not only_copies else [i for i, r in roots.items() if r != i]:
        r = roots.get(i, i)
        sim = None
        if r != i:
            sim = round(n[r, i] / (int(size[i]) + int(size[r]) - n[r, i]), 3)
        out[by_rank[i]] = Copy(by_rank[i], by_rank[r], sim)
    return out


def _keys(pairs: np.ndarray, n: int) -> np.ndarray:
    """One sortable number per pair of ranks (both below n)."""
    return pairs[:, 0] * np.int64(n) + pairs[:, 1]


def _intersection(sets: _Sets, a: int, b: int) -> int:
    return int(np.intersect1d(sets.get(a), sets.get(b), assume_unique=True).size)


def _shared(sets: _Sets, pairs: np.ndarray, known: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Shingles shared by each pair (sorted, so that the pairs of one article come together): that article's
    set is read once and each partner's set is looked up in it, all partners in one `searchsorted`. `known`:
    (which pairs are already counted, their counts)."""
    if known is not None:
        found, counts = known
        out = counts.astype(np.int64)
        todo = np.flatnonzero(~found)
        if len(todo):
            out[todo] = _shared(sets, pairs[todo])
        return out
    out = np.zeros(len(pairs), dtype=np.int64)
    if not len(pairs):
        return out
    cuts = [0, *(np.flatnonzero(pairs[1:, 0] != pairs[:-1, 0]) + 1).tolist(), len(pairs)]
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        mine = sets.get(int(pairs[lo, 0]))
        theirs = [sets.get(b) for b in pairs[lo:hi, 1].tolist()]
        ends = np.cumsum([len(t) for t in theirs])
        if not len(mine) or not ends[-1]:
            continue
        every = np.concatenate(theirs)
        hit = mine[np.minimum(np.searchsorted(mine, every), len(mine) - 1)] == every  # sets are sorted and distinct
        found = np.concatenate(([0], np.cumsum(hit)))
        out[lo:hi] = found[ends] - found[np.concatenate(([0], ends[:-1]))]
    return out


PARTS = 8  # sketch hashes are grouped by their lowest bits, a part at a time (bounded sort memory); a power of two
VERDICT_PAIRS = 1 << 20  # pairs judged at once
PAIR_BLOCK = 1 << 22  # pairs found before they are folded into the distinct ones


def _candidate_pairs(h: np.ndarray, r: np.ndarray, cap: int) -> np.ndarray:
    """Pairs of article ranks (lower first) that share a sketch hash held by at most `cap` articles: sorted,
    distinct rows of an (n, 2) array.

    Each pair is handled as one number (`_keys`), and the pairs found are folded into the distinct ones every
    `PAIR_BLOCK` or so: a pair that shares many sketch hashes is found once per hash, and at a million
    articles the pairs as found (tens of millions) would take GBs where the distinct ones take tens of MB."""
    n = int(r.max()) + 1 if len(r) else 1
    keys = np.zeros(0, dtype=np.int64)  # distinct, sorted
    found: list[np.ndarray] = []
    waiting = 0

    def fold() -> None:
        nonlocal keys, waiting
        if found:
            keys = np.union1d(keys, np.concatenate(found))
            found.clear()
            waiting = 0

    # a hash's part is its lowest bits: a sketch keeps an article's smallest hashes, so their top bits are nearly all
    # zero and would put every hash in one part. Computed a block at a time (a whole uint64 temporary is 128 MB
    # at a million articles).
    part = np.empty(len(h), np.int8)
    for lo in range(0, len(h), 1 << 20):
        part[lo : lo + (1 << 20)] = h[lo : lo + (1 << 20)] & np.uint64(PARTS - 1)
    for p in range(PARTS):
        mine = part == p
        hp, rp = h[mine], r[mine].astype(np.int64)
        del mine
        order = np.lexsort((rp, hp))
        hp, rp = hp[order], rp[order]
        del order
        starts = np.flatnonzero(np.concatenate(([True], hp[1:] != hp[:-1]))) if len(hp) else np.zeros(0, np.int64)
        lengths = np.diff(np.append(starts, len(hp)))
        small = (lengths > 1) & (lengths <= cap)
        for ln in np.unique(lengths[small]).tolist():  # every group of ln articles at once: all its pairs
            firsts = starts[small & (lengths == ln)]
            i, j = np.triu_indices(ln, 1)
            step = max(1, PAIR_BLOCK // len(i))
            for lo in range(0, len(firsts), step):
                members = rp[firsts[lo : lo + step][:, None] + np.arange(ln)]  # ranks ascending in a row
                found.append(np.unique(members[:, i].ravel() * np.int64(n) + members[:, j].ravel()))
                waiting += len(found[-1])
                if waiting >= PAIR_BLOCK:
                    fold()
    fold()
    pairs = np.empty((len(keys), 2), dtype=np.int64)
    np.floor_divide(keys, n, out=pairs[:, 0])
    np.remainder(keys, n, out=pairs[:, 1])
    return pairs
