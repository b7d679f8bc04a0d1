"""The ``afkg`` command line: parses arguments, calls the library, prints.

Exit codes: 0 success; 1 the graph does not conform or a query failed;
2 bad usage or input that cannot be read. Every error is one line on stderr,
``afkg: error: …``. Output is UTF-8 whatever the locale.

Each command imports what it needs inside its function, so that ``afkg --help``
and each command load only their own modules.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from typing import TYPE_CHECKING, Any

# Importing click (and the standard modules it needs) makes tens of thousands of objects, none of them
# garbage: the collector's passes over them while it imports cost every command a millisecond or two.
# So it is paused meanwhile, and the objects then move to the oldest generation without a pass (a
# freeze, then a thaw; skipped when the program froze objects of its own, which the thaw would release).
_collecting = gc.isenabled()
gc.disable()
try:
    import click
finally:
    if not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()
    if _collecting:
        gc.enable()

from afkg.errors import AfkgError, InputError, UsageError  # noqa: E402  (after the paused import of click)

if TYPE_CHECKING:
    from pathlib import Path

    from afkg.graph import KnowledgeGraph
    from afkg.layout import Layout


class _Path:
    """``pathlib.Path`` as click's ``path_type``: every value it makes is a ``pathlib.Path``, but
    pathlib is imported when a value is made, not when the commands are defined ('afkg --help'
    and commands without a path need not import it)."""

    def __new__(cls, value: Any) -> Any:
        from pathlib import Path

        return Path(value)


class Session:
    """What the commands of one invocation share: the project folder and its graph."""

    def __init__(self, root: str | None) -> None:
        self._root = root
        self._layout: Layout | None = None
        self._kg: KnowledgeGraph | None = None

    @property
    def layout(self) -> Layout:
        """The project folder, found on first use; a fallback is named once on stderr."""
        if self._layout is None:
            from afkg.layout import find_project  # not at the top: 'afkg --help' needs no project

            project = find_project(self._root)
            if project.note:
                click.echo(f"afkg: note: {project.note}", err=True)
            self._layout = project.layout
        return self._layout

    def kg(self) -> KnowledgeGraph:
        """The graph, loaded on first use."""
        if self._kg is None:
            from afkg.graph import load

            self._kg = load(self.layout)
        return self._kg


def _utf8_streams() -> None:
    """Write UTF-8 to stdout and stderr whatever the locale or $PYTHONIOENCODING says."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = str(getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if reconfigure is not None and encoding != "utf8":
            try:
                reconfigure(encoding="utf-8")
            except (ValueError, OSError):  # a stream that is already written to or closed keeps its encoding
                pass


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def progress(message: str) -> None:
    """A progress note on stderr, only when stderr is a terminal (never in pipes, files or tests)."""
    stream = sys.stderr
    if getattr(stream, "isatty", lambda: False)():
        click.echo(f"afkg: {message}…", err=True)


