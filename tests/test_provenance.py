"""Every fact cites a passage; every passage is verbatim in the source; every section is cited."""

import hashlib

from afkg.namespaces import AFKG

from conftest import PROJECT, select

SOURCE_SHA256 = "f2a4df24e8340c2902b4e3ff1e0bd4ec5da9d19a10dab3410ca81bc1da3cccd3"
SECTIONS = ["Infobox", "Introduction", "History", "Economic relations", "Cultural relations",
            "High Level Visits", "Resident diplomatic missions", "See also"]


def test_source_text_is_the_article_byte_for_byte():
    data = (PROJECT / "data" / "albania-france" / "source.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SOURCE_SHA256


def test_every_quote_occurs_verbatim_in_the_source(kg):
    text = (PROJECT / "data" / "albania-france" / "source.txt").read_text(encoding="utf-8")
    quotes = list(kg.data.objects(None, AFKG.quote))
    assert len(quotes) >= 30
    missing = [str(q) for q in quotes if str(q) not in text]
    assert missing == []


def test_every_section_is_cited_by_a_fact_or_thing(kg):
    rows = select(kg, """
        SELECT ?section (COUNT(DISTINCT ?node) AS ?n) WHERE {
            ?s a afkg:ArticleSection ; rdfs:label ?section .
            ?p afkg:inSection ?s . ?node prov:wasDerivedFrom ?p .
        } GROUP BY ?section""")
    counts = {r["section"]: r["n"] for r in rows}
    assert sorted(counts) == sorted(SECTIONS)
    assert all(n >= 1 for n in counts.values()), counts


def test_every_fact_cites_a_passage(kg):
    rows = select(kg, """
        SELECT ?fact WHERE { ?fact a/rdfs:subClassOf* afkg:Fact .
                             FILTER NOT EXISTS { ?fact prov:wasDerivedFrom/afkg:quote ?q } }""")
    assert rows == []


def test_sections_are_the_article_headings_in_order(kg):
    rows = select(kg, "SELECT ?label WHERE { ?s a afkg:ArticleSection ; rdfs:label ?label ; afkg:sectionOrder ?o } ORDER BY ?o")
    assert [r["label"] for r in rows] == SECTIONS
    text = (PROJECT / "data" / "albania-france" / "source.txt").read_text(encoding="utf-8")
    for heading in SECTIONS[2:]:
        assert f"=={heading}==" in text.replace("== ", "==").replace(" ==", "==")
