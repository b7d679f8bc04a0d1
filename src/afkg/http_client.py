"""afkg's one outbound HTTP client.

Wikidata's Action API (``afkg link refresh|suggest``), Wikidata's query service
and every other SERVICE a federated query calls (:mod:`afkg.query.federation`),
stored queries on a remote endpoint (:mod:`afkg.query.remote`) and ``afkg push``
(:mod:`afkg.publish.push`) all send their requests through :class:`HttpClient`,
so they share one set of guarantees (documented in docs/security.md, "Outbound
HTTP"):

- a total deadline per request, ``timeout`` seconds from sending to the last
  byte of the answer, not a per-read timeout a slow server can stretch: a
  watchdog timer shuts the socket at the deadline;
- a cap on each answer, counted after decompression: gzip and deflate are
  decoded a bounded piece at a time, so a gzip bomb stops at the cap; any other
  Content-Encoding is refused;
- no redirect followed: a 3xx answer is an error naming where it pointed, so no
  request, query or credential goes to a host the caller did not choose;
- only URLs that pass :func:`check_url` (absolute http(s), a host, no
  credentials in them); which endpoints are called at all is the callers'
  allow-list (see :mod:`afkg.query.federation`);
- a 429 or 503 answer, and the Action API's ``maxlag`` error, are sent again
  after the delay Retry-After asks for (seconds or an HTTP date; 5 s when it
  says neither), at most ``attempts`` times in all and never after a wait longer
  than ``max_wait`` seconds; the waiting goes through an injectable ``sleep``;
- every failure is one line (a :class:`afkg.errors.NetworkError`) that names
  the host, never credentials or a query string; the answer's JSON, when asked
  for, is parsed with its depth bounded, and callers check its shape.
"""

from __future__ import annotations

import email.utils
import json
import math
import os
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pyoxigraph as ox

from afkg import __version__
from afkg.errors import NetworkError, UsageError
from afkg.option_values import parse_timeout

USER_AGENT = (f"afkg/{__version__} (bilateral-relations knowledge graph; https://w3id.org/afkg) "
              f"httpx/{httpx.__version__}")
TOKEN_ENV = "AFKG_STORE_TOKEN"
"""Environment variable holding a bearer token for a store or remote endpoint."""
DEFAULT_TIMEOUT = 30.0
"""Seconds allowed for one request, from sending to the last byte of the answer."""
MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""The largest answer body accepted, counted after decompression."""
RETRY_STATUSES = (429, 503)
"""Statuses that ask the client to come back later; they are retried."""
DEFAULT_WAIT = 5.0
"""Seconds waited before a retry when Retry-After gives no usable delay."""
ATTEMPTS = 4
"""Requests sent at most for one call, the first included."""
MAX_WAIT = 60.0
"""The longest wait before a retry; a server asking for more is an error at once."""
_CHUNK = 64 * 1024

_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)[^/?#]*@")


class DeadlinePassed(NetworkError):
    """A request whose answer did not end within the client's total deadline."""

    def __init__(self, host: str, seconds: float) -> None:
        super().__init__(f"{host} did not answer within {seconds:g} s")
        self.host, self.seconds = host, seconds


class AnswerTooLarge(NetworkError):
    """An answer larger than the client's cap, counted after decompression."""

    def __init__(self, host: str, limit: int) -> None:
        super().__init__(f"{host} answered more than {limit} bytes; refused")
        self.host, self.limit = host, limit


# --- URLs ----------------------------------------------------------------------------------------

def _as_given(value: str) -> str:
    """``value`` as a message repeats it: credentials, query and fragment left out, at most 200 characters."""
    text = _USERINFO.sub(r"\1…@", value).split("#", 1)[0].split("?", 1)[0]
    return text if len(text) <= 200 else text[:200] + "…"


