"""A literal whose text is not a value of its datatype (``"abc"^^xsd:decimal``): reported once
as such and by the shape's ``sh:datatype``, with no traceback on standard error and no
other problem made up from it (a comparison with a value that is no number fails, and
with it "Only a trade balance can have a negative afkg:amount")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from afkg.graph import load
from afkg.layout import Layout
from afkg.validation.validate import validate

SRC = Path(__file__).resolve().parent.parent / "src"
AMOUNT = "afkg:amount 38900000.0"


@pytest.fixture
def ill_typed(project_copy: Path) -> Path:
    economy = project_copy / "data" / "albania-france" / "economy.ttl"
    text = economy.read_text(encoding="utf-8")
    assert text.count(AMOUNT) == 1
    economy.write_text(text.replace(AMOUNT, 'afkg:amount "abc"^^xsd:decimal'), encoding="utf-8")
    return project_copy


def afkg(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "afkg", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_the_report_names_the_literal_and_nothing_it_does_not_say(ill_typed):
    report = validate(load(Layout(ill_typed)))
    messages = [r.message for r in report.results]
    assert not report.conforms
    assert 'In data/albania-france/economy.ttl: "abc" is not a valid xsd:decimal.' in messages
    assert "An afkg:amount is a single xsd:decimal." in messages
    assert not [m for m in messages if "negative" in m], messages
    assert len(messages) == 2


@pytest.mark.slow  # tests/hostile/test_hostile_data.py runs validate on an ill-typed literal as a process in the fast tier
@pytest.mark.parametrize("command", ["validate", "build"])
def test_validate_and_build_print_no_traceback(ill_typed, tmp_path, command):
    args = ["--root", str(ill_typed), command] + (["-o", str(tmp_path / "dist")] if command == "build" else [])
    done = afkg(*args)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Failed to convert" not in done.stderr, done.stderr
    assert '"abc" is not a valid xsd:decimal' in done.stdout + done.stderr
    assert "negative" not in done.stdout + done.stderr
    if command == "build":
        assert not (tmp_path / "dist").exists()
