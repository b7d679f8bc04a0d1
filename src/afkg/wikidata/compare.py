"""Compare the graph's facts with the statements recorded from Wikidata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib.term import Node

from afkg.graph import KnowledgeGraph
from afkg.namespaces import AFKG, ORG, OWL, RDF, RDFS, SKOS, WDT
from afkg.validation.validate import short
from afkg.wikidata.items import ITEM_IRI, labels_of, linked_entities, load_snapshot, qid

PROPERTY_ID = re.compile(r"^P[1-9][0-9]*$")

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


def wikidata_property(kg: KnowledgeGraph, term: Any) -> str | None:
    """The Wikidata property (P…) that the ontology maps ``term`` to with afkg:wikidataProperty."""
    for target in kg.ontology.objects(term, AFKG.wikidataProperty):
        if str(target).startswith(str(WDT)) and PROPERTY_ID.match(str(target)[len(str(WDT)):]):
            return str(target)[len(str(WDT)):]
    return None


def candidate_statements(kg: KnowledgeGraph) -> list[tuple[str, str, str, dict[str, Any], Node]]:
    """(item, property, value item, qualifiers, fact) that the graph states about linked items, one
    row per statement however many facts state it (the first fact by IRI); see :func:`stated_by`."""
    return [(item, prop, value, qualifiers, facts[0]) for item, prop, value, qualifiers, facts in stated_by(kg)]


def stated_by(kg: KnowledgeGraph) -> list[tuple[str, str, str, dict[str, Any], list[Node]]]:
    """Each statement the graph makes about linked items, with every fact stating it (sorted by IRI):
    two articles stating the same membership give one statement, not two."""
    return _grouped(_candidate_rows(kg))


def _candidate_rows(kg: KnowledgeGraph) -> list[tuple[str, str, str, dict[str, Any], Node]]:
    """(item, property, value item, qualifiers, fact) for each fact stating something about linked items.
    Which Wikidata property each pattern states is read from the ontology
    (afkg:wikidataProperty): the membership role (member -> P463), the office's kind
    (head of state -> P35, head of government -> P6) with afkg:date as its qualifier
    (P585), and the bilateral relation (P530 between its parties)."""
    out: list[tuple[str, str, str, dict[str, Any], Node]] = []
    for membership in kg.data.subjects(RDF.type, AFKG.Membership):
        member = _item_of(kg, kg.data.value(membership, ORG.member))
        organisation = _item_of(kg, kg.data.value(membership, ORG.organization))
        for role in kg.data.objects(membership, ORG.role):
            prop = wikidata_property(kg, role)
            if member and organisation and prop:
                out.append((member, prop, organisation, {}, membership))
    date_property = wikidata_property(kg, AFKG.date)
    for holding in kg.data.subjects(AFKG.office, None):
        if (holding, RDF.type, AFKG.Standing) not in kg.data:
            continue
        person = _item_of(kg, kg.data.value(holding, AFKG.agent))
        office = kg.data.value(holding, AFKG.office)
        country = _item_of(kg, kg.data.value(office, AFKG.officeOf)) if office is not None else None
        prop = _head_property(kg, office)
        when = kg.data.value(holding, AFKG.date)
        qualifiers = {date_property: str(when)} if when is not None and date_property else {}
        if person and country and prop:
            out.append((country, prop, person, qualifiers, holding))
    relation_property = wikidata_property(kg, AFKG.BilateralRelation)
    for relation in kg.data.subjects(RDF.type, AFKG.BilateralRelation):
        parties = sorted(i for i in (_item_of(kg, p) for p in kg.data.objects(relation, AFKG.party)) if i)
        if len(parties) == 2 and relation_property:
            out.append((parties[0], relation_property, parties[1], {}, relation))
            out.append((parties[1], relation_property, parties[0], {}, relation))
    return out


def _grouped(rows: list[tuple[str, str, str, dict[str, Any], Node]]
             ) -> list[tuple[str, str, str, dict[str, Any], list[Node]]]:
    """One row per statement (item, property, value, qualifiers) with every fact stating it, sorted."""
    facts: dict[tuple[str, str, str, tuple[tuple[str, Any], ...]], set[Node]] = {}
    for item, prop, value, qualifiers, fact in rows:
        facts.setdefault((item, prop, value, tuple(sorted(qualifiers.items()))), set()).add(fact)
    return [(item, prop, value, dict(qualifiers), sorted(found, key=str))
            for (item, prop, value, qualifiers), found in sorted(
                facts.items(), key=lambda entry: (int(entry[0][0][1:]), *entry[0][1:3], entry[0][3]))]


def _head_property(kg: KnowledgeGraph, office: Any) -> str | None:
    """The Wikidata property (P35, P6) that the office's kind maps to in the ontology."""
    for kind in kg.data.objects(office, AFKG.kind):
        prop = wikidata_property(kg, kind)
        if prop:
            return prop
    return None


def compare(kg: KnowledgeGraph) -> list[Comparison]:
    """The graph's statements about linked items next to the recorded Wikidata statements."""
    snapshot = load_snapshot(kg.layout)
    items = snapshot["items"]
    rows: list[Comparison] = []
    for item, prop, value, _qualifiers, facts in stated_by(kg):
        where = ", ".join(short(fact) or "" for fact in facts)
        if item not in items:
            rows.append(Comparison("not recorded", item, prop, value, f"{where}; run 'afkg link refresh'"))
        elif value in statement_values(items, item, prop):
            rows.append(Comparison("agrees", item, prop, value, where))
        else:
            rows.append(Comparison("missing in Wikidata", item, prop, value, where))
    member_properties = sorted({p for role in set(kg.ontology.subjects(SKOS.inScheme, None))
                                if (p := wikidata_property(kg, role)) and (role, RDF.type, ORG.Role) in kg.ontology})
    for membership in kg.data.subjects(RDF.type, AFKG.Membership):
        roles = set(kg.data.objects(membership, ORG.role))
        if not roles or any(wikidata_property(kg, role) for role in roles):
            continue
        member = _item_of(kg, kg.data.value(membership, ORG.member))
        organisation = _item_of(kg, kg.data.value(membership, ORG.organization))
        for prop in member_properties:
            if member and organisation and organisation in statement_values(items, member, prop):
                said = ", ".join(sorted(str(kg.ontology.value(r, SKOS.prefLabel) or short(r)) for r in roles))
                rows.append(Comparison("conflicts", member, prop, organisation,
                                       f"{short(membership)}: the graph says {said}, Wikidata says member"))
    for entity, prop, target in linked_entities(kg):
        item = qid(target)
        label = items.get(item, {}).get("label")
        if prop == OWL.sameAs and label and label.casefold() not in labels_of(kg, entity):
            rows.append(Comparison("conflicts", item, "label", label, f"{short(entity)} is labelled "
                                   f"{str(kg.data.value(entity, RDFS.label))!r}"))
    return sorted(rows)
