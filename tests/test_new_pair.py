"""Another bilateral relation fits by adding a data folder only: no code, ontology or
shape changes. tests/pairs/ holds a small made-up relation for this."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from afkg.cli import cli

from conftest import PROJECT


def add_pair(project):
    shutil.copytree(PROJECT / "tests" / "pairs" / "testland-otherland", project / "data" / "testland-otherland")


def test_second_relation_validates_and_is_counted(project_copy):
    add_pair(project_copy)
    runner = CliRunner()
    assert runner.invoke(cli, ["--root", str(project_copy), "validate"]).exit_code == 0
    stats = json.loads(runner.invoke(cli, ["--root", str(project_copy), "stats", "--format", "json"]).output)
    assert stats["facts_per_section"]["Testland–Otherland relations › Trade"] == 3
    assert stats["facts_per_section"]["Albania–France relations › History"] == 18
    result = runner.invoke(cli, ["--root", str(project_copy), "query", "run", "trade-by-year", "-p", "year=2020",
                                 "--format", "csv"])
    assert result.output.splitlines()[1:] == [
        "https://w3id.org/afkg/resource/Testland-Otherland_relations,"
        "2020,https://w3id.org/afkg/resource/Otherland,https://w3id.org/afkg/resource/Testland,3000000.0,EUR,,"
        "https://w3id.org/afkg/resource/Testland",
        "https://w3id.org/afkg/resource/Testland-Otherland_relations,"
        "2020,https://w3id.org/afkg/resource/Testland,https://w3id.org/afkg/resource/Otherland,5000000.0,EUR,,"
        "https://w3id.org/afkg/resource/Testland",
    ]


@pytest.mark.slow  # test_generate.py checks a pair against its own source in the fast tier
def test_second_relation_quotes_are_checked_against_its_own_source(project_copy):
    add_pair(project_copy)
    source = project_copy / "data" / "testland-otherland" / "source.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("€8 million", "€9 million"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "validate"])
    assert result.exit_code == 1
    assert "The quote does not occur verbatim in data/testland-otherland/source.txt." in result.output


@pytest.mark.slow  # test_second_relation_validates_and_is_counted stays in the fast tier
def test_second_relation_trade_total_is_checked(project_copy):
    add_pair(project_copy)
    facts = project_copy / "data" / "testland-otherland" / "facts.ttl"
    facts.write_text(facts.read_text(encoding="utf-8").replace("afkg:amount 8000000.0", "afkg:amount 10000000.0"),
                     encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "validate"])
    assert result.exit_code == 1
    assert "Total trade 10000000.0 differs from exports 5000000.0 plus imports 3000000.0" in result.output
