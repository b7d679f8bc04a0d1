"""The stored queries on several relations at once (issue 18, item 4).

The fixture is the project with three relations: albania-france and the two made-up relations of
tests/pairs/: testland-otherland, and farland-france, which shares with albania-france the entities
of data/shared/ it mentions (France, NATO, the European Union, Paris, the Balkan Wars, which both
articles cite), France's memberships (each article states them as its own facts) and a year of
France's trade figures, and has sections named and numbered like the others' ("Introduction" 1,
"Economic relations" 4). On it, every stored query

- is standalone SPARQL: it declares every prefix it uses, in its text and in its header;
- orders totally (every projected column, or every group key, is a sort key), so both engines
  give the same bytes, which is checked in every result format;
- never repeats a row, even for a fact two articles state;
- with ``relation=R`` answers exactly the rows of R in its answer for all relations;
- gives the expected results of tests/queries/across-relations.yaml, written from the made-up
  articles, and, for Albania–France, the same answers as on the project alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rdflib import Graph
from rdflib.compare import isomorphic

from afkg.layout import Layout
from afkg.prefixes import PREFIXES
from afkg.query.catalogue import Catalogue, execute
from afkg.query.engines import ENGINES, get_engine
from afkg.query.results import AskResult, GraphResult, SelectResult, render

from conftest import PROJECT, with_made_up_pairs

pytestmark = pytest.mark.xdist_group("queries-across-relations")

HERE = Path(__file__).resolve().parent / "queries"
ACROSS = yaml.safe_load((HERE / "across-relations.yaml").read_text(encoding="utf-8"))
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
R = PREFIXES["res"]
RELATIONS = ("Albania-France_relations", "Farland-France_relations", "Testland-Otherland_relations")
_PROJECT_CATALOGUE = Catalogue(Layout(PROJECT))
QUERIES = {q.name: q for q in _PROJECT_CATALOGUE.all()}
LOCAL = sorted(name for name, q in QUERIES.items() if not q.federated)
WITH_RELATION = sorted(name for name in LOCAL if "relation" in QUERIES[name].params)

# Values for the required parameters, on resources of the made-up relations and of Albania–France.
REQUIRED = {
    "describe-resource": [{"resource": "Balkan_Wars"}, {"resource": "fact:farland-france-membership-france-nato"}],
    "resource-card": [{"resource": "Embassy_of_Farland_in_Paris"}, {"resource": "Farland-France_relations"}],
    "provenance": [{"resource": "Balkan_Wars"}, {"resource": "Embassy_of_France_in_Tirana"},
                   {"resource": "fact:farland-france-trade-2025-france-exports"}],
    "is-member": [{"member": "France", "organisation": "NATO"}, {"member": "Otherland", "organisation": "Example_Union"}],
    "ever-opposed": [{"holder": "France", "target": "Old_Empire"}, {"holder": "France", "target": "Albania"}],
}


def runs() -> list[tuple[str, dict[str, str]]]:
    """Every local query with each set of parameters the fixture tests: none (or the required
    ones), and each relation where the query takes one."""
    found = []
    for name in LOCAL:
        bases = REQUIRED.get(name, [{}])
        for base in bases:
            found.append((name, base))
            if name in WITH_RELATION:
                found += [(name, {**base, "relation": relation}) for relation in RELATIONS]
    return found


def run_id(run: tuple[str, dict[str, str]]) -> str:
    name, params = run
    return name + ("[" + ",".join(f"{k}={v}" for k, v in params.items()) + "]" if params else "")


RUNS = runs()


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with the made-up relations of tests/pairs/ added as data folders."""
    return with_made_up_pairs(tmp_path_factory.mktemp("three-relations"))


@pytest.fixture(scope="module")
def catalogue(three: Path) -> Catalogue:
    return Catalogue(Layout(three))


@pytest.fixture(scope="module")
def engines(three: Path) -> dict[str, object]:
    return {name: get_engine(name, Layout(three)) for name in ENGINES}


