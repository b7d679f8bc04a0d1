"""Turtle, N-Triples and N-Quads writers that never recurse deeper than a bound.

Turtle is written by :mod:`afkg.rdf.turtle_writer`, which reproduces byte for byte
what :class:`BoundedTurtleSerializer` (below, kept as the reference and as the fallback
for graphs the fast writer does not handle) writes. That layout is rdflib's
serializer's, which nests a blank node used once as ``[ … ]`` by calling itself once
per level: a chain of a few hundred blank nodes exhausts Python's stack, and a cyclic
RDF list makes its list check loop for ever. :class:`BoundedTurtleSerializer` keeps
rdflib's output for ordinary graphs but, before writing, measures how deeply blank
nodes would nest and gives every :data:`MAX_NESTING`-th level its label instead
(``_:b…``, written as a subject of its own), and it decides which blank nodes are
well-formed lists once, without loops that can run for ever.

N-Triples and N-Quads are written line by line from the terms, lines sorted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container, Iterable, Mapping
from io import BytesIO

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

MAX_NESTING = 64
"""Blank nodes nested inside each other deeper than this are written with labels."""


class BoundedTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle serializer with bounded nesting and a loop-free list check."""

    def preprocess(self) -> None:
        super().preprocess()
        self._lists = _valid_lists(self.store)
        self._forced = set(_too_deep(self.store, self._references, self._lists))
        for node in self._forced:
            self._references[node] = 2  # used "twice": written with its label, as its own subject

    def orderSubjects(self) -> list[Node]:  # noqa: N802 - rdflib's name
        """rdflib's order, except that blank nodes given labels for depth come before the
        nested ones, so each nested blank node is written inside its parent."""
        ordered = super().orderSubjects()
        nested = [s for s in ordered if isinstance(s, BNode) and self._references[s] == 1]
        first = [s for s in ordered if not (isinstance(s, BNode) and self._references[s] == 1)]
        return first + nested

    def isValidList(self, l_: Node) -> bool:  # noqa: N802 - rdflib's name
        return l_ in self._lists

    def get_pname(self, uri: Node, gen_prefix: bool = True) -> str | None:
        """Only the graph's bound prefixes are used; none is made up (``ns1:``), so that
        separately written bodies (TriG) share one prefix header."""
        return super().get_pname(uri, gen_prefix=False)


def _valid_lists(graph: Graph) -> set[Node]:
    """Blank nodes that head a well-formed RDF list: every cell has exactly
    rdf:first and rdf:rest, and the rests end in rdf:nil without a cycle."""
    cells: dict[Node, Node] = {}
    for cell in set(graph.subjects(RDF.first, None)):
        if not isinstance(cell, BNode):
            continue
        pairs = list(graph.predicate_objects(cell))
        # exactly rdf:first and rdf:rest, once each (rdflib types predicates as Node, which has no order)
        if len(pairs) == 2 and {p for p, _ in pairs} == {RDF.first, RDF.rest}:
            cells[cell] = next(o for p, o in pairs if p == RDF.rest)
    references = {rest: sum(1 for _ in graph.subjects(None, rest)) for rest in cells.values()}
    return list_heads(cells, references)


def _follow(start: Node, step: Mapping[Node, Node], known: Container[Node],
            stop: Callable[[Node], bool] | None = None) -> tuple[list[Node], set[Node], Node]:
    """The nodes met from ``start`` following ``step``, in order and as a set, and the node the
    walk ended at: one with no step, a ``known`` one, one met before (a cycle), or the first one
    for which ``stop`` is true. Nothing recurses, whatever the length."""
    path: list[Node] = []
    seen: set[Node] = set()
    node = start
    while node in step and node not in known and node not in seen:
        seen.add(node)
        path.append(node)
        node = step[node]
        if stop is not None and stop(node):
            break
    return path, seen, node


def list_heads(cells: dict[Node, Node], references: Mapping[Node, int], nil: object = RDF.nil) -> set[Node]:
    """Of the list cells (blank node -> its rdf:rest), those whose rests end in ``nil``
    without a cycle, and whose every rest cell is referenced once (``references``: the
    triples with a node as object), so that ``( … )`` hides no node that is named elsewhere."""
    valid: set[Node] = set()
    decided: set[Node] = set()
    for start in cells:
        path, _, node = _follow(start, cells, decided, lambda node: node != nil and references.get(node, 0) > 1)
        good = (node == nil or node in valid) and (node == nil or references.get(node, 0) <= 1)
        for cell in path:
            decided.add(cell)
            if good:
                valid.add(cell)
    return valid


