"""The site's pages served by the application: the same answers as the Site library, query forms
run through the worker pool, the editor at /sparql, and the endpoint's own routes untouched.

Figures come from the article (data/albania-france/source.txt): in 2024 France exported
€22.8 million to Albania and imported €16.1 million from it.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from afkg.layout import Layout
from afkg.publish.site import Site

from serverkit import PROJECT, client, variant

pytestmark = pytest.mark.xdist_group("service")  # one worker loads the session's service for them all

ALBANIA = URIRef("https://w3id.org/afkg/resource/Albania")


@pytest.fixture(scope="module")
def site() -> Site:
    return Site.from_layout(Layout(PROJECT))


@pytest.mark.parametrize("path", ["/", "/ontology", "/queries", "/source/albania-france", "/resource/Albania"])
def test_pages_equal_the_library_answers(http, site, path):
    served = http.get(path, headers={"Accept": "text/html"})
    expected = site.get(path, {}, "text/html")
    assert served.status_code == expected.status == 200
    assert served.headers["content-type"].startswith("text/html")
    assert served.content == expected.body


def test_resource_negotiation_through_the_server(http):
    answer = http.get("/resource/Albania", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")
    assert "Accept" in answer.headers["vary"]
    graph = Graph().parse(data=answer.text, format="turtle")
    assert (ALBANIA, None, None) in graph
    suffixed = http.get("/resource/Albania.nt")
    assert suffixed.status_code == 200 and "<https://w3id.org/afkg/resource/Albania>" in suffixed.text


def test_unknown_resource_is_a_404_page_with_a_search_box(http):
    answer = http.get("/resource/No_Such_Thing", headers={"Accept": "text/html"})
    assert answer.status_code == 404
    assert "<form" in answer.text and "No_Such_Thing" in answer.text


def test_query_form_runs_through_the_worker_pool(http):
    answer = http.get("/queries/trade-by-year", params={"year": "2024"}, headers={"Accept": "text/html"})
    assert answer.status_code == 200
    assert "22,800,000" in answer.text and "16,100,000" in answer.text
    assert answer.text.count("<tr") == 1 + 2  # the header and the two flows of 2024


def test_query_form_bad_value_is_a_readable_400(http):
    answer = http.get("/queries/trade-by-year", params={"year": "twenty"}, headers={"Accept": "text/html"})
    assert 400 <= answer.status_code < 500
    assert "twenty" in answer.text and "Traceback" not in answer.text


def test_query_form_honours_the_row_bound(service):
    with client(variant(service, max_rows=1)) as http:
        answer = http.get("/queries/trade-by-year", params={"year": "2024"}, headers={"Accept": "text/html"})
    assert answer.status_code == 200
    assert answer.text.count("<tr") == 1 + 1


def test_browsers_get_the_editor_at_sparql_and_clients_still_get_results(http):
    page = http.get("/sparql", headers={"Accept": "text/html"})
    assert "SPARQL editor" in page.text and "/static/vendor/" in page.text
    results = http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"})
    assert results.json() == {"head": {}, "boolean": True}


def test_endpoint_routes_win_over_pages(http):
    assert http.get("/healthz").json()["status"] == "ok"
    assert http.get("/api/queries").headers["content-type"].startswith("application/json")


def test_head_of_a_page_has_no_body(http):
    answer = http.head("/ontology", headers={"Accept": "text/html"})
    assert answer.status_code == 200 and answer.content == b""
    assert int(answer.headers["content-length"]) > 1000


def test_absurdly_long_path_is_refused(http):
    assert http.get("/resource/" + "x" * 5000).status_code == 414
