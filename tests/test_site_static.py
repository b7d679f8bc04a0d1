"""The static site (`afkg site -o DIR`): complete, with working relative links, parseable data,
the same pages as the server's, and written atomically."""

from __future__ import annotations

import json
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from rdflib import Graph

from afkg.cli import cli
from afkg.layout import Layout
from afkg.publish.site import Site, write_site
from afkg.publish.site.links import file_for

from conftest import PROJECT

pytestmark = pytest.mark.xdist_group("site-static")  # the module's site and written folder are made once, on one worker


@pytest.fixture(scope="module")
def site() -> Site:
    return Site.from_layout(Layout(PROJECT))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("static") / "public"
    result = CliRunner().invoke(cli, ["site", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote ") and str(out) in result.output
    return out


class Links(HTMLParser):
    """Every href, src and form action of a page, its ids, and its text (without the static-only notes)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()
        self.chunks: list[str] = []
        self._skip = 0
        self._stack: list[bool] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "action"):
            if attrs.get(name):
                self.targets.append(attrs[name])
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag not in ("meta", "link", "input", "br", "img", "circle", "rect", "path", "line"):
            skip = "mode-note" in (attrs.get("class") or "").split()
            self._stack.append(skip)
            self._skip += skip

    def handle_endtag(self, tag):
        if tag not in ("meta", "link", "input", "br", "img", "circle", "rect", "path", "line") and self._stack:
            self._skip -= self._stack.pop()

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())


def _is_external(link: str) -> bool:
    return urlsplit(link).scheme != "" or link.startswith("//")


def _logical(file: str) -> str:
    """The logical path of a static file (the inverse of ``file_for``)."""
    if file == "index.html":
        return "/"
    return "/" + (file[:-len(".html")] if file.endswith(".html") else file)


def _html_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_every_kind_of_page_is_there(folder, site):
    for name in ("index.html", "ontology.html", "ontology.ttl", "queries.html", "queries/trade-by-year.html",
                 "timeline.html", "trade.html", "sparql.html", "source/albania-france.html",
                 "static/style.css", "static/vendor/yasgui/yasgui.min.js", "static/vendor/yasgui/LICENSE.txt",
                 "dist/afkg.ttl", "dist/void.ttl", "api/queries/trade-by-year.csv"):
        assert (folder / name).is_file(), name
    for path in site.resource_paths():
        for suffix in ("html", "ttl", "nt", "jsonld", "rdf"):
            assert (folder / "resource" / f"{path}.{suffix}").is_file(), (path, suffix)
    assert (folder / "resource" / "fact" / "trade-2024-france-exports-to-albania.html").is_file()


def test_every_internal_link_resolves_from_disk(folder):
    checked = 0
    ids: dict[Path, set[str]] = {}
    for page in _html_files(folder):
        links = Links(page.read_text(encoding="utf-8"))
        ids[page] = links.ids
    for page in _html_files(folder):
        for link in Links(page.read_text(encoding="utf-8")).targets:
            if _is_external(link):
                assert link.startswith(("http://", "https://", "data:")), (page, link)
                continue
            assert not link.startswith("/"), f"{page}: absolute link {link}"
            parts = urlsplit(link)
            assert not parts.query, f"{page}: {link} has a query string, which a static folder ignores"
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(folder)}: broken link {link}"
            assert folder.resolve() in target.parents
            if parts.fragment and target.suffix == ".html":
                assert unquote(parts.fragment) in ids[target], f"{page.relative_to(folder)}: no anchor {link}"
            checked += 1
    assert checked > 1000


def test_every_data_file_parses(folder):
    for path in folder.rglob("*.ttl"):
        assert len(Graph().parse(path, format="turtle")) > 0, path
    for path in (folder / "resource").rglob("*.nt"):
        assert len(Graph().parse(path, format="nt")) > 0, path
    for path in (folder / "resource").rglob("*.jsonld"):
        assert "@context" in json.loads(path.read_text(encoding="utf-8")), path
    for path in (folder / "resource").rglob("*.rdf"):
        assert len(Graph().parse(path, format="xml")) > 0, path


def test_files_are_what_the_site_returns(folder, site):
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in files:
        assert file_for(_logical(path.relative_to(folder).as_posix())) == path.relative_to(folder).as_posix()
    files = [p for p in files if p.suffix in (".html", ".ttl", ".css", ".js", ".csv")]
    for path in files:
        relative = path.relative_to(folder).as_posix()
        logical = _logical(relative)
        assert path.read_bytes() == site.get(logical, static=True).body, relative


def test_pages_equal_the_served_ones_apart_from_the_form_of_their_links(folder, site):
    """Same text, and links to the same pages, as the pages the server answers."""
    for path in _html_files(folder):
        relative = path.relative_to(folder).as_posix()
        logical = _logical(relative)
        static = Links(path.read_text(encoding="utf-8"))
        served = Links(site.get(logical).body.decode("utf-8"))
        assert static.text == served.text, relative
        resolved = []
        for link in static.targets:
            if _is_external(link) or link.startswith("#"):
                resolved.append(link if not link.startswith("#") else logical + link)
                continue
            parts = urlsplit(link)
            file = posixpath.normpath(posixpath.join(posixpath.dirname(relative), unquote(parts.path)))
            resolved.append(_logical(file) + (f"#{parts.fragment}" if parts.fragment else ""))
        served_targets = [t if not t.startswith("#") else logical + t for t in served.targets]
        assert resolved == served_targets, relative


def test_static_query_page_shows_the_default_results(folder):
    page = Links((folder / "queries" / "trade-by-year.html").read_text(encoding="utf-8"))
    assert "22,800,000" in page.text and "16,100,000" in page.text
    csv = (folder / "api" / "queries" / "trade-by-year.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv) == 3


@pytest.mark.slow  # test_files_are_what_the_site_returns compares every file with the site's answer in the fast tier
@pytest.mark.slow  # test_a_failure_leaves_the_old_site_as_it_was stays in the fast tier
def test_rewriting_replaces_the_folder_as_a_whole(tmp_path, site):
    out = tmp_path / "public"
    out.mkdir()
    (out / "stale.html").write_text("old")
    write_site(site, out)
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["public"]  # no temporary folder left behind


def test_a_failure_leaves_the_old_site_as_it_was(tmp_path, site, monkeypatch):
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("old site")

    def broken(path, *args, **kwargs):
        if path == "/trade":
            raise OSError(28, "No space left on device")
        return Site.get(site, path, *args, **kwargs)

    monkeypatch.setattr(site, "get", broken)
    with pytest.raises(Exception, match="No space left"):
        write_site(site, out)
    assert (out / "index.html").read_text() == "old site"
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_output_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "site.txt"
    target.write_text("keep me")
    result = CliRunner().invoke(cli, ["site", "-o", str(target)])
    assert result.exit_code == 2
    assert result.output.startswith("afkg: error: ") and "not a folder" in result.output
    assert target.read_text() == "keep me"


def test_odd_resource_names_stay_inside_the_folder_and_their_links_work(project_copy: Path, tmp_path):
    actors = project_copy / "data" / "albania-france" / "actors.ttl"
    actors.write_text(actors.read_text(encoding="utf-8") + """
<https://w3id.org/afkg/resource/Kor%C3%A7%C3%AB> a afkg:Country ; rdfs:label "Korçë"@en ;
    afkg:locatedIn <https://w3id.org/afkg/resource/../../../escape> , <https://w3id.org/afkg/resource/.hidden> .
""", encoding="utf-8")
    out = tmp_path / "out" / "public"
    odd = Site.from_layout(Layout(project_copy))
    odd.__dict__["downloads"] = {}  # the full export is slow and tested above; not needed here
    write_site(odd, out)
    assert (out / "resource" / "Kor%C3%A7%C3%AB.html").is_file()
    assert (out / "resource" / "%2E." / "%2E." / "%2E." / "escape.html").is_file()
    assert (out / "resource" / "%2Ehidden.ttl").is_file()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["public"]
    page = out / "resource" / "Kor%C3%A7%C3%AB.html"
    for link in Links(page.read_text(encoding="utf-8")).targets:
        if not _is_external(link):
            assert (page.parent / unquote(urlsplit(link).path)).resolve().is_file(), link
