"""Facts of the Economic relations section; expected values read from the article."""

from decimal import Decimal

from conftest import ask, select

FLOWS = """
    { ?f afkg:kind kind:export ; afkg:agent ?x ; afkg:counterpart ?i . }
    UNION
    { ?f afkg:kind kind:import ; afkg:agent ?i ; afkg:counterpart ?x . }
    ?x rdfs:label ?exporter . ?i rdfs:label ?importer .
"""


def test_trade_2024_amounts_directions_growth_and_products(kg):
    flows = select(kg, f"""
        SELECT ?exporter ?importer ?amount ?cur ?year ?growth WHERE {{
            {FLOWS}
            ?f a afkg:TradeFigure ; afkg:amount ?amount ; afkg:currency ?cur ; afkg:date ?year .
            OPTIONAL {{ ?f afkg:growthPercent ?growth }}
        }}""")
    got = {(r["exporter"], r["importer"], r["amount"], r["cur"], str(r["year"]), r["growth"]) for r in flows}
    assert got == {
        ("France", "Albania", Decimal("22800000"), "EUR", "2024", Decimal("14.2")),
        ("Albania", "France", Decimal("16100000"), "EUR", "2024", None),
    }
    # the direction cannot be read the other way round: France reports both flows
    assert not ask(kg, """ASK { ?f afkg:kind kind:export ; afkg:agent res:Albania }""")
    assert not ask(kg, """ASK { ?f afkg:kind kind:import ; afkg:amount ?a . FILTER (?a = 22800000) }""")
    total = select(kg, """SELECT ?amount WHERE { ?t afkg:kind kind:trade-total ; afkg:date "2024"^^xsd:gYear ;
                                                 afkg:amount ?amount ; afkg:currency "EUR" }""")
    assert total == [{"amount": Decimal("38900000")}]
    balance = select(kg, """SELECT ?holder ?amount WHERE { ?b afkg:kind kind:trade-balance ; afkg:agent/rdfs:label ?holder ;
                                                        afkg:date "2024"^^xsd:gYear ; afkg:amount ?amount }""")
    assert balance == [{"holder": "France", "amount": Decimal("6690000")}]
    products = select(kg, f"""
        SELECT ?exporter ?product WHERE {{
            {FLOWS}
            ?f dcterms:subject/rdfs:label ?product .
        }}""")
    assert {(r["exporter"], r["product"]) for r in products} == {
        ("France", "publications"), ("France", "food industry products"), ("France", "chemicals"),
        ("Albania", "clothing"), ("Albania", "leather goods"), ("Albania", "textiles"),
    }
