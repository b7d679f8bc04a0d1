"""The source page shows which sentences the graph cites (``/source/{pair}``): each sentence marked
cited or not with links to what cites it, and the document's coverage in the header.

The expected figures come from reading the texts. The article (data/albania-france/source.txt)
has 33 sentences and infobox items: 6 infobox lines, 4 sentences in the lead, 8 in History, 2 in
Economic relations, 2 in Cultural relations, 4 in High Level Visits, 2 missions and 5 "See also"
lines. The graph cites all of them; the infobox lines, the missions and the "See also" lines (13)
only by the relation, its embassies and topics, so 20 by a fact. The made-up relation
(tests/pairs/testland-otherland) gets one sentence nothing cites, after its trade figures.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from afkg.authoring.coverage import coverage, to_text
from afkg.layout import Layout
from afkg.publish.site import Site, coverage_view
from afkg.publish.site.coverage_view import Share, percent, relation_share

from conftest import PROJECT

pytestmark = pytest.mark.xdist_group("site-source-coverage")  # the module's sites are made once, on one worker

TESTLAND = PROJECT / "tests" / "pairs" / "testland-otherland"
UNCITED = "Their trade has grown every year since."
ARTICLE = (PROJECT / "data" / "albania-france" / "source.txt").read_text(encoding="utf-8")
VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}


class SourcePage(HTMLParser):
    """What a source page shows: the article's text without the coverage labels, its sentences,
    the labels after them, the entries of the list of sentences, the summary, ids and links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.text_chunks: list[str] = []
        self.summary = ""
        self.uncited_note = ""
        self.sentences: list[dict] = []
        self.labels: list[dict] = []
        self.notes: dict[str, dict] = {}
        self.stylesheets: list[str] = []
        self._stack: list[tuple[str, list[str], dict]] = []
        self.feed(html)

    def _inside(self, css_class: str) -> dict | None:
        for _tag, classes, record in reversed(self._stack):
            if css_class in classes:
                return record
        return None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        if tag in VOID:
            return
        classes = (attrs.get("class") or "").split()
        record: dict = {}
        if "source-sentence" in classes and self._inside("source-text") is not None:
            record = {"id": attrs.get("id"), "classes": classes, "text": ""}
            self.sentences.append(record)
        elif "cover-mark" in classes and self._inside("source-text") is not None:
            record = {"href": attrs.get("href"), "classes": classes, "text": "", "title": attrs.get("title"),
                      "after": self.sentences[-1]["id"] if self.sentences else None}
            self.labels.append(record)
        elif tag == "li" and "sentence-notes" in self._stack[-1][1]:
            record = {"classes": classes, "text": "", "links": []}
            self.notes[attrs["id"]] = record
        if tag == "a" and attrs.get("href") and self._inside("sentence-notes") is not None:
            note = self._note()
            if note is not None:
                note["links"].append(attrs["href"])
        self._stack.append((tag, classes, record))

    def _note(self) -> dict | None:
        for tag, _classes, record in reversed(self._stack):
            if tag == "li" and "links" in record:
                return record
        return None

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        label = self._inside("cover-mark")
        if self._inside("source-text") is not None:
            if label is not None:
                label["text"] += data
            else:
                self.text_chunks.append(data)
                sentence = self._inside("source-sentence")
                if sentence is not None:
                    sentence["text"] += data
        if self._inside("coverage-summary") is not None:
            self.summary += data
        if self._inside("coverage-uncited") is not None:
            self.uncited_note += data
        note = self._note()
        if note is not None:
            note["text"] += data

    @property
    def article(self) -> str:
        """The text inside the page's text block, without the labels."""
        return "".join(self.text_chunks)

    def sentence(self, text: str) -> dict:
        found = [s for s in self.sentences if s["text"] == text]
        assert len(found) == 1, (text, [s["text"] for s in self.sentences])
        return found[0]

    def label_after(self, sentence_id: str) -> dict:
        found = [label for label in self.labels if label["after"] == sentence_id]
        assert len(found) == 1, sentence_id
        return found[0]


def source_page(site: Site, pair: str, *, static: bool = False) -> SourcePage:
    answer = site.get(f"/source/{pair}", static=static)
    assert answer.status == 200
    return SourcePage(answer.body.decode("utf-8"))


@pytest.fixture(scope="module")
def site() -> Site:
    return Site.from_layout(Layout(PROJECT))


