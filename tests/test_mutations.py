"""A mutation suite: single mistakes a data editor makes, each applied to a copy of the
article's data. ``afkg validate`` must report every one with the shape (or the source
check) meant to catch it, and the two SHACL engines (rudof, the default, and pySHACL,
the reference) must agree on conformance and on the number of results."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.util import from_n3

from afkg.graph import KnowledgeGraph
from afkg.namespaces import bind_prefixes
from afkg.validation.validate import Report, ValidationResult, result_key, shacl_results, validate

SOURCE = "https://w3id.org/afkg/resource/source/albania-france/"
T = "fact:trade-2024-"
EXPORTS, IMPORTS, TOTAL, BALANCE = T + "france-exports-to-albania", T + "france-imports-from-albania", \
    T + "total-france-albania", T + "balance-france-albania"
INVEST = "fact:investment-france-albania-2023-2025"
VISIT, VISIT25 = "fact:visit-macron-albania-2024", "fact:visit-macron-albania-2025"

# (name, edit, shape or check that must report it)
MUTATIONS = [
    # trade arithmetic and direction
    ("exporter and importer swapped", ("set", EXPORTS, "afkg:kind", "kind:import"), "TradeArithmeticShape"),
    ("another currency on a flow", ("set", EXPORTS, "afkg:currency", '"USD"'), "TradeArithmeticShape"),
    ("another year on a flow", ("set", IMPORTS, "afkg:date", '"2023"^^xsd:gYear'), "TradeArithmeticShape"),
    ("import amount off", ("set", IMPORTS, "afkg:amount", '"17100000.0"^^xsd:decimal'), "TradeArithmeticShape"),
    ("total off", ("set", TOTAL, "afkg:amount", '"40000000.0"^^xsd:decimal'), "TradeArithmeticShape"),
    ("balance off", ("set", BALANCE, "afkg:amount", '"5690000.0"^^xsd:decimal'), "TradeArithmeticShape"),
    ("a flow deleted", ("delete", IMPORTS), "TradeArithmeticShape"),
    ("reporter swapped on a flow", ("set", EXPORTS, "afkg:agent", "res:Albania"), "TradeArithmeticShape"),
    ("growth sign flipped", ("set", EXPORTS, "afkg:growthPercent", '"-14.2"^^xsd:decimal'), "GrowthShape"),
    ("growth 142 %", ("set", EXPORTS, "afkg:growthPercent", '"142.0"^^xsd:decimal'), "TradeFigureShape"),
    ("growth wording changed", ("set", EXPORTS, "afkg:wording", '"French exports to Albania fell by 14.2%"'),
     "GrowthShape"),
    ("partner equals reporter", ("set", EXPORTS, "afkg:counterpart", "res:France"), "FactShape"),
    ("a city as reporter", ("set", TOTAL, "afkg:agent", "res:Paris"), "TradeFigureShape"),
    ("amount as a string", ("set", EXPORTS, "afkg:amount", '"22800000"'), "MoneyShape"),
    ("currency not ISO 4217", ("set", TOTAL, "afkg:currency", '"eur"'), "MoneyShape"),
    ("negative total", ("set", TOTAL, "afkg:amount", '"-38900000.0"^^xsd:decimal'), "MoneyShape"),
    ("trade figure kind misspelt", ("set", BALANCE, "afkg:kind", "kind:trade-balanse"), "TradeFigureShape"),
    # investment
    ("'over' recorded as exact", ("rename", INVEST, "afkg:minimumAmount", "afkg:amount"), "AmountWordingShape"),
    ("exact wording on a lower bound", ("set", INVEST, "afkg:amountLabel", '"€300 million"'), "AmountWordingShape"),
    ("amount and lower bound both", ("add", INVEST, "afkg:amount", '"300000000.0"^^xsd:decimal'), "InvestmentShape"),
    ("a country as channel", ("set", INVEST, "afkg:through", "res:France"), "FactShape"),
    ("end before start", ("set", INVEST, "afkg:end", '"2022"^^xsd:gYear'), "DateOrderShape"),
    ("precision missing", ("drop", INVEST, "afkg:precision"), "DatedShape"),
    # time
    ("day precision on a year", ("set", VISIT, "afkg:precision", "kind:day"), "PrecisionShape"),
    ("precision value misspelt", ("set", VISIT25, "afkg:precision", "kind:yeer"), "DatedShape"),
    ("a visit dated 2099", ("set", VISIT25, "afkg:date", '"2099"^^xsd:gYear'), "NotFutureShape"),
    ("protectorate starts after it ends", ("set", "fact:french-protectorate-of-korce", "afkg:start", '"1921"^^xsd:gYear'),
     "DateOrderShape"),
    ("a date more precise than its precision", ("set", "res:Balkan_Wars", "afkg:start", '"1912-10-08"^^xsd:date'),
     "PrecisionShape"),
    ("a date as plain text", ("set", "fact:anjou-rule-of-albania", "afkg:start", '"1272"'), "DatedShape"),
    # kinds and classes
    ("rule retyped as occupation", ("set", "fact:anjou-rule-of-albania", "afkg:kind", "kind:occupation"),
     "ControlPeriodShape"),
    ("a fact's type removed", ("drop", "fact:agreement-energy-2024", "rdf:type"), "TypedShape"),
    ("a fact with two kinds", ("add", "fact:agreement-energy-2024", "afkg:kind", "kind:support"), "FactShape"),
    ("stance kind from another scheme", ("set", "fact:france-opposed-albanian-aims-1912", "afkg:kind", "kind:rule"),
     "StanceShape"),
    ("membership role not a role", ("set", "fact:membership-albania-nato", "org:role", "afkg:Membership"),
     "MembershipShape"),
    ("candidate and member", ("add", "fact:membership-albania-eu", "org:role", "role:member"), "MembershipShape"),
    ("a country also a place", ("add", "res:Albania", "rdf:type", "afkg:Place"), "ThingKindShape"),
    ("a person also a country", ("add", "res:Emmanuel_Macron", "rdf:type", "afkg:Country"), "ActorKindShape"),
    ("a visit also a meeting", ("add", VISIT, "rdf:type", "afkg:Meeting"), "FactClassShape"),
    ("a city of kind war", ("set", "res:Paris", "afkg:kind", "kind:war"), "PlaceShape"),
    ("a war of kind city", ("set", "res:Balkan_Wars", "afkg:kind", "kind:city"), "EventShape"),
    ("an office of kind embassy", ("set", "res:President_of_France", "afkg:kind", "kind:embassy"), "OfficeShape"),
    ("an organisation of kind city", ("set", "res:NATO", "afkg:kind", "kind:city"), "ActorShape"),
    # roles and cross-checks
    ("an office as the visitor", ("set", VISIT, "afkg:agent", "res:President_of_France"), "VisitShape"),
    ("a city as host country", ("set", VISIT, "afkg:counterpart", "res:Tirana"), "VisitShape"),
    ("the visitor's office belongs to the host", ("set", VISIT, "afkg:office", "res:Prime_Minister_of_Albania"),
     "VisitShape"),
    ("a country as a mission's city", ("set", "res:Embassy_of_France_in_Tirana", "afkg:place", "res:Albania"),
     "DiplomaticMissionShape"),
    ("a mission's city in the wrong country", ("set", "res:Embassy_of_Albania_in_Paris", "afkg:place", "res:Tirana"),
     "DiplomaticMissionShape"),
    ("sending state equals receiving state", ("set", "res:Embassy_of_Albania_in_Paris", "afkg:sendingState",
                                              "res:France"), "DiplomaticMissionShape"),
    ("independent from itself", ("set", "fact:albanian-declaration-of-independence", "afkg:counterpart", "res:Albania"),
     "ActShape"),
    ("opposing oneself", ("set", "fact:france-opposed-albanian-aims-1912", "afkg:counterpart", "res:France"),
     "FactShape"),
    ("first party not a party", ("set", "res:Albania-France_relations", "afkg:firstParty", "res:Kingdom_of_Serbia"),
     "BilateralRelationShape"),
    ("a third party", ("add", "res:Albania-France_relations", "afkg:party", "res:Kingdom_of_Serbia"),
     "BilateralRelationShape"),
    ("a country holds an office", ("set", "fact:office-macron-president-2024", "afkg:agent", "res:France"),
     "StandingShape"),
    ("praise without speaker", ("drop", "fact:macron-praised-albania-2025", "afkg:agent"), "StatementShape"),
    ("a meeting of one", ("set", "fact:meeting-macron-rama-2024", "afkg:party", "res:Edi_Rama"), "MeetingShape"),
    ("a country as agreement topic", ("set", "fact:agreement-energy-2024", "dcterms:subject", "res:Albania"),
     "AgreementShape"),
    ("a family occupies", ("set", "fact:french-occupation-of-southeastern-albania", "afkg:agent",
                           "res:Capetian_House_of_Anjou"), "ControlPeriodShape"),
    ("a country as organisation", ("set", "fact:membership-france-nato", "org:organization", "res:Albania"),
     "MembershipShape"),
    # Wikidata links
    ("Wikidata host misspelt", ("set", "res:France", "owl:sameAs", "<http://www.wikdata.org/entity/Q142>"),
     "WikidataLinkShape"),
    ("a Wikipedia URL as owl:sameAs", ("set", "res:Paris", "owl:sameAs", "<https://en.wikipedia.org/wiki/Paris>"),
     "WikidataLinkShape"),
    ("a property as an entity's match", ("set", "res:Tirana", "owl:sameAs", "wd:P17"), "WikidataLinkShape"),
    ("France's Q-id on Albania", ("set", "res:Albania", "owl:sameAs", "wd:Q142"), "UniqueItemShape"),
    ("one Q-id for two entities", ("set", "res:Tirana", "owl:sameAs", "wd:Q90"), "UniqueItemShape"),
    ("a link deleted without marker", ("drop", "res:Paris", "owl:sameAs"), "LinkedOrMarkedShape"),
    ("needsWikidataLink \"yes\"", ("set", "res:French_language", "afkg:needsWikidataLink", '"yes"'),
     "LinkedOrMarkedShape"),
    ("linked and marked", ("add", "res:Middle_Ages", "afkg:needsWikidataLink", "true"), "LinkedOrMarkedShape"),
    # labels
    ("two English labels", ("add", "res:NATO", "rdfs:label", '"NATO"@en'), "LabelShape"),
    ("a label without language tag", ("set", "res:Tirana", "rdfs:label", '"Tirana"'), "LabelShape"),
    ("an empty label", ("set", "res:Paris", "rdfs:label", '""@en'), "LabelShape"),
    ("a fact without label", ("drop", "fact:agreement-energy-2024", "rdfs:label"), "LabelShape"),
    # sources and provenance
    ("a passage filed under the wrong section", ("set", "sec:history-1", "afkg:inSection", "sec:economic-relations"),
     "provenance"),
    ("a section label misspelt", ("set", "sec:history", "rdfs:label", '"Histroy"@en'), "provenance"),
    ("two sections with the same order", ("set", "sec:see-also", "afkg:sectionOrder", "7"), "SourceDocumentShape"),
    ("section order zero", ("set", "sec:infobox", "afkg:sectionOrder", "0"), "SectionShape"),
    ("a fact without provenance", ("drop", "fact:agreement-tourism-2024", "prov:wasDerivedFrom"), "FactShape"),
    ("a quote not in the article", ("set", "sec:history-8", "afkg:quote", '"France was Albania’s only partner."'),
     "provenance"),
    ("a passage with two quotes", ("add", "sec:history-8", "afkg:quote", '"throughout the Cold War"'), "PassageShape"),
    # vocabulary for what real articles say (issue 18): subsections, precision per date, undated events,
    # quantities, causes that are actors, acts without a counterpart
    ("a section made a subsection of the wrong one", ("add", "sec:see-also", "afkg:parentSection", "sec:history"),
     "provenance"),
    ("a parent section after its subsection", ("add", "sec:history", "afkg:parentSection", "sec:see-also"),
     "SubsectionShape"),
    ("a topic as a cause", ("set", "fact:france-opposed-albanian-aims-1912", "afkg:cause", "topic:energy"), "FactShape"),
    ("a start precision without a start", ("add", VISIT, "afkg:startPrecision", "kind:day"), "DatedShape"),
    ("an end precision the end does not fit", ("add", "fact:anjou-rule-of-albania", "afkg:endPrecision", "kind:day"),
     "PrecisionShape"),
    ("a quantity without a unit", ("add", "fact:membership-albania-nato", "afkg:quantity", '"20000"^^xsd:integer'),
     "QuantityShape"),
    ("a family as the state left", ("set", "fact:albanian-declaration-of-independence", "afkg:counterpart",
                                    "res:Capetian_House_of_Anjou"), "ActShape"),
    ("an undated trade figure", ("drop", EXPORTS, "afkg:date"), "TradeFigureShape"),
]


def _term(graph: Graph, text: str):
    if text == "rdf:type":
        return RDF.type
    return from_n3(text, nsm=graph.namespace_manager)


def mutate(data: Graph, edit: tuple[str, ...]) -> Graph:
    """A copy of ``data`` with one edit applied."""
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("sec", SOURCE)
    for triple in data:
        graph.add(triple)
    op, subject = edit[0], _term(graph, edit[1])
    assert (subject, None, None) in graph, f"{edit[1]} is not in the data"
    if op == "delete":
        graph.remove((subject, None, None))
        graph.remove((None, None, subject))
        return graph
    predicate = _term(graph, edit[2])
    if op == "drop":
        assert (subject, predicate, None) in graph
        graph.remove((subject, predicate, None))
    elif op == "rename":
        values = list(graph.objects(subject, predicate))
        assert values
        graph.remove((subject, predicate, None))
        for value in values:
            graph.add((subject, _term(graph, edit[3]), value))
    elif op == "set":
        graph.remove((subject, predicate, None))
        graph.add((subject, predicate, _term(graph, edit[3])))
    elif op == "add":
        graph.add((subject, predicate, _term(graph, edit[3])))
    return graph


@pytest.fixture(scope="module")
def article_kg(kg) -> KnowledgeGraph:
    return kg


def _mutated(kg: KnowledgeGraph, edit) -> KnowledgeGraph:
    return KnowledgeGraph(layout=kg.layout, ontology=kg.ontology, shapes=kg.shapes, data=mutate(kg.data, edit),
                          sources=kg.sources)


_MUTATED: dict[str, KnowledgeGraph] = {}
_REPORTS: dict[str, Report] = {}
_REFERENCE: dict[str, list[ValidationResult]] = {}


def mutated(kg: KnowledgeGraph, name: str, edit) -> KnowledgeGraph:
    """The article with one mutation applied, built once per mutation and worker."""
    if name not in _MUTATED:
        _MUTATED[name] = _mutated(kg, edit)
    return _MUTATED[name]


def report_of(kg: KnowledgeGraph, name: str, edit) -> Report:
    """``afkg validate``'s report on a mutation (rudof), computed once per mutation and worker."""
    if name not in _REPORTS:
        _REPORTS[name] = validate(mutated(kg, name, edit))
    return _REPORTS[name]


