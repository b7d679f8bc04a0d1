"""Pieces of the server on their own: content negotiation, the checks made before any
parser, settings, the on-disk store, refusing a graph that does not conform, and
SERVICE allowed only through afkg's own client."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.server.negotiation import GRAPH, TABULAR, choose, from_name, prefers_html

from serverkit import client, load_service, variant

RES = "https://w3id.org/afkg/resource/"
MISSIONS = ("PREFIX afkg: <https://w3id.org/afkg/ontology#>\n"
            "SELECT ?sending ?city WHERE { ?m afkg:sendingState ?sending ; afkg:place ?city } ORDER BY ?sending")
# The article: "Albania has an embassy in Paris. France has an embassy in Tirana."
EXPECTED_MISSIONS = [(RES + "Albania", RES + "Paris"), (RES + "France", RES + "Tirana")]


def rows(response) -> list[tuple[str, ...]]:
    body = response.json()
    return [tuple(b[n]["value"] for n in body["head"]["vars"]) for b in body["results"]["bindings"]]


@pytest.mark.parametrize(("accept", "formats", "chosen"), [
    (None, TABULAR, "json"),
    ("", GRAPH, "turtle"),
    ("text/csv", TABULAR, "csv"),
    ("text/*", TABULAR, "csv"),
    ("text/xml", TABULAR, "xml"),
    ("text/*;q=0.5, application/sparql-results+xml", TABULAR, "xml"),
    ("application/sparql-results+json;q=0, */*;q=0.1", TABULAR, "xml"),
    ("image/png", TABULAR, None),
    ("text/turtle;q=0", GRAPH, None),
    ("application/ld+json;q=0.9, text/turtle;q=0.8", GRAPH, "jsonld"),
    ("application/trig", GRAPH, "trig"),
    ("garbage, ,;;", TABULAR, None),
])
def test_choose_follows_accept_and_q_values(accept, formats, chosen):
    assert choose(accept, formats) == chosen


def test_prefers_html_only_when_html_is_named_first():
    assert prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert not prefers_html("text/turtle, text/html;q=0.5")
    assert not prefers_html("*/*")
    assert not prefers_html(None)


def test_format_names_and_media_types():
    assert from_name("ttl") == "turtle" and from_name("text/turtle") == "turtle"
    assert from_name("application/sparql-results+json") == "json"
    assert from_name("yaml") is None


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--timeout", "0", "--timeout must be a finite number"),
    ("--timeout", "nan", "--timeout must be a finite number"),
    ("--timeout", "inf", "--timeout must be a finite number"),
    ("--max-rows", "0", "--max-rows must be at least 1"),
    ("--max-concurrent", "0", "--max-concurrent must be between 1 and 64"),
    ("--allow-service", "file:///etc/passwd", "--allow-service expects an http(s) URL"),
])
def test_bad_settings_are_one_line_errors(option, value, message):
    result = CliRunner().invoke(cli, ["serve", option, value])
    assert result.exit_code == 2
    assert result.output.startswith("afkg: error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_graph_that_does_not_conform_is_not_served(project_copy):
    with open(project_copy / "data" / "albania-france" / "relation.ttl", "a", encoding="utf-8") as f:
        f.write("\n<https://w3id.org/afkg/resource/fact/bad-stance> a <https://w3id.org/afkg/ontology#Stance> .\n")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "serve", "--port", "0"])
    assert result.exit_code == 1
    assert result.output.startswith("afkg: error: the graph does not conform to its shapes")
    assert len(result.output.strip().splitlines()) == 1


def test_a_port_in_use_is_a_one_line_error():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.startswith(f"afkg: error: cannot listen on 127.0.0.1:{port}")


@pytest.mark.slow  # tests/test_server_footprint.py serves a store in the fast tier
def test_build_store_then_serve_from_it(tmp_path):
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path / "dist"), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert f"Wrote store {store}" in result.output
    served = load_service(store=str(store))
    try:
        with client(served) as http:
            assert rows(http.get("/sparql", params={"query": MISSIONS})) == EXPECTED_MISSIONS
            card = http.get("/api/queries/diplomatic-missions.csv")
        expected = CliRunner().invoke(cli, ["query", "run", "diplomatic-missions", "--format", "csv"]).stdout_bytes
        assert card.content == expected
    finally:
        served.close()
    from afkg.layout import default_layout
    from afkg.server.store import graph_counts, open_store, write_store

    write_store(default_layout(None), store)
    assert sorted(graph_counts(open_store(store))) == ["https://w3id.org/afkg/graph/data",
                                                       "https://w3id.org/afkg/graph/ontology"]


def test_build_store_refuses_a_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path / "dist"), "--store", str(tmp_path / "notes")])
    assert result.exit_code == 2
    assert "is not a store written by 'afkg build --store'" in result.output
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"
    assert not (tmp_path / "dist").exists()


def test_serve_store_refuses_a_folder_that_is_not_a_store(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2
    assert "not a store written by 'afkg build --store'" in result.output


def test_an_allowed_service_is_called_through_afkg_client_only():
    from serverkit import Trap

    trap = Trap()
    from afkg.server.config import ServerConfig
    from afkg.server.service import Service

    from serverkit import PROJECT

    base = Service.load(ServerConfig(root=str(PROJECT), max_concurrent=1))
    allowed = variant(base, pool_size=1, allow_service=(trap.url,))
    try:
        query = (f"SELECT ?s ?x WHERE {{ VALUES ?s {{ <{RES}Albania> }} SERVICE <{trap.url}> {{ ?s ?p ?x }} }}")
        with client(allowed) as http:
            answer = http.get("/sparql", params={"query": query})
            other = http.get("/sparql", params={"query": query.replace(trap.url, trap.url + "x")})
        assert answer.status_code == 200
        assert answer.json()["results"]["bindings"] == []
        assert len(trap.requests) == 1
        method, path, body = trap.requests[0].split(" ", 2)
        assert (method, path) == ("POST", "/sparql") and body.startswith("query=")
        assert other.status_code == 403 and len(trap.requests) == 1
    finally:
        allowed.pool.close()
        trap.close()


def test_the_module_level_app_is_built_on_first_use_without_loading():
    from starlette.applications import Starlette

    import afkg.server

    first = afkg.server.app
    assert isinstance(first, Starlette)
    assert afkg.server.app is first
    assert not hasattr(first.state, "service")


def test_a_variable_service_endpoint_is_refused_with_nothing_sent(tmp_path):
    from afkg.server.execution import Worker
    from afkg.server.tasks import SparqlTask

    worker = Worker(layout=None, store=None)
    answer = worker.handle(SparqlTask(query="SELECT * WHERE { SERVICE ?where { ?s ?p ?o } }", max_rows=10))
    assert answer.status == 400
    assert answer.body.decode().count("nothing was sent") == 1
