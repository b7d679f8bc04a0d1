"""The graph's facts that Wikidata lacks, as QuickStatements V1 lines."""

from __future__ import annotations

import re
from typing import Any

from rdflib import URIRef

from afkg.errors import InputError
from afkg.graph import KnowledgeGraph
from afkg.namespaces import AFKG, DCTERMS, RDF, VOID
from afkg.validation.validate import short
from afkg.wikidata.compare import candidate_statements, statement_values
from afkg.wikidata.items import load_snapshot


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
        statement = " ".join([item, prop, value, *(f"{q} {when}" for q, when in sorted(qualifiers.items()))])
        if item not in items:
            notes.append(f"{statement}: {item} is not recorded; run 'afkg link refresh' first")
            continue
        if value in statement_values(items, item, prop):
            continue
        passage = kg.data.value(fact, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        quote = kg.data.value(passage, AFKG.quote) if passage is not None else None
        section = kg.data.value(passage, AFKG.inSection) if passage is not None else None
        document = kg.data.value(section, AFKG.ofDocument) if section is not None else None
        url = kg.data.value(document, DCTERMS.source) if document is not None else None
        retrieved = _retrieved(kg, document)
        if url is None or quote is None:
            notes.append(f"{statement}: {short(fact)} has no source URL or quote")
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