class AfkgGroup(click.Group):
    """A click group that turns AfkgError and click's usage errors into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AfkgError as error:
            click.echo(f"afkg: error: {error}", err=True)
            ctx.exit(error.exit_code)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        _utf8_streams()
        try:
            outcome = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("afkg: error: interrupted", err=True)
            sys.exit(1)
        except click.ClickException as error:
            hint = ""
            if isinstance(error, click.UsageError):
                command = error.ctx.command_path if error.ctx is not None else (prog_name or "afkg")
                hint = f" (try '{command} --help')" if command.count(" ") else " (try 'afkg COMMAND --help')"
                if error.ctx is not None and error.ctx.command is self:
                    hint = " (try 'afkg --help')"
            click.echo(f"afkg: error: {_one_line(error.format_message())}{hint}", err=True)
            sys.exit(error.exit_code)
        except OSError as error:
            if error.errno == errno.EPIPE:  # the reader went away (`afkg export | head`): stop quietly
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                sys.exit(1)
            raise
        sys.exit(outcome if isinstance(outcome, int) else 0)


_nothing_to_finalize = True
"""Whether the process holds nothing that the interpreter's shutdown must finalize (an open file to
flush, a store to close, a thread to join): true until a command starts (``--help``, ``--version``, a
usage error), and again once a bounded query has written its answer (``query run``, ``query exec``).
:func:`main` then ends the process at once (:func:`_exit_now`)."""


@click.group(cls=AfkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Project folder with ontology/afkg.ttl, data/ and queries/. Default: $AFKG_ROOT, else the first "
         "such folder from the current one upwards, else the source checkout or the bundled example "
         "project (named in a note on stderr).",
)
@click.version_option(package_name="afkg")
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """afkg: a knowledge graph of a bilateral relation, with provenance for every fact."""
    global _nothing_to_finalize
    _nothing_to_finalize = False  # a command runs: it may leave files, stores or threads to the shutdown
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
    from afkg.validation.validate import validate as run_validation

    progress("loading the graph")
    kg = session.kg()
    progress("validating (SHACL and quotes)")
    report = run_validation(kg)
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


_OUTPUT_HELP = ("Write to this file instead of standard output: a regular file is replaced atomically "
                "(missing folders are created); a device or FIFO such as /dev/null is written to in place.")


@cli.command()
@click.option(
    "-o", "--output", "out_dir",
    type=click.Path(file_okay=False, path_type=_Path),
    default="dist", show_default=True,
    help="Folder to write into; it is replaced as a whole, and may hold only files build writes.",
)
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=_Path), default=None,
              help="Also write an on-disk pyoxigraph store here, for 'afkg serve --store'.")
@click.pass_obj
def build(session: Session, out_dir: Path, store_dir: Path | None) -> None:
    """Load and validate the graph; if it conforms, write the full export (ontology,
    shapes, data and dataset metadata) as afkg.ttl, afkg.nt, afkg.jsonld, afkg.rdf,
    afkg.trig and afkg.nq, the VoID/DCAT description as void.ttl, and the JSON-LD
    context as context.jsonld.

    All or nothing: the files are written into a new folder next to the output
    folder, which then takes its place; if anything fails, or the graph does not
    conform (exit 1), the old folder is left exactly as it was. With --store, an
    on-disk pyoxigraph store is written too, for 'afkg serve --store'."""
    from afkg import stats as stats_module
    from afkg.publish import build as build_module

    if store_dir is not None:
        from afkg.server.store import check_store_target

        check_store_target(store_dir)
    progress("loading the graph")
    kg = session.kg()
    result = build_module.build(kg, out_dir, progress=progress)
    if not result.report.conforms:
        click.echo(result.report.text(), err=True, nl=False)
        click.echo("afkg: build stopped: the graph does not conform; nothing was written", err=True)
        sys.exit(1)
    figures = stats_module.compute(kg)
    click.echo("Validation: conforms")
    click.echo(f"Triples: {figures.export_triples} in every dump  Facts: {figures.facts}")
    click.echo("Facts by first section cited: "
               + ", ".join(f"{k} {v}" for k, v in figures.facts_per_section.items()))
    for path in result.files:
        click.echo(f"Wrote {path}")
    if store_dir is not None:
        from afkg.server.store import write_store

        click.echo(f"Wrote store {write_store(session.layout, store_dir)}")


@cli.command("export")
@click.option("--format", "fmt", default=None, metavar="FORMAT",
              help="turtle, ntriples, jsonld, rdfxml, trig or nquads; also ttl, nt, nq, rdf, xml and media types "
                   "such as text/turtle. Default: from the -o file's extension, else turtle.")
@click.option("--graph", "graph", default="all", show_default=True, metavar="GRAPH",
              help="data, ontology, shapes, metadata, or all (TriG and N-Quads keep each in its named graph).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=_Path), default=None, help=_OUTPUT_HELP)
@click.option("--context", "context_url", default=None, metavar="URL",
              help="JSON-LD: refer to the context by this URL instead of embedding it.")
@click.option("--frame", default=None, metavar="FRAME",
              help="JSON-LD: nest each of events, facts or actors with what it points to.")
@click.pass_obj
def export_command(session: Session, fmt: str | None, graph: str, output: Path | None, context_url: str | None,
                   frame: str | None) -> None:
    """Export the graph in an RDF format, with stable bytes."""
    from afkg.publish import export

    chosen = export.resolve_format(fmt) if fmt is not None else (
        export.format_for_path(output) if output is not None else "turtle")
    data = export.export(session.kg(), chosen, graph, context_url=context_url, frame=frame)
    _emit_bytes(data, output)


@cli.command("context")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=_Path), default=None,
              help="Write to this file, e.g. ontology/context.jsonld (replaced atomically; see export -o).")
@click.pass_obj
def context_command(session: Session, output: Path | None) -> None:
    """Print the JSON-LD context generated from the ontology."""
    from afkg.rdf.context import build_context, context_text

    text = context_text(build_context(session.kg().ontology))
    _emit(text, output)


@cli.command("docs")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=_Path),
              default="site", show_default=True, help="Folder to write index.html into.")
@click.pass_obj
def docs_command(session: Session, out_dir: Path) -> None:
    """Write an HTML page documenting the ontology: classes, properties,
    alignments, and the shapes that apply to each class."""
    from afkg.atomic import write_atomic
    from afkg.publish.docs import ontology_page

    kg = session.kg()
    path = out_dir / "index.html"
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: is a file, not a folder")
    write_atomic(path, ontology_page(kg.ontology, kg.shapes).encode("utf-8"))
    click.echo(f"Wrote {path}")



@cli.command("site")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=True, path_type=_Path),
              default="public", show_default=True, help="Folder to write the site into (replaced as a whole).")
@click.option("--endpoint", default="/sparql", show_default=True, metavar="URL",
              help="SPARQL endpoint the editor page sends its queries to.")
@click.pass_obj
def site_command(session: Session, out_dir: Path, endpoint: str) -> None:
    """Write the web site as static files: home, a page per resource (with its .ttl,
    .nt, .jsonld and .rdf beside it), the ontology, the source texts, the stored
    queries with their default results, the timeline, the trade chart, the SPARQL
    editor and the downloads. Every internal link is relative."""
    from afkg.publish.site import Site, write_site

    site = Site(session.kg(), _store(session), sparql_endpoint=endpoint)
    count = write_site(site, out_dir)
    click.echo(f"Wrote {count} files into {out_dir}")


def _store(session: Session) -> Any:
    """A pyoxigraph store with the ontology and the data of the session's project."""
    from afkg.query.engines import OxigraphEngine

    return OxigraphEngine(session.layout).store

