"""The data the pictures draw: timeline items and trade figures, read from the rows of the stored queries.

Nothing here knows about pixels; :mod:`afkg.publish.site.timeline_layout` and
:mod:`afkg.publish.site.trade_layout` place these records, and
:mod:`afkg.publish.site.pictures` draws them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from afkg.publish.site.term_display import number
from afkg.query.results import SelectResult
from afkg.rdf.terms import Term

_DATE = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?")

LANES = ("Rule and occupation", "Relationships", "Visits", "Events")
"""The timeline's lanes, top to bottom; an item of no particular kind goes to the last."""


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
    """One thing on the timeline, in a lane.

    ``start`` is the earliest date known (None: the graph gives no date), ``end`` the end of a
    period. ``open_end``: a period with a start and no end (drawn running on to the right edge);
    ``open_start``: one known only by its end, at ``start`` (drawn fading in from the left).
    ``relations`` are the IRIs of the relations whose articles state the item."""

    item: Term
    label: str
    lane: str
    start: float | None
    end: float | None
    worded: str
    relations: tuple[str, ...] = ()
    open_start: bool = False
    open_end: bool = False

    @property
    def kind(self) -> str:
        """``undated``, ``open`` (a period with one end unknown), ``period`` or ``point``."""
        if self.start is None:
            return "undated"
        if self.open_start or self.open_end:
            return "open"
        return "period" if self.end is not None else "point"

    @property
    def title(self) -> str:
        """Its accessible name: the label with the article's wording of its time."""
        return self.label + (f" ({self.worded})" if self.worded else "")


def timeline_items(result: SelectResult, lanes_of: Mapping[str, str],
                   dating: Mapping[str, frozenset[str]] | None = None) -> list[TimelineItem]:
    """The rows that have a readable date, each with its lane (``lanes_of`` maps an item's IRI to its lane).

    The query has a row per relation that states an item; an item several relations state is drawn
    once, with all of them. ``dating`` maps an item's IRI to the date properties it has of its own
    (``start``, ``date``, ``end``): a start alone makes an open-ended period, an end alone a period
    known only by its end."""
    dating = dating or {}
    found: dict[str, TimelineItem] = {}
    for row in result.rows:
        start = year_of(row["date"].value) if "date" in row else None
        if start is None or "item" not in row:
            continue
        iri = row["item"].value
        relation = (row["relation"].value,) if "relation" in row else ()
        if iri in found:
            known = found[iri]
            if relation and relation[0] not in known.relations:
                found[iri] = replace(known, relations=(*known.relations, *relation))
            continue
        end = year_of(row["end"].value) if "end" in row else None
        end = end if end is not None and end > start else None
        own = dating.get(iri, frozenset())
        found[iri] = TimelineItem(
            item=row["item"], label=_text(row, "label", iri),
            lane=lanes_of.get(iri, LANES[-1]), start=start, end=end,
            worded=_text(row, "asWorded"), relations=relation,
            open_start=end is None and own == {"end"}, open_end=end is None and own == {"start"})
    return list(found.values())


@dataclass(frozen=True)
class Flow:
    """One trade flow: exporter, importer, year, amount, currency, and the relation that states it."""

    year: str
    exporter: Term
    importer: Term
    amount: Decimal
    currency: str
    relation: str = ""


@dataclass(frozen=True)
class Balance:
    """A reporter's exports minus imports with a partner in a year."""

    year: str
    reporter: Term
    partner: Term
    amount: Decimal
    currency: str
    relation: str = ""


def _decimal(term: Term | None) -> Decimal | None:
    if term is None:
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def flows_from(result: SelectResult) -> list[Flow]:
    """Flows from the rows of the trade-by-year query (rows without a number are left out)."""
    return [Flow(row["year"].value, row["exporter"], row["importer"], amount, _text(row, "currency"),
                 _text(row, "relation"))
            for row, amount in _with_amounts(result, {"year", "exporter", "importer"},
                                             lambda row: _decimal(row.get("amount")))]


def balances_from(result: SelectResult) -> list[Balance]:
    """Balances from the rows of the trade-balance query: the stated balance, else the computed one."""
    return [Balance(row["year"].value, row["reporter"], row["partner"], amount, _text(row, "currency"),
                    _text(row, "relation"))
            for row, amount in _with_amounts(result, {"year", "reporter", "partner"},
                                             lambda row: _decimal(row.get("statedBalance"))
                                             or _decimal(row.get("computedBalance")))]


def _with_amounts(result: SelectResult, needed: set[str], amount_of: Callable[[Mapping[str, Term]], Decimal | None]
                  ) -> Iterator[tuple[Mapping[str, Term], Decimal]]:
    """The rows that bind every name in ``needed`` and have an amount (``amount_of(row)``), each with it."""
    for row in result.rows:
        amount = amount_of(row)
        if amount is not None and needed <= set(row):
            yield row, amount


def _text(row: Mapping[str, Term], name: str, default: str = "") -> str:
    """The value of ``name`` in ``row``; ``default`` where the row leaves it unbound."""
    term = row.get(name)
    return term.value if term is not None else default


def money(amount: Decimal, currency: str) -> str:
    """An amount for reading: 22800000 EUR -> ``22.8 million EUR``."""
    if abs(amount) >= 1_000_000:
        return f"{amount / 1_000_000:,.1f} million {currency}".strip()
    return f"{number(str(amount))} {currency}".strip()
