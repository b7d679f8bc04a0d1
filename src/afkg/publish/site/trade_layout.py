"""Where everything of a trade chart goes at one width: a bar per flow, a diamond per balance, by year.

Amounts run up a vertical axis with round steps; each year is a group holding a bar per
direction (exporter to importer) and a slot for the balance. The left margin is as wide as
the widest amount label, so nothing is cut at a phone's width; a year label or an amount
over a bar is shown only where it has room.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from afkg.publish.site.chartdata import Balance, Flow, money
from afkg.publish.site.textwidth import text_width
from afkg.publish.site.timescale import Tick
from afkg.rdf.terms import Term

FONT = 12
VALUE_FONT = 11
MARGIN = 8.0
PLOT_TOP = 22.0
PLOT_HEIGHT = 210.0
BOTTOM = 30.0
MAX_BAR = 90.0
NICE = (1, 2, 2.5, 5, 10)


@dataclass(frozen=True)
class Bar:
    """A flow's bar, with its accessible name and, where it fits, its amount written over it."""

    flow: Flow
    slot: int
    x: float
    y: float
    width: float
    height: float
    title: str
    value: str
    value_y: float


@dataclass(frozen=True)
class Diamond:
    """A balance's diamond centred on (``x``, ``y``)."""

    balance: Balance
    x: float
    y: float
    title: str
    value: str
    value_y: float


@dataclass(frozen=True)
class Gridline:
    """An amount on the vertical axis."""

    y: float
    label: str


@dataclass(frozen=True)
class TradeLayout:
    """A trade chart at one width."""

    width: float
    height: float
    plot_left: float
    plot_right: float
    zero_y: float
    year_y: float
    grid: tuple[Gridline, ...]
    years: tuple[Tick, ...]
    """The year under each group that has room for it."""
    bars: tuple[Bar, ...]
    diamonds: tuple[Diamond, ...]
    directions: tuple[tuple[Term, Term], ...]


def nice_step(span: Decimal, count: int = 5) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts ``span`` into about ``count`` parts."""
    if span <= 0:
        return Decimal(1)
    raw = span / count
    power = Decimal(10) ** (raw.adjusted())
    for factor in NICE:
        step = power * Decimal(str(factor))
        if step >= raw:
            return step
    return power * 10


def short_amount(value: Decimal) -> str:
    """An amount for an axis: 25000000 -> ``25 million``, 0 -> ``0``."""
    for size, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million"), (Decimal(10) ** 3, "thousand")):
        if abs(value) >= size:
            scaled = (value / size).quantize(Decimal("0.1"))
            text = f"{scaled:f}".rstrip("0").rstrip(".")
            return f"{text} {word}"
    return f"{value.normalize():f}" if value else "0"


def lay_out(flows: Sequence[Flow], balances: Sequence[Balance], label: Callable[[Term], str], currency: str,
            width: float) -> TradeLayout:
    """The chart of ``flows`` and ``balances`` (all in ``currency``) drawn ``width`` pixels wide."""
    years = sorted({f.year for f in flows} | {b.year for b in balances}, key=lambda y: (len(y), y))
    directions = tuple(sorted({(f.exporter, f.importer) for f in flows}))
    values = [f.amount for f in flows] + [b.amount for b in balances] + [Decimal(0)]
    step = nice_step(max(values) - min(values))
    top = (max(values) / step).to_integral_value(rounding=ROUND_CEILING) * step
    bottom = (min(values) / step).to_integral_value(rounding=ROUND_FLOOR) * step
    span = (top - bottom) or Decimal(1)
    grid_values = [bottom + step * n for n in range(int(span / step) + 1)]
    labels = [short_amount(v) for v in grid_values]
    plot_left = MARGIN + max(text_width(t, FONT) for t in labels) + 8
    plot_right = width - MARGIN

    def y(value: Decimal) -> float:
        return PLOT_TOP + float((top - value) / span) * PLOT_HEIGHT

    grid = tuple(Gridline(y(v), t) for v, t in zip(grid_values, labels, strict=True))
    group = (plot_right - plot_left) / max(len(years), 1)
    slots = len(directions) + (1 if balances else 0)
    bar = min(group * 0.8 / max(slots, 1), MAX_BAR)
    bars, diamonds, year_labels = [], [], []
    last_right = float("-inf")
    for index, year in enumerate(years):
        centre = plot_left + (index + 0.5) * group
        x0 = centre - slots * bar / 2
        half = text_width(year, FONT) / 2
        if centre - half >= last_right + 8:
            year_labels.append(Tick(centre, year))
            last_right = centre + half
        for slot, direction in enumerate(directions):
            for flow in (f for f in flows if f.year == year and (f.exporter, f.importer) == direction):
                y1, y2 = sorted((y(flow.amount), y(Decimal(0))))
                value = short_amount(flow.amount)
                fits = text_width(value, VALUE_FONT) <= bar * 0.95
                title = f"{label(flow.exporter)} to {label(flow.importer)}, {year}: {money(flow.amount, currency)}"
                value_y = y1 - 4 if flow.amount >= 0 else y2 + 12
                bars.append(Bar(flow, slot, x0 + slot * bar, y1, bar * 0.9, max(y2 - y1, 1), title,
                                value if fits else "", value_y))
        for balance in (b for b in balances if b.year == year):
            cx, cy = x0 + len(directions) * bar + bar * 0.45, y(balance.amount)
            title = (f"Balance of {label(balance.reporter)} with {label(balance.partner)}, {year}: "
                     f"{money(balance.amount, currency)} (exports minus imports)")
            value = short_amount(balance.amount)
            fits = text_width(value, VALUE_FONT) <= bar * 0.95
            diamonds.append(Diamond(balance, cx, cy, title, value if fits else "",
                                    cy - 12 if balance.amount >= 0 else cy + 20))
    below = 14.0 if bottom < 0 else 0.0  # room for the amounts under negative bars
    year_y = PLOT_TOP + PLOT_HEIGHT + 18 + below
    height = PLOT_TOP + PLOT_HEIGHT + BOTTOM + below
    return TradeLayout(float(width), height, plot_left, plot_right, y(Decimal(0)), year_y, grid, tuple(year_labels),
                       tuple(bars), tuple(diamonds), directions)
