"""Result formats, their media types, and the choice among them from ``Accept`` or ``format=``.

Formats are named as in ``afkg query run --format``; the server adds RDF/XML, N-Quads
and TriG for graph results. The formats are :mod:`afkg.rdf.formats`'s and the ``Accept``
parsing is :mod:`afkg.rdf.accept`'s; the endpoint also reads generic media types
(``application/json``, ``application/xml``, ``text/xml``, ``text/plain``) as asking for
the format they usually carry.
"""

from __future__ import annotations

from afkg.rdf import accept as _accept
from afkg.rdf import formats

TABULAR = formats.RESULTS
"""Formats of SELECT and ASK results, the default first."""
GRAPH = formats.GRAPH
"""Formats of CONSTRUCT and DESCRIBE results (and RDF documents), the default first."""

MEDIA_TYPES = {name: f.content_type for name, f in formats.FORMATS.items()}
"""Format -> the Content-Type of an answer."""

_ACCEPTED = {name: formats.accepted_types(name, generic=True) for name in formats.FORMATS}


def _offer(names: tuple[str, ...]) -> _accept.Offer:
    return tuple((name, _ACCEPTED[name]) for name in names)


_OFFERS: dict[tuple[str, ...], _accept.Offer] = {}


def choose(accept: str | None, formats_offered: tuple[str, ...]) -> str | None:
    """The format among ``formats_offered`` (in server preference order) the client prefers, or None."""
    offer = _OFFERS.get(formats_offered)
    if offer is None:
        offer = _OFFERS[formats_offered] = _offer(formats_offered)
    return _accept.choose(accept, offer)


def prefers_html(accept: str | None) -> bool:
    """Whether the client names text/html and likes it at least as well as any RDF format."""
    ranges = _accept.parse_accept(accept)
    if not any(r.matches("text/html") == 2 for r in ranges):
        return False
    html = _accept.quality(ranges, "text/html")
    rdf = max(_accept.quality(ranges, m) for fmt in GRAPH for m in formats.accepted_types(fmt))
    return html > 0 and html >= rdf


def from_name(name: str) -> str | None:
    """The format a ``format=`` value or a suffix names (a format name or a media type), or None."""
    found = formats.lookup(name)
    return found.name if found is not None else None


def media_type(fmt: str) -> str:
    """The Content-Type header value of ``fmt``."""
    return MEDIA_TYPES[fmt]
