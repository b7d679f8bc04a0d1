"""Every shape has a valid example that passes and an invalid twin that fails it
with the expected message, in both SHACL engines (rudof, the default, and pySHACL,
the reference), which report the same number of results. The report text is the
assertion message."""

from __future__ import annotations

import pytest
from rdflib import Graph

from afkg.graph import KnowledgeGraph
from afkg.validation.validate import Report, result_key, shacl_results

PRELUDE = """
@prefix afkg: <https://w3id.org/afkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/> .
@prefix kind: <https://w3id.org/afkg/kind/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix role: <https://w3id.org/afkg/role/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:doc a afkg:SourceDocument ; rdfs:label "Doc"@en ; afkg:localFile "source.txt" ;
    dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> ; dcterms:source <https://example.org/article> .
ex:ds a void:Dataset ; dcterms:created "2026-11-27"^^xsd:date ; dcterms:source ex:doc .
ex:sec a afkg:ArticleSection ; rdfs:label "Section"@en ; afkg:sectionOrder 1 ; afkg:ofDocument ex:doc .
ex:p a afkg:Passage ; afkg:inSection ex:sec ; afkg:quote "Some words." .
ex:A a afkg:Country ; rdfs:label "A"@en ; afkg:needsWikidataLink true .
ex:B a afkg:Country ; rdfs:label "B"@en ; afkg:needsWikidataLink true .
ex:Org a afkg:Organization ; afkg:kind kind:international-organisation ; rdfs:label "Org"@en ; afkg:needsWikidataLink true .
ex:P a afkg:Person ; rdfs:label "P"@en ; afkg:needsWikidataLink true .
ex:Q a afkg:Person ; rdfs:label "Q"@en ; afkg:needsWikidataLink true .
ex:Office a afkg:Office ; afkg:kind kind:head-of-state ; rdfs:label "Head of A"@en ; afkg:officeOf ex:A ;
    afkg:needsWikidataLink true .
ex:City a afkg:Place ; afkg:kind kind:city ; rdfs:label "City"@en ; afkg:country ex:B ; afkg:needsWikidataLink true .
ex:Region a afkg:Place ; afkg:kind kind:region ; rdfs:label "Region"@en ; afkg:country ex:A ; afkg:needsWikidataLink true .
ex:Topic a afkg:Topic ; rdfs:label "topic"@en .
"""

FACT = 'rdfs:label "f"@en ; prov:wasDerivedFrom ex:p ; '


def trade(total: str = "38.9", exports: str = "22.8", imports: str = "16.1", balance: str = "6.69",
          export_agent: str = "ex:A", currency: str = "EUR") -> str:
    """A year of trade reported by ex:A with ex:B, amounts in millions as the article gives them."""
    def m(x: str) -> str:
        return str(round(float(x) * 1_000_000)) + ".0"
    common = 'afkg:counterpart ex:B ; afkg:date "2024"^^xsd:gYear ; afkg:precision kind:year ; prov:wasDerivedFrom ex:p'
    return f"""
ex:total a afkg:TradeFigure ; afkg:kind kind:trade-total ; rdfs:label "t"@en ; afkg:agent ex:A ; {common} ;
    afkg:amount {m(total)} ; afkg:currency "EUR" ; afkg:roundingUnit 100000.0 .
ex:ex a afkg:TradeFigure ; afkg:kind kind:export ; rdfs:label "e"@en ; afkg:agent {export_agent} ; {common} ;
    afkg:amount {m(exports)} ; afkg:currency "{currency}" ; afkg:roundingUnit 100000.0 .
ex:im a afkg:TradeFigure ; afkg:kind kind:import ; rdfs:label "i"@en ; afkg:agent ex:A ; {common} ;
    afkg:amount {m(imports)} ; afkg:currency "EUR" ; afkg:roundingUnit 100000.0 .
ex:bal a afkg:TradeFigure ; afkg:kind kind:trade-balance ; rdfs:label "b"@en ; afkg:agent ex:A ; {common} ;
    afkg:amount {m(balance)} ; afkg:currency "EUR" ; afkg:roundingUnit 10000.0 .
"""


MEMBERSHIP = 'ex:m a afkg:Membership ; afkg:kind kind:membership ; ' + FACT + 'org:member ex:A ; org:organization ex:Org ; '
HOLDING = ('ex:h a afkg:Standing ; afkg:kind kind:office-holding ; ' + FACT +
           'afkg:agent ex:P ; afkg:office ex:Office ; afkg:date "2024"^^xsd:gYear ; afkg:precision kind:year . ')
