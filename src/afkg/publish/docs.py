"""An HTML page that documents the ontology: classes, properties, controlled values,
their alignments with other vocabularies and Wikidata, and the SHACL shapes that
apply to each class (directly or through a superclass)."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

from rdflib import Graph, URIRef
from rdflib.term import Node

from afkg.namespaces import AFKG, DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SH, SKOS
from afkg.query.terms import shorten

_NS = str(AFKG)
_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #222; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
section.term { border-left: 3px solid #4a7; padding: .2rem 1rem; margin: 1.2rem 0; }
section.term h3 { margin: .3rem 0; } code { background: #f4f4f4; padding: 0 .2rem; }
dl { display: grid; grid-template-columns: 11rem 1fr; gap: .2rem .8rem; } dt { font-weight: 600; color: #555; }
dd { margin: 0; } ul.shapes { margin: .2rem 0; padding-left: 1.2rem; } nav a { margin-right: .4rem; }
"""


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


def _link(term: Node) -> str:
    """A term as a link: an anchor for afkg terms, the term's own page for http(s) IRIs,
    escaped text for anything else (``javascript:`` and other schemes are never links)."""
    if not isinstance(term, URIRef):
        return escape(str(term))
    text = str(term)
    if text.startswith(_NS) and is_web_link(text):
        return f'<a href="#{escape(_local(term))}"><code>afkg:{escape(_local(term))}</code></a>'
    item = _WIKIDATA_ITEM.fullmatch(text)
    if item:
        return f'<a href="https://www.wikidata.org/wiki/{item.group(1)}"><code>wd:{item.group(1)}</code></a>'
    if not is_web_link(text):
        return f"<code>{escape(shorten(text))}</code>"
    return f'<a href="{escape(text)}"><code>{escape(shorten(text))}</code></a>'


def _links(terms: list[Node]) -> str:
    return ", ".join(_link(t) for t in sorted(terms, key=str)) or "—"


def _text(graph: Graph, term: Node, prop: URIRef) -> str:
    value = graph.value(term, prop)
    return escape(str(value)) if value is not None else ""


def _applicable_shapes(cls: URIRef, ontology: Graph, shapes: Graph) -> list[str]:
    """One line per constraint of every node shape whose target class is ``cls`` or a superclass."""
    ancestors = set(ontology.transitive_objects(cls, RDFS.subClassOf))
    lines: list[str] = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        targets = set(shapes.objects(shape, SH.targetClass))
        if not targets & ancestors:
            continue
        via = sorted(targets & ancestors, key=str)
        inherited = "" if cls in targets else f" (from {', '.join(_link(t) for t in via)})"
        name = escape(shorten(str(shape)))
        messages = []
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            message = shapes.value(prop, SH.message)
            messages.append(f"{_link(path) if isinstance(path, URIRef) else 'path'}: {escape(str(message))}")
        for sparql in shapes.objects(shape, SH.sparql):
            messages.append(f"rule: {escape(str(shapes.value(sparql, SH.message)))}")
        if shapes.value(shape, SH.message) is not None:
            messages.append(f"node: {escape(str(shapes.value(shape, SH.message)))}")
        for line in sorted(messages):
            lines.append(f"<code>{name}</code>{inherited} — {line}")
    return lines


def _class_section(cls: URIRef, ontology: Graph, shapes: Graph) -> str:
    supers = list(ontology.objects(cls, RDFS.subClassOf))
    subs = list(ontology.subjects(RDFS.subClassOf, cls))
    domain_of = list(ontology.subjects(RDFS.domain, cls))
    range_of = list(ontology.subjects(RDFS.range, cls))
    values = list(ontology.subjects(RDF.type, cls))
    alignments = list(ontology.objects(cls, SKOS.exactMatch)) + list(ontology.objects(cls, SKOS.closeMatch))
    shape_lines = _applicable_shapes(cls, ontology, shapes)
    rows = [
        ("IRI", f"<code>{escape(str(cls))}</code>"),
        ("subclass of", _links(supers)),
        ("subclasses", _links(subs)),
        ("exact match", _links(list(ontology.objects(cls, SKOS.exactMatch)))) if alignments else None,
        ("close match", _links(list(ontology.objects(cls, SKOS.closeMatch)))) if alignments else None,
        ("properties (domain)", _links(domain_of)) if domain_of else None,
        ("used as range of", _links(range_of)) if range_of else None,
        ("values", _links(values)) if values else None,
        ("shapes that apply", "<ul class=\"shapes\">" + "".join(f"<li>{line}</li>" for line in shape_lines)
         + "</ul>" if shape_lines else "—"),
    ]
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for row in rows if row for k, v in [row])
    return (f'<section class="term" id="{escape(_local(cls))}"><h3>{escape(_local(cls))} '
            f'<small>({_text(ontology, cls, RDFS.label)})</small></h3>'
            f'<p>{_text(ontology, cls, RDFS.comment)}</p><dl>{body}</dl></section>')


