"""afkg quote: the passage node of a fragment, with its section, its quote and a stable IRI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from afkg.authoring.scaffold import new_relation
from afkg.cli import cli
from afkg.layout import Layout

from conftest import PROJECT, without_relations

ARTICLE = PROJECT / "tests" / "articles" / "ruritania-freedonia.txt"
PAIR = "ruritania-freedonia"
SRC = "https://w3id.org/afkg/resource/source/ruritania-freedonia/"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = without_relations(tmp_path_factory.mktemp("quote"))
    new_relation(Layout(root), PAIR, ARTICLE, "Ruritania–Freedonia relations", created="2026-01-01")
    return root


def quote(project: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--root", str(project), "quote", PAIR, *args])


@pytest.mark.parametrize(("args", "expected"), [
    (["Hentzau visited"],
     'src:early-contacts-1 a afkg:Passage ; afkg:inSection src:early-contacts ;\n'
     '    afkg:quote "In 1850, the Ruritanian envoy Rudolf R. Hentzau visited Fredonia City." .\n'),
    (["Hentzau visited", "--exact"],
     'src:early-contacts-1-at-41-55 a afkg:Passage ; afkg:inSection src:early-contacts ;\n'
     '    afkg:quote "Hentzau visited" .\n'),
    (["e.g. on fisheries"],
     'src:modern-era-1 a afkg:Passage ; afkg:inSection src:modern-era ;\n'
     '    afkg:quote "The two countries signed a treaty of friendship in 1998, e.g. on fisheries and river ports." .\n'),
    (["in 1921. Both"],
     'src:introduction-1-to-2 a afkg:Passage ; afkg:inSection src:introduction ;\n'
     '    afkg:quote "Ruritania and Freedonia established diplomatic relations in 1921. '
     'Both countries are members of the Example Union." .\n'),
    (["Freedonia's candidacy"],
     'src:modern-era-2 a afkg:Passage ; afkg:inSection src:modern-era ;\n'
     '    afkg:quote "Ruritania supported Freedonia\'s candidacy for the Example Union." .\n'),
    (["Mission2"],
     'src:infobox-5 a afkg:Passage ; afkg:inSection src:infobox ;\n'
     '    afkg:quote "Mission2: Embassy of Freedonia , Strelsau" .\n'),
    (["grew by 3.5%"],
     'src:economic-relations-2 a afkg:Passage ; afkg:inSection src:economic-relations ;\n'
     '    afkg:quote "Trade grew by 3.5% on the year before." .\n'),
])
def test_prints_the_passage(project, args, expected):
    result = quote(project, *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected
    assert result.stderr == ""


def test_the_passage_pastes_into_the_folder(project, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(project, root)
    node = quote(root, "the Ruritanian envoy").stdout
    facts = root / "data" / PAIR / "passages.ttl"
    facts.write_text(f"@prefix afkg: <https://w3id.org/afkg/ontology#> .\n@prefix src: <{SRC}> .\n\n{node}",
                     encoding="utf-8")
    graph = Graph().parse(facts, format="turtle")
    assert len(graph) == 3
    again = quote(root, "the Ruritanian envoy")
    assert again.stdout == node
    assert again.stderr == f"afkg: note: <{SRC}early-contacts-1> is already in data/{PAIR}\n"


def test_a_fragment_in_several_places_is_ambiguous(project):
    result = quote(project, "has an embassy in")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "afkg: error: 'has an embassy in' is ambiguous: it occurs in 2 places, "
        f"data/{PAIR}/source.txt:23:13 (Resident diplomatic missions), "
        f"data/{PAIR}/source.txt:24:13 (Resident diplomatic missions); give more of the sentence\n")


def test_occurrences_in_one_sentence_make_one_passage_unless_exact(project):
    result = quote(project, "million")  # three times, all in one sentence
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("src:economic-relations-1 a afkg:Passage")
    exact = quote(project, "million", "--exact")
    assert exact.exit_code == 1
    assert f"it occurs in 3 places, data/{PAIR}/source.txt:20:" in exact.stderr


@pytest.mark.parametrize("fragment", ["not in the text", "Early contacts", "ruritania and", "== History =="])
def test_a_fragment_not_in_the_sentences_is_exit_1(project, fragment):
    result = quote(project, fragment)
    assert result.exit_code == 1
    assert result.stderr == (f"afkg: error: {fragment!r} does not occur in the sentences of data/{PAIR} (headings are"
                             " not quoted; the fragment must match character for character)\n")


@pytest.mark.parametrize(("pair", "fragment", "message"), [
    ("no-such-pair", "x", "no relation folder data/no-such-pair"),
    ("../ontology", "x", "no relation folder data/../ontology"),
    (PAIR, "   ", "give a fragment of the text of 1 to 10000 characters, not only spaces"),
    (PAIR, "x" * 10_001, "give a fragment of the text of 1 to 10000 characters, not only spaces"),
])
def test_bad_arguments_are_exit_2(project, pair, fragment, message):
    result = CliRunner().invoke(cli, ["--root", str(project), "quote", pair, fragment])
    assert result.exit_code == 2
    assert result.output == f"afkg: error: {message}\n"


def test_iris_follow_the_first_relation_s_numbering():
    result = CliRunner().invoke(cli, ["--root", str(PROJECT), "quote", "albania-france", "Bilateral cooperation"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("src:introduction-3 a afkg:Passage ; afkg:inSection src:introduction ;\n")
    assert "already in data/albania-france" in result.stderr
