"""Facts of the introduction, asked through SPARQL; expected values read from the article."""

from decimal import Decimal

from conftest import ask, select


def test_introduction_memberships_cooperation_and_investment(kg):
    rows = select(kg, """
        SELECT ?member ?org ?status WHERE {
            ?m a afkg:Membership ; org:member/rdfs:label ?member ; org:organization/skos:altLabel ?org ;
               org:role/skos:prefLabel ?status ;
               prov:wasDerivedFrom/afkg:inSection/rdfs:label "Introduction"@en .
        }""")
    got = {(r["member"], r["org"], r["status"]) for r in rows}
    assert got == {
        ("Albania", "NATO", "member"), ("France", "NATO", "member"),
        ("Albania", "OSCE", "member"), ("France", "OSCE", "member"),
        ("Albania", "EU", "candidate"), ("France", "EU", "member"),
        # the France-EU membership also cites History, which adds "founder"
        ("France", "EU", "founder"),
    }
    assert not ask(kg, "ASK { ?m org:member res:Albania ; org:organization res:European_Union ; org:role role:member }")

    areas = select(kg, """
        SELECT ?area WHERE {
            ?c a afkg:Relationship ; afkg:kind kind:cooperation ; afkg:party res:Albania , res:France ; dcterms:subject/rdfs:label ?area ;
               prov:wasDerivedFrom/afkg:inSection/rdfs:label "Introduction"@en .
        }""")
    assert {r["area"] for r in areas} == {
        "cultural exchange", "promoting the French language",
        "strengthening the rule of law", "supporting Albania's European integration",
    }

    investment = select(kg, """
        SELECT ?investor ?recipient ?channel ?min ?exact ?cur ?start ?end WHERE {
            ?i a afkg:Investment ; afkg:agent/rdfs:label ?investor ; afkg:counterpart/rdfs:label ?recipient ;
               afkg:through/rdfs:label ?channel ; afkg:minimumAmount ?min ; afkg:currency ?cur ;
               afkg:start ?start ; afkg:end ?end ; afkg:amountLabel "over €300 million" .
            OPTIONAL { ?i afkg:amount ?exact }
        }""")
    assert len(investment) == 1
    row = investment[0]
    assert (row["investor"], row["recipient"], row["channel"]) == ("France", "Albania", "French Development Agency")
    # "over €300 million": a lower bound, not an exact amount
    assert row["min"] == Decimal("300000000") and row["exact"] is None and row["cur"] == "EUR"
    assert (str(row["start"]), str(row["end"])) == ("2023", "2025")
