"""The site's layout in a real browser at a desktop and a phone width (Playwright driving Debian's
Chromium at /usr/bin/chromium): no page scrolls sideways, the timeline's labels never overlap,
open-ended periods run on as open bars, the relationships lane holds the ties, and the trade
chart fits the screen. The static site is served from a temporary folder; ``/live/...`` answers
from a Site of three relations (the made-up ones of tests/pairs beside the real one), for the
pages that take ``?relation=``.

Skipped when /usr/bin/chromium is missing (``apt-get install chromium``); screenshots go to
``$AFKG_ARTEFACTS/screenshots`` (or a temporary folder).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from browserkit import BROWSER_MARKS, serving, site_without_exports

from afkg.layout import Layout
from afkg.publish.site import Site, write_site

PROJECT = Path(__file__).resolve().parents[2]

pytestmark = BROWSER_MARKS

PAGES = {
    "home": "index.html",
    "relation": "relation/albania-france.html",
    "resource": "resource/Albania.html",
    "fact": "resource/fact/trade-2024-france-exports-to-albania.html",
    "source": "source/albania-france.html",
    "queries": "queries.html",
    "query-results": "queries/timeline.html",
    "trade-query": "queries/trade-by-year.html",
    "timeline": "timeline.html",
    "trade": "trade.html",
    "ontology": "ontology.html",
    "editor": "sparql.html",
}
LIVE_PAGES = {"timeline-of-three": "live/timeline", "trade-of-three": "live/trade",
              "timeline-of-one-of-three": "live/timeline?relation=testland-otherland"}
WIDTHS = {"desktop": 1280, "phone": 390}

VISIBLE_SVG = """(kind) => [...document.querySelectorAll('svg.' + kind)]
    .filter(svg => getComputedStyle(svg).display !== 'none')"""

BOXES = """(kind) => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const svgs = [...document.querySelectorAll('svg.' + kind)].filter(s => getComputedStyle(s).display !== 'none');
  return svgs.map(svg => ({
    svg: box(svg),
    texts: [...svg.querySelectorAll('text')].flatMap(t => {
      const spans = [...t.querySelectorAll('tspan')];
      const owner = t.closest('a') ? t.closest('a').getAttribute('href') : null;
      return (spans.length ? spans : [t]).map(s => ({box: box(s), text: s.textContent, owner}));
    }).filter(t => t.text.trim() !== ''),
    marks: [...svg.querySelectorAll('.mark')].map(m => ({
      box: box(m), owner: m.closest('a') ? m.closest('a').getAttribute('href') : null,
      classes: m.getAttribute('class')})),
  }));
}"""


@pytest.fixture(scope="module")
def site() -> Site:
    return site_without_exports(PROJECT)


def three_relations(root: Path) -> Site:
    """The site of a project copy in ``root`` with the two made-up relations beside the real one."""
    for name in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT / name, root / name)
    for pair in ("farland-france", "testland-otherland"):
        shutil.copytree(PROJECT / "tests" / "pairs" / pair, root / "data" / pair)
    return Site.from_layout(Layout(root))


@pytest.fixture(scope="module")
def base_url(site, tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout") / "public"
    write_site(site, folder)
    three_root = tmp_path_factory.mktemp("three")
    lock = threading.Lock()
    built: list[Site] = []

    def three() -> Site:  # built on the first /live/ request only: the fast tier asks for none
        with lock:
            if not built:
                built.append(three_relations(three_root))
            return built[0]

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            if parts.path.startswith("/live/"):
                answer = three().get(parts.path[len("/live"):], dict(parse_qsl(parts.query)), base="/live")
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.media_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
                return None
            return super().do_GET()

    with serving(functools.partial(Handler, directory=str(folder))) as url:
        yield url


@pytest.fixture()
def open_page(browser, base_url):
    contexts = []

    def opener(path: str, width: int):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base_url}/{path}", wait_until="load")
        page.errors = errors
        return page

    yield opener
    for context in contexts:
        context.close()


def overlaps(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    """True if two boxes (left, top, right, bottom) share more than ``slack`` pixels both ways."""
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


def inside(box: list[float], frame: list[float], slack: float = 0.5) -> bool:
    return (box[0] >= frame[0] - slack and box[1] >= frame[1] - slack and box[2] <= frame[2] + slack
            and box[3] <= frame[3] + slack)


@pytest.mark.sample(1)
@pytest.mark.parametrize("width", sorted(WIDTHS.values()))
@pytest.mark.parametrize("kind", sorted(PAGES) + sorted(LIVE_PAGES))
def test_no_page_scrolls_sideways(open_page, artefacts, kind, width):
    page = open_page(PAGES.get(kind) or LIVE_PAGES[kind], width)
    if kind == "editor":
        page.wait_for_selector(".yasqe .CodeMirror")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artefacts / f"layout-{kind}-{width}.png"), full_page=True)
    assert page.errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth"), kind
    # wide things scroll inside their own box: nothing reaches past the screen but inside one
    sticking_out = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter(e => !e.closest('.scroll, pre, .ontology section.scheme, #yasgui, .CodeMirror'))
        .map(e => e.tagName + '.' + e.className)""")
    assert sticking_out == [], (kind, sticking_out[:5])


