"""The ``afkg`` command line: parses arguments, calls the library, prints.

Exit codes: 0 success; 1 the graph does not conform or a query failed;
2 bad usage or input that cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from afkg.errors import AfkgError
from afkg.layout import Layout, default_layout

if TYPE_CHECKING:
    from afkg.graph import KnowledgeGraph


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
            from afkg.graph import load

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
    from afkg.validate import validate as run_validation

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
    from afkg import stats as stats_module

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
    from afkg import stats as stats_module
    from afkg.publish import build as build_module

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


@cli.command("export")
@click.option("--format", "fmt", default="turtle", show_default=True, metavar="FORMAT",
              help="turtle, ntriples, jsonld, rdfxml, trig or nquads.")
@click.option("--graph", "graph", default="all", show_default=True, metavar="GRAPH",
              help="data, ontology, shapes, metadata, or all (TriG and N-Quads keep each in its named graph).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
@click.option("--context", "context_url", default=None, metavar="URL",
              help="JSON-LD: refer to the context by this URL instead of embedding it.")
@click.option("--frame", default=None, metavar="FRAME",
              help="JSON-LD: nest each of events, facts or actors with what it points to.")
@click.pass_obj
def export_command(session: Session, fmt: str, graph: str, output: Path | None, context_url: str | None,
                   frame: str | None) -> None:
    """Export the graph in an RDF format, with stable bytes."""
    from afkg.publish import export

    data = export.export(session.kg(), fmt, graph, context_url=context_url, frame=frame)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        export.write_atomic(output, data)


@cli.command("context")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically), e.g. ontology/context.jsonld.")
@click.pass_obj
def context_command(session: Session, output: Path | None) -> None:
    """Print the JSON-LD context generated from the ontology."""
    from afkg.publish.context import build_context, context_text

    text = context_text(build_context(session.kg().ontology))
    _emit(text, output)


@cli.command("docs")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("site"), show_default=True, help="Folder to write index.html into.")
@click.pass_obj
def docs_command(session: Session, out_dir: Path) -> None:
    """Write an HTML page documenting the ontology: classes, properties,
    alignments, and the shapes that apply to each class."""
    from afkg.atomic import write_atomic
    from afkg.publish.docs import ontology_page

    kg = session.kg()
    path = out_dir / "index.html"
    write_atomic(path, ontology_page(kg.ontology, kg.shapes).encode("utf-8"))
    click.echo(f"Wrote {path}")


# --- stored queries ---------------------------------------------------------------------

_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld")
_ENGINES = ("oxigraph", "rdflib")


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("year=2024", ...)`` as a dict; a malformed or repeated pair is a UsageError."""
    from afkg.errors import UsageError

    given: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"bad parameter {pair!r}: write -p NAME=VALUE")
        if name.strip() in given:
            raise UsageError(f"parameter '{name.strip()}' is given twice")
        given[name.strip()] = value
    return given


def _emit(text: str, output: Path | None) -> None:
    """Print ``text``, or write it atomically to ``output``."""
    if output is None:
        click.echo(text, nl=False)
        return
    from afkg.atomic import write_atomic

    write_atomic(output, text.encode("utf-8"))


def _federation(allow: tuple[str, ...], redirects: tuple[str, ...]) -> Any:
    """The federation settings of ``--allow-service`` and ``--service-endpoint``."""
    from afkg.errors import UsageError
    from afkg.query.federation import Federation

    mapping = {}
    for pair in redirects:
        iri, equals, url = pair.partition("=")
        if not equals or not iri or not url:
            raise UsageError(f"bad --service-endpoint {pair[:200]!r}: write SERVICE_IRI=URL")
        mapping[iri] = url
    return Federation.default(list(allow), mapping)


def _timeout_value(ctx: click.Context, param: click.Parameter, value: str) -> float:
    from afkg.query.limits import parse_timeout

    return parse_timeout(value, "--timeout")


def _max_rows_value(ctx: click.Context, param: click.Parameter, value: str) -> int:
    from afkg.query.limits import parse_max_rows

    return parse_max_rows(value, "--max-rows")


def _run_options(function: Any) -> Any:
    """The options shared by ``query run`` and ``query exec``."""
    function = click.option("--max-rows", default="100000", show_default=True, metavar="N",
                            callback=_max_rows_value,
                            help="Keep at most N rows (or triples); a warning says when rows were dropped.")(function)
    function = click.option("--timeout", default="30", show_default=True, metavar="SECONDS",
                            callback=_timeout_value,
                            help="Stop the query (and any SERVICE call) after SECONDS; exit 1, "
                                 "nothing written.")(function)
    function = click.option("--service-endpoint", "redirects", multiple=True, metavar="IRI=URL",
                            help="Send SERVICE <IRI> requests to URL instead (a mirror or a local stand-in).")(function)
    function = click.option("--allow-service", "allow", multiple=True, metavar="URL",
                            help="Also allow SERVICE calls to this endpoint (Wikidata's is always allowed; "
                                 "so are those in $AFKG_ALLOWED_SERVICES, comma-separated).")(function)
    function = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                            help="Write to this file (atomically) instead of standard output.")(function)
    function = click.option("--engine", type=click.Choice(_ENGINES), default="oxigraph", show_default=True,
                            help="SPARQL engine.")(function)
    function = click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
                            help="Result format: table (the default), csv, tsv, json, xml for SELECT and ASK; "
                                 "turtle (the default), ntriples, jsonld for CONSTRUCT and DESCRIBE.")(function)
    function = click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                            help="A parameter value; repeat for several.")(function)
    return function


