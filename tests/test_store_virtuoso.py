"""afkg push and the remote engine against a real Virtuoso (Debian's virtuoso-opensource-7-bin),
started on 127.0.0.1 by a fixture. Skipped where ``virtuoso-t`` is not installed."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from afkg.graph import KnowledgeGraph, Layout
from afkg.publish.export import named_graphs
from afkg.publish.push import push
from afkg.query.catalogue import Catalogue, execute
from afkg.query.engines import OxigraphEngine
from afkg.query.remote import RemoteEngine
from test_store import SAMPLES, comparable, free_port

# A real Virtuoso server: the whole suite runs these, the fast tier does not.
pytestmark = [pytest.mark.store, pytest.mark.slow]

DIFFERS = {
    "facts-per-section": "Virtuoso 7.2 matches nothing for a subclass test (?c rdfs:subClassOf+ C) inside OPTIONAL",
    "control-periods": "Virtuoso 7.2 matches nothing when subclass tests (?c rdfs:subClassOf+ C) meet the paths "
                       "(afkg:country)? and (afkg:locatedIn|afkg:country)* in one query",
    "describe-resource": "what DESCRIBE returns is left to each store by SPARQL 1.1",
}
"""Stored queries whose results on Virtuoso differ from the local engines', and why."""

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql}
ServerThreads = 4
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a Virtuoso server on free local ports, allowed to take SPARQL updates."""
    binary, isql_client = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql_client is None:
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource-7-bin)")
    folder: Path = tmp_path_factory.mktemp("virtuoso")
    isql, http = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(INI.format(d=folder, isql=isql, http=http), encoding="utf-8")
    process = subprocess.Popen([binary, "-c", str(folder / "virtuoso.ini"), "+foreground"], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    try:
        for _ in range(600):
            if process.poll() is not None:
                pytest.fail("virtuoso-t exited: " + (folder / "virtuoso.log").read_text(errors="replace")[-500:])
            try:
                if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("Virtuoso did not answer within 60 s")
        subprocess.run([isql_client, f"127.0.0.1:{isql}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                       check=True, capture_output=True, timeout=60)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def counts(base: str) -> dict[str, int]:
    query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
             "FILTER (STRSTARTS(STR(?g), 'https://w3id.org/afkg/graph/')) } GROUP BY ?g")
    answer = httpx.post(base + "/sparql", data={"query": query},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    return {row["g"]["value"]: int(row["n"]["value"]) for row in answer["results"]["bindings"]}


def test_push_both_ways_fills_each_graph_once(virtuoso: str, kg: KnowledgeGraph) -> None:
    expected = {str(name): len(graph) for name, graph in named_graphs(kg, "all").items()}
    push(kg, store=virtuoso + "/sparql-graph-crud")
    assert counts(virtuoso) == expected
    push(kg, store=virtuoso + "/sparql-graph-crud")
    assert counts(virtuoso) == expected
    push(kg, update_endpoint=virtuoso + "/sparql", chunk_bytes=4096)
    assert counts(virtuoso) == expected


@pytest.mark.parametrize("name", [
    pytest.param(p.stem, marks=pytest.mark.xfail(reason=DIFFERS[p.stem], strict=True)) if p.stem in DIFFERS else p.stem
    for p in sorted((Path(__file__).resolve().parent.parent / "queries").glob("*.rq"))
    if not Catalogue(Layout(Path(__file__).resolve().parent.parent)).get(p.stem).federated])
def test_stored_query_on_virtuoso(virtuoso: str, kg: KnowledgeGraph, layout: Layout, name: str) -> None:
    query = Catalogue(layout).get(name)
    assert not query.federated, "federated queries call Wikidata and are left out"
    if not counts(virtuoso):
        push(kg, store=virtuoso + "/sparql-graph-crud")
    given = SAMPLES.get(name, {})
    remote = RemoteEngine(virtuoso + "/sparql")
    assert comparable(execute(query, remote, given)) == comparable(execute(query, OxigraphEngine(layout), given))
    remote.close()