def cases(paths: list[str], fast: set[tuple[str, int]]) -> list:
    """Every path at every width; those not in ``fast`` are left to the slow tier."""
    return [pytest.param(path, width, id=f"{path}-{width}",
                         marks=[] if (path, width) in fast else [pytest.mark.slow])
            for path in paths for width in sorted(WIDTHS.values())]


@pytest.mark.parametrize(("path", "width"), cases(
    ["timeline.html", "live/timeline", "live/timeline?relation=farland-france"],
    {("timeline.html", 390)}))
def test_timeline_labels_never_overlap_and_stay_in_the_picture(open_page, path, width):
    page = open_page(path, width)
    [picture] = page.evaluate(BOXES, "timeline")
    assert picture["svg"][2] <= width and picture["svg"][0] >= 0  # the whole picture on the screen
    texts = picture["texts"]
    assert len(texts) > 20
    for n, a in enumerate(texts):
        assert inside(a["box"], picture["svg"]), a
        for b in texts[n + 1:]:
            assert not overlaps(a["box"], b["box"]), (a, b)
    labels = [t for t in texts if t["owner"]]
    for mark in picture["marks"]:
        for label in labels:
            if label["owner"] != mark["owner"]:
                assert not overlaps(label["box"], mark["box"]), (label, mark)


@pytest.mark.slow
@pytest.mark.parametrize("width", sorted(WIDTHS.values()))
def test_open_periods_run_on_and_the_relationships_lane_holds_the_ties(open_page, artefacts, width):
    page = open_page("timeline.html", width)
    page.screenshot(path=str(artefacts / f"layout-timeline-chart-{width}.png"), full_page=True)
    [picture] = page.evaluate(BOXES, "timeline")
    marks = picture["marks"]
    open_end = [m for m in marks if "open-end" in m["classes"]]
    assert open_end, "no open-ended period"
    # "since 2019" runs on to the end of the dated axis (the column "no date" comes after it)
    axis_end = page.evaluate(f"""() => {{
        const svg = ({VISIBLE_SVG})('timeline')[0];
        const lines = [...svg.querySelectorAll('.axis line')];
        return Math.max(...lines.map(l => l.getBoundingClientRect().right)); }}""")
    assert max(m["box"][2] for m in open_end) >= axis_end - 4
    svg = page.locator("svg.timeline").filter(has=page.locator(".mark.open-end")).locator("visible=true")
    assert svg.locator(".mark.open-end path").count() >= 1  # the arrow
    assert any("open-start" in m["classes"] for m in marks)  # "until 1920"
    names = [t["text"] for t in picture["texts"] if not t["owner"]]
    assert "Relationships" in names and "no date" in names
    ties = [m for m in marks if "relationships" in m["classes"].split()]
    assert len(ties) == 6 and all(m["box"][2] - m["box"][0] >= 8 for m in ties)


@pytest.mark.parametrize(("path", "width"), cases(["trade.html", "live/trade"], set()))
def test_the_trade_chart_is_not_clipped(open_page, path, width):
    page = open_page(path, width)
    pictures = page.evaluate(BOXES, "trade")
    assert len(pictures) == (1 if path == "trade.html" else 3)
    main = page.evaluate("(() => { const r = document.querySelector('main').getBoundingClientRect();"
                         " return [r.left, r.top, r.right, r.bottom]; })()")
    for picture in pictures:
        assert inside(picture["svg"], [0, picture["svg"][1], width, picture["svg"][3]])
        assert picture["svg"][2] <= main[2] + 0.5
        for thing in picture["texts"] + picture["marks"]:
            assert inside(thing["box"], picture["svg"]), thing
            assert thing["box"][2] > thing["box"][0]
        flows = [m for m in picture["marks"] if "flow" in m["classes"]]
        assert len(flows) >= 2
    if path == "trade.html":
        titles = page.locator("svg.trade").locator("visible=true").locator(".mark.flow title").all_text_contents()
        assert sorted(titles) == ["Albania to France, 2024: 16.1 million EUR",
                                  "France to Albania, 2024: 22.8 million EUR"]


@pytest.mark.slow
def test_the_relation_picker_shows_one_relation_in_its_colour(open_page):
    page = open_page("live/timeline", 390)
    page.get_by_role("navigation", name="Relations").get_by_role("link", name="Farland–France relations").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).query == "relation=farland-france"
    assert page.locator("h1").inner_text() == "Timeline: Farland–France relations"
    classes = page.evaluate(f"""() => ({VISIBLE_SVG})('timeline')[0].querySelectorAll('.mark').length
        ? [...({VISIBLE_SVG})('timeline')[0].querySelectorAll('.mark')].map(m => m.getAttribute('class'))
        : []""")
    colours = {c for cls in classes for c in cls.split() if c.startswith("rel-")}
    assert colours == {"rel-1", "rel-shared"}  # Farland's own, and the Balkan Wars two articles state
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
