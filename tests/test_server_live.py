"""A real server: ``python -m afkg serve --port 0`` in a subprocess, asked by real clients
(SPARQLWrapper, rdflib's SPARQLStore, httpx), with a runaway query, SERVICE calls to a trap,
and every stored query compared byte for byte with ``afkg query run``."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from afkg.cli import cli

from serverkit import LiveServer, Trap

pytestmark = [pytest.mark.server, pytest.mark.xdist_group("server-live")]  # one live server, on one worker

MISSIONS = ("PREFIX afkg: <https://w3id.org/afkg/ontology#>\n"
            "SELECT ?sending ?city WHERE { ?m afkg:sendingState ?sending ; afkg:place ?city } ORDER BY ?sending")
MISSIONS_GRAPH = ("PREFIX afkg: <https://w3id.org/afkg/ontology#>\n"
                  "CONSTRUCT { ?m afkg:place ?city } WHERE { ?m afkg:sendingState ?s ; afkg:place ?city }")
RES = "https://w3id.org/afkg/resource/"
# The article: "Albania has an embassy in Paris. France has an embassy in Tirana."
EXPECTED_MISSIONS = [(RES + "Albania", RES + "Paris"), (RES + "France", RES + "Tirana")]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module")
def trap():
    server = Trap()
    yield server
    server.close()


@pytest.fixture(scope="module")
def live():
    server = LiveServer("--timeout", "2", "--max-concurrent", "2")
    yield server
    server.stop()


def cli_bytes(*args: str, input: str | None = None) -> bytes:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def cli_output(*args: str, input: str | None = None) -> str:
    return cli_bytes(*args, input=input).decode("utf-8")


def rows(body: dict) -> list[tuple[str, ...]]:
    names = body["head"]["vars"]
    return [tuple(b[n]["value"] for n in names if n in b) for b in body["results"]["bindings"]]


def test_the_printed_url_answers(live):
    assert live.url.startswith("http://127.0.0.1:") and live.endpoint == live.url + "sparql"
    assert httpx.get(live.url + "healthz", timeout=30).json()["status"] == "ok"


def test_sparqlwrapper_answers_equal_the_cli(live):
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    wrapper = SPARQLWrapper(live.endpoint)
    wrapper.setQuery(MISSIONS)
    wrapper.setReturnFormat(JSON)
    answer = wrapper.query().convert()
    expected = json.loads(cli_output("query", "exec", "-", "--format", "json", input=MISSIONS))
    assert answer == expected
    assert rows(answer) == EXPECTED_MISSIONS
    wrapper.setMethod("POST")
    assert wrapper.query().convert() == expected
    graph_wrapper = SPARQLWrapper(live.endpoint)
    graph_wrapper.setQuery(MISSIONS_GRAPH)
    graph_wrapper.setReturnFormat(TURTLE)
    turtle = graph_wrapper.query().convert()
    expected_graph = Graph().parse(data=cli_output("query", "exec", "-", "--format", "turtle", input=MISSIONS_GRAPH),
                                   format="turtle")
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), expected_graph)
    assert len(expected_graph) == 2


def test_rdflib_sparqlstore_answers_equal_the_cli(live):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(live.endpoint, returnFormat="json")
    graph = Graph(store=store)
    answer = [(str(r[0]), str(r[1])) for r in graph.query(MISSIONS)]
    expected = rows(json.loads(cli_output("query", "exec", "-", "--format", "json", input=MISSIONS)))
    assert answer == expected == EXPECTED_MISSIONS
    constructed = graph.query(MISSIONS_GRAPH).graph
    assert {(str(s), str(o)) for s, _, o in constructed} == {
        (RES + "Embassy_of_Albania_in_Paris", RES + "Paris"), (RES + "Embassy_of_France_in_Tirana", RES + "Tirana")}


@pytest.mark.slow  # test_server_protocol.py stops a runaway through the same pool in the fast tier
def test_runaway_is_stopped_while_other_queries_answer(live):
    outcome = {}

    def runaway() -> None:
        outcome["answer"] = httpx.get(live.endpoint, params={"query": RUNAWAY}, timeout=60)

    thread = threading.Thread(target=runaway)
    thread.start()
    during = []
    while thread.is_alive() and len(during) < 200:
        during.append(httpx.get(live.endpoint, params={"query": MISSIONS}, timeout=60))
    thread.join(60)
    assert outcome["answer"].status_code == 503
    assert outcome["answer"].text == "query stopped after 2 s (--timeout)\n"
    assert during and all(rows(r.json()) == EXPECTED_MISSIONS for r in during)
    after = httpx.get(live.endpoint, params={"query": MISSIONS}, timeout=60)
    assert rows(after.json()) == EXPECTED_MISSIONS


SPELLINGS = [
    "SERVICE <{url}>", "service <{url}>", "SeRvIcE <{url}>", "SERVICE SILENT <{url}>",
    "\\u0053ERVICE <{url}>", "\\U00000053ERVICE <{url}>", "\\u0073\\u0065rvice <{url}>",
    "\u017fERVICE <{url}>", "SERVICE trap:", "SERVICE <{url}?x=1>",
]


@pytest.mark.sample(3)
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_service_to_a_trap_sends_nothing_whatever_the_spelling(live, trap, spelling):
    clause = spelling.format(url=trap.url)
    query = (f"PREFIX trap: <{trap.url}>\n"
             f"SELECT * WHERE {{ ?s ?p ?o . OPTIONAL {{ {clause} {{ ?s ?q ?x }} }} }} LIMIT 1")
    answers = [
        httpx.get(live.endpoint, params={"query": query}, timeout=60),
        httpx.post(live.endpoint, data={"query": query}, timeout=60),
        httpx.post(live.endpoint, content=query.encode("utf-8"),
                   headers={"Content-Type": "application/sparql-query"}, timeout=60),
    ]
    nested = f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {clause} {{ ?s ?p ?o }} }} }} }}"
    answers.append(httpx.get(live.endpoint, params={"query": nested}, timeout=60))
    assert all(400 <= a.status_code < 500 for a in answers), [a.text for a in answers]
    assert trap.requests == []


def _examples() -> list[tuple[str, dict[str, str], str]]:
    from afkg.layout import default_layout
    from afkg.query.catalogue import Catalogue

    samples = {"resource": "res:Tirana", "holder": "res:France", "target": "res:Albania",
               "member": "res:Albania", "organisation": "res:NATO"}
    cases = []
    for query in Catalogue(default_layout(str(Path(__file__).resolve().parent.parent))).all():
        if query.federated:
            continue
        params = {name: samples[name] for name, p in query.params.items() if p.required}
        formats = ("csv", "tsv", "json", "xml") if query.query_type in ("SELECT", "ASK") else (
            "turtle", "ntriples", "jsonld")
        cases += [(query.name, params, fmt) for fmt in formats]
    return cases


SUFFIX = {"csv": "csv", "tsv": "tsv", "json": "json", "xml": "xml", "turtle": "ttl", "ntriples": "nt",
          "jsonld": "jsonld"}


@pytest.mark.slow
def test_every_stored_query_through_the_api_equals_the_cli_bytes(live):
    cases = _examples()
    assert len(cases) > 80
    with httpx.Client(timeout=60) as http:
        for name, params, fmt in cases:
            response = http.get(f"{live.url}api/queries/{name}.{SUFFIX[fmt]}", params=params)
            pairs = [arg for key, value in params.items() for arg in ("-p", f"{key}={value}")]
            expected = cli_bytes("query", "run", name, "--format", fmt, *pairs)
            assert response.status_code == 200, (name, fmt, response.text)
            assert response.content == expected, (name, fmt)


def test_access_log_has_a_line_per_request(live):
    httpx.get(live.url + "healthz", params={"probe": "log"}, timeout=30)
    httpx.get(live.url + "healthz", timeout=30)
    for _ in range(100):
        if sum(" GET /healthz 200 " in line for line in live.log) >= 2:
            break
        time.sleep(0.05)
    lines = [line for line in live.log if " GET /healthz 200 " in line]
    assert len(lines) >= 2
    assert all("probe" not in line and "rows=-" in line for line in lines)


def test_sigterm_ends_the_server_and_its_workers():
    server = LiveServer("--max-concurrent", "2", "--log-format", "json")
    children = _children(server.process.pid)
    assert len(children) >= 2
    assert rows(httpx.get(server.endpoint, params={"query": MISSIONS}, timeout=60).json()) == EXPECTED_MISSIONS
    assert server.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    assert not any("Traceback" in line for line in server.log)
    for _ in range(200):  # the workers were killed before the server exited; give /proc a moment to agree
        alive = [pid for pid in children if _state(pid) not in ("gone", "Z")]
        if not alive:
            break
        time.sleep(0.05)
    assert alive == []
    entry = json.loads(next(line for line in server.log if line.startswith("{")))
    assert (entry["method"], entry["path"], entry["status"], entry["rows"]) == ("GET", "/sparql", 200, 2)


def _children(pid: int) -> list[int]:
    """The query workers of the server ``pid`` (not multiprocessing's resource tracker)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text and b"spawn_main" in command:
            found.append(int(status.parent.name))
    return found


def _state(pid: int) -> str:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "gone"
    return next(line.split()[1] for line in text.splitlines() if line.startswith("State:"))


HOSTILE = {
    "a query of 1 MiB": "SELECT * WHERE { " + "?s ?p ?o . " * 90_000 + "}",
    "a huge VALUES block": "SELECT * WHERE { VALUES ?x { " + "1 " * 300_000 + "} }",
    "parentheses nested 199 deep": "SELECT * WHERE { FILTER(" + "(" * 199 + "1" + ")" * 199 + ") }",
    "a chain of OPTIONALs": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 150 + "}",
}


@pytest.mark.sample(1)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_requests_leave_the_server_answering(live, name):
    while httpx.get(live.url + "healthz", timeout=30).json()["idle"] < 2:
        time.sleep(0.05)
    hostile = httpx.post(live.endpoint, content=HOSTILE[name].encode(),
                         headers={"Content-Type": "application/sparql-query"}, timeout=60)
    assert hostile.status_code in (200, 400, 413, 500, 503)
    after = httpx.get(live.endpoint, params={"query": MISSIONS}, timeout=60)
    assert rows(after.json()) == EXPECTED_MISSIONS
