"""Small HTML helpers: escaping, safe links, and the frame every page shares.

Everything shown on a page comes from the data, which is untrusted: every text
goes through :func:`text` or :func:`attr`, and only ``http(s)`` IRIs become
links to other hosts.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from afkg.publish.site.links import Linker


def text(value: object) -> str:
    """``value`` as HTML character data."""
    return escape(str(value), quote=False)


def attr(value: object) -> str:
    """``value`` escaped for a double-quoted attribute."""
    return escape(str(value), quote=True)


def is_web_iri(iri: str) -> bool:
    """True for an absolute ``http`` or ``https`` IRI with a host: the only kind that becomes a link."""
    try:
        parts = urlsplit(iri)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c in iri for c in ' "<>\\^`{|}')


def external(iri: str, label: str | None = None) -> str:
    """A link to another host for a web IRI; any other IRI is shown as text only."""
    shown = text(label if label is not None else iri)
    if is_web_iri(iri):
        return f'<a href="{attr(iri)}" rel="external">{shown}</a>'
    return f"<span>{shown}</span>"


NAV = (("/", "Home"), ("/timeline", "Timeline"), ("/trade", "Trade"), ("/queries", "Queries"),
       ("/ontology", "Ontology"), ("/sparql", "SPARQL"))


def page(linker: Linker, title: str, body: str, *, alternates: list[tuple[str, str, str]] | None = None,
         scripts: list[str] | None = None, styles: list[str] | None = None) -> bytes:
    """A whole HTML document: the shared header and navigation, ``body`` (already HTML) as its main part.

    ``alternates`` are (logical path, media type, name) of other formats of the same page.
    """
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{text(title)}</title>",
        f'<link rel="stylesheet" href="{attr(linker.href("/static/style.css"))}">',
    ]
    head += [f'<link rel="stylesheet" href="{attr(linker.href(s))}">' for s in styles or []]
    for target, media_type, _ in alternates or []:
        head.append(f'<link rel="alternate" type="{attr(media_type)}" href="{attr(linker.href(target))}">')
    head.append("</head>")
    nav = " ".join(f'<a href="{attr(linker.href(target))}">{text(name)}</a>' for target, name in NAV)
    parts = [*head, "<body>", f'<header><nav aria-label="site">{nav}</nav></header>', "<main>", body, "</main>"]
    if alternates:
        formats = ", ".join(f'<a href="{attr(linker.href(target))}">{text(name)}</a>'
                            for target, _, name in alternates)
        parts.append(f"<footer><p>This page as data: {formats}.</p></footer>")
    parts += [f'<script src="{attr(linker.href(s))}"></script>' for s in scripts or []]
    parts += ["</body>", "</html>"]
    return ("\n".join(parts) + "\n").encode("utf-8")


def table(headers: list[str], rows: list[list[str]], caption: str | None = None) -> str:
    """A table; ``rows`` hold HTML already escaped by the caller."""
    out = ['<div class="scroll"><table>']
    if caption:
        out.append(f"<caption>{text(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{text(h)}</th>' for h in headers) + "</tr></thead>")
    out.append("<tbody>")
    out += ["<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows]
    out.append("</tbody></table></div>")
    return "".join(out)