def _run_bounded_query(session: Session, load: Any, params: tuple[str, ...], fmt: str | None, engine: str,
                       output: Path | None, allow: tuple[str, ...], redirects: tuple[str, ...],
                       timeout: float, max_rows: int) -> None:
    """Run the query ``load()`` gives in a child process bounded by ``timeout`` (and memory),
    keep at most ``max_rows`` rows, and print or write the rendered result."""
    from afkg.query.catalogue import execute
    from afkg.query.engines import get_engine
    from afkg.query.limits import run_bounded
    from afkg.query.results import render

    given = _parse_params(params)
    federation = _federation(allow, redirects)
    layout = session.layout

    def work() -> tuple[str, bool]:
        query = load()
        result = execute(query, get_engine(engine, layout), given, federation, max_rows=max_rows)
        context = None
        if fmt == "jsonld" and layout.context_file.is_file():
            from afkg.publish.context import load_context

            context = load_context(layout.context_file)
        return render(result, fmt, context=context), bool(getattr(result, "truncated", False))

    text, truncated = run_bounded(work, timeout=timeout)
    _emit(text, output)
    if truncated:
        click.echo(f"afkg: warning: results truncated to {max_rows} rows (--max-rows)", err=True)


@cli.group(cls=AfkgGroup)
def query() -> None:
    """Stored SPARQL queries: list, show, run, exec, lint."""


@query.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def query_list(session: Session, fmt: str) -> None:
    """List the stored queries with their summaries and parameters. Queries marked
    'network' are federated: they call Wikidata's query service (or another allowed SERVICE)."""
    import json

    from afkg.query.catalogue import Catalogue

    queries = Catalogue(session.layout).all()
    if fmt == "json":
        click.echo(json.dumps([
            {"name": q.name, "type": q.query_type, "summary": q.summary, "tags": list(q.tags),
             "federated": q.federated, "params": [p.describe() for p in q.params.values()]} for q in queries
        ], indent=2, ensure_ascii=False))
        return
    width = max((len(q.name) for q in queries), default=0)
    for q in queries:
        where = "network" if q.federated else "local"
        click.echo(f"{q.name:<{width}}  {q.query_type:<9}  {where:<7}  {q.summary}")
        for p in q.params.values():
            click.echo(f"{'':<{width}}  {'':<9}  {'':<7}    -p {p.describe()}")


@query.command("show")
@click.argument("name")
@click.pass_obj
def query_show(session: Session, name: str) -> None:
    """Show a stored query: header, parameters and SPARQL text."""
    from afkg.query.catalogue import Catalogue

    q = Catalogue(session.layout).get(name)
    click.echo(f"{q.name} ({q.query_type}{', federated: needs the network' if q.federated else ''}): {q.summary}")
    if q.description:
        click.echo(q.description)
    if q.tags:
        click.echo("tags: " + ", ".join(q.tags))
    for p in q.params.values():
        click.echo(f"param {p.describe()}" + (f": {p.description}" if p.description else ""))
    click.echo("")
    click.echo(q.text, nl=not q.text.endswith("\n"))


@query.command("run")
@click.argument("name")
@_run_options
@click.pass_obj
def query_run(session: Session, name: str, params: tuple[str, ...], fmt: str | None, engine: str,
              output: Path | None, allow: tuple[str, ...], redirects: tuple[str, ...], timeout: float,
              max_rows: int) -> None:
    """Run the stored query NAME and print its results.

    Nothing is fetched but allow-listed SERVICE endpoints: Wikidata's query service,
    --allow-service URLs and $AFKG_ALLOWED_SERVICES (comma-separated URLs). Redirects
    are never followed. The query stops after --timeout seconds (exit 1, nothing
    written) and keeps at most --max-rows rows.
    """
    from afkg.query.catalogue import Catalogue

    catalogue = Catalogue(session.layout)
    stored = catalogue.get(name)
    _run_bounded_query(session, lambda: stored, params, fmt, engine, output, allow, redirects, timeout, max_rows)


