"""How much of each article the graph cites: every sentence, and what is derived from it.

A sentence (or infobox item, see :mod:`afkg.authoring.sentences`) is *cited* when the quote of a
passage that something in the graph is ``prov:wasDerivedFrom`` overlaps it: a fact (an
``afkg:Fact``), or an entity or the relation itself when that is what the passage supports (an
infobox line, an embassy, a "See also" topic). Each sentence lists both: everything that cites it,
and the facts among them. A quote is looked for in the own
text of the section its passage names (``afkg:inSection``, resolved through its
``afkg:parentSection`` chain as ``afkg validate`` does), every occurrence counting; when that
section is not a heading of the text, anywhere in the document's text.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.term import Node

from afkg.article import Section, SectionPath, outline
from afkg.authoring.sentences import overlapping, section_sentences
from afkg.errors import UsageError
from afkg.files import MAX_TEXT_BYTES, is_folder, read_text
from afkg.graph import KnowledgeGraph, select_rows
from afkg.layout import SHARED_FOLDER
from afkg.project import DATA_GRAPH, ONTOLOGY_GRAPH
from afkg.validation.validate import section_paths

_TITLES = """
SELECT ?document ?title WHERE { ?document a afkg:SourceDocument ; dcterms:title ?title }"""

_SECTIONS = """
SELECT ?section ?document ?label ?parent WHERE {
    ?section afkg:ofDocument ?document ; rdfs:label ?label .
    OPTIONAL { ?section afkg:parentSection ?parent }
}"""

_FACTS = """
SELECT DISTINCT ?citing WHERE { ?citing prov:wasDerivedFrom ?passage ; a/rdfs:subClassOf* afkg:Fact }"""

_CITATIONS = """
SELECT DISTINCT ?citing ?quote ?section WHERE {
    ?citing prov:wasDerivedFrom ?passage . ?passage afkg:quote ?quote ; afkg:inSection ?section .
}"""


@dataclass(frozen=True)
class SentenceCoverage:
    """One sentence or infobox item of a document: where it is and what cites it."""

    section: str
    """The section it lies in, as people read it (``History › Modern history``)."""
    section_iri: str | None
    """The graph's afkg:ArticleSection for that heading, if the graph has one."""
    text: str
    start: int
    """Offset of its first character in the source text (characters, not bytes)."""
    end: int
    """Offset just after its last character."""
    item: bool
    """True for an infobox item, False for a sentence of prose or a list."""
    citing: tuple[str, ...]
    """IRIs of what is derived from a passage whose quote overlaps it, sorted."""
    facts: tuple[str, ...] = ()
    """The afkg:Fact instances among ``citing``."""

    @property
    def cited(self) -> bool:
        return bool(self.citing)


@dataclass(frozen=True)
class DocumentCoverage:
    """The sentences of one source document, in the order of its text."""

    document: str
    title: str
    relation: str
    """The name of the data folder the document belongs to."""
    source: str
    """Its text file, relative to the project folder."""
    sentences: tuple[SentenceCoverage, ...] = field(default=())

    @property
    def cited(self) -> int:
        return sum(1 for s in self.sentences if s.cited)

    @property
    def cited_by_facts(self) -> int:
        """The sentences that an afkg:Fact cites (the others are cited only by entities, if at all)."""
        return sum(1 for s in self.sentences if s.facts)

    @property
    def uncited(self) -> list[SentenceCoverage]:
        return [s for s in self.sentences if not s.cited]

    @property
    def share(self) -> float:
        """The share of cited sentences, from 0 to 1 (1 for a document without sentences)."""
        return self.cited / len(self.sentences) if self.sentences else 1.0


def _relation_of(kg: KnowledgeGraph, path: Path) -> str:
    """The data folder (relation) a source file lies in."""
    data = Path(os.path.realpath(kg.layout.data_dir))
    real = Path(os.path.realpath(path))
    return real.relative_to(data).parts[0] if real.is_relative_to(data) else real.parent.name


