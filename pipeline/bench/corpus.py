"""A deterministic generator of news-like articles for benchmarks (never committed; regenerated on demand).

Articles are 3-5 KB, in JSON Lines batches, with datelines, weekdays, month-day dates, casualty figures,
places and filler paragraphs, so every stage does realistic work. The same seed gives the same bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

PLACES = [
    ("KABUL", "Afghanistan", "Herat"), ("BAGHDAD", "Iraq", "Mosul"), ("KYIV", "Ukraine", "Kharkiv"),
    ("NAIROBI", "Kenya", "Mombasa"), ("LAGOS", "Nigeria", "Kano"), ("BEIRUT", "Lebanon", "Tripoli"),
    ("DAMASCUS", "Syria", "Aleppo"), ("KHARTOUM", "Sudan", "Omdurman"), ("MOGADISHU", "Somalia", "Kismayo"),
    ("MANILA", "Philippines", "Cebu"), ("KARACHI", "Pakistan", "Quetta"), ("BAKU", "Azerbaijan", "Ganja"),
]  # fmt: skip
AGENCIES = ["AP", "Reuters", "AFP", "Xinhua", None, None]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "a dozen"]
VICTIMS = ["civilians", "people", "soldiers", "police officers", "children", "villagers"]
ATTACKS = ["a car bomb exploded", "gunmen opened fire", "a missile struck", "shells landed", "a suicide bomber attacked"]
FILLER = [
    "Residents described scenes of panic as emergency crews searched the rubble for survivors.",
    "The {org} said it was sending extra staff and medical supplies to hospitals in the area.",
    "Officials said the toll could rise as rescuers reached districts cut off by the damage.",
    "Witnesses told local television that the blast shattered windows several streets away.",
    "The government called an emergency meeting and promised to compensate the families of the victims.",
    "Analysts said the violence underlined how fragile security remained in the region.",
    "No group immediately claimed responsibility, and the {org} declined to comment on suspects.",
    "Schools and markets in the area were closed for the rest of the week, officials said.",
    "Aid agencies warned that access to clean water and electricity remained limited.",
    "Talks between the sides stalled last month after a dispute over prisoner exchanges.",
]
ORGS = ["Red Cross", "interior ministry", "United Nations", "health ministry", "provincial governor's office"]


FIRST_DAY, DAYS = date(2015, 1, 1), 3650  # articles are published over these ten years


def article(i: int, rng: random.Random, first: date = FIRST_DAY, days: int = DAYS) -> dict:
    capital, country, city = rng.choice(PLACES)
    published = first + timedelta(days=rng.randrange(days))
    event_day = published - timedelta(days=rng.randrange(0, 6))
    weekday = WEEKDAYS[event_day.weekday()]
    agency = rng.choice(AGENCIES)
    dateline = f"{capital}, {country}" + (f" ({agency})" if agency else "") + " –"
    killed, injured = rng.randrange(0, 60), rng.randrange(0, 150)
    killed_words = rng.choice(NUMBER_WORDS) if rng.random() < 0.3 else f"at least {killed}"
    earlier = published - timedelta(days=rng.randrange(20, 200))
    paras = [
        f"{dateline} {rng.choice(ATTACKS).capitalize()} in {city} on {weekday}, killing {killed_words} {rng.choice(VICTIMS)} "
        f"and wounding {injured} others, officials said.",
        f"The attack in {city} came {rng.randrange(2, 9)} days after a similar incident near {capital}, and the "
        f"{rng.choice(ORGS)} said the death toll had risen to {killed + rng.randrange(1, 40)} since "
        f"{MONTHS[earlier.month - 1]} {earlier.day}.",
        f"Report reference {i:07d}: the {rng.choice(ORGS)} said late on {weekday} that "
        f"{rng.randrange(3, 30)} of the wounded were in critical condition.",
    ]
    while sum(len(p) for p in paras) < rng.randrange(3000, 4800):
        paras.append(" ".join(rng.choice(FILLER).format(org=rng.choice(ORGS)) for _ in range(rng.randrange(2, 5))))
    return {
        "id": f"bench-{i:07d}",
        "published": published.isoformat(),
        "source": rng.choice(["Sample Wire", "Daily Sample", "Sample Times"]),
        "title": f"Attack in {city} kills {killed}",
        "text": "\n\n".join(paras),
    }


def articles(n: int, seed: int = 0) -> Iterator[dict]:
    rng = random.Random(seed)
    for i in range(n):
        yield article(i, rng)


def next_day(n: int, seed: int = 1) -> list[dict]:
    """`n` articles published on the day after the generated ten years, as a nightly run would add them
    (ids of their own, so they never collide with `articles`)."""
    rng = random.Random(seed)
    return [{**article(i, rng, FIRST_DAY + timedelta(days=DAYS), 1), "id": f"bench-next-{i:05d}"} for i in range(n)]


def write_corpus(folder: Path, n: int, per_file: int = 2000, seed: int = 0) -> tuple[int, int]:
    """Write `n` articles as JSON Lines files of `per_file` articles; returns (files, bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = size = 0
    fh = None
    try:
        for i, record in enumerate(articles(n, seed)):
            if i % per_file == 0:
                if fh:
                    fh.close()
                fh = open(folder / f"batch-{i // per_file:05d}.jsonl", "w", encoding="utf-8")
                files += 1
            line = json.dumps(record, ensure_ascii=False) + "\n"
            size += len(line.encode("utf-8"))
            fh.write(line)
    finally:
        if fh:
            fh.close()
    return files, size


SINGLE_FILE_KINDS = ("front matter", "sidecar", "news-please JSON", "HTML")


def _page(record: dict) -> str:
    from html import escape

    paras = "\n".join(f"<p>{escape(p)}</p>" for p in record["text"].split("\n\n"))
    title = escape(record["title"])
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title} | {record["source"]}</title>\n'
        f'<meta property="og:title" content="{title}"><meta property="og:site_name" content="{record["source"]}">\n'
        f'<meta property="og:url" content="https://news.example.org/{record["id"]}">\n'
        f'<meta property="article:published_time" content="{record["published"]}T10:00:00+00:00"></head>\n'
        '<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>\n'
        f"<main><article><h1>{title}</h1>\n{paras}\n</article></main>\n"
        "<footer><p>Copyright Example Media. All rights reserved.</p></footer></body></html>\n"
    )


