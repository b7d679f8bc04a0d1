"""The catalogue of stored queries: headers, parameters, lint.

A stored query is one ``queries/NAME.rq`` file. Its header is a block of
``#+`` lines read as YAML::

    #+ summary: Trade between the two countries, by year and direction
    #+ description: One row per year and flow; amounts in EUR.
    #+ tags: [economy]
    #+ params:
    #+   year: {type: xsd:gYear, description: "Year of the figures"}

A parameter ``year`` is the variable ``?_year`` in the query. It is bound as an
RDF term by the engine (never pasted into the text); a parameter that is
neither given nor defaulted stays a free variable, so the query lists every
value. Parameters of a SELECT query must be in its projection (``SELECT *`` or
named), where the results show them under the parameter's name.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from afkg.errors import AfkgError, InputError, SparqlSyntaxError, UsageError
from afkg.layout import Layout
from afkg.prefixes import PREFIXES
from afkg.query import cache
from afkg.query.guard import MAX_QUERY_BYTES, check_query, check_size, check_stored, prechecked
from afkg.rdf.terms import XSD, Term, to_oxigraph
from afkg.records import Record

HEADER_KEYS = ("summary", "description", "tags", "params", "federated")
PARAM_KEYS = ("type", "default", "enum", "description", "required")
PARAM_TYPES = ("iri", "xsd:string", "xsd:integer", "xsd:decimal", "xsd:boolean",
               "xsd:date", "xsd:gYear", "xsd:gYearMonth")
QUERY_TYPES = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_PARAM_VARIABLE = re.compile(r"[?$]_([A-Za-z][A-Za-z0-9_]*)")
# The patterns below are compiled by the re module on first use, not here: a run needs at most the check
# of its parameters' types, and a cold start pays for every pattern compiled at import.
_IRI = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\]+$"
_BARE_NAME = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"
_CHECKS = {  # xsd type: (pattern, matched with re.ASCII; what a value looks like)
    "xsd:integer": (r"^[+-]?\d+\Z", "an integer, e.g. 42"),
    "xsd:decimal": (r"^[+-]?(\d+(\.\d*)?|\.\d+)\Z", "a decimal number, e.g. 22.8"),
    "xsd:boolean": (r"^(true|false|1|0)\Z", "true or false"),
    "xsd:gYear": (r"^-?\d{4,}\Z", "a year, e.g. 2024"),
    "xsd:gYearMonth": (r"^-?\d{4,}-(0[1-9]|1[0-2])\Z", "a year and month, e.g. 2024-11"),
    "xsd:date": (r"^\d{4}-\d{2}-\d{2}\Z", "a date, e.g. 2020-03-30"),
}


class Param(Record):
    """A declared parameter of a stored query. Frozen, compared by its fields (a plain class rather
    than a dataclass: see :mod:`afkg.records`)."""

    __match_args__ = ("name", "type", "default", "enum", "description", "required")

    name: str
    type: str
    default: str | None
    enum: tuple[str, ...]
    description: str
    required: bool

    def __init__(self, name: str, type: str, default: str | None = None, enum: tuple[str, ...] = (),
                 description: str = "", required: bool = False) -> None:
        self.__dict__.update(name=name, type=type, default=default, enum=enum, description=description,
                             required=required)

    _COMPARED = ("name", "type", "default", "enum", "description", "required")

    def describe(self) -> str:
        """``name (type)`` with its default and allowed values, for listings."""
        text = f"{self.name} ({self.type})"
        if self.required:
            text += ", required"
        if self.default is not None:
            text += f", default {self.default}"
        if self.enum:
            text += f", one of {', '.join(self.enum)}"
        return text

    def convert(self, raw: str) -> Term:
        """The RDF term for ``raw``, or a UsageError saying what the parameter expects."""
        value = raw.strip() if self.type != "xsd:string" else raw
        try:
            value.encode("utf-8")
        except UnicodeError:
            raise UsageError(f"parameter '{self.name}': the value is not valid UTF-8") from None
        if self.type == "iri":
            term = Term.uri(expand_iri(value, self.name))
        elif self.type == "xsd:string":
            term = Term.literal(value)
        else:
            pattern, example = _CHECKS[self.type]
            if not re.match(pattern, value, re.ASCII):
                raise UsageError(f"parameter '{self.name}' expects {self.type} ({example}), got {raw!r}")
            if self.type == "xsd:date":
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise UsageError(f"parameter '{self.name}' expects {self.type} ({example}), got {raw!r}") from None
            if self.type == "xsd:boolean":
                value = "true" if value in ("true", "1") else "false"
            term = Term.literal(value, XSD + self.type.split(":", 1)[1])
        if self.enum and term.value not in {self.convert_plain(e) for e in self.enum}:
            raise UsageError(f"parameter '{self.name}' must be one of {', '.join(self.enum)}; got {raw!r}")
        return term

    def convert_plain(self, raw: str) -> str:
        """The value of ``raw`` as it would be bound, without the enum check."""
        return Param(self.name, self.type).convert(raw).value


_SCHEMES_WITHOUT_SLASHES = ("urn", "mailto", "tag", "tel", "data", "doi", "isbn")
"""Schemes of absolute IRIs that have no ``//`` and so could be mistaken for prefixed names."""


