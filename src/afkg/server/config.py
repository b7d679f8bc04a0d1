"""The settings of one running server, with the defaults of ``afkg serve``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from afkg.errors import UsageError
from afkg.option_values import parse_timeout

MAX_QUERY_BYTES = 1024 * 1024
"""The longest query text accepted (UTF-8 bytes)."""
MAX_BODY_BYTES = 4 * MAX_QUERY_BYTES
"""The largest request body accepted (a form-encoded query of 1 MiB can take up to 3 MiB)."""
MAX_HEADER_BYTES = 64 * 1024
"""The largest request line and headers accepted (431 beyond): a longer query goes by POST."""
MAX_BUFFERED_BODY_BYTES = 64 * MAX_QUERY_BYTES
"""Request bodies held at once across all connections while they arrive (503 beyond)."""
QUEUE_PER_WORKER = 16
"""Requests that may wait for a worker, per worker, unless ``--max-queued`` says otherwise."""
DEFAULT_MEMORY_MIB = 1024
"""Memory a query may use in its worker, above what the worker holds when idle (``--max-memory``)."""
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
"""Host names that reach a server listening on a loopback address."""
_HOST_NAME = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
    r"|\[[0-9A-Fa-f:.]{2,45}\])\Z", re.ASCII)


def host_name(value: str) -> str | None:
    """The name part of a ``Host`` value (``name``, ``name:port``, ``[v6]:port``), lower-cased;
    None when it is not a well-formed host and port."""
    if not value or len(value) > 260 or not value.isascii():
        return None
    name, port = value, ""
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[:end + 1], value[end + 1:]
        if rest:
            if not rest.startswith(":"):
                return None
            port = rest[1:]
    elif ":" in value:
        name, _, port = value.rpartition(":")
    if value.endswith(":") or (port and not (port.isascii() and port.isdigit() and len(port) <= 5)):
        return None
    if not _HOST_NAME.match(name):
        return None
    return name.lower().rstrip(".")


@dataclass(frozen=True)
class ServerConfig:
    """What ``afkg serve`` was asked for; every bound has a finite default."""

    root: str | None = None
    store: str | None = None
    timeout: float = 10.0
    max_rows: int = 10000
    max_concurrent: int = 4
    max_queued: int | None = None
    """Requests that may wait for a worker; None: :data:`QUEUE_PER_WORKER` per worker."""
    queue_timeout: float | None = None
    """Seconds a request may wait for a worker; None: as long as ``timeout``."""
    max_memory: int = DEFAULT_MEMORY_MIB
    """MiB a query may use in its worker (the worker is replaced when it does)."""
    max_connections: int = 128
    """Connections open at once (``afkg serve`` only; more are answered 503 and closed)."""
    read_timeout: float = 10.0
    """Seconds a client has to send its request line and headers, and then its body."""
    cors: tuple[str, ...] = ()
    allow_service: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    """Host names the server answers to; empty: any well-formed name."""
    log_format: str = "text"
    root_path: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        timeouts = {"--timeout": self.timeout, "--read-timeout": self.read_timeout}
        if self.queue_timeout is not None:
            timeouts["--queue-timeout"] = self.queue_timeout
        for option, value in timeouts.items():
            parse_timeout(value, option)
        if self.max_rows < 1:
            raise UsageError(f"--max-rows must be at least 1, got {self.max_rows}")
        if not 1 <= self.max_concurrent <= 64:
            raise UsageError(f"--max-concurrent must be between 1 and 64, got {self.max_concurrent}")
        if self.max_queued is not None and not 0 <= self.max_queued <= 1024:
            raise UsageError(f"--max-queued must be between 0 and 1024, got {self.max_queued}")
        if not 64 <= self.max_memory <= 1 << 20:
            raise UsageError(f"--max-memory must be a whole number of MiB from 64 to 1048576, got {self.max_memory}")
        if not 1 <= self.max_connections <= 10000:
            raise UsageError(f"--max-connections must be between 1 and 10000, got {self.max_connections}")
        if self.log_format not in ("text", "json"):
            raise UsageError(f"--log-format must be text or json, got {self.log_format!r}")
        for url in self.allow_service:
            if not (url.startswith("http://") or url.startswith("https://")):
                raise UsageError(f"--allow-service expects an http(s) URL, got {url!r}")
        for name in self.allowed_hosts:
            if host_name(name) is None or (":" in name and not name.startswith("[")) or name.endswith("]:"):
                raise UsageError(f"--allowed-host expects a host name or address without a port, got {name!r}")

    @property
    def queue_size(self) -> int:
        """Requests that may wait for a worker."""
        return QUEUE_PER_WORKER * self.max_concurrent if self.max_queued is None else self.max_queued

    @property
    def queue_wait(self) -> float:
        """Seconds a request may wait for a worker."""
        return self.timeout if self.queue_timeout is None else self.queue_timeout

    @property
    def memory_bytes(self) -> int:
        return self.max_memory << 20
