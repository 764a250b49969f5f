"""Reruns of the timeline: row ids survive new reports, merged rows are recorded, and rebuilding only
the windows that changed gives the same tables as rebuilding every window."""

from __future__ import annotations

import shutil
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.settings import Settings
from pipeline.tables import to_arrow
from pipeline.timeline import TABLES, build_timeline, windows
from tests.factories import article, casualty, event

KIRKUK = {"location": "Kirkuk", "country_code": "IQ", "latitude": 35.468, "longitude": 44.392}
ERBIL = {"location": "Erbil", "country_code": "IQ", "latitude": 36.191, "longitude": 44.009}


def _art(aid: str, published: str) -> dict:
    return article(aid, text=f"Report {aid}: a bomb went off in a northern city, officials said.", published=published)


def _ev(aid: str, d0: date, d1: date, place: dict = KIRKUK, precision: str = "day", n: str = "") -> dict:
    return event(aid, event_id=f"{aid}-e{n}", event_type="bombing", **place, date_start=d0, date_end=d1,
                 date_precision=precision, sentence=f"Sentence of {aid}.")  # fmt: skip


def _build(arts, evs, cas=(), previous=None):
    tables = [to_arrow("articles", arts), to_arrow("events", evs), to_arrow("casualties", list(cas))]
    return build_timeline(*tables, previous=previous)


def _ids(out) -> dict[str, str]:
    links = out["timeline_links"]
    return dict(zip(links.column("event_id").to_pylist(), links.column("timeline_id").to_pylist()))


D = date(2023, 3, 14)
BEFORE = (
    [_art("k1", "2023-03-14T18:00"), _art("k2", "2023-03-15"), _art("e1", "2023-03-14")],
    [_ev("k1", D, D), _ev("k2", D, D), _ev("e1", D, D, ERBIL)],
)


@pytest.mark.parametrize(
    "new_article, new_event",
    [
        (_art("k3", "2023-03-16"), _ev("k3", D, D)),  # a later report of the same day
        (_art("k3", "2023-03-20"), _ev("k3", date(2023, 3, 1), date(2023, 3, 31), precision="month")),  # a vaguer one
        (_art("k3", "2023-03-14T20:00"), _ev("k3", D, D)),  # published between the first two
    ],
)
def test_a_new_report_of_a_known_event_keeps_the_row_id(new_article, new_event):
    arts, evs = BEFORE
    first = _build(arts, evs)
    again = _build([*arts, new_article], [*evs, new_event], previous=_ids(first))
    before, after = _ids(first), _ids(again)
    assert after["k3-e"] == after["k1-e"] == before["k1-e"]  # joined the row, which kept its id
    assert {e: after[e] for e in before} == before
    assert again["timeline_links"].column("previous_timeline_id").null_count == again["timeline_links"].num_rows


# A week report fitting two rows, and a later report that narrows one of them away from it
MERGING = (
    [_art("m1", "2023-03-15"), _art("m2", "2023-03-18"), _art("m3", "2023-03-17"), _art("m4", "2023-03-20")],
    [
        _ev("m1", D, D),
        _ev("m2", date(2023, 3, 15), date(2023, 3, 17), precision="part_of_month"),
        _ev("m3", date(2023, 3, 10), date(2023, 3, 16), precision="week"),
        _ev("m4", date(2023, 3, 17), date(2023, 3, 21), precision="part_of_month"),
    ],
)


def test_two_rows_that_a_new_report_brings_together_record_the_merge():
    """A week report fitting two rows stays apart; a new report narrows one row away from it, so it joins the other."""
    arts, evs = MERGING
    first = _build(arts[:3], evs[:3])
    old = _ids(first)
    assert len(set(old.values())) == 3  # m3 fits the rows of m1 and m2: ambiguous, kept apart
    again = _build(arts, evs, previous=old)
    new = _ids(again)
    links = {r["event_id"]: r for r in again["timeline_links"].to_pylist()}
    assert new["m3-e"] == new["m1-e"] == old["m1-e"]  # the row of the earliest report keeps its id
    assert links["m3-e"]["previous_timeline_id"] == old["m3-e"]  # the absorbed row is recorded
    assert f"was on row {old['m3-e']}" in links["m3-e"]["explanation"]
    assert links["m1-e"]["previous_timeline_id"] is None and links["m4-e"]["previous_timeline_id"] is None


