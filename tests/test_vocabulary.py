"""Vocabulary for what real articles say (issue 18): subsections as sections with a parent,
a precision per date, events the article gives no date for, counts of people as typed
quantities with a unit, causes that are actors, acts whose counterpart the article does
not name, and kinds a relation's data adds to the ontology's schemes.

The examples are invented (Northland and Southland); the only real text used is the first
article's own source file, to show that it is read exactly as before."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from afkg.graph import KnowledgeGraph, Layout, load
from afkg.namespaces import AFKG, KIND, PREFIXES
from afkg.validation.validate import Report, shacl_results, source_sections, validate

from conftest import PROJECT

PAIR = "northland-southland"

SOURCE = """= Northland–Southland relations =

Northland and Southland keep frequent high-level contacts.

== History ==
Northland and Southland have been neighbours for centuries.

=== Independence ===
In 1850, the Southlanders declared the independence of Southland.
In 1852, Northland founded the Coastal Institute in Southland.

=== Occupation ===
From June 23, 1917, until the summer of 1920, Northland occupied the Southland coast.

== People ==
About 20,000 Northlander migrants live in Southland, and a 5,000-strong Southlander community lives in Northland.
Southland funds Northland's language schools due to the strong presence of Northlanders in the south.

== Visits ==
Ada North, the President of Northland, visited Southland.
She said that the two countries were natural partners.
"""

TURTLE = """
@prefix afkg:    <https://w3id.org/afkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fact:    <https://w3id.org/afkg/resource/fact/> .
@prefix kind:    <https://w3id.org/afkg/kind/> .
@prefix nk:      <https://w3id.org/afkg/resource/kind/northland-southland/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix res:     <https://w3id.org/afkg/resource/> .
@prefix sec:     <https://w3id.org/afkg/resource/source/northland-southland/> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix void:    <http://rdfs.org/ns/void#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/afkg/resource/source/northland-southland> a afkg:SourceDocument ;
    rdfs:label "Northland–Southland relations (invented)"@en ;
    dcterms:source <https://example.org/northland-southland> ;
    dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> ;
    afkg:localFile "source.txt" .

<https://w3id.org/afkg/resource/dataset/northland-southland> a void:Dataset ;
    dcterms:title "Northland–Southland relations"@en ;
    dcterms:created "2026-11-30"^^xsd:date ;
    dcterms:source <https://w3id.org/afkg/resource/source/northland-southland> .

sec:introduction a afkg:ArticleSection ; rdfs:label "Introduction"@en ; afkg:sectionOrder 1 ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/northland-southland> .
sec:history a afkg:ArticleSection ; rdfs:label "History"@en ; afkg:sectionOrder 2 ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/northland-southland> .
sec:independence a afkg:ArticleSection ; rdfs:label "Independence"@en ; afkg:sectionOrder 3 ;
    afkg:parentSection sec:history ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/northland-southland> .
sec:occupation a afkg:ArticleSection ; rdfs:label "Occupation"@en ; afkg:sectionOrder 4 ;
    afkg:parentSection sec:history ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/northland-southland> .
sec:people a afkg:ArticleSection ; rdfs:label "People"@en ; afkg:sectionOrder 5 ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/northland-southland> .
sec:visits a afkg:ArticleSection ; rdfs:label "Visits"@en ; afkg:sectionOrder 6 ;
    afkg:ofDocument <https://w3id.org/afkg/resource/source/northland-southland> .

sec:introduction-1 a afkg:Passage ; afkg:inSection sec:introduction ;
    afkg:quote "Northland and Southland keep frequent high-level contacts." .
sec:history-1 a afkg:Passage ; afkg:inSection sec:history ;
    afkg:quote "Northland and Southland have been neighbours for centuries." .
sec:independence-1 a afkg:Passage ; afkg:inSection sec:independence ;
    afkg:quote "In 1850, the Southlanders declared the independence of Southland." .
sec:independence-2 a afkg:Passage ; afkg:inSection sec:independence ;
    afkg:quote "In 1852, Northland founded the Coastal Institute in Southland." .
