"""The one table of RDF and SPARQL-results formats: names, aliases, media types, suffixes.

Every part of afkg that names a format reads it from here: ``afkg export`` and
``afkg query run``, the server (``format=``, ``Accept``, ``/api/queries/NAME.SUFFIX``)
and the site (``/resource/NAME.SUFFIX``, query downloads). The media types, file
suffixes and format IRIs are pyoxigraph's (``RdfFormat`` and ``QueryResultsFormat``;
``tests/test_formats.py`` checks they agree), written out so that importing this
module costs nothing: a stored query run from the cache imports no pyoxigraph.

A format has one name (``turtle``, ``ntriples``, ``json`` ...), used by ``--format``
and ``format=``, and one suffix (``ttl``, ``nt``, ``json`` ...), used in file and
URL names. :func:`lookup` takes either, an alias or a media type.
"""

from __future__ import annotations

from typing import Any

from afkg.records import Record


class Format(Record):
    """One serialisation (a record rather than a dataclass: this module is on every command's
    start-up path, and defining a dataclass costs about a millisecond there)."""

    name: str
    """The name ``--format`` and ``format=`` take (``turtle``)."""
    label: str
    """How people write it (``Turtle``)."""
    kind: str
    """``results`` (SELECT and ASK), ``triples`` or ``quads`` (CONSTRUCT, DESCRIBE, dumps)."""
    media_type: str
    """The registered media type, without parameters (pyoxigraph's)."""
    suffix: str
    """The file and URL suffix (pyoxigraph's file extension, but ``json``/``xml`` for results)."""
    iri: str
    """The format's IRI under http://www.w3.org/ns/formats/ (SPARQL service descriptions)."""
    accepted: tuple[str, ...]
    """Other media types that ask for it in ``Accept`` (older or unregistered names)."""
    generic: tuple[str, ...]
    """Generic media types (``text/plain``, ``application/xml`` ...) the SPARQL endpoint also
    reads as asking for it; the site does not."""
    aliases: tuple[str, ...]
    """Other names ``format=`` and ``afkg export --format`` take."""
    oxigraph: str
    """The attribute of ``pyoxigraph.RdfFormat`` or ``QueryResultsFormat``."""
    rdflib: str
    """rdflib's serializer plugin name (graph formats)."""

    def __init__(self, name: str, label: str, kind: str, media_type: str, suffix: str, iri: str, *,
                 accepted: tuple[str, ...] = (), generic: tuple[str, ...] = (), aliases: tuple[str, ...] = (),
                 oxigraph: str = "", rdflib: str = "") -> None:
        self.__dict__.update(name=name, label=label, kind=kind, media_type=media_type, suffix=suffix, iri=iri,
                             accepted=accepted, generic=generic, aliases=aliases, oxigraph=oxigraph, rdflib=rdflib)

    _COMPARED = ("name", "label", "kind", "media_type", "suffix", "iri", "accepted", "generic", "aliases",
                 "oxigraph", "rdflib")

    @property
    def content_type(self) -> str:
        """The Content-Type header of an answer: text types say ``charset=utf-8``."""
        return self.media_type + "; charset=utf-8" if self.media_type.startswith("text/") else self.media_type

    @property
    def is_graph(self) -> bool:
        """Whether it writes RDF (CONSTRUCT and DESCRIBE results, dumps)."""
        return self.kind != "results"

    def pyoxigraph(self) -> Any:
        """The ``pyoxigraph.RdfFormat`` or ``QueryResultsFormat`` (imports pyoxigraph)."""
        import pyoxigraph as ox  # start-up: pyoxigraph only when a format is used

        return getattr(ox.QueryResultsFormat if self.kind == "results" else ox.RdfFormat, self.oxigraph)


_W3 = "http://www.w3.org/ns/formats/"

FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "SPARQL JSON", "results", "application/sparql-results+json", "json", _W3 + "SPARQL_Results_JSON",
           generic=("application/json",), aliases=("srj",), oxigraph="JSON"),
    Format("xml", "SPARQL XML", "results", "application/sparql-results+xml", "xml", _W3 + "SPARQL_Results_XML",
           generic=("application/xml", "text/xml"), aliases=("srx",), oxigraph="XML"),
    Format("csv", "CSV", "results", "text/csv", "csv", _W3 + "SPARQL_Results_CSV", oxigraph="CSV"),
    Format("tsv", "TSV", "results", "text/tab-separated-values", "tsv", _W3 + "SPARQL_Results_TSV", oxigraph="TSV"),
    Format("turtle", "Turtle", "triples", "text/turtle", "ttl", _W3 + "Turtle",
           accepted=("application/x-turtle",), aliases=("ttl",), oxigraph="TURTLE", rdflib="turtle"),
    Format("ntriples", "N-Triples", "triples", "application/n-triples", "nt", _W3 + "N-Triples",
           generic=("text/plain",), aliases=("nt", "n-triples"), oxigraph="N_TRIPLES", rdflib="nt"),
    Format("jsonld", "JSON-LD", "triples", "application/ld+json", "jsonld", _W3 + "JSON-LD",
           accepted=("application/json",), aliases=("json-ld",), oxigraph="JSON_LD", rdflib="json-ld"),
    Format("rdfxml", "RDF/XML", "triples", "application/rdf+xml", "rdf", _W3 + "RDF_XML",
           generic=("application/xml", "text/xml"), aliases=("rdf", "rdf/xml"), oxigraph="RDF_XML", rdflib="xml"),
    Format("nquads", "N-Quads", "quads", "application/n-quads", "nq", _W3 + "N-Quads",
           aliases=("nq",), oxigraph="N_QUADS", rdflib="nquads"),
    Format("trig", "TriG", "quads", "application/trig", "trig", _W3 + "TriG", oxigraph="TRIG", rdflib="trig"),
)}
"""Name -> format; in each kind the server's default comes first."""

RESULTS = tuple(n for n, f in FORMATS.items() if f.kind == "results")
"""Formats of SELECT and ASK results: json, xml, csv, tsv."""
GRAPH = tuple(n for n, f in FORMATS.items() if f.is_graph)
"""Formats of CONSTRUCT and DESCRIBE results and dumps: turtle, ntriples, jsonld, rdfxml, nquads, trig."""
QUADS = tuple(n for n, f in FORMATS.items() if f.kind == "quads")
"""Formats that keep named graphs: nquads, trig."""
CLI_RESULTS = ("csv", "tsv", "json", "xml")
"""Result formats of ``afkg query run --format`` (besides ``table``), in its order."""
CLI_GRAPH = ("turtle", "ntriples", "jsonld")
"""Graph formats of ``afkg query run --format``."""

BY_SUFFIX: dict[str, Format] = {f.suffix: f for f in FORMATS.values()}
"""Suffix -> format (``/api/queries/NAME.ttl``, ``/resource/NAME.nt``)."""

EXPORT_ALIASES: dict[str, str] = {
    "n-quads": "nquads", "xml": "rdfxml", "owl": "rdfxml", "text/plain": "ntriples", "application/xml": "rdfxml",
    "text/xml": "rdfxml", "text/x-nquads": "nquads", "application/x-trig": "trig",
}
"""Names ``afkg export --format`` reads besides the graph formats' names, aliases and media types
(it writes only RDF, so ``xml`` and the generic XML types mean RDF/XML there)."""

EXPORT_EXTENSIONS: dict[str, str] = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "ntriples", ".jsonld": "jsonld", ".json": "jsonld",
    ".rdf": "rdfxml", ".xml": "rdfxml", ".owl": "rdfxml", ".trig": "trig", ".nq": "nquads",
}
"""File extensions ``afkg export -o FILE`` infers its format from."""


def get(name: str) -> Format:
    """The format called ``name`` exactly (a canonical name)."""
    return FORMATS[name]


def lookup(name: str) -> Format | None:
    """The format a ``format=`` value names: its name, suffix or an alias (any case), or its
    registered media type (parameters ignored); None if none."""
    key = name.strip().lower()
    for f in FORMATS.values():
        if key == f.name or key == f.suffix or key in f.aliases:
            return f
    media = key.split(";")[0].strip()
    for f in FORMATS.values():
        if media == f.media_type:
            return f
    return None


def accepted_types(name: str, *, generic: bool = False) -> tuple[str, ...]:
    """The media types that ask for format ``name`` in ``Accept``, the registered one first
    (with the generic ones too when ``generic``)."""
    f = FORMATS[name]
    return (f.media_type, *f.accepted, *(f.generic if generic else ()))
