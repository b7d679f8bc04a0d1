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
