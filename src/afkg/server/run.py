"""Serving the application with uvicorn: bind, say where, answer until stopped."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
import sys
from typing import TextIO

import uvicorn

from afkg.errors import UsageError
from afkg.server.application import create_app
from afkg.server.config import LOOPBACK_NAMES, MAX_HEADER_BYTES, ServerConfig
from afkg.server.connections import protocol
from afkg.server.service import Service


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one); a UsageError if it cannot be had."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def base_url(sock: socket.socket) -> str:
    """The URL of the server listening on ``sock`` (as reached directly, not through a proxy)."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name to listen on) can be reached from this machine only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(config: ServerConfig, host: str, forwarded_allow_ips: str | None) -> tuple[str, ...]:
    """The host names the server answers to: those given (``--allowed-host``); else, listening on a
    loopback address with no proxy in front, the loopback names (so a web page elsewhere cannot
    reach it through a name of its own that resolves to 127.0.0.1); else any well-formed name."""
    if config.allowed_hosts:
        return config.allowed_hosts
    if forwarded_allow_ips is None and is_loopback(host):
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return tuple(dict.fromkeys((*LOOPBACK_NAMES, shown.lower())))
    return ()


def serve(config: ServerConfig, host: str, port: int, *, forwarded_allow_ips: str | None = None,
          out: TextIO | None = None) -> None:
    """Load and check the graph, start the workers, print the URL, and serve until SIGTERM or Ctrl-C."""
    config = dataclasses.replace(config, allowed_hosts=allowed_hosts(config, host, forwarded_allow_ips))
    sock = _listen(host, port)
    service = None
    try:
        service = Service.load(config)  # uvicorn and the application are imported once the graph is checked
        service.start()
        app = create_app(service=service)
        server = uvicorn.Server(uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="on", ws="none",
            http=protocol(config.max_connections, config.read_timeout, MAX_HEADER_BYTES),
            root_path=config.root_path, proxy_headers=forwarded_allow_ips is not None,
            forwarded_allow_ips=forwarded_allow_ips,
            timeout_graceful_shutdown=max(config.timeout, 5.0),  # type: ignore[arg-type]  # uvicorn types it int; floats work
            timeout_keep_alive=5, h11_max_incomplete_event_size=MAX_HEADER_BYTES, server_header=False))
        url = base_url(sock)
        stream = out or sys.stdout
        stream.write(f"afkg: serving {url} (sparql endpoint {url}sparql)\n")
        stream.flush()
        server.run(sockets=[sock])
    finally:
        if service is not None:
            service.close()
        sock.close()
