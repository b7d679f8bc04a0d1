"""Turtle written straight from triples: the bytes of :class:`BoundedTurtleSerializer`, fast.

rdflib's serializer spends most of its time on its store (every subject's triples looked
up again, every term's prefixed name recomputed) and needs a Graph to begin with, which
costs about as much again to build. This writer indexes the triples once in plain dicts
and follows the same layout rules, so that its output is byte for byte rdflib's:

- a ``@prefix`` line for every prefix that some subject, object, predicate other than
  rdf:type, or literal datatype has a prefixed name in, sorted, then a blank line;
- subjects typed rdfs:Class first, then IRIs before blank nodes, fewer references first,
  then by their text; blank nodes referenced once are written nested as ``[ … ]`` inside
  the subject that refers to them (labelled every :data:`MAX_NESTING` levels instead),
  well-formed RDF lists as ``( … )``, unreferenced blank subjects as ``[]``;
- predicates rdf:type (``a``) and rdfs:label first, then by their text; objects in
  rdflib's term order; literals as rdflib's ``Literal._literal_n3`` writes them;
- prefixed names as rdflib's namespace manager splits IRIs (never a made-up prefix).

A graph outside what this writer reproduces (a base IRI, terms of unusual kinds, a
prefix that rdflib would rename, an IRI rdflib splits oddly) raises
:class:`Unsupported`; :func:`graph_turtle` then returns None and the caller uses
rdflib's serializer.

Why a writer of afkg's own rather than pyoxigraph's (``benchmarks/turtle_writer.py``, 94,192
triples): pyoxigraph serialises them in 0.14 s against this writer's 0.68 s (rdflib: 6.5 s), but
its layout is not rdflib's (subjects in the order given, blank nodes by label, lists as
``rdf:first``/``rdf:rest``): of this writer's 12,617 lines on 10 pairs, 24 are the same. Every
Turtle and TriG export, every stored query's Turtle and the site's Turtle pages would change, and
their diffs would stop showing only what changed in the data. Of rdflib's rules the writer keeps
copies (:data:`SPECIAL_DATATYPES`, :data:`INVALID_IRI_CHARACTERS`) that a test checks against
rdflib's own; for a literal it calls rdflib's ``Literal._literal_n3`` and ``_quote_encode``,
which are the serializer's rules themselves.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import cast
from unicodedata import category

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import ALLOWED_NAME_CHARS, NAME_CATEGORIES, OWL, RDF, RDFS, XMLNS, XSD, split_uri
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

from afkg.namespaces import bind_prefixes
from afkg.rdf.turtle import labelled_for_depth, list_heads

Term = URIRef | BNode | Literal
Triple = tuple[Node, Node, Node]
"""A triple as rdflib types it; a term of a kind other than :data:`Term` raises :class:`Unsupported`."""

_INTEGER, _BOOLEAN = str(XSD.integer), str(XSD.boolean)
_PREDICATE_RANK = {str(RDF.type): 0, str(RDFS.label): 1}
SPECIAL_DATATYPES = frozenset(str(t) for t in (XSD.integer, XSD.boolean, XSD.double, XSD.decimal, XSD.float,
                                                 OWL.rational))
"""Datatypes whose literals rdflib may write without quotes (its plain literal types, and the types
whose INF and NaN it spells out); tests/test_turtle_writer.py checks them against rdflib's own."""
INVALID_IRI_CHARACTERS = '<>" {}|\\^`'
"""Characters for which rdflib gives an IRI no prefixed name; checked against rdflib's like the above."""
_ASCII_NAME = "A-Za-z0-9_.%()\\-"
_ASCII_SPLIT = re.compile(rf"[^{_ASCII_NAME}][.%()\-]*([A-Za-z0-9_][{_ASCII_NAME}]*)\Z")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class Unsupported(Exception):
    """A graph whose Turtle this writer does not reproduce exactly."""


@cache
def export_namespaces() -> dict[str, str]:
    """Prefix -> namespace of the graphs afkg writes: rdflib's defaults and :data:`PREFIXES`."""
    graph = Graph()
    bind_prefixes(graph)
    return {prefix: str(namespace) for prefix, namespace in graph.namespaces()}


def _last_break(uri: str) -> int:
    """Index of the last character rdflib does not accept in a local name (-1: none)."""
    for index in range(len(uri) - 1, -1, -1):
        char = uri[index]
        if category(char) not in NAME_CATEGORIES and char not in ALLOWED_NAME_CHARS:
            return index
    return -1


