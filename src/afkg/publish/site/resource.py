"""The HTML page of one resource: label, kinds, its fact as a sentence, provenance, Wikidata,
and every statement about it and pointing to it."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from afkg.prefixes import PREFIXES
from afkg.publish.site.html import external, table
from afkg.publish.site.templating import markup, render
from afkg.publish.site.term_display import term_html, wikidata_page
from afkg.publish.site.view import PROV_DERIVED, RDF_TYPE, RDFS_LABEL, WD
from afkg.rdf.terms import Term, shorten

if TYPE_CHECKING:
    from afkg.publish.site.app import Site
    from afkg.publish.site.links import Linker

SAME_AS = PREFIXES["owl"] + "sameAs"
CLOSE_MATCH = PREFIXES["skos"] + "closeMatch"
QUOTE = PREFIXES["afkg"] + "quote"
_NOT_IN_SENTENCE = {RDF_TYPE, RDFS_LABEL, PROV_DERIVED, SAME_AS, CLOSE_MATCH, PREFIXES["skos"] + "exactMatch"}


def _grouped(pairs: list[tuple[Term, Term]]) -> dict[Term, list[Term]]:
    grouped: dict[Term, list[Term]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return grouped


def fact_sentence(site: Site, iri: str, linker: Linker) -> dict[str, Any]:
    """The fact as one sentence: its label, then each of its parts (property and linked values)."""
    view = site.view
    parts = []
    for prop, values in _grouped(view.outgoing(iri)).items():
        if prop.value in _NOT_IN_SENTENCE:
            continue
        parts.append({"name": view.label(prop), "values": [markup(term_html(v, view, linker)) for v in values]})
    return {"label": view.label(Term.uri(iri)), "parts": parts}


def provenance(site: Site, passage: str, linker: Linker) -> dict[str, Any]:
    """A passage as its section and verbatim quote, linked to the passage in the source text."""
    info = site.passages.get(passage)
    if info is None:
        return {"derived": markup(term_html(Term.uri(passage), site.view, linker))}
    return {
        "derived": None, "quote": info.quote,
        "section": markup(term_html(Term.uri(info.section), site.view, linker)) if info.section else None,
        "href": linker.href(f"/source/{info.pair}", fragment=info.anchor) if info.pair is not None else None,
        "passage": markup(term_html(Term.uri(passage), site.view, linker)),
    }


def _statements(headers: list[str], rows: list[list[str]]) -> dict[str, Any] | None:
    return {"count": len(rows), "table": markup(table(headers, rows))} if rows else None


def resource_body(site: Site, iri: str, linker: Linker) -> str:
    """The main part of the page of ``iri``."""
    view = site.view
    outgoing = view.outgoing(iri)
    incoming = view.incoming(iri)
    about = _grouped(outgoing)
    derived = about.get(Term.uri(PROV_DERIVED), [])
    links = []
    for prop, name in ((SAME_AS, "same as"), (CLOSE_MATCH, "close match")):
        for value in about.get(Term.uri(prop), []):
            page = wikidata_page(value.value) if value.kind == "uri" else None
            if page:
                links.append({"link": markup(external(page, "Wikidata " + value.value[len(WD):])), "name": name})
    return render(
        "resource.html", label=view.label(Term.uri(iri)), iri=iri,
        kinds=[markup(term_html(k, view, linker)) for k in about.get(Term.uri(RDF_TYPE), [])], wikidata=links,
        fact=fact_sentence(site, iri, linker) if view.is_fact(iri) else None,
        sources=[provenance(site, s.value, linker) for s in derived if s.kind == "uri"] if derived else None,
        passage=provenance(site, iri, linker) if iri in site.passages else None,
        outgoing=_statements(["property", "value"],
                             [[term_html(p, view, linker), term_html(o, view, linker)] for p, o in outgoing]),
        incoming=_statements(["from", "property"],
                             [[term_html(s, view, linker), term_html(p, view, linker)] for s, p in incoming]))


def not_found_body(path: str, linker: Linker, suggestions: list[tuple[str, str]]) -> str:
    """The 404 page of an unknown resource, with a search box and close names."""
    return render("resource-not-found.html", name=shorten(PREFIXES["res"] + path), search_href=linker.href("/search"),
                  words=path, suggestions=[{"href": linker.href(t), "text": label} for t, label in suggestions])
