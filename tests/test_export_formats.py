"""Exports: every format round-trips through rdflib and pyoxigraph, bytes are stable,
named graphs are kept, JSON-LD is compacted and framed offline, writes are atomic."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from afkg.cli import cli
from afkg.errors import UsageError
from afkg.graph import DATA_GRAPH_IRI, ONTOLOGY_GRAPH_IRI, SHAPES_GRAPH_IRI, load
from afkg.layout import Layout
from afkg.publish import export
from afkg.rdf.context import CONTEXT_URL, build_context, context_text, local_loader

from conftest import PROJECT

RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml",
                  "trig": "trig", "nquads": "nquads"}
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
              "rdfxml": ox.RdfFormat.RDF_XML, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def union_of(graphs: dict[URIRef, Graph]) -> Graph:
    union = Graph()
    for graph in graphs.values():
        for triple in graph:
            union.add(triple)
    return union


def from_oxigraph(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


@pytest.fixture(scope="module")
def graphs(kg):
    return export.named_graphs(kg, "all")


def canonical(quads) -> ox.Dataset:
    """A pyoxigraph dataset of ``quads`` with blank nodes relabelled by content (RDFC), to compare with ==;
    exact where rdflib's isomorphism test is slow."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def as_quads(graphs: dict[URIRef, Graph], *, named: bool) -> list[ox.Quad]:
    """rdflib graphs as pyoxigraph quads, through rdflib's own N-Triples writer (not afkg's);
    in their named graphs, or all in the default graph."""
    quads = []
    for name, graph in graphs.items():
        graph_name = ox.NamedNode(str(name)) if named else ox.DefaultGraph()
        for triple in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph_name))
    return quads


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_every_format_round_trips_through_rdflib(kg, graphs, fmt):
    """rdflib parses each export back into the named graphs (quad formats) or their union."""
    data = export.export(kg, fmt)
    if fmt in export.QUAD_FORMATS:
        parsed = Dataset()
        parsed.parse(data=data, format=RDFLIB_FORMATS[fmt])
        names = {g.identifier for g in parsed.graphs() if len(g)}
        assert names == set(graphs)
        back = {name: parsed.graph(name) for name in graphs}
        assert canonical(as_quads(back, named=True)) == canonical(as_quads(graphs, named=True))
    else:
        parsed = Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])
        assert canonical(as_quads({DATA_GRAPH_IRI: parsed}, named=False)) == canonical(as_quads(graphs, named=False))


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_every_format_round_trips_through_pyoxigraph(kg, graphs, fmt):
    """pyoxigraph parses each export back into the named graphs (quad formats) or their union."""
    data = export.export(kg, fmt)
    named = fmt in export.QUAD_FORMATS
    assert canonical(ox.parse(data, format=OX_FORMATS[fmt])) == canonical(as_quads(graphs, named=named))


def test_named_graphs_hold_ontology_shapes_data_and_metadata(kg):
    names = set(export.named_graphs(kg, "all"))
    assert names == {ONTOLOGY_GRAPH_IRI, SHAPES_GRAPH_IRI, DATA_GRAPH_IRI, export.METADATA_GRAPH_IRI}
    only_data = Graph().parse(data=export.export(kg, "ntriples", "data"), format="nt")
    assert isomorphic(only_data, export.stable(kg.data))


