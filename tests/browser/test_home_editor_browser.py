"""What a first-time visitor sees, in a real browser at a desktop and a phone width: the first
screen of the home page, the search, and the SPARQL editor (its first query, its buttons, its
picker and the links of its results).

The static site is written into a temporary folder and served on 127.0.0.1 with the SPARQL
endpoint and the live pages of tests/browser/test_site_browser.py. The infobox of the article
reads "Party1: Albania", "Party2: France"; Albania is owl:sameAs wd:Q222 (data/shared).
"""

from __future__ import annotations

import pytest
from browserkit import BROWSER_MARKS, serving, site_without_exports
from test_site_browser import PROJECT, Visit, _handler

from afkg.publish.site import Site, write_site

pytestmark = BROWSER_MARKS

SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}
ENTRY_POINTS = ("timeline.html", "trade.html", "queries.html", "sparql.html", "ontology.html")


@pytest.fixture(scope="module")
def site() -> Site:
    return site_without_exports(PROJECT)


@pytest.fixture(scope="module")
def base_url(site, tmp_path_factory):
    folder = tmp_path_factory.mktemp("first-visit") / "public"
    write_site(site, folder)
    with serving(_handler(folder, site)) as url:
        yield url


@pytest.fixture()
def open_page(browser, base_url):
    """Opens ``path`` at a screen of SCREENS; every visit is closed after the test, which also
    checks that no page logged an error or asked another host for anything."""
    visits: list[Visit] = []

    def opener(path: str, screen: str) -> Visit:
        width, height = SCREENS[screen]
        visit = Visit(browser, base_url, path, width)
        visit.page.set_viewport_size({"width": width, "height": height})
        visits.append(visit)
        return visit

    yield opener
    try:
        for visit in visits:
            assert visit.errors == [] and visit.outside() == []
    finally:
        for visit in visits:
            visit.close()


