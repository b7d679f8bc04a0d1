"""Facts of the infobox, asked through SPARQL; expected values read from the article."""

from conftest import select


def test_infobox_relation_parties_map_and_missions(kg):
    rows = select(kg, """
        SELECT ?label ?map WHERE {
            ?r a afkg:BilateralRelation ; rdfs:label ?label ; afkg:locatorMap ?map ;
               afkg:party res:Albania , res:France .
        }""")
    assert rows == [{"label": "Albania–France relations", "map": "Albania France Locator.svg"}]
    missions = select(kg, """
        SELECT ?sending ?receiving ?city WHERE {
            ?r a afkg:BilateralRelation ; afkg:mission ?m .
            ?m a afkg:Embassy ; afkg:sendingState ?s ; afkg:receivingState ?rs ; afkg:city ?c .
            ?s rdfs:label ?sending . ?rs rdfs:label ?receiving . ?c rdfs:label ?city .
            ?m prov:wasDerivedFrom/afkg:inSection/rdfs:label "Infobox"@en .
        } ORDER BY ?sending""")
    assert missions == [
        {"sending": "Albania", "receiving": "France", "city": "Paris"},
        {"sending": "France", "receiving": "Albania", "city": "Tirana"},
    ]
