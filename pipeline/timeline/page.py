"""The timeline as one self-contained HTML page: the picture's view, zoomable, each event with its reports.

`python -m pipeline timeline --picture timeline.html` writes it (a `.html` picture path). The page is one
file with its data inlined as JSON and a few dozen lines of plain JavaScript drawing SVG: no server, no
CDN, nothing fetched, so it can be mailed or attached as it is. It shows the same events as the PNG
(`plot.select`: violent events by default, zoomed to the busiest period, the same options); the mouse
wheel zooms the time axis around the pointer, dragging pans, double-click resets. A click on an event (its
dot, or its line in the list below) shows every report merged into it: outlet, date, headline, the sentence
the event was read from, whether it is a syndicated copy, and the casualty figures with their own words.
`#selftest` at the end of the address makes the page zoom once and open the first event with reports, and
record what it did on `<body data-selftest=...>` (tests/test_timeline_page.py runs it in headless Chromium).
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.timeline.plot import View, colours, lanes, select

MAX_EVENTS = 2000  # a page with more events keeps those with the most killed + injured (about 2 MB per 1,000)


def _read(folder: Path, table: str, columns: list[str]) -> list[dict[str, Any]]:
    path = folder / f"{table}.parquet"
    return pq.read_table(path, columns=columns).to_pylist() if path.exists() else []


def page_data(folder: Path, view: View = View()) -> dict[str, Any]:
    """What the page shows, as plain JSON-ready data: events, rows, colours, notes and each event's reports."""
    from pipeline.timeline.plot import casualties, load_timeline

    sel = select(load_timeline(folder), view)
    rows = sel.rows
    notes = list(sel.notes)
    if len(rows) > MAX_EVENTS:
        rows = sorted(rows, key=lambda r: (-casualties(r), r["timeline_id"]))[:MAX_EVENTS]
        rows.sort(key=lambda r: (r["date_start"], r["date_end"], r["timeline_id"]))
        notes.append(f"the {MAX_EVENTS:,} events with the most killed + injured of {len(sel.rows):,}")
    names, order = lanes(rows) if rows else ([], [])
    wanted = {e for r in rows for e in r["event_ids"]}
    links = [x for x in _read(folder, "timeline_links", ["event_id", "timeline_id", "article_id", "is_copy", "link"])
             if x["event_id"] in wanted]  # fmt: skip
    sentences = {e["event_id"]: e["sentence"] for e in _read(folder, "events", ["event_id", "sentence"]) if e["event_id"] in wanted}
    figures: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in _read(folder, "casualties", ["event_id", "category", "low", "best", "high", "qualifier", "cumulative", "text"]):
        if c["event_id"] in wanted:
            figures[c.pop("event_id")].append(c)
    arts = {a["article_id"]: a for a in _read(folder, "articles", ["article_id", "source", "published", "title"])}
    reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for x in sorted(links, key=lambda x: (x["link"] != "seed", x["event_id"])):
        a = arts.get(x["article_id"], {})
        reports[x["timeline_id"]].append({
            "source": a.get("source"), "published": a.get("published"), "title": a.get("title"),
            "sentence": sentences.get(x["event_id"]), "copy": bool(x["is_copy"]), "link": x["link"],
            "figures": figures.get(x["event_id"], []),
        })  # fmt: skip
    colour = {t: "#%02x%02x%02x" % tuple(int(255 * v) for v in c[:3]) for t, c in colours([r["event_type"] for r in rows]).items()}
    events = [
        {
            "id": r["timeline_id"], "start": r["date_start"].isoformat(), "end": r["date_end"].isoformat(),
            "precision": r["date_precision"], "type": r["event_type"], "lane": order.index(name), "place": name,
            "killed": [r["killed_low"], r["killed_best"], r["killed_high"]],
            "injured": [r["injured_low"], r["injured_best"], r["injured_high"]],
            "size": casualties(r), "articles": r["n_articles"], "copies": r["n_copies"], "sources": r["sources"],
            "sentence": r["sentence"],
        }
        for r, name in zip(rows, names)
    ]  # fmt: skip
    return {
        "title": "News event timeline",
        "filters": sel.filters, "notes": notes, "lanes": order, "colours": colour, "events": events,
        "start": sel.start.isoformat() if sel.start else None,
        "end": sel.end.isoformat() if sel.end else None,
        "reports": {e["id"]: reports.get(e["id"], []) for e in events},
    }  # fmt: skip


