"""Score the pipeline on a folder of annotated news in the news_dev format.

    python -m pipeline eval news DIR [--worst N] [--ids ID,ID] [--system-out FILE]
        [--min-casualty-f1 X] [--min-event-date X] [--min-dateline X] [--min-timex-f1 X]

DIR holds `articles.jsonl` (`id`, `published`, `outlet`, `url`, `text`) and `gold.jsonl` (`id`,
`dateline`, `timexes`, `casualties`). Every article goes through the real ingest (dateline and
reference date), temporal and extract stages; their rows are read with the folder's conventions:

- dateline: the place and date ingest found (place compared on the text before the first `,`, `(`,
  `[` or `/`, casefolded);
- timexes: mentions with a calendar interval (day to year precision); a match needs overlapping
  spans and equal start and end dates;
- casualty figures: `killed`, `injured`, `missing`, `displaced` and `detained` (the folder's
  `captured`); a match needs the same category, low and high, one to one; `killed_or_injured` is
  not a category there and is left out. low/high follow the folder's reading of each qualifier
  ("about 80": 80..80, "nearly 70": ..70). A figure whose `date_basis` is `reference` is undated;
  over matched figures the event date must equal the gold start and end.

Prints the scores, then the ten most common error kinds with an example of each. Floors (in the
same units as printed) make the exit status 1 when missed. Figures on a development folder are
development figures.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_DATED_PRECISIONS = {"day", "week", "part_of_month", "month", "quarter", "season", "part_of_year", "year"}
_CATEGORY = {"killed": "killed", "injured": "injured", "missing": "missing", "displaced": "displaced",
             "detained": "captured"}


# ---------------------------------------------------------------- system output in the folder's format
def _iso(d: datetime.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _low_high(c) -> tuple[int | None, int | None]:
    """The folder's low/high for one of our figures: "about 80" is 80..80, "nearly 70" ..70, and a
    vague quantity ("dozens": our 24..99) only its low end."""
    if c.qualifier in ("about", "exact") and c.best is not None:
        return c.best, c.best
    if c.qualifier in ("nearly", "up_to"):
        return None, c.high if c.high is not None else c.best
    if c.qualifier == "vague":
        return c.low, None
    return c.low, c.high


# The folder's `captured` is kidnapping and hostage taking; our `detained` also holds arrests, which it does not count.
_CAPTURED = re.compile(r"\b(?:kidnap|abduct|hostage|captur|seiz)", re.IGNORECASE)


def system_record(rec: dict[str, Any]) -> dict[str, Any]:
    """Run ingest, temporal and extract on one annotated article; its output in the folder's format."""
    from pipeline.extract import extract
    from pipeline.extract.dating import clock_only
    from pipeline.ingest.build import build_article
    from pipeline.records import Reject
    from pipeline.settings import Settings
    from pipeline.temporal import normalise

    meta = {k: rec.get(k) for k in ("id", "published", "url", "title") if rec.get(k) is not None}
    if rec.get("outlet"):
        meta["source"] = rec["outlet"]
    art = build_article(rec["text"], meta, default_id=rec["id"], raw_path=rec["id"], settings=Settings(),
                        what=rec["id"])
    if isinstance(art, Reject):
        return {"id": rec["id"], "rejected": art.reason}
    mentions = normalise(art.text, art.reference_date)
    x = extract(art.text, art.reference_date, mentions, art.dateline_place)
    # A bare clock time ("at 7:05 p.m.") names no calendar day in the folder's convention.
    timexes = [
        {"start": m.char_start, "end": m.char_end, "text": m.text, "start_date": _iso(m.date_start),
         "end_date": _iso(m.date_end), "rule_id": m.rule_id}
        for m in mentions
        if m.date_start is not None and m.precision in _DATED_PRECISIONS and not clock_only(m)
    ]
    casualties = []
    for c in x.casualties:
        if c.category not in _CATEGORY or (c.category == "detained" and not _CAPTURED.search(c.text)):
            continue
        low, high = _low_high(c)
        basis = getattr(c, "date_basis", None)
        if basis is None and c.event_index is not None:  # before figures carried their own basis
            basis = x.events[c.event_index].date_basis
        undated = basis == "reference"
        casualties.append({
            "start": c.char_start, "end": c.char_end, "text": c.text, "category": _CATEGORY[c.category],
            "low": low, "high": high, "qualifier": c.qualifier, "cumulative": bool(c.cumulative),
            "event_date_start": None if undated else _iso(c.date_start),
            "event_date_end": None if undated else _iso(c.date_end),
            "date_basis": basis, "rule_id": c.rule_id,
        })
    return {"id": rec["id"], "dateline": {"place": art.dateline_place, "date": _iso(art.dateline_date)},
            "timexes": timexes, "casualties": casualties}


