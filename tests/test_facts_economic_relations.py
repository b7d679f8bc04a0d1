"""Facts of the Economic relations section; expected values read from the article."""

from decimal import Decimal

from conftest import ask, select


def test_trade_2024_amounts_directions_growth_and_products(kg):
    flows = select(kg, """
        SELECT ?exporter ?importer ?amount ?cur ?year ?growth WHERE {
            ?f a afkg:TradeFlow ; afkg:exporter/rdfs:label ?exporter ; afkg:importer/rdfs:label ?importer ;
               afkg:amount ?amount ; afkg:currency ?cur ; afkg:referenceYear ?year .
            OPTIONAL { ?f afkg:growthPercent ?growth }
        }""")
    got = {(r["exporter"], r["importer"], r["amount"], r["cur"], str(r["year"]), r["growth"]) for r in flows}
    assert got == {
        ("France", "Albania", Decimal("22800000"), "EUR", "2024", Decimal("14.2")),
        ("Albania", "France", Decimal("16100000"), "EUR", "2024", None),
    }
    # the direction cannot be read the other way round
    assert not ask(kg, """ASK { ?f afkg:exporter res:Albania ; afkg:amount ?a . FILTER (?a = 22800000) }""")

    total = select(kg, """SELECT ?amount WHERE { ?t a afkg:TradeTotal ; afkg:referenceYear "2024"^^xsd:gYear ;
                                                 afkg:amount ?amount ; afkg:currency "EUR" }""")
    assert total == [{"amount": Decimal("38900000")}]
    balance = select(kg, """SELECT ?holder ?amount WHERE { ?b a afkg:TradeBalance ; afkg:reporter/rdfs:label ?holder ;
                                                        afkg:referenceYear "2024"^^xsd:gYear ; afkg:amount ?amount }""")
    assert balance == [{"holder": "France", "amount": Decimal("6690000")}]

    products = select(kg, """
        SELECT ?exporter ?product WHERE {
            ?f a afkg:TradeFlow ; afkg:exporter/rdfs:label ?exporter ; afkg:productCategory/rdfs:label ?product .
        }""")
    assert {(r["exporter"], r["product"]) for r in products} == {
        ("France", "publications"), ("France", "food industry products"), ("France", "chemicals"),
        ("Albania", "clothing"), ("Albania", "leather goods"), ("Albania", "textiles"),
    }
