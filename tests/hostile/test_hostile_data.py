"""Project files under attack: data, ontology, shapes, context, Wikidata records, the
queries folder, and the HTML documentation."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .harness import Expect

# Every case runs in the whole suite; the fast tier keeps the first case of each parametrized test.
pytestmark = [pytest.mark.hostile, pytest.mark.sample(1)]

PAIR = "testland-otherland"
PREFIXES = ("@prefix ex: <https://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix afkg: <https://w3id.org/afkg/ontology#> .\n")
SELECT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n"

COMMANDS = {
    "exec-oxigraph": lambda q: ["query", "exec", q, "--format", "csv"],
    "exec-rdflib": lambda q: ["query", "exec", q, "--format", "csv", "--engine", "rdflib"],
    "validate": lambda q: ["validate"],
    "export": lambda q: ["export", "--format", "turtle", "--graph", "data"],
}


def _pair(hostile) -> Path:
    return hostile.workspace().root / "data" / PAIR


def _query(hostile) -> str:
    path = hostile.workspace().base / "count.rq"
    path.write_text(SELECT_ALL, encoding="utf-8")
    return str(path)


def _chain(depth: int) -> str:
    return PREFIXES + "ex:root rdfs:seeAlso " + "[ rdfs:seeAlso " * depth + '"end"' + " ]" * depth + " .\n"


def _list(depth: int) -> str:
    return PREFIXES + "ex:root rdfs:seeAlso " + "( " * depth + '"end"' + " )" * depth + " .\n"


def _write_data(name: str, content: str | bytes):
    def prepare(hostile) -> None:
        path = _pair(hostile) / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return prepare


def _replace_with_dir(name: str):
    def prepare(hostile) -> None:
        path = _pair(hostile) / name
        path.unlink()
        path.mkdir()
    return prepare


def _symlink(name: str, target: str | None = None):
    def prepare(hostile) -> None:
        path = _pair(hostile) / name
        if path.exists() or path.is_symlink():
            path.unlink()
        path.symlink_to(target or path)
    return prepare


def _fifo(name: str):
    def prepare(hostile) -> None:
        os.mkfifo(_pair(hostile) / name)
    return prepare


# Each data case: how to break the pair folder, and the exit codes of the commands it is tried with.
BAD_INPUT = {"exec-oxigraph": (2,), "exec-rdflib": (2,), "validate": (2,), "export": (2,)}
LOADS = {"exec-oxigraph": (0,), "exec-rdflib": (0,), "validate": (1,), "export": (0,)}
BIG = {"exec-oxigraph": (0, 2), "exec-rdflib": (0, 2), "validate": (0, 1, 2), "export": (0, 2)}


def _only(codes: dict[str, tuple[int, ...]], *commands: str) -> dict[str, tuple[int, ...]]:
    return {c: codes[c] for c in commands}


DATA_CASES = {
    "not-utf8": (_write_data("bad.ttl", PREFIXES.encode() + b'ex:a rdfs:label "caf\xe9" .\n'), BAD_INPUT),
    "utf16-bom": (_write_data("bom.ttl", "\ufeffex:a ex:b ex:c .".encode("utf-16")),
                  _only(BAD_INPUT, "exec-oxigraph", "validate")),
    "nul-byte": (_write_data("nul.ttl", PREFIXES.encode() + b'ex:a rdfs:label "a\x00b" .\n'),
                 _only(BIG, "exec-oxigraph", "validate")),
    "ill-typed-date": (_write_data("date.ttl", PREFIXES + 'ex:a ex:when "2024-13-45"^^xsd:date .\n'), LOADS),
    "ill-typed-integer": (_write_data("int.ttl", PREFIXES + 'ex:a ex:n "twelve"^^xsd:integer .\n'),
                          _only(LOADS, "exec-rdflib", "validate")),
    "literal-20MB": (_write_data("big.ttl", PREFIXES + 'ex:a rdfs:comment "' + "x" * (20 << 20) + '" .\n'),
                     _only(BIG, "exec-oxigraph", "export")),
    "iri-1MB": (_write_data("iri.ttl", PREFIXES + "ex:a rdfs:seeAlso <https://example.org/" + "x" * (1 << 20)
                            + "> .\n"), _only(BIG, "exec-oxigraph", "export")),
    "bnode-chain-300": (_write_data("chain.ttl", _chain(300)),
                        {"exec-oxigraph": (0,), "exec-rdflib": (0,), "validate": (0, 1), "export": (0,)}),
    "bnode-chain-2000": (_write_data("chain.ttl", _chain(2000)), _only(BIG, "exec-oxigraph", "export")),
    "collection-2000": (_write_data("list.ttl", _list(2000)), _only(BIG, "export")),
    "directory-as-file": (_replace_with_dir("facts.ttl"), _only(BAD_INPUT, "exec-oxigraph", "validate")),
    "symlink-loop": (_symlink("loop.ttl"), BAD_INPUT),
    "dangling-symlink": (_symlink("gone.ttl", "/nonexistent/gone.ttl"), _only(BAD_INPUT, "exec-oxigraph", "validate")),
    "symlink-to-dev-zero": (_symlink("zero.ttl", "/dev/zero"), _only(BAD_INPUT, "exec-oxigraph", "validate")),
    "fifo-as-file": (_fifo("fifo.ttl"), _only(BAD_INPUT, "exec-oxigraph", "validate")),
}
DATA_RUNS = [(case, command) for case, (_, codes) in DATA_CASES.items() for command in codes]


@pytest.mark.parametrize("case,command", DATA_RUNS, ids=[f"{c}-{m}" for c, m in DATA_RUNS])
def test_hostile_data_file(hostile, case, command):
    prepare, codes = DATA_CASES[case]
    query = _query(hostile)
    prepare(hostile)
    bound = 30 if case in ("literal-20MB", "bnode-chain-2000", "collection-2000") else 5
    hostile.run(COMMANDS[command](query), Expect(codes[command], report_codes=(1,) if command == "validate" else ()),
                bound=bound)


def test_ill_typed_literal_is_a_validation_problem(hostile):
    _write_data("date.ttl", PREFIXES + 'ex:a ex:when "2024-13-45"^^xsd:date .\n')(hostile)
    outcome = hostile.run(["validate"], Expect((1,), report_codes=(1,)))
    assert b"2024-13-45" in outcome.stdout, "the report does not name the ill-typed literal"


def test_control_characters_in_data_make_well_formed_xml(hostile):
    _write_data("ctl.ttl", PREFIXES + 'ex:a rdfs:label "bell\\u0007 and \\u0001 start" .\n')(hostile)
    query = hostile.workspace().base / "ctl.rq"
    query.write_text("SELECT ?l WHERE { <https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> ?l }\n",
                     encoding="utf-8")

    def well_formed(out: bytes) -> str | None:
        import xml.dom.minidom

        try:
            xml.dom.minidom.parseString(out)
        except Exception as exc:  # noqa: BLE001
            return f"not well-formed XML ({exc})"
        return None

    hostile.run(["query", "exec", str(query), "--format", "xml"], Expect((0, 2), stdout_check=well_formed))


def test_syntax_error_position_is_the_same_everywhere(hostile):
    """Item 28: the rdflib-based and the oxigraph-based commands name the same line:column."""
    _write_data("broken.ttl", PREFIXES + "ex:a ex:b ex:c ex:d .\n")(hostile)
    where = []
    for args in (["validate"], ["query", "exec", _query(hostile)]):
        outcome = hostile.run(args, Expect((2,)))
        found = re.search(rb"broken\.ttl:(\d+):(\d+)", outcome.stderr)
        assert found, f"no line:column in {outcome.stderr!r}"
        where.append(found.groups())
    assert where[0] == where[1], f"validate says {where[0]}, query exec says {where[1]}"


# --- localFile (item 8, 12) ----------------------------------------------------------------------------

LOCAL_FILES = {
    "absolute-outside": lambda hostile: str(hostile.workspace().sentinels / "source-copy.txt"),
    "relative-outside": lambda hostile: "../../../sentinels/source-copy.txt",
    "dev-zero": lambda hostile: "/dev/zero",
    "directory": lambda hostile: ".",
    "other-pair": lambda hostile: "../wikidata/reference-ids.tsv",
    "fifo": lambda hostile: "fifo.txt",
    "iri-file": lambda hostile: "file:///etc/hostname",
}


@pytest.mark.parametrize("kind", LOCAL_FILES, ids=list(LOCAL_FILES))
def test_hostile_local_file(hostile, kind):
    """Item 8: the source text is read only from the pair folder. The copy outside holds the
    very quotes the data cites, so a validate that reads it would conform (exit 0)."""
    ws = hostile.workspace()
    (ws.sentinels / "source-copy.txt").write_bytes((_pair(hostile) / "source.txt").read_bytes())
    os.mkfifo(_pair(hostile) / "fifo.txt")
    source = _pair(hostile) / "source.ttl"
    text = source.read_text(encoding="utf-8")
    value = LOCAL_FILES[kind](hostile)
    changed = re.sub(r'afkg:localFile "[^"]*"', f'afkg:localFile "{value}"', text)
    assert changed != text
    source.write_text(changed, encoding="utf-8")
    hostile.run(["validate"], Expect((1, 2), report_codes=(1,)), bound=5)


# --- ontology, shapes, context, Wikidata records, queries folder (items 15, 18, 23, 29) -----------------

def _root_path(relative: str):
    return lambda hostile: hostile.workspace().root / relative


def _make_dir(relative: str):
    def prepare(hostile) -> None:
        path = _root_path(relative)(hostile)
        if path.is_dir():
            return
        if path.exists():
            path.unlink()
        path.mkdir(parents=True)
    return prepare


def _make_bytes(relative: str, data: bytes):
    def prepare(hostile) -> None:
        path = _root_path(relative)(hostile)
        if path.is_dir():
            import shutil

            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return prepare


def _make_loop(relative: str):
    def prepare(hostile) -> None:
        path = _root_path(relative)(hostile)
        if path.is_dir():
            import shutil

            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        path.symlink_to(path)
    return prepare


DEEP_JSON = b"[" * 100000 + b"]" * 100000
PROJECT_CASES = {
    "ontology-dir": (_make_dir("ontology/afkg.ttl"), ["query", "list"]),
    "ontology-loop": (_make_loop("ontology/afkg.ttl"), ["stats"]),
    "shapes-dir": (_make_dir("ontology/shapes.ttl"), ["validate"]),
    "shapes-loop": (_make_loop("ontology/shapes.ttl"), ["validate"]),
    "shapes-not-utf8": (_make_bytes("ontology/shapes.ttl", b"@prefix sh: <http://www.w3.org/ns/shacl#> .\n# \xff\n"),
                        ["validate"]),
    "context-dir": (_make_dir("ontology/context.jsonld"), ["export", "--format", "jsonld"]),
    "context-not-utf8": (_make_bytes("ontology/context.jsonld", b'{"@context": {"a": "\xff"}}'),
                         ["export", "--format", "jsonld"]),
    "context-deep": (_make_bytes("ontology/context.jsonld", DEEP_JSON), ["export", "--format", "jsonld"]),
    "context-list": (_make_bytes("ontology/context.jsonld", b"[]"), ["export", "--format", "jsonld"]),
    "context-loop": (_make_loop("ontology/context.jsonld"), ["export", "--format", "jsonld"]),
    "items-dir": (_make_dir("data/wikidata/items.json"), ["link", "compare"]),
    "items-not-utf8": (_make_bytes("data/wikidata/items.json", b'{"items": {"Q1": "\xff"}}'), ["link", "compare"]),
    "items-deep": (_make_bytes("data/wikidata/items.json", DEEP_JSON), ["link", "compare"]),
    "items-wrong-shape": (_make_bytes("data/wikidata/items.json", b'{"items": [1, 2]}'), ["link", "compare"]),
    "items-deep-check": (_make_bytes("data/wikidata/items.json", DEEP_JSON), ["link", "check"]),
    "reference-ids-dir": (_make_dir("data/wikidata/reference-ids.tsv"), ["link", "check"]),
    "reference-ids-not-utf8": (_make_bytes("data/wikidata/reference-ids.tsv", b"Q142\tFr\xe9nce\n"),
                               ["link", "check"]),
    "queries-is-file-lint": (_make_bytes("queries", b"not a folder\n"), ["query", "lint"]),
    "queries-is-file-list": (_make_bytes("queries", b"not a folder\n"), ["query", "list"]),
    "queries-loop-lint": (_make_loop("queries"), ["query", "lint"]),
    "query-file-dir": (_make_dir("queries/zz.rq"), ["query", "list"]),
    "query-file-loop": (_make_loop("queries/zz.rq"), ["query", "list"]),
    "query-file-not-utf8": (_make_bytes("queries/zz.rq", b"#+ summary: caf\xe9\nSELECT * WHERE {}\n"),
                            ["query", "list"]),
    "data-is-file": (_make_bytes("data", b"not a folder\n"), ["validate"]),
    "pair-loop-validate": (_make_loop(f"data/{PAIR}"), ["validate"]),
    "pair-loop-stats": (_make_loop(f"data/{PAIR}"), ["stats"]),
    "pair-dangling-validate": (lambda hostile: (_make_loop(f"data/{PAIR}")(hostile),
                                                _root_path(f"data/{PAIR}")(hostile).unlink(),
                                                _root_path(f"data/{PAIR}")(hostile).symlink_to("/nonexistent/pair")),
                               ["validate"]),
    "source-txt-dir": (_make_dir(f"data/{PAIR}/source.txt"), ["validate"]),
    "source-txt-not-utf8": (_make_bytes(f"data/{PAIR}/source.txt", b"Testland \xff Otherland\n"), ["validate"]),
}


@pytest.mark.parametrize("case", PROJECT_CASES, ids=list(PROJECT_CASES))
def test_hostile_project_file(hostile, case):
    prepare, args = PROJECT_CASES[case]
    hostile.workspace()
    prepare(hostile)
    hostile.run(args, Expect((2,)), bound=15)


def test_unreadable_data_builds_nothing(hostile):
    """Item 23: a pair folder that cannot be read is exit 2, and build writes no dist/."""
    _make_loop(f"data/{PAIR}")(hostile)
    dist = hostile.workspace().out / "dist"
    hostile.run(["build", "-o", str(dist)], Expect((2,)), outputs=[dist], bound=30)
    assert not dist.exists(), "build wrote a distribution from unreadable data"


# --- shapes with SPARQL (items 5, 18) --------------------------------------------------------------------

def _shape(select: str) -> str:
    return ("\n@prefix afsh: <https://w3id.org/afkg/shapes#> .\n"
            "afsh:HostileShape a sh:NodeShape ;\n"
            "    sh:targetSubjectsOf rdfs:label ;\n"
            "    sh:sparql [ a sh:SPARQLConstraint ; sh:message \"hostile\" ;\n"
            f"        sh:select \"\"\"{select}\"\"\" ] .\n")


SHAPE_SELECTS = {
    "service": "SELECT $this WHERE {{ SERVICE <{trap}/sparql> {{ $this ?p ?o }} }}",
    "escaped-service": "SELECT $this WHERE {{ \\\\u0053ERVICE <{trap}/sparql> {{ $this ?p ?o }} }}",
    "lowercase-service": "SELECT $this WHERE {{ service <{trap}/sparql> {{ $this ?p ?o }} }}",
    "from": "SELECT $this FROM <{trap}/data.ttl> WHERE {{ $this ?p ?o }}",
    "from-named": "SELECT $this FROM NAMED <{trap}/data.ttl> WHERE {{ $this ?p ?o }}",
    "syntax-error": "SELECT $this WHERE {{ $this ?p }}",
    "nested-3000": "SELECT $this WHERE " + "{{ " * 3000 + "$this ?p ?o " + "}} " * 3000,
}


@pytest.mark.parametrize("kind", SHAPE_SELECTS, ids=list(SHAPE_SELECTS))
def test_hostile_shape(hostile, kind):
    shapes = hostile.workspace().root / "ontology" / "shapes.ttl"
    select = SHAPE_SELECTS[kind].format(trap=hostile.trap_url)
    with shapes.open("a", encoding="utf-8") as stream:
        stream.write(_shape(select))
    hostile.run(["validate"], Expect((2,)), bound=15)


def test_shape_with_load_is_refused(hostile):
    shapes = hostile.workspace().root / "ontology" / "shapes.ttl"
    with shapes.open("a", encoding="utf-8") as stream:
        stream.write(_shape(f"LOAD <{hostile.trap_url}/data.ttl>"))
    hostile.run(["validate"], Expect((2,)), bound=15)


def test_agent_equals_counterpart(hostile):
    """Item 22: one focus node with a path-less result and a result with a path."""
    economy = hostile.workspace(tiny=False).root / "data" / "albania-france" / "economy.ttl"
    text = economy.read_text(encoding="utf-8")
    changed = text.replace("afkg:agent res:France ; afkg:counterpart res:Albania",
                           "afkg:agent res:France ; afkg:counterpart res:France", 1)
    assert changed != text
    economy.write_text(changed, encoding="utf-8")
    hostile.run(["validate"], Expect((1,), report_codes=(1,)), tiny=False, bound=30)


# --- item 7: the documentation page ---------------------------------------------------------------------

class Links(HTMLParser):
    """Collects what a browser would treat as active: link targets, scripts, event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.scripts = 0
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.scripts += 1
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href", "data"):
                self.targets.append(value or "")
            if name.startswith("on"):
                self.handlers.append(name)


