"""Facts of the Resident diplomatic missions and See also sections."""

from conftest import select


def test_resident_diplomatic_missions(kg):
    rows = select(kg, """
        SELECT ?sending ?city WHERE {
            ?m a afkg:DiplomaticMission ; afkg:kind kind:embassy ; afkg:sendingState/rdfs:label ?sending ; afkg:place/rdfs:label ?city ;
               prov:wasDerivedFrom/afkg:inSection/rdfs:label "Resident diplomatic missions"@en .
        }""")
    assert {(r["sending"], r["city"]) for r in rows} == {("Albania", "Paris"), ("France", "Tirana")}


def test_see_also_topics(kg):
    rows = select(kg, """SELECT ?topic WHERE { ?r a afkg:BilateralRelation ; rdfs:seeAlso/rdfs:label ?topic }""")
    assert {r["topic"] for r in rows} == {
        "Foreign relations of Albania", "Foreign relations of France", "Accession of Albania to the EU",
        "French in Albania", "Albanians in France",
    }