# ---------------------------------------------------------------- scoring
def norm_place(p: str | None) -> str | None:
    if not p or not str(p).strip():
        return None
    p = re.split(r"[,(\[/]| [–—-] ", str(p).strip())[0]
    return re.sub(r"[^\w\s'-]", "", p).strip().casefold() or None


def _spans(items: list[dict], text: str) -> list[tuple[int, int] | None]:
    """Spans of gold or system items: start/end, else text + occurrence (else the first unused one)."""
    used: dict[str, set[int]] = defaultdict(set)
    out: list[tuple[int, int] | None] = []
    for it in items:
        if isinstance(it.get("start"), int) and isinstance(it.get("end"), int):
            out.append((it["start"], it["end"]))
            continue
        t = it.get("text") or ""
        hits, i = [], text.find(t) if t else -1
        while i != -1:
            hits.append(i)
            i = text.find(t, i + 1)
        if not hits:
            out.append(None)
            continue
        k = it.get("occurrence")
        if isinstance(k, int):
            pos = hits[k] if 0 <= k < len(hits) else None
        else:
            free = [h for h in hits if h not in used[t]]
            pos = free[0] if free else hits[0]
        if pos is None:
            out.append(None)
        else:
            used[t].add(pos)
            out.append((pos, pos + len(t)))
    return out