def _safe_page(page: bytes) -> str | None:
    parser = Links()
    parser.feed(page.decode("utf-8"))
    if parser.scripts:
        return f"{parser.scripts} script-like element(s)"
    if parser.handlers:
        return f"event handler attributes {parser.handlers[:3]}"
    for target in parser.targets:
        scheme = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):", target)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            return f"a live {scheme.group(1)}: link ({target[:80]!r})"
    return None


DOCS = {
    "javascript-exact-match": "afkg:Country skos:exactMatch <javascript:alert(1)> .",
    "javascript-mixed-case": "afkg:Country skos:closeMatch <JaVaScRiPt:alert(document.domain)> .",
    "data-uri": "afkg:Country skos:exactMatch <data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==> .",
    "vbscript": "afkg:Country skos:exactMatch <vbscript:msgbox(1)> .",
    "script-label": 'afkg:Country rdfs:label "<script>alert(1)</script>"@en .',
    "handler-comment": 'afkg:Country rdfs:comment "\\"><img src=x onerror=alert(1)>" .',
    "quote-in-iri": "afkg:Country skos:exactMatch <https://example.org/x'onmouseover='alert(1)> .",
}


@pytest.mark.parametrize("kind", DOCS, ids=list(DOCS))
def test_docs_page_has_no_active_content(hostile, kind):
    ontology = hostile.workspace().root / "ontology" / "afkg.ttl"
    with ontology.open("a", encoding="utf-8") as stream:
        stream.write("\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n" + DOCS[kind] + "\n")
    site = hostile.workspace().out / "site"
    hostile.run(["docs", "-o", str(site)], Expect((0,), stderr_extra=r"^Wrote "), outputs=[site / "index.html"],
                output_check=_safe_page)
