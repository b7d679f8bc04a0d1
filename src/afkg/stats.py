"""Figures about the graph: triples, entities per class, facts per article section."""

from __future__ import annotations

import json
from dataclasses import dataclass

from afkg.graph import KnowledgeGraph
from afkg.namespaces import AFKG, PREFIXES, RDF
from afkg.validate import short

_FACTS_PER_SECTION = """
SELECT ?document ?title ?section ?order (COUNT(DISTINCT ?fact) AS ?facts) WHERE {
    ?s a afkg:ArticleSection ; rdfs:label ?section ; afkg:sectionOrder ?order ; afkg:ofDocument ?document .
    OPTIONAL { ?document dcterms:title ?title }
    OPTIONAL {
        ?passage afkg:inSection ?s .
        ?fact prov:wasDerivedFrom ?passage ; a ?class .
        ?class rdfs:subClassOf* afkg:Fact .
    }
}
GROUP BY ?document ?title ?section ?order
ORDER BY ?document ?order
"""


@dataclass(frozen=True)
class Stats:
    """Counts that describe one load of the graph."""

    triples: int
    data_triples: int
    ontology_triples: int
    entities_per_class: dict[str, int]
    facts_per_section: dict[str, int]
    """Facts citing each section; with several source documents, keyed "title › section"."""
    facts: int

    def text(self) -> str:
        """A plain-text summary."""
        lines = [
            f"Triples: {self.triples} ({self.data_triples} data, {self.ontology_triples} ontology)",
            f"Facts: {self.facts}",
            "",
            "Entities per class:",
        ]
        width = max((len(name) for name in self.entities_per_class), default=0)
        lines += [f"  {name:<{width}}  {count:>4}" for name, count in self.entities_per_class.items()]
        lines += ["", "Facts per article section:"]
        width = max((len(name) for name in self.facts_per_section), default=0)
        lines += [f"  {name:<{width}}  {count:>4}" for name, count in self.facts_per_section.items()]
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        """The same figures as JSON."""
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False) + "\n"


def compute(kg: KnowledgeGraph) -> Stats:
    """Count triples, typed entities and facts of ``kg``."""
    per_class: dict[str, int] = {}
    for cls in set(kg.data.objects(None, RDF.type)):
        if str(cls).startswith(str(AFKG)):
            per_class[short(cls) or str(cls)] = len(set(kg.data.subjects(RDF.type, cls)))
    rows = list(kg.merged.query(_FACTS_PER_SECTION, initNs=PREFIXES))
    several = len({row.document for row in rows}) > 1
    per_section = {(f"{row.title or row.document} › {row.section}" if several else str(row.section)): int(row.facts)
                   for row in rows}
    facts_query = """SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {
        ?f a/rdfs:subClassOf* afkg:Fact }"""
    facts = int(next(iter(kg.merged.query(facts_query, initNs=PREFIXES))).n)
    return Stats(
        triples=len(kg.merged),
        data_triples=len(kg.data),
        ontology_triples=len(kg.ontology),
        entities_per_class=dict(sorted(per_class.items())),
        facts_per_section=per_section,
        facts=facts,
    )
