"""The ``Accept`` header (RFC 9110, section 12.5.1) and the choice of a format by it.

One negotiator for the SPARQL endpoint and the site. What it reads:

* a missing or blank header accepts anything (the first format on offer);
* at most :data:`MAX_ACCEPT_LENGTH` characters and :data:`MAX_ACCEPT_ITEMS` media ranges
  (nothing legitimate needs more; the rest is ignored);
* a range without a type or a subtype is skipped; a header with nothing else accepts
  nothing (406);
* q-values as RFC 9110 writes them (``0`` to ``1``, at most three decimals); any other
  value, ``q=1.5`` or ``q=0.5e0`` say, counts as 0 (not acceptable);
* the most specific range that matches a media type gives its q-value;
* a format answers with its first media type, which ``type/*`` and ``*/*`` match; its
  other media types count only when named exactly;
* the highest q wins; ties go to the format offered first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ACCEPT_LENGTH = 4096
"""Characters of an Accept header read; the rest is ignored."""
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
    for item in header[:MAX_ACCEPT_LENGTH].split(",")[:MAX_ACCEPT_ITEMS]:
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


Offer = tuple[tuple[str, tuple[str, ...]], ...]
"""What is on offer, in preference order: (key, (the media type answered, other media types that ask for it))."""

_CHOSEN: dict[tuple[str | None, Offer], str | None] = {}
CHOICES_KEPT = 512
"""Answers of :func:`choose` remembered (clients send the same few Accept headers again and again)."""


def choose(accept: str | None, offered: Offer) -> str | None:
    """The key among ``offered`` (in preference order) the client prefers, or None when it
    accepts none of them."""
    key = (accept, offered)
    try:
        return _CHOSEN[key]
    except KeyError:
        pass
    chosen = _choose(accept, offered)
    if len(_CHOSEN) >= CHOICES_KEPT or (accept is not None and len(accept) > 1024):
        return chosen
    _CHOSEN[key] = chosen
    return chosen


def _choose(accept: str | None, offered: Offer) -> str | None:
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for name, (primary, *others) in offered:
        q = max([quality(ranges, primary)] + [r.q for r in ranges for m in others if r.matches(m) == 2])
        if q > best_q:
            best, best_q = name, q
    return best
