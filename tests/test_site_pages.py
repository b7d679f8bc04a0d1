"""The site as a library: pages, content negotiation, suffixes, 404s, forms and escaping.

Expected figures come from the article (data/albania-france/source.txt): in 2024 France
exported €22.8 million to Albania and imported €16.1 million from it, a balance of €6.69 million.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from afkg.layout import Layout
from afkg.publish.site import Site

from conftest import PROJECT

ALBANIA = "https://w3id.org/afkg/resource/Albania"
FLOW = "fact/trade-2024-france-exports-to-albania"


@pytest.fixture(scope="module")
def site() -> Site:
    return Site.from_layout(Layout(PROJECT))


class Page(HTMLParser):
    """Links, ids, forms and text of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())]


def html(site: Site, path: str, params: dict[str, str] | None = None, accept: str | None = None) -> Page:
    answer = site.get(path, params, accept)
    assert answer.media_type.startswith("text/html"), (path, answer.media_type)
    return Page(answer.body.decode("utf-8"))


# --- resources: negotiation and suffixes -----------------------------------------------------

@pytest.mark.parametrize(("accept", "media", "parse_as"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/html;q=0.5, text/turtle;q=0.9", "text/turtle", "turtle"),
])
def test_resource_negotiates_rdf_formats(site, accept, media, parse_as):
    answer = site.get("/resource/Albania", accept=accept)
    assert answer.status == 200
    assert answer.media_type.split(";")[0] == media
    assert answer.headers["Vary"] == "Accept"
    graph = Graph().parse(data=answer.body, format=parse_as)
    assert (URIRef(ALBANIA), URIRef("http://www.w3.org/2002/07/owl#sameAs"),
            URIRef("http://www.wikidata.org/entity/Q222")) in graph
    # statements pointing to it are part of its description too
    assert any(o == URIRef(ALBANIA) for _, _, o in graph)


@pytest.mark.parametrize(("suffix", "media"), [("ttl", "text/turtle"), ("nt", "application/n-triples"),
                                               ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"),
                                               ("html", "text/html")])
def test_resource_suffix_fixes_the_format_whatever_the_accept_header(site, suffix, media):
    answer = site.get(f"/resource/Albania.{suffix}", accept="text/html")
    assert answer.status == 200
    assert answer.media_type.split(";")[0] == media
    assert "Vary" not in answer.headers


