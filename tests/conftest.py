"""Shared fixtures: the project graph, a writable copy of the project, query helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from afkg.graph import KnowledgeGraph, Layout, load
from afkg.namespaces import PREFIXES

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def layout() -> Layout:
    return Layout(PROJECT)


@pytest.fixture(scope="session")
def kg(layout: Layout) -> KnowledgeGraph:
    return load(layout)


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    """A throw-away copy of ontology/, data/ and queries/ that a test may break."""
    for name in ("ontology", "data", "queries"):
        if (PROJECT / name).exists():
            shutil.copytree(PROJECT / name, tmp_path / name)
    return tmp_path


def select(kg: KnowledgeGraph, query: str) -> list[dict[str, object]]:
    """Run a SELECT over the merged graph; rows as dicts of Python values (None if unbound)."""
    result = kg.merged.query(query, initNs=PREFIXES)
    rows = []
    for row in result:
        rows.append({str(var): (None if row[var] is None else row[var].toPython()) for var in result.vars})
    return rows


def ask(kg: KnowledgeGraph, query: str) -> bool:
    """Run an ASK over the merged graph."""
    return bool(kg.merged.query(query, initNs=PREFIXES).askAnswer)
