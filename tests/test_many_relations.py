"""Outputs that speak of the relations as a whole read right for one relation or several: the
dataset's title and description, and the Wikidata comparison and QuickStatements, which list a
statement made by two articles once. The second relation is made up (tests/pairs/farland-france)."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.publish.metadata import _title_and_description

from conftest import PROJECT

FARLAND = PROJECT / "tests" / "pairs" / "farland-france"


@pytest.mark.parametrize(("names", "title"), [
    (["A–B relations"], "Knowledge graph of A–B relations"),
    (["A–B relations", "C–D relations"], "Knowledge graph of 2 bilateral relations: A–B relations and C–D relations"),
    (["A–B relations", "C–D relations", "E–F relations"],
     "Knowledge graph of 3 bilateral relations: A–B relations, C–D relations and E–F relations"),
    ([f"R{i} relations" for i in range(1000)],
     "Knowledge graph of 1000 bilateral relations: R0 relations, R1 relations, R2 relations and 997 more"),
])
def test_the_dataset_title_names_one_relation_a_few_or_counts_many(names, title):
    assert _title_and_description(names)[0] == title


def test_the_description_of_two_relations_says_two_articles():
    description = _title_and_description(["A–B relations", "C–D relations"])[1]
    assert description.startswith("The facts of 2 encyclopaedia articles on bilateral relations "
                                  "(A–B relations and C–D relations) as RDF")


@pytest.fixture()
def two_relations(project_copy):
    shutil.copytree(FARLAND, project_copy / "data" / "farland-france")
    return project_copy


def test_the_metadata_of_two_relations_names_both(two_relations):
    out = CliRunner().invoke(cli, ["--root", str(two_relations), "export", "--graph", "metadata",
                                   "--format", "jsonld"])
    assert out.exit_code == 0, out.output
    titles = [node.get("dcterms:title") or node.get("title") for node in json.loads(out.output)["@graph"]
              if "void:Dataset" in str(node.get("@type", node.get("type", "")))]
    assert any("2 bilateral relations: Albania–France relations and Farland–France relations" in str(t)
               for t in titles), titles


def test_a_membership_stated_by_two_articles_is_compared_once(two_relations):
    out = CliRunner().invoke(cli, ["--root", str(two_relations), "link", "compare"])
    rows = [line for line in out.output.splitlines() if "Q142" in line and "P463" in line and "Q7184" in line]
    assert len(rows) == 1, out.output
    assert "fact:membership-france-nato" in rows[0] and "farland-france-membership-france-nato" in rows[0]
