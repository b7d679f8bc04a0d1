"""The pyoxigraph store the server queries: the ontology and the data, each in its named graph.

Queries see the union of the named graphs as their default graph (what ``afkg query``
sees), unless the request names its own dataset. A store can be built from the
project files in memory, or written once to disk (``afkg build --store DIR``) and
opened read-only by every worker.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from afkg.errors import InputError
from afkg.layout import Layout

if TYPE_CHECKING:
    import pyoxigraph as ox

DATA_GRAPH = "https://w3id.org/afkg/graph/data"
ONTOLOGY_GRAPH = "https://w3id.org/afkg/graph/ontology"
MARKER = "afkg-store.txt"
"""A file written next to the database by ``afkg build --store``, so that any other folder is refused."""


def _graph_files(layout: Layout) -> list[tuple[str, Path]]:
    return [(ONTOLOGY_GRAPH, layout.ontology_file)] + [(DATA_GRAPH, p) for p in layout.data_files()]


def load_files(layout: Layout, store: ox.Store | None = None) -> ox.Store:
    """The ontology and data of ``layout`` in ``store`` (a new in-memory store if None)."""
    import pyoxigraph as ox

    target = store if store is not None else ox.Store()
    for graph, path in _graph_files(layout):
        try:
            target.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
        except SyntaxError as exc:
            reason = re.sub(r"^Parser error (at|between) line \d+ column \d+( and line \d+ column \d+)?: ",
                            "", str(exc.msg)).split(" (", 1)[0]
            where = f"{exc.lineno}:{exc.offset or 0}" if exc.lineno else "1"
            raise InputError(f"{layout.display(path)}:{where}: Turtle syntax error: {reason}") from None
        except OSError as exc:
            raise InputError(f"{layout.display(path)}: cannot read ({exc})") from None
    return target


def open_store(directory: str | Path) -> ox.Store:
    """The on-disk store in ``directory``, read-only; anything else is an InputError."""
    import pyoxigraph as ox

    folder = Path(directory)
    if not (folder / MARKER).is_file():
        raise InputError(f"{folder}: not a store written by 'afkg build --store'")
    try:
        return ox.Store.read_only(str(folder))
    except OSError as exc:
        raise InputError(f"{folder}: cannot open the store ({exc})") from None


def check_store_target(directory: str | Path) -> Path:
    """``directory`` if a store may be written there (absent, empty, or a store already); else an InputError."""
    target = Path(directory)
    if target.exists() and not (target / MARKER).is_file():
        if not target.is_dir() or any(target.iterdir()):
            raise InputError(f"{target}: exists and is not a store written by 'afkg build --store'; "
                             "choose another folder")
    return target


def write_store(layout: Layout, directory: str | Path) -> Path:
    """Write the ontology and data of ``layout`` as an on-disk store in ``directory``.

    The store is built in a sibling folder and moved into place only when complete,
    so a failure leaves ``directory`` as it was.
    """
    import pyoxigraph as ox

    target = check_store_target(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        store = ox.Store(str(work / "db"))
        load_files(layout, store)
        store.optimize()
        store.flush()
        del store
        for item in (work / "db").iterdir():
            item.rename(work / item.name)
        (work / "db").rmdir()
        (work / MARKER).write_text("pyoxigraph store of an afkg project (ontology and data graphs)\n",
                                   encoding="utf-8")
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        work.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def graph_counts(store: ox.Store) -> dict[str, int]:
    """Triples in each named graph of ``store``."""
    counts = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        counts[row["g"].value] = int(row["n"].value)
    return dict(sorted(counts.items()))
