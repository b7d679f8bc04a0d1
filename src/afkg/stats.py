"""Figures about the graph: triples, entities per class, facts per article section."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Literal

from afkg.graph import KnowledgeGraph, select_rows
from afkg.namespaces import VOID
from afkg.project import DATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from afkg.publish.export import distribution_names
from afkg.publish.metadata import DATASET_IRI, describe
from afkg.validation.validate import short

_FACTS = "SELECT (COUNT(DISTINCT ?fact) AS ?n) WHERE { ?fact a/rdfs:subClassOf* afkg:Fact }"

_SECTION = "?section a afkg:ArticleSection ; rdfs:label [] ; afkg:sectionOrder [] ; afkg:ofDocument []"

_CITING = f"""
SELECT ?section (COUNT(DISTINCT ?fact) AS ?n) WHERE {{
    ?fact a/rdfs:subClassOf* afkg:Fact ; prov:wasDerivedFrom ?passage . ?passage afkg:inSection ?section .
    FILTER EXISTS {{ {_SECTION} }}
}} GROUP BY ?section
"""

_CITED = f"""
SELECT (COUNT(DISTINCT ?fact) AS ?n) WHERE {{
    ?fact a/rdfs:subClassOf* afkg:Fact ; prov:wasDerivedFrom ?passage . ?passage afkg:inSection ?section .
    FILTER EXISTS {{ {_SECTION} }}
}}
"""

_SECTIONS = """
SELECT ?s ?document ?title ?label ?order ?parent WHERE {
    ?s a afkg:ArticleSection ; rdfs:label ?label ; afkg:sectionOrder ?order ; afkg:ofDocument ?document .
    OPTIONAL { ?document dcterms:title ?title }
    OPTIONAL { ?s afkg:parentSection ?parent }
}
ORDER BY ?document ?order
"""

_PER_CLASS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER STRSTARTS(STR(?class), STR(afkg:)) }
GROUP BY ?class
"""

_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}"
"""The triples of one named graph (a set: no DISTINCT needed)."""

_SHARED = "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} GRAPH <{}> {{ ?s ?p ?o }} }}"
"""The triples two named graphs have in common."""


@dataclass(frozen=True)
class Stats:
    """Counts that describe one load of the graph; each field says what it counts."""

    triples: int
    """Triples of the ontology and the data together (what queries see)."""
    data_triples: int
    ontology_triples: int
    shapes_triples: int
    export_triples: int
    """Triples in every dump of ``afkg export`` / ``afkg build``: ontology, shapes, data and
    dataset metadata, a triple in two graphs counted once; equals void:triples."""
    entities_per_class: dict[str, int]
    """Subjects typed with each afkg class in the data (an entity of two classes counts in both)."""
    facts_per_section: dict[str, int]
    """Facts citing each section (a fact citing several sections counts in each), keyed by the
    section's path ("section › subsection"); with several source documents, "title › path"."""
    facts: int
    """Distinct facts: instances of afkg:Fact or any subclass."""
    section_citations: int
    """Sum of facts_per_section: (fact, section) pairs."""
    facts_without_section: int
    """Facts that cite no passage of any section."""

    def text(self) -> str:
        """A plain-text summary that says what each number counts."""
        lines = [
            f"Triples: {self.triples} in ontology and data ({self.data_triples} data, "
            f"{self.ontology_triples} ontology)",
            f"Triples in every export dump: {self.export_triples} (adds {self.shapes_triples} shapes "
            f"and the dataset metadata; equals void:triples)",
            f"Facts: {self.facts} distinct ({self.facts_without_section} cite no section)",
            "",
            "Entities per class (an entity of two classes counts in both):",
        ]
        width = max((len(name) for name in self.entities_per_class), default=0)
        lines += [f"  {name:<{width}}  {count:>4}" for name, count in self.entities_per_class.items()]
        lines += ["", f"Facts citing each article section (a fact citing several sections counts in each; "
                      f"{self.section_citations} citations in all):"]
        width = max((len(name) for name in self.facts_per_section), default=0)
        lines += [f"  {name:<{width}}  {count:>4}" for name, count in self.facts_per_section.items()]
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        """The same figures as JSON."""
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False) + "\n"


def section_paths(sections: Mapping[Any, tuple[str, Any]]) -> dict[Any, str]:
    """Each section's label after its parents' ("History › Modern history"), from section ->
    (label, parent or None); a parent that is no section, or a cycle, ends the path."""
    paths = {}
    for section in sections:
        labels, seen, node = [], set(), section
        while node in sections and node not in seen:
            seen.add(node)
            label, node = sections[node]
            labels.append(label)
        paths[section] = " › ".join(reversed(labels))
    return paths


def compute(kg: KnowledgeGraph) -> Stats:
    """Count triples, typed entities and facts of ``kg``, by SPARQL aggregates on its store."""
    def count(query: str, graphs: tuple[str, ...]) -> int:
        return int(select_rows(kg, query, graphs)[0]["n"].toPython())

    merged = (ONTOLOGY_GRAPH, DATA_GRAPH)
    per_class = {short(row["class"]) or str(row["class"]): int(row["n"].toPython())
                 for row in select_rows(kg, _PER_CLASS, (DATA_GRAPH,))}
    sections = select_rows(kg, _SECTIONS, merged)
    several = len({row["document"] for row in sections}) > 1
    paths = section_paths({row["s"]: (str(row["label"]), row.get("parent")) for row in sections})
    names = {row["s"]: (f"{row.get('title') or row['document']} › {paths[row['s']]}" if several
                        else paths[row["s"]])
             for row in sections}
    citing = {row["section"]: int(row["n"].toPython()) for row in select_rows(kg, _CITING, merged)}
    per_section: dict[str, int] = {}
    for section, name in names.items():
        per_section[name] = per_section.get(name, 0) + citing.get(section, 0)
    facts = count(_FACTS, merged)
    sizes = {graph: count(_TRIPLES.format(graph), ()) for graph in (ONTOLOGY_GRAPH, SHAPES_GRAPH, DATA_GRAPH)}
    export_triples = describe(kg, distribution_names()).value(DATASET_IRI, VOID.triples)
    return Stats(
        triples=sizes[ONTOLOGY_GRAPH] + sizes[DATA_GRAPH] - count(_SHARED.format(ONTOLOGY_GRAPH, DATA_GRAPH), ()),
        data_triples=sizes[DATA_GRAPH],
        ontology_triples=sizes[ONTOLOGY_GRAPH],
        shapes_triples=sizes[SHAPES_GRAPH],
        export_triples=int(export_triples.toPython()) if isinstance(export_triples, Literal) else 0,
        entities_per_class=dict(sorted(per_class.items())),
        facts_per_section=per_section,
        facts=facts,
        section_citations=sum(per_section.values()),
        facts_without_section=facts - count(_CITED, merged),
    )
