"""Result formats, their media types, and the choice among them from ``Accept`` or ``format=``.

Formats are named as in ``afkg query run --format``; the server adds RDF/XML, N-Quads
and TriG for graph results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TABULAR = ("json", "xml", "csv", "tsv")
"""Formats of SELECT and ASK results, the default first."""
GRAPH = ("turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig")
"""Formats of CONSTRUCT and DESCRIBE results (and RDF documents), the default first."""

MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}

_ACCEPTED = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle", "application/x-turtle"),
    "ntriples": ("application/n-triples", "text/plain"),
    "jsonld": ("application/ld+json", "application/json"),
    "rdfxml": ("application/rdf+xml", "application/xml", "text/xml"),
    "nquads": ("application/n-quads",),
    "trig": ("application/trig",),
}

ALIASES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples",
    "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf/xml": "rdfxml",
    "nquads": "nquads", "nq": "nquads", "trig": "trig",
}
"""Names accepted by ``format=`` and as suffixes, with the format each stands for."""

MAX_ACCEPT_ITEMS = 64
"""Media ranges read from one Accept header; the rest are ignored."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 2 exact, 1 ``type/*``, 0 ``*/*``, -1 not."""
        main, _, sub = media_type.partition("/")
        if self.type == main and self.subtype == sub:
            return 2
        if self.type == main and self.subtype == "*":
            return 1
        if self.type == "*" and self.subtype == "*":
            return 0
        return -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for item in header.split(",")[:MAX_ACCEPT_ITEMS]:
        parts = [p.strip() for p in item.split(";")]
        kind, slash, sub = parts[0].lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _qvalue(value.strip())
        ranges.append(MediaRange(kind, sub, q))
    return ranges


_QVALUE = re.compile(r"^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\Z")


def _qvalue(text: str) -> float:
    """An Accept q-value as RFC 9110 writes it (``0`` to ``1``, three decimals at most, ASCII
    digits); anything else counts as 0 (not acceptable)."""
    return float(text) if _QVALUE.match(text) else 0.0


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the most specific matching range gives ``media_type`` (0 when none matches)."""
    best, specificity = 0.0, -1
    for r in ranges:
        s = r.matches(media_type)
        if s > specificity:
            best, specificity = r.q, s
    return best


_CHOSEN: dict[tuple[str | None, tuple[str, ...]], str | None] = {}
CHOICES_KEPT = 512
"""Answers of :func:`choose` remembered (clients send the same few Accept headers again and again)."""


def choose(accept: str | None, formats: tuple[str, ...]) -> str | None:
    """The format among ``formats`` (in server preference order) the client prefers, or None."""
    key = (accept, formats)
    try:
        return _CHOSEN[key]
    except KeyError:
        pass
    chosen = _choose(accept, formats)
    if len(_CHOSEN) >= CHOICES_KEPT or (accept is not None and len(accept) > 1024):
        return chosen
    _CHOSEN[key] = chosen
    return chosen


def _choose(accept: str | None, formats: tuple[str, ...]) -> str | None:
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for fmt in formats:
        primary, *aliases = _ACCEPTED[fmt]
        q = max([quality(ranges, primary)] + [r.q for r in ranges for m in aliases if r.matches(m) == 2])
        if q > best_q:
            best, best_q = fmt, q
    return best


def prefers_html(accept: str | None) -> bool:
    """Whether the client names text/html and likes it at least as well as any RDF format."""
    ranges = parse_accept(accept)
    if not any(r.matches("text/html") == 2 for r in ranges):
        return False
    html = quality(ranges, "text/html")
    rdf = max(quality(ranges, m) for fmt in GRAPH for m in _ACCEPTED[fmt] if m not in ("text/plain",
                                                                                       "application/xml",
                                                                                       "text/xml"))
    return html > 0 and html >= rdf


def from_name(name: str) -> str | None:
    """The format a ``format=`` value or a suffix names (a format name or a media type), or None."""
    key = name.strip().lower()
    if key in ALIASES:
        return ALIASES[key]
    media = key.split(";")[0].strip()
    for fmt, types in _ACCEPTED.items():
        if media == types[0]:
            return fmt
    return None


def media_type(fmt: str) -> str:
    """The Content-Type header value of ``fmt``."""
    return MEDIA_TYPES[fmt]