def _split(uri: str) -> tuple[str, str] | None:
    """rdflib's ``split_uri``: (namespace, local name), None where it finds no split."""
    if uri.isascii() and not uri.startswith(XMLNS):
        match = _ASCII_SPLIT.search(uri)
        if match:
            return uri[:match.start(1)], match.group(1)
    try:
        namespace, local = split_uri(uri)
    except ValueError:
        return None
    if not uri.startswith(XMLNS) and len(namespace) <= _last_break(uri):
        raise Unsupported(f"rdflib splits {uri!r} before its last separator")
    return namespace, local


class _Names:
    """Prefixed names as rdflib's TurtleSerializer makes them with ``gen_prefix=False``."""

    def __init__(self, prefix_of: Callable[[str], str | None], namespaces: Iterable[str]) -> None:
        self.prefix_of = prefix_of
        self.namespaces = sorted(set(namespaces), key=len, reverse=True)
        self.longer: dict[str, list[str]] = {}
        self.cache: dict[str, str | None] = {}
        self.used: dict[str, str] = {}

    def _qname(self, uri: str) -> tuple[str, str, str] | None:
        """rdflib's ``compute_qname(uri, generate=False)``: None where it raises."""
        if any(character in uri for character in INVALID_IRI_CHARACTERS):
            return None
        split = _split(uri)
        if split is None:
            namespace, local = uri, ""
            if not self.prefix_of(uri):
                return None
        else:
            namespace, local = split
        longer = self.longer.get(namespace)
        if longer is None:
            longer = self.longer[namespace] = [n for n in self.namespaces
                                               if len(n) > len(namespace) and n.startswith(namespace)]
        for candidate in longer:
            if uri.startswith(candidate):
                namespace, local = candidate, uri[len(candidate):]
                break
        prefix = self.prefix_of(namespace)
        return None if prefix is None else (prefix, namespace, local)

    def _parts(self, uri: str) -> tuple[str, str, str] | None:
        """(prefix, prefixed name, namespace) as rdflib's ``get_pname`` makes them, or None."""
        parts = self._qname(uri)
        if parts is None:
            prefix = self.prefix_of(uri)
            if prefix is None:
                return None
            parts = (prefix, uri, "")
        prefix, namespace, local = parts
        if "(" in local or ")" in local or "%" in local:
            local = _BAD_PERCENT.sub("\\%", local.replace("(", "\\(").replace(")", "\\)"))
        if local.endswith("."):
            return None
        if prefix.startswith("_") or self.used.get(prefix, namespace) != namespace:
            raise Unsupported(f"prefix {prefix!r} would be renamed by rdflib")
        return prefix, f"{prefix}:{local}", namespace

    def pname(self, uri: str) -> str | None:
        """The prefixed name of ``uri``, or None; its prefix is recorded as used."""
        key = str(uri)
        if key in self.cache:
            return self.cache[key]
        parts = self._parts(key)
        name = None
        if parts is not None:
            prefix, name, namespace = parts
            self.used[prefix] = namespace
        self.cache[key] = name
        return name


_BLANK = "\x00"
"""Terms are keyed by plain strings: an IRI by its text, a blank node by this mark and its
label (plain strings hash and compare in C; rdflib's terms compare in Python)."""
_TYPE_KEY, _LABEL_KEY = str(RDF.type), str(RDFS.label)
_FIRST_KEY, _REST_KEY, _NIL_KEY, _CLASS_KEY = str(RDF.first), str(RDF.rest), str(RDF.nil), str(RDFS.Class)


class _Indents(dict):
    """Depth -> its indentation (four spaces a level)."""

    def __missing__(self, depth: int) -> str:
        self[depth] = "    " * depth
        return self[depth]


_INDENTS = _Indents()


def _term(key: str) -> Term:
    return BNode(key[1:]) if key[:1] == _BLANK else URIRef(key)


