"""The code passes the linter configured in pyproject.toml (ruff), as part of the suite that CI runs."""

from __future__ import annotations

import subprocess
import sys

from conftest import PROJECT


def test_ruff_finds_nothing_in_src_tests_and_benchmarks():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "src", "tests", "benchmarks"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
