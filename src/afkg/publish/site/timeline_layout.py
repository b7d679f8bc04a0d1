"""Where everything of the timeline goes at one width: lanes, rows, marks, labels and the axis.

Every item gets a mark on the broken time axis (:mod:`afkg.publish.site.timescale`) and a
visible label: on the right of the mark, on its left, or on the row below it, wrapped onto
up to :data:`MAX_LINES` lines, wherever it takes the fewest rows (the full text stays in the
mark's ``<title>``). An item and its label form a block; blocks are packed
into the rows of their lane, first fit, so that no two blocks of a row come closer than
:data:`SPACING`. Rows are :data:`ROW` pixels apart, more than a line of text is high, so no
two labels overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from afkg.publish.site.chartdata import LANES, TimelineItem
from afkg.publish.site.textwidth import ELLIPSIS, text_width, wrap
from afkg.publish.site.timescale import BrokenScale, Tick, broken_scale

FONT = 12
ROW = 17
MARGIN = 10
LANE_HEAD = 20
LANE_GAP = 10
AXIS = 30
GAP = 5.0
"""Between a mark and its label."""
SPACING = 10.0
"""Between two blocks of the same row."""
MIN_REGION = 56.0
"""A label needs at least this much room beside its mark, else it goes on the rows below."""
MAX_LINES = 3
RADIUS = 5.0
FADE = 40.0
"""The lead-in of a period known only by its end."""
MIN_OPEN = 28.0
"""The shortest open-ended bar."""
TOP_AXIS_ROWS = 14
"""A timeline with more rows than this has its axis at the top as well."""


@dataclass(frozen=True)
class Label:
    """A mark's visible label: its lines, where the first baseline is, and which side it hangs from."""

    lines: tuple[str, ...]
    x: float
    y: float
    anchor: str
    width: float

    @property
    def left(self) -> float:
        """The left edge of the text."""
        return self.x - self.width if self.anchor == "end" else self.x


@dataclass(frozen=True)
class Mark:
    """An item placed: its shape runs from ``x0`` to ``x1`` around the middle line ``y``."""

    item: TimelineItem
    x0: float
    x1: float
    y: float
    label: Label


@dataclass(frozen=True)
class Lane:
    """A lane: its name above a band from ``top`` to ``bottom``."""

    name: str
    name_y: float
    top: float
    bottom: float


@dataclass(frozen=True)
class Axis:
    """The time axis at line ``y``, labels above it (at the top of the picture) or below."""

    y: float
    above: bool
    ticks: tuple[Tick, ...]


@dataclass(frozen=True)
class TimelineLayout:
    """The whole timeline at one width."""

    width: float
    height: float
    scale: BrokenScale
    lanes: tuple[Lane, ...]
    marks: tuple[Mark, ...]
    axes: tuple[Axis, ...]
    grid_top: float
    grid_bottom: float


@dataclass(frozen=True)
class _Block:
    item: TimelineItem
    x0: float
    x1: float
    lines: tuple[str, ...]
    label_x: float
    anchor: str
    label_width: float
    below: bool

    @property
    def extent(self) -> tuple[float, float]:
        left = self.label_x - self.label_width if self.anchor == "end" else self.label_x
        return min(self.x0, left), max(self.x1, left + self.label_width)

    @property
    def rows(self) -> int:
        return len(self.lines) + (1 if self.below else 0)


def shape_extent(item: TimelineItem, scale: BrokenScale) -> tuple[float, float]:
    """Where the mark of ``item`` runs from and to, in pixels."""
    if item.start is None:
        x = scale.undated_x
        return x - RADIUS, x + RADIUS
    x = scale.x(item.start)
    if item.open_end:
        return x, min(max(scale.dated_right - 2, x + MIN_OPEN), scale.right)
    if item.open_start:
        return max(x - FADE, scale.left), x
    if item.end is not None:
        return x, max(scale.x(item.end), x + 4)
    return x - RADIUS, x + RADIUS


def _cut(lines: list[str], label: str) -> bool:
    return bool(lines) and lines[-1].endswith(ELLIPSIS) and not label.endswith(ELLIPSIS)


