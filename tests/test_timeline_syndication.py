"""Syndicated copies, event-type compatibility (types.yaml examples) and place containment."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from pipeline.settings import Settings
from pipeline.timeline import places, types
from pipeline.timeline.places import Place
from pipeline.timeline.syndication import copies, copies_streamed, shingles, similar

STORY = (
    "A car bomb tore through a crowded bus station in the northern city of Kirkuk on Tuesday, killing 14 people "
    "and wounding 31 others, police and hospital officials said. The blast hit as commuters queued for minibuses "
    "to Baghdad. Ambulances ferried the wounded to two hospitals, where doctors appealed for blood donations. "
    "No group immediately claimed responsibility for the attack, the deadliest in the city this year."
)
REWRITE = (
    "Fourteen people were killed in Kirkuk on Tuesday when a bomb hidden in a car exploded at the bus station, "
    "police said. Officials said 31 people were hurt. Nobody has claimed the bombing so far, and doctors in the "
    "city asked residents to give blood for the injured commuters who had been waiting for minibuses."
)


@pytest.mark.parametrize(
    "a, b, is_copy",
    [
        (STORY, STORY, True),
        (STORY, "KIRKUK, Iraq (Wire) - " + STORY, True),  # dateline and agency added
        (STORY, STORY.replace("Tuesday", "Tuesday morning") + " Reporting by staff.", True),  # light edits
        (STORY, STORY.rsplit(". ", 1)[0] + ".", True),  # trimmed last sentence
        (STORY, REWRITE, False),  # same facts, own words: an independent report
        (STORY, STORY.split(". ")[0] + ". Our correspondent adds that the city had been calm for months.", False),
        ("Two killed.", "Two killed in Herat.", False),
        ("", STORY, False),
    ],
)
def test_copies_are_near_identical_texts(a, b, is_copy):
    s = Settings()
    assert (similar(shingles(a, s.timeline_shingle_words), shingles(b, s.timeline_shingle_words), s) is not None) is is_copy


def test_groups_are_transitive_and_the_earliest_article_is_the_original():
    rows = [
        ("c", "2023-03-15", STORY + " Copied again."),
        ("b", "2023-03-14T20:00", "KIRKUK (Wire) - " + STORY),
        ("a", "2023-03-14T18:00", STORY),
        ("d", "2023-03-14T19:00", REWRITE),
        ("e", None, STORY),
    ]
    out = copies(rows)
    assert {k: v.original for k, v in out.items()} == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "a"}
    assert out["a"].similarity is None and 0.7 <= out["b"].similarity <= 1


def test_boilerplate_shared_by_many_articles_proposes_no_pairs_but_copies_still_meet():
    sign_off = " Reporting by the desk; editing by the night editor; all rights reserved by the agency."
    rows = [(f"x{i:03}", "2023-01-01", f"Story number {i} is about topic {i * 7} and nothing else." + sign_off) for i in range(80)]
    rows += [("y1", "2023-01-02", STORY + sign_off), ("y2", "2023-01-03", STORY + sign_off)]
    out = copies(rows, Settings(timeline_sketch_bucket_cap=10))
    assert out["y2"].original == "y1"
    assert sum(v.original != k for k, v in out.items()) == 1


@pytest.mark.parametrize("example", types.rules()["examples"], ids=str)
def test_types_yaml_examples(example):
    if "types" in example:
        assert types.pick(example["types"]) == example["picked"]
    else:
        assert types.compatible(example["a"], example["b"]) is example["compatible"]
        assert types.compatible(example["b"], example["a"]) is example["compatible"]
        assert types.group(example["a"], example["b"]) == example["group"]


@pytest.mark.parametrize(
    "a, b, rel",
    [
        (Place("Ganja", "AZ", 40.68, 46.36), Place("Azerbaijan", "AZ"), "inside"),
        (Place("Azerbaijan", None), Place("Ganja", "AZ"), "contains"),
        (Place("GANJA", "AZ"), Place("Ganja", None), "same"),
        (Place("Ganja", "AZ"), Place("Tartar", "AZ"), None),  # two towns of one country
        (Place("Dallas", "US", 32.78, -96.8), Place("Texas", "US"), "inside"),
        (Place("Dallas", "US", 32.78, -96.8), Place("Ohio", "US"), None),
        (Place("U.S.", "US"), Place("Texas", "US"), "contains"),
        (Place("Kirkuk", "IQ", 35.468, 44.392), Place("Kerkuk", "IQ", 35.47, 44.39), "same"),  # 1 km apart
        (Place("Kirkuk", "IQ", 35.468, 44.392), Place("Erbil", "IQ", 36.19, 44.01), None),
        (Place("Kirkuk", "IQ"), Place("Kirkuk", "AZ"), None),
        (Place(None, "IQ"), Place("Iraq", "IQ"), None),
    ],
)
def test_place_relations(a, b, rel):
    assert places.relation(a, b) == rel


def _brute_force(rows, s):
    """Every pair compared on full shingle sets; groups joined transitively, the earliest article first."""
    order = sorted(rows, key=lambda a: (a[1] is None, a[1] or "", a[0]))
    sets = [shingles(text, s.timeline_shingle_words) for _, _, text in order]
    group = list(range(len(order)))
    for i, j in combinations(range(len(order)), 2):
        if similar(sets[i], sets[j], s) is not None and group[i] != group[j]:
            old, new = max(group[i], group[j]), min(group[i], group[j])
            group = [new if g == old else g for g in group]
    out = {}
    for i, (aid, _, _) in enumerate(order):
        r = group[i]
        sim = None if r == i else round(len(sets[i] & sets[r]) / len(sets[i] | sets[r]), 3)
        out[aid] = (order[r][0], sim)
    return out


def _stories_and_copies(seed: int = 3, stories_n: int = 14) -> list[tuple[str, str | None, str]]:
    """(id, published, text) rows: made-up stories of invented words, and copies of the first nine (with a
    dateline, trimmed, sharing one passage only, lightly edited), with an empty and two very short texts."""
    rng = random.Random(seed)
    vocabulary = [f"{rng.choice('bdfklmnprstvz')}{rng.choice('aeiou')}{rng.choice('lmnrst')}{i}" for i in range(400)]
    stories = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(60, 140))) + "." for _ in range(stories_n)]
    rows = [(f"s{i:02}", f"2023-03-{10 + i % 9:02}", text) for i, text in enumerate(stories)]
    for i, text in enumerate(stories[:9]):
        words = text.split()
        variant = [
            "CITY (Agency) - " + text,
            " ".join(words[: int(len(words) * 0.93)]),
            " ".join(words[:40]) + " " + " ".join(rng.choice(vocabulary) for _ in range(30)),  # shares one passage
            text.replace(words[5], "changed", 1) + " Reporting by staff.",
        ][i % 4]
        rows.append((f"c{i:02}", rng.choice([None, "2023-03-01", "2023-04-01"]), variant))
    rows += [("empty", None, ""), ("short1", "2023-03-02", "Two killed."), ("short2", "2023-03-03", "two KILLED")]
    return rows


def test_sketch_and_streamed_comparison_find_what_comparing_every_pair_finds():
    """Made-up stories and their copies: the sketch proposes every copy pair, and the result does not
    depend on how the texts are streamed."""
    rows = _stories_and_copies()
    s = Settings(timeline_sketch_size=4)
    expected = _brute_force(rows, s)
    assert sum(original != aid for aid, (original, _) in expected.items()) >= 7  # copies are there to be found
    for found in (copies(rows, s), copies_streamed([(a, p) for a, p, _ in rows], _source(rows), s)):
        assert {aid: (c.original, c.similarity) for aid, c in found.items()} == expected


def _source(rows):
    def source(wanted):
        for aid, _, text in rows:
            if wanted is None or aid in wanted:
                yield [aid], [text]

    return source


@pytest.mark.parametrize("seed", range(6))
def test_candidate_pairs_and_groups_match_the_pair_by_pair_definition(seed, tmp_path):
    """The array forms of the candidate pairs and of the grouping agree with the plain definition: every pair of
    articles sharing a sketch hash held by at most `cap` articles; copies by `_verdict`, joined transitively,
    the earliest article the original."""
    import numpy as np

    import importlib

    syn = importlib.import_module("pipeline.timeline.syndication")  # the module (the package has a function of that name)
    rng = np.random.default_rng(seed)
    n, cap = 60, 4
    h = rng.integers(0, 40, size=300).astype(np.uint64) << np.uint64(58)  # few values: many shared hashes
    r = rng.integers(0, n, size=300).astype(np.int32)
    keep = np.unique(np.stack([h, r.astype(np.uint64)], 1), axis=0, return_index=True)[1]  # a hash once an article
    h, r = h[np.sort(keep)], r[np.sort(keep)]
    want = set()
    for value in np.unique(h).tolist():
        holders = sorted(r[h == value].tolist())
        if 1 < len(holders) <= cap:
            want.update(combinations(holders, 2))
    got = syn._candidate_pairs(h, r, cap)
    assert [tuple(p) for p in got.tolist()] == sorted(want)

    # sets: article i holds shingles drawn from a small pool, so that some pairs are copies
    texts = [rng.choice(30, size=int(rng.integers(0, 25)), replace=False) for _ in range(n)]
    sets = syn._Sets(n, str(tmp_path))
    for i, t in enumerate(texts):
        hs = np.sort(np.asarray(t, dtype=np.uint64))
        sets.put(np.array([i]), hs, np.array([0]), np.array([len(hs)]))
    sets.close()
    ranks = syn._Ranks(__import__("pyarrow").array([f"x{i:03d}" for i in range(n)]))
    s = Settings(timeline_syndication_jaccard=0.5, timeline_syndication_min_shared=3, timeline_syndication_containment=0.8)
    out = syn._groups(got, sets, ranks, s, only_copies=True)
    sets.release()
    parent = list(range(n))

    def root(x):
        while parent[x] != x:
            x = parent[x]
        return x

    size = [len(t) for t in texts]
    for a, b in sorted(want):
        shared = len(set(texts[a].tolist()) & set(texts[b].tolist()))
        if syn._verdict(shared, size[a], size[b], s) is not None and root(a) != root(b):
            ra, rb = root(a), root(b)
            parent[max(ra, rb)] = min(ra, rb)
    expect = {}
    for i in sorted({i for p in want for i in p}):
        if root(i) != i:
            o = root(i)
            both = len(set(texts[i].tolist()) & set(texts[o].tolist()))
            expect[ranks[i]] = (ranks[o], round(both / (size[i] + size[o] - both), 3))
    assert {k: (c.original, c.similarity) for k, c in out.items()} == expect


def _counted_pairs(monkeypatch):
    """The pairs whose shared shingles are counted from the sets (not taken from a `PairMemory`)."""
    import importlib

    syn = importlib.import_module("pipeline.timeline.syndication")
    counted: list[tuple[int, int]] = []
    real = syn._shared

    def spy(sets, pairs, known=None):
        if known is None:
            counted.extend(map(tuple, pairs.tolist()))
        return real(sets, pairs, known)

    monkeypatch.setattr(syn, "_shared", spy)
    return counted


def _copies_with(rows, s, memory=None):
    import pyarrow as pa

    from pipeline.timeline.syndication import copies_of

    ids, published = pa.array([r[0] for r in rows], pa.string()), pa.array([r[1] for r in rows], pa.string())
    found = copies_of(ids, published, _source(rows), s, pairs=memory)
    return {aid: (c.original, c.similarity) for aid, c in found.items()}


def test_a_nightly_run_counts_only_the_pairs_of_new_articles_and_finds_what_a_full_count_finds(tmp_path, monkeypatch):
    """The pair counts kept by one run (`PairMemory`) are used by the next: with two new articles (a copy of an
    old story, and a story of their own) only pairs that involve them are counted, and the copies found are
    those found by counting every pair."""
    from pipeline.timeline.syndication import PairMemory

    s = Settings(timeline_sketch_size=4)
    old = _stories_and_copies()
    new = [("n-copy", "2023-03-20", "CITY (Wire) - " + old[2][2]), ("n-own", "2023-03-21", _stories_and_copies(9, 1)[0][2])]
    counted = _counted_pairs(monkeypatch)
    assert _copies_with(old, s, PairMemory(tmp_path / "pairs.npz", "v1")) == _copies_with(old, s)
    counted.clear()
    full = _copies_with(old + new, s)
    every = list(counted)
    counted.clear()
    assert _copies_with(old + new, s, PairMemory(tmp_path / "pairs.npz", "v1")) == full
    assert full["n-copy"][0] == old[2][0]  # the new copy joins its story
    order = sorted(old + new, key=lambda a: (a[1] is None, a[1] or "", a[0]))
    new_ranks = {i for i, row in enumerate(order) if row[0].startswith("n-")}
    assert counted and len(counted) < len(every)
    assert all(a in new_ranks or b in new_ranks for a, b in counted)
    assert sorted(counted) == sorted(p for p in every if p[0] in new_ranks or p[1] in new_ranks)


@pytest.mark.parametrize("damage", ["other key", "garbage", "truncated", "not read"])
def test_pair_counts_of_another_key_or_a_damaged_file_are_not_used(tmp_path, monkeypatch, damage):
    from pipeline.timeline.syndication import PairMemory

    s = Settings(timeline_sketch_size=4)
    rows = _stories_and_copies()
    path = tmp_path / "pairs.npz"
    want = _copies_with(rows, s, PairMemory(path, "v1"))
    key, read = "v1", True
    if damage == "other key":
        key = "v2"
    elif damage == "garbage":
        path.write_bytes(b"not a numpy archive" * 10)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    else:
        read = False  # a full rebuild (`--full`) counts every pair again
    counted = _counted_pairs(monkeypatch)
    assert _copies_with(rows, s, PairMemory(path, key, read)) == want
    assert counted  # every pair counted again
    counted.clear()
    assert _copies_with(rows, s, PairMemory(path, key)) == want  # and kept again for the next run
    assert not counted


def test_pair_counts_that_cannot_be_kept_do_not_stop_the_comparison(tmp_path):
    from pipeline.timeline.syndication import PairMemory

    s = Settings(timeline_sketch_size=4)
    rows = _stories_and_copies()
    (tmp_path / "not-a-folder").write_text("a file where the work folder should be")
    path = tmp_path / "not-a-folder" / "pairs.npz"
    assert _copies_with(rows, s, PairMemory(path, "v1")) == _copies_with(rows, s)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]
