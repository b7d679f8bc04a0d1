"""Facts of the High Level Visits section; expected values read from the article."""

from conftest import ask, select


def test_visits_meetings_agreements_and_statements(kg):
    visits = select(kg, """
        SELECT ?visitor ?office ?host ?when ?label ?occasion ?ordinal WHERE {
            ?v a afkg:Visit ; afkg:agent/rdfs:label ?visitor ; afkg:office/rdfs:label ?office ;
               afkg:counterpart/rdfs:label ?host ; afkg:date ?when ; afkg:timeLabel ?label .
            OPTIONAL { ?v afkg:during/rdfs:label ?occasion }
            OPTIONAL { ?v afkg:ordinal ?ordinal }
        } ORDER BY ?when""")
    assert [(r["visitor"], r["office"], r["host"], str(r["when"]), r["label"], r["occasion"], r["ordinal"])
            for r in visits] == [
        ("Emmanuel Macron", "President of the French Republic", "Albania", "2024", "late 2024",
         "European Political Community Summit", 2),
        ("Emmanuel Macron", "President of the French Republic", "Albania", "2025", "2025", None, None),
    ]
    # a bilateral meeting with Prime Minister Edi Rama during the late-2024 visit
    assert ask(kg, """ASK { ?v a afkg:Visit ; afkg:date "2024"^^xsd:gYear .
        ?m afkg:kind kind:bilateral-meeting ; afkg:during ?v ; afkg:party res:Emmanuel_Macron , res:Edi_Rama .
        ?h afkg:kind kind:office-holding ; afkg:agent res:Edi_Rama ; afkg:office res:Prime_Minister_of_Albania . }""")
    # the visit underscored deepening Franco-Albanian ties: the article's own assessment, with its passage
    assert ask(kg, """ASK { ?a afkg:kind kind:assessment ; afkg:about ?v ; afkg:wording "deepening Franco-Albanian ties" ;
                            prov:wasDerivedFrom/afkg:quote "The visit underscored deepening Franco-Albanian ties" .
                            ?v afkg:date "2024"^^xsd:gYear ; afkg:kind kind:visit }""")
    topics = select(kg, """SELECT ?topic WHERE { ?v afkg:date "2024"^^xsd:gYear ; afkg:outcome ?a .
                                                 ?a a afkg:Agreement ; dcterms:subject/rdfs:label ?topic }""")
    assert {r["topic"] for r in topics} == {"tourism", "energy", "defence", "radar systems"}
    assert ask(kg, """ASK { ?a dcterms:subject topic:radar-systems ; afkg:counterpart res:Albania }""")
    support = select(kg, """SELECT ?when ?object WHERE { ?v a afkg:Visit ; afkg:outcome ?s .
        ?s a afkg:Stance ; afkg:agent res:France ; afkg:kind kind:support ; afkg:counterpart res:Albania ;
           afkg:date ?when ; afkg:wording ?object } ORDER BY ?when""")
    assert [(str(r["when"]), r["object"]) for r in support] == [
        ("2024", "strong support for Albania’s EU accession"),
        ("2025", "strong trust and confidence in Albania’s path toward EU membership")]
    said = select(kg, """SELECT ?kind ?content WHERE { ?s a afkg:Statement ; afkg:agent res:Emmanuel_Macron ;
        afkg:kind/skos:prefLabel ?kind ; afkg:wording ?content ; afkg:date "2025"^^xsd:gYear }""")
    assert ("praise", "Albania’s leadership in the Western Balkans since 2019") in {(r["kind"], r["content"]) for r in said}
    assert {r["kind"] for r in said} == {"praise", "reaffirmation"}
    # the praised role: Albania's leadership in the Western Balkans, since 2019
    leadership = select(kg, """SELECT ?start WHERE { ?r afkg:kind kind:regional-leadership ; afkg:agent res:Albania ;
                                   afkg:place/rdfs:label "Western Balkans"@en ; afkg:start ?start .
                                   ?p afkg:kind kind:praise ; afkg:about ?r }""")
    assert [str(r["start"]) for r in leadership] == ["2019"]
