"""SHACL-SPARQL constraints (``sh:sparql`` with ``sh:select``) run once per constraint over a store.

SHACL 1.1 §5 defines a SPARQL-based constraint as a SELECT query evaluated once per focus
node, with ``$this`` pre-bound to the focus node. Run that way a query is parsed and planned
once per focus node; here it runs once over a pyoxigraph :class:`~pyoxigraph.Store` whose
default graph holds the data (each asserted type already with its superclasses):

* the focus nodes of the shape (``sh:targetClass``, implicit class targets, ``sh:targetNode``,
  ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, for a property shape those of the node
  shapes holding it) become a ``SELECT DISTINCT ?this`` sub-query placed first in the query's
  WHERE group, so every solution has ``?this`` bound to one focus node;
* that equals pre-binding only where ``$this`` is bound before anything else reads it; the
  query's algebra is checked for that (:func:`prebinding_is_faithful`), and a constraint
  whose query cannot be shown faithful is not run here (the caller runs it per focus node);
* ``$PATH`` of a property shape becomes the SPARQL form of its ``sh:path``; ``sh:prefixes``
  and ``sh:declare``, ``sh:deactivated``, ``sh:severity`` and ``sh:message`` placeholders
  (``{?var}`` / ``{$var}``) are handled as pySHACL, the reference engine, handles them.

The queries come from a shapes graph that :func:`afkg.query.guard.check_shapes` accepted; the
final text is checked again here (no SERVICE, no FROM, no update) before pyoxigraph sees it,
and the number of solutions read from one query is bounded.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from afkg.errors import InputError
from afkg.namespaces import SH
from afkg.query.guard import _is_service_word, _walk, check_nesting, check_size, tokens
from afkg.rdf.terms import oxigraph_to_rdflib, rdflib_to_oxigraph
from afkg.recursion import deep_recursion

MAX_SOLUTIONS = 1_000_000
"""The most solutions read from one constraint's query; more is an error, not a partial report."""

_MARKER = "afkgFocusMarker"
"""A variable only the inserted focus sub-query uses, so the checker can find it again."""
_CLASS = "afkgFocusClass"
_OTHER = "afkgFocusOther"
_RESERVED = {_MARKER, _CLASS, _OTHER}
_SHAPE_REFERENCES = (SH.node, SH["not"], SH.qualifiedValueShape)
_SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)
_ALWAYS_PREFIXES = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}


@dataclass(frozen=True)
class SparqlConstraint:
    """One SPARQL-based constraint of a shape, ready to run over a store."""

    shape: Node
    """The shape that holds the ``sh:sparql`` constraint."""
    node: Node
    """The ``sh:sparql`` node itself."""
    prologue: str
    """PREFIX lines for the query."""
    text: str
    """The ``sh:select`` text, ``$PATH`` replaced."""
    insert_at: int
    """Where in :attr:`text` the focus sub-query goes (just inside the WHERE group)."""
    targets: tuple[Node, ...]
    """The shapes whose targets give the focus nodes (the shape, and for a property shape its holders)."""
    severity: Node
    messages: tuple[Literal, ...]
    """The constraint's own messages, then the shape's."""
    path: Node | None
    """The ``sh:path`` of a property shape, else None."""


@dataclass(frozen=True)
class Plan:
    """The SPARQL-based constraints of a shapes graph: those run here, and the rest."""

    constraints: tuple[SparqlConstraint, ...]
    left: tuple[tuple[Node, Node, str], ...]
    """(shape, sh:sparql node, why) for each constraint this module does not run."""

    def handled(self) -> set[tuple[Node, Node]]:
        """The (shape, sh:sparql node) pairs run here."""
        return {(c.shape, c.node) for c in self.constraints}


# --- planning ------------------------------------------------------------------------------------

def plan(shapes: Graph) -> Plan:
    """Decide, for every ``sh:sparql`` constraint of ``shapes``, whether it runs here, and prepare it."""
    referenced = _referenced_shapes(shapes)
    ready: list[SparqlConstraint] = []
    left: list[tuple[Node, Node, str]] = []
    for shape, node in sorted(shapes.subject_objects(SH.sparql), key=lambda pair: (str(pair[0]), str(pair[1]))):
        try:
            ready.append(_prepare(shapes, shape, node, referenced))
        except _NotHere as reason:
            left.append((shape, node, str(reason)))
    return Plan(tuple(ready), tuple(left))


