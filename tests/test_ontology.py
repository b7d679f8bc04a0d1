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


def test_core_classes_align_with_wikidata(kg):
    for cls, item in [(AFKG.Country, "Q3624078"), (AFKG.InternationalOrganization, "Q484652"),
                      (AFKG.Embassy, "Q3917681"), (AFKG.BilateralRelation, "Q15221623")]:
        assert (cls, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/" + item)) in kg.ontology


def test_nothing_pair_specific_in_ontology_shapes_or_code():
    words = re.compile(r"\b(albania\w*|france|french|tirana|paris|macron|korç\w*|anjou\w*)\b", re.IGNORECASE)
    files = [PROJECT / "ontology" / "afkg.ttl", PROJECT / "ontology" / "shapes.ttl",
             *sorted((PROJECT / "src" / "afkg").rglob("*.py"))]
    hits = [(f.name, m.group(0)) for f in files for m in words.finditer(f.read_text(encoding="utf-8"))]
    assert hits == []
