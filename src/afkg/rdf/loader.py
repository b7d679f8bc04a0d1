"""Turtle files into pyoxigraph: read with the size cap, parsed or loaded with the file's own IRI as
base, and every failure one InputError that names the file.

A syntax error reads ``file:line:column: Turtle syntax error: reason`` (lines and columns from 1,
columns in characters), the convention of :func:`afkg.graph.position`. What a file that cannot be
read or a token too large for oxigraph's parser says is the caller's wording (``too_large``,
``unreadable``); the defaults are those of :func:`parse_file`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from afkg.errors import InputError
from afkg.files import MAX_TURTLE_BYTES, decode_utf8, read_bytes

if TYPE_CHECKING:
    import pyoxigraph as ox

TOO_LARGE = "a token (a literal or IRI) is too large to parse"
"""What a MemoryError of oxigraph's parser says by default."""

_POSITION = re.compile(r"^Parser error (?:at line \d+ (?:column \d+|between columns \d+ and \d+)"
                       r"|between line \d+ column \d+ and line \d+ column \d+): ")
"""The place as pyoxigraph words it before the reason ("Parser error at line 1 between columns 1 and 6: "):
left out, since the message starts with the file, line and column."""


def cannot_parse(exc: Exception) -> str:
    """The default wording of a failure other than a syntax error: its first line."""
    return f"cannot parse Turtle: {str(exc).splitlines()[0] if str(exc) else exc!r}"


def syntax_error(exc: SyntaxError, shown_as: str) -> InputError:
    """The InputError for pyoxigraph's Turtle syntax error ``exc`` in the file ``shown_as``."""
    where = f"{exc.lineno}:{exc.offset or 0}" if exc.lineno else "1"
    reason = _POSITION.sub("", str(exc.msg)).split(" (", 1)[0]
    return InputError(f"{shown_as}:{where}: Turtle syntax error: {reason}")


@contextmanager
def turtle_errors(shown_as: str, *, too_large: str | None = TOO_LARGE,
                  unreadable: Callable[[Exception], str] = cannot_parse,
                  failures: tuple[type[Exception], ...] = (ValueError, OSError)) -> Iterator[None]:
    """Map what pyoxigraph raises while parsing ``shown_as`` to an InputError: a SyntaxError by
    :func:`syntax_error`; a MemoryError to ``too_large`` (None lets it through); any of ``failures``
    to ``unreadable(exc)``."""
    try:
        yield
    except SyntaxError as exc:
        raise syntax_error(exc, shown_as) from None
    except MemoryError:
        if too_large is None:
            raise
        raise InputError(f"{shown_as}: {too_large}") from None
    except failures as exc:
        raise InputError(f"{shown_as}: {unreadable(exc)}") from None


def base_iri(path: Path) -> str:
    """The base IRI of a file's relative IRIs: its real path as a ``file:`` URI."""
    return Path(os.path.realpath(path)).as_uri()


def read_turtle(path: Path, shown_as: str) -> bytes:
    """The bytes of the Turtle file ``path``, at most :data:`afkg.files.MAX_TURTLE_BYTES`."""
    return read_bytes(path, MAX_TURTLE_BYTES, shown_as)


def parse_file(path: Path, shown_as: str) -> list[ox.Triple]:
    """The triples of one Turtle file, as written; an InputError names the file, line and column
    (a byte that is not UTF-8 by :func:`afkg.files.decode_utf8`)."""
    import pyoxigraph as ox  # start-up: pyoxigraph only in the child that loads a file

    data = read_turtle(path, shown_as)
    decode_utf8(data, shown_as)
    with turtle_errors(shown_as):
        return list(ox.parse(input=data, format=ox.RdfFormat.TURTLE, base_iri=base_iri(path)))


def load_file(store: ox.Store, path: Path, shown_as: str, *, graph: str | None = None, base: bool = True,
              bulk: bool = False, too_large: str | None = TOO_LARGE,
              unreadable: Callable[[Exception], str] = cannot_parse,
              failures: tuple[type[Exception], ...] = (ValueError, OSError)) -> None:
    """Load the Turtle file ``path`` into ``store``: into the named graph ``graph`` (else the default
    graph), relative IRIs against the file's IRI unless ``base`` is false, by oxigraph's bulk loader
    with ``bulk``; failures are mapped by :func:`turtle_errors`."""
    import pyoxigraph as ox  # start-up: pyoxigraph only in the child that loads a file

    data = read_turtle(path, shown_as)
    target = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
    with turtle_errors(shown_as, too_large=too_large, unreadable=unreadable, failures=failures):
        if bulk:
            store.bulk_load(input=data, format=ox.RdfFormat.TURTLE, to_graph=target,
                            base_iri=base_iri(path) if base else None)
        else:
            store.load(input=data, format=ox.RdfFormat.TURTLE, to_graph=target,
                       base_iri=base_iri(path) if base else None)


__all__ = ["TOO_LARGE", "base_iri", "cannot_parse", "load_file", "parse_file", "read_turtle", "syntax_error",
           "turtle_errors"]
