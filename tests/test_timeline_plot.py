"""`python -m pipeline timeline`: the picture of the timeline (PNG)."""

from __future__ import annotations

import struct
from datetime import date, datetime, timedelta

import pytest

from pipeline.export import write_table
from pipeline.tables import to_arrow
from pipeline.timeline import build_timeline, main
from pipeline.timeline.plot import (AGGREGATE_ABOVE, ALL, ELSEWHERE, MAX_ROWS, NO_PLACE, VIOLENT, View, bin_unit, binned_marks,
                                    country_name, draw, figure, lanes, parse_view, select, ticks)
from tests.test_timeline_merge import reports


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def out_dir(tmp_path):
    arts, evs, cas = reports()
    tables = {"articles": to_arrow("articles", arts), "events": to_arrow("events", evs), "casualties": to_arrow("casualties", cas)}
    tables.update(build_timeline(*tables.values()))
    for name, table in tables.items():
        write_table(name, table, tmp_path)
    return tmp_path


def test_main_writes_a_png_beside_the_tables(out_dir, capsys):
    assert main(["--output", str(out_dir)]) == 0
    width, height = png_size(out_dir / "timeline.png")
    assert width >= 1000 and height >= 300
    assert "3 timeline rows" in capsys.readouterr().out


def test_picture_path_and_fallback_to_events_when_there_is_no_timeline_table(out_dir, tmp_path):
    (out_dir / "timeline.parquet").unlink()
    picture = tmp_path / "pics" / "t.png"
    assert main(["--output", str(out_dir), "--picture", str(picture)]) == 0
    png_size(picture)


def test_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["--output", str(tmp_path / "nothing")]) == 2
    assert "not found" in capsys.readouterr().err


def test_same_timeline_same_picture(out_dir, tmp_path):
    main(["--output", str(out_dir), "--picture", str(tmp_path / "a.png")])
    main(["--output", str(out_dir), "--picture", str(tmp_path / "b.png")])
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def _row(i, location, country, **kw):
    d = date(2020, 10, 1) + timedelta(days=i % 40)
    return {"timeline_id": f"tl-{i:04}", "date_start": d, "date_end": d, "date_precision": "day",
            "event_type": ["airstrike", "protest", "talks"][i % 3], "event_types": ["x"], "location": location,
            "country_code": country, "killed_low": i % 50, "killed_best": i % 50, "killed_high": i % 50,
            "n_events": 1, "n_articles": 1, "n_copies": 0, "n_sources": 1, "article_ids": ["a"], "event_ids": [f"e{i}"],
            "sentence": "s", "sentence_event_id": f"e{i}", "article_id": "a", **kw}  # fmt: skip


COUNTRIES = ["AF", "AM", "AZ", "BR", "CD", "CO", "ET", "IN", "IQ", "KE", "LY", "ML", "MM", "MX", "MZ", "NE", "NG",
             "PH", "PK", "PS", "SD", "SO", "SS", "SY", "TD", "UA", "US", "YE"]  # fmt: skip


@pytest.mark.parametrize(
    "n_places, n_countries, expect",
    [(3, 2, "place"), (MAX_ROWS - 1, 3, "place"), (MAX_ROWS + 5, 4, "country"), (60, len(COUNTRIES), "elsewhere")],
)
def test_rows_are_places_then_countries_then_the_busiest_countries(n_places, n_countries, expect):
    rows = [_row(i, f"Town{i % n_places}", COUNTRIES[i % n_places % n_countries]) for i in range(300)]
    rows.append(_row(999, None, None))
    labels, order = lanes(rows)
    assert len(order) <= MAX_ROWS + 1 and set(labels) == set(order)
    assert order[-1] in (NO_PLACE, ELSEWHERE)
    if expect == "place":
        assert "Town0 (AF)" in order
    elif expect == "country":
        assert country_name("AF") in order and not any(o.startswith("Town") for o in order)
    else:
        assert ELSEWHERE in order


