"""The ontology documentation page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from click.testing import CliRunner

from afkg.cli import cli
from afkg.namespaces import AFKG
from afkg.publish.docs import ontology_page


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self.links.add(attrs["href"][1:])


def test_page_documents_every_term_and_its_shapes(kg):
    page = ontology_page(kg.ontology, kg.shapes)
    parser = Anchors()
    parser.feed(page)
    assert set(AFKG.__annotations__) <= parser.ids
    assert parser.links <= parser.ids | {n for n in AFKG.__annotations__}
    visit = page[page.index('id="Visit"'):page.index("</section>", page.index('id="Visit"'))]
    assert "A visit needs exactly one afkg:counterpart, the host country." in visit
    assert "A fact needs prov:wasDerivedFrom" in visit  # inherited from afkg:Fact
    kinds = page[page.index('id="scheme-thing-kinds"'):page.index("</section>", page.index('id="scheme-thing-kinds"'))]
    assert "https://www.wikidata.org/wiki/Q3917681" in kinds  # kind:embassy
    country = page[page.index('id="country"'):page.index("</section>", page.index('id="country"'))]
    assert "P17" in country  # afkg:country states Wikidata's "country"


def test_docs_command_writes_index(tmp_path):
    result = CliRunner().invoke(cli, ["docs", "-o", str(tmp_path / "site")])
    assert result.exit_code == 0
    text = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and re.search(r"\d+ classes, \d+ properties", text)


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name in {"href", "src", "action"}]


HOSTILE = [
    "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)", "http:/no-host", "https://example.org/a\"onmouseover=\"alert(1)",
    "https://example.org/<script>alert(1)</script>", "file:///etc/passwd",
]


def test_only_http_iris_become_links_and_everything_is_escaped(kg):
    from rdflib import Graph, Literal, URIRef

    from afkg.namespaces import RDFS, SKOS

    ontology = Graph()
    for triple in kg.ontology:
        ontology.add(triple)
    target = AFKG.Visit
    for iri in HOSTILE:
        ontology.add((target, SKOS.exactMatch, URIRef(iri)))
    ontology.add((target, SKOS.closeMatch, URIRef("https://schema.org/Event")))
    ontology.set((target, RDFS.comment, Literal("<script>alert('comment')</script>")))
    page = ontology_page(ontology, kg.shapes)
    parsed = Hrefs()
    parsed.feed(page)
    assert "script" not in parsed.tags
    for href in parsed.hrefs:
        assert href.startswith(("#", "https://", "http://")), href
        assert not any(ch in href for ch in "<>\"' "), href
    assert "https://schema.org/Event" in parsed.hrefs
    assert "&lt;script&gt;alert(&#x27;comment&#x27;)&lt;/script&gt;" in page
    assert "<code>&lt;javascript:alert(1)&gt;</code>" in page
