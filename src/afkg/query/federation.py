"""Federated queries: SERVICE clauses answered through afkg's own HTTP client.

The engines never call a SERVICE themselves. Before a query runs, each
``SERVICE <endpoint> { … }`` clause is resolved as a bind join:

1. the query is run locally with every SERVICE clause emptied, to find the
   values of the clause's variables that the local graph binds (for example the
   Wikidata items of the graph's countries);
2. the clause is sent to its endpoint with those values in a VALUES block;
3. the answers replace the clause as a VALUES block, and the query runs locally.

Only allow-listed endpoints are called (Wikidata's query service by default);
a query naming any other endpoint, or a variable one, is refused before
anything is sent. Every request goes through afkg's HTTP client
(:class:`afkg.http_client.HttpClient`). Federated queries must be SELECT queries.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from afkg.errors import NetworkError, QueryError, UsageError
from afkg.http_client import HttpClient, host_of
from afkg.http_client import check_url as check
from afkg.query.guard import ServiceClause, Token, check_query, check_variable_name, tokens
from afkg.query.results import SelectResult
from afkg.rdf.sparql_terms import values_cell
from afkg.rdf.terms import Term

if TYPE_CHECKING:
    from afkg.http_client import HttpClient

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
ALLOW_ENV = "AFKG_ALLOWED_SERVICES"
"""Comma-separated endpoints allowed besides Wikidata's query service."""
MAX_SERVICE_ROWS = 100_000
"""The most rows a bind join sends to, or accepts from, an endpoint when no row bound is given."""

__all__ = ["ALLOW_ENV", "WIKIDATA_SPARQL", "Federation", "ServiceClause", "service_clauses"]


def service_clauses(query_text: str) -> list[ServiceClause]:
    """The SERVICE clauses of ``query_text``, from its parsed form (see :func:`afkg.query.guard.inspect`).

    An endpoint given by a variable, or a text that does not parse, is refused. Each
    clause's ``start``/``end`` locate it in the query's escape-expanded text.
    """
    return list(check_query(query_text).services)


def _where_span(toks: list[Token]) -> tuple[int, int, int]:
    """Start of the SELECT keyword, and start and end (exclusive) of the outermost ``{ … }`` group."""
    select = next((t.start for t in toks if t.kind == "word" and t.text.upper() == "SELECT"), None)
    depth, start = 0, -1
    for token in toks:
        if select is None or token.start < select:
            continue
        if token.kind == "open" and token.text == "{":
            if depth == 0:
                start = token.start
            depth += 1
        elif token.kind == "close" and token.text == "}" and depth:
            depth -= 1
            if depth == 0:
                return select, start, token.end
        elif token.kind in ("open", "close") and depth:
            depth += 1 if token.kind == "open" else -1
    raise UsageError("a federated query needs a WHERE { … } group")


def _replace_spans(text: str, offset: int, spans: list[tuple[int, int, str]]) -> str:
    """``text`` (which starts at ``offset`` of the query) with each (start, end) span replaced."""
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start - offset] + replacement + text[end - offset:]
    return text


def values_block(variables: list[str], rows: list[dict[str, Term]]) -> str:
    """A VALUES block for ``rows``, from validated variable names and terms only.

    No rows at all is written ``{ FILTER(1 = 0) }`` (no solutions), which both engines
    evaluate alike; rdflib fails on an empty VALUES block and ignores ``FILTER(false)``.
    """
    names = [check_variable_name(v) for v in variables]
    if not rows:
        return "{ FILTER(1 = 0) }"
    if not names:
        return "VALUES () { " + " ".join("()" for _ in rows) + " }"
    head = " ".join(f"?{v}" for v in names)
    body = "\n    ".join("(" + " ".join(values_cell(r.get(v)) for v in names) + ")" for r in rows)
    return f"VALUES ({head}) {{\n    {body}\n  }}"


@functools.cache
def _var_name() -> re.Pattern[str]:
    """A SPARQL variable name (VARNAME, without its ``?``); compiled on first use, since its wide
    character range takes milliseconds to compile, which a local query need not pay."""
    return re.compile(r"^[A-Za-z0-9_\u00B7\u00C0-\uFFFF]+\Z")


def _malformed(host: str, what: str) -> NetworkError:
    return NetworkError(f"malformed answer from {host}: {what}")