def expand_iri(value: str, name: str = "resource") -> str:
    """A full IRI from ``<iri>``, an absolute IRI, a prefixed name or a bare resource name.

    The result is checked by oxigraph's own IRI parser; a prefix that is neither
    known nor a usual scheme is a UsageError naming it.
    """
    explicit = value.startswith("<") and value.endswith(">")
    if explicit:
        value = value[1:-1]
    prefix, colon, rest = value.partition(":")
    if not explicit and colon and prefix in PREFIXES and not rest.startswith("//"):
        value = PREFIXES[prefix] + rest
    elif not explicit and not colon and re.match(_BARE_NAME, value):
        value = PREFIXES["res"] + value
    elif (not explicit and colon and not rest.startswith("//") and prefix.lower() not in _SCHEMES_WITHOUT_SLASHES
          and re.match(r"^[A-Za-z][A-Za-z0-9_.\-]*$", prefix)):
        raise UsageError(f"parameter '{name}': unknown prefix '{prefix}' in {value!r} (known prefixes: "
                         f"{', '.join(sorted(PREFIXES))}; write <{value}> for an absolute IRI)")
    if not re.match(_IRI, value):
        raise UsageError(
            f"parameter '{name}' expects an IRI (<https://…>, a prefixed name such as res:Example, "
            f"or a resource name), got {value!r}")
    check_iri(value, f"parameter '{name}'")
    return value


