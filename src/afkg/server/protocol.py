"""The SPARQL 1.1 Protocol at ``/sparql``: queries by GET, POST form and POST direct.

The endpoint only reads. Updates in any form are refused; SERVICE is refused unless
``--allow-service`` names the endpoint; ``default-graph-uri`` and ``named-graph-uri``
choose among the graphs of the store and are never fetched. Without a query, GET
answers with the Service Description.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from afkg.server.config import MAX_BODY_BYTES, MAX_QUERY_BYTES
from afkg.server.negotiation import GRAPH, TABULAR, choose, from_name, media_type, prefers_html
from afkg.server.responses import Crowded, TooLarge, TooSlow, answer_response, body_error, error, read_body, run
from afkg.server.tasks import SparqlTask

ALLOW = "GET, HEAD, POST, OPTIONS"
MAX_FIELDS = 256
"""Parameters read from one request."""
MAX_GRAPHS = 64
"""Graph IRIs one request may name."""
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\]+$")
MAX_DESCRIPTIONS = 16
"""Service descriptions kept, one per endpoint URL and format (the URL follows the Host asked for)."""

HtmlPage = Callable[[Request], Response]
"""A page for browsers that ask ``/sparql`` for HTML without a query."""


def _vary(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"Vary": "Accept", **(extra or {})}


async def _parameters(request: Request) -> list[tuple[str, str]] | Response:
    """The protocol parameters of the request, or the error response for a bad one."""
    url_params = list(request.query_params.multi_items())[:MAX_FIELDS]
    if request.method in ("GET", "HEAD"):
        return url_params
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/sparql-update":
        return error(403, "updates are refused: this endpoint is read-only")
    if kind not in ("application/x-www-form-urlencoded", "application/sparql-query"):
        return error(415, "send the query as application/x-www-form-urlencoded (query=...) "
                          "or as application/sparql-query")
    config = request.app.state.service.config
    try:
        body = await read_body(request, MAX_BODY_BYTES, config.read_timeout,
                               getattr(request.app.state, "body_budget", None))
    except (TooLarge, TooSlow, Crowded) as exc:
        return body_error(exc, MAX_BODY_BYTES, config.read_timeout)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return error(400, "the request body is not UTF-8")
    if kind == "application/sparql-query":
        return url_params + [("query", text)]
    try:
        form = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return error(400, f"the form is malformed or has more than {MAX_FIELDS} fields")
    return url_params + form


async def sparql(request: Request) -> Response:
    """GET, HEAD, POST and OPTIONS of the SPARQL endpoint."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOW})
    params = await _parameters(request)
    if isinstance(params, Response):
        return params
    names = [name for name, _ in params]
    if "update" in names:
        return error(403, "updates are refused: this endpoint is read-only")
    queries = [value for name, value in params if name == "query"]
    if len(queries) > 1:
        return error(400, "the query parameter is given more than once")
    fmt_values = [value for name, value in params if name == "format"]
    fmt = None
    if fmt_values:
        fmt = from_name(fmt_values[0])
        if fmt is None:
            return error(400, f"unknown format {fmt_values[0]!r} (formats: {', '.join(TABULAR + GRAPH)})")
    if not queries:
        if request.method == "POST":
            return error(400, "no query: send query=... or a body of type application/sparql-query")
        return description(request, fmt)
    text = queries[0]
    if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
        return error(413, f"the query is longer than {MAX_QUERY_BYTES} bytes")
    graphs: dict[str, list[str]] = {"default-graph-uri": [], "named-graph-uri": []}
    for name, value in params:
        if name in graphs:
            if not _IRI.match(value):
                return error(400, f"{name} must be an absolute IRI, got {value[:200]!r}")
            graphs[name].append(value)
    if sum(len(v) for v in graphs.values()) > MAX_GRAPHS:
        return error(400, f"at most {MAX_GRAPHS} graph IRIs may be named")
    accept = request.headers.get("accept")
    tabular, graph = choose(accept, TABULAR), choose(accept, GRAPH)
    if fmt is not None:
        tabular, graph = (fmt, graph) if fmt in TABULAR else (tabular, fmt)
    if tabular is None and graph is None:
        return error(406, f"no acceptable format for {accept!r}; this endpoint writes "
                          + ", ".join(media_type(f).split(";")[0] for f in TABULAR + GRAPH), _vary())
    # A client that accepts one kind of result gets the other kind in its default format
    # (clients such as rdflib's SPARQLStore ask for SPARQL results even for CONSTRUCT).
    tabular, graph = tabular or TABULAR[0], graph or GRAPH[0]
    dataset_given = bool(graphs["default-graph-uri"] or graphs["named-graph-uri"])
    task = SparqlTask(
        query=text, tabular=tabular, graph=graph,
        default_graphs=graphs["default-graph-uri"] if dataset_given else None,
        named_graphs=graphs["named-graph-uri"] if dataset_given else None,
        max_rows=request.app.state.service.config.max_rows,
    )
    answer = await run(request, task)
    if isinstance(answer, Response):
        return answer
    return answer_response(request, answer, _vary())


def description(request: Request, fmt: str | None) -> Response:
    """The Service Description, in the format asked for (or an HTML page for browsers)."""
    accept = request.headers.get("accept")
    page: HtmlPage | None = request.app.state.sparql_page
    if fmt is None and prefers_html(accept):
        return (page or default_page)(request)
    chosen = fmt if fmt in GRAPH else choose(accept, GRAPH)
    if chosen is None:
        return error(406, f"no acceptable format for {accept!r}; the service description is written as "
                          + ", ".join(media_type(f).split(";")[0] for f in GRAPH), _vary())
    service = request.app.state.service
    endpoint = str(request.url.replace(query=""))
    key = ("sd", endpoint, chosen)
    body = service.cache.get(key)
    if body is None:
        from afkg.server import service_description  # start-up: rdflib only when a description is first asked for

        graph = service_description.describe(endpoint, service.counts)
        body = service_description.serialize(graph, chosen)
        kept = [k for k in service.cache if isinstance(k, tuple) and k[:1] == ("sd",)]
        for old in kept[:max(0, len(kept) + 1 - MAX_DESCRIPTIONS)]:
            service.cache.pop(old, None)
        service.cache[key] = body
    headers = _vary()
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, media_type=media_type(chosen), headers=headers)


def default_page(request: Request) -> Response:
    """A minimal HTML page for browsers: where the endpoint is and how to ask it."""
    from afkg.publish.site.templating import render  # start-up: the site's templates only when the page is asked for

    return HTMLResponse(render("sparql-endpoint.html", endpoint=str(request.url.replace(query=""))), headers=_vary())
