"""Which project afkg uses: --root, then $AFKG_ROOT, then the first folder from the current
one upwards holding ontology/afkg.ttl, then the source checkout, then the bundled copy;
a fallback is named in one note on stderr and standard output stays as it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from afkg.errors import InputError
from afkg.layout import ROOT_ENV, find_project, find_upwards

from conftest import PROJECT

GARBAGE = "garbage appended by a test\n"
BROKEN = "data/albania-france/economy.ttl"


def afkg(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m afkg ARGS`` in ``cwd``, with ``$AFKG_ROOT`` unset unless ``env`` sets it."""
    full = {k: v for k, v in os.environ.items() if k != ROOT_ENV}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "afkg", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


@pytest.fixture()
def broken_copy(project_copy: Path) -> Path:
    """A project copy with garbage appended to one data file."""
    with (project_copy / BROKEN).open("a", encoding="utf-8") as file:
        file.write(GARBAGE)
    return project_copy


@pytest.fixture()
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder inside no project."""
    folder = tmp_path_factory.mktemp("outside") / "somewhere" / "deep"
    folder.mkdir(parents=True)
    assert find_upwards(folder) is None
    return folder


def assert_broken_file_reported(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"afkg: error: {BROKEN}:"), lines[0]
    assert "Turtle syntax error" in lines[0]


# --- from the current folder upwards -------------------------------------------------------------------------

def test_validate_from_a_subfolder_sees_the_checkouts_files(broken_copy):
    """The reviewer's case: garbage in a data file of the folder you stand in is not ignored."""
    assert_broken_file_reported(afkg("validate", cwd=broken_copy / "data" / "albania-france"))


def test_validate_from_the_project_folder_itself(broken_copy):
    assert_broken_file_reported(afkg("validate", cwd=broken_copy))


@pytest.mark.slow  # test_validate_from_a_subfolder_sees_the_checkouts_files stays in the fast tier
def test_a_sound_copy_found_from_a_subfolder_conforms_without_a_note(project_copy):
    result = afkg("validate", cwd=project_copy / "queries")
    assert (result.returncode, result.stdout, result.stderr) == (0, "Conforms: yes (0 problems)\n", "")


def test_the_nearest_project_wins(project_copy):
    inner = project_copy / "data" / "nested"
    shutil.copytree(project_copy / "ontology", inner / "ontology")
    assert find_project(cwd=inner / "ontology").layout.root == inner
    assert find_project(cwd=project_copy / "data").layout.root == project_copy


def test_the_marker_is_ontology_afkg_ttl(tmp_path, monkeypatch):
    monkeypatch.delenv(ROOT_ENV, raising=False)
    for name in ("data", "queries", "ontology"):
        (tmp_path / "near" / name).mkdir(parents=True)  # the folders alone do not make a project
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "afkg.ttl").write_text("", encoding="utf-8")
    found = find_project(cwd=tmp_path / "near" / "data")
    assert (found.layout.root, found.source, found.note) == (tmp_path, "cwd", None)


# --- explicit choices win ------------------------------------------------------------------------------------

@pytest.mark.slow  # test_root_option_wins_over_the_environment stays in the fast tier
def test_root_option_wins_over_the_current_folder(broken_copy):
    result = afkg("--root", str(PROJECT), "validate", cwd=broken_copy / "data")
    assert (result.returncode, result.stdout, result.stderr) == (0, "Conforms: yes (0 problems)\n", "")


@pytest.mark.slow  # test_root_option_wins_over_the_environment stays in the fast tier
def test_environment_wins_over_the_current_folder(broken_copy):
    result = afkg("validate", cwd=broken_copy / "data", env={ROOT_ENV: str(PROJECT)})
    assert (result.returncode, result.stdout, result.stderr) == (0, "Conforms: yes (0 problems)\n", "")


def test_root_option_wins_over_the_environment(broken_copy):
    result = afkg("--root", str(broken_copy), "validate", cwd=PROJECT, env={ROOT_ENV: str(PROJECT)})
    assert_broken_file_reported(result)


def test_an_explicit_folder_that_is_no_project_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    with pytest.raises(InputError, match="not an afkg project folder"):
        find_project(cwd=PROJECT)
    with pytest.raises(InputError, match="not an afkg project folder"):
        find_project(tmp_path, cwd=PROJECT)
    result = afkg("validate", cwd=PROJECT, env={ROOT_ENV: str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr == f"afkg: error: {tmp_path}: not an afkg project folder (no ontology/afkg.ttl)\n"


# --- outside any project: a fallback, and a note that says so ------------------------------------------------

def test_outside_any_project_the_source_checkout_is_used_and_named(outside):
    result = afkg("validate", cwd=outside)
    assert (result.returncode, result.stdout) == (0, "Conforms: yes (0 problems)\n")
    assert result.stderr == (f"afkg: note: using the source checkout {PROJECT} "
                             f"(no project folder found from {outside} upwards)\n")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package laid out as ``pip install .`` lays it out: afkg/ with the project in afkg/_bundle/."""
    site = tmp_path_factory.mktemp("site-packages")
    shutil.copytree(PROJECT / "src" / "afkg", site / "afkg", ignore=shutil.ignore_patterns("__pycache__", "_bundle"))
    for name in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT / name, site / "afkg" / "_bundle" / name)
    return site


def test_outside_any_project_an_installed_package_uses_its_bundle_and_says_so(installed, outside):
    env = {"PYTHONPATH": str(installed)}
    result = afkg("validate", cwd=outside, env=env)
    assert (result.returncode, result.stdout) == (0, "Conforms: yes (0 problems)\n"), result.stderr
    assert result.stderr == ("afkg: note: using the bundled example project "
                             f"(no project folder found from {outside} upwards)\n")
    # standard output is what the same command prints on the project itself: pipes stay byte-identical
    piped = afkg("export", "--format", "nt", cwd=outside, env=env)
    direct = afkg("--root", str(PROJECT), "export", "--format", "nt", cwd=outside)
    assert piped.returncode == direct.returncode == 0
    assert piped.stdout == direct.stdout and direct.stderr == ""


def test_an_installed_package_inside_a_project_uses_the_project(installed, broken_copy):
    """The reviewer's case after `pip install .`: the checkout's files, not the bundled copy."""
    assert_broken_file_reported(afkg("validate", cwd=broken_copy / "data", env={"PYTHONPATH": str(installed)}))


def test_an_unreadable_current_folder_falls_back_with_a_note(monkeypatch):
    monkeypatch.delenv(ROOT_ENV, raising=False)

    def gone() -> str:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(os, "getcwd", gone)
    found = find_project()
    assert found.source in ("checkout", "bundle")
    assert found.note is not None and found.note.endswith("(no project folder found upwards: the current folder cannot be read)")
