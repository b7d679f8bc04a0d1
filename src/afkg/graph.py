"""Reading the project's Turtle files into rdflib graphs.

The folder layout itself is in :mod:`afkg.layout`; ``Layout`` and ``default_layout``
are re-exported here for callers that load graphs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from afkg.errors import InputError
from afkg.files import MAX_TURTLE_BYTES, decode_utf8, read_bytes
from afkg.layout import Layout, default_layout
from afkg.namespaces import ONTOLOGY_IRI, PREFIXES, RDF, SHAPES_IRI, bind_prefixes
from afkg.project import (
    DATA_GRAPH,
    PARTS,
    IllTypedLiteral,
    Project,
    TermConverter,
    load_project,
    oxigraph_spo,
    quiet_rdflib,
)
from afkg.rdf.terms import from_rdflib, to_oxigraph
from afkg.recursion import deep_recursion

if TYPE_CHECKING:
    import pyoxigraph as ox

    from afkg.rdf.terms import RdflibTerm, Triples

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


__all__ = ["IllTypedLiteral", "KnowledgeGraph", "Layout", "default_layout", "load", "parse_turtle", "position"]


def _graph(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    bind_prefixes(graph)
    return graph


class KnowledgeGraph:
    """The ontology, the shapes and the data of one project, as rdflib graphs.

    Loaded by :func:`load`, it keeps the :class:`~afkg.project.Project` it was made
    from (``project``), whose parsed triples and store the scale-minded paths use
    (counts, exports, validation); the rdflib data graph is built only when asked for.
    """

    def __init__(self, layout: Layout, ontology: Graph, shapes: Graph, data: Graph | None = None, *,
                 sources: dict[URIRef, Path] | None = None, ill_typed: list[IllTypedLiteral] | None = None,
                 project: Project | None = None) -> None:
        if data is None and project is None:
            raise ValueError("a KnowledgeGraph needs its data graph or the project it is read from")
        self.layout = layout
        self.ontology = ontology
        self.shapes = shapes
        self._data = data
        self.sources: dict[URIRef, Path] = dict(sources or {})
        """Source documents and the text file each one's quotes must come from."""
        self.ill_typed: list[IllTypedLiteral] = list(ill_typed or [])
        """Literals whose text is not a value of their datatype, with the file they are in."""
        self.project = project if data is None else None
        """The parsed project behind this graph; None when the graphs were handed in directly."""

    @property
    def data(self) -> Graph:
        """The data graph (built from the parsed project on first use)."""
        if self._data is None:
            assert self.project is not None
            self._data = _graph(self.project.rdflib_triples("data"))
        return self._data

    def triples(self, part: str) -> Triples:
        """The rdflib triples of ``part`` ("ontology", "shapes" or "data"), without building a Graph
        for the data when the project is at hand."""
        if part == "data" and self._data is None and self.project is not None:
            return self.project.rdflib_triples("data")
        graph: Graph = getattr(self, part)
        return graph  # a Graph iterates as its triples and answers len() and ``in``

    @cached_property
    def store(self) -> ox.Store:
        """A pyoxigraph store of the three parts, each in its named graph (see :data:`afkg.project.PARTS`),
        for counts and SPARQL checks. Numbers and dates in it are values: write nothing from it."""
        if self.project is not None and self._data is None:
            return self.project.store
        store = ox.Store()
        for part, name in PARTS.items():
            graph = ox.NamedNode(name)
            store.extend(ox.Quad(*oxigraph_spo(to_oxigraph(from_rdflib(t)) for t in triple), graph)
                         for triple in self.triples(part))
        return store

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
    """Read ontology, shapes and every data folder of ``layout`` (once, with oxigraph's parser).

    Raises InputError for the first file that is missing or not valid Turtle.
    """
    layout = layout or default_layout()
    project = load_project(layout)
    ontology = _graph(project.rdflib_triples("ontology"))
    shapes = _graph(project.rdflib_triples("shapes"))
    if (ONTOLOGY_IRI, RDF.type, None) not in ontology:
        raise InputError(f"{layout.display(layout.ontology_file)}: does not declare <{ONTOLOGY_IRI}>")
    if (SHAPES_IRI, None, None) not in shapes:
        raise InputError(f"{layout.display(layout.shapes_file)}: does not declare <{SHAPES_IRI}>")
    sources = {URIRef(document): path for document, path in project.sources.items()}
    return KnowledgeGraph(layout, ontology, shapes, sources=sources, ill_typed=project.ill_typed,
                          project=project)


def select_rows(kg: KnowledgeGraph, query: str, graphs: tuple[str, ...] = (DATA_GRAPH,)
                ) -> list[dict[str, RdflibTerm]]:
    """The solutions of ``query`` over the union of ``graphs``, as rdflib terms (unbound variables left out)."""
    convert = kg.project.convert if kg.project is not None else TermConverter()
    answer = kg.store.query(query, prefixes=PREFIXES, default_graph=[ox.NamedNode(g) for g in graphs])
    assert isinstance(answer, ox.QuerySolutions), "select_rows runs SELECT queries only"
    names = [v.value for v in answer.variables]
    return [{name: convert(row[name]) for name in names if row[name] is not None} for row in answer]
