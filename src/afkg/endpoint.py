"""Talking to a remote SPARQL store or endpoint: checked URLs, credentials, bounded requests, SPARQL terms.

Shared by ``afkg push`` (:mod:`afkg.publish.push`) and the remote query engine
(:mod:`afkg.query.remote`). Every request has a total deadline, follows no
redirect, and reads at most a bounded number of bytes of the answer. Messages
name the endpoint by scheme, host, port and path only, so a credential never
reaches a message or a log.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from afkg import __version__
from afkg.errors import NetworkError, UsageError
from afkg.query.terms import Term

TOKEN_ENV = "AFKG_STORE_TOKEN"
"""Environment variable holding a bearer token for the store or endpoint."""
DEFAULT_TIMEOUT = 30.0
MAX_ANSWER_BYTES = 16 * 1024 * 1024
USER_AGENT = f"afkg/{__version__} (https://w3id.org/afkg) httpx/{httpx.__version__}"

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_BNODE = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def check_iri(value: str, what: str = "IRI") -> str:
    """``value`` if it can stand between ``<`` and ``>`` in SPARQL and N-Triples; else a UsageError."""
    if not _SCHEME.match(value) or _IRI_FORBIDDEN.search(value):
        raise UsageError(f"{what} {value!r} is not an absolute IRI that SPARQL can carry")
    return value


def sparql_term(term: Term) -> str:
    """``term`` in the syntax SPARQL and N-Triples share, after checking every part of it.

    The lexical form is escaped by :meth:`Term.n3`; IRIs, datatypes, language tags and
    blank-node labels are checked here, so no value can close its term and add text.
    """
    if term.kind == "uri":
        check_iri(term.value)
    elif term.kind == "bnode":
        if not _BNODE.match(term.value):
            raise UsageError(f"blank node label {term.value!r} is not allowed in SPARQL")
    elif term.kind == "literal":
        if term.lang is not None and not _LANG.match(term.lang):
            raise UsageError(f"language tag {term.lang!r} is not well-formed")
        if term.datatype is not None:
            check_iri(term.datatype, "datatype")
    else:
        raise UsageError(f"unknown kind of term {term.kind!r}")
    return term.n3()


def check_url(url: str, option: str) -> httpx.URL:
    """An http(s) URL with a host and no credentials in it; else a UsageError naming ``option``."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise UsageError(f"{option}: not a URL: {shown(url)}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UsageError(f"{option}: expects an http:// or https:// URL, got {shown(url)}")
    if parsed.userinfo:
        raise UsageError(f"{option}: put credentials in --user or ${TOKEN_ENV}, not in the URL")
    return parsed


def shown(url: str | httpx.URL) -> str:
    """``url`` as messages show it: scheme, host, port and path, never credentials or query."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<unreadable URL>"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"


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


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):g} MiB" if count >= 1024 * 1024 else f"{count} bytes"


@dataclass(frozen=True)
class Answer:
    """An HTTP answer read within its bounds."""

    status: int
    content_type: str
    body: bytes

    def text_line(self, limit: int = 200) -> str:
        """The first non-empty line of the body, shortened, for an error message."""
        text = self.body[: 4 * limit].decode("utf-8", "replace")
        line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        return line[:limit]


class Connection:
    """An httpx client with a total deadline per request, no redirects, and bounded answers."""

    def __init__(self, *, credentials: Credentials | None = None, timeout: float = DEFAULT_TIMEOUT,
                 max_bytes: int = MAX_ANSWER_BYTES, transport: httpx.BaseTransport | None = None) -> None:
        if not (timeout > 0 and timeout != float("inf")):
            raise UsageError(f"--timeout must be a finite number of seconds > 0, got {timeout}")
        credentials = credentials or Credentials()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._client = httpx.Client(headers={"User-Agent": USER_AGENT, **credentials.headers()},
                                    auth=credentials.auth(), follow_redirects=False, transport=transport,
                                    timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, url: str | httpx.URL, *, timeout_message: str | None = None,
                error: type[Exception] = NetworkError, **kwargs: Any) -> Answer:
        """Send one request and read its answer, all within ``timeout`` seconds and ``max_bytes`` bytes.

        A redirect is an error (it is not followed); so are a slow or oversized answer and
        a network failure. HTTP error statuses are returned for the caller to judge.
        """
        where = shown(url)
        deadline = time.monotonic() + self.timeout
        late = timeout_message or f"{where} did not answer within {self.timeout:g} s"
        try:
            with self._client.stream(method, url, timeout=self.timeout, **kwargs) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise error(f"{where}: the answer is larger than {_size(self.max_bytes)}")
                    if time.monotonic() > deadline:
                        raise error(late)
                    chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise error(late)
                answer = Answer(response.status_code, response.headers.get("content-type", ""), b"".join(chunks))
                location = response.headers.get("location")
        except httpx.TimeoutException:
            raise error(late) from None
        except httpx.HTTPError as exc:
            raise NetworkError(f"cannot reach {where} ({type(exc).__name__})") from None
        if 300 <= answer.status < 400:
            target = f" to {shown(location)}" if location else ""
            raise NetworkError(f"{where} answered HTTP {answer.status} (redirect{target} not followed)")
        return answer


__all__ = ["TOKEN_ENV", "Answer", "Connection", "Credentials", "check_iri", "check_url", "shown", "sparql_term"]