sec:occupation-1 a afkg:Passage ; afkg:inSection sec:occupation ;
    afkg:quote "From June 23, 1917, until the summer of 1920, Northland occupied the Southland coast." .
sec:people-1 a afkg:Passage ; afkg:inSection sec:people ;
    afkg:quote "About 20,000 Northlander migrants live in Southland" .
sec:people-2 a afkg:Passage ; afkg:inSection sec:people ;
    afkg:quote "a 5,000-strong Southlander community lives in Northland" .
sec:people-3 a afkg:Passage ; afkg:inSection sec:people ;
    afkg:quote "Southland funds Northland's language schools due to the strong presence of Northlanders in the south." .
sec:visits-1 a afkg:Passage ; afkg:inSection sec:visits ;
    afkg:quote "Ada North, the President of Northland, visited Southland." .
sec:visits-2 a afkg:Passage ; afkg:inSection sec:visits ;
    afkg:quote "She said that the two countries were natural partners." .

# A kind the schemes lack, added by this relation's data: a concept with a definition and a broader kind.
nk:high-level-contacts a skos:Concept ; skos:inScheme kind:fact-kinds ;
    skos:prefLabel "high-level contacts"@en ;
    skos:definition "Frequent meetings and talks between the leaders of two states."@en ;
    skos:broader kind:diplomatic-relations .

res:Northland a afkg:Country ; rdfs:label "Northland"@en ; afkg:needsWikidataLink true .
res:Southland a afkg:Country ; rdfs:label "Southland"@en ; afkg:needsWikidataLink true .
res:Northlanders a afkg:Group ; afkg:kind kind:people ; rdfs:label "Northlanders"@en ; afkg:needsWikidataLink true .
res:Southlanders a afkg:Group ; afkg:kind kind:people ; rdfs:label "Southlanders"@en ; afkg:needsWikidataLink true .
res:Coastal_Institute a afkg:Organization ; rdfs:label "Coastal Institute"@en ; afkg:country res:Southland ;
    afkg:needsWikidataLink true .
res:Southland_coast a afkg:Place ; afkg:kind kind:region ; rdfs:label "Southland coast"@en ; afkg:country res:Southland ;
    afkg:needsWikidataLink true .
res:Ada_North a afkg:Person ; rdfs:label "Ada North"@en ; afkg:needsWikidataLink true .
res:President_of_Northland a afkg:Office ; afkg:kind kind:head-of-state ; rdfs:label "President of Northland"@en ;
    afkg:officeOf res:Northland ; afkg:needsWikidataLink true .

res:Northland-Southland_relations a afkg:BilateralRelation ; rdfs:label "Northland–Southland relations"@en ;
    afkg:party res:Northland , res:Southland ; afkg:firstParty res:Northland ; afkg:needsWikidataLink true .

fact:northland-southland-contacts a afkg:Relationship ; afkg:kind nk:high-level-contacts ;
    rdfs:label "Frequent high-level contacts of Northland and Southland"@en ;
    afkg:party res:Northland , res:Southland ; afkg:wording "frequent high-level contacts" ;
    prov:wasDerivedFrom sec:introduction-1 .

fact:southland-independence a afkg:Act ; afkg:kind kind:declaration-of-independence ;
    rdfs:label "Southlanders declared the independence of Southland"@en ;
    afkg:agent res:Southlanders ; afkg:about res:Southland ;
    afkg:date "1850"^^xsd:gYear ; afkg:precision kind:year ;
    prov:wasDerivedFrom sec:independence-1 .

fact:coastal-institute-founded a afkg:Act ; afkg:kind kind:establishment ;
    rdfs:label "Northland founded the Coastal Institute"@en ;
    afkg:agent res:Northland ; afkg:about res:Coastal_Institute ;
    afkg:date "1852"^^xsd:gYear ; afkg:precision kind:year ;
    prov:wasDerivedFrom sec:independence-2 .

