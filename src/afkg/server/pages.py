"""The site's pages (:mod:`afkg.publish.site`) served by the application.

The site is built once, on the first page asked for, from the same project as
the endpoint. Its query forms run stored queries through the server's worker
pool, so the page of a stored query is bounded like ``/api/queries`` (timeout,
rows, concurrency). Browsers that open ``/sparql`` get the SPARQL editor.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from anyio import from_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from afkg.errors import QueryError, UsageError
from afkg.publish.site import Site
from afkg.query.results import Result
from afkg.server.tasks import Answer, StoredTask
from afkg.server.workers import Busy, MemoryExceeded, Stopped, WorkerFailed

if TYPE_CHECKING:
    from afkg.publish.site import Site
    from afkg.query.catalogue import StoredQuery

MAX_PATH = 2000
"""Longest page path served (a longer one is a 414)."""

_lock = threading.Lock()


def _result(answer: Answer) -> Result:
    """The result the worker answered with, or the error it said."""
    if answer.status >= 400 or answer.result is None:
        body = answer.body.decode("utf-8")
        message = body.strip().splitlines()[0] if body.strip() else "the query failed"
        raise (UsageError if answer.status < 500 else QueryError)(message)
    return answer.result


class Unavailable(QueryError):
    """A stored query a page needs could not run now: every worker busy, the timeout, a crash.
    The page answers 503, with ``Retry-After`` when waiting may help (``retry_after``)."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _runner(app: Any) -> Any:
    """A runner for the site's query pages: the stored query goes to the worker pool."""

    def run(query: StoredQuery, values: dict[str, str]) -> Result:
        service = app.state.service
        fmt = "json" if query.query_type in ("SELECT", "ASK") else "ntriples"
        task = StoredTask(name=query.name, params=dict(values), format=fmt, max_rows=service.config.max_rows,
                          result=True)
        try:
            answer = from_thread.run(service.pool.run, task)
        except Busy as exc:
            raise Unavailable(str(exc), retry_after=1) from None
        except (Stopped, MemoryExceeded, WorkerFailed) as exc:
            raise Unavailable(str(exc)) from None
        return _result(answer)

    return run


def site_of(app: Any) -> Site:
    """The application's site, built on first use."""
    site = getattr(app.state, "site", None)
    if site is None:
        with _lock:
            site = getattr(app.state, "site", None)
            if site is None:
                service = app.state.service
                site = Site.from_layout(service.layout, runner=_runner(app), kg=service.kg)
                app.state.site = site
    return site


def _response(request: Request, answer: Any) -> Response:
    headers = dict(answer.headers)
    body = answer.body
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, status_code=answer.status, media_type=answer.media_type, headers=headers)


async def page(request: Request) -> Response:
    """Any page of the site: home, resources, ontology, source texts, stored queries, pictures, assets."""
    path = "/" + request.path_params.get("path", "")
    if len(path) > MAX_PATH:
        return Response(f"a path of at most {MAX_PATH} characters, please\n", status_code=414,
                        media_type="text/plain; charset=utf-8")
    params = dict(list(request.query_params.multi_items())[:256])
    site = await run_in_threadpool(site_of, request.app)
    answer = await run_in_threadpool(site.get, path, params, request.headers.get("accept"))
    return _response(request, answer)


def sparql_page(request: Request) -> Response:
    """The SPARQL editor, for browsers that open ``/sparql`` without a query."""
    return _response(request, site_of(request.app).editor())


def page_routes() -> list[Route]:
    """The site's routes, added after the endpoint's own."""
    return [Route("/{path:path}", page, methods=["GET", "HEAD"])]