def test_jsonld_expanded_by_pyld_gives_the_same_graph(kg, graphs):
    from pyld import jsonld

    context = json.loads((PROJECT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    for url in (None, CONTEXT_URL):
        document = json.loads(export.export(kg, "jsonld", context_url=url))
        assert document["@context"] == (url or context["@context"])
        nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": local_loader(context)})
        parsed = Graph().parse(data=nquads, format="nquads")
        assert canonical(as_quads({DATA_GRAPH_IRI: parsed}, named=False)) == canonical(as_quads(graphs, named=False))


def test_jsonld_is_compact_and_readable(kg):
    document = json.loads(export.export(kg, "jsonld", "data"))
    nodes = {node["id"]: node for node in document["@graph"]}
    exports = nodes["fact:trade-2024-france-exports-to-albania"]
    assert exports["type"] == "afkg:TradeFigure"
    assert exports["kind"] == "https://w3id.org/afkg/kind/export"
    assert exports["agent"] == "res:France" and exports["counterpart"] == "res:Albania"
    assert exports["amount"] == "22800000.0" and exports["currency"] == "EUR"
    assert exports["date"] == {"type": "xsd:gYear", "@value": "2024"}
    assert nodes["res:Albania"]["sameAs"] == "wd:Q222"
    assert nodes["res:Albania"]["label"] == "Albania"


def test_remote_contexts_are_refused():
    from pyld import jsonld

    loader = local_loader({"@context": {}})
    with pytest.raises(UsageError, match="refusing to fetch remote JSON-LD document https://example.org/ctx"):
        loader("https://example.org/ctx")
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand({"@context": "https://example.org/ctx", "name": "x"}, {"documentLoader": loader})


def test_framed_visit_nests_actors_time_place_and_provenance(kg):
    document = json.loads(export.export(kg, "jsonld", "all", frame="facts"))
    visits = {node["id"]: node for node in document["@graph"] if node.get("type") == "afkg:Visit"}
    visit = visits["fact:visit-macron-albania-2024"]
    assert visit["agent"]["id"] == "res:Emmanuel_Macron" and visit["agent"]["label"] == "Emmanuel Macron"
    assert visit["office"]["label"] == "President of the French Republic"
    assert visit["office"]["officeOf"]["id"] == "res:France"
    assert visit["counterpart"]["label"] == "Albania" and visit["counterpart"]["sameAs"] == "wd:Q222"
    assert visit["date"] == {"type": "xsd:gYear", "@value": "2024"}
    assert visit["timeLabel"] == "late 2024"
    assert visit["during"]["label"] == "European Political Community Summit"
    outcomes = {o["id"]: o for o in visit["outcome"]}
    assert {o["type"] for o in outcomes.values()} == {"afkg:Agreement", "afkg:Stance"}
    assert outcomes["fact:agreement-energy-2024"]["dcterms:subject"]["label"] == "energy"
    quotes = {p["quote"] for p in visit["derivedFrom"]}
    assert any(q.startswith("In late 2024, French President Emmanuel Macron paid his second visit") for q in quotes)
    sections = {p["inSection"]["label"] for p in visit["derivedFrom"]}
    assert sections == {"High Level Visits"}


def test_framed_trade_figure_nests_parties_products_and_provenance(kg):
    document = json.loads(export.export(kg, "jsonld", "all", frame="facts"))
    nodes = {node["id"]: node for node in document["@graph"]}
    imports = nodes["fact:trade-2024-france-imports-from-albania"]
    assert imports["type"] == "afkg:TradeFigure"
    assert imports["kind"]["id"] == "https://w3id.org/afkg/kind/import"
    assert imports["agent"]["label"] == "France" and imports["counterpart"]["label"] == "Albania"
    assert imports["amount"] == "16100000.0" and imports["amountLabel"] == "€16.1 million"
    assert {p["label"] for p in imports["dcterms:subject"]} == {"clothing", "leather goods", "textiles"}
    assert {p["inSection"]["label"] for p in imports["derivedFrom"]} == {"Economic relations"}
    actors = json.loads(export.export(kg, "jsonld", "all", frame="actors"))
    labels = {node.get("label") for node in actors["@graph"]}
    assert {"Albania", "France", "Emmanuel Macron", "North Atlantic Treaty Organization"} <= labels


@pytest.mark.sample(2)
@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_exporting_twice_gives_identical_bytes(kg, fmt):
    assert export.export(kg, fmt) == export.export(load(Layout(PROJECT)), fmt)


def test_bytes_are_stable_across_processes():
    script = ("import sys; from afkg.graph import load; from afkg.publish import export; kg = load(); "
              "sys.stdout.buffer.write(b''.join(export.export(kg, f) for f in export.FORMATS))")
    outputs = set()
    for seed in ("1", "7"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outputs.add(subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, check=True).stdout)
    assert len(outputs) == 1


@pytest.mark.sample(2)
@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_changing_one_triple_changes_only_its_lines(project_copy, fmt):
    before = export.export(load(Layout(project_copy)), fmt, "data").decode("utf-8").splitlines()
    path = project_copy / "data" / "albania-france" / "economy.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace('"€16.1 million"', '"€16.10 million"'), encoding="utf-8")
    after = export.export(load(Layout(project_copy)), fmt, "data").decode("utf-8").splitlines()
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and all("16.1" in line for line in changed), changed
    assert len(changed) == 2


def test_unknown_format_or_graph_is_a_one_line_error():
    for args, message in [(["--format", "yaml"], "unknown format 'yaml' (formats: turtle, ntriples, jsonld, rdfxml, trig, nquads, "
                                                       "or an extension or media type of one)"),
                          (["--graph", "everything"], "unknown graph 'everything' (graphs: all, data, ontology, shapes, metadata)"),
                          (["--frame", "people", "--format", "jsonld"], "unknown frame 'people' (frames: events, facts, actors)")]:
        result = CliRunner().invoke(cli, ["export", *args])
        assert result.exit_code == 2
        assert result.output == f"afkg: error: {message}\n"


def test_failed_serialisation_leaves_existing_output_untouched(project_copy, tmp_path):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "graph.jsonld"
    target.write_text("previous export\n", encoding="utf-8")
    (project_copy / "ontology" / "context.jsonld").write_text("{ not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "export", "--format", "jsonld", "-o", str(target)])
    assert result.exit_code == 2
    assert "context.jsonld:1:3: invalid JSON" in result.output
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["graph.jsonld"]


def test_export_writes_file_atomically(tmp_path):
    target = tmp_path / "graph.trig"
    result = CliRunner().invoke(cli, ["export", "--format", "trig", "-o", str(target)])
    assert result.exit_code == 0 and result.output == ""
    assert target.read_bytes() == export.export(load(Layout(PROJECT)), "trig")


def test_published_context_is_in_step_with_the_ontology(kg):
    published = (PROJECT / "ontology" / "context.jsonld").read_text(encoding="utf-8")
    assert published == context_text(build_context(kg.ontology))


def test_metadata_describes_dataset_distributions_and_creation_date(kg):
    from afkg.namespaces import DCAT, DCTERMS, RES, VOID, XSD

    meta = export.named_graphs(kg, "metadata")[export.METADATA_GRAPH_IRI]
    dataset = RES["dataset"]
    assert meta.value(dataset, DCTERMS.created) == Literal("2026-11-27", datatype=XSD.date)
    assert meta.value(dataset, VOID.triples) == Literal(len(union_of(export.named_graphs(kg))))
    assert str(meta.value(dataset, DCTERMS.license)) == "https://creativecommons.org/licenses/by-sa/4.0/"
    media = {str(meta.value(d, DCAT.mediaType)).rsplit("media-types/", 1)[-1]
             for d in meta.objects(dataset, DCAT.distribution)}
    assert media == {m for m, _ in export.FORMATS.values()}
    assert (dataset, VOID.subset, RES["dataset/albania-france"]) in meta
    assert (dataset, VOID.exampleResource, RES["Albania-France_relations"]) in meta
