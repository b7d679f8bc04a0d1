"""Facts of the infobox, asked through SPARQL; expected values read from the article."""

from conftest import select


def test_infobox_relation_parties_order_map_and_missions(kg):
    rows = select(kg, """
        SELECT ?label ?map ?first WHERE {
            ?r a afkg:BilateralRelation ; rdfs:label ?label ; schema:image ?map ;
               afkg:party res:Albania , res:France ; afkg:firstParty/rdfs:label ?first .
        }""")
    assert rows == [{"label": "Albania–France relations",
                     "map": "https://commons.wikimedia.org/wiki/File:Albania_France_Locator.svg",
                     "first": "Albania"}]
    missions = select(kg, """
        SELECT ?sending ?receiving ?city WHERE {
            ?r a afkg:BilateralRelation ; afkg:mission ?m .
            ?m afkg:kind kind:embassy ; afkg:sendingState ?s ; afkg:country ?rs ; afkg:place ?c .
            ?s rdfs:label ?sending . ?rs rdfs:label ?receiving . ?c rdfs:label ?city .
            ?m prov:wasDerivedFrom/afkg:inSection/rdfs:label "Infobox"@en .
        } ORDER BY ?sending""")
    assert missions == [
        {"sending": "Albania", "receiving": "France", "city": "Paris"},
        {"sending": "France", "receiving": "Albania", "city": "Tirana"},
    ]
