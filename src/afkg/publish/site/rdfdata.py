"""A resource's statements as data: Turtle, N-Triples, JSON-LD (compact, the project context), RDF/XML.

Each serialisation is deterministic: the triples are sorted before they are written.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from afkg.prefixes import PREFIXES
from afkg.project import oxigraph_spo
from afkg.rdf import formats
from afkg.rdf.jsonld import to_jsonld
from afkg.rdf.terms import Term, to_oxigraph, to_rdflib

Triple = tuple[Term, Term, Term]


def _oxigraph(triples: list[Triple]) -> list[Any]:
    return [ox.Triple(*oxigraph_spo(to_oxigraph(t) for t in triple)) for triple in triples]


def _prefixes(triples: list[Triple]) -> dict[str, str]:
    used = {t.value for triple in triples for t in triple if t.kind == "uri"}
    used |= {t.datatype for triple in triples for t in triple if t.datatype}
    return {p: ns for p, ns in sorted(PREFIXES.items()) if any(u.startswith(ns) for u in used)}


def ntriples(triples: list[Triple]) -> bytes:
    """Sorted N-Triples."""
    return "".join(sorted({f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples})).encode("utf-8")


def serialize(triples: list[Triple], suffix: str, *, context: dict[str, Any] | None = None) -> bytes:
    """``triples`` as ``ttl``, ``nt``, ``jsonld`` or ``rdf``."""
    triples = sorted(set(triples))
    if suffix == "nt":
        return ntriples(triples)
    if suffix in ("ttl", "rdf"):
        data = ox.serialize(_oxigraph(triples), format=formats.BY_SUFFIX[suffix].pyoxigraph(),
                            prefixes=_prefixes(triples))
        assert data is not None  # without an output, serialize returns the bytes
        return data
    if suffix == "jsonld":
        rdflib_triples = [(to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in triples]
        return to_jsonld(rdflib_triples, context or {"@context": {}}, None)
    raise ValueError(f"no serialisation for suffix {suffix!r}")
