"""rudof validates a large project chunk by chunk (validate.Chunk): a few pairs at a time, each
with every triple of the nodes they mention and of those nodes' values. The report must be the
one pySHACL gives on the whole graph, also when a fact in one pair is about a node of another."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from afkg.graph import load
from afkg.layout import Layout
from afkg.namespaces import AFKG
from afkg.validation import sparql_constraints
from afkg.validation import validate as validation
from afkg.validation.validate import result_key, shacl_results
from test_generate import generate

from conftest import PROJECT


@pytest.fixture(scope="module")
def three_pairs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("chunks") / "project"
    assert generate(3, out).returncode == 0
    return out


@pytest.fixture()
def one_pair_a_chunk(monkeypatch):
    monkeypatch.setattr(validation, "CHUNK_TRIPLES", 1)


def _relations(root: Path) -> list[tuple[str, URIRef, URIRef]]:
    """(pair folder, relation, first party) of each pair."""
    kg = load(Layout(root))
    found = []
    for relation in sorted(kg.data.subjects(RDF.type, AFKG.BilateralRelation)):
        first = kg.data.value(relation, AFKG.firstParty)
        folder = next(name for name, start, end in kg.project.pairs
                      if any(t.subject.value == str(relation) for t in kg.project.triples["data"][start:end]))
        found.append((folder, relation, first))
    return found


def test_each_data_folder_of_the_article_is_a_chunk_and_it_conforms(one_pair_a_chunk):
    """The project has two data folders, data/albania-france and data/shared: with one triple a
    chunk, each is a chunk that keeps the results about the nodes it mentions, and the article
    conforms chunk by chunk."""
    kg = load(Layout(PROJECT))
    _store, chunks, _forms = validation._project_typed(kg, chunked=True)
    assert len(chunks) == 2 and all(chunk.keep for chunk in chunks)
    assert shacl_results(kg) == []


@pytest.mark.slow
def test_each_pair_is_a_chunk_and_the_copies_conform(three_pairs, one_pair_a_chunk):
    kg = load(Layout(three_pairs))
    core = sparql_constraints.without(kg.shapes, sparql_constraints.plan(kg.shapes).handled())
    assert validation.chunkable(core)
    _store, chunks, _forms = validation._project_typed(kg, chunked=True)
    assert len(chunks) == 3 and all(chunk.keep for chunk in chunks)
    assert shacl_results(kg) == [] == shacl_results(kg, engine="pyshacl")


@pytest.mark.slow
def test_facts_across_pairs_are_judged_on_the_whole_graph(three_pairs, tmp_path, one_pair_a_chunk):
    root = tmp_path / "project"
    shutil.copytree(three_pairs, root)
    (a_folder, a_relation, a_first), (b_folder, b_relation, b_first) = _relations(root)[:2]
    # In pair B's folder: a second first party for pair A's relation (its maxCount and the SPARQL
    # check see it only with pair A's triples), and a third party for pair B's relation that is a
    # country only by pair A's files (sh:class holds only with pair A's types).
    (root / "data" / b_folder / "cross.ttl").write_text(
        f"<{a_relation}> <{AFKG.firstParty}> <{b_first}> .\n"
        f"<{b_relation}> <{AFKG.party}> <{a_first}> .\n", encoding="utf-8")
    kg = load(Layout(root))
    chunked = sorted(shacl_results(kg), key=result_key)
    reference = sorted(shacl_results(kg, engine="pyshacl"), key=result_key)
    assert reference and chunked == reference
    assert {r.path for r in reference} >= {"afkg:firstParty", "afkg:party"}
