"""SHACL-SPARQL constraints run once over a store (afkg.validation.sparql_constraints), checked against SHACL 1.1 §5:
focus nodes from each kind of target, $this pre-bound, $PATH, messages, severity, deactivation."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef

from afkg.namespaces import RDF, SH
from afkg.validation import sparql_constraints
from afkg.validation.validate import graph_store, run_rudof_store

EX = "http://example.org/"
PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:shapes a owl:Ontology ; sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""


def _graph(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def _results(shapes: str, data: str) -> list[dict[str, object]]:
    """The results of the SPARQL constraints, one dict per result, sorted."""
    shapes_graph, store = _graph(shapes), graph_store(_graph(data))
    report = sparql_constraints.run(store, shapes_graph)
    found = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        found.append({
            "focus": report.value(node, SH.focusNode),
            "value": report.value(node, SH.value),
            "path": report.value(node, SH.resultPath),
            "severity": report.value(node, SH.resultSeverity),
            "shape": report.value(node, SH.sourceShape),
            "component": report.value(node, SH.sourceConstraintComponent),
            "messages": sorted(str(m) for m in report.objects(node, SH.resultMessage)),
        })
    return sorted(found, key=lambda r: (str(r["focus"]), str(r["value"]), r["messages"]))


def _shape(targets: str, select: str, extra: str = "", message: str = "bad {?o}") -> str:
    return f"""
