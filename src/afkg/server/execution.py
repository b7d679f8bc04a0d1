"""What a worker process does with one request: check, run, bound and write a query's results.

Everything here runs inside a worker (see :mod:`afkg.server.workers`), so that a
query that runs away can be stopped by ending the process. A worker takes a task
(:mod:`afkg.server.tasks`) and returns an :class:`afkg.server.tasks.Answer`: the status,
the body (bytes), the format name, the rows and the row bound when rows were left out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyoxigraph as ox

from afkg.errors import AfkgError, NetworkError, QueryError, SparqlSyntaxError, UsageError
from afkg.layout import Layout
from afkg.query.catalogue import Catalogue, StoredQuery, execute
from afkg.query.engines import OxigraphEngine
from afkg.query.federation import Federation
from afkg.query.guard import inspect
from afkg.query.results import AskResult, GraphResult, Result, SelectResult, _json_term, render
from afkg.rdf.context import load_context
from afkg.rdf.formats import CLI_GRAPH, CLI_RESULTS, get
from afkg.rdf.terms import Term, from_oxigraph, oxigraph_predicate, oxigraph_subject, to_oxigraph
from afkg.server.messages import plain_syntax_error, service_refusal
from afkg.server.negotiation import GRAPH, TABULAR
from afkg.server.tasks import Answer, PingTask, SparqlTask, StoredTask, Task, failed, ok

if TYPE_CHECKING:
    from afkg.query.catalogue import StoredQuery

TRUNCATED_LINK = "urn:afkg:truncated:{limit}"
"""The ``head.link`` entry of SPARQL JSON and XML results cut at the row bound."""
CLI_FORMATS = CLI_RESULTS + CLI_GRAPH
"""Formats that :func:`afkg.query.results.render` writes (the same bytes as ``afkg query run``)."""


class Refused(AfkgError):
    """A request the endpoint will not run; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class DatasetView:
    """A store seen through a dataset: the union of its graphs by default, or the
    graphs a request names (never fetched; graphs the store lacks are empty)."""

    def __init__(self, store: Any, default_graphs: list[str] | None = None,
                 named_graphs: list[str] | None = None) -> None:
        self.store = store
        self.union = default_graphs is None and named_graphs is None
        """Whether the default graph is the union of the store's graphs (no dataset named)."""
        self.default_graph = [ox.NamedNode(g) for g in default_graphs or []]
        self.named_graphs = None if named_graphs is None else [ox.NamedNode(g) for g in named_graphs]

    def query(self, text: str, **options: Any) -> Any:
        if self.union:
            return self.store.query(text, **options, use_default_graph_as_union=True)
        if self.named_graphs is None:
            return self.store.query(text, **options, default_graph=self.default_graph)
        return self.store.query(text, **options, default_graph=self.default_graph, named_graphs=self.named_graphs)


@functools.cache
def _federation_class() -> Any:
    class ServerFederation(Federation):
        """afkg's federation, whose refusal of an endpoint says how to allow it on the server."""

        def check(self, clauses: Any) -> None:
            for clause in clauses:
                if clause.endpoint not in self.allowed:
                    raise UsageError(service_refusal(clause.endpoint, self.allowed))

    return ServerFederation


def _federation(allowed: tuple[str, ...]) -> Any:
    """afkg's federation over the endpoints ``--allow-service`` named (no other, Wikidata's included)."""
    return _federation_class()(allowed=set(allowed))


FROM_REFUSED = ("FROM and FROM NAMED are not allowed: this endpoint answers from its own graphs and fetches "
                "nothing; choose among them with the default-graph-uri and named-graph-uri parameters")


def _engine(layout: Layout, view: DatasetView) -> Any:
    """afkg's oxigraph engine over ``view`` instead of its own in-memory store."""
    return OxigraphEngine(layout, view)


