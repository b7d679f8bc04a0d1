"""Query results in one engine-neutral form, and their formats.

Every engine turns its answers into :class:`Term` values, so that the same query
gives the same bytes whichever engine ran it. Numbers are written in canonical
form (``xsd:decimal`` 6700000 is ``6700000.0``), because engines differ in the
lexical form of computed values.

SELECT and ASK results are written in the W3C SPARQL 1.1 result formats (JSON,
XML, CSV, TSV) or as a plain table; CONSTRUCT and DESCRIBE results as Turtle,
N-Triples or JSON-LD (compacted with the project's context, like ``afkg export``).

XML 1.0 cannot carry some characters (most C0 controls, U+FFFE, U+FFFF, lone
surrogates); a result holding one is refused in XML with a one-line error that
names it, rather than written as a document no XML parser reads. A carriage
return is written as ``&#13;`` so that it survives parsing.
"""

from __future__ import annotations

import functools
import io
import json
import re
from typing import Any, cast

from afkg.errors import UsageError
from afkg.prefixes import PREFIXES
from afkg.rdf.formats import CLI_GRAPH, CLI_RESULTS
from afkg.rdf.terms import XSD, Term, oxigraph_predicate, oxigraph_subject, to_oxigraph, to_rdflib


@functools.cache
def _not_xml() -> re.Pattern[str]:
    """The characters XML 1.0 cannot carry; compiled on first use (only XML output needs it, and a cold
    start pays for every pattern compiled at import)."""
    return re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """``text`` as XML character data; a character XML 1.0 cannot carry is a UsageError."""
    bad = _not_xml().search(text)
    if bad:
        raise UsageError(f"a value holds the character U+{ord(bad.group()):04X}, which XML 1.0 cannot carry; "
                         "use --format json, csv or tsv")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def quoteattr(text: str) -> str:
    """``text`` as a double-quoted XML attribute value."""
    return '"' + escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;") + '"'


# The results are plain classes that behave as the (mutable) dataclasses they were: the same constructor,
# repr and equality, and unhashable; defining a dataclass costs a cold start (see afkg.records).

_NEW: Any = object()
"""The default of a list field: a new empty list for each result."""


class SelectResult:
    """Rows of variable bindings; a variable missing from a row is unbound."""

    __match_args__ = ("variables", "rows", "truncated")
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    variables: list[str]
    rows: list[dict[str, Term]]
    truncated: bool
    """Rows were dropped to stay within a row bound."""

    def __init__(self, variables: list[str], rows: list[dict[str, Term]] = _NEW, truncated: bool = False) -> None:
        self.variables = variables
        self.rows = [] if rows is _NEW else rows
        self.truncated = truncated

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(variables={self.variables!r}, rows={self.rows!r}, "
                f"truncated={self.truncated!r})")

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return (self.variables, self.rows, self.truncated) == (other.variables, other.rows, other.truncated)
        return NotImplemented


class AskResult:
    """A yes/no answer."""

    __match_args__ = ("answer",)
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    answer: bool

    def __init__(self, answer: bool) -> None:
        self.answer = answer

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(answer={self.answer!r})"

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return (self.answer,) == (other.answer,)
        return NotImplemented


