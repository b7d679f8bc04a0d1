"""Serialisation properties: random small graphs (IRIs, literals of every kind, blank nodes
in trees, chains and cycles) written as Turtle, N-Triples, TriG and N-Quads parse back
to the same graph, with two independent parsers, and the same graph always gives the
same bytes. Deep blank-node chains and cyclic lists are written without recursion."""

from __future__ import annotations

import random
import warnings

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from afkg.namespaces import bind_prefixes
from afkg.prefixes import PREFIXES
from afkg.publish.export import _trig
from afkg.rdf.canon import stable
from afkg.rdf.turtle import MAX_NESTING, nquads_bytes, ntriples_bytes, to_turtle_bytes

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
GRAPH = URIRef("https://example.org/graph/g")
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

local_names = st.text(alphabet="abcXYZ019-_.~é", min_size=1, max_size=8)
namespaces = st.sampled_from(["https://example.org/", "http://example.org/a#", PREFIXES["afkg"],
                              PREFIXES["res"], "urn:x:", "https://example.org/x/y/"])
iris = st.builds(lambda ns, name: URIRef(ns + name), namespaces, local_names)
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x1FFFF), max_size=20)
plain = st.builds(Literal, text)
tagged = st.builds(lambda t, lang: Literal(t, lang=lang), text, st.sampled_from(["en", "fr", "sq", "en-gb", "de-ch-1996"]))
typed = st.one_of(
    st.builds(lambda n: Literal(n, datatype=XSD.integer), st.integers(-10**12, 10**12).map(str)),
    st.builds(lambda n: Literal(n, datatype=XSD.decimal), st.decimals(allow_nan=False, allow_infinity=False,
                                                                        places=3).map(str)),
    st.builds(lambda b: Literal(b, datatype=XSD.boolean), st.sampled_from(["true", "false"])),
    st.builds(lambda d: Literal(d, datatype=XSD.date), st.dates().map(lambda d: d.isoformat())),
    st.builds(lambda t: Literal(t, datatype=XSD.string), text),
    st.builds(lambda t, dt: Literal(t, datatype=dt), text, iris),
)
literals = st.one_of(plain, tagged, typed)


@st.composite
def graphs(draw) -> Graph:
    """A small graph; blank nodes 0..n are linked at random (trees, chains, shared nodes, cycles)."""
    blanks = [BNode() for _ in range(draw(st.integers(0, 6)))]
    subjects = st.one_of(iris, st.sampled_from(blanks)) if blanks else iris
    objects = st.one_of(iris, literals, st.sampled_from(blanks)) if blanks else st.one_of(iris, literals)
    graph = Graph()
    for s, p, o in draw(st.lists(st.tuples(subjects, iris, objects), max_size=12)):
        graph.add((s, p, o))
    if blanks and draw(st.booleans()):  # an RDF list of a few items
        cells = blanks[: draw(st.integers(1, len(blanks)))]
        for cell, following in zip(cells, [*cells[1:], RDF.nil], strict=True):
            graph.add((cell, RDF.first, draw(st.one_of(iris, literals))))
            graph.add((cell, RDF.rest, following))
    bind_prefixes(graph)
    return graph


def relabelled(graph: Graph, seed: int) -> Graph:
    """The same graph with fresh blank nodes, its triples added in another order."""
    fresh: dict[BNode, BNode] = {}
    triples = [tuple(fresh.setdefault(t, BNode()) if isinstance(t, BNode) else t for t in triple)
               for triple in graph]
    random.Random(seed).shuffle(triples)
    copy = Graph()
    for triple in triples:
        copy.add(triple)
    bind_prefixes(copy)
    return copy


def rdf11(graph: Graph) -> Graph:
    """``graph`` with "x"^^xsd:string written as "x": the same literal in RDF 1.1."""
    same = Graph()
    for triple in graph:
        same.add(tuple(Literal(str(t)) if isinstance(t, Literal) and t.datatype == XSD.string else t
                       for t in triple))
    return same


def from_oxigraph(data: bytes, fmt: ox.RdfFormat) -> Graph:
    def term(t):
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype == ox.NamedNode(str(XSD.string)):
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))

    graph = Graph()
    for quad in ox.parse(data, format=fmt):
        graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return graph


def parsed(data: bytes, fmt: str) -> Graph:
    try:
        return Graph().parse(data=data, format=fmt)
    except Exception as exc:
        raise AssertionError(f"{fmt} does not parse ({exc}):\n{data.decode()}") from None


def quads_graph(data: bytes, fmt: str) -> Graph:
    dataset = Dataset()
    try:
        dataset.parse(data=data, format=fmt)
    except Exception as exc:
        raise AssertionError(f"{fmt} does not parse ({exc}):\n{data.decode()}") from None
    union = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        assert g == GRAPH
        union.add((s, p, o))
    return union


