"""Content negotiation: the Accept header and file suffixes decide the format of a page.

A resource, the ontology and a query page are each one URL; the format is
chosen by ``Accept`` (with q-values), or fixed by a suffix (``.html``,
``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``). Answers say ``Vary: Accept``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from afkg.rdf import accept as _accept
from afkg.rdf import formats

_SITE_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml", "csv", "json", "tsv", "xml")

FORMATS: dict[str, tuple[str, ...]] = {
    "html": ("text/html", "application/xhtml+xml"),
    **{formats.get(n).suffix: formats.accepted_types(n) for n in _SITE_FORMATS},
}
"""Suffix -> the media types that ask for it (the first is the one answered)."""

MEDIA_TYPES = {"html": "text/html; charset=utf-8", **{formats.get(n).suffix: formats.get(n).content_type
                                                     for n in _SITE_FORMATS}}
"""Suffix -> the Content-Type of the answer."""

FORMAT_NAMES = {"html": "HTML", **{formats.get(n).suffix: formats.get(n).label for n in _SITE_FORMATS[:4]}}

@dataclass(frozen=True)
class Response:
    """What a page answers: status, Content-Type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def choose(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The suffix in ``offered`` (preference order) that ``accept`` likes best (see
    :mod:`afkg.rdf.accept`); the first one when there is no Accept header; None when it accepts
    none of them."""
    return _accept.choose(accept, tuple((suffix, FORMATS[suffix]) for suffix in offered))


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
