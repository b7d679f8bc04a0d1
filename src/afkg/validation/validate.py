"""Validation: the SHACL shapes, plus the check that every quote is in its source.

SHACL runs without inference. Before validating, every asserted type gets its
superclasses from the ontology's rdfs:subClassOf hierarchy (and nothing else:
no rdfs:domain or rdfs:range entailment), so a shape on a class applies to the
instances of its subclasses while a value is of a class only if the data says
so. The source check reads each document's text file: every section label is a
heading of the text, and every passage's quote occurs in its own section.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyoxigraph
import pyrudof
import pyshacl
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import processor
from rdflib.term import Identifier
from rdflib.util import from_n3

from afkg.article import sections
from afkg.errors import InputError
from afkg.files import MAX_TEXT_BYTES, read_text
from afkg.graph import KnowledgeGraph, select_rows
from afkg.namespaces import PREFIXES, RDF, RDFS, SH, bind_prefixes
from afkg.project import DATA_GRAPH, quiet_rdflib
from afkg.query.guard import check_shapes, disable_rdflib_network
from afkg.rdf.terms import oxigraph_predicate, oxigraph_subject, oxigraph_to_rdflib, rdflib_to_oxigraph, shorten
from afkg.references import reference_problems
from afkg.validation import sparql_constraints

if TYPE_CHECKING:
    import pyoxigraph


def short(term: Node | None) -> str | None:
    """A term as a reader wants it: a prefixed name where a prefix fits, else N3."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, Literal):
        return str(term)
    return term.n3()


@dataclass(frozen=True)
class ValidationResult:
    """One problem found: where it is, what is wrong, and which check found it."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str = "Violation"
    shape: str | None = None
    check: str = "shacl"

    def sort_key(self) -> tuple[str, ...]:
        """Focus, path, value, message…; an absent path or value sorts first, as empty text."""
        return (self.focus, self.path or "", self.value or "", self.message, self.severity,
                self.shape or "", self.check)

    def __lt__(self, other: ValidationResult) -> bool:
        return self.sort_key() < other.sort_key()


@dataclass
class Report:
    """The outcome of a validation run."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)

    def text(self) -> str:
        """A report for people: one block per result."""
        if self.conforms:
            return "Conforms: yes (0 problems)\n"
        lines = [f"Conforms: no ({len(self.results)} problem{'s' if len(self.results) != 1 else ''})", ""]
        for number, result in enumerate(self.results, 1):
            lines.append(f"{number}. [{result.severity}] {result.message}")
            lines.append(f"   focus: {result.focus}")
            if result.path:
                lines.append(f"   path:  {result.path}")
            if result.value is not None:
                lines.append(f"   value: {result.value}")
            if result.shape:
                lines.append(f"   shape: {result.shape}")
            lines.append("")
        return "\n".join(lines)

    def json(self) -> str:
        """The report as JSON: ``{"conforms": bool, "results": [...]}``."""
        body = {"conforms": self.conforms, "results": [asdict(r) for r in self.results]}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"

    def turtle(self) -> str:
        """The report as a SHACL validation report in Turtle, with stable result IRIs."""
        graph = Graph()
        bind_prefixes(graph)
        report = URIRef("urn:afkg:validation-report")
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for number, result in enumerate(self.results, 1):
            node = URIRef(f"urn:afkg:validation-report:result-{number:04d}")
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, SH[result.severity]))
            graph.add((node, SH.resultMessage, Literal(result.message)))
            graph.add((node, SH.focusNode, _expand(result.focus)))
            if result.path:
                graph.add((node, SH.resultPath, _expand(result.path)))
            if result.value is not None:
                graph.add((node, SH.value, Literal(result.value)))
        return graph.serialize(format="turtle")


def _expand(name: str) -> Node:
    """Inverse of :func:`short` for prefixed names and <IRIs>; anything else stays text."""
    if name.startswith("<") and name.endswith(">"):
        return URIRef(name[1:-1])
    prefix, _, rest = name.partition(":")
    if prefix in PREFIXES and rest:
        return URIRef(PREFIXES[prefix] + rest)
    return Literal(name)


def _shape_name(shape: Node | None, shapes: Graph) -> str | None:
    """The node shape a result came from, even when the property shape is a blank node."""
    if isinstance(shape, BNode):
        owner = next(shapes.subjects(SH.property, shape), None) or next(shapes.subjects(SH.sparql, shape), None)
        if owner is not None:
            return short(owner)
    return short(shape)


ENGINES = ("rudof", "pyshacl")
"""SHACL engines: rudof (pyrudof, the fast default) and pySHACL (the reference); both give the same results."""

_SKOLEM = "urn:afkg:shape-node:"