def reference_of(kg: KnowledgeGraph, name: str, edit) -> list[ValidationResult]:
    """pySHACL's results on a mutation, sorted; the reference run once per mutation and worker."""
    if name not in _REFERENCE:
        _REFERENCE[name] = sorted(shacl_results(mutated(kg, name, edit), engine="pyshacl"), key=result_key)
    return _REFERENCE[name]


def cases(mutations: list[tuple[str, tuple[str, ...], str]]) -> list:
    """Parameters of one mutation each; the tests of one mutation share a worker and its cached runs."""
    return [pytest.param(name, edit, expected, id=name, marks=pytest.mark.xdist_group(f"mutation-{index}"))
            for index, (name, edit, expected) in enumerate(mutations)]


def test_the_article_conforms_in_both_engines(kg):
    assert validate(kg).conforms, validate(kg).text()
    assert shacl_results(kg, engine="pyshacl") == []


def test_there_are_enough_mutations():
    assert len(MUTATIONS) >= 60
    assert len({name for name, *_ in MUTATIONS}) == len(MUTATIONS)


@pytest.mark.sample(3)
@pytest.mark.parametrize(("name", "edit", "expected"), cases(MUTATIONS))
def test_mutation_is_reported_by_the_right_shape(kg, name, edit, expected):
    report = report_of(kg, name, edit)
    assert not report.conforms, f"{name}: not reported"
    if expected == "provenance":
        assert any(r.check == "provenance" for r in report.results), report.text()
    else:
        assert any(r.shape == f"afsh:{expected}" for r in report.results), report.text()


