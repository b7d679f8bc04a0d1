"""Local HTTP servers for the hostile suite: a scripted endpoint and a trap.

Both bind 127.0.0.1 on a free port. The scripted server answers each request
with the raw reply the current case sets (status, headers, body chunks, pauses),
so it can send malformed JSON, redirects, slow bodies or compressed bombs. The
trap records every TCP connection it accepts, before reading a byte: a case
passes only if the trap saw nothing.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    """One request as the scripted server received it."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Raw:
    """A reply: status, headers and a body given as chunks, with an optional pause between chunks.

    ``length`` None sends a Content-Length of the whole body (when ``chunks`` is a list);
    ``length`` False sends none and closes the connection at the end.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunks: Iterable[bytes] = ()
    pause: float = 0.0
    length: int | bool | None = None


Script = Callable[[Seen], Raw]


def json_reply(body: bytes | str, status: int = 200, content_type: str = "application/sparql-results+json",
               **headers: str) -> Raw:
    """A reply carrying ``body`` as-is with a JSON content type."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Raw(status=status, headers={"Content-Type": content_type, **headers}, chunks=[data])


class ScriptedServer:
    """A threaded HTTP server whose reply to every request comes from ``script``."""

    def __init__(self) -> None:
        self.script: Script = lambda seen: json_reply(b"{}")
        self.seen: list[Seen] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                    params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
                seen = Seen(self.command, parts.path, params, dict(self.headers), body)
                owner.seen.append(seen)
                reply = owner.script(seen)
                chunks = reply.chunks
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    if reply.length is None and isinstance(chunks, list):
                        self.send_header("Content-Length", str(sum(len(c) for c in chunks)))
                    elif isinstance(reply.length, int) and reply.length is not False:
                        self.send_header("Content-Length", str(reply.length))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    for chunk in chunks:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        if reply.pause:
                            time.sleep(reply.pause)
                            if owner.stopping.is_set():
                                break
                except OSError:
                    self.close_connection = True

            do_GET = _handle
            do_POST = _handle
            do_PUT = _handle
            do_DELETE = _handle

            def log_message(self, *args: object) -> None:
                pass

        self.stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    def reset(self, script: Script | None = None) -> None:
        """Forget what was seen and answer with ``script`` from now on."""
        self.seen.clear()
        self.script = script or (lambda seen: json_reply(b"{}"))

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


class TrapServer:
    """Accepts TCP connections on 127.0.0.1, records each with what it sent, and answers 200 empty."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except OSError:
                continue
            if self._stop.is_set():
                conn.close()
                break
            entry = len(self.log)
            self.log.append("connection")
            conn.settimeout(0.5)
            try:
                first = conn.recv(2048)
                self.log[entry] = "connection: " + first.split(b"\r\n", 1)[0].decode("latin-1")
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                             b"Connection: close\r\n\r\n{}")
            except OSError:
                pass
            finally:
                conn.close()

    def start(self) -> TrapServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self._thread.join(2)
        self._socket.close()
