"""Where the files are, and how they are read into graphs.

This is the only module that knows the folder layout:

    ontology/afkg.ttl        the OWL ontology
    ontology/shapes.ttl      the SHACL shapes
    ontology/context.jsonld  the JSON-LD context of exports
    data/<pair>/*.ttl        the facts of one bilateral relation, and its source text
    data/wikidata/           recorded Wikidata answers
    queries/*.rq             stored SPARQL queries
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from afkg.errors import InputError
from afkg.namespaces import AFKG, ONTOLOGY_IRI, RDF, SHAPES_IRI, bind_prefixes

ROOT_ENV = "AFKG_ROOT"
"""Environment variable that points afkg at a project folder."""

DATA_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/data")
ONTOLOGY_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/ontology")
SHAPES_GRAPH_IRI = URIRef("https://w3id.org/afkg/graph/shapes")


@dataclass(frozen=True)
class Layout:
    """The files of one afkg project folder."""

    root: Path

    @property
    def ontology_file(self) -> Path:
        return self.root / "ontology" / "afkg.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def context_file(self) -> Path:
        return self.root / "ontology" / "context.jsonld"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def wikidata_dir(self) -> Path:
        return self.data_dir / "wikidata"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    def pair_dirs(self) -> list[Path]:
        """The folders of bilateral relations: every folder of ``data/`` with Turtle files."""
        if not self.data_dir.is_dir():
            raise InputError(f"{self.data_dir}: no data folder here (set --root or {ROOT_ENV})")
        return sorted(
            d for d in self.data_dir.iterdir()
            if d.is_dir() and d.name != "wikidata" and any(d.glob("*.ttl"))
        )

    def data_files(self) -> list[Path]:
        """Every data file, in a stable order."""
        return [f for d in self.pair_dirs() for f in sorted(d.glob("*.ttl"))]

    def display(self, path: Path) -> str:
        """``path`` relative to the project root when it lies inside it."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def _bundled_root() -> Path | None:
    """The copy of ontology, data and queries shipped inside an installed wheel."""
    here = Path(__file__).resolve().parent
    bundle = here / "_bundle"
    if (bundle / "ontology" / "afkg.ttl").is_file():
        return bundle
    checkout = here.parent.parent
    if (checkout / "ontology" / "afkg.ttl").is_file():
        return checkout
    return None


def default_layout(root: str | os.PathLike[str] | None = None) -> Layout:
    """The project folder to use: ``root`` if given, else ``$AFKG_ROOT``, else the
    source checkout or the copy bundled with the package."""
    chosen = root or os.environ.get(ROOT_ENV)
    if chosen:
        path = Path(chosen)
        if not (path / "ontology" / "afkg.ttl").is_file():
            raise InputError(f"{path}: not an afkg project folder (no ontology/afkg.ttl)")
        return Layout(path)
    bundled = _bundled_root()
    if bundled is None:
        raise InputError(f"no afkg project folder found; set --root or {ROOT_ENV}")
    return Layout(bundled)


def _syntax_position(error: BadSyntax) -> tuple[int, int]:
    """Line and column (both from 1) of an rdflib Turtle syntax error."""
    text: bytes = error._str  # noqa: SLF001 - rdflib keeps the position only here
    index: int = error._i  # noqa: SLF001
    line = text.count(b"\n", 0, index) + 1
    column = index - text.rfind(b"\n", 0, index)
    return line, column


def parse_turtle(path: Path, graph: Graph | None = None, *, shown_as: str | None = None) -> Graph:
    """Parse one Turtle file into ``graph`` (a new graph if None).

    Raises InputError naming the file, line and column of the first syntax error.
    """
    name = shown_as or str(path)
    target = graph if graph is not None else Graph()
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = text.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{name}:{line}: not UTF-8 ({exc.reason})") from None
    scratch = Graph()
    try:
        scratch.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        line, column = _syntax_position(exc)
        raise InputError(f"{name}:{line}:{column}: Turtle syntax error: {exc._why}") from None  # noqa: SLF001
    except Exception as exc:  # rdflib raises assorted errors for bad IRIs and literals
        raise InputError(f"{name}: cannot parse Turtle: {exc}") from None
    for triple in scratch:
        target.add(triple)
    for prefix, namespace in scratch.namespaces():
        if prefix and prefix not in dict(target.namespaces()):
            target.bind(prefix, namespace)
    return target


@dataclass
class KnowledgeGraph:
    """The ontology, the shapes and the data of one project, read from disk."""

    layout: Layout
    ontology: Graph
    shapes: Graph
    data: Graph
    sources: dict[URIRef, Path] = field(default_factory=dict)
    """Source documents and the text file each one's quotes must come from."""

    @cached_property
    def merged(self) -> Graph:
        """The ontology and the data in one graph: what queries and exports see."""
        graph = Graph()
        bind_prefixes(graph)
        for triple in self.ontology:
            graph.add(triple)
        for triple in self.data:
            graph.add(triple)
        return graph

    def dataset(self) -> Dataset:
        """Ontology, shapes and data, each in a named graph of its own."""
        dataset = Dataset()
        bind_prefixes(dataset)
        for name, graph in (
            (ONTOLOGY_GRAPH_IRI, self.ontology),
            (SHAPES_GRAPH_IRI, self.shapes),
            (DATA_GRAPH_IRI, self.data),
        ):
            named = dataset.graph(name)
            for triple in graph:
                named.add(triple)
        return dataset

    def triple_count(self) -> int:
        """Triples of the merged graph (ontology and data)."""
        return len(self.merged)


def load(layout: Layout | None = None) -> KnowledgeGraph:
    """Read ontology, shapes and every data folder of ``layout``.

    Raises InputError for the first file that is missing or not valid Turtle.
    """
    layout = layout or default_layout()
    ontology = parse_turtle(layout.ontology_file, shown_as=layout.display(layout.ontology_file))
    shapes = parse_turtle(layout.shapes_file, shown_as=layout.display(layout.shapes_file))
    if (ONTOLOGY_IRI, RDF.type, None) not in ontology:
        raise InputError(f"{layout.display(layout.ontology_file)}: does not declare <{ONTOLOGY_IRI}>")
    if (SHAPES_IRI, None, None) not in shapes:
        raise InputError(f"{layout.display(layout.shapes_file)}: does not declare <{SHAPES_IRI}>")
    data = Graph()
    sources: dict[URIRef, Path] = {}
    for pair in layout.pair_dirs():
        pair_graph = Graph()
        for path in sorted(pair.glob("*.ttl")):
            parse_turtle(path, pair_graph, shown_as=layout.display(path))
        for document in pair_graph.subjects(RDF.type, AFKG.SourceDocument):
            local = pair_graph.value(document, AFKG.localFile)
            if local is not None and isinstance(document, URIRef):
                sources[document] = pair / str(local)
        for triple in pair_graph:
            data.add(triple)
    for graph in (ontology, shapes, data):
        bind_prefixes(graph)
    return KnowledgeGraph(layout=layout, ontology=ontology, shapes=shapes, data=data, sources=sources)