def coverage(kg: KnowledgeGraph, relation: str | None = None) -> list[DocumentCoverage]:
    """Every source document of ``kg`` (or of the data folder ``relation`` only), sorted by IRI, with
    each sentence and what cites it. An unknown relation is a UsageError; an unreadable text an
    InputError."""
    if relation is not None:
        folder = kg.layout.data_dir / relation
        if relation in ("", ".", "..", SHARED_FOLDER, "wikidata") or "/" in relation or not is_folder(folder):
            raise UsageError(f"no relation folder {kg.layout.display(kg.layout.data_dir)}/{relation}")
    documents = sorted((d for d in kg.sources if relation is None or _relation_of(kg, kg.sources[d]) == relation),
                       key=str)
    if not documents:
        return []
    titles: dict[Node, str] = {}
    for row in sorted(select_rows(kg, _TITLES, (DATA_GRAPH,)), key=lambda r: str(r["title"])):
        titles.setdefault(row["document"], str(row["title"]))
    section_rows: list[dict[str, Node]] = [dict(row) for row in select_rows(kg, _SECTIONS, (DATA_GRAPH,))]
    paths = section_paths(section_rows)
    document_of: dict[Node, Node] = {row["section"]: row["document"] for row in section_rows}
    iri_of: dict[tuple[Node, SectionPath], str] = {}
    for section, section_path in sorted(paths.items(), key=lambda item: str(item[0])):
        iri_of.setdefault((document_of[section], section_path), str(section))
    facts = frozenset(str(row["citing"]) for row in select_rows(kg, _FACTS, (ONTOLOGY_GRAPH, DATA_GRAPH)))
    citations: dict[Node, list[tuple[str, str, Node]]] = {}
    for row in select_rows(kg, _CITATIONS, (DATA_GRAPH,)):
        document = document_of.get(row["section"])
        if document is not None:
            citations.setdefault(document, []).append((str(row["citing"]), str(row["quote"]), row["section"]))
    answer = []
    for document in documents:
        path = kg.sources[document]
        text = read_text(path, MAX_TEXT_BYTES, kg.layout.display(path))
        answer.append(_document(document, titles.get(document, str(document)), _relation_of(kg, path),
                                kg.layout.display(path), text, citations.get(document, []), paths, iri_of, facts))
    return answer


def _document(document: Node, title: str, relation: str, source: str, text: str,
              citations: list[tuple[str, str, Node]], paths: dict[Node, SectionPath],
              iri_of: dict[tuple[Node, SectionPath], str], facts: frozenset[str]) -> DocumentCoverage:
    """The coverage of one document's ``text`` by ``citations`` (what cites, quote, section)."""
    parts: list[Section] = outline(text)
    by_path = {section.path: section for section in parts}
    places: dict[tuple[str, SectionPath], list[tuple[int, int]]] = {}
    spans: list[tuple[int, int, str]] = []
    for who, quote, section in citations:
        path = paths.get(section, ())
        if (quote, path) not in places:
            where = by_path.get(path)
            places[(quote, path)] = (where.find(quote) if where is not None else []) or _everywhere(text, quote)
        spans.extend((start, end, who) for start, end in places[(quote, path)])
    units = sorted(((section, span) for section in parts for span in section_sentences(section)),
                   key=lambda unit: unit[1].start)
    spans_only = [span for _section, span in units]
    cited_by: list[set[str]] = [set() for _unit in units]
    for start, end, who in spans:
        for index in overlapping(spans_only, start, end):
            cited_by[index].add(who)
    sentences = []
    for (part, span), whom in zip(units, cited_by, strict=True):
        ordered = sorted(whom)
        sentences.append(SentenceCoverage(part.shown, iri_of.get((document, part.path)), span.text,
                                          span.start, span.end, span.item, tuple(ordered),
                                          tuple(who for who in ordered if who in facts)))
    return DocumentCoverage(str(document), title, relation, source, tuple(sentences))


def _everywhere(text: str, quote: str) -> list[tuple[int, int]]:
    """Every occurrence of ``quote`` in ``text``."""
    found = []
    at = text.find(quote) if quote else -1
    while at >= 0:
        found.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return found


def to_json(documents: list[DocumentCoverage]) -> str:
    """The report as JSON: ``[{"document", "title", "sentences", "cited", "uncited": [{"section",
    "text"}]}]``, one object per document."""
    body = [{"document": d.document, "title": d.title, "sentences": len(d.sentences), "cited": d.cited,
             "uncited": [{"section": s.section, "text": s.text} for s in d.uncited]} for d in documents]
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def to_text(documents: list[DocumentCoverage]) -> str:
    """The report for people: per document its figures, then each uncited sentence under its section."""
    if not documents:
        return "No source documents.\n"
    lines: list[str] = []
    for d in documents:
        lines.append(f"{d.title} ({d.source}): {d.cited} of {len(d.sentences)} sentences cited "
                     f"({percent(d.cited, len(d.sentences))}; {d.cited_by_facts} by a fact)")
        section = None
        for s in d.uncited:
            if s.section != section:
                section = s.section
                lines.append(f"  {section}:")
            lines.append(f"    - {s.text}")
        lines.append("")
    return "\n".join(lines)


def percent(cited: int, total: int) -> str:
    """``cited`` out of ``total`` as a percentage with one decimal, cut rather than rounded (exactly,
    in whole numbers), so that a text with one uncited sentence never reads 100.0%; 100.0% for
    no sentences at all."""
    tenths = cited * 1000 // total if total else 1000
    return f"{tenths // 10}.{tenths % 10}%"
