"""Query files, headers, names, parameters, bounds and options under attack."""

from __future__ import annotations

import os
import xml.dom.minidom
from pathlib import Path

import pytest

from .harness import Expect

# Every case runs in the whole suite; the fast tier keeps the first case of each parametrized test.
pytestmark = [pytest.mark.hostile, pytest.mark.sample(1)]

ENGINES = ("oxigraph", "rdflib")
REFUSED = Expect((2,))
OK = Expect((0,))


def write(hostile, text: str | bytes, name: str = "q.rq") -> str:
    path = hostile.workspace().base / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def store(hostile, name: str, text: str) -> None:
    """A stored query ``queries/NAME.rq`` in the project copy (written before the case's snapshot)."""
    (hostile.workspace().root / "queries" / f"{name}.rq").write_text(text, encoding="utf-8")


# --- item 10: YAML headers ----------------------------------------------------------------------

def _laughs(key: str) -> str:
    """A header whose ``key`` holds nine levels of nine aliases each (9**9 strings once expanded)."""
    levels = ['&l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"&l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, 9)]
    value = "[" + ", ".join(levels) + ", *l8]"
    summary = "" if key == "summary" else "#+ summary: laughs\n"
    if key == "params":
        return summary + "#+ params:\n#+   year: {type: xsd:gYear, enum: " + value + "}\n"
    return summary + f"#+ {key}: {value}\n"


HEADERS = {
    "billion-laughs-tags": _laughs("tags"),
    "billion-laughs-summary": _laughs("summary"),
    "billion-laughs-description": _laughs("description"),
    "billion-laughs-enum": _laughs("params"),
    "alias-only": "#+ summary: &s hello\n#+ description: *s\n",
    "anchor-only": "#+ summary: &s hello\n",
    "deep-list-20000": "#+ summary: deep\n#+ tags: " + "[" * 20000 + "]" * 20000 + "\n",
    "deep-map-20000": "#+ summary: deep\n#+ description: " + "{a: " * 20000 + "b" + "}" * 20000 + "\n",
    "deep-list-25": "#+ summary: deep\n#+ tags: " + "[" * 25 + "]" * 25 + "\n",
    "header-70k": "#+ summary: big\n#+ description: \"" + "x" * 70000 + "\"\n",
    "header-many-lines": "#+ summary: big\n" + "".join(f"#+ # comment {i:06d} padding padding padding\n"
                                                      for i in range(2000)),
    "python-tag": "#+ summary: !!python/object/apply:os.system [\"touch pwned\"]\n",
    "python-name": "#+ summary: !!python/name:os.system\n",
    "not-utf8": "#+ summary: caf\udce9\n",
    "tab-indent": "#+ summary: x\n#+ params:\n#+ \tyear: {type: xsd:gYear}\n",
    "params-list": "#+ summary: x\n#+ params: [1, 2]\n",
    "param-type-list": "#+ summary: x\n#+ params:\n#+   year: {type: [xsd:gYear]}\n",
    "summary-number": "#+ summary: 5\n",
    "enum-of-maps": "#+ summary: x\n#+ params:\n#+   r: {type: iri, enum: [{a: b}]}\n",
    "bad-iri-default": "#+ summary: x\n#+ params:\n#+   r: {type: iri, default: \"http://[::1\"}\n",
    "bad-iri-default-port": "#+ summary: x\n#+ params:\n#+   r: {type: iri, default: \"http://x:abc/\"}\n",
    "bad-iri-default-percent": "#+ summary: x\n#+ params:\n#+   r: {type: iri, default: \"a:b%zz\"}\n",
    "bad-iri-default-fragment": "#+ summary: x\n#+ params:\n#+   r: {type: iri, default: \"urn:x#a#b\"}\n",
}
BODY = "SELECT * WHERE { BIND(?_r AS ?r) }\n"
BODY_NO_PARAM = "SELECT * WHERE { BIND(1 AS ?one) }\n"


@pytest.mark.parametrize("kind", HEADERS, ids=list(HEADERS))
def test_hostile_header_exec(hostile, kind):
    header = HEADERS[kind]
    body = BODY if "params:\n#+   r:" in header else BODY_NO_PARAM
    raw = (header + body).encode("utf-8", "surrogateescape")
    hostile.run(["query", "exec", write(hostile, raw)], REFUSED, bound=5)


@pytest.mark.parametrize("kind", ["billion-laughs-tags", "deep-list-20000"])
@pytest.mark.parametrize("command", ["list", "lint", "run"])
def test_hostile_header_stored(hostile, kind, command):
    header = HEADERS[kind]
    store(hostile, "evil", header + (BODY if "params:\n#+   r:" in header else BODY_NO_PARAM))
    args = ["query", command] + (["evil"] if command == "run" else [])
    expect = Expect((1, 2), report_codes=(1,)) if command == "lint" else REFUSED
    hostile.run(args, expect, bound=10)


# --- items 12, 13, 29: query text size and nesting -------------------------------------------------

def _nested(kind: str, depth: int) -> str:
    if kind == "braces":
        return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth
    if kind == "parens":
        return "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"
    if kind == "brackets":
        return "SELECT * WHERE { ?s ?p " + "[ ?p " * depth + "1" + " ]" * depth + " }"
    if kind == "subselects":
        return "SELECT * WHERE " + "{ SELECT * WHERE " * depth + "{ ?s ?p ?o }" + " }" * depth
    if kind == "optional":
        return "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * depth + "}" * depth + " }"
    if kind == "collection":
        return "SELECT * WHERE { ?s ?p " + "( " * depth + "1" + " )" * depth + " }"
    raise ValueError(kind)


