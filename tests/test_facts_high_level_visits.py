"""Facts of the High Level Visits section; expected values read from the article."""

from conftest import ask, select


def test_visits_meetings_agreements_and_statements(kg):
    visits = select(kg, """
        SELECT ?visitor ?office ?host ?when ?label ?occasion ?ordinal WHERE {
            ?v a afkg:Visit ; afkg:visitor/rdfs:label ?visitor ; afkg:visitorOffice/rdfs:label ?office ;
               afkg:hostCountry/rdfs:label ?host ; afkg:pointInTime ?when ; afkg:timeLabel ?label .
            OPTIONAL { ?v afkg:occasion/rdfs:label ?occasion }
            OPTIONAL { ?v afkg:visitOrdinal ?ordinal }
        } ORDER BY ?when""")
    assert [(r["visitor"], r["office"], r["host"], str(r["when"]), r["label"], r["occasion"], r["ordinal"])
            for r in visits] == [
        ("Emmanuel Macron", "President of the French Republic", "Albania", "2024", "late 2024",
         "European Political Community Summit", 2),
        ("Emmanuel Macron", "President of the French Republic", "Albania", "2025", "2025", None, None),
    ]
    # a bilateral meeting with Prime Minister Edi Rama during the late-2024 visit
    assert ask(kg, """ASK { ?v a afkg:Visit ; afkg:pointInTime "2024"^^xsd:gYear ;
        afkg:meeting [ afkg:participant res:Emmanuel_Macron , res:Edi_Rama ; afkg:meetingFormat "bilateral" ] .
        ?h afkg:holder res:Edi_Rama ; afkg:office res:Prime_Minister_of_Albania . }""")
    topics = select(kg, """SELECT ?topic WHERE { ?v afkg:pointInTime "2024"^^xsd:gYear ; afkg:outcome ?a .
                                                 ?a a afkg:Agreement ; afkg:coversTopic/rdfs:label ?topic }""")
    assert {r["topic"] for r in topics} == {"tourism", "energy", "defence", "radar systems"}
    assert ask(kg, """ASK { ?a afkg:coversTopic topic:radar-systems ; afkg:beneficiary res:Albania }""")
    support = select(kg, """SELECT ?when ?object WHERE { ?v a afkg:Visit ; afkg:outcome ?s .
        ?s a afkg:Stance ; afkg:stanceHolder res:France ; afkg:stanceKind afkg:Support ; afkg:intensity "strong" ;
           afkg:pointInTime ?when ; afkg:stanceObject ?object } ORDER BY ?when""")
    assert [(str(r["when"]), r["object"]) for r in support] == [
        ("2024", "Albania’s EU accession"), ("2025", "Albania’s path toward EU membership")]
    said = select(kg, """SELECT ?kind ?content WHERE { ?s a afkg:Statement ; afkg:speaker res:Emmanuel_Macron ;
        afkg:statementKind/rdfs:label ?kind ; afkg:content ?content ; afkg:pointInTime "2025"^^xsd:gYear }""")
    assert ("praise", "Albania’s leadership in the Western Balkans since 2019") in {(r["kind"], r["content"]) for r in said}
    assert {r["kind"] for r in said} == {"praise", "reaffirmation"}