@dataclass
class Worker:
    """The state a worker process keeps between requests."""

    layout: Layout
    store: Any
    allow_service: tuple[str, ...] = ()
    stored: dict[str, StoredQuery] = field(default_factory=dict)

    @functools.cached_property
    def context(self) -> dict[str, Any] | None:
        """The project's JSON-LD context (None when the project has none), read once."""
        exists = self.layout is not None and self.layout.context_file.is_file()
        return load_context(self.layout.context_file) if exists else None

    def handle(self, task: Task) -> Answer:
        """The answer to ``task``; every afkg error becomes a status and a one-line message."""
        try:
            if isinstance(task, SparqlTask):
                return self.sparql(task)
            if isinstance(task, StoredTask):
                return self.stored_query(task)
            if isinstance(task, PingTask):
                return Answer(200, b"ok", "text")
            raise Refused(400, f"unknown task {type(task).__name__!r}")
        except Refused as exc:
            return failed(exc.status, str(exc))
        except SparqlSyntaxError as exc:
            return failed(400, str(exc))
        except UsageError as exc:
            return failed(400, str(exc))
        except NetworkError as exc:
            return failed(502, str(exc))
        except AfkgError as exc:
            return failed(500, str(exc))

    # --- /sparql ---------------------------------------------------------------------------

    def sparql(self, task: SparqlTask) -> Answer:
        try:
            info = inspect(task.query)
        except SparqlSyntaxError as exc:
            raise Refused(400, plain_syntax_error(task.query, exc)) from None
        if info.is_update:
            raise Refused(400, "this is a SPARQL update; the endpoint is read-only and runs queries only")
        if info.has_dataset:
            raise Refused(400, FROM_REFUSED)
        text = info.text
        view = DatasetView(self.store, task.default_graphs, task.named_graphs)
        max_rows = task.max_rows
        if info.services:
            federation = _federation(self.allow_service)
            try:
                federation.check(list(info.services))
            except UsageError as exc:
                raise Refused(403, str(exc)) from None
            ad_hoc = StoredQuery(name="query", path=Path("query"), text=text, summary="", query_type=info.kind)
            result = execute(ad_hoc, _engine(self.layout, view), {}, federation, max_rows=max_rows)
            return _answer(result, task, max_rows, context=self.context)
        try:
            answer = _engine(self.layout, view).evaluate(info)
        except SparqlSyntaxError as exc:
            raise Refused(400, plain_syntax_error(text, exc)) from None
        try:
            if isinstance(answer, ox.QueryBoolean):
                return _answer(AskResult(bool(answer)), task, max_rows, context=self.context)
            if isinstance(answer, ox.QuerySolutions):
                fmt = _format(task, "tabular")
                variables = [v.value for v in answer.variables]
                if fmt == "json":
                    return _solutions_json(answer, variables, max_rows)
                rows: list[dict[str, Term]] = []
                for solution in answer:
                    if len(rows) == max_rows + 1:
                        break
                    rows.append({v: from_oxigraph(solution[v]) for v in variables if solution[v] is not None})
                return _answer(SelectResult(variables, rows), task, max_rows, fmt, context=self.context)
            _format(task, "graph")
            triples: list[tuple[Term, Term, Term]] = []
            for triple in answer:
                if len(triples) == max_rows + 1:
                    break
                triples.append((from_oxigraph(triple.subject), from_oxigraph(triple.predicate),
                                from_oxigraph(triple.object)))
            truncated = len(triples) > max_rows
            result = GraphResult(triples[:max_rows])
            return _answer(result, task, max_rows, truncated=truncated, context=self.context)
        except (RuntimeError, ValueError, OSError) as exc:
            raise QueryError(f"query failed (oxigraph): {exc}") from None

    # --- /api/queries ------------------------------------------------------------------------

    def stored_query(self, task: StoredTask) -> Answer:
        name = task.name
        if name not in self.stored:
            self.stored[name] = Catalogue(self.layout).get(name)
        query = self.stored[name]
        engine = _engine(self.layout, DatasetView(self.store))
        max_rows = task.max_rows
        offset = task.offset or 0
        limit = task.limit
        fetch = offset + (max_rows if limit is None else min(limit, max_rows)) + 1
        result = execute(query, engine, dict(task.params), _federation(self.allow_service), max_rows=fetch)
        if isinstance(result, SelectResult):
            total = len(result.rows)
            end = total if limit is None else min(total, offset + limit)
            window = result.rows[offset:end]
            truncated = len(window) > max_rows
            window = window[:max_rows]
            answer = self._stored_answer(SelectResult(result.variables, window), task, truncated)
            following = offset + len(window)
            if following < total and (limit is not None or truncated):
                answer.next_offset = following
                answer.next_limit = limit if limit is not None else max_rows
            return answer
        if isinstance(result, GraphResult) and len(result.triples) > max_rows:
            return self._stored_answer(GraphResult(result.triples[:max_rows]), task, True)
        return self._stored_answer(result, task, None)

    def _stored_answer(self, result: Result, task: StoredTask, truncated: bool | None) -> Answer:
        """The answer of a stored query: its result in ``task.format``, or (for the site's pages)
        the result itself, bounded as its bytes would be."""
        if not task.result:
            return _answer(result, task, task.max_rows, task.format, truncated=truncated, context=self.context)
        max_rows = task.max_rows
        if isinstance(result, SelectResult):
            cut = len(result.rows) > max_rows if truncated is None else truncated
            kept = SelectResult(result.variables, result.rows[:max_rows], truncated=cut)
            return Answer(200, b"", task.format, len(kept.rows), max_rows if cut else None, result=kept)
        if isinstance(result, AskResult):
            return Answer(200, b"", task.format, 1, None, result=result)
        graph = GraphResult(result.triples)
        return Answer(200, b"", task.format, len(graph.triples), max_rows if truncated else None, result=graph)


