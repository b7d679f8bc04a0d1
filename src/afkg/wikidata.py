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
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from afkg.atomic import write_atomic
from afkg.errors import InputError, NetworkError
from afkg.graph import KnowledgeGraph
from afkg.layout import Layout
from afkg.namespaces import AFKG, DCTERMS, ORG, OWL, RDF, RDFS, SKOS, VOID
from afkg.validate import short

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
    "person": ("Person",), "city": ("City",), "region": ("Region", "DependentTerritory"),
    "event": ("Event",), "period": ("Event",), "ethnic group": ("PeopleGroup",),
    "position": ("Office",), "family": ("Family",),
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

def _classes_of(kg: KnowledgeGraph, entity: URIRef) -> set[str]:
    """Local names of the entity's afkg classes and all their superclasses."""
    names = set()
    for cls in kg.data.objects(entity, RDF.type):
        for up in kg.ontology.transitive_objects(cls, RDFS.subClassOf):
            if str(up).startswith(str(AFKG)):
                names.add(str(up)[len(str(AFKG)):])
    return names


def _labels_of(kg: KnowledgeGraph, entity: URIRef) -> set[str]:
    return {str(v).casefold() for p in (RDFS.label, SKOS.altLabel) for v in kg.data.objects(entity, p)}


def _class_items(kg: KnowledgeGraph, entity: URIRef) -> set[str]:
    """Wikidata classes the ontology aligns with the entity's classes and superclasses."""
    items = set()
    for cls in kg.data.objects(entity, RDF.type):
        for up in kg.ontology.transitive_objects(cls, RDFS.subClassOf):
            for p in (SKOS.exactMatch, SKOS.closeMatch):
                items |= {qid(o) for o in kg.ontology.objects(up, p) if str(o).startswith(ENTITY + "Q")}
    return items


def check(kg: KnowledgeGraph) -> tuple[list[str], list[str]]:
    """Offline problems with the links (one line each), and the unlinked entities."""
    layout = kg.layout
    checked = reference_ids(layout)
    items = load_snapshot(layout)["items"]
    problems: list[str] = []
    owners: dict[str, list[URIRef]] = {}
    for entity, prop, target in linked_entities(kg):
        name = short(entity)
        if not ITEM_IRI.match(str(target)):
            problems.append(f"{name}: {short(prop)} <{target}> is not a Wikidata item IRI "
                            f"(http://www.wikidata.org/entity/Q…)")
            continue
        item = qid(target)
        if prop == OWL.sameAs:
            owners.setdefault(item, []).append(entity)
        if item not in checked:
            problems.append(f"{name}: {item} is not in the checked identifiers (data/wikidata/reference-ids.tsv)")
            continue
        recorded = items.get(item, {})
        label = recorded.get("label") or checked[item][0]
        if prop == OWL.sameAs and label.casefold() not in _labels_of(kg, entity):
            problems.append(f"{name}: label mismatch: the graph says "
                            f"{' / '.join(sorted(str(v) for v in kg.data.objects(entity, RDFS.label)))!r}, "
                            f"Wikidata {item} says {label!r}")
        instance_of = set(recorded.get("instanceOf") or [])
        expected = _class_items(kg, entity)
        kind = checked[item][1]
        if instance_of and expected and not instance_of & expected:
            problems.append(f"{name}: class mismatch: {item} is an instance of {', '.join(sorted(instance_of))}, "
                            f"none of {', '.join(sorted(expected))} that the entity's classes align with")
        elif kind in KIND_CLASSES and not set(KIND_CLASSES[kind]) & _classes_of(kg, entity):
            problems.append(f"{name}: class mismatch: {item} is a {kind}, but the entity is "
                            f"{', '.join(sorted(short(c) or '' for c in kg.data.objects(entity, RDF.type)))}")
    for item, entities in sorted(owners.items()):
        if len(entities) > 1:
            problems.append(f"{item}: owl:sameAs of several entities: {', '.join(short(e) or '' for e in entities)}")
    for entity in unlinked_entities(kg):
        if any(True for p in (OWL.sameAs, SKOS.closeMatch) for _ in kg.data.objects(entity, p)):
            problems.append(f"{short(entity)}: marked afkg:needsWikidataLink but carries a Wikidata link")
    unlinked = [f"{short(e)}  {kg.data.value(e, RDFS.label)}" for e in unlinked_entities(kg)]
    return problems, unlinked


