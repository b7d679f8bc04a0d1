"""Small HTML helpers: escaping, safe links, and the frame every page shares.

Everything shown on a page comes from the data, which is untrusted: the templates
escape every text, and only ``http(s)`` IRIs become links to other hosts.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from afkg.publish.site.links import Linker
from afkg.publish.site.templating import markup, render


def text(value: object) -> str:
    """``value`` as HTML character data."""
    return escape(str(value), quote=False)


def is_web_iri(iri: str) -> bool:
    """True for an absolute ``http`` or ``https`` IRI with a host: the only kind that becomes a link."""
    try:
        parts = urlsplit(iri)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c in iri for c in ' "<>\\^`{|}')


def external(iri: str, label: str | None = None) -> str:
    """A link to another host for a web IRI; any other IRI is shown as text only."""
    shown = label if label is not None else iri
    return render("term.html", label=shown, href=iri if is_web_iri(iri) else None, title=None, span=True)


NAV = (("/", "Home"), ("/timeline", "Timeline"), ("/trade", "Trade"), ("/queries", "Queries"),
       ("/ontology", "Ontology"), ("/sparql", "SPARQL"))


def page(linker: Linker, title: str, body: str, *, alternates: list[tuple[str, str, str]] | None = None,
         scripts: list[str] | None = None, styles: list[str] | None = None) -> bytes:
    """A whole HTML document: the shared header and navigation, ``body`` (already HTML) as its main part.

    ``alternates`` are (logical path, media type, name) of other formats of the same page.
    """
    return render(
        "page.html", title=title, body=markup(body),
        styles=[linker.href(s) for s in ["/static/style.css", *(styles or [])]],
        alternates=[{"href": linker.href(target), "media_type": media_type, "name": name}
                    for target, media_type, name in alternates or []],
        nav=[{"href": linker.href(target), "name": name} for target, name in NAV],
        scripts=[linker.href(s) for s in scripts or []]).encode("utf-8")


def table(headers: list[str], rows: list[list[str]], caption: str | None = None) -> str:
    """A table; ``rows`` hold HTML fragments built by the caller's templates."""
    return render("table.html", headers=headers, rows=[[markup(cell) for cell in row] for row in rows],
                  caption=caption)
