"""JSON-LD as people want to read it: compacted with the project's context, or framed
so that each event, fact or actor carries what it points to.

The RDF goes to pyld as sorted N-Quads, so that the same graph always gives the
same JSON. pyld only ever sees the local document loader of
:func:`afkg.publish.context.local_loader`: nothing is fetched.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph, URIRef

from afkg.errors import UsageError
from afkg.namespaces import AFKG, RDFS
from afkg.publish.context import CONTEXT_URL, local_loader

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


def _expanded(nquads: str, loader: Any) -> list[dict[str, Any]]:
    from pyld import jsonld

    return jsonld.from_rdf(nquads, {"format": "application/n-quads", "documentLoader": loader})


def _run(step: str, function: Any, *args: Any) -> Any:
    from pyld.jsonld import JsonLdError

    try:
        return function(*args)
    except JsonLdError as exc:
        cause = exc
        while getattr(cause, "cause", None) is not None:
            cause = cause.cause
        if isinstance(cause, UsageError):
            raise cause from None
        raise UsageError(f"JSON-LD {step} failed: {str(exc).splitlines()[0]}") from None


def to_jsonld(nquads: str, context: dict[str, Any], ontology: Graph, *,
              context_url: str | None = None, frame: str | None = None) -> bytes:
    """The graph given as sorted N-Quads, compacted (or framed) with ``context``.

    With ``context_url`` the output refers to the context by that URL instead of
    embedding it; the compaction itself always uses the local context.
    """
    from pyld import jsonld

    loader = local_loader(context)
    options = {"documentLoader": loader}
    expanded = _run("expansion", _expanded, nquads, loader)
    if frame is None:
        document = _run("compaction", jsonld.compact, expanded, context, options)
    else:
        if frame not in FRAMES:
            raise UsageError(f"unknown frame '{frame}' (frames: {', '.join(FRAMES)})")
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


__all__ = ["CONTEXT_URL", "FRAMES", "to_jsonld"]
