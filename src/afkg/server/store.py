"""The pyoxigraph store the server queries: the ontology and the data, each in its named graph.

Queries see the union of the named graphs as their default graph (what ``afkg query``
sees), unless the request names its own dataset. A store can be built from the
project files in memory, or written once to disk (``afkg build --store DIR``) and
opened read-only by every worker.

A store on disk carries a stamp (:data:`STAMP`): the SHA-256 of every file of the
project's ``ontology/`` and ``data/`` folders when it was written, and the triples of
each graph. ``afkg build`` writes a store only for a graph that conforms to its shapes,
so ``afkg serve --store DIR`` serves it without validating again, after checking that
the project's files are still those of the stamp (:func:`check_stamp`); a store whose
stamp does not match is refused, with the file that differs and the command that
writes the store again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, cast

import pyoxigraph as ox

from afkg.atomic import replace_folder
from afkg.errors import InputError
from afkg.layout import Layout
from afkg.rdf.loader import load_file

if TYPE_CHECKING:
    import pyoxigraph as ox

DATA_GRAPH = "https://w3id.org/afkg/graph/data"
ONTOLOGY_GRAPH = "https://w3id.org/afkg/graph/ontology"
MARKER = "afkg-store.txt"
"""A file written next to the database by ``afkg build --store``, so that any other folder is refused."""
STAMP = "afkg-stamp.json"
"""The stamp of a store: the digests of the project files it was built from, and its graphs' sizes."""
STAMP_VERSION = 1
STAMPED_FOLDERS = ("ontology", "data")
"""The project folders whose files make the graph and decide whether it conforms."""


def _graph_files(layout: Layout) -> list[tuple[str, Path]]:
    return [(ONTOLOGY_GRAPH, layout.ontology_file)] + [(DATA_GRAPH, p) for p in layout.data_files()]


def load_files(layout: Layout, store: ox.Store | None = None) -> ox.Store:
    """The ontology and data of ``layout`` in ``store`` (a new in-memory store if None), by oxigraph's
    bulk loader; relative IRIs are not resolved (a file that has one is refused as a syntax error)."""
    target = store if store is not None else ox.Store()
    for graph, path in _graph_files(layout):
        load_file(target, path, layout.display(path), graph=graph, base=False, bulk=True, too_large=None,
                  unreadable=_cannot_read, failures=(OSError,))
    return target


def _cannot_read(exc: Exception) -> str:
    """What a file that oxigraph's bulk loader could not take in says (the OSError itself)."""
    return f"cannot read ({exc})"


def open_store(directory: str | Path) -> ox.Store:
    """The on-disk store in ``directory``, read-only; anything else is an InputError."""
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
    target = check_store_target(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    digests = file_digests(layout)  # before loading: a file changed meanwhile makes the stamp not match
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        store = ox.Store(str(work / "db"))
        load_files(layout, store)
        store.optimize()
        store.flush()
        counts = graph_counts(store)
        del store
        for item in (work / "db").iterdir():
            item.rename(work / item.name)
        (work / "db").rmdir()
        (work / MARKER).write_text("pyoxigraph store of an afkg project (ontology and data graphs)\n",
                                   encoding="utf-8")
        stamp = {"version": STAMP_VERSION, "pyoxigraph": getattr(ox, "__version__", None), "graphs": counts,
                 "files": digests}
        (work / STAMP).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")
        replace_folder(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def file_digests(layout: Layout) -> dict[str, str]:
    """The SHA-256 of every file of the project's ``ontology/`` and ``data/`` folders (hidden
    ones aside), by path relative to the project, in order."""
    digests = {}
    root = layout.root
    for folder in STAMPED_FOLDERS:
        top = root / folder
        for directory, subfolders, names in os.walk(top):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            for name in sorted(names):
                if name.startswith("."):
                    continue
                path = Path(directory) / name
                try:
                    with open(path, "rb") as stream:
                        digest = hashlib.file_digest(stream, "sha256").hexdigest()
                except OSError as exc:
                    raise InputError(f"{layout.display(path)}: cannot read ({exc.strerror})") from None
                digests[path.relative_to(root).as_posix()] = digest
    return digests


class Stamp(TypedDict):
    """What :data:`STAMP` holds."""

    version: int
    pyoxigraph: str | None
    graphs: dict[str, int]
    files: dict[str, str]


def read_stamp(directory: str | Path) -> Stamp:
    """The stamp of the store in ``directory``; an InputError if it is not a store or has no stamp."""
    folder = Path(directory)
    if not (folder / MARKER).is_file():
        raise InputError(f"{folder}: not a store written by 'afkg build --store'")
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
        if not isinstance(stamp, dict) or stamp.get("version") != STAMP_VERSION or not isinstance(
                stamp.get("files"), dict) or not isinstance(stamp.get("graphs"), dict):
            raise ValueError
    except (OSError, ValueError):
        raise InputError(f"{folder}: the store has no stamp of the files it was built from (an older afkg wrote "
                         f"it); write it again with 'afkg build --store {folder}'") from None
    return cast(Stamp, stamp)


def check_stamp(directory: str | Path, layout: Layout) -> Stamp:
    """The stamp of the store in ``directory`` if the project's files are those it was built from;
    else an InputError that names the first file that differs."""
    stamp = read_stamp(directory)
    recorded: dict[str, str] = stamp["files"]
    current = file_digests(layout)
    if current != recorded:
        changed = sorted(p for p in current.keys() & recorded.keys() if current[p] != recorded[p])
        added = sorted(current.keys() - recorded.keys())
        removed = sorted(recorded.keys() - current.keys())
        what = (f"{changed[0]} changed" if changed else f"{added[0]} was added" if added
                else f"{removed[0]} was removed")
        count = len(changed) + len(added) + len(removed)
        more = f" (and {count - 1} other file{'s' if count > 2 else ''})" if count > 1 else ""
        raise InputError(f"{directory}: the store was built from other files than the project's: {what}{more} "
                         f"since; write it again with 'afkg build --store {directory}' (which validates the graph)")
    return stamp


def graph_counts(store: ox.Store) -> dict[str, int]:
    """Triples in each named graph of ``store``."""
    counts = {}
    answer = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(answer, ox.QuerySolutions), "a SELECT query has solutions"
    for row in answer:
        counts[row["g"].value] = int(row["n"].value)
    return dict(sorted(counts.items()))
