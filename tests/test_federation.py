"""Federated queries against a local stand-in of Wikidata's query service; endpoints
that are not allow-listed are refused before any request is sent."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.errors import UsageError
from afkg.query.federation import WIKIDATA_SPARQL, Federation, service_clauses

from fakes import FakeServer, Reply, Request

HERE = Path(__file__).resolve().parent / "wikidata"
R = "https://w3id.org/afkg/resource/"


@pytest.fixture(scope="module")
def stand_in():
    store = ox.Store()
    store.load(path=str(HERE / "stand-in.ttl"), format=ox.RdfFormat.TURTLE)

    def respond(request: Request) -> Reply:
        query = request.params.get("query")
        if request.method != "POST" or not query:
            return Reply(status=400, body="query expected")
        try:
            results = store.query(query)
        except SyntaxError as exc:
            return Reply(status=400, body=str(exc))
        body = results.serialize(format=ox.QueryResultsFormat.JSON)
        return Reply(body=body, headers={"Content-Type": "application/sparql-results+json"})

    with FakeServer(respond) as server:
        yield server


def run(stand_in, *args):
    redirect = f"{WIKIDATA_SPARQL}={stand_in.url}/sparql"
    return CliRunner().invoke(cli, ["query", "run", *args, "--service-endpoint", redirect, "--format", "csv"])


def rows(output: str) -> list[tuple[str, ...]]:
    return [tuple(r) for r in list(csv.reader(io.StringIO(output)))[1:]]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_membership_dates_from_wikidata(stand_in, engine):
    before = len(stand_in.requests)
    result = run(stand_in, "wikidata-membership-dates", "--engine", engine)
    assert result.exit_code == 0, result.output
    assert rows(result.output) == [
        (R + "Albania", R + "NATO", "https://w3id.org/afkg/role/member", "2009-04-01T00:00:00Z", ""),
        (R + "Albania", R + "OSCE", "https://w3id.org/afkg/role/member", "", ""),
        (R + "France", R + "European_Union", "https://w3id.org/afkg/role/founder", "", ""),
        (R + "France", R + "European_Union", "https://w3id.org/afkg/role/member", "", ""),
        (R + "France", R + "NATO", "https://w3id.org/afkg/role/member", "1949-08-24T00:00:00Z", ""),
        (R + "France", R + "OSCE", "https://w3id.org/afkg/role/member", "", ""),
    ]
    sent = stand_in.requests[before:]
    assert len(sent) == 1
    remote = sent[0].params["query"]
    assert "VALUES" in remote and "<http://www.wikidata.org/entity/Q222>" in remote
    assert "Q403" not in remote
    assert sent[0].headers["User-Agent"].startswith("afkg/")


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_heads_of_state_and_government(stand_in, engine):
    result = run(stand_in, "wikidata-heads-of-state-and-government", "--engine", engine)
    assert result.exit_code == 0, result.output
    assert rows(result.output) == [
        (R + "Albania", "head of government", "http://www.wikidata.org/entity/Q316901", R + "Edi_Rama"),
        (R + "France", "head of state", "http://www.wikidata.org/entity/Q3052772", R + "Emmanuel_Macron"),
    ]


def test_diplomatic_relations(stand_in):
    result = run(stand_in, "wikidata-diplomatic-relations")
    assert result.exit_code == 0, result.output
    assert rows(result.output) == [
        (R + "Albania-France_relations", R + "Albania", R + "France"),
        (R + "Albania-France_relations", R + "France", R + "Albania"),
    ]


def test_service_not_allow_listed_is_refused_before_any_request(stand_in):
    before = len(stand_in.requests)
    query = f"SELECT ?x WHERE {{ SERVICE <{stand_in.url}/sparql> {{ ?x ?p ?o }} }}"
    for engine in ("oxigraph", "rdflib"):
        result = CliRunner().invoke(cli, ["query", "exec", "-", "--engine", engine], input=query)
        assert result.exit_code == 2
        assert result.output.startswith(f"afkg: error: SERVICE <{stand_in.url}/sparql> is not allowed")
        assert result.output.strip().endswith("nothing was sent")
    assert len(stand_in.requests) == before


def test_allow_listed_local_endpoint_is_called(stand_in):
    query = (f"PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
             f"SELECT ?org WHERE {{ SERVICE <{stand_in.url}/sparql> {{ <http://www.wikidata.org/entity/Q403> wdt:P463 ?org }} }}")
    result = CliRunner().invoke(cli, ["query", "exec", "-", "--allow-service", f"{stand_in.url}/sparql",
                                      "--format", "csv"], input=query)
    assert result.exit_code == 0, result.output
    assert rows(result.output) == [("http://www.wikidata.org/entity/Q81299",)]


def test_variable_endpoint_is_refused():
    with pytest.raises(UsageError, match="variable endpoint"):
        service_clauses("SELECT * WHERE { ?e ?p ?o . SERVICE ?e { ?s ?p ?o } }")


def test_unreachable_service_is_a_one_line_error():
    redirect = f"{WIKIDATA_SPARQL}=http://127.0.0.1:9/sparql"
    result = CliRunner().invoke(cli, ["query", "run", "wikidata-diplomatic-relations", "--service-endpoint", redirect])
    assert result.exit_code == 1
    assert result.output.startswith("afkg: error: cannot reach 127.0.0.1") and result.output.count("\n") == 1


def test_silent_service_failure_gives_an_empty_pattern():
    federation = Federation.default(redirects={WIKIDATA_SPARQL: "http://127.0.0.1:9/sparql"})
    from afkg.layout import default_layout
    from afkg.query.catalogue import execute, from_text
    from afkg.query.engines import get_engine

    query = from_text("PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
                      "SELECT ?c WHERE { ?c owl:sameAs ?i . SERVICE SILENT <https://query.wikidata.org/sparql> "
                      "{ ?i ?p ?o } } ORDER BY ?c LIMIT 1")
    result = execute(query, get_engine("oxigraph", default_layout()), {}, federation)
    assert len(result.rows) == 1


def test_lint_requires_the_federated_flag(project_copy):
    (project_copy / "queries" / "unflagged.rq").write_text(
        "#+ summary: s\nSELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "query", "lint"])
    assert result.exit_code == 1
    assert "lacks 'federated: true'" in result.output