def superclasses(ontology: Graph) -> dict[Node, set[Node]]:
    """Every class of the ontology with all its superclasses (rdfs:subClassOf*, itself included)."""
    direct: dict[Node, set[Node]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        direct.setdefault(sub, set()).add(sup)
    closure: dict[Node, set[Node]] = {}
    for cls in direct:
        seen, todo = {cls}, [cls]
        while todo:
            for up in direct.get(todo.pop(), ()):
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        closure[cls] = seen
    return closure


def typed_data(kg: KnowledgeGraph) -> Graph:
    """A copy of the data where each asserted type also brings its superclasses; nothing else is added."""
    closure = superclasses(kg.ontology)
    graph = Graph()
    for triple in kg.data:
        graph.add(triple)
    for node, cls in list(kg.data.subject_objects(RDF.type)):
        for up in closure.get(cls, ()):
            graph.add((node, RDF.type, up))
    return graph


def _run_pyshacl(data: Graph, shapes: Graph) -> Graph:
    """pySHACL without inference: the reference engine."""
    shapes_copy = Graph()
    for triple in shapes:
        shapes_copy.add(triple)
    with _sparql_parsed_once():
        _conforms, results_graph, _text = pyshacl.validate(
            data, shacl_graph=shapes_copy, inference="none", advanced=True, allow_warnings=False,
        )
    return results_graph


_PARSED_ONCE = threading.Lock()
_PREPARED: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}
"""SPARQL texts rdflib translated in :func:`_sparql_parsed_once` blocks, kept for the process (at
most :data:`_MAX_PREPARED`: a shapes graph has a few dozen)."""
_MAX_PREPARED = 512


@contextlib.contextmanager
def _sparql_parsed_once() -> Iterator[None]:
    """Within this block, rdflib parses each SPARQL text once.

    pySHACL hands rdflib the text of a SHACL-SPARQL constraint for every shape and focus node it
    checks, and rdflib parses and translates it each time: three quarters of a reference run on the
    article. Here a text is translated once (rdflib's translated queries are made for reuse: it is
    what ``prepareQuery`` returns) and kept (:data:`_PREPARED`), keyed by the text, its namespaces
    and its base; evaluation, and so every result, is rdflib's as before. One block at a time per process.
    """
    original = processor.SPARQLProcessor.query
    prepared = _PREPARED

    def query(self: Any, strOrQuery: Any, initBindings: Any = None, initNs: Any = None,  # noqa: N803
              base: str | None = None, DEBUG: bool = False) -> Any:  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items())))
            found = prepared.get(key)
            if found is None:
                if len(prepared) >= _MAX_PREPARED:
                    prepared.clear()
                found = prepared[key] = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
            strOrQuery = found
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    with _PARSED_ONCE:
        processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
        try:
            yield
        finally:
            processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


def _named_property_shapes(shapes: Graph) -> tuple[Graph, dict[URIRef, Node]]:
    """The shapes with every blank node but RDF list cells given an IRI, so that rudof's
    results point at a shape that can be found again in ``shapes``."""
    cells = set(shapes.subjects(RDF.first, None))
    names: dict[Node, URIRef] = {node: URIRef(f"{_SKOLEM}{node}")
                                 for node in set(shapes.subjects()) | set(shapes.objects())
                                 if isinstance(node, BNode) and node not in cells}
    named = Graph()
    for s, p, o in shapes:
        named.add((names.get(s, s), p, names.get(o, o)))
    return named, {iri: node for node, iri in names.items()}


def graph_store(data: Graph) -> pyoxigraph.Store:
    """An rdflib graph in the default graph of a new pyoxigraph store (blank nodes keep their labels)."""
    store = pyoxigraph.Store()
    default = pyoxigraph.DefaultGraph()
    store.bulk_extend(pyoxigraph.Quad(oxigraph_subject(rdflib_to_oxigraph(s)),
                                      oxigraph_predicate(rdflib_to_oxigraph(p)), rdflib_to_oxigraph(o), default)
                      for s, p, o in data)
    return store


def _lexical_forms(data: Graph) -> dict[Node, Node]:
    """Each typed literal of ``data`` whose form pyoxigraph changes (it stores numbers, booleans and
    dates in canonical form: ``22800000.0`` becomes ``22800000``), keyed by that canonical form, so
    that a report shows values as the data writes them. Where two forms share a canonical one, the
    first in sort order is shown."""
    literals = sorted({o for o in data.objects() if isinstance(o, Literal) and o.datatype is not None
                       and o.datatype != XSD.string})
    scratch = pyoxigraph.Store()
    predicate = pyoxigraph.NamedNode("urn:afkg:lexical")
    scratch.bulk_extend(pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:afkg:literal:{n}"), predicate,
                                        rdflib_to_oxigraph(literal), pyoxigraph.DefaultGraph())
                        for n, literal in enumerate(literals))
    forms: dict[Node, Node] = {}
    for quad in scratch.quads_for_pattern(None, predicate, None):
        assert isinstance(quad.subject, pyoxigraph.NamedNode), "the subjects are the IRIs made above"
        original = literals[int(quad.subject.value.rsplit(":", 1)[1])]
        stored = oxigraph_to_rdflib(quad.object)
        if stored != original or str(stored) != str(original):
            forms.setdefault(stored, original)
    return forms


