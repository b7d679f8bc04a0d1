"""JSON-LD as people want to read it: compacted with the project's context, or framed
so that each event, fact or actor carries what it points to.

The RDF goes to pyld as an already-parsed RDF dataset whose triples are in the
order of their sorted N-Triples lines, so that the same graph always gives the
same JSON (pyld parsing N-Quads text itself compares every triple with every
earlier one, which does not finish at a hundred thousand triples). pyld only
ever sees the local document loader of :func:`afkg.rdf.context.local_loader`:
nothing is fetched.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from pyld import jsonld
from pyld.jsonld import JsonLdError
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from afkg.errors import UsageError
from afkg.namespaces import AFKG, RDFS
from afkg.rdf.context import CONTEXT_URL, local_loader
from afkg.rdf.turtle import nt_term

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

FRAMES = {
    "events": AFKG.Event,
    "facts": AFKG.Fact,
    "actors": AFKG.Actor,
}
"""Frame names and the class whose instances (of it and its subclasses) become the top-level nodes."""


def _subclasses(ontology: Graph, top: URIRef) -> list[str]:
    """``top`` and every class below it in the ontology, as compact ``afkg:`` names."""
    found = set(ontology.transitive_subjects(RDFS.subClassOf, top))
    namespace = str(AFKG)
    return sorted(f"afkg:{str(c)[len(namespace):]}" for c in found if str(c).startswith(namespace))


def _term(term: Node) -> tuple[dict[str, str], tuple[str, ...]]:
    """One rdflib term as pyld's RDF dataset holds it (the language tag lower-cased,
    as pyld's expansion writes it), and what pyld compares when it drops a repeated
    triple (the language tag as it was)."""
    if isinstance(term, URIRef):
        return {"type": "IRI", "value": str(term)}, ("IRI", str(term))
    if isinstance(term, BNode):
        return {"type": "blank node", "value": f"_:{term}"}, ("blank node", f"_:{term}")
    if isinstance(term, Literal):
        if term.language:
            made = {"type": "literal", "datatype": _LANG_STRING, "language": term.language.lower(), "value": str(term)}
            return made, ("literal", str(term), _LANG_STRING, term.language)
        datatype = str(term.datatype) if term.datatype else _XSD_STRING
        return {"type": "literal", "datatype": datatype, "value": str(term)}, ("literal", str(term), datatype, "")
    raise UsageError(f"not an RDF term: {term!r}")


def _line(triple: tuple[Node, Node, Node]) -> str:
    s, p, o = triple
    return f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ."


def rdf_dataset(triples: Iterable[tuple[Node, Node, Node]]) -> dict[str, list[dict[str, Any]]]:
    """``triples`` as the RDF dataset pyld's ``from_rdf`` takes, in the order of their
    sorted N-Triples lines; a triple that pyld sees as the same as an earlier one
    (a plain literal and the same one typed ``xsd:string``) is left out. Language
    tags are lower-cased, as pyld's expansion does, so that the result is already
    in expanded form. A term used many times is one shared dict (pyld only reads them)."""
    made: dict[Node, tuple[dict[str, str], tuple[str, ...]]] = {}
    seen: set[tuple[tuple[str, ...], ...]] = set()
    default: list[dict[str, Any]] = []
    for triple in sorted(set(triples), key=_line):
        parts = []
        for term in triple:
            found = made.get(term)
            if found is None:
                found = made[term] = _term(term)
            parts.append(found)
        key = (parts[0][1], parts[1][1], parts[2][1])
        if key not in seen:
            seen.add(key)
            default.append({"subject": parts[0][0], "predicate": parts[1][0], "object": parts[2][0]})
    return {"@default": default} if default else {}


def _expanded(dataset: dict[str, Any], loader: Any) -> list[dict[str, Any]]:
    return jsonld.from_rdf(dataset, {"documentLoader": loader})


def _run(step: str, function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except JsonLdError as exc:
        cause = exc
        while getattr(cause, "cause", None) is not None:
            cause = cause.cause
        if isinstance(cause, UsageError):
            raise cause from None
        raise UsageError(f"JSON-LD {step} failed: {str(exc).splitlines()[0]}") from None


def to_jsonld(triples: Iterable[tuple[Node, Node, Node]], context: dict[str, Any], ontology: Graph | None, *,
              context_url: str | None = None, frame: str | None = None) -> bytes:
    """``triples`` (rdflib terms) compacted (or framed) with ``context``.

    With ``context_url`` the output refers to the context by that URL instead of
    embedding it; the compaction itself always uses the local context. A frame
    needs the ``ontology`` for the classes below the framed one.
    """
    if frame is not None and frame not in FRAMES:
        raise UsageError(f"unknown frame '{frame}' (frames: {', '.join(FRAMES)})")
    loader = local_loader(context)
    dataset = rdf_dataset(triples)
    with _no_cycle_collection():
        expanded = _run("expansion", _expanded, dataset, loader)
        return jsonld_document(expanded, context, ontology, loader, context_url=context_url, frame=frame)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while pyld builds its millions of small dicts
    and lists (they hold no cycles that matter; reference counting frees them): at a
    million triples the collector's repeated walks over them cost ten times pyld's
    own ``from_rdf`` time. Collection resumes afterwards as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def jsonld_document(expanded: list[dict[str, Any]], context: dict[str, Any], ontology: Graph | None, loader: Any, *,
              context_url: str | None, frame: str | None, expand_again: bool = False) -> bytes:
    """Expanded JSON-LD compacted, or framed by ``frame``, as indented UTF-8 JSON
    (``expand_again``: pyld expands the input once more before compacting it, as it must when the
    input came from pyld's own N-Quads parser rather than from :func:`rdf_dataset`)."""
    options: dict[str, Any] = {"documentLoader": loader}
    if frame is None:
        # from_rdf's output is already expanded: expanding it again only costs time
        compact_options = {**options, "skipExpansion": not expand_again}
        document = _run("compaction", jsonld.compact, expanded, context, compact_options)
    else:
        if ontology is None:
            raise ValueError("framing needs the ontology")
        frame_document = {
            "@context": context["@context"],
            "@type": _subclasses(ontology, FRAMES[frame]),
            "@embed": "@always",
            "derivedFrom": {"@embed": "@always",
                            "inSection": {"@embed": "@always", "ofDocument": {"@embed": "@never"}}},
        }
        document = _run("framing", jsonld.frame, expanded, frame_document, options)
    if context_url is not None:
        document["@context"] = context_url
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


__all__ = ["CONTEXT_URL", "FRAMES", "jsonld_document", "rdf_dataset", "to_jsonld"]
