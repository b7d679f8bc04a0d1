"""Responses shared by the endpoint and the API: plain-text errors, worker answers, bounded bodies."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from afkg.server.negotiation import media_type
from afkg.server.workers import Busy, Stopped, WorkerFailed

TEXT = "text/plain; charset=utf-8"


class TooLarge(Exception):
    """A request body beyond the bound."""


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error: one line that says what went wrong."""
    return Response((message.rstrip("\n") + "\n").encode("utf-8"), status_code=status, media_type=TEXT,
                    headers=headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read up to ``limit`` bytes; TooLarge beyond."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def run(request: Request, task: dict[str, Any]) -> dict[str, Any] | Response:
    """The pool's answer to ``task``, or the error response of a bound that stopped it."""
    pool = request.app.state.service.pool
    try:
        return await pool.run(task)
    except Busy as exc:
        return error(503, str(exc), {"Retry-After": "1"})
    except Stopped as exc:
        return error(503, str(exc))
    except WorkerFailed as exc:
        return error(500, str(exc))


def answer_response(request: Request, answer: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """The HTTP response of a worker's answer (HEAD gets the headers only)."""
    request.state.rows = answer.get("rows")
    all_headers = dict(headers or {})
    if answer.get("truncated"):
        all_headers["X-Afkg-Truncated"] = str(answer["truncated"])
    body: bytes = answer["body"]
    kind = TEXT if answer["media"] == "text" else media_type(answer["media"])
    if request.method == "HEAD":
        all_headers["Content-Length"] = str(len(body))
        return Response(b"", status_code=answer["status"], media_type=kind, headers=all_headers)
    return Response(body, status_code=answer["status"], media_type=kind, headers=all_headers)
