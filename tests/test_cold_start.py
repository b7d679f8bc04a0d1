"""Cold start: a stored query runs without importing what it does not use, the guard's verdict
on it is cached by content, and no cache file, however it is made, lets a query through that the
full check refuses to let reach the network. Ad-hoc queries are checked in full every time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from afkg.query import cache, guard

from fakes import FakeServer, Reply

PROJECT = Path(__file__).resolve().parent.parent

HEAVY = ("httpx", "rdflib", "pyparsing", "pyshacl", "pyrudof", "starlette", "uvicorn", "yaml", "jinja2",
         "afkg.server", "afkg.wikidata", "afkg.graph", "afkg.validation.validate", "afkg.publish")
"""Modules a local stored query (its guard verdict and header cached) has no use for."""

# Runs the command line in this process, the bounded child of a query included (run_bounded forks,
# and the child's imports would be out of sight), then writes the names of the loaded modules to a file.
IN_PROCESS = """
import json, sys
if "query" in sys.argv:
    import afkg.query.limits as limits
    limits.run_bounded = lambda function, **options: function()
from afkg.cli import main
try:
    main(sys.argv[2:])
except SystemExit as stop:
    code = stop.code
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def environment(cache_home: Path, root: Path = PROJECT) -> dict[str, str]:
    env = dict(os.environ, AFKG_ROOT=str(root), XDG_CACHE_HOME=str(cache_home))
    env.pop("AFKG_ALLOWED_SERVICES", None)
    return env


def in_process(tmp_path: Path, cache_home: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    report = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", IN_PROCESS, str(report), *args], capture_output=True,
                          env=environment(cache_home), timeout=120, check=False)
    return done, json.loads(report.read_text())


def afkg(cache_home: Path, *args: str, root: Path = PROJECT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "afkg", *args], capture_output=True, env=environment(cache_home, root),
                          timeout=120, check=False)


def heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def entries(cache_home: Path, folder: str = "guard") -> list[Path]:
    where = cache_home / "afkg" / folder
    return sorted(where.glob("*.json")) if where.is_dir() else []


def forge(cache_home: Path, text: str, kind: str = "SELECT") -> Path:
    """A verdict file that says ``text`` was accepted, exactly as afkg would write it."""
    key = guard.verdict_key(text)
    path = cache_home / "afkg" / "guard" / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": cache.FORMAT, "key": key, "kind": kind}), encoding="ascii")
    path.chmod(0o600)
    return path


@pytest.mark.sample(1)
@pytest.mark.parametrize("args", [("query", "run", "trade-by-year", "-p", "year=2024"),
                                  ("query", "run", "agreements-by-topic")])
def test_a_stored_query_imports_no_parser_client_or_server(tmp_path, args):
    first, cold = in_process(tmp_path, tmp_path / "cache", *args)
    assert first.returncode == 0 and cold["code"] in (0, None), first.stderr
    assert not [m for m in heavy(cold["modules"]) if not m.startswith(("rdflib", "pyparsing", "yaml"))]
    assert entries(tmp_path / "cache") and entries(tmp_path / "cache", "headers")
    second, warm = in_process(tmp_path, tmp_path / "cache", *args)
    assert second.returncode == 0 and warm["code"] in (0, None), second.stderr
    assert heavy(warm["modules"]) == []
    assert (second.stdout, second.stderr) == (first.stdout, first.stderr)


def test_help_imports_nothing_but_the_command_line(tmp_path):
    done, loaded = in_process(tmp_path, tmp_path / "cache", "--help")
    assert done.returncode == 0 and loaded["code"] in (0, None)
    assert b"query" in done.stdout
    assert [m for m in loaded["modules"] if m.startswith("afkg")] == ["afkg", "afkg.cli", "afkg.errors"]
    assert heavy(loaded["modules"]) == [] and "pyoxigraph" not in loaded["modules"]


def test_output_is_the_same_with_a_cold_a_warm_and_no_cache(tmp_path):
    args = ("query", "run", "trade-by-year", "-p", "year=2024", "--format", "json")
    cold = afkg(tmp_path / "cache", *args)
    warm = afkg(tmp_path / "cache", *args)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    unwritable = afkg(blocked, *args)
    assert cold.returncode == warm.returncode == unwritable.returncode == 0, cold.stderr
    assert cold.stdout == warm.stdout == unwritable.stdout and cold.stderr == warm.stderr == unwritable.stderr == b""
    assert json.loads(cold.stdout)["results"]["bindings"]