@pytest.mark.parametrize(
    "d0, d1, window",
    [
        (date(2023, 3, 1), date(2023, 3, 1), 2023 * 12 + 2),
        (date(2023, 3, 31), date(2023, 4, 6), 2023 * 12 + 2),  # filed by the month it starts in
        (date(2023, 1, 1), date(2023, 12, 31), 2023 * 12),
        (None, None, None),
    ],
)
def test_windows_are_the_month_an_interval_starts_in(d0, d1, window):
    got = windows(pa.array([d0], pa.date32()), pa.array([d1], pa.date32()))[0]
    assert got == window if window is not None else got > 3000 * 12


# ---------------------------------------------------------------- whole folders, as `run` builds them
def _month(m: int, day: int) -> date:
    return date(2023, m, day)


def _archive(extra: bool):
    """Reports of February and March (and, with `extra`, one more March article)."""
    arts, evs, cas = [], [], []
    for i, (m, day, place) in enumerate([(2, 3, KIRKUK), (2, 3, KIRKUK), (2, 9, ERBIL), (3, 14, KIRKUK), (3, 14, ERBIL),
                                         (3, 15, KIRKUK), (2, 20, KIRKUK)]):  # fmt: skip
        aid = f"r{i}"
        arts.append(_art(aid, f"2023-{m:02d}-{day + 1:02d}"))
        evs.append(_ev(aid, _month(m, day), _month(m, day), place))
        cas.append(casualty(aid, casualty_id=f"{aid}-c", event_id=f"{aid}-e", low=i + 2, best=i + 2, high=i + 2))
    evs.append(_ev("r1", None, None, n="2"))  # undated
    if extra:
        arts.append(_art("x1", "2023-03-16"))
        evs.append(_ev("x1", _month(3, 14), _month(3, 14)))
        evs.append(_ev("x1", _month(3, 1), _month(3, 31), ERBIL, "month", n="2"))
        cas.append(casualty("x1", casualty_id="x1-c", event_id="x1-e", low=9, best=9, high=9))
    return arts, evs, cas


def _folder(tmp, name, arts, evs, cas):
    folder = tmp / name
    folder.mkdir()
    for table, rows in (("articles", arts), ("events", evs), ("casualties", cas)):
        pq.write_table(to_arrow(table, rows), folder / f"{table}.parquet")
    return folder


def _derive(folder, previous=None, reuse=True, workers=1):
    from pipeline.run.runner import derive_timeline

    rejects, summary = derive_timeline(Settings(), previous, "test", reuse, None, workers)(folder)
    return {name: pq.read_table(folder / f"{name}.parquet") for name in TABLES}, summary


@pytest.mark.parametrize("workers", [1, 2])  # 2: worker processes hash each window and merge only the changed ones
def test_adding_a_day_rebuilds_only_its_windows_and_equals_a_full_rebuild(tmp_path, monkeypatch, workers):
    from pipeline.timeline import store

    monkeypatch.setattr(store, "PARALLEL_EVENTS", 0)  # workers even for these few events
    old, _ = _derive(_folder(tmp_path, "old", *_archive(False)), workers=workers)
    new = _archive(True)
    incremental, summary = _derive(_folder(tmp_path, "incremental", *new), tmp_path / "old", workers=workers)
    full, full_summary = _derive(_folder(tmp_path, "full", *new), tmp_path / "old", reuse=False, workers=workers)
    assert summary["windows"] == {"windows": 3, "rebuilt": 1}  # February and the undated window are copied
    assert full_summary["windows"] == {"windows": 3, "rebuilt": 3}
    for name in TABLES:
        assert incremental[name].equals(full[name]), name
    # and both equal the in-memory build (the previous run only adds `previous_timeline_id`)
    memory = _build(*new, previous=_ids(old))
    for name in TABLES:
        assert incremental[name].equals(memory[name].cast(incremental[name].schema)), name
    # a rerun with nothing new copies every window, and says that no row moved
    shutil.copytree(tmp_path / "incremental", tmp_path / "same", ignore=shutil.ignore_patterns("timeline*"))
    same, summary = _derive(tmp_path / "same", tmp_path / "incremental", workers=workers)
    assert summary["windows"] == {"windows": 3, "rebuilt": 0}
    assert same["timeline"].equals(incremental["timeline"])
    assert same["timeline_links"].column("previous_timeline_id").null_count == same["timeline_links"].num_rows


