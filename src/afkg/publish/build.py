"""The main job: load, validate, and write the distribution files, all or nothing.

The files are written into a new folder next to the output folder; only when
every one of them is written does that folder take the output folder's place
(the old one is moved aside, the new one renamed in, the old one removed). A
failure at any step leaves the old output folder exactly as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from afkg.atomic import replace_folder, write_files, write_folder
from afkg.errors import InputError
from afkg.graph import KnowledgeGraph
from afkg.publish import export, metadata
from afkg.rdf.context import context_text, load_context
from afkg.validation.validate import Report, validate


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the validation report and the files written (none if it failed)."""

    report: Report
    files: tuple[Path, ...]


def file_names() -> tuple[str, ...]:
    """The names of the files a build writes."""
    return (*(f"afkg.{ext}" for _, ext in export.FORMATS.values()), "void.ttl", "context.jsonld")


def _check_target(out_dir: Path) -> None:
    """The output folder may be new, empty, or hold only what a build writes."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: is a file, not a folder")
    if not out_dir.exists():
        return
    try:
        others = sorted(entry.name for entry in os.scandir(out_dir)
                        if entry.name not in file_names() or not entry.is_file(follow_symlinks=False))
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot read ({exc.strerror})") from None
    if others:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise InputError(f"{out_dir}: holds files build does not write ({shown}); "
                         f"choose an empty folder or remove them")


_write_folder = write_files
"""Writes the files of a build into its new folder."""


def build(kg: KnowledgeGraph, out_dir: Path, *, progress: Callable[[str], None] | None = None) -> BuildResult:
    """Validate ``kg``; if it conforms, write the whole export (ontology, shapes, data and
    metadata) in every format, the VoID/DCAT description alone, and the JSON-LD
    context into ``out_dir``, all or nothing. Nothing is written otherwise."""
    note = progress or (lambda message: None)
    shown = Path(out_dir)
    out_dir = Path(os.path.realpath(shown)) if shown.is_symlink() else shown
    _check_target(out_dir)
    note("validating (SHACL and quotes)")
    report = validate(kg)
    if not report.conforms:
        return BuildResult(report=report, files=())
    contents: dict[str, bytes] = {}
    for fmt, (_, ext) in export.FORMATS.items():
        note(f"writing afkg.{ext}")
        contents[f"afkg.{ext}"] = export.export(kg, fmt)
    contents["void.ttl"] = export.to_turtle(metadata.describe(kg, export.distribution_names()))
    contents["context.jsonld"] = context_text(load_context(kg.layout.context_file)).encode("utf-8")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new.", dir=out_dir.parent))
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write ({exc.strerror}); nothing was written") from None
    try:
        write_folder(new, lambda folder: _write_folder(folder, contents),
                     lambda folder: replace_folder(folder, out_dir))
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write ({exc.strerror or exc}); nothing was changed") from None
    return BuildResult(report=report, files=tuple(shown / name for name in contents))
