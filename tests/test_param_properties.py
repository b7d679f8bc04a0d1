"""Property-based tests of parameter conversion: valid values of every declared type
become the right RDF term and bind as that term in both engines; any other text is a
UsageError, never a traceback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afkg.errors import UsageError
from afkg.layout import default_layout
from afkg.prefixes import PREFIXES
from afkg.query.catalogue import PARAM_TYPES, Param, execute, from_text
from afkg.query.engines import get_engine
from afkg.query.names import UnknownName
from afkg.rdf.terms import XSD, Term, to_oxigraph, to_rdflib

ENGINES = {name: get_engine(name, default_layout()) for name in ("oxigraph", "rdflib")}
RES = PREFIXES["res"]

local_names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", min_size=1,
                      max_size=30)
years = st.integers(min_value=1000, max_value=9999)

VALID = {
    "iri": st.one_of(local_names.map(lambda n: (n, Term.uri(RES + n))),
                     local_names.map(lambda n: (f"res:{n}", Term.uri(RES + n))),
                     local_names.map(lambda n: (f"<https://example.org/{n}>", Term.uri(f"https://example.org/{n}")))),
    "xsd:string": st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40).map(
        lambda s: (s, Term.literal(s))),
    "xsd:integer": st.integers(min_value=-10**30, max_value=10**30).map(
        lambda n: (str(n), Term.literal(str(n), XSD + "integer"))),
    "xsd:decimal": st.decimals(allow_nan=False, allow_infinity=False, places=4,
                               min_value=Decimal("-1e12"), max_value=Decimal("1e12")).map(
        lambda d: (format(d, "f"), Term.literal(format(d, "f"), XSD + "decimal"))),
    "xsd:boolean": st.sampled_from([("true", "true"), ("1", "true"), ("false", "false"), ("0", "false")]).map(
        lambda pair: (pair[0], Term.literal(pair[1], XSD + "boolean"))),
    "xsd:date": st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)).map(
        lambda d: (d.isoformat(), Term.literal(d.isoformat(), XSD + "date"))),
    "xsd:gYear": years.map(lambda y: (str(y), Term.literal(str(y), XSD + "gYear"))),
    "xsd:gYearMonth": st.tuples(years, st.integers(1, 12)).map(
        lambda ym: (f"{ym[0]}-{ym[1]:02d}", Term.literal(f"{ym[0]}-{ym[1]:02d}", XSD + "gYearMonth"))),
}


def test_every_declared_type_has_a_strategy():
    assert set(VALID) == set(PARAM_TYPES)


@pytest.mark.parametrize("kind", PARAM_TYPES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_valid_values_become_the_right_term(kind, data):
    raw, expected = data.draw(VALID[kind])
    term = Param("x", kind).convert(raw)
    assert term == expected
    to_oxigraph(term)
    to_rdflib(term)
    if kind == "xsd:decimal":
        assert Decimal(term.value) == Decimal(raw)
    if kind == "xsd:integer":
        assert int(term.value) == int(raw)


def _bound(kind: str, raw: str, engine: str) -> Term:
    query = from_text(f"#+ summary: s\n#+ params:\n#+   v: {{type: {kind}}}\nSELECT ?_v WHERE {{ }}\n")
    result = execute(query, ENGINES[engine], {"v": raw})
    assert len(result.rows) == 1
    return result.rows[0]["v"]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("kind", PARAM_TYPES)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_values_bind_as_that_term_in_both_engines(engine, kind, data):
    """A valid value binds as its term; a name is first read as the graph spells it (afkg.query.names):
    the graph's own resource whatever the case, or, for a near miss, a one-line "did you mean"."""
    raw, expected = data.draw(VALID[kind])
    try:
        bound = _bound(kind, raw, engine)
    except UnknownName as error:
        assert kind == "iri" and "did you mean" in str(error) and "\n" not in str(error)
        return
    assert bound == expected or (kind == "iri" and bound.value.casefold() == expected.value.casefold())


@pytest.mark.parametrize("kind", PARAM_TYPES)
@settings(max_examples=150, deadline=None)
@given(raw=st.text(alphabet=st.characters(blacklist_categories=()), max_size=60))
def test_any_text_is_a_term_or_a_usage_error(kind, raw):
    try:
        term = Param("x", kind).convert(raw)
    except UsageError as error:
        assert "\n" not in str(error)
        return
    to_oxigraph(term)
    to_rdflib(term)


@settings(max_examples=150, deadline=None)
@given(raw=st.text(alphabet=st.sampled_from(list(":/<>#%[]?@!$&'()*+,;=-._~ \t\x00\x7fabcxyz019é")), max_size=40))
def test_iri_like_text_is_a_valid_iri_or_a_usage_error(raw):
    try:
        term = Param("x", "iri").convert(raw)
    except UsageError:
        return
    import pyoxigraph as ox

    assert ox.NamedNode(term.value).value == term.value


@pytest.mark.parametrize("raw", ["http://[::1", "http://x:abc/", "a:b%zz", "urn:x#a#b", "http://a\x01b",
                                 "foo:France", "<http://a b>"])
def test_iris_oxigraph_rejects_are_usage_errors(raw):
    with pytest.raises(UsageError):
        Param("x", "iri").convert(raw)


def test_unknown_prefix_names_the_prefix():
    with pytest.raises(UsageError, match="unknown prefix 'foo'"):
        Param("exporter", "iri").convert("foo:France")
    assert Param("x", "iri").convert("urn:isbn:123").value == "urn:isbn:123"
    assert Param("x", "iri").convert("<foo:France>").value == "foo:France"