@pytest.mark.parametrize("chunk", [None, 3])  # a window's rows in one piece, or in several (its rows come back in a file)
def test_windows_merged_on_worker_processes_give_the_same_tables(tmp_path, monkeypatch, chunk):
    from pipeline.run.runner import derive_timeline
    from pipeline.timeline import store

    monkeypatch.setattr(store, "PARALLEL_EVENTS", 0)
    if chunk is not None:
        monkeypatch.setattr(store, "WINDOW_CHUNK", chunk)
    got = {}
    for workers in (1, 2):
        folder = _folder(tmp_path, f"w{workers}", *_archive(True))
        derive_timeline(Settings(), None, "test", True, None, workers)(folder)
        got[workers] = {name: pq.read_table(folder / f"{name}.parquet") for name in TABLES}
    for name in TABLES:
        assert got[1][name].equals(got[2][name]), name


def test_every_window_merged_again_over_a_previous_folder_on_workers_records_the_rows_events_were_on(tmp_path, monkeypatch):
    """After a code upgrade every window is merged again, by worker processes, and each event still gets the row it
    was on in the previous folder (the workers read it there): the same tables as merging in this process."""
    from pipeline.run.runner import derive_timeline
    from pipeline.timeline import store

    monkeypatch.setattr(store, "PARALLEL_EVENTS", 0)
    arts, evs = MERGING
    old = _folder(tmp_path, "old", arts[:3], evs[:3], [])
    derive_timeline(Settings(), None, "test", True, None, 1)(old)
    before = _ids({"timeline_links": pq.read_table(old / "timeline_links.parquet")})
    got = {}
    for workers in (1, 2):
        folder = _folder(tmp_path, f"w{workers}", arts, evs, [])
        derive_timeline(Settings(), old, "test", False, None, workers)(folder)  # reuse=False: every window again
        got[workers] = {name: pq.read_table(folder / f"{name}.parquet") for name in TABLES}
    for name in TABLES:
        assert got[1][name].equals(got[2][name]), name
    links = {r["event_id"]: r for r in got[2]["timeline_links"].to_pylist()}
    assert links["m3-e"]["previous_timeline_id"] == before["m3-e"] != links["m3-e"]["timeline_id"]
    assert links["m1-e"]["previous_timeline_id"] is None


@pytest.mark.parametrize("rows,group,size", [(0, 10, 4), (7, 10, 4), (23, 5, 4), (23, 5, 100), (40, 7, 3)])
def test_files_are_read_a_row_group_at_a_time_with_every_row_in_order(tmp_path, rows, group, size):
    from pipeline import memory

    table = pa.table({"event_id": [f"e{i}" for i in range(rows)], "n": pa.array(range(rows), pa.int64())})
    pq.write_table(table, tmp_path / "t.parquet", row_group_size=group)
    batches = list(memory.row_group_batches(pq.ParquetFile(tmp_path / "t.parquet"), ["n"], size))
    assert all(b.num_rows <= min(size, group) for b in batches)
    got = pa.Table.from_batches(batches, pa.schema([("n", pa.int64())]))
    assert got.column("n").to_pylist() == list(range(rows))


@pytest.mark.parametrize("seed", range(6))
def test_finding_figures_events_by_hashing_the_figures_side_gives_arrows_index_in(seed):
    """`timeline.index_in` hashes the few wanted ids instead of the many it searches: the same first rows as Arrow's."""
    import random

    import pyarrow.compute as pc

    from pipeline.timeline import index_in

    rng = random.Random(seed)
    pool = [f"e{i}" for i in range(rng.randint(1, 30))]
    ids = [rng.choice(pool) for _ in range(rng.randint(0, 60))]  # ids may repeat: the first row counts
    cuts = sorted(rng.sample(range(len(ids) + 1), min(4, len(ids) + 1)))
    searched = pa.chunked_array([pa.array(ids[a:b], pa.string()) for a, b in zip([0, *cuts], [*cuts, len(ids)])], pa.string())
    wanted = pa.array([rng.choice([*pool, "unknown"]) for _ in range(rng.randint(0, 40))], pa.string())
    assert index_in(wanted, searched).to_pylist() == pc.index_in(wanted, value_set=searched).to_pylist()


def test_a_filing_process_that_fails_says_why(tmp_path):
    """The process that files events into windows (beside syndication) reports its error to the run."""
    from pipeline.timeline import store

    with store._Filing(tmp_path / "no-tables", tmp_path) as filing, pytest.raises(RuntimeError, match="filing events into windows failed: .*events.parquet"):
        filing.result()