def _too_deep(graph: Graph, references: dict[Node, int], lists: set[Node]) -> list[Node]:
    """Blank nodes to write with labels so that no ``[ … ]`` or ``( … )`` nests more than
    :data:`MAX_NESTING` deep, including one node on every cycle of nested blank nodes."""
    parent: dict[Node, Node] = {}
    for s, _, o in graph:
        if isinstance(o, BNode) and references.get(o, 0) == 1:
            parent[o] = s
    # a list's rdf:rest cells are written in one loop by rdflib: they add no depth
    flat = {o for s, _, o in graph.triples((None, RDF.rest, None)) if s in lists and o in lists}
    return labelled_for_depth(parent, flat)


def labelled_for_depth(parent: dict[Node, Node], flat: set[Node]) -> list[Node]:
    """Given each blank node written nested (``[ … ]``) with the subject it is nested in,
    and the list cells that add no depth, the nodes to write with labels instead."""
    depth: dict[Node, int] = {}
    forced: list[Node] = []
    for start in sorted(parent, key=str):
        chain, on_chain, node = _follow(start, parent, depth)
        if node in on_chain:  # a cycle of nested blank nodes: one of them becomes a subject
            forced.append(node)
            depth[node] = 0
            chain = chain[:chain.index(node)]
        base = depth.get(node, 0)
        for item in reversed(chain):
            base = base if item in flat else base + 1
            if base >= MAX_NESTING:
                forced.append(item)
                base = 0
            depth[item] = base
    return forced


def rdflib_turtle_bytes(graph: Graph) -> bytes:
    """``graph`` as Turtle (UTF-8) by :class:`BoundedTurtleSerializer`: the reference that
    :func:`to_turtle_bytes` reproduces, and its fallback for graphs it does not handle."""
    stream = BytesIO()
    BoundedTurtleSerializer(graph).serialize(stream, encoding="utf-8")
    return stream.getvalue()


def to_turtle_bytes(graph: Graph) -> bytes:
    """``graph`` as Turtle (UTF-8), nesting bounded: the bytes of
    :func:`rdflib_turtle_bytes`, written by :mod:`afkg.rdf.turtle_writer`."""
    from afkg.rdf.turtle_writer import graph_turtle  # cycle: afkg.rdf.turtle_writer imports this module

    written = graph_turtle(graph)
    return written if written is not None else rdflib_turtle_bytes(graph)


def triples_to_turtle_bytes(triples: Collection[tuple[Node, Node, Node]],
                            namespaces: Mapping[str, str] | None = None) -> bytes:
    """Turtle (UTF-8) of ``triples`` (no duplicates, blank nodes already labelled) with the
    prefixes of ``namespaces`` (default: those of every graph afkg writes), without building
    a Graph: the bytes :func:`to_turtle_bytes` writes for a Graph holding them."""
    from afkg.rdf.turtle_writer import Unsupported, export_namespaces, triples_turtle  # cycle: see to_turtle_bytes

    try:
        return triples_turtle(triples, namespaces)
    except Unsupported:
        graph = Graph(bind_namespaces="none")
        for prefix, namespace in (export_namespaces() if namespaces is None else namespaces).items():
            graph.bind(prefix, namespace, override=True, replace=True)
        for triple in triples:
            graph.add(triple)
        return rdflib_turtle_bytes(graph)


def _literal(term: Literal) -> str:
    text = str(term).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


def nt_term(term: Node) -> str:
    """One term as N-Triples writes it."""
    if isinstance(term, Literal):
        return _literal(term)
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    raise ValueError(f"not an RDF term: {term!r}")


def sorted_lines(lines: set[str]) -> bytes:
    """Lines sorted, each ended by a newline, as UTF-8."""
    return "".join(line + "\n" for line in sorted(lines)).encode("utf-8")


def _term_writer() -> Callable[[Node], str]:
    """:func:`nt_term` with each distinct term written once (terms repeat across triples)."""
    written: dict[Node, str] = {}

    def write(term: Node) -> str:
        found = written.get(term)
        if found is None:
            found = written[term] = nt_term(term)
        return found

    return write


def ntriples_bytes(graph: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """N-Triples, one triple a line, lines sorted."""
    term = _term_writer()
    return sorted_lines({f"{term(s)} {term(p)} {term(o)} ." for s, p, o in graph})


def nquads_bytes(graphs: Mapping[URIRef, Iterable[tuple[Node, Node, Node]]]) -> bytes:
    """N-Quads of named graphs, one quad a line, lines sorted."""
    term = _term_writer()
    lines = set()
    for name, graph in graphs.items():
        lines |= {f"{term(s)} {term(p)} {term(o)} <{name}> ." for s, p, o in graph}
    return sorted_lines(lines)


__all__ = ["MAX_NESTING", "BoundedTurtleSerializer", "labelled_for_depth", "list_heads", "nquads_bytes", "nt_term",
           "ntriples_bytes", "rdflib_turtle_bytes", "to_turtle_bytes", "triples_to_turtle_bytes"]
