"""Stable blank-node labels, computed without recursion.

The same graph must always give the same bytes, so blank nodes get labels drawn
from their content instead of the random ones a parser hands out.

Most graphs hold blank nodes in trees: property shapes, RDF lists, nested
descriptions, each blank node the object of at most one triple whose subject is
a blank node, and no cycles. For those, a node's label is a hash of everything
below it (computed bottom-up) and of the label of its parent and the predicate
that leads to it (top-down). Siblings with the same predicate and the same
content are interchangeable, so numbering them in any order gives the same
graph. Both passes are loops over a work list: a chain of any length takes time
proportional to its size and no stack.

Other shapes (blank nodes in cycles, or shared by two blank subjects) get their
labels by colour refinement: each blank node starts from what it says about
IRIs and literals, then, round after round, takes in its neighbours' colours
until the colours stop splitting (at most :data:`MAX_GENERAL_BLANK_NODES` blank
nodes). If every blank node ends with a colour of its own, the colours are the
labels. Only when some stay indistinguishable (a ring of identical nodes) is
rdflib's canonicalisation used, whose time grows with the cube of their number:
up to :data:`MAX_SYMMETRIC_BLANK_NODES` blank nodes; beyond that the graph is
refused with a one-line error.

pyoxigraph's RDFC-1.0 (``Dataset.canonicalize``) is not used instead, on these figures from
``benchmarks/canonical_labels.py``: it does not finish in 30 s on a chain of 1,000 nested blank
nodes or a tree of 30,000 (this labelling: 0.01 s and 1.4 s), where every node's first-degree
hash is the same and RDFC-1.0 explores paths; and its labels differ from these, so every export
that shows a blank-node label (N-Triples, N-Quads, JSON-LD, RDF/XML) would change. It is faster
only on rings of identical nodes (40 nodes: 0.02 s against rdflib's 1 s), a shape no afkg data has.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from afkg.errors import InputError
from afkg.namespaces import bind_prefixes

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from afkg.rdf.terms import Triples

MAX_GENERAL_BLANK_NODES = 2000
"""Blank nodes in a graph that is not tree-shaped: the most colour refinement is given."""
MAX_SYMMETRIC_BLANK_NODES = 40
"""Blank nodes in a graph whose blank nodes refinement cannot tell apart: the most rdflib's
canonicalisation is given (40 take about a second)."""


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", errors="surrogatepass"))
        hasher.update(b"\x00")
    return hasher.hexdigest()


def _term_key(term: Node) -> str:
    if isinstance(term, Literal):
        return f"L{term}\x01{term.language or ''}\x01{term.datatype or ''}"
    return f"I{term}"


def _tree_labels(graph: Triples) -> dict[BNode, str] | None:
    """Labels for tree-shaped blank nodes, or None when the blank nodes are not a forest."""
    blanks: set[BNode] = set()
    children: dict[BNode, list[tuple[Node, BNode]]] = defaultdict(list)
    parent: dict[BNode, tuple[BNode, Node]] = {}
    own: dict[BNode, list[str]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(p, BNode):
            return None
        if isinstance(s, BNode):
            blanks.add(s)
            if isinstance(o, BNode):
                blanks.add(o)
                if o in parent or s == o:
                    return None
                parent[o] = (s, p)
                children[s].append((p, o))
            else:
                own[s].append(f"out\x01{p}\x01{_term_key(o)}")
        elif isinstance(o, BNode):
            blanks.add(o)
            own[o].append(f"in\x01{_term_key(s)}\x01{p}")
    roots = sorted((b for b in blanks if b not in parent), key=str)
    # bottom-up: a post-order from every root, with an explicit stack
    content: dict[BNode, str] = {}
    order: list[BNode] = []
    stack = list(roots)
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(child for _, child in children.get(node, ()))
    if len(order) != len(blanks):
        return None  # a cycle: some blank nodes are unreachable from any root
    for node in reversed(order):
        parts = sorted(own.get(node, []))
        parts += sorted(f"child\x01{p}\x01{content[child]}" for p, child in children.get(node, ()))
        content[node] = _digest("content", *parts)
    # top-down: roots first, each node's label from its parent's label
    labels: dict[BNode, str] = {}

    def assign(group: list[BNode], context: str) -> list[BNode]:
        ranked: dict[str, list[BNode]] = defaultdict(list)
        for node in group:
            ranked[_digest(context, content[node])].append(node)
        for key, twins in ranked.items():
            for number, node in enumerate(twins):
                labels[node] = _digest(key, str(number))
        return group

    queue: list[BNode] = assign(roots, "root")
    while queue:
        following: list[BNode] = []
        for node in queue:
            by_predicate: dict[Node, list[BNode]] = defaultdict(list)
            for p, child in children.get(node, ()):
                by_predicate[p].append(child)
            for p, group in by_predicate.items():
                following += assign(group, f"{labels[node]}\x01{p}")
        queue = following
    return labels


def _refined_labels(graph: Triples) -> dict[BNode, str] | None:
    """Labels from colour refinement, or None when two blank nodes end with the same colour."""
    colour: dict[BNode, str] = {}
    own: dict[BNode, list[str]] = defaultdict(list)
    links: dict[BNode, list[tuple[str, Node, BNode]]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, BNode):
            if isinstance(o, BNode):
                links[s].append(("out", p, o))
                links[o].append(("in", p, s))
            else:
                own[s].append(f"out\x01{p}\x01{_term_key(o)}")
        elif isinstance(o, BNode):
            own[o].append(f"in\x01{_term_key(s)}\x01{p}")
        for t in (s, o):
            if isinstance(t, BNode):
                colour.setdefault(t, "")
    colour = {b: _digest("start", *sorted(own.get(b, []))) for b in colour}
    distinct = len(set(colour.values()))
    for _ in range(len(colour)):
        colour = {b: _digest(c, *sorted(f"{way}\x01{p}\x01{colour[other]}" for way, p, other in links.get(b, ())))
                  for b, c in colour.items()}
        now = len(set(colour.values()))
        if now == distinct:
            break
        distinct = now
    if distinct != len(colour):
        return None
    return colour


Triple = tuple[Node, Node, Node]


def stable(graph: Triples, label_prefix: str = "") -> Graph:
    """A copy of ``graph`` (a Graph or a collection of triples) whose blank nodes are labelled
    from their content (and ``label_prefix``), so the same graph always gets the same labels."""

    copy = Graph()
    bind_prefixes(copy)
    for triple in stable_triples(graph, label_prefix):
        copy.add(triple)
    return copy


def stable_triples(graph: Triples, label_prefix: str = "") -> set[Triple]:
    """The triples of ``graph`` with blank nodes labelled as :func:`stable` labels them."""
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return set(graph)
    tree = _tree_labels(graph)
    if tree is not None:
        return _relabelled(graph, lambda node: f"{label_prefix}b{tree[node][:24]}")
    count = len({t for triple in graph for t in triple if isinstance(t, BNode)})
    if count > MAX_GENERAL_BLANK_NODES:
        raise InputError(f"{count} blank nodes in cycles or shared between blank nodes; at most "
                         f"{MAX_GENERAL_BLANK_NODES} can be given stable labels (name some of them with IRIs)")
    refined = _refined_labels(graph)
    if refined is not None:
        return _relabelled(graph, lambda node: f"{label_prefix}r{refined[node][:24]}")
    if count > MAX_SYMMETRIC_BLANK_NODES:
        raise InputError(f"{count} blank nodes, some of which nothing tells apart (a ring of identical nodes); "
                         f"at most {MAX_SYMMETRIC_BLANK_NODES} such can be given stable labels "
                         f"(name some of them with IRIs)")
    source = graph if isinstance(graph, Graph) else _as_graph(graph)
    return _relabelled(to_canonical_graph(source), lambda node: f"{label_prefix}c{node}")


def _relabelled(triples: Iterable[Triple], label: Callable[[BNode], str]) -> set[Triple]:
    """``triples`` with each blank node ``node`` in them replaced by ``BNode(label(node))``."""
    copy: set[Triple] = set()
    for triple in triples:
        s, p, o = (BNode(label(t)) if isinstance(t, BNode) else t for t in triple)
        copy.add((s, p, o))
    return copy


def _as_graph(triples: Triples) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


__all__ = ["MAX_GENERAL_BLANK_NODES", "MAX_SYMMETRIC_BLANK_NODES", "stable", "stable_triples"]
