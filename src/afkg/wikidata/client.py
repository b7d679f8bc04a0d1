"""The one HTTP client afkg uses to talk to Wikidata and SPARQL endpoints.

It sends a descriptive User-Agent, gives up after a timeout, and honours the
server's wishes: a 429 or 503 with Retry-After, and the Action API's ``maxlag``
error, are retried after the delay asked for (a bounded number of times, each
wait capped). Every failure becomes a one-line NetworkError.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from afkg import __version__
from afkg.errors import NetworkError

USER_AGENT = (f"afkg/{__version__} (bilateral-relations knowledge graph; https://w3id.org/afkg) "
              f"httpx/{httpx.__version__}")
RETRY_STATUSES = (429, 503)


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed is None:
            return default
        return max(0.0, parsed.timestamp() - time.time())


class WebClient:
    """GET JSON from an API, or POST a SPARQL query, with retries that respect the server."""

    def __init__(self, *, timeout: float = 20.0, attempts: int = 4, max_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None) -> None:
        self.timeout = timeout
        self.attempts = attempts
        self.max_wait = max_wait
        self.sleep = sleep
        self._client = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT},
                                    transport=transport, follow_redirects=True)
        self.requests = 0
        """How many requests were sent, for callers that report it."""

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send a request until it gives JSON, retrying on 429/503 and maxlag; return the JSON."""
        host = httpx.URL(url).host
        for attempt in range(1, self.attempts + 1):
            try:
                self.requests += 1
                response = self._client.request(method, url, **kwargs)
            except httpx.TimeoutException:
                raise NetworkError(f"{host} did not answer within {self.timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise NetworkError(f"cannot reach {host} ({type(exc).__name__}: {exc})") from None
            wait = None
            if response.status_code in RETRY_STATUSES:
                wait = _retry_after(response.headers.get("Retry-After"), 5.0)
                reason = f"HTTP {response.status_code}"
            elif response.status_code >= 400:
                raise NetworkError(f"{host} answered HTTP {response.status_code} for {response.request.url.path}")
            else:
                try:
                    body = response.json()
                except (json.JSONDecodeError, UnicodeDecodeError):
                    raise NetworkError(f"malformed answer from {host}: not JSON") from None
                error = body.get("error") if isinstance(body, dict) else None
                if isinstance(error, dict) and error.get("code") == "maxlag":
                    wait = _retry_after(response.headers.get("Retry-After"), 5.0)
                    reason = "server lagging (maxlag)"
                elif isinstance(error, dict):
                    raise NetworkError(f"{host} refused the request: {error.get('code')}: "
                                       f"{error.get('info', '')}")
                else:
                    return body
            if attempt == self.attempts:
                raise NetworkError(f"{host} still busy after {self.attempts} attempts ({reason})")
            if wait > self.max_wait:
                raise NetworkError(f"{host} asks to wait {wait:.0f} s ({reason}), more than {self.max_wait:.0f} s")
            self.sleep(wait)
        raise NetworkError(f"{host}: no answer")  # pragma: no cover - the loop always returns or raises

    def get_json(self, url: str, params: dict[str, str]) -> Any:
        """GET ``url`` with ``params`` and return its JSON body."""
        return self._send("GET", url, params=params)

    def sparql_select(self, endpoint: str, query: str) -> dict[str, Any]:
        """POST a SELECT query to a SPARQL 1.1 Protocol endpoint; return its JSON results."""
        body = self._send("POST", endpoint, data={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
        if not (isinstance(body, dict) and isinstance(body.get("head"), dict)
                and isinstance(body.get("results", {}).get("bindings"), list)):
            raise NetworkError(f"malformed answer from {httpx.URL(endpoint).host}: not SPARQL JSON results")
        return body
