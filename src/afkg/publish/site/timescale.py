"""A broken time axis: the years that hold items, drawn linearly, with the empty centuries between them cut out.

Dates cluster (a medieval period, a few years around 1912, the last decade); a linear axis
from the first to the last squeezes each cluster into a few pixels. Here the dates are
grouped into *segments* wherever a gap is long (at least :data:`MIN_GAP_YEARS` and a tenth
of the whole span), and each segment gets a width by how many distinct dates it holds,
never less than :data:`MIN_SEGMENT`. Within a segment the axis is linear; between two
segments a break is drawn. An optional column at the right holds the items with no date.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from afkg.publish.site.textwidth import text_width

MIN_GAP_YEARS = 20
"""A gap shorter than this never breaks the axis."""
GAP_SHARE = 0.1
"""Nor does a gap shorter than this share of the whole span."""
MIN_SEGMENT = 52.0
"""The narrowest segment, in pixels (room for a year label)."""
BREAK = 16.0
"""The room between two segments, in pixels."""
PAD = 7.0
"""Room inside a segment's edges, so that a mark on its first or last year stays inside it."""
UNDATED = 52.0
"""The width of the column for items with no date."""
UNDATED_LABEL = "no date"
STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)


@dataclass(frozen=True)
class Segment:
    """Years ``low`` (included) to ``high`` (excluded), drawn between pixels ``left`` and ``right``."""

    low: int
    high: int
    left: float
    right: float

    def x(self, year: float) -> float:
        """The pixel of ``year`` (which should lie within the segment)."""
        inner = self.right - self.left - 2 * PAD
        return self.left + PAD + (year - self.low) / (self.high - self.low) * inner


@dataclass(frozen=True)
class Tick:
    """A label at ``x`` along a horizontal axis: a year of the timeline, or of the trade chart."""

    x: float
    label: str


@dataclass(frozen=True)
class BrokenScale:
    """Years to pixels along segments, with breaks between them and an optional column without dates."""

    segments: tuple[Segment, ...]
    left: float
    right: float
    undated: tuple[float, float] | None

    def x(self, year: float) -> float:
        """The pixel of ``year``: within its segment, else in the middle of the break it falls in."""
        if not self.segments:
            return self.left
        for index, segment in enumerate(self.segments):
            if year < segment.low:
                if index == 0:
                    return segment.x(segment.low)
                return (self.segments[index - 1].right + segment.left) / 2
            if year <= segment.high:
                return segment.x(year)
        last = self.segments[-1]
        return last.x(last.high)

    @property
    def dated_right(self) -> float:
        """Where the dated part of the axis ends (an open-ended period runs to here)."""
        return self.segments[-1].right if self.segments else self.left

    @property
    def breaks(self) -> list[float]:
        """The middle of every break: between two segments, and before the column without dates."""
        found = [(a.right + b.left) / 2 for a, b in zip(self.segments, self.segments[1:], strict=False)]
        if self.undated is not None and self.segments:
            found.append(self.undated[0] - BREAK / 2)
        return found

    @property
    def undated_x(self) -> float:
        """The middle of the column for items with no date."""
        if self.undated is None:
            raise ValueError("this scale has no column for items with no date")
        return (self.undated[0] + self.undated[1]) / 2

    def ticks(self, size: float = 12) -> list[Tick]:
        """Year labels that do not overlap: every segment's first year, then round years as room allows;
        and the label of the column without dates."""
        gap = 8.0
        wanted: list[Tick] = []
        if self.undated is not None:
            wanted.append(Tick(self.undated_x, UNDATED_LABEL))
        for segment in self.segments:
            wanted.append(Tick(segment.x(segment.low), str(segment.low)))
        for segment in self.segments:
            per_year = (segment.x(segment.high) - segment.x(segment.low)) / (segment.high - segment.low)
            room = text_width(str(segment.high), size) + gap
            step = next((s for s in STEPS if s * per_year >= room), STEPS[-1])
            year = math.ceil(segment.low / step) * step
            while year < segment.high:
                if year != segment.low:
                    wanted.append(Tick(segment.x(year), str(year)))
                year += step
        kept: list[tuple[float, float, Tick]] = []
        for tick in wanted:
            half = text_width(tick.label, size) / 2
            x = min(max(tick.x, self.left + half), self.right - half)
            a, b = x - half - gap / 2, x + half + gap / 2
            if all(b <= ka or a >= kb for ka, kb, _ in kept):
                kept.append((a, b, Tick(x, tick.label)))
        return sorted((t for _, _, t in kept), key=lambda t: t.x)


def clusters(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """The stretches of years covered by ``spans`` (start, end), split where a gap is long."""
    ordered = sorted((min(a, b), max(a, b)) for a, b in spans)
    if not ordered:
        return []
    whole = max(b for _, b in ordered) - ordered[0][0]
    limit = max(MIN_GAP_YEARS, whole * GAP_SHARE)
    found = [list(ordered[0])]
    for start, end in ordered[1:]:
        if start - found[-1][1] <= limit:
            found[-1][1] = max(found[-1][1], end)
        else:
            found.append([start, end])
    return [(a, b) for a, b in found]


def _merge_closest(found: list[tuple[float, float]]) -> list[tuple[float, float]]:
    gaps = [b[0] - a[1] for a, b in zip(found, found[1:], strict=False)]
    index = gaps.index(min(gaps))
    merged = (found[index][0], found[index + 1][1])
    return [*found[:index], merged, *found[index + 2:]]


def broken_scale(spans: Iterable[tuple[float, float]], left: float, right: float, *,
                 undated: bool = False) -> BrokenScale:
    """The scale of ``spans`` (start, end in fractional years; a point has start == end) between pixels
    ``left`` and ``right``, with a column at the right for items with no date when ``undated``."""
    spans = list(spans)
    column = (right - UNDATED, right) if undated else None
    dated_right = right - UNDATED - BREAK if undated else right
    found = clusters(spans)
    if not found:
        return BrokenScale((), left, right, column)
    room = dated_right - left
    while len(found) > 1 and len(found) * MIN_SEGMENT + (len(found) - 1) * BREAK > room:
        found = _merge_closest(found)
    dates = sorted({round(v, 1) for span in spans for v in span})
    weights = [1 + sum(1 for d in dates if a - 0.05 <= d <= b + 0.05) for a, b in found]
    spare = room - (len(found) - 1) * BREAK - len(found) * MIN_SEGMENT
    segments = []
    x = left
    for (a, b), weight in zip(found, weights, strict=True):
        width = MIN_SEGMENT + max(spare, 0) * weight / sum(weights)
        segments.append(Segment(math.floor(a), math.floor(b) + 1, x, x + width))
        x += width + BREAK
    return BrokenScale(tuple(segments), left, right, column)
