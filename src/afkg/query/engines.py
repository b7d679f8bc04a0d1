"""One small interface over the SPARQL engines: pyoxigraph and rdflib.

Both engines see the same graph (the ontology and every data file), receive
parameters as RDF terms (oxigraph substitutions, rdflib initBindings), and
answer with the engine-neutral results of :mod:`afkg.query.results`. The oxigraph
engine never imports rdflib, so a cold query starts fast.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from afkg.errors import InputError, QueryError, SparqlSyntaxError
from afkg.layout import Layout
from afkg.prefixes import PREFIXES
from afkg.query.results import AskResult, GraphResult, Result, SelectResult
from afkg.query.terms import Term, from_oxigraph, from_rdflib, to_oxigraph, to_rdflib

if TYPE_CHECKING:
    import pyoxigraph as ox

ENGINES = ("oxigraph", "rdflib")
"""Engine names, the default first."""


class Engine(Protocol):
    """Runs SPARQL text over the project graph."""

    name: str

    def run(self, text: str, bindings: dict[str, Term]) -> Result:
        """Run ``text`` with each ``?_name`` bound to ``bindings[name]``."""
        ...


def oxigraph_syntax_position(error: SyntaxError) -> tuple[int, int, str]:
    """Line, column and reason of a pyoxigraph SPARQL syntax error ("error at 4:1: expected …")."""
    message = str(error.msg)
    match = re.match(r"error at (\d+):(\d+):\s*(.*)", message, flags=re.DOTALL)
    if match:
        return int(match.group(1)), int(match.group(2)), match.group(3).splitlines()[0]
    return error.lineno or 1, error.offset or 1, message.splitlines()[0]


def _select(variables: list[str], solutions: Any, convert: Any) -> SelectResult:
    """Rows of neutral terms from an engine's solutions (unbound variables left out)."""
    rows = []
    for solution in solutions:
        row = {}
        for var in variables:
            value = solution[var]
            if value is not None:
                row[var] = convert(value)
        rows.append(row)
    return SelectResult(variables, rows)


# --- oxigraph ---------------------------------------------------------------------------

class OxigraphEngine:
    """An in-memory pyoxigraph store holding the ontology and the data."""

    name = "oxigraph"

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._store: ox.Store | None = None

    @property
    def store(self) -> ox.Store:
        """The store, loaded on first use."""
        if self._store is None:
            import pyoxigraph as ox

            store = ox.Store()
            for path in [self.layout.ontology_file, *self.layout.data_files()]:
                try:
                    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
                except SyntaxError as exc:
                    where = f"{exc.lineno}:{(exc.offset or 0)}" if exc.lineno else "1"
                    reason = re.sub(r"^Parser error (at|between) line \d+ column \d+( and line \d+ column \d+)?: ",
                                    "", str(exc.msg)).split(" (", 1)[0]
                    raise InputError(f"{self.layout.display(path)}:{where}: Turtle syntax error: {reason}") from None
                except OSError as exc:
                    raise InputError(f"{self.layout.display(path)}: cannot read ({exc.strerror})") from None
            self._store = store
        return self._store

    def run(self, text: str, bindings: dict[str, Term]) -> Result:
        import pyoxigraph as ox

        substitutions = {ox.Variable(f"_{name}"): to_oxigraph(term) for name, term in bindings.items()}
        store = self.store
        try:
            answer = store.query(text, prefixes=PREFIXES, substitutions=substitutions)
            if isinstance(answer, ox.QueryBoolean):
                return AskResult(bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                return _select([v.value for v in answer.variables], answer, from_oxigraph)
            return GraphResult([
                (from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)) for t in answer
            ])
        except SyntaxError as exc:
            raise SparqlSyntaxError(*oxigraph_syntax_position(exc)) from None
        except (RuntimeError, ValueError, OSError) as exc:
            raise QueryError(f"query failed (oxigraph): {exc}") from None


# --- rdflib ------------------------------------------------------------------------------

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
            from afkg.graph import load

            self._graph = load(self.layout).merged
        return self._graph

    def run(self, text: str, bindings: dict[str, Term]) -> Result:
        from pyparsing import ParseException

        init = {f"_{name}": to_rdflib(term) for name, term in bindings.items()}
        graph = self.graph
        try:
            answer = graph.query(text, initNs=PREFIXES, initBindings=init)
            if answer.type == "ASK":
                return AskResult(bool(answer.askAnswer))
            if answer.type == "SELECT":
                return _select([str(v) for v in answer.vars], answer, from_rdflib)
            return GraphResult([(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in answer.graph])
        except ParseException as exc:
            raise SparqlSyntaxError(exc.lineno, exc.col, str(exc.msg)) from None
        except Exception as exc:  # rdflib raises many kinds of errors during evaluation
            raise QueryError(f"query failed (rdflib): {type(exc).__name__}: {exc}") from None


def get_engine(name: str, layout: Layout) -> Engine:
    """The engine called ``name`` over the project ``layout``."""
    if name == "oxigraph":
        return OxigraphEngine(layout)
    if name == "rdflib":
        return RdflibEngine(layout)
    from afkg.errors import UsageError

    raise UsageError(f"unknown engine '{name}' (engines: {', '.join(ENGINES)})")
