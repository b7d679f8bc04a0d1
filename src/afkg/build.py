"""The main job: load, validate, and write the distribution files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from afkg import export, metadata
from afkg.graph import KnowledgeGraph
from afkg.validate import Report, validate

DISTRIBUTIONS = {"afkg.ttl": "text/turtle", "afkg.nt": "application/n-triples"}
"""Files written by :func:`build`, with their media types (the metadata file aside)."""


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the validation report and the files written (none if it failed)."""

    report: Report
    files: tuple[Path, ...]


def build(kg: KnowledgeGraph, out_dir: Path) -> BuildResult:
    """Validate ``kg``; if it conforms, write the merged graph as Turtle and N-Triples
    and its VoID/DCAT description into ``out_dir``. Nothing is written otherwise."""
    report = validate(kg)
    if not report.conforms:
        return BuildResult(report=report, files=())
    contents = {
        "afkg.ttl": export.to_turtle(kg.merged),
        "afkg.nt": export.to_ntriples(kg.merged),
        "void.ttl": export.to_turtle(metadata.describe(kg, DISTRIBUTIONS)),
    }
    written = []
    for name, data in contents.items():
        path = Path(out_dir) / name
        export.write_atomic(path, data)
        written.append(path)
    return BuildResult(report=report, files=tuple(written))
