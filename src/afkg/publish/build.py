"""The main job: load, validate, and write the distribution files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from afkg.graph import KnowledgeGraph
from afkg.publish import export, metadata
from afkg.validate import Report, validate


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the validation report and the files written (none if it failed)."""

    report: Report
    files: tuple[Path, ...]


def build(kg: KnowledgeGraph, out_dir: Path) -> BuildResult:
    """Validate ``kg``; if it conforms, write the whole export (ontology, shapes, data and
    metadata) in every format, the VoID/DCAT description alone, and the JSON-LD
    context into ``out_dir``. Nothing is written otherwise."""
    report = validate(kg)
    if not report.conforms:
        return BuildResult(report=report, files=())
    from afkg.publish.context import context_text, load_context

    contents = {f"afkg.{ext}": export.export(kg, fmt) for fmt, (_, ext) in export.FORMATS.items()}
    contents["void.ttl"] = export.to_turtle(metadata.describe(kg, export.distribution_names()))
    contents["context.jsonld"] = context_text(load_context(kg.layout.context_file)).encode("utf-8")
    written = []
    for name, data in contents.items():
        path = Path(out_dir) / name
        export.write_atomic(path, data)
        written.append(path)
    return BuildResult(report=report, files=tuple(written))