CHUNK_TRIPLES = 25_000
"""About how many data triples rudof validates at a time (rudof needs some 17 KiB per triple)."""


@dataclass(frozen=True)
class Chunk:
    """Part of the typed data that rudof validates on its own: some pairs' triples plus every
    triple of the nodes they mention and of those nodes' values (two hops, all that shapes
    made of predicate paths, sh:class and value tests look at). Only results about the
    pairs' own nodes (``keep``) count; with ``keep`` None every result counts."""

    ntriples: str
    keep: frozenset[Node] | None


def chunkable(core: Graph) -> bool:
    """Whether the core shapes look no further than a focus node's values and their types: every
    sh:path is a single predicate, and no sh:node or qualified shape navigates further."""
    if any(True for _ in core.triples((None, SH.node, None))):
        return False
    if any(not isinstance(path, URIRef) for path in core.objects(None, SH.path)):
        return False
    for qualified in core.objects(None, SH.qualifiedValueShape):
        if any(p in (SH.property, SH.path, SH.node, SH["class"]) for p in core.predicates(qualified)):
            return False
    return True


def _single_threaded() -> bool:
    """True when this process runs one thread: Python's own, and on Linux also the threads that
    native libraries start, which the threading module does not see."""
    if threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return True


def _chunk_worker(job: tuple[str, Graph, Graph, str]) -> list[tuple[Node, Node, Node]]:
    ntriples, core, shapes, label = job
    return list(_rudof_results(ntriples, core, shapes, label))  # terms pickle with their blank-node labels


def _rudof_chunked(chunks: list[Chunk], core: Graph, shapes: Graph) -> Graph:
    """rudof on each chunk (in worker processes when there are several), the results about each
    chunk's own nodes merged, a result found in two chunks kept once."""
    jobs = [(chunk.ntriples, core, shapes, f"{number}-") for number, chunk in enumerate(chunks)]
    # Forked workers only from a single-threaded process (the CLI): a fork taken while another thread
    # holds a lock (a server, a test runner, a native library's thread pool) can leave the child
    # waiting for ever.
    if len(jobs) > 1 and (os.cpu_count() or 1) > 1 and _single_threaded():
        with multiprocessing.get_context("fork").Pool(min(len(jobs), os.cpu_count() or 1),
                                                      maxtasksperchild=1) as pool:
            answers = pool.map(_chunk_worker, jobs, chunksize=1)
    else:
        answers = [_chunk_worker(job) for job in jobs]
    nodes = set().union(*(chunk.keep or () for chunk in chunks))
    merged = Graph()
    seen: set[tuple[Node | None, ...]] = set()
    fields = (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraintComponent,
              SH.resultMessage)
    for number, (chunk, answer) in enumerate(zip(chunks, answers, strict=True)):
        found = Graph()
        for triple in answer:
            found.add(triple)
        for result in set(found.subjects(RDF.type, SH.ValidationResult)):
            focus = found.value(result, SH.focusNode)
            own = chunk.keep is None or focus in chunk.keep or (number == 0 and focus not in nodes)
            key = tuple(found.value(result, f) for f in fields)
            if own and key not in seen:
                seen.add(key)
                for triple in found.triples((result, None, None)):
                    merged.add(triple)
    return merged


def _chunks(kg: KnowledgeGraph, typed: Callable[[list[Any]], list[Any]]) -> list[Chunk]:
    """The project's data cut into chunks of whole pairs (see :class:`Chunk`)."""
    assert kg.project is not None
    data = kg.project.triples["data"]
    groups: list[tuple[int, int]] = []
    for _name, start, end in kg.project.pairs:
        if groups and groups[-1][1] == start and end - groups[-1][0] <= CHUNK_TRIPLES:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    if len(groups) <= 1:
        return [Chunk("".join(f"{t} .\n" for t in typed(data)), None)]
    by_subject: dict[Any, list[int]] = {}
    for number, triple in enumerate(data):
        by_subject.setdefault(triple.subject, []).append(number)

    def around(nodes: set[Any]) -> set[int]:
        found: set[int] = set()
        for node in nodes:
            found.update(by_subject.get(node, ()))
        return found

    chunks = []
    convert = kg.project.convert
    for start, end in groups:
        own = data[start:end]
        near = {t.subject for t in own} | {t.object for t in own if not isinstance(t.object, pyoxigraph.Literal)}
        first = around(near) | set(range(start, end))
        further = {data[i].object for i in first if not isinstance(data[i].object, pyoxigraph.Literal)} - near
        chosen = [data[i] for i in sorted(first | around(further))]
        chunks.append(Chunk("".join(f"{t} .\n" for t in typed(chosen)), frozenset(convert(n) for n in near)))
    return chunks


