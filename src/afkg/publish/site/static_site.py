"""The static site: the same pages as the server's, written as files with relative links.

Every page ``/X`` becomes ``X.html`` (``/`` is ``index.html``), and each resource
page has its ``.ttl``, ``.nt``, ``.jsonld`` and ``.rdf`` beside it, so the w3id
IRIs can redirect to the folder once it is published. The folder is built in a
temporary folder next to the target and renamed into place: a failure leaves any
previous site as it was.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from afkg.atomic import replace_folder, write_folder
from afkg.errors import InputError
from afkg.publish.site.app import RESOURCE_FORMATS, Site, runs_with_defaults
from afkg.publish.site.links import file_for
from afkg.publish.site.queries import downloads_for


def site_paths(site: Site) -> list[str]:
    """Every logical path the static site holds, pages first."""
    paths = ["/", "/ontology", "/ontology.ttl", "/queries", "/timeline", "/trade", "/sparql", "/search"]
    paths += [f"/source/{pair}" for pair in site.pairs]
    paths += [f"/relation/{pair}" for pair in site.pairs]
    for name in site.catalogue.names():
        paths.append(f"/queries/{name}")
        query = site.catalogue.get(name)
        if not query.federated and runs_with_defaults(query):
            paths += [f"/api/queries/{name}.{suffix}" for suffix in downloads_for(query)]
    for path in site.resource_paths():
        paths.append(f"/resource/{path}")
        paths += [f"/resource/{path}.{suffix}" for suffix in RESOURCE_FORMATS[1:]]
    paths += [f"/static/{name}" for name in site.static_files]
    paths += [f"/dist/{name}" for name in site.downloads]
    return paths


def write_site(site: Site, out_dir: Path) -> int:
    """Write the static site into ``out_dir`` (replacing it as a whole); returns the number of files."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (out_dir.is_symlink() or not out_dir.is_dir()):
        raise InputError(f"{out_dir}: exists and is not a folder; not replaced")
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write ({exc.strerror})") from None
    written: list[str] = []

    def fill(folder: Path) -> None:
        for path in site_paths(site):
            answer = site.get(path, static=True)
            if answer.status >= 400 and not path.startswith("/queries/"):
                raise InputError(f"{path}: the site answered {answer.status}; nothing was written")
            target = folder / file_for(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(answer.body)
            written.append(path)

    try:
        write_folder(building, fill, lambda folder: replace_folder(folder, out_dir))
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write ({exc.strerror})") from None
    return len(written)
