"""Links to Wikidata: check them offline, refresh the recorded items online, suggest
items for unlinked entities, compare the graph with Wikidata, and offer the
graph's missing facts as QuickStatements.

Recorded knowledge lives in ``data/wikidata/``:

- ``reference-ids.tsv``: identifiers checked by hand (label, kind); the only
  identifiers the graph may use.
- ``items.json``: what ``afkg link refresh`` last fetched from the Wikidata API
  for every linked item (label, description, instance-of, and the statements of
  the properties the graph also states), with the retrieval date.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from afkg.errors import InputError
from afkg.graph import KnowledgeGraph
from afkg.layout import Layout
from afkg.namespaces import AFKG, OWL, RDF, RDFS, SKOS

API = "https://www.wikidata.org/w/api.php"
API_ENV = "AFKG_WIKIDATA_API"
ENTITY = "http://www.wikidata.org/entity/"
ITEM_IRI = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
BATCH = 50
"""Items per wbgetentities request (the API's limit for ordinary clients)."""

RECORDED_PROPERTIES = ("P31", "P463", "P35", "P6", "P530", "P17", "P131", "P159", "P1001",
                       "P361", "P580", "P582", "P585", "P710", "P276", "P137", "P1344")
"""Statements kept from each item: those of properties the graph also states."""

KIND_CLASSES = {
    "country": ("Country",), "former state": ("FormerState",), "organisation": ("Organization",),
    "person": ("Person",), "city": ("Place",), "region": ("Place",),
    "event": ("Event",), "period": ("Event",), "ethnic group": ("Group",),
    "position": ("Office",), "family": ("Group",),
}
"""Kinds of the checked list, and the afkg classes (or their subclasses) they fit."""


# --- recorded knowledge -----------------------------------------------------------------

def reference_ids(layout: Layout) -> dict[str, tuple[str, str]]:
    """The checked identifiers: id -> (label, kind)."""
    path = layout.wikidata_dir / "reference-ids.tsv"
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream, delimiter="\t"))
    except OSError as exc:
        raise InputError(f"{layout.display(path)}: cannot read ({exc.strerror})") from None
    return {row["id"]: (row["label"], row["kind"]) for row in rows if row.get("id")}


def snapshot_path(layout: Layout) -> Path:
    return layout.wikidata_dir / "items.json"


def load_snapshot(layout: Layout) -> dict[str, Any]:
    """The recorded items (``{"retrieved": …, "items": {qid: …}}``), empty if never refreshed."""
    path = snapshot_path(layout)
    if not path.exists():
        return {"retrieved": None, "items": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{layout.display(path)}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise InputError(f"{layout.display(path)}: not a recorded snapshot (no \"items\" object)")
    return data


def linked_entities(kg: KnowledgeGraph) -> list[tuple[URIRef, URIRef, str]]:
    """(entity, match property, Wikidata IRI) for every instance linked to Wikidata."""
    links = []
    for prop in (OWL.sameAs, SKOS.closeMatch):
        for entity, target in kg.data.subject_objects(prop):
            if "wikidata.org" in str(target) and isinstance(entity, URIRef):
                links.append((entity, prop, target))
    return sorted(links)


def unlinked_entities(kg: KnowledgeGraph) -> list[URIRef]:
    return sorted(s for s in kg.data.subjects(AFKG.needsWikidataLink, Literal(True)) if isinstance(s, URIRef))


def qid(iri: Any) -> str:
    return str(iri).rsplit("/", 1)[-1]


# --- offline check ----------------------------------------------------------------------

def classes_of(kg: KnowledgeGraph, entity: URIRef) -> set[str]:
    """Local names of the entity's afkg classes and all their superclasses."""
    names = set()
    for cls in kg.data.objects(entity, RDF.type):
        for up in kg.ontology.transitive_objects(cls, RDFS.subClassOf):
            if str(up).startswith(str(AFKG)):
                names.add(str(up)[len(str(AFKG)):])
    return names


def labels_of(kg: KnowledgeGraph, entity: URIRef) -> set[str]:
    return {str(v).casefold() for p in (RDFS.label, SKOS.altLabel) for v in kg.data.objects(entity, p)}


def class_items(kg: KnowledgeGraph, entity: URIRef) -> set[str]:
    """Wikidata classes the ontology aligns with the entity's classes, their superclasses and its kind."""
    terms = {up for cls in kg.data.objects(entity, RDF.type)
             for up in kg.ontology.transitive_objects(cls, RDFS.subClassOf)}
    terms |= set(kg.data.objects(entity, AFKG.kind))
    return {qid(o) for term in terms for p in (SKOS.exactMatch, SKOS.closeMatch)
            for o in kg.ontology.objects(term, p) if str(o).startswith(ENTITY + "Q")}
