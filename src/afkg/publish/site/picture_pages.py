"""The bodies of the timeline and trade pages: which relation is shown, the items and figures to draw,
the key, the pictures and the same data as a table.

The timeline draws the rows of the stored query ``timeline``, completed from the graph: each
item's lane (by its class), whether its date is a start, a point or an end (a start alone is an
open-ended period, an end alone a period known only by its end), ties dated only as "after"
an event that has a date, and lane items (periods of control, relationships, visits) the
article gives no date for, in a column of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from afkg.publish.site import pictures
from afkg.publish.site.chartdata import LANES, Balance, Flow, TimelineItem, timeline_items, year_of
from afkg.publish.site.html import table, text
from afkg.publish.site.links import Linker
from afkg.publish.site.overview import Relation
from afkg.publish.site.pictures import RelationKey
from afkg.publish.site.templating import markup, render
from afkg.publish.site.term_display import term_html
from afkg.publish.site.view import GraphView
from afkg.query.results import SelectResult
from afkg.rdf.terms import Term

LANE_CLASSES = (("ControlPeriod", LANES[0]), ("Relationship", LANES[1]), ("Visit", LANES[2]))
"""The class whose instances go to each lane (an item of several goes to the first)."""

_LANES_QUERY = """SELECT ?item ?top WHERE {
  VALUES ?top { afkg:ControlPeriod afkg:Relationship afkg:Visit } ?item a/rdfs:subClassOf* ?top }"""
_DATING_QUERY = "SELECT ?item ?p WHERE { VALUES ?p { afkg:start afkg:date afkg:end } ?item ?p ?v }"
_MORE_QUERY = """SELECT ?item ?passage ?anchorEnd ?anchorPoint ?anchorStart ?worded WHERE {
  { ?item afkg:after ?anchor } UNION {
    VALUES ?top { afkg:ControlPeriod afkg:Relationship afkg:Visit } ?item a/rdfs:subClassOf* ?top }
  ?item prov:wasDerivedFrom ?passage .
  FILTER NOT EXISTS { ?item afkg:start|afkg:date|afkg:end ?own }
  FILTER NOT EXISTS { ?item afkg:during/(afkg:start|afkg:date) ?enclosing }
  OPTIONAL { ?item afkg:after/afkg:end ?anchorEnd }
  OPTIONAL { ?item afkg:after/afkg:date ?anchorPoint }
  OPTIONAL { ?item afkg:after/afkg:start ?anchorStart }
  OPTIONAL { ?item afkg:timeLabel ?worded }
}"""


def relation_keys(relations: Mapping[str, Sequence[Relation]]) -> dict[str, RelationKey]:
    """Relation IRI -> how the pictures show it, in the order of the folders; each gets the next colour."""
    keys: dict[str, RelationKey] = {}
    for pair, found in relations.items():
        for relation in found:
            if relation.iri not in keys:
                keys[relation.iri] = RelationKey(relation.iri, pair, relation.label, len(keys))
    return keys


def chosen_relation(keys: Mapping[str, RelationKey], params: Mapping[str, str]) -> RelationKey | None | str:
    """The relation asked for with ``?relation=<folder>`` (None: all of them), or the folder asked
    for when no relation has it."""
    pair = params.get("relation", "").strip()
    if not pair:
        return None
    return next((k for k in keys.values() if k.pair == pair), pair)


def picker(keys: Mapping[str, RelationKey], chosen: RelationKey | None, path: str,
           linker: Linker) -> list[dict[str, Any]]:
    """Links to the picture of all relations and of each one (none on the static site, whose pages take
    no parameters, nor when there is only one relation)."""
    if linker.static or len(keys) < 2:
        return []
    links = [{"href": linker.href(path), "text": "All relations", "current": chosen is None, "css": ""}]
    links += [{"href": linker.href(path, query={"relation": k.pair}), "text": k.label, "current": k == chosen,
               "css": k.css} for k in keys.values()]
    return links


def lanes_of(view: GraphView) -> dict[str, str]:
    """Item IRI -> its lane, for the items of a class that has a lane of its own."""
    tops = {f"https://w3id.org/afkg/ontology#{name}": n for n, (name, _) in enumerate(LANE_CLASSES)}
    best: dict[str, int] = {}
    for row in view.select(_LANES_QUERY):
        rank = tops.get(row["top"].value)
        iri = row["item"].value
        if rank is not None and (iri not in best or rank < best[iri]):
            best[iri] = rank
    return {iri: LANE_CLASSES[rank][1] for iri, rank in best.items()}


def dating(view: GraphView) -> dict[str, frozenset[str]]:
    """Item IRI -> which of afkg:start, afkg:date and afkg:end it has (as ``start``, ``date``, ``end``)."""
    found: dict[str, set[str]] = {}
    for row in view.select(_DATING_QUERY):
        found.setdefault(row["item"].value, set()).add(row["p"].value.rsplit("#", 1)[-1])
    return {iri: frozenset(props) for iri, props in found.items()}


def more_items(view: GraphView, pair_of_passage: Mapping[str, str | None], keys: Mapping[str, RelationKey],
               lanes: Mapping[str, str], known: set[str]) -> list[TimelineItem]:
    """Items the stored query leaves out: those dated only as after an event that has a date (an
    open-ended period from the event's end), and lane items with no date at all."""
    by_pair: dict[str, list[str]] = {}
    for key in keys.values():
        by_pair.setdefault(key.pair, []).append(key.iri)
    found: dict[str, dict[str, Any]] = {}
    for row in view.select(_MORE_QUERY):
        iri = row["item"].value
        if iri in known:
            continue
        entry = found.setdefault(iri, {"term": row["item"], "anchors": set(), "worded": set(), "pairs": set()})
        anchor = next((row[n].value for n in ("anchorEnd", "anchorPoint", "anchorStart") if n in row), None)
        if anchor is not None and year_of(anchor) is not None:
            entry["anchors"].add(year_of(anchor))
        if "worded" in row:
            entry["worded"].add(row["worded"].value)
        pair = pair_of_passage.get(row["passage"].value)
        if pair:
            entry["pairs"].add(pair)
    items = []
    for iri, entry in sorted(found.items()):
        start = max(entry["anchors"]) if entry["anchors"] else None
        if start is None and iri not in lanes:
            continue
        relations = tuple(r for pair in sorted(entry["pairs"]) for r in by_pair.get(pair, []))
        items.append(TimelineItem(item=entry["term"], label=view.label(entry["term"]),
                                  lane=lanes.get(iri, LANES[-1]), start=start, end=None,
                                  worded=min(entry["worded"]) if entry["worded"] else "",
                                  relations=relations, open_end=start is not None))
    return items


def all_timeline_items(view: GraphView, data: SelectResult, pair_of_passage: Mapping[str, str | None],
                       keys: Mapping[str, RelationKey]) -> list[TimelineItem]:
    """Every item of the timeline: the query's rows, and what :func:`more_items` adds."""
    lanes = lanes_of(view)
    items = timeline_items(data, lanes, dating(view))
    return items + more_items(view, pair_of_passage, keys, lanes, {i.item.value for i in items})


def _when(item: TimelineItem) -> str:
    if item.worded:
        return item.worded
    if item.start is None:
        return "no date"
    return str(int(item.start // 1)) + ("" if item.end is None else f"–{int(item.end // 1)}")


def _relation_cell(relations: Sequence[str], keys: Mapping[str, RelationKey]) -> str:
    return ", ".join(text(keys[r].label) for r in relations if r in keys)


def timeline_body(items: Sequence[TimelineItem], keys: Mapping[str, RelationKey], chosen: RelationKey | None,
                  view: GraphView, linker: Linker) -> str:
    """The timeline page's main part: key, picture at every width, and the items as a table."""
    if chosen is not None:
        items = [i for i in items if chosen.iri in i.relations]
    several = len(keys) > 1
    colours = keys if several else None
    order = sorted(items, key=lambda i: (i.start is None, i.start or 0.0, i.label, i.item.value))
    listed = several and chosen is None  # a column of relations when the page shows several
    headers = ["when", "what", "kind"] + (["relation"] if listed else [])
    rows = [[text(_when(i)), term_html(i.item, view, linker), text(i.lane)]
            + ([_relation_cell(i.relations, keys)] if listed else []) for i in order]
    kinds = {i.kind for i in items} | ({"open-end"} if any(i.open_end for i in items) else set()) \
        | ({"open-start"} if any(i.open_start for i in items) else set())
    shown = [k for k in keys.values() if chosen is None or k == chosen] if several else []
    return render("timeline.html", chosen=chosen, query_href=linker.href("/queries/timeline"),
                  picker=picker(keys, chosen, "/timeline", linker), kinds=kinds, relations=shown,
                  shared=any(pictures.relation_class(i.relations, colours) == "rel-shared" for i in items),
                  picture=markup(pictures.timeline_svg(items, linker, colours)),
                  table=markup(table(headers, rows, caption="The same items as a list")))


def _amount(value: Any) -> str:
    return f"{value:,f}".rstrip("0").rstrip(".")


def trade_body(flows: Sequence[Flow], balances: Sequence[Balance], keys: Mapping[str, RelationKey],
               chosen: RelationKey | None, view: GraphView, linker: Linker) -> str:
    """The trade page's main part: a chart per currency (and per relation when there are several),
    each with its key, and the figures as a table."""
    if chosen is not None:
        flows = [f for f in flows if f.relation == chosen.iri]
        balances = [b for b in balances if b.relation == chosen.iri]
    several = len(keys) > 1

    def label(term: Term) -> str:
        return view.label(term)

    groups: list[tuple[RelationKey | None, list[Flow], list[Balance]]]
    if several:
        shown = [k for k in keys.values() if chosen is None or k == chosen]
        groups = [(k, [f for f in flows if f.relation == k.iri], [b for b in balances if b.relation == k.iri])
                  for k in shown]
        groups = [g for g in groups if g[1] or g[2]]
    else:
        groups = [(None, list(flows), list(balances))] if flows or balances else []
    panels = []
    number = 0
    for key, panel_flows, panel_balances in groups:
        charts = []
        for currency in sorted({f.currency for f in panel_flows} | {b.currency for b in panel_balances}):
            charts.append({"currency": currency,
                           "svg": markup(pictures.trade_svg(panel_flows, panel_balances, label, currency, number)),
                           "legend": markup(pictures.trade_legend(panel_flows, panel_balances, label, currency))})
            number += 1
        panels.append({"key": key if chosen is None else None, "css": key.css if key else "", "charts": charts})
    listed = several and chosen is None
    headers = ["year", "from", "to", "amount", "currency"] + (["relation"] if listed else [])
    extra = (lambda r: [_relation_cell([r], keys)]) if listed else (lambda r: [])
    rows = [[text(f.year), term_html(f.exporter, view, linker), term_html(f.importer, view, linker),
             text(_amount(f.amount)), text(f.currency), *extra(f.relation)] for f in flows]
    rows += [[text(b.year), term_html(b.reporter, view, linker) + " (balance)", term_html(b.partner, view, linker),
              text(_amount(b.amount)), text(b.currency), *extra(b.relation)] for b in balances]
    return render("trade.html", chosen=chosen, picker=picker(keys, chosen, "/trade", linker), panels=panels,
                  flows_href=linker.href("/queries/trade-by-year"), balance_href=linker.href("/queries/trade-balance"),
                  table=markup(table(headers, rows, caption="The same figures as a table")))


def unknown_relation_body(pair: str, keys: Mapping[str, RelationKey], path: str, title: str, linker: Linker) -> str:
    """The page for ``?relation=`` naming no relation: what was asked and the relations there are."""
    shown = pair if len(pair) <= 80 else pair[:80] + "…"
    return render("timeline-unknown.html", title=title, pair=shown,
                  links=[{"href": linker.href(path, query={"relation": k.pair}), "text": k.label}
                         for k in keys.values()], all_href=linker.href(path))
