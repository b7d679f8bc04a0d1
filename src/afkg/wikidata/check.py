"""The offline check of Wikidata links: item IRIs, checked identifiers, shared Q-ids, labels, classes."""

from __future__ import annotations

from rdflib import URIRef

from afkg.graph import KnowledgeGraph
from afkg.namespaces import OWL, RDF, RDFS, SKOS
from afkg.validation.validate import short
from afkg.wikidata.items import (
    ITEM_IRI,
    KIND_CLASSES,
    class_items,
    classes_of,
    labels_of,
    linked_entities,
    load_snapshot,
    qid,
    reference_ids,
    unlinked_entities,
)


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
            problems.append(f"{name}: {item} is not in the checked identifiers (data/wikidata/reference-ids.tsv, "
                            "or wikidata-ids.tsv in a data folder)")
            continue
        recorded = items.get(item, {})
        label = recorded.get("label") or checked[item][0]
        if prop == OWL.sameAs and label.casefold() not in labels_of(kg, entity):
            problems.append(f"{name}: label mismatch: the graph says "
                            f"{' / '.join(sorted(str(v) for v in kg.data.objects(entity, RDFS.label)))!r}, "
                            f"Wikidata {item} says {label!r}")
        instance_of = set(recorded.get("instanceOf") or [])
        expected = class_items(kg, entity)
        kind = checked[item][1]
        if instance_of and expected and not instance_of & expected:
            problems.append(f"{name}: class mismatch: {item} is an instance of {', '.join(sorted(instance_of))}, "
                            f"none of {', '.join(sorted(expected))} that the entity's classes align with")
        elif kind in KIND_CLASSES and not set(KIND_CLASSES[kind]) & classes_of(kg, entity):
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
