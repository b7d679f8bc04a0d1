"""A query engine that runs on a remote SPARQL 1.1 endpoint, behind the same interface as the local ones.

The query is checked locally first (it must parse as a query, never an update,
and hold no SERVICE: afkg's federation answers those before the engine runs).
Parameters travel as RDF terms in a ``VALUES`` block placed at the start of the
query's WHERE group, each term written by the project's term serialisation and
checked (:func:`afkg.rdf.sparql_terms.sparql_term`); no value is pasted into the text.
The prefixes the local engines offer are declared in front of the query.

The query is POSTed (SPARQL 1.1 Protocol) with ``default-graph-uri`` set to the
graphs afkg pushes for the ontology and the data, so the endpoint sees what the
local engines see. The request goes through afkg's HTTP client
(:class:`afkg.http_client.HttpClient`: a total deadline, 16 MiB, no redirect
followed, 429/503 retried as Retry-After asks), and the answer is checked for
its shape: SPARQL JSON results for SELECT and ASK, N-Triples (or Turtle) for
CONSTRUCT and DESCRIBE.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pyoxigraph as ox

from afkg.errors import NetworkError, QueryError, SparqlSyntaxError, UsageError
from afkg.http_client import (
    DEFAULT_TIMEOUT,
    MAX_ANSWER_BYTES,
    TOKEN_ENV,
    AnswerTooLarge,
    Credentials,
    DeadlinePassed,
    HttpClient,
    check_url,
    shown,
)
from afkg.prefixes import PREFIXES
from afkg.query.engines import oxigraph_syntax_position
from afkg.query.federation import service_clauses
from afkg.query.results import AskResult, GraphResult, Result, SelectResult
from afkg.rdf.formats import accepted_types, get
from afkg.rdf.sparql_terms import sparql_term
from afkg.rdf.terms import Term, from_oxigraph

DATA_GRAPH = "https://w3id.org/afkg/graph/data"
ONTOLOGY_GRAPH = "https://w3id.org/afkg/graph/ontology"
DEFAULT_GRAPHS = (ONTOLOGY_GRAPH, DATA_GRAPH)
"""The graphs a remote query sees as its default graph: those ``afkg push`` writes for ontology and data."""
DEFAULT_MAX_ROWS = 100_000
MAX_QUERY_BYTES = 1024 * 1024

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.:]*")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_JSON_TYPES = accepted_types("json", generic=True)
"""The media types a SELECT or ASK answer may come as: SPARQL JSON results, or plain JSON."""
_GRAPH_FORMATS = ("ntriples", "turtle")
"""The formats a CONSTRUCT or DESCRIBE answer may come in, the one asked for first."""


def _skip_string(text: str, i: int) -> int:
    """The index after the string literal that starts at ``i``."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        end = i + 3
        while end < len(text):
            if text[end] == "\\":
                end += 2
            elif text.startswith(quote * 3, end):
                return end + 3
            else:
                end += 1
        return len(text)
    end = i + 1
    while end < len(text) and text[end] not in (quote, "\n"):
        end += 2 if text[end] == "\\" else 1
    return end + 1


def where_group(text: str) -> tuple[str | None, int | None]:
    """The query form and the index of the ``{`` that opens the query's WHERE group.

    Strings, IRIs and comments are skipped; braces inside parentheses (an EXISTS in a
    projection) and a CONSTRUCT template are not the WHERE group.
    """
    form: str | None = None
    seen_where = False
    braces = parens = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c == "#":
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline + 1
            continue
        if c in "\"'":
            i = _skip_string(text, i)
            continue
        if c == "<":
            match = _IRIREF.match(text, i)
            i = match.end() if match else i + 1
            continue
        if c in "?$":
            match = _WORD.match(text, i + 1)
            i = match.end() if match else i + 1
            continue
        if c.isalpha() or c == "_":
            match = _WORD.match(text, i)
            assert match is not None
            word = match.group().upper()
            if braces == 0 and parens == 0:
                if form is None and word in _FORMS:
                    form = word
                elif word == "WHERE":
                    seen_where = True
            i = match.end()
            continue
        if c == "(":
            parens += 1
        elif c == ")":
            parens = max(0, parens - 1)
        elif c == "{":
            if braces == 0 and parens == 0 and form is not None and (form != "CONSTRUCT" or seen_where):
                return form, i
            braces += 1
        elif c == "}":
            braces = max(0, braces - 1)
        i += 1
    return form, None


