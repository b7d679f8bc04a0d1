"""Fixtures the browser tests share: Debian's Chromium driven by Playwright, and a folder for
their screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browserkit import CHROMIUM


@pytest.fixture(scope="module")
def browser():
    """Chromium, headless, once per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    """Where screenshots go: $AFKG_ARTEFACTS/screenshots if set, else a temporary folder."""
    chosen = os.environ.get("AFKG_ARTEFACTS")
    folder = Path(chosen) / "screenshots" if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
