"""afkg coverage: sentences of each article, and which of them the graph cites."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from afkg.article import outline, sections
from afkg.authoring.coverage import coverage
from afkg.authoring.sentences import section_sentences, split_line
from afkg.cli import cli
from afkg.graph import Layout, load
from afkg.validation.validate import source_sections

from conftest import PROJECT, without_relations

# --- sections ---------------------------------------------------------------------------------------

CRAFTED = (
    "= Kordovia–Sylvania relations =\n\nInfobox\n- Party1: Kordovia\n\nThe lead.\n"
    "== History ==\nOld times.\n=== Early ===\nVery old.\n==== Earliest ====\nOldest.\n"
    "=== Late ===\nLess old.\n== Trade ==\r\nGoods.\u2028More goods.\n== History ==\nAgain.\n"
)


TEXTS = sorted((PROJECT / "data").glob("*/source.txt")) + sorted((PROJECT / "tests").glob("*/*/source.txt")) + \
    sorted((PROJECT / "tests" / "articles").glob("*.txt"))


def test_sections_of_a_crafted_text():
    """Title skipped; the blank line before the infobox opens the introduction; the infobox runs to
    the blank line; a heading nests under the nearest one with fewer ``=``; CRLF and U+2028 end
    lines; a heading that comes twice makes one section."""
    assert list(source_sections(CRAFTED).items()) == [
        (("Introduction",), "\nThe lead."),
        (("Infobox",), "- Party1: Kordovia"),
        (("History",), "Old times.\nAgain."),
        (("History", "Early"), "Very old."),
        (("History", "Early", "Earliest"), "Oldest."),
        (("History", "Late"), "Less old."),
        (("Trade",), "Goods.\nMore goods."),
    ]


@pytest.mark.parametrize("path", TEXTS, ids=[str(p.relative_to(PROJECT)) for p in TEXTS])
def test_every_line_of_a_section_is_where_its_offsets_say(path):
    text = path.read_text(encoding="utf-8")
    for section in sections(text):
        for line in section.lines:
            assert text[line.start:line.end] == line.text


LINES = st.sampled_from(["= T =", "Infobox", "- Key: v", "", "  ", "== A ==", "=== B ===", "==C==", "== A ==  ",
                         "==== D ====", "= x", "Text. More.", "==  ==", "Infobox "])


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=12), st.sampled_from(["\n", "\r\n", "\r", "\u2028"]))
def test_any_text_s_lines_are_where_their_offsets_say(lines, end):
    text = end.join(lines)
    for section in sections(text):
        for line in section.lines:
            assert text[line.start:line.end] == line.text


def test_outline_orders_sections_as_the_text_does_and_names_parents():
    found = [(s.path, s.parent) for s in outline(CRAFTED)]
    assert found == [
        (("Infobox",), None),
        (("Introduction",), None),
        (("History",), None),
        (("History", "Early"), ("History",)),
        (("History", "Early", "Earliest"), ("History", "Early")),
        (("History", "Late"), ("History",)),
        (("Trade",), None),
    ]


def test_find_gives_offsets_in_the_whole_text_even_across_lines():
    history = next(s for s in sections(CRAFTED) if s.path == ("History",))
    assert history.own_text() == "Old times.\nAgain."
    (start, end), = history.find("times.\nAgain")
    assert CRAFTED[start:start + 6] == "times."
    assert CRAFTED[end - 5:end] == "Again"
    trade = next(s for s in sections(CRAFTED) if s.path == ("Trade",))
    (start, end), = trade.find("More goods.")
    assert CRAFTED[start:end] == "More goods."
    assert trade.find("Oldest.") == []


# --- sentences ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "expected"), [
    ("He met John F. Kennedy in the U.S. The next day he left.",
     ["He met John F. Kennedy in the U.S.", "The next day he left."]),
    ("Imports grew by 22.8% in 2024. Exports fell by 1.5 per cent.",
     ["Imports grew by 22.8% in 2024.", "Exports fell by 1.5 per cent."]),
    ("Some goods, e.g. Wine and cheese, travel far. Others do not.",
     ["Some goods, e.g. Wine and cheese, travel far.", "Others do not."]),
    ("The U.S. Congress met. Dr. Smith spoke to St. Mary's.",
     ["The U.S. Congress met.", "Dr. Smith spoke to St. Mary's."]),
    ("See No. 5 of the list. It was signed c. 1200. No. It was not.",
     ["See No. 5 of the list.", "It was signed c. 1200.", "No.", "It was not."]),
    ('He said "Stop." Then he left! Why? Because (he was tired.) Done',
     ['He said "Stop."', "Then he left!", "Why?", "Because (he was tired.)", "Done"]),
    ("Trade rose.[1] It fell again. 2020 was worse.", ["Trade rose.[1]", "It fell again.", "2020 was worse."]),
    ("- Kordovia has an embassy in Sylvport.", ["Kordovia has an embassy in Sylvport."]),
    ("  Wait... Then it rained.  ", ["Wait...", "Then it rained."]),
    ("J. R. R. Tolkien wrote it. A. Kordov did not.", ["J. R. R. Tolkien wrote it.", "A. Kordov did not."]),
    ("", []),
])
def test_split_line(line, expected):
    spans = split_line(line, 10)
    assert [s.text for s in spans] == expected
    assert all(line[s.start - 10:s.end - 10] == s.text for s in spans)


def test_infobox_lines_are_items_and_headings_are_no_sentences():
    found = {s.path: [(x.text, x.item) for x in section_sentences(s)] for s in sections(CRAFTED)}
    assert found[("Infobox",)] == [("Party1: Kordovia", True)]
    assert found[("Introduction",)] == [("The lead.", False)]
    assert found[("History", "Early", "Earliest")] == [("Oldest.", False)]
    assert found[("Trade",)] == [("Goods.", False), ("More goods.", False)]
    assert not any("=" in text for texts in found.values() for text, _ in texts)


# --- coverage of a made-up relation ---------------------------------------------------------------------

SOURCE = """\
= Kordovia–Sylvania relations =

