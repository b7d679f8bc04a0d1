"""How long stable labels and Turtle, TriG and N-Triples take on long blank-node chains.

Run: PYTHONPATH=src python benchmarks/deep_blank_nodes.py [LENGTH ...]
Prints one line per chain length; makes no assertions.
"""

from __future__ import annotations

import sys
import time

from rdflib import BNode, Graph, Literal, URIRef

from afkg.publish.export import _trig
from afkg.rdf.canon import stable
from afkg.rdf.turtle import ntriples_bytes, to_turtle_bytes


def chain(length: int) -> Graph:
    """<a> <p> [ <p> [ <p> … "end" ] ] with ``length`` blank nodes."""
    graph = Graph()
    p = URIRef("http://example.org/p")
    nodes = [BNode() for _ in range(length)]
    graph.add((URIRef("http://example.org/a"), p, nodes[0]))
    for upper, lower in zip(nodes, nodes[1:], strict=False):
        graph.add((upper, p, lower))
    graph.add((nodes[-1], p, Literal("end")))
    return graph


def main(lengths: list[int]) -> None:
    for length in lengths:
        graph = chain(length)
        started = time.perf_counter()
        labelled = stable(graph)
        labelled_at = time.perf_counter()
        turtle = to_turtle_bytes(labelled)
        turtle_at = time.perf_counter()
        _trig({URIRef("http://example.org/g"): labelled})
        trig_at = time.perf_counter()
        ntriples_bytes(labelled)
        done = time.perf_counter()
        print(f"chain {length:>6}: labels {labelled_at - started:6.2f} s  turtle {turtle_at - labelled_at:6.2f} s "
              f"trig {trig_at - turtle_at:6.2f} s  ntriples {done - trig_at:6.2f} s  ({len(turtle)} bytes of Turtle)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300, 2000, 20000])
