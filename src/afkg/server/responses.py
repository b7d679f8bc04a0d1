"""Responses shared by the endpoint and the API: plain-text errors, worker answers, bounded bodies."""

from __future__ import annotations

import threading

import anyio
from starlette.requests import Request
from starlette.responses import Response

from afkg.server.config import MAX_BUFFERED_BODY_BYTES
from afkg.server.negotiation import media_type
from afkg.server.tasks import Answer, Task
from afkg.server.workers import Busy, MemoryExceeded, Stopped, WorkerFailed

TEXT = "text/plain; charset=utf-8"


class TooLarge(Exception):
    """A request body beyond the bound."""


class TooSlow(Exception):
    """A request body that did not arrive within the read timeout."""


class Crowded(Exception):
    """Other requests' bodies already take all the memory set aside for bodies."""


class BodyBudget:
    """Bytes of request bodies held at once by all the requests of one application."""

    def __init__(self, limit: int = MAX_BUFFERED_BODY_BYTES) -> None:
        self.limit, self.used = limit, 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if self.used + size > self.limit:
                return False
            self.used += size
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self.used -= size


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error: one line that says what went wrong."""
    return Response((message.rstrip("\n") + "\n").encode("utf-8"), status_code=status, media_type=TEXT,
                    headers=headers)


async def read_body(request: Request, limit: int, timeout: float | None = None,
                    budget: BodyBudget | None = None) -> bytes:
    """The request body, read up to ``limit`` bytes within ``timeout`` seconds; TooLarge beyond
    the size, TooSlow beyond the time, Crowded when ``budget`` has no room for it."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    try:
        with anyio.fail_after(timeout):
            async for chunk in request.stream():
                if budget is not None and not budget.take(len(chunk)):
                    raise Crowded
                size += len(chunk)
                chunks.append(chunk)
                if size > limit:
                    raise TooLarge
    except TimeoutError:
        raise TooSlow from None
    finally:
        if budget is not None:
            budget.give(sum(len(c) for c in chunks))
    return b"".join(chunks)


def body_error(exc: Exception, limit: int, timeout: float) -> Response:
    """The response for a body that could not be read whole (the connection is closed after it)."""
    close = {"Connection": "close"}
    if isinstance(exc, TooLarge):
        return error(413, f"the request body is larger than {limit} bytes", close)
    if isinstance(exc, TooSlow):
        return error(408, f"the request body did not arrive within {timeout:g} s (--read-timeout)", close)
    return error(503, "the server is receiving too many request bodies at once; try again shortly",
                 {**close, "Retry-After": "1"})


async def run(request: Request, task: Task) -> Answer | Response:
    """The pool's answer to ``task``, or the error response of a bound that stopped it."""
    pool = request.app.state.service.pool
    try:
        return await pool.run(task)
    except Busy as exc:
        return error(503, str(exc), {"Retry-After": "1"})
    except (Stopped, MemoryExceeded) as exc:
        return error(503, str(exc))
    except WorkerFailed as exc:
        return error(500, str(exc))


def answer_response(request: Request, answer: Answer, headers: dict[str, str] | None = None) -> Response:
    """The HTTP response of a worker's answer (HEAD gets the headers only)."""
    request.state.rows = answer.rows
    all_headers = dict(headers or {})
    if answer.truncated:
        all_headers["X-Afkg-Truncated"] = str(answer.truncated)
    body = answer.body
    kind = TEXT if answer.media == "text" else media_type(answer.media)
    if request.method == "HEAD":
        all_headers["Content-Length"] = str(len(body))
        return Response(b"", status_code=answer.status, media_type=kind, headers=all_headers)
    return Response(body, status_code=answer.status, media_type=kind, headers=all_headers)
