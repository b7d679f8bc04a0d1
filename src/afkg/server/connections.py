"""Connections under ``afkg serve``: how many, how long a client may take to send a request,
and how much of an unfinished request the server holds in memory.

uvicorn's HTTP/1.1 protocol (h11) gives a connection no deadline for its request line and
headers, keeps a connection that sends nothing open for ever, and accepts any number of
them; each may hold up to ``h11_max_incomplete_event_size`` bytes of headers. This
subclass of its protocol adds, per connection:

- a cap: beyond ``max_connections`` open connections a new one is answered 503 (with
  ``Retry-After``) and closed before anything is read from it;
- a read deadline: a connection that has not sent a whole request line and headers within
  ``read_timeout`` seconds of opening (or of its previous response) is answered 408 and
  closed (or just closed if it sent nothing); the body has its own deadline in the
  application (:func:`afkg.server.responses.read_body`);
- a header bound: request line and headers beyond ``max_header_bytes`` are answered 431
  (a long query goes by POST).

So the memory unfinished requests hold is at most about ``max_connections`` × (the header
bound, or uvicorn's read-ahead of a body, 64 KiB plus one 256 KiB read) plus the bytes of
request bodies the application holds while they arrive
(:data:`afkg.server.config.MAX_BUFFERED_BODY_BYTES`).
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a connection cap, a read deadline and a header bound."""

    max_connections = 128
    read_timeout = 10.0
    max_header_bytes = 64 * 1024

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_bytes = 0
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self._refuse(503, f"the server has {self.max_connections} connections open already "
                              "(--max-connections); try again shortly", retry_after=True)
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # --- the read deadline ---------------------------------------------------------------

    def _request_running(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm(self) -> None:
        """Start counting: the next request line and headers must arrive within the deadline."""
        self._disarm()
        self._waiting_bytes = 0
        self._deadline = self.loop.call_later(self.read_timeout, self._timed_out)

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()  # type: ignore[union-attr]
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or self._request_running():
            return  # a request is being answered: its body has the application's own deadline
        if self._waiting_bytes and self.conn.their_state is h11.IDLE:
            self._refuse(408, f"the request line and headers did not arrive within {self.read_timeout:g} s "
                              "(--read-timeout)")
        else:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        if not self._request_running():
            self._waiting_bytes += len(data)
        super().data_received(data)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self._request_running():
            self._arm()

    # --- refusals ---------------------------------------------------------------------------

    def send_400_response(self, msg: str) -> None:
        if len(self.conn.trailing_data[0]) > self.max_header_bytes:  # h11's "Receive buffer too long"
            self._send_error(431, f"the request line and headers are longer than {self.max_header_bytes} bytes; "
                                  "send a long query by POST")
            return
        super().send_400_response(msg)

    def _send_error(self, status: int, message: str) -> None:
        """An error response through h11 (after it refused what the client sent), then close."""
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        try:
            self.transport.write(self.conn.send(h11.Response(status_code=status, headers=headers,
                                                             reason=HTTPStatus(status).phrase.encode())))
            self.transport.write(self.conn.send(h11.Data(data=(message + "\n").encode())))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
        except h11.LocalProtocolError:
            pass
        self.transport.close()

    def _refuse(self, status: int, message: str, retry_after: bool = False) -> None:
        """An error response written directly (no request was read), then close."""
        self._disarm()
        body = (message + "\n").encode()
        head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\ncontent-type: text/plain; charset=utf-8\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n"
                + ("retry-after: 1\r\n" if retry_after else "") + "\r\n")
        try:
            self.transport.write(head.encode("ascii") + body)
        finally:
            self.transport.close()


def protocol(max_connections: int, read_timeout: float, max_header_bytes: int) -> Any:
    """The protocol class for uvicorn's ``http`` setting, with these bounds."""
    return type("AfkgH11Protocol", (BoundedH11Protocol,), {
        "max_connections": max_connections, "read_timeout": read_timeout, "max_header_bytes": max_header_bytes})
