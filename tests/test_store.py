"""afkg push and the remote engine against a real Oxigraph server started on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from afkg.cli import cli
from afkg.graph import KnowledgeGraph, Layout
from afkg.http_client import Credentials
from afkg.publish.export import named_graphs
from afkg.publish.push import push
from afkg.query.catalogue import Catalogue, execute
from afkg.query.engines import OxigraphEngine
from afkg.query.remote import RemoteEngine
from afkg.query.results import AskResult, GraphResult, SelectResult
from afkg.rdf.terms import from_rdflib, to_rdflib

from conftest import PROJECT

pytestmark = pytest.mark.store

SAMPLES = {
    "describe-resource": {"resource": "res:Tirana"},
    "resource-card": {"resource": "res:Embassy_of_Albania_in_Paris"},
    "provenance": {"resource": "fact:trade-2024-france-exports-to-albania"},
    "is-member": {"member": "Albania", "organisation": "NATO"},
    "ever-opposed": {"holder": "France", "target": "Albania"},
}
"""Values for required parameters (and some optional ones) when a stored query is run."""


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of an Oxigraph server on a free local port, stopped after the tests."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {process.stderr.read().decode(errors='replace')[:500]}")
            try:
                httpx.get(base + "/", timeout=1.0)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not answer within 30 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def clear(base: str) -> None:
    httpx.post(base + "/update", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"},
               timeout=30).raise_for_status()


def store_graphs(base: str) -> dict[str, Graph]:
    """Each named graph in the store, read back as N-Triples."""
    names = httpx.post(base + "/query", data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    graphs = {}
    for row in names["results"]["bindings"]:
        iri = row["g"]["value"]
        body = httpx.get(base + "/store", params={"graph": iri}, headers={"Accept": "application/n-triples"},
                         timeout=30)
        body.raise_for_status()
        graphs[iri] = Graph().parse(data=body.text, format="nt")
    return graphs


def canonical(graph: Graph) -> Graph:
    """``graph`` with numbers in canonical lexical form (a store may write 22800000.0 as 22800000)."""
    out = Graph()
    for triple in graph:
        out.add(tuple(to_rdflib(from_rdflib(term)) for term in triple))
    return out


def same_graph(stored: Graph, local: Graph) -> bool:
    return len(stored) == len(local) and isomorphic(canonical(stored), canonical(local))


def comparable(result: object) -> object:
    """SELECT rows as a multiset, graphs as sorted triples, ASK as its answer."""
    if isinstance(result, SelectResult):
        return result.variables, Counter(tuple(sorted(row.items())) for row in result.rows)
    if isinstance(result, GraphResult):
        return sorted(result.triples)
    assert isinstance(result, AskResult)
    return result.answer


@pytest.mark.slow
def test_push_puts_every_named_graph_and_a_second_push_replaces(oxigraph_server: str, kg: KnowledgeGraph) -> None:
    clear(oxigraph_server)
    local = {str(name): graph for name, graph in named_graphs(kg, "all").items()}
    pushed = push(kg, store=oxigraph_server + "/store")
    assert sorted(p.graph for p in pushed) == sorted(local) == [
        "https://w3id.org/afkg/graph/data", "https://w3id.org/afkg/graph/metadata",
        "https://w3id.org/afkg/graph/ontology", "https://w3id.org/afkg/graph/shapes"]
    first = store_graphs(oxigraph_server)
    assert {iri: len(g) for iri, g in first.items()} == {iri: len(g) for iri, g in local.items()}
    for iri, graph in local.items():
        assert same_graph(first[iri], graph), iri
    push(kg, store=oxigraph_server + "/store")
    again = store_graphs(oxigraph_server)
    assert {iri: len(g) for iri, g in again.items()} == {iri: len(g) for iri, g in local.items()}


@pytest.mark.slow
def test_update_endpoint_gives_the_same_store_content(oxigraph_server: str, kg: KnowledgeGraph) -> None:
    clear(oxigraph_server)
    local = {str(name): graph for name, graph in named_graphs(kg, "all").items()}
    # small chunks: many requests, and the shapes' blank nodes must not be split between them
    pushed = push(kg, update_endpoint=oxigraph_server + "/update", chunk_bytes=4096)
    assert all(p.requests > 1 for p in pushed if p.triples > 100)
    stored = store_graphs(oxigraph_server)
    assert sorted(stored) == sorted(local)
    for iri, graph in local.items():
        assert same_graph(stored[iri], graph), iri
    push(kg, update_endpoint=oxigraph_server + "/update")
    assert {iri: len(g) for iri, g in store_graphs(oxigraph_server).items()} == {
        iri: len(g) for iri, g in local.items()}


def test_every_stored_query_gives_the_same_results_remotely(oxigraph_server: str, kg: KnowledgeGraph,
                                                            layout: Layout) -> None:
    clear(oxigraph_server)
    push(kg, store=oxigraph_server + "/store")
    remote = RemoteEngine(oxigraph_server + "/query")
    local = OxigraphEngine(layout)
    catalogue = Catalogue(layout)
    compared = 0
    for query in catalogue.all():
        if query.federated:
            continue
        given = SAMPLES.get(query.name, {})
        assert comparable(execute(query, remote, given)) == comparable(execute(query, local, given)), query.name
        compared += 1
    assert compared >= 20
    remote.close()


def test_parameters_reach_the_remote_query_as_terms(oxigraph_server: str, kg: KnowledgeGraph,
                                                    layout: Layout) -> None:
    clear(oxigraph_server)
    push(kg, store=oxigraph_server + "/store")
    remote = RemoteEngine(oxigraph_server + "/query")
    catalogue = Catalogue(layout)
    # The article: Albania is an EU candidate, France a member (and founder); both are NATO members.
    assert execute(catalogue.get("is-member"), remote,
                   {"member": "Albania", "organisation": "European_Union", "status": "role:candidate"}).answer
    assert not execute(catalogue.get("is-member"), remote,
                       {"member": "Albania", "organisation": "European_Union"}).answer
    # France exported €22.8 million to Albania in 2024; Albania €16.1 million to France.
    rows = execute(catalogue.get("trade-by-year"), remote, {"year": "2024", "exporter": "France"}).rows
    assert [(r["exporter"].value, r["amount"].value) for r in rows] == [
        ("https://w3id.org/afkg/resource/France", "22800000.0")]
    # a string parameter with quotes and a newline stays one term
    text = 'SELECT ?_label WHERE { OPTIONAL { ?x rdfs:label ?_label } }'
    from afkg.query.catalogue import from_text
    tricky = '" } } DROP ALL ; SELECT * { "\n'
    header = "#+ summary: t\n#+ params:\n#+   label: {type: xsd:string}\n"
    result = execute(from_text(header + text, "t.rq"), remote, {"label": tricky})
    assert [r["label"].value for r in result.rows] == [tricky]
    # nothing in the value reached the store as an update
    assert len(store_graphs(oxigraph_server)["https://w3id.org/afkg/graph/data"]) == len(kg.data)
    remote.close()


def test_cli_push_prints_each_graph(oxigraph_server: str) -> None:
    clear(oxigraph_server)
    result = CliRunner().invoke(cli, ["--root", str(PROJECT), "push", "--store", oxigraph_server + "/store"])
    assert result.exit_code == 0, result.output
    assert "Pushed <https://w3id.org/afkg/graph/data>:" in result.output
    assert len(result.output.splitlines()) == 4


def test_cli_push_usage_and_network_errors(oxigraph_server: str) -> None:
    runner = CliRunner()
    neither = runner.invoke(cli, ["--root", str(PROJECT), "push"])
    assert neither.exit_code == 2
    assert neither.output.strip().startswith("afkg: error: give either --store URL")
    secret = runner.invoke(cli, ["--root", str(PROJECT), "push", "--store", "http://me:s3cret@127.0.0.1:1/store"])
    assert secret.exit_code == 2 and "s3cret" not in secret.output
    closed = runner.invoke(cli, ["--root", str(PROJECT), "push", "--store", f"http://127.0.0.1:{free_port()}/x"])
    assert closed.exit_code == 1
    assert len(closed.output.strip().splitlines()) == 1 and closed.output.startswith("afkg: error: cannot reach")
    wrong = runner.invoke(cli, ["--root", str(PROJECT), "push", "--store", oxigraph_server + "/nowhere"])
    assert wrong.exit_code == 1
    assert "answered HTTP 404" in wrong.output


def test_credentials_are_kept_out_of_reprs() -> None:
    assert "pw" not in repr(Credentials.from_options("me:pw"))
    assert "tok" not in repr(Credentials.from_options(None, {"AFKG_STORE_TOKEN": "tok"}))


def test_cli_query_run_with_endpoint_equals_the_local_run(oxigraph_server: str, kg: KnowledgeGraph) -> None:
    """`query run --endpoint` answers from the store what the in-memory engine answers locally:
    the two resident missions of the article (Albania's embassy in Paris, France's in Tirana)."""
    clear(oxigraph_server)
    push(kg, store=oxigraph_server + "/store")
    runner = CliRunner()
    local = runner.invoke(cli, ["--root", str(PROJECT), "query", "run", "diplomatic-missions", "--format", "csv"])
    remote = runner.invoke(cli, ["--root", str(PROJECT), "query", "run", "diplomatic-missions", "--format", "csv",
                                 "--endpoint", oxigraph_server + "/query"])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert sorted(remote.output.splitlines()) == sorted(local.output.splitlines())
    assert len(local.output.splitlines()) == 1 + 2
    refused = runner.invoke(cli, ["--root", str(PROJECT), "query", "run", "diplomatic-missions",
                                  "--endpoint", "ftp://127.0.0.1/"])
    assert refused.exit_code == 2 and "--endpoint" in refused.output
