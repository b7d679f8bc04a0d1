"""The remote engine and push against local stand-in servers: what is sent, and how answers are judged."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.errors import NetworkError, QueryError, SparqlSyntaxError, UsageError
from afkg.http_client import Credentials
from afkg.publish.push import push, updates
from afkg.query.remote import DEFAULT_GRAPHS, RemoteEngine, remote_text, where_group
from afkg.rdf.sparql_terms import sparql_term
from afkg.rdf.terms import Term

from conftest import PROJECT
from fakes import FakeServer, Reply, Request

XSD = "http://www.w3.org/2001/XMLSchema#"
ONE_ROW = {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}
JSON = {"Content-Type": "application/sparql-results+json"}


def sent_query(request: Request) -> str:
    return parse_qs(request.body.decode("utf-8"))["query"][0]


def with_put(server: FakeServer) -> FakeServer:
    """The stand-in answers PUT like POST (the Graph Store Protocol puts graphs)."""
    handler = server._server.RequestHandlerClass  # noqa: SLF001 - a test stand-in
    handler.do_PUT = handler.do_POST
    return server


# --- what is sent ----------------------------------------------------------------------

def test_parameters_go_in_a_values_block_at_the_start_of_the_where_group() -> None:
    text = ('CONSTRUCT { ?s rdfs:label "{ not here }" } # { nor here\n'
            'WHERE { ?s afkg:referenceYear ?_year ; afkg:exporter ?_exporter }')
    sent = remote_text(text, {"year": Term.literal("2024", XSD + "gYear"),
                              "exporter": Term.uri("https://w3id.org/afkg/resource/France")})
    body = sent[sent.index("CONSTRUCT"):]
    assert body.startswith('CONSTRUCT { ?s rdfs:label "{ not here }" } # { nor here\nWHERE { VALUES (?_exporter ?_year) '
                           '{ (<https://w3id.org/afkg/resource/France> "2024"^^<http://www.w3.org/2001/XMLSchema#gYear>) }'
                           '\n ?s afkg:referenceYear')
    assert "PREFIX afkg: <https://w3id.org/afkg/ontology#>" in sent


def test_where_group_is_found_past_projection_expressions_and_iris() -> None:
    text = "SELECT (EXISTS { ?a ?b ?c } AS ?e) ?x FROM <http://ex/g#x> { ?x ?p ?o }"
    form, brace = where_group(text)
    assert form == "SELECT" and text[brace:] == "{ ?x ?p ?o }"
    assert where_group("ASK { ?s ?p ?o }") == ("ASK", 4)
    assert where_group("DESCRIBE <http://ex/a>") == ("DESCRIBE", None)


@pytest.mark.parametrize("term", [
    Term.uri("http://ex/a> } ; DROP ALL ; SELECT * { <http://ex/b"),
    Term.uri("no scheme"),
    Term.literal("x", "http://ex/dt> . <x"),
    Term("literal", "x", None, "en } DROP"),
    Term.bnode("b0 } DROP"),
])
def test_terms_that_could_break_out_are_refused(term: Term) -> None:
    with pytest.raises(UsageError):
        sparql_term(term)


def test_a_literal_is_escaped_into_one_term() -> None:
    assert sparql_term(Term.literal('a "b" \\ c\nd')) == '"a \\"b\\" \\\\ c\\nd"'


def test_the_query_is_posted_with_the_pushed_graphs_as_default_graph() -> None:
    with FakeServer(lambda r: Reply(body=ONE_ROW, headers=JSON)) as server:
        engine = RemoteEngine(server.url + "/sparql")
        result = engine.run("SELECT ?x WHERE { ?_y ?p ?x }", {"y": Term.uri("https://w3id.org/afkg/resource/A")})
    assert [row["x"].value for row in result.rows] == ["1"]
    (request,) = server.requests
    assert request.method == "POST" and request.path == "/sparql"
    assert parse_qs(request.body.decode("utf-8"))["default-graph-uri"] == list(DEFAULT_GRAPHS)
    assert "VALUES (?_y) { (<https://w3id.org/afkg/resource/A>) }" in sent_query(request)
    assert request.headers["Accept"] == "application/sparql-results+json"


def test_updates_bad_syntax_service_and_bad_terms_are_refused_before_anything_is_sent() -> None:
    with FakeServer(lambda r: Reply(body=ONE_ROW, headers=JSON)) as server:
        engine = RemoteEngine(server.url + "/sparql")
        with pytest.raises(SparqlSyntaxError):
            engine.run("DROP ALL", {})
        with pytest.raises(SparqlSyntaxError):
            engine.run("SELECT ?x WHERE { ?x ", {})
        with pytest.raises(UsageError, match="SERVICE"):
            engine.run("SELECT ?x WHERE { SERVICE <https://query.wikidata.org/sparql> { ?x ?p ?o } }", {})
        with pytest.raises(UsageError):
            engine.run("SELECT ?x WHERE { ?_y ?p ?x }", {"y": Term.uri("http://ex/a>")})
        with pytest.raises(UsageError, match="larger than 1 MiB"):
            engine.run("SELECT ?x WHERE { ?x ?p ?o }" + " " * (1024 * 1024), {})
    assert server.requests == []


# --- how answers are judged --------------------------------------------------------------

@pytest.mark.parametrize("reply, message", [
    (Reply(body="<html>hello</html>", headers={"Content-Type": "text/html"}), "not SPARQL JSON results"),
    (Reply(body=b"{not json", headers=JSON), "not JSON"),
    (Reply(body={"head": {}}, headers=JSON), "not SPARQL JSON SELECT results"),
    (Reply(body={"head": {"vars": ["x"]}, "results": {"bindings": [{"y": {"type": "uri", "value": "u"}}]}},
           headers=JSON), "a row binds a variable not in the head"),
    (Reply(body={"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "triple", "value": "u"}}]}},
           headers=JSON), "unsupported term type"),
    (Reply(status=500, body="boom"), "answered HTTP 500: boom"),
    (Reply(status=302, headers={"Location": "http://127.0.0.1:9/elsewhere"}), "redirect to"),
])
def test_malformed_or_failed_answers_are_one_line_network_errors(reply: Reply, message: str) -> None:
    with FakeServer(lambda r: reply) as server:
        with pytest.raises(NetworkError, match=message) as caught:
            RemoteEngine(server.url + "/sparql").run("SELECT ?x WHERE { ?x ?p ?o }", {})
    assert "\n" not in str(caught.value)
    assert len(server.requests) == 1  # the redirect was not followed


def test_a_refused_query_is_a_query_error() -> None:
    with FakeServer(lambda r: Reply(status=400, body="Parse error: unexpected token")) as server:
        with pytest.raises(QueryError, match=r"refused the query \(HTTP 400\): Parse error"):
            RemoteEngine(server.url + "/sparql").run("SELECT ?x WHERE { ?x ?p ?o }", {})


def test_answers_are_bounded_in_size_rows_and_time() -> None:
    rows = {"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": str(i), "datatype": XSD + "integer"}} for i in range(5)]}}
    with FakeServer(lambda r: Reply(body=rows, headers=JSON)) as server:
        result = RemoteEngine(server.url + "/sparql", max_rows=2).run("SELECT ?x WHERE { ?x ?p ?o }", {})
        assert [row["x"].value for row in result.rows] == ["0", "1"]
        assert result.truncated
        with pytest.raises(QueryError, match="the answer is larger than 100 bytes"):
            RemoteEngine(server.url + "/sparql", max_bytes=100).run("SELECT ?x WHERE { ?x ?p ?o }", {})
    with FakeServer(lambda r: Reply(body=ONE_ROW, headers=JSON, delay=3.0)) as server:
        with pytest.raises(QueryError, match=r"query stopped after 0.5 s \(--timeout\)"):
            RemoteEngine(server.url + "/sparql", timeout=0.5).run("SELECT ?x WHERE { ?x ?p ?o }", {})


def test_an_ask_answer_as_a_one_row_table_is_read() -> None:
    table = {"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [
        {"__ASK_RETVAL": {"type": "typed-literal", "datatype": XSD + "integer", "value": "0"}}]}}
    with FakeServer(lambda r: Reply(body=table, headers=JSON)) as server:
        assert RemoteEngine(server.url + "/sparql").run("ASK { ?s ?p ?o }", {}).answer is False
    with FakeServer(lambda r: Reply(body=ONE_ROW, headers=JSON)) as server:
        with pytest.raises(NetworkError, match="not a SPARQL JSON boolean"):
            RemoteEngine(server.url + "/sparql").run("ASK { ?s ?p ?o }", {})


def test_ask_and_graph_answers() -> None:
    def respond(request: Request) -> Reply:
        if sent_query(request).rstrip().endswith("}") and "ASK" in sent_query(request):
            return Reply(body={"head": {}, "boolean": True}, headers=JSON)
        return Reply(body='<http://ex/a> <http://ex/p> "22800000"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n',
                     headers={"Content-Type": "application/n-triples"})

    with FakeServer(respond) as server:
        engine = RemoteEngine(server.url + "/sparql")
        assert engine.run("ASK { ?s ?p ?o }", {}).answer is True
        graph = engine.run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {})
    assert graph.triples == [(Term.uri("http://ex/a"), Term.uri("http://ex/p"), Term.literal("22800000.0", XSD + "decimal"))]
    assert server.requests[1].headers["Accept"].startswith("application/n-triples")


# --- credentials -----------------------------------------------------------------------------

def test_basic_and_bearer_credentials_are_sent() -> None:
    with FakeServer(lambda r: Reply(body=ONE_ROW, headers=JSON)) as server:
        RemoteEngine(server.url + "/q", credentials=Credentials.from_options("me:pa:ss")).run(
            "SELECT ?x WHERE { ?x ?p ?o }", {})
        RemoteEngine(server.url + "/q", credentials=Credentials.from_options(None, {"AFKG_STORE_TOKEN": "t0k"})).run(
            "SELECT ?x WHERE { ?x ?p ?o }", {})
        RemoteEngine(server.url + "/q", credentials=Credentials.from_options(None, {})).run(
            "SELECT ?x WHERE { ?x ?p ?o }", {})
    basic, bearer, none = server.requests
    assert basic.headers["Authorization"] == "Basic " + base64.b64encode(b"me:pa:ss").decode("ascii")
    assert bearer.headers["Authorization"] == "Bearer t0k"
    assert "Authorization" not in none.headers


def test_push_sends_the_token_with_every_put_and_never_shows_it(kg, monkeypatch: pytest.MonkeyPatch) -> None:
    with with_put(FakeServer(lambda r: Reply(status=204))) as server:
        push(kg, store=server.url + "/store", credentials=Credentials.from_options(None, {"AFKG_STORE_TOKEN": "s3c"}))
    assert [r.method for r in server.requests] == ["PUT"] * 4
    assert all(r.headers["Authorization"] == "Bearer s3c" for r in server.requests)
    assert all(r.headers["Content-Type"].startswith("application/n-triples") for r in server.requests)
    assert sorted(r.params["graph"] for r in server.requests) == [
        "https://w3id.org/afkg/graph/data", "https://w3id.org/afkg/graph/metadata",
        "https://w3id.org/afkg/graph/ontology", "https://w3id.org/afkg/graph/shapes"]
    monkeypatch.setenv("AFKG_STORE_TOKEN", "s3c")
    with with_put(FakeServer(lambda r: Reply(status=401, body="bad token s3c"[:9]))) as server:
        result = CliRunner().invoke(cli, ["--root", str(PROJECT), "push", "--store", server.url + "/store"])
    assert result.exit_code == 1
    assert "s3c" not in result.output
    assert result.output.startswith("afkg: error: http://127.0.0.1:") and "HTTP 401" in result.output


def test_push_refuses_a_bad_token_or_user_as_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("AFKG_STORE_TOKEN", "two words")
    result = runner.invoke(cli, ["--root", str(PROJECT), "push", "--store", "http://127.0.0.1:9/store"])
    assert result.exit_code == 2 and "two words" not in result.output
    monkeypatch.delenv("AFKG_STORE_TOKEN")
    result = runner.invoke(cli, ["--root", str(PROJECT), "push", "--store", "http://127.0.0.1:9/store", "--user", "me"])
    assert result.exit_code == 2 and "USER:PASSWORD" in result.output


def test_update_chunks_keep_blank_nodes_together(kg) -> None:
    from afkg.graph import SHAPES_GRAPH_IRI
    from afkg.publish.export import named_graphs

    shapes = named_graphs(kg, "shapes")[SHAPES_GRAPH_IRI]
    requests = updates(str(SHAPES_GRAPH_IRI), shapes, chunk_bytes=2048)
    assert requests[0].startswith("DROP SILENT GRAPH <https://w3id.org/afkg/graph/shapes> ;\nINSERT DATA {")
    assert all(r.startswith(("INSERT DATA { GRAPH <https://w3id.org/afkg/graph/shapes> {\n",
                             "INSERT { GRAPH <https://w3id.org/afkg/graph/shapes> {\n")) for r in requests[1:])
    # blank nodes only in INSERT … WHERE {} (some stores refuse them in INSERT DATA)
    assert not any("_:" in r for r in requests if "INSERT DATA" in r)
    assert any("_:" in r for r in requests)
    where: dict[str, int] = {}
    for number, request in enumerate(requests):
        for token in request.split():
            if token.startswith("_:"):
                assert where.setdefault(token, number) == number, token
    lines = sum(len([line for line in r.splitlines() if line.endswith(" .")]) for r in requests)
    assert lines == len(shapes)