def write_single_files(folder: Path, n: int, seed: int = 0, per_folder: int = 1000) -> tuple[int, int]:
    """The same `n` articles as `articles(n, seed)`, one per file, as an archive holds them: in turn a text file
    with front matter, a text file with a JSON sidecar, a news-please JSON file and a saved HTML page, in folders
    of `per_folder`. Returns (files, bytes)."""
    files = size = 0
    for i, r in enumerate(articles(n, seed)):
        sub = folder / f"part-{i // per_folder:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        kind = i % len(SINGLE_FILE_KINDS)
        if kind == 0:
            head = "".join(f"{k}: {json.dumps(r[k])}\n" for k in ("id", "published", "source", "title"))
            out = {f"{r['id']}.md": f"---\n{head}---\n\n{r['text']}"}
        elif kind == 1:
            meta = {k: r[k] for k in ("id", "published", "source", "title")}
            out = {f"{r['id']}.txt": r["text"], f"{r['id']}.json": json.dumps(meta)}
        elif kind == 2:
            out = {f"{r['id']}.json": json.dumps({
                "authors": [], "date_download": f"{r['published']} 23:00:00", "date_publish": f"{r['published']} 10:00:00",
                "language": "en", "maintext": r["text"], "source_domain": "news.example.org", "title": r["title"],
                "url": f"https://news.example.org/{r['id']}",
            })}  # fmt: skip
        else:
            out = {f"{r['id']}.html": _page(r)}
        for name, content in out.items():
            data = content.encode("utf-8")
            (sub / name).write_bytes(data)
            files += 1
            size += len(data)
    return files, size
