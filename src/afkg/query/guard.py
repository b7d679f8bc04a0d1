"""Inspect a SPARQL text before anything runs it: size, nesting, kind, SERVICE clauses.

Every decision about a query is taken here from its parsed form (rdflib's
algebra), never from substrings:

1. the text is at most :data:`MAX_QUERY_BYTES` and its brackets nest at most
   :data:`MAX_NESTING` deep (counted on tokens, so strings, IRIs and comments do
   not count) — checked before any parser sees it;
2. ``\\uXXXX`` escapes are expanded once, as SPARQL defines; a text whose
   expansion would expand again is refused, so every parser sees the same
   characters;
3. the text is parsed by rdflib; what does not parse is refused;
4. the SERVICE clauses are read from the algebra and located in the text by a
   tokenizer; unless both agree exactly, the query is refused.

The engines run :attr:`QueryInfo.text` (the expanded text), never the raw one.

For the stored queries (:func:`check_stored`), step 1 and 2 run every time, but the
verdict of 3 and 4 on a text with no SERVICE in it is remembered across runs
(:mod:`afkg.query.cache`), so a local stored query runs without rdflib's grammar.
This module imports no parser at load time.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from afkg.errors import InputError, QueryError, SparqlSyntaxError, UsageError
from afkg.prefixes import PREFIXES
from afkg.query import cache
from afkg.rdf.terms import shorten
from afkg.records import Record
from afkg.recursion import deep_recursion

MAX_QUERY_BYTES = 1 << 20
"""The largest query text accepted (file, standard input or HTTP), in UTF-8 bytes."""
MAX_NESTING = 200
"""The deepest nesting of ``{``, ``(`` and ``[`` accepted in a query."""

KINDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"
             | '''(?:[^'\\]|\\.|'(?!''))*'''
             | "(?:[^"\\\n\r]|\\.)*"
             | '(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\W]\w*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[^\W\d][\w\-.]*(?::[\w\-.:%\\]*)?|:[\w\-.:%\\]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>\S)
""", re.VERBOSE | re.DOTALL)
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")
_VARNAME = r"^\w+\Z"
"""A plain variable name; compiled by the re module on first use (a cold start pays for every pattern
compiled at import, and running a stored query needs none)."""

# The records below are plain classes rather than frozen dataclasses (see afkg.records): the same
# constructor, repr, equality and hash.


class Token(Record):
    """One token of a SPARQL text: its kind (a group name of the tokenizer), text and span."""

    __match_args__ = ("kind", "text", "start", "end")

    kind: str
    text: str
    start: int
    end: int

    def __init__(self, kind: str, text: str, start: int, end: int) -> None:
        self.__dict__.update(kind=kind, text=text, start=start, end=end)

    _COMPARED = ("kind", "text", "start", "end")


class ServiceClause(Record):
    """One ``SERVICE [SILENT] <endpoint> { … }`` clause, located in :attr:`QueryInfo.text`."""

    __match_args__ = ("text", "endpoint", "silent", "variables", "group", "start", "end")

    text: str
    endpoint: str
    silent: bool
    variables: tuple[str, ...]
    group: str
    start: int
    end: int

    def __init__(self, text: str, endpoint: str, silent: bool, variables: tuple[str, ...], group: str,
                 start: int = 0, end: int = 0) -> None:
        self.__dict__.update(text=text, endpoint=endpoint, silent=silent, variables=variables, group=group, start=start,
                             end=end)

    _COMPARED = ("text", "endpoint", "silent", "variables", "group", "start", "end")


class QueryInfo(Record):
    """What a query is, from its parsed form. Compared by its fields but :attr:`prepared`."""

    __match_args__ = ("kind", "is_update", "services", "text", "has_dataset", "prepared")

    kind: str
    """SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE."""
    is_update: bool
    services: tuple[ServiceClause, ...]
    text: str
    """The text with ``\\u`` escapes expanded: what the engines run."""
    has_dataset: bool
    """The query names graphs with FROM or FROM NAMED."""
    prepared: Any
    """rdflib's prepared query (None for an update)."""

    def __init__(self, kind: str, is_update: bool, services: tuple[ServiceClause, ...], text: str,
                 has_dataset: bool = False, prepared: Any = None) -> None:
        self.__dict__.update(kind=kind, is_update=is_update, services=services, text=text, has_dataset=has_dataset,
                             prepared=prepared)

    _COMPARED = ("kind", "is_update", "services", "text", "has_dataset")


def check_size(text: str, source: str = "query") -> None:
    """Refuse a text of more than :data:`MAX_QUERY_BYTES` UTF-8 bytes."""
    if len(text) > MAX_QUERY_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_QUERY_BYTES:
        raise UsageError(f"{source}: the query is larger than {MAX_QUERY_BYTES} bytes; refused")


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text that matter to afkg's checks, comments included."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), match.start(), match.end())


def check_nesting(text: str, source: str = "query", limit: int = MAX_NESTING) -> None:
    """Refuse brackets nested deeper than ``limit`` (strings, IRIs and comments aside)."""
    depth = 0
    line_starts = None
    for match in _TOKEN.finditer(text):  # the matches of tokens(), without making a Token of each
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > limit:
                line_starts = text.count("\n", 0, match.start()) + 1
                raise UsageError(f"{source}:{line_starts}: brackets nested more than {limit} deep; refused")
        elif kind == "close":
            depth = max(0, depth - 1)


def _expanded(text: str, source: str) -> str:
    """``text`` with its escapes expanded (:func:`expand_escapes`), after the size and nesting checks;
    the nesting of an expanded text that differs is checked again."""
    check_size(text, source)
    check_nesting(text, source)
    expanded = expand_escapes(text, source)
    if expanded != text:  # the same text passed just now
        check_nesting(expanded, source)
    return expanded


def expand_escapes(text: str, source: str = "query") -> str:
    """``text`` with SPARQL's ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes replaced by their characters."""
    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise UsageError(f"{source}: bad escape {match.group()!r} in the query")
        return chr(code)

    expanded = _ESCAPE.sub(expand, text)
    if _ESCAPE.search(expanded):
        raise UsageError(f"{source}: the query's \\u escapes spell another escape; refused")
    return expanded


def _is_service_word(word: str) -> bool:
    """Whether a word may be read as the keyword SERVICE by some parser (caseless, any folding)."""
    folded = {word.upper(), word.lower().upper(), unicodedata.normalize("NFKC", word).casefold().upper()}
    return "SERVICE" in folded


def _walk(node: Any) -> Iterator[Any]:
    """Every CompValue in an rdflib algebra, without recursion."""
    from rdflib.plugins.sparql.parserutils import CompValue  # start-up: rdflib's SPARQL only when a query is checked

    stack = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend(item)


def _syntax_error(exc: Exception) -> SparqlSyntaxError:
    line = getattr(exc, "lineno", None) or 1
    column = getattr(exc, "col", None)
    reason = str(getattr(exc, "msg", None) or exc).splitlines()[0] if str(exc) else type(exc).__name__
    return SparqlSyntaxError(line, column, reason)


def _oxigraph_syntax_error(text: str) -> SparqlSyntaxError | None:
    """Oxigraph's (more precise) account of a syntax error rdflib found, or None.

    Only asked when no spelling of SERVICE occurs anywhere in the text (not merely in no
    token: a text the tokenizer misreads, such as ``ex:a\\#b``, which it takes for the
    start of a comment, could hide one), and on an empty store, so even a text oxigraph
    accepts can reach nothing: oxigraph evaluates what it parses, SERVICE included.
    """
    if may_name_service(text):
        return None
    import pyoxigraph as ox  # start-up: pyoxigraph only when a query is checked

    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        match = re.match(r"error at (\d+):(\d+):\s*(.*)", str(exc.msg), flags=re.DOTALL)
        if match:
            return SparqlSyntaxError(int(match.group(1)), int(match.group(2)), match.group(3).splitlines()[0])
    except Exception:  # any other failure says nothing about the syntax
        return None
    return None


def _prologue_prefixes(toks: list[Token]) -> dict[str, str]:
    """``PREFIX p: <iri>`` declarations, read from the tokens."""
    found = dict(PREFIXES)
    for i, token in enumerate(toks[:-2]):
        if token.kind == "word" and token.text.upper() == "PREFIX":
            name, iri = toks[i + 1], toks[i + 2]
            if name.text.endswith(":") and iri.kind == "iri":
                found[name.text[:-1]] = iri.text[1:-1]
    return found


def _locate_services(text: str, toks: list[Token]) -> list[tuple[int, int, str, bool, int]]:
    """(start, end, endpoint text, silent, group start) of every SERVICE keyword in the tokens."""
    prefixes = _prologue_prefixes(toks)
    found = []
    for i, token in enumerate(toks):
        if token.kind != "word" or not _is_service_word(token.text):
            continue
        j = i + 1
        silent = j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT"
        if silent:
            j += 1
        if j + 1 >= len(toks) or toks[j + 1].kind != "open" or toks[j + 1].text != "{":
            raise UsageError("cannot locate a SERVICE clause in the query; refused")
        target = toks[j]
        if target.kind == "iri":
            endpoint = target.text[1:-1]
        elif target.kind == "word" and ":" in target.text:
            prefix, _, local = target.text.partition(":")
            if prefix not in prefixes:
                raise UsageError(f"unknown prefix '{prefix}' in SERVICE {target.text}")
            endpoint = prefixes[prefix] + local
        elif target.kind == "var":
            raise UsageError(f"SERVICE with a variable endpoint ({target.text}) is not allowed; nothing was sent")
        else:
            raise UsageError("cannot locate a SERVICE clause in the query; refused")
        depth, k = 0, j + 1
        while k < len(toks):
            if toks[k].kind == "open":
                depth += 1
            elif toks[k].kind == "close":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        else:
            raise UsageError("cannot locate the end of a SERVICE clause in the query; refused")
        found.append((token.start, toks[k].end, endpoint, silent, toks[j + 1].start))
    return found


def inspect(text: str, source: str = "query") -> QueryInfo:
    """Parse ``text`` and say what it is (the answers for the most recent texts are kept, since
    an endpoint and the stored queries see the same texts again and again).

    Raises UsageError for a text too large or too deep, or whose SERVICE
    clauses cannot be located exactly; SparqlSyntaxError when it does not parse
    as a query or an update.
    """
    return _inspect(text, source)


@functools.lru_cache(maxsize=256)
def _inspect(text: str, source: str) -> QueryInfo:
    expanded = _expanded(text, source)
    from pyparsing import ParseException  # start-up: only when a query is checked, not cached
    from rdflib.plugins.sparql import prepareQuery  # start-up: rdflib's SPARQL grammar only when a query is checked
    from rdflib.plugins.sparql.parser import parseUpdate  # start-up: see prepareQuery
    from rdflib.term import URIRef, Variable  # start-up: see prepareQuery

    with deep_recursion():
        try:
            prepared = prepareQuery(expanded, initNs=PREFIXES)
        except RecursionError:
            raise UsageError(f"{source}: the query is too deeply structured to check; refused") from None
        except Exception as exc:  # pyparsing errors, unknown prefixes, bad terms
            try:
                parseUpdate(expanded)
            except RecursionError:
                raise UsageError(f"{source}: the query is too deeply structured to check; refused") from None
            except Exception:  # not an update either: report the query's parse error
                syntax_error = _oxigraph_syntax_error(expanded)
                if syntax_error is not None:
                    raise syntax_error from None
                if isinstance(exc, ParseException):
                    raise _syntax_error(exc) from None
                raise SparqlSyntaxError(1, None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
                    from None
            return QueryInfo("UPDATE", True, (), expanded)
    algebra = prepared.algebra
    kind = algebra.name.replace("Query", "").upper()
    if kind not in KINDS:
        raise SparqlSyntaxError(1, None, f"not a query ({algebra.name})")
    has_dataset = bool(algebra.get("datasetClause"))
    nodes = [n for n in _walk(algebra) if n.name == "ServiceGraphPattern"]
    clauses: list[ServiceClause] = []
    toks = [t for t in tokens(expanded) if t.kind != "comment"]
    words = sum(1 for t in toks if t.kind == "word" and _is_service_word(t.text))
    if words != len(nodes):
        raise UsageError(f"{source}: cannot match the SERVICE clauses of the query to its text; refused")
    if nodes:
        for node in nodes:
            if not isinstance(node.get("term"), URIRef):
                raise UsageError(f"SERVICE with a variable endpoint ({node.get('term')}) is not allowed; "
                                 "nothing was sent")
        located = _locate_services(expanded, toks)
        parsed = sorted(str(n.get("term")) for n in nodes)
        if sorted(endpoint for _, _, endpoint, _, _ in located) != parsed:
            raise UsageError(f"{source}: cannot match the SERVICE clauses of the query to its text; refused")
        spans = sorted((start, end) for start, end, *_ in located)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise UsageError(f"{source}: a SERVICE inside a SERVICE is not supported; refused")
        for start, end, endpoint, silent, group_start in sorted(located):
            group = expanded[group_start:end]
            variables = sorted({t.text[1:] for t in tokens(group) if t.kind == "var"})
            clauses.append(ServiceClause(expanded[start:end], endpoint, silent, tuple(variables), group,
                                         start, end))
        bound = {str(v) for n in nodes for v in n.get("graph", {}).get("_vars", set()) if isinstance(v, Variable)}
        if not bound <= {v for c in clauses for v in c.variables}:
            raise UsageError(f"{source}: cannot match the SERVICE clauses of the query to its text; refused")
    return QueryInfo(kind, False, tuple(clauses), expanded, has_dataset, prepared)


def check_query(text: str, source: str = "query") -> QueryInfo:
    """:func:`inspect`, refusing updates and FROM / FROM NAMED (a query runs over the project graph only)."""
    info = inspect(text, source)
    if info.is_update:
        raise UsageError(f"{source}: SPARQL updates (INSERT, DELETE, LOAD, …) are not allowed; refused")
    if info.has_dataset:
        raise UsageError(f"{source}: FROM and FROM NAMED are not allowed (a query runs over the project graph); "
                         "refused")
    return info


def may_name_service(text: str) -> bool:
    """Whether any parser could read the word SERVICE anywhere in ``text``: a plain search of the
    whole text (strings, IRIs and comments included) in every case folding :func:`_is_service_word`
    knows. False means that no SERVICE clause can be in it, whatever the tokenizer or a parser makes
    of the rest."""
    return any("SERVICE" in folded for folded in (
        text.upper(), text.lower().upper(), unicodedata.normalize("NFKC", text).casefold().upper()))


def check_stored(text: str, source: str = "query") -> QueryInfo:
    """:func:`check_query` for the text of a stored query (``queries/*.rq``), with its verdict
    remembered across runs in :mod:`afkg.query.cache`, so that a run need not import or run
    rdflib's SPARQL grammar. Ad-hoc texts (``query exec``, HTTP) go through :func:`check_query`.

    The size, nesting and escape checks run every time. A recorded verdict is believed only for a
    text in which no spelling of SERVICE occurs at all (:func:`may_name_service`), so a file in the
    cache, whatever it holds, can never let a SERVICE clause through: the one way a query reaches
    the network (oxigraph would call the endpoint itself). Nor for a text in which the tokenizer
    sees FROM or an update keyword; and even a forged verdict on a text that hides one can only
    hand oxigraph a text that its query parser refuses (an update, LOAD) or that it answers from
    the local store (FROM never fetches). Otherwise, on a miss, or when the cache cannot be read,
    the full check runs, and its acceptance of a query without SERVICE is recorded.

    The verdict depends on the text, this module's source, the prefixes offered to every query and
    rdflib's grammar (all in the key); not on the allowed SERVICE endpoints, which
    :mod:`afkg.query.federation` checks on every run. The answer has no rdflib ``prepared`` query
    when it came from the cache (the rdflib engine checks again in full).
    """
    return _check_stored(text, source)


@functools.lru_cache(maxsize=256)
def _check_stored(text: str, source: str) -> QueryInfo:
    expanded = _expanded(text, source)
    if may_name_service(text) or (expanded != text and may_name_service(expanded)) or any(
            match.lastgroup == "word" and match.group().upper() in _REFUSED_WORDS
            for match in _TOKEN.finditer(expanded)):  # the words of tokens(expanded)
        return check_query(text, source)
    try:
        entry_key = verdict_key(text)
    except (OSError, ValueError):  # the guard's own source cannot be read: no cache, the full check
        return check_query(text, source)
    entry = cache.read("guard", entry_key)
    if entry is not None and set(entry) == {"kind"} and entry["kind"] in KINDS:
        return QueryInfo(entry["kind"], False, (), expanded)
    info = check_query(text, source)
    if not (info.services or info.is_update or info.has_dataset):
        cache.write("guard", entry_key, {"kind": info.kind})
    return info


def verdict_key(text: str) -> str:
    """The key of the cached verdict on the stored query ``text`` (see :mod:`afkg.query.cache`)."""
    return cache.key(text, source=__file__, libraries=_GRAMMAR, extra=sorted(PREFIXES.items()))


_REFUSED_WORDS = frozenset({"FROM", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INSERT", "DELETE",
                            "WITH", "USING"})
"""Keywords of FROM and of the updates: a text in which the tokenizer sees one is always checked in full."""

_GRAMMAR = (
    ("rdflib", (("__init__.py",), ("plugins", "sparql", "parser.py"), ("plugins", "sparql", "algebra.py"),
                ("plugins", "sparql", "parserutils.py"), ("plugins", "sparql", "processor.py"))),
    ("pyparsing", (("__init__.py",), ("core.py",))),
)
"""The files whose changes may change the guard's verdicts (an upgrade of either library changes them)."""


_PRECHECKED: contextvars.ContextVar[QueryInfo | None] = contextvars.ContextVar("afkg_guard_prechecked",
                                                                               default=None)


@contextlib.contextmanager
def prechecked(info: QueryInfo) -> Iterator[None]:
    """Within this block, an engine given exactly ``info.text`` may take ``info`` as the guard's view
    of it instead of checking it again (see :func:`prechecked_info`). For the query a caller has just
    checked with :func:`check_stored` or :func:`check_query`; any other text is checked as usual."""
    token = _PRECHECKED.set(info)
    try:
        yield
    finally:
        _PRECHECKED.reset(token)


def prechecked_info(text: str) -> QueryInfo | None:
    """The info of the enclosing :func:`prechecked` block if it is about exactly ``text``, else None."""
    info = _PRECHECKED.get()
    return info if info is not None and info.text == text and not info.is_update and not info.has_dataset else None


def shape_sparql_problem(text: str, prefixes: dict[str, str] | None = None) -> str | None:
    """Why the SPARQL of a SHACL shape (sh:select, sh:ask, sh:construct) must not run, or None.

    Refused: SERVICE (in the algebra, or any word that reads as SERVICE), FROM / FROM NAMED,
    updates such as LOAD, text that does not parse. The verdict depends on the text and the
    prefixes only, so each pair is judged once per process (rdflib's parser is slow).
    """
    return _shape_sparql_verdict(text, tuple(sorted((prefixes or {}).items())))


@functools.lru_cache(maxsize=256)
def _shape_sparql_verdict(text: str, prefix_items: tuple[tuple[str, str], ...]) -> str | None:
    from rdflib.plugins.sparql import prepareQuery  # start-up: rdflib's SPARQL grammar only when shapes are checked

    prefixes = dict(prefix_items)

    try:
        check_size(text)
        check_nesting(text)
        expanded = expand_escapes(text)
    except UsageError as exc:
        return str(exc)
    declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items()
                       if re.match(r"^[A-Za-z][\w\-.]*$|^$", p) and not re.search(r"[<>\s]", ns))
    with deep_recursion():
        try:
            algebra = prepareQuery(declared + expanded, initNs=PREFIXES).algebra
        except Exception as exc:  # any parse failure refuses the shape
            return "its SPARQL does not parse (" + (str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
                + ")"
    if algebra.get("datasetClause"):
        return "its SPARQL uses FROM or FROM NAMED"
    words = [t for t in tokens(expanded) if t.kind == "word" and _is_service_word(t.text)]
    if words:
        return "its SPARQL uses SERVICE"
    if any(n.name == "ServiceGraphPattern" for n in _walk(algebra)):
        return "its SPARQL uses SERVICE"
    return None


def _refuse_rdflib_service(ctx: Any, part: Any) -> Any:
    raise QueryError("rdflib tried to call a SERVICE itself; refused (nothing was sent)")


def disable_rdflib_network() -> None:
    """Make rdflib unable to reach the network while evaluating SPARQL (in queries, and in the
    SHACL-SPARQL pySHACL runs): its SERVICE evaluation refuses, and FROM never loads a graph."""
    import rdflib.plugins.sparql as sparql  # start-up: rdflib's SPARQL only when it will run
    import rdflib.plugins.sparql.evaluate as evaluate  # start-up: see above

    sparql.SPARQL_LOAD_GRAPHS = False
    evaluate.evalServiceQuery = _refuse_rdflib_service


def check_variable_name(name: str) -> str:
    """``name`` if it is a plain SPARQL variable name (letters, digits, underscore), else a UsageError."""
    if not isinstance(name, str) or not re.match(_VARNAME, name):
        raise UsageError(f"bad variable name {name!r}")
    return name


_SH = "http://www.w3.org/ns/shacl#"


def check_shapes(shapes: Any, source: str = "shapes") -> None:
    """Refuse a shapes graph whose SHACL-SPARQL (sh:select, sh:ask, sh:construct, sh:update)
    uses SERVICE, FROM, LOAD or any update, or does not parse: an InputError naming the shape.

    Prefixes come from the graph's ``sh:declare`` entries and its own namespace bindings.
    """
    from rdflib import BNode, URIRef  # start-up: rdflib only when shapes are checked


    sh = {name: URIRef(_SH + name) for name in ("select", "ask", "construct", "update", "declare", "prefix",
                                                 "namespace", "sparql", "property", "rule")}
    prefixes = {str(p): str(ns) for p, ns in shapes.namespaces()}
    for declaration in shapes.objects(None, sh["declare"]):
        prefix, namespace = shapes.value(declaration, sh["prefix"]), shapes.value(declaration, sh["namespace"])
        if prefix is not None and namespace is not None:
            prefixes[str(prefix)] = str(namespace)

    def owner(node: Any) -> str:
        for _ in range(5):
            if not isinstance(node, BNode):
                break
            parent = next((s for p in ("sparql", "property", "rule") for s in shapes.subjects(sh[p], node)), None)
            if parent is None:
                break
            node = parent
        return shorten(str(node)) if isinstance(node, URIRef) else "a blank-node shape"

    for key in ("select", "ask", "construct", "update"):
        for node, text in sorted(shapes.subject_objects(sh[key]), key=lambda pair: str(pair[1])):
            problem = "it is a SPARQL update" if key == "update" else shape_sparql_problem(str(text), prefixes)
            if problem:
                raise InputError(f"{source}: shape {owner(node)}: sh:{key} refused: {problem}")
