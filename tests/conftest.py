"""Shared fixtures: the project graph, a writable copy of the project, query helpers;
and the test tiers (the markers are registered in pyproject.toml)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest

# Compiled bytecode is cached even where the shell sets PYTHONDONTWRITEBYTECODE: without it, every
# xdist worker re-runs pytest's assertion rewriting on every test module (about 10 s of collection)
# and every afkg subprocess a test starts compiles the package again. Set before the package and
# the test modules are imported, and inherited by those subprocesses.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from afkg.graph import KnowledgeGraph, Layout, load  # noqa: E402
from afkg.namespaces import PREFIXES  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent


def without_relations(root: Path) -> Path:
    """``root`` made a project with the ontology and the shared entities and no relation yet: where
    ``afkg new`` starts."""
    shutil.copytree(PROJECT / "ontology", root / "ontology")
    shutil.copytree(PROJECT / "data" / "shared", root / "data" / "shared")
    return root


def with_made_up_pairs(root: Path) -> Path:
    """``root`` made a copy of the project with the made-up relations of tests/pairs/ added as
    data folders beside albania-france (three relations in all)."""
    for name in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT / name, root / name)
    for pair in sorted((PROJECT / "tests" / "pairs").iterdir()):
        if pair.is_dir():
            shutil.copytree(pair, root / "data" / pair.name)
    return root


_OWN_CACHE = pytest.StashKey[str]()
"""The cache folder this pytest process made, to remove when it ends."""


def pytest_configure(config: pytest.Config) -> None:
    """afkg's per-user cache (``$XDG_CACHE_HOME/afkg``) goes to a folder of this run, for every
    test and every afkg process a test starts, never to the user's own ``~/.cache``."""
    if "AFKG_TEST_CACHE" not in os.environ:  # the first pytest process; xdist's workers inherit it
        folder = tempfile.mkdtemp(prefix="afkg-test-cache-")
        os.environ["XDG_CACHE_HOME"] = os.environ["AFKG_TEST_CACHE"] = folder
        config.stash[_OWN_CACHE] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_OWN_CACHE, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        del os.environ["AFKG_TEST_CACHE"]



def sampled(count: int, total: int) -> set[int]:
    """The positions of ``count`` cases spread evenly over ``total``, the first always among them."""
    if total <= count:
        return set(range(total))
    return {(i * total) // count for i in range(count)}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.sample(n)`` on a parametrized test keeps n of its cases in the fast tier
    and marks the others ``slow``. Runs before ``-m`` deselects, so ``-m "not slow"`` sees the marks."""
    groups: dict[tuple[str, str], list[pytest.Item]] = defaultdict(list)
    for item in items:
        if item.get_closest_marker("sample") is not None and hasattr(item, "callspec"):
            groups[(str(item.path), getattr(item, "originalname", item.name))].append(item)
    for group in groups.values():
        marker = group[0].get_closest_marker("sample")
        count = marker.args[0] if marker.args else marker.kwargs.get("n", 1)
        if not isinstance(count, int) or count < 1:
            raise pytest.UsageError(f"{group[0].nodeid}: sample(n) needs a positive whole number, not {count!r}")
        keep = sampled(count, len(group))
        for position, item in enumerate(group):
            if position not in keep:
                item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def layout() -> Layout:
    return Layout(PROJECT)


@pytest.fixture(scope="session")
def kg(layout: Layout) -> KnowledgeGraph:
    return load(layout)


@pytest.fixture(scope="session")
def service():
    """The HTTP service over the project (small bounds, see serverkit.load_service), once per worker:
    tests read through it; one that needs other settings or its own pool takes ``serverkit.variant``."""
    from serverkit import load_service

    loaded = load_service()
    yield loaded
    loaded.close()


@pytest.fixture(scope="module")
def http(service):
    """A TestClient of the application over ``service``."""
    from serverkit import client

    with client(service) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright; once per test module (tests/browser/).
    Not once per session: Playwright's event loop would stay running under the tests
    that follow on that worker, and their ``asyncio.run`` would fail."""
    from browserkit import CHROMIUM  # tests/browser/, on the path of the modules that use this
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    """Where browser tests put screenshots: $AFKG_ARTEFACTS/screenshots if set, else a temporary folder."""
    chosen = os.environ.get("AFKG_ARTEFACTS")
    folder = Path(chosen) / "screenshots" if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