def written(graph: Graph) -> dict[str, bytes]:
    labelled = stable(graph)
    return {
        "turtle": to_turtle_bytes(labelled),
        "ntriples": ntriples_bytes(labelled),
        "trig": _trig({GRAPH: labelled}),
        "nquads": nquads_bytes({GRAPH: labelled}),
    }


@SETTINGS
@given(graphs())
def test_every_format_parses_back_to_the_same_graph_with_rdflib(graph):
    outputs = written(graph)
    assert isomorphic(parsed(outputs["turtle"], "turtle"), graph), outputs["turtle"].decode()
    assert isomorphic(parsed(outputs["ntriples"], "nt"), graph)
    assert isomorphic(quads_graph(outputs["trig"], "trig"), graph), outputs["trig"].decode()
    assert isomorphic(quads_graph(outputs["nquads"], "nquads"), graph)


@SETTINGS
@given(graphs())
def test_every_format_parses_back_to_the_same_graph_with_oxigraph(graph):
    outputs = written(graph)
    for name, fmt in (("turtle", ox.RdfFormat.TURTLE), ("ntriples", ox.RdfFormat.N_TRIPLES),
                      ("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS)):
        assert isomorphic(from_oxigraph(outputs[name], fmt), rdf11(graph)), (name, outputs[name].decode())


@SETTINGS
@given(graphs(), st.integers(0, 2**32))
def test_the_same_graph_gives_the_same_bytes(graph, seed):
    assert written(relabelled(graph, seed)) == written(graph)


def chain(length: int, *, cycle: bool = False) -> Graph:
    graph = Graph()
    p = URIRef("https://example.org/p")
    nodes = [BNode() for _ in range(length)]
    if not cycle:
        graph.add((URIRef("https://example.org/top"), p, nodes[0]))
    for upper, lower in zip(nodes, nodes[1:], strict=False):
        graph.add((upper, p, lower))
    graph.add((nodes[-1], p, nodes[0] if cycle else Literal("end")))
    return graph


@pytest.mark.parametrize("length", [MAX_NESTING - 1, MAX_NESTING, 300, 2000])
def test_deep_blank_node_chains_are_written_and_read_back(length):
    graph = chain(length)
    outputs = written(graph)
    for name, fmt in (("turtle", ox.RdfFormat.TURTLE), ("trig", ox.RdfFormat.TRIG)):
        back = from_oxigraph(outputs[name], fmt)
        assert len(back) == len(graph)
        assert len({t for triple in back for t in triple if isinstance(t, BNode)}) == length
    assert outputs == written(relabelled(graph, 7))
    nested = outputs["turtle"].decode().count("[")
    assert nested == length - (length // MAX_NESTING)


def test_a_long_cycle_of_blank_nodes_with_one_anchor_is_written():
    graph = chain(300, cycle=True)
    graph.add((next(iter(graph))[0], URIRef("https://example.org/name"), Literal("anchor")))
    outputs = written(graph)
    back = from_oxigraph(outputs["turtle"], ox.RdfFormat.TURTLE)
    assert len(back) == 301
    assert len({t for triple in back for t in triple if isinstance(t, BNode)}) == 300
    assert outputs == written(relabelled(graph, 3))
    assert outputs["ntriples"].count(b"_:r") == 2 * 300 + 1


def test_a_small_ring_of_identical_blank_nodes_is_written():
    graph = chain(12, cycle=True)
    outputs = written(graph)
    assert isomorphic(parsed(outputs["turtle"], "turtle"), graph)
    assert outputs == written(relabelled(graph, 5))


def test_a_cyclic_list_does_not_loop():
    graph = Graph()
    a, b = BNode(), BNode()
    graph.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), a))
    graph.add((a, RDF.first, Literal(1)))
    graph.add((a, RDF.rest, b))
    graph.add((b, RDF.first, Literal(2)))
    graph.add((b, RDF.rest, a))
    outputs = written(graph)
    assert isomorphic(Graph().parse(data=outputs["turtle"], format="turtle"), graph)
    assert "(" not in outputs["turtle"].decode().split("\n", 1)[1]


@pytest.mark.slow
def test_a_long_list_keeps_list_syntax():
    graph = Graph()
    cells = [BNode() for _ in range(500)]
    graph.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), cells[0]))
    for number, (cell, following) in enumerate(zip(cells, [*cells[1:], RDF.nil], strict=True)):
        graph.add((cell, RDF.first, Literal(number)))
        graph.add((cell, RDF.rest, following))
    turtle = to_turtle_bytes(stable(graph)).decode()
    assert "( 0 1 2" in turtle and "_:" not in turtle
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), graph)


def test_nquads_are_written_without_deprecated_rdflib_paths(kg):
    from afkg.publish import export

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        data = export.export(kg, "nquads")
    lines = data.decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))
    dataset = Dataset()
    dataset.parse(data=data, format="nquads")
    assert len(list(dataset.quads((None, None, None, None)))) == len(lines)
