"""Validation: the SHACL shapes, plus the check that every quote is in its source.

SHACL runs with the ontology as the ontology graph and RDFS inference, so a
shape on a class applies to the instances of its subclasses. The quote check
reads each source document's text file and looks for every passage verbatim.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, Node, URIRef

from afkg.errors import InputError
from afkg.files import MAX_TEXT_BYTES, read_text
from afkg.graph import KnowledgeGraph
from afkg.namespaces import AFKG, PREFIXES, RDF, SH, bind_prefixes
from afkg.query.terms import shorten


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
class Result:
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

    def __lt__(self, other: Result) -> bool:
        return self.sort_key() < other.sort_key()


@dataclass
class Report:
    """The outcome of a validation run."""

    conforms: bool
    results: list[Result] = field(default_factory=list)

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


def _shape_name(shape: Node, shapes: Graph) -> str | None:
    """The node shape a result came from, even when the property shape is a blank node."""
    if isinstance(shape, BNode):
        owner = next(shapes.subjects(SH.property, shape), None) or next(shapes.subjects(SH.sparql, shape), None)
        if owner is not None:
            return short(owner)
    return short(shape)


def _copy(graph: Graph) -> Graph:
    """A private copy, so that nothing pySHACL infers or adds reaches the graphs that get exported."""
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def _run_pyshacl(kg: KnowledgeGraph) -> tuple[bool, Graph]:
    """pySHACL over copies of the graphs; a shape it cannot use is a one-line InputError."""
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    shapes_file = kg.layout.display(kg.layout.shapes_file)
    try:
        conforms, results_graph, _ = pyshacl.validate(
            _copy(kg.data),
            shacl_graph=_copy(kg.shapes),
            ont_graph=_copy(kg.ontology),
            inference="rdfs",
            advanced=True,
            allow_warnings=False,
        )
    except (ConstraintLoadError, ShapeLoadError, ReportableRuntimeError) as exc:
        reason = " ".join(str(getattr(exc, "message", exc)).split())
        raise InputError(f"{shapes_file}: a shape cannot be used: {reason[:300]}") from None
    except Exception as exc:  # pyparsing and rdflib errors from a shape's SPARQL
        if type(exc).__name__ in {"ParseException", "ParseSyntaxException"}:
            raise InputError(f"{shapes_file}: SPARQL syntax error in a shape: {' '.join(str(exc).split())}") from None
        raise
    return bool(conforms), results_graph


def shacl_results(kg: KnowledgeGraph) -> list[Result]:
    """Run the SHACL shapes over the data; one Result per reported problem.

    Shapes whose SPARQL would reach outside the graph (SERVICE, FROM, LOAD) are refused first.
    """
    from afkg.query.guard import check_shapes, disable_rdflib_network

    check_shapes(kg.shapes, kg.layout.display(kg.layout.shapes_file))
    disable_rdflib_network()
    conforms, results_graph = _run_pyshacl(kg)
    results: list[Result] = []
    if conforms:
        return results
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        severity = results_graph.value(node, SH.resultSeverity)
        message = results_graph.value(node, SH.resultMessage)
        value = results_graph.value(node, SH.value)
        results.append(
            Result(
                focus=short(results_graph.value(node, SH.focusNode)) or "?",
                path=short(results_graph.value(node, SH.resultPath)),
                value=short(value) if value is not None else None,
                message=str(message) if message is not None else "constraint not met",
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                shape=_shape_name(results_graph.value(node, SH.sourceShape), kg.shapes),
            )
        )
    return results


def literal_results(kg: KnowledgeGraph) -> list[Result]:
    """One problem per literal whose text is not a value of its datatype."""
    return [
        Result(
            focus=short(found.subject) or "?", path=short(found.predicate),
            value=f"\"{found.literal}\"^^{short(found.literal.datatype)}",
            message=f"In {found.file}: \"{found.literal}\" is not a valid {short(found.literal.datatype)}.",
            check="literal",
        )
        for found in kg.ill_typed
    ]


def quote_results(kg: KnowledgeGraph) -> list[Result]:
    """Check that every passage's quote occurs verbatim in its document's text file."""
    texts: dict[URIRef, str] = {}
    for document, path in kg.sources.items():
        texts[document] = read_text(path, MAX_TEXT_BYTES, kg.layout.display(path))
    results: list[Result] = []
    for passage, quote in kg.data.subject_objects(AFKG.quote):
        section = kg.data.value(passage, AFKG.inSection)
        document = kg.data.value(section, AFKG.ofDocument) if section is not None else None
        if document not in texts:
            results.append(Result(
                focus=short(passage) or "?", path="afkg:quote", value=str(quote),
                message="The passage's section belongs to no source document with a text file.",
                check="provenance",
            ))
            continue
        if str(quote) not in texts[document]:
            shown = kg.layout.display(Path(kg.sources[document]))
            results.append(Result(
                focus=short(passage) or "?", path="afkg:quote", value=str(quote),
                message=f"The quote does not occur verbatim in {shown}.",
                check="provenance",
            ))
    return results


def validate(kg: KnowledgeGraph) -> Report:
    """Validate the data of ``kg`` against its shapes, its source texts and its literals' datatypes."""
    results = sorted(shacl_results(kg) + quote_results(kg) + literal_results(kg))
    return Report(conforms=not results, results=results)
