"""Wikidata links: offline check, refresh and suggest against a local fake of the API
(including 429 with Retry-After, a timeout, a malformed body and maxlag), compare,
and QuickStatements."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from afkg.cli import cli
from afkg.errors import NetworkError
from afkg.graph import load
from afkg.http_client import HttpClient
from afkg.layout import Layout
from afkg.wikidata import compare as wd_compare
from afkg.wikidata import items as wd_items
from afkg.wikidata import refresh as wd_refresh

from fakes import FakeServer, Reply, Request

HERE = Path(__file__).resolve().parent / "wikidata"
CLAIMS = json.loads((HERE / "claims.json").read_text(encoding="utf-8"))


def entity(item: str, layout: Layout) -> dict:
    """An entity of a wbgetentities answer, in Wikidata's JSON format."""
    label = wd_items.reference_ids(layout)[item][0]
    return {"type": "item", "id": item,
            "labels": {"en": {"language": "en", "value": label}},
            "descriptions": {"en": {"language": "en", "value": f"description of {label}"}},
            "claims": CLAIMS.get(item, {})}


def api(layout: Layout, *, before: list[Reply] | None = None):
    """A responder: the scripted replies first, then wbgetentities and wbsearchentities answers."""
    queue = list(before or [])

    def respond(request: Request) -> Reply:
        if queue:
            return queue.pop(0)
        if request.params.get("action") == "wbgetentities":
            ids = request.params["ids"].split("|")
            known = wd_items.reference_ids(layout)
            entities = {i: entity(i, layout) if i in known else {"id": i, "missing": ""} for i in ids}
            return Reply(body={"entities": entities, "success": 1})
        if request.params.get("action") == "wbsearchentities":
            term = request.params["search"]
            if term == "Balkan Wars":
                return Reply(body={"search": [{"id": "Q184183", "label": "Second Balkan War",
                                               "description": "1913 war"}]})
            return Reply(body={"search": []})
        return Reply(status=400, body={"error": {"code": "badrequest", "info": "unknown action"}})

    return respond


def client(**kwargs) -> tuple[HttpClient, list[float]]:
    slept: list[float] = []
    return HttpClient(sleep=slept.append, **kwargs), slept


@pytest.fixture()
def project(project_copy: Path) -> Path:
    return project_copy


def snapshot_file(project: Path) -> Path:
    return project / "data" / "wikidata" / "items.json"


