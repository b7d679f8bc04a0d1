"""The HTML page of one resource: label, kinds, its fact as a sentence, provenance, Wikidata,
and every statement about it and pointing to it."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from afkg.prefixes import PREFIXES
from afkg.publish.site.html import attr, external, table, text
from afkg.publish.site.terms import term_html, wikidata_page
from afkg.publish.site.view import PROV_DERIVED, RDF_TYPE, RDFS_LABEL, WD
from afkg.query.terms import Term, shorten

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


def fact_sentence(site: Site, iri: str, linker: Linker) -> str:
    """The fact as one sentence: its label, then each of its parts (property and linked value)."""
    view = site.view
    parts = []
    for prop, values in _grouped(view.outgoing(iri)).items():
        if prop.value in _NOT_IN_SENTENCE:
            continue
        shown = ", ".join(term_html(v, view, linker) for v in values)
        parts.append(f"{text(view.label(prop))} {shown}")
    label = text(view.label(Term.uri(iri)))
    return f'<p class="sentence"><strong>{label}</strong>: {"; ".join(parts)}.</p>'


def provenance_html(site: Site, passage: str, linker: Linker) -> str:
    """A passage as its section and verbatim quote, linked to the passage in the source text."""
    info = site.passages.get(passage)
    if info is None:
        return f"<p>Derived from {term_html(Term.uri(passage), site.view, linker)}.</p>"
    section = term_html(Term.uri(info.section), site.view, linker) if info.section else "the source"
    where = ""
    if info.pair is not None:
        href = linker.href(f"/source/{info.pair}", fragment=info.anchor)
        where = f' — <a href="{attr(href)}">read it in the source text</a>'
    passage_link = term_html(Term.uri(passage), site.view, linker)
    return (f'<figure class="quote"><blockquote>{text(info.quote)}</blockquote>'
            f"<figcaption>Section {section} ({passage_link}){where}</figcaption></figure>")


def resource_body(site: Site, iri: str, linker: Linker) -> str:
    """The main part of the page of ``iri``."""
    view = site.view
    outgoing = view.outgoing(iri)
    incoming = view.incoming(iri)
    about = _grouped(outgoing)
    parts = [f"<h1>{text(view.label(Term.uri(iri)))}</h1>", f'<p class="iri"><code>{text(iri)}</code></p>']
    kinds = about.get(Term.uri(RDF_TYPE), [])
    if kinds:
        parts.append("<p>Kind: " + ", ".join(term_html(k, view, linker) for k in kinds) + "</p>")
    links = []
    for prop, name in ((SAME_AS, "same as"), (CLOSE_MATCH, "close match")):
        for value in about.get(Term.uri(prop), []):
            page = wikidata_page(value.value) if value.kind == "uri" else None
            if page:
                links.append(f'{external(page, "Wikidata " + value.value[len(WD):])} ({name})')
    if links:
        parts.append('<p class="wikidata">' + "; ".join(links) + "</p>")
    if view.is_fact(iri):
        parts.append(f'<section><h2>The fact</h2>{fact_sentence(site, iri, linker)}</section>')
    sources = about.get(Term.uri(PROV_DERIVED), [])
    if sources:
        parts.append("<section><h2>Where the article says so</h2>"
                     + "".join(provenance_html(site, s.value, linker) for s in sources if s.kind == "uri")
                     + "</section>")
    if iri in site.passages:
        parts.append("<section><h2>The passage</h2>" + provenance_html(site, iri, linker) + "</section>")
    if outgoing:
        rows = [[term_html(p, view, linker), term_html(o, view, linker)] for p, o in outgoing]
        parts.append(f'<section><h2>Statements about it ({len(outgoing)})</h2>'
                     f'{table(["property", "value"], rows)}</section>')
    if incoming:
        rows = [[term_html(s, view, linker), term_html(p, view, linker)] for s, p in incoming]
        parts.append(f'<section><h2>Statements pointing to it ({len(incoming)})</h2>'
                     f'{table(["from", "property"], rows)}</section>')
    return "\n".join(parts)


def not_found_body(path: str, linker: Linker, suggestions: list[tuple[str, str]]) -> str:
    """The 404 page of an unknown resource, with a search box and close names."""
    found = ""
    if suggestions:
        found = "<p>Close names:</p><ul>" + "".join(
            f'<li><a href="{attr(linker.href(t))}">{text(label)}</a></li>' for t, label in suggestions) + "</ul>"
    return (f"<h1>Not found</h1><p>The graph has no resource <code>{text(shorten(PREFIXES['res'] + path))}</code>.</p>"
            f'<form method="get" action="{attr(linker.href("/search"))}" role="search">'
            f'<label for="q">Search the labels</label> <input id="q" name="q" type="search" value="{attr(path)}"> '
            f'<button type="submit">Search</button></form>{found}')
