"""Jinja2 templates for the site's HTML and SVG, with autoescape on for every template.

Templates live in ``templates/`` beside this module. Python hands them data (strings,
numbers, lists, small records); every value is escaped unless the caller marks an already
built fragment with :func:`markup`. Undefined names are errors, so a template and the code
that fills it cannot drift apart silently.
"""

from __future__ import annotations

from functools import cache
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
    )
    return env


def render(template: str, /, **data: Any) -> str:
    """Template ``template`` (a file of ``templates/``) filled with ``data``."""
    return environment().get_template(template).render(**data)


def markup(fragment: str) -> Markup:
    """Mark ``fragment`` (HTML already built and escaped by this package) as safe to insert unescaped."""
    return Markup(fragment)
