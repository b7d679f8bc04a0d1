"""What the home page and the relation pages show, as plain data: the relations with their
parties, the source documents, the ontology's counts and each article section's facts.

Nothing here builds HTML; the pages hand these records to their templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from afkg.publish.site.view import GraphView
from afkg.rdf.terms import Term

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass(frozen=True)
class Party:
    """One party to a relation."""

    iri: str
    label: str


@dataclass(frozen=True)
class Relation:
    """A bilateral relation stated by one relation folder, with its parties (first party first)."""

    iri: str
    label: str
    parties: tuple[Party, ...]


@dataclass(frozen=True)
class Document:
    """A source document: its IRI, label, the article it copies and the licences."""

    iri: str
    label: str
    pair: str
    article: str | None
    licences: tuple[str, ...]


@dataclass
class Section:
    """An article section with the facts drawn from its passages: (fact IRI, quote) pairs."""

    iri: str
    order: int
    facts: list[tuple[str, str | None]] = field(default_factory=list)


def last_segment(iri: str) -> str:
    """The part of ``iri`` after its last ``/`` or ``#``."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def ontology_counts(ontology: Graph) -> tuple[int, int]:
    """The number of the ontology's own classes and properties: the terms the ontology page lists."""
    from afkg.publish.docs import ontology_terms  # cycle: afkg.publish.docs imports afkg.publish.site

    classes, properties, _ = ontology_terms(ontology)
    return len(classes), len(properties)


def relations_by_pair(view: GraphView, pair_of_passage: dict[str, str | None], pairs: list[str]
                      ) -> dict[str, list[Relation]]:
    """Relation folder name -> the relations its passages state (a relation is in the folder whose
    article it is drawn from), each with its parties, sorted by label."""
    rows = view.select("SELECT ?r ?p WHERE { ?r a afkg:BilateralRelation ; prov:wasDerivedFrom ?p }")
    folders: dict[str, set[str]] = {}
    for row in rows:
        pair = pair_of_passage.get(row["p"].value)
        if pair:
            folders.setdefault(row["r"].value, set()).add(pair)
    found: dict[str, list[Relation]] = {pair: [] for pair in pairs}
    for iri in sorted(folders):
        relation = _relation(view, iri)
        for pair in sorted(folders[iri]):
            found.setdefault(pair, []).append(relation)
    for listed in found.values():
        listed.sort(key=lambda r: (r.label.casefold(), r.iri))
    return found


def _relation(view: GraphView, iri: str) -> Relation:
    me = Term.uri(iri)
    parties = [row["party"] for row in view.select(
        "SELECT ?r ?party WHERE { ?r afkg:party ?party FILTER(isIRI(?party)) }", r=me)]
    first = {row["first"].value for row in view.select(
        "SELECT ?r ?first WHERE { ?r afkg:firstParty ?first FILTER(isIRI(?first)) }", r=me)}
    ordered = sorted({p.value for p in parties},
                     key=lambda p: (p not in first, view.label(Term.uri(p)).casefold(), p))
    return Relation(iri, view.label(me), tuple(Party(p, view.label(Term.uri(p))) for p in ordered))


def documents(view: GraphView, document_pairs: dict[str, str]) -> list[Document]:
    """Every source document of the project (IRI -> relation folder), with its article and licences."""
    found = []
    for doc, pair in document_pairs.items():
        rows = view.select("SELECT ?d ?o ?l WHERE { OPTIONAL { ?d dcterms:source ?o } "
                           "OPTIONAL { ?d dcterms:license ?l } }", d=Term.uri(doc))
        articles = sorted({r["o"].value for r in rows if "o" in r and r["o"].kind == "uri"})
        licences = tuple(sorted({r["l"].value for r in rows if "l" in r and r["l"].kind == "uri"}))
        found.append(Document(doc, view.label(Term.uri(doc)), pair, articles[0] if articles else None, licences))
    return found


def sections(view: GraphView, quotes: dict[str, str], document: str | None = None) -> list[Section]:
    """The article sections (of ``document``, else of every document) in their order, each with
    the facts and things drawn from its passages, sorted by label, and the quote of one passage."""
    rows = view.select(
        "SELECT ?doc ?section ?order ?fact ?passage WHERE { "
        "?section a afkg:ArticleSection ; afkg:ofDocument ?doc ; afkg:sectionOrder ?order . "
        "?passage afkg:inSection ?section . ?fact prov:wasDerivedFrom ?passage }")
    found: dict[tuple[str, str], Section] = {}
    chosen: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        if document is not None and row["doc"].value != document:
            continue
        order = int(row["order"].value) if re.fullmatch(r"[+-]?\d+", row["order"].value.strip()) else 0
        key = (row["doc"].value, row["section"].value)
        found.setdefault(key, Section(row["section"].value, order))
        passages = chosen.setdefault(key, {})
        fact, passage = row["fact"].value, row["passage"].value
        if fact not in passages or passage < passages[fact]:
            passages[fact] = passage
    ordered = sorted(found.items(), key=lambda kv: (kv[0][0], kv[1].order, kv[0][1]))
    for key, section in ordered:
        facts = chosen[key]
        section.facts = [(fact, quotes.get(facts[fact]))
                         for fact in sorted(facts, key=lambda f: (view.label(Term.uri(f)).casefold(), f))]
    return [section for _, section in ordered]
