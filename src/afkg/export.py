"""Serialisation with stable bytes, and atomic writes.

The same graph always gives the same bytes: N-Triples lines are sorted, Turtle
is written by rdflib's serializer (which sorts subjects and predicates) with a
fixed set of prefixes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from afkg.errors import InputError
from afkg.namespaces import bind_prefixes


def stable(graph: Graph) -> Graph:
    """A copy of ``graph`` with blank nodes relabelled from their content, so that the
    same graph always gets the same labels; the project's prefixes are bound."""
    has_blank = any(isinstance(term, BNode) for triple in graph for term in triple)
    source = to_canonical_graph(graph) if has_blank else graph
    copy = Graph()
    bind_prefixes(copy)
    for triple in source:
        copy.add(triple)
    return copy


def to_ntriples(graph: Graph) -> bytes:
    """N-Triples, one triple a line, lines sorted."""
    text = stable(graph).serialize(format="nt", encoding="utf-8")
    lines = sorted(set(line for line in text.decode("utf-8").splitlines() if line.strip()))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def to_turtle(graph: Graph) -> bytes:
    """Turtle with the project's prefixes, subjects and predicates in sorted order."""
    return stable(graph).serialize(format="turtle", encoding="utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename,
    so a reader never sees half a file and a failure leaves the old file as it was."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{path}: cannot write ({exc.strerror})") from None
        raise
