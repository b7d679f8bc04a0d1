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
from afkg.errors import NetworkError, UsageError
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


# --- hostile answers, several clauses, redirects --------------------------------------------


@pytest.fixture()
def trap():
    """An endpoint that must never receive anything."""
    with FakeServer(lambda request: Reply(body={"head": {"vars": []}, "results": {"bindings": []}})) as server:
        yield server


def scripted(body_of):
    """A SPARQL endpoint answering ``body_of(request)`` as SPARQL JSON."""
    return FakeServer(lambda request: Reply(body=body_of(request),
                                            headers={"Content-Type": "application/sparql-results+json"}))


def answer(bindings, variables=("item", "v")):
    return {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}


Q1 = "http://www.wikidata.org/entity/Q1"
JOIN_QUERY = ("SELECT ?item ?v WHERE {{ VALUES ?item {{ <" + Q1 + "> }} "
              "SERVICE <{url}/sparql> {{ ?item <http://p.example/p> ?v }} }}")


def run_join(endpoint, engine="oxigraph", text=JOIN_QUERY):
    from afkg.layout import default_layout
    from afkg.query.catalogue import execute, from_text
    from afkg.query.engines import get_engine

    federation = Federation.default([f"{endpoint.url}/sparql"])
    return execute(from_text(text.format(url=endpoint.url)), get_engine(engine, default_layout()), {}, federation)


def hostile(trap_url: str) -> str:
    return f"x> ) }} SERVICE <{trap_url}/sparql> {{ ?a ?b ?c }} #"