def rows_from_json(body: Any, host: str, wanted: tuple[str, ...],
                   max_rows: int) -> tuple[list[str], list[dict[str, Term]]]:
    """The variables (of ``wanted``) and rows of a SPARQL JSON answer, its shape checked throughout
    (every row, every term: an answer with more than ``max_rows`` rows is refused).

    ``body`` is the JSON that :meth:`afkg.http_client.HttpClient.sparql_select` parsed, within its
    size and depth bounds. It is read by hand rather than by ``pyoxigraph.parse_query_results``, which
    decides otherwise: it refuses a key it does not know in a term object and a variable the head
    names twice, which this reader takes; it accepts RDF-star triple terms, which :class:`Term` cannot
    hold; and it words each refusal as a SyntaxError of its own, where this reader names what is
    wrong with the answer (``unknown term type …``, ``bad term for …``).
    """
    if not isinstance(body, dict) or not isinstance(body.get("head"), dict) or not isinstance(body.get("results"),
                                                                                               dict):
        raise _malformed(host, "not SPARQL JSON results")
    head = body["head"].get("vars", [])
    bindings = body["results"].get("bindings")
    if not isinstance(head, list) or not all(isinstance(v, str) and _var_name().match(v) for v in head):
        raise _malformed(host, "'head.vars' is not a list of variable names")
    if not isinstance(bindings, list):
        raise _malformed(host, "'results.bindings' is not a list")
    if len(bindings) > max_rows:
        raise QueryError(f"{host} answered more than {max_rows} rows for a SERVICE clause (--max-rows)")
    variables = [v for v in dict.fromkeys(head) if v in wanted]
    rows: list[dict[str, Term]] = []
    for binding in bindings:
        if not isinstance(binding, dict):
            raise _malformed(host, "a binding is not an object")
        row: dict[str, Term] = {}
        for var, value in binding.items():
            if not isinstance(value, dict) or not isinstance(value.get("type"), str) \
                    or not isinstance(value.get("value"), str):
                raise _malformed(host, f"the value of {var!r} is not a term object")
            extra = [value.get(k) for k in ("datatype", "xml:lang") if k in value]
            if not all(isinstance(x, str) for x in extra):
                raise _malformed(host, f"the datatype or language of {var!r} is not text")
            kind = value["type"]
            if kind not in ("uri", "literal", "typed-literal", "bnode"):
                raise _malformed(host, f"unknown term type {kind[:40]!r}")
            if var not in wanted:
                continue
            if kind == "uri":
                term = Term.uri(value["value"])
            elif kind in ("literal", "typed-literal"):
                term = Term.literal(value["value"], value.get("datatype"), value.get("xml:lang"))
            elif kind == "bnode":
                term = Term.bnode(value["value"])
            else:
                raise _malformed(host, f"unknown term type {kind!r}")
            try:
                values_cell(term)
            except (ValueError, TypeError) as exc:
                raise _malformed(host, f"bad term for {var!r} ({str(exc).splitlines()[0] if str(exc) else exc!r})") \
                    from None
            row[var] = term
            if var not in variables:
                variables.append(var)
        rows.append(row)
    return variables, rows