# --- stored queries ---------------------------------------------------------------------

_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld")
"""``table`` and afkg.rdf.formats.CLI_RESULTS + CLI_GRAPH, written out so that ``--help`` imports no more
(tests/test_formats.py checks they agree)."""
_ENGINES = ("oxigraph", "rdflib")


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("year=2024", ...)`` as a dict; a malformed or repeated pair is a UsageError."""
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
    """Print ``text``, or write it to ``output`` (see :mod:`afkg.atomic`); always UTF-8."""
    _emit_bytes(text.encode("utf-8"), output)


def _emit_bytes(data: bytes, output: Path | None) -> None:
    """Write ``data`` to standard output as it is, or to ``output`` (see :mod:`afkg.atomic`)."""
    if output is None:
        click.echo(data, nl=False)
        return
    from afkg.atomic import write_atomic

    write_atomic(output, data)


_ALLOW_ENV = "AFKG_ALLOWED_SERVICES"
"""``afkg.query.federation.ALLOW_ENV``, named here so that a local query need not import that module."""


def _federation(allow: tuple[str, ...], redirects: tuple[str, ...]) -> Any:
    """The federation settings of ``--allow-service`` and ``--service-endpoint``; None when neither
    they nor ``$AFKG_ALLOWED_SERVICES`` name an endpoint: the default settings (Wikidata's query
    service only), which :func:`afkg.query.catalogue.execute` makes itself for a query that calls a
    SERVICE, have nothing to check, and a local query need not import the federation at all."""
    if not allow and not redirects and not any(e.strip() for e in os.environ.get(_ALLOW_ENV, "").split(",")):
        return None
    from afkg.query.federation import Federation

    mapping = {}
    for pair in redirects:
        iri, equals, url = pair.partition("=")
        if not equals or not iri or not url:
            raise UsageError(f"bad --service-endpoint {pair[:200]!r}: write SERVICE_IRI=URL")
        mapping[iri] = url
    return Federation.default(list(allow), mapping)


def _timeout_value(ctx: click.Context, param: click.Parameter, value: str) -> float:
    from afkg.option_values import parse_timeout

    return parse_timeout(value, "--timeout")


def _max_rows_value(ctx: click.Context, param: click.Parameter, value: str) -> int:
    from afkg.option_values import parse_max_rows

    return parse_max_rows(value, "--max-rows")


def _max_memory_value(ctx: click.Context, param: click.Parameter, value: str) -> int:
    from afkg.option_values import parse_max_memory

    return parse_max_memory(value, "--max-memory")


def _run_options(function: Any) -> Any:
    """The options shared by ``query run`` and ``query exec``."""
    function = click.option("--max-memory", default="1024", show_default=True, metavar="MIB",
                            callback=_max_memory_value,
                            help="Stop the query when loading the graph and running it need more than MIB "
                                 "MiB of memory; exit 1, nothing written.")(function)
    function = click.option("--max-rows", default="100000", show_default=True, metavar="N",
                            callback=_max_rows_value,
                            help="Keep at most N rows (or triples); a warning says when rows were dropped.")(function)
    function = click.option("--timeout", default="30", show_default=True, metavar="SECONDS",
                            callback=_timeout_value,
                            help="Stop the query (and any SERVICE call) after SECONDS; exit 1, "
                                 "nothing written.")(function)
    function = click.option("--endpoint", default=None, metavar="URL",
                            help="Run on this remote SPARQL endpoint instead of in memory "
                                 "(credentials from $AFKG_STORE_TOKEN).")(function)
    function = click.option("--service-endpoint", "redirects", multiple=True, metavar="IRI=URL",
                            help="Send SERVICE <IRI> requests to URL instead (a mirror or a local stand-in).")(function)
    function = click.option("--allow-service", "allow", multiple=True, metavar="URL",
                            help="Also allow SERVICE calls to this endpoint (Wikidata's is always allowed; "
                                 "so are those in $AFKG_ALLOWED_SERVICES, comma-separated).")(function)
    function = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=_Path), default=None,
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
                       timeout: float, max_rows: int, endpoint: str | None = None,
                       max_memory: int | None = None) -> None:
    """Run the query ``load()`` gives in a child process bounded by ``timeout`` (and ``max_memory`` bytes),
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
        result = execute(query, get_engine(engine, layout, endpoint=endpoint, timeout=timeout), given, federation,
                         max_rows=max_rows)
        context = None
        if fmt == "jsonld" and layout.context_file.is_file():
            from afkg.rdf.context import load_context

            context = load_context(layout.context_file)
        return render(result, fmt, context=context), bool(getattr(result, "truncated", False))

    text, truncated = (run_bounded(work, timeout=timeout) if max_memory is None
                       else run_bounded(work, timeout=timeout, memory=max_memory))
    _emit(text, output)
    if truncated:
        click.echo(f"afkg: warning: results truncated to {max_rows} rows (--max-rows)", err=True)
    global _nothing_to_finalize
    _nothing_to_finalize = True  # the child is reaped, its scratch file closed, the output written


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
              max_rows: int, endpoint: str | None, max_memory: int) -> None:
    """Run the stored query NAME and print its results.

    Nothing is fetched but allow-listed SERVICE endpoints: Wikidata's query service,
    --allow-service URLs and $AFKG_ALLOWED_SERVICES (comma-separated URLs). Redirects
    are never followed. The query stops after --timeout seconds (exit 1, nothing
    written), or when it needs more than --max-memory MiB, and keeps at most
    --max-rows rows.
    """
    from afkg.query.catalogue import Catalogue

    catalogue = Catalogue(session.layout)
    stored = catalogue.get(name)
    _run_bounded_query(session, lambda: stored, params, fmt, engine, output, allow, redirects, timeout, max_rows,
                       endpoint, max_memory)


