"""The project read once with oxigraph's parser: the pipeline's one load.

Every Turtle file (the ontology, the shapes, each pair's data) is parsed once by
pyoxigraph. The parsed triples keep the literals exactly as written; they feed the
exports (through rdflib terms, see :meth:`Project.rdflib_triples`), rudof and the
rdflib graphs that pySHACL and the rdflib engine need. A pyoxigraph
:class:`~pyoxigraph.Store` of the same triples, each part in its named graph,
answers the counts and the SPARQL checks; oxigraph keeps numbers and dates there
as values (``"10000.0"^^xsd:decimal`` comes back as ``"10000"``), which is why
nothing is written from the store itself.

A syntax error is reported as ``file:line:column`` (lines and columns from 1,
columns in characters), the convention of :func:`afkg.graph.position`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import pyoxigraph as ox

from afkg.errors import InputError
from afkg.layout import Layout
from afkg.rdf.loader import parse_file
from afkg.rdf.terms import oxigraph_to_rdflib

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef
    from rdflib.term import Node

    from afkg.rdf.terms import RdflibTerm

DATA_GRAPH = "https://w3id.org/afkg/graph/data"
ONTOLOGY_GRAPH = "https://w3id.org/afkg/graph/ontology"
SHAPES_GRAPH = "https://w3id.org/afkg/graph/shapes"
PARTS = {"ontology": ONTOLOGY_GRAPH, "shapes": SHAPES_GRAPH, "data": DATA_GRAPH}
"""The project's parts and the named graph each one has in the store."""

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_AFKG = "https://w3id.org/afkg/ontology#"
_SOURCE_DOCUMENT = _AFKG + "SourceDocument"
_LOCAL_FILE = _AFKG + "localFile"


@dataclass(frozen=True)
class IllTypedLiteral:
    """A literal whose text is not a value of its datatype (``"2024-13-45"^^xsd:date``)."""

    file: str
    subject: Node
    predicate: Node
    literal: Any
    """The rdflib Literal."""


class _Quiet(logging.Filter):
    """Drops rdflib's log records (with tracebacks) about literals it cannot convert;
    afkg reports those literals as validation problems instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's term-conversion warnings for the duration of a parse or conversion."""
    quiet = _Quiet()
    logger = logging.getLogger("rdflib.term")
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def oxigraph_spo(terms: Iterable[ox.NamedNode | ox.BlankNode | ox.Literal]
                 ) -> tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]:
    """A triple's three pyoxigraph terms, each typed as its place holds it (for ``ox.Triple`` and
    ``ox.Quad``); a literal subject or a predicate that is no IRI raises TypeError, as they do."""
    subject, predicate, object_ = terms
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise TypeError(f"not an RDF triple: {subject} {predicate} {object_}")
    return subject, predicate, object_


class TermConverter:
    """pyoxigraph terms to rdflib terms, each distinct term converted once.

    A literal becomes what rdflib's own Turtle parser would make of it: the
    ``Literal(text, datatype=…)`` constructor, which writes well-typed numbers
    and dates in rdflib's lexical form, and no datatype for a plain string.
    """

    def __init__(self) -> None:
        self._cache: dict[Any, RdflibTerm] = {}

    @overload
    def __call__(self, term: ox.NamedNode) -> URIRef: ...

    @overload
    def __call__(self, term: ox.BlankNode) -> BNode: ...

    @overload
    def __call__(self, term: ox.Literal) -> Literal: ...

    @overload
    def __call__(self, term: Any) -> RdflibTerm: ...

    def __call__(self, term: Any) -> RdflibTerm:
        found = self._cache.get(term)
        if found is None:
            found = self._cache[term] = self.convert_term(term)
        return found

    convert_term = staticmethod(oxigraph_to_rdflib)
    """One term converted, without the cache."""


def _ill_typed(triples: Iterable[ox.Triple], file: str, convert: TermConverter,
               verdicts: dict[Any, bool]) -> list[IllTypedLiteral]:
    """The literals of ``triples`` whose text is not a value of their XSD datatype, as rdflib judges it."""
    found = []
    for triple in triples:
        value = triple.object
        if not isinstance(value, ox.Literal) or value.language:
            continue
        datatype = value.datatype.value
        if not datatype.startswith(_XSD) or datatype == _XSD + "string":
            continue
        bad = verdicts.get(value)
        if bad is None:
            bad = verdicts[value] = bool(convert(value).ill_typed)
        if bad:
            found.append(IllTypedLiteral(file, convert(triple.subject), convert(triple.predicate), convert(value)))
    return sorted(found, key=lambda x: (str(x.subject), str(x.predicate), str(x.literal)))


