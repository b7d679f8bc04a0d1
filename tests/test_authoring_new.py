"""afkg new: a relation folder scaffolded from an article's text, all or nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from afkg.authoring import scaffold
from afkg.cli import cli
from afkg.namespaces import AFKG, DCTERMS, PROV, VOID

from conftest import PROJECT, without_relations

ARTICLE = PROJECT / "tests" / "articles" / "ruritania-freedonia.txt"
TITLE = "Ruritania–Freedonia relations"
RES = "https://w3id.org/afkg/resource/"
SRC = RES + "source/ruritania-freedonia/"
REL = RES + "ruritania-freedonia/"

SHARED = """\
@prefix afkg: <https://w3id.org/afkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix res:  <https://w3id.org/afkg/resource/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

res:Kordovia a afkg:Country ; rdfs:label "Kingdom of Kordovia"@en ; skos:altLabel "Kordovia"@en ;
    afkg:needsWikidataLink true .
res:Old_Sylvania a afkg:FormerState ; rdfs:label "Sylvania"@en ; afkg:needsWikidataLink true .
res:Sylvania_Union a afkg:Organization ; rdfs:label "Sylvania Union"@en ; afkg:needsWikidataLink true .
"""


def make_project(root: Path) -> Path:
    without_relations(root)
    (root / "data" / "shared" / "test-countries.ttl").write_text(SHARED, encoding="utf-8")
    return root


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def new(project: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--root", str(project), "new", *args])


def entries(project: Path) -> list[str]:
    return sorted(os.listdir(project / "data"))


def turtle(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def test_writes_the_folder_as_the_text_says(project):
    result = new(project, "ruritania-freedonia", "--source", str(ARTICLE), "--title", TITLE,
                 "--url", "https://example.org/ruritania-freedonia", "--created", "2026-02-03")
    assert result.exit_code == 0, result.output
    folder = project / "data" / "ruritania-freedonia"
    assert sorted(os.listdir(folder)) == ["LICENSE.md", "relation.ttl", "source.ttl", "source.txt"]
    assert (folder / "source.txt").read_bytes() == ARTICLE.read_bytes()
    licence = (folder / "LICENSE.md").read_text(encoding="utf-8")
    assert "https://example.org/ruritania-freedonia" in licence and "CC BY-SA 4.0" in licence

    source = turtle(folder / "source.ttl")
    document = URIRef(RES + "source/ruritania-freedonia")
    assert source.value(document, DCTERMS.source) == URIRef("https://example.org/ruritania-freedonia")
    assert source.value(document, AFKG.localFile) == Literal("source.txt")
    assert source.value(document, DCTERMS.publisher) is None  # not a Wikipedia address
    dataset = URIRef(RES + "dataset/ruritania-freedonia")
    assert source.value(dataset, DCTERMS.created) == Literal("2026-02-03", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    assert source.value(dataset, VOID.exampleResource) == URIRef(REL + "relation")
    sections = sorted(source.subjects(RDF.type, AFKG.ArticleSection), key=lambda s: source.value(s, AFKG.sectionOrder))
    shown = [(str(s)[len(SRC):], str(source.value(s, RDFS.label)),
              str(source.value(s, AFKG.parentSection) or "")[len(SRC):]) for s in sections]
    assert shown == [
        ("infobox", "Infobox", ""), ("introduction", "Introduction", ""), ("history", "History", ""),
        ("early-contacts", "Early contacts", "history"), ("modern-era", "Modern era", "history"),
        ("economic-relations", "Economic relations", ""),
        ("resident-diplomatic-missions", "Resident diplomatic missions", ""), ("see-also", "See also", ""),
    ]

    relation = turtle(folder / "relation.ttl")
    me = URIRef(REL + "relation")
    assert relation.value(me, RDF.type) == AFKG.BilateralRelation
    assert set(relation.objects(me, AFKG.party)) == {URIRef(REL + "Ruritania"), URIRef(REL + "Freedonia")}
    assert relation.value(me, AFKG.firstParty) == URIRef(REL + "Ruritania")
    quotes = sorted(str(relation.value(p, AFKG.quote)) for p in relation.objects(me, PROV.wasDerivedFrom))
    assert quotes == ["Party1: Ruritania", "Party2: Freedonia", "Title: Ruritania–Freedonia relations"]
    assert relation.value(URIRef(REL + "Freedonia"), AFKG.needsWikidataLink) == Literal(True)

    assert result.output.splitlines() == [
        "Wrote data/ruritania-freedonia/ (source.txt, LICENSE.md, source.ttl, relation.ttl): 8 sections",
        f"Party Ruritania: new entity <{REL}Ruritania>, needs a Wikidata link",
        f"Party Freedonia: new entity <{REL}Freedonia>, needs a Wikidata link",
        "Look for their Wikidata items with: afkg link suggest",
    ]
    assert entries(project) == ["ruritania-freedonia", "shared"]  # no temporary folder left


@pytest.mark.slow  # tests/test_adding_a_relation.py validates a scaffold in the fast tier
def test_what_it_writes_validates(project):
    assert new(project, "ruritania-freedonia", "--source", str(ARTICLE), "--title", TITLE).exit_code == 0
    result = CliRunner().invoke(cli, ["--root", str(project), "validate"])
    assert result.output == "Conforms: yes (0 problems)\n"
    assert result.exit_code == 0


def test_parties_are_found_by_label_or_alias_and_the_title_names_them(project, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("= Freedonia–Kordovia relations =\n\nThe two states trade.\n\n== History ==\n"
                    "Freedonia and Kordovia signed a treaty. Kordovia, e.g. its capital, grew.\n", encoding="utf-8")
    result = new(project, "freedonia-kordovia", "--source", str(text), "--title", "Freedonia–Kordovia relations")
    assert result.exit_code == 0, result.output
    assert f"Party Kordovia: <{RES}Kordovia> of data/shared/" in result.output
    assert "Party Freedonia: new entity" in result.output
    relation = turtle(project / "data" / "freedonia-kordovia" / "relation.ttl")
    me = URIRef(RES + "freedonia-kordovia/relation")
    assert relation.value(me, AFKG.firstParty) == URIRef(RES + "freedonia-kordovia/Freedonia")
    passage, = relation.objects(me, PROV.wasDerivedFrom)
    # no infobox: the first sentence naming both parties
    assert passage == URIRef(RES + "source/freedonia-kordovia/history-1")
    assert relation.value(passage, AFKG.quote) == Literal("Freedonia and Kordovia signed a treaty.")
    assert (None, RDF.type, AFKG.Country) in relation
    assert (URIRef(RES + "Kordovia"), None, None) not in relation  # the shared entity is not described again


def test_a_label_wins_over_an_alias_and_organisations_are_no_parties(project):
    countries = scaffold.shared_countries(scaffold.Layout(project))
    assert scaffold.resolve("sylvania", "x-y", countries).iri == RES + "Old_Sylvania"
    assert scaffold.resolve("KORDOVIA", "x-y", countries).iri == RES + "Kordovia"
    union = scaffold.resolve("Sylvania Union", "x-y", countries)
    assert (union.created, union.iri) == (True, RES + "x-y/Sylvania_Union")


def test_parties_from_the_infobox_come_before_the_title(tmp_path):
    fields = scaffold._infobox_fields(scaffold.outline("Infobox\n- Party1: A Land\n- Party2: Be\n\n== X ==\nY.\n"))
    assert scaffold.party_names("Something else", fields) == ("A Land", "Be")
    assert scaffold.party_names("Guinea-Bissau–Kordovia relations", []) == ("Guinea-Bissau", "Kordovia")
    with pytest.raises(scaffold.UsageError, match="cannot tell the two parties"):
        scaffold.party_names("Kordovia relations", [])


def test_subsections_nest_and_repeated_headings_get_distinct_names(project, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("= A–B relations =\n\nA and B.\n\n== Trade ==\n=== Goods ===\nG.\n==== Wine ====\nW.\n"
                    "== Culture ==\n=== Goods ===\nBooks.\n", encoding="utf-8")
    assert new(project, "a-b", "--source", str(text), "--title", "A–B relations").exit_code == 0
    source = turtle(project / "data" / "a-b" / "source.ttl")
    rows = sorted((int(source.value(s, AFKG.sectionOrder)), str(s)[len(RES + "source/a-b/"):],
                   str(source.value(s, AFKG.parentSection) or "")[len(RES + "source/a-b/"):])
                  for s in source.subjects(RDF.type, AFKG.ArticleSection))
    assert rows == [(1, "introduction", ""), (2, "trade", ""), (3, "goods", "trade"), (4, "wine", "goods"),
                    (5, "culture", ""), (6, "goods-2", "culture")]


@pytest.mark.slow
def test_scaffolds_without_infobox_and_with_shared_parties_validate(project, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("= Kordovia–Freedonia relations =\n\n== History ==\n=== Early ===\nKordovia met Freedonia.\n"
                    "=== Late ===\n==== Later ====\nThey met again.\n== Trade ==\nGoods.\n", encoding="utf-8")
    result = new(project, "kordovia-freedonia", "--source", str(text), "--title", "Kordovia–Freedonia relations")
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["--root", str(project), "validate"])
    assert result.output == "Conforms: yes (0 problems)\n"


def test_same_input_same_bytes(tmp_path):
    outputs = []
    for name in ("one", "two"):
        root = make_project(tmp_path / name)
        assert new(root, "ruritania-freedonia", "--source", str(ARTICLE), "--title", TITLE,
                   "--created", "2026-02-03").exit_code == 0
        folder = root / "data" / "ruritania-freedonia"
        outputs.append({p.name: p.read_bytes() for p in folder.iterdir()})
    assert outputs[0] == outputs[1]
    assert b"dcterms:source <https://en.wikipedia.org/wiki/Ruritania%E2%80%93Freedonia_relations>" in \
        outputs[0]["source.ttl"]


def _refused(project: Path, result: object, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.output == f"afkg: error: {expected}\n"
    assert entries(project) == ["shared"]


def test_refuses_an_existing_folder(project):
    (project / "data" / "ruritania-freedonia").mkdir()
    result = new(project, "ruritania-freedonia", "--source", str(ARTICLE), "--title", TITLE)
    assert result.exit_code == 2
    assert result.output == "afkg: error: data/ruritania-freedonia: already exists; nothing written\n"
    assert os.listdir(project / "data" / "ruritania-freedonia") == []


def test_refuses_text_that_is_not_utf8(project, tmp_path):
    text = tmp_path / "latin1.txt"
    text.write_bytes("= A–B relations =\n\n== History ==\nCaf\u00e9.\n".encode("utf-8").replace(b"\xc3\xa9", b"\xe9"))
    _refused(project, new(project, "a-b", "--source", str(text), "--title", "A–B relations"),
             f"{text}:4:4: not UTF-8 (byte 0xe9)")


def test_refuses_a_title_without_two_parties(project, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("= Relations =\n\n== History ==\nThey met.\n", encoding="utf-8")
    _refused(project, new(project, "a-b", "--source", str(text), "--title", "Relations"),
             "cannot tell the two parties from the title 'Relations': write it as 'X–Y relations', "
             "or give 'Party1:' and 'Party2:' lines in the text's Infobox")


def test_refuses_text_without_a_sentence_or_with_a_party_name_too_long(project, tmp_path):
    text = tmp_path / "headings.txt"
    text.write_text("= A–B relations =\n\n== History ==\n== Trade ==\n", encoding="utf-8")
    _refused(project, new(project, "a-b", "--source", str(text), "--title", "A–B relations"),
             f"{text}: no sentence in the text for the relation to be derived from")
    text.write_text("Infobox\n- Party1: " + "A" * 201 + "\n- Party2: B\n\n== History ==\nThey met.\n",
                    encoding="utf-8")
    _refused(project, new(project, "a-b", "--source", str(text), "--title", "A–B relations"),
             f"the party name {'A' * 40!r}… is longer than 200 characters")


def test_refuses_text_without_a_heading(project, tmp_path):
    text = tmp_path / "flat.txt"
    text.write_text("= A–B relations =\n\nA and B trade.\n", encoding="utf-8")
    _refused(project, new(project, "a-b", "--source", str(text), "--title", "A–B relations"),
             f"{text}: no heading in the text (a line such as '== History ==')")


def test_refuses_text_over_the_cap(project, tmp_path):
    text = tmp_path / "huge.txt"
    with open(text, "wb") as stream:
        stream.truncate(scaffold.MAX_SOURCE_BYTES + 1)  # sparse: nothing is really written
    _refused(project, new(project, "a-b", "--source", str(text), "--title", "A–B relations"),
             f"{text}: {scaffold.MAX_SOURCE_BYTES + 1} bytes, more than the limit of {scaffold.MAX_SOURCE_BYTES}")


@pytest.mark.parametrize(("args", "message"), [
    (["Bad_Name", "--title", TITLE], "bad relation name 'Bad_Name'"),
    (["shared-x/..", "--title", TITLE], "bad relation name 'shared-x/..'"),
    (["a-b", "--title", "A\nB"], "bad --title"),
    (["a-b", "--title", TITLE, "--url", "javascript:alert(1)"], "bad --url"),
    (["a-b", "--title", TITLE, "--created", "2026-02-30"], "bad --created '2026-02-30'"),
])
def test_refuses_bad_arguments(project, args, message):
    result = new(project, args[0], "--source", str(ARTICLE), *args[1:])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"afkg: error: {message}") and result.output.count("\n") == 1
    assert entries(project) == ["shared"]


def test_a_failed_write_leaves_nothing(project, monkeypatch):
    def fail(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scaffold.os, "rename", fail)
    _refused(project, new(project, "ruritania-freedonia", "--source", str(ARTICLE), "--title", TITLE),
             "data/ruritania-freedonia: cannot write (No space left on device); nothing written")
