"""Every shape has a valid example that passes and an invalid twin that fails it
with the expected message. The report text is the assertion message."""

from __future__ import annotations

import pytest
from rdflib import Graph

from afkg.graph import KnowledgeGraph
from afkg.validate import Report, shacl_results

PRELUDE = """
@prefix afkg: <https://w3id.org/afkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:doc a afkg:SourceDocument ; rdfs:label "Doc" ; afkg:localFile "source.txt" ;
    dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> ; dcterms:source <https://example.org/article> .
ex:sec a afkg:ArticleSection ; rdfs:label "Section" ; afkg:sectionOrder 1 ; afkg:ofDocument ex:doc .
ex:p a afkg:Passage ; afkg:inSection ex:sec ; afkg:quote "Some words." .
ex:A a afkg:Country ; rdfs:label "A" .
ex:B a afkg:Country ; rdfs:label "B" .
ex:Org a afkg:InternationalOrganization ; rdfs:label "Org" .
ex:P a afkg:Person ; rdfs:label "P" .
ex:Q a afkg:Person ; rdfs:label "Q" .
ex:Office a afkg:Office ; rdfs:label "Head of A" ; afkg:officeOf ex:A .
ex:City a afkg:City ; rdfs:label "City" .
ex:Topic a afkg:AgreementTopic ; rdfs:label "topic" .
ex:Area a afkg:CooperationArea ; rdfs:label "area" .
ex:Kind a afkg:RelationKind ; rdfs:label "kind" .
"""


def trade(total: str = "38.9", exports: str = "22.8", imports: str = "16.1", balance: str = "6.69",
          exporter: str = "ex:A", importer: str = "ex:B") -> str:
    """A year of trade between ex:A (reporter) and ex:B, amounts in millions as the article gives them."""
    def m(x: str) -> str:
        return str(round(float(x) * 1_000_000)) + ".0"
    common = 'afkg:reporter ex:A ; afkg:partner ex:B ; afkg:referenceYear "2024"^^xsd:gYear ; afkg:currency "EUR" ; prov:wasDerivedFrom ex:p'
    return f"""
ex:total a afkg:TradeTotal ; rdfs:label "t" ; {common} ; afkg:amount {m(total)} ; afkg:roundingUnit 100000.0 .
ex:ex a afkg:TradeFlow ; rdfs:label "e" ; {common} ; afkg:exporter {exporter} ; afkg:importer {importer} ;
    afkg:amount {m(exports)} ; afkg:roundingUnit 100000.0 .
ex:im a afkg:TradeFlow ; rdfs:label "i" ; {common} ; afkg:exporter ex:B ; afkg:importer ex:A ;
    afkg:amount {m(imports)} ; afkg:roundingUnit 100000.0 .
ex:bal a afkg:TradeBalance ; rdfs:label "b" ; {common} ; afkg:amount {m(balance)} ; afkg:roundingUnit 10000.0 .
"""


MEMBERSHIP = 'ex:m a afkg:Membership ; rdfs:label "m" ; org:member ex:A ; org:organization ex:Org ; prov:wasDerivedFrom ex:p ; '
VISIT = 'ex:v a afkg:Visit ; rdfs:label "v" ; afkg:visitor ex:P ; afkg:visitorOffice ex:Office ; prov:wasDerivedFrom ex:p ; afkg:timePrecision afkg:YearPrecision ; '
MISSION = 'ex:e a afkg:Embassy ; rdfs:label "e" ; prov:wasDerivedFrom ex:p ; '
STANCE = 'ex:s a afkg:Stance ; rdfs:label "s" ; afkg:stanceHolder ex:A ; afkg:stanceObject "x" ; prov:wasDerivedFrom ex:p ; '
INVEST = 'ex:i a afkg:Investment ; rdfs:label "i" ; afkg:investor ex:A ; afkg:recipient ex:B ; afkg:currency "EUR" ; prov:wasDerivedFrom ex:p ; '
DATED = 'ex:r a afkg:Rule ; rdfs:label "r" ; afkg:controller ex:P ; afkg:territory ex:A ; prov:wasDerivedFrom ex:p ; '

