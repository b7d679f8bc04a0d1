"""The site as one object: build it once from a project, then ask it for any page.

``Site.get(path, params, accept)`` answers every page of the site as a
:class:`Response` (status, media type, bytes, extra headers), so an HTTP server
only has to pass requests in and answers out, and the static site writer can
ask for the same pages. Nothing here knows about a web framework.

A server mounts it like this (any framework)::

    site = Site.from_layout(layout, runner=bounded_runner)   # once, at start-up
    answer = site.get(request_path, query_params, accept_header)
    # -> answer.status, answer.media_type, answer.body, answer.headers

``request_path`` is the %-decoded path. ``/sparql`` asked for HTML is
:meth:`Site.editor`; ``/api/queries/...`` is the server's own API (the pages only
link to it). ``runner(query, values)`` runs a stored query within the server's
bounds; without it queries run on the local store.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

from afkg.errors import AfkgError, InputError, QueryError, UsageError
from afkg.files import MAX_TEXT_BYTES, read_text
from afkg.graph import KnowledgeGraph, load
from afkg.layout import Layout
from afkg.namespaces import DCTERMS, VOID
from afkg.prefixes import PREFIXES
from afkg.publish import export, metadata
from afkg.publish.export import to_turtle
from afkg.publish.metadata import DATASET_IRI
from afkg.publish.site import examples as examples_
from afkg.publish.site import overview, picture_pages, pictures, queries, resource, source_page
from afkg.publish.site.coverage_view import SiteCoverage, matches_text, share_of
from afkg.publish.site.html import is_web_iri, page
from afkg.publish.site.links import Linker
from afkg.publish.site.negotiation import (
    FORMAT_NAMES,
    FORMATS,
    MEDIA_TYPES,
    Response,
    choose,
    not_acceptable,
    split_suffix,
)
from afkg.publish.site.rdfdata import serialize
from afkg.publish.site.templating import markup, render
from afkg.publish.site.term_display import resource_target
from afkg.publish.site.view import RES, GraphView
from afkg.query import names
from afkg.query.catalogue import Catalogue, StoredQuery, execute
from afkg.query.engines import OxigraphEngine
from afkg.query.results import Result, SelectResult
from afkg.query.results import render as render_result
from afkg.rdf.context import context_text, load_context
from afkg.rdf.terms import Term, shorten

STATIC_DIR = Path(__file__).resolve().parent / "static"
RESOURCE_FORMATS = ("html", "ttl", "nt", "jsonld", "rdf")
ONTOLOGY_FORMATS = ("html", "ttl")
_STATIC_TYPES = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
                 "txt": "text/plain; charset=utf-8"}
MAX_PARAM_LENGTH = 2000
MAX_SEARCH_RESULTS = 100
MAX_INDEX_ENTRIES = 5000
"""The search page without words lists at most this many resources (the index of the static site)."""
PAGES_CSS = "/static/pages.css"
SOURCE_CSS = "/static/source.css"
"""The stylesheet of the source page (besides ``style.css``)."""
"""The stylesheet of the home, relation, search, query and editor pages (besides ``style.css``)."""
HOME_ENTRIES = (
    ("/timeline", "Timeline", "events, periods of rule and visits on one time axis"),
    ("/trade", "Trade", "flows by year and direction, with the balance"),
    ("/queries", "Stored queries", "questions with forms: fill in a name, get the answer"),
    ("/sparql", "SPARQL editor", "write your own query, starting from an example"),
    ("/ontology", "Ontology", "the classes and properties the graph is written in"),
)
"""The entry points of the home page: logical path, name, what is there."""

Runner = Callable[[StoredQuery, dict[str, str]], Result]
"""Runs a stored query with the given parameter values (the server may pass a bounded one)."""


@dataclass(frozen=True)
class PassageInfo:
    """Where a passage is: its quote, section, the relation folder of its source text and its anchor there."""

    quote: str
    section: str | None
    document: str | None
    pair: str | None
    anchor: str


class _WaitingForInput(Exception):
    """A query page opened without values while the query needs some."""


class _ElsewhereOnly(Exception):
    """A federated query asked of a site that has no server to call its service through."""


def runs_with_defaults(query: StoredQuery) -> bool:
    """True if the query can run with no values given (every required parameter has a default)."""
    return all(p.default is not None for p in query.params.values() if p.required)


def _external_link(iri: str) -> dict[str, str | None]:
    """A link to another host for a web IRI (no href for any other IRI: it is shown as text)."""
    return {"href": iri if is_web_iri(iri) else None, "text": iri}


def _message(title: str | None, message: object, *, alert: bool = False, home: str | None = None) -> str:
    """A heading (unless ``title`` is None) and one paragraph: what went wrong (``alert``) or what
    to do, with a link to the home page when ``home`` is given."""
    return render("message.html", title=title, message=message, alert=alert, home=home)


def _html(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, MEDIA_TYPES["html"], body, headers or {})


class Site:
    """Every page of the site, drawn from one project (its graph, store and stored queries)."""

    def __init__(self, kg: KnowledgeGraph, store: Any, *, runner: Runner | None = None,
                 sparql_endpoint: str = "/sparql") -> None:
        self.kg = kg
        self.layout: Layout = kg.layout
        self.view = GraphView(store)
        self.catalogue = Catalogue(kg.layout)
        self.sparql_endpoint = sparql_endpoint
        self._runner = runner
        self._engine: Any = None
        self._store = store

    @classmethod
    def from_layout(cls, layout: Layout, *, runner: Runner | None = None, sparql_endpoint: str = "/sparql",
                    kg: KnowledgeGraph | None = None) -> Site:
        """Build the site of the project at ``layout``: ``kg`` if it is already loaded, else loaded now
        (the graph), and a pyoxigraph store of its ontology and data."""
        kg = kg if kg is not None else load(layout)
        engine = OxigraphEngine(layout)
        site = cls(kg, engine.store, runner=runner, sparql_endpoint=sparql_endpoint)
        site._engine = engine
        return site

    # --- shared data ---------------------------------------------------------------

    @cached_property
    def pairs(self) -> dict[str, Path]:
        """Relation folder name -> its source text file."""
        found: dict[str, Path] = {}
        for path in sorted(self.kg.sources.values()):
            found.setdefault(path.parent.name, path)
        return found

    @cached_property
    def documents(self) -> dict[str, str]:
        """Source document IRI -> relation folder name."""
        return {str(doc): path.parent.name for doc, path in sorted(self.kg.sources.items())}

    @cached_property
    def passages(self) -> dict[str, PassageInfo]:
        """Passage IRI -> where it is."""
        rows = self.view.select(
            "SELECT ?p ?quote ?section ?doc WHERE { ?p afkg:quote ?quote . "
            "OPTIONAL { ?p afkg:inSection ?section . OPTIONAL { ?section afkg:ofDocument ?doc } } } ORDER BY ?p")
        found: dict[str, PassageInfo] = {}
        used: set[tuple[str | None, str]] = set()
        for row in rows:
            iri = row["p"].value
            if iri in found:
                continue
            doc = row["doc"].value if "doc" in row else None
            pair = self.documents.get(doc) if doc else None
            base = re.sub(r"[^A-Za-z0-9_-]+", "-", re.split(r"[/#]", iri.rstrip("/#"))[-1]).strip("-") or "passage"
            anchor, n = base, 1
            while (pair, anchor) in used:
                n += 1
                anchor = f"{base}-{n}"
            used.add((pair, anchor))
            found[iri] = PassageInfo(row["quote"].value, row["section"].value if "section" in row else None,
                                     doc, pair, anchor)
        return found

    @cached_property
    def void(self) -> Any:
        """The dataset description (VoID/DCAT), as in ``dist/void.ttl``."""
        return metadata.describe(self.kg, export.distribution_names())

    @cached_property
    def downloads(self) -> dict[str, tuple[str, Callable[[], bytes]]]:
        """File name under ``/dist/`` -> (media type, a function that makes its bytes)."""
        def exporter(fmt: str) -> Callable[[], bytes]:
            return lambda: export.export(self.kg, fmt)

        files: dict[str, tuple[str, Callable[[], bytes]]] = {}
        for fmt, (media, ext) in export.FORMATS.items():
            files[f"afkg.{ext}"] = (media, exporter(fmt))
        files["void.ttl"] = ("text/turtle", lambda: export.to_turtle(
            metadata.describe(self.kg, export.distribution_names())))
        files["context.jsonld"] = ("application/ld+json", lambda: context_text(
            load_context(self.kg.layout.context_file)).encode("utf-8"))
        return files

    @cached_property
    def _download_cache(self) -> dict[str, bytes]:
        return {}

    @cached_property
    def _source_texts(self) -> dict[str, str]:
        """Relation folder name -> its source text, read once (:meth:`source`)."""
        return {}

    @cached_property
    def context(self) -> dict[str, Any]:
        return load_context(self.kg.layout.context_file)

    @cached_property
    def static_files(self) -> dict[str, Path]:
        """Files served under ``/static/``: stylesheets, scripts and the vendored licences."""
        found = {}
        for path in sorted(STATIC_DIR.rglob("*")):
            if path.is_file() and path.suffix[1:] in _STATIC_TYPES:
                found[path.relative_to(STATIC_DIR).as_posix()] = path
        return found

    def engine(self) -> Any:
        if self._engine is None:
            self._engine = OxigraphEngine(self.layout, self._store)  # the store is already loaded
        return self._engine

    def run(self, query: StoredQuery, given: dict[str, str]) -> Result:
        """Run a stored query: through the runner given to the site, else on the local store
        (federated queries are not run locally: they would reach another host)."""
        if self._runner is not None:
            return self._runner(query, given)
        if query.federated:
            raise QueryError("this query asks another SPARQL service; run it through the server's API or "
                             f"'afkg query run {query.name}'")
        return execute(query, self.engine(), given)

    # --- dispatch ---------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, str] | None = None, accept: str | None = None, *,
            static: bool = False, base: str = "") -> Response:
        """The answer for a GET of ``path`` (already %-decoded) with query ``params`` and ``Accept``."""
        params = dict(params or {})
        linker = Linker(path, static, base)
        if path in ("", "/"):
            return self.home(linker.at("/"))
        if path.startswith("/resource/"):
            return self.resource(path[len("/resource/"):], accept, linker)
        stem, suffix = split_suffix(path, ONTOLOGY_FORMATS)
        if stem == "/ontology":
            return self.ontology(accept, suffix, linker.at("/ontology"))
        if path.startswith("/source/"):
            return self.source(path[len("/source/"):], linker)
        if path.startswith("/relation/"):
            return self.relation(path[len("/relation/"):], linker)
        if path == "/queries":
            return self.query_list(linker)
        if path.startswith("/queries/"):
            return self.query_page(path[len("/queries/"):], params, accept, linker)
        if path.startswith("/api/queries/") and static:
            return self.query_download(path[len("/api/queries/"):], params)
        if path == "/timeline":
            return self.timeline(linker, params)
        if path == "/trade":
            return self.trade(linker, params)
        if path == "/sparql":
            return self.editor(linker)
        if path == "/search":
            return self.search(params.get("q", ""), linker)
        if path.startswith("/static/"):
            return self.static_file(path[len("/static/"):])
        if path.startswith("/dist/"):
            return self.download(path[len("/dist/"):])
        return self.not_found(linker, f"There is no page {path}.")

    def not_found(self, linker: Linker, message: str) -> Response:
        return _html(page(linker, "Not found", _message("Not found", message, home=linker.href("/"))), 404)

    # --- home ----------------------------------------------------------------------------

    def home(self, linker: Linker) -> Response:
        """What the graph is and where to start: the relations with their parties, a search box and
        the entry points first; then the dataset's licence, counts, sources and downloads."""
        void = self.void

        def value(prop: Any) -> str:
            found = void.value(DATASET_IRI, prop)
            return str(found) if found is not None else ""

        title = value(DCTERMS.title) or "Knowledge graph"
        classes, properties = overview.ontology_counts(self.kg.ontology)
        counts = [(name, value(prop)) for name, prop in (("triples", VOID.triples), ("entities", VOID.entities))
                  if value(prop)]
        articles = "an encyclopaedia article" if len(self.pairs) == 1 else f"{len(self.pairs)} encyclopaedia articles"
        lead = (f"Linked data drawn from {articles} on relations between states; every fact cites the passage "
                "of the article it comes from.")
        licence = value(DCTERMS.license)
        body = render(
            "home.html", title=title, lead=lead, description=value(DCTERMS.description),
            relations=self._relation_entries(linker), search_href=linker.href("/search"),
            entries=[{"href": linker.href(target), "name": name, "note": note} for target, name, note in HOME_ENTRIES],
            licence=_external_link(licence) if licence else None, created=value(DCTERMS.created), counts=counts,
            classes=classes, properties=properties, ontology_href=linker.href("/ontology"),
            documents=self._document_entries(linker),
            downloads=[{"href": linker.href("/dist/" + name), "name": name, "media": media}
                       for name, (media, _) in self.downloads.items()])
        return _html(page(linker, title, body, styles=[PAGES_CSS]))

    @cached_property
    def relations(self) -> dict[str, list[overview.Relation]]:
        """Relation folder name -> the bilateral relations its article states, with their parties."""
        return overview.relations_by_pair(self.view, {iri: info.pair for iri, info in self.passages.items()},
                                          list(self.pairs))

    def _resource_link(self, linker: Linker, iri: str, label: str | None = None) -> dict[str, str | None]:
        """A link (href, text, title) to the page of one of our resources; no href for any other IRI."""
        target = resource_target(iri)
        short = shorten(iri)
        return {"href": linker.href(target) if target else None,
                "text": label if label is not None else self.view.label(Term.uri(iri)),
                "title": iri if short.startswith("<") else short}

    def _relation_entries(self, linker: Linker) -> list[dict[str, Any]]:
        """One entry per relation of each folder (the folder's name when it states none)."""
        entries: list[dict[str, Any]] = []
        for pair, relations in self.relations.items():
            more = {"summary_href": linker.href("/relation/" + pair), "source_href": linker.href("/source/" + pair)}
            if not relations:
                entries.append({"link": {"href": None, "text": pair, "title": None}, "parties": [], **more})
            for relation in relations:
                entries.append({"link": self._resource_link(linker, relation.iri, relation.label),
                                "parties": [self._resource_link(linker, p.iri, p.label) for p in relation.parties],
                                **more})
        return entries

    def _document_entries(self, linker: Linker, pair: str | None = None) -> list[dict[str, Any]]:
        """The source documents (of one relation folder, or all) with their article and licences."""
        return [{"link": self._resource_link(linker, doc.iri, doc.label),
                 "source_href": linker.href("/source/" + doc.pair),
                 "article": _external_link(doc.article) if doc.article else None,
                 "licences": [_external_link(lic) for lic in doc.licences]}
                for doc in overview.documents(self.view, self.documents) if pair is None or doc.pair == pair]

    def _section_entries(self, linker: Linker, documents: list[str]) -> list[dict[str, Any]]:
        """Each section of the given source documents, in order, with an anchor and the facts and
        things the graph draws from its passages, each with its quote."""
        quotes = {iri: info.quote for iri, info in self.passages.items()}
        found: list[dict[str, Any]] = []
        used: set[str] = set()
        for document in documents:
            for section in overview.sections(self.view, quotes, document):
                base = re.sub(r"[^A-Za-z0-9_-]+", "-", overview.last_segment(section.iri)).strip("-") or "section"
                anchor, n = base, 1
                while anchor in used:
                    n += 1
                    anchor = f"{base}-{n}"
                used.add(anchor)
                found.append({"anchor": anchor, "link": self._resource_link(linker, section.iri),
                              "facts": [{"link": self._resource_link(linker, fact), "quote": quote}
                                        for fact, quote in section.facts]})
        return found

    def relation(self, pair: str, linker: Linker) -> Response:
        """The summary of one relation folder: its relations and parties, its source, and what the
        article says section by section."""
        linker = linker.at("/relation/" + pair)
        if pair not in self.pairs:
            return self.not_found(linker, f"There is no relation folder '{pair}'.")
        relations = self.relations.get(pair, [])
        title = ", ".join(r.label for r in relations) or pair
        documents = [doc for doc, p in self.documents.items() if p == pair]
        share = self.coverage.share(pair)
        body = render("relation.html", title=title, coverage=share.summary if share is not None else None,
                      relations=[{"link": self._resource_link(linker, r.iri, r.label),
                                  "parties": [self._resource_link(linker, p.iri, p.label) for p in r.parties]}
                                 for r in relations],
                      documents=self._document_entries(linker, pair), source_href=linker.href("/source/" + pair),
                      sections=self._section_entries(linker, documents))
        return _html(page(linker, title, body, styles=[PAGES_CSS]))

    # --- resources -----------------------------------------------------------------------

    def resource(self, path: str, accept: str | None, linker: Linker | None = None) -> Response:
        """The page of ``https://w3id.org/afkg/resource/{path}``: HTML or data, by suffix or Accept."""
        path = self._known_spelling(path)
        stem, suffix = split_suffix(path, RESOURCE_FORMATS)
        iri = RES + path
        if suffix is not None and not self.view.known(iri):
            iri = RES + stem
        else:
            stem, suffix = path, None
        linker = (linker or Linker()).at("/resource/" + stem)
        if not stem or not self.view.known(iri):
            return self._resource_not_found(stem, linker)
        chosen = suffix or choose(accept, RESOURCE_FORMATS)
        vary = {} if suffix else {"Vary": "Accept"}
        if chosen is None:
            return not_acceptable(RESOURCE_FORMATS)
        headers = dict(vary)
        if not suffix and not linker.static:
            headers["Content-Location"] = linker.href(f"/resource/{stem}.{chosen}")
        if chosen == "html":
            alternates = [(f"/resource/{stem}.{s}", FORMATS[s][0], FORMAT_NAMES[s]) for s in RESOURCE_FORMATS[1:]]
            title = self.view.label(Term.uri(iri))
            body = resource.resource_body(self, iri, linker)
            return _html(page(linker, title, body, alternates=alternates), 200, headers)
        return Response(200, MEDIA_TYPES[chosen], serialize(self.describe(iri), chosen, context=self.context), headers)

    def _known_spelling(self, path: str) -> str:
        """``path`` as the graph spells it: as given, or %-encoded as in IRIs (``Zürich``: ``Z%C3%BCrich``)."""
        stem, suffix = split_suffix(path, RESOURCE_FORMATS)
        encoded = quote(stem, safe="/:@!$&'()*+,;=-._~%")
        if encoded != stem and not self.view.known(RES + stem) and self.view.known(RES + encoded):
            return encoded + (f".{suffix}" if suffix else "")
        return path

    def describe(self, iri: str) -> list[tuple[Term, Term, Term]]:
        """Every statement about ``iri`` and every statement pointing to it."""
        me = Term.uri(iri)
        return ([(me, p, o) for p, o in self.view.outgoing(iri)]
                + [(s, p, me) for s, p in self.view.incoming(iri)])

    def _resource_not_found(self, path: str, linker: Linker) -> Response:
        words = path.replace("_", " ").replace("-", " ").lower()
        names = {label.lower(): iri for iri, label in self.view.labels.items() if resource_target(iri)}
        close = difflib.get_close_matches(words, list(names), n=5, cutoff=0.6)
        suggestions = [(resource_target(names[c]) or "/", self.view.labels[names[c]]) for c in close]
        body = resource.not_found_body(path, linker, suggestions)
        return _html(page(linker, "Not found", body), 404, {"Vary": "Accept"})

    def search(self, words: str, linker: Linker) -> Response:
        """Resources whose label or name contains ``words`` (case, ``_`` and spaces aside), with their
        kind; without words, every resource A–Z, which the page narrows in the browser as words
        are typed (the static site's search)."""
        words = words.strip()[:200]
        wanted = names.fold(words)
        limit = MAX_SEARCH_RESULTS if wanted else MAX_INDEX_ENTRIES
        found: list[tuple[int, str, str, str, str]] = []
        others: dict[str, tuple[str, str]] = {}
        for iri, label in self.view.labels.items():
            target = resource_target(iri)
            if not target:
                continue
            folded = names.fold(label)
            key = folded + " " + names.fold(names.last_segment(iri))
            if wanted and wanted not in key:
                others.setdefault(folded, (target, label))
                continue
            rank = 0 if folded == wanted else 1 if folded.startswith(wanted) else 2
            found.append((rank if wanted else 0, label.casefold(), iri, label, key))
        found.sort()
        truncated = len(found) > limit
        results = [{"href": linker.href(resource_target(iri) or "/"), "text": label, "kind": self._kinds.get(iri, ""),
                    "key": key, "label_key": names.fold(label)} for _, _, iri, label, key in found[:limit]]
        suggestions = []
        if wanted and not results:
            close = difflib.get_close_matches(wanted, sorted(others), n=5, cutoff=0.6)
            suggestions = [{"href": linker.href(others[c][0]), "text": others[c][1]} for c in close]
        body = render("search.html", action=linker.href("/search"), words=words, results=results,
                      truncated=truncated, suggestions=suggestions)
        return _html(page(linker, "Search", body, styles=[PAGES_CSS], scripts=["/static/search.js"]))

    @cached_property
    def _kinds(self) -> dict[str, str]:
        """IRI -> the labels of its classes (those with a label), for telling like names apart."""
        kinds: dict[str, set[str]] = {}
        for row in self.view.select("SELECT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?s) && isIRI(?t)) }"):
            label = self.view.labels.get(row["t"].value)
            if label:
                kinds.setdefault(row["s"].value, set()).add(label)
        return {iri: ", ".join(sorted(found, key=str.casefold)) for iri, found in kinds.items()}

    # --- ontology and source ------------------------------------------------------------------

    def ontology(self, accept: str | None, suffix: str | None, linker: Linker) -> Response:
        """The ontology documentation (an anchor per term), or the ontology as Turtle."""
        chosen = suffix or choose(accept, ONTOLOGY_FORMATS)
        headers = {} if suffix else {"Vary": "Accept"}
        if chosen is None:
            return not_acceptable(ONTOLOGY_FORMATS)
        if chosen == "ttl":
            return Response(200, MEDIA_TYPES["ttl"], to_turtle(self.kg.ontology), headers)
        from afkg.publish.docs import ontology_body  # cycle: afkg.publish.docs imports afkg.publish.site

        body = ontology_body(self.kg.ontology, self.kg.shapes)
        return _html(page(linker, "Ontology", body,
                          alternates=[("/ontology.ttl", FORMATS["ttl"][0], "Turtle")]), 200, headers)

    @cached_property
    def coverage(self) -> Any:
        """Which sentences of each source text the graph cites (a ``coverage_view.SiteCoverage``),
        worked out on first use and kept: it reads the whole graph and every text."""
        return SiteCoverage(self.kg, self.documents)

    def source(self, pair: str, linker: Linker) -> Response:
        """The source text of a relation: the document's coverage in the header, each sentence
        marked cited or not and linked to what cites it, and an anchor at each passage the graph
        quotes (``source_page`` cuts the text, ``source.html`` shows it)."""
        path = self.pairs.get(pair)
        if path is None:
            return self.not_found(linker, f"There is no relation folder '{pair}'.")
        source_text = self._source_texts.get(pair)
        if source_text is None:
            # Read once, as loading read it: a regular file (no FIFO, no device), bounded, UTF-8; and
            # not a symlink, since the path was resolved when the project was loaded (one swapped in
            # since then is not followed). A file that changes afterwards does not change the page.
            try:
                source_text = read_text(path, MAX_TEXT_BYTES, self.layout.display(path), follow_symlinks=False)
            except InputError as exc:
                body = _message("Source text", exc, alert=True)
                return _html(page(linker, "Source text", body), 500)
            self._source_texts[pair] = source_text
        quoted: list[tuple[source_page.Quoted, str]] = []
        missing = []
        for iri, info in sorted(((iri, info) for iri, info in self.passages.items() if info.pair == pair),
                                key=lambda kv: kv[1].anchor):
            start = source_text.find(info.quote) if info.quote else -1
            if start < 0:
                missing.append(iri)
            else:
                quoted.append((source_page.Quoted(start, start + len(info.quote), info.anchor), iri))
        doc = next((d for d, p in self.documents.items() if p == pair), None)
        title = self.view.label(Term.uri(doc)) if doc else pair
        covered = [self.coverage.document(str(d)) for d, p in sorted(self.kg.sources.items(), key=str) if p == path]
        document = covered[0] if covered else None
        sentences = matches_text(document, source_text) if document is not None else None

        def link(iri: str) -> source_page.Link:
            return source_page.resource_link(self.view, linker, iri)

        used = {q.anchor for q, _ in quoted}
        segments = source_page.segments(source_text, sentences or [], [q for q, _ in quoted], used, link)
        entries = [segment["sentence"] for segment in segments if segment["sentence"] is not None]
        uncited = [entry for entry in entries if not entry["cited"]]
        body = render(
            "source.html", title=title,
            share=share_of([document]) if document is not None and sentences is not None else None,
            uncited=uncited[:source_page.UNCITED_SHOWN],
            more_uncited=max(0, len(uncited) - source_page.UNCITED_SHOWN),
            segments=segments, groups=source_page.by_section(entries),
            passages=[{"anchor": q.anchor, "link": link(iri)} for q, iri in sorted(quoted, key=lambda x: x[0].start)],
            missing=[link(iri) for iri in missing])
        return _html(page(linker, title, body, styles=[SOURCE_CSS]))

    # --- stored queries ------------------------------------------------------------------------

    def query_list(self, linker: Linker) -> Response:
        """Every stored query with its summary, tags and parameters."""
        return _html(page(linker, "Stored queries", queries.list_body(self.catalogue.all(), linker)))

    def _stored(self, name: str) -> StoredQuery | None:
        if name not in self.catalogue.names():
            return None
        return self.catalogue.get(name)

    def query_page(self, name: str, params: dict[str, str], accept: str | None, linker: Linker) -> Response:
        """The page of a stored query: form, results for the given values, downloads, SPARQL."""
        offered_all = ("html", "csv", "json", "tsv", "xml", "ttl", "nt", "jsonld")
        stem, suffix = split_suffix(name, offered_all)
        query = self._stored(stem)
        linker = linker.at("/queries/" + stem)
        if query is None:
            return self.not_found(linker, f"There is no stored query '{stem}'.")
        offered = ("html", *queries.downloads_for(query))
        if suffix is not None and suffix not in offered:
            return self.not_found(linker, f"The query '{stem}' has no .{suffix} results.")
        given = {k: v for k, v in params.items() if k in query.params}
        for key, value in params.items():
            if len(value) > MAX_PARAM_LENGTH:
                return _html(page(linker, "Bad request", _message(
                    "Bad request", f"Parameter {key} is longer than {MAX_PARAM_LENGTH} characters.")), 400)
        if suffix is None:
            chosen = choose(accept, offered) if accept else "html"
            if chosen is None:
                return Response(406, "text/plain; charset=utf-8", (
                    "406 Not Acceptable: this page is available as text/html and "
                    + ", ".join(FORMATS[s][0] for s in offered[1:]) + "\n").encode(), {"Vary": "Accept"})
        else:
            chosen = suffix
        headers = {} if suffix else {"Vary": "Accept"}
        if chosen != "html":
            answer = self.query_download(f"{stem}.{chosen}", given)
            return Response(answer.status, answer.media_type, answer.body, {**answer.headers, **headers})
        status, ran = 200, False
        unknown = sorted(set(params) - set(query.params))
        readings: list[queries.Reading] = []
        try:
            if unknown:
                raise UsageError(f"query '{stem}' has no parameter '{unknown[0]}'")
            if not params and not runs_with_defaults(query):
                raise _WaitingForInput
            filled = {k: v for k, v in given.items() if v != ""}
            if query.federated and self._runner is None:
                raise _ElsewhereOnly
            readings = queries.readings(query, filled, self.engine(), self.view)
            given.update({r.param: r.value for r in readings})
            filled.update({r.param: r.value for r in readings})
            result = self.run(query, filled)
            outcome, ran = queries.results_html(result, self, linker), True
        except _WaitingForInput:
            outcome = _message(None, "Fill in the required values (marked *) and press Run.")
        except _ElsewhereOnly:
            status = 503
            outcome = queries.elsewhere_html(query)
        except (names.UnknownName, names.AmbiguousName) as exc:
            status, outcome = 400, queries.name_error_html(exc, query, given, linker)
        except (UsageError, InputError) as exc:
            status, outcome = 400, _message(None, exc, alert=True)
        except AfkgError as exc:
            status = 503 if isinstance(exc, QueryError) else 500
            retry = getattr(exc, "retry_after", None)
            if retry:
                headers = {**headers, "Retry-After": str(retry)}
            outcome = _message(None, exc, alert=True)
        body = queries.query_body(query, given, outcome, linker, static=linker.static, ran=ran, readings=readings,
                                  service_note=status != 503 or not query.federated or self._runner is not None)
        return _html(page(linker, query.summary, body, styles=[PAGES_CSS]), status, headers)

    def query_download(self, name_and_suffix: str, given: dict[str, str]) -> Response:
        """The results of a stored query in one format (``NAME.csv``, ``NAME.ttl``…)."""
        name, _, suffix = name_and_suffix.rpartition(".")
        query = self._stored(name)
        if query is None or suffix not in queries.downloads_for(query):
            return Response(404, "text/plain; charset=utf-8", f"404 Not Found: {name_and_suffix}\n".encode())
        try:
            result = self.run(query, {k: v for k, v in given.items() if v != ""})
            body = render_result(result, queries.DOWNLOAD_FORMATS[suffix]).encode("utf-8")
        except (UsageError, InputError) as exc:
            return Response(400, "text/plain; charset=utf-8", f"400 Bad Request: {exc}\n".encode())
        except AfkgError as exc:
            retry = getattr(exc, "retry_after", None)
            return Response(503, "text/plain; charset=utf-8", f"503 Service Unavailable: {exc}\n".encode(),
                            {"Retry-After": str(retry)} if retry else {})
        return Response(200, MEDIA_TYPES[suffix], body)

    # --- pictures -------------------------------------------------------------------------------

    def _picture_data(self, name: str) -> SelectResult | str:
        """The rows of a picture's stored query, or why the project gives none. A query that
        could not run (an AfkgError: every worker busy, a timeout…) is raised, for the page to
        answer with an error status."""
        query = self._stored(name)
        if query is None:
            return f"This project has no stored query '{name}'."
        result = self.run(query, {})
        if not isinstance(result, SelectResult):
            return f"The stored query '{name}' is not a SELECT query."
        return result

    def _picture_error(self, linker: Linker, title: str, exc: AfkgError) -> Response:
        """The page of a picture whose data could not be had: 503 when the query could not run
        (with ``Retry-After`` when the error says waiting may help), 500 otherwise."""
        status = 503 if isinstance(exc, QueryError) else 500
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else {}
        body = _message(title, exc, alert=True)
        return _html(page(linker, title, body), status, headers)

    @cached_property
    def picture_relations(self) -> dict[str, pictures.RelationKey]:
        """Relation IRI -> how the timeline and the trade chart show it (folder, label, colour)."""
        return picture_pages.relation_keys(self.relations)

    def _picture_relation(self, params: Mapping[str, str] | None, path: str, title: str,
                          linker: Linker) -> pictures.RelationKey | None | Response:
        """The relation a picture page is asked for (None: all), or the 404 page of an unknown one."""
        chosen = picture_pages.chosen_relation(self.picture_relations, params or {})
        if isinstance(chosen, str):
            body = picture_pages.unknown_relation_body(chosen, self.picture_relations, path, title, linker)
            return _html(page(linker, title, body), 404)
        return chosen

    def timeline(self, linker: Linker, params: Mapping[str, str] | None = None) -> Response:
        """The timeline of the relations (or of the one ``?relation=<folder>`` names), from the stored
        query ``timeline``."""
        chosen = self._picture_relation(params, "/timeline", "Timeline", linker)
        if isinstance(chosen, Response):
            return chosen
        try:
            data = self._picture_data("timeline")
        except AfkgError as exc:
            return self._picture_error(linker, "Timeline", exc)
        if isinstance(data, str):
            body = _message("Timeline", data)
            return _html(page(linker, "Timeline", body))
        keys = self.picture_relations
        items = picture_pages.all_timeline_items(
            self.view, data, {iri: info.pair for iri, info in self.passages.items()}, keys)
        body = picture_pages.timeline_body(items, keys, chosen, self.view, linker)
        return _html(page(linker, f"Timeline: {chosen.label}" if chosen else "Timeline", body))

    def trade(self, linker: Linker, params: Mapping[str, str] | None = None) -> Response:
        """The trade chart: flows by direction and year, and the balance, of the relations (or of the
        one ``?relation=<folder>`` names)."""
        chosen = self._picture_relation(params, "/trade", "Trade", linker)
        if isinstance(chosen, Response):
            return chosen
        try:
            flows_data = self._picture_data("trade-by-year")
            balance_data = self._picture_data("trade-balance")
        except AfkgError as exc:
            return self._picture_error(linker, "Trade", exc)
        if isinstance(flows_data, str):
            return _html(page(linker, "Trade", _message("Trade", flows_data)))
        flows = pictures.flows_from(flows_data)
        balances = pictures.balances_from(balance_data) if isinstance(balance_data, SelectResult) else []
        body = picture_pages.trade_body(flows, balances, self.picture_relations, chosen, self.view, linker)
        return _html(page(linker, f"Trade: {chosen.label}" if chosen else "Trade", body))

    # --- editor, static files, downloads ---------------------------------------------------------------

    def editor(self, linker: Linker | None = None) -> Response:
        """The SPARQL editor (YASGUI, served locally): one readable example to start from, a picker
        that opens a stored query in a tab, and results whose IRIs of ours link to their pages here."""
        linker = (linker or Linker()).at("/sparql")
        examples = [{"name": q.name, "summary": q.summary, "query": examples_.readable(q)}
                    for q in self.catalogue.all()]
        resource_href = linker.href("/resource/NAME").rsplit("NAME", 1)
        config = {
            "endpoint": self.sparql_endpoint, "prefixes": PREFIXES, "examples": examples,
            "starter": examples_.starter(PREFIXES), "namespaces": {"resource": RES, "ontology": PREFIXES["afkg"]},
        }
        pages = {"before": resource_href[0], "after": resource_href[1], "files": "true" if linker.static else "false",
                 "ontology": linker.href("/ontology")}
        data = (json.dumps(config, ensure_ascii=False, sort_keys=True)
                .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
        body = render("editor.html", endpoint=self.sparql_endpoint,
                      prefix_text="".join(f"PREFIX {n}: <{iri}>\n" for n, iri in sorted(PREFIXES.items())),
                      examples=examples, queries_href=linker.href("/queries"), config=markup(data), pages=pages)
        return _html(page(linker, "SPARQL editor", body,
                          styles=["/static/vendor/yasgui/yasgui.min.css", PAGES_CSS],
                          scripts=["/static/vendor/yasgui/yasgui.min.js", "/static/editor.js"]))

    def static_file(self, name: str) -> Response:
        """A stylesheet, script or licence of ``static/`` (only files listed in :attr:`static_files`)."""
        path = self.static_files.get(name)
        if path is None:
            return Response(404, "text/plain; charset=utf-8", b"404 Not Found\n")
        media = _STATIC_TYPES.get(path.suffix[1:], "text/plain; charset=utf-8")
        return Response(200, media, path.read_bytes(), {"Cache-Control": "public, max-age=3600"})

    def download(self, name: str) -> Response:
        """One file of the distribution (the export in every format, VoID, the JSON-LD context)."""
        entry = self.downloads.get(name)
        if entry is None:
            return Response(404, "text/plain; charset=utf-8", f"404 Not Found: /dist/{name}\n".encode())
        media, make = entry
        if name not in self._download_cache:
            self._download_cache[name] = make()
        return Response(200, media, self._download_cache[name],
                        {"Content-Disposition": f'attachment; filename="{name}"'})

    def resource_paths(self) -> list[str]:
        """The path (after ``/resource/``) of every resource the graph names as subject or object."""
        rows = self.view.select("SELECT DISTINCT ?r WHERE { { ?r ?p ?o } UNION { ?s ?p ?r } FILTER(isIRI(?r)) }")
        return sorted({target[len("/resource/"):] for r in rows if (target := resource_target(r["r"].value))})
