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

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from afkg.errors import AfkgError, InputError, QueryError, UsageError
from afkg.graph import KnowledgeGraph
from afkg.layout import Layout
from afkg.prefixes import PREFIXES
from afkg.publish.site import pictures, queries, resource
from afkg.publish.site.html import attr, external, page, table, text
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
from afkg.publish.site.terms import resource_target, term_html
from afkg.publish.site.view import RES, GraphView
from afkg.query.catalogue import Catalogue, StoredQuery
from afkg.query.results import Result, SelectResult
from afkg.query.terms import Term

STATIC_DIR = Path(__file__).resolve().parent / "static"
RESOURCE_FORMATS = ("html", "ttl", "nt", "jsonld", "rdf")
ONTOLOGY_FORMATS = ("html", "ttl")
_STATIC_TYPES = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
                 "txt": "text/plain; charset=utf-8"}
MAX_PARAM_LENGTH = 2000
MAX_SEARCH_RESULTS = 100

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


def runs_with_defaults(query: StoredQuery) -> bool:
    """True if the query can run with no values given (every required parameter has a default)."""
    return all(p.default is not None for p in query.params.values() if p.required)


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
        from afkg.graph import load
        from afkg.query.engines import OxigraphEngine

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
        from afkg.publish import export, metadata

        return metadata.describe(self.kg, export.distribution_names())

    @cached_property
    def downloads(self) -> dict[str, tuple[str, Callable[[], bytes]]]:
        """File name under ``/dist/`` -> (media type, a function that makes its bytes)."""
        from afkg.publish import export, metadata
        from afkg.publish.context import context_text, load_context

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
        from afkg.publish.context import load_context

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
            from afkg.query.engines import OxigraphEngine

            self._engine = OxigraphEngine(self.layout)
            self._engine._store = self._store  # noqa: SLF001 - the store is already loaded
        return self._engine

    def run(self, query: StoredQuery, given: dict[str, str]) -> Result:
        """Run a stored query: through the runner given to the site, else on the local store
        (federated queries are not run locally: they would reach another host)."""
        if self._runner is not None:
            return self._runner(query, given)
        if query.federated:
            raise QueryError("this query asks another SPARQL service; run it through the server's API or "
                             f"'afkg query run {query.name}'")
        from afkg.query.catalogue import execute

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
        if path == "/queries":
            return self.query_list(linker)
        if path.startswith("/queries/"):
            return self.query_page(path[len("/queries/"):], params, accept, linker)
        if path.startswith("/api/queries/") and static:
            return self.query_download(path[len("/api/queries/"):], params)
        if path == "/timeline":
            return self.timeline(linker)
        if path == "/trade":
            return self.trade(linker)
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
        body = (f"<h1>Not found</h1><p>{text(message)}</p>"
                f'<p>Start from the <a href="{attr(linker.href("/"))}">home page</a>.</p>')
        return _html(page(linker, "Not found", body), 404)

    # --- home ----------------------------------------------------------------------------

    def home(self, linker: Linker) -> Response:
        """The dataset, its sources, relations and sections with what is drawn from them, and links to everything."""
        from afkg.namespaces import DCTERMS, VOID
        from afkg.publish.metadata import DATASET_IRI

        void = self.void

        def value(prop: Any) -> str:
            found = void.value(DATASET_IRI, prop)
            return str(found) if found is not None else ""

        title = value(DCTERMS.title) or "Knowledge graph"
        counts = [("triples", VOID.triples), ("entities", VOID.entities), ("classes", VOID.classes),
                  ("properties", VOID.properties)]
        parts = [f"<h1>{text(title)}</h1>", f"<p>{text(value(DCTERMS.description))}</p>", "<dl class=\"facts\">"]
        licence = value(DCTERMS.license)
        if licence:
            parts.append(f"<dt>licence</dt><dd>{external(licence)}</dd>")
        if value(DCTERMS.created):
            parts.append(f"<dt>date</dt><dd><time>{text(value(DCTERMS.created))}</time></dd>")
        for name, prop in counts:
            if value(prop):
                parts.append(f"<dt>{name}</dt><dd>{text(value(prop))}</dd>")
        parts.append("</dl>")
        parts.append("<h2>Sources</h2><ul>")
        for doc, pair in self.documents.items():
            doc_term = Term.uri(doc)
            origins = self.view.select(
                "SELECT ?d ?o ?l WHERE { ?d dcterms:source ?o OPTIONAL { ?d dcterms:license ?l } }",
                                       d=doc_term)
            origin = "".join(f" — the article: {external(r['o'].value)}" for r in origins if r["o"].kind == "uri")
            licences = sorted({r["l"].value for r in origins if "l" in r})
            licence_html = "".join(f" — licence {external(lic)}" for lic in licences)
            parts.append(f"<li>{term_html(doc_term, self.view, linker)}{origin}{licence_html} — "
                         f'<a href="{attr(linker.href("/source/" + pair))}">its text, passage by passage</a></li>')
        parts.append("</ul>")
        relations = self.view.select("SELECT ?r WHERE { ?r a afkg:BilateralRelation } ORDER BY ?r")
        parts.append("<h2>Relations</h2><ul>")
        for pair in self.pairs:
            held = [row["r"] for row in relations if any(
                p.value in self.passages and self.passages[p.value].pair == pair
                for p in self._derived(row["r"].value))]
            shown = ", ".join(term_html(r, self.view, linker) for r in held) or text(pair)
            parts.append(f"<li>{shown} <small>(<code>data/{text(pair)}/</code>)</small></li>")
        parts.append("</ul>")
        parts.append(self._sections_html(linker))
        parts.append("<h2>Look, query, download</h2><ul>")
        for target, name in (("/timeline", "Timeline of the relation"), ("/trade", "Trade by year and direction"),
                             ("/queries", "Stored queries, with forms"), ("/sparql", "SPARQL editor"),
                             ("/ontology", "The ontology")):
            parts.append(f'<li><a href="{attr(linker.href(target))}">{text(name)}</a></li>')
        parts.append("</ul><h3>Downloads</h3><ul>")
        for name, (media, _) in self.downloads.items():
            parts.append(f'<li><a href="{attr(linker.href("/dist/" + name))}">{text(name)}</a> '
                         f"<small>{text(media)}</small></li>")
        parts.append("</ul>")
        return _html(page(linker, title, "\n".join(parts)))

    def _derived(self, iri: str) -> list[Term]:
        return [r["p"] for r in self.view.select("SELECT ?s ?p WHERE { ?s prov:wasDerivedFrom ?p }", s=Term.uri(iri))]

    def _sections_html(self, linker: Linker) -> str:
        """Each section of each source with the facts and things the graph draws from its passages."""
        rows = self.view.select(
            "SELECT ?doc ?section ?order ?fact ?passage WHERE { "
            "?section a afkg:ArticleSection ; afkg:ofDocument ?doc ; afkg:sectionOrder ?order . "
            "?passage afkg:inSection ?section . ?fact prov:wasDerivedFrom ?passage }")
        sections: dict[tuple[str, int, str], dict[str, str]] = {}
        for row in rows:
            try:
                order = int(row["order"].value)
            except ValueError:
                order = 0
            key = (row["doc"].value, order, row["section"].value)
            facts = sections.setdefault(key, {})
            facts.setdefault(row["fact"].value, row["passage"].value)
        parts = ["<h2>What the article says, section by section</h2>"]
        for (_, _, section), facts in sorted(sections.items()):
            parts.append(f"<section><h3>{term_html(Term.uri(section), self.view, linker)}</h3><ul class=\"facts\">")
            for fact in sorted(facts, key=lambda f: (self.view.label(Term.uri(f)), f)):
                info = self.passages.get(facts[fact])
                quote = f" <q>{text(info.quote)}</q>" if info else ""
                parts.append(f"<li>{term_html(Term.uri(fact), self.view, linker)}.{quote}</li>")
            parts.append("</ul></section>")
        return "\n".join(parts)

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
        from urllib.parse import quote

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
        import difflib

        names = {label.lower(): iri for iri, label in self.view.labels.items() if resource_target(iri)}
        close = difflib.get_close_matches(words, list(names), n=5, cutoff=0.6)
        suggestions = [(resource_target(names[c]) or "/", self.view.labels[names[c]]) for c in close]
        body = resource.not_found_body(path, linker, suggestions)
        return _html(page(linker, "Not found", body), 404, {"Vary": "Accept"})

    def search(self, words: str, linker: Linker) -> Response:
        """Resources whose label contains ``words`` (case-insensitive)."""
        words = words.strip()[:200]
        found = []
        if words:
            needle = words.lower()
            for iri, label in sorted(self.view.labels.items(), key=lambda kv: (kv[1].lower(), kv[0])):
                target = resource_target(iri)
                if target and needle in label.lower():
                    found.append(f'<li><a href="{attr(linker.href(target))}">{text(label)}</a></li>')
                    if len(found) >= MAX_SEARCH_RESULTS:
                        break
        listing = "<ul>" + "".join(found) + "</ul>" if found else "<p>Nothing found.</p>"
        body = (f'<h1>Search</h1><form method="get" action="{attr(linker.href("/search"))}" role="search">'
                f'<label for="q">Search the labels</label> <input id="q" name="q" type="search" '
                f'value="{attr(words)}"> <button type="submit">Search</button></form>{listing}')
        return _html(page(linker, "Search", body))

    # --- ontology and source ------------------------------------------------------------------

    def ontology(self, accept: str | None, suffix: str | None, linker: Linker) -> Response:
        """The ontology documentation (an anchor per term), or the ontology as Turtle."""
        chosen = suffix or choose(accept, ONTOLOGY_FORMATS)
        headers = {} if suffix else {"Vary": "Accept"}
        if chosen is None:
            return not_acceptable(ONTOLOGY_FORMATS)
        if chosen == "ttl":
            from afkg.publish.export import to_turtle

            return Response(200, MEDIA_TYPES["ttl"], to_turtle(self.kg.ontology), headers)
        from afkg.publish.docs import ontology_body

        body = ontology_body(self.kg.ontology, self.kg.shapes)
        return _html(page(linker, "Ontology", f'<div class="ontology">{body}</div>',
                          alternates=[("/ontology.ttl", FORMATS["ttl"][0], "Turtle")]), 200, headers)

    def source(self, pair: str, linker: Linker) -> Response:
        """The source text of a relation, with an anchor at each passage the graph quotes."""
        path = self.pairs.get(pair)
        if path is None:
            return self.not_found(linker, f"There is no relation folder '{pair}'.")
        source_text = self._source_texts.get(pair)
        if source_text is None:
            from afkg.files import MAX_TEXT_BYTES, read_text

            # Read once, as loading read it: a regular file (no FIFO, no device), bounded, UTF-8; and
            # not a symlink, since the path was resolved when the project was loaded (one swapped in
            # since then is not followed). A file that changes afterwards does not change the page.
            try:
                source_text = read_text(path, MAX_TEXT_BYTES, self.layout.display(path), follow_symlinks=False)
            except InputError as exc:
                body = f'<h1>Source text</h1><p class="error" role="alert">{text(exc)}</p>'
                return _html(page(linker, "Source text", body), 500)
            self._source_texts[pair] = source_text
        passages = sorted(((iri, info) for iri, info in self.passages.items() if info.pair == pair),
                          key=lambda kv: kv[1].anchor)
        spans = []
        missing = []
        for iri, info in passages:
            start = source_text.find(info.quote) if info.quote else -1
            if start < 0:
                missing.append((iri, info))
            else:
                spans.append((start, start + len(info.quote), iri, info))
        cuts = sorted({0, len(source_text)} | {s for s, *_ in spans} | {e for _, e, *_ in spans})
        out = []
        for left, right in zip(cuts, cuts[1:], strict=False):
            out += [f'<span class="anchor" id="{attr(info.anchor)}"></span>'
                    for s, _, _, info in spans if s == left]
            piece = text(source_text[left:right])
            covering = [info.anchor for s, e, _, info in spans if s <= left and right <= e]
            out.append(f'<mark title="{attr(", ".join(covering))}">{piece}</mark>' if covering else piece)
        doc = next((d for d, p in self.documents.items() if p == pair), None)
        title = self.view.label(Term.uri(doc)) if doc else pair
        listing = "".join(
            f'<li><a href="#{attr(info.anchor)}">{text(info.anchor)}</a> — '
            f"{term_html(Term.uri(iri), self.view, linker)}</li>"
            for _, _, iri, info in sorted(spans, key=lambda s: s[0]))
        body = (f"<h1>{text(title)}</h1><p>The text of the article, byte for byte; every passage the graph "
                "quotes is marked and has an anchor.</p>"
                f'<div class="source-text">{"".join(out)}</div>'
                f"<h2>Passages</h2><ol>{listing}</ol>")
        if missing:
            body += "<p>Passages whose quote is not in the text: " + ", ".join(
                term_html(Term.uri(iri), self.view, linker) for iri, _ in missing) + "</p>"
        return _html(page(linker, title, body))

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
                return _html(page(linker, "Bad request", f"<h1>Bad request</h1><p>Parameter {text(key)} is "
                                  f"longer than {MAX_PARAM_LENGTH} characters.</p>"), 400)
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
        try:
            if unknown:
                raise UsageError(f"query '{stem}' has no parameter '{unknown[0]}'")
            if not params and not runs_with_defaults(query):
                raise _WaitingForInput
            result = self.run(query, {k: v for k, v in given.items() if v != ""})
            outcome, ran = queries.results_html(result, self, linker), True
        except _WaitingForInput:
            outcome = "<p>Fill in the required values (marked *) and press Run.</p>"
        except (UsageError, InputError) as exc:
            status, outcome = 400, f'<p class="error" role="alert">{text(exc)}</p>'
        except AfkgError as exc:
            status = 503 if isinstance(exc, QueryError) else 500
            retry = getattr(exc, "retry_after", None)
            if retry:
                headers = {**headers, "Retry-After": str(retry)}
            outcome = f'<p class="error" role="alert">{text(exc)}</p>'
        body = queries.query_body(query, given, outcome, linker, static=linker.static, ran=ran)
        return _html(page(linker, query.summary, body), status, headers)

    def query_download(self, name_and_suffix: str, given: dict[str, str]) -> Response:
        """The results of a stored query in one format (``NAME.csv``, ``NAME.ttl``…)."""
        from afkg.query.results import render

        name, _, suffix = name_and_suffix.rpartition(".")
        query = self._stored(name)
        if query is None or suffix not in queries.downloads_for(query):
            return Response(404, "text/plain; charset=utf-8", f"404 Not Found: {name_and_suffix}\n".encode())
        try:
            result = self.run(query, {k: v for k, v in given.items() if v != ""})
            body = render(result, queries.DOWNLOAD_FORMATS[suffix]).encode("utf-8")
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
        body = f'<h1>{text(title)}</h1><p class="error" role="alert">{text(exc)}</p>'
        return _html(page(linker, title, body), status, headers)

    def timeline(self, linker: Linker) -> Response:
        """The timeline of the relation, from the stored query ``timeline``."""
        try:
            data = self._picture_data("timeline")
        except AfkgError as exc:
            return self._picture_error(linker, "Timeline", exc)
        if isinstance(data, str):
            body = f"<h1>Timeline</h1><p>{text(data)}</p>"
            return _html(page(linker, "Timeline", body))
        lanes_of: dict[str, str] = {}
        for lane, top in (("Rule and occupation", "ControlPeriod"), ("Ties", "Relationship"), ("Visits", "Visit")):
            rows = self.view.select("SELECT ?item ?top WHERE { ?item a/rdfs:subClassOf* ?top }",
                                    top=Term.uri(PREFIXES["afkg"] + top))
            for row in rows:
                lanes_of.setdefault(row["item"].value, lane)
        items = pictures.timeline_items(data, lanes_of)
        listed = [[text(i.worded or str(int(i.start))), term_html(i.item, self.view, linker), text(i.lane)]
                  for i in sorted(items, key=lambda i: (i.start, i.label))]
        query_link = attr(linker.href("/queries/timeline"))
        body = (f"<h1>Timeline</h1><p>Events as points, periods of rule, occupation and ties as bars, visits; "
                f'drawn from the stored query <a href="{query_link}">timeline</a>. Each mark links to its page.</p>'
                f'<figure class="picture">{pictures.timeline_svg(items, linker)}</figure>'
                + table(["when", "what", "kind"], listed, caption="The same items as a list"))
        return _html(page(linker, "Timeline", body))

    def trade(self, linker: Linker) -> Response:
        """The trade chart: flows by direction and year, and the balance."""
        try:
            flows_data = self._picture_data("trade-by-year")
            balance_data = self._picture_data("trade-balance")
        except AfkgError as exc:
            return self._picture_error(linker, "Trade", exc)
        if isinstance(flows_data, str):
            return _html(page(linker, "Trade", f"<h1>Trade</h1><p>{text(flows_data)}</p>"))
        flows = pictures.flows_from(flows_data)
        balances = pictures.balances_from(balance_data) if isinstance(balance_data, SelectResult) else []
        label = lambda term: self.view.label(term)  # noqa: E731
        charts = "".join(f'<figure class="picture">{pictures.trade_svg(flows, balances, label, currency)}'
                         f"<figcaption>Amounts in {text(currency)}</figcaption></figure>"
                         for currency in sorted({f.currency for f in flows} | {b.currency for b in balances}))
        rows = [[text(f.year), term_html(f.exporter, self.view, linker), term_html(f.importer, self.view, linker),
                 text(f"{f.amount:,f}".rstrip("0").rstrip(".")), text(f.currency)] for f in flows]
        rows += [[text(b.year), term_html(b.reporter, self.view, linker) + " (balance)",
                  term_html(b.partner, self.view, linker), text(f"{b.amount:,f}".rstrip("0").rstrip(".")),
                  text(b.currency)] for b in balances]
        body = ("<h1>Trade</h1><p>Flows by year and direction, with the balance; drawn from the stored queries "
                f'<a href="{attr(linker.href("/queries/trade-by-year"))}">trade-by-year</a> and '
                f'<a href="{attr(linker.href("/queries/trade-balance"))}">trade-balance</a>.</p>'
                + (charts or "<p>No trade figures.</p>")
                + table(["year", "from", "to", "amount", "currency"], rows, caption="The same figures as a table"))
        return _html(page(linker, "Trade", body))

    # --- editor, static files, downloads ---------------------------------------------------------------

    def editor(self, linker: Linker | None = None) -> Response:
        """The SPARQL editor (YASGUI, served locally) with the prefixes and the stored queries as examples."""
        linker = (linker or Linker()).at("/sparql")
        examples = [{"name": q.name, "summary": q.summary, "query": q.text} for q in self.catalogue.all()]
        config = {"endpoint": self.sparql_endpoint, "prefixes": PREFIXES, "examples": examples}
        data = (json.dumps(config, ensure_ascii=False, sort_keys=True)
                .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
        body = ("<h1>SPARQL editor</h1>"
                "<p>Write a query, or pick a stored one from the tabs; it runs on "
                f"<code>{text(self.sparql_endpoint)}</code>. "
                f'Without JavaScript, use the <a href="{attr(linker.href("/queries"))}">stored queries</a>.</p>'
                '<div id="yasgui"></div>'
                f'<script type="application/json" id="editor-config">{data}</script>')
        return _html(page(linker, "SPARQL editor", body, styles=["/static/vendor/yasgui/yasgui.min.css"],
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
