"""RDF terms as HTML: labels instead of IRIs, links to the site's own pages, escaped text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from afkg.publish.site.html import external
from afkg.publish.site.links import Linker
from afkg.publish.site.templating import render
from afkg.publish.site.view import AFKG, RES, WD, GraphView
from afkg.rdf.terms import XSD, Term, shorten


def resource_target(iri: str) -> str | None:
    """The logical path of the page of a resource IRI (``/resource/...``), or None if it is not ours."""
    if iri.startswith(RES) and len(iri) > len(RES) and "#" not in iri and "?" not in iri:
        return "/resource/" + iri[len(RES):]
    return None


def ontology_fragment(iri: str) -> str | None:
    """The anchor of an ontology term on the ontology page, or None."""
    if iri.startswith(AFKG) and len(iri) > len(AFKG):
        return iri[len(AFKG):]
    return None


def wikidata_page(iri: str) -> str | None:
    """``https://www.wikidata.org/wiki/Q…`` for a Wikidata entity IRI, or None."""
    if iri.startswith(WD):
        item = iri[len(WD):]
        if item[:1] in ("Q", "P", "L") and item[1:].isdigit():
            return f"https://www.wikidata.org/wiki/{'Property:' if item[0] == 'P' else ''}{item}"
    return None


def number(value: str) -> str:
    """A decimal amount for reading: 22800000.0 -> 22,800,000."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return value
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,f}"


def literal_text(term: Term) -> str:
    """A literal's value as a reader wants it (numbers grouped, booleans as yes/no)."""
    if term.datatype in (XSD + "decimal", XSD + "integer"):
        return number(term.value)
    if term.datatype == XSD + "boolean":
        return "yes" if term.value in ("true", "1") else "no"
    return term.value


def term_html(term: Term, view: GraphView, linker: Linker) -> str:
    """A term as HTML: our resources and ontology terms link to their pages, Wikidata items to
    Wikidata, other web IRIs to themselves; literals are escaped text."""
    if term.kind == "literal":
        return render("term.html", label=literal_text(term), href=None, span=False)
    if term.kind == "bnode":
        return render("term.html", label="_:" + term.value, href=None, span=True)
    label = view.label(term)
    iri = term.value
    target = resource_target(iri)
    if target is not None:
        return render("term.html", label=label, href=linker.href(target), title=shorten(iri))
    fragment = ontology_fragment(iri)
    if fragment is not None:
        return render("term.html", label=label, href=linker.href("/ontology", fragment=fragment), title=shorten(iri))
    page = wikidata_page(iri)
    if page is not None:
        return external(page, f"Wikidata {iri[len(WD):]}")
    shown = shorten(iri)
    return external(iri, label if iri in view.labels else (shown if not shown.startswith("<") else iri))
