"""The ASGI application: routes, middleware, and the lifespan that starts and ends the workers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from afkg.server import api, openapi, protocol
from afkg.server.access_log import AccessLog
from afkg.server.config import ServerConfig
from afkg.server.responses import error
from afkg.server.service import Service


async def healthz(request: Request) -> Response:
    """Liveness and readiness: 200 while at least one worker can take a query."""
    pool = request.app.state.service.pool
    body = {"status": "ok", "workers": pool.size, "idle": pool.idle, "replaced": pool.replaced}
    return JSONResponse(body)


async def openapi_json(request: Request) -> Response:
    """The OpenAPI 3.1 document."""
    service = request.app.state.service
    key = ("openapi",)
    if key not in service.cache:
        service.cache[key] = json.dumps(openapi.document(service.queries), indent=2).encode("utf-8")
    return Response(service.cache[key], media_type="application/json")


async def not_found(request: Request, exc: Exception) -> Response:
    return error(404, f"nothing at {request.url.path}")


async def not_allowed(request: Request, exc: Exception) -> Response:
    return error(405, f"{request.method} is not allowed here", {"Allow": "GET, HEAD"})


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

    middleware = [Middleware(AccessLog, log_format=config.log_format, stream=log_stream)]
    if config.cors:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(config.cors), allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"], expose_headers=["Link", "X-Afkg-Truncated", "Vary"],
            max_age=600))
    extra = list(extra_routes or [])
    if pages:
        from afkg.server import pages as site_pages

        extra += site_pages.page_routes()
        sparql_page = sparql_page or site_pages.sparql_page
    app = Starlette(routes=routes() + extra, middleware=middleware, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_allowed})
    app.state.sparql_page = sparql_page
    if service is not None:
        app.state.service = service
    return app
