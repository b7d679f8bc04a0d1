"""One small interface over the SPARQL engines: pyoxigraph and rdflib.

Both engines see the same graph (the ontology and every data file), receive
parameters as RDF terms (oxigraph substitutions, rdflib initBindings), and
answer with the engine-neutral results of :mod:`afkg.query.results`.

Neither engine reaches the network. Every text is checked by
:func:`afkg.query.guard.check_query` before an engine sees it: a query with a
SERVICE clause (answered only by :mod:`afkg.query.federation`), FROM, or an
update is refused. The rdflib engine evaluates the very algebra the guard
inspected, and rdflib's own SERVICE evaluation and graph loading are switched
off when this module is imported. With ``max_rows``, an engine stops reading
solutions after that many rows and marks the result ``truncated``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from afkg.errors import AfkgError, QueryError, SparqlSyntaxError, UsageError
from afkg.layout import Layout
from afkg.prefixes import PREFIXES
from afkg.query.guard import _walk, check_query, deep_recursion, disable_rdflib_network, prechecked_info
from afkg.query.results import AskResult, GraphResult, Result, SelectResult
from afkg.rdf.loader import load_file
from afkg.rdf.terms import Term, from_oxigraph, from_rdflib, to_oxigraph, to_rdflib

if TYPE_CHECKING:
    import pyoxigraph as ox

    from afkg.query.guard import QueryInfo

ENGINES = ("oxigraph", "rdflib")
"""Engine names, the default first."""


class Engine(Protocol):
    """Runs SPARQL text over the project graph."""

    name: str

    def run(self, text: str, bindings: dict[str, Term], *, max_rows: int | None = None) -> Result:
        """Run ``text`` with each ``?_name`` bound to ``bindings[name]``, keeping at most ``max_rows`` rows."""
        ...


class SparqlStore(Protocol):
    """What :class:`OxigraphEngine` asks of its store: a pyoxigraph store, or a view of one (the server's
    :class:`afkg.server.execution.DatasetView`)."""

    def query(self, query: str, /, *, prefixes: dict[str, str] | None = None,
              substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = None,
              ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        ...


def _local_only(text: str, *, prepared: bool = False) -> QueryInfo:
    """The guard's view of ``text``, refusing any SERVICE clause: engines answer from the local graph only.

    The view of a caller that has just checked this very text (:func:`afkg.query.guard.prechecked`) is
    taken as it is, unless ``prepared`` asks for rdflib's prepared query, which only the full check gives.
    """
    info = prechecked_info(text)
    if info is None or (prepared and info.prepared is None):
        info = check_query(text)
    if info.services:
        raise UsageError(_SERVICE_REACHED.format(endpoint=info.services[0].endpoint))
    return info


_SERVICE_REACHED = ("SERVICE <{endpoint}> reached an engine; engines never call a service (afkg's federation "
                    "does, for allow-listed endpoints); nothing was sent")


def oxigraph_syntax_position(error: SyntaxError) -> tuple[int, int, str]:
    """Line, column and reason of a pyoxigraph SPARQL syntax error ("error at 4:1: expected …")."""
    message = str(error.msg)
    match = re.match(r"error at (\d+):(\d+):\s*(.*)", message, flags=re.DOTALL)
    if match:
        return int(match.group(1)), int(match.group(2)), match.group(3).splitlines()[0]
    return error.lineno or 1, error.offset or 1, message.splitlines()[0]


def _select(variables: list[str], solutions: Any, convert: Callable[[Any], Term], max_rows: int | None
            ) -> SelectResult:
    """Rows of neutral terms from an engine's solutions (unbound variables left out), at most ``max_rows``."""
    rows: list[dict[str, Term]] = []
    for solution in solutions:
        if max_rows is not None and len(rows) >= max_rows:
            return SelectResult(variables, rows, truncated=True)
        row = {}
        for var in variables:
            value = solution[var]
            if value is not None:
                row[var] = convert(value)
        rows.append(row)
    return SelectResult(variables, rows)


def _graph(triples: Any, convert: Callable[[Any], Term], max_rows: int | None) -> GraphResult:
    """The triples of a graph answer, at most ``max_rows``."""
    found: list[tuple[Term, Term, Term]] = []
    for s, p, o in triples:
        if max_rows is not None and len(found) >= max_rows:
            return GraphResult(found, truncated=True)
        found.append((convert(s), convert(p), convert(o)))
    return GraphResult(found)


# --- oxigraph ---------------------------------------------------------------------------

_TOO_LARGE = "a token (a literal or IRI) is too large for oxigraph's parser"
"""What a project file whose token overflows oxigraph's parser says."""


def _cannot_read(exc: Exception) -> str:
    """What a project file that oxigraph's loader could not take in says (the OSError's strerror)."""
    return f"cannot read ({getattr(exc, 'strerror', exc)})"


