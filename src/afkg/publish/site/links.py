"""Links between pages, for the server (absolute paths) and the static site (relative files).

Pages name their targets by *logical path*, the path the server answers:
``/``, ``/resource/Example``, ``/resource/Example.ttl``, ``/ontology``,
``/queries/trade-by-year``, ``/static/style.css``. A :class:`Linker` turns a
logical path into an ``href``:

- on the server, the path itself under an optional base path;
- in the static site, a path relative to the current page's file, where a page
  ``/X`` is the file ``X.html``, ``/`` is ``index.html`` and a path whose last
  segment ends in a known file suffix is that file. Relative links work both
  when the folder is opened from disk and when a plain static server serves it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode

FILE_SUFFIXES = frozenset({
    "html", "ttl", "nt", "jsonld", "rdf", "trig", "nq", "css", "js", "csv", "json", "tsv", "xml", "txt", "svg",
})
"""Suffixes that name a file of the static site (anything else is a page, written as ``.html``)."""

_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~"


def file_segment(segment: str) -> str:
    """A path segment as a file name: characters outside a small safe set and a leading dot are %-escaped."""
    name = quote(unquote(segment), safe=_SAFE)
    if name.startswith("."):
        name = "%2E" + name[1:]
    return name or "%2E"


def file_for(logical: str) -> str:
    """The static site file (relative to the site folder) that holds logical path ``logical``."""
    path = logical.strip("/")
    if not path:
        return "index.html"
    segments = [file_segment(s) for s in path.split("/")]
    last = segments[-1]
    suffix = last.rsplit(".", 1)[-1] if "." in last[1:] else ""
    if suffix not in FILE_SUFFIXES:
        segments[-1] = last + ".html"
    return "/".join(segments)


@dataclass(frozen=True)
class Linker:
    """Makes hrefs for the page at logical path ``current``."""

    current: str = "/"
    static: bool = False
    base: str = ""

    def href(self, target: str, *, fragment: str | None = None, query: dict[str, str] | None = None) -> str:
        """The href of logical path ``target`` (with a query string on the server only, and a fragment)."""
        tail = f"#{quote(fragment, safe=_SAFE)}" if fragment else ""
        if not self.static:
            path = self.base.rstrip("/") + quote(target, safe="/%:@!$&'()*+,;=-._~")
            if query:
                path += "?" + urlencode(sorted(query.items()))
            return path + tail
        here = file_for(self.current)
        there = file_for(target)
        if here == there and tail:
            return tail
        relative = posixpath.relpath(there, posixpath.dirname(here) or ".")
        return quote(relative, safe="/._-~") + tail

    def at(self, current: str) -> Linker:
        """The same kind of linker for another page."""
        return Linker(current, self.static, self.base)
