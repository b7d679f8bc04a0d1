"""A VoID and DCAT description of the dataset, drawn from the data itself."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from afkg.graph import KnowledgeGraph
from afkg.namespaces import AFKG, DCAT, DCTERMS, PREFIXES, RDF, RDFS, RES, VOID, XSD, bind_prefixes

DATASET_IRI = RES["dataset"]
LICENSE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")


def _vocabularies(graph: Graph) -> list[URIRef]:
    """Namespaces of the known prefixes whose terms are used as predicates or classes."""
    used = {str(p) for p in graph.predicates()} | {str(o) for o in graph.objects(None, RDF.type)}
    vocabularies = []
    for prefix, namespace in sorted(PREFIXES.items()):
        if prefix in {"res", "fact", "topic", "afsh", "wd"}:
            continue
        if any(term.startswith(namespace) for term in used):
            vocabularies.append(URIRef(namespace))
    return vocabularies


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
    relations = sorted(
        (str(kg.data.value(r, RDFS.label)), r) for r in kg.data.subjects(RDF.type, AFKG.BilateralRelation)
    )
    names = ", ".join(label for label, _ in relations) or "bilateral relations"
    graph.add((ds, RDF.type, VOID.Dataset))
    graph.add((ds, RDF.type, DCAT.Dataset))
    graph.add((ds, DCTERMS.title, Literal(f"Knowledge graph of {names}", lang="en")))
    graph.add((ds, DCTERMS.description, Literal(
        f"The facts of the encyclopaedia article on {names} as RDF under the afkg ontology, "
        "each fact with the passage of the article it is drawn from.", lang="en")))
    graph.add((ds, DCTERMS.license, LICENSE))
    graph.add((ds, DCTERMS.conformsTo, URIRef("https://w3id.org/afkg/ontology")))
    created = []
    for subset in sorted(s for s in kg.data.subjects(RDF.type, VOID.Dataset) if isinstance(s, URIRef)):
        graph.add((ds, VOID.subset, subset))
        created += [d for d in kg.data.objects(subset, DCTERMS.created) if isinstance(d, Literal)]
    if created:
        graph.add((ds, DCTERMS.created, max(created, key=str)))
    for document in sorted(kg.data.subjects(RDF.type, AFKG.SourceDocument)):
        graph.add((ds, DCTERMS.source, document))
        for origin in kg.data.objects(document, DCTERMS.source):
            graph.add((document, DCTERMS.source, origin))
        for title in kg.data.objects(document, DCTERMS.title):
            graph.add((document, DCTERMS.title, title))
        graph.add((document, DCTERMS.license, LICENSE))
    entities = {s for s in kg.data.subjects(RDF.type, None)
                if isinstance(s, URIRef) and (s, RDF.type, VOID.Dataset) not in kg.data}
    graph.add((ds, VOID.uriSpace, Literal(str(RES))))
    for vocabulary in _vocabularies(kg.merged):
        graph.add((ds, VOID.vocabulary, vocabulary))
    for _, relation in relations:
        graph.add((ds, VOID.exampleResource, relation))
        for party in sorted(kg.data.objects(relation, AFKG.party)):
            graph.add((ds, VOID.exampleResource, party))
    for name, media_type in sorted((distributions or {}).items()):
        dist = URIRef(f"{RES}dataset/distribution/{name}")
        graph.add((ds, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(name)))
        graph.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")))
        graph.add((dist, DCAT.downloadURL, URIRef(f"{RES}dataset/{name}")))
        graph.add((dist, DCTERMS.license, LICENSE))
    _add_counts(graph, kg, len(entities))
    return graph


_COUNTS = (VOID.triples, VOID.entities, VOID.distinctSubjects, VOID.properties, VOID.classes)


def _add_counts(graph: Graph, kg: KnowledgeGraph, entities: int) -> None:
    """The VoID counts of the whole export: ontology, shapes, data and this description,
    counted as the triple dumps hold them (a triple in two graphs counts once), and
    including the count triples themselves."""
    union: set[tuple[object, object, object]] = set()
    for part in (kg.ontology, kg.shapes, kg.data, graph):
        union.update(part)
    subjects = {s for s, _, _ in union}
    predicates = {p for _, p, _ in union} | set(_COUNTS)
    classes = {o for _, p, o in union if p == RDF.type}
    ds = DATASET_IRI
    graph.add((ds, VOID.triples, Literal(len(union) + len(_COUNTS), datatype=XSD.integer)))
    graph.add((ds, VOID.entities, Literal(entities, datatype=XSD.integer)))
    graph.add((ds, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))
    graph.add((ds, VOID.properties, Literal(len(predicates), datatype=XSD.integer)))
    graph.add((ds, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