def _index(triples: Iterable[Triple]) -> tuple[dict, dict, set, dict]:
    """Subject -> predicate -> objects (in input order; IRIs and blank nodes as keys,
    literals as they are), reference counts of keys in object position, the literals'
    datatypes, and a subject that refers to each blank node."""
    index: dict = {}
    refs: dict = {}
    datatypes: set = set()
    parents: dict = {}
    blank, uri, literal = BNode, URIRef, Literal
    o: str | Literal
    # ``type(x) is`` (not isinstance: exact classes only) narrows each term for mypy
    for subject, predicate, obj in triples:
        kind = type(subject)
        if kind is uri:
            s = str(subject)
        elif type(subject) is blank:
            s = _BLANK + subject
        else:
            raise Unsupported(f"a subject of type {kind.__name__}")
        if type(predicate) is not uri:
            raise Unsupported("a predicate that is not an IRI")
        p = str(predicate)
        if type(obj) is literal:
            o = obj
            datatype = obj.datatype
            if datatype is not None:
                datatypes.add(str(datatype))
        else:
            kind = type(obj)
            if kind is uri:
                o = str(obj)
            elif type(obj) is blank:
                o = _BLANK + obj
                parents[o] = s
            else:
                raise Unsupported(f"an object of type {kind.__name__}")
            refs[o] = refs.get(o, 0) + 1
        props = index.get(s)
        if props is None:
            index[s] = {p: [o]}
        else:
            objects = props.get(p)
            if objects is None:
                props[p] = [o]
            else:
                objects.append(o)
    return index, refs, datatypes, parents


def _object_key(term: object) -> tuple[int, str]:
    """IRIs and blank nodes (keys; blank ones sort first by their mark), then a literal."""
    return (0, term) if type(term) is str else (1, "")


def _predicate_key(key: str) -> tuple[int, str]:
    return _PREDICATE_RANK.get(key, 2), key


