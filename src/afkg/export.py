"""Serialisation with stable bytes, and atomic writes.

The same graph always gives the same bytes: N-Triples lines are sorted, Turtle
is written by rdflib's serializer (which sorts subjects and predicates) with a
fixed set of prefixes.
"""

from __future__ import annotations

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from afkg.atomic import write_atomic
from afkg.namespaces import bind_prefixes

__all__ = ["stable", "to_ntriples", "to_turtle", "write_atomic"]


def stable(graph: Graph) -> Graph:
    """A copy of ``graph`` with blank nodes relabelled from their content, so that the
    same graph always gets the same labels; the project's prefixes are bound."""
    has_blank = any(isinstance(term, BNode) for triple in graph for term in triple)
    source = to_canonical_graph(graph) if has_blank else graph
    copy = Graph()
    bind_prefixes(copy)
    for triple in source:
        copy.add(triple)
    return copy


def to_ntriples(graph: Graph) -> bytes:
    """N-Triples, one triple a line, lines sorted."""
    text = stable(graph).serialize(format="nt", encoding="utf-8")
    lines = sorted(set(line for line in text.decode("utf-8").splitlines() if line.strip()))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def to_turtle(graph: Graph) -> bytes:
    """Turtle with the project's prefixes, subjects and predicates in sorted order."""
    return stable(graph).serialize(format="turtle", encoding="utf-8")
