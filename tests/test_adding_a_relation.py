"""The README's "Adding a relation" runs as written, in its order, on the made-up article
tests/articles/ruritania-freedonia.txt: new, quote, facts, validate, coverage, link suggest.

Each ```sh block of the section runs in one throw-away project (tests/test_readme.py leaves these
steps to this test, since each needs the one before), and prints what the ```text block after it
shows."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.wikidata.items import API_ENV
from test_readme import blocks, commands

from conftest import PROJECT
from fakes import FakeServer, Reply, Request

SECTION = "Adding a relation"


def steps() -> list[tuple[str, str | None]]:
    """The section's commands in order, each with the output the README shows for it (if any)."""
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    found = [b for b in blocks(PROJECT / "README.md") if b.section == SECTION]
    walk = []
    for index, block in enumerate(found):
        if block.lang != "sh":
            continue
        after = found[index + 1] if index + 1 < len(found) else None
        output = after.text if after and after.lang == "text" and not text[block.end:after.start].strip() else None
        block_commands = commands(block.text)
        walk += [(command, output if len(block_commands) == 1 else None) for _offset, command in block_commands]
    return walk


def test_the_walk_is_new_quote_facts_validate_coverage_link():
    heads = [" ".join(command.split()[:2]) for command, _output in steps()]
    assert heads == ["afkg new", "afkg quote", "cat >", "afkg validate", "afkg coverage", "afkg link"]


def search_api(searched: list[str]):
    def respond(request: Request) -> Reply:
        if request.params.get("action") == "wbsearchentities":
            searched.append(request.params["search"])
            return Reply(body={"search": []})
        return Reply(status=400, body={"error": {"code": "badrequest", "info": "unexpected"}})

    return respond


def test_the_readme_walk_runs_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "clone"
    shutil.copytree(PROJECT / "ontology", root / "ontology")
    for folder in ("shared", "wikidata"):
        shutil.copytree(PROJECT / "data" / folder, root / "data" / folder)
    article = root / "tests" / "articles" / "ruritania-freedonia.txt"
    article.parent.mkdir(parents=True)
    shutil.copyfile(PROJECT / "tests" / "articles" / "ruritania-freedonia.txt", article)
    monkeypatch.chdir(root)
    monkeypatch.delenv("AFKG_ROOT", raising=False)
    searched: list[str] = []
    printed: dict[str, str] = {}
    with FakeServer(search_api(searched)) as server:
        monkeypatch.setenv(API_ENV, f"{server.url}/w/api.php")
        for command, expected in steps():
            if command.startswith("afkg "):
                result = CliRunner().invoke(cli, shlex.split(command)[1:])
                shown, code = result.output, result.exit_code
                printed[command.split()[1]] = result.stdout
            else:
                done = subprocess.run(["bash", "-c", command], cwd=root, capture_output=True, text=True, timeout=60)
                shown, code = done.stdout + done.stderr, done.returncode
                printed["facts"] = command
            assert code == 0, f"{command}\n{shown}"
            if expected is not None:
                assert shown == expected + "\n", command
    # the facts pasted are the passage 'afkg quote' printed
    assert printed["quote"] in printed["facts"]
    assert (root / "data" / "ruritania-freedonia" / "source.txt").read_bytes() == article.read_bytes()
    # link suggest asked Wikidata about the new parties and the relation
    assert {"Ruritania", "Freedonia", "Ruritania–Freedonia relations"} <= set(searched)
