"""One access-log line per request: method, path, status, duration and result rows."""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from starlette.types import Message, Scope

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
"""Characters that must not reach a log as they are: controls (a newline forges a line, ESC
drives a terminal), C1 controls, line and paragraph separators, and the invisible marks that
reorder or hide text (bidirectional overrides)."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_UNSAFE_IN_TEXT = re.compile(_UNSAFE.pattern[:-1] + " ]")
"""In the text format a space also separates fields, so it is escaped too."""


def escape(text: str) -> str:
    """``text`` with every character of :data:`_UNSAFE`, the space and the backslash written as
    an escape, so that a logged value is one field of one line, shows as it is, and reads back
    unambiguously."""
    return _UNSAFE_IN_TEXT.sub(_escape, text.replace("\\", "\\\\"))


class AccessLog:
    """ASGI middleware that writes a line to ``stream`` when each HTTP response ends.

    The path is logged without its query string (a query may be long or private);
    handlers put the number of result rows in ``request.state.rows``.
    """

    def __init__(self, app: Any, log_format: str = "text", stream: TextIO | None = None) -> None:
        self.app, self.log_format, self.stream = app, log_format, stream

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        scope.setdefault("state", {})

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            state = scope.get("state") or {}
            self.write(scope, status, (time.perf_counter() - started) * 1000, state.get("rows"))

    def write(self, scope: Scope, status: int, duration_ms: float, rows: int | None) -> None:
        client = str((scope.get("client") or ("-", 0))[0])
        path = str(scope.get("path", ""))
        method = str(scope.get("method"))
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if self.log_format == "json":
            # JSON escapes the C0 controls itself; the rest of _UNSAFE is written as \\u escapes
            line = json.dumps({"time": when, "client": client, "method": method, "path": path,
                               "status": status, "duration_ms": round(duration_ms, 3), "rows": rows},
                              ensure_ascii=False)
            line = _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
        else:
            line = (f"{when} {escape(client)} {escape(method)} {escape(path)} {status} {duration_ms:.1f}ms "
                    f"rows={'-' if rows is None else rows}")
        stream = self.stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()