def _project_typed(kg: KnowledgeGraph, *, chunked: bool
                   ) -> tuple[pyoxigraph.Store, list[Chunk], dict[Node, Node]]:
    """The typed data of a loaded project without any rdflib graph: a store of it, the chunks
    rudof reads (the N-Triples as the files write them; one chunk unless ``chunked``), and the
    lexical forms the store changes (see :func:`_lexical_forms`)."""
    assert kg.project is not None
    rdf_type = pyoxigraph.NamedNode(str(RDF.type))
    # rdflib types a graph's terms as Node, which has no order; they are Identifiers, which sort
    closure = {pyoxigraph.NamedNode(str(cls)): [pyoxigraph.NamedNode(str(up))
                                                for up in sorted(cast("set[Identifier]", ups))]
               for cls, ups in superclasses(kg.ontology).items() if isinstance(cls, URIRef)}

    def typed(triples: list[Any]) -> list[Any]:
        """``triples`` and the superclass types their rdf:type triples bring."""
        added = {pyoxigraph.Triple(t.subject, rdf_type, up) for t in triples
                 if t.predicate == rdf_type and t.object in closure for up in closure[t.object]}
        return [*triples, *added]

    data = kg.project.triples["data"]
    store = pyoxigraph.Store()
    default = pyoxigraph.DefaultGraph()
    store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, default) for t in typed(data))
    chunks = _chunks(kg, typed) if chunked else [Chunk("".join(f"{t} .\n" for t in typed(data)), None)]
    convert = kg.project.convert
    literals = {t.object for t in data if isinstance(t.object, pyoxigraph.Literal) and not t.object.language
                and t.object.datatype.value != str(XSD.string)}
    ordered = sorted(literals, key=lambda lit: (convert(lit), str(lit)))
    scratch = pyoxigraph.Store()
    predicate = pyoxigraph.NamedNode("urn:afkg:lexical")
    scratch.extend(pyoxigraph.Quad(pyoxigraph.NamedNode(f"urn:afkg:literal:{n}"), predicate, literal, default)
                   for n, literal in enumerate(ordered))
    forms: dict[Node, Node] = {}
    for quad in scratch.quads_for_pattern(None, predicate, None):
        assert isinstance(quad.subject, pyoxigraph.NamedNode), "the subjects are the IRIs made above"
        original = convert(ordered[int(quad.subject.value.rsplit(":", 1)[1])])
        stored = convert(quad.object)
        if stored != original or str(stored) != str(original):
            forms.setdefault(stored, original)
    return store, chunks, forms


def _run_rudof(data: Graph, shapes: Graph) -> Graph:
    """pyrudof (rudof, in Rust) over an rdflib graph: :func:`run_rudof_store` on a store of it."""
    return run_rudof_store(graph_store(data), shapes, lexical=_lexical_forms(data))


def run_rudof_store(store: pyoxigraph.Store, shapes: Graph, *,
                    lexical: Mapping[Node, Node] | None = None, ntriples: str | None = None,
                    chunks: list[Chunk] | None = None) -> Graph:
    """Validate the default graph of ``store`` (the typed data): rudof runs the shapes without
    their SHACL-SPARQL constraints, and :mod:`afkg.validation.sparql_constraints` runs those once each over
    the store. The results graph has the vocabulary of pySHACL's.

    ``lexical`` maps literals as the store holds them to the form the data was written in (see
    :func:`_lexical_forms`); without it a value is reported as the store holds it. ``ntriples``,
    when given, is the same data as written in the files: rudof then reads it instead of the
    store's canonical forms (so sh:datatype sees an xsd:positiveInteger as such). ``chunks``, when
    given, replace ``ntriples``: rudof then validates each chunk on its own (see :class:`Chunk`)."""
    plan = sparql_constraints.plan(shapes)
    core = sparql_constraints.without(shapes, plan.handled())
    if chunks is not None:
        results = _rudof_chunked(chunks, core, shapes)
    elif ntriples is None:
        dumped = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
        results = _rudof_results(dumped.decode("utf-8") if dumped else "", core, shapes)
    else:
        results = _rudof_results(ntriples, core, shapes)
    if lexical and ntriples is None and chunks is None:
        for predicate in (SH.value, SH.focusNode):
            for triple in list(results.triples((None, predicate, None))):
                if triple[2] in lexical:
                    results.remove(triple)
                    results.add((triple[0], predicate, lexical[triple[2]]))
    results += sparql_constraints.run(store, shapes, plan.constraints, lexical=lexical)
    return results