def values_block(bindings: dict[str, Term]) -> str:
    """``VALUES (?_a ?_b) { (term term) }`` for the parameters, each term checked."""
    names = []
    terms = []
    for name, term in sorted(bindings.items()):
        if not _NAME.match(name):
            raise UsageError(f"bad parameter name {name!r}")
        if term.kind == "bnode":
            raise UsageError(f"parameter '{name}' cannot be a blank node on a remote endpoint")
        names.append(f"?_{name}")
        terms.append(sparql_term(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def remote_text(text: str, bindings: dict[str, Term]) -> str:
    """The text sent to the endpoint: the local prefixes declared, the parameters in a VALUES block."""
    prologue = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in sorted(PREFIXES.items()))
    if not bindings:
        return prologue + text
    _, brace = where_group(text)
    if brace is None:
        raise UsageError("parameters of a query without a WHERE group cannot be bound on a remote endpoint")
    return prologue + text[: brace + 1] + " " + values_block(bindings) + "\n" + text[brace + 1:]


def _check_locally(text: str) -> None:
    """Raise SparqlSyntaxError unless ``text`` parses as a query (an update does not) with afkg's prefixes."""
    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise SparqlSyntaxError(*oxigraph_syntax_position(exc)) from None
    except (RuntimeError, ValueError, OSError):
        pass  # it parsed; evaluating it on an empty store is not the point
    if "service" in text.lower():
        clauses = service_clauses(text)
        if clauses:
            raise UsageError(f"SERVICE <{clauses[0].endpoint}> is answered by afkg's federation, "
                             "never sent on to the endpoint")


# --- answers ---------------------------------------------------------------------------

def _json_term(value: Any, where: str) -> Term:
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise NetworkError(f"malformed answer from {where}: a binding is not a SPARQL JSON term")
    kind = value.get("type")
    if kind == "uri":
        return Term.uri(value["value"])
    if kind == "bnode":
        return Term.bnode(value["value"])
    if kind in ("literal", "typed-literal"):
        datatype = value.get("datatype")
        lang = value.get("xml:lang")
        if datatype is not None and not isinstance(datatype, str) or lang is not None and not isinstance(lang, str):
            raise NetworkError(f"malformed answer from {where}: a literal's datatype or language is not text")
        return Term.literal(value["value"], datatype, lang)
    raise NetworkError(f"malformed answer from {where}: unsupported term type {str(kind)[:40]!r}")


def parse_select(body: Any, where: str, max_rows: int) -> SelectResult:
    """A SelectResult from parsed SPARQL JSON results; rows beyond ``max_rows`` are dropped, their
    terms unread.

    Read by hand rather than by ``pyoxigraph.parse_query_results``, which decides otherwise: it
    refuses an answer with a key it does not know (in a term object, or after the bindings), a
    variable the head names twice or an IRI that is not absolute, all of which this reader takes;
    it accepts RDF-star triple terms, which :class:`Term` cannot hold; and it words each refusal
    as a SyntaxError of its own, where this reader names what is wrong with the answer.
    """
    head = body.get("head") if isinstance(body, dict) else None
    results = body.get("results") if isinstance(body, dict) else None
    variables = head.get("vars") if isinstance(head, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables) \
            or not isinstance(bindings, list):
        raise NetworkError(f"malformed answer from {where}: not SPARQL JSON SELECT results")
    known = set(variables)
    rows = []
    for binding in bindings[:max_rows]:
        if not isinstance(binding, dict) or not set(binding) <= known:
            raise NetworkError(f"malformed answer from {where}: a row binds a variable not in the head")
        rows.append({var: _json_term(binding[var], where) for var in variables if var in binding})
    result = SelectResult(list(variables), rows)
    result.truncated = len(bindings) > max_rows
    return result


def parse_ask(body: Any, where: str) -> bool:
    """The answer of SPARQL JSON boolean results, or of the one-row table some stores send instead
    (Virtuoso 7: the variable ``__ASK_RETVAL`` bound to 1 or 0)."""
    if isinstance(body, dict) and isinstance(body.get("boolean"), bool):
        return body["boolean"]
    try:
        table = parse_select(body, where, 2)
    except NetworkError:
        table = None
    if table is not None and table.variables == ["__ASK_RETVAL"] and len(table.rows) == 1 \
            and table.rows[0].get("__ASK_RETVAL", Term.uri("")).value in ("0", "1"):
        return table.rows[0]["__ASK_RETVAL"].value == "1"
    raise NetworkError(f"malformed answer from {where}: not a SPARQL JSON boolean")


def parse_graph(body: bytes, content_type: str, where: str, max_rows: int) -> GraphResult:
    """A GraphResult from N-Triples or Turtle; triples beyond ``max_rows`` are dropped."""
    media = content_type.split(";", 1)[0].strip().lower()
    formats = {media_type: get(name).pyoxigraph() for name in _GRAPH_FORMATS
               for media_type in (get(name).media_type, *get(name).generic)}
    if media not in formats:
        raise NetworkError(f"malformed answer from {where}: a graph came as {media or 'no media type'!r}, "
                           "not N-Triples or Turtle")
    triples = []
    try:
        for number, quad in enumerate(ox.parse(body, format=formats[media])):
            if number >= max_rows:
                break
            triples.append((from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object)))
    except (SyntaxError, ValueError) as exc:
        raise NetworkError(f"malformed answer from {where}: {str(exc).splitlines()[0][:200]}") from None
    except QueryError:
        raise NetworkError(f"malformed answer from {where}: an unsupported term in the graph") from None
    return GraphResult(triples)


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):g} MiB" if count >= 1024 * 1024 else f"{count} bytes"


