"""Cutting an article's text into sentences, by a documented rule set.

No maintained segmenter fits without a model or a data download, and the texts are plain
encyclopaedia prose without citation marks, so the rules are these:

1. Headings and the ``= Title =`` line are no sentences; the sections are those of
   :mod:`afkg.article`.
2. Every line of the ``Infobox`` block that is not blank is one *item*, whatever its punctuation.
3. A sentence never crosses a line break: each other line is a paragraph or a list item, and a
   list marker (``-``, ``*``, ``#`` and a space) is not part of the sentence.
4. Within a line, a sentence ends after ``.``, ``!``, ``?`` or ``…`` (one or more, then any
   closing quotes or brackets and citation marks such as ``[12]``) followed by white space and a
   sentence start: an upper-case letter or a digit, maybe behind an opening quote or bracket.
   So decimals (``22.8``), ``e.g. the`` and ``12.5%`` never end one.
5. A full stop does not end a sentence after
   - a single capital letter (an initial: ``John F. Kennedy``, ``J. R. R. Tolkien``);
   - a title or other abbreviation of :data:`ABBREVIATIONS` (``Mr.``, ``Dr.``, ``St.``, ``e.g.``,
     ``i.e.``, ``vs.``, ``approx.``…), whatever follows;
   - an abbreviation of :data:`NUMBER_ABBREVIATIONS` (``No.``, ``Jan.``, ``c.``, ``pp.``…) when a
     digit follows;
   - letters with full stops (``U.S.``, ``U.K.``, ``a.m.``), unless the next word is one that
     starts sentences (:data:`SENTENCE_STARTERS`: ``The``, ``It``, ``In``…).
6. White space around a sentence is not part of it; empty sentences are dropped.

Offsets count characters of the whole text, as :class:`afkg.article.Line` does.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from afkg.article import INFOBOX, Section, TextSpan

ABBREVIATIONS = frozenset("""
mr mrs ms mx dr prof st ste mt ft sr gen col lt capt cmdr adm maj brig sgt gov sen rep rev hon pres amb
fr msgr mme mlle mgr messrs e.g i.e viz cf vs approx est dept univ assn bros ave blvd al
""".split())
"""Abbreviations (lower case, without the final full stop) after which a sentence does not end."""

NUMBER_ABBREVIATIONS = frozenset("""
no nos nr p pp vol vols art arts fig figs ch sec para c ca b d fl r op
jan feb mar apr jun jul aug sep sept oct nov dec
""".split())
"""Abbreviations after which a sentence does not end when a number follows (``No. 5``, ``c. 1200``)."""

SENTENCE_STARTERS = frozenset("""
The A An It In On At As By For From This That These Those There Then Thus He She They We I His Her Their
Its Our But And However Since After Before During While When Although Though Despite Following
""".split())
"""Words that start a new sentence after letters with full stops (``… in the U.S. The …``)."""

_LIST_MARKER = re.compile(r"[-*#]+\s+")
_END = re.compile(r"([.!?…]+)[\"'”’»)\]]*(?:\[[^\]\s]{1,20}\])*(?=\s+[\"'“‘«(\[]?[\w])")
_LETTERS_WITH_STOPS = re.compile(r"(?:[^\W\d_]\.){2,}")
_INITIAL = re.compile(r"[^\W\d_]\.")


@dataclass(frozen=True)
class Span(TextSpan):
    """A sentence (or an infobox item, ``item``): its text is the whole text's ``[start:end]``."""

    item: bool = False


def _ends_here(line: str, match: re.Match[str]) -> bool:
    """Whether the terminator ``match`` in ``line`` ends a sentence (rules 4 and 5)."""
    stops = match.group(1)
    if stops != ".":
        return True
    word_start = match.start(1)
    while word_start > 0 and not line[word_start - 1].isspace():
        word_start -= 1
    word = line[word_start:match.end(1)].lstrip("\"'“‘«([")
    after = line[match.end():].lstrip()
    next_word = re.match(r"\w+", after.lstrip("\"'“‘«(["))
    following = next_word.group(0) if next_word else ""
    bare = word[:-1].lower()
    if _INITIAL.fullmatch(word) and word[0].isupper():
        return False
    if bare in ABBREVIATIONS:
        return False
    if bare in NUMBER_ABBREVIATIONS and following[:1].isdigit():
        return False
    if _LETTERS_WITH_STOPS.fullmatch(word):
        return following in SENTENCE_STARTERS
    return True


def _trimmed(text: str, start: int, end: int, offset: int, *, item: bool = False) -> Span | None:
    """``text[start:end]`` without surrounding white space, at ``offset`` in the whole text."""
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return None
    lead = len(piece) - len(piece.lstrip())
    return Span(offset + start + lead, offset + start + lead + len(stripped), stripped, item)


def split_line(line: str, offset: int = 0) -> list[Span]:
    """The sentences of one line of prose or one list item that starts at ``offset`` (rules 3–6)."""
    marker = _LIST_MARKER.match(line.lstrip())
    begin = len(line) - len(line.lstrip()) + (marker.end() if marker else 0)
    spans: list[Span] = []
    for match in _END.finditer(line, begin):
        if _ends_here(line, match):
            span = _trimmed(line, begin, match.end(), offset)
            if span is not None:
                spans.append(span)
            begin = match.end()
    span = _trimmed(line, begin, len(line), offset)
    if span is not None:
        spans.append(span)
    return spans


def section_sentences(section: Section) -> list[Span]:
    """The sentences of a section's own text, or its items when it is the infobox (rule 2)."""
    spans: list[Span] = []
    for line in section.lines:
        if section.path == (INFOBOX,):
            marker = _LIST_MARKER.match(line.text.lstrip())
            begin = len(line.text) - len(line.text.lstrip()) + (marker.end() if marker else 0)
            span = _trimmed(line.text, begin, len(line.text), line.start, item=True)
            if span is not None:
                spans.append(span)
        else:
            spans.extend(split_line(line.text, line.start))
    return spans


def overlapping(spans: list[Span], start: int, end: int) -> range:
    """The indices of the ``spans`` (sorted, not overlapping each other) that overlap ``[start, end)``."""
    first = bisect.bisect_right(spans, start, key=lambda span: span.end)
    last = first
    while last < len(spans) and spans[last].start < end:
        last += 1
    return range(first, last)