Infobox
- Party1: Kordovia
- Party2: Sylvania

Kordovia and Sylvania are neighbours. They share a river.

== History ==
The river was first mapped in 1850 by Dr. A. Kordov. Trade began in 1851.
=== Treaties ===
The river treaty was signed in 1901. Trade began in 1851.
"""

TTL = """\
@prefix afkg: <https://w3id.org/afkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix kind: <https://w3id.org/afkg/kind/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix res: <https://w3id.org/afkg/resource/> .
@prefix src: <https://w3id.org/afkg/resource/source/kordovia-sylvania/> .
@prefix own: <https://w3id.org/afkg/resource/kordovia-sylvania/> .

<https://w3id.org/afkg/resource/source/kordovia-sylvania> a afkg:SourceDocument ;
    rdfs:label "Kordovia–Sylvania relations (test)"@en ; dcterms:title "Kordovia–Sylvania relations"@en ;
    afkg:localFile "source.txt" .
src:infobox a afkg:ArticleSection ; rdfs:label "Infobox"@en ; afkg:sectionOrder 1 ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/kordovia-sylvania> .
src:introduction a afkg:ArticleSection ; rdfs:label "Introduction"@en ; afkg:sectionOrder 2 ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/kordovia-sylvania> .
src:history a afkg:ArticleSection ; rdfs:label "History"@en ; afkg:sectionOrder 3 ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/kordovia-sylvania> .
src:treaties a afkg:ArticleSection ; rdfs:label "Treaties"@en ; afkg:sectionOrder 4 ;
    afkg:parentSection src:history ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/kordovia-sylvania> .

src:infobox-1 a afkg:Passage ; afkg:inSection src:infobox ; afkg:quote "Party1: Kordovia" .
src:introduction-1 a afkg:Passage ; afkg:inSection src:introduction ;
    afkg:quote "are neighbours. They share" .
src:history-1 a afkg:Passage ; afkg:inSection src:history ; afkg:quote "mapped in 1850" .
src:treaties-1 a afkg:Passage ; afkg:inSection src:treaties ; afkg:quote "Trade began in 1851." .
src:treaties-2 a afkg:Passage ; afkg:inSection src:treaties ; afkg:quote "The river treaty was signed in 1901." .

res:Kordovia a afkg:Country ; rdfs:label "Kordovia"@en ; afkg:needsWikidataLink true ;
    prov:wasDerivedFrom src:infobox-1 .
own:trade-1851 a afkg:Relationship ; afkg:kind kind:cooperation ;
    rdfs:label "Trade from 1851"@en ; prov:wasDerivedFrom src:treaties-1 , src:introduction-1 .
own:mapping-1850 a afkg:Relationship ; afkg:kind kind:cooperation ;
    rdfs:label "Mapping of 1850"@en ; prov:wasDerivedFrom src:history-1 .