# --- online: refresh and suggest ---------------------------------------------------------

def _claim_value(snak: dict[str, Any]) -> Any:
    """A snak's value in the recorded form: "Q…" for items, {"time", "precision"} for times."""
    if snak.get("snaktype") != "value":
        return {"snaktype": snak.get("snaktype")}
    value = snak.get("datavalue", {}).get("value")
    kind = snak.get("datavalue", {}).get("type")
    if kind == "wikibase-entityid":
        return value.get("id") or f"Q{value.get('numeric-id')}"
    if kind == "time":
        return {"time": value.get("time"), "precision": value.get("precision")}
    if kind == "monolingualtext":
        return {"text": value.get("text"), "language": value.get("language")}
    if kind == "quantity":
        return {"amount": value.get("amount"), "unit": value.get("unit")}
    return value


def record_entity(entity: dict[str, Any]) -> dict[str, Any]:
    """The recorded form of one entity of a wbgetentities answer."""
    if not isinstance(entity, dict) or "missing" in entity:
        raise NetworkError(f"Wikidata has no item {entity.get('id') if isinstance(entity, dict) else '?'}")
    statements: dict[str, list[dict[str, Any]]] = {}
    for prop, claims in sorted((entity.get("claims") or {}).items()):
        if prop not in RECORDED_PROPERTIES:
            continue
        kept = []
        for claim in claims:
            if claim.get("rank") == "deprecated":
                continue
            qualifiers = {q: [_claim_value(s) for s in snaks]
                          for q, snaks in sorted((claim.get("qualifiers") or {}).items()) if q in RECORDED_PROPERTIES}
            kept.append({"value": _claim_value(claim.get("mainsnak", {})), "rank": claim.get("rank"),
                         **({"qualifiers": qualifiers} if qualifiers else {})})
        statements[prop] = kept
    return {
        "label": entity.get("labels", {}).get("en", {}).get("value"),
        "description": entity.get("descriptions", {}).get("en", {}).get("value"),
        "instanceOf": sorted(s["value"] for s in statements.get("P31", []) if isinstance(s["value"], str)),
        "statements": statements,
    }


def fetch_items(client: Any, ids: list[str], api: str) -> dict[str, dict[str, Any]]:
    """wbgetentities for ``ids``, in batches; every answer checked before anything is kept."""
    items: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        body = client.get_json(api, {
            "action": "wbgetentities", "ids": "|".join(batch), "props": "labels|descriptions|claims",
            "languages": "en", "format": "json", "maxlag": "5",
        })
        entities = body.get("entities") if isinstance(body, dict) else None
        if not isinstance(entities, dict):
            raise NetworkError("malformed answer from Wikidata: no \"entities\" object")
        for item in batch:
            if item not in entities:
                raise NetworkError(f"malformed answer from Wikidata: {item} is missing")
            items[item] = record_entity(entities[item])
    return items