@query.command("exec")
@click.argument("source", metavar="SOURCE")
@_run_options
@click.pass_obj
def query_exec(session: Session, source: str, params: tuple[str, ...], fmt: str | None, engine: str,
               output: Path | None, allow: tuple[str, ...], redirects: tuple[str, ...], timeout: float,
               max_rows: int, endpoint: str | None, max_memory: int) -> None:
    """Run an ad-hoc query from SOURCE (a file, or - for standard input), at most 1 MiB.

    The same allow-list, --timeout, --max-memory and --max-rows as 'query run' apply;
    $AFKG_ALLOWED_SERVICES adds allowed SERVICE endpoints.
    """
    from afkg.query.catalogue import from_text, read_query_bytes, read_query_file
    from afkg.query.guard import MAX_QUERY_BYTES

    if source == "-":
        name = "stdin"
        stdin = getattr(sys.stdin, "buffer", None) or sys.stdin
        try:
            data = stdin.read(MAX_QUERY_BYTES + 1)
        except (OSError, ValueError, AttributeError):
            raise UsageError("standard input cannot be read (closed?); give the query as a file") from None
        text = read_query_bytes(data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data, name)
    else:
        name = source
        from pathlib import Path

        text = read_query_file(Path(source))
    _run_bounded_query(session, lambda: from_text(text, name), params, fmt, engine, output, allow, redirects,
                       timeout, max_rows, endpoint, max_memory)


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


