"""Validation of the graph: SHACL shapes run by rudof or pySHACL (:mod:`afkg.validation.validate`)
and the shapes' SPARQL constraints run on oxigraph (:mod:`afkg.validation.sparql_constraints`)."""
