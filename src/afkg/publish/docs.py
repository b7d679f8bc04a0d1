"""An HTML page that documents the ontology: classes, properties, controlled values,
their alignments with other vocabularies and Wikidata, and the SHACL shapes that
apply to each class (directly or through a superclass)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup
from rdflib import Graph, URIRef
from rdflib.term import Node

from afkg.namespaces import AFKG, DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SH, SKOS
from afkg.publish.site.templating import markup, render
from afkg.rdf.terms import shorten

_NS = str(AFKG)


def _local(term: Node) -> str:
    return str(term)[len(_NS):]


_WIKIDATA_ITEM = re.compile(r"http://www\.wikidata\.org/entity/([PQ][1-9][0-9]*)")


def is_web_link(iri: str) -> bool:
    """True when ``iri`` is an absolute http(s) IRI with a host and nothing that could
    break out of an HTML attribute; anything else is shown as text, never as a link."""
    try:
        parts = urlsplit(iri)
    except ValueError:
        return False
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return False
    return not any(ch.isspace() or ord(ch) < 0x20 or ch in "<>\"'`\\" for ch in iri)


@dataclass(frozen=True)
class TermLink:
    """A term as the page shows it: ``text`` (set as code when ``code``), a link when ``href``."""

    text: str
    href: str | None = None
    code: bool = True


@dataclass(frozen=True)
class Row:
    """One row of a term's description: ``kind`` says how ``value`` is shown (an IRI, links to
    terms, plain text, or the lines of the shapes that apply)."""

    name: str
    kind: str
    value: Any


@dataclass(frozen=True)
class Section:
    """One term of the ontology: its anchor, label, comment and rows."""

    local: str
    label: str
    comment: str
    rows: list[Row]


@dataclass(frozen=True)
class Concept:
    """One concept of a SKOS scheme, with its alignments."""

    name: str
    label: str
    note: str
    matches: list[TermLink]


@dataclass(frozen=True)
class Scheme:
    """A SKOS concept scheme of the ontology."""

    anchor: str
    label: str
    name: str
    concepts: list[Concept]


def _link(term: Node) -> TermLink:
    """A term as a link: an anchor for afkg terms, the term's own page for http(s) IRIs,
    text for anything else (``javascript:`` and other schemes are never links)."""
    if not isinstance(term, URIRef):
        return TermLink(str(term), code=False)
    text = str(term)
    if text.startswith(_NS) and is_web_link(text):
        return TermLink(f"afkg:{_local(term)}", f"#{_local(term)}")
    item = _WIKIDATA_ITEM.fullmatch(text)
    if item:
        return TermLink(f"wd:{item.group(1)}", f"https://www.wikidata.org/wiki/{item.group(1)}")
    if not is_web_link(text):
        return TermLink(shorten(text))
    return TermLink(shorten(text), text)


def _links(terms: list[Node]) -> list[TermLink]:
    return [_link(t) for t in sorted(terms, key=str)]


def _text(graph: Graph, term: Node, prop: URIRef) -> str:
    value = graph.value(term, prop)
    return str(value) if value is not None else ""


def _applicable_shapes(cls: URIRef, ontology: Graph, shapes: Graph) -> list[Markup]:
    """One line per constraint of every node shape whose target class is ``cls`` or a superclass."""
    ancestors = set(ontology.transitive_objects(cls, RDFS.subClassOf))
    lines: list[Markup] = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        targets = set(shapes.objects(shape, SH.targetClass))
        if not targets & ancestors:
            continue
        via = [] if cls in targets else [_link(t) for t in sorted(targets & ancestors, key=str)]
        messages: list[str] = []
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            message = shapes.value(prop, SH.message)
            messages.append(_message(_link(path) if isinstance(path, URIRef) else None, "path", message))
        for sparql in shapes.objects(shape, SH.sparql):
            messages.append(_message(None, "rule", shapes.value(sparql, SH.message)))
        if shapes.value(shape, SH.message) is not None:
            messages.append(_message(None, "node", shapes.value(shape, SH.message)))
        # in the order of their HTML, as the page has always listed them
        for line in sorted(messages):
            lines.append(markup(render("ontology-shape.html", line=markup(line), shape=shorten(str(shape)), via=via)))
    return lines


def _message(link: TermLink | None, name: str, message: object) -> str:
    return render("ontology-shape.html", line=None, path=link, name=name, message=str(message))


def _class_section(cls: URIRef, ontology: Graph, shapes: Graph) -> Section:
    supers = list(ontology.objects(cls, RDFS.subClassOf))
    subs = list(ontology.subjects(RDFS.subClassOf, cls))
    domain_of = list(ontology.subjects(RDFS.domain, cls))
    range_of = list(ontology.subjects(RDFS.range, cls))
    values = list(ontology.subjects(RDF.type, cls))
    alignments = list(ontology.objects(cls, SKOS.exactMatch)) + list(ontology.objects(cls, SKOS.closeMatch))
    rows = [
        Row("IRI", "iri", str(cls)),
        Row("subclass of", "links", _links(supers)),
        Row("subclasses", "links", _links(subs)),
        Row("exact match", "links", _links(list(ontology.objects(cls, SKOS.exactMatch)))) if alignments else None,
        Row("close match", "links", _links(list(ontology.objects(cls, SKOS.closeMatch)))) if alignments else None,
        Row("properties (domain)", "links", _links(domain_of)) if domain_of else None,
        Row("used as range of", "links", _links(range_of)) if range_of else None,
        Row("values", "links", _links(values)) if values else None,
        Row("shapes that apply", "shapes", _applicable_shapes(cls, ontology, shapes)),
    ]
    return _section(cls, ontology, [row for row in rows if row])


def _section(term: URIRef, ontology: Graph, rows: list[Row]) -> Section:
    return Section(_local(term), _text(ontology, term, RDFS.label), _text(ontology, term, RDFS.comment), rows)


def _property_section(prop: URIRef, ontology: Graph) -> Section:
    kinds = []
    if (prop, RDF.type, OWL.ObjectProperty) in ontology:
        kinds.append("object property")
    if (prop, RDF.type, OWL.DatatypeProperty) in ontology:
        kinds.append("datatype property")
    if (prop, RDF.type, OWL.FunctionalProperty) in ontology:
        kinds.append("functional")
    if (prop, RDF.type, OWL.AnnotationProperty) in ontology:
        kinds.append("annotation property")
    return _section(prop, ontology, [
        Row("IRI", "iri", str(prop)),
        Row("kind", "text", ", ".join(kinds)),
        Row("domain", "links", _links(list(ontology.objects(prop, RDFS.domain)))),
        Row("range", "links", _links(list(ontology.objects(prop, RDFS.range)))),
        Row("subproperty of", "links", _links(list(ontology.objects(prop, RDFS.subPropertyOf)))),
        Row("exact match", "links", _links(list(ontology.objects(prop, SKOS.exactMatch)))),
        Row("close match", "links", _links(list(ontology.objects(prop, SKOS.closeMatch)))),
        Row("Wikidata property", "links", _links(list(ontology.objects(prop, _WIKIDATA_PROPERTY)))),
    ])


_WIKIDATA_PROPERTY = URIRef(_NS + "wikidataProperty")


def _scheme(scheme: Node, ontology: Graph) -> Scheme:
    """A SKOS concept scheme of the ontology: one row per concept, with its alignments."""
    concepts = []
    for concept in sorted(set(ontology.subjects(SKOS.inScheme, scheme)), key=str):
        matches = (list(ontology.objects(concept, SKOS.exactMatch)) + list(ontology.objects(concept, SKOS.closeMatch))
                   + list(ontology.objects(concept, _WIKIDATA_PROPERTY)))
        note = _text(ontology, concept, SKOS.scopeNote) or _text(ontology, concept, SKOS.definition)
        concepts.append(Concept(shorten(str(concept)), _text(ontology, concept, SKOS.prefLabel), note,
                                _links(matches)))
    return Scheme(str(scheme).rstrip("/").rsplit("/", 1)[-1], _text(ontology, scheme, RDFS.label),
                  shorten(str(scheme)), concepts)


def _value_section(value: URIRef, ontology: Graph) -> Section:
    kinds = [k for k in ontology.objects(value, RDF.type) if k != OWL.NamedIndividual]
    return _section(value, ontology, [
        Row("IRI", "iri", str(value)),
        Row("kind", "links", _links(kinds)),
        Row("exact match", "links", _links(list(ontology.objects(value, SKOS.exactMatch)))),
        Row("close match", "links", _links(list(ontology.objects(value, SKOS.closeMatch)))),
    ])


def _ours(terms: set[Node]) -> list[URIRef]:
    return sorted((t for t in terms if isinstance(t, URIRef) and str(t).startswith(_NS)), key=str)


def ontology_terms(ontology: Graph) -> tuple[list[URIRef], list[URIRef], list[URIRef]]:
    """The ontology's own classes, properties and controlled values, each sorted."""
    classes = _ours(set(ontology.subjects(RDF.type, OWL.Class)))
    properties = _ours(set(ontology.subjects(RDF.type, OWL.ObjectProperty))
                       | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
                       | set(ontology.subjects(RDF.type, OWL.AnnotationProperty)))
    values = [v for v in _ours(set(ontology.subjects(RDF.type, None)))
              if v not in set(classes) | set(properties) and v != ONTOLOGY_IRI]
    return classes, properties, values


