"""The code passes the linter and the type checker configured in pyproject.toml (ruff, mypy), as part of the
suite that CI runs."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import PROJECT


def test_ruff_finds_nothing_in_src_tests_and_benchmarks():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "src", "tests", "benchmarks"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing_in_src():
    """mypy on the files pyproject.toml names (src), without writing a cache (a few seconds)."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", os.devnull],
                          cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
