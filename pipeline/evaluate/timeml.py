"""Score `pipeline.temporal.normalise` against TimeML corpora with the TempEval-3 metrics.

    python -m pipeline eval timeml DIR... [--write-timeml OUTDIR] [--worst N] [--min-value-f1 X]

Each `.tml` file gives the reference date (its `<DCT>` TIMEX3 value) and the article (the text content of `<TEXT>`);
gold TIMEX3 offsets are computed in that text content. Metrics follow TempEval-3: strict span match (same offsets),
relaxed match (overlap) under a one-to-one greedy alignment, and attribute F1 = relaxed F1 x the attribute's accuracy
over relaxed matches (value, type).
"""

from __future__ import annotations

import argparse
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True, slots=True)
class Timex:
    start: int
    end: int
    text: str
    type: str
    value: str
    rule_id: str = ""


@dataclass(frozen=True)
class TmlDoc:
    doc_id: str
    reference: date
    text: str
    gold: tuple[Timex, ...]


# ---------------------------------------------------------------- reading TimeML


def read_tml(path: str | Path) -> TmlDoc:
    """The DCT, the text content of <TEXT> and the TIMEX3s inside it, with offsets into that text."""
    root = ET.parse(path).getroot()
    dct_value = None
    for dct in root.iter("DCT"):
        for t in dct.iter("TIMEX3"):
            dct_value = t.get("value")
    if dct_value is None:  # some files only mark the DCT by functionInDocument
        for t in root.iter("TIMEX3"):
            if t.get("functionInDocument") == "CREATION_TIME":
                dct_value = t.get("value")
                break
    if not dct_value:
        raise ValueError(f"{path}: no DCT")
    reference = date.fromisoformat(dct_value[:10])
    text_el = root.find(".//TEXT")
    if text_el is None:
        raise ValueError(f"{path}: no <TEXT>")
    parts: list[str] = []
    gold: list[Timex] = []
    pos = 0

    def walk(el: ET.Element) -> None:
        nonlocal pos
        start = pos
        if el.text:
            parts.append(el.text)
            pos += len(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
                pos += len(child.tail)
        if el.tag == "TIMEX3" and el is not text_el:
            span = "".join(parts)[start:pos]
            gold.append(Timex(start, pos, span, el.get("type", ""), el.get("value", "")))

    walk(text_el)
    gold.sort(key=lambda t: (t.start, t.end))
    return TmlDoc(Path(path).stem, reference, "".join(parts), tuple(gold))


# ---------------------------------------------------------------- metrics (pure)


def align(gold: list[Timex] | tuple[Timex, ...], system: list[Timex] | tuple[Timex, ...]) -> list[tuple[int, int]]:
    """One-to-one greedy alignment of overlapping spans: exact matches first, then by overlap length, then position."""
    pairs = []
    for gi, g in enumerate(gold):
        for si, s in enumerate(system):
            overlap = min(g.end, s.end) - max(g.start, s.start)
            if overlap > 0:
                exact = g.start == s.start and g.end == s.end
                pairs.append((not exact, -overlap, gi, si))
    pairs.sort()
    used_g: set[int] = set()
    used_s: set[int] = set()
    out = []
    for _, _, gi, si in pairs:
        if gi not in used_g and si not in used_s:
            used_g.add(gi)
            used_s.add(si)
            out.append((gi, si))
    return sorted(out)


@dataclass
class Counts:
    """Sums over documents; every metric is derived from these."""

    gold: int = 0
    system: int = 0
    strict: int = 0
    relaxed: int = 0
    value_ok: int = 0
    type_ok: int = 0

    def add(self, other: Counts) -> None:
        for f in ("gold", "system", "strict", "relaxed", "value_ok", "type_ok"):
            setattr(self, f, getattr(self, f) + getattr(other, f))


def count(gold: list[Timex] | tuple[Timex, ...], system: list[Timex] | tuple[Timex, ...]) -> Counts:
    c = Counts(gold=len(gold), system=len(system))
    for gi, si in align(gold, system):
        g, s = gold[gi], system[si]
        c.relaxed += 1
        c.strict += g.start == s.start and g.end == s.end
        c.value_ok += g.value == s.value
        c.type_ok += g.type == s.type
    return c


def prf(matched: int, n_system: int, n_gold: int) -> tuple[float, float, float]:
    p = matched / n_system if n_system else 0.0
    r = matched / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


@dataclass(frozen=True)
class Scores:
    strict_p: float
    strict_r: float
    strict_f1: float
    relaxed_p: float
    relaxed_r: float
    relaxed_f1: float
    value_f1: float
    type_f1: float
    value_accuracy: float
    type_accuracy: float


def scores(c: Counts) -> Scores:
    sp, sr, sf = prf(c.strict, c.system, c.gold)
    rp, rr, rf = prf(c.relaxed, c.system, c.gold)
    va = c.value_ok / c.relaxed if c.relaxed else 0.0
    ta = c.type_ok / c.relaxed if c.relaxed else 0.0
    return Scores(sp, sr, sf, rp, rr, rf, rf * va, rf * ta, va, ta)


# ---------------------------------------------------------------- errors


@dataclass(frozen=True)
class Error:
    kind: str
    doc: str
    gold: Timex | None
    system: Timex | None


def _shape(value: str) -> str:
    """A value's shape, for grouping errors ('2020-10-26' -> 'dddd-dd-dd')."""
    return "".join("d" if ch.isdigit() else ch for ch in value)


def errors(doc_id: str, gold: tuple[Timex, ...], system: list[Timex]) -> list[Error]:
    out = []
    pairs = align(gold, system)
    gm = {gi for gi, _ in pairs}
    sm = {si for _, si in pairs}
    for gi, g in enumerate(gold):
        if gi not in gm:
            out.append(Error(f"missed {g.type}", doc_id, g, None))
    for si, s in enumerate(system):
        if si not in sm:
            out.append(Error(f"spurious {s.rule_id}", doc_id, None, s))
    for gi, si in pairs:
        g, s = gold[gi], system[si]
        if g.value != s.value:
            out.append(Error(f"wrong value {s.rule_id}: {_shape(g.value)} vs {_shape(s.value)}", doc_id, g, s))
        elif g.type != s.type:
            out.append(Error(f"wrong type {g.type} vs {s.type} ({s.rule_id})", doc_id, g, s))
        elif (g.start, g.end) != (s.start, s.end):
            out.append(Error(f"span {s.rule_id}", doc_id, g, s))
    return out


# ---------------------------------------------------------------- running


@dataclass
class CorpusResult:
    name: str
    counts: Counts = field(default_factory=Counts)
    date_counts: Counts = field(default_factory=Counts)
    errors: list[Error] = field(default_factory=list)
    docs: int = 0
    seconds: float = 0.0


def system_timexes(doc: TmlDoc) -> list[Timex]:
    from pipeline.temporal import normalise

    return [
        Timex(m.char_start, m.char_end, m.text, m.timex_type, m.value, m.rule_id)
        for m in normalise(doc.text, doc.reference)
    ]


def write_timeml(doc: TmlDoc, system: list[Timex], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    body, pos = [], 0
    for i, t in enumerate(system, start=1):
        body.append(escape(doc.text[pos : t.start]))
        body.append(
            f'<TIMEX3 tid="t{i}" type={quoteattr(t.type)} value={quoteattr(t.value)}>{escape(t.text)}</TIMEX3>'
        )
        pos = t.end
    body.append(escape(doc.text[pos:]))
    xml = (
        '<?xml version="1.0" ?>\n<TimeML>\n'
        f"<DOCID>{escape(doc.doc_id)}</DOCID>\n"
        f'<DCT><TIMEX3 tid="t0" type="DATE" value="{doc.reference.isoformat()}" temporalFunction="false" '
        f'functionInDocument="CREATION_TIME">{doc.reference.isoformat()}</TIMEX3></DCT>\n'
        f"<TEXT>{''.join(body)}</TEXT>\n</TimeML>\n"
    )
    (out_dir / f"{doc.doc_id}.tml").write_text(xml, encoding="utf-8")


def evaluate_dir(directory: Path, write_dir: Path | None = None) -> CorpusResult:
    res = CorpusResult(directory.name)
    for path in sorted(directory.glob("*.tml")):
        doc = read_tml(path)
        t0 = time.perf_counter()
        system = system_timexes(doc)
        res.seconds += time.perf_counter() - t0
        res.docs += 1
        res.counts.add(count(doc.gold, system))
        res.date_counts.add(
            count([g for g in doc.gold if g.type == "DATE"], [s for s in system if s.type == "DATE"])
        )
        res.errors.extend(errors(doc.doc_id, doc.gold, system))
        if write_dir is not None:
            write_timeml(doc, system, write_dir / directory.name)
    return res


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def format_scores(label: str, c: Counts) -> str:
    s = scores(c)
    return (
        f"{label:<22} gold {c.gold:5d} sys {c.system:5d} | strict P/R/F1 {_pct(s.strict_p)} {_pct(s.strict_r)} "
        f"{_pct(s.strict_f1)} | relaxed P/R/F1 {_pct(s.relaxed_p)} {_pct(s.relaxed_r)} {_pct(s.relaxed_f1)} | "
        f"value F1 {_pct(s.value_f1)} | type F1 {_pct(s.type_f1)}"
    )


def _fmt_timex(t: Timex | None) -> str:
    return f"{t.text!r} [{t.start}:{t.end}] {t.type} {t.value}" if t else "-"


def report(results: list[CorpusResult], worst: int) -> str:
    lines = []
    total, total_date = Counts(), Counts()
    all_errors: list[Error] = []
    for r in results:
        lines.append(format_scores(f"{r.name} ({r.docs} docs)", r.counts))
        lines.append(format_scores(f"{r.name} DATE only", r.date_counts))
        total.add(r.counts)
        total_date.add(r.date_counts)
        all_errors.extend(r.errors)
    if len(results) > 1:
        lines.append(format_scores("overall", total))
        lines.append(format_scores("overall DATE only", total_date))
    kinds = Counter(e.kind for e in all_errors)
    if worst > 0 and all_errors:
        lines.append(f"\n{worst} worst errors (most frequent kinds first):")
        ordered = sorted(all_errors, key=lambda e: (-kinds[e.kind], e.kind, e.doc))
        for e in ordered[:worst]:
            lines.append(f"  [{e.kind}] {e.doc}: gold {_fmt_timex(e.gold)} | system {_fmt_timex(e.system)}")
    broad = Counter(" ".join(e.kind.split(" ")[: 2 if e.kind.startswith("wrong") else 1]) for e in all_errors)
    lines.append("\nerror summary: " + ", ".join(f"{k} {n}" for k, n in broad.most_common()))
    lines.append("error kinds:")
    for kind, n in kinds.most_common(25):
        lines.append(f"  {n:4d}  {kind}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline eval timeml", description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path, help="folders of .tml files; each is scored as one corpus")
    ap.add_argument("--write-timeml", type=Path, metavar="OUTDIR", help="write the system's TimeML here")
    ap.add_argument("--worst", type=int, default=20, metavar="N", help="show the N worst errors (default 20)")
    ap.add_argument("--min-value-f1", type=float, metavar="X", help="exit 1 when a corpus's value F1 (%%) is below X")
    args = ap.parse_args(argv)
    results = []
    for d in args.dirs:
        if not d.is_dir():
            print(f"not a folder: {d}", file=sys.stderr)
            return 2
        results.append(evaluate_dir(d, args.write_timeml))
    print(report(results, args.worst))
    docs = sum(r.docs for r in results)
    secs = sum(r.seconds for r in results)
    print(f"\nnormalise: {docs} docs in {secs:.2f} s ({docs / secs if secs else 0:.0f} docs/s)")
    if args.min_value_f1 is not None:
        low = [r.name for r in results if 100 * scores(r.counts).value_f1 < args.min_value_f1]
        if low:
            print(f"value F1 below {args.min_value_f1}: {', '.join(low)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
