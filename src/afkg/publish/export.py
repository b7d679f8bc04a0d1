"""Serialisations with stable bytes: Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads.

The same graph always gives the same bytes, so a diff shows only real changes:
blank nodes are relabelled from their content (and the graph they are in, see
:mod:`afkg.rdf.canon`), N-Triples and N-Quads lines are written from the
terms and sorted, Turtle and TriG come from rdflib's serializer (subjects and
predicates sorted) with fixed prefixes and bounded nesting (see
:mod:`afkg.rdf.turtle`), RDF/XML from pyoxigraph fed sorted triples, and
JSON-LD from pyld fed the triples, already parsed, in sorted N-Triples order
(see :mod:`afkg.rdf.jsonld`). None of them recurses once per level of nested
blank nodes.

The export has four graphs: the ontology, the shapes, the data and the dataset
metadata. TriG and N-Quads keep each in its named graph; the triple formats
write their union.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from itertools import chain
from pathlib import PurePath
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, URIRef

from afkg.atomic import write_atomic
from afkg.errors import UsageError
from afkg.graph import DATA_GRAPH_IRI, ONTOLOGY_GRAPH_IRI, SHAPES_GRAPH_IRI, KnowledgeGraph
from afkg.namespaces import bind_prefixes
from afkg.prefixes import PREFIXES
from afkg.project import oxigraph_spo
from afkg.publish import metadata
from afkg.rdf import formats
from afkg.rdf.canon import Triple, stable, stable_triples
from afkg.rdf.context import load_context
from afkg.rdf.jsonld import to_jsonld
from afkg.rdf.terms import from_rdflib, to_oxigraph
from afkg.rdf.turtle import nquads_bytes, ntriples_bytes, to_turtle_bytes, triples_to_turtle_bytes

if TYPE_CHECKING:
    from afkg.rdf.terms import Triples

METADATA_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/metadata")

FORMATS: dict[str, tuple[str, str]] = {
    name: (formats.get(name).media_type, formats.get(name).suffix)
    for name in ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads")
}
"""Format name -> (media type, file extension), in the order of a full export (see :mod:`afkg.rdf.formats`)."""

ALIASES: dict[str, str] = {
    key: name for name in FORMATS for f in [formats.get(name)]
    for key in (f.suffix, *f.aliases, f.media_type, *f.accepted) if key != name
} | formats.EXPORT_ALIASES
"""Other names a format is known by: short names, file extensions and media types."""

EXTENSIONS: dict[str, str] = formats.EXPORT_EXTENSIONS
"""File extensions an output format is inferred from."""

QUAD_FORMATS = formats.QUADS
GRAPHS = ("all", "data", "ontology", "shapes", "metadata")

__all__ = ["ALIASES", "EXTENSIONS", "FORMATS", "GRAPHS", "QUAD_FORMATS", "distribution_names", "export",
           "format_for_path", "named_graphs", "named_triples", "resolve_format", "stable", "to_ntriples", "to_turtle",
           "write_atomic"]


def resolve_format(name: str) -> str:
    """The format called ``name`` (a format name, an alias or a media type, any case)."""
    key = name.strip().lower()
    key = key.split(";", 1)[0].strip() if "/" in key else key
    found = key if key in FORMATS else ALIASES.get(key)
    if found is None:
        raise UsageError(f"unknown format '{name}' (formats: {', '.join(FORMATS)}, "
                         f"or an extension or media type of one)")
    return found


def format_for_path(path: PurePath | str, default: str = "turtle") -> str:
    """The format an output file's extension asks for; ``default`` when it names none."""
    return EXTENSIONS.get(PurePath(path).suffix.lower(), default)


def distribution_names() -> dict[str, str]:
    """The files of a full export, ``afkg.<ext>``, with their media types."""
    return {f"afkg.{ext}": media for media, ext in FORMATS.values()}


def to_ntriples(graph: Graph) -> bytes:
    """N-Triples, one triple a line, lines sorted."""
    return ntriples_bytes(stable(graph))


def to_turtle(graph: Graph) -> bytes:
    """Turtle with the project's prefixes, subjects and predicates in sorted order."""
    return to_turtle_bytes(stable(graph))


