"""One small interface over the SPARQL engines: pyoxigraph and rdflib.

Both engines see the same graph (the ontology and every data file), receive
parameters as RDF terms (oxigraph substitutions, rdflib initBindings), and
answer with the engine-neutral results of :mod:`afkg.results`. The oxigraph
engine never imports rdflib, so a cold query starts fast.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from afkg.errors import InputError, QueryError, SparqlSyntaxError
from afkg.layout import Layout
from afkg.prefixes import PREFIXES
from afkg.results import AskResult, GraphResult, Result, SelectResult, Term

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib.term import Node

ENGINES = ("oxigraph", "rdflib")
"""Engine names, the default first."""


class Engine(Protocol):
    """Runs SPARQL text over the project graph."""

    name: str

    def run(self, text: str, bindings: dict[str, Term]) -> Result:
        """Run ``text`` with each ``?_name`` bound to ``bindings[name]``."""
        ...


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


# --- oxigraph --------------------------------------------------------------------------

def to_oxigraph(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for ``term``."""
    import pyoxigraph as ox

    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    if term.datatype:
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype))
    return ox.Literal(term.value)


def from_oxigraph(term: Any) -> Term:
    """The neutral term for a pyoxigraph term."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return Term.uri(term.value)
    if isinstance(term, ox.BlankNode):
        return Term.bnode(term.value)
    if isinstance(term, ox.Literal):
        return Term.literal(term.value, term.datatype.value, term.language)
    raise QueryError(f"unsupported term in results: {term!r}")


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
            from afkg.queries import oxigraph_syntax_position

            raise SparqlSyntaxError(*oxigraph_syntax_position(exc)) from None
        except (RuntimeError, ValueError, OSError) as exc:
            raise QueryError(f"query failed (oxigraph): {exc}") from None


# --- rdflib ------------------------------------------------------------------------------

def to_rdflib(term: Term) -> Node:
    """The rdflib term for ``term``."""
    from rdflib import BNode, Literal, URIRef

    if term.kind == "uri":
        return URIRef(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    if term.lang:
        return Literal(term.value, lang=term.lang)
    if term.datatype:
        return Literal(term.value, datatype=URIRef(term.datatype))
    return Literal(term.value)


def from_rdflib(term: Any) -> Term:
    """The neutral term for an rdflib term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return Term.uri(str(term))
    if isinstance(term, BNode):
        return Term.bnode(str(term))
    if isinstance(term, Literal):
        return Term.literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    raise QueryError(f"unsupported term in results: {term!r}")


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