@pytest.mark.parametrize("n", [0, 1, 400])
def test_draws_few_many_and_no_events(tmp_path, n):
    rows = [_row(i, f"Town{i % 30}", COUNTRIES[i % 7]) for i in range(n)]
    rows += [_row(5000, "Nowhere", "IQ", date_start=None, date_end=None, date_precision=None)]
    if n:
        rows[0] = {**rows[0], "date_end": rows[0]["date_start"] + timedelta(days=30), "date_precision": "month"}
    png_size(draw(to_arrow("timeline", rows), tmp_path / "t.png"))


def _table(*rows):
    return to_arrow("timeline", list(rows))


D = date(2023, 3, 3)


@pytest.mark.parametrize(
    "types, shown",
    [
        (VIOLENT, {"tl-0000", "tl-0002"}),  # the airstrike, and the talks where someone was killed
        (ALL, {"tl-0000", "tl-0001", "tl-0002"}),
        (frozenset({"talks"}), {"tl-0002"}),
    ],
)  # fmt: skip
def test_violent_events_by_default_or_the_types_asked_for(types, shown):
    t = _table(_row(0, "Kherson", "UA"), _row(1, "Kherson", "UA", killed_low=None, killed_best=None, killed_high=None),
               _row(2, "Kherson", "UA"))  # fmt: skip  # airstrike, protest (no one hurt), talks
    t = _table(*[{**r, "killed_low": 0 if i == 1 else 3, "killed_best": 0 if i == 1 else 3, "killed_high": 0 if i == 1 else 3}
                 for i, r in enumerate(t.to_pylist())])  # fmt: skip
    sel = select(t, View(types=types))
    assert {r["timeline_id"] for r in sel.rows} == shown
    if types == VIOLENT:
        assert any("1 other event (protest" in n and "--types all" in n for n in sel.notes)


def test_no_violent_event_shows_every_type():
    rows = [_row(i, "Kherson", "UA", event_type="talks", killed_low=0, killed_best=0, killed_high=0) for i in range(3)]
    assert len(select(_table(*rows)).rows) == 3


@pytest.mark.parametrize(
    "option, value, expect",
    [
        ("since", "2023-03-02", {"tl-0001", "tl-0002"}),
        ("until", "2023-03-01", {"tl-0000", "tl-0001"}),  # the month-long event overlaps the period
        ("country", "bf,NG", {"tl-0002"}),
        ("types", "all", {"tl-0000", "tl-0001", "tl-0002"}),
    ],
)  # fmt: skip
def test_period_country_and_type_options(option, value, expect):
    rows = [
        _row(0, "Kherson", "UA", date_start=date(2023, 2, 27), date_end=date(2023, 2, 27)),
        _row(1, "Kyiv", "UA", date_start=date(2023, 2, 1), date_end=date(2023, 3, 31), date_precision="month"),
        _row(2, "Djibo", "BF", date_start=D, date_end=D),
    ]
    rows = [{**r, "event_type": "airstrike"} for r in rows]
    args = {"since": None, "until": None, "country": None, "kinds": None, **({"kinds" if option == "types" else option: value})}
    sel = select(_table(*rows), parse_view(**args))
    assert {r["timeline_id"] for r in sel.rows} == expect


def test_bad_date_is_a_usage_error(tmp_path, capsys):
    assert main(["--output", str(tmp_path), "--since", "March"]) == 2
    assert "error" in capsys.readouterr().err


def test_zooms_to_where_most_events_are():
    early = [_row(i, "Memphis", "US", date_start=date(2016, 7, 17), date_end=date(2016, 7, 17)) for i in range(3)]
    busy = [_row(10 + i, "Kherson", "UA", date_start=D + timedelta(days=i), date_end=D + timedelta(days=i)) for i in range(8)]
    vague = _row(30, "Kyiv", "UA", date_start=date(2023, 1, 1), date_end=date(2023, 12, 31), date_precision="year")
    sel = select(_table(*early, *busy, vague))
    assert (sel.start, sel.end) == (D, D + timedelta(days=7))  # the year-long event neither stretches nor hides
    assert {r["timeline_id"] for r in sel.rows} == {r["timeline_id"] for r in busy} | {"tl-0030"}
    assert any("3 events outside it (3 in Jul 2016)" in n for n in sel.notes)
    pinned = select(_table(*early, *busy), View(since=date(2016, 1, 1)))
    assert len(pinned.rows) == 11 and pinned.start == date(2016, 1, 1)


