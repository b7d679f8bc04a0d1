"""The timeline and the trade chart, piece by piece: text widths, the broken time axis, where marks
and labels go at each width, the trade chart's axis, and the pages with several relations (the
made-up relations of tests/pairs beside the real one)."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from itertools import combinations

import pytest

from afkg.layout import Layout
from afkg.publish.site import Site
from afkg.publish.site.chartdata import Balance, Flow, TimelineItem, timeline_items
from afkg.publish.site.pictures import LAYOUTS, RelationKey, relation_class
from afkg.publish.site.textwidth import ELLIPSIS, shorten, text_width, wrap
from afkg.publish.site.timeline_layout import FONT, ROW, lay_out, pack, place_label
from afkg.publish.site.timescale import BREAK, MIN_SEGMENT, UNDATED_LABEL, broken_scale, clusters
from afkg.publish.site.trade_layout import PLOT_TOP, nice_step, short_amount
from afkg.publish.site.trade_layout import lay_out as lay_out_trade
from afkg.query.results import SelectResult
from afkg.rdf.terms import Term

from conftest import PROJECT

WIDTHS = [width for _, width in LAYOUTS]
ASCENT, DESCENT = 0.93 * FONT, 0.24 * FONT


# --- text widths ---------------------------------------------------------------------------------

def test_text_width_grows_with_the_text_and_wide_letters_are_wide():
    assert text_width("") == 0
    assert text_width("Albania") < text_width("Albania–France relations")
    assert text_width("WWW") > text_width("iii") * 2
    assert text_width("abc", 24) == pytest.approx(2 * text_width("abc", 12))
    assert text_width("Korçë") == text_width("Korce")  # accents add no width
    assert text_width("日本") == pytest.approx(24)  # wide characters are an em each


@pytest.mark.parametrize("width", [40, 90, 200])
def test_shorten_fits_the_room_and_says_so_with_an_ellipsis(width):
    label = "France backed its Balkan allies' proposals for smaller Albanian borders"
    cut = shorten(label, width)
    assert text_width(cut) <= width and cut.endswith(ELLIPSIS)
    assert label.startswith(cut[:-1].rstrip())
    assert shorten("Short", 200) == "Short"


@pytest.mark.parametrize("width", [60, 120, 250, 600])
def test_wrap_keeps_every_line_in_the_room_and_loses_no_word_when_it_fits(width):
    label = "Diplomatic relations of Communist Albania with France after World War II"
    lines = wrap(label, width, max_lines=3)
    assert 1 <= len(lines) <= 3
    assert all(text_width(line) <= width for line in lines)
    if not lines[-1].endswith(ELLIPSIS):
        assert " ".join(lines) == label
    assert wrap(label, 10_000) == [label]


def test_wrap_cuts_the_last_line_when_the_text_is_longer():
    lines = wrap("one two three four five six seven eight nine ten", 40, max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith(ELLIPSIS)


# --- the broken time axis ----------------------------------------------------------------------

ARTICLE_SPANS = [(1272, 1382), (1912, 1913), (1912, 1912), (1916, 1920), (1920, 1920), (2019, 2019),
                 (2020.24, 2020.24), (2023, 2025), (2024, 2024), (2025, 2025)]


def test_long_gaps_break_the_axis_and_short_ones_do_not():
    assert clusters(ARTICLE_SPANS) == [(1272, 1382), (1912, 1920), (2019, 2025)]
    assert clusters([(1950, 1950), (1960, 1961), (1975, 1975), (1990, 1990)]) == [(1950, 1990)]
    assert clusters([]) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_segments_fit_the_width_and_years_run_left_to_right(width):
    scale = broken_scale(ARTICLE_SPANS, 10, width - 10, undated=True)
    assert [(s.low, s.high) for s in scale.segments] == [(1272, 1383), (1912, 1921), (2019, 2026)]
    for a, b in zip(scale.segments, scale.segments[1:], strict=False):
        assert b.left - a.right == pytest.approx(BREAK)
    assert scale.segments[0].left == 10 and scale.undated is not None
    assert scale.segments[-1].right <= scale.undated[0] - BREAK + 0.01 and scale.undated[1] == width - 10
    assert all(s.right - s.left >= MIN_SEGMENT - 0.01 for s in scale.segments)
    years = [1272, 1300, 1382, 1912, 1916, 1920, 2019, 2020.24, 2024, 2025]
    xs = [scale.x(y) for y in years]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    # the decade around 1912 and the last one get more room than the medieval century
    widths = [s.right - s.left for s in scale.segments]
    assert widths[1] > widths[0] and widths[2] > widths[0]


def test_a_year_in_a_break_is_drawn_in_the_break():
    scale = broken_scale(ARTICLE_SPANS, 0, 960)
    first, second = scale.segments[:2]
    assert first.right < scale.x(1600) < second.left


@pytest.mark.parametrize("width", WIDTHS)
def test_year_labels_never_overlap_and_stay_inside(width):
    scale = broken_scale(ARTICLE_SPANS, 10, width - 10, undated=True)
    ticks = scale.ticks(FONT)
    labels = [t.label for t in ticks]
    assert {"1272", "1912", "2019", UNDATED_LABEL} <= set(labels)  # every segment's first year
    boxes = sorted((t.x - text_width(t.label) / 2, t.x + text_width(t.label) / 2) for t in ticks)
    assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:], strict=False))
    assert boxes[0][0] >= 10 - 0.01 and boxes[-1][1] <= width - 10 + 0.01


def test_many_clusters_on_a_narrow_axis_merge_until_they_fit():
    spans = [(1000 * n, 1000 * n) for n in range(6)]
    assert len(broken_scale(spans, 0, 960).segments) == 6
    scale = broken_scale(spans, 0, 360)
    assert 1 < len(scale.segments) < 6
    assert scale.segments[-1].right <= 360 + 0.01
    assert all(s.right - s.left >= MIN_SEGMENT - 0.01 for s in scale.segments)


def test_one_date_alone_makes_one_segment():
    scale = broken_scale([(2024, 2024)], 0, 360)
    assert [(s.low, s.high) for s in scale.segments] == [(2024, 2025)]
    assert [t.label for t in scale.ticks()] == ["2024"]


# --- marks and labels ------------------------------------------------------------------------------

def item(name: str, lane: str, start: float | None, end: float | None = None, **more) -> TimelineItem:
    return TimelineItem(Term.uri(f"https://w3id.org/afkg/resource/fact/{name}"), more.pop("label", name), lane,
                        start, end, "", **more)


ITEMS = [
    item("anjou", "Rule and occupation", 1272, 1382, label="Rule of the Anjous over medieval Albania"),
    item("korce", "Rule and occupation", 1916, 1920, label="French protectorate of the Autonomous Province of Korçë"),
    item("occupation", "Rule and occupation", 1920, open_start=True, label="French occupation of Southeastern Albania"),
    item("since-2019", "Events", 2019, open_end=True, label="Albania's leadership in the Western Balkans since 2019"),
    item("tie", "Relationships", None, label="Diplomatic relations of Communist Albania with France after World War II"),
    item("tie-2", "Relationships", None, label="Bilateral cooperation between Albania and France"),
    item("visit-2024", "Visits", 2024, label="Visit of Emmanuel Macron to Albania, late 2024"),
    item("visit-2025", "Visits", 2025, label="Visit of Emmanuel Macron to Albania, 2025"),
    *[item(f"balkan-{n}", "Events", 1912, label=f"France opposed Albanian aims during the Balkan Wars, case {n}")
      for n in range(8)],
    *[item(f"late-2024-{n}", "Events", 2024, label=f"Franco-Albanian agreement number {n}, late 2024")
      for n in range(12)],
    item("investment", "Events", 2023, 2025, label="French investment in Albania, 2023-2025"),
    item("march-2020", "Events", 2020.24, label="France did not support Albania's euro-integration path until 30 "
                                                "March 2020"),
]


def label_boxes(layout) -> list[tuple[float, float, float, float, str]]:
    """The estimated box of every line of every label: (left, top, right, bottom, item)."""
    boxes = []
    for mark in layout.marks:
        for n, line in enumerate(mark.label.lines):
            width = text_width(line)
            left = mark.label.x - width if mark.label.anchor == "end" else mark.label.x
            y = mark.label.y + n * ROW
            boxes.append((left, y - ASCENT, left + width, y + DESCENT, mark.item.item.value))
    return boxes


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_two_labels_overlap_and_none_covers_another_mark(width):
    layout = lay_out(ITEMS, width)
    boxes = label_boxes(layout)
    assert len(layout.marks) == len(ITEMS)
    for a, b in combinations(boxes, 2):
        assert not overlap(a, b), (a, b)
    marks = [(m.x0, m.y - 5, m.x1, m.y + 5, m.item.item.value) for m in layout.marks]
    for box in boxes:
        for mark in marks:
            assert box[4] == mark[4] or not overlap(box, mark), (box, mark)
    assert all(box[0] >= 0 and box[2] <= width for box in boxes)


@pytest.mark.parametrize("width", WIDTHS)
def test_lanes_come_in_order_and_hold_their_items(width):
    layout = lay_out(ITEMS, width)
    assert [lane.name for lane in layout.lanes] == ["Rule and occupation", "Relationships", "Visits", "Events"]
    for upper, lower in zip(layout.lanes, layout.lanes[1:], strict=False):
        assert upper.bottom < lower.name_y - FONT
    for mark in layout.marks:
        lane = next(lane for lane in layout.lanes if lane.name == mark.item.lane)
        assert lane.top < mark.y < lane.bottom
    assert layout.axes[-1].y > layout.lanes[-1].bottom and layout.height > layout.axes[-1].y


@pytest.mark.parametrize("width", WIDTHS)
def test_open_periods_run_to_the_edge_or_lead_in_and_undated_items_have_their_column(width):
    layout = lay_out(ITEMS, width)
    marks = {m.item.item.value.rsplit("/", 1)[-1]: m for m in layout.marks}
    scale = layout.scale
    assert marks["since-2019"].x0 == pytest.approx(scale.x(2019))
    assert marks["since-2019"].x1 == pytest.approx(scale.dated_right - 2)
    assert marks["occupation"].x1 == pytest.approx(scale.x(1920)) and marks["occupation"].x0 < scale.x(1920) - 20
    assert scale.undated is not None
    for name in ("tie", "tie-2"):
        assert scale.undated[0] <= marks[name].x0 < marks[name].x1 <= scale.undated[1]
    assert marks["anjou"].x0 == pytest.approx(scale.x(1272)) and marks["anjou"].x1 == pytest.approx(scale.x(1382))


def test_a_timeline_with_many_rows_has_its_axis_at_the_top_too():
    assert [a.above for a in lay_out(ITEMS, 360).axes] == [True, False]
    assert [a.above for a in lay_out(ITEMS[:2], 960).axes] == [False]


def test_the_layout_is_the_same_every_time():
    assert lay_out(ITEMS, 640) == lay_out(list(ITEMS), 640)


def test_labels_go_right_then_left_then_below():
    plain = item("x", "Events", 2000, label="A label")
    assert place_label(plain, 95, 105, 0, 400).anchor == "start"  # room on the right
    at_the_edge = place_label(plain, 375, 385, 0, 400)
    assert at_the_edge.anchor == "end" and at_the_edge.label_x == 370
    long = item("y", "Events", 2000, 2020, label="A rather long label that takes room")
    under = place_label(long, 10, 380, 0, 400)  # a bar across the width: the row below
    assert under.below and under.label_x == 10 and under.rows == 2


def test_pack_puts_blocks_in_the_first_row_with_room():
    assert pack([(0, 100, 1), (50, 150, 1), (200, 300, 1), (0, 60, 2), (0, 38, 1)]) == [0, 1, 0, 2, 1]
    assert pack([]) == []


# --- what the timeline draws, from the query's rows --------------------------------------------------

def _result(rows: list[dict[str, str]]) -> SelectResult:
    terms = [{k: Term.uri(v) if k in ("item", "relation") else Term.literal(v) for k, v in row.items()}
             for row in rows]
    return SelectResult(["relation", "date", "end", "item", "label", "asWorded"], terms)


def test_a_start_alone_is_open_ended_an_end_alone_opens_to_the_left_and_items_are_drawn_once():
    rows = _result([
        {"relation": "r:A", "date": "2019", "item": "i:since", "label": "since"},
        {"relation": "r:A", "date": "1920", "end": "1920", "item": "i:until", "label": "until"},
        {"relation": "r:A", "date": "1912", "end": "1913", "item": "i:war", "label": "war"},
        {"relation": "r:B", "date": "1912", "end": "1913", "item": "i:war", "label": "war"},
        {"relation": "r:A", "date": "2024", "item": "i:point", "label": "point"},
        {"relation": "r:A", "date": "sometime", "item": "i:bad", "label": "no date"},
    ])
    dating = {"i:since": frozenset({"start"}), "i:until": frozenset({"end"}),
              "i:war": frozenset({"start", "end"}), "i:point": frozenset({"date"})}
    items = {i.item.value: i for i in timeline_items(rows, {}, dating)}
    assert set(items) == {"i:since", "i:until", "i:war", "i:point"}
    assert items["i:since"].kind == "open" and items["i:since"].open_end
    assert items["i:until"].kind == "open" and items["i:until"].open_start and items["i:until"].start == 1920
    assert items["i:war"].kind == "period" and items["i:war"].relations == ("r:A", "r:B")
    assert items["i:point"].kind == "point"


def test_something_several_relations_state_has_the_shared_colour():
    keys = {"r:A": RelationKey("r:A", "a-b", "A–B", 0), "r:B": RelationKey("r:B", "c-d", "C–D", 9)}
    assert relation_class(["r:A"], keys) == "rel-0"
    assert relation_class(["r:B"], keys) == "rel-1"  # colours go round
    assert relation_class(["r:A", "r:B"], keys) == "rel-shared"
    assert relation_class(["r:A"], None) == ""


# --- the trade chart -------------------------------------------------------------------------------

@pytest.mark.parametrize(("span", "step"), [("22800000", "5000000"), ("5", "1"), ("1", "0.2"), ("0", "1"),
                                            ("760", "200")])
def test_the_amount_axis_has_round_steps(span, step):
    assert nice_step(Decimal(span)) == Decimal(step)


def test_axis_amounts_read_short():
    assert short_amount(Decimal("25000000")) == "25 million"
    assert short_amount(Decimal("2500000")) == "2.5 million"
    assert short_amount(Decimal("-1200000000")) == "-1.2 billion"
    assert short_amount(Decimal("0")) == "0"


def _country(name: str) -> Term:
    return Term.uri(f"https://w3id.org/afkg/resource/{name}")


FLOWS = [Flow("2024", _country("A"), _country("B"), Decimal("16100000"), "EUR"),
         Flow("2024", _country("B"), _country("A"), Decimal("22800000"), "EUR")]
BALANCES = [Balance("2024", _country("B"), _country("A"), Decimal("6690000"), "EUR")]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_trade_chart_fits_its_width_and_no_bar_leaves_the_plot(width):
    layout = lay_out_trade(FLOWS, BALANCES, lambda t: t.value.rsplit("/", 1)[-1], "EUR", width)
    assert layout.plot_left > max(text_width(g.label) for g in layout.grid)
    assert layout.plot_right <= width
    assert max(g.y for g in layout.grid) == pytest.approx(layout.zero_y)
    for bar in layout.bars:
        assert bar.y >= PLOT_TOP - 0.01 and layout.plot_left <= bar.x and bar.x + bar.width <= layout.plot_right
        assert bar.value and bar.value_y - FONT > 0  # the amount over the bar is inside the picture
    assert [b.title for b in layout.bars] == ["A to B, 2024: 16.1 million EUR", "B to A, 2024: 22.8 million EUR"]
    assert layout.diamonds[0].title == "Balance of B with A, 2024: 6.7 million EUR (exports minus imports)"


def test_negative_balances_push_the_years_down():
    low = [Balance("2024", _country("B"), _country("A"), Decimal("-9000000"), "EUR")]
    layout = lay_out_trade(FLOWS, low, lambda t: t.value, "EUR", 360)
    assert min(g.y for g in layout.grid) < layout.zero_y < max(g.y for g in layout.grid)
    assert layout.year_y > max(g.y for g in layout.grid) + 20


def test_many_years_on_a_phone_keep_their_labels_apart():
    flows = [Flow(str(year), _country("A"), _country("B"), Decimal(year), "EUR") for year in range(1990, 2025)]
    layout = lay_out_trade(flows, [], lambda t: t.value, "EUR", 360)
    xs = [y.x for y in layout.years]
    assert 1 < len(xs) < 35
    assert all(b - a >= text_width("2000") for a, b in zip(xs, xs[1:], strict=False))


# --- the pages, with several relations ---------------------------------------------------------------

@pytest.fixture(scope="module")
def three_relations(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("three")
    for name in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT / name, root / name)
    for pair in ("farland-france", "testland-otherland"):
        shutil.copytree(PROJECT / "tests" / "pairs" / pair, root / "data" / pair)
    return Site.from_layout(Layout(root))


def _marks(body: str, layout: str = "wide") -> list[tuple[str, str]]:
    svg = re.search(rf'<svg class="timeline {layout}".*?</svg>', body, re.S)
    assert svg
    return re.findall(r'<g class="mark ([^"]+)"><title>([^<]+)</title>', svg.group(0))


def test_the_timeline_of_all_relations_colours_each_and_offers_each_alone(three_relations):
    body = three_relations.get("/timeline").body.decode()
    marks = _marks(body)
    classes = {c for classes, _ in marks for c in classes.split() if c.startswith("rel-")}
    assert classes == {"rel-0", "rel-1", "rel-2", "rel-shared"}  # the Balkan Wars are in two articles
    assert 'href="/timeline?relation=farland-france"' in body and 'aria-current="page">All relations' in body
    # "after the Balkan Wars (1912–1913)": an open bar from the end of the war
    tie = next(c for c, title in marks if title.startswith("Diplomatic relations of Farland and France"))
    assert tie.split()[:3] == ["open", "open-end", "relationships"]


def test_one_relation_alone_shows_only_its_items(three_relations):
    answer = three_relations.get("/timeline", {"relation": "farland-france"})
    assert answer.status == 200
    body = answer.body.decode()
    titles = [title for _, title in _marks(body)]
    assert "Coast War (1905–1906)" in titles and "Balkan Wars (1912-1913)" in titles
    assert not any("Albania" in t and "Farland" not in t for t in titles)
    assert "<title>Timeline: Farland–France relations</title>" in body
    assert 'aria-current="page">Farland–France relations' in body


def test_an_unknown_relation_is_a_404_that_names_the_others(three_relations):
    answer = three_relations.get("/trade", {"relation": "<nowhere>"})
    assert answer.status == 404
    body = answer.body.decode()
    assert "&lt;nowhere&gt;" in body and "<nowhere>" not in body
    assert 'href="/trade?relation=testland-otherland"' in body


def test_the_trade_page_has_a_chart_per_relation_or_the_one_asked_for(three_relations):
    body = three_relations.get("/trade").body.decode()
    panels = re.findall(r'<section class="trade-panel (rel-\d)">\n<h2><span class="swatch" aria-hidden="true">'
                        r'</span>([^<]+)</h2>', body)
    assert panels == [("rel-0", "Albania–France relations"), ("rel-1", "Farland–France relations"),
                      ("rel-2", "Testland–Otherland relations")]
    one = three_relations.get("/trade", {"relation": "testland-otherland"}).body.decode()
    flows = sorted(set(re.findall(r'<g class="mark flow[^"]*"><title>([^<]+)</title>', one)))
    assert flows == ["Otherland to Testland, 2020: 3.0 million EUR", "Testland to Otherland, 2020: 5.0 million EUR"]


def test_the_static_pages_show_every_relation_with_a_key_and_no_links_they_cannot_follow(three_relations):
    body = three_relations.get("/timeline", static=True).body.decode()
    assert "?relation=" not in body and 'class="picker"' not in body
    assert body.count('class="mark point rel-') >= 3  # the key names each relation by its colour
    for label in ("Albania–France relations", "Farland–France relations", "Testland–Otherland relations"):
        assert label in body


def test_the_pictures_are_the_same_bytes_every_time(three_relations):
    assert three_relations.get("/timeline").body == three_relations.get("/timeline").body
    assert three_relations.get("/trade").body == three_relations.get("/trade").body