class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query, sorted."""

    __match_args__ = ("triples", "truncated")
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    triples: list[tuple[Term, Term, Term]]
    truncated: bool
    """Triples were dropped to stay within a row bound."""

    def __init__(self, triples: list[tuple[Term, Term, Term]] = _NEW, truncated: bool = False) -> None:
        self.triples = sorted(set([] if triples is _NEW else triples))
        self.truncated = truncated

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(triples={self.triples!r}, truncated={self.truncated!r})"

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return (self.triples, self.truncated) == (other.triples, other.truncated)
        return NotImplemented


Result = SelectResult | AskResult | GraphResult

TABULAR_FORMATS = ("table", *CLI_RESULTS)
GRAPH_FORMATS = CLI_GRAPH
FORMATS = TABULAR_FORMATS + GRAPH_FORMATS


# --- SELECT -----------------------------------------------------------------------

def _json_term(term: Term) -> dict[str, str]:
    if term.kind == "uri":
        return {"type": "uri", "value": term.value}
    if term.kind == "bnode":
        return {"type": "bnode", "value": term.value}
    body = {"type": "literal", "value": term.value}
    if term.lang:
        body["xml:lang"] = term.lang
    elif term.datatype:
        body["datatype"] = term.datatype
    return body


def _select_json(result: SelectResult) -> str:
    body = {
        "head": {"vars": result.variables},
        "results": {"bindings": [
            {var: _json_term(row[var]) for var in result.variables if var in row} for row in result.rows
        ]},
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _xml_term(term: Term) -> str:
    if term.kind == "uri":
        return f"<uri>{escape(term.value)}</uri>"
    if term.kind == "bnode":
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.lang:
        return f"<literal xml:lang={quoteattr(term.lang)}>{escape(term.value)}</literal>"
    if term.datatype:
        return f"<literal datatype={quoteattr(term.datatype)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


_XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


def _select_xml(result: SelectResult) -> str:
    lines = [_XML_HEAD.rstrip("\n"), "  <head>"]
    lines += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
    lines += ["  </head>", "  <results>"]
    for row in result.rows:
        lines.append("    <result>")
        for var in result.variables:
            if var in row:
                lines.append(f"      <binding name={quoteattr(var)}>{_xml_term(row[var])}</binding>")
        lines.append("    </result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def _select_csv(result: SelectResult) -> str:
    import csv  # start-up: csv only for CSV output

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([("_:" + row[v].value if row[v].kind == "bnode" else row[v].value) if v in row else ""
                         for v in result.variables])
    return out.getvalue()


def _tsv_term(term: Term) -> str:
    if term.kind == "literal" and term.datatype in (XSD + "integer", XSD + "decimal", XSD + "boolean"):
        return term.value
    return term.n3()


def _select_tsv(result: SelectResult) -> str:
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(_tsv_term(row[v]) if v in row else "" for v in result.variables))
    return "\n".join(lines) + "\n"


def _select_table(result: SelectResult) -> str:
    header = result.variables
    cells = [[row[v].short() if v in row else "" for v in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()
    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


# --- ASK -------------------------------------------------------------------------

def _ask(result: AskResult, fmt: str) -> str:
    word = "true" if result.answer else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": result.answer}, indent=2) + "\n"
    if fmt == "xml":
        return _XML_HEAD + f"  <head/>\n  <boolean>{word}</boolean>\n</sparql>\n"
    if fmt == "table":
        return ("yes" if result.answer else "no") + "\n"
    return word + "\n"


# --- CONSTRUCT / DESCRIBE ------------------------------------------------------------

def _graph(result: GraphResult, fmt: str, context: dict[str, Any] | None) -> str:
    import pyoxigraph as ox  # start-up: pyoxigraph only for a graph result


    triples = [ox.Triple(oxigraph_subject(to_oxigraph(s)), oxigraph_predicate(to_oxigraph(p)), to_oxigraph(o))
               for s, p, o in result.triples]
    if fmt == "ntriples":
        return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in result.triples)
    if fmt == "jsonld":
        from afkg.rdf.jsonld import to_jsonld  # start-up: pyld only for JSON-LD output

        rdflib_triples = [(to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in result.triples]
        context = context or {"@context": dict(sorted(PREFIXES.items()))}
        return to_jsonld(rdflib_triples, context, None).decode("utf-8")
    if fmt == "turtle":
        used = {t.value for triple in result.triples for t in triple if t.kind == "uri"} | {
            t.datatype for triple in result.triples for t in triple if t.datatype}
        prefixes = {p: ns for p, ns in sorted(PREFIXES.items()) if any(u.startswith(ns) for u in used)}
        # without an output, serialize returns the bytes (pyoxigraph types the result bytes | None for both cases)
        return cast(bytes, ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)).decode("utf-8")
    raise UsageError(f"unknown format '{fmt}' for a graph result")


def default_format(result: Result) -> str:
    """The format used when none is asked for: a table for SELECT and ASK, Turtle for graphs."""
    return "turtle" if isinstance(result, GraphResult) else "table"


def render(result: Result, fmt: str | None = None, *, context: dict[str, Any] | None = None) -> str:
    """``result`` as text in ``fmt`` (default: :func:`default_format`); a format that does not
    fit the result is a UsageError. ``context`` is the JSON-LD context to compact with
    (default: the project's prefixes)."""
    fmt = fmt or default_format(result)
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (formats: {', '.join(FORMATS)})")
    if isinstance(result, GraphResult):
        if fmt not in GRAPH_FORMATS:
            raise UsageError(f"format '{fmt}' does not fit a graph result; use {', '.join(GRAPH_FORMATS)}")
        return _graph(result, fmt, context)
    if fmt not in TABULAR_FORMATS:
        raise UsageError(f"format '{fmt}' does not fit a SELECT or ASK result; use {', '.join(TABULAR_FORMATS)}")
    if isinstance(result, AskResult):
        return _ask(result, fmt)
    return {"json": _select_json, "xml": _select_xml, "csv": _select_csv,
            "tsv": _select_tsv, "table": _select_table}[fmt](result)