def _data(ontology: Graph, shapes: Graph) -> dict[str, Any]:
    """What the documentation shows: the ontology's header, then one section per term."""
    classes, properties, values = ontology_terms(ontology)
    return {
        "title": _text(ontology, ONTOLOGY_IRI, DCTERMS.title) or "Ontology",
        "description": _text(ontology, ONTOLOGY_IRI, DCTERMS.description),
        "comment": _text(ontology, ONTOLOGY_IRI, RDFS.comment),
        "namespace": _NS, "version": _text(ontology, ONTOLOGY_IRI, OWL.versionInfo),
        "licences": _links(list(ontology.objects(ONTOLOGY_IRI, DCTERMS.license))),
        "classes": [_class_section(c, ontology, shapes) for c in classes],
        "properties": [_property_section(p, ontology) for p in properties],
        "values": [_value_section(v, ontology) for v in values],
        "schemes": [_scheme(s, ontology)
                    for s in sorted(set(ontology.subjects(RDF.type, SKOS.ConceptScheme)), key=str)],
    }


def ontology_body(ontology: Graph, shapes: Graph) -> str:
    """The documentation without its page frame, in a ``div`` of class ``ontology``: one section,
    with an anchor, per term."""
    return render("ontology.html", wrapped=True, **_data(ontology, shapes))


def ontology_page(ontology: Graph, shapes: Graph) -> str:
    """The whole documentation page, as HTML text (stable for the same graphs)."""
    return render("ontology-page.html", wrapped=False, **_data(ontology, shapes))
