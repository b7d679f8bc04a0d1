"""RDF terms in one engine-neutral form, and their conversions to and from the engines' own terms.

Engines, results and federation all speak :class:`Term`; this module imports
neither engine at load time: each conversion imports its engine (pyoxigraph, rdflib)
inside its function, so each engine pays only for its own imports.

A :class:`Term` holds integers and decimals in canonical form. Where the terms must keep their
lexical forms as written, :func:`rdflib_to_oxigraph` and :func:`oxigraph_to_rdflib` convert between
the two engines' terms directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from afkg.errors import InputError, QueryError
from afkg.prefixes import PREFIXES
from afkg.records import Frozen

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Protocol

    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef
    from rdflib.term import Node

    RdflibTerm: TypeAlias = URIRef | BNode | Literal
    """An RDF term as rdflib represents it: what :func:`oxigraph_to_rdflib` makes of a pyoxigraph term."""

    class Triples(Protocol):
        """rdflib triples that can be counted and read more than once: a set of them, or an rdflib
        Graph (which is no ``Collection`` to mypy, its ``__contains__`` taking triple patterns only)."""

        def __iter__(self) -> Iterator[tuple[Node, Node, Node]]: ...

        def __len__(self) -> int: ...

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def canonical_lexical(value: str, datatype: str | None) -> str:
    """The canonical lexical form of integers and decimals; other values unchanged."""
    if datatype == XSD + "decimal":
        plain = _plain_decimal(value.strip())
        if plain is not None:
            return plain
        from decimal import Decimal, InvalidOperation  # start-up: only unusual decimals need decimal

        try:
            number = Decimal(value.strip())
            if number == number.to_integral_value():
                return f"{int(number)}.0"
            return format(number.normalize(), "f")
        except (InvalidOperation, ValueError):
            return value
    if datatype in _INTEGER_TYPES:
        try:
            return str(int(value.strip()))
        except ValueError:
            return value
    return value


_DECIMAL_DIGITS = 28
"""The precision of :mod:`decimal`'s default context: a number with more digits than this is rounded
by ``Decimal.normalize``, so it is left to :mod:`decimal` itself."""


def _plain_decimal(text: str) -> str | None:
    """The canonical form of a plain decimal written ``[+-]digits[.digits]`` with ASCII digits, at
    most :data:`_DECIMAL_DIGITS` in all, computed on the text: exactly what :func:`canonical_lexical`
    gets from :mod:`decimal` for it, without importing that module (a cold start pays a millisecond
    for it, and nearly every decimal a query returns is of this form). None for any other text."""
    sign = text[:1]
    if sign in ("+", "-"):
        text = text[1:]
    whole, _, fraction = text.partition(".")
    digits = whole + fraction
    if not digits or len(digits) > _DECIMAL_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    fraction = fraction.rstrip("0")
    number = str(int(whole or "0"))
    if sign == "-" and (fraction or number != "0"):
        number = "-" + number
    return f"{number}.{fraction or '0'}"


class Term(Frozen):
    """An RDF term: ``kind`` is ``uri``, ``literal`` or ``bnode``. Frozen, compared and ordered as
    the tuple of its fields (a plain class rather than a dataclass: see :mod:`afkg.records`)."""

    __match_args__ = ("kind", "value", "datatype", "lang")

    kind: str
    value: str
    datatype: str | None
    lang: str | None

    def __init__(self, kind: str, value: str, datatype: str | None = None, lang: str | None = None) -> None:
        fields = self.__dict__  # one store per field: a Term is made for every cell of every result
        fields["kind"] = kind
        fields["value"] = value
        fields["datatype"] = datatype
        fields["lang"] = lang

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(kind={self.kind!r}, value={self.value!r}, datatype={self.datatype!r}, "
                f"lang={self.lang!r})")

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return (self.kind, self.value, self.datatype, self.lang) == (other.kind, other.value,
                                                                     other.datatype, other.lang)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.kind, self.value, self.datatype, self.lang))

    def __lt__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return (self.kind, self.value, self.datatype, self.lang) < (other.kind, other.value,
                                                                     other.datatype, other.lang)
        return NotImplemented

    def __le__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return (self.kind, self.value, self.datatype, self.lang) <= (other.kind, other.value,
                                                                     other.datatype, other.lang)
        return NotImplemented

    def __gt__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return (self.kind, self.value, self.datatype, self.lang) > (other.kind, other.value,
                                                                     other.datatype, other.lang)
        return NotImplemented

    def __ge__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return (self.kind, self.value, self.datatype, self.lang) >= (other.kind, other.value,
                                                                     other.datatype, other.lang)
        return NotImplemented

    @staticmethod
    def uri(value: str) -> Term:
        return Term("uri", value)

    @staticmethod
    def literal(value: str, datatype: str | None = None, lang: str | None = None) -> Term:
        if lang:
            return Term("literal", value, None, lang.lower())
        if datatype in (None, XSD_STRING):
            return Term("literal", value)
        return Term("literal", canonical_lexical(value, datatype), datatype)

    @staticmethod
    def bnode(value: str) -> Term:
        return Term("bnode", value)

    def n3(self) -> str:
        """The term in N-Triples syntax."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = _escape_string(self.value)
        if self.lang:
            return f'"{text}"@{self.lang}'
        if self.datatype:
            return f'"{text}"^^<{self.datatype}>'
        return f'"{text}"'

    def short(self) -> str:
        """The term as a reader wants it in a table: a prefixed name or the bare value."""
        if self.kind == "uri":
            return shorten(self.value)
        if self.kind == "bnode":
            return f"_:{self.value}"
        return self.value


def shorten(iri: str) -> str:
    """``iri`` as a prefixed name when a known prefix fits, else ``<iri>``."""
    best = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(PREFIXES[best])):
            rest = iri[len(namespace):]
            if rest and all(c.isalnum() or c in "_-." for c in rest) and not rest.endswith("."):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else f"<{iri}>"


def _escape_string(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


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


def oxigraph_subject(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode:
    """``node`` as the subject of a pyoxigraph triple or quad: a TypeError for a literal, as pyoxigraph raises."""
    import pyoxigraph as ox

    if isinstance(node, ox.Literal):
        raise TypeError(f"a literal cannot be the subject of a triple: {node}")
    return node


def oxigraph_predicate(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode:
    """``node`` as the predicate of a pyoxigraph triple or quad: a TypeError for anything but an IRI, as
    pyoxigraph raises."""
    import pyoxigraph as ox

    if not isinstance(node, ox.NamedNode):
        raise TypeError(f"only an IRI can be the predicate of a triple, not {node}")
    return node


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




# --- rdflib and oxigraph, lexical forms as written --------------------------------------

def rdflib_to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term, a literal's lexical form and language tag as they are."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def oxigraph_to_rdflib(term: Any) -> RdflibTerm:
    """The rdflib term for a pyoxigraph term. A literal becomes what rdflib's own Turtle parser would
    make of it: the ``Literal(text, datatype=…)`` constructor, which writes well-typed numbers and
    dates in rdflib's lexical form, and no datatype for a plain (xsd:string) string."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise InputError(f"unsupported RDF term {term!r} (RDF-star terms are not read)")
