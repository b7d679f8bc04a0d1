"""Serialisations with stable bytes: Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads.

The same graph always gives the same bytes, so a diff shows only real changes:
blank nodes are relabelled from their content (and the graph they are in),
N-Triples and N-Quads lines are sorted, Turtle and TriG come from rdflib's
serializer (subjects and predicates sorted) with fixed prefixes, RDF/XML from
pyoxigraph fed sorted triples, and JSON-LD from pyld fed sorted N-Quads.

The export has four graphs: the ontology, the shapes, the data and the dataset
metadata. TriG and N-Quads keep each in its named graph; the triple formats
write their union.
"""

from __future__ import annotations

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from afkg.atomic import write_atomic
from afkg.errors import UsageError
from afkg.graph import DATA_GRAPH_IRI, ONTOLOGY_GRAPH_IRI, SHAPES_GRAPH_IRI, KnowledgeGraph
from afkg.namespaces import bind_prefixes
from afkg.prefixes import PREFIXES

METADATA_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/metadata")

FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("text/turtle", "ttl"),
    "ntriples": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "jsonld"),
    "rdfxml": ("application/rdf+xml", "rdf"),
    "trig": ("application/trig", "trig"),
    "nquads": ("application/n-quads", "nq"),
}
"""Format name -> (media type, file extension)."""

QUAD_FORMATS = ("trig", "nquads")
GRAPHS = ("all", "data", "ontology", "shapes", "metadata")

__all__ = ["FORMATS", "GRAPHS", "QUAD_FORMATS", "distribution_names", "export", "named_graphs", "stable",
           "to_ntriples", "to_turtle", "write_atomic"]


def distribution_names() -> dict[str, str]:
    """The files of a full export, ``afkg.<ext>``, with their media types."""
    return {f"afkg.{ext}": media for media, ext in FORMATS.values()}


def stable(graph: Graph, label_prefix: str = "") -> Graph:
    """A copy of ``graph`` whose blank nodes are labelled from their content (and
    ``label_prefix``), so the same graph always gets the same labels."""
    has_blank = any(isinstance(term, BNode) for triple in graph for term in triple)
    copy = Graph()
    bind_prefixes(copy)
    if not has_blank:
        for triple in graph:
            copy.add(triple)
        return copy
    for triple in to_canonical_graph(graph):
        copy.add(tuple(BNode(label_prefix + str(t)) if isinstance(t, BNode) else t for t in triple))
    return copy


def to_ntriples(graph: Graph) -> bytes:
    """N-Triples, one triple a line, lines sorted."""
    return _ntriples(stable(graph))


def _ntriples(graph: Graph) -> bytes:
    """Sorted N-Triples of a graph whose blank-node labels are already stable."""
    return _sorted_lines(graph.serialize(format="nt", encoding="utf-8").decode("utf-8"))


def to_turtle(graph: Graph) -> bytes:
    """Turtle with the project's prefixes, subjects and predicates in sorted order."""
    return stable(graph).serialize(format="turtle", encoding="utf-8")


def _sorted_lines(text: str) -> bytes:
    lines = sorted(set(line for line in text.splitlines() if line.strip()))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def named_graphs(kg: KnowledgeGraph, which: str = "all") -> dict[URIRef, Graph]:
    """The export's graphs by name, each with stable blank-node labels."""
    from afkg.publish import metadata

    if which not in GRAPHS:
        raise UsageError(f"unknown graph '{which}' (graphs: {', '.join(GRAPHS)})")
    makers = {
        "ontology": (ONTOLOGY_GRAPH_IRI, lambda: kg.ontology, "o"),
        "shapes": (SHAPES_GRAPH_IRI, lambda: kg.shapes, "s"),
        "data": (DATA_GRAPH_IRI, lambda: kg.data, "d"),
        "metadata": (METADATA_GRAPH_IRI, lambda: metadata.describe(kg, distribution_names()), "m"),
    }
    chosen = list(makers) if which == "all" else [which]
    return {makers[name][0]: stable(makers[name][1](), makers[name][2]) for name in chosen}


def _union(graphs: dict[URIRef, Graph]) -> Graph:
    union = Graph()
    bind_prefixes(union)
    for graph in graphs.values():
        for triple in graph:
            union.add(triple)
    return union


def _dataset(graphs: dict[URIRef, Graph]) -> Dataset:
    dataset = Dataset()
    bind_prefixes(dataset)
    for name, graph in graphs.items():
        named = dataset.graph(name)
        for triple in graph:
            named.add(triple)
    return dataset


def _trig(graphs: dict[URIRef, Graph]) -> bytes:
    """TriG with one block per named graph, in IRI order, each body written as Turtle."""
    used: set[str] = set()
    blocks = []
    for name in sorted(graphs, key=str):
        text = graphs[name].serialize(format="turtle")
        body = [line for line in text.splitlines() if not line.startswith("@prefix")]
        used.update(line.split()[1].rstrip(":") for line in text.splitlines() if line.startswith("@prefix"))
        while body and not body[0].strip():
            body.pop(0)
        # not indented: the bodies hold multi-line literals whose lines must stay as they are
        text_body = "\n".join(body).rstrip()
        blocks.append(f"<{name}> {{\n{text_body}\n}}\n")
    header = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(used) if p in PREFIXES)
    return (header + "\n" + "\n".join(blocks)).encode("utf-8")


def _rdfxml(graph: Graph) -> bytes:
    import pyoxigraph as ox

    from afkg.query.terms import from_rdflib, to_oxigraph

    triples = sorted(tuple(from_rdflib(t) for t in triple) for triple in graph)
    used = {str(t.value) for triple in triples for t in triple if t.kind == "uri"}
    prefixes = {p: ns for p, ns in sorted(PREFIXES.items()) if any(u.startswith(ns) for u in used)}
    quads = [ox.Triple(*(to_oxigraph(t) for t in triple)) for triple in triples]
    return ox.serialize(quads, format=ox.RdfFormat.RDF_XML, prefixes=prefixes)


def export(kg: KnowledgeGraph, fmt: str, graph: str = "all", *,
           context_url: str | None = None, frame: str | None = None) -> bytes:
    """The chosen graph(s) of ``kg`` in format ``fmt``, as bytes.

    ``context_url`` and ``frame`` apply to JSON-LD only.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (formats: {', '.join(FORMATS)})")
    if (context_url or frame) and fmt != "jsonld":
        raise UsageError("--context and --frame apply to --format jsonld only")
    graphs = named_graphs(kg, graph)
    if fmt == "trig":
        return _trig(graphs)
    if fmt == "nquads":
        return _sorted_lines(_dataset(graphs).serialize(format="nquads", encoding="utf-8").decode("utf-8"))
    union = _union(graphs)
    if fmt == "turtle":
        return union.serialize(format="turtle", encoding="utf-8")
    if fmt == "ntriples":
        return _ntriples(union)
    if fmt == "rdfxml":
        return _rdfxml(union)
    from afkg.publish.context import load_context
    from afkg.publish.jsonld import to_jsonld

    context = load_context(kg.layout.context_file)
    nquads = _ntriples(union).decode("utf-8")
    return to_jsonld(nquads, context, kg.ontology, context_url=context_url, frame=frame)