@query.command("exec")
@click.argument("source", metavar="SOURCE")
@_run_options
@click.pass_obj
def query_exec(session: Session, source: str, params: tuple[str, ...], fmt: str | None, engine: str,
               output: Path | None, allow: tuple[str, ...], redirects: tuple[str, ...], timeout: float,
               max_rows: int) -> None:
    """Run an ad-hoc query from SOURCE (a file, or - for standard input), at most 1 MiB.

    The same allow-list, --timeout and --max-rows as 'query run' apply;
    $AFKG_ALLOWED_SERVICES adds allowed SERVICE endpoints.
    """
    from afkg.query.catalogue import from_text, read_query_bytes, read_query_file
    from afkg.query.guard import MAX_QUERY_BYTES

    if source == "-":
        name = "stdin"
        stdin = getattr(sys.stdin, "buffer", None) or sys.stdin
        data = stdin.read(MAX_QUERY_BYTES + 1)
        text = read_query_bytes(data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data, name)
    else:
        name = source
        text = read_query_file(Path(source))
    _run_bounded_query(session, lambda: from_text(text, name), params, fmt, engine, output, allow, redirects,
                       timeout, max_rows)


@query.command("lint")
@click.pass_obj
def query_lint(session: Session) -> None:
    """Check every stored query: header YAML, keys, parameters, SPARQL syntax.
    Prints one line per problem and exits 1 if there is any."""
    from afkg.query.catalogue import Catalogue, lint

    catalogue = Catalogue(session.layout)
    problems = lint(catalogue)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo(f"{len(catalogue.names())} queries, no problems")


# --- Wikidata links --------------------------------------------------------------------------

def _api_value(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from afkg.wikidata.client import check_url

    return None if value is None else check_url(value, "--api")


def _api_option(function: Any) -> Any:
    function = click.option("--timeout", default="20", show_default=True, metavar="SECONDS",
                            callback=_timeout_value,
                            help="Seconds allowed for each request, from sending to the last byte.")(function)
    return click.option("--api", default=None, metavar="URL", callback=_api_value,
                        help="Wikidata Action API (default: $AFKG_WIKIDATA_API, else www.wikidata.org). "
                             "Redirects are never followed.")(function)


def _api(api: str | None) -> str:
    import os

    from afkg.wikidata.client import check_url
    from afkg.wikidata.items import API, API_ENV

    if api:
        return api
    if os.environ.get(API_ENV):
        return check_url(os.environ[API_ENV], f"${API_ENV}")
    return API


@cli.group(cls=AfkgGroup)
def link() -> None:
    """Links to Wikidata: check, refresh, suggest, compare, quickstatements."""


@link.command("check")
@click.pass_obj
def link_check(session: Session) -> None:
    """Check the links offline: well-formed item IRIs, checked identifiers, no Q-id
    shared by two entities, labels and classes that agree with the recorded items.
    Lists the unlinked entities. Exits 1 if there is a problem."""
    from afkg.wikidata.check import check

    problems, unlinked = check(session.kg())
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(unlinked)} entities need a Wikidata link:")
    for line in unlinked:
        click.echo(f"  {line}")
    if problems:
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}", err=True)
        sys.exit(1)


@link.command("refresh")
@_api_option
@click.pass_obj
def link_refresh(session: Session, api: str | None, timeout: float) -> None:
    """Fetch every linked item from the Wikidata API and record it in
    data/wikidata/items.json (written only if every request succeeds)."""
    from afkg.wikidata.client import WebClient
    from afkg.wikidata.refresh import refresh

    kg = session.kg()
    with WebClient(timeout=timeout) as client:
        path = refresh(kg, client, api=_api(api))
        click.echo(f"Recorded {path} ({client.requests} request{'s' if client.requests != 1 else ''})")


@link.command("suggest")
@_api_option
@click.pass_obj
def link_suggest(session: Session, api: str | None, timeout: float) -> None:
    """Search Wikidata for candidate items of the unlinked entities. Prints them for a
    person to confirm; nothing is written."""
    from afkg.wikidata.client import WebClient
    from afkg.wikidata.refresh import suggest

    with WebClient(timeout=timeout) as client:
        candidates = suggest(session.kg(), client, api=_api(api))
    for c in candidates:
        classes = ", ".join(c.instance_of) or "?"
        click.echo(f"{c.entity}\t{c.item}\t{c.item_label}\t{c.description}\tinstance of {classes}")
    click.echo(f"{len(candidates)} candidates; confirm by hand before adding any link", err=True)


@link.command("compare")
@click.pass_obj
def link_compare(session: Session) -> None:
    """Set the graph's statements about linked items against the recorded Wikidata
    statements: agrees, missing in Wikidata, conflicts."""
    from afkg.wikidata.compare import compare

    rows = compare(session.kg())
    width = max((len(r.status) for r in rows), default=0)
    for r in rows:
        click.echo(f"{r.status:<{width}}  {r.subject}\t{r.property}\t{r.value}\t{r.detail}")


@link.command("quickstatements")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
@click.pass_obj
def link_quickstatements(session: Session, output: Path | None) -> None:
    """The graph's statements that Wikidata lacks, as QuickStatements V1 lines with
    references to the article."""
    from afkg.wikidata.quickstatements import quickstatements

    lines, notes = quickstatements(session.kg())
    _emit("".join(line + "\n" for line in lines), output)
    for note in notes:
        click.echo(f"note: {note}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``afkg`` console script."""
    cli.main(args=argv, prog_name="afkg")
