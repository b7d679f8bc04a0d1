"""Room for rdflib's recursive parsers: deeply nested Turtle and SPARQL within a known bound."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

DEEP_RECURSION = 25_000
"""The recursion limit rdflib's parsers run under (a query at the nesting bound needs ~15 000)."""


@contextmanager
def deep_recursion(limit: int = DEEP_RECURSION) -> Iterator[None]:
    """Raise the interpreter's recursion limit to ``limit`` for the duration of the block."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
