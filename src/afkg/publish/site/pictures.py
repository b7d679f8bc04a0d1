"""Pictures drawn as SVG on the server from the stored queries: a timeline and a trade chart.

Every data point is one SVG element of class ``mark`` with a ``<title>`` (its
accessible name); timeline marks link to the page of their item. Both pictures
are drawn from query results only, so they work for any relation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from afkg.publish.site.html import attr, text
from afkg.publish.site.links import Linker
from afkg.publish.site.terms import number, resource_target
from afkg.query.results import SelectResult
from afkg.query.terms import Term

_DATE = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?")

WIDTH = 960
LANE_ROW = 16
AXIS = 28
LEFT = 130
RIGHT = 20


def year_of(value: str) -> float | None:
    """A date, year-month or year as a fractional year (2020-03-30 -> 2020.24)."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2) or 1)
    day = int(match.group(3) or 1)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return year + ((month - 1) * 30.4 + (day - 1)) / 365.0


@dataclass(frozen=True)
class TimelineItem:
    """One row of the timeline query, placed in a lane."""

    item: Term
    label: str
    lane: str
    start: float
    end: float | None
    worded: str


LANES = ("Rule and occupation", "Ties", "Visits", "Events")


def timeline_items(result: SelectResult, lanes_of: dict[str, str]) -> list[TimelineItem]:
    """The rows that have a readable date, each with its lane (``lanes_of`` maps an item's IRI to its lane).
    The query has a row per relation that states an item; an item several relations state is drawn once."""
    items = []
    seen: set[str] = set()
    for row in result.rows:
        start = year_of(row["date"].value) if "date" in row else None
        if start is None or "item" not in row or row["item"].value in seen:
            continue
        seen.add(row["item"].value)
        end = year_of(row["end"].value) if "end" in row else None
        items.append(TimelineItem(
            item=row["item"], label=row["label"].value if "label" in row else row["item"].value,
            lane=lanes_of.get(row["item"].value, "Events"), start=start,
            end=end if end is not None and end > start else None,
            worded=row["asWorded"].value if "asWorded" in row else ""))
    return items


def _rows(items: list[TimelineItem], x: Callable[[float], float]) -> list[int]:
    """A row within its lane for every item, so that no two marks overlap."""
    ends: dict[str, list[float]] = {}
    rows = []
    for item in items:
        left = x(item.start) - 6
        right = (x(item.end) if item.end is not None else x(item.start)) + 6
        taken = ends.setdefault(item.lane, [])
        for number_, end in enumerate(taken):
            if end <= left:
                taken[number_] = right
                rows.append(number_)
                break
        else:
            taken.append(right)
            rows.append(len(taken) - 1)
    return rows