@pytest.fixture(scope="module")
def made_up(tmp_path_factory) -> Site:
    """The project with the made-up relation, whose trade paragraph ends with a sentence nothing cites."""
    root = tmp_path_factory.mktemp("uncited")
    for name in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT / name, root / name)
    folder = root / "data" / "testland-otherland"
    shutil.copytree(TESTLAND, folder)
    text = (folder / "source.txt").read_text(encoding="utf-8")
    cited = "for a total of €8 million."
    assert text.count(cited) == 1
    (folder / "source.txt").write_text(text.replace(cited, f"{cited} {UNCITED}"), encoding="utf-8")
    return Site.from_layout(Layout(root))


# --- the article ------------------------------------------------------------------------------------

def test_the_header_gives_the_article_coverage(site):
    page = source_page(site, "albania-france")
    assert page.summary == "33 of 33 sentences cited (100.0%; 20 by a fact)"
    assert page.uncited_note == ""  # nothing to point at


def test_the_figures_are_those_of_afkg_coverage(site):
    share = relation_share(site, "albania-france")
    assert share == Share(cited=33, sentences=33, by_fact=20)
    assert f"): {share.summary}" in to_text(coverage(site.kg, "albania-france"))


def test_every_sentence_of_the_article_is_marked_cited_and_the_text_is_kept_byte_for_byte(site):
    page = source_page(site, "albania-france")
    assert page.article == ARTICLE
    assert len(page.sentences) == 33
    assert all("cited" in s["classes"] and "uncited" not in s["classes"] for s in page.sentences)
    assert [s["id"] for s in page.sentences] == [f"sentence-{n}" for n in range(1, 34)]
    # a sentence of a list keeps its marker outside, a heading is no sentence
    assert page.sentence("Albania has an embassy in Paris.")
    assert not any("History" in s["text"] for s in page.sentences)
    assert "\n==History==\nDuring the Middle Ages" in page.article


def test_a_cited_sentence_links_to_the_facts_and_things_drawn_from_it(site):
    page = source_page(site, "albania-france")
    anjou = page.sentence("During the Middle Ages, the Anjous, a French noble family took control of Albania "
                          "between 1272-1382.")
    assert anjou["id"] == "sentence-11"  # after 6 infobox lines and 4 sentences of the lead
    label = page.label_after("sentence-11")
    assert label["href"] == "#cites-11" and "cited" in label["classes"]
    assert label["text"] == "cited by 3 resources"  # screen readers hear words; the eye sees the 3
    assert "Rule of the Anjous over medieval Albania" in label["title"]
    note = page.notes["cites-11"]
    assert note["links"] == ["#sentence-11", "/resource/fact/anjou-rule-of-albania",
                             "/resource/Capetian_House_of_Anjou", "/resource/Medieval_Albania"]
    assert "cited by 1 fact: Rule of the Anjous over medieval Albania, and by 2 resources:" in note["text"]


def test_an_infobox_line_is_cited_by_the_relation_not_by_a_fact(site):
    page = source_page(site, "albania-france")
    party = page.sentence("Party1: Albania")
    assert party["id"] == "sentence-2"
    assert page.label_after("sentence-2")["text"] == "cited by 1 resource"
    note = page.notes["cites-2"]
    assert note["links"] == ["#sentence-2", "/resource/Albania-France_relations"]
    assert "fact" not in note["text"]


def test_the_passage_anchors_other_pages_link_to_still_work(site):
    page = source_page(site, "albania-france")
    passages = site.view.select("SELECT ?p WHERE { ?p a afkg:Passage ; afkg:inSection ?s }")
    anchors = {row["p"].value.rsplit("/", 1)[1] for row in passages if "/albania-france/" in row["p"].value}
    assert {"economic-relations-1", "history-1", "infobox-2"} <= anchors <= page.ids
    fact = SourcePage(site.get("/resource/fact/trade-2024-france-exports-to-albania").body.decode())
    assert "/source/albania-france#economic-relations-1" in fact.links
    body = site.get("/source/albania-france").body.decode()
    # the anchor opens the marked passage, inside the sentence it quotes
    assert ('<span class="source-sentence cited" id="sentence-19"><span class="anchor" id="economic-relations-1">'
            '</span><mark title="economic-relations-1">In 2024, trade between Albania and France') in body


def test_the_page_links_its_own_stylesheet(site):
    page = source_page(site, "albania-france")
    assert page.stylesheets == ["/static/style.css", "/static/source.css"]
    assert site.get("/static/source.css").status == 200


# --- a relation with an uncited sentence --------------------------------------------------------------

