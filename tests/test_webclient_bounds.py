"""The HTTP client: no redirects followed, a total deadline, a cap on the decoded body
(gzip bombs included), and answers whose shape is checked; all against local servers.
The same guarantees hold for every caller: Wikidata, federation, remote endpoints and push."""

from __future__ import annotations

import gzip
import socket
import threading
import time

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.errors import NetworkError, QueryError, UsageError
from afkg.http_client import USER_AGENT, HttpClient, _retry_after, check_url
from afkg.publish.push import push
from afkg.query.remote import RemoteEngine

from fakes import FakeServer, Reply, Request, Trickle


@pytest.fixture()
def trap():
    with FakeServer(lambda request: Reply(body={"ok": True})) as server:
        yield server


def client(**kwargs):
    slept: list[float] = []
    return HttpClient(sleep=slept.append, **kwargs), slept


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_never_followed(trap, status):
    with FakeServer(lambda request: Reply(status=status, headers={"Location": f"{trap.url}/steal"})) as server:
        web, _ = client()
        with pytest.raises(NetworkError, match=f"HTTP {status} \\(a redirect to {trap.url}/steal\\); "
                                               "redirects are not followed"):
            web.sparql_select(f"{server.url}/sparql", "SELECT * WHERE { ?s ?p ?o }")
        with pytest.raises(NetworkError, match="redirects are not followed"):
            web.get_json(f"{server.url}/w/api.php", {"action": "wbgetentities"})
    assert trap.requests == []


@pytest.mark.parametrize("command", ["refresh", "suggest"])
def test_link_commands_do_not_follow_a_redirecting_api(trap, project_copy, command):
    with FakeServer(lambda request: Reply(status=307, headers={"Location": f"{trap.url}/w/api.php"})) as server:
        result = CliRunner().invoke(cli, ["--root", str(project_copy), "link", command,
                                          "--api", f"{server.url}/w/api.php"])
    assert result.exit_code == 1
    assert "redirects are not followed" in result.output and "Traceback" not in result.output
    assert trap.requests == []


def test_a_gzip_bomb_stops_at_the_body_cap():
    bomb = gzip.compress(b"0" * (20 << 20))
    assert len(bomb) < 1 << 20
    with FakeServer(lambda request: Reply(body=bomb, headers={"Content-Encoding": "gzip",
                                                              "Content-Type": "application/json"})) as server:
        web, _ = client()
        with pytest.raises(NetworkError, match=f"answered more than {16 << 20} bytes; refused"):
            web.get_json(f"{server.url}/w/api.php", {})


def test_a_plain_body_past_the_cap_is_refused():
    with FakeServer(lambda request: Reply(body=b"[" + b" " * 4096 + b"]")) as server:
        web, _ = client(max_bytes=1024)
        with pytest.raises(NetworkError, match="answered more than 1024 bytes"):
            web.get_json(f"{server.url}/w/api.php", {})


def test_gzip_answers_within_the_cap_are_read():
    body = gzip.compress(b'{"entities": {}}')
    with FakeServer(lambda request: Reply(body=body, headers={"Content-Encoding": "gzip"})) as server:
        web, _ = client()
        assert web.get_json(f"{server.url}/w/api.php", {}) == {"entities": {}}