VISIT = HOLDING + ('ex:v a afkg:Visit ; afkg:kind kind:visit ; ' + FACT +
                   'afkg:agent ex:P ; afkg:office ex:Office ; afkg:date "2024"^^xsd:gYear ; afkg:precision kind:year ; ')
STANCE = 'ex:s a afkg:Stance ; ' + FACT + 'afkg:agent ex:A ; afkg:wording "x" ; '
INVEST = 'ex:i a afkg:Investment ; afkg:kind kind:investment ; ' + FACT + 'afkg:agent ex:A ; afkg:counterpart ex:B ; afkg:currency "EUR" ; '
RULE = 'ex:r a afkg:ControlPeriod ; afkg:kind kind:rule ; ' + FACT + 'afkg:agent ex:P ; afkg:place ex:Region ; '
MISSION = ('ex:e a afkg:DiplomaticMission ; afkg:kind kind:embassy ; rdfs:label "e"@en ; afkg:needsWikidataLink true ; '
           'afkg:sendingState ex:A ; ')
RELATION = 'ex:rel a afkg:BilateralRelation ; rdfs:label "A–B"@en ; afkg:needsWikidataLink true ; afkg:party ex:A , ex:B ; '
DECLARATION = 'ex:d a afkg:Act ; afkg:kind kind:declaration-of-independence ; ' + FACT + 'afkg:agent ex:P ; '
ESTABLISHMENT = 'ex:est a afkg:Act ; ' + FACT + 'afkg:agent ex:A ; '
GROUP = 'ex:G a afkg:Group ; afkg:kind kind:people ; rdfs:label "G"@en ; afkg:needsWikidataLink true . '
UNDATED_VISIT = ('ex:v a afkg:Visit ; afkg:kind kind:visit ; ' + FACT +
                 'afkg:agent ex:P ; afkg:office ex:Office ; afkg:counterpart ex:B . ')
MONTH_VISIT = ('ex:v a afkg:Visit ; afkg:kind kind:visit ; ' + FACT + 'afkg:agent ex:P ; afkg:office ex:Office ; '
               'afkg:counterpart ex:B ; afkg:date "2022-05"^^xsd:gYearMonth ; afkg:precision kind:month . ')
TERM = ('ex:h a afkg:Standing ; afkg:kind kind:office-holding ; ' + FACT +
        'afkg:agent ex:P ; afkg:office ex:Office ; afkg:precision kind:year ; ')
SPLIT = RULE + 'afkg:start "1917-06-23"^^xsd:date ; afkg:end "1920"^^xsd:gYear ; '
COMMUNITY = 'ex:c a afkg:Standing ; afkg:kind kind:community ; ' + FACT
QUANTITY = 'ex:q a afkg:Standing ; afkg:kind kind:community ; ' + FACT + 'afkg:agent ex:G ; afkg:counterpart ex:B ; '


def kind(iri: str, broader: str, scheme: str = "kind:fact-kinds", definition: str = 'skos:definition "d"@en ; ') -> str:
    """A kind a relation's data adds to a scheme of the ontology."""
    return (f'{iri} a skos:Concept ; skos:inScheme {scheme} ; skos:prefLabel "{iri}"@en ; {definition}'
            f'skos:broader {broader} . ')