def test_verdict_files_are_private_and_hold_no_more_than_a_kind(tmp_path):
    assert afkg(tmp_path / "cache", "query", "run", "agreements-by-topic").returncode == 0
    [entry] = entries(tmp_path / "cache")
    assert entry.stat().st_mode & 0o077 == 0 and entry.parent.stat().st_mode & 0o077 == 0
    assert set(json.loads(entry.read_text())) == {"format", "key", "kind"}
    assert not [p for p in entry.parent.iterdir() if p.name.endswith(".tmp")]


SNEAKY = """#+ summary: A query that calls a service it must not
SELECT ?s WHERE {{ ?s ?p ?o {service} <{url}/sparql> {{ ?s ?p ?o }} }} LIMIT 1
"""


@pytest.fixture()
def trap():
    """An endpoint that must never receive anything."""
    with FakeServer(lambda request: Reply(body={"head": {"vars": ["s"]}, "results": {"bindings": []}})) as server:
        yield server


@pytest.mark.parametrize("service", ["SERVICE", "service", "ſervice"])
def test_a_forged_verdict_does_not_let_a_service_through(project_copy, tmp_path, trap, service):
    text = SNEAKY.format(service=service, url=trap.url)
    (project_copy / "queries" / "sneaky.rq").write_text(text, encoding="utf-8")
    forged = forge(tmp_path / "cache", text)
    done = afkg(tmp_path / "cache", "query", "run", "sneaky", root=project_copy)
    assert done.returncode == 2, done.stderr
    message = done.stderr.decode("utf-8")
    assert message.startswith("afkg: error: ") and message.count("\n") == 1
    assert "is not allowed" in message or "refused" in message
    assert trap.requests == []
    assert forged.read_text(encoding="ascii") == json.dumps({"format": cache.FORMAT, "key": forged.stem,
                                                             "kind": "SELECT"})


def hidden_service(url: str) -> str:
    """A SERVICE clause behind ``ex:a\\#b``: one prefixed name to oxigraph, but the start of a comment
    to the guard's tokenizer (and a syntax error to rdflib)."""
    return (f"PREFIX ex: <http://example.org/>\nSELECT * WHERE {{ BIND(ex:a\\#b AS ?x) SERVICE <{url}/sparql> "
            "{ ?s ?p ?o }\n}\n")


def test_a_forged_verdict_does_not_hide_a_service_from_the_tokenizer(project_copy, tmp_path, trap):
    text = "#+ summary: A service the tokenizer reads as a comment\n" + hidden_service(trap.url)
    (project_copy / "queries" / "hidden.rq").write_text(text, encoding="utf-8")
    forge(tmp_path / "cache", text)
    done = afkg(tmp_path / "cache", "query", "run", "hidden", root=project_copy)
    assert done.returncode == 2 and b"SPARQL syntax error" in done.stderr, done.stderr
    assert trap.requests == []


def test_a_service_the_tokenizer_misreads_is_not_sent_while_reporting_a_syntax_error(tmp_path, trap):
    """The guard asks oxigraph where a syntax error is only for a text with no SERVICE in it at all:
    oxigraph evaluates what it parses, and would call the endpoint."""
    source = tmp_path / "hidden.rq"
    source.write_text(hidden_service(trap.url), encoding="utf-8")
    done = afkg(tmp_path / "cache", "query", "exec", str(source))
    assert done.returncode == 2 and b"SPARQL syntax error" in done.stderr, done.stderr
    assert trap.requests == []


def test_a_forged_verdict_does_not_let_from_through(project_copy, tmp_path):
    text = "#+ summary: A query over another graph\nSELECT ?s FROM <http://example.org/g> WHERE { ?s ?p ?o }\n"
    (project_copy / "queries" / "elsewhere.rq").write_text(text, encoding="utf-8")
    forge(tmp_path / "cache", text)
    done = afkg(tmp_path / "cache", "query", "run", "elsewhere", root=project_copy)
    assert done.returncode == 2 and b"FROM and FROM NAMED are not allowed" in done.stderr, done.stderr


@pytest.mark.sample(1)
@pytest.mark.parametrize("damage", ["garbage", "other key", "other kind", "extra field", "group writable",
                                    "symlink", "too large", "folder"])