@pytest.mark.sample(2)
@pytest.mark.parametrize(("name", "edit", "expected"), cases(MUTATIONS))
def test_engines_agree_on_the_mutation(kg, name, edit, expected):
    """rudof (with the SPARQL constraints run once over a store) reports exactly what pySHACL does:
    the same focus nodes, paths, values, messages, severities and shapes. rudof's results are those of
    ``afkg validate``'s report that the SHACL check found (``validate`` runs rudof through shacl_results)."""
    rudof = [r for r in report_of(kg, name, edit).results if r.check == "shacl"]
    reference = reference_of(kg, name, edit)
    if expected != "provenance":
        assert reference, f"{name}: the reference engine reports nothing"
    assert rudof == reference


def test_no_inference_can_hide_a_wrong_kind_of_value(kg):
    """With RDFS inference, afkg:agent's range (afkg:Actor) would make an office an actor;
    here only asserted types and their superclasses count."""
    mutated = _mutated(kg, ("set", VISIT, "afkg:agent", "res:President_of_France"))
    assert (URIRef("https://w3id.org/afkg/resource/President_of_France"), RDF.type,
            URIRef("https://w3id.org/afkg/ontology#Actor")) not in mutated.data
    assert any(r.shape == "afsh:VisitShape" for r in validate(mutated).results)


