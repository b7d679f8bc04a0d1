"""The ASGI application: routes, middleware, and the lifespan that starts and ends the workers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from afkg.server import api, openapi, protocol
from afkg.server import pages as site_pages
from afkg.server.access_log import AccessLog
from afkg.server.config import ServerConfig, host_name
from afkg.server.responses import BodyBudget, error
from afkg.server.service import Service


async def healthz(request: Request) -> Response:
    """Readiness: 200 while a worker is free to take a query at once; 503 (with ``Retry-After``)
    while every worker is busy or being replaced, so that a balancer sends the next request to
    another instance. The body says how many workers are idle and how many requests wait."""
    pool = request.app.state.service.pool
    ready = pool.idle > 0
    body = {"status": "ok" if ready else "busy", "workers": pool.size, "idle": pool.idle, "queued": pool.queued,
            "max_queued": pool.max_queued, "replaced": pool.replaced}
    return JSONResponse(body, status_code=200 if ready else 503, headers=None if ready else {"Retry-After": "1"})


async def openapi_json(request: Request) -> Response:
    """The OpenAPI 3.1 document."""
    service = request.app.state.service
    key = ("openapi",)
    if key not in service.cache:
        service.cache[key] = json.dumps(openapi.document(service.queries), indent=2).encode("utf-8")
    return Response(service.cache[key], media_type="application/json")


async def not_found(request: Request, exc: Exception) -> Response:
    return error(404, f"nothing at {request.url.path}")


METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


async def not_allowed(request: Request, exc: Exception) -> Response:
    """405 with the methods the matched route takes (the router names them)."""
    named = (getattr(exc, "headers", None) or {}).get("Allow", "GET, HEAD")
    methods = {m.strip().upper() for m in named.split(",") if m.strip()}
    allow = ", ".join(sorted(methods, key=lambda m: (METHOD_ORDER.index(m) if m in METHOD_ORDER else 99, m)))
    return error(405, f"{request.method} is not allowed here (allowed: {allow})", {"Allow": allow})


class HostCheck:
    """ASGI middleware that answers 400 to a request whose ``Host`` is not a well-formed host
    name (or address) and port, or, when ``allowed`` names some, not one of them. The host asked
    for appears in the service description and in ``Link`` headers, so it is checked before
    anything uses it."""

    def __init__(self, app: Any, allowed: tuple[str, ...] = ()) -> None:
        self.app = app
        self.allowed = {host for host in map(host_name, allowed) if host is not None}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            values = [v for k, v in scope.get("headers") or [] if k == b"host"]
            if len(values) > 1:
                await error(400, "the request has more than one Host header")(scope, receive, send)
                return
            if values:
                raw = values[0].decode("latin-1")
                name = host_name(raw)
                if name is None:
                    await error(400, f"the Host header {raw[:100]!r} is not a host name and port")(
                        scope, receive, send)
                    return
                if self.allowed and name not in self.allowed:
                    await error(400, f"this server does not answer to the host {name[:100]!r}; it answers to "
                                     f"{', '.join(sorted(self.allowed))} (afkg serve --allowed-host NAME adds one)")(
                        scope, receive, send)
                    return
        await self.app(scope, receive, send)


class SparqlFirst:
    """ASGI middleware (the innermost one) that hands ``/sparql`` straight to its handler: the
    endpoint is the route most requests take, and the router's matching and exception wrapping
    cost a fair share of a small query's time. Everything else, and the methods ``/sparql``
    does not take (405), goes to the router as before; an unexpected error still reaches the
    outer middleware (500)."""

    METHODS = frozenset(("GET", "HEAD", "POST", "OPTIONS"))

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and scope["path"] == "/sparql" and not scope.get("root_path")
                and scope["method"] in self.METHODS):
            response = await protocol.sparql(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def routes() -> list[Route]:
    """The server's own routes (pages for browsers are added by the caller)."""
    return [
        Route("/sparql", protocol.sparql, methods=["GET", "HEAD", "POST", "OPTIONS"]),
        Route("/api/queries", api.catalogue, methods=["GET", "HEAD"]),
        Route("/api/queries/{name}", api.run_query, methods=["GET", "HEAD"]),
        Route("/openapi.json", openapi_json, methods=["GET", "HEAD"]),
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
    ]


def create_app(config: ServerConfig | None = None, *, service: Service | None = None,
               extra_routes: list[Any] | None = None, sparql_page: protocol.HtmlPage | None = None,
               pages: bool = True, log_stream: Any = None) -> Starlette:
    """The application over ``service`` (loaded from ``config`` when not given).

    ``extra_routes`` are added after the server's own (HTML pages, static files);
    ``sparql_page`` answers browsers that open ``/sparql`` without a query. With ``pages``
    (the default) the site's pages are served too (:mod:`afkg.server.pages`): every
    path the endpoint does not answer, and the SPARQL editor at ``/sparql``.
    The workers start with the application's lifespan; they end with it when the
    application loaded the service itself (a caller that passes ``service`` ends it).
    """
    config = service.config if service is not None else (config or ServerConfig())
    holder: dict[str, Service | None] = {"service": service}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = holder["service"] is None
        if owned:
            holder["service"] = Service.load(config)
        loaded = holder["service"]
        assert loaded is not None
        app.state.service = loaded
        await loaded.pool.attach()
        try:
            yield
        finally:
            if owned:
                loaded.close()

    middleware = [Middleware(AccessLog, log_format=config.log_format, stream=log_stream),
                  Middleware(HostCheck, allowed=config.allowed_hosts)]
    if config.cors:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(config.cors), allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"], expose_headers=["Link", "X-Afkg-Truncated", "Vary"],
            max_age=600))
    middleware.append(Middleware(SparqlFirst))
    extra = list(extra_routes or [])
    if pages:
        extra += site_pages.page_routes()
        sparql_page = sparql_page or site_pages.sparql_page
    app = Starlette(routes=routes() + extra, middleware=middleware, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_allowed})
    app.state.sparql_page = sparql_page
    app.state.body_budget = BodyBudget()
    if service is not None:
        app.state.service = service
    return app
