"""The timeline as one HTML page (`--picture x.html`): self-contained, the picture's events, each with its reports;
zoom and click checked in a real headless browser when Chromium is installed."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from pipeline.timeline import main
from pipeline.timeline.page import page_data, write_page
from pipeline.timeline.plot import View, load_timeline, select

BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)


@pytest.fixture(scope="module")
def out(sample_run):
    return sample_run / "data" / "processed"


@pytest.fixture(scope="module")
def page(out, tmp_path_factory):
    target = tmp_path_factory.mktemp("page") / "timeline.html"
    assert main(["--output", str(out), "--picture", str(target)]) == 0
    return target


def test_the_page_shows_the_pictures_events_with_their_reports(out):
    data = page_data(out)
    assert [e["id"] for e in data["events"]] == [r["timeline_id"] for r in select(load_timeline(out)).rows]
    djibo = next(e for e in data["events"] if e["place"].startswith("Djibo"))
    reports = data["reports"][djibo["id"]]
    assert {r["source"] for r in reports} == {"Sample Wire (fictional)", "Sample Herald (fictional)",
                                              "Sample Radio (fictional)", "Sample Courier (fictional)"}  # fmt: skip
    assert any(r["copy"] for r in reports) and all(r["sentence"] for r in reports)
    assert any(f["text"] == "About 30 soldiers were killed" for r in reports for f in r["figures"])
    only_ua = page_data(out, View(countries=frozenset({"UA"})))
    assert only_ua["events"] and all(e["place"].endswith("(UA)") for e in only_ua["events"])


def test_the_page_is_one_file_with_nothing_fetched(page):
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
    assert "@import" not in text and "fetch(" not in text
    payload = re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S).group(1)
    assert json.loads(payload)["events"]  # the data is inlined, and no "</" inside it ends the script early


def test_article_text_cannot_end_the_data_script(out, tmp_path, monkeypatch):
    from pipeline.timeline import page as page_module

    data = page_data(out)
    evil = 'Shelling hit the market.</script><script id="x">alert(1)</script>'
    data["events"][0]["sentence"] = evil
    monkeypatch.setattr(page_module, "page_data", lambda folder, view=None: data)
    text = write_page(out, tmp_path / "p.html").read_text(encoding="utf-8")
    assert '<script id="x">' not in text
    payload = re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S).group(1)
    assert json.loads(payload)["events"][0]["sentence"] == evil  # the text survives unchanged as data


@pytest.mark.skipif(BROWSER is None, reason="no Chromium installed (apt-get install chromium)")
def test_zoom_and_click_in_a_headless_browser(page):
    command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1300,900",
               "--virtual-time-budget=5000", "--dump-dom", page.as_uri() + "#selftest"]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'data-selftest="([^"]*)"', dom)
    assert found, dom[:500]
    result = json.loads(html.unescape(found.group(1)))
    before, zoomed = (tuple(result[k].split("/")) for k in ("before", "zoomed"))
    assert before[0] < zoomed[0] and zoomed[1] < before[1]  # the wheel zoomed in around the middle
    assert result["dots"] > 10 and result["reports"] >= 2 and result["opened"]
    assert "syndicated copy" in dom or "Sample" in dom  # the clicked event's reports are on the page
