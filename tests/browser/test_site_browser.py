"""The site in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

The static site is written into a temporary folder and served by a small static HTTP
server on 127.0.0.1 (a free port). The same server answers ``/sparql`` from the local
store, so the editor can run a query, and ``/live/...`` from the Site object itself, so
the query form can be submitted without JavaScript. Every page must load with no console
error and no request leaving 127.0.0.1; screenshots at a desktop and a phone width are
written to ``$AFKG_ARTEFACTS/screenshots`` (or a temporary folder).

The tests are skipped only when /usr/bin/chromium is missing (``apt-get install chromium``).
"""

from __future__ import annotations

import functools
import http.server
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from browserkit import BROWSER_MARKS, serving, site_without_exports

from afkg.publish.site import Site, write_site

PROJECT = Path(__file__).resolve().parents[2]

pytestmark = [*BROWSER_MARKS, pytest.mark.sample(2)]

PAGES = {
    "home": "index.html",
    "resource": "resource/Albania.html",
    "fact": "resource/fact/trade-2024-france-exports-to-albania.html",
    "passage": "resource/source/albania-france/economic-relations-1.html",
    "ontology": "ontology.html",
    "source": "source/albania-france.html",
    "queries": "queries.html",
    "query": "queries/trade-by-year.html",
    "timeline": "timeline.html",
    "trade": "trade.html",
    "editor": "sparql.html",
}
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def site() -> Site:
    return site_without_exports(PROJECT)