def test_places_are_grouped_by_where_they_resolve_not_by_spelling():
    rows = [
        _row(0, "Kyiv", "UA", latitude=50.45, longitude=30.52),
        _row(1, "Kyiv, Ukraine", None),  # a dateline's spelling, no code
        _row(2, "KYIV", "UA"),
        _row(3, "Kiyv", "UA", latitude=50.451, longitude=30.523),  # another spelling at the same spot
        _row(4, "Kharkiv", "UA", latitude=49.99, longitude=36.23),
        _row(5, "Memphis, Tennessee", None),
        _row(6, "Memphis", "US"),
    ]
    labels, order = lanes(rows)
    assert labels[:4] == ["Kyiv (UA)"] * 4
    assert labels[5] == labels[6] == "Memphis (US)"
    assert order.index("Kyiv (UA)") < order.index("Kharkiv (UA)")  # the places of a country stay together


@pytest.mark.parametrize(
    "lo, hi",
    [(date(2020, 9, 27), date(2020, 10, 18)), (date(2023, 2, 26), date(2023, 3, 18)), (date(2023, 1, 1), date(2023, 6, 30)),
     (date(2020, 1, 1), date(2023, 12, 31)), (date(2015, 1, 1), date(2024, 12, 31)), (date(2023, 3, 3), date(2023, 3, 4))],
)  # fmt: skip
def test_ticks_carry_the_year_and_never_crowd(lo, hi):
    import matplotlib.dates as mdates

    locator, fmt = ticks(lo, hi)
    values = locator.tick_values(datetime(lo.year, lo.month, lo.day), datetime(hi.year, hi.month, hi.day))
    inside = [v for v in values if mdates.date2num(lo) <= v <= mdates.date2num(hi)]
    assert 2 <= len(inside) <= 10
    gaps = [b - a for a, b in zip(values, values[1:])]
    assert min(gaps) >= 0.6 * max(gaps)  # evenly spread: no two ticks a day apart at a month boundary
    assert "%Y" in fmt


@pytest.mark.parametrize("n", [12, 400, AGGREGATE_ABOVE + 500])
def test_labels_never_overlap_each_other_or_leave_the_axes_and_legends_sit_outside(n):
    import matplotlib.pyplot as plt
    from matplotlib.text import Annotation

    rows = [_row(i, f"Town{i % 9}", COUNTRIES[i % 3], killed_low=40 + i, killed_best=40 + i, killed_high=45 + i)
            for i in range(n)]  # fmt: skip
    fig = figure(_table(*rows), View(types=ALL))
    try:
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        frame = ax.get_window_extent(renderer)
        boxes = [a.get_window_extent(renderer) for a in ax.texts if isinstance(a, Annotation)]
        assert boxes
        for i, b in enumerate(boxes):
            assert frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
            assert not any(b.overlaps(o) for o in boxes[i + 1:])
        assert len(fig.legends) == 2
        for legend in fig.legends:
            assert not legend.get_window_extent(renderer).overlaps(frame)
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    "days, unit",
    [(20, "day"), (300, "week"), (1500, "month"), (3650, "quarter"), (40000, "year")],
)  # fmt: skip
def test_crowded_pictures_sum_the_events_of_a_place_per_bin_of_time(days, unit):
    lo = date(2015, 1, 1)
    hi = lo + timedelta(days=days)
    assert bin_unit(lo, hi)[0] == unit
    rows = [_row(i, f"Town{i % 3}", "UA", date_start=lo + timedelta(days=i * days // 500),
                 date_end=lo + timedelta(days=i * days // 500)) for i in range(500)]  # fmt: skip
    labels, order = lanes(rows)
    marks = binned_marks(rows, labels, {o: i for i, o in enumerate(order)}, lo, hi + timedelta(days=1), unit)
    assert sum(m.value for m in marks) == sum(r["killed_best"] for r in rows)  # nothing lost, nothing counted twice
    assert len({(m.y, m.x) for m in marks}) == len(marks) <= 3 * (bin_unit(lo, hi)[1] + 1)
