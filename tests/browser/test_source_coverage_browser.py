"""The source page in a real browser, at a phone and a desktop width: the page never scrolls
sideways, and a sentence nothing in the graph cites is visibly marked, with words and not by
colour alone. Screenshots go to ``$AFKG_ARTEFACTS/screenshots`` (or a temporary folder).

The project is copied with the made-up relation of tests/pairs/testland-otherland, whose trade
paragraph gets one more sentence that nothing cites. The two source pages and their stylesheets
are written as the static site writes them and served on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
from pathlib import Path

import pytest
from browserkit import BROWSER_MARKS, serving
from test_site_browser import PROJECT, Visit

from afkg.layout import Layout
from afkg.publish.site import Site
from afkg.publish.site.links import file_for

pytestmark = BROWSER_MARKS

UNCITED = "Their trade has grown every year since."
PAGES = ("/source/albania-france", "/source/testland-otherland", "/static/style.css", "/static/source.css")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("source-coverage")
    for name in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT / name, root / "project" / name)
    folder = root / "project" / "data" / "testland-otherland"
    shutil.copytree(PROJECT / "tests" / "pairs" / "testland-otherland", folder)
    text = (folder / "source.txt").read_text(encoding="utf-8")
    (folder / "source.txt").write_text(text.replace("€8 million.", f"€8 million. {UNCITED}"), encoding="utf-8")
    site = Site.from_layout(Layout(root / "project"))
    public = root / "public"
    for path in PAGES:
        answer = site.get(path, static=True)
        assert answer.status == 200, path
        target = public / file_for(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(answer.body)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    with serving(functools.partial(Quiet, directory=str(public))) as url:
        yield url


def test_the_source_page_fits_the_screen_and_marks_the_uncited_sentence(browser, base_url, tmp_path):
    chosen = os.environ.get("AFKG_ARTEFACTS")
    shots = Path(chosen) / "screenshots" if chosen else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        for name in ("albania-france", "testland-otherland"):
            visit = Visit(browser, base_url, f"source/{name}.html", width)
            try:
                page = visit.page
                assert visit.errors == [] and visit.outside() == []
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, (name, width, overflow)
                assert page.locator(".coverage-summary").first.is_visible()
                if name == "albania-france":
                    assert page.locator(".source-text .source-sentence.uncited").count() == 0
                    continue
                assert page.locator(".coverage-summary").inner_text() == "2 of 3 sentences cited (66.6%; 2 by a fact)"
                sentence = page.locator(".source-text .source-sentence.uncited")
                assert sentence.count() == 1 and sentence.inner_text() == UNCITED
                style = sentence.evaluate("e => { const s = getComputedStyle(e); return [s.textDecorationLine, "
                                          "s.textDecorationStyle, s.backgroundImage]; }")
                assert style[0] == "underline" and style[1] == "wavy" and style[2] != "none", style
                label = page.locator("#sentence-3 + .cover-mark")
                assert label.is_visible() and label.inner_text() == "not cited"
                box, screen = label.bounding_box(), page.viewport_size
                assert box["width"] > 20 and 0 <= box["x"] and box["x"] + box["width"] <= screen["width"]
                cited = page.locator("#sentence-2 + .cover-mark")
                assert cited.get_attribute("href") == "#cites-2"
                assert cited.evaluate("e => e.getBoundingClientRect().width") < box["width"]  # only "3" shows
                page.screenshot(path=str(shots / f"source-coverage-{width}.png"), full_page=True)
            finally:
                visit.close()