def _rudof_results(ntriples: str, core: Graph, shapes: Graph, label: str = "") -> Graph:
    """rudof's report on the data (N-Triples) against the shapes ``core``, as a results graph
    (result nodes named ``urn:afkg:rudof-result:<label><n>``)."""
    named, back = _named_property_shapes(core)
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(ntriples, format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(named.serialize(format="nt"), format=pyrudof.ShaclFormat.NTriples)
    report = rudof.validate_shacl()
    results = Graph()
    if report.conforms:
        return results
    for number, entry in enumerate(report):
        node = URIRef(f"urn:afkg:rudof-result:{label}{number}")
        results.add((node, RDF.type, SH.ValidationResult))
        results.add((node, SH.focusNode, _rudof_term(entry.focus_node)))
        # pyrudof types source_shape optional, but SHACL gives every validation result one
        results.add((node, SH.sourceShape, _rudof_term(cast(str, entry.source_shape))))
        results.add((node, SH.sourceConstraintComponent, _rudof_term(entry.constraint_component)))
        results.add((node, SH.resultSeverity, SH[str(entry.severity)]))
        if entry.path:
            results.add((node, SH.resultPath, _rudof_term(entry.path)))
        if entry.value:
            results.add((node, SH.value, _rudof_term(entry.value)))
        if entry.message:
            message = _rudof_term(entry.message.split('", "')[0] + ('"' if '", "' in entry.message else ""))
            results.add((node, SH.resultMessage, message if isinstance(message, Literal) else Literal(entry.message)))
    for node, iri in back.items():
        for result in list(results.subjects(SH.sourceShape, node)):
            results.remove((result, SH.sourceShape, node))
            results.add((result, SH.sourceShape, iri))
    _fold_nested_results(results, shapes)
    return results


def _owners(shapes: Graph) -> dict[Node, Node]:
    """Each shape nested inside a logical constraint (sh:or, sh:xone, sh:and, sh:not, and the
    property shapes inside those) mapped to the node shape that holds the constraint."""
    parent: dict[Node, Node] = {}
    for holder, _p, head in shapes.triples((None, None, None)):
        if _p in (SH["or"], SH.xone, SH["and"]):
            for member in shapes.items(head):
                parent[member] = holder
        elif _p == SH["not"]:
            parent[head] = holder
    for holder, prop in shapes.subject_objects(SH.property):
        parent.setdefault(prop, holder)
    top = set(shapes.subjects(RDF.type, SH.NodeShape))
    def reported(node: Node) -> bool:
        """A shape results are reported for: a node shape, or a property shape of one."""
        return node in top or (parent.get(node) in top and (parent[node], SH.property, node) in shapes)

    owners: dict[Node, Node] = {}
    for node in parent:
        if reported(node):
            continue
        seen, current = set(), node
        while not reported(current) and current in parent and current not in seen:
            seen.add(current)
            current = parent[current]
        if reported(current):
            owners[node] = current
    return owners


def _fold_nested_results(results: Graph, shapes: Graph) -> None:
    """rudof reports a failed sh:or / sh:xone / sh:not with a result for each failing member
    shape as well; the SHACL specification (and pySHACL) give one result per focus node and
    logical constraint. Fold the members' results into that one."""
    owners = _owners(shapes)
    top_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    kept: set[tuple[Node | None, Node, Node | None]] = set()
    # rdflib types a graph's terms as Node, which has no order; they are Identifiers, which sort
    for result in sorted(cast("Iterator[Identifier]", results.subjects(RDF.type, SH.ValidationResult))):
        source = results.value(result, SH.sourceShape)
        focus = results.value(result, SH.focusNode)
        component = results.value(result, SH.sourceConstraintComponent)
        logical = component in (SH.OrConstraintComponent, SH.XoneConstraintComponent,
                                SH.AndConstraintComponent, SH.NotConstraintComponent)
        if source not in owners and not logical:
            continue
        assert source is not None, "SHACL gives every validation result a sh:sourceShape"
        owner = owners.get(source, source)
        value = results.value(result, SH.value) if owner in owners.values() and owner not in top_shapes else focus
        if (focus, owner, value) in kept:
            results.remove((result, None, None))
            continue
        kept.add((focus, owner, value))
        results.remove((result, SH.sourceShape, None))
        results.add((result, SH.sourceShape, owner))


def _rudof_term(text: str) -> Node:
    """A term as rudof's report writes it: an IRI bare, a blank node as _:label, a literal in N-Triples
    form with the xsd: prefix for its datatype. An ill-typed literal (reported on its own by
    :func:`literal_results`) is read without rdflib's warning and traceback on standard error."""
    if text.startswith("_:"):
        return BNode(text[2:])
    if not text.startswith('"'):
        return URIRef(text)
    if '"^^xsd:' in text:
        lexical, datatype = text.rsplit("^^xsd:", 1)
        text = f"{lexical}^^<{XSD}{datatype}>"
    try:
        with quiet_rdflib():
            term = from_n3(text)
    except Exception:  # noqa: BLE001 - a form from_n3 does not read stays text
        return Literal(text)
    return term if isinstance(term, Literal) else Literal(text)


def _message(results_graph: Graph, node: Node, shapes: Graph) -> str:
    """The shape's own sh:message; for a SPARQL constraint the engine's message, whose
    {?var} placeholders the engine has filled in."""
    source = results_graph.value(node, SH.sourceShape)
    component = results_graph.value(node, SH.sourceConstraintComponent)
    if component != SH.SPARQLConstraintComponent and source is not None:
        message = shapes.value(source, SH.message)
        if message is not None:
            return str(message)
    messages = sorted(str(m) for m in results_graph.objects(node, SH.resultMessage))
    # A variable the solution leaves unbound (a missing flow, say) keeps its placeholder in both engines.
    return _UNBOUND.sub("(none)", messages[0]) if messages else "constraint not met"


_UNBOUND = re.compile(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}")


def shacl_results(kg: KnowledgeGraph, *, engine: str = "rudof") -> list[ValidationResult]:
    """Run the SHACL shapes over the data (no inference; the class hierarchy only); one result per problem."""
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r} (one of {', '.join(ENGINES)})")
    shapes_file = kg.layout.display(kg.layout.shapes_file)
    check_shapes(kg.shapes, shapes_file)
    disable_rdflib_network()
    try:
        if engine == "rudof" and kg.project is not None:
            core = sparql_constraints.without(kg.shapes, sparql_constraints.plan(kg.shapes).handled())
            chunked = chunkable(core) and not any(True for _ in core.triples((None, SH.sparql, None)))
            store, chunks, lexical = _project_typed(kg, chunked=chunked)
            results_graph = run_rudof_store(store, kg.shapes, lexical=lexical, chunks=chunks)
        else:
            data = typed_data(kg)
            results_graph = _run_pyshacl(data, kg.shapes) if engine == "pyshacl" else _run_rudof(data, kg.shapes)
    except InputError:
        raise
    except Exception as exc:  # an engine that cannot use a shape: one line naming the shapes file
        reason = " ".join(str(getattr(exc, "message", exc)).split())[:300]
        raise InputError(f"{shapes_file}: a shape cannot be used ({engine}): {reason}") from None
    _drop_ill_typed_echoes(results_graph, kg.shapes, kg.ill_typed)
    results: list[ValidationResult] = []
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        severity = results_graph.value(node, SH.resultSeverity)
        value = results_graph.value(node, SH.value)
        results.append(
            ValidationResult(
                focus=short(results_graph.value(node, SH.focusNode)) or "?",
                path=short(results_graph.value(node, SH.resultPath)),
                value=short(value) if value is not None else None,
                message=_message(results_graph, node, kg.shapes),
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                shape=_shape_name(results_graph.value(node, SH.sourceShape), kg.shapes),
            )
        )
    return results


