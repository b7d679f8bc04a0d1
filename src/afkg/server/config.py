"""The settings of one running server, with the defaults of ``afkg serve``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from afkg.errors import UsageError

MAX_QUERY_BYTES = 1024 * 1024
"""The longest query text accepted (UTF-8 bytes)."""
MAX_BODY_BYTES = 4 * MAX_QUERY_BYTES
"""The largest request body accepted (a form-encoded query of 1 MiB can take up to 3 MiB)."""


@dataclass(frozen=True)
class ServerConfig:
    """What ``afkg serve`` was asked for; every bound has a finite default."""

    root: str | None = None
    store: str | None = None
    timeout: float = 10.0
    max_rows: int = 10000
    max_concurrent: int = 4
    max_queued: int = 0
    cors: tuple[str, ...] = ()
    allow_service: tuple[str, ...] = ()
    log_format: str = "text"
    root_path: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (isinstance(self.timeout, (int, float)) and math.isfinite(self.timeout) and self.timeout > 0):
            raise UsageError(f"--timeout must be a finite number of seconds > 0, got {self.timeout!r}")
        if self.max_rows < 1:
            raise UsageError(f"--max-rows must be at least 1, got {self.max_rows}")
        if not 1 <= self.max_concurrent <= 64:
            raise UsageError(f"--max-concurrent must be between 1 and 64, got {self.max_concurrent}")
        if not 0 <= self.max_queued <= 1024:
            raise UsageError(f"--max-queued must be between 0 and 1024, got {self.max_queued}")
        if self.log_format not in ("text", "json"):
            raise UsageError(f"--log-format must be text or json, got {self.log_format!r}")
        for url in self.allow_service:
            if not (url.startswith("http://") or url.startswith("https://")):
                raise UsageError(f"--allow-service expects an http(s) URL, got {url!r}")
