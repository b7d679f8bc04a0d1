"""Stored queries in the browser: the list, and one page per query with a form generated from
its header, its results as a table, download links, the SPARQL text and a permalink.

The form is a plain GET form to the page's own URL, so it works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from afkg.publish.site.html import attr, table, text
from afkg.publish.site.templating import render
from afkg.publish.site.terms import resource_target, term_html
from afkg.query import names
from afkg.query.catalogue import Param, StoredQuery
from afkg.query.results import AskResult, GraphResult, Result, SelectResult
from afkg.query.terms import Term

if TYPE_CHECKING:
    from afkg.publish.site.app import Site
    from afkg.publish.site.links import Linker
    from afkg.publish.site.view import GraphView

TABULAR_DOWNLOADS = ("csv", "json", "tsv", "xml")
GRAPH_DOWNLOADS = ("ttl", "nt", "jsonld")
DOWNLOAD_FORMATS = {"csv": "csv", "json": "json", "tsv": "tsv", "xml": "xml",
                    "ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld"}
"""Download suffix -> result format name of :func:`afkg.query.results.render`."""

MAX_SHOWN_ROWS = 1000
"""A results table shows at most this many rows; the downloads have them all."""


def downloads_for(query: StoredQuery) -> tuple[str, ...]:
    """The download suffixes that fit the query's kind of result."""
    return GRAPH_DOWNLOADS if query.query_type in ("CONSTRUCT", "DESCRIBE") else TABULAR_DOWNLOADS


def list_body(queries: list[StoredQuery], linker: Linker) -> str:
    """The list of stored queries: name, summary, tags and parameters."""
    rows = []
    for query in queries:
        link = f'<a href="{attr(linker.href("/queries/" + query.name))}">{text(query.name)}</a>'
        params = ", ".join(text(p.describe()) for p in query.params.values()) or "—"
        tags = " ".join(f'<span class="tag">{text(t)}</span>' for t in query.tags)
        rows.append([link, text(query.summary), tags, params])
    return ("<h1>Stored queries</h1><p>Each query answers one question about the graph. Open one to "
            "run it with your own values, see its SPARQL, or download its results.</p>"
            + table(["query", "summary", "tags", "parameters"], rows))


def _input(param: Param, value: str) -> str:
    ident = f"param-{param.name}"
    required = " required" if param.required else ""
    if param.enum or param.type == "xsd:boolean":
        options = list(param.enum) or ["true", "false"]
        choices = [] if param.required or param.default is not None else [("", "(any)")]
        choices += [(o, o) for o in options]
        body = "".join(f'<option value="{attr(v)}"{" selected" if v == value else ""}>{text(n)}</option>'
                       for v, n in choices)
        return f'<select id="{ident}" name="{attr(param.name)}"{required}>{body}</select>'
    kinds = {
        "xsd:integer": ' type="number" step="1"',
        "xsd:decimal": ' type="number" step="any"',
        "xsd:date": ' type="date"',
        "xsd:gYear": ' type="text" inputmode="numeric" pattern="-?[0-9]{4,}" placeholder="e.g. 2024"',
        "xsd:gYearMonth": ' type="text" pattern="-?[0-9]{4,}-(0[1-9]|1[0-2])" placeholder="e.g. 2024-11"',
        "iri": ' type="text" placeholder="a name or an IRI"',
    }
    extra = kinds.get(param.type, ' type="text"')
    return f'<input id="{ident}" name="{attr(param.name)}"{extra} value="{attr(value)}"{required}>'


