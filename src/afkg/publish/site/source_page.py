"""The data of the source page: an article's text cut into sentences and the passages it quotes.

The text is shown byte for byte. It is cut into *segments*: each sentence (or infobox item) that
:mod:`afkg.authoring.coverage` finds, and the text between them (headings, blank lines, list
markers). Each segment is cut again into *pieces* where a quoted passage starts or ends, so a
passage keeps its anchor and its marking even when it runs over several sentences. The template
``source.html`` turns this into HTML; nothing here builds markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from afkg.authoring.coverage import SentenceCoverage
from afkg.publish.site.links import Linker
from afkg.publish.site.term_display import resource_target
from afkg.publish.site.view import GraphView
from afkg.rdf.terms import Term, shorten

Link = dict[str, str | None]
"""A link as the templates take it: ``href`` (None for no link), ``text`` and ``title``."""

EXCERPT_WORDS = 8
"""How many words of a sentence name it in the list of sentences."""

UNCITED_SHOWN = 10
"""The page's header links to at most this many uncited sentences (the list has them all)."""


@dataclass(frozen=True)
class Quoted:
    """A passage found in the text: ``text[start:end]`` is its quote; ``anchor`` its id on the page."""

    start: int
    end: int
    anchor: str


def fresh_id(base: str, used: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever ``used`` does not hold yet; then it does."""
    found, n = base, 1
    while found in used:
        n += 1
        found = f"{base}-{n}"
    used.add(found)
    return found


def pieces(text: str, start: int, end: int, quoted: list[Quoted]) -> list[dict[str, Any]]:
    """``text[start:end]`` cut where a passage starts or ends: each piece with the anchors of the
    passages starting there and the anchors of those covering it (``marked``, comma-separated)."""
    cuts = sorted({start, end} | {q.start for q in quoted if start < q.start < end}
                  | {q.end for q in quoted if start < q.end < end})
    found = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        found.append({"text": text[left:right],
                      "anchors": [q.anchor for q in quoted if q.start == left],
                      "marked": ", ".join(q.anchor for q in quoted if q.start <= left and right <= q.end)})
    return found


def excerpt(sentence: str, words: int = EXCERPT_WORDS) -> str:
    """The first ``words`` words of a sentence, with an ellipsis when there are more."""
    parts = sentence.split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + " …"


def sentence_entry(number: int, sentence: SentenceCoverage, used: set[str],
                   link: Callable[[str], Link]) -> dict[str, Any]:
    """What the page shows of one sentence: its ids, whether it is cited, and links to the facts
    and the other resources that cite it."""
    facts = [link(iri) for iri in sentence.facts]
    others = [link(iri) for iri in sentence.citing if iri not in set(sentence.facts)]
    names = [str(found["text"]) for found in facts + others]
    return {"number": number, "id": fresh_id(f"sentence-{number}", used), "note_id": fresh_id(f"cites-{number}", used),
            "cited": sentence.cited, "section": sentence.section, "item": sentence.item,
            "excerpt": excerpt(sentence.text), "count": len(sentence.citing), "facts": facts, "others": others,
            "names": "; ".join(names)}


def segments(text: str, sentences: list[SentenceCoverage], quoted: list[Quoted], used: set[str],
             link: Callable[[str], Link]) -> list[dict[str, Any]]:
    """The whole text as segments in order: each with its pieces and, for a sentence, its entry
    (``sentence``; None between sentences). ``sentences`` are in order and do not overlap."""
    found: list[dict[str, Any]] = []
    at = 0
    for number, sentence in enumerate(sentences, start=1):
        if at < sentence.start:
            found.append({"sentence": None, "pieces": pieces(text, at, sentence.start, quoted)})
        found.append({"sentence": sentence_entry(number, sentence, used, link),
                      "pieces": pieces(text, sentence.start, sentence.end, quoted)})
        at = sentence.end
    if at < len(text) or not found:
        found.append({"sentence": None, "pieces": pieces(text, at, len(text), quoted)})
    return found


def by_section(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sentence entries grouped by runs of the same section, in order: ``section``, ``start``
    (the number of its first sentence) and ``sentences``."""
    groups: list[dict[str, Any]] = []
    for entry in entries:
        if not groups or groups[-1]["section"] != entry["section"]:
            groups.append({"section": entry["section"], "start": entry["number"], "sentences": []})
        groups[-1]["sentences"].append(entry)
    return groups


def resource_link(view: GraphView, linker: Linker, iri: str) -> Link:
    """A link to the page of one of our resources, by its label; no href for any other IRI."""
    target = resource_target(iri)
    short = shorten(iri)
    return {"href": linker.href(target) if target else None, "text": view.label(Term.uri(iri)),
            "title": iri if short.startswith("<") else short}
