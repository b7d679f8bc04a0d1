"""The README's promises stay true: CI runs its test command, and the CLI it shows exists."""

from __future__ import annotations

import re

from click.testing import CliRunner

from afkg.cli import cli

from conftest import PROJECT


def readme() -> str:
    return (PROJECT / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    return [c.strip() for c in re.findall(r"```sh\n(.+?)\n\s*```", readme())]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second():
    commands = setup_commands()
    assert len(commands) == 2
    assert "afkg build" in commands[0]
    assert "pytest" in commands[1]
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in ci


def test_every_command_in_the_readme_table_exists():
    documented = set(re.findall(r"^\| `afkg (\w+)", readme(), flags=re.MULTILINE))
    assert documented == set(cli.commands)
    for name in documented:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0


def test_query_examples_in_the_readme_run():
    import shlex

    examples = re.findall(r"^(afkg query (?:run|show|list|lint)[^#\n]*)", readme(), flags=re.MULTILINE)
    assert len(examples) >= 5
    for line in examples:
        result = CliRunner().invoke(cli, shlex.split(line)[1:])
        assert result.exit_code == 0, (line, result.output)
