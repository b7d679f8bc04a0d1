"""The server's footprint (issue 21, item 2): a store whose stamp matches the project is served
without validating again, one whose files changed is refused; the workers are forked from one
process that built the store, share its memory, and are the server's own children; a worker lost
with its zygote is still replaced; the SPARQL JSON written directly is the bytes of
``afkg query``'s writer.

Everything here is checked on real processes (their parents, their open files, their shared
memory), never by timing them.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from afkg.cli import cli
from afkg.errors import InputError
from afkg.layout import Layout
from afkg.query.results import SelectResult, render
from afkg.rdf.terms import Term
from afkg.server.config import ServerConfig
from afkg.server.execution import TRUNCATED_LINK, select_json
from afkg.server.service import Service
from afkg.server.store import STAMP, check_stamp, write_store
from afkg.server.tasks import Answer, SparqlTask
from afkg.server.workers import QueryPool, WorkerSpec

from serverkit import PROJECT, client

MISSIONS = ("PREFIX afkg: <https://w3id.org/afkg/ontology#>\n"
            "SELECT ?sending ?city WHERE { ?m afkg:sendingState ?sending ; afkg:place ?city } ORDER BY ?sending")
RES = "https://w3id.org/afkg/resource/"
# The article's infobox: "Albania has an embassy in Paris. France has an embassy in Tirana."
EXPECTED_MISSIONS = [(RES + "Albania", RES + "Paris"), (RES + "France", RES + "Tirana")]


def rows(response) -> list[tuple[str, ...]]:
    body = response.json()
    return [tuple(b[n]["value"] for n in body["head"]["vars"]) for b in body["results"]["bindings"]]


def _status(pid: int) -> str:
    return Path(f"/proc/{pid}/status").read_text()


def _parent(pid: int) -> int:
    return int(re.search(r"^PPid:\s+(\d+)", _status(pid), re.M).group(1))


def _memory(pid: int) -> dict[str, int]:
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return {k: int(v) for k, v in re.findall(r"^(\w+):\s+(\d+) kB", text, re.M)}


def _open_files(pid: int) -> list[str]:
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
    return found


@pytest.fixture
def stored(project_copy, tmp_path):
    """A project copy and the store written from it (as ``afkg build --store`` writes it)."""
    store = tmp_path / "store"
    write_store(Layout(project_copy), store)
    return project_copy, store


# --- the stamp ------------------------------------------------------------------------------------

def test_the_store_records_the_files_it_was_built_from(stored):
    root, store = stored
    stamp = json.loads((store / STAMP).read_text(encoding="utf-8"))
    assert "ontology/afkg.ttl" in stamp["files"] and "ontology/shapes.ttl" in stamp["files"]
    assert "data/albania-france/source.txt" in stamp["files"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in stamp["files"].values())
    assert set(stamp["graphs"]) == {"https://w3id.org/afkg/graph/ontology", "https://w3id.org/afkg/graph/data"}
    assert check_stamp(store, Layout(root)) == stamp


def test_a_store_whose_stamp_matches_is_served_without_validating_again(stored, monkeypatch):
    root, store = stored

    def refuse(*args, **kwargs):
        raise AssertionError("the graph was loaded or validated again")

    monkeypatch.setattr(importlib.import_module("afkg.validation.validate"), "validate", refuse)
    monkeypatch.setattr(importlib.import_module("afkg.graph"), "load", refuse)
    service = Service.load(ServerConfig(root=str(root), store=str(store), max_concurrent=1))
    try:
        service.start()
        assert service.kg is None
        assert service.counts["https://w3id.org/afkg/graph/data"] > 0
        with client(service) as http:
            assert rows(http.get("/sparql", params={"query": MISSIONS})) == EXPECTED_MISSIONS
    finally:
        service.close()


@pytest.mark.sample(1)
@pytest.mark.parametrize(("change", "said"), [
    ("edit", "data/albania-france/relation.ttl changed"),
    ("add", "data/albania-france/extra.ttl was added"),
    ("remove", "data/albania-france/relation.ttl was removed"),
    ("shapes", "ontology/shapes.ttl changed"),
    ("source", "data/albania-france/source.txt changed"),
])
def test_a_store_whose_files_changed_is_refused(stored, change, said):
    root, store = stored
    relation = root / "data" / "albania-france" / "relation.ttl"
    if change == "edit":
        relation.write_text(relation.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    elif change == "add":
        (relation.parent / "extra.ttl").write_text("", encoding="utf-8")
    elif change == "remove":
        relation.unlink()
    elif change == "shapes":
        shapes = root / "ontology" / "shapes.ttl"
        shapes.write_text(shapes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    else:
        source = root / "data" / "albania-france" / "source.txt"
        source.write_text(source.read_text(encoding="utf-8") + "x", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(said)):
        Service.load(ServerConfig(root=str(root), store=str(store), max_concurrent=1))
    result = CliRunner().invoke(cli, ["--root", str(root), "serve", "--store", str(store), "--port", "0"])
    assert result.exit_code == 2
    assert result.output.startswith(f"afkg: error: {store}: the store was built from other files than the project's")
    assert said in result.output and f"afkg build --store {store}" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.slow  # a store whose files changed is refused in the fast tier
def test_a_store_without_a_stamp_is_refused(stored):
    root, store = stored
    (store / STAMP).unlink()
    result = CliRunner().invoke(cli, ["--root", str(root), "serve", "--store", str(store), "--port", "0"])
    assert result.exit_code == 2
    assert "has no stamp of the files it was built from" in result.output
    assert f"afkg build --store {store}" in result.output


def test_a_broken_stored_query_still_stops_the_server_from_starting(project_copy):
    """The stored queries are read where the workers are forked from; their errors are the server's."""
    (project_copy / "queries" / "broken.rq").write_text("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n",
                                                       encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "serve", "--port", "0"])
    assert result.exit_code == 2
    assert result.output.startswith(f"afkg: error: {project_copy / 'queries' / 'broken.rq'}:1: bad YAML in header")


