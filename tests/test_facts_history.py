"""Facts of the History section, asked through SPARQL; expected values read from the article."""

from datetime import date

from conftest import ask, select


def test_history_rule_independence_stances_occupation_ties(kg):
    # Anjous, a French noble family, controlled Albania between 1272 and 1382, in the Middle Ages
    rule = select(kg, """
        SELECT ?start ?end WHERE {
            ?r a afkg:Rule ; afkg:controller ?anjou ; afkg:territory res:Albania ;
               afkg:duringEvent res:Middle_Ages ; afkg:startDate ?start ; afkg:endDate ?end .
            ?anjou skos:altLabel "Anjous"@en ; afkg:nationality res:France .
        }""")
    assert [(str(r["start"]), str(r["end"])) for r in rule] == [("1272", "1382")]

    # Albanians declared independence from the Ottoman Empire during the Balkan Wars (1912-1913)
    assert ask(kg, """ASK {
        ?d a afkg:DeclarationOfIndependence ; afkg:declaredBy res:Albanians ;
           afkg:independentState res:Albania ; afkg:independentFrom res:Ottoman_Empire ;
           afkg:duringEvent ?w .
        ?w rdfs:label "Balkan Wars"@en ; afkg:startDate "1912"^^xsd:gYear ; afkg:endDate "1913"^^xsd:gYear .
    }""")

    # France and Russia opposed Albanian aims for their support for Serbia,
    # and backed their allies' proposals for smaller borders
    stances = select(kg, """
        SELECT ?holder ?kind ?reasonActor WHERE {
            ?s a afkg:Stance ; afkg:stanceHolder/rdfs:label ?holder ; afkg:stanceKind/rdfs:label ?kind ;
               afkg:stanceTarget res:Albania ; afkg:duringEvent res:Balkan_Wars .
            OPTIONAL { ?s afkg:reasonActor/rdfs:label ?reasonActor }
        }""")
    assert {(r["holder"], r["kind"], r["reasonActor"]) for r in stances} == {
        ("France", "opposition", "Kingdom of Serbia"),
        ("Russian Empire", "opposition", "Kingdom of Serbia"),
        ("France", "support", None),
        ("Russian Empire", "support", None),
    }

    # WWI: France occupied Southeastern Albania until 1920, set up the protectorate of Korçë in 1916,
    # and withdrew in 1920
    occupation = select(kg, """
        SELECT ?end ?withdrawal WHERE {
            ?o a afkg:Occupation ; afkg:controller res:France ; afkg:territory res:Southeastern_Albania ;
               afkg:duringEvent res:World_War_I ; afkg:endDate ?end ;
               afkg:establishedTerritory res:Autonomous_Province_of_Korce ;
               afkg:endedBy [ a afkg:Withdrawal ; afkg:withdrawingActor res:France ; afkg:pointInTime ?withdrawal ] .
        }""")
    assert [(str(r["end"]), str(r["withdrawal"])) for r in occupation] == [("1920", "1920")]
    protectorate = select(kg, """
        SELECT ?start WHERE {
            ?p a afkg:Protectorate ; afkg:controller res:France ;
               afkg:territory [ rdfs:label "Autonomous Province of Korçë"@en ] ; afkg:startDate ?start .
        }""")
    assert [str(r["start"]) for r in protectorate] == ["1916"]

    # After WWII: the only Western country with diplomatic and economic relations, owing to
    # Hoxha's French education; the only nominal Western trading partner in the Cold War
    ties = select(kg, """
        SELECT ?kind ?context WHERE {
            ?t a afkg:BilateralTie ; afkg:party res:Peoples_Socialist_Republic_of_Albania , res:France ;
               afkg:relationKind/rdfs:label ?kind .
            { ?t afkg:startsAfter ?e } UNION { ?t afkg:duringEvent ?e }
            ?e rdfs:label ?context .
        }""")
    assert {(r["kind"], r["context"]) for r in ties} == {
        ("diplomatic relations", "World War II"),
        ("economic relations", "World War II"),
        ("trading partnership", "Cold War"),
    }
    assert ask(kg, """ASK { ?t a afkg:BilateralTie ; afkg:reasonActor res:Enver_Hoxha .
                             res:Enver_Hoxha afkg:educatedIn res:France }""")

    # France, EU founder and member, did not support Albania's euro-integration until 30 March 2020
    assert ask(kg, """ASK { ?m org:member res:France ; org:organization res:European_Union ;
                               afkg:membershipStatus afkg:Founder , afkg:Member }""")
    withheld = select(kg, """
        SELECT ?end ?precision WHERE {
            ?s a afkg:Stance ; afkg:stanceHolder res:France ; afkg:stanceKind afkg:WithheldSupport ;
               afkg:stanceTarget res:Albania ; afkg:endDate ?end ; afkg:timePrecision/afkg:precisionCode ?precision .
        }""")
    assert withheld == [{"end": date(2020, 3, 30), "precision": 11}]
