"""Which data folder describes which resource, and what each folder may refer to.

A resource is *described* in a file that gives it an ``rdf:type``; it is *used* in a file
where it appears as a subject or an object. Only the project's own resources count (IRIs
under ``https://w3id.org/afkg/resource/``): ontology terms, kinds and Wikidata items are
defined elsewhere. The rules, one problem each, every message naming the files:

- a resource is described in one data folder only: two relation folders that both type
  it (a fact name reused, an entity copied) would otherwise merge into one node unnoticed;
- every resource used is described somewhere (no dangling reference);
- a relation folder uses only what it describes itself or what ``data/shared/``
  describes, never what another relation's folder describes; ``data/shared/`` uses only
  what it describes itself.

It reads the parsed triples of a loaded project (:class:`afkg.project.Project`) once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from afkg.layout import SHARED_FOLDER

if TYPE_CHECKING:
    from afkg.project import Project

RESOURCE_NS = "https://w3id.org/afkg/resource/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class ReferenceProblem:
    """One broken rule: the resource concerned, the file where it shows, and a sentence."""

    iri: str
    file: str
    message: str


def _ours(term: object) -> str | None:
    """The IRI of ``term`` if it is one of the project's resources, else None."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(RESOURCE_NS):
        return term.value
    return None


def reference_problems(project: Project) -> list[ReferenceProblem]:
    """Every resource described in two data folders, used but described nowhere, or used
    across relation folders; in a stable order (file, then IRI)."""
    data = project.triples.get("data", [])
    described: dict[str, list[tuple[str, str]]] = {}
    """IRI -> (folder, file) of each file that types it, in load order."""
    used: dict[tuple[str, str], tuple[str, str]] = {}
    """(file, IRI) -> (folder, file), once per file and IRI."""
    for folder, name, start, end in project.files:
        for triple in data[start:end]:
            subject = _ours(triple.subject)
            if subject is not None:
                used.setdefault((name, subject), (folder, name))
                if triple.predicate.value == _RDF_TYPE:
                    places = described.setdefault(subject, [])
                    if (folder, name) not in places:
                        places.append((folder, name))
            obj = _ours(triple.object)
            if obj is not None:
                used.setdefault((name, obj), (folder, name))
    problems: list[ReferenceProblem] = []
    for iri, places in described.items():
        folders = {folder for folder, _ in places}
        if len(folders) > 1:
            first, second = places[0][1], next(name for folder, name in places if folder != places[0][0])
            problems.append(ReferenceProblem(iri, second, (
                f"Described in two data folders, in {first} and in {second}: a resource belongs to one folder "
                f"(mint a relation's own facts and entities under its name; describe what several relations "
                f"mention once, in data/{SHARED_FOLDER}/).")))
    for (name, iri), (folder, _) in sorted(used.items()):
        owned = described.get(iri)
        if not owned:
            problems.append(ReferenceProblem(iri, name, (
                f"Used in {name} but described nowhere (no data file gives it an rdf:type): describe it in that "
                f"folder, or in data/{SHARED_FOLDER}/ if several relations mention it.")))
            continue
        owners = {owner for owner, _ in owned}
        if folder in owners or (SHARED_FOLDER in owners and folder != SHARED_FOLDER):
            continue
        if folder == SHARED_FOLDER:
            rule = f"data/{SHARED_FOLDER}/ may use only what it describes itself"
        else:
            rule = f"a relation folder may use only what it or data/{SHARED_FOLDER}/ describes"
        problems.append(ReferenceProblem(iri, name, (
            f"Used in {name} but described only in {owned[0][1]}, another relation's folder: {rule}; "
            f"move its description to data/{SHARED_FOLDER}/.")))
    problems.sort(key=lambda p: (p.file, p.iri, p.message))
    return problems
