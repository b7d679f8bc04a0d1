"""Facts of the Cultural relations section; expected values read from the article."""

from conftest import ask, select


def test_cultural_cooperation_francophonie_language_and_education(kg):
    programme = select(kg, """
        SELECT ?leader ?acronym ?embassyCity WHERE {
            ?p a afkg:CooperationProgramme ; afkg:provider res:France ; afkg:recipient res:Albania ;
               afkg:ledBy ?l .
            ?l rdfs:label ?leader ; skos:altLabel ?acronym ; afkg:partOf/afkg:city/rdfs:label ?embassyCity .
        }""")
    assert programme == [{
        "leader": "Cooperation and Cultural Action Service of the Embassy of France in Tirana",
        "acronym": "SCAC", "embassyCity": "Tirana",
    }]
    supporters = select(kg, """SELECT ?class WHERE { ?p a afkg:CooperationProgramme ; afkg:supportedBy ?s .
                                                      ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(afkg:))) }""")
    assert {r["class"].rsplit("#")[-1] for r in supporters} == {"ResearchMission", "CulturalNetwork"}

    assert ask(kg, """ASK { ?r a afkg:RegionalRole ; afkg:roleHolder res:Albania ; afkg:roleName "regional hub" ;
                            afkg:roleFor res:Francophonie }""")
    rank = select(kg, """SELECT ?rank WHERE { ?s a afkg:LanguageStanding ; afkg:language/rdfs:label "French"@en ;
                                                afkg:country res:Albania ; afkg:foreignLanguageTeachingRank ?rank }""")
    assert rank == [{"rank": 2}]
    assert ask(kg, """ASK { ?c a afkg:Cooperation ; afkg:focusArea/rdfs:label "education"@en ;
                            afkg:intensity "strong" ; afkg:programme "bilingual high school programs" }""")