def _property_section(prop: URIRef, ontology: Graph) -> str:
    kinds = []
    if (prop, RDF.type, OWL.ObjectProperty) in ontology:
        kinds.append("object property")
    if (prop, RDF.type, OWL.DatatypeProperty) in ontology:
        kinds.append("datatype property")
    if (prop, RDF.type, OWL.FunctionalProperty) in ontology:
        kinds.append("functional")
    if (prop, RDF.type, OWL.AnnotationProperty) in ontology:
        kinds.append("annotation property")
    rows = [
        ("IRI", f"<code>{escape(str(prop))}</code>"),
        ("kind", ", ".join(kinds)),
        ("domain", _links(list(ontology.objects(prop, RDFS.domain)))),
        ("range", _links(list(ontology.objects(prop, RDFS.range)))),
        ("subproperty of", _links(list(ontology.objects(prop, RDFS.subPropertyOf)))),
        ("exact match", _links(list(ontology.objects(prop, SKOS.exactMatch)))),
        ("close match", _links(list(ontology.objects(prop, SKOS.closeMatch)))),
        ("Wikidata property", _links(list(ontology.objects(prop, _WIKIDATA_PROPERTY)))),
    ]
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (f'<section class="term" id="{escape(_local(prop))}"><h3>{escape(_local(prop))} '
            f'<small>({_text(ontology, prop, RDFS.label)})</small></h3>'
            f'<p>{_text(ontology, prop, RDFS.comment)}</p><dl>{body}</dl></section>')


_WIKIDATA_PROPERTY = URIRef(_NS + "wikidataProperty")


def _scheme_section(scheme: Node, ontology: Graph) -> str:
    """A SKOS concept scheme of the ontology: one row per concept, with its alignments."""
    rows = []
    for concept in sorted(set(ontology.subjects(SKOS.inScheme, scheme)), key=str):
        matches = (list(ontology.objects(concept, SKOS.exactMatch)) + list(ontology.objects(concept, SKOS.closeMatch))
                   + list(ontology.objects(concept, _WIKIDATA_PROPERTY)))
        note = _text(ontology, concept, SKOS.scopeNote) or _text(ontology, concept, SKOS.definition)
        rows.append(f"<tr><td><code>{escape(shorten(str(concept)))}</code></td>"
                    f"<td>{_text(ontology, concept, SKOS.prefLabel)}</td><td>{note}</td>"
                    f"<td>{_links(matches)}</td></tr>")
    return (f'<section class="scheme" id="scheme-{escape(str(scheme).rstrip("/").rsplit("/", 1)[-1])}">'
            f"<h3>{_text(ontology, scheme, RDFS.label)} "
            f"<small>(<code>{escape(shorten(str(scheme)))}</code>)</small></h3>"
            f"<table><tr><th>concept</th><th>label</th><th>note</th><th>alignments</th></tr>{''.join(rows)}</table>"
            "</section>")


def _value_section(value: URIRef, ontology: Graph) -> str:
    kinds = [k for k in ontology.objects(value, RDF.type) if k != OWL.NamedIndividual]
    rows = [
        ("IRI", f"<code>{escape(str(value))}</code>"),
        ("kind", _links(kinds)),
        ("exact match", _links(list(ontology.objects(value, SKOS.exactMatch)))),
        ("close match", _links(list(ontology.objects(value, SKOS.closeMatch)))),
    ]
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (f'<section class="term" id="{escape(_local(value))}"><h3>{escape(_local(value))} '
            f'<small>({_text(ontology, value, RDFS.label)})</small></h3>'
            f'<p>{_text(ontology, value, RDFS.comment)}</p><dl>{body}</dl></section>')


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


def ontology_body(ontology: Graph, shapes: Graph) -> str:
    """The documentation without its page frame: one section, with an anchor, per term."""
    classes, properties, values = ontology_terms(ontology)
    title = _text(ontology, ONTOLOGY_IRI, DCTERMS.title) or "Ontology"
    nav = lambda terms: " ".join(f'<a href="#{escape(_local(t))}">{escape(_local(t))}</a>' for t in terms)  # noqa: E731
    parts = [
        f"<h1>{title}</h1>",
        f"<p>{_text(ontology, ONTOLOGY_IRI, DCTERMS.description)}</p>",
        f"<p>{_text(ontology, ONTOLOGY_IRI, RDFS.comment)}</p>",
        f"<dl><dt>namespace</dt><dd><code>{escape(_NS)}</code> (prefix <code>afkg:</code>)</dd>",
        f"<dt>version</dt><dd>{_text(ontology, ONTOLOGY_IRI, OWL.versionInfo)}</dd>",
        f"<dt>licence</dt><dd>{_links(list(ontology.objects(ONTOLOGY_IRI, DCTERMS.license)))}</dd>",
        f"<dt>terms</dt><dd>{len(classes)} classes, {len(properties)} properties</dd></dl>",
        f'<h2 id="classes">Classes</h2><nav>{nav(classes)}</nav>',
        *(_class_section(c, ontology, shapes) for c in classes),
        f'<h2 id="properties">Properties</h2><nav>{nav(properties)}</nav>',
        *(_property_section(p, ontology) for p in properties),
    ]
    if values:
        parts += [f'<h2 id="values">Controlled values</h2><nav>{nav(values)}</nav>',
                  *(_value_section(v, ontology) for v in values)]
    schemes = sorted(set(ontology.subjects(RDF.type, SKOS.ConceptScheme)), key=str)
    if schemes:
        parts += ['<h2 id="schemes">Kinds and roles</h2>', *(_scheme_section(s, ontology) for s in schemes)]
    return "\n".join(parts)


def ontology_page(ontology: Graph, shapes: Graph) -> str:
    """The whole documentation page, as HTML text (stable for the same graphs)."""
    title = _text(ontology, ONTOLOGY_IRI, DCTERMS.title) or "Ontology"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{_STYLE}</style></head><body>",
        ontology_body(ontology, shapes),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