# (shape, valid snippet, invalid snippet, expected message of the failure)
CASES = [
    ("LabelShape", 'ex:X a afkg:Person ; rdfs:label "X"@en ; afkg:needsWikidataLink true .',
     'ex:X a afkg:Person ; rdfs:label "X"@en , "Y"@en ; afkg:needsWikidataLink true .', "at most one per language"),
    ("LabelShape (no tag)", 'ex:X a afkg:Person ; rdfs:label "X"@en ; afkg:needsWikidataLink true .',
     'ex:X a afkg:Person ; rdfs:label "X" ; afkg:needsWikidataLink true .', "language-tagged rdfs:label"),
    ("TypedShape", MEMBERSHIP + "org:role role:member .",
     'ex:m afkg:kind kind:membership ; ' + FACT + 'org:member ex:A ; org:organization ex:Org ; org:role role:member .',
     "has no afkg class"),
    ("ThingKindShape", 'ex:X a afkg:Person ; rdfs:label "X"@en ; afkg:needsWikidataLink true .',
     'ex:X a afkg:Person , afkg:Office ; rdfs:label "X"@en ; afkg:officeOf ex:A ; afkg:needsWikidataLink true .',
     "exactly one of actor, place, office"),
    ("ActorKindShape", 'ex:X a afkg:Person ; rdfs:label "X"@en ; afkg:needsWikidataLink true .',
     'ex:X a afkg:Person , afkg:Country ; rdfs:label "X"@en ; afkg:needsWikidataLink true .',
     "exactly one of country, organisation, person or group"),
    ("FactClassShape", MEMBERSHIP + "org:role role:member .",
     'ex:f a afkg:Fact ; afkg:kind kind:membership ; ' + FACT + 'afkg:wording "w" .', "exactly one fact class"),
    ("FactShape", MEMBERSHIP + "org:role role:member .",
     MEMBERSHIP + "org:role role:member ; afkg:kind kind:support .", "exactly one afkg:kind"),
    ("FactShape (provenance)", MEMBERSHIP + "org:role role:member .",
     'ex:m a afkg:Membership ; afkg:kind kind:membership ; rdfs:label "m"@en ; org:member ex:A ; org:organization ex:Org ; org:role role:member .',
     "prov:wasDerivedFrom at least one afkg:Passage"),
    ("FactShape (opposite roles)", STANCE + "afkg:kind kind:opposition ; afkg:counterpart ex:B .",
     STANCE + "afkg:kind kind:opposition ; afkg:counterpart ex:A .", "other than its counterpart"),
    ("FactShape (a group as cause)", GROUP + STANCE + "afkg:kind kind:support ; afkg:counterpart ex:B ; afkg:cause ex:G .",
     GROUP + STANCE + "afkg:kind kind:support ; afkg:counterpart ex:B ; afkg:cause ex:Topic .",
     "must be a fact or an actor"),
    ("MembershipShape", MEMBERSHIP + "org:role role:member , role:founder .",
     MEMBERSHIP + "org:role role:member , role:candidate .", "cannot be both role:candidate"),
    ("MembershipShape (role)", MEMBERSHIP + "org:role role:candidate .",
     MEMBERSHIP + "org:role kind:support .", "role:member, role:founder or role:candidate"),
    ("StandingShape", HOLDING, HOLDING.replace("afkg:agent ex:P", "afkg:agent ex:A"),
     "An office holding needs a person"),
    ("StandingShape (community)", GROUP + COMMUNITY + "afkg:agent ex:G ; afkg:counterpart ex:B .",
     GROUP + COMMUNITY + "afkg:counterpart ex:B .", "any other standing needs an afkg:agent or an afkg:about"),
    ("StandingShape (a kind narrower than office holding)",
     kind("ex:acting", "kind:office-holding") + HOLDING.replace("kind:office-holding", "ex:acting"),
     kind("ex:acting", "kind:office-holding") + HOLDING.replace("kind:office-holding", "ex:acting")
     .replace("afkg:office ex:Office ; ", ""), "An office holding needs a person"),
    ("StandingShape (a kind of another class)",
     kind("ex:acting", "kind:office-holding") + HOLDING.replace("kind:office-holding", "ex:acting"),
     kind("ex:acting", "kind:visit") + HOLDING.replace("kind:office-holding", "ex:acting"),
     "or a kind the data adds to kind:fact-kinds with one of them as skos:broader"),
    ("StanceShape", STANCE + "afkg:kind kind:opposition ; afkg:counterpart ex:B .",
     STANCE + "afkg:kind kind:rule ; afkg:counterpart ex:B .", "kind:support, kind:opposition or kind:withheld-support"),
    ("StatementShape", 'ex:st a afkg:Statement ; afkg:kind kind:assessment ; ' + FACT + 'afkg:about ex:A ; afkg:wording "w" .',
     'ex:st a afkg:Statement ; afkg:kind kind:praise ; ' + FACT + 'afkg:about ex:A ; afkg:wording "w" .',
     "need the afkg:agent who spoke"),
    ("StatementShape (opinion)",
     'ex:st a afkg:Statement ; afkg:kind kind:opinion ; ' + FACT + 'afkg:agent ex:P ; afkg:about ex:A ; afkg:wording "w" .',
     'ex:st a afkg:Statement ; afkg:kind kind:opinion ; ' + FACT + 'afkg:about ex:A ; afkg:wording "w" .',
     "opinions need the afkg:agent who spoke"),
    ("StatementShape (a kind narrower than assessment)",
     kind("ex:verdict", "kind:assessment") + 'ex:st a afkg:Statement ; afkg:kind ex:verdict ; ' + FACT
     + 'afkg:about ex:A ; afkg:wording "w" .',
     kind("ex:verdict", "kind:praise") + 'ex:st a afkg:Statement ; afkg:kind ex:verdict ; ' + FACT
     + 'afkg:about ex:A ; afkg:wording "w" .', "need the afkg:agent who spoke"),
    ("VisitShape", VISIT + "afkg:counterpart ex:B .", VISIT + "afkg:counterpart ex:A .",
     "belongs to the host country"),
    ("VisitShape (host)", VISIT + "afkg:counterpart ex:B .", VISIT + "afkg:counterpart ex:City .",
     "afkg:counterpart, the host country"),
    ("VisitShape (undated)", HOLDING + UNDATED_VISIT, UNDATED_VISIT,
     "is not held by the visitor (no office holding says so)"),
    ("VisitShape (office held for a period)", TERM + 'afkg:start "2020"^^xsd:gYear . ' + MONTH_VISIT,
     TERM + 'afkg:start "2020"^^xsd:gYear ; afkg:end "2021"^^xsd:gYear . ' + MONTH_VISIT,
     "is not held by the visitor at the visit's date"),
    ("VisitShape (undated office holding)", TERM.replace("afkg:precision kind:year ; ", "") + 'afkg:wording "w" . '
     + MONTH_VISIT, MONTH_VISIT, "is not held by the visitor at the visit's date"),
    ("MeetingShape", 'ex:mt a afkg:Meeting ; afkg:kind kind:bilateral-meeting ; ' + FACT + 'afkg:party ex:P , ex:Q .',
     'ex:mt a afkg:Meeting ; afkg:kind kind:bilateral-meeting ; ' + FACT + 'afkg:party ex:P .',
     "at least two afkg:party"),
    ("AgreementShape", 'ex:ag a afkg:Agreement ; afkg:kind kind:agreement ; ' + FACT + 'afkg:party ex:A , ex:B ; dcterms:subject ex:Topic .',
     'ex:ag a afkg:Agreement ; afkg:kind kind:agreement ; ' + FACT + 'afkg:party ex:A , ex:B .',
     "needs a dcterms:subject"),
    ("RelationshipShape", 'ex:t a afkg:Relationship ; afkg:kind kind:cooperation ; ' + FACT + 'afkg:party ex:A .',
     'ex:t a afkg:Relationship ; afkg:kind kind:cooperation ; ' + FACT + 'afkg:agent ex:A .',
     "needs an afkg:party, or an afkg:agent and an afkg:counterpart"),
    ("RelationshipShape (a kind the data adds)",
     kind("ex:contacts", "kind:diplomatic-relations") + 'ex:t a afkg:Relationship ; afkg:kind ex:contacts ; '
     + FACT + 'afkg:party ex:A , ex:B .',
     kind("ex:contacts", "kind:rule") + 'ex:t a afkg:Relationship ; afkg:kind ex:contacts ; '
     + FACT + 'afkg:party ex:A , ex:B .', "A relationship's afkg:kind is"),
    ("RelationshipShape (a kind of another scheme)",
     kind("ex:contacts", "kind:diplomatic-relations") + 'ex:t a afkg:Relationship ; afkg:kind ex:contacts ; '
     + FACT + 'afkg:party ex:A , ex:B .',
     kind("ex:contacts", "kind:diplomatic-relations", scheme="kind:thing-kinds") + 'ex:t a afkg:Relationship ; '
     'afkg:kind ex:contacts ; ' + FACT + 'afkg:party ex:A , ex:B .', "A relationship's afkg:kind is"),
    ("ControlPeriodShape", RULE + ".", RULE.replace("kind:rule", "kind:occupation") + ".",
     "Only a country occupies"),
    ("ControlPeriodShape (a kind narrower than rule)", kind("ex:regency", "kind:rule") + RULE.replace("kind:rule", "ex:regency") + ".",
     kind("ex:regency", "kind:occupation") + RULE.replace("kind:rule", "ex:regency") + ".", "Only a country occupies"),
    ("ActShape", DECLARATION + "afkg:about ex:A ; afkg:counterpart ex:B .",
     DECLARATION + "afkg:about ex:A ; afkg:counterpart ex:A .", "cannot become independent from itself"),
    ("ActShape (no counterpart named)", DECLARATION + "afkg:about ex:A .",
     DECLARATION + "afkg:about ex:A ; afkg:counterpart ex:Q .", "where the article names it, both countries"),
    ("ActShape (establishment)", ESTABLISHMENT + "afkg:kind kind:establishment ; afkg:about ex:Org .",
     ESTABLISHMENT + "afkg:kind kind:establishment .", "an establishment needs afkg:about"),
    ("ActShape (a kind narrower than establishment)",
     kind("ex:proclamation", "kind:establishment") + ESTABLISHMENT + "afkg:kind ex:proclamation ; afkg:about ex:Org .",
     kind("ex:proclamation", "kind:establishment") + ESTABLISHMENT + "afkg:kind ex:proclamation .",
     "an establishment needs afkg:about"),
    ("ActShape (withdrawal)",
     'ex:w a afkg:Act ; afkg:kind kind:withdrawal ; ' + FACT + 'afkg:agent ex:A ; afkg:place ex:Region .',
     'ex:w a afkg:Act ; afkg:kind kind:withdrawal ; ' + FACT + 'afkg:agent ex:A .', "a withdrawal needs the afkg:place"),
    ("TradeFigureShape", trade(), trade().replace("afkg:kind kind:trade-balance", "afkg:kind kind:investment"),
     "kind:export, kind:import, kind:trade-total or kind:trade-balance"),
    ("GrowthShape", trade() + 'ex:ex afkg:growthPercent 14.2 ; afkg:wording "grew by 14.2%" .',
     trade() + 'ex:ex afkg:growthPercent -14.2 ; afkg:wording "grew by 14.2%" .', "does not agree with the article's wording"),
    ("TradeArithmeticShape", trade(), trade(total="40.0"), "differs from exports"),
    ("TradeArithmeticShape (balance)", trade(), trade(balance="6.5"), "minus imports"),
    ("TradeArithmeticShape (missing flow)", trade(), trade(currency="USD"), "a missing flow counts"),
    ("InvestmentShape", INVEST + "afkg:minimumAmount 5.0 .", INVEST + "afkg:amount 5.0 ; afkg:minimumAmount 5.0 .",
     "exactly one of afkg:amount or afkg:minimumAmount"),
    ("MoneyShape", INVEST + "afkg:amount 5.0 .", INVEST.replace('"EUR"', '"euro"') + "afkg:amount 5.0 .",
     "an ISO 4217 code"),
    ("MoneyShape (negative)", INVEST + "afkg:amount 5.0 .", INVEST + "afkg:amount -5.0 .",
     "Only a trade balance can have a negative afkg:amount"),
    ("AmountWordingShape", INVEST + 'afkg:minimumAmount 5.0 ; afkg:amountLabel "over 5" .',
     INVEST + 'afkg:amount 5.0 ; afkg:amountLabel "over 5" .', "belongs in afkg:minimumAmount"),
    ("AmountWordingShape (quantity)",
     GROUP + QUANTITY + 'afkg:minimumQuantity 20000 ; afkg:unit kind:person ; afkg:amountLabel "over 20,000" .',
     GROUP + QUANTITY + 'afkg:quantity 20000 ; afkg:unit kind:person ; afkg:amountLabel "over 20,000" .',
     "(a quantity in afkg:minimumQuantity)"),
    ("QuantityShape", GROUP + QUANTITY + 'afkg:quantity 20000 ; afkg:unit kind:person .',
     GROUP + QUANTITY + 'afkg:quantity 20000 .', "exactly one afkg:unit"),
    ("QuantityShape (a number)", GROUP + QUANTITY + 'afkg:quantity 2.5 ; afkg:unit kind:item .',
     GROUP + QUANTITY + 'afkg:quantity "20,000" ; afkg:unit kind:person .', "non-negative xsd:integer or xsd:decimal"),
    ("QuantityShape (not negative)", GROUP + QUANTITY + 'afkg:quantity 0 ; afkg:unit kind:person .',
     GROUP + QUANTITY + 'afkg:quantity -5 ; afkg:unit kind:person .', "non-negative xsd:integer or xsd:decimal"),
    ("QuantityShape (exact or lower bound)", GROUP + QUANTITY + 'afkg:minimumQuantity 5000 ; afkg:unit kind:person .',
     GROUP + QUANTITY + 'afkg:quantity 5000 ; afkg:minimumQuantity 5000 ; afkg:unit kind:person .',
     "exactly one of afkg:quantity or afkg:minimumQuantity"),
    ("QuantityShape (a unit the data adds)",
     kind("ex:ship", "kind:item", scheme="kind:units") + GROUP + QUANTITY + 'afkg:quantity 3 ; afkg:unit ex:ship .',
     kind("ex:ship", "kind:person", scheme="kind:fact-kinds") + GROUP + QUANTITY + 'afkg:quantity 3 ; afkg:unit ex:ship .',
     "exactly one afkg:unit"),
    ("DateOrderShape", RULE + 'afkg:start "1272"^^xsd:gYear ; afkg:end "1382"^^xsd:gYear ; afkg:precision kind:year .',
     RULE + 'afkg:start "1382"^^xsd:gYear ; afkg:end "1272"^^xsd:gYear ; afkg:precision kind:year .',
     "is after the afkg:end"),
    ("DatedShape", RULE + 'afkg:start "1272"^^xsd:gYear ; afkg:precision kind:year .',
     RULE + 'afkg:start "1272"^^xsd:gYear , "1273"^^xsd:gYear ; afkg:precision kind:year .',
     "An afkg:start is a single"),
    ("DatedShape (precision value)", RULE + 'afkg:start "1272"^^xsd:gYear ; afkg:precision kind:year .',
     RULE + 'afkg:start "1272"^^xsd:gYear ; afkg:precision kind:yeer .', "at most one afkg:precision: kind:day"),
    ("DatedShape (a date without precision)", SPLIT + 'afkg:startPrecision kind:day ; afkg:endPrecision kind:year .',
     SPLIT + 'afkg:startPrecision kind:day .',
     "afkg:end takes afkg:endPrecision, or else afkg:precision"),
    ("DatedShape (a precision without its date)", RULE + 'afkg:end "1920"^^xsd:gYear ; afkg:endPrecision kind:year .',
     RULE + 'afkg:end "1920"^^xsd:gYear ; afkg:endPrecision kind:year ; afkg:startPrecision kind:day .',
     "An afkg:startPrecision needs an afkg:start"),
    ("DatedShape (a precision that no date uses)", SPLIT + 'afkg:startPrecision kind:day ; afkg:precision kind:year .',
     SPLIT + 'afkg:startPrecision kind:day ; afkg:endPrecision kind:year ; afkg:precision kind:year .',
     "an afkg:precision a date without a precision of its own"),
    ("PrecisionShape", RULE + 'afkg:end "2020-03-30"^^xsd:date ; afkg:precision kind:day .',
     RULE + 'afkg:end "2020"^^xsd:gYear ; afkg:precision kind:day .',
     "The afkg:end 2020 does not fit its precision kind:day"),
    ("PrecisionShape (start to the day, end to the year)",
     SPLIT + 'afkg:startPrecision kind:day ; afkg:endPrecision kind:year .',
     SPLIT + 'afkg:startPrecision kind:month ; afkg:endPrecision kind:year .',
     "The afkg:start 1917-06-23 does not fit its precision kind:month"),
    ("PrecisionShape (own precision overrides)", SPLIT + 'afkg:startPrecision kind:day ; afkg:precision kind:year .',
     SPLIT + 'afkg:endPrecision kind:day ; afkg:precision kind:year .',
     "The afkg:end 1920 does not fit its precision kind:day"),
    ("NotFutureShape", RULE + 'afkg:start "1272"^^xsd:gYear ; afkg:precision kind:year .',
     RULE + 'afkg:start "2099"^^xsd:gYear ; afkg:precision kind:year .', "after the dataset was created"),
    ("BilateralRelationShape", RELATION + "afkg:firstParty ex:A .",
     'ex:C a afkg:Country ; rdfs:label "C"@en ; afkg:needsWikidataLink true . ' + RELATION + "afkg:firstParty ex:C .",
     "is not one of the relation's parties"),
    ("ActorShape", 'ex:X a afkg:Group ; afkg:kind kind:family ; rdfs:label "X"@en ; afkg:country ex:A ; afkg:needsWikidataLink true .',
     'ex:X a afkg:Group ; afkg:kind kind:family ; rdfs:label "X"@en ; afkg:country ex:City ; afkg:needsWikidataLink true .',
     "at most one afkg:country, a country"),
    ("DiplomaticMissionShape", MISSION + "afkg:country ex:B ; afkg:place ex:City .",
     MISSION + "afkg:country ex:B ; afkg:place ex:Region .", "is not a city"),
    ("DiplomaticMissionShape (city's country)", MISSION + "afkg:country ex:B ; afkg:place ex:City .",
     MISSION.replace("ex:A", "ex:Org") + "afkg:country ex:A ; afkg:place ex:City .",
     "lies in another country than the receiving state"),
    ("DiplomaticMissionShape (a kind narrower than city)",
     kind("ex:capital", "kind:city", scheme="kind:thing-kinds")
     + 'ex:Capital a afkg:Place ; afkg:kind ex:capital ; rdfs:label "C"@en ; afkg:country ex:B ; afkg:needsWikidataLink true . '
     + MISSION + "afkg:country ex:B ; afkg:place ex:Capital .",
     kind("ex:capital", "kind:region", scheme="kind:thing-kinds")
     + 'ex:Capital a afkg:Place ; afkg:kind ex:capital ; rdfs:label "C"@en ; afkg:country ex:B ; afkg:needsWikidataLink true . '
     + MISSION + "afkg:country ex:B ; afkg:place ex:Capital .", "is not a city"),
    ("DiplomaticMissionShape (distinct states)", MISSION + "afkg:country ex:B ; afkg:place ex:City .",
     MISSION + "afkg:country ex:A ; afkg:place ex:City .", "a country other than the receiving state"),
    ("PlaceShape", 'ex:Y a afkg:Place ; afkg:kind kind:region ; rdfs:label "Y"@en ; afkg:needsWikidataLink true .',
     'ex:Y a afkg:Place ; afkg:kind kind:war ; rdfs:label "Y"@en ; afkg:needsWikidataLink true .',
     "kind:city, kind:region or kind:dependent-territory"),
    ("PlaceShape (a kind the data adds)", kind("ex:port", "kind:city", scheme="kind:thing-kinds")
     + 'ex:Y a afkg:Place ; afkg:kind ex:port ; rdfs:label "Y"@en ; afkg:needsWikidataLink true .',
     kind("ex:port", "kind:city") + 'ex:Y a afkg:Place ; afkg:kind ex:port ; rdfs:label "Y"@en ; afkg:needsWikidataLink true .',
     "or a kind the data adds to kind:thing-kinds"),
    ("OfficeShape", 'ex:O2 a afkg:Office ; rdfs:label "O"@en ; afkg:officeOf ex:B ; afkg:needsWikidataLink true .',
     'ex:O2 a afkg:Office ; rdfs:label "O"@en ; afkg:needsWikidataLink true .', "exactly one afkg:officeOf"),
    ("EventShape", 'ex:W a afkg:Event ; afkg:kind kind:war ; rdfs:label "W"@en ; afkg:needsWikidataLink true .',
     'ex:W a afkg:Event ; afkg:kind kind:city ; rdfs:label "W"@en ; afkg:needsWikidataLink true .',
     "kind:war, kind:summit or kind:era"),
    ("PassageShape", 'ex:p2 a afkg:Passage ; afkg:inSection ex:sec ; afkg:quote "w" .',
     "ex:p2 a afkg:Passage ; afkg:inSection ex:sec .", "exactly one non-empty afkg:quote"),
    ("SectionShape", 'ex:s2 a afkg:ArticleSection ; rdfs:label "S"@en ; afkg:sectionOrder 2 ; afkg:ofDocument ex:doc .',
     'ex:s2 a afkg:ArticleSection ; rdfs:label "S"@en ; afkg:sectionOrder 0 ; afkg:ofDocument ex:doc .',
     "afkg:sectionOrder, an integer from 1"),
    ("SubsectionShape",
     'ex:s2 a afkg:ArticleSection ; rdfs:label "S"@en ; afkg:sectionOrder 2 ; afkg:ofDocument ex:doc ; afkg:parentSection ex:sec .',
     'ex:s2 a afkg:ArticleSection ; rdfs:label "S"@en ; afkg:sectionOrder 2 ; afkg:ofDocument ex:doc . '
     'ex:sec afkg:parentSection ex:s2 .', "comes after its subsection"),
    ("SubsectionShape (parent of another document)",
     'ex:s2 a afkg:ArticleSection ; rdfs:label "S"@en ; afkg:sectionOrder 2 ; afkg:ofDocument ex:doc ; afkg:parentSection ex:sec .',
     'ex:doc2 a afkg:SourceDocument ; rdfs:label "Doc 2"@en ; afkg:localFile "source.txt" ; '
     'dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> ; dcterms:source <https://example.org/article2> . '
     'ex:s2 a afkg:ArticleSection ; rdfs:label "S"@en ; afkg:sectionOrder 2 ; afkg:ofDocument ex:doc2 ; afkg:parentSection ex:sec .',
     "is of another document"),
    ("SourceDocumentShape", 'ex:s2 a afkg:ArticleSection ; rdfs:label "S"@en ; afkg:sectionOrder 2 ; afkg:ofDocument ex:doc .',
     'ex:s2 a afkg:ArticleSection ; rdfs:label "S"@en ; afkg:sectionOrder 1 ; afkg:ofDocument ex:doc .',
     "Two sections of the document have the order 1"),
    ("KindShape", kind("ex:contacts", "kind:diplomatic-relations"),
     kind("ex:contacts", "kind:diplomatic-relations", definition=""), "needs a skos:definition"),
    ("KindShape (broader)", kind("ex:contacts", "kind:diplomatic-relations"),
     kind("ex:contacts", "kind:diplomatic-relations").replace(" ; skos:broader kind:diplomatic-relations", ""),
     "needs a skos:broader"),
    ("KindShape (scheme)", kind("ex:contacts", "kind:diplomatic-relations"),
     kind("ex:contacts", "kind:diplomatic-relations", scheme="kind:time-precisions"), "exactly one scheme"),
    ("KindShape (namespace)", kind("ex:contacts", "kind:diplomatic-relations"),
     kind("kind:contacts", "kind:diplomatic-relations"), "minted under the relation's own IRIs"),
    ("WikidataLinkShape", 'ex:Z a afkg:Person ; rdfs:label "Z"@en ; owl:sameAs wd:Q5 .',
     'ex:Z a afkg:Person ; rdfs:label "Z"@en ; owl:sameAs <https://en.wikipedia.org/wiki/Z> .',
     "well-formed Wikidata item IRI"),
    ("UniqueItemShape", 'ex:Z a afkg:Person ; rdfs:label "Z"@en ; owl:sameAs wd:Q5 .',
     'ex:Z a afkg:Person ; rdfs:label "Z"@en ; owl:sameAs wd:Q5 . ex:Z2 a afkg:Person ; rdfs:label "Z2"@en ; owl:sameAs wd:Q5 .',
     "is also owl:sameAs of"),
    ("OneItemShape", 'ex:Z a afkg:Person ; rdfs:label "Z"@en ; owl:sameAs wd:Q5 .',
     'ex:Z a afkg:Person ; rdfs:label "Z"@en ; owl:sameAs wd:Q5 , wd:Q6 .', "at most one Wikidata item"),
    ("LinkedOrMarkedShape", 'ex:Z a afkg:Person ; rdfs:label "Z"@en ; owl:sameAs wd:Q5 .',
     'ex:Z a afkg:Person ; rdfs:label "Z"@en .', "either linked to Wikidata"),
    ("LinkedOrMarkedShape (value)", 'ex:Z a afkg:Person ; rdfs:label "Z"@en ; afkg:needsWikidataLink true .',
     'ex:Z a afkg:Person ; rdfs:label "Z"@en ; afkg:needsWikidataLink "yes" .', "is the boolean true"),
]