class OxigraphEngine:
    """A pyoxigraph store holding the ontology and the data: the one it is given, else an in-memory
    one loaded from the project's files."""

    name = "oxigraph"

    def __init__(self, layout: Layout, store: SparqlStore | None = None) -> None:
        self.layout = layout
        self._store: SparqlStore | None = store

    @property
    def store(self) -> SparqlStore:
        """The store given to the engine (a pyoxigraph store, or a view of one), else one loaded on
        first use from the project's files."""
        if self._store is None:
            import pyoxigraph as ox  # start-up: pyoxigraph only in the child that runs a query

            store = ox.Store()
            for path in [self.layout.ontology_file, *self.layout.data_files()]:
                load_file(store, path, self.layout.display(path), too_large=_TOO_LARGE, unreadable=_cannot_read,
                          failures=(OSError,))
            self._store = store
        return self._store

    def evaluate(self, info: QueryInfo, bindings: Mapping[str, Term] | None = None
                 ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """The one place the engine asks its store: the query the guard has read as ``info`` (which
        must call no service), each ``?_name`` bound to ``bindings[name]``, answered as pyoxigraph
        answers (solutions and triples are read lazily). A syntax error is a SparqlSyntaxError; any
        other failure is raised as pyoxigraph raises it, while the query runs or while it is read."""
        import pyoxigraph as ox  # start-up: pyoxigraph only in the child that runs a query

        if info.services:
            raise UsageError(_SERVICE_REACHED.format(endpoint=info.services[0].endpoint))
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(f"_{name}"): to_oxigraph(term) for name, term in (bindings or {}).items()}
        try:
            return self.store.query(info.text, prefixes=PREFIXES, substitutions=substitutions)
        except SyntaxError as exc:
            raise SparqlSyntaxError(*oxigraph_syntax_position(exc)) from None

    def run(self, text: str, bindings: dict[str, Term], *, max_rows: int | None = None) -> Result:
        import pyoxigraph as ox  # start-up: pyoxigraph only in the child that runs a query

        info = _local_only(text)
        try:
            answer = self.evaluate(info, bindings)
            if isinstance(answer, ox.QueryBoolean):
                return AskResult(bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                return _select([v.value for v in answer.variables], answer, from_oxigraph, max_rows)
            return _graph(((t.subject, t.predicate, t.object) for t in answer), from_oxigraph, max_rows)
        except MemoryError:
            raise QueryError("query failed (oxigraph): out of memory") from None
        except (RuntimeError, ValueError, OSError) as exc:
            raise QueryError(f"query failed (oxigraph): {str(exc).splitlines()[0] if str(exc) else exc!r}") \
                from None


# --- rdflib ------------------------------------------------------------------------------

def _order_key(value: Any) -> tuple[int, Any]:
    """The ORDER BY key of one value, in SPARQL's order of kinds (1.1, section 15.1): unbound first,
    then blank nodes, IRIs and literals. An expression that fails (``STR(?unbound)``) counts as
    unbound, as oxigraph counts it. rdflib's own key gives None for a failure, which no tuple can be
    compared with: sorting then stopped with a TypeError."""
    from rdflib.term import BNode, Literal, URIRef  # start-up: rdflib only when the rdflib engine runs

    if isinstance(value, BNode):
        return (1, value)
    if isinstance(value, URIRef):
        return (2, value)
    if isinstance(value, Literal):
        return (3, value)
    return (0, "")  # an unbound variable (rdflib hands over the Variable itself) or an error


def _total_rdflib_order() -> None:
    """Make rdflib's ORDER BY sort rows whose key is unbound or an error (first, like oxigraph)."""
    import rdflib.plugins.sparql.evaluate as evaluate  # start-up: rdflib's SPARQL only when the rdflib engine runs

    evaluate._val = _order_key  # type: ignore[assignment]  # rdflib types _val for terms; it also gets errors



class RdflibEngine:
    """An rdflib graph holding the ontology and the data."""

    name = "rdflib"

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._graph: Any = None

    @property
    def graph(self) -> Any:
        """The merged graph, loaded on first use."""
        if self._graph is None:
            from afkg.graph import load  # start-up: rdflib only when the rdflib engine runs

            self._graph = load(self.layout).merged
        return self._graph

    def run(self, text: str, bindings: dict[str, Term], *, max_rows: int | None = None) -> Result:
        info = _local_only(text, prepared=True)
        prepared = info.prepared
        if any(node.name == "ServiceGraphPattern" for node in _walk(prepared.algebra)):
            raise UsageError("SERVICE reached the rdflib engine; refused (nothing was sent)")
        disable_rdflib_network()
        _total_rdflib_order()
        init = {f"_{name}": to_rdflib(term) for name, term in bindings.items()}
        graph = self.graph
        try:
            with deep_recursion():
                answer = graph.query(prepared, initBindings=init)
                if answer.type == "ASK":
                    return AskResult(bool(answer.askAnswer))
                if answer.type == "SELECT":
                    return _select([str(v) for v in answer.vars or []], answer, from_rdflib, max_rows)
                return _graph(answer.graph if answer.graph is not None else [], from_rdflib, max_rows)
        except AfkgError:
            raise
        except MemoryError:
            raise QueryError("query failed (rdflib): out of memory") from None
        except RecursionError:
            raise QueryError("query failed (rdflib): the query is too deeply structured") from None
        except Exception as exc:  # rdflib raises many kinds of errors during evaluation
            reason = str(exc).splitlines()[0] if str(exc) else ""
            raise QueryError(f"query failed (rdflib): {type(exc).__name__}: {reason}") from None


def get_engine(name: str, layout: Layout, *, endpoint: str | None = None, timeout: float | None = None) -> Engine:
    """The engine called ``name`` over the project ``layout``; with ``endpoint``, a remote
    SPARQL endpoint instead (credentials from ``$AFKG_STORE_TOKEN``)."""
    if endpoint is not None:
        from afkg.http_client import Credentials  # start-up: httpx only for a remote endpoint
        from afkg.query.remote import RemoteEngine  # start-up: httpx only for a remote endpoint

        if timeout is not None:
            return RemoteEngine(endpoint, credentials=Credentials.from_options(None), timeout=timeout)
        return RemoteEngine(endpoint, credentials=Credentials.from_options(None))
    if name == "oxigraph":
        return OxigraphEngine(layout)
    if name == "rdflib":
        return RdflibEngine(layout)
    raise UsageError(f"unknown engine '{name}' (engines: {', '.join(ENGINES)})")