def without(shapes: Graph, handled: Iterable[tuple[Node, Node]]) -> Graph:
    """A copy of ``shapes`` without the given ``sh:sparql`` constraints (and their own triples)."""
    drop = set(handled)
    nodes = {node for _shape, node in drop}
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    for s, p, o in shapes:
        if (p == SH.sparql and (s, o) in drop) or (s in nodes and isinstance(s, BNode)):
            continue
        copy.add((s, p, o))
    return copy


class _NotHere(Exception):
    """A constraint this module leaves to the per-focus-node engine, with the reason."""


def _referenced_shapes(shapes: Graph) -> set[Node]:
    """Shapes used inside another shape's constraint (sh:node, sh:not, sh:and/or/xone, …)."""
    used: set[Node] = set()
    for parameter in _SHAPE_REFERENCES:
        used.update(shapes.objects(None, parameter))
    for parameter in _SHAPE_LISTS:
        for head in shapes.objects(None, parameter):
            used.update(Collection(shapes, head))
    return used


def _has_targets(shapes: Graph, shape: Node) -> bool:
    return any((shape, p, None) in shapes for p in
               (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)) or _is_class(shapes, shape)


def _is_class(shapes: Graph, shape: Node) -> bool:
    """A shape that is also an rdfs:Class (or a subclass of it, as the shapes graph says) targets its instances."""
    classes = set(shapes.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
    return any(t in classes for t in shapes.objects(shape, RDF.type))


def _deactivated(shapes: Graph, node: Node) -> bool:
    value = shapes.value(node, SH.deactivated)
    return isinstance(value, Literal) and value.toPython() is True


def _prepare(shapes: Graph, shape: Node, node: Node, referenced: set[Node]) -> SparqlConstraint:
    if shape in referenced:
        raise _NotHere("the shape is used inside another shape")
    selects = list(shapes.objects(node, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], Literal):
        raise _NotHere("not exactly one sh:select text")
    if any((node, p, None) in shapes for p in (SH.ask, SH.construct)):
        raise _NotHere("sh:ask or sh:construct")
    path = shapes.value(shape, SH.path)
    holders = [] if path is None else list(shapes.subjects(SH.property, shape))
    if path is not None and any(h in referenced for h in holders):
        raise _NotHere("the property shape belongs to a shape used inside another shape")
    targets = tuple(t for t in [shape, *holders] if _has_targets(shapes, t) and not _deactivated(shapes, t))
    text = str(selects[0])
    if path is not None:
        text = _replace_path(text, _sparql_path(shapes, path))
    elif any(t.kind == "var" and t.text[1:] == "PATH" for t in _tokens(text)):
        raise _NotHere("$PATH in a node shape")
    if any(t.kind == "var" and t.text[1:] in _RESERVED for t in _tokens(text)):
        raise _NotHere(f"the query uses a variable reserved here ({', '.join(sorted(_RESERVED))})")
    prologue = _prologue(shapes, node)
    insert_at = _where_group_start(text)
    if insert_at is None:
        raise _NotHere("no WHERE group found")
    problem = prebinding_is_faithful(prologue + text[:insert_at] + _focus_block(["VALUES ?this { <urn:afkg:focus> }"]) +
                                     text[insert_at:])
    if problem:
        raise _NotHere(problem)
    severity = shapes.value(shape, SH.severity) or SH.Violation
    messages = sorted((m for m in shapes.objects(node, SH.message) if isinstance(m, Literal)), key=str)
    own = sorted((m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal) and m not in messages),
                 key=str)
    if _deactivated(shapes, node) or _deactivated(shapes, shape):
        targets = ()
    return SparqlConstraint(shape, node, prologue, text, insert_at, targets, severity, tuple(messages + own), path)


def _tokens(text: str) -> Iterator[Any]:
    return (t for t in tokens(text) if t.kind != "comment")


def _where_group_start(text: str) -> int | None:
    """The offset just after the ``{`` that opens the query's WHERE group: the first brace outside
    any parentheses (a projection's ``(EXISTS { … } AS ?x)`` is inside parentheses)."""
    depth = 0
    for token in _tokens(text):
        if token.text in ("(", "["):
            depth += 1
        elif token.text in (")", "]"):
            depth -= 1
        elif token.text == "{" and depth == 0:
            return token.end
    return None


def _replace_path(text: str, path: str) -> str:
    """``text`` with every ``$PATH`` / ``?PATH`` variable token replaced by ``path``."""
    parts, last = [], 0
    for token in _tokens(text):
        if token.kind == "var" and token.text[1:] == "PATH":
            parts.extend([text[last:token.start], path])
            last = token.end
    parts.append(text[last:])
    return "".join(parts)