def test_refresh_records_linked_items_in_batches(project, monkeypatch):
    kg = load(Layout(project))
    monkeypatch.setattr(wd_refresh, "BATCH", 10)
    web, slept = client()
    with FakeServer(api(kg.layout)) as server, web:
        path = wd_refresh.refresh(kg, web, api=server.url + "/w/api.php", today=date(2026, 11, 28))
    linked = {wd_items.qid(t) for _, _, t in wd_items.linked_entities(kg)}
    assert len(server.requests) == -(-len(linked) // 10) == 3
    for request in server.requests:
        assert request.headers["User-Agent"].startswith("afkg/")
        assert request.params["maxlag"] == "5" and request.params["format"] == "json"
        assert len(request.params["ids"].split("|")) <= 10
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    assert snapshot["retrieved"] == "2026-11-28"
    assert set(snapshot["items"]) == linked
    albania = snapshot["items"]["Q222"]
    assert albania["label"] == "Albania" and albania["instanceOf"] == ["Q3624078", "Q6256"]
    assert albania["statements"]["P463"][0] == {
        "value": "Q7184", "rank": "normal",
        "qualifiers": {"P580": [{"time": "+2009-04-01T00:00:00Z", "precision": 11}]}}
    assert "P1082" not in albania["statements"]  # a property the graph does not state is not kept
    assert slept == []


def test_refresh_waits_as_asked_by_429_and_maxlag(project):
    kg = load(Layout(project))
    replies = [Reply(status=429, headers={"Retry-After": "2"}, body="slow down"),
               Reply(body={"error": {"code": "maxlag", "info": "Waiting for a database server: 6 seconds lagged"}},
                     headers={"Retry-After": "5"})]
    web, slept = client()
    with FakeServer(api(kg.layout, before=replies)) as server, web:
        wd_refresh.refresh(kg, web, api=server.url, today=date(2026, 11, 28))
    assert slept == [2.0, 5.0]
    assert len(server.requests) == 3
    assert snapshot_file(project).exists()


RECORDED = '{"retrieved": "2026-01-01", "items": {}}\n'


@pytest.mark.sample(3)
@pytest.mark.parametrize("replies,message", [
    ([Reply(status=429, headers={"Retry-After": "1"})] * 4, "still busy after 4 attempts (HTTP 429)"),
    ([Reply(status=429, headers={"Retry-After": "3600"})], "asks to wait 3600 s (HTTP 429), more than 60 s"),
    ([Reply(body={"error": {"code": "maxlag", "info": "lagged"}}, headers={"Retry-After": "1"})] * 4,
     "still busy after 4 attempts (server lagging (maxlag))"),
    ([Reply(body="<html>Service Unavailable</html>")], "malformed answer from 127.0.0.1: not JSON"),
    ([Reply(body={"entities": []})], "malformed answer from Wikidata: no \"entities\" object"),
    ([Reply(body={"error": {"code": "no-such-entity", "info": "Could not find an entity"}})],
     "refused the request: no-such-entity: Could not find an entity"),
    ([Reply(status=500, body="oops")], "answered HTTP 500"),
])
def test_refresh_failures_end_in_a_clear_message_and_change_nothing(project, replies, message):
    snapshot_file(project).write_text(RECORDED, encoding="utf-8")
    kg = load(Layout(project))
    web, _ = client()
    with FakeServer(api(kg.layout, before=replies)) as server, web:
        with pytest.raises(NetworkError) as info:
            wd_refresh.refresh(kg, web, api=server.url)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert snapshot_file(project).read_text(encoding="utf-8") == RECORDED
    assert sorted(p.name for p in snapshot_file(project).parent.iterdir()) == sorted(
        ["items.json", "reference-ids.tsv", "README.md"])


def test_refresh_timeout_from_the_cli(project):
    snapshot_file(project).write_text(RECORDED, encoding="utf-8")
    with FakeServer(lambda request: Reply(body={"entities": {}}, delay=1.5)) as server:
        result = CliRunner().invoke(cli, ["--root", str(project), "link", "refresh", "--api", server.url,
                                          "--timeout", "0.3"])
    assert result.exit_code == 1
    assert result.output == "afkg: error: 127.0.0.1 did not answer within 0.3 s; nothing was changed\n"
    assert snapshot_file(project).read_text(encoding="utf-8") == RECORDED


def test_refresh_without_network_is_one_line_and_changes_nothing(project):
    result = CliRunner().invoke(cli, ["--root", str(project), "link", "refresh", "--api", "http://127.0.0.1:9/w/api.php",
                                      "--timeout", "2"])
    assert result.exit_code == 1
    assert result.output.startswith("afkg: error: cannot reach 127.0.0.1")
    assert result.output.count("\n") == 1
    assert not snapshot_file(project).exists()


def test_refresh_from_the_cli_writes_the_snapshot(project):
    kg = load(Layout(project))
    with FakeServer(api(kg.layout)) as server:
        result = CliRunner().invoke(cli, ["--root", str(project), "link", "refresh", "--api", server.url])
    assert result.exit_code == 0, result.output
    assert "Recorded" in result.output and "(1 request)" in result.output
    assert json.loads(snapshot_file(project).read_text(encoding="utf-8"))["items"]["Q142"]["label"] == "France"


def test_suggest_lists_candidates_and_writes_nothing(project):
    before = {p: p.read_bytes() for p in (project / "data").rglob("*") if p.is_file()}
    kg = load(Layout(project))
    with FakeServer(api(kg.layout)) as server:
        result = CliRunner().invoke(cli, ["--root", str(project), "link", "suggest", "--api", server.url])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("res:")]
    assert lines == ["res:Balkan_Wars\tQ184183\tSecond Balkan War\t1913 war\tinstance of ?"]
    searched = {r.params.get("search") for r in server.requests if r.params.get("action") == "wbsearchentities"}
    assert "Enver Hoxha" in searched and "Balkan Wars" in searched
    assert {p: p.read_bytes() for p in (project / "data").rglob("*") if p.is_file()} == before


# --- offline check ------------------------------------------------------------------------

def test_check_passes_on_the_graph():
    result = CliRunner().invoke(cli, ["link", "check"])
    assert result.exit_code == 0, result.output
    assert "17 entities need a Wikidata link:" in result.output
    assert "res:Enver_Hoxha  Enver Hoxha" in result.output


