"""The SPARQL 1.1 Protocol at /sparql, in-process: the W3C protocol cases written from the
spec (query by GET, POST form and POST direct, content negotiation, dataset parameters,
malformed queries, updates refused), and the endpoint's own bounds."""

from __future__ import annotations

import csv
import io
import json
import threading
import time

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from serverkit import client, variant

pytestmark = pytest.mark.xdist_group("service")  # one worker loads the session's service for them all

AFKG = "https://w3id.org/afkg/ontology#"
RES = "https://w3id.org/afkg/resource/"
DATA_GRAPH = "https://w3id.org/afkg/graph/data"
ONTOLOGY_GRAPH = "https://w3id.org/afkg/graph/ontology"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"

# The article's infobox: "Albania has an embassy in Paris. France has an embassy in Tirana."
MISSIONS = (f"PREFIX afkg: <{AFKG}>\n"
            "SELECT ?sending ?city WHERE { ?m afkg:sendingState ?sending ; afkg:place ?city } ORDER BY ?sending")
EXPECTED_MISSIONS = [(RES + "Albania", RES + "Paris"), (RES + "France", RES + "Tirana")]
MISSIONS_GRAPH = (f"PREFIX afkg: <{AFKG}>\n"
                  "CONSTRUCT { ?m afkg:place ?city } WHERE { ?m afkg:sendingState ?s ; afkg:place ?city }")


def rows(response) -> list[tuple[str, ...]]:
    body = response.json()
    names = body["head"]["vars"]
    return [tuple(b[n]["value"] for n in names) for b in body["results"]["bindings"]]


def count_triples(http) -> int:
    response = http.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    return int(rows(response)[0][0])


# --- query operation: GET, POST form, POST direct ---------------------------------------

def test_query_by_get(http):
    response = http.get("/sparql", params={"query": MISSIONS})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert rows(response) == EXPECTED_MISSIONS


def test_query_by_post_form(http):
    response = http.post("/sparql", data={"query": MISSIONS})
    assert response.status_code == 200
    assert rows(response) == EXPECTED_MISSIONS