def check_url(value: str, option: str = "URL", *, credentials: str | None = None) -> str:
    """``value`` if it is an absolute http(s) URL with a host, that oxigraph's IRI parser accepts and
    that carries no credentials; else a one-line UsageError naming ``option``.

    ``credentials`` says where the caller takes credentials instead (for the message). No message
    repeats credentials or the query part of ``value``.
    """
    if not isinstance(value, str):
        raise UsageError(f"{option}: expects a URL, got {type(value).__name__}")
    given = _as_given(value)
    try:
        ox.NamedNode(value)
        url = httpx.URL(value)
    except (ValueError, TypeError, UnicodeError, httpx.InvalidURL) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid"
        raise UsageError(f"{option}: {given!r} is not a valid URL ({reason})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise UsageError(f"{option}: {given!r} is not an http(s) URL with a host")
    if url.userinfo:
        instead = f"put credentials in {credentials}, not in the URL" if credentials else \
            "credentials in the URL are refused"
        raise UsageError(f"{option}: {instead}")
    return value


def shown(url: str | httpx.URL) -> str:
    """``url`` as messages show it: scheme, host, port and path, never credentials or query."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<unreadable URL>"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"


def host_of(url: str | httpx.URL) -> str:
    """The host of ``url``, which is how the client's messages name a server."""
    try:
        return httpx.URL(str(url)).host or "<no host>"
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<unreadable URL>"


# --- credentials ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Credentials:
    """Basic credentials (``--user USER:PASS``) or a bearer token (``$AFKG_STORE_TOKEN``)."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    @staticmethod
    def from_options(user: str | None, environ: Mapping[str, str] | None = None) -> Credentials:
        """``--user`` wins over the token in the environment; neither means no credentials."""
        environ = os.environ if environ is None else environ
        if user is not None:
            name, colon, password = user.partition(":")
            if not colon or not name:
                raise UsageError("--user expects USER:PASSWORD")
            if any(ord(c) < 0x20 or ord(c) == 0x7F for c in user):
                raise UsageError("--user contains a control character")
            return Credentials(user=name, password=password)
        token = environ.get(TOKEN_ENV)
        if token:
            if any(ord(c) <= 0x20 or ord(c) >= 0x7F for c in token):
                raise UsageError(f"${TOKEN_ENV} must be printable ASCII without spaces")
            return Credentials(token=token)
        return Credentials()

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {}

    def auth(self) -> httpx.BasicAuth | None:
        if self.user is not None:
            return httpx.BasicAuth(self.user, self.password or "")
        return None

    def __repr__(self) -> str:  # never show the secret
        kind = "basic" if self.user is not None else "bearer" if self.token else "none"
        return f"Credentials({kind})"


# --- answers -------------------------------------------------------------------------------------

_UNPARSED = object()


class Answer:
    """An HTTP answer (never a redirect), read within the client's deadline and cap."""

    def __init__(self, status: int, headers: httpx.Headers, body: bytes, url: httpx.URL) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        """The URL the request went to (the answer's messages name its host and path)."""
        self._json: Any = _UNPARSED

    @property
    def host(self) -> str:
        return self.url.host

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def text_line(self, limit: int = 200) -> str:
        """The first non-empty line of the body, shortened, for an error message."""
        text = self.body[: 4 * limit].decode("utf-8", "replace")
        line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        return line[:limit]

    def json(self) -> Any:
        """The body parsed as JSON (once); not JSON, or nested too deep, is a one-line NetworkError."""
        if self._json is _UNPARSED:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
                raise NetworkError(f"malformed answer from {self.host}: not JSON") from None
            except RecursionError:
                raise NetworkError(f"malformed answer from {self.host}: JSON nested too deep") from None
        return self._json


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


def _lagging(answer: Answer) -> str | None:
    """Why ``answer`` asks to be retried, for the Action API's ``maxlag`` error; else None."""
    if answer.status >= 400:
        return None
    body = answer.json()
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("code") == "maxlag":
        return "server lagging (maxlag)"
    return None


class _Late(Exception):
    pass


def _watchdog(response: httpx.Response, deadline: float) -> threading.Timer | None:
    """A timer that shuts the answer's socket at the deadline, so that a body trickling in,
    or stalled between two bytes, cannot stretch the request past it."""
    stream = response.extensions.get("network_stream")
    try:
        sock = stream.get_extra_info("socket") if stream is not None else None
    except Exception:  # a transport without a socket (mock transports)
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


def _redirect(host: str, response: httpx.Response) -> str:
    """The message for a redirect, naming its target without credentials or query."""
    location = response.headers.get("Location")
    target = ""
    if location:
        try:
            target = " to " + shown(response.request.url.join(location))
        except (httpx.InvalidURL, TypeError, ValueError):
            target = " to <unreadable URL>"
    return f"{host} answered HTTP {response.status_code} (a redirect{target}); redirects are not followed"


# --- the client ----------------------------------------------------------------------------------

class HttpClient:
    """Send requests within a total deadline and a byte cap, follow no redirect, and retry
    what the server asks to have retried (see the module's description)."""

    def __init__(self, *, credentials: Credentials | None = None, timeout: float = DEFAULT_TIMEOUT,
                 max_bytes: int = MAX_ANSWER_BYTES, attempts: int = ATTEMPTS, max_wait: float = MAX_WAIT,
                 sleep: Callable[[float], None] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.timeout = parse_timeout(timeout)
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        self.attempts = attempts
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self.sleep = time.sleep if sleep is None else sleep
        credentials = credentials or Credentials()
        self._client = httpx.Client(timeout=self.timeout, transport=transport, follow_redirects=False,
                                    auth=credentials.auth(),
                                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
                                             **credentials.headers()})
        self.requests = 0
        """How many requests were sent, for callers that report it."""

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # one request ------------------------------------------------------------------------------

    def _read(self, response: httpx.Response, host: str, deadline: float) -> bytes:
        """The decoded body, streamed; past the deadline it raises _Late, past the cap AnswerTooLarge."""
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            decoder: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            decoder = zlib.decompressobj()
        elif encoding in ("", "identity"):
            decoder = None
        else:
            raise NetworkError(f"{host} answered with an unsupported Content-Encoding {encoding[:40]!r}")
        parts: list[bytes] = []
        size = 0

        def keep(data: bytes) -> None:
            nonlocal size
            size += len(data)
            if size > self.max_bytes:
                raise AnswerTooLarge(host, self.max_bytes)
            parts.append(data)

        watchdog = _watchdog(response, deadline)
        try:
            for raw in response.iter_raw():
                if time.monotonic() > deadline:
                    raise _Late
                if decoder is None:
                    keep(raw)
                    continue
                data = raw
                while data:
                    keep(decoder.decompress(data, _CHUNK))
                    data = decoder.unconsumed_tail
            if decoder is not None:
                keep(decoder.flush())
            if time.monotonic() > deadline:
                raise _Late
        except zlib.error:
            raise NetworkError(f"{host} answered a corrupt {encoding} body") from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
        return b"".join(parts)

    def _exchange(self, method: str, url: str | httpx.URL, host: str, **kwargs: Any) -> Answer:
        """Send one request and read its answer within the deadline and the cap; a redirect is an error."""
        deadline = time.monotonic() + self.timeout
        self.requests += 1
        try:
            with self._client.stream(method, url, **kwargs) as response:
                if 300 <= response.status_code < 400:
                    raise NetworkError(_redirect(host, response))
                body = self._read(response, host, deadline)
                return Answer(response.status_code, response.headers, body, response.request.url)
        except (_Late, httpx.TimeoutException):
            raise DeadlinePassed(host, self.timeout) from None
        except httpx.HTTPError as exc:
            if time.monotonic() >= deadline:  # the watchdog shut the socket
                raise DeadlinePassed(host, self.timeout) from None
            reason = str(exc).splitlines()[0] if str(exc) else ""
            raise NetworkError(f"cannot reach {host} ({type(exc).__name__}: {reason})") from None

    # calls ------------------------------------------------------------------------------------

    def request(self, method: str, url: str | httpx.URL, *, retry_if: Callable[[Answer], str | None] | None = None,
                **kwargs: Any) -> Answer:
        """Send a request and return its answer, sending it again while the server asks for that.

        A 429 or 503 answer, or one for which ``retry_if`` gives a reason, is retried after the
        wait Retry-After asks for, within ``attempts`` and ``max_wait``. Other HTTP error statuses
        are returned for the caller to judge. ``kwargs`` go to :meth:`httpx.Client.stream`.
        """
        host = host_of(url)
        for attempt in range(1, self.attempts + 1):
            answer = self._exchange(method, url, host, **kwargs)
            if answer.status in RETRY_STATUSES:
                reason: str | None = f"HTTP {answer.status}"
            else:
                reason = retry_if(answer) if retry_if is not None else None
                if reason is None:
                    return answer
            if attempt == self.attempts:
                raise NetworkError(f"{host} still busy after {self.attempts} attempts ({reason})")
            wait = _retry_after(answer.headers.get("Retry-After"), DEFAULT_WAIT)
            if wait > self.max_wait:
                raise NetworkError(f"{host} asks to wait {wait:.0f} s ({reason}), more than {self.max_wait:.0f} s")
            self.sleep(wait)
        raise NetworkError(f"{host}: no answer")  # pragma: no cover - the loop always returns or raises

    def _json_call(self, method: str, url: str, **kwargs: Any) -> Any:
        """The JSON of a successful answer; an Action API error object is a NetworkError, and its
        ``maxlag`` error is retried like a 503."""
        answer = self.request(method, url, retry_if=_lagging, **kwargs)
        if answer.status >= 400:
            raise NetworkError(f"{answer.host} answered HTTP {answer.status} for {answer.url.path}")
        body = answer.json()
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            code, info = str(error.get("code"))[:100], str(error.get("info", ""))[:200]
            raise NetworkError(f"{answer.host} refused the request: {code}: {info}")
        return body

    def get_json(self, url: str, params: dict[str, str]) -> Any:
        """GET ``url`` with ``params`` (a MediaWiki Action API call) and return its JSON body."""
        return self._json_call("GET", url, params=params)

    def sparql_select(self, endpoint: str, query: str) -> dict[str, Any]:
        """POST a SELECT query to a SPARQL 1.1 Protocol endpoint; return its JSON results."""
        body = self._json_call("POST", endpoint, data={"query": query},
                               headers={"Accept": "application/sparql-results+json"})
        if not (isinstance(body, dict) and isinstance(body.get("head"), dict)
                and isinstance(body.get("results"), dict) and isinstance(body["results"].get("bindings"), list)):
            raise NetworkError(f"malformed answer from {host_of(endpoint)}: not SPARQL JSON results")
        return body


__all__ = ["DEFAULT_TIMEOUT", "MAX_ANSWER_BYTES", "TOKEN_ENV", "USER_AGENT", "Answer", "AnswerTooLarge",
           "Credentials", "DeadlinePassed", "HttpClient", "check_url", "host_of", "shown"]
