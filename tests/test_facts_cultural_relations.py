"""Facts of the Cultural relations section; expected values read from the article."""

from conftest import ask, select


def test_cultural_cooperation_francophonie_language_and_education(kg):
    programme = select(kg, """
        SELECT ?leader ?acronym ?embassyCity WHERE {
            ?p a afkg:Relationship ; afkg:kind kind:cooperation-programme ;
               afkg:agent res:France ; afkg:counterpart res:Albania ; afkg:through ?l .
            ?l rdfs:label ?leader ; skos:altLabel ?acronym ; org:subOrganizationOf/afkg:place/rdfs:label ?embassyCity .
        }""")
    assert programme == [{
        "leader": "Cooperation and Cultural Action Service of the Embassy of France in Tirana",
        "acronym": "SCAC", "embassyCity": "Tirana",
    }]
    supporters = select(kg, """SELECT ?kind WHERE { ?p afkg:kind kind:cooperation-programme ; afkg:supportedBy ?s .
                                                     ?s afkg:kind/skos:prefLabel ?kind }""")
    assert {r["kind"] for r in supporters} == {"research mission", "cultural network"}
    # the article does not say whose archaeological missions they are
    assert not ask(kg, """ASK { ?p afkg:supportedBy ?s . ?s afkg:kind kind:research-mission ; afkg:country res:France }""")
    assert ask(kg, """ASK { ?r a afkg:Standing ; afkg:kind kind:regional-role ; afkg:agent res:Albania ;
                            afkg:wording "regional hub" ; afkg:about res:Francophonie }""")
    rank = select(kg, """SELECT ?rank WHERE { ?s a afkg:Standing ; afkg:kind kind:language-rank ;
                                                afkg:about/rdfs:label "French"@en ; afkg:country res:Albania ;
                                                afkg:ordinal ?rank }""")
    assert rank == [{"rank": 2}]
    # strong educational partnerships, including bilingual high school programs; the article names one party
    partnerships = select(kg, """SELECT ?party ?wording WHERE { ?c a afkg:Relationship ; afkg:kind kind:educational-partnership ;
                                    dcterms:subject/rdfs:label "education"@en ; afkg:party ?party ; afkg:wording ?wording }""")
    assert [(str(r["party"]).rsplit("/", 1)[-1], r["wording"]) for r in partnerships] == [
        ("Albania", "strong educational partnerships, including bilingual high school programs")]