# (shape, valid snippet, invalid snippet, expected message of the failure)
CASES = [
    ("LabelShape", 'ex:X a afkg:Person ; rdfs:label "X" .', "ex:X a afkg:Person .",
     "needs an rdfs:label"),
    ("ProvenanceShape", MEMBERSHIP + "afkg:membershipStatus afkg:Member .",
     'ex:m a afkg:Membership ; rdfs:label "m" ; org:member ex:A ; org:organization ex:Org ; afkg:membershipStatus afkg:Member .',
     "prov:wasDerivedFrom at least one afkg:Passage"),
    ("PassageShape", 'ex:p2 a afkg:Passage ; afkg:inSection ex:sec ; afkg:quote "w" .',
     "ex:p2 a afkg:Passage ; afkg:inSection ex:sec .", "exactly one non-empty afkg:quote"),
    ("SectionShape", 'ex:s2 a afkg:ArticleSection ; rdfs:label "S" ; afkg:sectionOrder 2 ; afkg:ofDocument ex:doc .',
     'ex:s2 a afkg:ArticleSection ; rdfs:label "S" ; afkg:sectionOrder 0 ; afkg:ofDocument ex:doc .',
     "afkg:sectionOrder, an integer from 1"),
    ("SourceDocumentShape",
     'ex:d2 a afkg:SourceDocument ; rdfs:label "D" ; afkg:localFile "x.txt" ; dcterms:license <https://example.org/l> ; dcterms:source <https://example.org/s> .',
     'ex:d2 a afkg:SourceDocument ; rdfs:label "D" ; afkg:localFile "x.txt" ; dcterms:source <https://example.org/s> .',
     "needs a dcterms:license IRI"),
    ("BilateralRelationShape",
     'ex:rel a afkg:BilateralRelation ; rdfs:label "A–B" ; afkg:party ex:A , ex:B ; prov:wasDerivedFrom ex:p .',
     'ex:C a afkg:Country ; rdfs:label "C" . ex:rel a afkg:BilateralRelation ; rdfs:label "A–B" ; afkg:party ex:A , ex:B , ex:C ; prov:wasDerivedFrom ex:p .',
     "exactly two afkg:party values"),
    ("MembershipShape (status)", MEMBERSHIP + "afkg:membershipStatus afkg:Candidate .",
     MEMBERSHIP + "afkg:membershipStatus afkg:Support .", "needs a status: afkg:Member, afkg:Founder or afkg:Candidate"),
    ("MembershipShape (candidate and member)", MEMBERSHIP + "afkg:membershipStatus afkg:Member , afkg:Founder .",
     MEMBERSHIP + "afkg:membershipStatus afkg:Member , afkg:Candidate .", "cannot be both afkg:Candidate and afkg:Member"),
    ("OfficeShape", 'ex:O2 a afkg:Office ; rdfs:label "O" ; afkg:officeOf ex:B .', 'ex:O2 a afkg:Office ; rdfs:label "O" .',
     "exactly one afkg:officeOf"),
    ("OfficeHoldingShape",
     'ex:h a afkg:OfficeHolding ; rdfs:label "h" ; afkg:holder ex:P ; afkg:office ex:Office ; prov:wasDerivedFrom ex:p .',
     'ex:h a afkg:OfficeHolding ; rdfs:label "h" ; afkg:holder ex:A ; afkg:office ex:Office ; prov:wasDerivedFrom ex:p .',
     "An actor is exactly one of polity, organisation, person"),
    ("ActorKindShape", 'ex:X a afkg:Person ; rdfs:label "X" .', 'ex:X a afkg:Person , afkg:Country ; rdfs:label "X" .',
     "An actor is exactly one of polity, organisation, person"),
    ("ControlPeriodShape",
     'ex:o a afkg:Occupation ; rdfs:label "o" ; afkg:controller ex:A ; afkg:territory ex:B ; prov:wasDerivedFrom ex:p .',
     'ex:o a afkg:Occupation ; rdfs:label "o" ; afkg:territory ex:B ; prov:wasDerivedFrom ex:p .',
     "exactly one afkg:controller"),
    ("DeclarationShape",
     'ex:d a afkg:DeclarationOfIndependence ; rdfs:label "d" ; afkg:declaredBy ex:P ; afkg:independentState ex:A ; afkg:independentFrom ex:B ; prov:wasDerivedFrom ex:p .',
     'ex:d a afkg:DeclarationOfIndependence ; rdfs:label "d" ; afkg:declaredBy ex:P ; afkg:independentState ex:A ; prov:wasDerivedFrom ex:p .',
     "exactly one afkg:independentFrom"),
    ("WithdrawalShape",
     'ex:w a afkg:Withdrawal ; rdfs:label "w" ; afkg:withdrawingActor ex:A ; afkg:territory ex:B ; prov:wasDerivedFrom ex:p .',
     'ex:w a afkg:Withdrawal ; rdfs:label "w" ; afkg:withdrawingActor ex:A ; prov:wasDerivedFrom ex:p .',
     "the afkg:territory withdrawn from"),
    ("StanceShape", STANCE + "afkg:stanceKind afkg:Opposition .", STANCE + "afkg:stanceKind afkg:Member .",
     "afkg:Support, afkg:Opposition or afkg:WithheldSupport"),
    ("BilateralTieShape",
     'ex:t a afkg:BilateralTie ; rdfs:label "t" ; afkg:party ex:A , ex:B ; afkg:relationKind ex:Kind ; prov:wasDerivedFrom ex:p .',
     'ex:t a afkg:BilateralTie ; rdfs:label "t" ; afkg:party ex:A , ex:B ; prov:wasDerivedFrom ex:p .',
     "needs an afkg:relationKind"),
    ("VisitShape", VISIT + 'afkg:hostCountry ex:B ; afkg:pointInTime "2024"^^xsd:gYear .',
     VISIT + 'afkg:pointInTime "2024"^^xsd:gYear .', "exactly one afkg:hostCountry"),
    ("LanguageStandingShape",
     'ex:L a afkg:Language ; rdfs:label "L" . ex:ls a afkg:LanguageStanding ; rdfs:label "ls" ; afkg:language ex:L ; afkg:country ex:A ; afkg:foreignLanguageTeachingRank 2 ; prov:wasDerivedFrom ex:p .',
     'ex:L a afkg:Language ; rdfs:label "L" . ex:ls a afkg:LanguageStanding ; rdfs:label "ls" ; afkg:language ex:L ; afkg:country ex:A ; afkg:foreignLanguageTeachingRank 0 ; prov:wasDerivedFrom ex:p .',
     "xsd:integer from 1"),
    ("VisitShape (ordinal)", VISIT + 'afkg:hostCountry ex:B ; afkg:pointInTime "2024"^^xsd:gYear ; afkg:visitOrdinal 2 .',
     VISIT + 'afkg:hostCountry ex:B ; afkg:pointInTime "2024"^^xsd:gYear ; afkg:visitOrdinal "second" .',
     "single xsd:integer from 1"),
    ("MeetingShape",
     'ex:mt a afkg:Meeting ; rdfs:label "mt" ; afkg:participant ex:P , ex:Q ; prov:wasDerivedFrom ex:p .',
     'ex:mt a afkg:Meeting ; rdfs:label "mt" ; afkg:participant ex:P ; prov:wasDerivedFrom ex:p .',
     "at least two afkg:participant"),
    ("AgreementShape",
     'ex:ag a afkg:Agreement ; rdfs:label "ag" ; afkg:party ex:A , ex:B ; afkg:coversTopic ex:Topic ; prov:wasDerivedFrom ex:p .',
     'ex:ag a afkg:Agreement ; rdfs:label "ag" ; afkg:party ex:A , ex:B ; prov:wasDerivedFrom ex:p .',
     "needs an afkg:coversTopic"),
    ("StatementShape",
     'ex:st a afkg:Statement ; rdfs:label "st" ; afkg:speaker ex:P ; afkg:statementKind afkg:Praise ; afkg:content "c" ; prov:wasDerivedFrom ex:p .',
     'ex:st a afkg:Statement ; rdfs:label "st" ; afkg:speaker ex:P ; afkg:statementKind afkg:Praise ; prov:wasDerivedFrom ex:p .',
     "needs afkg:content"),
    ("CooperationShape",
     'ex:c a afkg:Cooperation ; rdfs:label "c" ; afkg:party ex:A ; afkg:focusArea ex:Area ; prov:wasDerivedFrom ex:p .',
     'ex:c a afkg:Cooperation ; rdfs:label "c" ; afkg:party ex:A ; prov:wasDerivedFrom ex:p .',
     "needs an afkg:focusArea"),
    ("DiplomaticMissionShape (distinct states)",
     MISSION + "afkg:sendingState ex:A ; afkg:receivingState ex:B ; afkg:city ex:City .",
     MISSION + "afkg:sendingState ex:A ; afkg:receivingState ex:A ; afkg:city ex:City .",
     "a polity other than the receiving state"),
    ("DiplomaticMissionShape (city)",
     MISSION + "afkg:sendingState ex:A ; afkg:receivingState ex:B ; afkg:city ex:City .",
     MISSION + "afkg:sendingState ex:A ; afkg:receivingState ex:B .", "exactly one afkg:city"),
    ("MonetaryAmountShape (currency)", INVEST + "afkg:amount 5.0 .",
     INVEST.replace('"EUR"', '"euro"') + "afkg:amount 5.0 .", "an ISO 4217 code"),
    ("MonetaryAmountShape (decimal)", INVEST + "afkg:amount 5.0 .", INVEST + 'afkg:amount "5" .',
     "is a single xsd:decimal"),
    ("NonNegativeAmountShape", INVEST + "afkg:amount 5.0 .", INVEST + "afkg:amount -5.0 .",
     "cannot have a negative afkg:amount"),
    ("InvestmentShape", INVEST + "afkg:minimumAmount 5.0 .", INVEST + "afkg:amount 5.0 ; afkg:minimumAmount 5.0 .",
     "exactly one of afkg:amount or afkg:minimumAmount"),
    ("TradeFigureShape", trade(), trade().replace("ex:bal a afkg:TradeBalance ; rdfs:label \"b\" ; afkg:reporter ex:A ; afkg:partner ex:B",
                                                  "ex:bal a afkg:TradeBalance ; rdfs:label \"b\" ; afkg:reporter ex:A ; afkg:partner ex:A"),
     "exactly one afkg:reporter, other than its partner"),
    ("TradeFlowShape", trade(), trade(exporter="ex:Org"), "must be its reporter and partner"),
    ("TradeTotalConsistencyShape", trade(), trade(total="40.0"), "differs from exports"),
    ("TradeBalanceConsistencyShape", trade(), trade(balance="6.5"), "minus imports"),
    ("DatedShape (order)",
     DATED + 'afkg:startDate "1272"^^xsd:gYear ; afkg:endDate "1382"^^xsd:gYear ; afkg:timePrecision afkg:YearPrecision .',
     DATED + 'afkg:startDate "1382"^^xsd:gYear ; afkg:endDate "1272"^^xsd:gYear ; afkg:timePrecision afkg:YearPrecision .',
     "is after the end"),
    ("DatedShape (mixed precision)",
     DATED + 'afkg:startDate "2020"^^xsd:gYear ; afkg:endDate "2020-03-30"^^xsd:date ; afkg:timePrecision afkg:DayPrecision .',
     DATED + 'afkg:startDate "2020-04-01"^^xsd:date ; afkg:endDate "2020-03-30"^^xsd:date ; afkg:timePrecision afkg:DayPrecision .',
     "is after the end"),
    ("DatedShape (datatype)",
     DATED + 'afkg:startDate "1272"^^xsd:gYear ; afkg:timePrecision afkg:YearPrecision .',
     DATED + 'afkg:startDate "1272" ; afkg:timePrecision afkg:YearPrecision .',
     "single xsd:date, xsd:gYearMonth or xsd:gYear"),
    ("DatedShape (precision)",
     DATED + 'afkg:startDate "1272"^^xsd:gYear ; afkg:timePrecision afkg:YearPrecision .',
     DATED + 'afkg:startDate "1272"^^xsd:gYear .', "exactly one afkg:timePrecision"),
    ("WikidataLinkShape (form)", "ex:A owl:sameAs wd:Q222 .", "ex:A owl:sameAs <https://www.wikidata.org/wiki/Q222> .",
     "not a well-formed item or property IRI"),
    ("WikidataLinkShape (property)", "ex:A skos:closeMatch wd:Q6256 .", "ex:A skos:closeMatch wd:P31 .",
     "not to the property"),
    ("WikidataLinkShape (unlinked)", "ex:A afkg:needsWikidataLink true .",
     "ex:A afkg:needsWikidataLink true ; owl:sameAs wd:Q222 .", "cannot also carry the Wikidata link"),
]


