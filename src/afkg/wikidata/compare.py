"""Compare the graph's facts with the statements recorded from Wikidata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from afkg.graph import KnowledgeGraph
from afkg.namespaces import AFKG, ORG, OWL, RDF, RDFS, SKOS
from afkg.validate import short
from afkg.wikidata.items import ENTITY, ITEM_IRI, labels_of, linked_entities, load_snapshot, qid

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


def statement_values(items: dict[str, Any], item: str, prop: str) -> list[Any]:
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
        elif value in statement_values(items, item, prop):
            rows.append(Comparison("agrees", item, prop, value, where))
        else:
            rows.append(Comparison("missing in Wikidata", item, prop, value, where))
    for membership in kg.data.subjects(RDF.type, AFKG.Membership):
        if (membership, AFKG.membershipStatus, AFKG.Candidate) not in kg.data:
            continue
        member = _item_of(kg, kg.data.value(membership, ORG.member))
        organisation = _item_of(kg, kg.data.value(membership, ORG.organization))
        if member and organisation and organisation in statement_values(items, member, "P463"):
            rows.append(Comparison("conflicts", member, "P463", organisation,
                                   f"{short(membership)}: the graph says candidate, Wikidata says member"))
    for entity, prop, target in linked_entities(kg):
        item = qid(target)
        label = items.get(item, {}).get("label")
        if prop == OWL.sameAs and label and label.casefold() not in labels_of(kg, entity):
            rows.append(Comparison("conflicts", item, "label", label, f"{short(entity)} is labelled "
                                   f"{str(kg.data.value(entity, RDFS.label))!r}"))
    return sorted(rows)
