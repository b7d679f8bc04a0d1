"""The prefixes afkg binds in every graph it writes and offers to every query.

Kept free of rdflib so that the query path can start without importing it.
"""

from __future__ import annotations

PREFIXES: dict[str, str] = {
    "afkg": "https://w3id.org/afkg/ontology#",
    "res": "https://w3id.org/afkg/resource/",
    "fact": "https://w3id.org/afkg/resource/fact/",
    "topic": "https://w3id.org/afkg/resource/topic/",
    "kind": "https://w3id.org/afkg/kind/",
    "role": "https://w3id.org/afkg/role/",
    "afsh": "https://w3id.org/afkg/shapes#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Prefix -> namespace IRI."""
