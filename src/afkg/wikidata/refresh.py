"""Fetch the linked items from the Wikidata API into ``items.json``, and suggest items for unlinked entities."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import URIRef

from afkg.atomic import write_atomic
from afkg.errors import NetworkError
from afkg.graph import KnowledgeGraph
from afkg.namespaces import RDFS
from afkg.validation.validate import short
from afkg.wikidata.items import (
    API,
    BATCH,
    ITEM_IRI,
    RECORDED_PROPERTIES,
    linked_entities,
    qid,
    snapshot_path,
    unlinked_entities,
)

ITEM_ID = re.compile(r"^Q[1-9][0-9]{0,11}\Z")
"""A Wikidata item identifier as search answers give it."""

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
            try:
                items[item] = record_entity(entities[item])
            except (AttributeError, TypeError, KeyError, ValueError):
                raise NetworkError(f"malformed answer from Wikidata: {item} is not an entity object") from None
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
        for hit in hits:
            if not (isinstance(hit, dict) and isinstance(hit.get("id"), str) and ITEM_ID.match(hit["id"])
                    and all(isinstance(hit.get(k, ""), str) for k in ("label", "description"))):
                raise NetworkError("malformed answer from Wikidata search: a hit is not an item with a Q-id")
            found.append((entity, label, hit))
    details = fetch_items(client, sorted({h["id"] for _, _, h in found}), api) if found else {}
    return [Candidate(entity=short(e) or str(e), label=label, item=h["id"],
                      item_label=h.get("label") or details.get(h["id"], {}).get("label") or "",
                      description=h.get("description") or details.get(h["id"], {}).get("description") or "",
                      instance_of=tuple(details.get(h["id"], {}).get("instanceOf", [])))
            for e, label, h in found]