def _loaded_with(kg: KnowledgeGraph, edit, root) -> KnowledgeGraph:
    """The mutated data written to a project folder and loaded from it, as ``afkg validate`` loads it."""
    import shutil

    from afkg.graph import load
    from afkg.layout import Layout

    shutil.copytree(kg.layout.root / "ontology", root / "ontology")
    for pair in kg.layout.pair_dirs():
        target = root / "data" / pair.name
        target.mkdir(parents=True)
        for item in pair.iterdir():
            if item.suffix != ".ttl":
                shutil.copy(item, target / item.name)
    mutated = mutate(kg.data, edit)
    first = kg.layout.pair_dirs()[0]
    (root / "data" / first.name / "data.ttl").write_bytes(mutated.serialize(format="turtle", encoding="utf-8"))
    return load(Layout(root))


@pytest.mark.sample(1)
@pytest.mark.parametrize(("name", "edit", "expected"), cases(MUTATIONS)[::2])
def test_the_loaded_project_path_agrees_with_the_reference(kg, tmp_path, name, edit, expected):
    """A loaded project is validated without rdflib graphs (its parsed triples and a store; see
    validate._project_typed): the results equal pySHACL's on the same data, field for field,
    and its whole report equals the in-memory one."""
    loaded = _loaded_with(kg, edit, tmp_path)
    assert loaded.project is not None
    fast = sorted(shacl_results(loaded), key=result_key)
    reference = reference_of(kg, name, edit)
    if expected != "provenance":
        assert reference, f"{name}: the reference engine reports nothing"
    assert fast == reference
    # the folder rules (check "reference") need the files a project was loaded from; an in-memory
    # graph has none, so they are compared in tests/test_references.py instead
    assert sorted((r for r in validate(loaded).results if r.check != "reference"), key=result_key) == \
        sorted(report_of(kg, name, edit).results, key=result_key)
