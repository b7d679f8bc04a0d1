"""The RDF core every other part builds on: the engine-neutral term model and its converters, the
format registry and Accept negotiation, the JSON-LD context and writer, the Turtle writer, SPARQL
term syntax and canonical blank-node labels. It imports nothing of afkg above the base modules
(errors, files, prefixes, namespaces, records)."""