def _sparql_path(shapes: Graph, path: Node, depth: int = 0) -> str:
    """A SHACL property path in SPARQL property path syntax."""
    if depth > 50:
        raise _NotHere("sh:path nested too deeply")
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(_sparql_path(shapes, p, depth + 1) for p in Collection(shapes, path)) + ")"
    for key, template in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"),
                          (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
        inner = shapes.value(path, key)
        if inner is not None:
            return template.format(_sparql_path(shapes, inner, depth + 1))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_sparql_path(shapes, p, depth + 1) for p in Collection(shapes, alternatives)) + ")"
    raise _NotHere("an sh:path this module cannot write as SPARQL")


def _prologue(shapes: Graph, node: Node) -> str:
    """PREFIX lines as pySHACL builds them: rdf, rdfs and owl, then the sh:declare entries of each
    sh:prefixes value (an ontology's own declarations, or else those of every ontology as well)."""
    prefixes = dict(_ALWAYS_PREFIXES)
    ontologies = set(shapes.subjects(RDF.type, OWL.Ontology))
    everywhere = {d for o in ontologies for d in shapes.objects(o, SH.declare)}
    for source in sorted(shapes.objects(node, SH.prefixes), key=str):
        own = set(shapes.objects(source, SH.declare))
        for declaration in sorted(own if own and source in ontologies else own | everywhere, key=str):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if prefix is None or namespace is None:
                raise _NotHere("an sh:declare without exactly one sh:prefix and sh:namespace")
            prefixes[str(prefix)] = str(namespace)
    for name, iri in prefixes.items():
        if not all(c.isalnum() or c in "_-." for c in name) or any(c in iri for c in '<>"{}|^`\\ \n\t'):
            raise _NotHere(f"a prefix declaration that cannot be written: {name!r}")
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())


# --- is pre-binding by a leading focus sub-query faithful? ----------------------------------------

def _has_service_word(text: str) -> bool:
    """Whether any word of the query (strings, IRIs and comments aside) may read as SERVICE."""
    return any(t.kind == "word" and _is_service_word(t.text) for t in _tokens(text))


@functools.lru_cache(maxsize=256)
def prebinding_is_faithful(text: str) -> str | None:
    """Why running ``text`` (a query whose WHERE group starts with the focus sub-query) is not the
    same as running the original query once per focus node with ``$this`` pre-bound; None if it is.

    Pre-binding replaces ``$this`` by the focus node everywhere (SHACL 1.1, "pre-binding"). With
    the focus sub-query first, ``?this`` is instead a variable that the sub-query binds. The two agree
    on every solution when each operator of the algebra commutes with fixing ``?this``: a basic graph
    pattern, join and union always do; an OPTIONAL, FILTER or BIND that reads ``?this`` does when
    ``?this`` is bound in every solution of the part it reads from. Sub-queries, VALUES, MINUS, GRAPH,
    aggregates and LIMIT/OFFSET mentioning ``?this`` are not accepted.
    """
    if sum(1 for t in _tokens(text) if t.kind == "var" and t.text[1:] == _MARKER) != 1:
        return f"the query uses ?{_MARKER}, a variable reserved here"
    try:
        check_size(text)
        check_nesting(text)
        with deep_recursion():
            algebra = prepareQuery(text).algebra
    except Exception as exc:  # noqa: BLE001 - what does not parse is not run here
        return f"the query does not parse ({type(exc).__name__})"
    if algebra.name != "SelectQuery":
        return "not a SELECT query"
    if algebra.get("datasetClause"):
        return "FROM or FROM NAMED"
    if _has_service_word(text) or any(n.name == "ServiceGraphPattern" for n in _walk(algebra)):
        return "SERVICE"
    this = Variable("this")

    def mentions(node: Any) -> bool:
        stack, seen = [node], set()
        while stack:
            item = stack.pop()
            if id(item) in seen:
                continue
            seen.add(id(item))
            if item == this and isinstance(item, Variable):
                return True
            if isinstance(item, CompValue):
                stack.extend(v for k, v in item.items() if not k.startswith("_"))
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, (list, tuple, set)):
                stack.extend(item)
        return False

    def is_focus(node: Any) -> bool:
        if not (isinstance(node, CompValue) and node.name == "ToMultiSet"):
            return False
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, CompValue):
                if item.name == "Extend" and item.get("var") == Variable(_MARKER):
                    return True
                stack.extend(v for k, v in item.items() if not k.startswith("_"))
        return False

    def certain(node: Any) -> bool:
        """``?this`` is bound in every solution of ``node``."""
        name = node.name
        if name == "BGP":
            return any(this in triple for triple in node.triples)
        if name == "Join":
            return certain(node.p1) or certain(node.p2)
        if name == "LeftJoin":
            return certain(node.p1)
        if name == "Union":
            return certain(node.p1) and certain(node.p2)
        if name in ("Filter", "Extend", "Project", "Distinct", "Reduced", "OrderBy"):
            return certain(node.p)
        return is_focus(node)

    def faithful(node: Any) -> str | None:
        name = node.name
        if name == "BGP" or is_focus(node):
            return None
        if name in ("Join", "Union"):
            return faithful(node.p1) or faithful(node.p2)
        if name == "LeftJoin":
            reads = mentions(node.p2) or mentions(node.get("expr"))
            if reads and not certain(node.p1):
                return "an OPTIONAL reads $this before it is bound"
            return faithful(node.p1) or faithful(node.p2) or _exists_faithful(node.get("expr"))
        if name == "Filter":
            if mentions(node.expr) and not certain(node.p):
                return "a FILTER reads $this where it is not bound"
            return faithful(node.p) or _exists_faithful(node.expr)
        if name == "Extend":
            if node.var == this:
                return "BIND ( … AS $this)"
            if mentions(node.expr) and not certain(node.p):
                return "a BIND reads $this where it is not bound"
            return faithful(node.p) or _exists_faithful(node.expr)
        if mentions(node):
            return f"$this inside {name}"
        return None

    def _exists_faithful(expr: Any) -> str | None:
        """Patterns of EXISTS / NOT EXISTS are substituted with the solution, $this included; they
        must hold nothing that substitution does not reach (sub-queries, VALUES, MINUS)."""
        stack = [expr]
        while stack:
            item = stack.pop()
            if isinstance(item, CompValue):
                if item.name in ("ToMultiSet", "Minus", "Project", "values", "Graph") and mentions(item):
                    return f"$this inside {item.name} in EXISTS"
                stack.extend(v for k, v in item.items() if not k.startswith("_"))
            elif isinstance(item, (list, tuple)):
                stack.extend(item)
        return None

    top = algebra.p
    if this not in (algebra.get("PV") or []):
        return "the query does not select $this"
    body = top
    while body.name in ("Project", "Distinct", "Reduced", "OrderBy"):
        body = body.p
    if body.name in ("Slice", "Group", "AggregateJoin"):
        return f"{body.name} over all focus nodes"
    problem = faithful(body)
    if problem:
        return problem
    return None if certain(body) else "$this is not bound by the focus sub-query"


