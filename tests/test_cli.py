"""The command line: exit codes, messages, and nothing written on failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from afkg.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def break_turtle(project: Path) -> Path:
    path = project / "data" / "albania-france" / "economy.ttl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[20] = lines[20] + ' "unterminated'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow  # test_console_entry_point_runs_as_a_process validates the project in the fast tier
def test_validate_conforming_graph_exits_0():
    result = run("validate")
    assert result.exit_code == 0
    assert result.output.startswith("Conforms: yes")


def test_validate_violating_graph_exits_1_with_readable_report(project_copy):
    path = project_copy / "data" / "albania-france" / "economy.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("afkg:amount 6690000.0", "afkg:amount 9990000.0"), encoding="utf-8")
    result = run("--root", str(project_copy), "validate")
    assert result.exit_code == 1
    assert "Conforms: no (1 problem)" in result.output
    assert "focus: fact:trade-2024-balance-france-albania" in result.output
    # the amounts as the data writes them (decimals), as pySHACL, the reference engine, fills them in
    assert "Trade balance 9990000.0 differs from exports 22800000.0 minus imports 16100000.0" in result.output
    assert "shape: afsh:TradeArithmeticShape" in result.output


def test_validate_reports_a_quote_not_in_the_source(project_copy):
    path = project_copy / "data" / "albania-france" / "missions.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"France has an embassy in Tirana."', '"France has two embassies in Tirana."'), encoding="utf-8")
    result = run("--root", str(project_copy), "validate", "--format", "json")
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["conforms"] is False
    assert body["results"] == [{
        "focus": "<https://w3id.org/afkg/resource/source/albania-france/resident-diplomatic-missions-2>",
        "path": "afkg:quote", "value": "France has two embassies in Tirana.",
        "message": "The quote does not occur verbatim in data/albania-france/source.txt.",
        "severity": "Violation", "shape": None, "check": "provenance",
    }]


@pytest.mark.slow  # test_generate.py catches a changed source text in the fast tier
@pytest.mark.slow  # the text and JSON reports stay in the fast tier
def test_validate_turtle_report_parses(project_copy):
    from rdflib import Graph, Literal

    from afkg.namespaces import SH
    path = project_copy / "data" / "albania-france" / "visits.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("afkg:counterpart res:Albania ;", "", 1), encoding="utf-8")
    result = run("--root", str(project_copy), "validate", "--format", "turtle")
    assert result.exit_code == 1
    report = Graph().parse(data=result.output, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report
    messages = {str(m) for m in report.objects(None, SH.resultMessage)}
    assert messages == {"A visit needs exactly one afkg:counterpart, the host country."}


def test_broken_turtle_exits_2_naming_file_line_and_column(project_copy):
    break_turtle(project_copy)
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "validate"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1
    assert lines[0].startswith("afkg: error: data/albania-france/economy.ttl:21:")
    assert "Turtle syntax error" in lines[0]


def test_build_with_broken_turtle_writes_nothing(project_copy, tmp_path):
    break_turtle(project_copy)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "build", "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


@pytest.mark.slow  # test_build_with_broken_turtle_writes_nothing stays in the fast tier
def test_build_with_violating_graph_writes_nothing(project_copy, tmp_path):
    path = project_copy / "data" / "albania-france" / "memberships.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("org:role role:candidate", "org:role role:candidate , role:member"), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "build", "-o", str(out)])
    assert result.exit_code == 1
    assert "cannot be both role:candidate and role:member" in result.output
    assert not out.exists()


def test_build_writes_graph_and_metadata(tmp_path):
    from rdflib import Graph, Literal

    from afkg.namespaces import DCTERMS, RES, VOID
    out = tmp_path / "dist"
    result = run("build", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Validation: conforms" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "afkg.jsonld", "afkg.nq", "afkg.nt", "afkg.rdf", "afkg.trig", "afkg.ttl", "context.jsonld", "void.ttl"]
    turtle = Graph().parse(out / "afkg.ttl")
    ntriples = Graph().parse(out / "afkg.nt")
    assert len(turtle) == len(ntriples) > 2000
    meta = Graph().parse(out / "void.ttl")
    dataset = RES["dataset"]
    assert meta.value(dataset, VOID.triples) == Literal(len(ntriples))
    assert str(meta.value(dataset, DCTERMS.license)) == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert str(meta.value(dataset, DCTERMS.title)) == "Knowledge graph of Albania–France relations"


def test_stats_counts(kg):
    result = run("stats", "--format", "json")
    body = json.loads(result.output)
    assert body["triples"] == len(kg.merged)
    assert body["entities_per_class"]["afkg:Membership"] == 6
    assert body["entities_per_class"]["afkg:Visit"] == 2
    assert list(body["facts_per_section"]) == [
        "Infobox", "Introduction", "History", "Economic relations", "Cultural relations",
        "High Level Visits", "Resident diplomatic missions", "See also"]
    assert body["facts_per_section"]["History"] == 18
    assert body["facts_per_section"]["Infobox"] == 0  # the relation and the missions are things, not facts


def test_unknown_root_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "validate"])
    assert result.exit_code == 2
    assert result.output.strip() == f"afkg: error: {tmp_path}: not an afkg project folder (no ontology/afkg.ttl)"


def test_console_entry_point_runs_as_a_process():
    done = subprocess.run([sys.executable, "-m", "afkg", "validate"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Conforms: yes")
