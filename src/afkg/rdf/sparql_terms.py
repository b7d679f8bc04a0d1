"""RDF terms written as SPARQL and N-Triples text, each part checked first.

Used where afkg writes terms into text it sends away: the parameters of a query
run on a remote endpoint (:mod:`afkg.query.remote`), the triples of
``afkg push`` (:mod:`afkg.publish.push`) and the VALUES blocks of a federated
query (:func:`values_cell`). A value that could close its term and
add text of its own (an IRI with ``>``, a language tag with a space, …) is a
UsageError; lexical forms are escaped by :meth:`afkg.rdf.terms.Term.n3`.
"""

from __future__ import annotations

import re

from afkg.errors import UsageError
from afkg.rdf.terms import Term, to_oxigraph

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_BNODE = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def check_iri(value: str, what: str = "IRI") -> str:
    """``value`` if it can stand between ``<`` and ``>`` in SPARQL and N-Triples; else a UsageError."""
    if not _SCHEME.match(value) or _IRI_FORBIDDEN.search(value):
        raise UsageError(f"{what} {value!r} is not an absolute IRI that SPARQL can carry")
    return value


def sparql_term(term: Term) -> str:
    """``term`` in the syntax SPARQL and N-Triples share, after checking every part of it.

    The lexical form is escaped by :meth:`Term.n3`; IRIs, datatypes, language tags and
    blank-node labels are checked here, so no value can close its term and add text.
    """
    if term.kind == "uri":
        check_iri(term.value)
    elif term.kind == "bnode":
        if not _BNODE.match(term.value):
            raise UsageError(f"blank node label {term.value!r} is not allowed in SPARQL")
    elif term.kind == "literal":
        if term.lang is not None and not _LANG.match(term.lang):
            raise UsageError(f"language tag {term.lang!r} is not well-formed")
        if term.datatype is not None:
            check_iri(term.datatype, "datatype")
    else:
        raise UsageError(f"unknown kind of term {term.kind!r}")
    return term.n3()


def values_cell(term: Term | None) -> str:
    """``term`` as a cell of the VALUES blocks afkg's federation writes (:mod:`afkg.query.federation`):
    UNDEF for a blank node or no value; an IRI or a literal as pyoxigraph writes it, built and so
    checked by its own term types (IRI, language tag, datatype). A term they reject raises ValueError.

    Unlike :func:`sparql_term`, pyoxigraph writes a control character other than tab, line feed and
    carriage return as an escape (``\\u0000``, ``\\b``), and refuses what its types refuse.
    """
    if term is None or term.kind == "bnode":
        return "UNDEF"
    if term.kind not in ("uri", "literal"):
        raise ValueError(f"unknown term kind {term.kind!r}")
    return str(to_oxigraph(term))


__all__ = ["check_iri", "sparql_term", "values_cell"]
