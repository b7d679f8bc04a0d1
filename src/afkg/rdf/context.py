"""The JSON-LD context of exports, derived from the ontology, and a loader that
never touches the network.

``ontology/context.jsonld`` is the published context. It is generated from the
ontology by :func:`build_context` (``afkg context -o ontology/context.jsonld``),
and a test keeps the file in step with the ontology: every afkg property gets a
short term, object properties are typed ``@id``, datatype properties with one
XSD range are typed with it, and labels and comments are English strings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from afkg.errors import InputError, UsageError
from afkg.files import MAX_JSON_BYTES, load_json
from afkg.namespaces import AFKG, OWL, RDF, RDFS, XSD
from afkg.prefixes import PREFIXES

CONTEXT_URL = "https://w3id.org/afkg/context.jsonld"
"""Where the context is published; exports may refer to it by this URL."""

_ENGLISH_TERMS = {"label": "rdfs:label", "comment": "rdfs:comment", "altLabel": "skos:altLabel"}
"""Terms whose values are English text."""
_LINK_TERMS = {
    "sameAs": "owl:sameAs", "closeMatch": "skos:closeMatch", "exactMatch": "skos:exactMatch",
    "broader": "skos:broader", "derivedFrom": "prov:wasDerivedFrom", "member": "org:member",
    "organization": "org:organization", "subClassOf": "rdfs:subClassOf", "domain": "rdfs:domain",
    "range": "rdfs:range",
}
"""Terms whose values are IRIs."""
_COMMON_TERMS: dict[str, Any] = {
    "id": "@id",
    "type": "@type",
    **{term: {"@id": iri, "@language": "en"} for term, iri in _ENGLISH_TERMS.items()},
    **{term: {"@id": iri, "@type": "@id"} for term, iri in _LINK_TERMS.items()},
}


def build_context(ontology: Graph) -> dict[str, Any]:
    """The JSON-LD context for ``ontology``: prefixes, common terms, one term per afkg property."""
    terms: dict[str, Any] = {"@version": 1.1}
    terms.update({prefix: namespace for prefix, namespace in sorted(PREFIXES.items())})
    terms.update(_COMMON_TERMS)
    namespace = str(AFKG)
    properties = (set(ontology.subjects(RDF.type, OWL.ObjectProperty))
                  | set(ontology.subjects(RDF.type, OWL.DatatypeProperty)))
    for prop in sorted(p for p in properties if isinstance(p, URIRef)):
        if not str(prop).startswith(namespace):
            continue
        name = str(prop)[len(namespace):]
        if name in PREFIXES and name not in _COMMON_TERMS:
            del terms[name]  # the property's term wins; its namespace is then written as full IRIs
        if name in terms:
            raise InputError(f"ontology term afkg:{name} clashes with the JSON-LD term '{name}'")
        definition: dict[str, Any] = {"@id": f"afkg:{name}"}
        if (prop, RDF.type, OWL.ObjectProperty) in ontology:
            definition["@type"] = "@id"
        else:
            ranges = [r for r in ontology.objects(prop, RDFS.range) if str(r).startswith(str(XSD))]
            if len(ranges) == 1 and ranges[0] != XSD.string:
                definition["@type"] = "xsd:" + str(ranges[0])[len(str(XSD)):]
        terms[name] = definition
    return {"@context": terms}


def context_text(context: dict[str, Any]) -> str:
    """The context as it is written to ``context.jsonld``: sorted keys aside, stable indentation."""
    return json.dumps(context, indent=2, ensure_ascii=False) + "\n"


def load_context(path: Path) -> dict[str, Any]:
    """The published context file; an unreadable or invalid one is an InputError."""
    if not path.exists() and not path.is_symlink():
        raise InputError(f"{path}: file not found (write it with 'afkg context -o {path}')")
    data = load_json(path, MAX_JSON_BYTES)
    if not isinstance(data, dict) or not isinstance(data.get("@context"), dict):
        raise InputError(f"{path}: not a JSON-LD context (no \"@context\" object)")
    return data


def local_loader(context: dict[str, Any]):
    """A pyld document loader that serves the project's context for its URL and refuses
    every other remote document, so that no export ever reaches the network."""

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url == CONTEXT_URL:
            return {"contextUrl": None, "documentUrl": url, "document": context}
        raise UsageError(f"refusing to fetch remote JSON-LD document {url}: only the local context "
                         f"({CONTEXT_URL}) is available")

    return load