# --- serving ---------------------------------------------------------------------------------

@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port; the URL printed names it).")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Seconds a query may run before it is stopped (its worker is replaced).")
@click.option("--max-rows", type=int, default=10000, show_default=True,
              help="Rows (or triples) returned at most; more are dropped and the answer says so.")
@click.option("--max-concurrent", type=int, default=4, show_default=True,
              help="Queries run at once (one worker process each).")
@click.option("--max-queued", type=int, default=None,
              help="Queries that may wait for a worker; beyond that, 503 with Retry-After.  [default: 16 per worker]")
@click.option("--queue-timeout", type=float, default=None, metavar="SECONDS",
              help="Seconds a query may wait for a worker; then 503 with Retry-After.  [default: --timeout]")
@click.option("--max-memory", type=int, default=1024, show_default=True, metavar="MIB",
              help="MiB of memory a query may use in its worker; beyond, the query gets 503 and the worker "
                   "is replaced.")
@click.option("--max-connections", type=int, default=128, show_default=True,
              help="Connections open at once; more are answered 503 and closed.")
@click.option("--read-timeout", type=float, default=10.0, show_default=True, metavar="SECONDS",
              help="Seconds a client has to send its request headers, and then its body (408 beyond).")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A host name the server answers to (the Host header); repeatable. Default: the loopback "
                   "names when listening on a loopback address without --forwarded-allow-ips, else any.")
@click.option("--cors", multiple=True, metavar="ORIGIN", help="Allow cross-origin requests from ORIGIN; repeatable.")
@click.option("--allow-service", "allow", multiple=True, metavar="URL",
              help="Let queries call SERVICE <URL> (through afkg's client); repeatable. None by default, "
                   "not even Wikidata's.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Serve the on-disk store written by 'afkg build --store DIR' instead of parsing the files.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Access log format (one line per request on standard error).")
@click.option("--root-path", default="", metavar="PATH",
              help="URL prefix under which a reverse proxy serves the application, e.g. /kg.")
@click.option("--forwarded-allow-ips", default=None, metavar="IPS",
              help="Trust X-Forwarded-For/-Proto from these proxy addresses (comma-separated).")
@click.pass_obj
def serve(session: Session, host: str, port: int, timeout: float, max_rows: int, max_concurrent: int,
          max_queued: int | None, queue_timeout: float | None, max_memory: int, max_connections: int,
          read_timeout: float, allowed_hosts: tuple[str, ...], cors: tuple[str, ...], allow: tuple[str, ...],
          store_dir: str | None, log_format: str, root_path: str, forwarded_allow_ips: str | None) -> None:
    """Serve the graph read-only: a SPARQL 1.1 endpoint at /sparql and the stored
    queries at /api/queries (OpenAPI at /openapi.json). The graph is validated
    first; a graph that does not conform is not served."""
    from afkg.server.config import ServerConfig
    from afkg.server.run import serve as run_server

    config = ServerConfig(root=str(session.layout.root), store=store_dir, timeout=timeout, max_rows=max_rows,
                          max_concurrent=max_concurrent, max_queued=max_queued, queue_timeout=queue_timeout,
                          max_memory=max_memory, max_connections=max_connections, read_timeout=read_timeout,
                          allowed_hosts=allowed_hosts, cors=cors, allow_service=allow,
                          log_format=log_format, root_path=root_path)
    run_server(config, host, port, forwarded_allow_ips=forwarded_allow_ips)