def _local_file(pair: Path, value: str, layout: Layout) -> Path:
    """The source text ``afkg:localFile value`` of a document in ``pair``: inside that folder, or an InputError."""
    folder = Path(os.path.realpath(pair))
    candidate = Path(value)
    resolved = Path(os.path.realpath(folder / candidate))
    if candidate.is_absolute() or not resolved.is_relative_to(folder) or resolved == folder:
        raise InputError(f"{layout.display(pair)}: afkg:localFile \"{value}\" is outside the folder "
                         f"{layout.display(pair)}; name a file inside it")
    return resolved


@dataclass
class Project:
    """The ontology, the shapes and the data of one project as parsed, plus the store built from them."""

    layout: Layout
    triples: dict[str, list[ox.Triple]]
    """Each part's triples ("ontology", "shapes", "data") as the files write them."""
    sources: dict[str, Path] = field(default_factory=dict)
    """Source documents (IRIs) and the text file each one's quotes must come from."""
    ill_typed: list[IllTypedLiteral] = field(default_factory=list)
    """Literals whose text is not a value of their datatype, with the file they are in."""
    convert: TermConverter = field(default_factory=TermConverter)
    pairs: list[tuple[str, int, int]] = field(default_factory=list)
    """Each pair folder's name and the slice ``[start, end)`` of ``triples["data"]`` read from it."""
    files: list[tuple[str, str, int, int]] = field(default_factory=list)
    """Each data file's folder name, its name as shown, and its slice ``[start, end)`` of ``triples["data"]``."""

    @cached_property
    def store(self) -> ox.Store:
        """An in-memory store with each part in its named graph (see :data:`PARTS`)."""
        store = ox.Store()
        for part, graph in PARTS.items():
            name = ox.NamedNode(graph)
            store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in self.triples[part])
        return store

    def rdflib_triples(self, part: str) -> set[tuple[RdflibTerm, RdflibTerm, RdflibTerm]]:
        """The triples of ``part`` as rdflib terms (what rdflib's parser makes of the files)."""
        cache: dict[str, set[tuple[RdflibTerm, RdflibTerm, RdflibTerm]]] = self.__dict__.setdefault("_rdflib", {})
        if part not in cache:
            convert = self.convert
            with quiet_rdflib():
                cache[part] = {(convert(t.subject), convert(t.predicate), convert(t.object))
                               for t in self.triples[part]}
        return cache[part]

    def __len__(self) -> int:
        return sum(len(found) for found in self.triples.values())


def load_project(layout: Layout) -> Project:
    """Parse the ontology, the shapes and every data file of ``layout``.

    Raises InputError for the first file that is missing, not UTF-8 or not valid
    Turtle, and for a document's ``afkg:localFile`` outside its pair's folder.
    """
    with quiet_rdflib():
        return _load(layout)


def _load(layout: Layout) -> Project:
    source_document = ox.NamedNode(_SOURCE_DOCUMENT)
    convert = TermConverter()
    verdicts: dict[Any, bool] = {}
    ill_typed: list[IllTypedLiteral] = []
    triples: dict[str, list[ox.Triple]] = {}
    for part, path in (("ontology", layout.ontology_file), ("shapes", layout.shapes_file)):
        name = layout.display(path)
        triples[part] = parse_file(path, name)
        ill_typed += _ill_typed(triples[part], name, convert, verdicts)
    data: list[ox.Triple] = []
    sources: dict[str, Path] = {}
    documents: list[str] = []
    local_files: dict[str, str] = {}
    pairs: list[tuple[str, int, int]] = []
    files: list[tuple[str, str, int, int]] = []
    for pair in layout.pair_dirs():
        start = len(data)
        for path in layout.turtle_files(pair):
            name = layout.display(path)
            found = parse_file(path, name)
            files.append((pair.name, name, len(data), len(data) + len(found)))
            ill_typed += _ill_typed(found, name, convert, verdicts)
            for triple in found:
                subject = triple.subject
                if not isinstance(subject, ox.NamedNode):
                    continue
                predicate = triple.predicate.value
                if predicate == _RDF_TYPE and triple.object == source_document:
                    documents.append(subject.value)
                elif predicate == _LOCAL_FILE:
                    if not isinstance(triple.object, ox.Literal):
                        raise InputError(f"{name}: afkg:localFile of <{subject.value}> must be a string "
                                         "naming the source text file")
                    local_files.setdefault(subject.value, triple.object.value)
            data += found
        pairs.append((pair.name, start, len(data)))
        for document in documents:
            local = local_files.get(document)
            if local is not None and document not in sources:
                sources[document] = _local_file(pair, local, layout)
    triples["data"] = data
    return Project(layout=layout, triples=triples, sources=sources, ill_typed=ill_typed, convert=convert,
                   pairs=pairs, files=files)


__all__ = ["DATA_GRAPH", "ONTOLOGY_GRAPH", "PARTS", "SHAPES_GRAPH", "IllTypedLiteral", "Project",
           "TermConverter", "load_project", "oxigraph_spo", "parse_file", "quiet_rdflib"]