class RemoteEngine:
    """Runs the stored queries on a remote SPARQL endpoint."""

    name = "remote"

    def __init__(self, endpoint: str, *, default_graphs: Iterable[str] = DEFAULT_GRAPHS,
                 credentials: Credentials | None = None, timeout: float = DEFAULT_TIMEOUT,
                 max_rows: int = DEFAULT_MAX_ROWS, max_bytes: int = MAX_ANSWER_BYTES,
                 sleep: Callable[[float], None] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.endpoint = check_url(endpoint, "--endpoint", credentials=f"${TOKEN_ENV}")
        if max_rows < 1:
            raise UsageError(f"--max-rows must be an integer >= 1, got {max_rows}")
        self.default_graphs = list(default_graphs)
        self.max_rows = max_rows
        self._client = HttpClient(credentials=credentials, timeout=timeout, max_bytes=max_bytes, sleep=sleep,
                                  transport=transport)
        self.timeout = self._client.timeout

    def close(self) -> None:
        self._client.close()

    def run(self, text: str, bindings: dict[str, Term], *, max_rows: int | None = None) -> Result:
        """Run ``text`` on the endpoint with each ``?_name`` bound to ``bindings[name]``, keeping
        at most ``max_rows`` rows (or the engine's own bound)."""
        limit = min(max_rows, self.max_rows) if max_rows is not None else self.max_rows
        if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
            raise UsageError(f"the query text is larger than {MAX_QUERY_BYTES // (1024 * 1024)} MiB")
        _check_locally(text)
        form, _ = where_group(text)
        sent = remote_text(text, bindings)
        accept = f"{get('ntriples').media_type}, {get('turtle').media_type};q=0.5" \
            if form in ("CONSTRUCT", "DESCRIBE") else get("json").media_type
        where = shown(self.endpoint)
        try:
            answer = self._client.request("POST", self.endpoint,
                                          data={"query": sent, "default-graph-uri": self.default_graphs},
                                          headers={"Accept": accept})
        except DeadlinePassed:
            raise QueryError(f"query stopped after {self.timeout:g} s (--timeout)") from None
        except AnswerTooLarge as exc:
            raise QueryError(f"{where}: the answer is larger than {_size(exc.limit)}") from None
        if answer.status in (400, 403, 405, 406, 413, 414, 415, 501):
            raise QueryError(f"{where} refused the query (HTTP {answer.status}): {answer.text_line()}")
        if answer.status in (408, 504):
            raise QueryError(f"{where} stopped the query (HTTP {answer.status}): {answer.text_line()}")
        if answer.status != 200:
            raise NetworkError(f"{where} answered HTTP {answer.status}: {answer.text_line()}")
        if form in ("CONSTRUCT", "DESCRIBE"):
            return parse_graph(answer.body, answer.content_type, where, limit)
        media = answer.content_type.split(";", 1)[0].strip().lower()
        if media not in _JSON_TYPES:
            raise NetworkError(f"malformed answer from {where}: {media or 'no media type'!r}, "
                               "not SPARQL JSON results")
        try:
            body = json.loads(answer.body)
        except (ValueError, RecursionError):
            raise NetworkError(f"malformed answer from {where}: not JSON") from None
        if form == "ASK":
            return AskResult(parse_ask(body, where))
        return parse_select(body, where, limit)
