"""The messages between the server and its query workers (pickled over a socket pair).

The server sends a task (:class:`SparqlTask`, :class:`StoredTask` or :class:`PingTask`); the
worker answers with an :class:`Answer`. The zygote and each worker say once that they are
ready (:class:`Ready`) or why they could not start (:class:`StartFailed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from afkg.errors import AfkgError
    from afkg.query.catalogue import StoredQuery
    from afkg.query.results import Result


@dataclass(frozen=True)
class SparqlTask:
    """A query sent to ``/sparql``: its text, the formats negotiated for each kind of result (None:
    the client accepts none of that kind) and the dataset the request names (None: the default)."""

    query: str
    max_rows: int
    tabular: str | None = None
    graph: str | None = None
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None


@dataclass(frozen=True)
class StoredTask:
    """A stored query run with ``params``, written as ``format``; a SELECT query's window is
    ``offset`` and ``limit``. With ``result``, the answer carries the result itself (for the
    site's pages) instead of its bytes."""

    name: str
    format: str
    max_rows: int
    params: dict[str, str] = field(default_factory=dict)
    limit: int | None = None
    offset: int | None = None
    result: bool = False


@dataclass(frozen=True)
class PingTask:
    """A task that only asks whether the worker answers."""


Task = SparqlTask | StoredTask | PingTask


@dataclass
class Answer:
    """A worker's answer: the status, the bytes to send and their format (``text``: a plain-text
    message), with what the access log and the headers need."""

    status: int
    body: bytes
    media: str
    rows: int | None = None
    truncated: int | None = None
    """The row bound when rows were left out."""
    message: str | None = None
    """An error's message (without its newline)."""
    replace: Literal["memory"] | None = None
    """Why the worker must be replaced after this answer."""
    next_offset: int | None = None
    next_limit: int | None = None
    """The window of the next page of a SELECT stored query, when there is one."""
    result: Result | None = None
    """The result itself, for a :class:`StoredTask` that asked for it."""


def ok(body: str, fmt: str, rows: int, truncated: int | None) -> Answer:
    """A successful answer of ``body`` in ``fmt``."""
    return Answer(200, body.encode("utf-8"), fmt, rows, truncated)


def failed(status: int, message: str, replace: Literal["memory"] | None = None) -> Answer:
    """An error answer: ``message`` as one line of plain text."""
    return Answer(status, (message + "\n").encode("utf-8"), "text", message=message, replace=replace)


@dataclass
class Ready:
    """The zygote (with the stored queries it read) or a worker is ready."""

    queries: list[StoredQuery] = field(default_factory=list)


@dataclass
class StartFailed:
    """The zygote or a worker could not start: the error itself when it survives pickling."""

    error: str
    exception: AfkgError | None = None
    exit_code: int | None = None
