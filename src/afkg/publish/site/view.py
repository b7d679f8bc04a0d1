"""Read-only questions the pages ask of the project's store: labels, statements, kinds.

Terms are :class:`afkg.rdf.terms.Term` values, so the pages never handle
engine objects.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from afkg.prefixes import PREFIXES
from afkg.rdf.terms import Term, from_oxigraph, to_oxigraph

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
AFKG = PREFIXES["afkg"]
RES = PREFIXES["res"]
WD = PREFIXES["wd"]
PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"
LABEL_PROPERTIES = (RDFS_LABEL, PREFIXES["skos"] + "prefLabel", PREFIXES["dcterms"] + "title")

MAX_STATEMENTS = 5000
"""At most this many statements about, or pointing to, one resource are shown or served."""


class GraphView:
    """Labels and statements of one pyoxigraph store (ontology and data)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._labels: dict[str, str] | None = None

    def select(self, text: str, **bindings: Term) -> list[dict[str, Term]]:
        """Rows of a SELECT over the store, with ``?name`` bound to the given terms."""
        substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
        answer = self.store.query(text, prefixes=PREFIXES, substitutions=substitutions)
        names = [v.value for v in answer.variables]
        return [{n: from_oxigraph(s[n]) for n in names if s[n] is not None} for s in answer]

    @property
    def labels(self) -> dict[str, str]:
        """IRI -> its label: rdfs:label, else skos:prefLabel, else dcterms:title (English or untagged first)."""
        if self._labels is None:
            found: dict[str, tuple[int, str]] = {}
            for rank, prop in enumerate(LABEL_PROPERTIES):
                for row in self.select(f"SELECT ?s ?l WHERE {{ ?s <{prop}> ?l FILTER(isIRI(?s)) }}"):
                    lang = row["l"].lang
                    score = rank * 3 + (0 if lang in (None, "en") else 1 if lang.startswith("en") else 2)
                    iri, value = row["s"].value, row["l"].value
                    if iri not in found or (score, value) < found[iri]:
                        found[iri] = (score, value)
            self._labels = {iri: value for iri, (_, value) in found.items()}
        return self._labels

    def label(self, term: Term) -> str:
        """A readable name: the label, else the IRI's last segment, else the literal's value."""
        if term.kind != "uri":
            return term.value if term.kind == "literal" else f"_:{term.value}"
        if term.value in self.labels:
            return self.labels[term.value]
        tail = term.value.rstrip("/#")
        for sep in ("#", "/"):
            if sep in tail:
                tail = tail.rsplit(sep, 1)[1]
                break
        return tail.replace("_", " ") or term.value

    def outgoing(self, iri: str) -> list[tuple[Term, Term]]:
        """(predicate, object) of every statement about ``iri``, sorted, at most MAX_STATEMENTS."""
        rows = self.select(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} ORDER BY ?p ?o LIMIT {MAX_STATEMENTS}",
                           s=Term.uri(iri))
        return [(r["p"], r["o"]) for r in rows]

    def incoming(self, iri: str) -> list[tuple[Term, Term]]:
        """(subject, predicate) of every statement pointing to ``iri``, sorted, at most MAX_STATEMENTS."""
        rows = self.select(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} ORDER BY ?p ?s LIMIT {MAX_STATEMENTS}",
                           o=Term.uri(iri))
        return [(r["s"], r["p"]) for r in rows]

    def known(self, iri: str) -> bool:
        """True if the store says anything about ``iri`` or points to it."""
        try:
            ox.NamedNode(iri)
        except ValueError:
            return False
        return bool(self.outgoing(iri)) or bool(self.incoming(iri))

    def is_fact(self, iri: str) -> bool:
        """True if ``iri`` is an instance of afkg:Fact or of a class below it."""
        return bool(self.select("SELECT ?s WHERE { ?s a/rdfs:subClassOf* afkg:Fact } LIMIT 1", s=Term.uri(iri)))

