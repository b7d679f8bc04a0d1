"""The README's promises stay true: CI runs its test command, the CLI it shows exists, its links
resolve, and every shell example of README.md and docs/*.md runs and prints what it shows.

Shell examples are ```sh blocks, one command a line (a heredoc or a line ending in a backslash
continues it; `# comments` are allowed). A ```text block right after a ```sh block of one command
is that command's output, standard output and standard error as a terminal shows them, compared
byte for byte (except that CRLF, which SPARQL's CSV results use, compares equal to LF). Each command runs with bash in a throw-away copy of the project, found from the
current folder as a user's afkg finds it, unless SKIPPED_BY_DESIGN names it with the reason it
cannot run here; so a new example is either checked or consciously excluded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from afkg.cli import cli

from conftest import PROJECT

PAGES = [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]

SKIPPED_BY_DESIGN = {
    "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/afkg build && .venv/bin/afkg serve":
        "set-up command 1: installs from the package index and ends in `afkg serve`, which does not return",
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest":
        "set-up command 2: installs from the package index and runs this very suite (.ci/run runs it)",
    '.venv/bin/python -m pytest -m "not slow"': "runs this very suite's fast tier",
    "afkg link refresh": "network: fetches the linked items from Wikidata",
    "afkg link suggest": "network: asks Wikidata for candidate items",
    "afkg serve": "serves until Ctrl-C (the server tests start the server themselves)",
    "afkg serve --port 0": "serves until Ctrl-C",
    "afkg build --store store/ && afkg serve --store store/": "ends in `afkg serve`, which serves until Ctrl-C",
    "uvicorn afkg.server:app": "serves until Ctrl-C",
    "curl 'http://127.0.0.1:8000/api/queries/is-member?member=Albania&organisation=NATO'":
        "needs a running `afkg serve`",
    "curl 'http://127.0.0.1:8000/api/queries/timeline.csv?limit=10&offset=10'": "needs a running `afkg serve`",
    "afkg push --store http://localhost:7878/store": "needs a SPARQL store (tests/test_store.py starts one)",
    "afkg push --update-endpoint http://localhost:7878/update": "needs a SPARQL store",
    "AFKG_STORE_TOKEN=… afkg push --store https://store.example/ds/data": "network: a remote store",
    "afkg push --store http://localhost:3030/afkg/data --user admin:secret": "needs a Fuseki store",
    "afkg query run trade-by-year -p year=2024 --endpoint http://localhost:7878/query":
        "needs a SPARQL endpoint (tests/test_store.py starts one)",
    **dict.fromkeys([
        'afkg new ruritania-freedonia --source tests/articles/ruritania-freedonia.txt '
        '--title "Ruritania–Freedonia relations" --url https://example.org/ruritania-freedonia',
        'afkg quote ruritania-freedonia "established diplomatic relations"',
        "cat > data/ruritania-freedonia/history.ttl <<'EOF'",
        "afkg coverage --relation ruritania-freedonia",
    ], "a step of the README's walk through adding a relation: tests/test_adding_a_relation.py runs them in order"),
}
"""Commands (without their `# comment`) that are not run, and why."""

BROKEN_LINE = 24
BROKEN_FILE = "data/albania-france/economy.ttl"


def delete_closing_quote(root: Path) -> None:
    path = root / BROKEN_FILE
    lines = path.read_text(encoding="utf-8").split("\n")
    line = lines[BROKEN_LINE - 1]
    assert line.endswith('" .'), f"{BROKEN_FILE}:{BROKEN_LINE} no longer ends in a quoted string: {line!r}"
    lines[BROKEN_LINE - 1] = line[: -len('" .')] + " ."
    path.write_text("\n".join(lines), encoding="utf-8")


PREPARED: dict[str, Callable[[Path], None]] = {
    "afkg validate # after deleting the closing quote on line 24 of data/albania-france/economy.ttl":
        delete_closing_quote,
}
"""Examples (whole first line, comment included) that need the project copy changed first."""

EXIT_CODES = {
    "afkg export --fromat turtle": 2,
    "afkg validate # after deleting the closing quote on line 24 of data/albania-france/economy.ttl": 2,
}
"""Examples (whole first line) that end with another exit code than 0."""


# --- reading the pages -------------------------------------------------------------------------------------

FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[^`\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    text: str
    start: int
    end: int
    section: str


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    command: str
    output: str | None

    @property
    def first_line(self) -> str:
        return " ".join(self.command.split("\n")[0].split())

    @property
    def key(self) -> str:
        return " ".join(re.sub(r"\s+#.*$", "", self.command.split("\n")[0]).split())

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(PROJECT)}:{self.line}:{self.key[:60]}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        indent = len(match.group("indent"))
        body = "\n".join(line[indent:] for line in match.group("body").rstrip("\n").split("\n"))
        headings = re.findall(r"^#+ (.+)$", text[: match.start()], flags=re.MULTILINE)
        found.append(Block(page, text.count("\n", 0, match.start()) + 1, match.group("lang").strip(), body,
                           match.start(), match.end(), headings[-1] if headings else ""))
    return found


def commands(text: str) -> list[tuple[int, str]]:
    """The commands of a ```sh block, with their line offsets: heredocs and continuations joined."""
    lines = text.split("\n")
    found, i = [], 0
    while i < len(lines):
        start, command = i, lines[i]
        i += 1
        if not command.strip() or command.lstrip().startswith("#"):
            continue
        while command.endswith("\\") and i < len(lines):
            command += "\n" + lines[i]
            i += 1
        heredoc = re.search(r"<<-?\s*'?(\w+)'?", command)
        if heredoc:
            while i < len(lines):
                command += "\n" + lines[i]
                i += 1
                if lines[i - 1].strip() == heredoc.group(1):
                    break
        found.append((start, command))
    return found


def examples() -> list[Example]:
    found = []
    for page in PAGES:
        page_blocks = blocks(page)
        text = page.read_text(encoding="utf-8")
        for index, block in enumerate(page_blocks):
            if block.lang != "sh":
                continue
            following = page_blocks[index + 1] if index + 1 < len(page_blocks) else None
            output = None
            if following and following.lang == "text" and not text[block.end:following.start].strip():
                output = following.text
            block_commands = commands(block.text)
            for offset, command in block_commands:
                found.append(Example(page, block.line + 1 + offset, command,
                                     output if len(block_commands) == 1 else None))
    return found


EXAMPLES = examples()


# --- the set-up commands and the command table --------------------------------------------------------------

def setup_commands() -> list[str]:
    return [b.text.strip() for b in blocks(PROJECT / "README.md")
            if b.lang == "sh" and b.section == "Set-up: two commands"]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second():
    commands = setup_commands()
    assert len(commands) == 2
    assert "afkg build" in commands[0]
    assert "pytest" in commands[1]
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in ci


@pytest.mark.parametrize("page", ["README.md", "docs/cli.md"])
def test_every_command_is_in_the_command_tables(page):
    text = (PROJECT / page).read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `afkg (\w+)", text, flags=re.MULTILINE))
    assert documented == set(cli.commands)
    for name in documented:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0