def timeline_svg(items: list[TimelineItem], linker: Linker) -> str:
    """The timeline: one lane per kind of item, bars for periods, dots for points in time."""
    if not items:
        return "<p>No dated items.</p>"
    first = min(i.start for i in items)
    last = max(max(i.end or i.start for i in items), first + 1)
    low = int(first // 100 * 100)
    high = int(last) + 1
    span = max(high - low, 1)

    def x(year: float) -> float:
        return LEFT + (year - low) / span * (WIDTH - LEFT - RIGHT)

    ordered = sorted(items, key=lambda i: (LANES.index(i.lane), i.start, i.label))
    rows = _rows(ordered, x)
    lane_rows = {lane: 1 + max([r for i, r in zip(ordered, rows, strict=True) if i.lane == lane], default=-1)
                 for lane in LANES}
    tops: dict[str, float] = {}
    y = 10.0
    for lane in LANES:
        if lane_rows[lane]:
            tops[lane] = y
            y += lane_rows[lane] * LANE_ROW + 14
    height = y + AXIS
    out = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
           f'aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="timeline-title">Timeline, {low} to {high - 1}: {len(items)} items</title>']
    for lane, top in tops.items():
        bottom = top + lane_rows[lane] * LANE_ROW
        out.append(f'<g class="lane"><rect class="lane-band" x="{LEFT}" y="{top - 3:.1f}" '
                   f'width="{WIDTH - LEFT - RIGHT}" height="{bottom - top + 6:.1f}"/>'
                   f'<text class="lane-name" x="4" y="{top + 11:.1f}">{text(lane)}</text></g>')
    step = 100 if span > 300 else 50 if span > 120 else 10
    tick = (low // step) * step
    axis_y = height - AXIS + 6
    out.append(f'<g class="axis"><line x1="{LEFT}" y1="{axis_y:.1f}" x2="{WIDTH - RIGHT}" y2="{axis_y:.1f}"/>')
    while tick <= high:
        if tick >= low:
            out.append(f'<line x1="{x(tick):.1f}" y1="{axis_y:.1f}" x2="{x(tick):.1f}" y2="{axis_y + 5:.1f}"/>'
                       f'<text x="{x(tick):.1f}" y="{axis_y + 18:.1f}" text-anchor="middle">{tick}</text>')
        tick += step
    out.append("</g>")
    for item, row in zip(ordered, rows, strict=True):
        cy = tops[item.lane] + row * LANE_ROW + LANE_ROW / 2 - 2
        title = item.label + (f" ({item.worded})" if item.worded else "")
        lane_class = item.lane.split()[0].lower()
        if item.end is not None:
            width = max(x(item.end) - x(item.start), 4)
            shape = (f'<rect x="{x(item.start):.1f}" y="{cy - 5:.1f}" width="{width:.1f}" height="10" rx="2"/>')
            kind = "period"
        else:
            shape = f'<circle cx="{x(item.start):.1f}" cy="{cy:.1f}" r="5"/>'
            kind = "point"
        mark = f'<g class="mark {kind} {lane_class}"><title>{text(title)}</title>{shape}</g>'
        target = resource_target(item.item.value) if item.item.kind == "uri" else None
        if target:
            mark = f'<a href="{attr(linker.href(target))}">{mark}</a>'
        out.append(mark)
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class Flow:
    """One trade flow: exporter, importer, year, amount, currency."""

    year: str
    exporter: Term
    importer: Term
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Balance:
    """A reporter's exports minus imports with a partner in a year."""

    year: str
    reporter: Term
    partner: Term
    amount: Decimal
    currency: str


def _decimal(term: Term | None) -> Decimal | None:
    if term is None:
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def flows_from(result: SelectResult) -> list[Flow]:
    """Flows from the rows of the trade-by-year query (rows without a number are left out)."""
    flows = []
    for row in result.rows:
        amount = _decimal(row.get("amount"))
        if amount is None or not {"year", "exporter", "importer"} <= set(row):
            continue
        flows.append(Flow(row["year"].value, row["exporter"], row["importer"], amount,
                          row["currency"].value if "currency" in row else ""))
    return flows


def balances_from(result: SelectResult) -> list[Balance]:
    """Balances from the rows of the trade-balance query: the stated balance, else the computed one."""
    balances = []
    for row in result.rows:
        amount = _decimal(row.get("statedBalance")) or _decimal(row.get("computedBalance"))
        if amount is None or not {"year", "reporter", "partner"} <= set(row):
            continue
        balances.append(Balance(row["year"].value, row["reporter"], row["partner"], amount,
                                row["currency"].value if "currency" in row else ""))
    return balances


def _money(amount: Decimal, currency: str) -> str:
    if abs(amount) >= 1_000_000:
        return f"{amount / 1_000_000:,.1f} million {currency}".strip()
    return f"{number(str(amount))} {currency}".strip()


def trade_svg(flows: list[Flow], balances: list[Balance], label: Callable[[Term], str], currency: str) -> str:
    """Bars for the flows of each year (one colour per direction) and a diamond for each balance."""
    flows = [f for f in flows if f.currency == currency]
    balances = [b for b in balances if b.currency == currency]
    if not flows and not balances:
        return "<p>No trade figures.</p>"
    years = sorted({f.year for f in flows} | {b.year for b in balances}, key=lambda y: (len(y), y))
    directions = sorted({(f.exporter, f.importer) for f in flows})
    values = [f.amount for f in flows] + [b.amount for b in balances] + [Decimal(0)]
    top, bottom = max(values), min(values)
    height, left, plot_top, plot_bottom = 300, 90, 20, 250
    span = (top - bottom) or Decimal(1)

    def y(value: Decimal) -> float:
        return plot_top + float((top - value) / span) * (plot_bottom - plot_top)

    group = (WIDTH - left - RIGHT) / len(years)
    slots = len(directions) + 1
    bar = group * 0.8 / slots
    out = [f'<svg class="trade" viewBox="0 0 {WIDTH} {height + 20 * len(directions) + 30}" role="img" '
           f'aria-labelledby="trade-title-{attr(currency)}" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="trade-title-{attr(currency)}">Trade flows and balances by year, in {text(currency)}</title>',
           f'<g class="axis"><line x1="{left}" y1="{y(Decimal(0)):.1f}" x2="{WIDTH - RIGHT}" '
           f'y2="{y(Decimal(0)):.1f}"/>']
    for fraction in (0, 0.5, 1):
        value = bottom + span * Decimal(str(fraction))
        out.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{text(_money(value, ""))}</text>'
                   f'<line class="grid" x1="{left}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}"/>')
    out.append("</g>")
    for index, year in enumerate(years):
        x0 = left + index * group + group * 0.1
        out.append(f'<text class="year" x="{x0 + group * 0.4:.1f}" y="{plot_bottom + 22}" '
                   f'text-anchor="middle">{text(year)}</text>')
        for slot, direction in enumerate(directions):
            for flow in (f for f in flows if f.year == year and (f.exporter, f.importer) == direction):
                y1, y2 = sorted((y(flow.amount), y(Decimal(0))))
                name = f"{label(flow.exporter)} to {label(flow.importer)}, {year}: {_money(flow.amount, currency)}"
                out.append(f'<g class="mark flow direction-{slot}"><title>{text(name)}</title>'
                           f'<rect x="{x0 + slot * bar:.1f}" y="{y1:.1f}" width="{bar * 0.9:.1f}" '
                           f'height="{max(y2 - y1, 1):.1f}"/></g>')
        for balance in (b for b in balances if b.year == year):
            cx, cy = x0 + len(directions) * bar + bar * 0.45, y(balance.amount)
            name = (f"Balance of {label(balance.reporter)} with {label(balance.partner)}, {year}: "
                    f"{_money(balance.amount, currency)} (exports minus imports)")
            out.append(f'<g class="mark balance"><title>{text(name)}</title>'
                       f'<path d="M{cx:.1f} {cy - 8:.1f} L{cx + 8:.1f} {cy:.1f} L{cx:.1f} {cy + 8:.1f} '
                       f'L{cx - 8:.1f} {cy:.1f} Z"/></g>')
    legend_y = height + 10
    for slot, (exporter, importer) in enumerate(directions):
        out.append(f'<g class="legend direction-{slot}"><rect x="{left}" y="{legend_y + slot * 20}" width="12" '
                   f'height="12"/><text x="{left + 18}" y="{legend_y + slot * 20 + 11}">'
                   f'{text(label(exporter))} to {text(label(importer))}</text></g>')
    legend_y += len(directions) * 20
    out.append(f'<g class="legend balance"><path d="M{left + 6} {legend_y} L{left + 12} {legend_y + 6} '
               f'L{left + 6} {legend_y + 12} L{left} {legend_y + 6} Z"/><text x="{left + 18}" '
               f'y="{legend_y + 11}">balance (exports minus imports of the reporter)</text></g>')
    out.append("</svg>")
    return "\n".join(out)
