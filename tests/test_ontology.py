"""The ontology: documented terms, the namespace class in step with it, nothing pair-specific."""

from __future__ import annotations

import re

from rdflib import URIRef

from afkg.namespaces import AFKG, OWL, RDF, RDFS, SKOS

from conftest import PROJECT

NS = "https://w3id.org/afkg/ontology#"


def ontology_terms(kg) -> set[str]:
    return {str(s)[len(NS):] for s in kg.ontology.subjects() if str(s).startswith(NS)}


def test_namespace_class_lists_exactly_the_ontology_terms(kg):
    declared = {name for name in AFKG.__annotations__}
    assert declared == ontology_terms(kg)


def test_unknown_term_is_refused():
    import pytest
    with pytest.raises(AttributeError):
        AFKG.NoSuchTerm  # noqa: B018


def test_every_term_has_a_label_and_a_comment(kg):
    missing = [t for t in ontology_terms(kg)
               if (URIRef(NS + t), RDFS.label, None) not in kg.ontology
               or (URIRef(NS + t), RDFS.comment, None) not in kg.ontology]
    assert missing == []


def test_every_term_is_typed(kg):
    untyped = [t for t in ontology_terms(kg) if (URIRef(NS + t), RDF.type, None) not in kg.ontology]
    assert untyped == []


def test_wikidata_alignments_use_checked_identifiers(kg):
    checked = set(re.findall(r"\t([QP]\d+)\t", (PROJECT / "data" / "wikidata" / "reference-ids.tsv").read_text(encoding="utf-8")))
    used = set()
    for graph in (kg.ontology, kg.data):
        for p in (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch):
            for o in graph.objects(None, p):
                if str(o).startswith("http://www.wikidata.org/entity/"):
                    used.add(str(o).rsplit("/", 1)[-1])
    assert used and used <= checked, sorted(used - checked)


def test_core_classes_and_kinds_align_with_wikidata(kg):
    kind = "https://w3id.org/afkg/kind/"
    for term, item in [(AFKG.Country, "Q3624078"), (URIRef(kind + "international-organisation"), "Q484652"),
                       (URIRef(kind + "embassy"), "Q3917681"), (AFKG.BilateralRelation, "Q15221623")]:
        assert (term, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/" + item)) in kg.ontology


def test_small_every_term_used_by_data_or_shapes(kg):
    classes = [t for t in ontology_terms(kg) if (URIRef(NS + t), RDF.type, OWL.Class) in kg.ontology]
    properties = [t for t in ontology_terms(kg) if t not in classes]
    assert len(classes) <= 30 and len(properties) <= 50, (len(classes), len(properties))
    used = {str(x) for g in (kg.data, kg.shapes) for triple in g for x in triple}
    if (None, AFKG.wikidataProperty, None) in kg.ontology:  # the mappings the Wikidata linker reads
        used.add(NS + "wikidataProperty")
    unused = [t for t in ontology_terms(kg) if NS + t not in used]
    assert unused == []


def test_ontology_metadata(kg):
    from afkg.namespaces import DCTERMS, ONTOLOGY_IRI
    vann = "http://purl.org/vocab/vann/"
    for prop in (OWL.versionIRI, OWL.versionInfo, URIRef(vann + "preferredNamespacePrefix"), DCTERMS.creator,
                 DCTERMS.license):
        assert (ONTOLOGY_IRI, prop, None) in kg.ontology, prop


def test_wikidata_property_mappings_are_direct_property_iris(kg):
    wdt = "http://www.wikidata.org/prop/direct/"
    checked = set(re.findall(r"\t(P\d+)\t", (PROJECT / "data" / "wikidata" / "reference-ids.tsv").read_text(encoding="utf-8")))
    targets = [str(o) for p in (AFKG.wikidataProperty, SKOS.closeMatch, SKOS.exactMatch)
               for o in kg.ontology.objects(None, p) if "/prop/" in str(o)]
    assert targets and all(t.startswith(wdt) and t[len(wdt):] in checked for t in targets), targets


def test_every_fact_has_exactly_one_kind_from_the_fact_scheme(kg):
    rows = kg.merged.query("""
        SELECT ?fact (COUNT(?kind) AS ?n) WHERE {
            ?fact a/rdfs:subClassOf* afkg:Fact .
            OPTIONAL { ?fact afkg:kind ?kind . ?kind skos:inScheme <https://w3id.org/afkg/kind/fact-kinds> }
        } GROUP BY ?fact""", initNs={"afkg": NS, "rdfs": str(RDFS), "skos": str(SKOS)})
    counts = {str(r[0]): int(r[1]) for r in rows}
    assert counts and set(counts.values()) == {1}


def test_nothing_pair_specific_in_ontology_shapes_or_code():
    words = re.compile(r"\b(albania\w*|france|french|tirana|paris|macron|korç\w*|anjou\w*)\b", re.IGNORECASE)
    files = [PROJECT / "ontology" / "afkg.ttl", PROJECT / "ontology" / "shapes.ttl",
             *sorted((PROJECT / "src" / "afkg").rglob("*.py"))]
    hits = [(f.name, m.group(0)) for f in files for m in words.finditer(f.read_text(encoding="utf-8"))]
    assert hits == []