def write_page(folder: Path, target: Path, view: View = View()) -> Path:
    data = page_data(folder, view)
    # inlined as JSON inside <script>: "</" must not end the script element early
    payload = json.dumps(data, ensure_ascii=False, default=str).replace("</", "<\\/")
    text = TEMPLATE.replace("__TITLE__", html.escape(data["title"])).replace("__DATA__", payload)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .2em; } .sub, .note { color: #555; font-size: .9em; }
#chart { width: 100%; border: 1px solid #ddd; cursor: grab; user-select: none; }
#chart text { font-size: 11px; fill: #333; } .lane { stroke: #f0f0f0; } .tick { stroke: #e4e4e4; }
circle.ev { stroke: #000; stroke-width: .5; fill-opacity: .75; cursor: pointer; } circle.ev.on { stroke-width: 2.5; }
#legend span { margin-right: 1em; white-space: nowrap; } #legend i { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .3em; }
#layout { display: flex; gap: 1.5em; align-items: flex-start; } #list { flex: 1; max-height: 24em; overflow: auto; }
#detail { flex: 1; border-left: 3px solid #ccc; padding-left: 1em; min-height: 4em; }
table { border-collapse: collapse; width: 100%; } td, th { padding: 2px 6px; text-align: left; border-bottom: 1px solid #eee; font-size: .9em; }
tr.row { cursor: pointer; } tr.row:hover, tr.row.on { background: #fff4d6; }
.report { margin: .6em 0; } .copy { color: #a60; } q { font-style: italic; }
</style></head>
<body>
<h1>__TITLE__</h1><div class="sub" id="sub"></div>
<div id="legend"></div>
<svg id="chart" role="img" aria-label="events over time"></svg>
<div class="note" id="notes"></div>
<div id="layout"><div id="list"><table><thead><tr><th>date</th><th>place</th><th>type</th><th>killed</th><th>injured</th><th>reports</th></tr></thead><tbody id="rows"></tbody></table></div>
<div id="detail">Click an event (a dot or a line of the list) to see its reports.</div></div>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const DAY = 86400000, svg = document.getElementById("chart"), NS = "http://www.w3.org/2000/svg";
const t = s => Date.parse(s + "T00:00:00Z");
const left = 170, padTop = 10, laneH = 26, height = padTop + D.lanes.length * laneH + 40;
let x0 = D.start ? t(D.start) - DAY : 0, x1 = D.end ? t(D.end) + 2 * DAY : 1;
const home = [x0, x1];
const esc = s => String(s == null ? "" : s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]);
const span = (v) => v[0] == null && v[2] == null ? "" : (v[0] === v[2] || v[2] == null ? String(v[0] ?? "") : (v[0] == null ? "up to " + v[2] : v[0] + "–" + v[2]));
function el(name, attrs, parent) { const e = document.createElementNS(NS, name); for (const k in attrs) e.setAttribute(k, attrs[k]); parent.appendChild(e); return e; }
function fmt(ms, step) { const d = new Date(ms); const m = d.toLocaleString("en-GB", {month: "short", timeZone: "UTC"});
  return step >= 300 * DAY ? String(d.getUTCFullYear()) : step >= 25 * DAY ? m + " " + d.getUTCFullYear() : d.getUTCDate() + " " + m + " " + d.getUTCFullYear(); }
function draw() {
  const width = svg.clientWidth || 1000, plotW = width - left - 20;
  const X = ms => left + (ms - x0) / (x1 - x0) * plotW;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`); svg.setAttribute("height", height);
  svg.dataset.domain = new Date(x0).toISOString().slice(0, 10) + "/" + new Date(x1).toISOString().slice(0, 10);
  svg.replaceChildren();
  D.lanes.forEach((name, i) => { const y = padTop + i * laneH + laneH / 2;
    el("line", {x1: left, x2: width - 20, y1: y, y2: y, class: "lane"}, svg);
    el("text", {x: left - 8, y: y + 4, "text-anchor": "end"}, svg).textContent = name; });
  const steps = [1, 2, 7, 14, 30.44, 91.3, 182.6, 365.25, 730.5, 1826].map(d => d * DAY);
  const step = steps.find(s => (x1 - x0) / s <= 9) || steps[steps.length - 1];
  for (let ms = Math.ceil(x0 / step) * step; ms <= x1; ms += step) { const x = X(ms);
    el("line", {x1: x, x2: x, y1: padTop, y2: height - 30, class: "tick"}, svg);
    el("text", {x: x, y: height - 12, "text-anchor": "middle"}, svg).textContent = fmt(ms, step); }
  for (const e of D.events) { const a = t(e.start), b = t(e.end) + DAY;
    if (b < x0 || a > x1) continue;
    const y = padTop + e.lane * laneH + laneH / 2, c = D.colours[e.type], clip = v => Math.min(width - 20, Math.max(left, v));
    if (e.precision !== "day") el("line", {x1: clip(X(a)), x2: clip(X(b)), y1: y, y2: y, stroke: c, "stroke-width": 5, "stroke-opacity": .35}, svg);
    const cx = X((a + b) / 2);
    if (cx < left || cx > width - 20) continue;  // the middle is off the shown period: the bar alone shows it
    const dot = el("circle", {cx: cx, cy: y, r: 3 + 1.6 * Math.sqrt(e.size), fill: c, class: "ev" + (e.id === chosen ? " on" : "")}, svg);
    dot.dataset.id = e.id;
    el("title", {}, dot).textContent = `${e.place}, ${e.start}: ${e.type}` + (e.size ? `, ${span(e.killed)} killed, ${span(e.injured)} injured` : ""); }
}
let chosen = null;
function show(id) {
  chosen = id; const e = D.events.find(e => e.id === id), reports = D.reports[id] || [];
  const figs = fs => fs.map(f => `${esc(f.category)} ${esc(f.best ?? span([f.low, null, f.high]))}${f.cumulative ? " (running total)" : ""}: <q>${esc(f.text)}</q>`).join("; ");
  document.getElementById("detail").innerHTML = `<h2>${esc(e.place)}, ${esc(e.start)}${e.end !== e.start ? "–" + esc(e.end) : ""}: ${esc(e.type)}</h2>
    <p>${e.size ? `killed ${esc(span(e.killed))}, injured ${esc(span(e.injured))}; ` : ""}${e.articles} independent report(s), ${e.copies} syndicated cop${e.copies === 1 ? "y" : "ies"}</p>` +
    reports.map(r => `<div class="report"><b>${esc(r.source || "unknown outlet")}</b>, ${esc(r.published || "")}${r.copy ? ' <span class="copy">(syndicated copy)</span>' : ""}
      <br>${esc(r.title || "")}<br><q>${esc(r.sentence)}</q>${r.figures.length ? "<br>figures: " + figs(r.figures) : ""}</div>`).join("");
  document.querySelectorAll("tr.row").forEach(tr => tr.classList.toggle("on", tr.dataset.id === id));
  draw();
}
function zoom(factor, at) { const w = (x1 - x0) * factor; const p = (at - x0) / (x1 - x0); x0 = at - p * w; x1 = x0 + w; draw(); }
svg.addEventListener("wheel", ev => { ev.preventDefault(); const r = svg.getBoundingClientRect(), plotW = r.width - left - 20;
  const at = x0 + (ev.clientX - r.left - left) / plotW * (x1 - x0); zoom(ev.deltaY > 0 ? 1.25 : 0.8, at); }, {passive: false});
let drag = null;
svg.addEventListener("mousedown", ev => { drag = {x: ev.clientX, x0, x1}; });
window.addEventListener("mouseup", () => { drag = null; });
window.addEventListener("mousemove", ev => { if (!drag) return; const plotW = svg.getBoundingClientRect().width - left - 20;
  const shift = (ev.clientX - drag.x) / plotW * (drag.x1 - drag.x0); x0 = drag.x0 - shift; x1 = drag.x1 - shift; draw(); });
svg.addEventListener("dblclick", () => { [x0, x1] = home; draw(); });
svg.addEventListener("click", ev => { const id = ev.target.dataset && ev.target.dataset.id; if (id) show(id); });
document.getElementById("sub").textContent = `${D.events.length} events, ${D.start} – ${D.end}` + (D.filters.length ? ` (${D.filters.join(" · ")})` : "") + ". Wheel: zoom; drag: pan; double-click: reset.";
document.getElementById("notes").textContent = D.notes.join("; ");
document.getElementById("legend").innerHTML = Object.entries(D.colours).map(([k, c]) => `<span><i style="background:${c}"></i>${esc(k)}</span>`).join("");
document.getElementById("rows").innerHTML = D.events.map(e => `<tr class="row" data-id="${esc(e.id)}"><td>${esc(e.start)}</td><td>${esc(e.place)}</td><td>${esc(e.type)}</td><td>${esc(span(e.killed))}</td><td>${esc(span(e.injured))}</td><td>${e.articles}</td></tr>`).join("");
document.getElementById("rows").addEventListener("click", ev => { const tr = ev.target.closest("tr.row"); if (tr) show(tr.dataset.id); });
window.addEventListener("resize", draw);
draw();
if (location.hash === "#selftest") {
  const before = svg.dataset.domain, first = D.events.find(e => (D.reports[e.id] || []).length > 1) || D.events[0];
  const r = svg.getBoundingClientRect();
  svg.dispatchEvent(new WheelEvent("wheel", {deltaY: -100, clientX: r.left + r.width / 2, clientY: r.top + 20, bubbles: true, cancelable: true}));
  const zoomed = svg.dataset.domain;
  if (first) document.querySelector(`tr.row[data-id="${first.id}"]`).click();
  document.body.dataset.selftest = JSON.stringify({before, zoomed, dots: svg.querySelectorAll("circle.ev").length, opened: first ? first.id : null,
    reports: document.querySelectorAll("#detail .report").length});
}
</script></body></html>
"""
