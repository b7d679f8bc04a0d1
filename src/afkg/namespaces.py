"""RDF namespaces and the prefixes afkg writes.

``AFKG`` lists every term of ``ontology/afkg.ttl``; a name that is not there raises
AttributeError, so a typo fails at import time instead of minting a new IRI.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD, DefinedNamespace

from afkg.prefixes import PREFIXES


class AFKG(DefinedNamespace):
    """The afkg ontology: classes and properties."""

    _NS = Namespace("https://w3id.org/afkg/ontology#")
    _fail = True

    # classes
    Act: URIRef
    Actor: URIRef
    Agreement: URIRef
    ArticleSection: URIRef
    BilateralRelation: URIRef
    ControlPeriod: URIRef
    Country: URIRef
    DiplomaticMission: URIRef
    Event: URIRef
    Fact: URIRef
    FormerState: URIRef
    Group: URIRef
    Investment: URIRef
    Language: URIRef
    Meeting: URIRef
    Membership: URIRef
    Office: URIRef
    Organization: URIRef
    Passage: URIRef
    Person: URIRef
    Place: URIRef
    Relationship: URIRef
    SourceDocument: URIRef
    Stance: URIRef
    Standing: URIRef
    Statement: URIRef
    Topic: URIRef
    TradeFigure: URIRef
    Visit: URIRef
    # properties
    about: URIRef
    after: URIRef
    agent: URIRef
    amount: URIRef
    amountLabel: URIRef
    cause: URIRef
    counterpart: URIRef
    country: URIRef
    currency: URIRef
    date: URIRef
    during: URIRef
    end: URIRef
    endPrecision: URIRef
    firstParty: URIRef
    growthPercent: URIRef
    inSection: URIRef
    kind: URIRef
    localFile: URIRef
    locatedIn: URIRef
    minimumAmount: URIRef
    minimumQuantity: URIRef
    mission: URIRef
    needsWikidataLink: URIRef
    ofDocument: URIRef
    office: URIRef
    officeOf: URIRef
    ordinal: URIRef
    outcome: URIRef
    parentSection: URIRef
    party: URIRef
    place: URIRef
    precision: URIRef
    predecessorOf: URIRef
    quantity: URIRef
    quote: URIRef
    roundingUnit: URIRef
    sectionOrder: URIRef
    sendingState: URIRef
    start: URIRef
    startPrecision: URIRef
    supportedBy: URIRef
    through: URIRef
    timeLabel: URIRef
    unit: URIRef
    wikidataProperty: URIRef
    wording: URIRef


KIND = Namespace("https://w3id.org/afkg/kind/")
"""Kinds of facts, things and events, and time precisions: SKOS concepts of the ontology."""

ROLE = Namespace("https://w3id.org/afkg/role/")
"""Membership roles (member, founder, candidate): SKOS concepts of the ontology."""

RES = Namespace("https://w3id.org/afkg/resource/")
"""Instances: entities, facts, topics and source passages."""

SHAPES = Namespace("https://w3id.org/afkg/shapes#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

ONTOLOGY_IRI = URIRef("https://w3id.org/afkg/ontology")
SHAPES_IRI = URIRef("https://w3id.org/afkg/shapes")




def bind_prefixes(graph) -> None:
    """Bind :data:`PREFIXES` on ``graph``, replacing whatever those prefixes meant."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


__all__ = [
    "AFKG", "KIND", "ROLE", "DCAT", "DCTERMS", "ORG", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "VOID", "XSD",
    "RES", "SHAPES", "SCHEMA", "WD", "WDT", "ONTOLOGY_IRI", "SHAPES_IRI", "PREFIXES", "bind_prefixes",
]
