"""How well does the timeline merge reports of one event? Pairwise precision and recall on a corpus.

Input: JSON Lines with `text`, `reference_date` (or `published`) and a gold event key (a dotted
path such as `meta.ucdp_id`): articles with the same key report the same real-world event. The
articles go through the real ingest, temporal and extract stages and `build_timeline`; two articles
are predicted to report one event when one timeline row holds events of both. Pairs of articles
are scored: precision = predicted pairs that are gold pairs, recall = gold pairs that are predicted.

    python -m pipeline eval timeline ../shared/corpora/casualties/ucdp_ged231_sample.jsonl --key meta.ucdp_id
"""

from __future__ import annotations

import argparse
import json
import tempfile
from itertools import combinations
from pathlib import Path
from typing import Any


def _get(record: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        record = record.get(part) if isinstance(record, dict) else None
    return record


def score(predicted: set[frozenset[str]], gold: set[frozenset[str]]) -> dict[str, float | int]:
    hit = len(predicted & gold)
    return {
        "predicted_pairs": len(predicted),
        "gold_pairs": len(gold),
        "correct_pairs": hit,
        "precision": round(hit / len(predicted), 3) if predicted else 1.0,
        "recall": round(hit / len(gold), 3) if gold else 1.0,
    }


def evaluate(path: Path, key: str) -> dict[str, Any]:
    from pipeline.run.chain import extract_stage, ingest_stage, temporal_stage
    from pipeline.settings import Settings
    from pipeline.timeline import build_timeline

    gold_of: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        with open(path, encoding="utf-8") as src, open(Path(tmp) / "batch.jsonl", "w", encoding="utf-8") as dst:
            for line in src:
                r = json.loads(line)
                gold_of[r["id"]] = str(_get(r, key))
                row = {"id": r["id"], "text": r["text"], "published": r.get("published") or r["reference_date"]}
                dst.write(json.dumps(row) + "\n")
        articles = ingest_stage(Path(tmp), Settings()).tables["articles"]
    mentions = temporal_stage(articles).tables["mentions"]
    extracted = extract_stage(articles, mentions)
    out = build_timeline(articles, extracted.tables["events"], extracted.tables["casualties"])
    source_of = dict(zip(articles.column("article_id").to_pylist(), articles.column("source_id").to_pylist()))

    predicted = set()
    for ids in out["timeline"].column("article_ids").to_pylist():
        members = sorted({source_of[a] for a in ids})
        predicted.update(frozenset(p) for p in combinations(members, 2))
    with_events = {source_of[a] for a in set(extracted.tables["events"].column("article_id").to_pylist())}
    by_event: dict[str, list[str]] = {}
    for source_id, g in gold_of.items():
        by_event.setdefault(g, []).append(source_id)
    gold_all = {frozenset(p) for ids in by_event.values() for p in combinations(sorted(ids), 2)}
    gold_reachable = {p for p in gold_all if p <= with_events}
    return {
        "articles": len(gold_of),
        "articles_with_events": len(with_events),
        "events": extracted.tables["events"].num_rows,
        "timeline_rows": out["timeline"].num_rows,
        "all gold pairs": score(predicted, gold_all),
        "gold pairs whose articles both gave events": score(predicted, gold_reachable),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline eval timeline", description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="JSON Lines corpus")
    parser.add_argument("--key", required=True, help="dotted path of the gold event id, e.g. meta.ucdp_id")
    args = parser.parse_args(argv)
    print(json.dumps(evaluate(args.path, args.key), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
