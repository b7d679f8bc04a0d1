"""Stored queries in the browser: the list, and one page per query with a form generated from
its header, its results as a table, download links, the SPARQL text and a permalink.

The form is a plain GET form to the page's own URL, so it works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from afkg.publish.site.templating import markup, render
from afkg.publish.site.term_display import resource_target, term_html
from afkg.query import names
from afkg.query.catalogue import Param, StoredQuery
from afkg.query.guard import check_stored
from afkg.query.results import AskResult, GraphResult, Result, SelectResult
from afkg.rdf import formats
from afkg.rdf.terms import Term

if TYPE_CHECKING:
    from afkg.publish.site.app import Site
    from afkg.publish.site.links import Linker
    from afkg.publish.site.view import GraphView

TABULAR_DOWNLOADS = ("csv", "json", "tsv", "xml")
GRAPH_DOWNLOADS = tuple(formats.get(name).suffix for name in formats.CLI_GRAPH)
DOWNLOAD_FORMATS = {suffix: formats.BY_SUFFIX[suffix].name for suffix in TABULAR_DOWNLOADS + GRAPH_DOWNLOADS}
"""Download suffix -> result format name of :func:`afkg.query.results.render`."""

MAX_SHOWN_ROWS = 1000
"""A results table shows at most this many rows; the downloads have them all."""


def downloads_for(query: StoredQuery) -> tuple[str, ...]:
    """The download suffixes that fit the query's kind of result."""
    return GRAPH_DOWNLOADS if query.query_type in ("CONSTRUCT", "DESCRIBE") else TABULAR_DOWNLOADS


def list_body(queries: list[StoredQuery], linker: Linker) -> str:
    """The list of stored queries: name, summary, tags and parameters."""
    return render("query-list.html", queries=[
        {"href": linker.href("/queries/" + query.name), "name": query.name, "summary": query.summary,
         "tags": query.tags, "params": [p.describe() for p in query.params.values()]} for query in queries])


def _field(param: Param, value: str) -> dict[str, Any]:
    """A parameter as its form field shows it: a choice of values (enums, booleans) or a typed input."""
    choices = None
    if param.enum or param.type == "xsd:boolean":
        options = list(param.enum) or ["true", "false"]
        choices = [] if param.required or param.default is not None else [("", "(any)")]
        choices += [(o, o) for o in options]
    return {"name": param.name, "type": param.type, "required": param.required, "description": param.description,
            "value": value, "choices": choices}


def results_html(result: Result, site: Site, linker: Linker) -> str:
    """The results as a table whose IRIs link to the resource pages."""
    if isinstance(result, AskResult):
        return render("query-results.html", answer=result.answer)
    if isinstance(result, GraphResult):
        headers = ["subject", "predicate", "object"]
        rows_terms = [dict(zip(headers, t, strict=True)) for t in result.triples]
    else:
        assert isinstance(result, SelectResult)
        headers = result.variables
        rows_terms = result.rows
    rows = [[markup(term_html(row[h], site.view, linker)) if h in row else "" for h in headers]
            for row in rows_terms[:MAX_SHOWN_ROWS]]
    return render("query-results.html", answer=None, count=len(rows_terms), shown_at_most=MAX_SHOWN_ROWS,
                  truncated=getattr(result, "truncated", False), headers=headers, rows=rows)


def query_body(query: StoredQuery, given: dict[str, str], outcome: str, linker: Linker, *, static: bool,
               ran: bool, readings: list[Reading] | None = None, service_note: bool = True) -> str:
    """The page of one stored query; ``outcome`` is the results (or an error) as HTML; download
    links and the permalink are offered when the query ran; ``readings`` say which names were
    read as which resources; ``service_note`` says which services a federated query asks (left
    out when ``outcome`` already says so)."""
    filled = {k: v for k, v in sorted(given.items()) if v != ""}
    downloads = [{"href": linker.href(f"/api/queries/{query.name}.{s}", query=filled), "name": s.upper()}
                 for s in downloads_for(query)] if ran else None
    federated = render("query_service.html", refused=False, endpoints=service_endpoints(query), query_name=query.name) \
        if query.federated and service_note else ""
    notes = render("query_readings.html", readings=[_reading_entry(r, linker) for r in readings or []])
    return render(
        "query.html", summary=query.summary, name=query.name, tags=query.tags, description=query.description,
        federated=markup(federated), action=linker.href("/queries/" + query.name), static=static,
        params=[_field(p, given.get(p.name, p.default or "")) for p in query.params.values()],
        readings=markup(notes), outcome=markup(outcome), downloads=downloads,
        permalink=linker.href("/queries/" + query.name, query=filled), sparql=query.text)


@dataclass(frozen=True)
class Reading:
    """A value given for a parameter that was read as another: a name as the IRI it names."""

    param: str
    given: str
    value: str
    """The value as the graph spells it: ``prefix:name`` (or ``<iri>``), or an enum value."""
    iri: str | None
    label: str
    """The label of the resource read (empty for an enum value)."""


def readings(query: StoredQuery, given: dict[str, str], engine: Any, view: GraphView) -> list[Reading]:
    """The values of ``given`` that :func:`afkg.query.names.resolve` reads as others, in parameter
    order (its errors are raised: :class:`~afkg.query.names.UnknownName`, ...)."""
    resolved = names.resolve(query, given, engine)
    found = []
    for name in query.params:
        if name not in given or resolved.get(name) == given[name]:
            continue
        value = resolved[name]
        if value.startswith("<") and value.endswith(">"):
            iri = value[1:-1]
            found.append(Reading(name, given[name], names.short_name(iri), iri, view.label(Term.uri(iri))))
        else:
            found.append(Reading(name, given[name], value, None, ""))
    return found


def _reading_entry(reading: Reading, linker: Linker) -> dict[str, str | None]:
    target = resource_target(reading.iri) if reading.iri else None
    return {"given": reading.given, "value": reading.value, "label": reading.label,
            "href": linker.href(target) if target else None}


def name_error_html(error: names.UnknownName | names.AmbiguousName, query: StoredQuery, given: dict[str, str],
                    linker: Linker) -> str:
    """The message of a name the graph does not hold (or holds several of), with a link per
    suggested resource that runs the query with it instead."""
    filled = {k: v for k, v in given.items() if v != ""}
    suggestions = []
    for iri, label in error.suggestions:
        value = names.short_name(iri)
        href = linker.href("/queries/" + query.name, query={**filled, error.param: value})
        suggestions.append({"href": href, "label": label or value, "value": value})
    kind = "unknown" if isinstance(error, names.UnknownName) else "ambiguous"
    return render("query_name_error.html", message=str(error), suggestions=suggestions, kind=kind)


def service_endpoints(query: StoredQuery) -> list[str]:
    """The SPARQL services a federated query asks, in order of first use."""
    found: list[str] = []
    for clause in check_stored(query.text, str(query.path)).services:
        if clause.endpoint not in found:
            found.append(clause.endpoint)
    return found


def elsewhere_html(query: StoredQuery) -> str:
    """Why a federated query does not run on a site without a server, and how to run it."""
    return render("query_service.html", refused=True, endpoints=service_endpoints(query), query_name=query.name)
