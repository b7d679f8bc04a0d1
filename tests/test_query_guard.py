"""The query guard: kind, updates and SERVICE decided from the parsed query, whatever the
spelling; nesting refused before any parser; engines that cannot reach the network."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.errors import AfkgError, QueryError, SparqlSyntaxError, UsageError
from afkg.layout import default_layout
from afkg.query import guard
from afkg.query.catalogue import execute, from_text
from afkg.query.engines import get_engine

from fakes import FakeServer, Reply


@pytest.fixture()
def trap():
    """An endpoint that must never receive anything."""
    with FakeServer(lambda request: Reply(body={"head": {"vars": []}, "results": {"bindings": []}})) as server:
        yield server


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("afkg: error: "), result.output
    return lines[0]


SPELLINGS = [r"\u0053ERVICE", r"\u0073ervice", r"SERV\u0049CE", "ſERVICE", "SERVıCE", "service", "SeRvIcE",
             r"\U00000053ERVICE"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_service_is_found_by_the_parser(spelling):
    info = guard.inspect(f"SELECT * WHERE {{ {spelling} <http://example.org/sparql> {{ ?s ?p ?o }} }}")
    assert info.kind == "SELECT"
    assert [c.endpoint for c in info.services] == ["http://example.org/sparql"]
    assert info.services[0].variables == ("o", "p", "s")


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("spelling", SPELLINGS[:5])
def test_escaped_service_to_a_trap_is_refused_and_sends_nothing(trap, engine, spelling):
    text = f"SELECT * WHERE {{ {spelling} <{trap.url}/sparql> {{ ?s ?p ?o }} }}"
    result = CliRunner().invoke(cli, ["query", "exec", "-", "--engine", engine], input=text)
    line = one_line_error(result, 2)
    assert f"SERVICE <{trap.url}/sparql> is not allowed" in line
    assert trap.requests == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_service_text_inside_a_literal_does_not_hide_the_real_clause(trap, engine):
    text = ('SELECT * WHERE { BIND("SERVICE <https://query.wikidata.org/sparql> { ?a ?b ?c }" AS ?x) '
            f"SERVICE <{trap.url}/sparql> {{ ?s ?p ?o }} }}")
    result = CliRunner().invoke(cli, ["query", "exec", "-", "--engine", engine], input=text)
    assert f"SERVICE <{trap.url}/sparql> is not allowed" in one_line_error(result, 2)
    assert trap.requests == []


@pytest.mark.parametrize("text,endpoints", [
    ("SELECT * WHERE { FILTER EXISTS { SERVICE <http://e.example/> { ?s ?p ?o } } }", ["http://e.example/"]),
    ("SELECT * WHERE { { SELECT * WHERE { SERVICE <http://e.example/> { ?s ?p ?o } } } }", ["http://e.example/"]),
    ("PREFIX w: <http://w.example/> SELECT * WHERE { SERVICE w:sparql { ?s ?p ?o } "
     "OPTIONAL { SERVICE SILENT <http://e.example/> { ?s ?q ?z } } }", ["http://e.example/", "http://w.example/sparql"]),
    ('PREFIX service: <http://x.example/> SELECT ?service WHERE { ?service service:p "SERVICE" } # SERVICE', []),
])
def test_service_clauses_anywhere_in_the_algebra(text, endpoints):
    assert sorted(c.endpoint for c in guard.inspect(text).services) == endpoints


def test_kind_and_update_come_from_the_parser():
    assert guard.inspect("# a { in a comment\nPREFIX x: <http://x.example/>\nSELECT * WHERE { ?s ?p ?o }").kind == "SELECT"
    assert guard.inspect('ASK { ?s ?p "SELECT" }').kind == "ASK"
    assert guard.inspect("CONSTRUCT WHERE { ?s ?p ?o }").kind == "CONSTRUCT"
    assert guard.inspect("DESCRIBE <http://x.example/>").kind == "DESCRIBE"
    for update in ("LOAD <http://x.example/>", "INSERT DATA { <http://a.example/> <http://b.example/> 1 }",
                   "DELETE WHERE { ?s ?p ?o }"):
        info = guard.inspect(update)
        assert info.is_update and info.kind == "UPDATE"
        with pytest.raises(UsageError, match="updates"):
            guard.check_query(update)


def test_comment_with_a_brace_before_select_keeps_a_federated_query_a_select():
    query = from_text("# uses { braces } in a comment\nSELECT ?s WHERE { SERVICE <https://query.wikidata.org/sparql> "
                      "{ ?s ?p ?o } }")
    assert query.query_type == "SELECT"


def test_from_is_refused_and_never_loaded(trap):
    text = f"SELECT * FROM <{trap.url}/data.ttl> WHERE {{ ?s ?p ?o }}"
    for engine in ("oxigraph", "rdflib"):
        result = CliRunner().invoke(cli, ["query", "exec", "-", "--engine", engine], input=text)
        assert "FROM and FROM NAMED are not allowed" in one_line_error(result, 2)
    assert trap.requests == []


@pytest.mark.parametrize("text,message", [
    ("SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }", "variable endpoint"),
    ("SELECT * WHERE { SERVICE <http://a.example/> { SERVICE <http://b.example/> { ?s ?p ?o } } }",
     "refused"),
    (r'SELECT * WHERE { ?s ?p "\u005Cu0041" }', "spell another escape"),
    ("SELECT * WHERE " + "{" * 3000 + "}" * 3000, "nested more than 200 deep"),
    ("SELECT * WHERE { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }", "nested more than 200 deep"),
])
def test_refused_before_anything_runs(text, message):
    with pytest.raises(UsageError, match=message):
        guard.check_query(text)


def test_nesting_inside_strings_iris_and_comments_does_not_count():
    braces = "{" * 500
    info = guard.inspect(f'SELECT * WHERE {{ ?s ?p "{braces}" }} # {braces}\n')
    assert info.kind == "SELECT"
    deep = "SELECT * WHERE " + "{" * 200 + " ?s ?p ?o " + "}" * 200
    assert guard.inspect(deep).kind == "SELECT"


def test_unparseable_text_is_a_syntax_error():
    with pytest.raises(SparqlSyntaxError):
        guard.inspect("SELECT * WHERE { ?s ?p }")
    with pytest.raises(SparqlSyntaxError):
        guard.inspect("SERVICE <http://x.example/> { ?s ?p ?o }")


@pytest.mark.sample(1)
@pytest.mark.parametrize("text", [
    "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000,
    "SELECT * WHERE { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }",
])
def test_lint_and_exec_refuse_absurd_nesting_in_one_line(project_copy, text):
    (project_copy / "queries" / "deep.rq").write_text("#+ summary: deep\n" + text + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "query", "lint"])
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if "deep.rq" in line][0].endswith(
        "brackets nested more than 200 deep; refused")
    result = CliRunner().invoke(cli, ["query", "exec", "-"], input=text)
    assert "nested more than 200 deep" in one_line_error(result, 2)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_engines_refuse_service_even_when_called_directly(trap, engine):
    runner = get_engine(engine, default_layout())
    with pytest.raises(UsageError, match="engines never call a service"):
        runner.run(f"SELECT * WHERE {{ SERVICE <{trap.url}/sparql> {{ ?s ?p ?o }} }}", {})
    assert trap.requests == []


def test_rdflib_own_service_evaluation_cannot_reach_the_network(trap):
    from rdflib import Graph

    guard.disable_rdflib_network()
    with pytest.raises(QueryError, match="refused"):
        list(Graph().query(f"SELECT * WHERE {{ SERVICE <{trap.url}/sparql> {{ ?s ?p ?o }} }}"))
    assert trap.requests == []


def test_execute_checks_every_query_whatever_its_text():
    query = from_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    engine = get_engine("oxigraph", default_layout())
    assert len(execute(query, engine, {}).rows) == 1
    with pytest.raises(AfkgError):
        from_text("DELETE WHERE { ?s ?p ?o }")


SHAPE_ESCAPES = [
    "SERVICE <{url}/sparql> {{ ?s ?p ?o }}",
    r"\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }}",
    "ſERVICE <{url}/sparql> {{ ?s ?p ?o }}",
]


@pytest.mark.parametrize("pattern", SHAPE_ESCAPES)
def test_validate_refuses_shapes_whose_sparql_calls_a_service(project_copy, trap, pattern):
    clause = pattern.format(url=trap.url).replace("\\", "\\\\")
    shape = f'''
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix afkg: <https://w3id.org/afkg/ontology#> .
afkg:EscapeShape a sh:NodeShape ; sh:targetClass afkg:Country ;
    sh:sparql [ sh:select """SELECT $this WHERE {{ {clause} }}""" ] .
'''
    shapes = project_copy / "ontology" / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + shape, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "validate"])
    line = one_line_error(result, 2)
    assert "afkg:EscapeShape" in line and "SERVICE" in line
    assert trap.requests == []


def test_validate_refuses_shapes_with_from(project_copy, trap):
    shape = f'''
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix afkg: <https://w3id.org/afkg/ontology#> .
afkg:FromShape a sh:NodeShape ; sh:targetClass afkg:Country ;
    sh:sparql [ sh:select """SELECT $this FROM <{trap.url}/g.ttl> WHERE {{ $this ?p ?o }}""" ] .
'''
    shapes = project_copy / "ontology" / "shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8") + shape, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "validate"])
    assert "afkg:FromShape" in one_line_error(result, 2)
    assert trap.requests == []


def test_shape_problem_names_updates_and_bad_syntax():
    assert guard.shape_sparql_problem("LOAD <http://x.example/>").startswith("its SPARQL does not parse")
    assert guard.shape_sparql_problem("SELECT $this WHERE { $this ?p }").startswith("its SPARQL does not parse")
    assert guard.shape_sparql_problem("SELECT $this WHERE { $this ?p ?o }") is None