# --- SPARQL JSON results, written directly -----------------------------------------------------
#
# The bytes of afkg.query.results.render(SelectResult(...), "json"), that is of
# json.dumps(..., indent=2, ensure_ascii=False) + "\n", written without building the
# document (with an indent, json.dumps runs its pure-Python encoder) and with each distinct
# term encoded once. tests/test_server_footprint.py compares both on generated results.

def _json_fragment(term: Any) -> str:
    """A term of a binding, as json.dumps(indent=2) writes it at the depth of a binding's value."""
    fields = _json_term(term)
    return "{\n" + ",\n".join(f"          {encode_basestring(k)}: {encode_basestring(v)}" for k, v in fields.items()) \
        + "\n        }"


def select_json(variables: list[str], rows: Any, link: str | None = None) -> str:
    """SPARQL JSON results of ``rows`` (dicts from a variable to a :class:`Term`, unbound ones
    missing), as :func:`afkg.query.results.render` writes them; ``link`` is added to the head as
    :func:`_mark_truncated` does."""
    keys = {v: f"        {encode_basestring(v)}: " for v in variables}
    cache: dict[Any, str] = {}
    parts = []
    for row in rows:
        cells = []
        for var in variables:
            term = row.get(var)
            if term is not None:
                fragment = cache.get(term)
                if fragment is None:
                    fragment = cache[term] = _json_fragment(term)
                cells.append(keys[var] + fragment)
        parts.append("      {\n" + ",\n".join(cells) + "\n      }" if cells else "      {}")
    return _json_document(variables, parts, link)


def _json_document(variables: list[str], rows: list[str], link: str | None) -> str:
    names = ("[\n" + ",\n".join(f"      {encode_basestring(v)}" for v in variables) + "\n    ]") if variables else "[]"
    head = f'  "head": {{\n    "vars": {names}'
    if link is not None:
        head += f',\n    "link": [\n      {encode_basestring(link)}\n    ]'
    bindings = ("[\n" + ",\n".join(rows) + "\n    ]") if rows else "[]"
    return f'{{\n{head}\n  }},\n  "results": {{\n    "bindings": {bindings}\n  }}\n}}\n'


FRAGMENTS_KEPT = 50_000
"""Encoded pyoxigraph terms a worker keeps between queries (about 200 bytes each)."""
_fragments: dict[Any, str] = {}


