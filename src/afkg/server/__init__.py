"""The HTTP server: a read-only SPARQL 1.1 endpoint and the stored queries as a web API.

``create_app(config)`` builds the ASGI application; ``afkg.server:app`` is one built
on first use from the environment (``AFKG_ROOT``), for ASGI servers other than
``afkg serve``::

    uvicorn afkg.server:app

``afkg serve`` also bounds connections (how many, how long a request may take to
arrive, how large its headers may be: :mod:`afkg.server.connections`); under uvicorn
the same protocol class gives them their defaults::

    uvicorn afkg.server:app --http afkg.server.connections:BoundedH11Protocol \\
        --h11-max-incomplete-event-size 65536
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from afkg.server.application import create_app
from afkg.server.config import ServerConfig

if TYPE_CHECKING:
    from afkg.server.application import create_app
    from afkg.server.config import ServerConfig

__all__ = ["ServerConfig", "app", "create_app"]

_app: Any = None


def __getattr__(name: str) -> Any:
    """``app``: the application with the default settings, built on first access; ``create_app``
    and ``ServerConfig`` imported on first access (a query worker imports this package for its
    own modules, and needs neither starlette nor uvicorn)."""
    global _app
    if name == "create_app":
        return create_app
    if name == "ServerConfig":
        return ServerConfig
    if name == "app":
        if _app is None:
            _app = create_app(ServerConfig())
        return _app
    raise AttributeError(f"module 'afkg.server' has no attribute {name!r}")