@pytest.mark.sample(3)
@pytest.mark.parametrize("edit,expected", [
    (("res:Tirana a afkg:Place ;", "res:Tirana a afkg:Place ;\n    owl:sameAs wd:Q222 ;"),
     "Q222: owl:sameAs of several entities: res:Albania, res:Tirana"),
    (("owl:sameAs wd:Q90 .", "owl:sameAs <https://www.wikidata.org/wiki/Q90> ."),
     "res:Paris: owl:sameAs <https://www.wikidata.org/wiki/Q90> is not a Wikidata item IRI"),
    (('rdfs:label "Edi Rama"@en ;', 'rdfs:label "Edvin Rama"@en ;'),
     "res:Edi_Rama: label mismatch: the graph says 'Edvin Rama', Wikidata Q316901 says 'Edi Rama'"),
    (("owl:sameAs wd:Q90 .", "owl:sameAs wd:Q19689 ."),
     "res:Paris: label mismatch: the graph says 'Paris', Wikidata Q19689 says 'Tirana'"),
    (("owl:sameAs wd:Q12554 .", "owl:sameAs wd:Q999999999 ."),
     "res:Middle_Ages: Q999999999 is not in the checked identifiers"),
    (("res:Paris a afkg:Place ;", "res:Paris a afkg:Event ;"),
     "res:Paris: class mismatch: Q90 is a city, but the entity is afkg:Event"),
])
def test_check_catches_link_problems(project, edit, expected):
    path = project / "data" / "shared" / "entities.ttl"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project), "link", "check"])
    assert result.exit_code == 1
    assert expected in result.output, result.output


def test_check_uses_recorded_instance_of(project):
    snapshot = {"retrieved": "2026-11-28", "items": {"Q222": {"label": "Albania", "instanceOf": ["Q5"],
                                                               "statements": {}}}}
    snapshot_file(project).write_text(json.dumps(snapshot), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(project), "link", "check"])
    assert result.exit_code == 1
    assert "res:Albania: class mismatch: Q222 is an instance of Q5, none of Q3624078, Q6256" in result.output


# --- compare and QuickStatements -------------------------------------------------------------

def recorded_snapshot(project: Path) -> None:
    """A snapshot as refresh records it from the fake API (Albania and France with some claims)."""
    layout = Layout(project)
    items = {q: wd_refresh.record_entity(entity(q, layout)) for q in ("Q222", "Q142")}
    snapshot_file(project).write_text(json.dumps({"retrieved": "2026-11-28", "items": items}), encoding="utf-8")


def test_compare_reports_agreeing_missing_and_conflicting(project):
    recorded_snapshot(project)
    path = project / "data" / "albania-france" / "memberships.ttl"
    # make the graph disagree with Wikidata: Albania a candidate of NATO
    path.write_text(path.read_text(encoding="utf-8").replace(
        "org:member res:Albania ; org:organization res:NATO ; org:role role:member",
        "org:member res:Albania ; org:organization res:NATO ; org:role role:candidate"), encoding="utf-8")
    rows = wd_compare.compare(load(Layout(project)))
    got = {(r.status, r.subject, r.property, r.value) for r in rows}
    assert ("agrees", "Q142", "P463", "Q7184") in got
    assert ("agrees", "Q222", "P6", "Q316901") in got
    assert ("agrees", "Q142", "P530", "Q222") in got
    assert ("missing in Wikidata", "Q142", "P35", "Q3052772") in got
    assert ("missing in Wikidata", "Q222", "P530", "Q142") in got
    assert ("conflicts", "Q222", "P463", "Q7184") in got
    assert not any(s == "not recorded" for s, *_ in got)


QS_LINE = re.compile(
    r'^Q\d+\tP\d+\t(Q\d+|"[^"\t]*"|\+\d{4}-\d{2}-\d{2}T00:00:00Z/(9|10|11))'
    r'(\t[PS]\d+\t(Q\d+|"[^"\t]*"|[a-z]{2,3}:"[^"\t]*"|\+\d{4}-\d{2}-\d{2}T00:00:00Z/(9|10|11)))*$')


def test_quickstatements_lines_are_valid_and_cover_what_wikidata_lacks(project):
    recorded_snapshot(project)
    result = CliRunner().invoke(cli, ["--root", str(project), "link", "quickstatements"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line and not line.startswith("note:")]
    assert lines and all(QS_LINE.match(line) for line in lines), lines
    heads = {tuple(line.split("\t")[:3]) for line in lines}
    assert heads == {("Q142", "P35", "Q3052772"), ("Q222", "P530", "Q142")}
    macron = [line.split("\t") for line in lines if line.startswith("Q142\tP35")]
    assert sorted(cells[4] for cells in macron) == ["+2024-00-00T00:00:00Z/9", "+2025-00-00T00:00:00Z/9"]
    first = macron[0]
    assert first[3] == "P585"
    assert first[5:7] == ["S854", '"https://en.wikipedia.org/wiki/Albania%E2%80%93France_relations"']
    assert first[7] == "S1683" and first[8].startswith('en:"In late 2024, French President Emmanuel Macron')
    assert first[9:] == ["S813", "+2026-11-27T00:00:00Z/11"]