NESTINGS = {
    "braces-3000": ("braces", 3000),
    "parens-100000": ("parens", 100000),
    "brackets-3000": ("brackets", 3000),
    "subselects-500": ("subselects", 500),
    "optional-1000": ("optional", 1000),
    "collection-5000": ("collection", 5000),
    "braces-201": ("braces", 201),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", NESTINGS, ids=list(NESTINGS))
def test_absurd_nesting_exec(hostile, kind, engine):
    hostile.run(["query", "exec", write(hostile, _nested(*NESTINGS[kind])), "--engine", engine], REFUSED, bound=5)


@pytest.mark.parametrize("kind", ["braces-3000", "parens-100000", "brackets-3000"])
def test_absurd_nesting_lint(hostile, kind):
    store(hostile, "deep", "#+ summary: deep\n" + _nested(*NESTINGS[kind]) + "\n")
    hostile.run(["query", "lint"], Expect((1, 2), report_codes=(1,)), bound=5)


@pytest.mark.parametrize("engine", ENGINES)
def test_moderate_nesting_is_no_crash(hostile, engine):
    hostile.run(["query", "exec", write(hostile, _nested("braces", 60)), "--engine", engine, "--format", "csv"],
                Expect((0, 1, 2)), bound=10)


@pytest.mark.parametrize("engine", ENGINES)
def test_nesting_inside_strings_and_comments_is_not_counted(hostile, engine):
    text = ('# ' + '{' * 500 + '\nSELECT ?x WHERE { BIND("' + '(' * 500 + '" AS ?x) }\n')
    hostile.run(["query", "exec", write(hostile, text), "--engine", engine, "--format", "csv"], OK)


SIZES = {
    "20MB-comment": lambda: "SELECT * WHERE { ?s ?p ?o } LIMIT 1\n#" + "x" * (20 << 20) + "\n",
    "20MB-string": lambda: "SELECT * WHERE { BIND(\"" + "x" * (20 << 20) + "\" AS ?x) }\n",
    "1MiB-plus-1": lambda: "SELECT * WHERE { ?s ?p ?o } LIMIT 1\n#" + "x" * (1 << 20) + "\n",
    "many-triples": lambda: "SELECT * WHERE { " + "?s ?p ?o . " * 200000 + "}\n",
}


@pytest.mark.parametrize("kind", SIZES, ids=list(SIZES))
def test_oversized_query(hostile, kind):
    hostile.run(["query", "exec", write(hostile, SIZES[kind]())], REFUSED, bound=10)


def test_query_under_the_size_cap_runs(hostile):
    text = "SELECT ?one WHERE { BIND(1 AS ?one) }\n#" + "x" * 900_000 + "\n"
    hostile.run(["query", "exec", write(hostile, text), "--format", "csv"], OK, bound=10)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_query_from_device(hostile, device):
    hostile.run(["query", "exec", device], REFUSED, bound=5)


def test_query_from_directory(hostile):
    hostile.run(["query", "exec", str(hostile.workspace().base)], REFUSED)


def test_query_from_missing_file(hostile):
    hostile.run(["query", "exec", str(hostile.workspace().base / "nope.rq")], REFUSED)


def test_query_from_symlink_loop(hostile):
    loop = hostile.workspace().base / "loop.rq"
    loop.symlink_to(loop)
    hostile.run(["query", "exec", str(loop)], REFUSED)


@pytest.mark.parametrize("data", [b"SELECT * WHERE { ?s ?p \"\xff\xfe\" }\n", b"\xef\xbb\xbf\xc3(",
                                  b"SELECT * WHERE { ?s ?p ?o }\x00\n"], ids=["latin1-bytes", "bom-and-bad", "nul"])
def test_query_with_bad_bytes(hostile, data):
    hostile.run(["query", "exec", write(hostile, data)], REFUSED)


@pytest.mark.parametrize("close", [False, True], ids=["empty-stdin", "closed-stdin"])
def test_query_from_empty_or_closed_stdin(hostile, close):
    hostile.run(["query", "exec", "-"], REFUSED, close_stdin=close)


@pytest.mark.parametrize("text", [
    "# { a brace in a comment\nSELECT ?one WHERE { BIND(1 AS ?one) }\n",
    "# CONSTRUCT in a comment\nSELECT ?one WHERE { BIND(1 AS ?one) }\n",
    "PREFIX ex: <urn:x> # { after a prefix\nSELECT ?one WHERE { BIND(1 AS ?one) }\n",
], ids=["brace-comment", "keyword-comment", "brace-after-prefix"])
def test_decoys_before_select(hostile, text):
    hostile.run(["query", "exec", write(hostile, text), "--format", "csv"],
                Expect((0,), stdout_check=lambda out: None if out.splitlines()[1:] == [b"1"] else "expected one row, 1"))


@pytest.mark.parametrize("text", ["CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/afkg/ontology#Country> }",
                                  "DESCRIBE <https://w3id.org/afkg/resource/Testland>"], ids=["construct", "describe"])
def test_graph_query_with_default_format(hostile, text):
    hostile.run(["query", "exec", write(hostile, text + "\n")], OK)


# --- item 21: query names --------------------------------------------------------------------------

NAMES = {
    "5000-chars": "a" * 5000,
    "255-chars": "b" * 255,
    "traversal": "../../../etc/passwd",
    "absolute": "/etc/passwd",
    "dot-dot": "..",
    "newline": "visits\nafkg: error: forged",
    "glob": "*",
    "non-ascii": "visités日本",
    "surrogate": os.fsdecode(b"vis\xffits"),
}


NAME_RUNS = [(kind, "run") for kind in NAMES] + [(kind, "show") for kind in ("5000-chars", "traversal", "surrogate")]


@pytest.mark.parametrize("kind,command", NAME_RUNS, ids=[f"{k}-{c}" for k, c in NAME_RUNS])
def test_hostile_query_name(hostile, kind, command):
    hostile.run(["query", command, os.fsencode(NAMES[kind])], REFUSED)


# --- item 9: runaway queries and their bounds ---------------------------------------------------------

CROSS3 = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n"
CROSS2_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n"
REGEX = 'SELECT ?x WHERE { BIND("' + "a" * 40 + '!" AS ?x) FILTER(REGEX(?x, "^(a+)+$")) }\n'
STOPPED = Expect((1,), stderr_contains=r"query stopped after 1 s \(--timeout\)")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("text", [CROSS3, CROSS2_COUNT], ids=["cross-product", "count-cross-product"])
def test_runaway_query_is_stopped(hostile, text, engine):
    out = hostile.workspace(tiny=False).out / "result.csv"
    out.write_text("previous result\n", encoding="utf-8")
    hostile.run(["query", "exec", write(hostile, text), "--engine", engine, "--timeout", "1", "--format", "csv",
                 "-o", str(out)], STOPPED, tiny=False, bound=2, outputs=[out])


def test_catastrophic_regex_is_stopped_on_rdflib(hostile):
    hostile.run(["query", "exec", write(hostile, REGEX), "--engine", "rdflib", "--timeout", "1"], STOPPED, bound=2)


def test_catastrophic_regex_on_oxigraph(hostile):
    hostile.run(["query", "exec", write(hostile, REGEX), "--timeout", "2", "--format", "csv"], Expect((0, 1)), bound=2)


def _rows(n: int):
    def check(out: bytes) -> str | None:
        lines = out.decode("utf-8").splitlines()
        return None if len(lines) == n + 1 else f"{len(lines) - 1} rows, expected {n}"
    return check


TRUNCATED = r"^afkg: warning: results truncated to 5 rows \(--max-rows\)$"


@pytest.mark.parametrize("engine", ENGINES)
def test_max_rows_truncates(hostile, engine):
    hostile.run(["query", "exec", write(hostile, "SELECT * WHERE { ?s ?p ?o }\n"), "--engine", engine,
                 "--max-rows", "5", "--format", "csv"],
                Expect((0,), stderr_extra=TRUNCATED, stdout_check=_rows(5)), bound=10)


@pytest.mark.parametrize("engine", ENGINES)
def test_max_rows_stops_a_cross_product(hostile, engine):
    hostile.workspace(tiny=False)
    hostile.run(["query", "exec", write(hostile, CROSS3), "--engine", engine, "--max-rows", "5", "--timeout", "10",
                 "--format", "csv"], Expect((0, 1), stderr_extra=TRUNCATED), tiny=False, bound=10)


def test_max_rows_to_a_file(hostile):
    out = hostile.workspace().out / "rows.csv"
    hostile.run(["query", "exec", write(hostile, "SELECT * WHERE { ?s ?p ?o }\n"), "--max-rows", "5",
                 "--format", "csv", "-o", str(out)], Expect((0,), stderr_extra=TRUNCATED), outputs=[out],
                output_check=_rows(5))


# --- item 17: bad option values -------------------------------------------------------------------------

BAD_BOUNDS = [("--timeout", v) for v in ("-1", "0", "nan", "inf", "-inf", "abc", "", "1e999")] + \
             [("--max-rows", v) for v in ("0", "-1", "abc", "1.5", "", "1e3")]


@pytest.mark.parametrize("option,value", BAD_BOUNDS, ids=[f"{o}={v}" for o, v in BAD_BOUNDS])
def test_bad_bound_option_exec(hostile, option, value):
    hostile.run(["query", "exec", write(hostile, "SELECT * WHERE { ?s ?p ?o } LIMIT 1\n"), option, value], REFUSED)


@pytest.mark.parametrize("option,value", [("--timeout", "nan"), ("--timeout", "-1"), ("--max-rows", "0")])
def test_bad_bound_option_run(hostile, option, value):
    hostile.run(["query", "run", "visits", option, value], REFUSED)


USAGE = {
    "unknown-command": ["nosuch"],
    "missing-argument": ["query", "run"],
    "bad-format": ["query", "run", "visits", "--format", "nope"],
    "bad-engine": ["query", "run", "visits", "--engine", "nope"],
    "root-without-value": ["--root"],
    "unknown-option": ["export", "--bogus"],
    "exec-missing-file": ["query", "exec", "/nonexistent/q.rq"],
    "exec-no-argument": ["query", "exec"],
    "validate-bad-format": ["validate", "--format", "xml"],
    "param-without-value": ["query", "run", "visits", "-p"],
    "link-unknown": ["link", "nosuch"],
    "export-bad-format": ["export", "--format", "nope"],
    "export-bad-graph": ["export", "--graph", "nope"],
}


@pytest.mark.parametrize("kind", USAGE, ids=list(USAGE))
def test_usage_errors_are_one_line(hostile, kind):
    hostile.run(USAGE[kind], REFUSED)


def test_root_that_is_not_a_project(hostile):
    hostile.run(["--root", str(hostile.workspace().sentinels), "query", "list"], REFUSED, root=False)


def test_root_from_environment_that_does_not_exist(hostile):
    hostile.run(["query", "list"], REFUSED, root=False, env={"AFKG_ROOT": "/nonexistent/afkg"})


# --- items 14, 15 and the unknown-prefix paper cut: -p values ---------------------------------------------

BAD_IRIS = {
    "ipv6-unclosed": "http://[::1",
    "port-not-number": "http://x:abc/",
    "bad-percent": "a:b%zz",
    "two-fragments": "urn:x#a#b",
    "control-char": "http://a/\x01b",
    "delete-char": "http://a/\x7fb",
    "space": "<http://a b>",
    "angle": "http://a/>",
    "empty-brackets": "<>",
    "unknown-prefix": "foo:France",
    "javascript-as-prefixed-name": "javascript:alert(1)",
    "empty-prefix": ":France",
    "only-scheme": "http:",
    "non-utf8": os.fsdecode(b"http://a/\xff"),
    "non-utf8-name": os.fsdecode(b"Alb\xe9nia"),
}
GOOD_IRIS = {"prefixed": "res:Testland", "absolute": "https://w3id.org/afkg/resource/Testland",
             "javascript": "<javascript:alert(1)>", "idn": "http://例え.jp/", "urn": "urn:x", "bracketed": "<urn:x>"}


@pytest.mark.parametrize("kind", BAD_IRIS, ids=list(BAD_IRIS))
def test_bad_iri_parameter(hostile, kind):
    hostile.run(["query", "run", "is-member", b"-p", os.fsencode("member=" + BAD_IRIS[kind]),
                 "-p", "organisation=res:NATO"], REFUSED)


@pytest.mark.parametrize("kind", GOOD_IRIS, ids=list(GOOD_IRIS))
def test_odd_but_valid_iri_parameter(hostile, kind):
    hostile.run(["query", "run", "is-member", "-p", "member=" + GOOD_IRIS[kind], "-p", "organisation=res:NATO",
                 "--format", "json"], OK)


TYPED = ("#+ summary: every parameter type\n#+ params:\n"
         "#+   s: {type: xsd:string, default: \"x\"}\n#+   i: {type: xsd:integer, default: \"1\"}\n"
         "#+   d: {type: xsd:decimal, default: \"1.5\"}\n#+   y: {type: xsd:gYear, default: \"2024\"}\n"
         "#+   m: {type: xsd:gYearMonth, default: \"2024-01\"}\n#+   t: {type: xsd:date, default: \"2024-01-01\"}\n"
         "#+   b: {type: xsd:boolean, default: \"true\"}\n#+   r: {type: iri, default: \"res:Testland\"}\n"
         "SELECT ?_s ?_i ?_d ?_y ?_m ?_t ?_b ?_r WHERE { }\n")
BAD_TYPED = {
    "integer-fullwidth": "i=１２３",
    "integer-arabic-indic": "i=١٢٣",
    "integer-underscore": "i=1_000",
    "year-fullwidth": "y=２０２４",
    "date-feb-30": "t=2024-02-30",
    "date-fullwidth": "t=２０２４-01-01",
    "decimal-exponent": "d=1e5",
    "decimal-nan": "d=NaN",
    "boolean-yes": "b=yes",
    "month-13": "m=2024-13",
    "iri-ipv6": "r=http://[::1",
    "unknown-name": "zz=1",
    "empty-name": "=1",
    "no-equals": "s",
    "string-non-utf8": os.fsdecode(b"s=\xff\xfe"),
}


@pytest.mark.parametrize("kind", BAD_TYPED, ids=list(BAD_TYPED))
def test_bad_typed_parameter(hostile, kind):
    hostile.run(["query", "exec", write(hostile, TYPED), b"-p", os.fsencode(BAD_TYPED[kind])], REFUSED)


def test_repeated_parameter(hostile):
    hostile.run(["query", "exec", write(hostile, TYPED), "-p", "s=1", "-p", "s=2"], REFUSED)


def _xml_ok(out: bytes) -> str | None:
    try:
        xml.dom.minidom.parseString(out)
    except Exception as exc:  # noqa: BLE001 - any parser complaint is the finding
        return f"not well-formed XML ({exc})"
    return None


ODD_STRINGS = {
    "injection": "x\" } SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } #",
    "bell": "ring\x07",
    "start-of-heading": "\x01",
    "escape-sequence": "\x1b[31mred",
    "cdata-end": "]]>",
    "markup": "<script>alert(1)</script>",
    "line-separator": "a\u2028b",
    "newline": "a\nb",
    "huge-integer": None,
}


ODD_RUNS = [(kind, "xml") for kind in ODD_STRINGS] + [(kind, fmt) for kind in ("bell", "escape-sequence", "newline")
                                                     for fmt in ("json", "table")]


@pytest.mark.parametrize("kind,fmt", ODD_RUNS, ids=[f"{k}-{f}" for k, f in ODD_RUNS])
def test_odd_string_parameter(hostile, kind, fmt):
    value = "i=" + "9" * 40 if ODD_STRINGS[kind] is None else "s=" + ODD_STRINGS[kind]
    expect = Expect((0, 2), stdout_check=_xml_ok) if fmt == "xml" else Expect((0, 2))
    hostile.run(["query", "exec", write(hostile, TYPED), "-p", value, "--format", fmt], expect)


# --- item 15: output encoding -------------------------------------------------------------------------------

LABEL = "SELECT ?l WHERE { <https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> ?l }\n"


def _utf8_label(out: bytes) -> str | None:
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    return None if ("Shkodër 日本" in text or "Shkod\\u00ebr" in text) else "the label is missing or mangled"


ENCODING_RUNS = [("latin-1", fmt) for fmt in ("table", "csv", "tsv", "json", "xml")] + [("ascii", "table"),
                                                                                       ("ascii", "json")]


@pytest.mark.parametrize("encoding,fmt", ENCODING_RUNS, ids=[f"{e}-{f}" for e, f in ENCODING_RUNS])
def test_non_ascii_output_whatever_the_locale(hostile, fmt, encoding):
    hostile.run(["query", "exec", write(hostile, LABEL), "--format", fmt], Expect((0,), stdout_check=_utf8_label),
                env={"PYTHONIOENCODING": encoding})


def test_non_ascii_output_in_the_posix_locale(hostile):
    hostile.run(["query", "exec", write(hostile, LABEL), "--format", "csv"], Expect((0,), stdout_check=_utf8_label),
                env={"LANG": "C", "LC_ALL": "POSIX", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"})


def test_non_ascii_error_in_ascii_locale(hostile):
    hostile.run(["query", "run", "visités日本"], REFUSED, env={"PYTHONIOENCODING": "ascii"})


def test_export_in_latin1_locale(hostile):
    hostile.run(["export", "--format", "turtle"], Expect((0,), stdout_check=_utf8_label),
                env={"PYTHONIOENCODING": "latin-1"})


def test_project_path_with_non_utf8_bytes(hostile):
    ws = hostile.workspace()
    odd = Path(os.fsdecode(os.fsencode(str(ws.base)) + b"/caf\xe9"))
    odd.mkdir()
    target = odd / "q.rq"
    target.write_text(LABEL, encoding="utf-8")
    hostile.run(["query", "exec", os.fsencode(str(target)), "--format", "csv"], Expect((0,), stdout_check=_utf8_label))