def check_iri(value: str, what: str = "IRI") -> str:
    """``value`` if oxigraph's IRI parser accepts it as an absolute IRI, else a one-line UsageError."""
    import pyoxigraph as ox  # start-up: pyoxigraph only when an IRI is checked

    try:
        ox.NamedNode(value)
    except (ValueError, TypeError, UnicodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid"
        raise UsageError(f"{what}: {value!r} is not a valid IRI ({reason})") from None
    return value


_NEW: Any = object()
"""The default of :attr:`StoredQuery.params`: a new empty dict for each query."""


class StoredQuery(Record):
    """One stored query: its file, header and text. Frozen, compared by its fields but
    :attr:`stored` (a plain class rather than a dataclass: see :mod:`afkg.records`)."""

    __match_args__ = ("name", "path", "text", "summary", "query_type", "description", "tags", "params",
                      "federated", "stored")

    name: str
    path: Path
    text: str
    summary: str
    query_type: str
    description: str
    tags: tuple[str, ...]
    params: dict[str, Param]
    federated: bool
    stored: bool
    """Read from the catalogue (a cached one): the guard's verdict on its text, and its header, may
    come from the cache (:func:`afkg.query.guard.check_stored`). Ad-hoc queries are checked in full
    every time."""

    def __init__(self, name: str, path: Path, text: str, summary: str, query_type: str, description: str = "",
                 tags: tuple[str, ...] = (), params: dict[str, Param] = _NEW, federated: bool = False,
                 stored: bool = False) -> None:
        self.__dict__.update(name=name, path=path, text=text, summary=summary, query_type=query_type,
                             description=description, tags=tags, params={} if params is _NEW else params,
                             federated=federated, stored=stored)

    _COMPARED = ("name", "path", "text", "summary", "query_type", "description", "tags", "params", "federated")

    def bind(self, given: dict[str, str]) -> dict[str, Term]:
        """RDF terms for the parameters: given values, then defaults; unknown or missing
        required parameters are UsageErrors."""
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            known = ", ".join(self.params) or "none"
            raise UsageError(f"query '{self.name}' has no parameter '{unknown[0]}' (parameters: {known})")
        bound: dict[str, Term] = {}
        for name, param in self.params.items():
            if name in given:
                bound[name] = param.convert(given[name])
            elif param.default is not None:
                bound[name] = param.convert(param.default)
            elif param.required:
                raise UsageError(f"query '{self.name}' needs parameter '{name}' ({param.type}): add -p {name}=VALUE")
        return bound


MAX_HEADER_BYTES = 64 * 1024
"""The largest ``#+`` header accepted, in UTF-8 bytes."""
MAX_HEADER_DEPTH = 20
"""The deepest nesting of mappings and lists accepted in a header."""
MAX_NAME_LENGTH = 200
"""The longest stored-query name accepted."""
_QUERY_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def _check_yaml_events(body: str, where: Any) -> None:
    """Refuse anchors, aliases and nesting deeper than MAX_HEADER_DEPTH, from the parser's events
    (before anything is constructed). ``where(line_index)`` gives the file line."""
    import yaml  # start-up: yaml only when a header is read, not cached

    depth = 0
    for event in yaml.parse(body, Loader=yaml.SafeLoader):
        line = where(event.start_mark.line if event.start_mark else 0)
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise InputError(f"{line}: YAML anchors and aliases are not allowed in a header")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_HEADER_DEPTH:
                raise InputError(f"{line}: header nested more than {MAX_HEADER_DEPTH} deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _header(path: Path, text: str, stored: bool = False) -> tuple[dict[str, Any], int]:
    """The YAML of the ``#+`` lines, and the file line where the header starts. With ``stored``,
    a header read before may come from the cache (:mod:`afkg.query.cache`), so that PyYAML need
    not even be imported; a header that does not come back from JSON exactly is never cached."""
    lines = text.splitlines()
    header_lines: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if line.startswith("#+"):
            header_lines.append((number, line[2:].removeprefix(" ")))
    if not header_lines:
        raise InputError(f"{path}:1: no '#+' header (a summary is required)")
    line_numbers = [n for n, _ in header_lines]
    body = "\n".join(content for _, content in header_lines)
    if len(body.encode("utf-8", "surrogatepass")) > MAX_HEADER_BYTES:
        raise InputError(f"{path}:{line_numbers[0]}: the header is larger than {MAX_HEADER_BYTES} bytes")

    def where(index: int) -> str:
        return f"{path}:{line_numbers[min(max(index, 0), len(line_numbers) - 1)]}"

    entry_key = _header_key(body) if stored else None
    if entry_key is not None:
        entry = cache.read("headers", entry_key)
        if (entry is not None and set(entry) == {"header"} and isinstance(entry["header"], dict)
                and cache.plain(entry["header"], MAX_HEADER_DEPTH)):
            return entry["header"], line_numbers[0]
    import yaml  # start-up: yaml only when a header is not cached

    try:
        _check_yaml_events(body, where)
        data = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where(mark.line if mark is not None else 0)}: bad YAML in header: {problem}") from None
    except RecursionError:
        raise InputError(f"{where(0)}: header nested too deep") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}:{line_numbers[0]}: the header must be a YAML mapping of keys")
    if entry_key is not None:
        if cache.plain(data, MAX_HEADER_DEPTH):
            cache.write("headers", entry_key, {"header": data})
    return data, line_numbers[0]


_YAML = (("yaml", (("__init__.py",), ("constructor.py",), ("resolver.py",), ("scanner.py",), ("parser.py",))),)
"""The files of PyYAML whose changes may change what a header reads as (an upgrade changes them)."""


def _header_key(body: str) -> str | None:
    """The cache key of a header's YAML ``body``, or None when there is no cache."""
    try:
        return cache.key(body, source=__file__, libraries=_YAML, extra=[MAX_HEADER_BYTES, MAX_HEADER_DEPTH])
    except (OSError, ValueError):
        return None