fact:northland-occupation-of-southland-coast a afkg:ControlPeriod ; afkg:kind kind:occupation ;
    rdfs:label "Northland occupied the Southland coast"@en ;
    afkg:agent res:Northland ; afkg:place res:Southland_coast ;
    afkg:start "1917-06-23"^^xsd:date ; afkg:startPrecision kind:day ;
    afkg:end "1920"^^xsd:gYear ; afkg:endPrecision kind:year ;
    afkg:timeLabel "From June 23, 1917, until the summer of 1920" ;
    prov:wasDerivedFrom sec:occupation-1 .

fact:northlanders-in-southland a afkg:Standing ; afkg:kind kind:community ;
    rdfs:label "Northlander migrants in Southland"@en ;
    afkg:agent res:Northlanders ; afkg:counterpart res:Southland ;
    afkg:quantity 20000 ; afkg:unit kind:person ; afkg:amountLabel "About 20,000 Northlander migrants" ;
    prov:wasDerivedFrom sec:people-1 .

fact:southlanders-in-northland a afkg:Standing ; afkg:kind kind:community ;
    rdfs:label "Southlander community in Northland"@en ;
    afkg:agent res:Southlanders ; afkg:counterpart res:Northland ;
    afkg:quantity 5000 ; afkg:unit kind:person ; afkg:amountLabel "a 5,000-strong Southlander community" ;
    prov:wasDerivedFrom sec:people-2 .

fact:southland-funds-language-schools a afkg:Stance ; afkg:kind kind:support ;
    rdfs:label "Southland funds Northland's language schools"@en ;
    afkg:agent res:Southland ; afkg:counterpart res:Northland ;
    afkg:wording "Northland's language schools" ;
    afkg:cause res:Northlanders ;
    prov:wasDerivedFrom sec:people-3 .

fact:ada-north-president a afkg:Standing ; afkg:kind kind:office-holding ;
    rdfs:label "Ada North, President of Northland"@en ;
    afkg:agent res:Ada_North ; afkg:office res:President_of_Northland ;
    prov:wasDerivedFrom sec:visits-1 .

fact:visit-ada-north-southland a afkg:Visit ; afkg:kind kind:visit ;
    rdfs:label "Visit of Ada North to Southland"@en ;
    afkg:agent res:Ada_North ; afkg:office res:President_of_Northland ; afkg:counterpart res:Southland ;
    afkg:outcome fact:ada-north-opinion ;
    prov:wasDerivedFrom sec:visits-1 .

fact:ada-north-opinion a afkg:Statement ; afkg:kind kind:opinion ;
    rdfs:label "Ada North called the two countries natural partners"@en ;
    afkg:agent res:Ada_North ; afkg:about res:Northland-Southland_relations ;
    afkg:wording "the two countries were natural partners" ;
    prov:wasDerivedFrom sec:visits-2 .
