"""The HTTP client: no redirects followed, a total deadline, a cap on the decoded body
(gzip bombs included), and answers whose shape is checked; all against local servers."""

from __future__ import annotations

import gzip
import socket
import threading
import time

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.errors import NetworkError, UsageError
from afkg.wikidata.client import WebClient, _retry_after, check_url

from fakes import FakeServer, Reply


@pytest.fixture()
def trap():
    with FakeServer(lambda request: Reply(body={"ok": True})) as server:
        yield server


def client(**kwargs):
    slept: list[float] = []
    return WebClient(sleep=slept.append, **kwargs), slept


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
