"""Where the files of an afkg project are.

This is the only module that knows the folder layout:

    ontology/afkg.ttl        the OWL ontology
    ontology/shapes.ttl      the SHACL shapes
    ontology/context.jsonld  the JSON-LD context of exports
    data/shared/*.ttl        the entities several relations mention (states, organisations, places…)
    data/<pair>/*.ttl        the facts of one bilateral relation, and its source text
    data/wikidata/           recorded Wikidata answers
    queries/*.rq             stored SPARQL queries

A folder is a project when it holds ``ontology/afkg.ttl``. Which project a command
uses (:func:`find_project`, first match wins): ``--root``, ``$AFKG_ROOT``, the first
project folder from the current folder upwards (as git finds a repository), the
source checkout the package runs from, the example project bundled in the wheel.

It imports no RDF library, so that commands which need only paths start fast.
"""

from __future__ import annotations

import os
from pathlib import Path

from afkg.errors import InputError
from afkg.files import is_folder, list_folder
from afkg.records import Record

SHARED_FOLDER = "shared"
"""The data folder of entities that several relations mention; every other data folder is one relation's."""

FOLDER_WIKIDATA_IDS = "wikidata-ids.tsv"
"""A data folder's own checked Wikidata identifiers (the columns of data/wikidata/reference-ids.tsv)."""

ROOT_ENV = "AFKG_ROOT"
"""Environment variable that points afkg at a project folder."""


class Layout(Record):
    """The files of one afkg project folder. Frozen, compared by its root (a plain class rather than a
    dataclass: see :mod:`afkg.records`)."""

    __match_args__ = ("root",)

    root: Path

    def __init__(self, root: Path) -> None:
        self.__dict__["root"] = root

    _COMPARED = ("root",)

    @property
    def ontology_file(self) -> Path:
        return self.root / "ontology" / "afkg.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def context_file(self) -> Path:
        return self.root / "ontology" / "context.jsonld"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def wikidata_dir(self) -> Path:
        return self.data_dir / "wikidata"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def shared_dir(self) -> Path:
        """``data/shared/``: the entities that several relations mention, each described once."""
        return self.data_dir / SHARED_FOLDER

    def pair_dirs(self) -> list[Path]:
        """The folders of bilateral relations: every folder of ``data/`` with Turtle files."""
        if not self.data_dir.exists() and not self.data_dir.is_symlink():
            raise InputError(f"{self.data_dir}: no data folder here (set --root or {ROOT_ENV})")
        entries = list_folder(self.data_dir, self.display(self.data_dir))
        for entry in entries:
            if entry.is_symlink():
                try:
                    os.stat(entry)
                except FileNotFoundError:
                    raise InputError(f"{self.display(entry)}: a symlink to nothing ({os.readlink(entry)})") from None
                except OSError:
                    pass  # a loop or an unreadable link: is_folder below names it
        return [d for d in entries if d.name != "wikidata" and is_folder(d) and self.turtle_files(d)]

    def turtle_files(self, pair: Path) -> list[Path]:
        """The ``*.ttl`` entries of one pair folder, sorted; an unreadable folder is an InputError."""
        return [f for f in list_folder(pair, self.display(pair)) if f.suffix == ".ttl" and not f.name.startswith(".")]

    def wikidata_id_files(self) -> list[Path]:
        """The checked Wikidata identifiers: ``data/wikidata/reference-ids.tsv``, then each data
        folder's own ``wikidata-ids.tsv`` (same columns), in folder order."""
        own = [d / FOLDER_WIKIDATA_IDS for d in self.pair_dirs()]
        return [self.wikidata_dir / "reference-ids.tsv", *[f for f in own if f.is_file() or f.is_symlink()]]

    def data_files(self) -> list[Path]:
        """Every data file, in a stable order."""
        return [f for d in self.pair_dirs() for f in self.turtle_files(d)]

    def display(self, path: Path) -> str:
        """``path`` relative to the project root when it lies inside it."""
        for resolve in (os.path.abspath, os.path.realpath):  # the costly realpath only when needed
            candidate, root = resolve(path), resolve(self.root)
            shown = _relative(candidate, root)
            if shown is not None:
                return shown
        return str(path)


