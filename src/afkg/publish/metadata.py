"""A VoID and DCAT description of the dataset, drawn from the data itself.

Everything it needs is asked of the project's pyoxigraph store by SPARQL (see
:attr:`afkg.graph.KnowledgeGraph.store`): the relations, subsets, documents,
vocabularies and counts, so the description costs a few aggregates whatever the
size of the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from afkg.graph import KnowledgeGraph, select_rows
from afkg.namespaces import DCAT, DCTERMS, PREFIXES, RDF, RES, VOID, XSD, bind_prefixes
from afkg.project import DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, oxigraph_spo
from afkg.rdf.terms import from_rdflib, to_oxigraph

if TYPE_CHECKING:
    from afkg.rdf.terms import RdflibTerm

DATASET_IRI = RES["dataset"]
LICENSE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")

_DRAFT_GRAPH = "urn:afkg:graph:metadata-draft"
"""Where the description waits in the store while the counts of the whole export are taken."""


def _vocabularies(kg: KnowledgeGraph) -> list[URIRef]:
    """Namespaces of the known prefixes whose terms are used as predicates or classes (ontology and data)."""
    used = {str(row["t"]) for row in select_rows(kg, """
        SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }""", (ONTOLOGY_GRAPH, DATA_GRAPH))}
    vocabularies = []
    for prefix, namespace in sorted(PREFIXES.items()):
        if prefix in {"res", "fact", "topic", "afsh", "wd"}:
            continue
        if any(term.startswith(namespace) for term in used):
            vocabularies.append(URIRef(namespace))
    return vocabularies


def _grouped(rows: list[dict[str, RdflibTerm]], key: str, value: str) -> dict[RdflibTerm, list[RdflibTerm]]:
    found: dict[RdflibTerm, list[RdflibTerm]] = {}
    for row in rows:
        found.setdefault(row[key], [])
        if value in row:
            found[row[key]].append(row[value])
    return found


NAMED_RELATIONS = 3
"""How many relations a dataset title names before it counts the rest."""


def _title_and_description(names: list[str]) -> tuple[str, str]:
    """The dataset's title and description for its relations' labels (sorted): one relation by
    its name; a few by name, joined with "and"; many by the first few and a count."""
    suffix = "as RDF under the afkg ontology, each fact with the passage of the article it is drawn from."
    if not names:
        return "Knowledge graph of bilateral relations", f"The facts of encyclopaedia articles {suffix}"
    if len(names) == 1:
        return f"Knowledge graph of {names[0]}", f"The facts of the encyclopaedia article on {names[0]} {suffix}"
    if len(names) <= NAMED_RELATIONS:
        listed = ", ".join(names[:-1]) + " and " + names[-1]
    else:
        listed = ", ".join(names[:NAMED_RELATIONS]) + f" and {len(names) - NAMED_RELATIONS} more"
    return (f"Knowledge graph of {len(names)} bilateral relations: {listed}",
            f"The facts of {len(names)} encyclopaedia articles on bilateral relations ({listed}) {suffix}")


def describe(kg: KnowledgeGraph, distributions: dict[str, str] | None = None) -> Graph:
    """The dataset description: title, licence, sources, creation date (the latest of
    the subsets' dcterms:created, never the clock), counts, vocabularies, example
    resources and the given distributions (file name -> media type).

    The counts (void:triples, distinctSubjects, properties, classes) are those of
    the full export that this description is part of, so void:triples equals the
    number of triples in every dump of ``afkg export`` and ``afkg build``."""
    graph = Graph()
    bind_prefixes(graph)
    ds = DATASET_IRI
    labels = _grouped(select_rows(kg, "SELECT ?r ?label WHERE { ?r a afkg:BilateralRelation "
                                "OPTIONAL { ?r rdfs:label ?label } }"), "r", "label")
    relations = sorted((str(min(found, key=str)) if found else "None", r) for r, found in labels.items())
    title, description = _title_and_description([label for label, _ in relations])
    graph.add((ds, RDF.type, VOID.Dataset))
    graph.add((ds, RDF.type, DCAT.Dataset))
    graph.add((ds, DCTERMS.title, Literal(title, lang="en")))
    graph.add((ds, DCTERMS.description, Literal(description, lang="en")))
    graph.add((ds, DCTERMS.license, LICENSE))
    graph.add((ds, DCTERMS.conformsTo, URIRef("https://w3id.org/afkg/ontology")))
    subsets = _grouped(select_rows(kg, "SELECT ?s ?created WHERE { ?s a void:Dataset FILTER isIRI(?s) "
                                 "OPTIONAL { ?s dcterms:created ?created FILTER isLiteral(?created) } }"),
                       "s", "created")
    created: list[Any] = []
    for subset in sorted(subsets):
        graph.add((ds, VOID.subset, subset))
        created += subsets[subset]
    if created:
        graph.add((ds, DCTERMS.created, max(created, key=str)))
    documents = select_rows(kg, """SELECT ?d ?origin ?title WHERE { ?d a afkg:SourceDocument
        { ?d dcterms:source ?origin } UNION { ?d dcterms:title ?title } UNION { } }""")
    for document in sorted({row["d"] for row in documents}):
        graph.add((ds, DCTERMS.source, document))
        graph.add((document, DCTERMS.license, LICENSE))
    for row in documents:
        if "origin" in row:
            graph.add((row["d"], DCTERMS.source, row["origin"]))
        if "title" in row:
            graph.add((row["d"], DCTERMS.title, row["title"]))
    entities = select_rows(kg, """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type FILTER isIRI(?s)
        FILTER NOT EXISTS { ?s a void:Dataset } }""")[0]["n"]
    graph.add((ds, VOID.uriSpace, Literal(str(RES))))
    for vocabulary in _vocabularies(kg):
        graph.add((ds, VOID.vocabulary, vocabulary))
    parties = _grouped(select_rows(kg, "SELECT ?r ?party WHERE { ?r a afkg:BilateralRelation "
                                 "OPTIONAL { ?r afkg:party ?party } }"), "r", "party")
    for _, relation in relations:
        graph.add((ds, VOID.exampleResource, relation))
        for party in sorted(parties.get(relation, [])):
            graph.add((ds, VOID.exampleResource, party))
    for name, media_type in sorted((distributions or {}).items()):
        dist = URIRef(f"{RES}dataset/distribution/{name}")
        graph.add((ds, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(name)))
        graph.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")))
        graph.add((dist, DCAT.downloadURL, URIRef(f"{RES}dataset/{name}")))
        graph.add((dist, DCTERMS.license, LICENSE))
    _add_counts(graph, kg, int(entities.toPython()))
    return graph


_COUNTS = (VOID.triples, VOID.entities, VOID.distinctSubjects, VOID.properties, VOID.classes)


def _add_counts(graph: Graph, kg: KnowledgeGraph, entities: int) -> None:
    """The VoID counts of the whole export: ontology, shapes, data and this description,
    counted as the triple dumps hold them (a triple in two graphs counts once), and
    including the count triples themselves."""
    draft = ox.NamedNode(_DRAFT_GRAPH)
    store = kg.store
    store.extend(ox.Quad(*oxigraph_spo(to_oxigraph(from_rdflib(t)) for t in triple), draft) for triple in graph)
    try:
        row = select_rows(kg, """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
                             (COUNT(DISTINCT ?p) AS ?predicates) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }""",
                    (ONTOLOGY_GRAPH, SHAPES_GRAPH, DATA_GRAPH, _DRAFT_GRAPH))[0]
        classes = select_rows(kg, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
                        (ONTOLOGY_GRAPH, SHAPES_GRAPH, DATA_GRAPH, _DRAFT_GRAPH))[0]["n"]
        predicates = {str(r["p"]) for r in select_rows(kg, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",
                                                 (ONTOLOGY_GRAPH, SHAPES_GRAPH, DATA_GRAPH, _DRAFT_GRAPH))}
    finally:
        store.remove_graph(draft)
    missing = sum(1 for p in _COUNTS if str(p) not in predicates)
    count = int(row["triples"].toPython())
    ds = DATASET_IRI
    graph.add((ds, VOID.triples, Literal(count + len(_COUNTS), datatype=XSD.integer)))
    graph.add((ds, VOID.entities, Literal(entities, datatype=XSD.integer)))
    graph.add((ds, VOID.distinctSubjects, Literal(int(row["subjects"].toPython()), datatype=XSD.integer)))
    graph.add((ds, VOID.properties, Literal(int(row["predicates"].toPython()) + missing, datatype=XSD.integer)))
    graph.add((ds, VOID.classes, Literal(int(classes.toPython()), datatype=XSD.integer)))
