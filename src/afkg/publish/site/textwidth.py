"""How wide a line of text is, estimated on the server, to place labels in the SVG pictures.

The widths are the advance widths of DejaVu Sans, a wide sans-serif (the one Debian's
browsers use for ``system-ui``), in thousandths of an em. Narrower system fonts make
the estimate err on the wide side, which is the safe side: labels keep their room.
"""

from __future__ import annotations

import unicodedata

_ASCII = (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 636 636 636 "
    "337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 748 787 603 787 695 635 "
    "611 732 684 989 685 611 685 390 337 390 838 500 500 613 635 550 635 615 352 635 634 278 278 579 278 974 "
    "634 612 635 635 411 521 392 634 592 818 592 592 525 636 337 636 838"
)
WIDTHS: dict[str, int] = {chr(32 + i): int(w) for i, w in enumerate(_ASCII.split())}
WIDTHS.update({"–": 500, "—": 1000, "‘": 318, "’": 318, "“": 518, "”": 518, "…": 1000, "•": 590, "€": 636,
               "\u00a0": 318})
OTHER = 640
"""The width of a character of no table entry and no wider kind (most letters of other scripts)."""
BOLD = 1.12
"""How much wider bold text is than regular."""
ELLIPSIS = "…"


def char_width(char: str) -> int:
    """The advance width of one character, in thousandths of an em."""
    if char in WIDTHS:
        return WIDTHS[char]
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1000
    base = unicodedata.normalize("NFD", char)[:1]
    return WIDTHS.get(base, OTHER)


def text_width(text: str, size: float = 12, *, bold: bool = False) -> float:
    """The estimated width in pixels of ``text`` set at ``size`` pixels."""
    width = sum(char_width(c) for c in text) * size / 1000
    return width * BOLD if bold else width


def shorten(text: str, width: float, size: float = 12) -> str:
    """``text`` cut to fit ``width`` pixels, ending in an ellipsis when cut (at least the ellipsis)."""
    if text_width(text, size) <= width:
        return text
    room = width - text_width(ELLIPSIS, size)
    kept = ""
    for char in text:
        if text_width(kept + char, size) > room:
            break
        kept += char
    return kept.rstrip() + ELLIPSIS


def wrap(text: str, width: float, size: float = 12, max_lines: int = 3) -> list[str]:
    """``text`` broken at spaces into lines of at most ``width`` pixels, at most ``max_lines`` of them;
    the last line ends in an ellipsis when the text goes on, and a word wider than a line is cut."""
    words = text.split()
    lines: list[str] = []
    index = 0
    while index < len(words):
        if len(lines) == max_lines - 1:
            lines.append(shorten(" ".join(words[index:]), width, size))
            break
        line = words[index]
        index += 1
        while index < len(words) and text_width(f"{line} {words[index]}", size) <= width:
            line = f"{line} {words[index]}"
            index += 1
        lines.append(shorten(line, width, size))
    return lines or [""]
