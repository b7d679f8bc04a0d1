"""Federation under attack: SERVICE spellings, injected answers, redirects, malformed
and unbounded answers, two clauses, bad endpoint options. The trap must see nothing."""

from __future__ import annotations

import json
import zlib
from functools import cache
from itertools import repeat

import pytest

from .harness import Expect
from .servers import Raw, Seen, json_reply

# Every case runs in the whole suite; the fast tier keeps the first case of each parametrized test.
pytestmark = [pytest.mark.hostile, pytest.mark.sample(1)]

WIKIDATA = "https://query.wikidata.org/sparql"
ENGINES = ("oxigraph", "rdflib")
SECRET = "afkg-hostile-secret-5c1e"
"""Contents of a file outside the project that no case may read back."""


def secret_file(hostile) -> str:
    path = hostile.workspace().sentinels / "secret.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return str(path)
REFUSED = Expect((2,))
FAILED = Expect((1,))

EMPTY = json.dumps({"head": {"vars": ["y"]}, "results": {"bindings": []}})
ONE_ROW = json.dumps({"head": {"vars": ["x", "y"]}, "results": {"bindings": [
    {"x": {"type": "uri", "value": "urn:a"}, "y": {"type": "literal", "value": "answer"}}]}})


def answer(body: str | bytes, status: int = 200, **headers: str):
    return lambda seen: json_reply(body, status, **headers)


def write_query(hostile, text: str, name: str = "q.rq") -> str:
    path = hostile.workspace().base / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- item 1: SERVICE decided from the parsed query, whatever the spelling ----------------------

SPELLINGS = {
    "escaped-S": r"\u0053ERVICE",
    "escaped-lower-s": r"\u0073ervice",
    "escaped-I": r"SERV\u0049CE",
    "long-s": "ſERVICE",
    "dotless-i": "SERVıCE",
    "lowercase": "service",
    "mixed-case": "SeRvIcE",
    "escaped-all": r"\u0053\u0045\u0052\u0056\u0049\u0043\u0045",
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("spelling", SPELLINGS, ids=list(SPELLINGS))
def test_service_spelling_to_trap_is_refused(hostile, spelling, engine):
    keyword = SPELLINGS[spelling]
    query = write_query(hostile, f"SELECT * WHERE {{ BIND(<urn:a> AS ?s) {keyword} <{hostile.trap_url}/sparql> "
                                 f"{{ ?s ?p ?o }} }}\n")
    hostile.run(["query", "exec", query, "--engine", engine], REFUSED)


PLACES = {
    "silent": "SELECT * WHERE {{ SERVICE SILENT <{trap}> {{ ?s ?p ?o }} }}",
    "in-optional": "SELECT * WHERE {{ BIND(1 AS ?n) OPTIONAL {{ SERVICE <{trap}> {{ ?s ?p ?o }} }} }}",
    "in-exists": "SELECT * WHERE {{ BIND(1 AS ?n) FILTER EXISTS {{ SERVICE <{trap}> {{ ?s ?p ?o }} }} }}",
    "in-minus": "SELECT * WHERE {{ BIND(1 AS ?n) MINUS {{ SERVICE <{trap}> {{ ?s ?p ?o }} }} }}",
    "in-subquery": "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{trap}> {{ ?s ?p ?o }} }} }} }}",
    "in-union": "SELECT * WHERE {{ {{ BIND(1 AS ?n) }} UNION {{ SERVICE <{trap}> {{ ?s ?p ?o }} }} }}",
    "ask": "ASK {{ SERVICE <{trap}> {{ ?s ?p ?o }} }}",
    "construct": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{trap}> {{ ?s ?p ?o }} }}",
    "variable-endpoint": "SELECT * WHERE {{ BIND(<{trap}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "prefixed-endpoint": "PREFIX t: <{trap}/> SELECT * WHERE {{ SERVICE t:sparql {{ ?s ?p ?o }} }}",
    "relative-endpoint": "BASE <{trap}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    "nested-service": "SELECT * WHERE {{ SERVICE <{allowed}> {{ SERVICE <{trap}> {{ ?s ?p ?o }} }} }}",
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("place", PLACES, ids=list(PLACES))
def test_service_to_trap_anywhere_is_refused(hostile, place, engine):
    allowed = hostile.allowed_url + "/sparql"
    query = write_query(hostile, PLACES[place].format(trap=hostile.trap_url + "/sparql", allowed=allowed) + "\n")
    expect = Expect((2,)) if place != "nested-service" else Expect((1, 2))
    hostile.run(["query", "exec", query, "--engine", engine, "--allow-service", allowed], expect,
                script=answer(EMPTY))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("keyword", ["FROM", "FROM NAMED"])
