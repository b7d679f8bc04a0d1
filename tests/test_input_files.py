"""Project files that are hostile or broken end in one line and exit 2 (or a validation
problem and exit 1), never a traceback, a hang, or "Conforms: yes" about nothing."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from afkg import files
from afkg.cli import cli
from afkg.errors import InputError
from afkg.graph import parse_turtle, position

from conftest import PROJECT

PAIR = Path("data") / "albania-france"


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--root", str(project), *args])


def one_line_error(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("afkg: error: "), result.output
    assert "Traceback" not in result.output
    return lines[0][len("afkg: error: "):]


def set_local_file(project: Path, value: str) -> None:
    path = project / PAIR / "source.ttl"
    text = path.read_text(encoding="utf-8")
    assert 'afkg:localFile "source.txt"' in text
    path.write_text(text.replace('afkg:localFile "source.txt"', f'afkg:localFile "{value}"'), encoding="utf-8")


# --- afkg:localFile stays inside its folder -------------------------------------------------

@pytest.mark.parametrize("value", ["../../ontology/afkg.ttl", "/etc/hostname", "/dev/zero", "..", "."])
def test_local_file_outside_its_folder_is_refused(project_copy, value):
    set_local_file(project_copy, value)
    message = one_line_error(run(project_copy, "validate"))
    assert message == (f'data/albania-france: afkg:localFile "{value}" is outside the folder '
                       "data/albania-france; name a file inside it")


def test_local_file_symlinked_outside_is_refused(project_copy, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    (project_copy / PAIR / "link.txt").symlink_to(outside)
    set_local_file(project_copy, "link.txt")
    assert "is outside the folder" in one_line_error(run(project_copy, "validate"))


def test_local_file_that_is_a_fifo_is_refused_without_blocking(project_copy):
    os.mkfifo(project_copy / PAIR / "pipe.txt")
    set_local_file(project_copy, "pipe.txt")
    assert one_line_error(run(project_copy, "validate")) == "data/albania-france/pipe.txt: not a regular file"


@pytest.mark.slow  # the FIFO and the files outside the folder stay in the fast tier
def test_local_file_that_is_a_folder_is_refused(project_copy):
    (project_copy / PAIR / "sub").mkdir()
    set_local_file(project_copy, "sub")
    assert one_line_error(run(project_copy, "validate")) == "data/albania-france/sub: is a folder, not a file"


# --- bounds and special files ---------------------------------------------------------------

def test_reads_are_capped_by_what_is_read(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(InputError, match=r"^big.txt: 2000 bytes, more than the limit of 1000$"):
        files.read_bytes(big, 1000, "big.txt")
    assert files.read_bytes(big, 2000, "big.txt") == b"x" * 2000


def test_a_device_is_never_read():
    with pytest.raises(InputError, match=r"^/dev/zero: not a regular file$"):
        files.read_bytes(Path("/dev/zero"), 1000)


def test_a_data_file_that_is_a_folder(project_copy):
    (project_copy / PAIR / "folder.ttl").mkdir()
    assert one_line_error(run(project_copy, "stats")) == "data/albania-france/folder.ttl: is a folder, not a file"


def test_a_data_file_in_a_symlink_loop(project_copy):
    loop = project_copy / PAIR / "loop.ttl"
    loop.symlink_to(loop.name)
    assert one_line_error(run(project_copy, "validate")) == "data/albania-france/loop.ttl: cannot read (symlink loop)"


def test_a_pair_folder_in_a_symlink_loop(project_copy):
    loop = project_copy / "data" / "loop"
    loop.symlink_to("loop")
    assert one_line_error(run(project_copy, "validate")) == f"{loop}: cannot read (symlink loop)"


def test_unreadable_data_folder_is_exit_2_not_conforms(project_copy, monkeypatch):
    real_scandir = os.scandir

    def refusing(path):
        if Path(path).name == "data":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(files.os, "scandir", refusing)
    for command in ("validate", "stats", "build"):
        result = run(project_copy, command, *(["-o", str(project_copy / "out")] if command == "build" else []))
        assert one_line_error(result) == "data: cannot read (Permission denied)"
    assert not (project_copy / "out").exists()


def test_unreadable_data_file_is_exit_2(project_copy, monkeypatch):
    real_open = os.open

    def refusing(path, flags, *args):
        if str(path).endswith("economy.ttl"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(files.os, "open", refusing)
    assert one_line_error(run(project_copy, "validate")) == "data/albania-france/economy.ttl: cannot read (Permission denied)"


def test_json_nested_too_deep(project_copy):
    (project_copy / "ontology" / "context.jsonld").write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    assert one_line_error(run(project_copy, "export", "--format", "jsonld")) == (
        f"{project_copy / 'ontology' / 'context.jsonld'}: JSON nested more than 64 deep")


def test_json_depth_ignores_brackets_in_strings():
    assert files.json_depth('{"a": "[[[[{{{{", "b": [1, [2]]}') == 3


# --- not UTF-8 ------------------------------------------------------------------------------

def test_not_utf8_context(project_copy):
    path = project_copy / "ontology" / "context.jsonld"
    path.write_bytes(path.read_bytes().replace(b'"@version"', b'"\xff@version"', 1))
    assert one_line_error(run(project_copy, "export", "--format", "jsonld")) == f"{path}:3:6: not UTF-8 (byte 0xff)"


def test_not_utf8_reference_ids(project_copy):
    path = project_copy / "data" / "wikidata" / "reference-ids.tsv"
    path.write_bytes(path.read_bytes().replace(b"France\tQ142", b"Fr\xe9nce\tQ142", 1))
    message = one_line_error(run(project_copy, "link", "check"))
    assert message == "data/wikidata/reference-ids.tsv:3:3: not UTF-8 (byte 0xe9)"


def test_not_utf8_items_snapshot(project_copy):
    (project_copy / "data" / "wikidata" / "items.json").write_bytes(b'{"items": {}, \n "x": "\xc3("}')
    assert one_line_error(run(project_copy, "link", "check")) == "data/wikidata/items.json:2:8: not UTF-8 (byte 0xc3)"


@pytest.mark.slow  # the other files that are not UTF-8 stay in the fast tier
def test_not_utf8_source_text(project_copy):
    path = project_copy / PAIR / "source.txt"
    path.write_bytes(b"Fine line\nbad \x80 byte\n")
    assert one_line_error(run(project_copy, "validate")) == "data/albania-france/source.txt:2:5: not UTF-8 (byte 0x80)"


# --- Wikidata files of the wrong shape ------------------------------------------------------

def test_reference_ids_without_the_columns(project_copy):
    (project_copy / "data" / "wikidata" / "reference-ids.tsv").write_text("name\tqid\nAlbania\tQ222\n", encoding="utf-8")
    assert one_line_error(run(project_copy, "link", "check")) == (
        "data/wikidata/reference-ids.tsv:1: the header must name the columns id, label and kind")


def test_reference_ids_with_a_short_row(project_copy):
    path = project_copy / "data" / "wikidata" / "reference-ids.tsv"
    path.write_text(path.read_text(encoding="utf-8") + "Short\tQ1\n", encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert one_line_error(run(project_copy, "link", "check")) == (
        f"data/wikidata/reference-ids.tsv:{len(lines)}: 2 columns, expected at least 3")


@pytest.mark.sample(1)
@pytest.mark.parametrize("record,problem", [
    ("5", "not an object"),
    ('{"label": 7}', '"label" is not a string'),
    ('{"instanceOf": "Q5"}', '"instanceOf" is not a list of strings'),
    ('{"statements": {"P31": [1]}}', 'statements of P31 are not a list of objects with a "value"'),
])
def test_items_snapshot_of_the_wrong_shape(project_copy, record, problem):
    (project_copy / "data" / "wikidata" / "items.json").write_text(f'{{"items": {{"Q222": {record}}}}}',
                                                                   encoding="utf-8")
    for command in ("check", "compare", "quickstatements"):
        assert one_line_error(run(project_copy, "link", command)) == (
            f"data/wikidata/items.json: item 'Q222': {problem}")


# --- shapes and literals --------------------------------------------------------------------

def test_a_shape_with_a_sparql_syntax_error(project_copy):
    path = project_copy / "ontology" / "shapes.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('sh:select """', 'sh:select """ SELECT { ', 1), encoding="utf-8")
    message = one_line_error(run(project_copy, "validate"))
    assert message.startswith("ontology/shapes.ttl: shape afsh:VisitShape: sh:select refused: "
                              "its SPARQL does not parse")


@pytest.mark.slow  # tests/hostile/test_hostile_data.py and test_validate_ill_typed.py check it in the fast tier
def test_ill_typed_literal_is_a_validation_problem_without_log_noise(project_copy):
    path = project_copy / PAIR / "history.ttl"
    text = path.read_text(encoding="utf-8")
    assert 'afkg:end "2020-03-30"^^xsd:date' in text
    path.write_text(text.replace('afkg:end "2020-03-30"^^xsd:date', 'afkg:end "2024-13-45"^^xsd:date'),
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "afkg", "--root", str(project_copy), "validate"],
                          capture_output=True, text=True, check=False, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(PROJECT / "src")))
    assert done.returncode == 1
    assert done.stderr == ""
    assert 'In data/albania-france/history.ttl: "2024-13-45" is not a valid xsd:date.' in done.stdout
    assert "path:  afkg:end\n" in done.stdout
    assert 'value: "2024-13-45"^^xsd:date' in done.stdout


def test_results_with_and_without_a_path_on_one_focus_node_sort(project_copy):
    path = project_copy / PAIR / "economy.ttl"
    text = path.read_text(encoding="utf-8")
    before = "afkg:agent res:France ; afkg:counterpart res:Albania ;"
    assert text.index(before) < text.index("fact:trade-2024-france-exports-to-albania a")
    # The first figure is the total: Albania as its reporter (agent) and partner (counterpart) breaks
    # the disjoint roles (a result with a path) and the arithmetic (a result without one).
    path.write_text(text.replace(before, "afkg:agent res:Albania ; afkg:counterpart res:Albania ;", 1),
                    encoding="utf-8")
    result = run(project_copy, "validate")
    assert result.exit_code == 1
    blocks = result.output.split("\n\n")
    total = [b for b in blocks if "focus: fact:trade-2024-total-france-albania" in b]
    assert len(total) == 2
    assert "path:" not in total[0] and "path:  afkg:agent" in total[1]
    # No flow has this reporter and partner: the message names no placeholder of an unbound variable.
    assert "{?" not in total[0] and "exports (none)" in total[0]


# --- positions of Turtle errors -------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ('@prefix ex: <http://e/> .\nex:a ex:b "€€ and more" . "unterminated\nex:c ex:d "e" .\n', (2, 40)),
    ('@prefix ex: <http://e/> .\nex:a ex:b "ééé" .\nex:éé ex:b ex:c ex:d .\n', (3, 17)),
    ('@prefix ex: <http://e/> .\n# “quoted” comment\nex:a ex:b ex:c\nex:d ex:e ex:f .\n', (4, 1)),
])
def test_rdflib_and_oxigraph_report_the_same_true_position(tmp_path, text, expected):
    bad = tmp_path / "bad.ttl"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        parse_turtle(bad, shown_as="bad.ttl")
    assert str(info.value).startswith(f"bad.ttl:{expected[0]}:{expected[1]}: Turtle syntax error")
    with pytest.raises(SyntaxError) as oxigraph:
        list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    assert (oxigraph.value.lineno, oxigraph.value.offset) == expected


def test_position_counts_characters_and_lf_lines():
    text = "ab\n€€x\ny"
    assert position(text, text.index("x")) == (2, 3)
    assert position(text, text.index("y")) == (3, 1)
    assert position(text, text.index("\n", 3)) == (2, 4)


@pytest.mark.parametrize("text,expected", [
    ("ex:a ex:b ex:c .\n", "bad.ttl:1:1: Turtle syntax error: The prefix ex: has not been declared"),
    ('<http://e/a> <http://e/b> "x"@-en .\n', "bad.ttl:1:31: Turtle syntax error: A language code should always "
                                              "start with a letter"),
    ('<http://e/a> <http://e/b> "x\n\n', "bad.ttl:1:27: Turtle syntax error: Unexpected end of file"),
])
def test_a_turtle_error_says_its_place_once(tmp_path, text, expected):
    """pyoxigraph words the place three ways ("at line 1 column 5", "at line 1 between columns 1
    and 6", "between line 1 column 9 and line 3 column 1"); afkg's message gives it once, first."""
    from afkg.rdf.loader import parse_file

    bad = tmp_path / "bad.ttl"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        parse_file(bad, "bad.ttl")
    assert str(info.value) == expected
