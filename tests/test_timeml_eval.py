"""TempEval-3 metric functions on tiny hand-made gold/system lists, and the TimeML reader."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.evaluate.timeml import Counts, Timex, align, count, errors, main, prf, read_tml, scores


def tx(start: int, end: int, value: str = "2020-10-26", type_: str = "DATE") -> Timex:
    return Timex(start, end, "x" * (end - start), type_, value)


def test_prf() -> None:
    assert prf(2, 4, 2) == (0.5, 1.0, pytest.approx(2 / 3))
    assert prf(0, 0, 3) == (0.0, 0.0, 0.0)


def test_align_is_one_to_one_and_prefers_exact() -> None:
    gold = [tx(0, 10)]
    system = [tx(0, 4), tx(0, 10)]
    assert align(gold, system) == [(0, 1)]
    # one system span overlapping two gold spans matches only one of them
    assert len(align([tx(0, 5), tx(6, 10)], [tx(0, 10)])) == 1


def test_counts_and_scores() -> None:
    gold = [tx(0, 6, "2020-10-26"), tx(10, 20, "P3D", "DURATION"), tx(30, 35, "2020")]
    system = [tx(0, 6, "2020-10-26"), tx(12, 20, "P3D", "DATE"), tx(30, 35, "2019"), tx(40, 45)]
    c = count(gold, system)
    assert (c.gold, c.system, c.strict, c.relaxed, c.value_ok, c.type_ok) == (3, 4, 2, 3, 2, 2)
    s = scores(c)
    assert s.strict_p == pytest.approx(0.5) and s.strict_r == pytest.approx(2 / 3)
    relaxed_f1 = 2 * 0.75 * 1.0 / 1.75
    assert s.relaxed_f1 == pytest.approx(relaxed_f1)
    assert s.value_f1 == pytest.approx(relaxed_f1 * 2 / 3)
    assert s.type_f1 == pytest.approx(relaxed_f1 * 2 / 3)


def test_counts_add_and_empty() -> None:
    total = Counts()
    total.add(count([tx(0, 3)], [tx(0, 3)]))
    total.add(count([tx(0, 3)], []))
    assert (total.gold, total.system, total.strict) == (2, 1, 1)
    assert scores(Counts()).value_f1 == 0.0


def test_error_kinds() -> None:
    gold = (tx(0, 6, "2020-10-26"), tx(10, 14, "2020"))
    system = [Timex(0, 6, "Monday", "DATE", "2020-10-19", "weekday"), Timex(20, 25, "today", "DATE", "2020-10-27", "dayword")]
    kinds = sorted(e.kind for e in errors("d", gold, system))
    assert kinds == ["missed DATE", "spurious dayword", "wrong value weekday: dddd-dd-dd vs dddd-dd-dd"]


TML = """<?xml version="1.0" ?>
<TimeML>
<DOCID>t1</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="2020-10-27" functionInDocument="CREATION_TIME">20201027</TIMEX3></DCT>
<TEXT>
Rebels <EVENT eid="e1">took</EVENT> the bridge <TIMEX3 tid="t1" type="DATE" value="2020-10-26">Monday</TIMEX3> and held it for <TIMEX3 tid="t2" type="DURATION" value="P3D">three days</TIMEX3>.
</TEXT>
</TimeML>
"""


def test_read_tml_offsets_and_main(tmp_path, capsys) -> None:
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "t1.tml").write_text(TML, encoding="utf-8")
    doc = read_tml(d / "t1.tml")
    assert doc.reference == date(2020, 10, 27)
    assert [doc.text[g.start : g.end] for g in doc.gold] == ["Monday", "three days"]
    out = tmp_path / "out"
    assert main([str(d), "--write-timeml", str(out), "--min-value-f1", "99"]) == 0
    assert "value F1 100.0" in capsys.readouterr().out
    written = read_tml(out / "corpus" / "t1.tml")
    assert [(g.text, g.value) for g in written.gold] == [("Monday", "2020-10-26"), ("three days", "P3D")]
    (d / "t2.tml").write_text(TML.replace("2020-10-26", "2020-10-19").replace("t1", "t2"), encoding="utf-8")
    assert main([str(d), "--min-value-f1", "90"]) == 1
