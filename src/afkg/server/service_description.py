"""The SPARQL 1.1 Service Description of the endpoint, with its dataset and VoID counts."""

from __future__ import annotations

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef

from afkg.namespaces import RDF, VOID, XSD, bind_prefixes
from afkg.rdf import formats
from afkg.server.negotiation import GRAPH, TABULAR

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")


def describe(endpoint: str, counts: dict[str, int]) -> Graph:
    """The description of the endpoint at ``endpoint`` over named graphs with ``counts`` triples each.

    The default graph is the union of the named graphs (``sd:UnionDefaultGraph``).
    """
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt in TABULAR + GRAPH:
        graph.add((service, SD.resultFormat, URIRef(formats.get(fmt).iri)))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, VOID.triples, Literal(sum(counts.values()), datatype=XSD.integer)))
    default = BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(sum(counts.values()), datatype=XSD.integer)))
    for number, (name, count) in enumerate(sorted(counts.items()), 1):
        named, inner = BNode(f"namedGraph{number}"), BNode(f"graph{number}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(count, datatype=XSD.integer)))
    return graph


def serialize(graph: Graph, fmt: str) -> bytes:
    """``graph`` in one of the graph formats of :mod:`afkg.server.negotiation`; in a quad format
    (N-Quads, TriG) its triples are the default graph of a dataset (rdflib's quad writers need one)."""
    chosen = formats.get(fmt)
    if chosen.kind == "quads":
        dataset = Dataset()
        for triple in graph:
            dataset.add(triple)
        data = dataset.serialize(format=chosen.rdflib, encoding="utf-8")
    else:
        data = graph.serialize(format=chosen.rdflib, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")