def form_html(query: StoredQuery, given: dict[str, str], linker: Linker, *, static: bool) -> str:
    """A GET form to the page itself: one typed field per parameter, defaults filled in."""
    fields = []
    for param in query.params.values():
        value = given.get(param.name, param.default or "")
        mark = ' <abbr class="required" title="required">*</abbr>' if param.required else ""
        help_text = f'<small>{text(param.description)} ({text(param.type)})</small>' if param.description else \
            f"<small>({text(param.type)})</small>"
        fields.append(f'<div class="field"><label for="param-{attr(param.name)}">{text(param.name)}{mark}</label>'
                      f"{_input(param, value)}{help_text}</div>")
    note = ""
    disabled = ""
    if static:
        disabled = " disabled"
        note = ('<p class="mode-note">This copy of the site is static: it shows the results for the default '
                "values. Run the query with other values through <code>afkg serve</code> or "
                "<code>afkg query run</code>.</p>")
    return (f'<form method="get" action="{attr(linker.href("/queries/" + query.name))}" class="query-form">'
            f"<fieldset{disabled}><legend>Parameters</legend>"
            f"{''.join(fields) or '<p>This query has no parameters.</p>'}"
            f'<button type="submit">Run</button></fieldset></form>{note}')


def results_html(result: Result, site: Site, linker: Linker) -> str:
    """The results as a table whose IRIs link to the resource pages."""
    if isinstance(result, AskResult):
        return f'<p class="answer">Answer: <strong>{"yes" if result.answer else "no"}</strong></p>'
    if isinstance(result, GraphResult):
        headers = ["subject", "predicate", "object"]
        rows_terms = [dict(zip(headers, t, strict=True)) for t in result.triples]
    else:
        assert isinstance(result, SelectResult)
        headers = result.variables
        rows_terms = result.rows
    shown = rows_terms[:MAX_SHOWN_ROWS]
    rows = [[term_html(row[h], site.view, linker) if h in row else "" for h in headers] for row in shown]
    count = len(rows_terms)
    note = f"<p>{count} row{'s' if count != 1 else ''}" + (
        f", the first {MAX_SHOWN_ROWS} shown" if count > MAX_SHOWN_ROWS else "") + ".</p>"
    truncated = getattr(result, "truncated", False)
    if truncated:
        note += "<p>The results were cut at the server's row limit.</p>"
    return note + table(headers, rows, caption="Results")


def query_body(query: StoredQuery, given: dict[str, str], outcome: str, linker: Linker, *, static: bool,
               ran: bool, readings: list[Reading] | None = None, service_note: bool = True) -> str:
    """The page of one stored query; ``outcome`` is the results (or an error) as HTML; download
    links and the permalink are offered when the query ran; ``readings`` say which names were
    read as which resources; ``service_note`` says which services a federated query asks (left
    out when ``outcome`` already says so)."""
    filled = {k: v for k, v in sorted(given.items()) if v != ""}
    links = ""
    if ran:
        downloads = ", ".join(
            f'<a href="{attr(linker.href(f"/api/queries/{query.name}.{s}", query=filled))}">{text(s.upper())}</a>'
            for s in downloads_for(query))
        permalink = linker.href("/queries/" + query.name, query=filled)
        links = f'<p>Download: {downloads}. <a href="{attr(permalink)}" rel="bookmark">Permalink</a>.</p>'
    tags = " ".join(f'<span class="tag">{text(t)}</span>' for t in query.tags)
    description = f"<p>{text(query.description)}</p>" if query.description else ""
    federated = render("query_service.html", refused=False, endpoints=service_endpoints(query), query_name=query.name) \
        if query.federated and service_note else ""
    notes = render("query_readings.html", readings=[_reading_entry(r, linker) for r in readings or []])
    return "\n".join([
        f"<h1>{text(query.summary)}</h1>",
        f'<p class="query-name"><code>{text(query.name)}</code> {tags}</p>',
        description, federated,
        form_html(query, given, linker, static=static),
        f'<section id="results"><h2>Results</h2>{notes}{outcome}{links}</section>',
        f'<section><h2>SPARQL</h2><pre><code>{text(query.text)}</code></pre></section>',
    ])


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
    from afkg.query.guard import check_stored

    found: list[str] = []
    for clause in check_stored(query.text, str(query.path)).services:
        if clause.endpoint not in found:
            found.append(clause.endpoint)
    return found


def elsewhere_html(query: StoredQuery) -> str:
    """Why a federated query does not run on a site without a server, and how to run it."""
    return render("query_service.html", refused=True, endpoints=service_endpoints(query), query_name=query.name)
