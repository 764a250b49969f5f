"""`python -m pipeline timeline`: the picture of the timeline (PNG)."""

from __future__ import annotations

import struct
from datetime import date, timedelta

import pytest

from pipeline.export import write_table
from pipeline.tables import to_arrow
from pipeline.timeline import build_timeline, main
from pipeline.timeline.plot import ELSEWHERE, MAX_ROWS, NO_PLACE, draw, lanes
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
        assert "AF" in order and not any(o.startswith("Town") for o in order)
    else:
        assert ELSEWHERE in order


@pytest.mark.parametrize("n", [0, 1, 400])
def test_draws_few_many_and_no_events(tmp_path, n):
    rows = [_row(i, f"Town{i % 30}", COUNTRIES[i % 7]) for i in range(n)]
    rows += [_row(5000, "Nowhere", "IQ", date_start=None, date_end=None, date_precision=None)]
    if n:
        rows[0] = {**rows[0], "date_end": rows[0]["date_start"] + timedelta(days=30), "date_precision": "month"}
    png_size(draw(to_arrow("timeline", rows), tmp_path / "t.png"))
