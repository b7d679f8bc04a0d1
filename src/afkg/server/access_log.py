"""One access-log line per request: method, path, status, duration and result rows."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

Scope = dict[str, Any]


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

        async def record(message: dict[str, Any]) -> None:
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
        client = (scope.get("client") or ("-", 0))[0]
        path = scope.get("path", "")
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if self.log_format == "json":
            line = json.dumps({"time": when, "client": client, "method": scope.get("method"), "path": path,
                               "status": status, "duration_ms": round(duration_ms, 3), "rows": rows},
                              ensure_ascii=False)
        else:
            line = (f"{when} {client} {scope.get('method')} {path} {status} {duration_ms:.1f}ms "
                    f"rows={'-' if rows is None else rows}")
        stream = self.stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()
