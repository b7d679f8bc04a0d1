"""Put every graph of the project into a SPARQL 1.1 store.

Two routes, both replacing each named graph as a whole, so pushing twice leaves
the store as pushing once:

- the Graph Store HTTP Protocol (``--store URL``): one ``PUT URL?graph=IRI`` per
  named graph with the graph as N-Triples;
- SPARQL 1.1 Update (``--update-endpoint URL``), for stores that take nothing
  else: ``DROP SILENT GRAPH`` and then ``INSERT DATA`` in chunks of bounded size
  (``INSERT … WHERE {}`` for the chunks that hold blank nodes).
  Each term is written by the project's own term serialisation after a check
  (:func:`afkg.rdf.sparql_terms.sparql_term`); the triples of one blank node stay
  in one chunk, since a blank-node label means the same node only within a request.

Every request goes through afkg's HTTP client (:class:`afkg.http_client.HttpClient`):
a total deadline each, no redirect followed, answers read up to 16 MiB, and a 429
or 503 sent again after the wait Retry-After asks for.

The graphs are those of the export (:func:`afkg.publish.export.named_graphs`):
ontology, shapes, data and the VoID/DCAT metadata, each under its graph IRI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
from rdflib import BNode, Graph, URIRef

from afkg.errors import NetworkError, UsageError
from afkg.graph import KnowledgeGraph
from afkg.http_client import DEFAULT_TIMEOUT, TOKEN_ENV, Credentials, HttpClient, check_url, shown
from afkg.publish.export import named_graphs, to_ntriples
from afkg.rdf.sparql_terms import check_iri, sparql_term
from afkg.rdf.terms import from_rdflib

DEFAULT_CHUNK_BYTES = 1024 * 1024
"""The largest ``INSERT DATA`` body sent in one request (a blank node's triples may exceed it)."""
_OK = (200, 201, 204)


@dataclass(frozen=True)
class Pushed:
    """One named graph put into the store."""

    graph: str
    triples: int
    requests: int


def push(kg: KnowledgeGraph, *, store: str | None = None, update_endpoint: str | None = None,
         credentials: Credentials | None = None, timeout: float = DEFAULT_TIMEOUT,
         chunk_bytes: int = DEFAULT_CHUNK_BYTES, sleep: Callable[[float], None] | None = None,
         transport: httpx.BaseTransport | None = None) -> list[Pushed]:
    """Replace each of the project's named graphs in the store; return what was sent.

    Exactly one of ``store`` (Graph Store Protocol) and ``update_endpoint`` (SPARQL Update) is given.
    ``sleep`` is how the client waits before a retry (``time.sleep`` by default).
    """
    if (store is None) == (update_endpoint is None):
        raise UsageError("give either --store URL (Graph Store Protocol) or --update-endpoint URL (SPARQL Update)")
    if chunk_bytes < 1024:
        raise UsageError(f"the chunk size must be at least 1024 bytes, got {chunk_bytes}")
    target = httpx.URL(check_url(store or update_endpoint or "", "--store" if store else "--update-endpoint",
                                 credentials=f"--user or ${TOKEN_ENV}"))
    graphs = named_graphs(kg, "all")
    pushed = []
    with HttpClient(credentials=credentials, timeout=timeout, sleep=sleep, transport=transport) as client:
        for name in sorted(graphs, key=str):
            graph = graphs[name]
            iri = check_iri(str(name), "graph IRI")
            if store is not None:
                _put(client, target, iri, to_ntriples(graph))
                pushed.append(Pushed(iri, len(graph), 1))
            else:
                requests = 0
                for update in updates(iri, graph, chunk_bytes):
                    _post_update(client, target, iri, update)
                    requests += 1
                pushed.append(Pushed(iri, len(graph), requests))
    return pushed


def _put(client: HttpClient, store: httpx.URL, iri: str, body: bytes) -> None:
    url = store.copy_merge_params({"graph": iri})
    answer = client.request("PUT", url, content=body,
                            headers={"Content-Type": "application/n-triples; charset=utf-8"})
    if answer.status not in _OK:
        raise NetworkError(f"{shown(store)} answered HTTP {answer.status} to PUT of graph <{iri}>: "
                           f"{answer.text_line()}")


def _post_update(client: HttpClient, endpoint: httpx.URL, iri: str, update: str) -> None:
    answer = client.request("POST", endpoint, content=update.encode("utf-8"),
                            headers={"Content-Type": "application/sparql-update; charset=utf-8"})
    if answer.status not in _OK:
        raise NetworkError(f"{shown(endpoint)} answered HTTP {answer.status} to the update of graph <{iri}>: "
                           f"{answer.text_line()}; the graph may be incomplete in the store, push again")


def _components(graph: Graph) -> list[tuple[bool, list[str]]]:
    """The triples as lines, grouped so that triples sharing a blank node are in one group;
    each group says whether it holds a blank node."""
    parent: dict[str, str] = {}

    def find(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    lines: list[tuple[str, list[str]]] = []
    for triple in graph:
        line = " ".join(sparql_term(from_rdflib(term)) for term in triple) + " ."
        blanks = [str(term) for term in triple if isinstance(term, BNode)]
        for other in blanks[1:]:
            parent[find(other)] = find(blanks[0])
        lines.append((line, blanks))
    groups: dict[str, list[str]] = {}
    loose: list[tuple[bool, list[str]]] = []
    for line, blanks in lines:
        if blanks:
            groups.setdefault(find(blanks[0]), []).append(line)
        else:
            loose.append((False, [line]))
    return sorted([(True, sorted(group)) for group in groups.values()] + loose)


def updates(iri: str, graph: Graph, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> list[str]:
    """The SPARQL Update requests that replace graph ``iri`` with ``graph``: the first drops
    the old graph; each inserts at most about ``chunk_bytes`` bytes of triples.

    A chunk without blank nodes is ``INSERT DATA``; one with blank nodes is
    ``INSERT { … } WHERE {}``, whose template makes one new node per label (some stores,
    Virtuoso among them, refuse blank nodes in ``INSERT DATA``).
    """
    name = sparql_term(from_rdflib(URIRef(iri)))
    chunks: list[tuple[bool, list[str]]] = []
    size = chunk_bytes + 1
    for blank, component in _components(graph):
        weight = sum(len(line.encode("utf-8")) + 1 for line in component)
        if size + weight > chunk_bytes or (chunks and chunks[-1][0] != blank):
            chunks.append((blank, []))
            size = 0
        chunks[-1][1].extend(component)
        size += weight
    drop = f"DROP SILENT GRAPH {name}"
    if not chunks:
        return [drop + "\n"]
    requests = []
    for blank, lines in chunks:
        body = "\n".join(lines)
        if blank:
            requests.append(f"INSERT {{ GRAPH {name} {{\n{body}\n}} }} WHERE {{}}\n")
        else:
            requests.append(f"INSERT DATA {{ GRAPH {name} {{\n{body}\n}} }}\n")
    requests[0] = drop + " ;\n" + requests[0]
    return requests
