"""Loading: the layout, syntax errors with positions, missing files."""

from __future__ import annotations

import pytest

from afkg.errors import InputError
from afkg.graph import Layout, default_layout, load, parse_turtle


def test_load_reads_every_data_file(kg, layout):
    expected = [p for folder in ("albania-france", "shared") for p in sorted((layout.data_dir / folder).glob("*.ttl"))]
    assert layout.data_files() == expected
    assert len(kg.data) > 500 and len(kg.ontology) > 500
    assert set(kg.sources.values()) == {layout.data_dir / "albania-france" / "source.txt"}


def test_syntax_error_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:d ex:e ex:f ;; \n ex:g .\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        parse_turtle(bad, shown_as="bad.ttl")
    assert str(info.value).startswith("bad.ttl:4:")


def test_not_utf8_is_reported(tmp_path):
    bad = tmp_path / "latin.ttl"
    bad.write_bytes(b'@prefix ex: <http://e/> .\nex:a ex:b "caf\xe9" .\n')
    with pytest.raises(InputError, match=r"latin.ttl:2:15: not UTF-8 \(byte 0xe9\)"):
        parse_turtle(bad, shown_as="latin.ttl")


def test_missing_ontology_is_reported(project_copy):
    (project_copy / "ontology" / "shapes.ttl").unlink()
    with pytest.raises(InputError, match=r"ontology/shapes.ttl: file not found"):
        load(Layout(project_copy))


def test_root_from_environment(project_copy, monkeypatch):
    monkeypatch.setenv("AFKG_ROOT", str(project_copy))
    assert default_layout().root == project_copy