def _solutions_json(solutions: Any, variables: list[str], max_rows: int) -> Answer:
    """The answer of a SELECT query in SPARQL JSON, at most ``max_rows`` rows, each distinct
    pyoxigraph term converted (canonical numbers) and encoded once (and kept for the next
    queries, up to :data:`FRAGMENTS_KEPT` terms)."""
    keys = [f"        {encode_basestring(v)}: " for v in variables]
    positions = range(len(variables))
    cache = _fragments
    parts: list[str] = []
    truncated = False
    for solution in solutions:
        if len(parts) == max_rows:
            truncated = True
            break
        cells = []
        for i in positions:
            term = solution[i]
            if term is not None:
                fragment = cache.get(term)
                if fragment is None:
                    if len(cache) >= FRAGMENTS_KEPT:
                        cache.clear()
                    fragment = cache[term] = _json_fragment(from_oxigraph(term))
                cells.append(keys[i] + fragment)
        parts.append("      {\n" + ",\n".join(cells) + "\n      }" if cells else "      {}")
    link = TRUNCATED_LINK.format(limit=max_rows) if truncated else None
    return ok(_json_document(variables, parts, link), "json", len(parts), max_rows if truncated else None)


def _format(task: SparqlTask | StoredTask, kind: str) -> str:
    """The format negotiated for a result of ``kind``; 406 when the client accepts none."""
    fmt = (task.tabular if kind == "tabular" else task.graph) if isinstance(task, SparqlTask) else None
    allowed = TABULAR if kind == "tabular" else GRAPH
    if fmt is None or fmt not in allowed:
        names = ", ".join(allowed)
        raise Refused(406, f"no acceptable format for a {'SELECT or ASK' if kind == 'tabular' else 'graph'} "
                           f"result; this endpoint writes {names}")
    return fmt


def _answer(result: Result, task: SparqlTask | StoredTask, max_rows: int, fmt: str | None = None,
            truncated: bool | None = None, context: dict[str, Any] | None = None) -> Answer:
    """The answer for ``result``, with the row bound applied to SELECT results; JSON-LD
    is compacted with ``context`` (the project's), as ``afkg query run`` does."""
    if isinstance(result, SelectResult):
        fmt = fmt or _format(task, "tabular")
        if truncated is None:
            truncated = len(result.rows) > max_rows
        if truncated:
            result = SelectResult(result.variables, result.rows[:max_rows])
        if fmt == "json":
            link = TRUNCATED_LINK.format(limit=max_rows) if truncated else None
            return ok(select_json(result.variables, result.rows, link), fmt, len(result.rows),
                      max_rows if truncated else None)
        body = render(result, fmt)
        if truncated:
            body = _mark_truncated(body, fmt, max_rows)
        return ok(body, fmt, len(result.rows), max_rows if truncated else None)
    if isinstance(result, AskResult):
        fmt = fmt or _format(task, "tabular")
        return ok(render(result, fmt), fmt, 1, None)
    fmt = fmt or _format(task, "graph")
    if fmt in CLI_FORMATS:
        body = render(result, fmt, context=context)
    else:
        body = _serialize(result, fmt)
    return ok(body, fmt, len(result.triples), max_rows if truncated else None)


def _serialize(result: GraphResult, fmt: str) -> str:
    """A graph result in RDF/XML, N-Quads or TriG (the triples in the default graph)."""
    target = get(fmt)
    if target.kind != "quads":
        items: list[Any] = [ox.Triple(oxigraph_subject(to_oxigraph(s)), oxigraph_predicate(to_oxigraph(p)),
                                      to_oxigraph(o)) for s, p, o in result.triples]
        # without an output, serialize returns the bytes (pyoxigraph types the result bytes | None for both cases)
        return cast(bytes, ox.serialize(items, format=target.pyoxigraph())).decode("utf-8")
    quads = [ox.Quad(oxigraph_subject(to_oxigraph(s)), oxigraph_predicate(to_oxigraph(p)), to_oxigraph(o),
                     ox.DefaultGraph()) for s, p, o in result.triples]
    return cast(bytes, ox.serialize(quads, format=target.pyoxigraph())).decode("utf-8")


def _mark_truncated(body: str, fmt: str, limit: int) -> str:
    """SPARQL XML results with the truncation link in their head (SPARQL JSON results are written
    with it: :func:`select_json`); other formats as they are."""
    link = TRUNCATED_LINK.format(limit=limit)
    if fmt == "xml":
        return body.replace("  </head>", f'    <link href="{link}"/>\n  </head>', 1)
    return body
