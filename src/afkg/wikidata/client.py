"""The one HTTP client afkg uses to talk to Wikidata and SPARQL endpoints.

It sends a descriptive User-Agent, and honours the server's wishes: a 429 or 503
with Retry-After, and the Action API's ``maxlag`` error, are retried after the
delay asked for (a bounded number of times, each wait capped). Every failure
becomes a one-line NetworkError.

What it never does:

- follow a redirect: a 3xx answer is an error naming where it pointed, so no
  request (and no query body) ever goes to a host the caller did not choose;
- wait without end: each request has a total deadline (``timeout`` seconds from
  sending to the last byte), not a per-read timeout a slow server can stretch
  (a timer shuts the socket at the deadline);
- read without end: the body is streamed and counted after decompression, and
  refused past :data:`MAX_BODY_BYTES` (a gzip bomb stops at the bound);
- trust the JSON: deeply nested or non-JSON bodies are one-line errors, and
  callers check the shape of every answer before using it.
"""

from __future__ import annotations

import email.utils
import json
import math
import socket
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

import httpx

from afkg import __version__
from afkg.errors import NetworkError, UsageError

USER_AGENT = (f"afkg/{__version__} (bilateral-relations knowledge graph; https://w3id.org/afkg) "
              f"httpx/{httpx.__version__}")
RETRY_STATUSES = (429, 503)
MAX_BODY_BYTES = 16 * 1024 * 1024
"""The largest answer body accepted, counted after decompression."""
DEFAULT_TIMEOUT = 30.0
"""Seconds allowed for one request, from sending to the last byte of the answer."""
_CHUNK = 64 * 1024