def place_label(item: TimelineItem, x0: float, x1: float, left: float, right: float) -> _Block:
    """The label of a mark from ``x0`` to ``x1``: on its right, on its left, or on the row below from
    where the mark starts, whichever takes the fewest rows (in that order on a tie); across the whole
    width on the rows below when none of them has room."""
    regions = [(x1 + GAP, right, False), (left, x0 - GAP, False), (x0, right, True)]
    best: tuple[tuple[int, bool, int], _Block] | None = None
    for order, (a, b, below) in enumerate(regions):
        if b - a < MIN_REGION:
            continue
        lines = wrap(item.label, b - a, FONT, MAX_LINES)
        width = max(text_width(line, FONT) for line in lines)
        anchor, x = ("end", b) if order == 1 else ("start", a)
        block = _Block(item, x0, x1, tuple(lines), x, anchor, width, below)
        score = (block.rows, _cut(lines, item.label), order)
        if best is None or score < best[0]:
            best = (score, block)
    if best is not None:
        return best[1]
    lines = wrap(item.label, right - left, FONT, MAX_LINES)
    width = max(text_width(line, FONT) for line in lines)
    return _Block(item, x0, x1, tuple(lines), left, "start", width, True)


def pack(extents: Sequence[tuple[float, float, int]]) -> list[int]:
    """The first row of each block (left, right, rows it takes), first fit: a block goes to the
    topmost rows where it keeps :data:`SPACING` from every block already there."""
    taken: list[list[tuple[float, float]]] = []
    placed = []
    for a, b, height in extents:
        row = 0
        while True:
            while len(taken) < row + height:
                taken.append([])
            if all(b + SPACING <= ta or a >= tb + SPACING for r in range(row, row + height) for ta, tb in taken[r]):
                break
            row += 1
        for r in range(row, row + height):
            taken[r].append((a, b))
        placed.append(row)
    return placed


def _lane_order(item: TimelineItem) -> tuple[int, bool, float, str, str]:
    lane = LANES.index(item.lane) if item.lane in LANES else len(LANES)
    return lane, item.start is None, item.start or 0.0, item.label, item.item.value


def lay_out(items: Sequence[TimelineItem], width: float) -> TimelineLayout:
    """The timeline of ``items`` drawn ``width`` pixels wide."""
    left, right = float(MARGIN), float(width - MARGIN)
    spans = [(i.start, i.end if i.end is not None else i.start) for i in items if i.start is not None]
    scale = broken_scale(spans, left, right, undated=any(i.start is None for i in items))
    ordered = sorted(items, key=_lane_order)
    blocks = [place_label(i, *shape_extent(i, scale), left, right) for i in ordered]
    lanes_seen = list(dict.fromkeys(b.item.lane for b in blocks))
    rows: dict[int, int] = {}
    lane_rows: dict[str, int] = {}
    for lane in lanes_seen:
        members = [n for n, b in enumerate(blocks) if b.item.lane == lane]
        firsts = pack([(*blocks[n].extent, blocks[n].rows) for n in members])
        rows.update(zip(members, firsts, strict=True))
        lane_rows[lane] = max(first + blocks[n].rows for n, first in zip(members, firsts, strict=True))
    ticks = tuple(scale.ticks(FONT))
    axes = []
    y = 6.0
    if sum(lane_rows.values()) > TOP_AXIS_ROWS:
        axes.append(Axis(y + 18, True, ticks))
        y += AXIS
    lanes, marks = [], []
    tops: dict[str, float] = {}
    for lane in lanes_seen:
        top = y + LANE_HEAD
        bottom = top + lane_rows[lane] * ROW + 4
        lanes.append(Lane(lane, y + 14, top, bottom))
        tops[lane] = top + 2
        y = bottom + LANE_GAP
    for n, block in enumerate(blocks):
        row_top = tops[block.item.lane] + rows[n] * ROW
        mark_y = row_top + ROW / 2
        label_y = mark_y + 4 + (ROW if block.below else 0)
        label = Label(block.lines, block.label_x, label_y, block.anchor, block.label_width)
        marks.append(Mark(block.item, block.x0, block.x1, mark_y, label))
    axis_y = y - LANE_GAP + 8
    axes.append(Axis(axis_y, False, ticks))
    grid_top = lanes[0].top if lanes else axis_y
    grid_bottom = lanes[-1].bottom if lanes else axis_y
    return TimelineLayout(float(width), axis_y + AXIS - 6, scale, tuple(lanes), tuple(marks), tuple(axes),
                          grid_top, grid_bottom)