def test_a_damaged_verdict_file_is_ignored_and_replaced(tmp_path, damage):
    args = ("query", "run", "trade-by-year", "-p", "year=2024")
    expected = afkg(tmp_path / "clean", *args)
    [good] = entries(tmp_path / "clean")
    path = tmp_path / "cache" / "afkg" / "guard" / good.name
    path.parent.mkdir(parents=True)
    entry = json.loads(good.read_text())
    if damage == "garbage":
        path.write_bytes(b"\x00{not json")
    elif damage == "other key":
        path.write_text(json.dumps({**entry, "key": "0" * 64}))
    elif damage == "other kind":
        path.write_text(json.dumps({**entry, "kind": "UPDATE"}))
    elif damage == "extra field":
        path.write_text(json.dumps({**entry, "services": []}))
    elif damage == "group writable":
        path.write_text(good.read_text())
        path.chmod(0o666)
    elif damage == "symlink":
        path.symlink_to(good)
    elif damage == "too large":
        path.write_text(good.read_text() + " " * cache.MAX_ENTRY_BYTES)
    elif damage == "folder":
        path.mkdir()
    done = afkg(tmp_path / "cache", *args)
    assert (done.returncode, done.stdout, done.stderr) == (expected.returncode, expected.stdout, expected.stderr)
    if damage != "folder":
        assert not path.is_symlink() and path.read_bytes() == good.read_bytes()


def test_a_changed_query_is_checked_again(project_copy, tmp_path):
    query = project_copy / "queries" / "changing.rq"
    query.write_text("#+ summary: A query that will break\nSELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    assert afkg(tmp_path / "cache", "query", "run", "changing", root=project_copy).returncode == 0
    assert len(entries(tmp_path / "cache")) == 1
    query.write_text("#+ summary: A query that will break\nSELECT ?s WHERE { ?s ?p } LIMIT 1\n", encoding="utf-8")
    done = afkg(tmp_path / "cache", "query", "run", "changing", root=project_copy)
    assert done.returncode == 2 and b"SPARQL syntax error" in done.stderr, done.stderr


def test_an_ad_hoc_query_is_always_checked_in_full(tmp_path):
    """A verdict file for the very text of an ad-hoc query changes nothing: ``query exec`` parses it with
    rdflib's grammar every time, and refuses what that refuses."""
    good = tmp_path / "good.rq"
    good.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    forge(tmp_path / "cache", good.read_text(encoding="utf-8"))
    for _ in range(2):
        done, loaded = in_process(tmp_path, tmp_path / "cache", "query", "exec", str(good))
        assert done.returncode == 0 and loaded["code"] in (0, None), done.stderr
        assert "rdflib.plugins.sparql.parser" in loaded["modules"]
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s WHERE { ?s ?p }\n", encoding="utf-8")
    expected = afkg(tmp_path / "no-cache", "query", "exec", str(bad))
    forge(tmp_path / "cache", bad.read_text(encoding="utf-8"))
    done = afkg(tmp_path / "cache", "query", "exec", str(bad))
    assert done.returncode == expected.returncode == 2
    assert done.stderr == expected.stderr and b"SPARQL syntax error" in done.stderr


def test_plain_tells_what_json_gives_back_exactly():
    assert cache.plain({"a": [1, 2.5, True, None, "x"], "b": {"c": "d"}})
    assert not cache.plain({1: "a"}) and not cache.plain({"a": (1, 2)}) and not cache.plain(float("nan"))
    assert not cache.plain({"a": {"b": {"c": 1}}}, depth=2)
    import datetime

    assert not cache.plain({"default": datetime.date(2024, 1, 1)})


def test_a_header_yaml_gives_as_something_json_cannot_keep_is_read_from_yaml_every_time(project_copy, tmp_path):
    (project_copy / "queries" / "dated.rq").write_text(
        "#+ summary: A date default\n#+ params:\n#+   day: {type: xsd:date, default: 2020-03-30}\n"
        "SELECT ?_day WHERE { }\n", encoding="utf-8")
    for _ in range(2):
        done = afkg(tmp_path / "cache", "query", "run", "dated", "--format", "csv", root=project_copy)
        assert done.returncode == 0 and done.stdout.splitlines()[1] == b"2020-03-30", done.stderr
    assert entries(tmp_path / "cache", "headers") == []


def test_lint_takes_no_answer_from_the_cache(project_copy, tmp_path):
    from afkg.query import catalogue

    text = "#+ summary: A header with a key lint must report\n#+ colour: blue\nSELECT ?s WHERE { ?s ?p ?o }\n"
    (project_copy / "queries" / "colour.rq").write_text(text, encoding="utf-8")
    key = catalogue._header_key("summary: A header with a key lint must report\ncolour: blue")
    header = tmp_path / "cache" / "afkg" / "headers" / f"{key}.json"
    header.parent.mkdir(parents=True)
    header.write_text(json.dumps({"format": cache.FORMAT, "key": key,
                                  "header": {"summary": "A header with a key lint must report"}}))
    forge(tmp_path / "cache", text)
    done = afkg(tmp_path / "cache", "query", "lint", root=project_copy)
    assert done.returncode == 1 and b"unknown header key 'colour'" in done.stdout, done.stdout
