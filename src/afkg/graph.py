"""Reading the project's Turtle files into rdflib graphs.

The folder layout itself is in :mod:`afkg.layout`; ``Layout`` and ``default_layout``
are re-exported here for callers that load graphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from afkg.errors import InputError
from afkg.layout import Layout, default_layout
from afkg.namespaces import AFKG, ONTOLOGY_IRI, RDF, SHAPES_IRI, bind_prefixes

DATA_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/data")
ONTOLOGY_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/ontology")
SHAPES_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/shapes")


def _syntax_position(error: BadSyntax) -> tuple[int, int]:
    """Line and column (both from 1) of an rdflib Turtle syntax error."""
    text: bytes = error._str  # noqa: SLF001 - rdflib keeps the position only here
    index: int = error._i  # noqa: SLF001
    line = text.count(b"\n", 0, index) + 1
    column = index - text.rfind(b"\n", 0, index)
    return line, column


def parse_turtle(path: Path, graph: Graph | None = None, *, shown_as: str | None = None) -> Graph:
    """Parse one Turtle file into ``graph`` (a new graph if None).

    Raises InputError naming the file, line and column of the first syntax error;
    the caller then discards the graph.
    """
    name = shown_as or str(path)
    target = graph if graph is not None else Graph()
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = text.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{name}:{line}: not UTF-8 ({exc.reason})") from None
    try:
        target.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        line, column = _syntax_position(exc)
        raise InputError(f"{name}:{line}:{column}: Turtle syntax error: {exc._why}") from None  # noqa: SLF001
    except Exception as exc:  # rdflib raises assorted errors for bad IRIs and literals
        raise InputError(f"{name}: cannot parse Turtle: {exc}") from None
    return target


__all__ = ["KnowledgeGraph", "Layout", "default_layout", "load", "parse_turtle"]


@dataclass
class KnowledgeGraph:
    """The ontology, the shapes and the data of one project, read from disk."""

    layout: Layout
    ontology: Graph
    shapes: Graph
    data: Graph
    sources: dict[URIRef, Path] = field(default_factory=dict)
    """Source documents and the text file each one's quotes must come from."""

    @cached_property
    def merged(self) -> Graph:
        """The ontology and the data in one graph: what queries and exports see."""
        graph = Graph()
        bind_prefixes(graph)
        for triple in self.ontology:
            graph.add(triple)
        for triple in self.data:
            graph.add(triple)
        return graph


def load(layout: Layout | None = None) -> KnowledgeGraph:
    """Read ontology, shapes and every data folder of ``layout``.

    Raises InputError for the first file that is missing or not valid Turtle.
    """
    layout = layout or default_layout()
    ontology = parse_turtle(layout.ontology_file, shown_as=layout.display(layout.ontology_file))
    shapes = parse_turtle(layout.shapes_file, shown_as=layout.display(layout.shapes_file))
    if (ONTOLOGY_IRI, RDF.type, None) not in ontology:
        raise InputError(f"{layout.display(layout.ontology_file)}: does not declare <{ONTOLOGY_IRI}>")
    if (SHAPES_IRI, None, None) not in shapes:
        raise InputError(f"{layout.display(layout.shapes_file)}: does not declare <{SHAPES_IRI}>")
    data = Graph()
    sources: dict[URIRef, Path] = {}
    for pair in layout.pair_dirs():
        for path in sorted(pair.glob("*.ttl")):
            parse_turtle(path, data, shown_as=layout.display(path))
        for document in data.subjects(RDF.type, AFKG.SourceDocument):
            local = data.value(document, AFKG.localFile)
            if local is not None and isinstance(document, URIRef) and document not in sources:
                sources[document] = pair / str(local)
    for graph in (ontology, shapes, data):
        bind_prefixes(graph)
    return KnowledgeGraph(layout=layout, ontology=ontology, shapes=shapes, data=data, sources=sources)