def test_dataset_clause_fetches_nothing(hostile, keyword, engine):
    query = write_query(hostile, f"SELECT * {keyword} <{hostile.trap_url}/data.ttl> WHERE {{ ?s ?p ?o }} LIMIT 1\n")
    hostile.run(["query", "exec", query, "--engine", engine, "--format", "csv"], Expect((0, 2)))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("update", ["LOAD <{trap}/data.ttl>", "LOAD SILENT <{trap}/x> INTO GRAPH <urn:g>",
                                    "INSERT DATA {{ <urn:a> <urn:b> <urn:c> }}"])
def test_updates_are_refused(hostile, update, engine):
    query = write_query(hostile, update.format(trap=hostile.trap_url) + "\n")
    hostile.run(["query", "exec", query, "--engine", engine], REFUSED)


# --- item 2: values from an endpoint's answer never become query text -------------------------

def _injections(trap: str) -> dict[str, dict]:
    service = f"SERVICE <{trap}/injected> {{ ?q ?r ?t }}"
    uri = {"type": "uri", "value": f"urn:b> ) }} {service} VALUES (?z) {{ (<urn:c"}
    datatype = {"type": "literal", "value": "x", "datatype": f"urn:d> ) }} {service} VALUES (?z) {{ (\"x\"^^<urn:c"}
    lang = {"type": "literal", "value": "x", "xml:lang": f"en ) }} {service} VALUES (?z) {{ (\"x\"@en"}
    literal = {"type": "literal", "value": f"x\" ) }} {service} VALUES (?z) {{ (\"x"}
    bnode = {"type": "bnode", "value": f"b> ) }} {service} #"}
    variable = f"y) {{ }} }} {service} VALUES (?z ?w"

    def body(vars_: list[str], value: dict, name: str = "y") -> dict:
        return {"head": {"vars": vars_}, "results": {"bindings": [
            {"x": {"type": "uri", "value": "urn:a"}, name: value}]}}

    return {
        "iri": body(["x", "y"], uri),
        "datatype": body(["x", "y"], datatype),
        "lang-tag": body(["x", "y"], lang),
        "literal": body(["x", "y"], literal),
        "bnode": body(["x", "y"], bnode),
        "variable-name": body(["x", variable], {"type": "literal", "value": "v"}, variable),
    }


INJECTIONS = ["iri", "datatype", "lang-tag", "literal", "bnode", "variable-name"]
FEDERATED = "SELECT ?x ?y WHERE {{ BIND(<urn:a> AS ?x) SERVICE <{endpoint}> {{ ?x <urn:p> ?y }} }}\n"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("payload", INJECTIONS)
def test_injected_answer_reaches_no_second_endpoint(hostile, payload, engine):
    endpoint = hostile.allowed_url + "/sparql"
    query = write_query(hostile, FEDERATED.format(endpoint=endpoint))
    body = json.dumps(_injections(hostile.trap_url)[payload])
    hostile.run(["query", "exec", query, "--engine", engine, "--allow-service", endpoint, "--format", "csv"],
                Expect((0, 1)), script=answer(body))
    assert hostile.allowed.seen, "the allowed endpoint was never asked"


# --- item 3: redirects are not followed to a host outside the allow-list -----------------------

REDIRECTS = (301, 302, 303, 307, 308)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("status", REDIRECTS)
def test_endpoint_redirect_to_trap(hostile, status, engine):
    endpoint = hostile.allowed_url + "/sparql"
    query = write_query(hostile, FEDERATED.format(endpoint=endpoint))
    hostile.run(["query", "exec", query, "--engine", engine, "--allow-service", endpoint],
                FAILED, script=answer("", status, Location=hostile.trap_url + "/sparql"))