class _Writer:
    """The layout of rdflib's TurtleSerializer over an index of the triples."""

    def __init__(self, index: dict, refs: dict, parents: dict, names: _Names,
                 store_objects: Callable[[Term, Term], list[Term]] | None) -> None:
        self.index = index
        self.refs = refs
        self.names = names
        self.store_objects = store_objects
        self.labels: dict[str, str] = {_NIL_KEY: "()"}
        self.verbs: dict[str, str] = {_TYPE_KEY: "a", _NIL_KEY: "()"}
        self.orders: dict[tuple[str, ...], list[str]] = {}
        self.done: set[str] = set()
        self.depth = 0
        self.parts: list[str] = []
        if _NIL_KEY in index or _BLANK in index:
            raise Unsupported("rdf:nil as a subject, or a blank node with an empty label")
        cells = {}
        for s, props in index.items():
            if _FIRST_KEY in props and s[:1] == _BLANK:
                if len(props) == 2 and _REST_KEY in props and len(props[_FIRST_KEY]) == 1 \
                        and len(props[_REST_KEY]) == 1:
                    cells[s] = props[_REST_KEY][0]
        self.lists = list_heads(cells, refs, _NIL_KEY)
        parent = {o: s for o, s in parents.items() if refs[o] == 1}
        flat = {index[s][_REST_KEY][0] for s in self.lists if index[s][_REST_KEY][0] in self.lists}
        for node in labelled_for_depth(parent, flat):
            refs[node] = 2

    # terms

    def label(self, key: str) -> str:
        """The text of an IRI or blank node (``a`` for rdf:type, ``()`` for rdf:nil)."""
        found = self.labels.get(key)
        if found is None:
            if key[:1] == _BLANK:
                found = "_:" + key[1:]
            else:
                # URIRef's n3 on the plain string: its text, without making a URIRef
                found = self.names.pname(key) or URIRef.n3(key)  # type: ignore[arg-type]
            self.labels[key] = found
        return found

    def literal(self, node: Literal) -> str:
        """A literal as rdflib's ``Literal._literal_n3(use_plain=True)`` writes it."""
        datatype = node.datatype
        if datatype is not None:
            kind = str(datatype)
            if kind in SPECIAL_DATATYPES:
                if node.value is not None:
                    if kind == _INTEGER:
                        return f"{node}"
                    if kind == _BOOLEAN:
                        return f"{node}".lower()
                return node._literal_n3(use_plain=True, qname_callback=self.names.pname)
        if "\n" in node:
            encoded = node._quote_encode()
        elif "\\" in node or '"' in node or "\r" in node:
            encoded = '"' + node.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r") + '"'
        else:
            encoded = f'"{node}"'
        language = node.language
        if language:
            return f"{encoded}@{language}"
        if datatype is not None:
            return f"{encoded}^^{self.names.pname(datatype) or f'<{datatype}>'}"
        return encoded

    # layout

    def statement(self, subject: str) -> None:
        self.done.add(subject)
        if not self.refs.get(subject) and subject[:1] == _BLANK:
            self.parts.append("\n[]")
        else:
            self.parts.append("\n" + self.label(subject))
        self.predicates(subject)
        self.parts.append(" .\n")

    def predicates(self, subject: str) -> None:
        props = self.index.get(subject)
        if not props:  # a blank node that is only an object: ``[ ]``
            return
        order: list[str] | None
        if len(props) == 1:
            order = list(props)
        else:
            shape = tuple(props)
            order = self.orders.get(shape)
            if order is None:
                order = self.orders[shape] = sorted(shape, key=_predicate_key)
        write = self.parts.append
        labels, verbs = self.labels, self.verbs
        refs = self.refs
        done = self.done
        # rdflib's ``(count == 1) and 0 or 1`` is 1 whatever the count: objects are one level in
        depth = self.depth + 1
        self.depth = depth
        between = " ;\n" + _INDENTS[depth]
        lead = " "
        for predicate in order:
            verb = verbs.get(predicate)
            if verb is None:
                verb = verbs[predicate] = self.label(predicate)
            objects = props[predicate]
            if len(objects) == 1:
                o = objects[0]
                if o.__class__ is not str:
                    write(lead + verb + " " + self.literal(o))
                elif o[:1] != _BLANK or o in done or refs[o] > 1:
                    write(lead + verb + " " + (labels.get(o) or self.label(o)))
                else:
                    write(lead + verb)
                    self.node(o, False)
            else:
                write(lead + verb)
                objects = self.sorted_objects(subject, predicate, objects)
                self.node(objects[0], False)
                comma = ",\n" + _INDENTS[depth + 1]
                for o in objects[1:]:
                    write(comma)
                    self.node(o, True)
            lead = between
        self.depth = depth - 1

    def sorted_objects(self, subject: str, predicate: str, objects: list) -> list:
        """Objects in rdflib's term order: blank nodes, IRIs, then literals. With two literals
        or more, rdflib's own comparison sorts the terms, in the store's order where known
        (rdflib's literal order has ties, which a stable sort leaves as they come)."""
        literals = sum(1 for o in objects if o.__class__ is not str)
        if literals < 2:
            return sorted(objects, key=_object_key)
        if self.store_objects is not None:
            terms = list(self.store_objects(_term(subject), URIRef(predicate)))
        else:
            terms = [o if o.__class__ is not str else _term(o) for o in objects]
        terms.sort()
        return [o if o.__class__ is Literal else (_BLANK + o if o.__class__ is BNode else str(o)) for o in terms]

    def node(self, node, newline: bool) -> None:
        write = self.parts.append
        if node.__class__ is not str:
            write(self.literal(node) if newline else " " + self.literal(node))
            return
        if node[:1] == _BLANK and node not in self.done and self.refs[node] <= 1:
            if not newline:
                write(" ")
            if node in self.lists:
                write("(")
                self.depth += 1
                self.items(node)
                self.depth -= 1
                write(" )")
            else:
                self.done.add(node)
                self.depth += 1
                write("[")
                self.predicates(node)
                write(" ]")
                self.depth -= 1
            return
        write(self.label(node) if newline else " " + self.label(node))

    def items(self, cell: str) -> None:
        while cell:
            props = self.index.get(cell)
            if props is None:
                return
            firsts, rests = props.get(_FIRST_KEY), props.get(_REST_KEY)
            if firsts:
                self.node(firsts[0], False)
                self.done.add(cell)
            if not rests:
                return
            cell = rests[0]


def _subject_order(index: dict, refs: dict) -> list[str]:
    """rdflib's order: rdfs:Class members, then by (blank?, references, text); then the
    blank nodes referenced once moved to the end (BoundedTurtleSerializer)."""
    classes = []
    groups: dict[tuple[bool, int], list[str]] = {}
    for s, props in index.items():
        types = props.get(_TYPE_KEY)
        if types and _CLASS_KEY in types:
            classes.append(s)
        else:
            groups.setdefault((s[:1] == _BLANK, refs.get(s, 0)), []).append(s)
    ordered = sorted(classes)
    for key in sorted(groups):
        ordered += sorted(groups[key])
    nested = [s for s in ordered if s[:1] == _BLANK and refs.get(s, 0) == 1]
    if not nested:
        return ordered
    return [s for s in ordered if not (s[:1] == _BLANK and refs.get(s, 0) == 1)] + nested