ex:S a sh:NodeShape ; {targets} ; {extra}
    sh:sparql [ sh:message "{message}"@en ; sh:prefixes ex:shapes ; sh:select \"\"\"{select}\"\"\" ] .
"""


NO_P = "SELECT $this ?o WHERE { $this ex:p ?o . FILTER (?o = ex:bad) }"


def test_only_focus_nodes_are_reported():
    """ex:c has the same problem but is no focus node of the shape."""
    shapes = _shape("sh:targetNode ex:a , ex:b", NO_P)
    data = "ex:a ex:p ex:bad . ex:b ex:p ex:good . ex:c ex:p ex:bad ."
    results = _results(shapes, data)
    assert [r["focus"] for r in results] == [URIRef(EX + "a")]
    only = results[0]
    assert only["component"] == SH.SPARQLConstraintComponent
    assert only["shape"] == URIRef(EX + "S")
    assert only["severity"] == SH.Violation
    assert only["messages"] == [f"bad {EX}bad"]
    assert only["value"] == URIRef(EX + "a"), "a node shape's result has the focus node as its value"
    assert only["path"] is None


def test_this_is_prebound_before_an_optional_reads_it():
    """With $this pre-bound, OPTIONAL { $this ex:p ?o } of a node without ex:p leaves ?o unbound:
    a target node with no triples at all is still a focus node and is reported."""
    select = "SELECT $this WHERE { OPTIONAL { $this ex:p ?o } FILTER (!BOUND(?o)) }"
    results = _results(_shape("sh:targetNode ex:a , ex:ghost", select, message="no p"), "ex:a ex:p ex:x .")
    assert [r["focus"] for r in results] == [URIRef(EX + "ghost")]


def test_this_is_prebound_inside_exists_and_filters():
    select = "SELECT $this ?other WHERE { ?other ex:knows ?x . FILTER (?other != $this && NOT EXISTS { $this ex:knows ?x }) }"
    data = "ex:a ex:knows ex:x . ex:b ex:knows ex:x . ex:c ex:knows ex:y ."
    results = _results(_shape("sh:targetNode ex:a", select, message="{?other} knows what {$this} does not"), data)
    assert [r["messages"] for r in results] == [[f"{EX}c knows what {EX}a does not"]]


def test_a_query_that_cannot_be_prebound_by_a_join_is_left_to_the_engine():
    """A FILTER in a nested group reads $this where nothing binds it: pre-binding and a join differ."""
    select = "SELECT $this WHERE { $this ex:p ?o . { ?o ex:q ?r . FILTER (?r = $this) } }"
    plan = sparql_constraints.plan(_graph(_shape("sh:targetNode ex:a", select)))
    assert plan.constraints == ()
    assert len(plan.left) == 1 and "FILTER" in plan.left[0][2]


def test_a_service_clause_is_never_run():
    select = "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/sparql> { $this ex:p ?o } }"
    plan = sparql_constraints.plan(_graph(_shape("sh:targetNode ex:a", select)))
    assert plan.constraints == () and "SERVICE" in plan.left[0][2]
    assert len(sparql_constraints.run(graph_store(_graph("ex:a ex:p ex:b .")), _graph(
        _shape("sh:targetNode ex:a", select)))) == 0


def test_target_class_reaches_instances_of_subclasses_stated_in_the_data():
    data = "ex:a a ex:C ; ex:p ex:bad . ex:b a ex:D ; ex:p ex:bad . ex:D rdfs:subClassOf ex:C . ex:c ex:p ex:bad ."
    results = _results(_shape("sh:targetClass ex:C", NO_P), data)
    assert [r["focus"] for r in results] == [URIRef(EX + "a"), URIRef(EX + "b")]


def test_a_shape_that_is_a_class_targets_its_instances():
    shapes = _shape("a rdfs:Class", NO_P)
    data = "ex:a a ex:S ; ex:p ex:bad . ex:c ex:p ex:bad ."
    assert [r["focus"] for r in _results(shapes, data)] == [URIRef(EX + "a")]


def test_target_subjects_of_and_objects_of():
    data = "ex:a ex:p ex:bad . ex:z ex:r ex:b . ex:b ex:p ex:bad . ex:c ex:p ex:bad ."
    assert [r["focus"] for r in _results(_shape("sh:targetObjectsOf ex:r", NO_P), data)] == [URIRef(EX + "b")]
    subjects = _results(_shape("sh:targetSubjectsOf ex:p", NO_P), data)
    assert [r["focus"] for r in subjects] == [URIRef(EX + n) for n in ("a", "b", "c")]


def test_a_blank_node_can_be_a_focus_node():
    data = "[ ex:p ex:bad ] . ex:a ex:p ex:good ."
    results = _results(_shape("sh:targetSubjectsOf ex:p", NO_P), data)
    assert len(results) == 1 and isinstance(results[0]["focus"], BNode)


def test_severity_comes_from_the_shape():
    results = _results(_shape("sh:targetNode ex:a", NO_P, "sh:severity sh:Warning ;"), "ex:a ex:p ex:bad .")
    assert [r["severity"] for r in results] == [SH.Warning]


def test_a_deactivated_constraint_or_shape_reports_nothing():
    data = "ex:a ex:p ex:bad ."
    assert _results(_shape("sh:targetNode ex:a", NO_P, "sh:deactivated true ;"), data) == []
    shapes = f"""
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
    sh:sparql [ sh:deactivated true ; sh:prefixes ex:shapes ; sh:select \"\"\"{NO_P}\"\"\" ] ."""
    assert _results(shapes, data) == []


def test_value_and_placeholders():
    """?value gives sh:value; {?var} and {$var} are filled with the solution's values, a literal by
    its lexical form; a placeholder of an unbound variable stays as it is."""
    select = "SELECT $this ?value ?label ?missing WHERE { $this ex:n ?value ; ex:label ?label . FILTER (?value > 3) }"
    shapes = _shape("sh:targetNode ex:a", select, message="{$this} {?label}: {?value} > 3 {?missing}")
    results = _results(shapes, 'ex:a ex:n 5 ; ex:label "five"@en .')
    assert results[0]["value"] == Literal(5)
    assert results[0]["messages"] == [f"{EX}a five: 5 > 3 {{?missing}}"]


def test_duplicate_solutions_give_one_result():
    select = "SELECT $this WHERE { $this ex:p ?o }"
    assert len(_results(_shape("sh:targetNode ex:a", select, message="has p"), "ex:a ex:p ex:x , ex:y .")) == 1


def test_a_property_shape_replaces_path_and_reports_it():
    shapes = """
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
    sh:property ex:P .
ex:P sh:path ( ex:p ex:q ) ;
    sh:sparql [ sh:message "{?value} via the path" ; sh:prefixes ex:shapes ;
        sh:select \"\"\"SELECT $this ?value WHERE { $this $PATH ?value . FILTER (isLiteral(?value)) }\"\"\" ] .
"""
    results = _results(shapes, 'ex:a ex:p ex:b . ex:b ex:q "text" , ex:c . ex:z ex:p ex:b .')
    assert [(r["focus"], r["value"], r["messages"]) for r in results] == [
        (URIRef(EX + "a"), Literal("text"), ["text via the path"])]
    assert isinstance(results[0]["path"], BNode)
    assert results[0]["shape"] == URIRef(EX + "P")


def test_the_combined_engine_reports_core_and_sparql_results_from_one_store():
    shapes = _graph(_shape("sh:targetNode ex:a", NO_P, "sh:property [ sh:path ex:p ; sh:maxCount 1 ] ;"))
    store = graph_store(_graph("ex:a ex:p ex:bad , ex:other ."))
    report = run_rudof_store(store, shapes)
    components = sorted(str(report.value(n, SH.sourceConstraintComponent))
                        for n in report.subjects(RDF.type, SH.ValidationResult))
    assert components == [str(SH.MaxCountConstraintComponent), str(SH.SPARQLConstraintComponent)]


def test_values_keep_the_form_the_data_writes_them_in():
    """pyoxigraph stores 22800000.0 (xsd:decimal) as 22800000; the report shows the data's form,
    in a core result's value and in a SPARQL constraint's message alike."""
    from afkg.validation.validate import _run_rudof

    shapes = _graph(_shape("sh:targetNode ex:a", "SELECT $this ?n WHERE { $this ex:n ?n }",
                           "sh:property [ sh:path ex:n ; sh:maxInclusive 5 ] ;", message="n is {?n}"))
    report = _run_rudof(_graph("ex:a ex:n 22800000.0 ."), shapes)
    values = sorted(str(v) for v in report.objects(None, SH.value))
    assert values == ["22800000.0", EX + "a"]
    assert [str(m) for m in report.objects(None, SH.resultMessage) if str(m).startswith("n is")] == ["n is 22800000.0"]