_COMPARISONS = {SH.MinInclusiveConstraintComponent, SH.MaxInclusiveConstraintComponent,
                SH.MinExclusiveConstraintComponent, SH.MaxExclusiveConstraintComponent,
                SH.LessThanConstraintComponent, SH.LessThanOrEqualsConstraintComponent}
_LOGICAL = {SH.OrConstraintComponent, SH.XoneConstraintComponent, SH.AndConstraintComponent,
            SH.NotConstraintComponent}


def _paths_in_logical(shapes: Graph, shape: Node | None) -> set[Node]:
    """The ``sh:path`` of every shape nested in the logical constraints (sh:or, sh:xone, sh:and,
    sh:not) of ``shape``, at any depth (of every shape's, for None)."""
    todo: list[Node] = []
    for key in ("or", "xone", "and"):
        for head in shapes.objects(shape, SH[key]):
            todo.extend(shapes.items(head))
    todo.extend(shapes.objects(shape, SH["not"]))
    paths: set[Node] = set()
    seen: set[Node] = set()
    while todo and len(seen) < 10_000:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        paths.update(shapes.objects(node, SH.path))
        todo.extend(shapes.objects(node, SH.property))
        for key in ("or", "xone", "and"):
            for head in shapes.objects(node, SH[key]):
                todo.extend(shapes.items(head))
        todo.extend(shapes.objects(node, SH["not"]))
    return paths


