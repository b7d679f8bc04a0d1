"""The stored queries as a web API: ``/api/queries`` lists them, ``/api/queries/NAME`` runs one.

Parameters come as URL parameters and are converted exactly as ``afkg query run -p``
converts them; the results are the same bytes as ``afkg query run NAME --format F``.
SELECT queries also take ``limit`` and ``offset`` and then link the next page
(RFC 8288 ``Link: <…>; rel="next"``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from afkg.errors import UsageError
from afkg.query.catalogue import Catalogue
from afkg.rdf import formats
from afkg.server.negotiation import GRAPH, TABULAR, choose, from_name, media_type
from afkg.server.responses import answer_response, error, run
from afkg.server.tasks import StoredTask

if TYPE_CHECKING:
    from afkg.query.catalogue import StoredQuery

SUFFIXES = {suffix: f.name for suffix, f in formats.BY_SUFFIX.items()}
"""Name suffixes of ``/api/queries/NAME.SUFFIX`` and the format each asks for."""
RESERVED = ("limit", "offset", "format")
MAX_OFFSET = 10**9


def describe(query: Any) -> dict[str, object]:
    """The catalogue entry of one stored query, as JSON-ready data."""
    return {
        "name": query.name,
        "type": query.query_type,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "federated": query.federated,
        "params": [
            {"name": p.name, "type": p.type, "default": p.default, "enum": list(p.enum),
             "required": p.required, "description": p.description}
            for p in query.params.values()
        ],
        "formats": list(TABULAR if query.query_type in ("SELECT", "ASK") else GRAPH),
    }


async def catalogue(request: Request) -> Response:
    """GET /api/queries: every stored query with its parameters."""
    service = request.app.state.service
    key = ("catalogue",)
    if key not in service.cache:
        entries = [describe(q) for _, q in sorted(service.queries.items())]
        service.cache[key] = (json.dumps(entries, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    request.state.rows = len(service.queries)
    return Response(service.cache[key], media_type="application/json")


def _split(name: str, known: dict[str, StoredQuery]) -> tuple[str, str | None]:
    """The query name and the format its suffix asks for."""
    if name in known:
        return name, None
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix in SUFFIXES:
        return stem, SUFFIXES[suffix]
    return name, None


def _integer(value: str, name: str, least: int) -> int:
    """A whole number written in ASCII digits (``int`` would also take ``²`` or ``①`` and fail on them,
    or Arabic-Indic digits and succeed), from ``least`` to :data:`MAX_OFFSET`; else a UsageError."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not least <= int(text) <= MAX_OFFSET:
        raise UsageError(f"{name} must be a whole number from {least} to {MAX_OFFSET} in ASCII digits, "
                         f"got {value[:40]!r}")
    return int(text)


async def run_query(request: Request) -> Response:
    """GET /api/queries/NAME[.SUFFIX]?param=value: run one stored query."""
    service = request.app.state.service
    name, fmt = _split(request.path_params["name"], service.queries)
    if name not in service.queries:
        try:
            Catalogue(service.layout).get(name)
            message = f"no stored query named '{name}'"
        except UsageError as exc:
            message = str(exc)
        except Exception:  # a file that appeared since the start is not served
            message = f"no stored query named '{name}'"
        return error(404, message)
    query = service.queries[name]
    formats = TABULAR if query.query_type in ("SELECT", "ASK") else GRAPH
    given: dict[str, str] = {}
    limit = offset = None
    try:
        for key, value in list(request.query_params.multi_items())[:256]:
            if key in query.params or key not in RESERVED:
                if key in given:
                    raise UsageError(f"parameter '{key}' is given twice")
                given[key] = value
            elif key == "limit":
                limit = _integer(value, "limit", 1)
            elif key == "offset":
                offset = _integer(value, "offset", 0)
            elif key == "format" and fmt is None:
                fmt = from_name(value)
                if fmt is None:
                    raise UsageError(f"unknown format {value!r} (formats: {', '.join(formats)})")
    except UsageError as exc:
        return error(400, str(exc))
    if (limit is not None or offset is not None) and query.query_type != "SELECT":
        return error(400, "limit and offset apply to SELECT queries only")
    if fmt is None:
        fmt = choose(request.headers.get("accept"), formats)
        if fmt is None:
            return error(406, "no acceptable format; this query's results are written as "
                              + ", ".join(media_type(f).split(";")[0] for f in formats), {"Vary": "Accept"})
    elif fmt not in formats:
        return error(406, f"format '{fmt}' does not fit a {query.query_type} result; use {', '.join(formats)}")
    task = StoredTask(name=name, params=given, format=fmt, limit=limit, offset=offset,
                      max_rows=service.config.max_rows)
    answer = await run(request, task)
    if isinstance(answer, Response):
        return answer
    headers = {"Vary": "Accept"}
    if answer.next_offset is not None:
        following = request.url.include_query_params(offset=answer.next_offset, limit=answer.next_limit)
        headers["Link"] = f'<{following}>; rel="next"'
    return answer_response(request, answer, headers)