def test_resource_in_a_browser_is_html_and_names_its_variant(site):
    answer = site.get("/resource/Albania", accept="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert answer.status == 200 and answer.media_type.startswith("text/html")
    assert answer.headers["Content-Location"] == "/resource/Albania.html"
    assert site.get("/resource/Albania").media_type.startswith("text/html")


def test_jsonld_is_compact_with_the_project_context(site):
    document = json.loads(site.get("/resource/" + FLOW + ".jsonld").body)
    assert document["@context"]["agent"] == {"@id": "afkg:agent", "@type": "@id"}
    assert document["@context"]["counterpart"] == {"@id": "afkg:counterpart", "@type": "@id"}
    flow = next(node for node in document.get("@graph", [document]) if node.get("id") == "fact:trade-2024-france-exports-to-albania")
    # France reports its exports to Albania: France is the agent, Albania the counterpart, the kind says exports
    assert flow["agent"] == "res:France" and flow["counterpart"] == "res:Albania"
    assert flow["kind"] == "https://w3id.org/afkg/kind/export"


def test_unacceptable_format_is_406(site):
    answer = site.get("/resource/Albania", accept="image/png")
    assert answer.status == 406
    assert b"text/turtle" in answer.body


def test_unknown_resource_is_404_with_a_search_box(site):
    answer = site.get("/resource/Albanja")
    assert answer.status == 404
    page = Page(answer.body.decode())
    assert page.find("input", type="search", name="q")
    assert "/resource/Albania" in page.links  # a close name is suggested
    assert site.get("/resource/Nowhere.ttl").status == 404
    assert site.get("/resource/a b<c>").status == 404  # not even an IRI


def test_search_finds_labels(site):
    page = html(site, "/search", {"q": "embassy of france"})
    assert "/resource/Embassy_of_France_in_Tirana" in page.links


def test_resource_page_shows_kinds_wikidata_and_statements_with_labels(site):
    page = html(site, "/resource/Albania")
    assert "https://www.wikidata.org/wiki/Q222" in page.links
    assert "/ontology#Country" in page.links
    assert "/resource/fact/membership-albania-nato" in page.links  # a fact pointing to it
    assert "Albania, member of NATO" in page.text  # its label, not its IRI


def test_fact_page_shows_sentence_quote_and_passage_anchor(site):
    page = html(site, "/resource/" + FLOW)
    assert "In 2024, trade between Albania and France reached €38.9 million" in page.text
    assert "/source/albania-france#economic-relations-1" in page.links
    sentence = page.text[page.text.index("The fact"):page.text.index("Where the article says so")]
    assert "agent France" in sentence and "counterpart Albania" in sentence and "kind exports" in sentence
    assert "22,800,000" in sentence
    assert "/resource/France" in page.links


def test_source_page_has_an_anchor_per_passage(site):
    page = html(site, "/source/albania-france")
    passages = site.view.select("SELECT ?p WHERE { ?p a afkg:Passage }")
    anchors = {row["p"].value.rsplit("/", 1)[1] for row in passages}
    assert len(anchors) > 30 and anchors <= page.ids
    assert "French exports to Albania grew by 14.2% year-on-year" in page.text
    assert site.get("/source/nowhere").status == 404


# --- ontology -----------------------------------------------------------------------------------

def test_ontology_is_html_with_an_anchor_per_term_or_turtle(site, kg):
    page = html(site, "/ontology")
    from afkg.publish.docs import ontology_terms

    classes, properties, values = ontology_terms(kg.ontology)
    assert {str(t).split("#")[1] for t in classes + properties + values} <= page.ids
    assert all(link[1:] in page.ids for link in page.links if link.startswith("#"))
    turtle = site.get("/ontology", accept="text/turtle")
    assert turtle.media_type.startswith("text/turtle") and turtle.headers["Vary"] == "Accept"
    graph = Graph().parse(data=turtle.body, format="turtle")
    assert len(graph) == len(kg.ontology)
    assert site.get("/ontology.ttl").body == turtle.body
    assert site.get("/ontology", accept="application/pdf").status == 406


# --- stored queries ---------------------------------------------------------------------------------

def test_query_list_shows_every_query_with_summary_and_tags(site):
    page = html(site, "/queries")
    for name in site.catalogue.names():
        assert f"/queries/{name}" in page.links
    assert "Trade flows by year and direction" in page.text and "economy" in page.text


def test_trade_by_year_2024_shows_the_two_flows_of_the_article(site):
    answer = site.get("/queries/trade-by-year", {"year": "2024"})
    assert answer.status == 200
    page = Page(answer.body.decode())
    rows = [a for t, a in page.tags if t == "tr"]
    assert len(rows) == 1 + 2  # header and two flows
    assert "22,800,000" in page.text and "16,100,000" in page.text
    assert "/resource/France" in page.links and "/resource/Albania" in page.links
    assert "/api/queries/trade-by-year.csv?year=2024" in page.links
    assert "/queries/trade-by-year?year=2024" in page.links  # the permalink
    for suffix in ("json", "tsv", "xml"):
        assert f"/api/queries/trade-by-year.{suffix}?year=2024" in page.links
    year = page.find("input", name="year")[0]
    assert year["value"] == "2024" and year["pattern"] == "-?[0-9]{4,}"
    assert "SELECT DISTINCT ?_relation ?_year" in page.text  # the SPARQL text
    assert page.find("form", method="get", action="/queries/trade-by-year")


def test_a_year_without_trade_shows_no_rows(site):
    page = html(site, "/queries/trade-by-year", {"year": "1999"})
    assert len([a for t, a in page.tags if t == "tr"]) == 1


def test_form_has_enums_defaults_and_required_marks(site):
    answer = site.get("/queries/is-member")
    assert answer.status == 200  # no values yet: the form asks for them
    page = Page(answer.body.decode())
    member = page.find("input", name="member")[0]
    assert "required" in member
    status = page.find("select", name="status")[0]
    assert status is not None
    options = [a for t, a in page.tags if t == "option"]
    assert [o["value"] for o in options] == ["role:member", "role:founder", "role:candidate"]
    assert [o for o in options if "selected" in o][0]["value"] == "role:member"  # the default
    assert page.find("abbr", **{"class": "required"})
    answer = site.get("/queries/is-member", {"member": "Albania", "organisation": "NATO"})
    assert "Answer: yes" in Page(answer.body.decode()).text
    answer = site.get("/queries/is-member", {"member": "Albania", "organisation": "European_Union"})
    assert "Answer: no" in Page(answer.body.decode()).text  # a candidate, not a member


def test_bad_parameter_is_a_400_page_with_the_message(site):
    answer = site.get("/queries/trade-by-year", {"year": "twenty"})
    assert answer.status == 400
    assert "expects xsd:gYear" in Page(answer.body.decode()).text
    assert site.get("/queries/trade-by-year", {"year": "x" * 3000}).status == 400
    assert site.get("/queries/no-such-query").status == 404


def test_query_page_negotiates_result_formats(site):
    csv = site.get("/queries/trade-by-year", {"year": "2024"}, "text/csv")
    assert csv.status == 200 and csv.media_type.startswith("text/csv") and csv.headers["Vary"] == "Accept"
    lines = csv.body.decode().splitlines()
    assert lines[0].startswith("relation,year,exporter,importer,amount") and len(lines) == 3
    assert site.get("/queries/trade-by-year.csv", {"year": "2024"}).body == csv.body
    results = json.loads(site.get("/queries/trade-by-year", {"year": "2024"},
                                  "application/sparql-results+json").body)
    amounts = sorted(b["amount"]["value"] for b in results["results"]["bindings"])
    assert amounts == ["16100000.0", "22800000.0"]
    describe = site.get("/queries/describe-resource.ttl", {"resource": "res:Tirana"})
    assert describe.media_type.startswith("text/turtle")
    assert site.get("/queries/trade-by-year.ttl").status == 404  # a SELECT has no Turtle results
    assert site.get("/queries/trade-by-year", accept="image/png").status == 406


def test_federated_query_is_not_run_locally(site):
    answer = site.get("/queries/wikidata-membership-dates")
    assert answer.status == 503
    assert "another SPARQL service" in Page(answer.body.decode()).text


def test_a_runner_given_to_the_site_runs_the_queries(kg):
    from afkg.query.engines import OxigraphEngine
    from afkg.query.results import AskResult

    calls = []

    def runner(query, given):
        calls.append((query.name, given))
        return AskResult(True)

    site = Site(kg, OxigraphEngine(kg.layout).store, runner=runner)
    page = Page(site.get("/queries/is-member", {"member": "France", "organisation": "NATO"}).body.decode())
    assert calls == [("is-member", {"member": "France", "organisation": "NATO"})]
    assert "Answer: yes" in page.text


# --- home, pictures, editor, files --------------------------------------------------------------

def test_home_shows_dataset_sources_relations_and_downloads(site):
    page = html(site, "/")
    triples = site.void.value(URIRef("https://w3id.org/afkg/resource/dataset"),
                              URIRef("http://rdfs.org/ns/void#triples"))
    assert f"triples {triples}" in page.text
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in page.links
    assert "https://en.wikipedia.org/wiki/Albania%E2%80%93France_relations" in page.links
    assert "/resource/Albania-France_relations" in page.links
    assert "/source/albania-france" in page.links and "/relation/albania-france" in page.links
    # the infobox: "Party1: Albania", "Party2: France"
    assert "/resource/Albania" in page.links and "/resource/France" in page.links
    for name in ("afkg.ttl", "afkg.nt", "afkg.jsonld", "afkg.rdf", "afkg.trig", "afkg.nq", "void.ttl"):
        assert f"/dist/{name}" in page.links
    for target in ("/timeline", "/trade", "/queries", "/sparql", "/ontology"):
        assert target in page.links
    assert page.find("form", action="/search", role="search") and page.find("input", name="q")


def test_relation_page_shows_each_section_with_its_facts(site):
    page = html(site, "/relation/albania-france")
    for section in ("Infobox", "History", "Economic relations", "High Level Visits", "Resident diplomatic missions"):
        assert section in page.text
    assert "/resource/" + FLOW in page.links
    # the infobox and the missions section give things, not facts: "Mission2: Embassy of France , Tirana"
    assert "/resource/Embassy_of_France_in_Tirana" in page.links
    assert "/source/albania-france" in page.links and "/resource/Albania-France_relations" in page.links
    assert site.get("/relation/no-such-pair").status == 404


def test_downloads_are_the_export(site):
    from afkg.graph import load
    from afkg.publish.export import export

    answer = site.get("/dist/afkg.nt")
    assert answer.status == 200 and answer.body == export(load(Layout(PROJECT)), "ntriples")
    assert site.get("/dist/secrets.txt").status == 404


def layout_svg(body: str, kind: str, layout: str = "wide") -> str:
    """The SVG of picture ``kind`` laid out for one width (the page holds one per width)."""
    found = re.findall(rf'<svg class="{kind} {layout}".*?</svg>', body, re.S)
    assert len(found) == 1, (kind, layout, len(found))
    return found[0]


@pytest.mark.parametrize("layout", ["narrow", "medium", "wide"])
def test_timeline_has_one_mark_per_item_linked_to_its_page(site, layout):
    rows = site.run(site.catalogue.get("timeline"), {}).rows
    svg = layout_svg(site.get("/timeline").body.decode(), "timeline", layout)
    undated = svg.count('class="mark undated relationships"')
    # a mark per dated row, and one per relationship the article gives no date for
    assert undated == 6
    assert svg.count('<g class="mark ') == len({row["item"].value for row in rows}) + undated
    anjou = re.search(r'<a href="([^"]+)"><g class="mark period rule"><title>Rule of the Anjous', svg)
    assert anjou and anjou.group(1) == "/resource/fact/anjou-rule-of-albania"
    assert svg.count('class="mark point visits"') == 2  # Macron's visits, late 2024 and 2025
    # "since 2019": a start and no end, an open bar; "until 1920": an end alone
    assert re.search(r'class="mark open open-end events"><title>Albania&#39;s leadership in the Western Balkans', svg)
    assert re.search(r'class="mark open open-start rule"><title>French occupation of Southeastern Albania', svg)


def test_trade_chart_has_the_two_flows_and_the_balance_of_2024(site):
    body = site.get("/trade").body.decode()
    for layout in ("narrow", "medium", "wide"):
        svg = layout_svg(body, "trade", layout)
        flows = re.findall(r'<g class="mark flow[^"]*"><title>([^<]+)</title>', svg)
        assert sorted(flows) == ["Albania to France, 2024: 16.1 million EUR",
                                 "France to Albania, 2024: 22.8 million EUR"]
        balances = re.findall(r'<g class="mark balance"><title>([^<]+)</title>', svg)
        assert balances == ["Balance of France with Albania, 2024: 6.7 million EUR (exports minus imports)"]


def test_editor_loads_only_local_assets_with_prefixes_and_examples(site):
    answer = site.get("/sparql")
    page = Page(answer.body.decode())
    scripts = [a["src"] for t, a in page.tags if t == "script" and a.get("src")]
    assert scripts == ["/static/vendor/yasgui/yasgui.min.js", "/static/editor.js"]
    config = json.loads(re.search(r'id="editor-config">(.*?)</script>', answer.body.decode(), re.S).group(1))
    assert config["endpoint"] == "/sparql" and config["prefixes"]["res"] == "https://w3id.org/afkg/resource/"
    assert {e["name"] for e in config["examples"]} == set(site.catalogue.names())
    for name in ("vendor/yasgui/yasgui.min.js", "vendor/yasgui/yasgui.min.css", "style.css", "editor.js"):
        assert site.get(f"/static/{name}").status == 200
    assert site.get("/static/../app.py").status == 404
    assert site.get("/static/vendor/refresh.sh").status == 404


def test_every_page_is_one_small_stylesheet_and_a_phone_viewport(site):
    for path in ("/", "/resource/Albania", "/ontology", "/queries", "/timeline", "/trade", "/source/albania-france",
                 "/relation/albania-france", "/search", "/queries/is-member"):
        page = html(site, path)
        sheets = [a["href"] for t, a in page.tags if t == "link" and a.get("rel") == "stylesheet"]
        assert sheets[0] == "/static/style.css", path
        for sheet in sheets[1:]:  # a page's own small sheet, served from here
            assert re.fullmatch(r"/static/[a-z-]+\.css", sheet), (path, sheet)
            assert site.get(sheet).status == 200 and len(site.get(sheet).body) < 8000, (path, sheet)
        assert page.find("meta", name="viewport")
        assert page.find("main") and page.find("nav")
    assert len(site.get("/static/style.css").body) < 8000


def test_unknown_path_is_404(site):
    assert site.get("/wp-admin").status == 404
    assert site.get("/queries/trade-by-year/extra").status == 404


# --- untrusted data ---------------------------------------------------------------------------------

HOSTILE = """
res:Hostile a afkg:Country ;
    rdfs:label "<script>alert('label')</script> & \\"friends\\""@en ;
    rdfs:comment "<img src=x onerror=alert(1)>" ;
    rdfs:seeAlso <javascript:alert(1)> , <data:text/html,hi> , <https://example.org/ok> .
"""


def test_hostile_labels_are_text_and_only_web_iris_become_links(project_copy: Path):
    actors = project_copy / "data" / "albania-france" / "actors.ttl"
    actors.write_text(actors.read_text(encoding="utf-8") + HOSTILE, encoding="utf-8")
    site = Site.from_layout(Layout(project_copy))
    for path in ("/resource/Hostile", "/search"):
        body = site.get(path, {"q": "script"}).body.decode()
        assert "<script>alert" not in body and "<img" not in body
        assert "&lt;script&gt;alert(" in body and "&lt;/script&gt; &amp;" in body
        page = Page(body)
        assert "<script>alert('label')</script> & \"friends\"" in page.text
        hrefs = page.links
        assert not any(h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    page = Page(site.get("/resource/Hostile").body.decode())
    assert "https://example.org/ok" in page.links
    assert "javascript:alert(1)" in page.text  # shown, not linked
    assert "<script>alert('label')</script>" in page.text  # shown as the text it is
    body = site.get("/resource/Hostile", {}, "text/turtle").body
    assert Graph().parse(data=body, format="turtle")


def test_a_second_relation_gets_its_pages_and_pictures_from_data_only(project_copy: Path):
    import shutil

    shutil.copytree(PROJECT / "tests" / "pairs" / "testland-otherland", project_copy / "data" / "testland-otherland")
    site = Site.from_layout(Layout(project_copy))
    home = html(site, "/")
    assert "/resource/Testland-Otherland_relations" in home.links
    assert "/resource/Albania-France_relations" in home.links
    assert "/source/testland-otherland" in home.links and "/source/albania-france" in home.links
    source = html(site, "/source/testland-otherland")
    assert {"introduction-1", "trade-1"} <= source.ids
    body = site.get("/trade").body.decode()
    flows = sorted(set(re.findall(r'<g class="mark flow[^"]*"><title>([^<]+)</title>', body)))
    # the made-up article: in 2020 Testland exported €5 million to Otherland and imported €3 million
    assert flows == ["Albania to France, 2024: 16.1 million EUR", "France to Albania, 2024: 22.8 million EUR",
                     "Otherland to Testland, 2020: 3.0 million EUR", "Testland to Otherland, 2020: 5.0 million EUR"]
    balances = re.findall(r'<g class="mark balance"><title>([^<]+)</title>', body)
    assert "Balance of Testland with Otherland, 2020: 2.0 million EUR (exports minus imports)" in balances
    fact = html(site, "/resource/fact/trade-2020-testland-exports")
    assert "/source/testland-otherland#trade-1" in fact.links


def test_percent_encoded_resource_names_are_found_either_way(project_copy: Path):
    actors = project_copy / "data" / "albania-france" / "actors.ttl"
    actors.write_text(actors.read_text(encoding="utf-8")
                      + '\n<https://w3id.org/afkg/resource/Kor%C3%A7%C3%AB> a afkg:Country ; rdfs:label "Korçë"@en .\n',
                      encoding="utf-8")
    site = Site.from_layout(Layout(project_copy))
    assert site.get("/resource/Kor%C3%A7%C3%AB").status == 200
    assert site.get("/resource/Korçë").status == 200
    assert site.get("/resource/Korçë.ttl").media_type.startswith("text/turtle")