def _line_of(text: str, needle: str, default: int) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("#+") and needle in line:
            return number
    return default


def _inspect(path: Path, text: str, stored: bool = False) -> Any:
    """The guard's view of the query in ``text``: its kind and SERVICE clauses (see :mod:`afkg.query.guard`).
    With ``stored``, the text is a stored query's, and a remembered verdict may answer."""
    try:
        return (check_stored if stored else check_query)(text, str(path))
    except SparqlSyntaxError as exc:
        raise exc.located(str(path)) from None


def read_query_bytes(data: bytes, source: str) -> str:
    """A query text from raw bytes: at most MAX_QUERY_BYTES, valid UTF-8, else an InputError."""
    if len(data) > MAX_QUERY_BYTES:
        raise InputError(f"{source}: larger than {MAX_QUERY_BYTES} bytes; refused")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"{source}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") \
            from None


def read_query_file(path: Path) -> str:
    """Read a query file, refusing anything larger than MAX_QUERY_BYTES without reading it all."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_QUERY_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return read_query_bytes(data, str(path))


def parse_query_file(path: Path, *, stored: bool = False) -> StoredQuery:
    """Read and check one ``.rq`` file: its header, and that its SPARQL parses as a query.
    ``stored``: see :attr:`StoredQuery.stored`."""
    return parse_query(read_query_file(path), path, stored=stored)


def parse_query(text: str, path: Path, *, stored: bool = False) -> StoredQuery:
    """Check the header and SPARQL of query ``text``, shown in messages as ``path``.
    ``stored``: see :attr:`StoredQuery.stored`."""
    data, first = _header(path, text, stored)
    for key in data:
        if key not in HEADER_KEYS:
            raise InputError(f"{path}:{_line_of(text, str(key) + ':', first)}: unknown header key '{key}' "
                             f"(allowed: {', '.join(HEADER_KEYS)})")
    summary = data.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise InputError(f"{path}:{first}: the header needs a 'summary' (a line of text)")
    description = data.get("description") or ""
    if not isinstance(description, str):
        raise InputError(f"{path}:{_line_of(text, 'description:', first)}: 'description' must be text")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InputError(f"{path}:{_line_of(text, 'tags:', first)}: 'tags' must be a list of words")
    federated = data.get("federated", False)
    if not isinstance(federated, bool):
        raise InputError(f"{path}:{_line_of(text, 'federated:', first)}: 'federated' must be true or false")
    raw_params = data.get("params") or {}
    if not isinstance(raw_params, dict):
        raise InputError(f"{path}:{_line_of(text, 'params:', first)}: 'params' must be a mapping of names")
    params: dict[str, Param] = {}
    for name, spec in raw_params.items():
        where = _line_of(text, f"{name}:", first)
        if not isinstance(name, str) or not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", name):
            raise InputError(f"{path}:{where}: bad parameter name {name!r}")
        if not isinstance(spec, dict):
            raise InputError(f"{path}:{where}: parameter '{name}' must be a mapping with a 'type'")
        for key in spec:
            if key not in PARAM_KEYS:
                raise InputError(f"{path}:{where}: unknown key '{key}' in parameter '{name}' "
                                 f"(allowed: {', '.join(PARAM_KEYS)})")
        kind = spec.get("type")
        if kind not in PARAM_TYPES:
            raise InputError(f"{path}:{where}: parameter '{name}' has type {kind!r}; "
                             f"use one of {', '.join(PARAM_TYPES)}")
        enum = spec.get("enum") or []
        if not isinstance(enum, list):
            raise InputError(f"{path}:{where}: 'enum' of parameter '{name}' must be a list")
        default = spec.get("default")
        param = Param(
            name=name, type=kind,
            default=None if default is None else str(default),
            enum=tuple(str(e) for e in enum),
            description=str(spec.get("description") or ""),
            required=bool(spec.get("required", False)),
        )
        try:
            for value in param.enum:
                param.convert_plain(value)
            if param.default is not None:
                param.convert(param.default)
        except UsageError as exc:
            raise InputError(f"{path}:{where}: {exc}") from None
        params[name] = param
    query_type = _inspect(path, text, stored).kind
    used = set(_PARAM_VARIABLE.findall("\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#"))))
    for name in sorted(used - set(params)):
        raise InputError(f"{path}:{_line_of_variable(text, name)}: the query uses ?_{name} "
                         f"but the header declares no parameter '{name}'")
    for name in sorted(set(params) - used):
        raise InputError(f"{path}:{_line_of(text, name + ':', first)}: parameter '{name}' is declared "
                         f"but the query never uses ?_{name}")
    return StoredQuery(
        name=path.stem, path=path, text=text, summary=summary.strip(), query_type=query_type,
        description=description.strip(), tags=tuple(tags), params=params, federated=federated, stored=stored,
    )


def _line_of_variable(text: str, name: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith("#") and re.search(rf"[?$]_{name}\b", line):
            return number
    return 1


class Catalogue:
    """The stored queries of a project, read from ``queries/``. With ``cached`` (the default),
    what was learnt about a query file before (its header, the guard's verdict) may come from
    :mod:`afkg.query.cache`; without, every query is read and checked in full."""

    def __init__(self, layout: Layout, *, cached: bool = True) -> None:
        self.layout = layout
        self.folder = layout.queries_dir
        self.cached = cached

    def names(self) -> list[str]:
        """Names of the stored queries, sorted; an unreadable queries folder is an InputError."""
        if not self.folder.exists() and not self.folder.is_symlink():
            return []
        try:
            entries = sorted(self.folder.iterdir())
        except OSError as exc:
            raise InputError(f"{self.folder}: cannot read the queries folder ({exc.strerror or exc})") from None
        return sorted(p.stem for p in entries if p.suffix == ".rq")

    def get(self, name: str) -> StoredQuery:
        """The stored query ``name``; an unknown name is a UsageError naming the closest ones."""
        if len(name) > MAX_NAME_LENGTH or not _QUERY_NAME.match(name):
            shown = name if len(name) <= 60 else name[:60] + "…"
            raise UsageError(f"bad query name {shown!r}: use letters, digits, '-', '_' and '.' "
                             f"(at most {MAX_NAME_LENGTH} characters); see 'afkg query list'")
        path = self.folder / f"{name}.rq"
        try:
            exists = path.is_file()
        except OSError:
            exists = False
        if not exists:
            import difflib  # start-up: difflib only to suggest names for one that is not there

            close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see 'afkg query list'"
            raise UsageError(f"no stored query named '{name}'{hint}")
        return parse_query_file(path, stored=self.cached)

    def all(self) -> list[StoredQuery]:
        """Every stored query, parsed."""
        return [self.get(name) for name in self.names()]


def syntax_problem(query: StoredQuery) -> str | None:
    """A one-line description of why the SPARQL does not parse or bind, with its line, or None.

    rdflib parsed the query when it was read (see :mod:`afkg.query.guard`); here oxigraph
    prepares it too, on an empty store, with a sample value for every parameter and
    every SERVICE clause emptied, so both engines are known to accept it and nothing is sent.
    """
    import pyoxigraph as ox  # start-up: pyoxigraph only when a query is linted

    from afkg.query.engines import oxigraph_syntax_position  # start-up: the engines only when a query is linted

    try:
        info = _inspect(query.path, query.text)
    except AfkgError as exc:
        return str(exc)
    text = info.text
    for clause in sorted(info.services, key=lambda c: c.start, reverse=True):
        text = text[:clause.start] + "{ }" + text[clause.end:]
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {}
    for name, param in query.params.items():
        sample = param.default or (param.enum[0] if param.enum else _SAMPLES[param.type])
        substitutions[ox.Variable(f"_{name}")] = to_oxigraph(param.convert(sample))
    try:
        answer = ox.Store().query(text, prefixes=PREFIXES, substitutions=substitutions)
        if isinstance(answer, (ox.QuerySolutions, ox.QueryTriples)):
            next(iter(answer), None)
    except SyntaxError as exc:
        line, column, reason = oxigraph_syntax_position(exc)
        return f"{query.path}:{line}:{column}: SPARQL syntax error: {reason}"
    except (RuntimeError, ValueError, OSError, MemoryError) as exc:
        return f"{query.path}:1: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    return None


_SAMPLES = {"iri": "res:Example", "xsd:string": "text", "xsd:integer": "1", "xsd:decimal": "1.0",
            "xsd:boolean": "true", "xsd:date": "2000-01-01", "xsd:gYear": "2000", "xsd:gYearMonth": "2000-01"}


def lint(catalogue: Catalogue) -> list[str]:
    """One line per problem in the stored queries: header, parameters, SPARQL syntax.

    An unreadable queries folder is an InputError, not an empty catalogue. Every query is
    read and checked in full: lint takes no answer from the cache.
    """
    catalogue = Catalogue(catalogue.layout, cached=False)
    problems: list[str] = []
    for name in catalogue.names():
        try:
            query = catalogue.get(name)
        except (InputError, UsageError) as exc:
            problems.append(str(exc))
            continue
        problem = syntax_problem(query) or federation_problem(query)
        if problem:
            problems.append(problem)
    return problems


def federation_problem(query: StoredQuery) -> str | None:
    """Why a query's SERVICE use does not fit its header, or None."""
    try:
        clauses = _inspect(query.path, query.text).services
    except AfkgError as exc:
        return str(exc)
    if clauses and not query.federated:
        return f"{query.path}:1: the query calls SERVICE <{clauses[0].endpoint}> but its header lacks 'federated: true'"
    if query.federated and not clauses:
        return f"{query.path}:1: the header says 'federated: true' but the query calls no SERVICE"
    if clauses and query.query_type != "SELECT":
        return f"{query.path}:1: federated queries must be SELECT queries"
    return None


def execute(query: StoredQuery, engine: Any, given: dict[str, str] | None = None,
            federation: Any = None, *, max_rows: int | None = None) -> Any:
    """Bind ``given`` (name -> text) to ``query``'s parameters and run it on ``engine``.

    Names are first read as the graph spells them (:func:`afkg.query.names.resolve`): ``northland``
    for ``res:Northland``, a label for its resource, or a "did you mean" error.

    The query is checked by :func:`afkg.query.guard.check_query` first, whatever its
    text looks like (a stored one by :func:`~afkg.query.guard.check_stored`). SERVICE
    clauses are answered through ``federation`` (by default: Wikidata's query service
    allowed, nothing else). In SELECT results a parameter variable ``?_name`` is
    reported as ``name``. With ``max_rows``, at most that many rows (or triples) are
    kept and the result says it was ``truncated``.
    """
    from afkg.query.names import resolve  # cycle: afkg.query.names imports this module
    from afkg.query.results import SelectResult  # start-up: 'query list' does not load the results

    bindings = query.bind(resolve(query, given or {}, engine))
    info = _inspect(query.path, query.text, query.stored)
    text = info.text
    try:
        if info.services:
            from afkg.query.federation import Federation  # start-up: the federation only for a query with SERVICE

            text = (federation or Federation.default()).resolve(text, engine, bindings, max_rows=max_rows)
            result = engine.run(text, bindings, max_rows=max_rows)
        else:
            with prechecked(info):  # the engine need not check this very text again
                result = engine.run(text, bindings, max_rows=max_rows)
    except SparqlSyntaxError as exc:
        raise exc.located(str(query.path)) from None
    if isinstance(result, SelectResult):
        taken = set(result.variables)
        renames = {v: v[1:] for v in result.variables if v.startswith("_") and v[1:] in query.params
                   and v[1:] not in taken}
        if renames:
            result = SelectResult(
                [renames.get(v, v) for v in result.variables],
                [{renames.get(k, k): t for k, t in row.items()} for row in result.rows],
                truncated=result.truncated,
            )
    return result


def from_text(text: str, name: str = "query") -> StoredQuery:
    """An ad-hoc query: parsed like a stored one when it has a ``#+`` header, else with no parameters."""
    check_size(text, name)
    if any(line.startswith("#+") for line in text.splitlines()):
        return parse_query(text, Path(name))
    return StoredQuery(name=name, path=Path(name), text=text, summary="ad-hoc query",
                       query_type=_inspect(Path(name), text).kind)