def test_the_readme_links_every_docs_page():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for page in PAGES[1:]:
        assert f"(docs/{page.name})" in readme, page.name


# --- links ---------------------------------------------------------------------------------------------------

def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_links_resolve(page):
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{target}: no such heading")
    assert not problems


# --- the shell examples --------------------------------------------------------------------------------------

def test_every_fenced_block_names_its_language():
    unnamed = [f"{b.page.relative_to(PROJECT)}:{b.line}" for page in PAGES for b in blocks(page) if not b.lang]
    assert not unnamed, "name the language of each ``` block (sh for shell examples, text for output)"


def test_output_blocks_follow_a_single_command():
    for page in PAGES:
        page_blocks = blocks(page)
        text = page.read_text(encoding="utf-8")
        for before, after in zip(page_blocks, page_blocks[1:], strict=False):
            if before.lang == "sh" and after.lang == "text" and not text[before.end:after.start].strip():
                assert len(commands(before.text)) == 1, f"{page.name}:{after.line}: whose output is this?"


def test_the_lists_of_exceptions_name_existing_examples():
    keys = {e.key for e in EXAMPLES}
    lines = {e.first_line for e in EXAMPLES}
    assert set(SKIPPED_BY_DESIGN) <= keys, set(SKIPPED_BY_DESIGN) - keys
    assert set(PREPARED) <= lines, set(PREPARED) - lines
    assert set(EXIT_CODES) <= lines, set(EXIT_CODES) - lines
    assert set(setup_commands()) <= set(SKIPPED_BY_DESIGN)


def test_examples_are_found():
    assert len(EXAMPLES) >= 30
    assert sum(e.output is not None for e in EXAMPLES) >= 5


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """`afkg` on PATH for this interpreter, an environment without $AFKG_ROOT and without a way out."""
    bin_dir = tmp_path_factory.mktemp("bin")
    shim = bin_dir / "afkg"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m afkg "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "AFKG_ROOT" and not k.lower().endswith("_proxy")}
    dead = "http://127.0.0.1:9"  # nothing listens there: a command that reaches out fails instead
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", HTTP_PROXY=dead, HTTPS_PROXY=dead,
               ALL_PROXY=dead, http_proxy=dead, https_proxy=dead, AFKG_WIKIDATA_API=f"{dead}/w/api.php")
    return {"env": env, "copy": copy_project(tmp_path_factory.mktemp("shared"))}


def copy_project(into: Path) -> Path:
    for name in ("ontology", "data", "queries"):
        shutil.copytree(PROJECT / name, into / name)
    return into


RUNNABLE = [e for e in EXAMPLES if e.key not in SKIPPED_BY_DESIGN]


@pytest.mark.sample(4)
@pytest.mark.parametrize("example", RUNNABLE, ids=[e.id for e in RUNNABLE])
def test_shell_example(example, shell, tmp_path):
    root = shell["copy"]
    prepare = PREPARED.get(example.first_line)
    if prepare is not None:
        root = copy_project(tmp_path)
        prepare(root)
    result = subprocess.run(["bash", "-o", "pipefail", "-c", example.command], cwd=root, env=shell["env"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    shown = result.stdout.decode("utf-8", "backslashreplace").replace("\r\n", "\n")  # CSV lines end in CRLF
    assert result.returncode == EXIT_CODES.get(example.first_line, 0), shown[-2000:]
    if example.output is not None:
        assert shown == example.output + "\n"