def refresh(kg: KnowledgeGraph, client: Any, *, api: str = API, today: date | None = None) -> Path:
    """Fetch every linked item and record it in ``data/wikidata/items.json`` atomically.
    On any failure nothing is written."""
    ids = sorted({qid(t) for _, _, t in linked_entities(kg) if ITEM_IRI.match(str(t))}, key=lambda q: int(q[1:]))
    try:
        items = fetch_items(client, ids, api)
    except NetworkError as exc:
        raise NetworkError(f"{exc}; nothing was changed") from None
    snapshot = {"retrieved": (today or date.today()).isoformat(), "api": api, "items": items}
    path = snapshot_path(kg.layout)
    write_atomic(path, (json.dumps(snapshot, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    return path


@dataclass(frozen=True)
class Candidate:
    """A Wikidata item that may be an unlinked entity, for a person to confirm."""

    entity: str
    label: str
    item: str
    item_label: str
    description: str
    instance_of: tuple[str, ...]


def suggest(kg: KnowledgeGraph, client: Any, *, api: str = API, limit: int = 3) -> list[Candidate]:
    """Candidate items from Wikidata search for every unlinked entity (never written anywhere)."""
    found: list[tuple[URIRef, str, dict[str, Any]]] = []
    for entity in unlinked_entities(kg):
        label = str(kg.data.value(entity, RDFS.label) or "")
        body = client.get_json(api, {"action": "wbsearchentities", "search": label, "language": "en",
                                     "type": "item", "limit": str(limit), "format": "json", "maxlag": "5"})
        hits = body.get("search") if isinstance(body, dict) else None
        if not isinstance(hits, list):
            raise NetworkError("malformed answer from Wikidata search: no \"search\" list")
        found += [(entity, label, hit) for hit in hits if isinstance(hit, dict) and hit.get("id")]
    details = fetch_items(client, sorted({h["id"] for _, _, h in found}), api) if found else {}
    return [Candidate(entity=short(e) or str(e), label=label, item=h["id"],
                      item_label=h.get("label") or details.get(h["id"], {}).get("label") or "",
                      description=h.get("description") or details.get(h["id"], {}).get("description") or "",
                      instance_of=tuple(details.get(h["id"], {}).get("instanceOf", [])))
            for e, label, h in found]


# --- comparison and QuickStatements ------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Comparison:
    """One fact of the graph set against the recorded Wikidata statements."""

    status: str  # agrees | missing in Wikidata | conflicts | not recorded
    subject: str
    property: str
    value: str
    detail: str = ""


def _item_of(kg: KnowledgeGraph, entity: Any) -> str | None:
    target = kg.data.value(entity, OWL.sameAs)
    return qid(target) if target is not None and ITEM_IRI.match(str(target)) else None


def _statement_values(items: dict[str, Any], item: str, prop: str) -> list[Any]:
    return [s["value"] for s in items.get(item, {}).get("statements", {}).get(prop, [])]


def candidate_statements(kg: KnowledgeGraph) -> list[tuple[str, str, str, dict[str, Any], URIRef]]:
    """(item, property, value item, qualifiers, fact) that the graph states about linked items:
    memberships (P463), heads of state and government (P35, P6), diplomatic relations (P530)."""
    out = []
    for membership in kg.data.subjects(RDF.type, AFKG.Membership):
        if (membership, AFKG.membershipStatus, AFKG.Member) not in kg.data:
            continue
        member = _item_of(kg, kg.data.value(membership, ORG.member))
        organisation = _item_of(kg, kg.data.value(membership, ORG.organization))
        if member and organisation:
            out.append((member, "P463", organisation, {}, membership))
    for holding in kg.data.subjects(RDF.type, AFKG.OfficeHolding):
        person = _item_of(kg, kg.data.value(holding, AFKG.holder))
        office = kg.data.value(holding, AFKG.office)
        country = _item_of(kg, kg.data.value(office, AFKG.officeOf)) if office is not None else None
        prop = _head_property(kg, office)
        when = kg.data.value(holding, AFKG.pointInTime)
        if person and country and prop:
            out.append((country, prop, person, {"P585": str(when)} if when is not None else {}, holding))
    for relation in kg.data.subjects(RDF.type, AFKG.BilateralRelation):
        parties = sorted(i for i in (_item_of(kg, p) for p in kg.data.objects(relation, AFKG.party)) if i)
        if len(parties) == 2:
            out.append((parties[0], "P530", parties[1], {}, relation))
            out.append((parties[1], "P530", parties[0], {}, relation))
    return sorted(out, key=lambda row: (int(row[0][1:]), row[1], row[2], sorted(row[3].items())))


def _head_property(kg: KnowledgeGraph, office: Any) -> str | None:
    """The Wikidata property (P35, P6) that the office's role aligns with in the ontology."""
    for role in kg.data.objects(office, AFKG.officeRole):
        for target in kg.ontology.objects(role, SKOS.closeMatch):
            if str(target).startswith(ENTITY + "P"):
                return qid(target)
    return None


def compare(kg: KnowledgeGraph) -> list[Comparison]:
    """The graph's statements about linked items next to the recorded Wikidata statements."""
    snapshot = load_snapshot(kg.layout)
    items = snapshot["items"]
    rows: list[Comparison] = []
    for item, prop, value, _qualifiers, fact in candidate_statements(kg):
        where = short(fact) or ""
        if item not in items:
            rows.append(Comparison("not recorded", item, prop, value, f"{where}; run 'afkg link refresh'"))
        elif value in _statement_values(items, item, prop):
            rows.append(Comparison("agrees", item, prop, value, where))
        else:
            rows.append(Comparison("missing in Wikidata", item, prop, value, where))
    for membership in kg.data.subjects(RDF.type, AFKG.Membership):
        if (membership, AFKG.membershipStatus, AFKG.Candidate) not in kg.data:
            continue
        member = _item_of(kg, kg.data.value(membership, ORG.member))
        organisation = _item_of(kg, kg.data.value(membership, ORG.organization))
        if member and organisation and organisation in _statement_values(items, member, "P463"):
            rows.append(Comparison("conflicts", member, "P463", organisation,
                                   f"{short(membership)}: the graph says candidate, Wikidata says member"))
    for entity, prop, target in linked_entities(kg):
        item = qid(target)
        label = items.get(item, {}).get("label")
        if prop == OWL.sameAs and label and label.casefold() not in _labels_of(kg, entity):
            rows.append(Comparison("conflicts", item, "label", label, f"{short(entity)} is labelled "
                                   f"{str(kg.data.value(entity, RDFS.label))!r}"))
    return sorted(rows)


def _time_value(text: str) -> str:
    """A QuickStatements time value with Wikidata's precision suffix."""
    if re.fullmatch(r"-?\d{4}", text):
        return f"+{text}-00-00T00:00:00Z/9"
    if re.fullmatch(r"-?\d{4}-\d{2}", text):
        return f"+{text}-00T00:00:00Z/10"
    if re.fullmatch(r"-?\d{4}-\d{2}-\d{2}", text):
        return f"+{text}T00:00:00Z/11"
    raise InputError(f"cannot write {text!r} as a Wikidata time")


def _string(text: str) -> str:
    if '"' in text or "\t" in text or "\n" in text:
        raise InputError(f"cannot write {text!r} as a QuickStatements string (quote, tab or newline)")
    return f'"{text}"'


def quickstatements(kg: KnowledgeGraph) -> tuple[list[str], list[str]]:
    """QuickStatements V1 lines for the graph's statements that Wikidata lacks, each with
    references (S854 article URL, S1683 the quoted passage, S813 the date the data
    was taken from it), and notes on what was left out."""
    items = load_snapshot(kg.layout)["items"]
    lines, notes = [], []
    for item, prop, value, qualifiers, fact in candidate_statements(kg):
        if item not in items:
            notes.append(f"{item} {prop} {value}: {item} is not recorded; run 'afkg link refresh' first")
            continue
        if value in _statement_values(items, item, prop):
            continue
        passage = kg.data.value(fact, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        quote = kg.data.value(passage, AFKG.quote) if passage is not None else None
        section = kg.data.value(passage, AFKG.inSection) if passage is not None else None
        document = kg.data.value(section, AFKG.ofDocument) if section is not None else None
        url = kg.data.value(document, DCTERMS.source) if document is not None else None
        retrieved = _retrieved(kg, document)
        if url is None or quote is None:
            notes.append(f"{item} {prop} {value}: {short(fact)} has no source URL or quote")
            continue
        cells = [item, prop, value]
        for qualifier, when in sorted(qualifiers.items()):
            cells += [qualifier, _time_value(when)]
        cells += ["S854", _string(str(url)), "S1683", "en:" + _string(str(quote))]
        if retrieved:
            cells += ["S813", _time_value(retrieved)]
        lines.append("\t".join(cells))
    return lines, notes


def _retrieved(kg: KnowledgeGraph, document: Any) -> str | None:
    """When the data was taken from ``document``: dcterms:created of the dataset drawn from it."""
    for dataset in kg.data.subjects(DCTERMS.source, document):
        if (dataset, RDF.type, VOID.Dataset) in kg.data:
            created = kg.data.value(dataset, DCTERMS.created)
            if created is not None:
                return str(created)
    return None
