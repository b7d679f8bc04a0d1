"""The pages a first-time visitor starts from, without a browser: the home page (relations and
their parties, search box, entry points, counts that agree with the ontology page), the summary
page of each relation, the search, and the editor's page.

Expected values come from the article and the ontology: the infobox reads "Party1: Albania",
"Party2: France"; the made-up tests/pairs/testland-otherland names Testland first, then Otherland.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph

from afkg.layout import Layout
from afkg.publish.site import Site
from afkg.publish.site import examples as editor_examples
from afkg.publish.site.static_site import site_paths
from test_site_pages import Page, html

from conftest import PROJECT

pytestmark = pytest.mark.xdist_group("site-home")  # the module's site is made once, on one worker

AFKG = "https://w3id.org/afkg/ontology#"
TESTLAND = PROJECT / "tests" / "pairs" / "testland-otherland"


@pytest.fixture(scope="module")
def site() -> Site:
    return Site.from_layout(Layout(PROJECT))


@pytest.fixture()
def two_relations(project_copy: Path) -> Site:
    shutil.copytree(TESTLAND, project_copy / "data" / "testland-otherland")
    return Site.from_layout(Layout(project_copy))


def _ontology_counts_in_the_file() -> tuple[int, int]:
    graph = Graph().parse(PROJECT / "ontology" / "afkg.ttl", format="turtle")
    classes = {s for s in graph.subjects(RDF.type, OWL.Class) if str(s).startswith(AFKG)}
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    properties = {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(AFKG)}
    return len(classes), len(properties)


# --- home ------------------------------------------------------------------------------------------

def test_home_counts_agree_with_the_ontology_page_and_the_ontology_file(site):
    home = html(site, "/").text
    ontology = html(site, "/ontology").text
    on_home = re.search(r"(\d+) classes and (\d+) properties", home)
    on_ontology = re.search(r"(\d+) classes, (\d+) properties", ontology)
    assert on_home and on_ontology
    assert on_home.groups() == on_ontology.groups()
    assert tuple(int(n) for n in on_home.groups()) == _ontology_counts_in_the_file()


def test_home_leads_with_the_relation_its_parties_search_and_entry_points(site):
    body = site.get("/").body.decode()
    main = body[body.index("<main>"):]
    about = main.index("About the data")
    # everything a visitor starts from comes before the dataset's details
    for needle in ('href="/resource/Albania-France_relations"', 'href="/resource/Albania"',
                   'href="/resource/France"', 'href="/relation/albania-france"', 'action="/search"',
                   'href="/timeline"', 'href="/trade"', 'href="/queries"', 'href="/sparql"', 'href="/ontology"'):
        assert -1 < main.index(needle) < about, needle
    relation = Page(main[main.index('<li class="relation">'):main.index("</li>")]).text
    assert relation.startswith("Albania–France relations between Albania and France")  # the first party first
    assert "<q>" not in main  # the quotes are on the relation page, one click away


def test_home_lists_each_relation_with_its_own_parties(two_relations):
    body = two_relations.get("/").body.decode()
    items = re.findall(r'<li class="relation">(.*?)</li>', body, re.S)
    texts = sorted(Page(item).text for item in items)
    assert texts[0].startswith("Albania–France relations between Albania and France")
    assert texts[1].startswith("Testland–Otherland relations between Testland and Otherland")
    assert "2 relations" in Page(body).text
    page = Page(body)
    for target in ("/relation/albania-france", "/relation/testland-otherland", "/resource/Testland",
                   "/resource/Otherland"):
        assert target in page.links


def test_each_relation_page_shows_only_its_own_sections(two_relations):
    testland = html(two_relations, "/relation/testland-otherland")
    # the made-up article has two sections: introduction and trade
    assert "/resource/fact/trade-2020-testland-exports" in testland.links
    assert "/resource/fact/membership-testland-example-union" in testland.links
    assert not any("albania" in link.lower() for link in testland.links)
    assert {"introduction", "trade"} <= testland.ids
    assert "In 2020, Testland exported €5 million to Otherland" in testland.text
    albania = html(two_relations, "/relation/albania-france")
    assert not any("testland" in link.lower() for link in albania.links)


def test_each_relation_page_shows_its_coverage_share(two_relations):
    # Testland's text is two sentences, the membership and the trade figures, each cited by a fact
    assert "Coverage of the article: 2 of 2 sentences cited (100.0%; 2 by a fact)" in \
        html(two_relations, "/relation/testland-otherland").text
    # the first article: 33 sentences and items, all cited, 20 of them by a fact (see the README)
    assert "33 of 33 sentences cited (100.0%; 20 by a fact)" in html(two_relations, "/relation/albania-france").text


def test_the_static_site_holds_the_relation_and_search_pages(site):
    paths = site_paths(site)
    assert "/relation/albania-france" in paths and "/search" in paths
    static = site.get("/", static=True).body.decode()
    assert 'href="relation/albania-france.html"' in static and 'action="search.html"' in static


# --- search -----------------------------------------------------------------------------------------

def test_search_puts_the_exact_name_first_and_ignores_case(site):
    page = html(site, "/search", {"q": "FRANCE"})
    results = [a["href"] for t, a in page.tags if t == "a" and a.get("href", "").startswith("/resource/")]
    assert results[0] == "/resource/France"
    assert "/resource/Embassy_of_France_in_Tirana" in results


def test_search_without_a_match_suggests_close_names(site):
    page = html(site, "/search", {"q": "Albnia"})
    assert "Nothing found" in page.text and "/resource/Albania" in page.links


def test_search_without_words_lists_every_resource_for_the_browser_to_narrow(site):
    page = html(site, "/search")
    listed = [a for t, a in page.tags if t == "li" and "data-name" in a]
    labelled = [iri for iri in site.view.labels if iri.startswith("https://w3id.org/afkg/resource/")]
    assert len(listed) == len(labelled)
    assert [a["src"] for t, a in page.tags if t == "script" and a.get("src")] == ["/static/search.js"]
    assert site.get("/static/search.js").status == 200


# --- editor --------------------------------------------------------------------------------------------

def _config(site: Site) -> dict:
    body = site.get("/sparql").body.decode()
    return json.loads(re.search(r'id="editor-config">(.*?)</script>', body, re.S).group(1))


def test_editor_starts_on_one_short_example_with_only_the_prefixes_it_uses(site):
    config = _config(site)
    lines = config["starter"].splitlines()
    assert [line for line in lines if line.startswith("PREFIX")] == [
        "PREFIX afkg: <https://w3id.org/afkg/ontology#>", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"]
    assert len(lines) < 15
    result = site.engine().run(config["starter"], {})
    parties = {row["party"].value.rsplit("/", 1)[1] for row in result.rows}
    assert parties == {"Albania", "France"}


def test_editor_offers_every_stored_query_in_a_picker_as_a_visitor_would_write_it(site):
    page = html(site, "/sparql")
    options = [a["value"] for t, a in page.tags if t == "option" and a.get("value")]
    assert options == site.catalogue.names()
    examples = {e["name"]: e["query"] for e in _config(site)["examples"]}
    assert set(examples) == set(site.catalogue.names())
    member = examples["is-member"]
    assert "#+" not in member
    assert "# Is an actor a member (or founder, or candidate) of an organisation?" in member
    assert member.index("PREFIX org:") < member.index("ASK")  # its own prefixes kept, first (folded)


def test_editor_tells_where_result_links_go(site):
    served = Page(site.get("/sparql").body.decode()).find("div", id="yasgui")[0]
    assert served["data-resource-before"] == "/resource/" and served["data-resource-after"] == ""
    static = Page(site.get("/sparql", static=True).body.decode()).find("div", id="yasgui")[0]
    assert static["data-resource-before"] == "resource/" and static["data-resource-after"] == ".html"
    assert static["data-resource-files"] == "true" and static["data-ontology-page"] == "ontology.html"


def test_prefix_lines_skip_strings_iris_and_comments():
    text = 'SELECT * WHERE { ?s a afkg:X ; rdfs:label "owl:not" . ?s ?p <http://e/x:y> } # skos:no'
    assert editor_examples.prefix_lines(text, {"afkg": "A#", "rdfs": "R#", "owl": "O#", "skos": "S#"}) == \
        "PREFIX afkg: <A#>\nPREFIX rdfs: <R#>\n"