def _overlap(a, b) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def _matching(n_left: int, n_right: int, ok) -> dict[int, int]:
    """Maximum one-to-one matching (augmenting paths); {left: right}."""
    adj = [[j for j in range(n_right) if ok(i, j)] for i in range(n_left)]
    owner: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j in adj[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or assign(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(n_left):
        assign(i, set())
    return {i: j for j, i in owner.items()}


def _prf(tp: int, n_sys: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_sys if n_sys else float(n_gold == 0)
    r = tp / n_gold if n_gold else float(n_sys == 0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def error(self, kind: str, example: str) -> None:
        self.errors[kind] += 1
        self.examples.setdefault(kind, example)


def _timex_kind(text: str) -> str:
    t = text.lower()
    if re.search(r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b", t):
        return "weekday"
    if re.search(r"\b(today|yesterday|tomorrow|tonight|this (morning|evening|afternoon))\b", t):
        return "deictic day"
    if re.search(r"\b(week|weekend)\b", t):
        return "week"
    if re.search(r"\b(month|year)\b", t):
        return "last/this month or year"
    if re.search(r"\b1[0-9]{3}|20[0-9]{2}\b", t):
        return "date with year" if re.search(r"[a-z]", t) else "year"
    return "month or month-day without year"


def _event_kind(g: dict, s: dict) -> str:
    if g.get("event_date_start") is None and g.get("event_date_end") is None:
        return "figure dated where gold has no date"
    if s.get("event_date_start") is None and s.get("event_date_end") is None:
        return "running total undated" if g.get("cumulative") else "figure left undated"
    if g.get("cumulative") or g.get("event_date_start") != g.get("event_date_end"):
        return "period (running total or interval) wrong"
    return "incident day wrong"


def score(articles: dict[str, dict], gold: dict[str, dict], system: dict[str, dict]) -> Tally:
    t = Tally()
    c = t.counts
    for aid in sorted(gold):
        g, s, text = gold[aid], system.get(aid) or {}, articles[aid]["text"]
        # dateline
        gd, sd = g.get("dateline") or {}, s.get("dateline") or {}
        gp, sp = norm_place(gd.get("place")), norm_place(sd.get("place"))
        c["dl_n"] += 1
        c["dl_place_ok"] += gp == sp
        c["dl_date_ok"] += gd.get("date") == sd.get("date")
        if gp is not None:
            c["dl_place_nn"] += 1
            c["dl_place_nn_ok"] += gp == sp
        if gp != sp:
            kind = "dateline missed" if sp is None else ("dateline spurious" if gp is None else "dateline place wrong")
            t.error(kind, f"{aid}: gold {gd.get('place')!r}, got {sd.get('place')!r}")
        # timexes
        gt, st = g.get("timexes", []), s.get("timexes", [])
        gs, ss = _spans(gt, text), _spans(st, text)

        def same(i: int, j: int) -> bool:
            return gt[i]["start_date"] == st[j]["start_date"] and gt[i]["end_date"] == st[j]["end_date"]

        m = _matching(len(gt), len(st), lambda i, j: _overlap(gs[i], ss[j]) and same(i, j))
        span = _matching(len(gt), len(st), lambda i, j: _overlap(gs[i], ss[j]))
        c["tx_gold"] += len(gt)
        c["tx_sys"] += len(st)
        c["tx_tp"] += len(m)
        hit_sys = set(m.values())
        for i, tx in enumerate(gt):
            if i in m:
                continue
            j = span.get(i)
            if j is not None and j not in hit_sys:
                t.error(f"timex value wrong ({_timex_kind(tx['text'])})",
                        f"{aid}: {tx['text']!r} gold {tx['start_date']}..{tx['end_date']}, "
                        f"got {st[j]['start_date']}..{st[j]['end_date']} ({st[j].get('rule_id')})")
            else:
                t.error(f"timex missed ({_timex_kind(tx['text'])})", f"{aid}: {tx['text']!r}")
        spanned = set(span.values())
        for j, tx in enumerate(st):
            if j not in hit_sys and j not in spanned:
                t.error("timex spurious", f"{aid}: {tx['text']!r} ({tx.get('rule_id')})")
        # casualties
        gc, sc = g.get("casualties", []), s.get("casualties", [])
        gcs, scs = _spans(gc, text), _spans(sc, text)

        def key(x: dict) -> tuple:
            return x.get("category"), x.get("low"), x.get("high")

        def ev_ok(i: int, j: int) -> bool:
            return (gc[i].get("event_date_start"), gc[i].get("event_date_end")) == (
                sc[j].get("event_date_start"), sc[j].get("event_date_end"))

        # Same key, preferring overlapping spans, then equal event dates (the folder's tie-break).
        pairs = _matching(len(gc), len(sc), lambda i, j: key(gc[i]) == key(sc[j]) and _overlap(gcs[i], scs[j]))
        rest_g = [i for i in range(len(gc)) if i not in pairs]
        rest_s = [j for j in range(len(sc)) if j not in set(pairs.values())]
        more = _matching(len(rest_g), len(rest_s), lambda a, b: key(gc[rest_g[a]]) == key(sc[rest_s[b]]))
        pairs.update({rest_g[a]: rest_s[b] for a, b in more.items()})
        c["cas_gold"] += len(gc)
        c["cas_sys"] += len(sc)
        c["cas_tp"] += len(pairs)
        subs = {i for i, x in enumerate(gc) if x.get("subset")}
        c["ns_gold"] += len(gc) - len(subs)
        c["ns_sys"] += len(sc) - sum(1 for i in pairs if i in subs)
        c["ns_tp"] += sum(1 for i in pairs if i not in subs)
        for i, j in pairs.items():
            c["cas_ev_ok"] += ev_ok(i, j)
            c["cas_cum_ok"] += bool(gc[i].get("cumulative")) == bool(sc[j].get("cumulative"))
            if not ev_ok(i, j):
                t.error(f"event date: {_event_kind(gc[i], sc[j])}",
                        f"{aid}: {gc[i]['text']!r} gold {gc[i].get('event_date_start')}..{gc[i].get('event_date_end')}"
                        f", got {sc[j].get('event_date_start')}..{sc[j].get('event_date_end')}"
                        f" ({sc[j].get('date_basis')})")
        matched_s = set(pairs.values())
        for i, x in enumerate(gc):
            if i in pairs:
                continue
            near = [j for j in range(len(sc)) if j not in matched_s and _overlap(gcs[i], scs[j])]
            if near:
                y = sc[near[0]]
                kind = "figure category wrong" if y["category"] != x["category"] else "figure low/high wrong"
                t.error(kind, f"{aid}: {x['text']!r} gold {key(x)}, got {key(y)}")
            else:
                t.error(f"figure missed ({x['category']})", f"{aid}: {x['text']!r}")
        for j, y in enumerate(sc):
            if j not in matched_s and not any(_overlap(gcs[i], scs[j]) for i in range(len(gc)) if i not in pairs):
                t.error("figure spurious", f"{aid}: {y['text']!r} {key(y)} ({y.get('rule_id')})")
    return t


def report(t: Tally) -> dict[str, float | None]:
    c = t.counts
    out: dict[str, float | None] = {
        "dateline_place": c["dl_place_nn_ok"] / c["dl_place_nn"] if c["dl_place_nn"] else None,
        "dateline_place_all": c["dl_place_ok"] / c["dl_n"] if c["dl_n"] else None,
        "dateline_date_all": c["dl_date_ok"] / c["dl_n"] if c["dl_n"] else None,
    }
    out["timex_p"], out["timex_r"], out["timex_f1"] = _prf(c["tx_tp"], c["tx_sys"], c["tx_gold"])
    out["casualty_p"], out["casualty_r"], out["casualty_f1"] = _prf(c["cas_tp"], c["cas_sys"], c["cas_gold"])
    out["casualty_nosubset_f1"] = _prf(c["ns_tp"], c["ns_sys"], c["ns_gold"])[2]
    out["event_date"] = c["cas_ev_ok"] / c["cas_tp"] if c["cas_tp"] else None
    out["cumulative"] = c["cas_cum_ok"] / c["cas_tp"] if c["cas_tp"] else None
    return out


def _load(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {r["id"]: r for r in rows}


def _f(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:.3f}"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline eval news", description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", help="folder with articles.jsonl and gold.jsonl (news_dev format)")
    ap.add_argument("--worst", type=int, default=10, help="how many error kinds to print (default 10)")
    ap.add_argument("--ids", help="comma-separated article ids: score only these")
    ap.add_argument("--system-out", help="also write the system output (the folder's format) to this JSON Lines file")
    ap.add_argument("--examples", type=int, default=1, help="examples printed per error kind (default 1)")
    ap.add_argument("--min-casualty-f1", type=float)
    ap.add_argument("--min-event-date", type=float)
    ap.add_argument("--min-dateline", type=float)
    ap.add_argument("--min-timex-f1", type=float)
    args = ap.parse_args(argv)

    folder = Path(args.folder)
    articles, gold = _load(folder / "articles.jsonl"), _load(folder / "gold.jsonl")
    if args.ids:
        keep = {x.strip() for x in args.ids.split(",") if x.strip()}
        gold = {k: v for k, v in gold.items() if k in keep}
    system = {aid: system_record(articles[aid]) for aid in sorted(gold)}
    if args.system_out:
        with open(args.system_out, "w", encoding="utf-8") as fh:
            for rec in system.values():
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    rejected = [aid for aid, r in system.items() if "rejected" in r]
    t = score(articles, gold, system)
    r = report(t)
    c = t.counts
    print(f"corpus: {folder} ({len(gold)} articles; development figures if the rules were tuned on it)")
    if rejected:
        print(f"  rejected by ingest (scored as empty): {', '.join(rejected)}")
    print(f"  dateline place (gold has one)  {_f(r['dateline_place'])}  ({c['dl_place_nn_ok']}/{c['dl_place_nn']});"
          f" all articles: place {_f(r['dateline_place_all'])}, date {_f(r['dateline_date_all'])}")
    print(f"  timex             P {_f(r['timex_p'])}  R {_f(r['timex_r'])}  F1 {_f(r['timex_f1'])}"
          f"  [gold {c['tx_gold']}, system {c['tx_sys']}, matched {c['tx_tp']}]")
    print(f"  casualty figures  P {_f(r['casualty_p'])}  R {_f(r['casualty_r'])}  F1 {_f(r['casualty_f1'])}"
          f"  [gold {c['cas_gold']}, system {c['cas_sys']}, matched {c['cas_tp']}]; without subsets F1"
          f" {_f(r['casualty_nosubset_f1'])}")
    print(f"  matched figures: event date {_f(r['event_date'])} ({c['cas_ev_ok']}/{c['cas_tp']}),"
          f" running-total flag {_f(r['cumulative'])}")
    if args.worst:
        print(f"most common error kinds (of {sum(t.errors.values())}):")
        for kind, n in t.errors.most_common(args.worst):
            print(f"  {n:4d}  {kind}: e.g. {t.examples[kind]}")
    floors = [("casualty_f1", args.min_casualty_f1), ("event_date", args.min_event_date),
              ("dateline_place", args.min_dateline), ("timex_f1", args.min_timex_f1)]
    missed = [(k, f) for k, f in floors if f is not None and (r[k] is None or r[k] < f)]
    for k, f in missed:
        print(f"FLOOR MISSED: {k} {_f(r[k])} < {f}")
    return 1 if missed else 0