_RUNS: dict[tuple[str, str], Report] = {}


def _results(kg: KnowledgeGraph, snippet: str, engine: str) -> Report:
    """The engine's results on the prelude plus ``snippet``; each snippet is validated once per engine
    and worker (the two tests of a case share a worker, see ``twins``)."""
    if (snippet, engine) not in _RUNS:
        data = Graph().parse(data=PRELUDE + snippet, format="turtle")
        candidate = KnowledgeGraph(layout=kg.layout, ontology=kg.ontology, shapes=kg.shapes, data=data)
        results = sorted(shacl_results(candidate, engine=engine), key=result_key)
        _RUNS[(snippet, engine)] = Report(conforms=not results, results=results)
    return _RUNS[(snippet, engine)]


def twins() -> list:
    """One parameter set per case; both tests of a case run on one worker, sharing its runs."""
    return [pytest.param(*case, id=case[0], marks=pytest.mark.xdist_group(f"shape-{index}"))
            for index, case in enumerate(CASES)]


@pytest.mark.sample(4)
@pytest.mark.parametrize(("shape", "valid", "invalid", "message"), twins())
def test_shape_accepts_valid_and_rejects_invalid(kg, shape, valid, invalid, message):
    good = _results(kg, valid, "rudof")
    assert good.conforms, good.text()
    bad = _results(kg, invalid, "rudof")
    assert not bad.conforms, f"{shape}: the invalid example passed"
    name = "afsh:" + shape.split(" ")[0]
    assert any(message in r.message and r.shape == name for r in bad.results), bad.text()
    assert all(r.shape for r in bad.results), bad.text()


@pytest.mark.sample(4)
@pytest.mark.parametrize(("shape", "valid", "invalid", "message"), twins())
def test_engines_agree_on_each_twin(kg, shape, valid, invalid, message):
    for snippet in (valid, invalid):
        rudof, reference = _results(kg, snippet, "rudof"), _results(kg, snippet, "pyshacl")
        assert rudof.conforms == reference.conforms, reference.text()
        assert rudof.results == reference.results, rudof.text() + reference.text()


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


def test_one_sparql_constraint_per_shape(kg):
    from afkg.namespaces import RDF, SH
    counts = {shape: len(list(kg.shapes.objects(shape, SH.sparql))) for shape in kg.shapes.subjects(RDF.type, SH.NodeShape)}
    assert max(counts.values()) == 1