@pytest.mark.parametrize("status", (302, 307))
def test_mapped_endpoint_redirect_to_trap(hostile, status):
    query = write_query(hostile, FEDERATED.format(endpoint=WIKIDATA))
    hostile.run(["query", "exec", query, "--service-endpoint", f"{WIKIDATA}={hostile.allowed_url}/sparql"],
                FAILED, script=answer("", status, Location=hostile.trap_url + "/sparql"))


@pytest.mark.parametrize("command", ["refresh", "suggest"])
@pytest.mark.parametrize("status", REDIRECTS)
def test_api_redirect_to_trap(hostile, command, status):
    hostile.run(["link", command, "--api", hostile.allowed_url + "/w/api.php"], FAILED,
                script=answer("", status, Location=hostile.trap_url + "/w/api.php"))


# --- item 4: two SERVICE clauses, or SERVICE text inside a string ------------------------------

TWO_CLAUSES = {
    "two-clauses": ("SELECT * WHERE {{ BIND(<urn:a> AS ?x) SERVICE <{w}> {{ ?x <urn:p> ?y }} "
                    "SERVICE <{w}> {{ ?x <urn:q> ?z }} }}"),
    "same-clause-twice": ("SELECT * WHERE {{ BIND(<urn:a> AS ?x) {{ SERVICE <{w}> {{ ?x <urn:p> ?y }} }} UNION "
                          "{{ SERVICE <{w}> {{ ?x <urn:p> ?y }} }} }}"),
    "text-in-literal-first": ("SELECT * WHERE {{ BIND(<urn:a> AS ?x) "
                              "FILTER(?x != \"SERVICE <{w}> {{ ?x <urn:p> ?y }}\") "
                              "SERVICE <{w}> {{ ?x <urn:p> ?y }} }}"),
    "text-in-comment-first": ("SELECT * WHERE {{ BIND(<urn:a> AS ?x)\n# SERVICE <{w}> {{ ?x <urn:p> ?y }}\n"
                              "SERVICE <{w}> {{ ?x <urn:p> ?y }} }}"),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("shape", TWO_CLAUSES, ids=list(TWO_CLAUSES))
def test_every_clause_goes_to_the_mapped_endpoint(hostile, shape, engine):
    """The SERVICE IRI is the trap's (allowed, so the query runs) and is mapped to the allowed
    server: a clause left unmapped makes the engine call the trap itself. (The trap stands in
    for the real host so that a broken build never reaches the internet.)"""
    service = hostile.trap_url + "/sparql"
    query = write_query(hostile, TWO_CLAUSES[shape].format(w=service) + "\n")
    hostile.run(["query", "exec", query, "--engine", engine, "--format", "csv", "--allow-service", service,
                 "--service-endpoint", f"{service}={hostile.allowed_url}/sparql"],
                Expect((0,)), script=answer(EMPTY))
    assert hostile.allowed.seen, "the mapped endpoint was never asked"


# --- items 21 and 29: an empty answer on rdflib; a brace in a comment before SELECT -----------

@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("prologue", ["", "# a { in a comment\n", "# }}} {{{\n"],
                         ids=["plain", "brace-in-comment", "braces-in-comment"])
def test_federated_query_with_empty_answer(hostile, prologue, engine):
    endpoint = hostile.allowed_url + "/sparql"
    query = write_query(hostile, prologue + FEDERATED.format(endpoint=endpoint))
    hostile.run(["query", "exec", query, "--engine", engine, "--allow-service", endpoint, "--format", "csv"],
                Expect((0,)), script=answer(EMPTY))


# --- item 16: malformed SPARQL answers ---------------------------------------------------------

MALFORMED = {
    "list": "[]",
    "empty-object": "{}",
    "null": "null",
    "string": '"results"',
    "head-list": '{"head": [], "results": {"bindings": []}}',
    "vars-number": '{"head": {"vars": 5}, "results": {"bindings": []}}',
    "vars-of-numbers": '{"head": {"vars": [1, 2]}, "results": {"bindings": []}}',
    "results-list": '{"head": {"vars": ["y"]}, "results": []}',
    "bindings-object": '{"head": {"vars": ["y"]}, "results": {"bindings": {}}}',
    "binding-number": '{"head": {"vars": ["y"]}, "results": {"bindings": [1]}}',
    "value-string": '{"head": {"vars": ["y"]}, "results": {"bindings": [{"y": "x"}]}}',
    "uri-without-value": '{"head": {"vars": ["y"]}, "results": {"bindings": [{"y": {"type": "uri"}}]}}',
    "uri-number": '{"head": {"vars": ["y"]}, "results": {"bindings": [{"y": {"type": "uri", "value": 5}}]}}',
    "uri-with-space": ('{"head": {"vars": ["y"]}, "results": {"bindings": [{"y": {"type": "uri", '
                       '"value": "urn:a b"}}]}}'),
    "datatype-number": ('{"head": {"vars": ["y"]}, "results": {"bindings": [{"y": {"type": "literal", '
                        '"value": "x", "datatype": 5}}]}}'),
    "unknown-type": '{"head": {"vars": ["y"]}, "results": {"bindings": [{"y": {"type": "x", "value": "v"}}]}}',
    "vars-not-names": '{"head": {"vars": ["y z", "?"]}, "results": {"bindings": []}}',
    "deep-nesting": "[" * 100000 + "]" * 100000,
    "deep-object": '{"a":' * 50000 + "1" + "}" * 50000,
    "html": "<html><body>Service unavailable</body></html>",
    "empty": "",
    "not-utf8": b'{"head": {"vars": ["y"]}, "results": {"bindings": [{"y": {"type": "literal", "value": "\xff\xfe"}}]}}',
    "nan": '{"head": {"vars": ["y"]}, "results": {"bindings": NaN}}',
}


@pytest.mark.parametrize("kind", MALFORMED, ids=list(MALFORMED))
def test_malformed_sparql_answer(hostile, kind):
    endpoint = hostile.allowed_url + "/sparql"
    query = write_query(hostile, FEDERATED.format(endpoint=endpoint))
    lenient = kind in ("uri-with-space", "vars-of-numbers", "unknown-type")
    hostile.run(["query", "exec", query, "--allow-service", endpoint], Expect((0, 1)) if lenient else FAILED,
                script=answer(MALFORMED[kind]))


@pytest.mark.parametrize("kind", ["results-list", "value-string", "deep-nesting", "uri-without-value"])
def test_malformed_sparql_answer_rdflib(hostile, kind):
    endpoint = hostile.allowed_url + "/sparql"
    query = write_query(hostile, FEDERATED.format(endpoint=endpoint))
    hostile.run(["query", "exec", query, "--allow-service", endpoint, "--engine", "rdflib"], FAILED,
                script=answer(MALFORMED[kind]))


# (status, headers, the waits between the four attempts): a Retry-After that is no number of
# seconds nor a date waits the default 5 s; one beyond the client's longest wait (60 s) gives up
# at once; a 500 is not retried.
RETRY = {
    "503-soon": (503, {"Retry-After": "soon"}, [5.0] * 3),
    "429-soon": (429, {"Retry-After": "soon"}, [5.0] * 3),
    "503-empty-date": (503, {"Retry-After": "Mon, 99 Foo 0000 99:99:99 GMT"}, [5.0] * 3),
    "503-huge": (503, {"Retry-After": "1e308"}, []),
    "429-nan": (429, {"Retry-After": "nan"}, [5.0] * 3),
    "500": (500, {}, []),
}


@pytest.mark.parametrize("kind", RETRY, ids=list(RETRY))
def test_endpoint_busy_or_broken(hostile, kind):
    """The client retries as the endpoint asks, within its bounds, then fails with exit 1; the
    back-off runs on a clock that records each wait instead of sleeping."""
    status, headers, waits = RETRY[kind]
    endpoint = hostile.allowed_url + "/sparql"
    query = write_query(hostile, FEDERATED.format(endpoint=endpoint))
    sleeps: list[float] = []
    hostile.run(["query", "exec", query, "--allow-service", endpoint], FAILED, bound=15,
                script=answer("busy", status, **headers), sleeps=sleeps)
    assert sleeps == waits


# --- item 11: unbounded answers ----------------------------------------------------------------

@cache
def gzip_bomb() -> bytes:
    """About 1 MiB of gzip that inflates to 1 GiB of spaces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 24)
    parts = [packer.compress(b'{"head": {"vars": ["y"]}, "results": {"bindings": [], "padding": "')]
    parts += [packer.compress(block) for _ in range(64)]
    parts.append(packer.flush())
    return b"".join(parts)


def slow_loris(seen: Seen) -> Raw:
    return Raw(headers={"Content-Type": "application/sparql-results+json"},
               chunks=repeat(b" ", 400), pause=0.25, length=False)


def gzip_reply(seen: Seen) -> Raw:
    return Raw(headers={"Content-Type": "application/sparql-results+json", "Content-Encoding": "gzip"},
               chunks=[gzip_bomb()])


def huge_reply(seen: Seen) -> Raw:
    head = b'{"head": {"vars": ["y"]}, "results": {"bindings": [], "padding": "'
    return Raw(headers={"Content-Type": "application/sparql-results+json"},
               chunks=[head, *repeat(b"a" * (1 << 20), 700), b'"}}'], length=False)


# the fast tier keeps the first (sample(1)): the one that neither waits for the timeout nor builds the bomb
UNBOUNDED = {"huge-body": huge_reply, "slow-loris": slow_loris, "gzip-bomb": gzip_reply}


@pytest.mark.parametrize("kind", UNBOUNDED, ids=list(UNBOUNDED))
def test_unbounded_sparql_answer(hostile, kind):
    endpoint = hostile.allowed_url + "/sparql"
    query = write_query(hostile, FEDERATED.format(endpoint=endpoint))
    hostile.run(["query", "exec", query, "--allow-service", endpoint, "--timeout", "3"], FAILED, bound=5,
                script=UNBOUNDED[kind], memory=1 << 30)


@pytest.mark.parametrize("kind", UNBOUNDED, ids=list(UNBOUNDED))
def test_unbounded_api_answer(hostile, kind):
    hostile.run(["link", "refresh", "--api", hostile.allowed_url + "/w/api.php", "--timeout", "3"], FAILED,
                bound=5, script=UNBOUNDED[kind], memory=1 << 30)


# --- item 16: malformed Wikidata API answers ----------------------------------------------------

API_MALFORMED = {
    "list": ("[]", 200, {}),
    "entities-list": ('{"entities": []}', 200, {}),
    "entity-string": ('{"entities": {"Q142": "France", "Q222": "Albania"}}', 200, {}),
    "claims-string": ('{"entities": {"Q142": {"claims": "x", "labels": {}}}}', 200, {}),
    "labels-list": ('{"entities": {"Q142": {"labels": [], "claims": {}}}}', 200, {}),
    "claim-wrong-types": ('{"entities": {"Q142": {"labels": {"en": {"value": 5}}, "claims": {"P31": '
                          '[{"mainsnak": {"datavalue": {"value": {"id": 7}}}}]}}}}', 200, {}),
    "error-string": ('{"error": "boom"}', 200, {}),
    "deep-nesting": ("[" * 100000 + "]" * 100000, 200, {}),
    "maxlag-soon": ('{"error": {"code": "maxlag", "info": "lagged", "lag": "abc"}}', 200, {"Retry-After": "soon"}),
    "maxlag-nonnumeric": ('{"error": {"code": "maxlag", "info": "lagged", "lag": "a lot"}}', 200,
                          {"Retry-After": "a lot"}),
    "503-soon": ("busy", 503, {"Retry-After": "soon"}),
    "not-json": ("<html>", 200, {}),
}


RETRIED = {"maxlag-soon", "maxlag-nonnumeric", "503-soon"}
"""Answers the client retries after the default 5 s, three times, before it gives up."""


@pytest.mark.parametrize("kind", API_MALFORMED, ids=list(API_MALFORMED))
def test_malformed_api_answer_refresh(hostile, kind):
    body, status, headers = API_MALFORMED[kind]
    sleeps: list[float] = []
    hostile.run(["link", "refresh", "--api", hostile.allowed_url + "/w/api.php"], FAILED,
                script=answer(body, status, **headers), bound=15, sleeps=sleeps)
    assert sleeps == ([5.0] * 3 if kind in RETRIED else [])


SEARCH_MALFORMED = {
    "search-string": '{"search": "x"}',
    "hits-numbers": '{"search": [1, 2]}',
    "id-number": '{"search": [{"id": 5, "label": 1}]}',
    "id-injection": '{"search": [{"id": "Q1|Q2&action=edit", "label": "x"}]}',
    "deep-nesting": "[" * 100000 + "]" * 100000,
}


@pytest.mark.parametrize("kind", SEARCH_MALFORMED, ids=list(SEARCH_MALFORMED))
def test_malformed_api_answer_suggest(hostile, kind):
    body = SEARCH_MALFORMED[kind]

    def script(seen: Seen) -> Raw:
        if seen.params.get("action") == "wbsearchentities":
            return json_reply(body, content_type="application/json")
        return json_reply('{"entities": "none"}', content_type="application/json")

    hostile.run(["link", "suggest", "--api", hostile.allowed_url + "/w/api.php"], FAILED,
                script=script, bound=15)


# --- item 17: bad endpoint options ----------------------------------------------------------------

BAD_MAPPINGS = {
    "no-equals": "foo",
    "no-iri": "=http://127.0.0.1:1/x",
    "no-url": WIKIDATA + "=",
    "bracket-url": WIKIDATA + "=http://[::1",
    "bad-port": WIKIDATA + "=http://127.0.0.1:abc/",
    "ftp-url": WIKIDATA + "=ftp://127.0.0.1/x",
    "file-url": WIKIDATA + "=file:///etc/hostname",
    "space-url": WIKIDATA + "=http://127.0.0.1 /x",
    "relative-url": WIKIDATA + "=sparql",
}


@pytest.mark.parametrize("kind", BAD_MAPPINGS, ids=list(BAD_MAPPINGS))
def test_bad_service_endpoint_option(hostile, kind):
    query = write_query(hostile, FEDERATED.format(endpoint=WIKIDATA))
    mapping = BAD_MAPPINGS[kind].replace("/etc/hostname", secret_file(hostile))
    hostile.run(["query", "exec", query, "--service-endpoint", mapping], Expect((2,), forbidden=(SECRET,)))


BAD_ALLOWED = {"bracket": "http://[::1", "bad-port": "http://x:abc/", "empty": "", "ftp": "ftp://127.0.0.1/x"}


@pytest.mark.parametrize("how", ["option", "environment"])
@pytest.mark.parametrize("kind", BAD_ALLOWED, ids=list(BAD_ALLOWED))
def test_bad_allowed_service(hostile, kind, how):
    value = BAD_ALLOWED[kind]
    query = write_query(hostile, FEDERATED.format(endpoint=value or hostile.allowed_url + "/sparql"))
    if how == "option":
        hostile.run(["query", "exec", query, "--allow-service", value], REFUSED)
    else:
        hostile.run(["query", "exec", query], REFUSED, env={"AFKG_ALLOWED_SERVICES": value or ","})


BAD_API = {"bracket": "http://[::1", "bad-port": "http://x:abc/", "ftp": "ftp://127.0.0.1/x",
           "file": "file:///etc/hostname", "javascript": "javascript:alert(1)", "empty": "", "relative": "api.php"}


@pytest.mark.parametrize("kind", BAD_API, ids=list(BAD_API))
def test_bad_api_option(hostile, kind):
    api = BAD_API[kind].replace("/etc/hostname", secret_file(hostile))
    hostile.run(["link", "refresh", "--api", api], Expect((2,), forbidden=(SECRET,)))


@pytest.mark.parametrize("value", ["-1", "nan", "abc"])
def test_bad_link_timeout(hostile, value):
    hostile.run(["link", "suggest", "--api", hostile.allowed_url + "/w/api.php", "--timeout", value], REFUSED,
                script=answer('{"search": []}', content_type="application/json"))


@pytest.mark.slow
def test_gzip_bomb_is_a_bomb():
    """The bomb is small on the wire and inflates past every cap, so the cases that send it mean something."""
    bomb = gzip_bomb()
    assert len(bomb) < 2 << 20
    inflated = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(bomb, 64 << 20)
    assert len(inflated) == 64 << 20 and inflated.startswith(b'{"head"')
