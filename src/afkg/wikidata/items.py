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
import io
import re
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from afkg.errors import InputError
from afkg.files import MAX_JSON_BYTES, MAX_TABLE_BYTES, load_json, read_text
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
    """The checked identifiers: id -> (label, kind), from ``data/wikidata/reference-ids.tsv`` and
    each data folder's own ``wikidata-ids.tsv``. A missing column, a short row, a byte that is not
    UTF-8, or one id listed twice with another label or kind is a one-line InputError naming the
    file and line."""
    checked: dict[str, tuple[str, str]] = {}
    where: dict[str, str] = {}
    for path in layout.wikidata_id_files():
        name = layout.display(path)
        for number, item, entry in _id_table(path, name):
            if item in checked and checked[item] != entry:
                raise InputError(f"{name}:{number}: {item} is listed as {entry[0]!r} ({entry[1]}) here and as "
                                 f"{checked[item][0]!r} ({checked[item][1]}) in {where[item]}")
            checked.setdefault(item, entry)
            where.setdefault(item, f"{name}:{number}")
    return checked


def _id_table(path: Path, name: str) -> list[tuple[int, str, tuple[str, str]]]:
    """The rows of one table of checked identifiers: (line, id, (label, kind))."""
    text = read_text(path, MAX_TABLE_BYTES, name)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    header = next(rows, None)
    if header is None or not {"id", "label", "kind"} <= set(header):
        raise InputError(f"{name}:1: the header must name the columns id, label and kind")
    columns = {column: header.index(column) for column in ("id", "label", "kind")}
    found: list[tuple[int, str, tuple[str, str]]] = []
    for number, row in enumerate(rows, 2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(columns.values()):
            raise InputError(f"{name}:{number}: {len(row)} columns, expected at least {max(columns.values()) + 1}")
        if row[columns["id"]]:
            found.append((number, row[columns["id"]], (row[columns["label"]], row[columns["kind"]])))
    return found


def snapshot_path(layout: Layout) -> Path:
    return layout.wikidata_dir / "items.json"


def _check_item(name: str, item: str, record: Any) -> None:
    """A recorded item must have the shape ``afkg link refresh`` writes."""
    where = f"{name}: item {item!r}"
    if not isinstance(record, dict):
        raise InputError(f"{where}: not an object")
    for key in ("label", "description"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise InputError(f"{where}: \"{key}\" is not a string")
    instance_of = record.get("instanceOf", [])
    if not isinstance(instance_of, list) or not all(isinstance(x, str) for x in instance_of):
        raise InputError(f"{where}: \"instanceOf\" is not a list of strings")
    statements = record.get("statements", {})
    if not isinstance(statements, dict):
        raise InputError(f"{where}: \"statements\" is not an object")
    for prop, values in statements.items():
        if not isinstance(values, list) or not all(isinstance(v, dict) and "value" in v for v in values):
            raise InputError(f"{where}: statements of {prop} are not a list of objects with a \"value\"")


def load_snapshot(layout: Layout) -> dict[str, Any]:
    """The recorded items (``{"retrieved": …, "items": {qid: …}}``), empty if never refreshed.

    The file is bounded in size and depth, and every item is checked for the shape
    ``afkg link refresh`` writes; anything else is a one-line InputError."""
    path = snapshot_path(layout)
    name = layout.display(path)
    if not path.exists() and not path.is_symlink():
        return {"retrieved": None, "items": {}}
    data = load_json(path, MAX_JSON_BYTES, name)
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise InputError(f"{name}: not a recorded snapshot (no \"items\" object)")
    for item, record in data["items"].items():
        _check_item(name, item, record)
    return data


def linked_entities(kg: KnowledgeGraph) -> list[tuple[URIRef, URIRef, Identifier]]:
    """(entity, match property, Wikidata IRI) for every instance linked to Wikidata."""
    links: list[tuple[URIRef, URIRef, Identifier]] = []
    for prop in (OWL.sameAs, SKOS.closeMatch):
        for entity, target in kg.data.subject_objects(prop):
            # every term of a graph afkg reads is an Identifier (a URIRef, BNode or Literal)
            if "wikidata.org" in str(target) and isinstance(entity, URIRef) and isinstance(target, Identifier):
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
