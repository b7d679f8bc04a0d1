"""JSON-LD from already-parsed triples: pyld is handed an RDF dataset instead of N-Quads
text to parse, and the bytes are the same as when it parsed the sorted N-Quads itself."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import chain

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from afkg.graph import KnowledgeGraph, load
from afkg.layout import Layout
from afkg.namespaces import AFKG, PROV
from afkg.publish import export
from afkg.rdf.context import load_context, local_loader
from afkg.rdf.jsonld import FRAMES, jsonld_document, rdf_dataset, to_jsonld
from afkg.rdf.turtle import nt_term, ntriples_bytes

from conftest import PROJECT

EX = "https://example.org/"
V = Namespace(EX + "vocab#")
VARIANTS = [{}, {"context_url": "https://example.org/context.jsonld"}] + [{"frame": name} for name in FRAMES]


def from_nquads(nquads: str, context: dict, ontology: Graph | None, **options: str) -> bytes:
    """The JSON-LD of the earlier path: pyld parses N-Quads text itself, then expands it once more."""
    from pyld import jsonld

    loader = local_loader(context)
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads", "documentLoader": loader})
    return jsonld_document(expanded, context, ontology, loader, context_url=options.get("context_url"),
                           frame=options.get("frame"), expand_again=True)


def reference(triples: list[tuple], context: dict, ontology: Graph | None, **options: str) -> bytes:
    """The JSON-LD of the earlier path from the sorted N-Triples text of ``triples``."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return from_nquads(ntriples_bytes(graph).decode("utf-8"), context, ontology, **options)


def assert_same_bytes(triples: list[tuple], context: dict, ontology: Graph | None, **options: str) -> bytes:
    new = to_jsonld(triples, context, ontology, **options)
    old = reference(triples, context, ontology, **options)
    assert new == old, f"bytes differ for {options}"
    return new


def project_triples(kg: KnowledgeGraph) -> list[tuple]:
    return list(chain.from_iterable(export.named_graphs(kg).values()))


@pytest.fixture(scope="module")
def project_context(kg: KnowledgeGraph) -> dict:
    return load_context(kg.layout.context_file)


@pytest.mark.sample(1)
@pytest.mark.parametrize("options", VARIANTS, ids=lambda o: "-".join(o.values()) or "compact")
def test_article_export_is_byte_identical_to_the_nquads_path(kg, project_context, options):
    triples = project_triples(kg)
    document = json.loads(assert_same_bytes(triples, project_context, kg.ontology, **options))
    if "context_url" in options:
        assert document["@context"] == options["context_url"]
    elif "frame" not in options:
        assert document["@context"] == project_context["@context"]