def _in_first_screen(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (box is not None and box["width"] > 0 and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"])


def _sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _open_editor(open_page, screen: str, path: str = "sparql.html") -> Visit:
    visit = open_page(path, screen)
    visit.page.wait_for_selector(".yasqe .CodeMirror-line")
    return visit


# --- home --------------------------------------------------------------------------------------------

@pytest.mark.sample(1)
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_first_screen_says_what_this_is_and_where_to_start(open_page, screen, tmp_path):
    visit = open_page("index.html", screen)
    page = visit.page
    relations = page.locator(".home-relations")
    shown = {
        "relation": relations.locator('a[href="resource/Albania-France_relations.html"]'),
        "Albania": relations.locator('a[href="resource/Albania.html"]'),
        "France": relations.locator('a[href="resource/France.html"]'),
        "summary": relations.locator('a[href="relation/albania-france.html"]'),
        "search box": page.get_by_role("searchbox", name="Search the graph"),
        "search button": page.get_by_role("button", name="Search"),
        **{target: page.locator(f'nav.entry-points a[href="{target}"]') for target in ENTRY_POINTS},
    }
    page.screenshot(path=str(tmp_path / f"home-{screen}.png"))
    for name, locator in shown.items():
        assert locator.count() == 1, name
        assert _in_first_screen(page, locator), (name, locator.bounding_box(), page.viewport_size)
    assert _sideways_scroll(page) <= 1
    shown["France"].click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/resource/France.html") and page.locator("h1").inner_text() == "France"


@pytest.mark.slow
@pytest.mark.parametrize("screen", ["phone"])
def test_the_home_search_box_finds_a_party(open_page, screen):
    page = open_page("index.html", screen).page
    page.get_by_role("searchbox", name="Search the graph").fill("france")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/search.html?q=france")
    shown = page.locator("ul.search-index li:visible a")
    assert shown.count() >= 2
    assert shown.first.inner_text() == "France"  # the exact name first, as the server ranks it
    assert "Albania" not in shown.all_inner_texts()  # narrowed in the browser: no server needed
    assert page.locator(".search-count").inner_text() == f"{shown.count()} found for “france”."
    assert _sideways_scroll(page) <= 1


# --- editor ---------------------------------------------------------------------------------------------

def _covered_text(page) -> list[str]:
    """The text of the editor's lines that lies under one of its buttons."""
    return page.evaluate("""() => {
        const buttons = Array.from(document.querySelectorAll('.yasqe .yasqe_buttons button'))
            .map(b => b.getBoundingClientRect()).filter(r => r.width > 0);
        const under = [];
        for (const line of document.querySelectorAll('.yasqe .CodeMirror-line')) {
            const range = document.createRange();
            range.selectNodeContents(line);
            for (const r of range.getClientRects()) {
                if (buttons.some(b => r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom)) {
                    under.push(line.textContent);
                }
            }
        }
        return under;
    }""")


@pytest.mark.slow
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_editor_opens_on_one_readable_query_that_no_button_covers(open_page, screen, tmp_path):
    visit = _open_editor(open_page, screen)
    page = visit.page
    page.screenshot(path=str(tmp_path / f"editor-{screen}.png"))
    lines = [line.strip() for line in page.locator(".yasqe .CodeMirror-line").all_inner_texts()]
    assert sum(line.startswith("PREFIX") for line in lines) <= 1  # folded into one line
    assert any(line.startswith("SELECT") for line in lines)
    assert len(lines) <= 12
    assert page.locator(".tabsList .tab").count() == 1
    buttons = page.locator(".yasqe .yasqe_buttons button")
    assert buttons.count() >= 2  # run and share
    for index in range(buttons.count()):
        assert _in_first_screen(page, buttons.nth(index)) or screen == "phone"
    assert _covered_text(page) == []
    page.evaluate("""() => window.afkgEditor.getTab().getYasqe().setValue(
        'SELECT ?thing WHERE { ?thing ?predicate ?value } # ' + 'a long comment '.repeat(40))""")
    assert _covered_text(page) == []
    assert _sideways_scroll(page) <= 1


@pytest.mark.slow
@pytest.mark.parametrize("screen", ["desktop"])
def test_the_picker_opens_a_stored_query_in_a_tab_of_its_own_once(open_page, screen):
    page = _open_editor(open_page, screen).page
    page.select_option("#editor-pick", "is-member")
    page.get_by_role("button", name="Open", exact=True).click()
    tabs = page.locator(".tabsList .tab")
    assert tabs.count() == 2
    text = page.evaluate("() => window.afkgEditor.getTab().getYasqe().getValue()")
    assert "ASK" in text and "#+" not in text
    assert page.evaluate("() => window.afkgEditor.getTab().getName()") == "is-member"
    page.get_by_role("button", name="Open", exact=True).click()
    assert tabs.count() == 2


def _run_and_wait(page) -> None:
    page.locator(".yasqe .yasqe_queryButton").click()
    page.wait_for_selector(".yasr table tbody tr")


@pytest.mark.slow
@pytest.mark.parametrize("screen", ["phone"])
def test_a_result_iri_of_this_graph_links_to_its_page_here(open_page, screen, base_url):
    page = _open_editor(open_page, screen).page
    _run_and_wait(page)
    albania = page.locator(".yasr table tbody").get_by_role("link", name="res:Albania", exact=True).first
    assert albania.get_attribute("href") == "resource/Albania.html"
    page.evaluate("""() => {
        const tab = window.afkgEditor.getTab();
        tab.getYasqe().setValue('PREFIX owl: <http://www.w3.org/2002/07/owl#>\\n'
          + 'SELECT ?same WHERE { <https://w3id.org/afkg/resource/Albania> owl:sameAs ?same }');
        tab.query();
    }""")
    page.wait_for_selector(".yasr table tbody a[href*='wikidata']")
    assert page.locator(".yasr table tbody a").first.get_attribute("href") == "http://www.wikidata.org/entity/Q222"
    page.evaluate("() => window.afkgEditor.getTab().getYasqe().setValue("
                  "'SELECT ?x WHERE { VALUES ?x { <https://w3id.org/afkg/resource/Albania> } }')")
    _run_and_wait(page)
    page.locator(".yasr table tbody a").first.click()
    page.wait_for_load_state("load")
    assert page.url == f"{base_url}/resource/Albania.html"
    assert page.locator("h1").inner_text() == "Albania"


@pytest.mark.slow
@pytest.mark.parametrize("screen", ["desktop"])
def test_on_a_server_result_links_are_its_paths(open_page, screen):
    page = _open_editor(open_page, screen, "live/sparql").page
    _run_and_wait(page)
    hrefs = page.locator(".yasr table tbody a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "/live/resource/Albania" in hrefs and "/live/resource/France" in hrefs