def _drop_ill_typed_echoes(results: Graph, shapes: Graph, ill_typed: list[Any]) -> None:
    """Remove the results that only repeat an ill-typed literal in other words.

    A literal whose text is not a value of its datatype (``"abc"^^xsd:decimal``) is reported
    once as such (:func:`literal_results`), and by the shape's ``sh:datatype``. It is no value,
    so a comparison with it (``sh:minInclusive 0``) fails too, and with it any ``sh:or`` that
    holds such a comparison: "Only a trade balance can have a negative afkg:amount" about an
    amount that is not negative but no number at all. Those results are dropped: comparisons of
    the ill-typed value itself, and logical constraints on the same focus node that look at the
    property it is on. Once the literal is fixed, validating again shows any real problem."""
    if not ill_typed:
        return
    bad: dict[tuple[Node | None, Node | None], set[str]] = {}
    for found in ill_typed:
        bad.setdefault((found.subject, found.predicate), set()).add(str(found.literal))
    paths_of: dict[Node | None, set[Node]] = {}
    for node in list(results.subjects(RDF.type, SH.ValidationResult)):
        focus = results.value(node, SH.focusNode)
        component = results.value(node, SH.sourceConstraintComponent)
        echo = False
        if component in _COMPARISONS:
            value = results.value(node, SH.value)
            echo = value is not None and str(value) in bad.get((focus, results.value(node, SH.resultPath)), set())
        elif component in _LOGICAL:
            shape = results.value(node, SH.sourceShape)
            if shape not in paths_of:
                paths_of[shape] = _paths_in_logical(shapes, shape)
            echo = any((focus, path) in bad for path in paths_of[shape])
        if echo:
            results.remove((node, None, None))


def literal_results(kg: KnowledgeGraph) -> list[ValidationResult]:
    """One problem per literal whose text is not a value of its datatype."""
    return [
        ValidationResult(
            focus=short(found.subject) or "?", path=short(found.predicate),
            value=f"\"{found.literal}\"^^{short(found.literal.datatype)}",
            message=f"In {found.file}: \"{found.literal}\" is not a valid {short(found.literal.datatype)}.",
            check="literal",
        )
        for found in kg.ill_typed
    ]


_PASSAGES = """
SELECT ?passage ?quote ?section ?document ?label WHERE {
    ?passage afkg:quote ?quote .
    OPTIONAL { ?passage afkg:inSection ?section
               OPTIONAL { ?section afkg:ofDocument ?document } OPTIONAL { ?section rdfs:label ?label } }
}"""

_SECTION_LABELS = """
SELECT ?section ?document ?label ?parent WHERE {
    ?section afkg:ofDocument ?document ; rdfs:label ?label .
    OPTIONAL { ?section afkg:parentSection ?parent }
}"""


def _first_per(rows: Sequence[Mapping[str, Node]], *keys: str) -> list[Mapping[str, Node]]:
    """One row per distinct value of ``keys``: the least by its other values (a stable choice)."""
    chosen: dict[tuple[Node, ...], Mapping[str, Node]] = {}
    for row in sorted(rows, key=lambda r: tuple(str(r.get(k, "")) for k in ("section", "document", "label"))):
        chosen.setdefault(tuple(row[k] for k in keys), row)
    return [chosen[key] for key in sorted(chosen, key=lambda k: tuple(str(t) for t in k))]


SectionPath = tuple[str, ...]
"""A section as the source text nests it: its heading and those of the sections it lies in, from
the top (``("History", "Modern history")`` for ``=== Modern history ===`` under ``== History ==``)."""


def section_paths(rows: Sequence[Mapping[str, Node]]) -> dict[Node, SectionPath]:
    """The path of every section of ``rows`` (``section``, ``document``, ``label`` and an optional
    ``parent``): its label after its parent's path. A section whose chain of parents leaves its
    document, reaches a section without a label or goes round in a circle has none (the shapes
    report those); a section with several labels or parents uses the least (a stable choice)."""
    label_of: dict[Node, str] = {}
    document_of: dict[Node, Node] = {}
    parent_of: dict[Node, Node] = {}
    for row in sorted(rows, key=lambda r: tuple(str(r.get(k, "")) for k in ("section", "document", "label", "parent"))):
        section = row["section"]
        label_of.setdefault(section, str(row["label"]))
        document_of.setdefault(section, row["document"])
        if row.get("parent") is not None:
            parent_of.setdefault(section, row["parent"])
    paths: dict[Node, SectionPath] = {}
    broken: set[Node] = set()
    for start in label_of:
        chain: list[Node] = []
        on_chain: set[Node] = set()
        current: Node | None = start
        while current is not None and current not in paths and current not in broken:
            if current in on_chain or current not in label_of:
                break
            chain.append(current)
            on_chain.add(current)
            current = parent_of.get(current)
        resolved = current is None or current in paths
        links = chain + ([current] if current is not None and resolved else [])
        if not resolved or any(document_of[a] != document_of[b] for a, b in zip(links, links[1:], strict=False)):
            broken.update(chain)
            continue
        above = paths[current] if current is not None else ()
        for section in reversed(chain):
            above = (*above, label_of[section])
            paths[section] = above
    return paths


def _shown(path: SectionPath) -> str:
    return " › ".join(path)


