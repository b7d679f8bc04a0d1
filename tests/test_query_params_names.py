"""Names given for IRI parameters are matched to the graph whatever their case, labels included,
or get a "did you mean"; the command line, the web API and the site's forms agree.

From the article's introduction: "Albania and France are members of NATO"; "Albania is an EU
candidate". In the data, res:NATO is labelled "North Atlantic Treaty Organization" and
res:Medieval_Albania "Albania in the Middle Ages".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.layout import Layout
from afkg.publish.site import Site
from afkg.query import names
from afkg.query.catalogue import Catalogue, execute
from afkg.query.engines import OxigraphEngine, RdflibEngine
from test_site_pages import Page

from conftest import PROJECT

pytestmark = pytest.mark.xdist_group("service")  # one worker loads the session's service for them all

RES = "https://w3id.org/afkg/resource/"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue(Layout(PROJECT))


@pytest.fixture(scope="module")
def engine() -> OxigraphEngine:
    return OxigraphEngine(Layout(PROJECT))


def run(*args: str):
    return CliRunner().invoke(cli, ["--root", str(PROJECT), *args])


# --- the library ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "iri"), [
    ("albania", RES + "Albania"),
    ("ALBANIA", RES + "Albania"),
    ("res:albania", RES + "Albania"),
    ("nato", RES + "NATO"),
    ("North Atlantic Treaty Organization", RES + "NATO"),
    ("north atlantic treaty  organization", RES + "NATO"),
    ("medieval albania", RES + "Medieval_Albania"),
    ("Albania in the middle ages", RES + "Medieval_Albania"),
])
def test_a_name_is_read_as_the_resource_it_names(catalogue, engine, value, iri):
    query = catalogue.get("describe-resource")
    assert names.resolve(query, {"resource": value}, engine) == {"resource": f"<{iri}>"}


@pytest.mark.parametrize("value", ["res:Albania", "Albania", f"<{RES}Albania>", "res:Narnia", "http://e/a b",
                                   "foo:France"])
def test_known_iris_unknown_far_ones_and_non_names_are_left_as_given(catalogue, engine, value):
    query = catalogue.get("describe-resource")
    assert names.resolve(query, {"resource": value}, engine) == {"resource": value}


def test_a_close_name_is_an_error_that_suggests_the_resource(catalogue, engine):
    query = catalogue.get("is-member")
    with pytest.raises(names.UnknownName) as caught:
        names.resolve(query, {"member": "Albnia", "organisation": "NATO"}, engine)
    assert caught.value.param == "member"
    assert caught.value.suggestions[0] == (RES + "Albania", "Albania")
    assert str(caught.value).startswith("parameter 'member': the graph has nothing named 'Albnia'; "
                                        "did you mean res:Albania (Albania)")


def test_several_equally_good_matches_are_an_error_listing_them(project_copy):
    extra = project_copy / "data" / "albania-france" / "twins.ttl"
    extra.write_text('@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                     '@prefix res: <https://w3id.org/afkg/resource/> .\n'
                     'res:Twin_A rdfs:label "Twin"@en .\nres:Twin_B rdfs:label "Twin"@en .\n', encoding="utf-8")
    layout = Layout(project_copy)
    query = Catalogue(layout).get("describe-resource")
    with pytest.raises(names.AmbiguousName) as caught:
        names.resolve(query, {"resource": "twin"}, OxigraphEngine(layout))
    assert [iri for iri, _ in caught.value.suggestions] == [RES + "Twin_A", RES + "Twin_B"]
    assert "res:Twin_A (Twin), res:Twin_B (Twin)" in str(caught.value)


def test_enum_values_are_matched_whatever_their_case_but_others_still_refused(catalogue, engine):
    query = catalogue.get("is-member")
    given = {"member": "res:Albania", "organisation": "res:NATO", "status": "ROLE:Candidate"}
    assert names.resolve(query, given, engine)["status"] == "role:candidate"
    refused = {**given, "status": "role:observer"}
    assert names.resolve(query, refused, engine)["status"] == "role:observer"  # left to the enum check


@pytest.mark.parametrize("engine_class", [OxigraphEngine, RdflibEngine])
def test_both_engines_answer_with_a_name_in_any_case(catalogue, engine_class):
    query = catalogue.get("is-member")
    engine = engine_class(Layout(PROJECT))
    assert execute(query, engine, {"member": "albania", "organisation": "nato"}).answer is True
    eu = {"member": "albania", "organisation": "european union", "status": "role:CANDIDATE"}
    assert execute(query, engine, eu).answer is True
    assert execute(query, engine, {**eu, "status": "role:member"}).answer is False


# --- the command line, the API and the site agree -------------------------------------------------

def test_the_command_line_reads_names_and_suggests(tmp_path):
    answer = run("query", "run", "is-member", "-p", "member=albania", "-p", "organisation=nato", "--format", "json")
    assert answer.exit_code == 0, answer.output
    assert '"boolean": true' in answer.output
    wrong = run("query", "run", "is-member", "-p", "member=Albnia", "-p", "organisation=nato")
    assert wrong.exit_code == 2
    assert wrong.output.startswith("afkg: error: parameter 'member': the graph has nothing named 'Albnia'; "
                                   "did you mean res:Albania (Albania)")


def test_the_api_reads_names_as_the_command_line_does(http):
    answer = http.get("/api/queries/is-member", params={"member": "albania", "organisation": "nato"})
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    wrong = http.get("/api/queries/is-member", params={"member": "Albnia", "organisation": "nato"})
    cli = run("query", "run", "is-member", "-p", "member=Albnia", "-p", "organisation=nato")
    assert wrong.status_code == 400
    assert wrong.text.strip() == cli.output.strip().removeprefix("afkg: error: ")


def test_the_served_form_says_how_it_read_a_name_and_links_suggestions(http):
    body = http.get("/queries/is-member", params={"member": "albania", "organisation": "nato"}).text
    page = Page(body)
    assert "Answer: yes" in page.text
    assert "Read “albania” as Albania (res:Albania)" in " ".join(re.sub(r"<[^>]+>", "", body).split())
    assert page.find("input", name="member")[0]["value"] == "res:Albania"  # as the graph spells it
    wrong = http.get("/queries/is-member", params={"member": "Albnia", "organisation": "nato"})
    assert wrong.status_code == 400
    assert "/queries/is-member?member=res%3AAlbania&organisation=nato" in Page(wrong.text).links


def test_a_federated_form_on_a_server_that_does_not_allow_its_service_says_which_option_does(http):
    page = Page(http.get("/queries/wikidata-membership-dates").text)
    assert "afkg serve --allow-service https://query.wikidata.org/sparql" in page.text
    assert "(allowed: )" not in page.text


def test_a_site_without_a_server_says_how_to_run_a_federated_query():
    site = Site.from_layout(Layout(Path(PROJECT)))
    answer = site.get("/queries/wikidata-membership-dates")
    text = Page(answer.body.decode()).text
    assert answer.status == 503
    assert "afkg query run wikidata-membership-dates" in text
    assert "afkg serve --allow-service https://query.wikidata.org/sparql" in text
