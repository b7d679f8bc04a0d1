"""Pictures drawn as SVG on the server from the stored queries: a timeline and a trade chart.

Every data point is one SVG element of class ``mark`` with a ``<title>`` (its accessible
name); timeline marks link to the page of their item. Both pictures are drawn from query
results only, so they work for any relation.

Each picture is laid out at a few widths (:data:`LAYOUTS`) and the stylesheet shows the one
that fits the screen, so text keeps its size on a phone and on a desktop and no picture is
wider than the page. The layouts are computed here (:mod:`~afkg.publish.site.timeline_layout`,
:mod:`~afkg.publish.site.trade_layout`); the templates ``timeline.svg`` and ``trade.svg``
only write them out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from afkg.publish.site import timeline_layout, trade_layout
from afkg.publish.site.chartdata import (
    LANES,
    Balance,
    Flow,
    TimelineItem,
    balances_from,
    flows_from,
    money,
    timeline_items,
    year_of,
)
from afkg.publish.site.links import Linker
from afkg.publish.site.templating import render
from afkg.publish.site.term_display import resource_target
from afkg.rdf.terms import Term

__all__ = ["LANES", "LAYOUTS", "Balance", "Flow", "RelationKey", "TimelineItem", "balances_from", "flows_from",
           "money", "relation_class", "timeline_items", "timeline_svg", "timeline_title", "trade_legend",
           "trade_svg", "year_of"]

LAYOUTS = (("narrow", 360), ("medium", 640), ("wide", 960))
"""The widths each picture is laid out at, by the name of the class the stylesheet shows it by."""
COLOURS = 8
"""Relations get colours rel-0 … rel-7 of the stylesheet, in turn."""


@dataclass(frozen=True)
class RelationKey:
    """A relation as the pictures show it: its IRI, its folder (``pair``), its label and its colour."""

    iri: str
    pair: str
    label: str
    colour: int

    @property
    def css(self) -> str:
        """The class that gives marks this relation's colour."""
        return f"rel-{self.colour % COLOURS}"


def relation_class(relations: Sequence[str], keys: Mapping[str, RelationKey] | None) -> str:
    """The colour class of something stated by ``relations``: theirs, ``rel-shared`` for several,
    nothing when the page does not colour by relation (``keys`` is None)."""
    if not keys:
        return ""
    known = [keys[r] for r in relations if r in keys]
    if len({k.iri for k in known}) > 1:
        return "rel-shared"
    return known[0].css if known else ""


def _lane_class(lane: str) -> str:
    return lane.split()[0].lower() if lane.split() else "events"


def _timeline_marks(layout: timeline_layout.TimelineLayout, linker: Linker,
                    keys: Mapping[str, RelationKey] | None) -> list[dict[str, Any]]:
    marks = []
    for mark in layout.marks:
        item = mark.item
        target = resource_target(item.item.value) if item.item.kind == "uri" else None
        kind = item.kind
        extra = " open-end" if item.open_end else " open-start" if item.open_start else ""
        colour = relation_class(item.relations, keys)
        classes = f"{kind}{extra} {_lane_class(item.lane)}" + (f" {colour}" if colour else "")
        marks.append({"mark": mark, "href": linker.href(target) if target else "", "classes": classes,
                      "lines": [(line, mark.label.y + n * timeline_layout.ROW)
                                for n, line in enumerate(mark.label.lines)]})
    return marks


def timeline_title(items: Sequence[TimelineItem]) -> str:
    """The timeline's accessible name: its span and how many items it shows."""
    dated = [i for i in items if i.start is not None]
    undated = len(items) - len(dated)
    span = ""
    if dated:
        first = int(min(i.start for i in dated if i.start is not None) // 1)
        last = int(max(i.end if i.end is not None else i.start for i in dated if i.start is not None) // 1)
        span = f", {first} to {last}"
    tail = f", {undated} of them with no date" if undated else ""
    return f"Timeline{span}: {len(items)} items{tail}"


def timeline_svg(items: Sequence[TimelineItem], linker: Linker,
                 keys: Mapping[str, RelationKey] | None = None) -> str:
    """The timeline at every width of :data:`LAYOUTS`: one lane per kind of item, bars for periods,
    dots for points in time, open bars for periods with one end unknown, squares for items with no date."""
    if not items:
        return render("message.html", title=None, message="No dated items.", alert=False, home=None)
    title = timeline_title(items)
    out = []
    for name, width in LAYOUTS:
        layout = timeline_layout.lay_out(items, width)
        breaks = layout.scale.breaks
        out.append(render("timeline.svg", layout_name=name, layout=layout, title=title, breaks=breaks,
                          marks=_timeline_marks(layout, linker, keys),
                          grid=[t for t in layout.axes[-1].ticks if t.label.lstrip("-").isdigit()]))
    return "".join(out)


def trade_svg(flows: list[Flow], balances: list[Balance], label: Callable[[Term], str], currency: str,
              number: int = 0) -> str:
    """Bars for the flows of each year (one colour per direction) and a diamond for each balance,
    at every width of :data:`LAYOUTS`; ``number`` tells apart several charts of one page."""
    flows = [f for f in flows if f.currency == currency]
    balances = [b for b in balances if b.currency == currency]
    if not flows and not balances:
        return render("message.html", title=None, message="No trade figures.", alert=False, home=None)
    out = []
    for name, width in LAYOUTS:
        layout = trade_layout.lay_out(flows, balances, label, currency, width)
        out.append(render("trade.svg", layout_name=name, layout=layout, currency=currency, number=number))
    return "".join(out)


def trade_legend(flows: Sequence[Flow], balances: Sequence[Balance], label: Callable[[Term], str],
                 currency: str) -> str:
    """The key of a trade chart: a swatch per direction, and the balance's diamond."""
    directions = sorted({(f.exporter, f.importer) for f in flows if f.currency == currency})
    names = [f"{label(exporter)} to {label(importer)}" for exporter, importer in directions]
    return render("trade-legend.html", names=names,
                  balance=any(b.currency == currency for b in balances))

