"""Where the files of an afkg project are.

This is the only module that knows the folder layout:

    ontology/afkg.ttl        the OWL ontology
    ontology/shapes.ttl      the SHACL shapes
    ontology/context.jsonld  the JSON-LD context of exports
    data/<pair>/*.ttl        the facts of one bilateral relation, and its source text
    data/wikidata/           recorded Wikidata answers
    queries/*.rq             stored SPARQL queries

It imports no RDF library, so that commands which need only paths start fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from afkg.errors import InputError
from afkg.files import is_folder, list_folder

ROOT_ENV = "AFKG_ROOT"
"""Environment variable that points afkg at a project folder."""


@dataclass(frozen=True)
class Layout:
    """The files of one afkg project folder."""

    root: Path

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

    def data_files(self) -> list[Path]:
        """Every data file, in a stable order."""
        return [f for d in self.pair_dirs() for f in self.turtle_files(d)]

    def display(self, path: Path) -> str:
        """``path`` relative to the project root when it lies inside it."""
        for resolve in (os.path.abspath, os.path.realpath):  # the costly realpath only when needed
            candidate, root = Path(resolve(path)), Path(resolve(self.root))
            if candidate.is_relative_to(root):
                return str(candidate.relative_to(root))
        return str(path)


def _bundled_root() -> Path | None:
    """The copy of ontology, data and queries shipped inside an installed wheel."""
    here = Path(__file__).resolve().parent
    bundle = here / "_bundle"
    if (bundle / "ontology" / "afkg.ttl").is_file():
        return bundle
    checkout = here.parent.parent
    if (checkout / "ontology" / "afkg.ttl").is_file():
        return checkout
    return None


def default_layout(root: str | os.PathLike[str] | None = None) -> Layout:
    """The project folder to use: ``root`` if given, else ``$AFKG_ROOT``, else the
    source checkout or the copy bundled with the package."""
    chosen = root or os.environ.get(ROOT_ENV)
    if chosen:
        path = Path(chosen)
        if not (path / "ontology" / "afkg.ttl").is_file():
            raise InputError(f"{path}: not an afkg project folder (no ontology/afkg.ttl)")
        return Layout(path)
    bundled = _bundled_root()
    if bundled is None:
        raise InputError(f"no afkg project folder found; set --root or {ROOT_ENV}")
    return Layout(bundled)