def named_triples(kg: KnowledgeGraph, which: str = "all") -> dict[URIRef, set[Triple]]:
    """The export's graphs by name, as sets of triples with stable blank-node labels."""
    if which not in GRAPHS:
        raise UsageError(f"unknown graph '{which}' (graphs: {', '.join(GRAPHS)})")
    makers: dict[str, tuple[URIRef, Callable[[], Triples], str]] = {
        "ontology": (ONTOLOGY_GRAPH_IRI, lambda: kg.triples("ontology"), "o"),
        "shapes": (SHAPES_GRAPH_IRI, lambda: kg.triples("shapes"), "s"),
        "data": (DATA_GRAPH_IRI, lambda: kg.triples("data"), "d"),
        "metadata": (METADATA_GRAPH_IRI, lambda: metadata.describe(kg, distribution_names()), "m"),
    }
    chosen = list(makers) if which == "all" else [which]
    made: dict[str, set[Triple]] = kg.__dict__.setdefault("_stable_parts", {})  # the same for every format
    for name in chosen:
        if name not in made:
            made[name] = stable_triples(makers[name][1](), makers[name][2])
    return {makers[name][0]: made[name] for name in chosen}


def named_graphs(kg: KnowledgeGraph, which: str = "all") -> dict[URIRef, Graph]:
    """The export's graphs by name, each an rdflib Graph with stable blank-node labels."""
    graphs = {}
    for name, triples in named_triples(kg, which).items():
        graph = Graph()
        bind_prefixes(graph)
        for triple in triples:
            graph.add(triple)
        graphs[name] = graph
    return graphs


def _union(graphs: dict[URIRef, set[Triple]]) -> set[Triple]:
    union: set[Triple] = set()
    for graph in graphs.values():
        union |= graph
    return union


def _turtle(triples: Collection[Triple]) -> bytes:
    """Turtle of ``triples`` (blank nodes already labelled) with the project's prefixes."""
    return triples_to_turtle_bytes(triples)


def _trig(graphs: dict[URIRef, set[Triple]]) -> bytes:
    """TriG with one block per named graph, in IRI order, each body written as Turtle
    under one header of the prefixes the bodies use."""
    used: dict[str, str] = {}
    blocks = []
    for name in sorted(graphs, key=str):
        text = _turtle(graphs[name]).decode("utf-8")
        body = []
        for line in text.split("\n"):
            words = line.split()
            if line.startswith("@prefix") and len(words) == 4 and words[2].startswith("<"):
                prefix, namespace = words[1].rstrip(":"), words[2][1:-1]
                if used.setdefault(prefix, namespace) != namespace:
                    raise ValueError(f"prefix {prefix}: bound to two namespaces")
            else:
                body.append(line)
        while body and not body[0].strip():
            body.pop(0)
        # not indented: the bodies hold multi-line literals whose lines must stay as they are
        text_body = "\n".join(body).rstrip()
        blocks.append(f"<{name}> {{\n{text_body}\n}}\n")
    header = "".join(f"@prefix {p}: <{used[p]}> .\n" for p in sorted(used))
    return (header + "\n" + "\n".join(blocks)).encode("utf-8")


def _rdfxml(graph: Collection[Triple]) -> bytes:
    triples = sorted(tuple(from_rdflib(t) for t in triple) for triple in graph)
    used = {str(t.value) for triple in triples for t in triple if t.kind == "uri"}
    prefixes = {p: ns for p, ns in sorted(PREFIXES.items()) if any(u.startswith(ns) for u in used)}
    quads = [ox.Triple(*oxigraph_spo(to_oxigraph(t) for t in triple)) for triple in triples]
    data = ox.serialize(quads, format=ox.RdfFormat.RDF_XML, prefixes=prefixes)
    assert data is not None  # without an output, serialize returns the bytes
    return data


def export(kg: KnowledgeGraph, fmt: str, graph: str = "all", *,
           context_url: str | None = None, frame: str | None = None) -> bytes:
    """The chosen graph(s) of ``kg`` in format ``fmt``, as bytes.

    ``context_url`` and ``frame`` apply to JSON-LD only.
    """
    fmt = resolve_format(fmt)
    if (context_url or frame) and fmt != "jsonld":
        raise UsageError("--context and --frame apply to --format jsonld only")
    graphs = named_triples(kg, graph)
    if fmt == "trig":
        return _trig(graphs)
    if fmt == "nquads":
        return nquads_bytes(graphs)
    if fmt == "jsonld":
        context = load_context(kg.layout.context_file)
        triples = chain.from_iterable(graphs.values())
        return to_jsonld(triples, context, kg.ontology, context_url=context_url, frame=frame)
    union = _union(graphs)
    if fmt == "turtle":
        return _turtle(union)
    if fmt == "ntriples":
        return ntriples_bytes(union)
    return _rdfxml(union)
