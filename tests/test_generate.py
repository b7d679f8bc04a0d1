"""benchmarks/generate.py writes a valid project with N renamed copies of the article's pair."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from afkg.cli import cli

from conftest import PROJECT

GENERATE = PROJECT / "benchmarks" / "generate.py"
RES = "https://w3id.org/afkg/resource/"


def generate(count: int, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(GENERATE), str(count), str(out)], capture_output=True, text=True,
                          check=False)


@pytest.fixture(scope="module")
def two_pairs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scale") / "two"
    result = generate(2, out)
    assert result.returncode == 0, result.stderr
    return out


def pair_dirs(root: Path) -> list[Path]:
    return sorted(d for d in (root / "data").iterdir() if d.is_dir() and d.name != "wikidata")


def test_two_pairs_validate(two_pairs: Path) -> None:
    result = CliRunner().invoke(cli, ["--root", str(two_pairs), "validate"])
    assert result.exit_code == 0, result.output
    assert [d.name for d in pair_dirs(two_pairs)] == ["kakaria-lokaria", "mikaria-nekaria"]
    assert (two_pairs / "data" / "wikidata" / "reference-ids.tsv").is_file()
    assert sorted(p.name for p in (two_pairs / "queries").glob("*.rq")) == sorted(
        p.name for p in (PROJECT / "queries").glob("*.rq"))


def test_two_pairs_are_two_relations_with_the_articles_sections(two_pairs: Path) -> None:
    result = CliRunner().invoke(cli, ["--root", str(two_pairs), "stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["entities_per_class"]["afkg:BilateralRelation"] == 2
    assert stats["entities_per_class"]["afkg:Country"] == 4
    # the article's History section states 18 facts: the Anjou rule; the declaration of independence;
    # France's and Russia's opposition to Albanian aims, their support for Serbia and their backing of
    # the allies' proposals (2 x 3); the occupation, the protectorate and the withdrawal; Hoxha's rule
    # and his French education; diplomatic and economic relations after World War II; the Cold War
    # trading partnership; France withholding support until 2020. Each copy keeps them under its own document.
    assert stats["facts_per_section"]["Kakaria–Lokaria relations › History"] == 18
    assert stats["facts_per_section"]["Mikaria–Nekaria relations › History"] == 18


def test_a_stored_query_answers_for_both_pairs(two_pairs: Path) -> None:
    # The article: in 2024 France exported €22.8 million to Albania (up 14.2%) and imported €16.1 million,
    # as reported by France. In copy 1 France is Lokaria and Albania Kakaria; in copy 2 Nekaria and Mikaria.
    result = CliRunner().invoke(cli, ["--root", str(two_pairs), "query", "run", "trade-by-year", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = sorted(result.output.splitlines()[1:])
    assert rows == sorted([
        f"{RES}Kakaria-Lokaria_relations,2024,{RES}Lokaria,{RES}Kakaria,22800000.0,EUR,14.2,{RES}Lokaria",
        f"{RES}Kakaria-Lokaria_relations,2024,{RES}Kakaria,{RES}Lokaria,16100000.0,EUR,,{RES}Lokaria",
        f"{RES}Mikaria-Nekaria_relations,2024,{RES}Nekaria,{RES}Mikaria,22800000.0,EUR,14.2,{RES}Nekaria",
        f"{RES}Mikaria-Nekaria_relations,2024,{RES}Mikaria,{RES}Nekaria,16100000.0,EUR,,{RES}Nekaria",
    ])


def test_each_copy_has_its_own_source_text_and_no_wikidata_link(two_pairs: Path) -> None:
    for folder in pair_dirs(two_pairs):
        text = (folder / "source.txt").read_text(encoding="utf-8")
        assert "Albania" not in text and "France" not in text and "French" not in text
        turtle = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.ttl"))
        assert "wikidata.org/entity/" not in turtle.replace("@prefix wd: <http://www.wikidata.org/entity/> .", "")
        assert "albania" not in turtle.lower().replace("data/albania-france/", "")
    first, second = (p / "source.txt" for p in pair_dirs(two_pairs))
    assert first.read_text(encoding="utf-8").startswith("= Kakaria–Lokaria relations =")
    assert second.read_text(encoding="utf-8").startswith("= Mikaria–Nekaria relations =")
    result = CliRunner().invoke(cli, ["--root", str(two_pairs), "link", "check"])
    assert result.exit_code == 0, result.output
    assert "res:Kakaria  Kakaria" in result.output


def test_a_changed_copy_is_caught_against_its_own_source(two_pairs: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(two_pairs, broken)
    source = broken / "data" / "mikaria-nekaria" / "source.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("€22.8 million", "€22.9 million"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(broken), "validate"])
    assert result.exit_code == 1
    assert "data/mikaria-nekaria/source.txt" in result.output
    assert "data/kakaria-lokaria/source.txt" not in result.output


def test_same_count_same_bytes(two_pairs: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert generate(2, again).returncode == 0
    files = sorted(p.relative_to(two_pairs) for p in two_pairs.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for name in files:
        assert (two_pairs / name).read_bytes() == (again / name).read_bytes(), name


def test_refuses_a_folder_that_is_not_empty(two_pairs: Path) -> None:
    result = generate(1, two_pairs)
    assert result.returncode != 0
    assert "not empty" in result.stderr
