"""The queries the SPARQL editor offers: a first example that reads at a glance, and the stored
queries as a visitor would write them in the editor.

Every query declares the prefixes it uses, so it runs on any endpoint and the editor's own
syntax check accepts it; the editor folds the PREFIX lines into one (afkg's ``/sparql`` also
knows the project's prefixes undeclared).
"""

from __future__ import annotations

import re

from afkg.query.catalogue import StoredQuery

STARTER = """\
# The relations in the graph and the parties to each.
# Press the run button (or Ctrl+Enter); then pick a stored query above for more.
SELECT ?relation ?party ?name WHERE {
  ?relation a afkg:BilateralRelation ;
            afkg:party ?party .
  ?party rdfs:label ?name .
}
ORDER BY ?relation ?name
"""
"""The first query the editor shows: it uses only the project's prefixes ``afkg:`` and ``rdfs:``."""

_PREFIX_LINE = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>\s*$", re.IGNORECASE)
_PREFIXES_USED = re.compile(r"(?<![\w<?$])([A-Za-z][\w.-]*)?:(?=[\w(])")


def prefix_lines(text: str, prefixes: dict[str, str]) -> str:
    """The PREFIX declarations of the project's prefixes that ``text`` uses, one a line."""
    used = {m.group(1) or "" for m in _PREFIXES_USED.finditer(_without_strings(text))}
    return "".join(f"PREFIX {name}: <{prefixes[name]}>\n" for name in sorted(used) if name in prefixes)


def _without_strings(text: str) -> str:
    """``text`` with IRIs in angle brackets, string literals and comments blanked out."""
    return re.sub(r'<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*', " ", text)


def starter(prefixes: dict[str, str]) -> str:
    """The first query of the editor, after the PREFIX lines it needs."""
    return prefix_lines(STARTER, prefixes) + STARTER


def readable(query: StoredQuery) -> str:
    """A stored query as the editor shows it: its PREFIX lines first (the editor folds them), then
    its summary as a comment and its text without the ``#+`` header."""
    prologue: list[str] = []
    rest: list[str] = []
    for line in query.text.splitlines():
        if line.startswith("#+"):
            continue
        (prologue if _PREFIX_LINE.match(line) and not rest else rest).append(line)
    while rest and not rest[0].strip():
        rest.pop(0)
    head = [f"# {query.summary}"]
    if query.params:
        names = ", ".join(f"?_{name}" for name in query.params)
        head.append(f"# Its parameters ({names}) are free variables here; "
                    "the query's form (Stored queries) gives them values.")
    return "\n".join(prologue + head + rest) + "\n"
