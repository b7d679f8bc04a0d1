"""Small pieces of the site: Accept parsing, suffixes, link forms, dates on the time axis, escaping."""

from __future__ import annotations

import pytest

from afkg.publish.site.html import external, is_web_iri, text
from afkg.publish.site.links import Linker, file_for
from afkg.publish.site.negotiation import choose, split_suffix
from afkg.publish.site.pictures import year_of

OFFERED = ("html", "ttl", "nt", "jsonld", "rdf")


@pytest.mark.parametrize(("accept", "chosen"), [
    (None, "html"),
    ("", "html"),
    ("*/*", "html"),
    ("text/turtle", "ttl"),
    ("application/ld+json, text/turtle;q=0.5", "jsonld"),
    ("text/turtle;q=0.2, application/rdf+xml;q=0.8", "rdf"),
    ("text/*;q=0.5, text/turtle", "ttl"),
    ("text/html;q=0, application/xhtml+xml;q=0, */*;q=0.1", "ttl"),  # html refused: the next format
    ("application/n-triples;q=1.5", None),    # an invalid q-value counts as 0
    ("image/png", None),
    ("garbage", None),                        # nothing parseable accepts nothing (as the endpoint)
    ("text/turtle;q=1.0000", None),           # q-values as RFC 9110 writes them, at most 3 decimals
    ("application/*", "nt"),                  # a wildcard matches the type answered, not application/xhtml+xml
    ("text/html;q=0.5, */*;q=0.8", "ttl"),
    ("text/turtle;q=abc, text/html", "html"),
])
def test_choose_follows_q_values_and_specificity(accept, chosen):
    assert choose(accept, OFFERED) == chosen


def test_a_huge_accept_header_is_cut_not_parsed_forever():
    assert choose("text/plain, " * 100000 + "text/turtle", OFFERED) is None


@pytest.mark.parametrize(("path", "split"), [
    ("Albania.ttl", ("Albania", "ttl")),
    ("fact/x.jsonld", ("fact/x", "jsonld")),
    ("Albania", ("Albania", None)),
    ("St._Louis", ("St._Louis", None)),
    (".ttl", (".ttl", None)),
    ("Albania.pdf", ("Albania.pdf", None)),
])
def test_split_suffix(path, split):
    assert split_suffix(path, OFFERED) == split


@pytest.mark.parametrize(("logical", "file"), [
    ("/", "index.html"),
    ("/ontology", "ontology.html"),
    ("/ontology.ttl", "ontology.ttl"),
    ("/resource/Albania", "resource/Albania.html"),
    ("/resource/fact/x.jsonld", "resource/fact/x.jsonld"),
    ("/resource/../x", "resource/%2E./x.html"),
    ("/resource/a b", "resource/a%20b.html"),
    ("/static/vendor/yasgui/yasgui.min.js", "static/vendor/yasgui/yasgui.min.js"),
])
def test_file_for(logical, file):
    assert file_for(logical) == file


def test_static_links_are_relative_and_server_links_absolute():
    here = Linker("/resource/fact/x", static=True)
    assert here.href("/resource/Albania") == "../Albania.html"
    assert here.href("/") == "../../index.html"
    assert here.href("/ontology", fragment="Visit") == "../../ontology.html#Visit"
    assert here.href("/resource/fact/x", fragment="top") == "#top"
    assert Linker("/", static=True).href("/resource/a%C3%A7") == "resource/a%25C3%25A7.html"
    server = Linker("/resource/fact/x")
    assert server.href("/resource/Albania") == "/resource/Albania"
    assert server.href("/queries/q", query={"year": "2024", "b": "x y"}) == "/queries/q?b=x+y&year=2024"
    assert Linker("/", base="/site").href("/ontology", fragment="Visit") == "/site/ontology#Visit"


@pytest.mark.parametrize(("value", "year"), [
    ("1272", 1272.0), ("2024-11", 2024 + 10 * 30.4 / 365), ("2020-03-30", 2020 + (2 * 30.4 + 29) / 365),
    ("-0500", -500.0), ("late 2024", None), ("2024-13", None),
])
def test_year_of(value, year):
    assert year_of(value) == (pytest.approx(year) if year is not None else None)


def test_only_web_iris_become_links_and_text_is_escaped():
    assert is_web_iri("https://www.wikidata.org/wiki/Q222")
    for iri in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "urn:isbn:1", "https://",
                'https://x.org/"onmouseover="alert(1)'):
        assert not is_web_iri(iri), iri
        assert "href" not in external(iri)
    assert external("https://x.org/?a=1&b=2'") == ('<a href="https://x.org/?a=1&amp;b=2&#x27;" rel="external">'
                                                    "https://x.org/?a=1&amp;b=2'</a>")
    assert text("<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