def _write(triples: Iterable[Triple], names: _Names,
           store_objects: Callable[[Term, Term], list[Term]] | None) -> bytes:
    # the writer makes no reference cycles, and with a large graph in memory each of the
    # collector's full passes over it would cost more than the writing
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _layout(triples, names, store_objects)
    finally:
        if collecting:
            gc.enable()


def _layout(triples: Iterable[Triple], names: _Names,
            store_objects: Callable[[Term, Term], list[Term]] | None) -> bytes:
    index, refs, datatypes, parents = _index(triples)
    pname = names.pname
    for key in (*index, *refs):
        if key[:1] != _BLANK:
            pname(key)
    for datatype in datatypes:
        pname(datatype)
    predicates = set()
    for props in index.values():
        predicates.update(props)
    predicates.discard(_TYPE_KEY)
    for predicate in predicates:
        pname(predicate)
    header = "".join(f"@prefix {prefix}: <{names.used[prefix]}> .\n" for prefix in sorted(names.used))
    writer = _Writer(index, refs, parents, names, store_objects)
    done = writer.done
    for subject in _subject_order(index, refs):
        if subject not in done:
            writer.statement(subject)
    writer.parts.append("\n")
    return (header + "".join(writer.parts)).encode("utf-8", "replace")


def triples_turtle(triples: Iterable[Triple], namespaces: Mapping[str, str] | None = None) -> bytes:
    """Turtle of ``triples`` (rdflib terms, no duplicates, blank nodes already labelled) with
    the prefixes of ``namespaces`` (prefix -> namespace, one to one; default
    :func:`export_namespaces`): the bytes rdflib's serializer writes for a Graph that holds
    these triples, added in this order, with these prefixes bound.

    Raises :class:`Unsupported` for a graph this writer does not reproduce.
    """
    namespaces = export_namespaces() if namespaces is None else namespaces
    prefix_of = {str(namespace): prefix for prefix, namespace in namespaces.items()}
    if len(prefix_of) != len(namespaces):
        raise ValueError("two prefixes for one namespace")
    return _write(triples, _Names(prefix_of.get, prefix_of), None)


def _trie_keys(trie: dict) -> list[str]:
    keys: list[str] = []
    stack = [trie]
    while stack:
        level = stack.pop()
        keys.extend(level)
        stack.extend(level.values())
    return keys


def _triples_of(graph: Graph) -> Iterable[Triple]:
    """The triples of ``graph``; read straight from rdflib's in-memory index (in the order
    its serializer sees them) when the graph is the only one in its store, which is several
    times faster than rdflib's triple iterator."""
    store = graph.store
    spo = getattr(store, "_Memory__spo", None)
    if type(store) is not Memory or not isinstance(spo, dict) or list(store.contexts()) != [graph]:
        return graph
    if sum(len(objects) for po in spo.values() for objects in po.values()) != len(graph):
        return graph
    return ((s, p, o) for s, po in spo.items() for p, objects in po.items() for o in objects)


def graph_turtle(graph: Graph) -> bytes | None:
    """Turtle of ``graph`` as :func:`afkg.rdf.turtle.rdflib_turtle_bytes` writes it, or
    None for a graph this writer does not reproduce (the caller then uses rdflib)."""
    if graph.base is not None:
        return None
    store = graph.store
    manager = graph.namespace_manager
    known = [str(namespace) for _, namespace in graph.namespaces()]
    known += _trie_keys(getattr(manager, "_NamespaceManager__trie", {}))
    prefixes: dict[str, str | None] = {}

    def prefix_of(namespace: str) -> str | None:
        if namespace not in prefixes:
            prefixes[namespace] = store.prefix(URIRef(namespace))
        return prefixes[namespace]

    def store_objects(subject: Term, predicate: Term) -> list[Term]:
        # only called once _index has read every triple: each object is a URIRef, BNode or Literal
        return cast("list[Term]", list(graph.objects(subject, predicate)))

    triples = _triples_of(graph)
    try:  # in the store's own order, objects need not be fetched again to be sorted as rdflib does
        return _write(triples, _Names(prefix_of, known), store_objects if triples is graph else None)
    except Unsupported:
        return None


__all__ = ["Unsupported", "export_namespaces", "graph_turtle", "triples_turtle"]