# --- running ---------------------------------------------------------------------------------------

def _focus_block(branches: list[str]) -> str:
    """The sub-query that binds ?this to each focus node once."""
    union = " UNION ".join("{ " + b + " }" for b in branches) if branches else "{ FILTER(false) }"
    return (f"\n{{ SELECT DISTINCT ?this WHERE {{ {union} BIND(true AS ?{_MARKER}) }} }}\n")


def _sparql_term(term: Node) -> str | None:
    """A term written for a VALUES block; None for a blank node (which VALUES cannot hold)."""
    if isinstance(term, BNode):
        return None
    return str(rdflib_to_oxigraph(term))


def _branches(store: ox.Store, shapes: Graph, holders: Iterable[Node]) -> list[str]:
    """The UNION branches selecting the focus nodes of ``holders``' targets, computed on the store.

    sh:targetClass (and an implicit class target) reaches the instances of the class and, as in
    pySHACL, of its subclasses where the data itself states rdfs:subClassOf."""
    classes: set[URIRef] = set()
    nodes: set[str] = set()
    subjects_of: set[URIRef] = set()
    objects_of: set[URIRef] = set()
    for shape in holders:
        classes.update(c for c in shapes.objects(shape, SH.targetClass) if isinstance(c, URIRef))
        if _is_class(shapes, shape) and isinstance(shape, URIRef):
            classes.add(shape)
        nodes.update(t for t in (_sparql_term(n) for n in shapes.objects(shape, SH.targetNode)) if t)
        subjects_of.update(p for p in shapes.objects(shape, SH.targetSubjectsOf) if isinstance(p, URIRef))
        objects_of.update(p for p in shapes.objects(shape, SH.targetObjectsOf) if isinstance(p, URIRef))
    branches: list[str] = []
    if classes:
        found: set[str] = set()
        for cls in sorted(classes):
            found.add(f"<{cls}>")
            subclasses = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>+ <{cls}> }}")
            assert isinstance(subclasses, ox.QuerySolutions)  # a SELECT query
            for row in subclasses:
                if isinstance(row["c"], ox.NamedNode):
                    found.add(str(row["c"]))
        branches.append(f"VALUES ?{_CLASS} {{ {' '.join(sorted(found))} }} ?this <{RDF.type}> ?{_CLASS}")
    branches.extend(f"?this <{p}> ?{_OTHER}" for p in sorted(subjects_of))
    branches.extend(f"?{_OTHER} <{p}> ?this" for p in sorted(objects_of))
    if nodes:
        branches.append(f"VALUES ?this {{ {' '.join(sorted(nodes))} }}")
    return branches