def test_query_by_post_direct(http):
    response = http.post("/sparql", content=MISSIONS.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200
    assert rows(response) == EXPECTED_MISSIONS


def test_post_with_another_content_type_is_unsupported(http):
    response = http.post("/sparql", content=MISSIONS.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_post_without_a_query_is_a_bad_request(http):
    assert http.post("/sparql", data={"format": "json"}).status_code == 400


def test_two_query_parameters_are_a_bad_request(http):
    response = http.get("/sparql", params=[("query", MISSIONS), ("query", "ASK {}")])
    assert response.status_code == 400


# --- content negotiation --------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_results_by_accept(http, accept, media):
    response = http.get("/sparql", params={"query": MISSIONS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.headers["vary"] == "Accept"


def test_select_results_parse_back_in_each_format(http):
    xml = http.get("/sparql", params={"query": MISSIONS}, headers={"Accept": "application/sparql-results+xml"})
    from rdflib.query import Result

    parsed = Result.parse(io.StringIO(xml.text), format="xml")
    assert [(str(r[0]), str(r[1])) for r in parsed] == EXPECTED_MISSIONS
    text = http.get("/sparql", params={"query": MISSIONS}, headers={"Accept": "text/csv"}).text
    assert [tuple(r) for r in csv.reader(io.StringIO(text))][1:] == EXPECTED_MISSIONS
    tsv = http.get("/sparql", params={"query": MISSIONS}, headers={"Accept": "text/tab-separated-values"}).text
    assert tsv.splitlines()[0] == "?sending\t?city"
    assert tsv.splitlines()[1] == f"<{RES}Albania>\t<{RES}Paris>"


@pytest.mark.parametrize(("accept", "media", "rdflib_format"), [
    ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/trig", "application/trig", "trig"),
])
def test_graph_results_by_accept(http, accept, media, rdflib_format):
    response = http.get("/sparql", params={"query": MISSIONS_GRAPH}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert set(graph) == {
        (URIRef(RES + "Embassy_of_Albania_in_Paris"), URIRef(AFKG + "place"), URIRef(RES + "Paris")),
        (URIRef(RES + "Embassy_of_France_in_Tirana"), URIRef(AFKG + "place"), URIRef(RES + "Tirana")),
    }


def test_ask_answers_true_and_false(http):
    yes = http.get("/sparql", params={"query": f"ASK {{ <{RES}Embassy_of_France_in_Tirana> <{AFKG}place> <{RES}Tirana> }}"})
    no = http.get("/sparql", params={"query": f"ASK {{ <{RES}Embassy_of_France_in_Tirana> <{AFKG}place> <{RES}Paris> }}"})
    assert yes.json() == {"head": {}, "boolean": True}
    assert no.json() == {"head": {}, "boolean": False}


def test_format_parameter_overrides_accept(http):
    response = http.get("/sparql", params={"query": MISSIONS, "format": "csv"}, headers={"Accept": "application/json"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    graph = http.get("/sparql", params={"query": MISSIONS_GRAPH, "format": "ntriples"})
    assert graph.headers["content-type"] == "application/n-triples"


def test_unknown_format_parameter_is_a_bad_request(http):
    response = http.get("/sparql", params={"query": MISSIONS, "format": "yaml"})
    assert response.status_code == 400
    assert "yaml" in response.text


def test_unserviceable_accept_is_406(http):
    response = http.get("/sparql", params={"query": MISSIONS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "image/png" in response.text


def test_a_client_that_accepts_only_the_other_kind_gets_the_default_format(http):
    select = http.get("/sparql", params={"query": MISSIONS}, headers={"Accept": "text/turtle"})
    construct = http.get("/sparql", params={"query": MISSIONS_GRAPH},
                         headers={"Accept": "application/sparql-results+json"})
    assert select.headers["content-type"] == "application/sparql-results+json"
    assert rows(select) == EXPECTED_MISSIONS
    assert construct.headers["content-type"] == "text/turtle; charset=utf-8"


# --- dataset parameters -------------------------------------------------------------------

def test_default_graph_uri_picks_the_graph(http):
    in_data = http.get("/sparql", params={"query": MISSIONS, "default-graph-uri": DATA_GRAPH})
    in_ontology = http.get("/sparql", params={"query": MISSIONS, "default-graph-uri": ONTOLOGY_GRAPH})
    assert rows(in_data) == EXPECTED_MISSIONS
    assert rows(in_ontology) == []


def test_named_graph_uri_is_the_only_named_graph(http):
    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?m <{AFKG}place> <{RES}Paris> }} }}"
    response = http.get("/sparql", params={"query": query, "named-graph-uri": DATA_GRAPH})
    assert rows(response) == [(DATA_GRAPH,)]
    other = http.get("/sparql", params={"query": query, "named-graph-uri": ONTOLOGY_GRAPH})
    assert rows(other) == []


def test_dataset_parameters_in_a_post_form(http):
    response = http.post("/sparql", data={"query": MISSIONS, "default-graph-uri": ONTOLOGY_GRAPH})
    assert rows(response) == []


def test_dataset_parameters_with_post_direct_come_from_the_url(http):
    response = http.post("/sparql", params={"default-graph-uri": ONTOLOGY_GRAPH}, content=MISSIONS.encode(),
                         headers={"Content-Type": "application/sparql-query"})
    assert rows(response) == []


def test_an_unknown_graph_is_empty_and_never_fetched(http):
    response = http.get("/sparql", params={"query": MISSIONS, "default-graph-uri": "http://127.0.0.1:9/nothing"})
    assert response.status_code == 200
    assert rows(response) == []


def test_a_graph_parameter_that_is_not_an_iri_is_refused(http):
    response = http.get("/sparql", params={"query": MISSIONS, "default-graph-uri": "not an iri"})
    assert response.status_code == 400


# --- malformed queries and updates ----------------------------------------------------

def test_malformed_query_is_400_with_its_position(http):
    response = http.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y \n}"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("query:3:")
    assert "SPARQL syntax error" in response.text


@pytest.mark.parametrize("update", [
    f"INSERT DATA {{ <{RES}Albania> <{AFKG}place> <{RES}Paris> }}",
    "CLEAR ALL",
    "DROP DEFAULT",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    f"DELETE WHERE {{ <{RES}Albania> ?p ?o }}",
])
def test_update_text_sent_as_a_query_is_refused_and_changes_nothing(http, update):
    before = count_triples(http)
    response = http.get("/sparql", params={"query": update})
    assert response.status_code == 400
    assert "update" in response.text
    assert count_triples(http) == before


def test_update_parameter_and_update_content_type_are_refused(http):
    before = count_triples(http)
    form = http.post("/sparql", data={"update": "CLEAR ALL"})
    direct = http.post("/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    by_get = http.get("/sparql", params={"update": "CLEAR ALL"})
    assert (form.status_code, direct.status_code, by_get.status_code) == (403, 403, 403)
    assert "read-only" in form.text
    assert count_triples(http) == before


# --- HEAD, OPTIONS, CORS ---------------------------------------------------------------

def test_head_gives_the_headers_of_get_without_a_body(http):
    get = http.get("/sparql", params={"query": MISSIONS})
    head = http.head("/sparql", params={"query": MISSIONS})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]


def test_options_lists_the_methods(http):
    response = http.options("/sparql")
    assert response.status_code == 204
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_cors_is_off_by_default(http):
    response = http.get("/sparql", params={"query": MISSIONS}, headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_the_configured_origins_only(service):
    with client(variant(service, cors=("https://example.org",))) as http:
        allowed = http.get("/sparql", params={"query": MISSIONS}, headers={"Origin": "https://example.org"})
        other = http.get("/sparql", params={"query": MISSIONS}, headers={"Origin": "https://evil.example"})
        preflight = http.options("/sparql", headers={"Origin": "https://example.org",
                                                     "Access-Control-Request-Method": "POST"})
    assert allowed.headers["access-control-allow-origin"] == "https://example.org"
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# --- service description -----------------------------------------------------------------

def test_get_without_a_query_describes_the_service(http):
    response = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["vary"] == "Accept"
    graph = Graph().parse(data=response.text, format="turtle")
    service = URIRef("http://testserver/sparql")
    assert (service, RDF.type, URIRef(SD + "Service")) in graph
    assert (service, URIRef(SD + "endpoint"), service) in graph
    assert (service, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in graph
    formats = set(graph.objects(service, URIRef(SD + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    names = {str(n) for n in graph.objects(None, URIRef(SD + "name"))}
    assert names == {DATA_GRAPH, ONTOLOGY_GRAPH}


def test_service_description_counts_match_the_graphs(http):
    description = Graph().parse(data=http.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    for name in (DATA_GRAPH, ONTOLOGY_GRAPH):
        node = next(description.subjects(URIRef(SD + "name"), URIRef(name)))
        inner = description.value(node, URIRef(SD + "graph"))
        counted = http.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"})
        assert description.value(inner, URIRef(VOID + "triples")) == Literal(int(rows(counted)[0][0]))


def test_service_description_in_json_ld_and_for_browsers(http):
    as_jsonld = http.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"] == "application/ld+json"
    assert json.loads(as_jsonld.text)
    browser = http.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html")
    assert "SPARQL editor" in browser.text and "yasgui" in browser.text.lower()


@pytest.mark.parametrize("media_type", ["application/n-quads", "application/trig"])
def test_service_description_in_a_quad_format_is_the_default_graph(http, media_type):
    import pyoxigraph as ox

    answer = http.get("/sparql", headers={"Accept": media_type})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(media_type)
    quads = list(ox.parse(answer.content, format=ox.RdfFormat.from_media_type(media_type)))
    assert quads and all(q.graph_name == ox.DefaultGraph() for q in quads)
    assert any(q.object == ox.NamedNode(SD + "Service") for q in quads)


def test_an_html_page_can_be_plugged_in(service):
    from starlette.responses import HTMLResponse

    with client(service, sparql_page=lambda request: HTMLResponse("<p>editor</p>")) as http:
        response = http.get("/sparql", headers={"Accept": "text/html"})
    assert response.text == "<p>editor</p>"


# --- bounds --------------------------------------------------------------------------

def test_max_rows_truncates_and_says_so(service):
    with client(variant(service, max_rows=1)) as http:
        as_json = http.get("/sparql", params={"query": MISSIONS})
        as_xml = http.get("/sparql", params={"query": MISSIONS}, headers={"Accept": "application/sparql-results+xml"})
        as_csv = http.get("/sparql", params={"query": MISSIONS}, headers={"Accept": "text/csv"})
        graph = http.get("/sparql", params={"query": MISSIONS_GRAPH}, headers={"Accept": "application/n-triples"})
        one = http.get("/sparql", params={"query": MISSIONS + " LIMIT 1"})
    assert rows(as_json) == EXPECTED_MISSIONS[:1]
    assert as_json.headers["x-afkg-truncated"] == "1"
    assert as_json.json()["head"]["link"] == ["urn:afkg:truncated:1"]
    assert '<link href="urn:afkg:truncated:1"/>' in as_xml.text
    assert len(as_csv.text.splitlines()) == 2 and as_csv.headers["x-afkg-truncated"] == "1"
    assert len(graph.text.splitlines()) == 1 and graph.headers["x-afkg-truncated"] == "1"
    assert "x-afkg-truncated" not in one.headers
    assert "link" not in one.json()["head"]


def test_a_query_longer_than_one_mebibyte_is_413(http):
    padding = "#" + "x" * (1024 * 1024) + "\n"
    response = http.post("/sparql", content=(padding + MISSIONS).encode(),
                         headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_a_body_beyond_the_bound_is_413(http):
    response = http.post("/sparql", content=b"q" * (5 * 1024 * 1024),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_deep_nesting_is_refused_before_any_parser(http):
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    response = http.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "nested more than 200 deep" in response.text
    assert rows(http.get("/sparql", params={"query": MISSIONS})) == EXPECTED_MISSIONS


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def test_runaway_is_stopped_and_beyond_max_concurrent_is_503(service):
    busy = variant(service, pool_size=1, timeout=2.0, max_queued=0)
    try:
        with client(busy) as http:
            answers = {}
            runaway = threading.Thread(target=lambda: answers.update(first=http.get("/sparql", params={"query": RUNAWAY})))
            runaway.start()
            while busy.pool.idle:
                time.sleep(0.01)
            refused = http.get("/sparql", params={"query": MISSIONS})
            runaway.join(60)
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert answers["first"].status_code == 503
            assert answers["first"].text == "query stopped after 2 s (--timeout)\n"
            while not busy.pool.idle:
                time.sleep(0.05)
            assert rows(http.get("/sparql", params={"query": MISSIONS})) == EXPECTED_MISSIONS
            assert busy.pool.replaced == 1
    finally:
        busy.pool.close()


def test_healthz(http):
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_access_log_has_one_line_per_request(service):
    log = io.StringIO()
    with client(variant(service, log_format="json"), log_stream=log) as http:
        http.get("/sparql", params={"query": MISSIONS})
        http.get("/healthz")
    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    assert [(e["method"], e["path"], e["status"], e["rows"]) for e in lines] == [
        ("GET", "/sparql", 200, 2), ("GET", "/healthz", 200, None)]
    assert all(e["duration_ms"] >= 0 for e in lines)
