"""How much of each relation's article the graph cites, for the site's pages.

:func:`afkg.authoring.coverage.coverage` reads the whole graph and every source text, so a site
works it out once (:class:`SiteCoverage`, kept by ``Site.coverage``) and its pages read the
figures from there: the source page marks every sentence, and any page can show a relation's
share with :func:`relation_share`::

    share = relation_share(site, "northland-southland")
    if share is not None:
        share.summary   # "30 of 32 sentences cited (93.7%; 25 by a fact)"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from afkg.authoring.coverage import DocumentCoverage, SentenceCoverage, coverage, percent
from afkg.errors import AfkgError

if TYPE_CHECKING:
    from afkg.graph import KnowledgeGraph
    from afkg.publish.site.app import Site


@dataclass(frozen=True)
class Share:
    """The sentences of one or more documents: how many, how many cited, how many by a fact."""

    cited: int
    sentences: int
    by_fact: int

    @property
    def fraction(self) -> float:
        """The cited sentences as a share from 0 to 1 (1 when there are no sentences)."""
        return self.cited / self.sentences if self.sentences else 1.0

    @property
    def percent(self) -> str:
        return percent(self.cited, self.sentences)

    @property
    def summary(self) -> str:
        """``N of M sentences cited (P%; K by a fact)``, the figures ``afkg coverage`` prints."""
        noun = "sentence" if self.sentences == 1 else "sentences"
        return f"{self.cited} of {self.sentences} {noun} cited ({self.percent}; {self.by_fact} by a fact)"


def share_of(documents: Iterable[DocumentCoverage]) -> Share:
    """The figures of ``documents`` taken together."""
    found = list(documents)
    return Share(sum(d.cited for d in found), sum(len(d.sentences) for d in found),
                 sum(d.cited_by_facts for d in found))


class SiteCoverage:
    """The coverage of every source document of a graph, worked out once, when it is made."""

    def __init__(self, kg: KnowledgeGraph, pair_of: Mapping[str, str]) -> None:
        """``pair_of`` maps each source document IRI to the relation folder the site shows it
        under. A text that cannot be read leaves its relation without coverage, not the others."""
        self.pair_of = dict(pair_of)
        self.documents: dict[str, DocumentCoverage] = {}
        try:
            found = coverage(kg)
        except AfkgError:
            found = []
            for pair in sorted(set(self.pair_of.values())):
                try:
                    found += coverage(kg, pair)
                except AfkgError:
                    continue
        for document in found:
            self.documents[document.document] = document

    def document(self, iri: str) -> DocumentCoverage | None:
        """The coverage of one source document, or None when it could not be worked out."""
        return self.documents.get(iri)

    def share(self, pair: str) -> Share | None:
        """The figures of a relation folder's documents, or None when it has none with coverage."""
        found = [d for iri, d in sorted(self.documents.items()) if self.pair_of.get(iri) == pair]
        return share_of(found) if found else None


def relation_share(site: Site, pair: str) -> Share | None:
    """The share of a relation folder's article that the graph cites (None when unknown); the
    coverage is worked out on the first call for a site and kept."""
    return site.coverage.share(pair)


def matches_text(document: DocumentCoverage, text: str) -> list[SentenceCoverage] | None:
    """The document's sentences, in order, if each one is ``text[start:end]`` and none overlaps
    the next (the text shown is the text the coverage was worked out on); else None."""
    sentences = sorted(document.sentences, key=lambda s: (s.start, s.end))
    at = 0
    for sentence in sentences:
        if sentence.start < at or sentence.end <= sentence.start or text[sentence.start:sentence.end] != sentence.text:
            return None
        at = sentence.end
    return sentences