"""


def write_project(root: Path, turtle: str = TURTLE, source: str = SOURCE) -> Layout:
    """A project of the ontology and the invented relation alone."""
    if not (root / "ontology").exists():
        shutil.copytree(PROJECT / "ontology", root / "ontology")
    folder = root / "data" / PAIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "source.txt").write_text(source, encoding="utf-8")
    (folder / "facts.ttl").write_text(turtle, encoding="utf-8")
    return Layout(root)


def report(root: Path, turtle: str = TURTLE, source: str = SOURCE) -> Report:
    return validate(load(write_project(root, turtle, source)))


def edited(old: str, new: str) -> str:
    assert TURTLE.count(old) == 1, old
    return TURTLE.replace(old, new)


@pytest.fixture(scope="module")
def invented(tmp_path_factory) -> KnowledgeGraph:
    return load(write_project(tmp_path_factory.mktemp("invented")))


# --- the invented relation says it all and conforms -----------------------------------------

def test_the_invented_relation_conforms_in_both_engines(invented):
    found = validate(invented)
    assert found.conforms, found.text()
    assert shacl_results(invented, engine="pyshacl") == []


def test_counts_of_people_are_numbers_a_query_can_sum(invented):
    rows = list(invented.merged.query("""
        SELECT (SUM(?n) AS ?people) (COUNT(?fact) AS ?facts) WHERE {
            ?fact afkg:kind kind:community ; afkg:quantity ?n ; afkg:unit kind:person .
        }""", initNs=PREFIXES))
    assert [(r[0].toPython(), r[1].toPython()) for r in rows] == [(25000, 2)]


def test_stats_count_facts_per_section_path(invented):
    """A subsection is counted under its own path, never merged with a namesake elsewhere."""
    from afkg.stats import compute
    assert compute(invented).facts_per_section == {
        "Introduction": 1, "History": 0, "History › Independence": 2, "History › Occupation": 1,
        "People": 3, "Visits": 3,
    }


def test_section_paths_stop_at_a_cycle_or_a_parent_that_is_no_section():
    from afkg.stats import section_paths
    assert section_paths({"a": ("A", None), "b": ("B", "a"), "c": ("C", "b"), "d": ("D", "elsewhere"),
                          "x": ("X", "y"), "y": ("Y", "x")}) == {
        "a": "A", "b": "A › B", "c": "A › B › C", "d": "D", "x": "Y › X", "y": "X › Y"}


def test_each_date_keeps_its_own_precision(invented):
    fact = URIRef(PREFIXES["fact"] + "northland-occupation-of-southland-coast")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert invented.data.value(fact, AFKG.start) == Literal("1917-06-23", datatype=URIRef(xsd + "date"))
    assert invented.data.value(fact, AFKG.startPrecision) == KIND.day
    assert invented.data.value(fact, AFKG.end) == Literal("1920", datatype=URIRef(xsd + "gYear"))
    assert invented.data.value(fact, AFKG.endPrecision) == KIND.year


def test_a_kind_the_data_adds_is_a_fact_kind_like_the_others(invented):
    rows = invented.merged.query("""
        SELECT ?fact ?kind WHERE {
            ?fact afkg:kind ?kind . ?kind skos:inScheme kind:fact-kinds ; skos:broader kind:diplomatic-relations .
        }""", initNs=PREFIXES)
    assert [str(r[0]).rsplit("/", 1)[-1] for r in rows] == ["northland-southland-contacts"]


# --- each shape speaks of what the article lacks or gets wrong ---------------------------------

@pytest.mark.sample(1)
@pytest.mark.parametrize(("old", "new", "shape", "message"), [
    pytest.param('afkg:start "1917-06-23"^^xsd:date ; afkg:startPrecision kind:day ;',
                 'afkg:start "1917-06-23"^^xsd:date ; afkg:startPrecision kind:year ;', "afsh:PrecisionShape",
                 "The afkg:start 1917-06-23 does not fit its precision kind:year", id="start precision"),
    pytest.param('afkg:end "1920"^^xsd:gYear ; afkg:endPrecision kind:year ;', 'afkg:end "1920"^^xsd:gYear ;',
                 "afsh:DatedShape", "afkg:end takes afkg:endPrecision, or else afkg:precision", id="end without precision"),
    pytest.param("""fact:ada-north-president a afkg:Standing ; afkg:kind kind:office-holding ;""",
                 """fact:ada-north-president a afkg:Standing ; afkg:kind kind:leadership ;""", "afsh:VisitShape",
                 "is not held by the visitor (no office holding says so)", id="undated visit, no holding"),
    pytest.param("afkg:cause res:Northlanders ;", "afkg:cause res:President_of_Northland ;", "afsh:FactShape",
                 "An afkg:cause must be a fact or an actor", id="an office as cause"),
    pytest.param("afkg:quantity 20000 ; afkg:unit kind:person ;", 'afkg:quantity "20,000" ; afkg:unit kind:person ;',
                 "afsh:QuantityShape", "non-negative xsd:integer or xsd:decimal", id="a count as text"),
    pytest.param("afkg:quantity 20000 ; afkg:unit kind:person ;", "afkg:quantity 20000 ;",
                 "afsh:QuantityShape", "exactly one afkg:unit", id="a count without unit"),
    pytest.param("afkg:agent res:Southlanders ; afkg:about res:Southland ;",
                 "afkg:agent res:Southlanders ; afkg:about res:Southland ; afkg:counterpart res:Southland ;",
                 "afsh:ActShape", "cannot become independent from itself", id="independent from itself"),
    pytest.param("afkg:agent res:Northland ; afkg:about res:Coastal_Institute ;", "afkg:agent res:Northland ;",
                 "afsh:ActShape", "an establishment needs afkg:about", id="establishment of nothing"),
    pytest.param('skos:definition "Frequent meetings and talks between the leaders of two states."@en ;', "",
                 "afsh:KindShape", "needs a skos:definition", id="kind without definition"),
    pytest.param("skos:broader kind:diplomatic-relations .", "skos:broader kind:support .",
                 "afsh:RelationshipShape", "A relationship's afkg:kind is", id="kind under a stance kind"),
    pytest.param("afkg:agent res:Ada_North ; afkg:about res:Northland-Southland_relations ;",
                 "afkg:about res:Northland-Southland_relations ;", "afsh:StatementShape",
                 "opinions need the afkg:agent who spoke", id="opinion without speaker"),
])
def test_shapes_report_what_is_wrong(tmp_path, old, new, shape, message):
    found = report(tmp_path, edited(old, new))
    assert any(r.shape == shape and message in r.message for r in found.results), found.text()


# --- subsections ---------------------------------------------------------------------------------

def test_subsections_are_read_by_heading_level():
    sections = source_sections(SOURCE)
    assert list(sections) == [("Introduction",), ("History",), ("History", "Independence"),
                              ("History", "Occupation"), ("People",), ("Visits",)]
    assert sections[("History",)].strip() == "Northland and Southland have been neighbours for centuries."
    assert "1917" in sections[("History", "Occupation")] and "1917" not in sections[("History",)]


def test_a_heading_nests_under_the_nearest_heading_with_fewer_marks():
    text = "== A ==\na\n==== B ====\nb\n=== C ===\nc\n== D ==\nd\n=== E ===\ne\n"
    assert {path: body.strip() for path, body in source_sections(text).items()} == {
        ("A",): "a", ("A", "B"): "b", ("A", "C"): "c", ("D",): "d", ("D", "E"): "e",
    }


def _old_section_texts(text: str) -> dict[str, str]:
    """The reader of version 2.0.0: ``== Heading ==`` lines only, by label."""
    heading_re = re.compile(r"==\s*(.+?)\s*==")
    sections: dict[str, list[str]] = {}
    current = "Introduction"
    for line in text.splitlines():
        stripped = line.strip()
        heading = heading_re.fullmatch(stripped)
        if heading:
            current = heading.group(1)
            sections.setdefault(current, [])
            continue
        if current in ("Introduction", "Infobox") and not any(h for h in sections if h not in ("Introduction", "Infobox")):
            if stripped.startswith("=") and stripped.endswith("="):
                continue
            if stripped == "Infobox":
                current = "Infobox"
                sections.setdefault(current, [])
                continue
            if current == "Infobox" and not stripped:
                current = "Introduction"
                continue
        sections.setdefault(current, []).append(line)
    return {name: "\n".join(lines) for name, lines in sections.items()}


def test_the_first_article_is_read_exactly_as_before():
    text = (PROJECT / "data" / "albania-france" / "source.txt").read_text(encoding="utf-8")
    assert source_sections(text) == {(name,): body for name, body in _old_section_texts(text).items()}


@pytest.mark.slow  # test_a_subsection_quote_is_found_in_its_subsection_only stays in the fast tier
def test_a_passage_cites_the_innermost_section(tmp_path):
    found = report(tmp_path, edited("sec:occupation-1 a afkg:Passage ; afkg:inSection sec:occupation ;",
                                    "sec:occupation-1 a afkg:Passage ; afkg:inSection sec:history ;"))
    assert [r.message for r in found.results] == [
        "The quote is not in the section 'History' of data/northland-southland/source.txt, where the passage says "
        "it is. It is in its subsection 'Occupation': a passage cites the innermost section its quote lies in."]


def test_a_subsection_quote_is_found_in_its_subsection_only(tmp_path):
    found = report(tmp_path, edited("sec:history-1 a afkg:Passage ; afkg:inSection sec:history ;",
                                    "sec:history-1 a afkg:Passage ; afkg:inSection sec:occupation ;"))
    assert [r.message for r in found.results] == [
        "The quote is not in the section 'History › Occupation' of data/northland-southland/source.txt, where the "
        "passage says it is."]


def test_a_subsection_needs_its_parent(tmp_path):
    found = report(tmp_path, edited("""afkg:sectionOrder 4 ;
    afkg:parentSection sec:history ;""", "afkg:sectionOrder 4 ;"))
    messages = [r.message for r in found.results if r.check == "provenance"]
    assert len(messages) == 1 and messages[0].endswith(
        "'Occupation' is a heading under 'History': make that its afkg:parentSection."), found.text()


@pytest.mark.slow  # the subsection quote and citation tests stay in the fast tier
def test_a_label_is_the_heading_as_written_without_the_marks(tmp_path):
    found = report(tmp_path, edited('rdfs:label "Occupation"@en', 'rdfs:label "= Occupation ="@en'))
    assert [r.check for r in found.results] == ["provenance"], found.text()
    assert found.results[0].message.startswith("The section label is not a heading of data/northland-southland/"
                                               "source.txt (headings: Introduction, History, History › Independence,")


@pytest.mark.slow  # test_a_subsection_needs_its_parent stays in the fast tier
def test_a_parent_must_come_before_its_subsection(tmp_path):
    found = report(tmp_path, edited("""afkg:sectionOrder 4 ;
    afkg:parentSection sec:history ;""", """afkg:sectionOrder 4 ;
    afkg:parentSection sec:people ;"""))
    assert any(r.shape == "afsh:SubsectionShape" and "comes after its subsection" in r.message for r in found.results)
    assert any(r.check == "provenance" and "under 'History'" in r.message for r in found.results), found.text()


# --- the ontology states its alignments as triples ------------------------------------------------

def test_new_terms_are_aligned_by_triples(kg):
    wdt = "http://www.wikidata.org/prop/direct/"
    time = "http://www.w3.org/2006/time#"
    onto = kg.ontology
    assert (AFKG.parentSection, RDFS.subPropertyOf, DCTERMS.isPartOf) in onto
    assert (AFKG.parentSection, SKOS.closeMatch, URIRef(wdt + "P361")) in onto
    assert (AFKG.quantity, SKOS.closeMatch, URIRef(wdt + "P1114")) in onto
    assert (AFKG.quantity, RDFS.subPropertyOf, URIRef("https://schema.org/value")) in onto
    assert (AFKG.minimumQuantity, RDFS.subPropertyOf, URIRef("https://schema.org/minValue")) in onto
    assert (AFKG.unit, SKOS.closeMatch, URIRef("https://schema.org/unitCode")) in onto
    assert (AFKG.cause, SKOS.closeMatch, URIRef(wdt + "P828")) in onto
    for prop in (AFKG.precision, AFKG.startPrecision, AFKG.endPrecision):
        assert (prop, SKOS.closeMatch, URIRef(time + "unitType")) in onto
        assert (prop, SKOS.closeMatch, URIRef("http://wikiba.se/ontology#timePrecision")) in onto
    assert (KIND.person, SKOS.notation, Literal("IE")) in onto  # UN/CEFACT common code, as schema:unitCode
    for concept in (KIND.establishment, KIND.opinion, KIND.community, KIND.person, KIND.item):
        assert (concept, SKOS.definition, None) in onto, concept


def test_the_context_names_the_new_terms():
    import json
    context = json.loads((PROJECT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert context["parentSection"] == {"@id": "afkg:parentSection", "@type": "@id"}
    assert context["startPrecision"] == {"@id": "afkg:startPrecision", "@type": "@id"}
    assert context["quantity"] == {"@id": "afkg:quantity", "@type": "xsd:decimal"}
    assert context["unit"] == {"@id": "afkg:unit", "@type": "@id"}
