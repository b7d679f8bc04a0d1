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
anything is sent. Federated queries must be SELECT queries.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from afkg.errors import UsageError
from afkg.query.results import SelectResult
from afkg.query.terms import Term

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
ALLOW_ENV = "AFKG_ALLOWED_SERVICES"
"""Comma-separated endpoints allowed besides Wikidata's query service."""


@dataclass(frozen=True)
class ServiceClause:
    """One SERVICE clause as written in the query."""

    text: str
    endpoint: str
    silent: bool
    variables: tuple[str, ...]
    group: str


def service_clauses(query_text: str) -> list[ServiceClause]:
    """The SERVICE clauses of ``query_text``; an endpoint given by a variable is refused."""
    if "service" not in query_text.lower():
        return []
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import URIRef, Variable

    from afkg.prefixes import PREFIXES

    try:
        algebra = prepareQuery(query_text, initNs=PREFIXES).algebra
    except Exception as exc:  # the parser raises assorted errors
        raise UsageError(f"cannot parse the query to find its SERVICE clauses: {str(exc).splitlines()[0]}") from None
    found: list[ServiceClause] = []

    def walk(node: Any) -> None:
        if hasattr(node, "name") and node.name == "ServiceGraphPattern":
            term = node.get("term")
            text = node.get("service_string")
            if not isinstance(term, URIRef):
                raise UsageError(f"SERVICE with a variable endpoint ({term}) is not allowed; nothing was sent")
            group = text[text.index("{"):]
            variables = tuple(sorted(str(v) for v in node.get("graph").get("_vars", set()) if isinstance(v, Variable)))
            silent = re.match(r"(?is)\s*SERVICE\s+SILENT\b", text) is not None
            found.append(ServiceClause(text, str(term), silent, variables, group))
            return
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(algebra)
    return found


def _where_span(text: str) -> tuple[int, int]:
    """Start and end (exclusive) of the outermost ``{ … }`` group of a SELECT query,
    skipping IRIs, strings and comments."""
    depth, start, i = 0, -1, 0
    while i < len(text):
        c = text[i]
        if c == "#":
            i = text.find("\n", i)
            if i < 0:
                break
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i += re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]).end() - 1
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < len(text) and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote) - 1
        elif c == "{":
            if depth == 0:
                start = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return start, i + 1
        i += 1
    raise UsageError("a federated query needs a WHERE { … } group")


def _prologue(text: str) -> str:
    return "\n".join(re.findall(r"(?im)^\s*(?:PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)", text))


def _values_block(variables: list[str], rows: list[dict[str, Term]]) -> str:
    """A VALUES block for ``rows``; blank nodes and unbound values are UNDEF."""
    def cell(row: dict[str, Term], var: str) -> str:
        term = row.get(var)
        return "UNDEF" if term is None or term.kind == "bnode" else term.n3()

    if not variables:
        return "VALUES () { " + " ".join("()" for _ in rows) + " }"
    head = " ".join(f"?{v}" for v in variables)
    body = "\n    ".join("(" + " ".join(cell(r, v) for v in variables) + ")" for r in rows)
    return f"VALUES ({head}) {{\n    {body}\n  }}"


def _rows_from_json(body: dict[str, Any]) -> tuple[list[str], list[dict[str, Term]]]:
    variables = [str(v) for v in body["head"].get("vars", [])]
    rows = []
    for binding in body["results"]["bindings"]:
        row = {}
        for var, value in binding.items():
            kind = value.get("type")
            if kind == "uri":
                row[var] = Term.uri(value["value"])
            elif kind in ("literal", "typed-literal"):
                row[var] = Term.literal(value["value"], value.get("datatype"), value.get("xml:lang"))
            elif kind == "bnode":
                row[var] = Term.bnode(value["value"])
        rows.append(row)
    return variables, rows


@dataclass
class Federation:
    """Which endpoints may be called, where to send them, and the client that sends."""

    allowed: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)
    client: Any = None
    sent: list[str] = field(default_factory=list)
    """Endpoints called, in order (for reports and tests)."""

    @classmethod
    def default(cls, extra_allowed: list[str] | None = None, redirects: dict[str, str] | None = None,
                client: Any = None) -> Federation:
        """Wikidata's query service, plus ``$AFKG_ALLOWED_SERVICES`` and ``extra_allowed``."""
        allowed = {WIKIDATA_SPARQL}
        allowed |= {e.strip() for e in os.environ.get(ALLOW_ENV, "").split(",") if e.strip()}
        allowed |= set(extra_allowed or [])
        return cls(allowed=allowed, redirects=dict(redirects or {}), client=client)

    def check(self, clauses: list[ServiceClause]) -> None:
        """Refuse the whole query if any endpoint is not allowed."""
        for clause in clauses:
            if clause.endpoint not in self.allowed:
                raise UsageError(f"SERVICE <{clause.endpoint}> is not allowed (allowed: "
                                 f"{', '.join(sorted(self.allowed))}); nothing was sent")

    def resolve(self, text: str, engine: Any, bindings: dict[str, Term]) -> str:
        """``text`` with every SERVICE clause replaced by the endpoint's answers."""
        clauses = service_clauses(text)
        if not clauses:
            return text
        self.check(clauses)
        if not re.search(r"(?i)\bSELECT\b", text.split("{", 1)[0]):
            raise UsageError("federated queries must be SELECT queries")
        start, end = _where_span(text)
        local_body = text[start:end]
        for clause in clauses:
            local_body = local_body.replace(clause.text, "{ }", 1)
        resolved = text
        for clause in clauses:
            params = [f"_{name}" for name in bindings if f"?_{name}" in text]
            projection = " ".join(f"?{v}" for v in sorted(set(clause.variables) | set(params)))
            local = f"{_prologue(text)}\nSELECT DISTINCT {projection} WHERE {local_body}"
            found = engine.run(local, bindings)
            assert isinstance(found, SelectResult)
            shared = [v for v in clause.variables if any(v in row and row[v].kind == "uri" for row in found.rows)]
            seeds = sorted({tuple((v, row.get(v)) for v in shared) for row in found.rows},
                           key=lambda pairs: [(v, t.n3() if t else "") for v, t in pairs])
            if shared and not seeds:
                replacement = _values_block(list(clause.variables), [])
            else:
                seed_rows = [{v: t for v, t in pairs if t is not None} for pairs in seeds]
                remote = (f"{_prologue(text)}\nSELECT * WHERE {{\n  "
                          + (_values_block(shared, seed_rows) + "\n  " if shared else "")
                          + clause.group[1:])
                replacement = self._ask(clause, remote)
            resolved = resolved.replace(clause.text, replacement, 1)
        return resolved

    def _ask(self, clause: ServiceClause, query: str) -> str:
        from afkg.errors import NetworkError
        from afkg.wikidata.client import WebClient

        endpoint = self.redirects.get(clause.endpoint, clause.endpoint)
        client = self.client or WebClient()
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
        variables, rows = _rows_from_json(body)
        return _values_block(variables, rows)