def _results(kg: KnowledgeGraph, snippet: str) -> Report:
    data = Graph().parse(data=PRELUDE + snippet, format="turtle")
    candidate = KnowledgeGraph(layout=kg.layout, ontology=kg.ontology, shapes=kg.shapes, data=data)
    results = sorted(shacl_results(candidate))
    return Report(conforms=not results, results=results)


@pytest.mark.parametrize(("shape", "valid", "invalid", "message"), CASES, ids=[c[0] for c in CASES])
def test_shape_accepts_valid_and_rejects_invalid(kg, shape, valid, invalid, message):
    good = _results(kg, valid)
    assert good.conforms, good.text()
    bad = _results(kg, invalid)
    assert not bad.conforms, f"{shape}: the invalid example passed"
    assert any(message in r.message for r in bad.results), bad.text()
    assert all(r.shape for r in bad.results), bad.text()


def test_every_shape_has_a_case(kg):
    from afkg.namespaces import RDF, SH
    shapes = {str(s).rsplit("#", 1)[-1] for s in kg.shapes.subjects(RDF.type, SH.NodeShape)}
    covered = {case[0].split(" ")[0] for case in CASES}
    assert shapes == covered


def test_every_constraint_has_a_message(kg):
    from afkg.namespaces import RDF, SH
    missing = []
    for shape in kg.shapes.subjects(RDF.type, SH.NodeShape):
        for prop in kg.shapes.objects(shape, SH.property):
            if (prop, SH.message, None) not in kg.shapes:
                missing.append((shape, kg.shapes.value(prop, SH.path)))
        for sparql in kg.shapes.objects(shape, SH.sparql):
            if (sparql, SH.message, None) not in kg.shapes:
                missing.append((shape, "sparql"))
        own = [p for p in (SH.xone, SH["or"], SH["and"], SH["not"]) if (shape, p, None) in kg.shapes]
        if own and (shape, SH.message, None) not in kg.shapes:
            missing.append((shape, "node constraint"))
    assert missing == []
