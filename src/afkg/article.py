"""An article's text cut into its sections, with the character offsets of every line.

:func:`afkg.validation.validate.source_sections` (quotes are checked against a section's own text) and
the authoring commands (:mod:`afkg.authoring`) both read a text through this module:
a line ``== Heading ==`` starts a section, ``=== Heading ===`` a subsection of the nearest
heading above it with fewer ``=``, and so on to six ``=``. Before the first heading, an
``Infobox`` line opens a block that runs to the first blank line, and everything else makes
the ``Introduction``; the ``= Title =`` line belongs to no section. Lines are those of
:meth:`str.splitlines`, and offsets count characters of the text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

SectionPath = tuple[str, ...]
"""A section's heading after those of the sections it lies in (as in :mod:`afkg.validation.validate`)."""

LEAD = "Introduction"
INFOBOX = "Infobox"
HEADING = re.compile(r"(={2,6})\s*(.+?)\s*\1")
"""A heading line, stripped: two to six ``=`` on each side."""


@dataclass(frozen=True)
class TextSpan:
    """A stretch of a text from offset ``start`` to ``end``, and its characters ``text``: a line, a sentence."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Line(TextSpan):
    """One line of a section's own text."""


@dataclass
class Section:
    """A section of the text: its path, where it starts (its heading line, the ``Infobox`` line, or
    the first line of the introduction that is not blank; None for an introduction of blank lines
    only) and its own lines, up to its first subsection."""

    path: SectionPath
    at: int | None = None
    lines: list[Line] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The section's own heading."""
        return self.path[-1]

    @property
    def parent(self) -> SectionPath | None:
        """The path of the section this one lies in, if any."""
        return self.path[:-1] or None

    @property
    def shown(self) -> str:
        """The path as people read it: ``History › Modern history``."""
        return " › ".join(self.path)

    def own_text(self) -> str:
        """The section's own text, its lines joined by LF (what validate checks quotes against)."""
        return "\n".join(line.text for line in self.lines)

    def find(self, fragment: str, limit: int | None = None) -> list[tuple[int, int]]:
        """Every occurrence of ``fragment`` in :meth:`own_text` (the first ``limit`` ones, if given), as
        (start, end) offsets of the whole text; overlapping occurrences count too."""
        if not fragment:
            return []
        joined = self.own_text()
        starts: list[int] = []
        offset = 0
        for line in self.lines:
            starts.append(offset)
            offset += len(line.text) + 1
        found: list[tuple[int, int]] = []
        at = joined.find(fragment)
        while at >= 0 and (limit is None or len(found) < limit):
            found.append((self._source_offset(at, starts), self._source_offset(at + len(fragment), starts)))
            at = joined.find(fragment, at + 1)
        return found

    def _source_offset(self, joined: int, starts: list[int]) -> int:
        """The offset in the whole text of character ``joined`` of :meth:`own_text`."""
        index = bisect.bisect_right(starts, joined) - 1
        return self.lines[index].start + (joined - starts[index])


def _lines(text: str) -> list[Line]:
    """The lines of ``text`` as :meth:`str.splitlines` cuts them, with their offsets."""
    lines = []
    offset = 0
    for plain, ended in zip(text.splitlines(), text.splitlines(keepends=True), strict=True):
        lines.append(Line(offset, offset + len(plain), plain))
        offset += len(ended)
    return lines


def sections(text: str) -> list[Section]:
    """The sections of ``text`` in the order their first line or heading comes, each with its own lines
    (a heading that comes twice makes one section)."""
    found: dict[SectionPath, Section] = {}
    open_headings: list[tuple[int, str]] = []
    current: SectionPath = (LEAD,)

    def section(path: SectionPath, at: int | None) -> Section:
        if path not in found:
            found[path] = Section(path)
        if found[path].at is None:
            found[path].at = at
        return found[path]

    for line in _lines(text):
        stripped = line.text.strip()
        heading = HEADING.fullmatch(stripped)
        if heading:
            level = len(heading.group(1))
            while open_headings and open_headings[-1][0] >= level:
                open_headings.pop()
            open_headings.append((level, heading.group(2)))
            current = tuple(name for _level, name in open_headings)
            section(current, line.start)
            continue
        if not open_headings:
            if stripped.startswith("=") and stripped.endswith("="):
                continue
            if stripped == INFOBOX:
                current = (INFOBOX,)
                section(current, line.start)
                continue
            if current == (INFOBOX,) and not stripped:
                current = (LEAD,)
                continue
        section(current, line.start if stripped else None).lines.append(line)
    return list(found.values())


def outline(text: str) -> list[Section]:
    """The sections of ``text`` in the order they start, without an introduction of blank lines."""
    return sorted((s for s in sections(text) if s.at is not None), key=lambda s: s.at or 0)


def headings(text: str) -> int:
    """How many heading lines (``== X ==`` to ``====== X ======``) the text has."""
    return sum(1 for line in text.splitlines() if HEADING.fullmatch(line.strip()))