def _relative(candidate: str, root: str) -> str | None:
    """``str(Path(candidate).relative_to(root))`` for two normalised absolute paths, or None when
    ``candidate`` does not lie in ``root``. On strings: a file read by a command is shown through
    :meth:`Layout.display`, and building paths to compare them cost a cold start more than reading."""
    if not candidate.startswith("/") or not root.startswith("/") or candidate.startswith("//") or root.startswith("//"):
        path, base = Path(candidate), Path(root)  # a form the string rules below do not cover
        return str(path.relative_to(base)) if path.is_relative_to(base) else None
    if candidate == root:
        return "."
    if root == "/":
        return candidate[1:]
    return candidate[len(root) + 1:] if candidate.startswith(root + "/") else None


PROJECT_MARKER = Path("ontology") / "afkg.ttl"
"""The file that makes a folder an afkg project (the folder also holds ``data/`` and ``queries/``)."""


class Project(Record):
    """The project folder afkg uses, and how it was chosen. Frozen, compared by its fields (a plain
    class rather than a dataclass: see :mod:`afkg.records`)."""

    __match_args__ = ("layout", "source", "note")

    layout: Layout
    source: str
    """``--root``, ``$AFKG_ROOT``, ``cwd`` (the current folder or one above it), ``checkout`` or ``bundle``."""
    note: str | None
    """One line for standard error when the choice is not the obvious one (a fallback), else None."""

    def __init__(self, layout: Layout, source: str, note: str | None = None) -> None:
        self.__dict__.update(layout=layout, source=source, note=note)

    _COMPARED = ("layout", "source", "note")


def is_project(folder: Path) -> bool:
    """Whether ``folder`` holds ``ontology/afkg.ttl``; an unreadable folder is not a project."""
    try:
        return (folder / PROJECT_MARKER).is_file()
    except OSError:
        return False


def find_upwards(start: Path) -> Path | None:
    """The first folder from ``start`` upwards that is a project, as git finds a repository."""
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        if is_project(folder):
            return folder
    return None


def _checkout_root() -> Path | None:
    """The source checkout the package runs from (``src/afkg/`` inside a project folder)."""
    checkout = Path(__file__).resolve().parent.parent.parent
    return checkout if is_project(checkout) else None


def _bundled_root() -> Path | None:
    """The example project shipped inside an installed wheel."""
    bundle = Path(__file__).resolve().parent / "_bundle"
    return bundle if is_project(bundle) else None


def _explicit(path: Path) -> Layout:
    if not is_project(path):
        raise InputError(f"{path}: not an afkg project folder (no {PROJECT_MARKER.as_posix()})")
    return Layout(path)


def find_project(root: str | os.PathLike[str] | None = None, *, cwd: str | os.PathLike[str] | None = None) -> Project:
    """The project folder to use, first match wins: ``root`` (``--root``), ``$AFKG_ROOT``, the
    first folder holding ``ontology/afkg.ttl`` from ``cwd`` (default: the current folder)
    upwards, the source checkout the package runs from, the example project bundled with
    the package. An explicit folder that is not a project is an error, never a fallback."""
    if root:
        return Project(_explicit(Path(root)), "--root")
    from_env = os.environ.get(ROOT_ENV)
    if from_env:
        return Project(_explicit(Path(from_env)), f"${ROOT_ENV}")
    try:
        start: Path | None = Path(cwd) if cwd is not None else Path.cwd()
    except OSError:  # the current folder was removed or cannot be read
        start = None
    found = find_upwards(start) if start is not None else None
    if found is not None:
        return Project(Layout(found), "cwd")
    if start is not None:
        where = f"from {os.path.abspath(start)} upwards"
    else:
        where = "upwards: the current folder cannot be read"
    checkout = _checkout_root()
    if checkout is not None:
        return Project(Layout(checkout), "checkout",
                       f"using the source checkout {checkout} (no project folder found {where})")
    bundled = _bundled_root()
    if bundled is not None:
        return Project(Layout(bundled), "bundle",
                       f"using the bundled example project (no project folder found {where})")
    raise InputError(f"no afkg project folder found {where}; set --root or {ROOT_ENV}")


def default_layout(root: str | os.PathLike[str] | None = None) -> Layout:
    """The project folder to use: see :func:`find_project` (which also says how it was chosen)."""
    return find_project(root).layout