@pytest.fixture()
def trickle():
    """A server that sends its headers, then one body byte every 0.2 s for a long time."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                for _ in range(500):
                    if stop.is_set():
                        break
                    conn.sendall(b" ")
                    time.sleep(0.2)
            except OSError:
                pass
            finally:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    listener.close()


def test_a_slow_body_ends_at_the_total_deadline(trickle):
    web, _ = client(timeout=1)
    with pytest.raises(NetworkError, match="did not answer within 1 s"):
        web.get_json(f"{trickle}/w/api.php", {})


def test_deeply_nested_json_is_one_line():
    with FakeServer(lambda request: Reply(body=b"[" * 100_000 + b"]" * 100_000)) as server:
        web, _ = client()
        with pytest.raises(NetworkError, match="JSON nested too deep"):
            web.get_json(f"{server.url}/w/api.php", {})


@pytest.mark.parametrize("value,expected", [("soon", 5.0), ("", 5.0), ("7", 7.0), ("-3", 0.0), ("nan", 5.0),
                                            ("inf", 5.0), ("Mon, 99 Foo 2024", 5.0)])
def test_retry_after_values_that_are_not_delays_fall_back(value, expected):
    assert _retry_after(value, 5.0) == expected


def test_retry_after_soon_and_odd_maxlag_are_retried_politely():
    answers = iter([
        Reply(status=429, headers={"Retry-After": "soon"}),
        Reply(body={"error": {"code": "maxlag", "lag": "a lot", "info": "lagging"}}),
        Reply(body={"entities": {}}),
    ])
    with FakeServer(lambda request: next(answers)) as server:
        web, slept = client()
        assert web.get_json(f"{server.url}/w/api.php", {}) == {"entities": {}}
    assert slept == [5.0, 5.0]


@pytest.mark.parametrize("entity", [
    [], "Q1", {"labels": []}, {"labels": {"en": "x"}}, {"claims": {"P31": "x"}}, {"claims": ["x"]},
])
def test_wbgetentities_answers_of_the_wrong_shape_are_network_errors(entity):
    from afkg.wikidata.refresh import fetch_items

    with FakeServer(lambda request: Reply(body={"entities": {"Q1": entity}})) as server:
        web, _ = client()
        with pytest.raises(NetworkError, match="malformed answer from Wikidata|Wikidata has no item"):
            fetch_items(web, ["Q1"], f"{server.url}/w/api.php")


@pytest.mark.parametrize("value", ["http://[::1", "http://x:abc/", "ftp://x.example/", "not a url",
                                   "http:///nohost", "javascript:alert(1)", "http://a\x01b/"])
def test_bad_urls_are_usage_errors(value):
    with pytest.raises(UsageError):
        check_url(value, "--api")


@pytest.mark.parametrize("value", ["http://[::1", "http://x:abc/", "file:///etc/passwd"])
def test_bad_api_option_is_a_one_line_usage_error(value):
    result = CliRunner().invoke(cli, ["link", "refresh", "--api", value])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("afkg: error: --api: ")


def test_bad_api_variable_is_a_one_line_usage_error(monkeypatch):
    monkeypatch.setenv("AFKG_WIKIDATA_API", "http://[::1")
    result = CliRunner().invoke(cli, ["link", "suggest"])
    assert result.exit_code == 2 and "$AFKG_WIKIDATA_API" in result.output



# --- every caller: Wikidata, federation, remote endpoints, push ----------------------------------

SPARQL_JSON = {"Content-Type": "application/sparql-results+json"}
EMPTY_RESULTS = {"head": {"vars": ["x"]}, "results": {"bindings": []}}


def ask_wikidata(url, kg, **options):
    with HttpClient(**options) as web:
        return web.get_json(f"{url}/w/api.php", {"action": "wbgetentities"})


def ask_service(url, kg, **options):
    with HttpClient(**options) as web:
        return web.sparql_select(f"{url}/sparql", "SELECT * WHERE { ?s ?p ?o }")


def ask_endpoint(url, kg, **options):
    engine = RemoteEngine(f"{url}/sparql", **options)
    try:
        return engine.run("SELECT ?x WHERE { ?x ?p ?o }", {})
    finally:
        engine.close()


def ask_store(url, kg, **options):
    return push(kg, store=f"{url}/store", **options)


CALLERS = {"wikidata": ask_wikidata, "federation": ask_service, "remote": ask_endpoint, "push": ask_store}


def success(caller):
    """What a server answers a caller that is to succeed."""
    if caller == "wikidata":
        return Reply(body={"entities": {}})
    if caller == "push":
        return Reply(status=204)
    return Reply(body=EMPTY_RESULTS, headers=SPARQL_JSON)


@pytest.mark.sample(1)
@pytest.mark.parametrize("caller", CALLERS)
def test_every_caller_ends_at_the_total_deadline(kg, caller):
    """A body whose bytes come just under the timeout apart never lets one read time out;
    the watchdog ends the request at its total deadline all the same."""
    before = time.monotonic()
    if caller == "push":  # the graphs are written before the first request: time that apart
        with FakeServer(lambda request: Reply(status=204)) as quick:
            ask_store(quick.url, kg)
    setup = time.monotonic() - before
    message = r"query stopped after 1.5 s \(--timeout\)" if caller == "remote" else \
        "127.0.0.1 did not answer within 1.5 s"
    with Trickle(pause=1.4, content_type="application/sparql-results+json") as server:
        start = time.monotonic()
        with pytest.raises(QueryError if caller == "remote" else NetworkError, match=message) as caught:
            CALLERS[caller](server.url, kg, timeout=1.5)
        elapsed = time.monotonic() - start
    assert "\n" not in str(caught.value)
    assert server.requests == 1
    # per read, it would end at the second byte, 2.8 s in
    assert elapsed < 1.5 + setup + 0.8, elapsed


@pytest.mark.parametrize("caller", CALLERS)
def test_every_caller_stops_a_gzip_bomb_at_the_cap(kg, caller):
    bomb = gzip.compress(b" " * (20 << 20))
    reply = Reply(body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/sparql-results+json"})
    message = "the answer is larger than 16 MiB" if caller == "remote" else f"answered more than {16 << 20} bytes"
    with FakeServer(lambda request: reply) as server:
        with pytest.raises(QueryError if caller == "remote" else NetworkError, match=message):
            CALLERS[caller](server.url, kg)
    assert len(server.requests) == 1


@pytest.mark.parametrize("caller", CALLERS)
def test_every_caller_refuses_an_encoding_it_did_not_ask_for(kg, caller):
    reply = Reply(body=b"\x0b\x02\x80{}\x03", headers={"Content-Encoding": "br", **SPARQL_JSON})
    with FakeServer(lambda request: reply) as server:
        with pytest.raises(NetworkError, match="unsupported Content-Encoding 'br'"):
            CALLERS[caller](server.url, kg)
        assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize("caller", CALLERS)
def test_every_caller_follows_no_redirect(trap, kg, caller):
    with FakeServer(lambda request: Reply(status=307, headers={"Location": f"{trap.url}/steal"})) as server:
        with pytest.raises(NetworkError, match=f"HTTP 307 \\(a redirect to {trap.url}/steal\\); "
                                               "redirects are not followed"):
            CALLERS[caller](server.url, kg)
        assert len(server.requests) == 1
    assert trap.requests == []


@pytest.mark.parametrize("caller", CALLERS)
def test_every_caller_waits_as_retry_after_asks(kg, caller):
    busy = iter([Reply(status=503, headers={"Retry-After": "2"}), Reply(status=429, headers={"Retry-After": "soon"})])

    def respond(request: Request) -> Reply:
        return next(busy, None) or success(caller)

    slept: list[float] = []
    with FakeServer(respond) as server:
        CALLERS[caller](server.url, kg, sleep=slept.append)
    assert slept == [2.0, 5.0]
    assert server.requests[0].body == server.requests[2].body  # the same request, sent again
    assert {r.headers["User-Agent"] for r in server.requests} == {USER_AGENT}


@pytest.mark.parametrize("caller", CALLERS)
def test_every_caller_gives_up_when_asked_to_wait_too_long(kg, caller):
    slept: list[float] = []
    with FakeServer(lambda request: Reply(status=503, headers={"Retry-After": "3600"})) as server:
        with pytest.raises(NetworkError, match=r"127.0.0.1 asks to wait 3600 s \(HTTP 503\), more than 60 s"):
            CALLERS[caller](server.url, kg, sleep=slept.append)
    assert slept == [] and len(server.requests) == 1


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("timeout", [0, float("nan"), float("inf")])
def test_every_caller_checks_its_timeout_alike(kg, caller, timeout):
    with pytest.raises(UsageError, match="--timeout must be a finite number of seconds above 0"):
        CALLERS[caller]("http://127.0.0.1:9", kg, timeout=timeout)


# --- URLs: one check for every option, credentials never accepted nor shown ------------------------

@pytest.mark.parametrize("args", [
    ["link", "refresh", "--api", "http://me:s3cret@127.0.0.1:9/w/api.php"],
    ["query", "run", "trade-by-year", "--allow-service", "http://me:s3cret@127.0.0.1:9/sparql"],
    ["query", "run", "trade-by-year", "--service-endpoint",
     "https://query.wikidata.org/sparql=http://me:s3cret@127.0.0.1:9/sparql"],
    ["query", "run", "trade-by-year", "--endpoint", "http://me:s3cret@127.0.0.1:9/sparql"],
    ["push", "--store", "http://me:s3cret@127.0.0.1:9/store"],
    ["push", "--update-endpoint", "http://me:s3cret@127.0.0.1:9/update"],
    ["link", "refresh", "--api", "http://me:s3cret@[::1/w/api.php"],
    ["push", "--store", "http://me:s3cret@127.0.0.1:9/a b"],
])
def test_credentials_in_a_url_are_refused_and_never_shown(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("afkg: error: ")
    assert "s3cret" not in result.output


def test_a_bad_url_is_shown_without_its_query():
    with pytest.raises(UsageError) as caught:
        check_url("http://127.0.0.1:9/a b?token=t0k", "--endpoint")
    assert "t0k" not in str(caught.value) and "'http://127.0.0.1:9/a b'" in str(caught.value)


@pytest.mark.parametrize("caller", ["remote", "push"])
def test_remote_and_store_urls_must_be_iris(kg, caller):
    """httpx would send ``a b`` as ``a%20b``; the one URL check refuses it before anything is sent."""
    with pytest.raises(UsageError, match="is not a valid URL"):
        CALLERS[caller]("http://127.0.0.1:9/a b", kg)


def test_a_redirect_target_is_named_without_credentials_or_query():
    location = "http://u:s3cret@127.0.0.1:9/steal?token=t0k"
    with FakeServer(lambda request: Reply(status=302, headers={"Location": location})) as server:
        with pytest.raises(NetworkError, match=r"\(a redirect to http://127.0.0.1:9/steal\)") as caught:
            ask_wikidata(server.url, None)
    assert "s3cret" not in str(caught.value) and "t0k" not in str(caught.value)
