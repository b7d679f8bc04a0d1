"""Jinja2 templates for the site's HTML and SVG, with autoescape on for every template.

Templates live in ``templates/`` beside this module. Python hands them data (strings,
numbers, lists, small records); every value is escaped unless the caller marks an already
built fragment with :func:`markup`. The filters ``|text`` and ``|quoted`` escape as
:func:`html.escape` does (quotes kept in text; ``&quot;`` and ``&#x27;`` in attributes), the
spelling of the pages written before the templates. Undefined names are errors, so a template and the code
that fills it cannot drift apart silently.
"""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> jinja2.Environment:
    """The one template environment: files from ``templates/``, autoescape, strict undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the templates are files of the package: read once, not checked at every page
    )
    env.filters["text"] = text
    env.filters["quoted"] = quoted
    return env


def text(value: object) -> Markup:
    """``value`` as HTML character data: ``&``, ``<`` and ``>`` escaped, quotes kept (``|text``)."""
    return Markup(escape(str(value), quote=False))


def quoted(value: object) -> Markup:
    """``value`` escaped for a double-quoted attribute, quotes as ``&quot;`` and ``&#x27;`` (``|quoted``)."""
    return Markup(escape(str(value), quote=True))


def render(template: str, /, **data: Any) -> str:
    """Template ``template`` (a file of ``templates/``) filled with ``data``."""
    return environment().get_template(template).render(**data)


def markup(fragment: str) -> Markup:
    """Mark ``fragment`` (HTML already built and escaped by this package) as safe to insert unescaped."""
    return Markup(fragment)
