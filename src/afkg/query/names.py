"""Values of stored-query parameters as the graph spells them.

An ``iri`` parameter takes ``<https://…>``, a prefixed name (``res:Example``) or a bare resource
name (``Example``), and IRIs are case-sensitive: ``example`` names another resource than
``Example``. Before a stored query runs, :func:`resolve` reads each given value against the graph
the query runs on:

1. a value that expands to an IRI the graph holds (as subject, predicate or object) is kept;
2. otherwise the one resource whose IRI is the same but for case, whose label (``rdfs:label``,
   ``skos:prefLabel``) equals the value, or whose last IRI segment equals it (case, ``_`` and
   spaces aside) is taken instead, in that order of preference; several at the same rank are a
   :class:`AmbiguousName` error listing them;
3. a value that matches none but is close to some names (``Albnia``) is a :class:`UnknownName`
   error suggesting them ("did you mean res:Northland?");
4. anything else is left for :meth:`~afkg.query.catalogue.Param.convert` (an IRI the graph does
   not hold is used as given; a value that is no IRI is an error there).

A value of a parameter with an ``enum`` is matched to the one allowed value that is the same but
for case. The checks are small queries on the same engine; a value of the first kind costs one
``ASK``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from afkg.errors import UsageError
from afkg.prefixes import PREFIXES
from afkg.query.catalogue import expand_iri
from afkg.query.guard import check_stored, prechecked
from afkg.query.results import AskResult
from afkg.rdf.terms import Term

if TYPE_CHECKING:
    from afkg.query.catalogue import Param, StoredQuery

KNOWN = "ASK { { ?_name ?p ?o } UNION { ?s ?_name ?o } UNION { ?s ?p ?_name } }"
"""True when the graph holds the IRI bound to ``?_name`` anywhere in a statement."""

CANDIDATES = (
    f"PREFIX rdfs: <{PREFIXES['rdfs']}>\nPREFIX skos: <{PREFIXES['skos']}>\n"
    "SELECT DISTINCT ?s ?label WHERE { ?s ?p ?o FILTER(isIRI(?s)) "
    "OPTIONAL { { ?s rdfs:label ?label } UNION { ?s skos:prefLabel ?label } } }"
)
"""Every IRI the graph describes, with its labels."""

MAX_CANDIDATES = 50_000
"""At most this many (IRI, label) rows are read when a value must be matched."""
MAX_SUGGESTIONS = 3
"""A "did you mean" names at most this many resources."""
SUGGESTION_CUTOFF = 0.75
"""How alike (difflib's ratio, 0 to 1) a name must be to a value to be suggested for it."""

_NAME_LIKE = re.compile(r"^[\w][\w .,'’()&\-–—/]*$")
"""A value that reads as a name (letters, digits, spaces and a little punctuation, no colon): only
such a value that is not an IRI is matched against labels or gets suggestions; ``foo:Northland`` is
left for the error about its unknown prefix."""


class UnknownName(UsageError):
    """A parameter value that names nothing in the graph but is close to some names."""

    def __init__(self, param: str, value: str, suggestions: list[tuple[str, str]]) -> None:
        self.param = param
        self.value = value
        self.suggestions = suggestions
        """(IRI, label) of the closest resources, closest first."""
        super().__init__(f"parameter '{param}': the graph has nothing named {value!r}; "
                         f"did you mean {_listed(suggestions, ' or ')}?")


class AmbiguousName(UsageError):
    """A parameter value that matches several resources equally well."""

    def __init__(self, param: str, value: str, matches: list[tuple[str, str]]) -> None:
        self.param = param
        self.value = value
        self.suggestions = matches
        super().__init__(f"parameter '{param}': {value!r} may name any of {_listed(matches, ', ')}; give one of them")


def _listed(resources: list[tuple[str, str]], separator: str) -> str:
    """(IRI, label) pairs as a reader sees them: each short name, with its label in brackets."""
    return separator.join(f"{short_name(iri)} ({label})" if label else short_name(iri) for iri, label in resources)


def short_name(iri: str) -> str:
    """``prefix:name`` for an IRI under a known prefix, else ``<iri>``."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        rest = iri[len(namespace):]
        if iri.startswith(namespace) and rest and re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$", rest) \
                and not rest.endswith("."):
            return f"{prefix}:{rest}"
    return f"<{iri}>"


def fold(name: str) -> str:
    """``name`` for comparing: case folded, ``_`` read as a space, runs of spaces as one."""
    return " ".join(name.replace("_", " ").split()).casefold()


def last_segment(iri: str) -> str:
    """The part of ``iri`` after its last ``/`` or ``#``."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def resolve(query: StoredQuery, given: dict[str, str], engine: Any) -> dict[str, str]:
    """``given`` with each value of an ``iri`` or ``enum`` parameter as the graph (or the enum)
    spells it; other values unchanged. Errors as in the module's description."""
    resolved = dict(given)
    candidates: dict[str, list[str]] | None = None
    for name, value in given.items():
        param = query.params.get(name)
        if param is None or not value.strip():
            continue
        if param.enum:
            resolved[name] = _enum_value(param, value)
            continue
        if param.type != "iri":
            continue
        expanded = _expanded(value, name)
        if expanded is not None and _known(engine, expanded):
            continue
        if expanded is None and not _NAME_LIKE.match(value.strip()):
            continue
        if candidates is None:
            candidates = _candidates(engine)
        found = _match(value, expanded, candidates)
        if len(found) == 1:
            resolved[name] = f"<{found[0]}>"
        elif found:
            raise AmbiguousName(name, value, [(iri, _label(candidates, iri)) for iri in found[:5]])
        else:
            close = _suggest(value, expanded, candidates)
            if close:
                raise UnknownName(name, value, [(iri, _label(candidates, iri)) for iri in close])
    return resolved


def _enum_value(param: Param, value: str) -> str:
    """The allowed value equal to ``value`` but for case and surrounding spaces, else ``value``."""
    if value in param.enum:
        return value
    same = [e for e in param.enum if e.casefold() == value.strip().casefold()]
    return same[0] if len(same) == 1 else value


def _expanded(value: str, name: str) -> str | None:
    """The IRI ``value`` stands for, or None when it is no IRI (a label, a bad value)."""
    try:
        return expand_iri(value.strip(), name)
    except UsageError:
        return None


def _known(engine: Any, iri: str) -> bool:
    info = check_stored(KNOWN, "parameter check")
    with prechecked(info):
        answer = engine.run(info.text, {"name": Term.uri(iri)})
    return isinstance(answer, AskResult) and answer.answer


def _candidates(engine: Any) -> dict[str, list[str]]:
    """IRI -> its labels, for every IRI the graph describes (at most MAX_CANDIDATES rows)."""
    info = check_stored(CANDIDATES, "parameter check")
    with prechecked(info):
        answer = engine.run(info.text, {}, max_rows=MAX_CANDIDATES)
    found: dict[str, list[str]] = {}
    for row in getattr(answer, "rows", []):
        if "s" not in row or row["s"].kind != "uri":
            continue
        labels = found.setdefault(row["s"].value, [])
        if "label" in row and row["label"].kind == "literal" and row["label"].value not in labels:
            labels.append(row["label"].value)
    return found


def _label(candidates: dict[str, list[str]], iri: str) -> str:
    labels = candidates.get(iri) or []
    return min(labels) if labels else ""


def _match(value: str, expanded: str | None, candidates: dict[str, list[str]]) -> list[str]:
    """The IRIs ``value`` names but for case: by IRI, else by label, else by last segment; sorted."""
    wanted = fold(value)
    tiers: list[list[str]] = [[], [], []]
    for iri, labels in candidates.items():
        if expanded is not None and iri.casefold() == expanded.casefold():
            tiers[0].append(iri)
        elif any(fold(label) == wanted for label in labels):
            tiers[1].append(iri)
        elif fold(last_segment(iri)) == wanted:
            tiers[2].append(iri)
    return next((sorted(tier) for tier in tiers if tier), [])


def _suggest(value: str, expanded: str | None, candidates: dict[str, list[str]]) -> list[str]:
    """The IRIs whose label or last segment is closest to ``value`` (at most MAX_SUGGESTIONS)."""
    import difflib  # start-up: difflib only to suggest a name

    wanted = fold(last_segment(expanded) if expanded is not None else value)
    names: dict[str, set[str]] = {}
    for iri, labels in candidates.items():
        for name in {fold(label) for label in labels} | {fold(last_segment(iri))}:
            if name:
                names.setdefault(name, set()).add(iri)
    close = difflib.get_close_matches(wanted, sorted(names), n=MAX_SUGGESTIONS, cutoff=SUGGESTION_CUTOFF)
    found: list[str] = []
    for name in close:
        for iri in sorted(names[name]):
            if iri not in found:
                found.append(iri)
    return found[:MAX_SUGGESTIONS]
