"""The query commands: listing, formats that parse back, parameters as terms, lint, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.query import Result

from afkg.cli import cli


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_query_list_names_every_query_with_its_parameters():
    result = run("query", "list")
    assert result.exit_code == 0
    assert "trade-by-year" in result.output and "SELECT" in result.output
    assert "-p year (xsd:gYear)" in result.output
    assert "-p resource (iri), required" in result.output


def test_query_show_prints_header_and_text():
    result = run("query", "show", "is-member")
    assert result.exit_code == 0
    assert "param status (iri), default role:member, one of role:member, role:founder, role:candidate" in result.output
    assert "ASK {" in result.output


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_select_formats_parse_back_with_standard_parsers(engine):
    outputs = {fmt: run("query", "run", "trade-by-year", "--engine", engine, "--format", fmt).output
               for fmt in ("json", "xml", "csv", "tsv")}
    expected = {("https://w3id.org/afkg/resource/France", "22800000.0"),
                ("https://w3id.org/afkg/resource/Albania", "16100000.0")}
    for fmt in ("json", "xml", "tsv"):
        parsed = Result.parse(io.StringIO(outputs[fmt]), format=fmt)
        assert {(str(r.exporter), str(r.amount)) for r in parsed} == expected, fmt
        amounts = [r.amount for r in parsed]
        assert all(str(a.datatype) == "http://www.w3.org/2001/XMLSchema#decimal" for a in amounts), fmt
    parsed = Result.parse(io.StringIO(outputs["csv"]), format="csv")
    assert {(str(r.exporter), str(r.amount)) for r in parsed} == expected
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert [r["year"] for r in rows] == ["2024", "2024"]
    body = json.loads(outputs["json"])
    assert body["head"]["vars"] == ["relation", "year", "exporter", "importer", "amount", "currency", "growthPercent",
                                  "reporter"]


def test_ask_formats_parse_back():
    for fmt in ("json", "xml"):
        out = run("query", "run", "ever-opposed", "-p", "holder=France", "-p", "target=Albania", "--format", fmt).output
        assert Result.parse(io.StringIO(out), format=fmt).askAnswer is True
    table = run("query", "run", "ever-opposed", "-p", "holder=Albania", "-p", "target=France")
    assert table.exit_code == 0 and table.output == "no\n"


@pytest.mark.parametrize("fmt,parser", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_graph_formats_parse_back(fmt, parser):
    out = run("query", "run", "describe-resource", "-p", "resource=res:Tirana", "--format", fmt)
    assert out.exit_code == 0, out.output
    graph = Graph().parse(data=out.output, format=parser)
    assert len(graph) == 5  # type, kind, label, country, Wikidata item


def test_format_that_does_not_fit_the_query_is_a_usage_error():
    result = run("query", "run", "trade-by-year", "--format", "turtle")
    assert result.exit_code == 2
    assert result.output.strip() == ("afkg: error: format 'turtle' does not fit a SELECT or ASK result; "
                                     "use table, csv, tsv, json, xml")


def test_unknown_query_suggests_close_names():
    result = run("query", "run", "trade-by-yr")
    assert result.exit_code == 2
    assert result.output.strip().startswith("afkg: error: no stored query named 'trade-by-yr'; did you mean trade-by-year")


def test_missing_required_parameter_names_it_and_its_type():
    result = run("query", "run", "provenance")
    assert result.exit_code == 2
    assert result.output.strip() == ("afkg: error: query 'provenance' needs parameter 'resource' (iri): "
                                     "add -p resource=VALUE")


@pytest.mark.parametrize("param,message", [
    ("year=20x4", "parameter 'year' expects xsd:gYear (a year, e.g. 2024), got '20x4'"),
    ("colour=red", "query 'trade-by-year' has no parameter 'colour' (parameters: relation, year, exporter)"),
    ("year", "bad parameter 'year': write -p NAME=VALUE"),
])
def test_bad_parameter_is_a_one_line_usage_error(param, message):
    result = run("query", "run", "trade-by-year", "-p", param)
    assert result.exit_code == 2
    assert result.output.strip() == f"afkg: error: {message}"


def test_enum_parameter_rejects_other_values():
    result = run("query", "run", "stances", "-p", "kind=role:member")
    assert result.exit_code == 2
    assert "must be one of kind:support, kind:opposition, kind:withheld-support" in result.output


INJECTIONS = [
    'Albania" || true || "',
    "x } UNION { ?s ?p ?o } #",
    "'; DROP ALL ; #",
    "line one\nSELECT * WHERE { ?s ?p ?o }",
    "{ } # \" ' \\ <> FILTER(true)",
]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("value", INJECTIONS)
def test_string_parameters_change_only_the_value(tmp_path, engine, value):
    query = tmp_path / "echo.rq"
    query.write_text(
        "#+ summary: labels equal to a text\n#+ params:\n#+   text: {type: xsd:string}\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?_text ?x WHERE { { ?x rdfs:label ?l . FILTER (STR(?l) = ?_text) } UNION { } }\n",
        encoding="utf-8")
    result = run("query", "exec", str(query), "--engine", engine, "-p", f"text={value}", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    assert rows == [{"text": {"type": "literal", "value": value}}]


@pytest.mark.parametrize("value", ["res:X> } ; DROP ALL ; #", "http://e/a b", "<http://e/a>{}", 'res:"x"'])
def test_iri_parameters_reject_what_is_not_an_iri(value):
    result = run("query", "run", "provenance", "-p", f"resource={value}")
    assert result.exit_code == 2
    assert "parameter 'resource' expects an IRI" in result.output


def test_exec_reads_standard_input():
    result = run("query", "exec", "-", "--format", "csv",
                 input="SELECT ?city WHERE { ?m afkg:sendingState ?s ; afkg:place ?city } ORDER BY ?city")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["city", "https://w3id.org/afkg/resource/Paris",
                                          "https://w3id.org/afkg/resource/Tirana"]


def test_exec_syntax_error_is_a_one_line_error():
    result = run("query", "exec", "-", input="SELECT ?x WHERE { ?x ?y }")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "SPARQL syntax error" in lines[0]


def test_output_file_is_written_atomically(tmp_path):
    target = tmp_path / "out.csv"
    result = run("query", "run", "diplomatic-missions", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert target.read_text(encoding="utf-8").startswith("relation,mission,kind,sendingState")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_lint_passes_on_the_catalogue():
    result = run("query", "lint")
    assert result.exit_code == 0
    assert result.output.strip().endswith("queries, no problems")


LINT_CASES = [
    ("bad-yaml", "#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n", ":1: bad YAML in header"),
    ("unknown-key", "#+ summary: s\n#+ colour: red\nSELECT * WHERE { ?s ?p ?o }\n",
     ":2: unknown header key 'colour'"),
    ("no-summary", "#+ tags: [x]\nSELECT * WHERE { ?s ?p ?o }\n", ":1: the header needs a 'summary'"),
    ("undeclared", "#+ summary: s\nSELECT ?_year WHERE { ?s ?p ?_year }\n",
     ":2: the query uses ?_year but the header declares no parameter 'year'"),
    ("unused", "#+ summary: s\n#+ params:\n#+   year: {type: xsd:gYear}\nSELECT * WHERE { ?s ?p ?o }\n",
     ":3: parameter 'year' is declared but the query never uses ?_year"),
    ("bad-type", "#+ summary: s\n#+ params:\n#+   year: {type: date}\nSELECT ?_year WHERE { ?s ?p ?_year }\n",
     ":3: parameter 'year' has type 'date'"),
    ("bad-default", "#+ summary: s\n#+ params:\n#+   year: {type: xsd:gYear, default: soon}\nSELECT ?_year WHERE { ?s ?p ?_year }\n",
     ":3: parameter 'year' expects xsd:gYear"),
    ("syntax", "#+ summary: s\nSELECT ?x WHERE {\n  ?x ?y .\n}\n", ":4:1: SPARQL syntax error: expected"),
    ("not-projected", "#+ summary: s\n#+ params:\n#+   year: {type: xsd:gYear}\nSELECT ?s WHERE { ?s ?p ?_year }\n",
     "SELECT projection"),
]


@pytest.mark.sample(1)
@pytest.mark.parametrize("name,text,message", LINT_CASES, ids=[c[0] for c in LINT_CASES])
def test_lint_reports_file_line_and_reason(project_copy, name, text, message):
    (project_copy / "queries" / f"{name}.rq").write_text(text, encoding="utf-8")
    result = run("--root", str(project_copy), "query", "lint")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(str(project_copy / "queries" / f"{name}.rq"))
    assert message in lines[0]


def test_broken_data_file_is_reported_by_the_query_engine(project_copy):
    path = project_copy / "data" / "albania-france" / "missions.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nres:x res:y .\n", encoding="utf-8")
    for engine in ("oxigraph", "rdflib"):
        result = run("--root", str(project_copy), "query", "run", "diplomatic-missions", "--engine", engine)
        assert result.exit_code == 2
        assert result.output.startswith("afkg: error: data/albania-france/missions.ttl:"), result.output


# --- defaults and messages a user meets at once ----------------------------------------------

# Tirana as the article gives it ("Embassy of France, Tirana", in Albania): a place of kind city,
# labelled, in Albania, linked to its Wikidata item.
_RES, _AFKG = "https://w3id.org/afkg/resource/", "https://w3id.org/afkg/ontology#"
TIRANA = {(URIRef(_RES + "Tirana"), RDF.type, URIRef(_AFKG + "Place")),
          (URIRef(_RES + "Tirana"), URIRef(_AFKG + "kind"), URIRef("https://w3id.org/afkg/kind/city")),
          (URIRef(_RES + "Tirana"), RDFS.label, Literal("Tirana", lang="en")),
          (URIRef(_RES + "Tirana"), URIRef(_AFKG + "country"), URIRef(_RES + "Albania")),
          (URIRef(_RES + "Tirana"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q19689"))}


def test_graph_queries_default_to_turtle():
    result = run("query", "run", "describe-resource", "-p", "resource=res:Tirana")
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.output, format="turtle")
    assert set(graph) == TIRANA


def test_jsonld_results_are_compact_with_the_project_context():
    result = run("query", "run", "describe-resource", "-p", "resource=res:Tirana", "--format", "jsonld")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert "@context" in body
    text = json.dumps({k: v for k, v in body.items() if k != "@context"})
    assert "https://w3id.org/afkg/resource/Tirana" not in text  # compacted to res:Tirana
    assert "res:Tirana" in text
    graph = Graph().parse(data=result.output, format="json-ld")
    assert set(graph) == TIRANA


def test_unknown_prefix_in_a_parameter_is_an_error_naming_it():
    result = run("query", "run", "trade-by-year", "-p", "exporter=foo:France")
    assert result.exit_code == 2
    assert result.output.startswith("afkg: error: parameter 'exporter': unknown prefix 'foo' in 'foo:France'")
    assert result.output.count("\n") == 1


@pytest.mark.parametrize("value", ["http://[::1", "http://x:abc/", "a:b%zz", "urn:x#a#b", "http://a\x01b"])
def test_iri_parameters_are_checked_by_oxigraph(value):
    result = run("query", "run", "describe-resource", "-p", f"resource={value}")
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_header_default_that_oxigraph_rejects_is_a_lint_problem(project_copy):
    (project_copy / "queries" / "bad-default-iri.rq").write_text(
        "#+ summary: s\n#+ params:\n#+   r: {type: iri, default: 'http://[::1'}\nSELECT ?_r WHERE { }\n",
        encoding="utf-8")
    result = run("--root", str(project_copy), "query", "lint")
    assert result.exit_code == 1
    assert "bad-default-iri.rq:3: parameter 'r': 'http://[::1' is not a valid IRI" in result.output


def test_query_list_shows_which_queries_need_the_network():
    lines = {line.split()[0]: line.split()[2] for line in run("query", "list").output.splitlines()
             if not line.startswith(" ")}
    assert lines["wikidata-membership-dates"] == "network"
    assert lines["trade-by-year"] == "local"
    listed = json.loads(run("query", "list", "--format", "json").output)
    assert {q["name"] for q in listed if q["federated"]} == {
        "wikidata-diplomatic-relations", "wikidata-heads-of-state-and-government", "wikidata-membership-dates"}


def test_help_names_the_allow_list_variable_and_the_bounds():
    for command in ("run", "exec"):
        text = run("query", command, "--help").output
        assert "$AFKG_ALLOWED_SERVICES" in text
        assert "--timeout" in text and "--max-rows" in text


def test_readme_exec_examples_run():
    import re
    import shlex

    from conftest import PROJECT

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    line = re.search(r"^afkg query exec (queries/\S+\.rq)[^#\n]*", readme, flags=re.MULTILINE)
    args = shlex.split(line.group(0))[1:]
    args[2] = str(PROJECT / args[2])
    result = run(*args)
    assert result.exit_code == 0, result.output
    heredoc = re.search(r"^afkg query exec - (.*) <<'EOF'\n(.*?)\nEOF$", readme, flags=re.MULTILINE | re.DOTALL)
    result = run("query", "exec", "-", *shlex.split(heredoc.group(1)), input=heredoc.group(2))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["country", "https://w3id.org/afkg/resource/Albania",
                                          "https://w3id.org/afkg/resource/France"]
