"""The stored queries as a web API, in-process: the catalogue, parameters converted as the CLI
converts them, formats by suffix and by Accept, pages with Link: rel="next", OpenAPI."""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner

from afkg.cli import cli

pytestmark = pytest.mark.xdist_group("service")  # one worker loads the session's service for them all

RES = "https://w3id.org/afkg/resource/"


def cli_error(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2
    return result.output.strip().removeprefix("afkg: error: ")


def test_catalogue_lists_every_query_with_typed_parameters(http):
    response = http.get("/api/queries")
    assert response.status_code == 200
    entries = {e["name"]: e for e in response.json()}
    assert "timeline" in entries and "diplomatic-missions" in entries
    status = next(p for p in entries["is-member"]["params"] if p["name"] == "status")
    assert status == {"name": "status", "type": "iri", "default": "role:member",
                      "enum": ["role:member", "role:founder", "role:candidate"], "required": False,
                      "description": "The status asked about"}
    member = next(p for p in entries["is-member"]["params"] if p["name"] == "member")
    assert member["required"] is True
    assert entries["wikidata-membership-dates"]["federated"] is True
    assert entries["timeline"]["federated"] is False
    assert entries["resource-card"]["type"] == "CONSTRUCT"
    assert "economy" in entries["trade-by-year"]["tags"]


# The introduction: "Albania and France are members of NATO ... Albania is an EU candidate".
@pytest.mark.parametrize(("params", "answer"), [
    ({"member": "res:Albania", "organisation": "res:NATO"}, True),
    ({"member": "res:Albania", "organisation": "res:European_Union"}, False),
    ({"member": "res:Albania", "organisation": "res:European_Union", "status": "role:candidate"}, True),
    ({"member": "res:France", "organisation": "res:European_Union", "status": "role:founder"}, True),
])
def test_parameters_are_bound_as_in_the_cli(http, params, answer):
    response = http.get("/api/queries/is-member", params=params)
    assert response.status_code == 200
    assert response.json()["boolean"] is answer


def test_a_bad_value_is_400_with_the_cli_message(http):
    response = http.get("/api/queries/trade-balance", params={"year": "abc"})
    assert response.status_code == 400
    assert response.text.strip() == cli_error("query", "run", "trade-balance", "-p", "year=abc")
    assert "expects xsd:gYear" in response.text


def test_a_value_outside_the_enum_and_a_missing_required_parameter_are_400(http):
    outside = http.get("/api/queries/is-member", params={"member": "res:Albania", "organisation": "res:NATO",
                                                         "status": "role:observer"})
    assert outside.status_code == 400
    assert "must be one of role:member, role:founder, role:candidate" in outside.text
    missing = http.get("/api/queries/describe-resource")
    assert missing.status_code == 400
    assert missing.text.strip() == cli_error("query", "run", "describe-resource")


def test_an_unknown_or_repeated_parameter_is_400(http):
    unknown = http.get("/api/queries/timeline", params={"colour": "red"})
    assert unknown.status_code == 400 and "no parameter 'colour'" in unknown.text
    twice = http.get("/api/queries/trade-balance", params=[("year", "2024"), ("year", "2023")])
    assert twice.status_code == 400 and "given twice" in twice.text


def test_an_unknown_query_is_404_with_a_suggestion(http):
    response = http.get("/api/queries/timelin")
    assert response.status_code == 404
    assert "did you mean timeline?" in response.text


@pytest.mark.parametrize(("suffix", "media"), [
    ("csv", "text/csv; charset=utf-8"), ("json", "application/sparql-results+json"),
    ("tsv", "text/tab-separated-values; charset=utf-8"), ("xml", "application/sparql-results+xml"),
])
def test_suffixes_choose_the_format(http, suffix, media):
    response = http.get(f"/api/queries/diplomatic-missions.{suffix}")
    assert response.status_code == 200
    assert response.headers["content-type"] == media


def test_graph_query_suffixes_and_negotiation(http):
    turtle = http.get("/api/queries/resource-card.ttl", params={"resource": "res:Tirana"})
    jsonld = http.get("/api/queries/resource-card.jsonld", params={"resource": "res:Tirana"})
    accepted = http.get("/api/queries/resource-card", params={"resource": "res:Tirana"},
                        headers={"Accept": "application/n-triples"})
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert accepted.headers["content-type"] == "application/n-triples"
    assert f"<{RES}Tirana>" in accepted.text


def test_a_format_that_does_not_fit_is_406(http):
    assert http.get("/api/queries/diplomatic-missions.ttl").status_code == 406
    assert http.get("/api/queries/diplomatic-missions", headers={"Accept": "text/turtle"}).status_code == 406


def test_limit_and_offset_page_with_link_next(http):
    first = http.get("/api/queries/diplomatic-missions.csv", params={"limit": "1"})
    assert [r[3] for r in csv.reader(io.StringIO(first.text))][1:] == [RES + "Albania"]
    match = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["link"])
    assert match
    second = http.get(match.group(1))
    assert [r[3] for r in csv.reader(io.StringIO(second.text))][1:] == [RES + "France"]
    assert "link" not in second.headers


def test_limit_is_only_for_select_and_must_be_a_positive_integer(http):
    assert http.get("/api/queries/is-member", params={"member": "res:Albania", "organisation": "res:NATO",
                                                       "limit": "1"}).status_code == 400
    assert http.get("/api/queries/timeline", params={"limit": "0"}).status_code == 400
    assert http.get("/api/queries/timeline", params={"offset": "-1"}).status_code == 400


def test_a_federated_query_is_refused_unless_its_service_is_allowed(http):
    response = http.get("/api/queries/wikidata-membership-dates")
    assert response.status_code == 400
    assert "is not allowed" in response.text and "nothing was sent" in response.text


def test_openapi_document_is_valid_and_has_one_operation_per_query(http, service):
    from openapi_spec_validator import validate

    document = http.get("/openapi.json").json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    operations = {path for path in document["paths"] if path.startswith("/api/queries/")}
    assert operations == {f"/api/queries/{name}" for name in service.queries}
    parameters = {p["name"]: p for p in document["paths"]["/api/queries/is-member"]["get"]["parameters"]}
    assert parameters["status"]["schema"]["enum"] == ["role:member", "role:founder", "role:candidate"]
    assert parameters["status"]["schema"]["default"] == "role:member"
    assert parameters["member"]["required"] is True
    assert "limit" not in parameters
    timeline = {p["name"] for p in document["paths"]["/api/queries/timeline"]["get"]["parameters"]}
    assert {"limit", "offset"} <= timeline
    content = document["paths"]["/api/queries/resource-card"]["get"]["responses"]["200"]["content"]
    assert "text/turtle" in content and "application/sparql-results+json" not in content