@pytest.fixture(scope="module")
def folder(site, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "public"
    write_site(site, out)
    return out


def _handler(folder: Path, site: Site):
    from afkg.query.results import GraphResult, render

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status: int, media: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _sparql(self, text: str) -> None:
            result = site.engine().run(text, {})
            if isinstance(result, GraphResult):
                self._answer(200, "text/turtle", render(result, "turtle").encode())
            else:
                self._answer(200, "application/sparql-results+json", render(result, "json").encode())

        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            if parts.path == "/sparql" and parts.query:
                return self._sparql(dict(parse_qsl(parts.query))["query"])
            if parts.path.startswith("/live/"):
                answer = site.get(parts.path[len("/live"):], dict(parse_qsl(parts.query)),
                                  self.headers.get("Accept"), base="/live")
                return self._answer(answer.status, answer.media_type, answer.body)
            return super().do_GET()

        def do_POST(self):  # noqa: N802
            length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
            form = dict(parse_qsl(self.rfile.read(length).decode("utf-8")))
            if urlsplit(self.path).path == "/sparql" and "query" in form:
                return self._sparql(form["query"])
            return self._answer(404, "text/plain", b"not found")

    return functools.partial(Handler, directory=str(folder))


@pytest.fixture(scope="module")
def base_url(folder, site):
    with serving(_handler(folder, site)) as url:
        yield url


class Visit:
    """A page opened in the browser, with what it logged and asked for."""

    def __init__(self, browser, base_url: str, path: str, width: int = 1280, javascript: bool = True) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.base_url = base_url
        self.page.goto(f"{base_url}/{path}", wait_until="load")

    def outside(self) -> list[str]:
        return [u for u in self.requests if not (u.startswith(self.base_url + "/") or u.startswith("data:"))]

    def close(self) -> None:
        self.context.close()


@pytest.mark.sample(1)
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_every_kind_of_page_loads_cleanly_and_stays_on_this_host(browser, base_url, artefacts, kind):
    for name, width in WIDTHS.items():
        visit = Visit(browser, base_url, PAGES[kind], width)
        try:
            if kind == "editor":
                visit.page.wait_for_selector(".yasqe .CodeMirror")
            visit.page.wait_for_load_state("networkidle")
            visit.page.screenshot(path=str(artefacts / f"{kind}-{name}.png"), full_page=True)
            assert visit.errors == [], (kind, name, visit.errors)
            assert visit.outside() == [], (kind, name)
            assert len(visit.requests) >= 2  # the page and its stylesheet at least
            # readable on a phone: nothing wider than the screen but scrolling tables and code
            overflow = visit.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (kind, name, overflow)
        finally:
            visit.close()


@pytest.mark.slow
def test_resource_page_links_wikidata_and_its_facts(browser, base_url):
    visit = Visit(browser, base_url, PAGES["resource"])
    try:
        assert visit.page.locator('a[href="https://www.wikidata.org/wiki/Q222"]').count() >= 1
        fact = visit.page.get_by_role("link", name="Albania, member of NATO")
        assert fact.count() == 1
        fact.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url.endswith("/resource/fact/membership-albania-nato.html")
        assert visit.page.locator("h1").inner_text() == "Albania, member of NATO"
    finally:
        visit.close()


@pytest.mark.slow
def test_fact_page_shows_its_quote_linked_to_the_source(browser, base_url):
    visit = Visit(browser, base_url, PAGES["fact"])
    try:
        quotes = visit.page.locator("blockquote").all_inner_texts()
        assert any(q.startswith("In 2024, trade between Albania and France reached €38.9 million") for q in quotes)
        visit.page.get_by_role("link", name="read it in the source text").first.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url.endswith("/source/albania-france.html#economic-relations-1")
        assert visit.page.locator("#economic-relations-1").count() == 1
    finally:
        visit.close()


@pytest.mark.slow
def test_timeline_has_one_mark_per_item(browser, base_url, site):
    rows = site.run(site.catalogue.get("timeline"), {}).rows
    items = {row["item"].value for row in rows}
    visit = Visit(browser, base_url, PAGES["timeline"])
    try:
        timeline = visit.page.locator("svg.timeline").locator("visible=true")  # the layout for this width
        assert timeline.count() == 1
        undated = timeline.locator(".mark.undated").count()  # ties the article gives no date for
        assert timeline.locator(".mark").count() == len(items) + undated
        assert timeline.locator("a .mark").count() == len(items) + undated  # each linked to its page
        # "the Anjous, a French noble family took control of Albania between 1272-1382" (the Middle Ages)
        anjou = timeline.locator(".mark.period", has_text="Rule of the Anjous over medieval Albania")
        assert anjou.locator("rect").count() == 1  # a period: a bar
        assert timeline.locator(".mark.visits circle").count() == 2
    finally:
        visit.close()


@pytest.mark.slow
def test_trade_chart_has_a_bar_per_flow_and_the_balance(browser, base_url):
    visit = Visit(browser, base_url, PAGES["trade"])
    try:
        chart = visit.page.locator("svg.trade").locator("visible=true")
        titles = chart.locator(".mark.flow title").all_text_contents()
        assert sorted(titles) == ["Albania to France, 2024: 16.1 million EUR",
                                  "France to Albania, 2024: 22.8 million EUR"]
        heights = {t: float(chart.locator(".mark.flow", has_text=t).locator("rect")
                            .get_attribute("height")) for t in titles}
        assert heights[titles[0]] != heights[titles[1]]
        assert chart.locator(".mark.balance").count() == 1
    finally:
        visit.close()


@pytest.mark.slow
def test_static_query_page_shows_the_2024_flows(browser, base_url):
    visit = Visit(browser, base_url, PAGES["query"])
    try:
        rows = visit.page.locator("#results tbody tr")
        assert rows.count() == 2
        text = " ".join(rows.all_inner_texts())
        assert "22,800,000" in text and "16,100,000" in text
    finally:
        visit.close()


@pytest.mark.slow
def test_query_form_works_without_javascript(browser, base_url, artefacts):
    visit = Visit(browser, base_url, "live/queries/trade-by-year", javascript=False)
    try:
        visit.page.fill("#param-year", "2024")
        visit.page.get_by_role("button", name="Run").click()
        visit.page.wait_for_load_state("load")
        assert urlsplit(visit.page.url).query == "relation=&year=2024&exporter="
        rows = visit.page.locator("#results tbody tr")
        assert rows.count() == 2
        assert visit.page.get_by_role("link", name="Permalink").get_attribute("href") == \
            "/live/queries/trade-by-year?year=2024"
        cells = rows.first.locator("td a")
        assert cells.first.get_attribute("href").startswith("/live/resource/")
        visit.page.screenshot(path=str(artefacts / "query-form-2024.png"), full_page=True)
        assert visit.outside() == [] and visit.errors == []
        visit.page.fill("#param-year", "1999")
        visit.page.get_by_role("button", name="Run").click()
        visit.page.wait_for_load_state("load")
        assert visit.page.locator("#results tbody tr").count() == 0
    finally:
        visit.close()


def test_editor_runs_a_query_and_shows_rows(browser, base_url, artefacts):
    visit = Visit(browser, base_url, PAGES["editor"])
    try:
        visit.page.wait_for_selector(".yasqe .CodeMirror")
        tabs = visit.page.locator(".tabsList .tab")
        assert tabs.count() == 1  # one example; the picker opens stored queries
        visit.page.select_option("#editor-pick", "trade-by-year")
        visit.page.get_by_role("button", name="Open", exact=True).click()
        assert tabs.count() == 2 and "trade-by-year" in " ".join(tabs.all_inner_texts())
        visit.page.evaluate("""() => {
            const tab = window.afkgEditor.getTab();
            tab.getYasqe().setValue('PREFIX afkg: <https://w3id.org/afkg/ontology#>\\n'
              + 'PREFIX kind: <https://w3id.org/afkg/kind/>\\n'
              + 'PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\\n'
              + 'SELECT ?flow ?amount WHERE { ?flow a afkg:TradeFigure ; afkg:kind ?kind ; '
              + 'afkg:date "2024"^^xsd:gYear ; afkg:amount ?amount '
              + 'FILTER (?kind IN (kind:export, kind:import)) }');
            tab.query();
        }""")
        visit.page.wait_for_selector(".yasr table tbody tr")
        rows = visit.page.locator(".yasr table tbody tr")
        assert rows.count() == 2
        assert "22800000" in " ".join(rows.all_inner_texts()).replace(",", "")
        visit.page.screenshot(path=str(artefacts / "editor-results.png"), full_page=True)
        assert visit.errors == [] and visit.outside() == []
    finally:
        visit.close()
