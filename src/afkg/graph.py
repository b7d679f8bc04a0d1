"""Reading the project's Turtle files into rdflib graphs.

The folder layout itself is in :mod:`afkg.layout`; ``Layout`` and ``default_layout``
are re-exported here for callers that load graphs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from afkg.errors import InputError
from afkg.files import MAX_TURTLE_BYTES, decode_utf8, read_bytes
from afkg.layout import Layout, default_layout
from afkg.namespaces import AFKG, ONTOLOGY_IRI, RDF, SHAPES_IRI, bind_prefixes
from afkg.recursion import deep_recursion

DATA_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/data")
ONTOLOGY_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/ontology")
SHAPES_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/shapes")


def position(text: str, index: int) -> tuple[int, int]:
    """Line and column (both from 1, the column in characters) of ``text[index]``.

    Lines end at LF; a CR before it is part of the line. This is the convention of
    every position afkg reports, whichever parser found the error.
    """
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    return line, column


def _syntax_position(error: BadSyntax) -> tuple[int, int]:
    """Line and column (both from 1, columns in characters) of an rdflib Turtle syntax error.

    rdflib keeps the parsed text re-encoded as UTF-8 bytes but the error index in
    characters of the decoded text, so the text is decoded again before counting.
    """
    text = error._str.decode("utf-8", errors="replace")  # noqa: SLF001 - rdflib keeps the position only here
    index: int = error._i  # noqa: SLF001
    if index < len(text) and text[index] in " \t" and "newline" not in str(error._why):  # noqa: SLF001
        while index < len(text) and text[index] in " \t":
            index += 1
    return position(text, index)


class _Quiet(logging.Filter):
    """Drops rdflib's log records (with tracebacks) about literals it cannot convert;
    afkg reports those literals as validation problems instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's term-conversion warnings for the duration of a parse."""
    quiet = _Quiet()
    logger = logging.getLogger("rdflib.term")
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def parse_turtle(path: Path, graph: Graph | None = None, *, shown_as: str | None = None) -> Graph:
    """Parse one Turtle file into ``graph`` (a new graph if None).

    Raises InputError naming the file, line and column of the first syntax error;
    the caller then discards the graph. Only regular files of at most
    :data:`afkg.files.MAX_TURTLE_BYTES` are read.
    """
    name = shown_as or str(path)
    target = graph if graph is not None else Graph()
    text = read_bytes(path, MAX_TURTLE_BYTES, name)
    decode_utf8(text, name)
    try:
        with quiet_rdflib(), deep_recursion():
            target.parse(data=text, format="turtle", publicID=Path(os.path.realpath(path)).as_uri())
    except BadSyntax as exc:
        line, column = _syntax_position(exc)
        raise InputError(f"{name}:{line}:{column}: Turtle syntax error: {exc._why}") from None  # noqa: SLF001
    except RecursionError:
        raise InputError(f"{name}: Turtle nested too deep to parse") from None
    except Exception as exc:  # rdflib raises assorted errors for bad IRIs and literals
        raise InputError(f"{name}: cannot parse Turtle: {exc}") from None
    return target


@dataclass(frozen=True)
class IllTypedLiteral:
    """A literal whose text is not a value of its datatype (``"2024-13-45"^^xsd:date``)."""

    file: str
    subject: Node
    predicate: Node
    literal: Literal


def ill_typed_literals(graph: Graph, file: str) -> list[IllTypedLiteral]:
    """The ill-typed literals of ``graph`` (read from ``file``), in a stable order."""
    found = [IllTypedLiteral(file, s, p, o) for s, p, o in graph
             if isinstance(o, Literal) and o.ill_typed]
    return sorted(found, key=lambda x: (str(x.subject), str(x.predicate), str(x.literal)))


def _local_file(pair: Path, value: Node, layout: Layout) -> Path:
    """The source text ``afkg:localFile value`` of a document in ``pair``: inside that folder, or an InputError."""
    folder = Path(os.path.realpath(pair))
    candidate = Path(str(value))
    resolved = Path(os.path.realpath(folder / candidate))
    if candidate.is_absolute() or not resolved.is_relative_to(folder) or resolved == folder:
        raise InputError(f"{layout.display(pair)}: afkg:localFile \"{value}\" is outside the folder "
                         f"{layout.display(pair)}; name a file inside it")
    return resolved


__all__ = ["IllTypedLiteral", "KnowledgeGraph", "Layout", "default_layout", "load", "parse_turtle", "position"]


@dataclass
class KnowledgeGraph:
    """The ontology, the shapes and the data of one project, read from disk."""

    layout: Layout
    ontology: Graph
    shapes: Graph
    data: Graph
    sources: dict[URIRef, Path] = field(default_factory=dict)
    """Source documents and the text file each one's quotes must come from."""
    ill_typed: list[IllTypedLiteral] = field(default_factory=list)
    """Literals whose text is not a value of their datatype, with the file they are in."""

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
    ill_typed: list[IllTypedLiteral] = []
    for graph, name in ((ontology, layout.display(layout.ontology_file)),
                        (shapes, layout.display(layout.shapes_file))):
        ill_typed += ill_typed_literals(graph, name)
    for pair in layout.pair_dirs():
        for path in layout.turtle_files(pair):
            name = layout.display(path)
            single = parse_turtle(path, shown_as=name)
            ill_typed += ill_typed_literals(single, name)
            data += single
        for document in data.subjects(RDF.type, AFKG.SourceDocument):
            local = data.value(document, AFKG.localFile)
            if local is not None and isinstance(document, URIRef) and document not in sources:
                sources[document] = _local_file(pair, local, layout)
    for graph in (ontology, shapes, data):
        bind_prefixes(graph)
    return KnowledgeGraph(layout=layout, ontology=ontology, shapes=shapes, data=data, sources=sources,
                          ill_typed=ill_typed)