@pytest.fixture(scope="module")
def answers(catalogue: Catalogue, engines: dict[str, object]):
    """The result of a query with some parameters on one engine, computed once."""
    cache: dict[tuple[str, str, tuple[tuple[str, str], ...]], object] = {}

    def answer(engine: str, name: str, params: dict[str, str]):
        key = (engine, name, tuple(sorted(params.items())))
        if key not in cache:
            cache[key] = execute(catalogue.get(name), engines[engine], dict(params))
        return cache[key]

    return answer


def expand(cell: str) -> str:
    match = re.match(r"^(res|fact|topic|afkg|kind|role|wd|owl|skos):(\S+)$", cell)
    return PREFIXES[match.group(1)] + match.group(2) if match else cell


def csv_rows(text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [tuple(row) for row in rows[1:]]


def case_id(case: dict) -> str:
    params = ",".join(f"{k}={v}" for k, v in (case.get("params") or {}).items())
    return f"{case['query']}[{params}]" if params else case["query"]


def check_expected(result: object, expected: object, path: Path) -> None:
    """``result`` against an expected boolean, Turtle file (isomorphic) or CSV file (in order)."""
    if isinstance(expected, bool):
        assert isinstance(result, AskResult) and result.answer is expected
        return
    if str(expected).endswith(".ttl"):
        assert isinstance(result, GraphResult)
        got = Graph().parse(data=render(result, "ntriples"), format="nt")
        assert isomorphic(got, Graph().parse(path, format="turtle")), render(result, "turtle")
        return
    assert isinstance(result, SelectResult)
    header, got = csv_rows(render(result, "csv"))
    want_header, want = csv_rows(path.read_text(encoding="utf-8"))
    assert header == want_header
    assert got == [tuple(expand(cell) for cell in row) for row in want]


@pytest.mark.slow
def test_the_made_up_relations_conform(three):
    """The fixture is valid data: shapes, quotes against each made-up source.txt, and the rule that a
    relation folder uses only its own resources and those of data/shared/."""
    from click.testing import CliRunner

    from afkg.cli import cli

    result = CliRunner().invoke(cli, ["--root", str(three), "validate"])
    assert result.exit_code == 0, result.output


# --- every query is standalone SPARQL -------------------------------------------------------

_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<[^>]*>", re.IGNORECASE | re.MULTILINE)


def declared_prefixes(text: str) -> set[str]:
    return {m.group(1) or "" for m in _PREFIX_DECL.finditer(text)}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_parses_without_afkg_prefixes(name):
    """The text parses in pyoxigraph and rdflib with no prefixes but its own, so it can be pasted
    into any SPARQL engine. (A SERVICE clause is read as a GRAPH clause here: the same syntax, and
    nothing is fetched: the store is empty and local.)"""
    import pyoxigraph as ox
    from rdflib.plugins.sparql import prepareQuery

    query = QUERIES[name]
    text = re.sub(r"\bSERVICE\s+(SILENT\s+)?<", "GRAPH <", query.text) if query.federated else query.text
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        pytest.fail(f"{name}.rq does not parse without afkg's prefixes (pyoxigraph): {exc.msg}")
    try:
        prepareQuery(query.text)
    except Exception as exc:  # rdflib raises plain Exceptions for an unknown prefix
        pytest.fail(f"{name}.rq does not parse without afkg's prefixes (rdflib): {exc}")


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_header_values_use_declared_prefixes(name):
    """A default or allowed value written as a prefixed name uses a prefix the query declares."""
    query = QUERIES[name]
    declared = declared_prefixes(query.text)
    for param in query.params.values():
        for value in [param.default, *param.enum]:
            match = re.match(r"^([A-Za-z][\w.-]*):(?!//)", value or "")
            if match:
                assert match.group(1) in declared, f"{name}: {param.name} value {value} needs PREFIX {match.group(1)}:"


def test_an_undeclared_prefix_is_caught():
    """The check above fails on a query that relies on afkg's prefixes (as bilateral-ties did on kind:)."""
    import pyoxigraph as ox

    with pytest.raises(SyntaxError):
        ox.Store().query("PREFIX afkg: <https://w3id.org/afkg/ontology#>\n"
                         "SELECT ?t WHERE { ?t afkg:kind kind:diplomatic-relations }")


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_type_tests_follow_subclasses(name):
    """Every ``?x a afkg:C`` comes with its subclass branch, ``UNION { ?x a ?c . ?c rdfs:subClassOf+ afkg:C }``,
    so an instance of a subclass (a former state for afkg:Country) counts. (Not as the path
    ``a/rdfs:subClassOf*``, which Virtuoso 7.2 mis-evaluates once other patterns join it.)"""
    text = QUERIES[name].text
    for var, cls in re.findall(r"\?(\w+) a (afkg:\w+)", text):
        assert re.search(rf"\?{var} a \?(\w+) \. \?\1 rdfs:subClassOf\+ {cls}\b", text), \
            f"{name}.rq: ?{var} a {cls} without its subclasses"


# --- every SELECT orders totally --------------------------------------------------------------

def _clauses(text: str) -> tuple[str, str, str]:
    """Projection, GROUP BY and ORDER BY clauses of a stored SELECT (comments removed)."""
    body = "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("#") else "" for line in text.splitlines())
    head = re.search(r"\bSELECT\b(.*?)\bWHERE\b", body, flags=re.DOTALL | re.IGNORECASE)
    order = re.search(r"\bORDER\s+BY\b(.*)\Z", body, flags=re.DOTALL | re.IGNORECASE)
    group = re.search(r"\bGROUP\s+BY\b(.*?)(\bORDER\s+BY\b|\Z)", body, flags=re.DOTALL | re.IGNORECASE)
    return head.group(1) if head else "", group.group(1) if group else "", order.group(1) if order else ""


def _variables(text: str) -> list[str]:
    return re.findall(r"[?$](\w+)", text)


@pytest.mark.parametrize("name", sorted(n for n, q in QUERIES.items() if q.query_type == "SELECT"))
def test_order_by_is_total(name):
    """Every SELECT has an ORDER BY naming each projected variable (each group key, when it
    groups; an aggregate follows from its group), so no two different rows tie."""
    projection, group, order = _clauses(QUERIES[name].text)
    assert order, f"{name}.rq has no ORDER BY"
    projection = re.sub(r"\([^()]*(\([^()]*\)[^()]*)*\bAS\s+[?$]\w+\s*\)", " ", projection, flags=re.IGNORECASE)
    needed = _variables(group) if group else _variables(projection)
    missing = [v for v in needed if v not in set(_variables(order))]
    assert not missing, f"{name}.rq: ORDER BY leaves ties on {', '.join('?' + v for v in missing)}"


# --- the same bytes, no duplicates, per-relation answers ----------------------------------------

@pytest.mark.sample(16)
@pytest.mark.parametrize("run", RUNS, ids=[run_id(r) for r in RUNS])
def test_engines_give_identical_bytes(run, answers):
    name, params = run
    results = [answers(engine, name, params) for engine in ENGINES]
    formats = ("ntriples", "turtle") if isinstance(results[0], GraphResult) else ("json", "xml", "csv", "tsv", "table")
    for fmt in formats:
        assert len({render(r, fmt) for r in results}) == 1, f"{fmt} differs between engines"


@pytest.mark.sample(16)
@pytest.mark.parametrize("run", [r for r in RUNS if QUERIES[r[0]].query_type == "SELECT"],
                         ids=[run_id(r) for r in RUNS if QUERIES[r[0]].query_type == "SELECT"])
def test_no_row_is_repeated(run, answers):
    name, params = run
    for engine in ENGINES:
        rows = [tuple((var, row[var]) for var in sorted(row)) for row in answers(engine, name, params).rows]
        repeated = [row for row, count in Counter(rows).items() if count > 1]
        assert not repeated, f"{engine}: {len(repeated)} rows repeated, e.g. {repeated[0]}"


@pytest.mark.parametrize("name", WITH_RELATION)
def test_relation_parameter_gives_that_relations_rows(name, answers):
    """Every row carries one of the three relations; with relation=R, the answer is exactly
    the rows of R in the answer for all relations, in the same order."""
    base = REQUIRED.get(name, [{}])[0]
    for engine in ENGINES:
        everything = answers(engine, name, base).rows
        assert {row["relation"].value for row in everything} <= {R + r for r in RELATIONS}
        for relation in RELATIONS:
            only = answers(engine, name, {**base, "relation": relation}).rows
            assert only == [row for row in everything if row["relation"].value == R + relation], (engine, relation)


# --- expected results -----------------------------------------------------------------------

def test_every_listing_has_a_case_on_a_made_up_relation():
    covered = {case["query"] for case in ACROSS}
    assert set(WITH_RELATION) <= covered, set(WITH_RELATION) - covered


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", ACROSS, ids=[case_id(c) for c in ACROSS])
def test_expected_result_on_three_relations(case, engine, answers):
    params = {k: str(v) for k, v in (case.get("params") or {}).items()}
    check_expected(answers(engine, case["query"], params), case["expected"], HERE / "expected" / "across" / str(case["expected"]))


ALBANIA_CASES = [c for c in CASES if "relation" in QUERIES[c["query"]].params and "relation" not in (c.get("params") or {})]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", ALBANIA_CASES, ids=[case_id(c) for c in ALBANIA_CASES])
def test_albania_france_answers_do_not_change_with_other_relations(case, engine, answers):
    params = {k: str(v) for k, v in (case.get("params") or {}).items()}
    params["relation"] = "Albania-France_relations"
    check_expected(answers(engine, case["query"], params), case["expected"], HERE / "expected" / str(case["expected"]))


# --- the engines on unbound sort keys ------------------------------------------------------------

def test_rdflib_sorts_an_unbound_or_failing_key_first_like_oxigraph(engines):
    """An undated office holding sorted by STR(?date) stopped rdflib with a TypeError; both engines
    now put an unbound or failing key first (SPARQL 1.1, 15.1)."""
    text = ("SELECT ?n ?d WHERE { VALUES (?n ?d) { (1 \"b\") (2 UNDEF) (3 <http://example.org/x>) (4 \"a\") (5 UNDEF) } }"
            " ORDER BY STR(?d) DESC(?n)")
    orders = {name: [row["n"].value for row in engine.run(text, {}).rows] for name, engine in engines.items()}
    assert orders == {name: ["5", "2", "4", "1", "3"] for name in ENGINES}


# --- the site's pictures, drawn from the stored queries ----------------------------------------

def test_timeline_picture_draws_an_item_of_two_relations_once(three):
    """The Balkan Wars are stated by albania-france and farland-france: a row of the timeline
    query for each relation, one mark in the picture."""
    from afkg.publish.site import Site

    site = Site.from_layout(Layout(three))
    rows = site.run(site.catalogue.get("timeline"), {}).rows
    items = {row["item"].value for row in rows}
    assert [row["item"].value for row in rows].count(R + "Balkan_Wars") == 2
    body = site.get("/timeline").body.decode()
    # the page draws the picture in three widths; in each, every item once (and the ties the
    # query leaves undated, in their "no date" column)
    wide = re.search(r'<svg class="timeline wide".*?</svg>', body, re.S).group(0)
    titles = re.findall(r'<g class="mark [^"]*"[^>]*>\s*(?:<a [^>]*>\s*)?<title>([^<]+)</title>', wide)
    assert wide.count('<g class="mark ') == len(titles) >= len(items)
    assert len(titles) == len(set(titles))
    assert len(re.findall(r"<title>Balkan Wars", wide)) == 1
    trade = site.get("/trade").body.decode()
    charts = "".join(re.findall(r'<svg class="trade wide".*?</svg>', trade, re.S))
    flows = sorted(re.findall(r'<g class="mark flow[^"]*"><title>([^<]+)</title>', charts))
    # Farland–France: in 2024 France exported €4 million to Farland and imported €1 million; in 2025
    # €4.5 million and €2 million (besides the Albania–France and Testland–Otherland flows).
    assert [f for f in flows if "Farland" in f] == [
        "Farland to France, 2024: 1.0 million EUR", "Farland to France, 2025: 2.0 million EUR",
        "France to Farland, 2024: 4.0 million EUR", "France to Farland, 2025: 4.5 million EUR"]
