"""The names a relation folder mints, and Turtle literals written by hand.

- ``res:source/<pair>`` is the document, ``res:source/<pair>/<slug>`` its sections and
  ``res:source/<pair>/<slug>-<n>`` its passages (the prefix ``src:`` in the files written);
- ``res:<pair>/relation`` is the relation and ``res:<pair>/<Label>`` an entity the folder creates
  (the prefix ``rel:``).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

RESOURCE = "https://w3id.org/afkg/resource/"
PAIR_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
"""A relation folder's name: lower-case words of letters and digits joined by hyphens (``x-y``)."""
MAX_PAIR_NAME = 80
RESERVED_FOLDERS = frozenset({"shared", "wikidata"})


def document_iri(pair: str) -> str:
    return f"{RESOURCE}source/{pair}"


def source_namespace(pair: str) -> str:
    """The namespace of the document's sections and passages (``src:``)."""
    return f"{RESOURCE}source/{pair}/"


def relation_namespace(pair: str) -> str:
    """The namespace of the entities the relation folder describes (``rel:``)."""
    return f"{RESOURCE}{pair}/"


def slug(label: str) -> str:
    """A section heading as the local name of its IRI: ``Economic relations`` → ``economic-relations``
    (accents dropped, anything but letters and digits a hyphen); ``section`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


def local_name(label: str) -> str:
    """A label as a Turtle local name of an IRI: spaces as ``_``, the rest percent-encoded as UTF-8,
    so that ``rel:<name>`` is always a valid prefixed name (``Côte d'Ivoire`` → ``C%C3%B4te_d%27Ivoire``)."""
    name = quote("_".join(label.split()), safe="_").replace("~", "%7E")
    if name.endswith("."):
        name = name[:-1] + "%2E"
    if name[:1] in ("-", "."):
        name = {"-": "%2D", ".": "%2E"}[name[0]] + name[1:]
    return name or "_"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def turtle_string(text: str) -> str:
    """``text`` as a Turtle string literal in double quotes (control characters escaped)."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
