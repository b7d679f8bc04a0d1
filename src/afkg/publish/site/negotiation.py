"""Content negotiation: the Accept header and file suffixes decide the format of a page.

A resource, the ontology and a query page are each one URL; the format is
chosen by ``Accept`` (with q-values), or fixed by a suffix (``.html``,
``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``). Answers say ``Vary: Accept``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FORMATS: dict[str, tuple[str, ...]] = {
    "html": ("text/html", "application/xhtml+xml"),
    "ttl": ("text/turtle", "application/x-turtle"),
    "nt": ("application/n-triples",),
    "jsonld": ("application/ld+json", "application/json"),
    "rdf": ("application/rdf+xml",),
    "csv": ("text/csv",),
    "json": ("application/sparql-results+json",),
    "tsv": ("text/tab-separated-values",),
    "xml": ("application/sparql-results+xml",),
}
"""Suffix -> the media types that ask for it (the first is the one answered)."""

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples; charset=utf-8",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/sparql-results+json",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "xml": "application/sparql-results+xml; charset=utf-8",
}
"""Suffix -> the Content-Type of the answer."""

FORMAT_NAMES = {"html": "HTML", "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "rdf": "RDF/XML"}

MAX_ACCEPT = 4096
"""Longer Accept headers are cut: nothing legitimate needs more."""


@dataclass(frozen=True)
class Response:
    """What a page answers: status, Content-Type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _ranges(accept: str) -> list[tuple[float, int, str]]:
    """(q, specificity, media range) of an Accept header; malformed parts are skipped."""
    ranges = []
    for part in accept[:MAX_ACCEPT].split(",")[:64]:
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        kind, _, sub = media.partition("/")
        specificity = 0 if kind == "*" else 1 if sub == "*" else 2
        ranges.append((q, specificity, media))
    return ranges


def _quality(media: str, ranges: list[tuple[float, int, str]]) -> float:
    """The q-value the most specific matching range gives ``media``."""
    kind = media.split("/")[0]
    best: tuple[int, float] | None = None
    for q, specificity, pattern in ranges:
        if pattern == media or pattern == f"{kind}/*" or pattern == "*/*":
            if best is None or specificity > best[0]:
                best = (specificity, q)
    return best[1] if best else 0.0


def choose(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The suffix in ``offered`` (preference order) that ``accept`` likes best; the first one
    when there is no Accept header; None when it accepts none of them."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    if not ranges:
        return offered[0]
    best: tuple[float, int] | None = None
    chosen = None
    for rank, suffix in enumerate(offered):
        for media in FORMATS[suffix]:
            q = _quality(media, ranges)
            if q > 0 and (best is None or (q, -rank) > best):
                best, chosen = (q, -rank), suffix
    return chosen


def split_suffix(path: str, offered: tuple[str, ...]) -> tuple[str, str | None]:
    """``path`` without a format suffix, and the suffix (None if it has none of ``offered``)."""
    stem, dot, suffix = path.rpartition(".")
    if dot and stem and "/" not in suffix and suffix in offered:
        return stem, suffix
    return path, None


def not_acceptable(offered: tuple[str, ...]) -> Response:
    """406 with the formats on offer."""
    listing = ", ".join(FORMATS[s][0] for s in offered)
    return Response(406, "text/plain; charset=utf-8",
                    f"406 Not Acceptable: this page is available as {listing}\n".encode(), {"Vary": "Accept"})
