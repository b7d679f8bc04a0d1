"""RDF namespaces and the prefixes afkg writes.

``AFKG`` lists every term of ``ontology/afkg.ttl``; a name that is not there raises
AttributeError, so a typo fails at import time instead of minting a new IRI.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD, DefinedNamespace

from afkg.prefixes import PREFIXES


class AFKG(DefinedNamespace):
    """The afkg ontology: classes, properties and controlled values."""

    _NS = Namespace("https://w3id.org/afkg/ontology#")
    _fail = True

    # classes and controlled values
    HeadOfGovernment: URIRef
    HeadOfState: URIRef
    OfficeRole: URIRef
    Actor: URIRef
    Agreement: URIRef
    AgreementTopic: URIRef
    ArticleSection: URIRef
    BilateralRelation: URIRef
    BilateralTie: URIRef
    Candidate: URIRef
    CenturyPrecision: URIRef
    City: URIRef
    Consulate: URIRef
    ControlPeriod: URIRef
    Cooperation: URIRef
    CooperationArea: URIRef
    CooperationProgramme: URIRef
    Country: URIRef
    CulturalNetwork: URIRef
    DayPrecision: URIRef
    DecadePrecision: URIRef
    DeclarationOfIndependence: URIRef
    DependentTerritory: URIRef
    DevelopmentAgency: URIRef
    DiplomaticMission: URIRef
    Embassy: URIRef
    Event: URIRef
    Fact: URIRef
    Family: URIRef
    FormerState: URIRef
    Founder: URIRef
    GovernmentService: URIRef
    HistoricalPeriod: URIRef
    InternationalOrganization: URIRef
    Investment: URIRef
    Language: URIRef
    LanguageStanding: URIRef
    Meeting: URIRef
    Member: URIRef
    Membership: URIRef
    MembershipStatus: URIRef
    MonthPrecision: URIRef
    Occupation: URIRef
    Office: URIRef
    OfficeHolding: URIRef
    Opposition: URIRef
    Organization: URIRef
    Passage: URIRef
    PeopleGroup: URIRef
    Person: URIRef
    Place: URIRef
    Polity: URIRef
    Praise: URIRef
    ProductCategory: URIRef
    Protectorate: URIRef
    Reaffirmation: URIRef
    Region: URIRef
    RegionalRole: URIRef
    RelatedTopic: URIRef
    RelationKind: URIRef
    ResearchMission: URIRef
    Rule: URIRef
    SourceDocument: URIRef
    Stance: URIRef
    StanceKind: URIRef
    Statement: URIRef
    StatementKind: URIRef
    Summit: URIRef
    Support: URIRef
    TimePrecision: URIRef
    Topic: URIRef
    TradeBalance: URIRef
    TradeFigure: URIRef
    TradeFlow: URIRef
    TradeTotal: URIRef
    Visit: URIRef
    War: URIRef
    Withdrawal: URIRef
    WithheldSupport: URIRef
    YearPrecision: URIRef
    # properties
    officeRole: URIRef
    about: URIRef
    amount: URIRef
    amountLabel: URIRef
    beneficiary: URIRef
    channel: URIRef
    city: URIRef
    content: URIRef
    controller: URIRef
    country: URIRef
    coversTopic: URIRef
    currency: URIRef
    declaredBy: URIRef
    duringEvent: URIRef
    educatedIn: URIRef
    endDate: URIRef
    endedBy: URIRef
    establishedTerritory: URIRef
    exceptional: URIRef
    exporter: URIRef
    focusArea: URIRef
    foreignLanguageTeachingRank: URIRef
    growthPercent: URIRef
    holder: URIRef
    hostCountry: URIRef
    importer: URIRef
    inSection: URIRef
    independentFrom: URIRef
    independentState: URIRef
    intensity: URIRef
    investor: URIRef
    language: URIRef
    leaderOf: URIRef
    ledBy: URIRef
    localFile: URIRef
    locatedIn: URIRef
    locatorMap: URIRef
    meeting: URIRef
    meetingFormat: URIRef
    membershipStatus: URIRef
    minimumAmount: URIRef
    mission: URIRef
    nationality: URIRef
    needsWikidataLink: URIRef
    occasion: URIRef
    ofDocument: URIRef
    office: URIRef
    officeOf: URIRef
    ordinalWindow: URIRef
    outcome: URIRef
    partOf: URIRef
    participant: URIRef
    partner: URIRef
    party: URIRef
    pointInTime: URIRef
    precisionCode: URIRef
    predecessorOf: URIRef
    productCategory: URIRef
    programme: URIRef
    provider: URIRef
    quote: URIRef
    reason: URIRef
    reasonActor: URIRef
    receivingState: URIRef
    recipient: URIRef
    referenceYear: URIRef
    relatedTopic: URIRef
    relationKind: URIRef
    reporter: URIRef
    roleFor: URIRef
    roleHolder: URIRef
    roleName: URIRef
    roundingUnit: URIRef
    sectionOrder: URIRef
    sendingState: URIRef
    speaker: URIRef
    stanceHolder: URIRef
    stanceKind: URIRef
    stanceObject: URIRef
    stanceRole: URIRef
    stanceTarget: URIRef
    startDate: URIRef
    startsAfter: URIRef
    statementKind: URIRef
    supportedBy: URIRef
    territory: URIRef
    timeLabel: URIRef
    timePrecision: URIRef
    visitOrdinal: URIRef
    visitor: URIRef
    visitorOffice: URIRef
    withdrawingActor: URIRef


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
    "AFKG", "DCAT", "DCTERMS", "ORG", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "VOID", "XSD",
    "RES", "SHAPES", "SCHEMA", "WD", "WDT", "ONTOLOGY_IRI", "SHAPES_IRI", "PREFIXES", "bind_prefixes",
]