def quote_results(kg: KnowledgeGraph) -> list[ValidationResult]:
    """Check that every passage's quote occurs verbatim in its document's text file, in its own
    section, and that every section label is a heading of that file at the place its parents say
    (asked of the store by SPARQL).

    A section's own text stops at its first subsection: a passage cites the innermost section its
    quote lies in, so a quote from ``=== Modern history ===`` is not in ``== History ==``."""
    texts: dict[Node, str] = {}
    for source, path in kg.sources.items():
        texts[source] = read_text(path, MAX_TEXT_BYTES, kg.layout.display(path))
    sections_of: dict[Node, dict[SectionPath, str]] = {}

    def sections(document: Node) -> dict[SectionPath, str]:
        if document not in sections_of:
            sections_of[document] = source_sections(texts[document])
        return sections_of[document]

    section_rows = select_rows(kg, _SECTION_LABELS, (DATA_GRAPH,))
    paths = section_paths(section_rows)
    results: list[ValidationResult] = []
    for row in _first_per(select_rows(kg, _PASSAGES, (DATA_GRAPH,)), "passage", "quote"):
        passage, quote, section = row["passage"], row["quote"], row.get("section")
        document = row.get("document")
        if not isinstance(document, URIRef) or document not in texts:  # the documents with a text are IRIs
            results.append(ValidationResult(
                focus=short(passage) or "?", path="afkg:quote", value=str(quote),
                message="The passage's section belongs to no source document with a text file.",
                check="provenance",
            ))
            continue
        shown = kg.layout.display(Path(kg.sources[document]))
        if str(quote) not in texts[document]:
            results.append(ValidationResult(
                focus=short(passage) or "?", path="afkg:quote", value=str(quote),
                message=f"The quote does not occur verbatim in {shown}.",
                check="provenance",
            ))
            continue
        where = paths.get(section) if section is not None else None
        in_sections = sections(document)
        if where is not None and where in in_sections and str(quote) not in in_sections[where]:
            message = f"The quote is not in the section {_shown(where)!r} of {shown}, where the passage says it is."
            inner = [p for p in in_sections if len(p) > len(where) and p[:len(where)] == where
                     and str(quote) in in_sections[p]]
            if inner:
                message += (f" It is in its subsection {_shown(inner[0][len(where):])!r}: a passage cites the"
                            " innermost section its quote lies in.")
            results.append(ValidationResult(
                focus=short(passage) or "?", path="afkg:inSection", value=str(quote),
                message=message,
                check="provenance",
            ))
    for row in section_rows:
        section, document, label = row["section"], row["document"], row["label"]
        if not isinstance(document, URIRef) or document not in texts:
            continue
        parent = row.get("parent")
        if parent is not None and (parent not in paths or section not in paths):
            continue  # a chain of parents the shapes report (another document, no label, a circle)
        above = paths[parent] if parent is not None else ()
        headings = sections(document)
        if (*above, str(label)) not in headings:
            shown = kg.layout.display(Path(kg.sources[document]))
            message = f"The section label is not a heading of {shown} (headings: {', '.join(map(_shown, headings))})."
            found = next((p for p in headings if p[-1] == str(label)), None)
            if found is not None and len(found) > 1:
                message += (f" {str(label)!r} is a heading under {_shown(found[:-1])!r}: "
                            "make that its afkg:parentSection.")
            elif found is not None:
                message += f" {str(label)!r} is a heading at the top level: drop its afkg:parentSection."
            results.append(ValidationResult(
                focus=short(section) or "?", path="rdfs:label", value=str(label),
                message=message,
                check="provenance",
            ))
    return results


def source_sections(text: str) -> dict[SectionPath, str]:
    """The own text of each section of a source file, by path (see :data:`SectionPath`), in the
    order of the text. A line ``== Heading ==`` starts a section, ``=== Heading ===`` a subsection
    of the section before it, and so on to six ``=``; a heading's parent is the nearest heading
    above it with fewer ``=``. A section's own text ends where its first subsection starts. Before
    the first heading, an ``Infobox`` block (up to a blank line) and the introduction make the
    lead (paths ``("Infobox",)`` and ``("Introduction",)``); the ``= Title =`` line belongs to none.
    The reading is that of :func:`afkg.article.sections`."""
    return {section.path: section.own_text() for section in sections(text)}


def reference_results(kg: KnowledgeGraph) -> list[ValidationResult]:
    """One problem per resource described in two data folders, used but described nowhere, or used
    across relation folders (see :mod:`afkg.references`); needs the files a project was loaded from."""
    if kg.project is None:
        return []
    return [ValidationResult(focus=short(URIRef(p.iri)) or "?", path=None, value=None, message=p.message,
                             check="reference")
            for p in reference_problems(kg.project)]


def validate(kg: KnowledgeGraph) -> Report:
    """Validate the data of ``kg`` against its shapes, its source texts, its literals' datatypes and
    the rules on which data folder describes what."""
    results = sorted(shacl_results(kg) + quote_results(kg) + literal_results(kg) + reference_results(kg),
                     key=result_key)
    return Report(conforms=not results, results=results)


def result_key(result: ValidationResult) -> tuple[str, ...]:
    """A total order on results (missing path or value sort first)."""
    return (result.focus, result.path or "", result.value or "", result.message, result.severity,
            result.shape or "", result.check)
