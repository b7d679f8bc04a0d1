"""The server under load and attack (issue 21): bursts are queued, not refused; slow or huge
requests cannot hold memory or connections; a query that crashes the engine or passes the
memory bound costs its own client an error and nobody else anything; request parameters,
the access log, the Host header, the source pages, FROM, 405s, readiness and busy pages.

Each test here failed before its fix. The load tests are bounded in requests and time; the
live ones start ``python -m afkg serve`` on 127.0.0.1 (tests/serverkit.py).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.server.workers import QueryPool, WorkerSpec

from serverkit import PROJECT, LiveServer, client, variant

pytestmark = pytest.mark.xdist_group("service")  # one worker loads the session's service for them all

AFKG = "https://w3id.org/afkg/ontology#"
RES = "https://w3id.org/afkg/resource/"
MISSIONS = (f"PREFIX afkg: <{AFKG}>\n"
            "SELECT ?sending ?city WHERE { ?m afkg:sendingState ?sending ; afkg:place ?city } ORDER BY ?sending")
# The article's infobox: "Albania has an embassy in Paris. France has an embassy in Tirana."
EXPECTED_MISSIONS = [(RES + "Albania", RES + "Paris"), (RES + "France", RES + "Tirana")]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
# ORDER BY over xsd:dateTime values with and without a time zone (which SPARQL cannot always
# order) makes pyoxigraph 0.5's sort panic, and pyoxigraph aborts the process on a panic.
_ZONES = ("", "Z", "+14:00", "-14:00")
CRASH = ("SELECT ?d WHERE { VALUES ?d { " + " ".join(
    f'"2020-01-0{1 + i % 3}T{10 + (i * 7) % 14}:{10 + (i * 13) % 50}:00{_ZONES[(i // 3) % 4]}"^^xsd:dateTime'
    for i in range(64)) + " } } ORDER BY ?d")
# Some 2.4 million rows sorted: far more than 128 MiB, within a second.
GREEDY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d ?b ?e"


def rows(response) -> list[tuple[str, ...]]:
    body = response.json()
    return [tuple(b[n]["value"] for n in body["head"]["vars"]) for b in body["results"]["bindings"]]


def wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# --- request parameters -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value"), [
    ("limit", "\u00b2"), ("offset", "\u2460"), ("limit", "\u0663"), ("offset", "\uff11"), ("limit", "1\u00b2"),
])
def test_limit_and_offset_take_ascii_digits_only(http, name, value):
    response = http.get("/api/queries/diplomatic-missions.csv", params={name: value})
    assert response.status_code == 400
    assert f"{name} must be a whole number" in response.text and "ASCII digits" in response.text


def test_q_values_follow_the_http_grammar():
    from afkg.server.negotiation import TABULAR, choose

    assert choose("text/csv;q=\u0661, application/sparql-results+xml;q=0.5", TABULAR) == "xml"
    assert choose("text/csv;q=nan, application/sparql-results+xml;q=0.5", TABULAR) == "xml"
    assert choose("text/csv;q=0.9, application/sparql-results+xml;q=0.5", TABULAR) == "csv"


# --- the access log -----------------------------------------------------------------------

@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_access_log_escapes_control_characters(service, log_format):
    log = io.StringIO()
    with client(variant(service, log_format=log_format), log_stream=log) as http:
        http.get("/resource/x%0a2026-01-01T00:00:00.000000Z 10.0.0.1 GET /admin 200 1.0ms rows=-")
        http.get("/resource/%1b[2J%1b]0;owned%07")
        http.get("/resource/%c2%9b31m%e2%80%a8%e2%80%ae")
    text = log.getvalue()
    lines = text.splitlines()
    assert len(lines) == 3
    assert not any(re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202e]", line) for line in lines)
    if log_format == "json":
        assert [json.loads(line)["path"] for line in lines][1] == "/resource/\x1b[2J\x1b]0;owned\x07"
    else:
        assert "/resource/x\\x0a2026-01-01T00:00:00.000000Z\\x2010.0.0.1" in lines[0]
        assert "/resource/\\x1b[2J\\x1b]0;owned\\x07" in lines[1]


# --- FROM, 405, syntax errors, SERVICE ----------------------------------------------------------

@pytest.mark.parametrize("clause", ["FROM <https://w3id.org/afkg/graph/ontology>",
                                    "FROM NAMED <https://w3id.org/afkg/graph/data>",
                                    "FROM <http://127.0.0.1:9/elsewhere.ttl>"])
def test_from_is_refused_as_the_cli_refuses_it(http, clause):
    response = http.get("/sparql", params={"query": f"SELECT * {clause} WHERE {{ ?s ?p ?o }} LIMIT 1"})
    assert response.status_code == 400
    assert response.text.startswith("FROM and FROM NAMED are not allowed")
    assert "default-graph-uri" in response.text
    refused = CliRunner().invoke(cli, ["query", "exec", "-"], input=f"SELECT * {clause} WHERE {{ ?s ?p ?o }}")
    assert refused.exit_code == 2 and "FROM and FROM NAMED are not allowed" in refused.output


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PUT", "/sparql", "GET, HEAD, POST, OPTIONS"),
    ("DELETE", "/sparql", "GET, HEAD, POST, OPTIONS"),
    ("POST", "/api/queries", "GET, HEAD"),
    ("POST", "/api/queries/timeline", "GET, HEAD"),
    ("DELETE", "/healthz", "GET, HEAD"),
    ("POST", "/resource/Albania", "GET, HEAD"),
])
def test_a_405_names_the_methods_of_its_route(http, method, path, allowed):
    response = http.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert allowed in response.text


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT * WHERE { ?s ?p }", "query:1:24: SPARQL syntax error: found '}' at line 1, column 24"),
    ("SELECT ?x WHERE {\n  ?x ?y \n}", "query:3:1: SPARQL syntax error: found '}' at line 3, column 1"),
    ("SELEC ?x WHERE { ?x ?y ?z }", "query:1:1: SPARQL syntax error: found 'SELEC' at line 1, column 1, where "
                                    "the query should begin with SELECT"),
    ("SELECT ?x WHERE { ?x ?y ?z ", "query:1:27: SPARQL syntax error: the query ends at line 1, column 27 before "
                                    "it is complete: the '{' at line 1, column 17 is never closed by a '}'"),
    ("SELECT ?x WHERE { ?x nope:p ?z }", "query:1:22: SPARQL syntax error: the prefix 'nope:' of 'nope:p' at "
                                         "line 1, column 22 is not declared; add PREFIX nope: <…>"),
])
def test_a_syntax_error_says_what_was_found_where(http, query, message):
    response = http.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert response.text.startswith(message), response.text
    assert "expected one of" not in response.text and "[_]" not in response.text


def test_a_service_nobody_allowed_says_how_to_allow_it(http):
    query = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    response = http.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "(allowed: )" not in response.text
    assert "afkg serve --allow-service https://query.wikidata.org/sparql" in response.text
    stored = http.get("/api/queries/wikidata-membership-dates")
    assert stored.status_code == 400 and "afkg serve --allow-service" in stored.text


# --- Host -----------------------------------------------------------------------------------

def test_a_host_that_is_not_a_host_name_is_refused(http):
    for host in ('evil"><script>alert(1)</script>', "a b", "x" * 300, "example.org:port"):
        response = http.get("/sparql", headers={"Host": host, "Accept": "text/turtle"})
        assert response.status_code == 400, host
        assert "Host header" in response.text


def test_the_service_description_cache_is_bounded(service):
    fresh = variant(service)
    with client(fresh) as http:
        for number in range(100):
            response = http.get("/sparql", headers={"Host": f"h{number}.example", "Accept": "text/turtle"})
            assert response.status_code == 200 and f"http://h{number}.example/sparql" in response.text
    assert sum(1 for key in fresh.cache if key[0] == "sd") <= 16


def test_only_the_allowed_hosts_are_answered_and_echoed(service):
    with client(variant(service, allowed_hosts=("kg.example",))) as http:
        refused = http.get("/api/queries/diplomatic-missions.csv", params={"limit": "1"},
                           headers={"Host": "attacker.example"})
        answered = http.get("/api/queries/diplomatic-missions.csv", params={"limit": "1"},
                            headers={"Host": "kg.example:8000"})
    assert refused.status_code == 400 and "--allowed-host" in refused.text
    assert answered.status_code == 200
    assert answered.headers["link"].startswith("<http://kg.example:8000/api/queries/diplomatic-missions.csv?")


def test_serve_answers_only_loopback_names_when_it_listens_on_loopback():
    from afkg.server.config import ServerConfig
    from afkg.server.run import allowed_hosts

    config = ServerConfig()
    assert set(allowed_hosts(config, "127.0.0.1", None)) == {"localhost", "127.0.0.1", "[::1]"}
    assert allowed_hosts(config, "127.0.0.1", "127.0.0.1") == ()
    assert allowed_hosts(config, "0.0.0.0", None) == ()
    assert allowed_hosts(dataclasses.replace(config, allowed_hosts=("kg.example",)), "127.0.0.1", None) == (
        "kg.example",)


# --- readiness and busy pages -------------------------------------------------------------------

@pytest.mark.slow
def test_healthz_and_pages_are_503_while_no_worker_is_free(service):
    busy = variant(service, pool_size=1, timeout=3.0, max_queued=0)
    try:
        with client(busy) as http:
            assert http.get("/healthz").status_code == 200
            http.get("/timeline")  # the site is built once, outside the busy window
            outcome = {}
            runaway = threading.Thread(target=lambda: outcome.update(
                answer=http.get("/sparql", params={"query": RUNAWAY})))
            runaway.start()
            assert wait_until(lambda: busy.pool.idle == 0)
            health = http.get("/healthz")
            timeline = http.get("/timeline")
            trade = http.get("/trade")
            runaway.join(60)
            assert health.status_code == 503 and health.json()["idle"] == 0
            assert health.headers["retry-after"] == "1"
            for page in (timeline, trade):
                assert page.status_code == 503, page.status_code
                assert page.headers["retry-after"] == "1"
                assert "busy" in page.text
            assert wait_until(lambda: busy.pool.idle == 1)
            assert http.get("/healthz").status_code == 200
            assert http.get("/timeline").status_code == 200
    finally:
        busy.pool.close()


# --- /source/{pair} ---------------------------------------------------------------------------

@pytest.fixture
def project_site(project_copy):
    from afkg.graph import load
    from afkg.layout import Layout
    from afkg.publish.site import Site

    def make():
        return Site.from_layout(Layout(project_copy), kg=kg)

    kg = load(Layout(project_copy))
    return project_copy, make


def test_a_symlink_swapped_in_for_a_source_text_is_not_followed(project_site, tmp_path):
    root, make = project_site
    secret = tmp_path / "secret.txt"
    secret.write_text("the server's private key\n", encoding="utf-8")
    source = root / "data" / "albania-france" / "source.txt"
    source.unlink()
    source.symlink_to(secret)
    answer = make().get("/source/albania-france")
    assert answer.status == 500
    assert b"private key" not in answer.body
    assert b"symbolic link" in answer.body


def test_a_fifo_swapped_in_for_a_source_text_does_not_hang(project_site):
    root, make = project_site
    source = root / "data" / "albania-france" / "source.txt"
    source.unlink()
    os.mkfifo(source)
    site = make()
    outcome = {}
    reader = threading.Thread(target=lambda: outcome.update(answer=site.get("/source/albania-france")), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # unblock the reader before failing
        with open(source, "wb"):
            pass
        pytest.fail("reading the source text hangs on a FIFO")
    assert outcome["answer"].status == 500
    assert b"not a regular file" in outcome["answer"].body


def test_the_source_text_is_read_once(project_site):
    root, make = project_site
    site = make()
    first = site.get("/source/albania-france")
    (root / "data" / "albania-france" / "source.txt").write_text("replaced\n", encoding="utf-8")
    assert site.get("/source/albania-france").body == first.body


# --- crashes and the memory bound -------------------------------------------------------------------

def test_the_crash_query_crashes_pyoxigraph():
    """The test query does what it is for: pyoxigraph panics and aborts the process."""
    import subprocess
    import sys

    script = ("import pyoxigraph as ox; from afkg.prefixes import PREFIXES; import sys; "
              "list(ox.Store().query(sys.stdin.read(), prefixes=PREFIXES))")
    done = subprocess.run([sys.executable, "-c", script], input=CRASH, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "RUST_BACKTRACE": "0"})
    assert done.returncode < 0 or done.returncode == 134, done
    assert "panicked" in done.stderr


def test_a_crash_answers_500_to_its_client_only_and_the_worker_is_replaced_at_once(service):
    pool = variant(service, pool_size=2, timeout=10.0)
    try:
        with client(pool) as http:
            crashed = http.get("/sparql", params={"query": CRASH})
            started = time.monotonic()
            assert wait_until(lambda: pool.pool.idle == 2, 1.0), "the worker was not replaced within 1 s"
            replaced_in = time.monotonic() - started
            after = http.get("/sparql", params={"query": MISSIONS})
            again = http.get("/sparql", params={"query": CRASH.replace(" ", "  ")})
            assert crashed.status_code == 500
            assert crashed.text.startswith("query failed: the query engine crashed (panic: ")
            assert "memory" not in crashed.text
            assert replaced_in < 1.0
            assert rows(after) == EXPECTED_MISSIONS
            assert pool.pool.replaced == 1
            # the same query again is answered at once, without costing another worker
            assert again.status_code == 500 and "it was not run again" in again.text
            assert pool.pool.replaced == 1
            assert wait_until(lambda: len(pool.pool._spare) == 1, 60)  # noqa: SLF001 - a new spare is ready
    finally:
        pool.pool.close()


def test_a_query_beyond_the_memory_bound_is_stopped_and_its_worker_replaced(service):
    spec = WorkerSpec(root=str(PROJECT), memory=128 << 20)
    bounded = dataclasses.replace(service, pool=QueryPool(spec, size=1, timeout=30.0), cache={})
    bounded.pool.start()
    try:
        with client(bounded) as http:
            greedy = http.get("/sparql", params={"query": GREEDY})
            assert wait_until(lambda: bounded.pool.idle == 1, 1.0)
            after = http.get("/sparql", params={"query": MISSIONS})
        assert greedy.status_code == 503
        assert greedy.text == "query stopped: it needed more than 128 MiB of memory (--max-memory)\n"
        assert bounded.pool.replaced == 1
        assert rows(after) == EXPECTED_MISSIONS
    finally:
        bounded.pool.close()


def test_the_cli_names_a_crash_a_crash():
    result = CliRunner().invoke(cli, ["query", "exec", "-"], input=CRASH)
    assert result.exit_code == 1
    assert result.output.startswith("afkg: error: query failed: the query engine crashed (panic: ")
    assert "memory" not in result.output


def test_serve_has_a_memory_bound_option():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert "--max-memory MIB" in result.output
    bad = CliRunner().invoke(cli, ["serve", "--max-memory", "10"])
    assert bad.exit_code == 2 and "--max-memory must be a whole number of MiB from 64" in bad.output


# --- the live server: bursts, slow clients, attacks ----------------------------------------------------

def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def _connect(url: str) -> socket.socket:
    host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()
    return socket.create_connection((host, int(port)), timeout=30)


def _read_all(sock: socket.socket, seconds: float) -> bytes:
    sock.settimeout(seconds)
    chunks = []
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except (TimeoutError, ConnectionError, OSError):
        pass
    return b"".join(chunks)


@pytest.mark.slow
@pytest.mark.server
def test_a_burst_of_1000_requests_from_20_clients_gets_no_error_on_a_default_server():
    server = LiveServer()
    try:
        statuses: list[int] = []
        lock = threading.Lock()

        def one_client(number: int) -> None:
            with httpx.Client(timeout=60) as http:
                for n in range(50):
                    if (number + n) % 5:
                        response = http.get(server.endpoint, params={"query": MISSIONS})
                    else:
                        response = http.get(server.url + "api/queries/diplomatic-missions.csv")
                    with lock:
                        statuses.append(response.status_code)

        started = time.monotonic()
        clients = [threading.Thread(target=one_client, args=(n,)) for n in range(20)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(240)
        assert time.monotonic() - started < 240
        assert len(statuses) == 1000
        assert [s for s in statuses if s != 200] == []
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.server
def test_slow_and_oversized_requests_are_cut_off():
    server = LiveServer("--read-timeout", "1", "--max-connections", "6", "--max-concurrent", "1")
    try:
        stalled = []
        for _ in range(4):
            sock = _connect(server.url)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaa")
            stalled.append(sock)
        body = _connect(server.url)
        body.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 3900000\r\n\r\n" + b"#" * 50_000)
        idle = _connect(server.url)
        time.sleep(0.3)
        # the cap: a seventh connection is refused at once
        extra = _connect(server.url)
        refused = _read_all(extra, 5)
        assert refused.startswith(b"HTTP/1.1 503 ") and b"retry-after: 1" in refused.lower()
        # the deadline: headers and body that do not arrive in time are answered 408 and the
        # connection closed; one that sent nothing is closed
        started = time.monotonic()
        answers = [_read_all(sock, 10) for sock in stalled]
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), answers
        assert b"did not arrive within 1 s" in answers[0]
        in_body = _read_all(body, 10)
        assert in_body.startswith(b"HTTP/1.1 408 ") and b"request body did not arrive" in in_body
        assert _read_all(idle, 10) == b""
        assert time.monotonic() - started < 8
        # the header bound: 431 once the headers pass 64 KiB, without waiting for the rest
        big = _connect(server.url)
        try:
            big.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 70_000)
        except OSError:
            pass
        assert _read_all(big, 5).startswith(b"HTTP/1.1 431 ")
        # and the server still answers
        assert httpx.get(server.url + "healthz", timeout=30).status_code == 200
        for sock in [*stalled, body, idle, extra, big]:
            sock.close()
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.server
def test_stalled_requests_hold_bounded_memory():
    server = LiveServer("--read-timeout", "20", "--max-concurrent", "1")
    sockets = []
    try:
        before = _rss_kib(server.process.pid)
        for _ in range(150):  # each would hold 1 MiB of headers
            sock = _connect(server.url)
            sockets.append(sock)
            try:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * (1 << 20))
            except OSError:
                pass
        for _ in range(40):  # each would hold 3.8 MB of body
            sock = _connect(server.url)
            sockets.append(sock)
            try:
                sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                             b"Content-Length: 3900000\r\n\r\n" + b"#" * 3_800_000)
            except OSError:
                pass
        time.sleep(1.0)
        grown = (_rss_kib(server.process.pid) - before) / 1024
        assert grown < 112, f"the server grew by {grown:.0f} MiB"
        for sock in sockets:
            sock.close()
        assert httpx.get(server.url + "healthz", timeout=30).status_code == 200
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


@pytest.mark.slow
@pytest.mark.server
def test_clients_that_crash_workers_in_a_loop_cost_other_clients_nothing():
    server = LiveServer("--max-concurrent", "2", "--timeout", "5")
    try:
        stop = time.monotonic() + 6
        attacks: list[httpx.Response] = []
        ordinary: list[httpx.Response] = []

        def attacker() -> None:
            with httpx.Client(timeout=60) as http:
                while time.monotonic() < stop:
                    attacks.append(http.get(server.endpoint, params={"query": CRASH}))

        def bystander() -> None:
            with httpx.Client(timeout=60) as http:
                while time.monotonic() < stop:
                    ordinary.append(http.get(server.endpoint, params={"query": MISSIONS}))
                    time.sleep(0.05)

        threads = [threading.Thread(target=attacker) for _ in range(4)] + [threading.Thread(target=bystander)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert attacks and all(a.status_code == 500 and "crashed" in a.text for a in attacks)
        assert len(ordinary) >= 10
        assert [r.status_code for r in ordinary if r.status_code != 200] == []
        assert all(rows(r) == EXPECTED_MISSIONS for r in ordinary)
        assert not any("Traceback" in line or "panicked" in line for line in server.log)
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.server
def test_a_live_server_on_loopback_refuses_other_host_names():
    server = LiveServer("--max-concurrent", "1")
    try:
        assert httpx.get(server.url + "healthz", timeout=30).status_code == 200
        rebound = httpx.get(server.url + "healthz", headers={"Host": "attacker.example"}, timeout=30)
        assert rebound.status_code == 400 and "--allowed-host" in rebound.text
        port = server.url.rstrip("/").rsplit(":", 1)[1]
        local = httpx.get(server.url + "healthz", headers={"Host": f"localhost:{port}"}, timeout=30)
        assert local.status_code == 200
    finally:
        server.stop()