@pytest.mark.sample(2)
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("field", ["uri", "lang", "datatype"])
def test_hostile_terms_in_an_answer_are_refused_and_reach_nothing(trap, engine, field):
    from afkg.errors import NetworkError

    evil = hostile(trap.url)
    value = {"uri": {"type": "uri", "value": "http://x.example/" + evil},
             "lang": {"type": "literal", "value": "a", "xml:lang": "en " + evil},
             "datatype": {"type": "literal", "value": "a", "datatype": "http://x.example/" + evil}}[field]
    with scripted(lambda request: answer([{"item": {"type": "uri", "value": Q1}, "v": value}])) as endpoint:
        with pytest.raises(NetworkError, match="malformed answer from 127.0.0.1: bad term for 'v'"):
            run_join(endpoint, engine)
        assert len(endpoint.requests) == 1
    assert trap.requests == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_hostile_literal_text_comes_back_as_the_same_literal(trap, engine):
    evil = '"> ) } ' + hostile(trap.url) + "\n\\"
    with scripted(lambda request: answer([{"item": {"type": "uri", "value": Q1},
                                           "v": {"type": "literal", "value": evil}}])) as endpoint:
        result = run_join(endpoint, engine)
    assert [row["v"].value for row in result.rows] == [evil]
    assert trap.requests == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_an_answer_with_bad_variable_names_is_refused_and_sends_nothing_more(trap, engine):
    evil_var = f"v) }} SERVICE <{trap.url}/sparql> {{ ?a ?b ?c }} #"
    body = answer([{"item": {"type": "uri", "value": Q1}, "v": {"type": "literal", "value": "ok"},
                    evil_var: {"type": "literal", "value": "x"}}], variables=("item", "v", evil_var))
    with scripted(lambda request: body) as endpoint, pytest.raises(NetworkError) as refused:
        run_join(endpoint, engine)
    assert "is not a list of variable names" in str(refused.value)
    assert trap.requests == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_an_answer_with_no_rows_gives_no_rows(engine):
    with scripted(lambda request: answer([])) as endpoint:
        result = run_join(endpoint, engine)
    assert result.rows == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_stored_federated_query_with_an_empty_answer(engine):
    with scripted(lambda request: answer([], variables=("memberItem", "statement", "start", "end"))) as endpoint:
        result = CliRunner().invoke(cli, ["query", "run", "wikidata-membership-dates", "--engine", engine,
                                          "--service-endpoint", f"{WIKIDATA_SPARQL}={endpoint.url}/sparql",
                                          "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert rows(result.output) == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_two_clauses_for_one_endpoint_both_go_to_the_stand_in(engine):
    text = ("SELECT ?item ?v ?w WHERE { VALUES ?item { <" + Q1 + "> } "
            "SERVICE <https://query.wikidata.org/sparql> { ?item <http://p.example/p> ?v } "
            "SERVICE <https://query.wikidata.org/sparql> { ?item <http://p.example/q> ?w } }")

    def body_of(request):
        var = "v" if "<http://p.example/p>" in request.params["query"] else "w"
        return answer([{"item": {"type": "uri", "value": Q1}, var: {"type": "literal", "value": var.upper()}}],
                      variables=("item", var))

    with scripted(body_of) as endpoint:
        result = CliRunner().invoke(cli, ["query", "exec", "-", "--engine", engine, "--format", "csv",
                                          "--service-endpoint", f"{WIKIDATA_SPARQL}={endpoint.url}/sparql"],
                                    input=text)
        assert result.exit_code == 0, result.output
        assert rows(result.output) == [(Q1, "V", "W")]
        assert len(endpoint.requests) == 2


def test_service_text_in_a_literal_is_left_alone(trap):
    text = ('SELECT ?item ?v ?t WHERE { VALUES ?item { <' + Q1 + '> } '
            'BIND("SERVICE <https://query.wikidata.org/sparql> { ?item ?x ?y }" AS ?t) '
            'SERVICE <https://query.wikidata.org/sparql> { ?item <http://p.example/p> ?v } }')
    with scripted(lambda request: answer([{"item": {"type": "uri", "value": Q1},
                                           "v": {"type": "literal", "value": "V"}}])) as endpoint:
        result = CliRunner().invoke(cli, ["query", "exec", "-", "--format", "csv",
                                          "--service-endpoint", f"{WIKIDATA_SPARQL}={endpoint.url}/sparql"],
                                    input=text)
        assert result.exit_code == 0, result.output
        assert rows(result.output) == [(Q1, "V", "SERVICE <https://query.wikidata.org/sparql> { ?item ?x ?y }")]
        assert len(endpoint.requests) == 1


def test_an_allowed_and_a_trap_clause_are_refused_together(trap):
    text = ("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } "
            f"SERVICE <{trap.url}/sparql> {{ ?s ?p ?o }} }}")
    with scripted(lambda request: answer([])) as endpoint:
        result = CliRunner().invoke(cli, ["query", "exec", "-", "--service-endpoint",
                                          f"{WIKIDATA_SPARQL}={endpoint.url}/sparql"], input=text)
        assert result.exit_code == 2
        assert f"SERVICE <{trap.url}/sparql> is not allowed" in result.output
        assert endpoint.requests == []
    assert trap.requests == []


@pytest.mark.sample(2)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_from_an_allowed_endpoint_is_not_followed(trap, status):
    with FakeServer(lambda request: Reply(status=status, headers={"Location": f"{trap.url}/sparql"})) as endpoint:
        result = CliRunner().invoke(cli, ["query", "run", "wikidata-diplomatic-relations",
                                          "--service-endpoint", f"{WIKIDATA_SPARQL}={endpoint.url}/sparql"])
        assert len(endpoint.requests) == 1
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "redirects are not followed" in result.output
    assert trap.requests == []


MALFORMED = [
    [1, 2, 3],
    {"head": [], "results": {"bindings": []}},
    {"head": {"vars": "item"}, "results": {"bindings": []}},
    {"head": {"vars": ["item"]}, "results": {"bindings": {}}},
    {"head": {"vars": ["item"]}, "results": {"bindings": [["x"]]}},
    {"head": {"vars": ["item"]}, "results": {"bindings": [{"item": "x"}]}},
    {"head": {"vars": ["item"]}, "results": {"bindings": [{"item": {"type": "uri", "value": 7}}]}},
    {"head": {"vars": ["item"]}, "results": {"bindings": [{"item": {"type": "weird", "value": "x"}}]}},
    {"head": {"vars": ["item"]}, "results": {"bindings": [{"item": {"type": "literal", "value": "x",
                                                                     "xml:lang": ["en"]}}]}},
]


@pytest.mark.sample(3)
@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_sparql_json_is_a_one_line_network_error(body):
    with scripted(lambda request: body) as endpoint:
        result = CliRunner().invoke(cli, ["query", "run", "wikidata-diplomatic-relations",
                                          "--service-endpoint", f"{WIKIDATA_SPARQL}={endpoint.url}/sparql"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("afkg: error: malformed answer from 127.0.0.1")
    assert result.output.count("\n") == 1


def test_deeply_nested_json_is_a_one_line_network_error():
    deep = "[" * 200_000 + "]" * 200_000
    with FakeServer(lambda request: Reply(body=deep.encode(), headers={"Content-Type": "application/json"})) as e:
        result = CliRunner().invoke(cli, ["query", "run", "wikidata-diplomatic-relations",
                                          "--service-endpoint", f"{WIKIDATA_SPARQL}={e.url}/sparql"])
    assert result.exit_code == 1
    assert result.output.strip() == "afkg: error: malformed answer from 127.0.0.1: JSON nested too deep"


@pytest.mark.parametrize("args,message", [
    (["--allow-service", "http://[::1"], "--allow-service: 'http://[::1' is not a valid URL"),
    (["--allow-service", "ftp://x.example/"], "is not an http(s) URL"),
    (["--service-endpoint", "https://query.wikidata.org/sparql=http://x:abc/"], "--service-endpoint"),
    (["--service-endpoint", "nothing"], "write SERVICE_IRI=URL"),
])
def test_bad_federation_options_are_one_line_usage_errors(args, message):
    result = CliRunner().invoke(cli, ["query", "run", "trade-by-year", *args])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output


def test_bad_allowed_services_variable_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("AFKG_ALLOWED_SERVICES", "http://[::1")
    result = CliRunner().invoke(cli, ["query", "run", "trade-by-year"])
    assert result.exit_code == 2 and "$AFKG_ALLOWED_SERVICES" in result.output
