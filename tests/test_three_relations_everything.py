"""Every command, export and page on three relations at once (issue 18, item 6): the project with
albania-france and the two made-up relations of tests/pairs/ (testland-otherland, and
farland-france, which shares France, NATO, the European Union, Paris and the Balkan Wars with the
first article through data/shared/). The stored queries on this fixture are checked, engine by
engine and against golden results, in test_queries_across_relations.py."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from afkg.cli import cli
from test_site_static import Links

from conftest import with_made_up_pairs

pytestmark = pytest.mark.xdist_group("three-relations-everything")

TITLES = ("Albania–France relations", "Testland–Otherland relations", "Farland–France relations")
PAIRS = ("albania-france", "farland-france", "testland-otherland")


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_made_up_pairs(tmp_path_factory.mktemp("three-everything"))


def afkg(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--root", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def built(three: Path) -> Path:
    afkg(three, "build", "-o", str(three / "dist"))
    return three / "dist"


@pytest.fixture(scope="module")
def site(three: Path) -> Path:
    afkg(three, "site", "-o", str(three / "public"))
    return three / "public"


def test_validate_stats_and_coverage_name_all_three(three):
    assert "Conforms: yes" in afkg(three, "validate")
    stats = json.loads(afkg(three, "stats", "--format", "json"))
    for title in TITLES:
        assert any(key.startswith(f"{title} › ") for key in stats["facts_per_section"]), title
    documents = json.loads(afkg(three, "coverage", "--format", "json"))
    assert sorted(d["title"] for d in documents) == sorted(TITLES)
    assert all(d["sentences"] >= d["cited"] > 0 for d in documents)


FORMATS = {"afkg.ttl": ox.RdfFormat.TURTLE, "afkg.nt": ox.RdfFormat.N_TRIPLES, "afkg.rdf": ox.RdfFormat.RDF_XML,
           "afkg.trig": ox.RdfFormat.TRIG, "afkg.nq": ox.RdfFormat.N_QUADS}


def test_every_export_holds_the_three_relations_and_the_same_triples(built):
    triples, sizes = {}, {}
    for name, fmt in FORMATS.items():
        quads = list(ox.parse(path=built / name, format=fmt))
        sizes[name] = len({(q.subject, q.predicate, q.object) for q in quads})
        # blank nodes get new labels in each parse: compare the triples without them, and the sizes
        triples[name] = frozenset((q.subject, q.predicate, q.object) for q in quads
                                  if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode))
    assert len(set(sizes.values())) == 1 and len(set(triples.values())) == 1, sizes
    graph = next(iter(triples.values()))
    documents = {str(s.value) for s, p, o in graph
                 if p.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
                 and o.value == "https://w3id.org/afkg/ontology#SourceDocument"}
    assert documents == {f"https://w3id.org/afkg/resource/source/{pair}" for pair in PAIRS}
    document = json.loads((built / "afkg.jsonld").read_text(encoding="utf-8"))
    assert "Testland–Otherland relations" in json.dumps(document, ensure_ascii=False)


@pytest.mark.slow  # builds every export of three relations; the fast tier keeps their validation
@pytest.mark.slow
def test_every_export_command_format_works(three):
    for fmt in ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"):
        assert "Farland" in afkg(three, "export", "--format", fmt), fmt


@pytest.mark.slow
def test_the_site_has_each_relations_pages_and_every_link_resolves(site):
    for pair in PAIRS:
        assert (site / "source" / f"{pair}.html").is_file(), pair
    home = (site / "index.html").read_text(encoding="utf-8")
    for title in TITLES:
        assert title in home, title
    for page in ("timeline.html", "trade.html"):
        text = (site / page).read_text(encoding="utf-8")
        assert "Otherland" in text and "Albania" in text, page
    checked = 0
    for page in sorted(site.rglob("*.html")):
        for link in Links(page.read_text(encoding="utf-8")).targets:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: broken link {link}"
            checked += 1
    assert checked > 1000


def test_wikidata_outputs_offline_cover_the_made_up_relations(three):
    assert "Conforms" not in afkg(three, "link", "check")
    lines = afkg(three, "link", "quickstatements").splitlines()
    assert len(lines) == len(set(lines)), "a statement stated by two articles is listed once"
    assert any("P463" in line for line in lines)
