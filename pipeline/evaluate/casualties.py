"""Evaluate casualty figures and event dates against a gold JSON Lines corpus.

    python -m pipeline eval casualties FILE.jsonl [--worst N]
        [--min-killed X] [--min-killed-nonzero X] [--min-injured X] [--min-date X]

Each record has `id`, `text`, `reference_date` and `gold` (`killed`, `injured`, `event_date`).
The real temporal and extract stages run on every record; the article-level reading is
killed (injured) = the largest non-cumulative killed (injured) figure's best (its low when best is
null; 0 when there is none), and event date = date_start of the event carrying that figure (when
none, of the article's first dated event); figures of background incidents (dated by their own
sentence over 30 days before the reference) count only when the article has no other. Records
whose gold field is null leave that metric's denominator. A naive baseline (a number within five
words before killed/dead/died/injured/wounded, first match wins) is scored in the same run. Floors
(`--min-*`, in percent) make the exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.extract import extract
from pipeline.extract.numbers import NUMBER, number_value
from pipeline.records import Extraction
from pipeline.temporal import normalise


@dataclass
class Reading:
    killed: int
    injured: int
    event_date: datetime.date | None
    killed_text: str = ""
    injured_text: str = ""
    sentences: list[str] = field(default_factory=list)


def _value(c) -> int:
    return c.best if c.best is not None else (c.low if c.low is not None else 0)


def article_reading(x: Extraction, reference: datetime.date | None = None) -> Reading:
    """The article-level killed / injured / event date of an extraction, exactly as issue 4 defines it:
    the largest non-cumulative figure's best (else low, else 0), the first such figure on a tie; the event
    date of the event carrying the killed figure (else the injured one), else of the first event dated
    from the text (else the first event). `reference` is accepted for callers and not used."""

    def pick(category: str):
        figs = [c for c in x.casualties if c.category == category and not c.cumulative]
        return max(figs, key=_value) if figs else None

    k, i = pick("killed"), pick("injured")
    carrier = k if k is not None and _value(k) > 0 else (i if i is not None and _value(i) > 0 else None)
    date = None
    if carrier is not None and carrier.event_index is not None:
        date = x.events[carrier.event_index].date_start
    else:
        dated = [e for e in x.events if e.date_basis != "reference"]
        if dated:
            date = dated[0].date_start
        elif x.events:
            date = x.events[0].date_start
    sentences = []
    for c in (k, i):
        if c is not None and c.event_index is not None:
            sentences.append(x.events[c.event_index].sentence)
    return Reading(
        killed=_value(k) if k else 0,
        injured=_value(i) if i else 0,
        event_date=date,
        killed_text=k.text if k else "",
        injured_text=i.text if i else "",
        sentences=sentences,
    )


_BASE = re.compile(rf"\b({NUMBER})\s+(?:\S+\s+){{0,4}}?(killed|dead|died|injured|wounded)\b", re.IGNORECASE)


def baseline(text: str) -> tuple[int, int]:
    """Naive reading: a number within five words before killed/dead/died (injured/wounded); first match wins."""
    killed = injured = None
    for m in _BASE.finditer(text):
        n = number_value(m.group(1))
        if n is None:
            continue
        if m.group(2).lower() in ("killed", "dead", "died"):
            killed = n if killed is None else killed
        else:
            injured = n if injured is None else injured
    return killed or 0, injured or 0


def _pct(hits: int, n: int) -> str:
    return f"{100.0 * hits / n:5.1f}% ({hits}/{n})" if n else "  n/a"


def _off(pred: int, gold: int) -> str:
    if pred == gold:
        return "exact"
    if gold == 0:
        return "spurious"
    if pred == 0:
        return "missed"
    return "over" if pred > gold else "under"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline eval casualties", description=__doc__.split("\n\n")[0])
    ap.add_argument("file", help="JSON Lines corpus with id, text, reference_date, gold")
    ap.add_argument("--worst", type=int, default=10, help="how many worst cases to print (default 10)")
    ap.add_argument("--min-killed", type=float, help="floor for killed exact %% (all articles)")
    ap.add_argument("--min-killed-nonzero", type=float, help="floor for killed exact %% on articles with gold killed > 0")
    ap.add_argument("--min-injured", type=float, help="floor for injured exact %%")
    ap.add_argument("--min-date", type=float, help="floor for event date exact %%")
    args = ap.parse_args(argv)

    with open(args.file, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]

    n = Counter()
    hit = Counter()
    confusion: dict[str, Counter] = {"killed": Counter(), "injured": Counter()}
    offsets: dict[str, Counter] = {"killed": Counter(), "injured": Counter()}
    excluded = Counter()
    worst = []
    for rec in records:
        text = rec["text"]
        ref = datetime.date.fromisoformat(rec["reference_date"][:10])
        gold = rec.get("gold") or {}
        x = extract(text, ref, normalise(text, ref), None)
        r = article_reading(x, ref)
        bk, bi = baseline(text)
        errors = 0
        for metric, pred, base in (("killed", r.killed, bk), ("injured", r.injured, bi)):
            g = gold.get(metric)
            if g is None:
                excluded[metric] += 1
                continue
            n[metric] += 1
            hit[metric] += pred == g
            hit["base_" + metric] += base == g
            confusion[metric][_off(pred, g)] += 1
            if pred != g:
                offsets[metric][pred - g] += 1
                errors += 1
            if metric == "killed" and g > 0:
                n["killed_nonzero"] += 1
                hit["killed_nonzero"] += pred == g
                hit["base_killed_nonzero"] += base == g
        g_date = gold.get("event_date")
        if g_date is None:
            excluded["event_date"] += 1
        else:
            n["date"] += 1
            ok = r.event_date is not None and r.event_date.isoformat() == g_date[:10]
            hit["date"] += ok
            hit["base_date"] += ref.isoformat() == g_date[:10]
            errors += not ok
        if errors:
            worst.append((errors, rec["id"], gold, r))

    print(f"corpus: {args.file} ({len(records)} articles)")
    for metric in ("killed", "injured", "event_date"):
        if excluded[metric]:
            print(f"  {excluded[metric]} records with null gold {metric} left out of its denominator")
    rows = [
        ("killed exact (all articles)", "killed", "killed"),
        ("killed exact (gold killed > 0)", "killed_nonzero", "killed_nonzero"),
        ("injured exact", "injured", "injured"),
        ("event date exact", "date", "date"),
    ]
    print(f"{'metric':34} {'pipeline':>18} {'baseline':>18}")
    scores = {}
    for label, key, nkey in rows:
        scores[key] = 100.0 * hit[key] / n[nkey] if n[nkey] else None
        print(f"{label:34} {_pct(hit[key], n[nkey]):>18} {_pct(hit['base_' + key], n[nkey]):>18}")
    print("(baseline date = the reference date)")
    for metric in ("killed", "injured"):
        if not n[metric]:
            continue
        parts = ", ".join(f"{k} {v}" for k, v in confusion[metric].most_common())
        offs = ", ".join(f"{d:+d}: {c}" for d, c in sorted(offsets[metric].items(), key=lambda kv: (-kv[1], kv[0]))[:8])
        print(f"{metric}: {parts}; off by (pred - gold): {offs}")

    worst.sort(key=lambda w: (-w[0], w[1]))
    for errors, rid, gold, r in worst[: args.worst]:
        print(f"\n--- {rid}: gold killed={gold.get('killed')} injured={gold.get('injured')} date={gold.get('event_date')}"
              f" | got killed={r.killed} injured={r.injured} date={r.event_date}")
        if r.killed_text:
            print(f"    killed from: {r.killed_text!r}")
        if r.injured_text:
            print(f"    injured from: {r.injured_text!r}")
        for s in r.sentences:
            print(f"    sentence: {s[:300]!r}")

    floors = [("killed", args.min_killed), ("killed_nonzero", args.min_killed_nonzero), ("injured", args.min_injured),
              ("date", args.min_date)]
    failed = [(k, f, scores[k]) for k, f in floors if f is not None and (scores[k] is None or scores[k] < f)]
    for k, f, s in failed:
        print(f"FLOOR MISSED: {k} {s if s is None else round(s, 1)} < {f}")
    return 1 if failed else 0
