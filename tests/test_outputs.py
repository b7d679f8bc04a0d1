"""Outputs: -o never replaces what is not a regular file, build is all or nothing, formats
are inferred from extensions, usage errors are one line, output is UTF-8 whatever the locale."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from afkg.atomic import write_atomic
from afkg.cli import cli
from afkg.errors import InputError
from afkg.publish import build as build_module
from afkg.publish import export

from conftest import PROJECT

pytestmark = pytest.mark.xdist_group("outputs")  # the module's build is made once, on one worker


def afkg(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(PROJECT / "src"), **(env or {}))
    return subprocess.run([sys.executable, "-m", "afkg", *args], capture_output=True, env=environment,
                          check=False, timeout=300, **kwargs)


# --- -o targets -----------------------------------------------------------------------------

def test_dev_null_is_written_to_and_stays_a_device():
    before = os.stat("/dev/null")
    write_atomic(Path("/dev/null"), b"discarded\n")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino


def test_symlink_to_a_device_stays_a_symlink(tmp_path):
    link = tmp_path / "out.ttl"
    link.symlink_to("/dev/null")
    write_atomic(link, b"data\n")
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_fifo_is_written_in_place_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"through the pipe\n")
    reader.join(timeout=30)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_socket_is_refused_in_one_line_and_left_alone(tmp_path):
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(InputError, match=r"s: cannot write \("):
            write_atomic(path, b"x")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()


def test_symlink_to_a_regular_file_replaces_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.ttl"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.ttl"
    link.symlink_to(target.name)
    write_atomic(link, b"new\n")
    assert link.is_symlink() and os.readlink(link) == "real.ttl"
    assert target.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.ttl", "real.ttl"]


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="is a folder, not a file"):
        write_atomic(tmp_path, b"x")


def test_missing_parent_folders_are_created(tmp_path):
    write_atomic(tmp_path / "a" / "b" / "out.nt", b"x\n")
    assert (tmp_path / "a" / "b" / "out.nt").read_bytes() == b"x\n"


def test_a_parent_that_is_a_file_is_a_one_line_error(tmp_path):
    (tmp_path / "plain").write_text("keep", encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", "--graph", "ontology", "-o", str(tmp_path / "plain" / "x.ttl")])
    assert result.exit_code == 2
    assert result.output == (f"afkg: error: {tmp_path / 'plain' / 'x.ttl'}: cannot write: "
                             f"{tmp_path / 'plain'} is a file, not a folder\n")
    assert (tmp_path / "plain").read_text(encoding="utf-8") == "keep"


def test_proc_self_fd_1_writes_to_standard_output():
    done = afkg("export", "--graph", "ontology", "--format", "nt", "-o", "/proc/self/fd/1")
    assert done.returncode == 0, done.stderr
    # Sorted N-Triples: the SKOS kinds (kind:) come first; the ontology header is among the lines.
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[0].startswith("<https://w3id.org/afkg/")
    assert ("<https://w3id.org/afkg/ontology> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<http://www.w3.org/2002/07/owl#Ontology> .") in lines
    assert done.stderr == b""


# --- formats --------------------------------------------------------------------------------

@pytest.mark.parametrize("name,fmt", [("x.nt", "ntriples"), ("x.NQ", "nquads"), ("x.jsonld", "jsonld"),
                                      ("x.rdf", "rdfxml"), ("x.owl", "rdfxml"), ("x.trig", "trig"),
                                      ("x.ttl", "turtle"), ("x.txt", "turtle")])
def test_format_is_inferred_from_the_extension(name, fmt):
    assert export.format_for_path(name) == fmt


@pytest.mark.parametrize("alias,fmt", [("ttl", "turtle"), ("nt", "ntriples"), ("nq", "nquads"), ("jsonld", "jsonld"),
                                       ("rdf", "rdfxml"), ("xml", "rdfxml"), ("trig", "trig"), ("TTL", "turtle"),
                                       ("text/turtle", "turtle"), ("application/n-triples", "ntriples"),
                                       ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdfxml"),
                                       ("application/trig", "trig"), ("application/n-quads", "nquads"),
                                       ("text/turtle; charset=utf-8", "turtle")])
def test_format_aliases_and_media_types(alias, fmt):
    assert export.resolve_format(alias) == fmt


def test_export_to_nt_file_writes_ntriples(tmp_path):
    out = tmp_path / "x.nt"
    result = CliRunner().invoke(cli, ["export", "--graph", "ontology", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert not text.startswith("@prefix")
    assert len(Graph().parse(data=text, format="nt")) == len(text.splitlines())


def test_explicit_format_wins_over_the_extension(tmp_path):
    out = tmp_path / "x.nt"
    result = CliRunner().invoke(cli, ["export", "--graph", "ontology", "--format", "ttl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("@prefix")


# --- build ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "dist"
    result = CliRunner().invoke(cli, ["build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_failed_build_leaves_the_old_folder_exactly_as_it_was(built, tmp_path, monkeypatch):
    out = tmp_path / "dist"
    out.mkdir()
    for name, data in snapshot(built).items():
        (out / name).write_bytes(b"old " + data[:20])
    before = snapshot(out)
    written = []

    def failing_write(folder: Path, contents: dict[str, bytes]) -> None:
        for number, (name, data) in enumerate(contents.items()):
            if number == 5:
                raise OSError(28, "No space left on device")
            (folder / name).write_bytes(data)
            written.append(name)

    monkeypatch.setattr(build_module, "_write_folder", failing_write)
    result = CliRunner().invoke(cli, ["build", "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"afkg: error: {out}: cannot write (No space left on device); nothing was changed")
    assert len(written) == 5
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


@pytest.mark.slow  # test_a_failed_build_leaves_the_old_folder_exactly_as_it_was stays in the fast tier
def test_build_replaces_an_old_build_completely(built, tmp_path):
    out = tmp_path / "dist"
    out.mkdir()
    (out / "afkg.ttl").write_bytes(b"stale\n")
    result = CliRunner().invoke(cli, ["build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert snapshot(out) == snapshot(built)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_build_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (f"afkg: error: {tmp_path}: holds files build does not write (notes.txt); "
                             "choose an empty folder or remove them\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_build_help_names_every_file_it_writes():
    text = CliRunner().invoke(cli, ["build", "--help"]).output
    for name in build_module.file_names():
        assert name in text, name
    assert "All or nothing" in text


def test_build_output_has_no_inferred_triples(built, kg):
    from rdflib import OWL, RDF, RDFS

    written = Graph().parse(built / "afkg.nt", format="nt")
    assert (OWL.Class, RDFS.subClassOf, RDFS.Class) not in written
    assert (OWL.DatatypeProperty, RDFS.subClassOf, RDF.Property) not in written
    exported = Graph().parse(data=export.export(kg, "ntriples"), format="nt")
    assert len(written) == len(exported)


@pytest.mark.slow  # one more full validation; test_cli.py and test_mutations.py validate in the fast tier
def test_validation_leaves_the_loaded_graphs_as_they_were(project_copy):
    from afkg.graph import load
    from afkg.layout import Layout
    from afkg.validation.validate import validate

    kg = load(Layout(project_copy))
    before = [set(g) for g in (kg.ontology, kg.shapes, kg.data)]
    assert validate(kg).conforms
    assert [set(g) for g in (kg.ontology, kg.shapes, kg.data)] == before


# --- the command line -----------------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    (["--foo"], "afkg: error: No such option '--foo'. Did you mean '--root'? (try 'afkg --help')"),
    (["export", "--nope"], "afkg: error: No such option '--nope'. (try 'afkg export --help')"),
    (["nosuch"], "afkg: error: No such command 'nosuch'. (try 'afkg --help')"),
    (["stats", "--format", "xml"],
     "afkg: error: Invalid value for '--format': 'xml' is not one of 'text', 'json'. (try 'afkg stats --help')"),
    (["query", "run"], "afkg: error: Missing argument 'NAME'. (try 'afkg query run --help')"),
])
def test_usage_errors_are_one_line(args, message):
    done = afkg(*args)
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode("utf-8") == message + "\n"


def test_output_is_utf8_whatever_the_locale(project_copy):
    import shutil

    done = afkg("export", "--graph", "metadata", env={"PYTHONIOENCODING": "latin-1", "LC_ALL": "C"})
    assert done.returncode == 0, done.stderr
    assert "Albania–France".encode() in done.stdout
    shutil.copytree(PROJECT / "tests" / "pairs" / "testland-otherland", project_copy / "data" / "testland-otherland")
    for encoding in ("latin-1", "ascii"):
        done = afkg("--root", str(project_copy), "stats", env={"PYTHONIOENCODING": encoding, "LC_ALL": "C"})
        assert done.returncode == 0, done.stderr
        assert done.stderr == b""
        assert "Albania–France relations › History".encode() in done.stdout


@pytest.mark.slow  # the terminal case stays in the fast tier
def test_no_progress_when_stderr_is_not_a_terminal():
    done = afkg("validate")
    assert done.returncode == 0
    assert done.stderr == b""


def test_progress_goes_to_stderr_when_it_is_a_terminal():
    import pty

    primary, secondary = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "afkg", "validate"], stdout=subprocess.PIPE, stderr=secondary,
                              env=dict(os.environ, PYTHONPATH=str(PROJECT / "src")), check=False, timeout=300)
        os.close(secondary)
        secondary = -1
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if secondary != -1:
            os.close(secondary)
        os.close(primary)
    assert done.returncode == 0
    assert done.stdout.startswith(b"Conforms: yes")
    progress = b"".join(chunks).decode("utf-8")
    assert "afkg: loading the graph" in progress and "afkg: validating" in progress


# --- figures that agree ---------------------------------------------------------------------

def test_stats_say_what_they_count_and_agree_with_the_dumps(kg):
    import json

    from rdflib import Dataset

    from afkg.namespaces import RES, VOID

    body = json.loads(CliRunner().invoke(cli, ["stats", "--format", "json"]).output)
    assert sum(body["facts_per_section"].values()) == body["section_citations"]
    assert body["section_citations"] >= body["facts"] - body["facts_without_section"]
    ntriples = export.export(kg, "ntriples").decode("utf-8").splitlines()
    assert body["export_triples"] == len(ntriples)
    assert body["triples"] == len(kg.merged) == body["data_triples"] + body["ontology_triples"]
    meta = Graph().parse(data=export.export(kg, "turtle", "metadata"), format="turtle")
    assert int(meta.value(RES["dataset"], VOID.triples)) == len(ntriples)
    for fmt, parser in (("turtle", "turtle"), ("rdfxml", "xml"), ("jsonld", "json-ld")):
        assert len(Graph().parse(data=export.export(kg, fmt), format=parser)) == len(ntriples), fmt
    for fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=export.export(kg, fmt), format=fmt)
        assert len({(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}) == len(ntriples), fmt
    text = CliRunner().invoke(cli, ["stats"]).output
    assert f"Triples in every export dump: {len(ntriples)}" in text
    assert f"{body['section_citations']} citations in all" in text


def test_blank_nodes_in_large_cycles_are_refused_in_one_line():
    from rdflib import BNode, URIRef

    from afkg.rdf.canon import MAX_GENERAL_BLANK_NODES, stable

    graph = Graph()
    nodes = [BNode() for _ in range(MAX_GENERAL_BLANK_NODES + 1)]
    for upper, lower in zip(nodes, [*nodes[1:], nodes[0]], strict=True):
        graph.add((upper, URIRef("https://example.org/next"), lower))
    with pytest.raises(InputError, match=rf"^{MAX_GENERAL_BLANK_NODES + 1} blank nodes in cycles or shared "
                                         rf"between blank nodes; at most {MAX_GENERAL_BLANK_NODES} "):
        stable(graph)


def test_a_ring_of_identical_blank_nodes_is_refused_in_one_line():
    from rdflib import BNode, URIRef

    from afkg.rdf.canon import MAX_SYMMETRIC_BLANK_NODES, stable

    graph = Graph()
    nodes = [BNode() for _ in range(MAX_SYMMETRIC_BLANK_NODES + 1)]
    for upper, lower in zip(nodes, [*nodes[1:], nodes[0]], strict=True):
        graph.add((upper, URIRef("https://example.org/next"), lower))
    with pytest.raises(InputError, match=rf"^{MAX_SYMMETRIC_BLANK_NODES + 1} blank nodes, some of which nothing "
                                         rf"tells apart"):
        stable(graph)