def test_the_uncited_sentence_is_marked_and_counted(made_up):
    page = source_page(made_up, "testland-otherland")
    # 3 sentences: the lead (the relation and a membership), the trade figures (3 facts), the new one
    assert page.summary == "2 of 3 sentences cited (66.6%; 2 by a fact)"
    assert page.uncited_note == "Not cited: sentence 3 (Trade)."
    assert "#sentence-3" in page.links
    uncited = page.sentence(UNCITED)
    assert uncited["id"] == "sentence-3" and "uncited" in uncited["classes"]
    label = page.label_after("sentence-3")
    assert label["text"] == "not cited" and "uncited" in label["classes"]
    assert page.notes["cites-3"]["links"] == ["#sentence-3"]
    assert page.notes["cites-3"]["text"].endswith("— not cited.")
    assert [s["id"] for s in page.sentences if "uncited" in s["classes"]] == ["sentence-3"]


def test_the_cited_sentences_of_the_made_up_relation_link_what_cites_them(made_up):
    page = source_page(made_up, "testland-otherland")
    lead = page.sentence("Testland and Otherland are members of the Example Union.")
    assert lead["id"] == "sentence-1" and page.label_after("sentence-1")["text"] == "cited by 2 resources"
    assert page.notes["cites-1"]["links"] == ["#sentence-1", "/resource/fact/membership-testland-example-union",
                                              "/resource/Testland-Otherland_relations"]
    trade = page.sentence("In 2020, Testland exported €5 million to Otherland and imported €3 million, "
                          "for a total of €8 million.")
    assert trade["id"] == "sentence-2"
    assert page.notes["cites-2"]["links"] == ["#sentence-2", "/resource/fact/trade-2020-testland-exports",
                                              "/resource/fact/trade-2020-testland-imports",
                                              "/resource/fact/trade-2020-testland-total"]
    assert {"introduction-1", "trade-1"} <= page.ids
    text = (made_up.layout.data_dir / "testland-otherland" / "source.txt").read_text(encoding="utf-8")
    assert page.article == text


def test_the_relation_share_counts_each_relation_apart(made_up):
    assert relation_share(made_up, "testland-otherland") == Share(cited=2, sentences=3, by_fact=2)
    assert relation_share(made_up, "albania-france") == Share(cited=33, sentences=33, by_fact=20)
    assert relation_share(made_up, "nowhere") is None


def test_the_static_site_gets_the_same_marks_with_relative_links(made_up):
    live = source_page(made_up, "testland-otherland")
    static = source_page(made_up, "testland-otherland", static=True)
    assert static.summary == live.summary and static.article == live.article
    assert static.sentences == live.sentences and static.labels == live.labels
    assert static.notes["cites-2"]["links"][1] == "../resource/fact/trade-2020-testland-exports.html"
    assert static.stylesheets == ["../static/style.css", "../static/source.css"]
    assert "source.css" in made_up.static_files  # written with the static site, as every static file


def test_coverage_is_worked_out_once_per_site(made_up, monkeypatch):
    site = Site(made_up.kg, made_up.view.store)  # a new site on the same graph: nothing worked out yet
    calls = []

    def counting(kg, relation=None):
        calls.append(relation)
        return coverage(kg, relation)

    monkeypatch.setattr(coverage_view, "coverage", counting)
    first = site.get("/source/testland-otherland").body
    assert site.get("/source/testland-otherland").body == first
    assert site.get("/source/albania-france").status == 200
    assert relation_share(site, "testland-otherland") == Share(cited=2, sentences=3, by_fact=2)
    assert calls == [None]


# --- figures ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cited", "total", "shown"), [
    (2, 3, "66.6%"), (999, 1000, "99.9%"), (1, 8, "12.5%"), (29, 100, "29.0%"), (0, 5, "0.0%"), (0, 0, "100.0%"),
])
def test_percent_cuts_to_one_decimal_and_never_reads_100_below_all(cited, total, shown):
    assert percent(cited, total) == shown


def test_the_summary_says_sentence_for_one():
    assert Share(cited=1, sentences=1, by_fact=0).summary == "1 of 1 sentence cited (100.0%; 0 by a fact)"


def test_a_text_that_changed_since_loading_shows_no_sentence_marks(tmp_path):
    root = tmp_path
    for name in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT / name, root / name)
    site = Site.from_layout(Layout(root))
    assert relation_share(site, "albania-france") is not None  # worked out on the text as loaded
    source = Path(root / "data" / "albania-france" / "source.txt")
    source.write_text("Replaced. " + ARTICLE, encoding="utf-8")
    page = source_page(site, "albania-france")
    assert page.sentences == [] and page.labels == []
    assert page.summary.startswith("The sentences of this text and what cites them could not be worked out")
    assert page.article == "Replaced. " + ARTICLE
