"""Bounds of the query path: time, memory, rows, sizes, header YAML, names; each ends in
one line and the documented exit code, and leaves output files as they were."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from rdflib.query import Result

from afkg.cli import cli
from afkg.errors import QueryError, UsageError
from afkg.option_values import parse_max_rows, parse_timeout
from afkg.query.limits import run_bounded


def invoke(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("afkg: error: "), result.output
    return lines[0]


CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_runaway_query_stops_at_the_timeout_and_writes_nothing(tmp_path, engine):
    target = tmp_path / "out.csv"
    target.write_text("before\n", encoding="utf-8")
    result = invoke("query", "exec", "-", "--engine", engine, "--timeout", "1", "-o", str(target), input=CROSS)
    assert one_line_error(result, 1) in (
        "afkg: error: query stopped after 1 s (--timeout)",
        "afkg: error: query stopped: it needed more than 1024 MiB of memory (--max-memory)",
    )
    assert target.read_text(encoding="utf-8") == "before\n"


@pytest.mark.slow  # tests/hostile/test_hostile_queries.py runs the same regex in the fast tier
def test_a_catastrophic_regex_on_rdflib_stops_at_the_timeout():
    query = ('SELECT ?s WHERE { ?s ?p ?o '
             'FILTER(REGEX(CONCAT("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", STR(?o)), "^(a+)+$")) }')
    result = invoke("query", "exec", "-", "--engine", "rdflib", "--timeout", "1", input=query)
    assert one_line_error(result, 1) == "afkg: error: query stopped after 1 s (--timeout)"


def test_memory_is_bounded_in_the_child():
    with pytest.raises(QueryError, match="64 MiB"):
        run_bounded(lambda: len(bytearray(1 << 32)), timeout=30, memory=64 << 20)


def test_errors_and_values_cross_the_process_boundary():
    assert run_bounded(lambda: ("text", True), timeout=30) == ("text", True)

    def refuse() -> None:
        raise UsageError("bad value 'x'")

    with pytest.raises(UsageError, match="bad value 'x'") as caught:
        run_bounded(refuse, timeout=30)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_max_rows_keeps_that_many_and_warns(engine):
    full = invoke("query", "run", "timeline", "--engine", engine, "--format", "csv")
    assert full.exit_code == 0
    all_rows = list(csv.reader(io.StringIO(full.output)))[1:]
    assert len(all_rows) > 3
    result = invoke("query", "run", "timeline", "--engine", engine, "--format", "csv", "--max-rows", "3")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[-1] == "afkg: warning: results truncated to 3 rows (--max-rows)"
    kept = list(csv.reader(io.StringIO("\n".join(lines[:-1]) + "\n")))[1:]
    assert kept == all_rows[:3]


def test_max_rows_bounds_graph_results_too():
    result = invoke("query", "run", "describe-resource", "-p", "resource=res:Tirana", "--format", "ntriples",
                    "--max-rows", "2")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[-1] == "afkg: warning: results truncated to 2 rows (--max-rows)"
    assert len(lines[:-1]) == 2


@pytest.mark.parametrize("option,value", [
    ("--timeout", "-1"), ("--timeout", "0"), ("--timeout", "nan"), ("--timeout", "inf"), ("--timeout", "soon"),
    ("--max-rows", "0"), ("--max-rows", "-5"), ("--max-rows", "1.5"), ("--max-rows", "many"),
])
def test_bad_bound_values_are_one_line_usage_errors(option, value):
    result = invoke("query", "run", "trade-by-year", option, value)
    assert option in one_line_error(result, 2)


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "0"])
def test_bad_link_timeouts_are_one_line_usage_errors(value):
    result = invoke("link", "refresh", "--timeout", value, "--api", "http://127.0.0.1:9/w/api.php")
    assert "--timeout" in one_line_error(result, 2)


def test_parse_bounds_accepts_good_values():
    assert parse_timeout("2.5") == 2.5
    assert parse_max_rows("100000") == 100000


def test_query_exec_refuses_endless_and_oversized_input(tmp_path):
    assert "larger than 1048576 bytes" in one_line_error(invoke("query", "exec", "/dev/zero"), 2)
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (20 << 20)
    assert "larger than 1048576 bytes" in one_line_error(invoke("query", "exec", "-", input=big), 2)
    bad = tmp_path / "latin1.rq"
    bad.write_bytes("SELECT * WHERE { ?s ?p \"caf\xe9\" }".encode("latin-1"))
    assert "not valid UTF-8" in one_line_error(invoke("query", "exec", str(bad)), 2)
    assert "cannot read" in one_line_error(invoke("query", "exec", str(tmp_path)), 2)


def test_a_query_name_of_5000_characters_is_one_line():
    assert "bad query name" in one_line_error(invoke("query", "run", "q" * 5000), 2)
    assert "bad query name" in one_line_error(invoke("query", "show", "../queries/timeline"), 2)


LAUGHS = "\n".join([
    "#+ summary: s",
    "#+ a: &a [x, x, x, x, x, x, x, x, x]",
    "#+ b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "#+ c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "SELECT * WHERE { ?s ?p ?o }",
])


@pytest.mark.sample(1)
@pytest.mark.parametrize("header,message", [
    (LAUGHS, ":2: YAML anchors and aliases are not allowed"),
    ("#+ summary: s\n#+ description: " + "[" * 20000 + "]" * 20000 + "\nSELECT * WHERE { ?s ?p ?o }",
     ":2: header nested more than 20 deep"),
    ("#+ summary: s\n" + "#+ description: " + "x" * (70 * 1024) + "\nSELECT * WHERE { ?s ?p ?o }",
     "the header is larger than 65536 bytes"),
])
def test_hostile_yaml_headers_are_refused(project_copy, header, message):
    (project_copy / "queries" / "hostile.rq").write_text(header + "\n", encoding="utf-8")
    result = invoke("--root", str(project_copy), "query", "lint")
    assert result.exit_code == 1
    problem = [line for line in result.output.splitlines() if "hostile.rq" in line]
    assert len(problem) == 1 and message in problem[0], result.output
    result = invoke("query", "exec", "-", input=header)
    assert message.split(": ", 1)[-1] in one_line_error(result, 2)


def test_lint_on_a_queries_path_that_is_not_a_folder_is_an_error(project_copy):
    import shutil

    shutil.rmtree(project_copy / "queries")
    (project_copy / "queries").write_text("not a folder\n", encoding="utf-8")
    assert "cannot read the queries folder" in one_line_error(invoke("--root", str(project_copy), "query", "lint"), 2)


def test_lint_on_an_unreadable_queries_folder_is_an_error(project_copy, monkeypatch):
    """Permissions do not bind root (the tests' user in CI), so the folder's listing is made to fail
    as an unreadable folder's does."""
    from pathlib import Path

    folder = project_copy / "queries"
    real_iterdir = Path.iterdir

    def refuse(path):
        if path == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_iterdir(path)

    monkeypatch.setattr(Path, "iterdir", refuse)
    result = invoke("--root", str(project_copy), "query", "lint")
    assert "cannot read the queries folder (Permission denied)" in one_line_error(result, 2)


def test_xml_refuses_characters_xml_cannot_carry():
    query = 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'
    result = invoke("query", "exec", "-", "--format", "xml", input=query)
    assert "U+0001, which XML 1.0 cannot carry" in one_line_error(result, 2)
    with_param = "#+ summary: s\n#+ params:\n#+   text: {type: xsd:string}\nSELECT ?_text WHERE { }\n"
    result = invoke("query", "exec", "-", "-p", "text=a\x0bb", "--format", "xml", input=with_param)
    assert "U+000B" in one_line_error(result, 2)


def test_xml_keeps_carriage_returns_and_tabs():
    query = 'SELECT ?x WHERE { BIND("a\\r\\n\\tb & <c>" AS ?x) }'
    result = invoke("query", "exec", "-", "--format", "xml", input=query)
    assert result.exit_code == 0
    parsed = Result.parse(io.StringIO(result.output), format="xml")
    assert [str(row.x) for row in parsed] == ["a\r\n\tb & <c>"]


def test_a_huge_literal_in_the_data_is_one_line(project_copy):
    big = project_copy / "data" / "albania-france" / "huge.ttl"
    big.write_text('<http://x.example/a> <http://x.example/b> "' + "a" * (20 << 20) + '" .\n', encoding="utf-8")
    result = invoke("--root", str(project_copy), "query", "run", "trade-by-year")
    assert "huge.ttl" in one_line_error(result, 2)


@pytest.mark.parametrize("value", ["0", "63", "-5", "1.5", "lots", "99999999999", "1048577"])
def test_max_memory_must_be_whole_mib_in_range(value):
    from click.testing import CliRunner

    from afkg.cli import cli

    result = CliRunner().invoke(cli, ["query", "run", "trade-by-year", "--max-memory", value])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--max-memory must be a whole number of MiB" in result.output


def test_max_memory_bounds_the_query_child():
    """A query that needs more than --max-memory stops with exit 1 and one line; with room it runs."""
    from click.testing import CliRunner

    from afkg.cli import cli

    heavy = "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    runner = CliRunner()
    stopped = runner.invoke(cli, ["query", "exec", "-", "--max-memory", "64", "--timeout", "120"], input=heavy)
    assert stopped.exit_code == 1, stopped.output
    assert stopped.output.count("\n") == 1 and "memory" in stopped.output
    fine = runner.invoke(cli, ["query", "run", "trade-by-year", "--max-memory", "2048", "--format", "csv"])
    assert fine.exit_code == 0 and fine.output.startswith("relation,year,")