"""

DOCUMENT = "https://w3id.org/afkg/resource/source/kordovia-sylvania"
RES = "https://w3id.org/afkg/resource/"


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = without_relations(tmp_path_factory.mktemp("coverage"))
    pair = root / "data" / "kordovia-sylvania"
    pair.mkdir()
    (pair / "source.txt").write_text(SOURCE, encoding="utf-8")
    (pair / "source.ttl").write_text(TTL, encoding="utf-8")
    return root


def test_each_sentence_lists_what_cites_it(small_project):
    document, = coverage(load(Layout(small_project)))
    assert (document.document, document.title, document.relation, document.source) == (
        DOCUMENT, "Kordovia–Sylvania relations", "kordovia-sylvania", "data/kordovia-sylvania/source.txt")
    rows = [(s.section, s.text, s.citing, s.facts) for s in document.sentences]
    trade, mapping, kordovia = f"{RES}kordovia-sylvania/trade-1851", f"{RES}kordovia-sylvania/mapping-1850", \
        f"{RES}Kordovia"
    assert rows == [
        ("Infobox", "Party1: Kordovia", (kordovia,), ()),
        ("Infobox", "Party2: Sylvania", (), ()),
        ("Introduction", "Kordovia and Sylvania are neighbours.", (trade,), (trade,)),
        ("Introduction", "They share a river.", (trade,), (trade,)),
        ("History", "The river was first mapped in 1850 by Dr. A. Kordov.", (mapping,), (mapping,)),
        # the same words in History: the passage names the subsection, so this one is not cited
        ("History", "Trade began in 1851.", (), ()),
        ("History › Treaties", "The river treaty was signed in 1901.", (), ()),  # a passage nothing cites
        ("History › Treaties", "Trade began in 1851.", (trade,), (trade,)),
    ]
    assert (len(document.sentences), document.cited, document.cited_by_facts) == (8, 5, 4)
    treaty = document.sentences[-1]
    assert SOURCE[treaty.start:treaty.end] == "Trade began in 1851."
    assert treaty.start == SOURCE.rindex("Trade began in 1851.")
    assert treaty.section_iri == "https://w3id.org/afkg/resource/source/kordovia-sylvania/treaties"


def test_json_report(small_project):
    result = CliRunner().invoke(cli, ["--root", str(small_project), "coverage", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{
        "document": DOCUMENT, "title": "Kordovia–Sylvania relations", "sentences": 8, "cited": 5,
        "uncited": [{"section": "Infobox", "text": "Party2: Sylvania"},
                    {"section": "History", "text": "Trade began in 1851."},
                    {"section": "History › Treaties", "text": "The river treaty was signed in 1901."}],
    }]


def test_text_report_and_relation_filter(small_project):
    result = CliRunner().invoke(cli, ["--root", str(small_project), "coverage", "--relation", "kordovia-sylvania"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Kordovia–Sylvania relations (data/kordovia-sylvania/source.txt): 5 of 8 sentences cited (62.5%; 4 by a fact)\n"
        "  Infobox:\n    - Party2: Sylvania\n"
        "  History:\n    - Trade began in 1851.\n"
        "  History › Treaties:\n    - The river treaty was signed in 1901.\n"
    )


@pytest.mark.parametrize("relation", ["no-such-pair", "shared", "../data"])
def test_unknown_relation_is_exit_2(small_project, relation):
    result = CliRunner().invoke(cli, ["--root", str(small_project), "coverage", "--relation", relation])
    assert result.exit_code == 2
    assert result.output.startswith("afkg: error: no relation folder data/")
    assert result.output.count("\n") == 1


def test_unreadable_text_is_exit_2(small_project, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(small_project, root)
    (root / "data" / "kordovia-sylvania" / "source.txt").write_bytes(b"= T =\n\nOK.\n\xff broken\n")
    result = CliRunner().invoke(cli, ["--root", str(root), "coverage"])
    assert result.exit_code == 2
    assert result.output == "afkg: error: data/kordovia-sylvania/source.txt:4:1: not UTF-8 (byte 0xff)\n"


def test_the_first_article_has_33_sentences_and_items(kg):
    document, = coverage(kg, "albania-france")
    assert len(document.sentences) == 33
    assert sum(s.item for s in document.sentences) == 6
    sections = [s.section for s in document.sentences]
    assert sections.count("History") == 8 and sections.count("See also") == 5