# --- Wikidata links --------------------------------------------------------------------------

def _api_value(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from afkg.http_client import check_url

    return None if value is None else check_url(value, "--api")


def _api_option(function: Any) -> Any:
    function = click.option("--timeout", default="20", show_default=True, metavar="SECONDS",
                            callback=_timeout_value,
                            help="Seconds allowed for each request, from sending to the last byte.")(function)
    return click.option("--api", default=None, metavar="URL", callback=_api_value,
                        help="Wikidata Action API (default: $AFKG_WIKIDATA_API, else www.wikidata.org). "
                             "Redirects are never followed.")(function)


def _api(api: str | None) -> str:
    from afkg.http_client import check_url
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
    from afkg.http_client import HttpClient
    from afkg.wikidata.refresh import refresh

    kg = session.kg()
    with HttpClient(timeout=timeout) as client:
        path = refresh(kg, client, api=_api(api))
        click.echo(f"Recorded {path} ({client.requests} request{'s' if client.requests != 1 else ''})")


@link.command("suggest")
@_api_option
@click.pass_obj
def link_suggest(session: Session, api: str | None, timeout: float) -> None:
    """Search Wikidata for candidate items of the unlinked entities. Prints them for a
    person to confirm; nothing is written."""
    from afkg.http_client import HttpClient
    from afkg.wikidata.refresh import suggest

    with HttpClient(timeout=timeout) as client:
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
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=_Path), default=None, help=_OUTPUT_HELP)
@click.pass_obj
def link_quickstatements(session: Session, output: Path | None) -> None:
    """The graph's statements that Wikidata lacks, as QuickStatements V1 lines with
    references to the article."""
    from afkg.wikidata.quickstatements import quickstatements

    lines, notes = quickstatements(session.kg())
    _emit("".join(line + "\n" for line in lines), output)
    for note in notes:
        click.echo(f"note: {note}", err=True)


@cli.command("push")
@click.option("--store", default=None, metavar="URL",
              help="Graph Store Protocol URL of the store (one PUT ?graph=IRI per named graph).")
@click.option("--update-endpoint", "update_endpoint", default=None, metavar="URL",
              help="SPARQL Update URL, for stores without the Graph Store Protocol (DROP + INSERT DATA in chunks).")
@click.option("--user", default=None, metavar="USER:PASS",
              help="Basic credentials (default: a bearer token from $AFKG_STORE_TOKEN, if set).")
@click.option("--timeout", type=float, default=30.0, show_default=True,
              help="Seconds each request may take in all.")
@click.pass_obj
def push_command(session: Session, store: str | None, update_endpoint: str | None, user: str | None,
                 timeout: float) -> None:
    """Put every named graph (ontology, shapes, data, metadata) into a SPARQL 1.1
    store, replacing what each graph held, so pushing again does not duplicate."""
    from afkg.http_client import Credentials
    from afkg.publish.push import push

    credentials = Credentials.from_options(user)
    for pushed in push(session.kg(), store=store, update_endpoint=update_endpoint, credentials=credentials,
                       timeout=timeout):
        click.echo(f"Pushed <{pushed.graph}>: {pushed.triples} triples "
                   f"({pushed.requests} request{'s' if pushed.requests != 1 else ''})")


# --- authoring a relation -------------------------------------------------------------------

@cli.command("new")
@click.argument("pair", metavar="PAIR")
@click.option("--source", "source", required=True, type=click.Path(dir_okay=False, path_type=_Path), metavar="FILE",
              help="The article's text: UTF-8, at most 16 MiB, with == Heading == lines (copied byte for byte).")
@click.option("--title", required=True, metavar="TITLE", help="The article's title, such as 'X–Y relations'.")
@click.option("--url", default=None, metavar="URL",
              help="The article's address. Default: the English Wikipedia article of that title.")
@click.option("--created", default=None, metavar="DATE",
              help="The dataset's creation date, YYYY-MM-DD.  [default: today]")