def check_url(value: str, option: str = "URL") -> str:
    """``value`` if it is an absolute http(s) URL with a host that oxigraph's IRI parser
    accepts, else a one-line UsageError naming ``option``."""
    import pyoxigraph as ox

    shown = value if len(value) <= 200 else value[:200] + "…"
    try:
        ox.NamedNode(value)
        url = httpx.URL(value)
    except (ValueError, TypeError, UnicodeError, httpx.InvalidURL) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid"
        raise UsageError(f"{option}: {shown!r} is not a valid URL ({reason})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise UsageError(f"{option}: {shown!r} is not an http(s) URL with a host")
    return value


def check_timeout(value: float, option: str = "--timeout") -> float:
    """``value`` if it is a finite number of seconds above 0, else a one-line UsageError."""
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise UsageError(f"{option} must be a finite number of seconds above 0, got {value!r}")
    return float(value)


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); anything else gives ``default``."""
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return default
        if parsed is None:
            return default
        try:
            seconds = parsed.timestamp() - time.time()
        except (OverflowError, ValueError, OSError):
            return default
    if not math.isfinite(seconds):
        return default
    return max(0.0, seconds)


class _Deadline(Exception):
    pass


def _watchdog(response: httpx.Response, deadline: float) -> threading.Timer | None:
    """A timer that shuts the answer's socket at the deadline, so that a body trickling in,
    or stalled between two bytes, cannot stretch the request past it."""
    stream = response.extensions.get("network_stream")
    try:
        sock = stream.get_extra_info("socket") if stream is not None else None
    except Exception:  # a transport without a socket (tests' mock transports)
        sock = None
    if sock is None:
        return None

    def shut() -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), shut)
    timer.daemon = True
    timer.start()
    return timer


class WebClient:
    """GET JSON from an API, or POST a SPARQL query, with retries that respect the server."""

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, attempts: int = 4, max_wait: float = 60.0,
                 max_bytes: int = MAX_BODY_BYTES, sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.timeout = check_timeout(timeout)
        self.attempts = attempts
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self.sleep = sleep
        self._client = httpx.Client(timeout=self.timeout, transport=transport, follow_redirects=False,
                                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})
        self.requests = 0
        """How many requests were sent, for callers that report it."""

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, response: httpx.Response, host: str, deadline: float) -> bytes:
        """The decoded body, streamed; past the deadline or MAX_BODY_BYTES it is a NetworkError."""
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            decoder: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            decoder = zlib.decompressobj()
        elif encoding in ("", "identity"):
            decoder = None
        else:
            raise NetworkError(f"{host} answered with an unsupported Content-Encoding {encoding!r}")
        parts: list[bytes] = []
        size = 0

        def keep(data: bytes) -> None:
            nonlocal size
            size += len(data)
            if size > self.max_bytes:
                raise NetworkError(f"{host} answered more than {self.max_bytes} bytes; refused")
            parts.append(data)

        watchdog = _watchdog(response, deadline)
        try:
            for raw in response.iter_raw():
                if time.monotonic() > deadline:
                    raise _Deadline
                if decoder is None:
                    keep(raw)
                    continue
                data = raw
                while data:
                    keep(decoder.decompress(data, _CHUNK))
                    data = decoder.unconsumed_tail
            if decoder is not None:
                keep(decoder.flush())
        except zlib.error:
            raise NetworkError(f"{host} answered a corrupt {encoding} body") from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
        return b"".join(parts)

    def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send a request until it gives JSON, retrying on 429/503 and maxlag; return the JSON."""
        host = httpx.URL(url).host
        for attempt in range(1, self.attempts + 1):
            deadline = time.monotonic() + self.timeout
            try:
                self.requests += 1
                with self._client.stream(method, url, **kwargs) as response:
                    status, headers, path = response.status_code, response.headers, response.request.url.path
                    if 300 <= status < 400:
                        target = headers.get("Location", "?")[:200]
                        raise NetworkError(f"{host} answered HTTP {status} (a redirect to {target}); "
                                           "redirects are not followed")
                    data = self._read(response, host, deadline) if status < 400 or status in RETRY_STATUSES \
                        else b""
            except _Deadline:
                raise NetworkError(f"{host} did not answer within {self.timeout:g} s") from None
            except httpx.TimeoutException:
                raise NetworkError(f"{host} did not answer within {self.timeout:g} s") from None
            except httpx.HTTPError as exc:
                if time.monotonic() >= deadline:
                    raise NetworkError(f"{host} did not answer within {self.timeout:g} s") from None
                reason = str(exc).splitlines()[0] if str(exc) else ""
                raise NetworkError(f"cannot reach {host} ({type(exc).__name__}: {reason})") from None
            wait = None
            if status in RETRY_STATUSES:
                wait = _retry_after(headers.get("Retry-After"), 5.0)
                reason = f"HTTP {status}"
            elif status >= 400:
                raise NetworkError(f"{host} answered HTTP {status} for {path}")
            else:
                body = self._json(data, host)
                error = body.get("error") if isinstance(body, dict) else None
                if isinstance(error, dict) and error.get("code") == "maxlag":
                    wait = _retry_after(headers.get("Retry-After"), 5.0)
                    reason = "server lagging (maxlag)"
                elif isinstance(error, dict):
                    code, info = str(error.get("code"))[:100], str(error.get("info", ""))[:200]
                    raise NetworkError(f"{host} refused the request: {code}: {info}")
                else:
                    return body
            if attempt == self.attempts:
                raise NetworkError(f"{host} still busy after {self.attempts} attempts ({reason})")
            if wait > self.max_wait:
                raise NetworkError(f"{host} asks to wait {wait:.0f} s ({reason}), more than {self.max_wait:.0f} s")
            self.sleep(wait)
        raise NetworkError(f"{host}: no answer")  # pragma: no cover - the loop always returns or raises

    @staticmethod
    def _json(data: bytes, host: str) -> Any:
        try:
            return json.loads(data.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            raise NetworkError(f"malformed answer from {host}: not JSON") from None
        except RecursionError:
            raise NetworkError(f"malformed answer from {host}: JSON nested too deep") from None

    def get_json(self, url: str, params: dict[str, str]) -> Any:
        """GET ``url`` with ``params`` and return its JSON body."""
        return self._send("GET", url, params=params)

    def sparql_select(self, endpoint: str, query: str) -> dict[str, Any]:
        """POST a SELECT query to a SPARQL 1.1 Protocol endpoint; return its JSON results."""
        body = self._send("POST", endpoint, data={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
        if not (isinstance(body, dict) and isinstance(body.get("head"), dict)
                and isinstance(body.get("results"), dict) and isinstance(body["results"].get("bindings"), list)):
            raise NetworkError(f"malformed answer from {httpx.URL(endpoint).host}: not SPARQL JSON results")
        return body
