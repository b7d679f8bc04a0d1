"""The ``afkg`` command line: parses arguments, calls the library, prints.

Exit codes: 0 success; 1 the graph does not conform or a query failed;
2 bad usage or input that cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from afkg import build as build_module
from afkg import stats as stats_module
from afkg.errors import AfkgError
from afkg.graph import KnowledgeGraph, Layout, default_layout, load
from afkg.validate import validate as run_validation


class Session:
    """What the commands of one invocation share: the project folder and its graph."""

    def __init__(self, root: str | None) -> None:
        self._root = root
        self._kg: KnowledgeGraph | None = None

    @property
    def layout(self) -> Layout:
        return default_layout(self._root)

    def kg(self) -> KnowledgeGraph:
        """The graph, loaded on first use."""
        if self._kg is None:
            self._kg = load(self.layout)
        return self._kg


class AfkgGroup(click.Group):
    """A click group that turns AfkgError into a one-line message and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AfkgError as error:
            click.echo(f"afkg: error: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=AfkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Project folder with ontology/, data/ and queries/ (default: $AFKG_ROOT, else the bundled data).",
)
@click.version_option(package_name="afkg")
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """afkg: a knowledge graph of a bilateral relation, with provenance for every fact."""
    ctx.obj = Session(root)


@cli.command()
@click.option(
    "--format", "fmt",
    type=click.Choice(["text", "turtle", "json"]),
    default="text", show_default=True,
    help="Report format.",
)
@click.pass_obj
def validate(session: Session, fmt: str) -> None:
    """Check the graph against the SHACL shapes and its source text.

    Exits 0 when the graph conforms, 1 with a report when it does not, and
    2 when a file cannot be read.
    """
    report = run_validation(session.kg())
    output = {"text": report.text, "turtle": report.turtle, "json": report.json}[fmt]()
    click.echo(output, nl=False)
    sys.exit(0 if report.conforms else 1)


@cli.command()
@click.option(
    "--format", "fmt",
    type=click.Choice(["text", "json"]),
    default="text", show_default=True,
    help="Output format.",
)
@click.pass_obj
def stats(session: Session, fmt: str) -> None:
    """Count triples, entities per class and facts per article section."""
    figures = stats_module.compute(session.kg())
    click.echo(figures.text() if fmt == "text" else figures.json(), nl=False)


@cli.command()
@click.option(
    "-o", "--output", "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"), show_default=True,
    help="Folder to write into.",
)
@click.pass_obj
def build(session: Session, out_dir: Path) -> None:
    """Load and validate the graph, then write it (Turtle, N-Triples) and its
    VoID/DCAT description. Nothing is written if the graph does not conform."""
    kg = session.kg()
    result = build_module.build(kg, out_dir)
    if not result.report.conforms:
        click.echo(result.report.text(), err=True, nl=False)
        click.echo("afkg: build stopped: the graph does not conform; nothing was written", err=True)
        sys.exit(1)
    figures = stats_module.compute(kg)
    click.echo("Validation: conforms")
    click.echo(f"Triples: {figures.triples}  Facts: {figures.facts}")
    click.echo("Facts per section: " + ", ".join(f"{k} {v}" for k, v in figures.facts_per_section.items()))
    for path in result.files:
        click.echo(f"Wrote {path}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``afkg`` console script."""
    cli.main(args=argv, prog_name="afkg")