@click.pass_obj
def new_command(session: Session, pair: str, source: Path, title: str, url: str | None, created: str | None) -> None:
    """Write the folder data/PAIR/ from an article's text: the text, its licence, the source
    document with its sections and subsections, and the relation between its two parties
    (each found among the shared entities, or created). Nothing is written if the folder
    exists or the text cannot be used (exit 2)."""
    from afkg.authoring.scaffold import new_relation

    layout = session.layout
    done = new_relation(layout, pair, source, title, url, created)
    sections = f"{done.sections} section{'s' if done.sections != 1 else ''}"
    click.echo(f"Wrote {layout.display(done.folder)}/ ({', '.join(done.files)}): {sections}")
    for party in done.parties:
        if party.created:
            click.echo(f"Party {party.name}: new entity <{party.iri}>, needs a Wikidata link")
        else:
            click.echo(f"Party {party.name}: <{party.iri}> of data/shared/")
    if any(party.created for party in done.parties):
        click.echo("Look for their Wikidata items with: afkg link suggest")


@cli.command("quote")
@click.argument("pair", metavar="PAIR")
@click.argument("fragment", metavar="FRAGMENT")
@click.option("--exact", is_flag=True, help="Quote the fragment itself, not the whole sentence it lies in.")
@click.pass_obj
def quote_command(session: Session, pair: str, fragment: str, exact: bool) -> None:
    """Print the afkg:Passage node that quotes FRAGMENT of data/PAIR/'s text, to paste into a
    facts file: its section found, its whole sentence quoted (or the fragment, with --exact),
    its IRI minted from its place. Exits 1 when the fragment is not in the text or occurs in
    several places (listed)."""
    from afkg.authoring.names import source_namespace
    from afkg.authoring.quote import existing_quote, quote

    layout = session.layout
    passage = quote(layout, pair, fragment, exact=exact)
    click.echo(passage.turtle(source_namespace(pair)), nl=False)
    before = existing_quote(layout, pair, passage)
    if before is not None and before != passage.quote:
        click.echo(f"afkg: note: <{passage.iri}> already quotes {before!r} in {layout.display(layout.data_dir / pair)};"
                   " rename one of the two", err=True)
    elif before is not None:
        click.echo(f"afkg: note: <{passage.iri}> is already in {layout.display(layout.data_dir / pair)}", err=True)


@cli.command("coverage")
@click.option("--relation", default=None, metavar="PAIR", help="Only the documents of the data folder data/PAIR/.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format.")
@click.pass_obj
def coverage_command(session: Session, relation: str | None, fmt: str) -> None:
    """Report, per source document, its sentences (infobox lines count as items), how many
    a passage quoted by the graph overlaps, and the uncited ones with their section."""
    from afkg.authoring.coverage import coverage, to_json, to_text

    documents = coverage(session.kg(), relation)
    click.echo(to_json(documents) if fmt == "json" else to_text(documents), nl=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``afkg`` console script: the process ends with it (it always exits, and
    freezes the garbage collector's objects first; an embedding program calls ``cli.main``). Given
    ``argv``, it raises SystemExit as click does, for a caller that goes on after it."""
    try:
        cli.main(args=argv, prog_name="afkg")
    except SystemExit as stop:
        if argv is None and _nothing_to_finalize:
            _exit_now(stop.code)  # returns when the process must end the interpreter's own way
        raise
    finally:
        # The process ends here, and Python's shutdown would scan every object the imports made
        # for garbage cycles: milliseconds of a short command's run. Frozen, they are skipped; they are
        # still freed as the modules are cleared, atexit handlers still run, output is still flushed.
        gc.freeze()


def _exit_now(code: Any) -> None:
    """End the process with exit status ``code`` as the interpreter would (atexit functions, then the
    standard streams flushed), but without its shutdown, which frees the objects of every imported
    module one by one: about 4 ms of a 70 ms query run. For a process that holds nothing else to
    finalize (:data:`_nothing_to_finalize`). Returns, leaving the exit to the interpreter, when the code
    is a message to print or out of range, when another thread runs, under ``python -i``, or when a
    standard stream cannot be flushed (the interpreter then reports it as it always does)."""
    status = 0 if code is None else code
    if type(status) not in (int, bool) or not 0 <= status <= 255 or sys.flags.inspect:
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    import atexit  # start-up: atexit only when the process ends here

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(int(status))