@dataclass
class Federation:
    """Which endpoints may be called, where to send them, and the client that sends."""

    allowed: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)
    client: HttpClient | None = None
    """The client that sends; None: a new :class:`afkg.http_client.HttpClient` for each call."""
    sent: list[str] = field(default_factory=list)
    """Endpoints called, in order (for reports and tests)."""

    @classmethod
    def default(cls, extra_allowed: list[str] | None = None, redirects: dict[str, str] | None = None,
                client: HttpClient | None = None) -> Federation:
        """Wikidata's query service, plus ``$AFKG_ALLOWED_SERVICES`` and ``extra_allowed``.

        Every endpoint and every redirect target must be an absolute http(s) URL; a bad one
        is a UsageError naming it.
        """
        def check_url(value: str, option: str) -> str:
            # httpx (through afkg's client) is imported only when there is a URL to check:
            # a local query with no --allow-service or $AFKG_ALLOWED_SERVICES does not pay for it
            return check(value, option)

        allowed = {WIKIDATA_SPARQL}
        allowed |= {check_url(e.strip(), f"${ALLOW_ENV}") for e in os.environ.get(ALLOW_ENV, "").split(",")
                    if e.strip()}
        allowed |= {check_url(e, "--allow-service") for e in extra_allowed or []}
        checked = {check_url(iri, "--service-endpoint"): check_url(url, "--service-endpoint")
                   for iri, url in (redirects or {}).items()}
        return cls(allowed=allowed, redirects=checked, client=client)

    def check(self, clauses: list[ServiceClause] | tuple[ServiceClause, ...]) -> None:
        """Refuse the whole query if any endpoint is not allowed."""
        for clause in clauses:
            if clause.endpoint not in self.allowed:
                raise UsageError(f"SERVICE <{clause.endpoint}> is not allowed (allowed: "
                                 f"{', '.join(sorted(self.allowed))}); nothing was sent")

    def resolve(self, text: str, engine: Any, bindings: dict[str, Term], *, max_rows: int | None = None) -> str:
        """``text`` with every SERVICE clause replaced by the endpoint's answers, as a VALUES block
        of checked terms; the result is parsed again and must call no SERVICE."""
        info = check_query(text)
        clauses = info.services
        if not clauses:
            return info.text
        self.check(clauses)
        if info.kind != "SELECT":
            raise UsageError("federated queries must be SELECT queries")
        limit = max_rows or MAX_SERVICE_ROWS
        expanded = info.text
        toks = [t for t in tokens(expanded) if t.kind != "comment"]
        select, start, end = _where_span(toks)
        if any(c.start < start or c.end > end for c in clauses):
            raise UsageError("a SERVICE clause outside the WHERE group is not supported")
        prologue = expanded[:select]
        local_body = _replace_spans(expanded[start:end], start, [(c.start, c.end, "{ }") for c in clauses])
        query_vars = {t.text[1:] for t in toks if t.kind == "var"}
        params = sorted(f"_{name}" for name in bindings if f"_{name}" in query_vars)
        replacements = []
        for clause in clauses:
            shared: list[str] = []
            seeds: list[dict[str, Term]] = []
            if clause.variables:
                projection = " ".join(f"?{check_variable_name(v)}"
                                      for v in sorted(set(clause.variables) | set(params)))
                found = engine.run(f"{prologue}SELECT DISTINCT {projection} WHERE {local_body}", bindings,
                                   max_rows=limit)
                if not isinstance(found, SelectResult):
                    raise QueryError("the local part of a federated query gave no rows")
                if found.truncated:
                    raise QueryError(f"the local part of a federated query has more than {limit} rows "
                                     "(--max-rows)")
                shared = [v for v in clause.variables if any(v in r and r[v].kind == "uri" for r in found.rows)]
                keys = sorted({tuple((v, r.get(v)) for v in shared) for r in found.rows},
                              key=lambda pairs: [(v, t.n3() if t else "") for v, t in pairs])
                seeds = [{v: t for v, t in pairs if t is not None} for pairs in keys]
            if shared and not seeds:
                replacement = values_block(list(clause.variables), [])
            else:
                try:
                    values = values_block(shared, seeds) + "\n  " if shared else ""
                except ValueError as exc:
                    raise QueryError(f"a local value cannot be sent to a service: {exc}") from None
                remote = f"{prologue}SELECT * WHERE {{\n  {values}{clause.group[1:]}"
                sent = check_query(remote, "remote query")
                if sent.services:
                    raise UsageError("a SERVICE inside a SERVICE is not supported; nothing was sent")
                replacement = self._ask(clause, sent.text, limit)
            replacements.append((clause.start, clause.end, replacement))
        resolved = _replace_spans(expanded, 0, replacements)
        final = check_query(resolved, "federated query")
        if final.services:
            raise UsageError("the answers of a service would add a SERVICE clause to the query; refused")
        return final.text

    def _ask(self, clause: ServiceClause, query: str, max_rows: int) -> str:
        endpoint = self.redirects.get(clause.endpoint, clause.endpoint)
        client = self.client or HttpClient()
        try:
            self.sent.append(endpoint)
            body = client.sparql_select(endpoint, query)
        except NetworkError:
            if clause.silent:
                return "{ }"
            raise
        finally:
            if self.client is None:
                client.close()
        variables, rows = rows_from_json(body, host_of(endpoint), clause.variables, max_rows)
        if not variables and rows:
            return "{ }"
        return values_block(variables, rows)
