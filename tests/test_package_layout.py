"""The package's parts import one another in one direction only: base modules, then the RDF core
(``afkg.rdf``), then query and validation, then publishing, Wikidata and authoring, then the
server and the site, then the command line. A part is a subpackage (``afkg.query``) or a module
at the top of the package (``afkg.graph``); an import counts wherever it stands in a module, also
inside a function."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from conftest import PROJECT

PACKAGE = PROJECT / "src" / "afkg"


def part_of(module: str) -> str:
    """The part a dotted module name belongs to: ``afkg.query.guard`` -> ``query``."""
    names = module.split(".")
    return names[1] if len(names) > 1 else "__init__"


def module_name(path: Path) -> str:
    names = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def imported(path: Path) -> set[str]:
    """The afkg modules ``path`` imports, anywhere in it (relative imports resolved)."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("afkg.") and _exists(name)}


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def part_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        source = part_of(module_name(path))
        graph[source].update(part_of(name) for name in imported(path) if part_of(name) != source)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one part (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
            elif step not in index:
                index[step] = low[step] = len(index)
                stack.append(step)
                on_stack.add(step)
                work.append((step, iter(sorted(graph.get(step, ())))))
            elif step in on_stack:
                low[node] = min(low[node], index[step])
    return found


def test_no_import_cycle_between_the_packages_parts():
    assert cycles(part_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_rdf_core_imports_only_base_modules():
    """afkg.rdf sits under every other part: it may use the base modules and nothing above."""
    above = {"project", "graph", "query", "validation", "publish", "wikidata", "authoring", "server", "cli",
             "stats", "references"}
    assert part_graph()["rdf"] & above == set()