def run(store: ox.Store, shapes: Graph, constraints: Iterable[SparqlConstraint] | None = None,
        lexical: Mapping[Node, Node] | None = None) -> Graph:
    """Run the SPARQL-based constraints over the default graph of ``store``: a results graph in the
    SHACL vocabulary (one sh:ValidationResult per distinct solution).

    ``lexical`` maps a literal as the store holds it (pyoxigraph keeps numbers and dates in their
    canonical form) to the form the data was written in, for values and messages."""
    results = Graph()
    number = 0
    for constraint in plan(shapes).constraints if constraints is None else constraints:
        if not constraint.targets:
            continue
        branches = _branches(store, shapes, constraint.targets)
        if not branches:
            continue
        text = (constraint.prologue + constraint.text[:constraint.insert_at] + _focus_block(branches)
                + constraint.text[constraint.insert_at:])
        if _has_service_word(text):  # the plan checked the query's algebra; the focus block adds no SERVICE
            raise InputError(f"shape {constraint.shape}: sh:select refused: its SPARQL uses SERVICE")
        for row in _solutions(store, text, constraint):
            _add_result(results, URIRef(f"urn:afkg:sparql-result:{number}"), constraint, row, lexical or {})
            number += 1
    return results


def _solutions(store: ox.Store, text: str, constraint: SparqlConstraint) -> list[dict[str, Node]]:
    """The distinct solutions of the query, each as {variable: term}, in projection order."""
    solutions = store.query(text)
    assert isinstance(solutions, ox.QuerySolutions)  # plan() takes sh:select queries that are SELECT queries
    names = [v.value for v in solutions.variables]
    seen: set[tuple[Node | None, ...]] = set()
    rows: list[dict[str, Node]] = []
    for count, solution in enumerate(solutions):
        if count >= MAX_SOLUTIONS:
            raise InputError(f"shape {constraint.shape}: its SPARQL constraint gives more than "
                             f"{MAX_SOLUTIONS} solutions; stopped")
        row: dict[str, Node] = {name: oxigraph_to_rdflib(solution[name])
                                for name in names if solution[name] is not None}
        key = tuple(row.get(name) for name in names)
        if key in seen:
            continue
        seen.add(key)
        rows.append(row)
    return rows


def _add_result(results: Graph, node: URIRef, constraint: SparqlConstraint, row: dict[str, Node],
                lexical: Mapping[Node, Node]) -> None:
    """One sh:ValidationResult for one solution, as SHACL 1.1 §5.3.2 maps a solution to a result."""
    row = {name: lexical.get(term, term) for name, term in row.items()}
    if "failure" in row:
        raise InputError(f"shape {constraint.shape}: its SPARQL constraint reports a failure (?failure)")
    focus = row["this"]
    path = row.get("path", constraint.path)
    value = row.get("value", focus if constraint.path is None else None)
    results.add((node, RDF.type, SH.ValidationResult))
    results.add((node, SH.focusNode, focus))
    results.add((node, SH.sourceShape, constraint.shape))
    results.add((node, SH.sourceConstraint, constraint.node))
    results.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
    results.add((node, SH.resultSeverity, constraint.severity))
    if path is not None:
        results.add((node, SH.resultPath, path))
    if value is not None:
        results.add((node, SH.value, value))
    filled = {name: term for name, term in row.items() if name not in ("this", "path", "value")}
    filled["this"] = focus
    if "path" in row:
        filled["path"] = row["path"]
    if value is not None:
        filled["value"] = value
    for message in constraint.messages:
        results.add((node, SH.resultMessage, Literal(fill_message(str(message), filled))))


def fill_message(message: str, bindings: Mapping[str, Node]) -> str:
    """``message`` with each ``{?name}`` / ``{$name}`` of a bound variable replaced by the variable's
    value as text (an IRI in full, a literal's lexical form); unbound placeholders stay."""
    for name, term in bindings.items():
        text = str(term)
        for sigil in "?$":
            message = message.replace("{" + sigil + name + "}", text)
    return message