@pytest.mark.slow
def test_export_function_gives_the_reference_bytes(kg, project_context):
    triples = project_triples(kg)
    for options in VARIANTS:
        assert export.export(kg, "jsonld", **options) == reference(triples, project_context, kg.ontology, **options)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    out = tmp_path_factory.mktemp("jsonld") / "three"
    result = subprocess.run([sys.executable, str(PROJECT / "benchmarks" / "generate.py"), "3", str(out)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return load(Layout(root=out))


@pytest.mark.slow
@pytest.mark.parametrize("options", VARIANTS, ids=lambda o: "-".join(o.values()) or "compact")
def test_generated_project_is_byte_identical_to_the_nquads_path(generated, options):
    context = load_context(generated.layout.context_file)
    triples = project_triples(generated)
    assert json.loads(assert_same_bytes(triples, context, generated.ontology, **options))
    # the generated data has no two triples that pyld would take for one
    assert len(rdf_dataset(triples)["@default"]) == len(set(triples))


def small_graph() -> list[tuple]:
    """Blank nodes (shared, nested, in a cycle), language tags, datatypes, lists, and
    literals whose text needs escaping in N-Triples."""
    g = Graph()
    event, other, passage, section, doc = (URIRef(EX + n) for n in ("event", "other", "passage", "section", "doc"))
    g.add((event, RDF.type, AFKG.Visit))
    g.add((other, RDF.type, AFKG.Agreement))
    g.add((event, RDFS.label, Literal("A visit", lang="en")))
    g.add((event, RDFS.label, Literal("Une visite", lang="fr")))
    g.add((event, RDFS.label, Literal("Eine Reise", lang="de-AT")))
    g.add((event, AFKG.date, Literal("1999-03-01", datatype=XSD.date)))
    g.add((event, V.year, Literal(1999)))
    g.add((event, V.amount, Literal("12.50", datatype=XSD.decimal)))
    g.add((event, V.flag, Literal(True)))
    g.add((event, V.custom, Literal("x-1", datatype=URIRef(EX + "code"))))
    g.add((event, AFKG.quote, Literal('He said "yes"\nand left.\r\tThen: ü, 中文, emoji 🎉')))
    g.add((event, AFKG.quote, Literal("plain")))
    g.add((event, AFKG.quote, Literal("typed", datatype=XSD.string)))
    g.add((event, AFKG.quote, Literal("plain", datatype=XSD.string)))  # the same triple as "plain" to pyld
    g.add((event, AFKG.quote, Literal("")))
    g.add((event, PROV.wasDerivedFrom, passage))
    g.add((passage, RDF.type, AFKG.Passage))
    g.add((passage, AFKG.inSection, section))
    g.add((section, AFKG.ofDocument, doc))
    g.add((doc, RDFS.label, Literal("The article", lang="en")))
    shared, nested, inner = BNode("shared1"), BNode("nest"), BNode("inner")
    g.add((event, V.participant, shared))
    g.add((other, V.participant, shared))
    g.add((shared, RDFS.label, Literal("shared blank node")))
    g.add((event, V.detail, nested))
    g.add((nested, V.detail, inner))
    g.add((inner, V.value, Literal(3)))
    a, b = BNode("cycleA"), BNode("cycleB")
    g.add((a, V.next, b))
    g.add((b, V.next, a))
    Collection(g, BNode("list1"), [Literal("first"), URIRef(EX + "second"), Literal(3)])
    g.add((event, V.steps, BNode("list1")))
    g.add((other, V.empty, RDF.nil))
    half = BNode("half")  # a list cell with an extra property is no @list
    g.add((half, RDF.first, Literal("h")))
    g.add((half, RDF.rest, RDF.nil))
    g.add((half, RDFS.comment, Literal("not a list")))
    g.add((other, V.steps, half))
    return list(g)


@pytest.mark.parametrize("options", VARIANTS, ids=lambda o: "-".join(o.values()) or "compact")
def test_small_graph_with_blank_nodes_languages_datatypes_lists(kg, project_context, options):
    document = json.loads(assert_same_bytes(small_graph(), project_context, kg.ontology, **options))
    assert document


@pytest.mark.parametrize("context", [{"@context": {}}, {"@context": {"ex": EX, "afkg": str(AFKG)}}])
def test_small_graph_with_other_contexts(context):
    assert_same_bytes(small_graph(), context, None)


def test_blank_node_labels_are_kept(project_context, kg):
    document = json.loads(to_jsonld(small_graph(), project_context, kg.ontology))
    ids = {node.get("id") for node in document["@graph"]}  # the project context calls @id "id"
    assert {"_:shared1", "_:cycleA", "_:cycleB"} <= ids


def test_literals_come_back_unchanged(project_context):
    """Expanding the output back to RDF gives every literal as it was, lists included."""
    from pyld import jsonld

    triples = small_graph()
    document = json.loads(to_jsonld(triples, project_context, None))
    back = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": local_loader(project_context)})
    parsed = Graph().parse(data=back, format="nt")
    want = {o for _, _, o in triples if isinstance(o, Literal)}
    got = {o for _, _, o in parsed if isinstance(o, Literal)}
    assert {(str(x), x.language) for x in got} == {(str(x), (x.language or "").lower() or None) for x in want}


def test_backslash_sequences_and_line_separators_survive(project_context):
    """Text pyld's N-Quads reader got wrong or refused (a backslash before ``n``, a
    Unicode line separator) comes out as it went in."""
    subject = URIRef(EX + "s")
    texts = ["C:\\new\\table", "a\u2028b", "tab\\t and quote \\\""]
    triples = [(subject, RDFS.comment, Literal(text)) for text in texts]
    document = json.loads(to_jsonld(triples, {"@context": {}}, None))
    values = document[str(RDFS.comment)]
    assert sorted(values) == sorted(texts)


def _value(term) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def test_dataset_follows_sorted_ntriples_lines_and_drops_pyld_duplicates():
    triples = small_graph()
    dataset = rdf_dataset(reversed(triples))["@default"]
    ordered = sorted(triples, key=lambda t: f"{nt_term(t[0])} {nt_term(t[1])} {nt_term(t[2])} .")
    ordered.remove((URIRef(EX + "event"), AFKG.quote, Literal("plain", datatype=XSD.string)))
    assert [(t["subject"]["value"], t["predicate"]["value"], t["object"]["value"]) for t in dataset] == [
        (_value(s), _value(p), _value(o)) for s, p, o in ordered]
    plain_and_typed = rdf_dataset([(URIRef(EX + "s"), RDFS.comment, Literal("x")),
                                   (URIRef(EX + "s"), RDFS.comment, Literal("x", datatype=XSD.string))])
    assert plain_and_typed["@default"] == [{
        "subject": {"type": "IRI", "value": EX + "s"}, "predicate": {"type": "IRI", "value": str(RDFS.comment)},
        "object": {"type": "literal", "datatype": str(XSD.string), "value": "x"}}]


@pytest.mark.parametrize("source", ["article", "small"])
def test_from_rdf_output_is_already_expanded(kg, project_context, source):
    """Compaction skips expanding pyld's from_rdf output: expanding it changes nothing."""
    from pyld import jsonld

    triples = project_triples(kg) if source == "article" else small_graph()
    loader = local_loader(project_context)
    expanded = jsonld.from_rdf(rdf_dataset(triples), {"documentLoader": loader})
    assert jsonld.expand(expanded, {"documentLoader": loader}) == expanded


def test_no_triples_give_the_same_empty_document(project_context):
    assert to_jsonld([], project_context, None) == from_nquads("", project_context, None)
    assert rdf_dataset([]) == {}


def test_unknown_frame_is_a_usage_error(project_context, kg):
    from afkg.errors import UsageError

    with pytest.raises(UsageError, match="unknown frame 'people'"):
        to_jsonld(small_graph(), project_context, kg.ontology, frame="people")
