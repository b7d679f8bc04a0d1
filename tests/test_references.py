"""Which data folder describes what: shared entities live once in data/shared/, a relation folder
depends on nothing but that folder, and validate names the files of every cross-folder mistake
(a resource described twice, a dangling reference, a reference into another relation's folder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.layout import SHARED_FOLDER, Layout

from conftest import PROJECT

PREFIXES = """@prefix afkg: <https://w3id.org/afkg/ontology#> .
@prefix fact: <https://w3id.org/afkg/resource/fact/> .
@prefix kind: <https://w3id.org/afkg/kind/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix res:  <https://w3id.org/afkg/resource/> .
"""


def relation_folders() -> list[str]:
    return [p.name for p in Layout(PROJECT).pair_dirs() if p.name != SHARED_FOLDER]


def validate_json(root: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--format", "json"])
    return result.exit_code, json.loads(result.output)


def references(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["check"] == "reference"]


def test_the_project_has_a_shared_folder_and_relation_folders():
    layout = Layout(PROJECT)
    assert layout.shared_dir.is_dir()
    assert list(layout.shared_dir.glob("*.ttl"))
    assert relation_folders()


@pytest.mark.parametrize("pair", relation_folders())
def test_each_relation_folder_validates_with_only_the_shared_folder_beside_it(tmp_path, pair):
    for name in ("ontology", "queries"):
        shutil.copytree(PROJECT / name, tmp_path / name)
    for name in (SHARED_FOLDER, "wikidata", pair):
        shutil.copytree(PROJECT / "data" / name, tmp_path / "data" / name)
    code, report = validate_json(tmp_path)
    assert (code, report["results"]) == (0, [])


@pytest.mark.slow  # test_a_dangling_reference_names_the_file_and_the_iri stays in the fast tier
def test_a_relation_folder_without_the_shared_folder_names_what_is_missing(project_copy):
    shutil.rmtree(project_copy / "data" / SHARED_FOLDER)
    code, report = validate_json(project_copy)
    assert code == 1
    dangling = {r["focus"]: r["message"] for r in references(report)}
    assert "res:Albania" in dangling and "res:NATO" in dangling
    assert "described nowhere" in dangling["res:NATO"]
    assert "data/albania-france/" in dangling["res:NATO"]


def add_folder(root: Path, name: str, text: str) -> Path:
    folder = root / "data" / name
    folder.mkdir()
    path = folder / "facts.ttl"
    path.write_text(PREFIXES + text, encoding="utf-8")
    return path


@pytest.mark.slow  # test_an_entity_copied_into_a_relation_folder_names_both_files stays in the fast tier
def test_a_fact_name_reused_by_another_relation_names_both_files(project_copy):
    add_folder(project_copy, "testland-otherland",
               'fact:agreement-energy-2024 a afkg:Agreement ; rdfs:label "Another agreement"@en .\n')
    code, report = validate_json(project_copy)
    assert code == 1
    found = [r for r in references(report) if r["focus"] == "fact:agreement-energy-2024"]
    assert len(found) == 1, report
    assert "data/albania-france/visits.ttl" in found[0]["message"]
    assert "data/testland-otherland/facts.ttl" in found[0]["message"]
    assert "two data folders" in found[0]["message"]


def test_an_entity_copied_into_a_relation_folder_names_both_files(project_copy):
    add_folder(project_copy, "testland-otherland",
               'res:NATO a afkg:Organization ; rdfs:label "NATO"@en ; afkg:needsWikidataLink true .\n')
    code, report = validate_json(project_copy)
    found = [r for r in references(report) if r["focus"] == "res:NATO"]
    assert code == 1 and len(found) == 1
    assert f"data/{SHARED_FOLDER}/entities.ttl" in found[0]["message"]
    assert "data/testland-otherland/facts.ttl" in found[0]["message"]


def test_a_dangling_reference_names_the_file_and_the_iri(project_copy):
    add_folder(project_copy, "testland-otherland",
               'res:Testland a afkg:Country ; rdfs:label "Testland"@en ; afkg:needsWikidataLink true ;\n'
               '    afkg:predecessorOf res:Nowhere_Republic .\n')
    code, report = validate_json(project_copy)
    found = [r for r in references(report) if r["focus"] == "res:Nowhere_Republic"]
    assert code == 1 and len(found) == 1, report
    assert found[0]["message"].startswith("Used in data/testland-otherland/facts.ttl but described nowhere")


def test_a_reference_into_another_relation_folder_is_refused(project_copy):
    add_folder(project_copy, "testland-otherland",
               'res:Testland a afkg:Country ; rdfs:label "Testland"@en ; afkg:needsWikidataLink true ;\n'
               '    afkg:predecessorOf res:Alliance_Francaise_network_in_Albania .\n')
    code, report = validate_json(project_copy)
    found = [r for r in references(report) if r["focus"] == "res:Alliance_Francaise_network_in_Albania"]
    assert code == 1 and len(found) == 1, report
    message = found[0]["message"]
    assert "data/testland-otherland/facts.ttl" in message and "data/albania-france/actors.ttl" in message
    assert "another relation's folder" in message


@pytest.mark.slow  # test_a_reference_into_another_relation_folder_is_refused stays in the fast tier
def test_the_shared_folder_may_not_use_what_a_relation_folder_describes(project_copy):
    path = project_copy / "data" / SHARED_FOLDER / "more.ttl"
    path.write_text(PREFIXES + 'res:Testland a afkg:Country ; rdfs:label "Testland"@en ; '
                    'afkg:needsWikidataLink true ;\n    afkg:predecessorOf res:Embassy_of_France_in_Tirana .\n',
                    encoding="utf-8")
    code, report = validate_json(project_copy)
    found = [r for r in references(report) if r["focus"] == "res:Embassy_of_France_in_Tirana"]
    assert code == 1 and len(found) == 1, report
    assert f"data/{SHARED_FOLDER}/ may use only what it describes itself" in found[0]["message"]


@pytest.mark.slow  # each relation folder validates with the shared folder in the fast tier
def test_a_relation_folder_may_add_statements_about_a_shared_entity(project_copy):
    """What an article says about a shared entity (without typing it again) stays in its folder."""
    source = (PROJECT / "data" / "albania-france" / "actors.ttl").read_text(encoding="utf-8")
    assert "res:Balkan_Wars afkg:start" in source
    code, report = validate_json(project_copy)
    assert (code, references(report)) == (0, [])


def test_a_relation_folder_brings_its_own_checked_wikidata_ids(project_copy):
    """Linking an entity only one relation mentions is data in that folder: its wikidata-ids.tsv."""
    add_folder(project_copy, "testland-otherland",
               '@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix wd: <http://www.wikidata.org/entity/> .\n'
               'res:Testland_Museum a afkg:Place ; afkg:kind kind:city ; rdfs:label "Testland Museum"@en ;\n'
               '    afkg:country res:Albania ; owl:sameAs wd:Q987654321 .\n')
    runner = CliRunner()
    before = runner.invoke(cli, ["--root", str(project_copy), "link", "check"])
    assert before.exit_code == 1
    assert "res:Testland_Museum: Q987654321 is not in the checked identifiers" in before.output
    (project_copy / "data" / "testland-otherland" / "wikidata-ids.tsv").write_text(
        "label\tid\tkind\tnote\nTestland Museum\tQ987654321\tcity\tmade up for this test\n", encoding="utf-8")
    after = runner.invoke(cli, ["--root", str(project_copy), "link", "check"])
    assert "Testland_Museum" not in after.output, after.output
    assert after.exit_code == 0, after.output


def test_one_id_listed_twice_with_another_label_names_both_places(project_copy):
    add_folder(project_copy, "testland-otherland", 'res:Testland a afkg:Country ; rdfs:label "Testland"@en ; '
                                                  'afkg:needsWikidataLink true .\n')
    (project_copy / "data" / "testland-otherland" / "wikidata-ids.tsv").write_text(
        "label\tid\tkind\nNot Albania\tQ222\tcountry\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project_copy), "link", "check"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "afkg: error: data/testland-otherland/wikidata-ids.tsv:2: Q222 is listed as 'Not Albania' (country) here "
        "and as 'Albania' (country) in data/wikidata/reference-ids.tsv:2"]