# --- the workers share one store ---------------------------------------------------------------------

def test_workers_forked_from_the_files_share_the_store_and_are_the_servers_children():
    pool = QueryPool(WorkerSpec(root=str(PROJECT)), size=2, timeout=10.0)
    pool.start()
    try:
        workers = pool._workers + pool._spare  # noqa: SLF001 - the processes are what is checked
        assert len(workers) == 3
        for worker in workers:
            assert _parent(worker.pid) == os.getpid()
            memory = _memory(worker.pid)
            shared = memory["Shared_Clean"] + memory["Shared_Dirty"]
            private = memory["Private_Clean"] + memory["Private_Dirty"]
            assert shared > 2 * private, memory  # the store and the modules are the zygote's pages
            assert not any(path.endswith(".ttl") for path in _open_files(worker.pid))

        async def ask() -> Answer:
            await pool.attach()
            return await pool.run(SparqlTask(query=MISSIONS, tabular="csv", graph="turtle", max_rows=10))

        answer = asyncio.run(ask())
        assert answer.status == 200 and answer.rows == 2
    finally:
        pool.close()
    for worker in workers:
        assert not Path(f"/proc/{worker.pid}").exists() or "State:\tZ" in _status(worker.pid)


def test_workers_on_a_store_each_open_it_and_the_server_does_not(stored):
    root, store = stored
    service = Service.load(ServerConfig(root=str(root), store=str(store), max_concurrent=2))
    try:
        service.start()
        workers = service.pool._workers + service.pool._spare  # noqa: SLF001
        for worker in workers:
            assert _parent(worker.pid) == os.getpid()
            assert any(path.startswith(str(store) + "/") for path in _open_files(worker.pid))
        assert not any(path.startswith(str(store) + "/") for path in _open_files(os.getpid()))
        zygote = service.pool._zygote.process.pid  # noqa: SLF001
        assert not any(path.startswith(str(store) + "/") for path in _open_files(zygote))
    finally:
        service.close()


def test_a_worker_is_still_replaced_after_its_zygote_died():
    pool = QueryPool(WorkerSpec(root=str(PROJECT)), size=1, timeout=1.0)
    pool.start()
    try:
        first = pool._zygote.process.pid  # noqa: SLF001
        os.kill(first, signal.SIGKILL)
        runaway = SparqlTask(query="SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
                             tabular="json", graph="turtle", max_rows=1)

        async def scenario() -> tuple[str, Answer]:
            await pool.attach()
            try:
                await pool.run(runaway)
                stopped = "answered"
            except Exception as exc:  # the timeout: the worker is killed and the spare takes its place
                stopped = type(exc).__name__
            deadline = time.monotonic() + 60
            while len(pool._spare) < 1 and time.monotonic() < deadline:  # noqa: SLF001
                await asyncio.sleep(0.05)
            return stopped, await pool.run(SparqlTask(query=MISSIONS, tabular="csv", graph="turtle", max_rows=10))

        stopped, answer = asyncio.run(scenario())
        assert stopped == "Stopped"
        assert len(pool._spare) == 1  # noqa: SLF001 - a new spare, forked from a new zygote
        assert pool._zygote.process.pid != first  # noqa: SLF001
        assert answer.status == 200 and answer.rows == 2
    finally:
        pool.close()


# --- SPARQL JSON written directly ----------------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_terms = st.one_of(
    st.builds(Term.uri, st.sampled_from(["http://example.org/a", "urn:x:é\"\\", RES + "Albania"])),
    st.builds(Term.bnode, st.sampled_from(["b0", "node1"])),
    st.builds(Term.literal, _text),
    st.builds(Term.literal, _text, st.just(None), st.sampled_from(["en", "FR-be"])),
    st.builds(Term.literal, st.sampled_from(["1", "007", "1.50", "x"]),
              st.sampled_from(["http://www.w3.org/2001/XMLSchema#integer", "http://www.w3.org/2001/XMLSchema#decimal",
                               "http://www.w3.org/2001/XMLSchema#date"])),
)


@pytest.mark.slow  # test_server_defenses.py replaces a crashed worker in the fast tier
@settings(max_examples=200, deadline=None)
@given(variables=st.lists(st.sampled_from(["a", "b", "x_1", "é"]), unique=True, max_size=4),
       data=st.data(), truncated=st.booleans())
def test_sparql_json_written_directly_is_the_bytes_of_afkg_query(variables, data, truncated):
    rows = data.draw(st.lists(st.fixed_dictionaries({}, optional={v: _terms for v in variables}), max_size=5))
    expected = render(SelectResult(variables, rows), "json")
    if truncated:  # the link in the head, as json.dumps writes it
        document = json.loads(expected)
        document["head"]["link"] = [TRUNCATED_LINK.format(limit=7)]
        expected = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert select_json(variables, rows, TRUNCATED_LINK.format(limit=7) if truncated else None) == expected
