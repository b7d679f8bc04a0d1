"""An OpenAPI 3.1 description of the server, generated from the stored queries' headers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from afkg.server.negotiation import GRAPH, TABULAR, media_type

if TYPE_CHECKING:
    from afkg.query.catalogue import StoredQuery

JsonObject = dict[str, object]
"""A JSON object of the document (only written, never read back)."""

_SCHEMAS: dict[str, JsonObject] = {
    "iri": {"type": "string", "description": "An IRI: <https://…>, a prefixed name such as res:Example, "
                                             "or a resource name"},
    "xsd:string": {"type": "string"},
    "xsd:integer": {"type": "string", "pattern": r"^[+-]?\d+$"},
    "xsd:decimal": {"type": "string", "pattern": r"^[+-]?(\d+(\.\d*)?|\.\d+)$"},
    "xsd:boolean": {"type": "string", "enum": ["true", "false", "1", "0"]},
    "xsd:date": {"type": "string", "format": "date"},
    "xsd:gYear": {"type": "string", "pattern": r"^-?\d{4,}$"},
    "xsd:gYearMonth": {"type": "string", "pattern": r"^-?\d{4,}-(0[1-9]|1[0-2])$"},
}


def _text(description: str) -> JsonObject:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


def _content(formats: tuple[str, ...]) -> JsonObject:
    return {media_type(f).split(";")[0]: {"schema": {"type": "string"}} for f in formats}


def _parameter(param: Any) -> JsonObject:
    schema = dict(_SCHEMAS[param.type])
    if param.enum:
        schema["enum"] = list(param.enum)
        schema.pop("pattern", None)
    if param.default is not None:
        schema["default"] = param.default
    body = {"name": param.name, "in": "query", "required": param.required, "schema": schema}
    body["description"] = f"{param.type}" + (f": {param.description}" if param.description else "")
    return body


def _errors() -> dict[str, JsonObject]:
    return {
        "400": _text("A bad parameter value or a query the endpoint refuses"),
        "406": _text("None of the accepted media types fits the result"),
        "503": _text("Every worker is busy (Retry-After), or the query outlived the timeout"),
    }


def document(queries: dict[str, StoredQuery], title: str = "afkg", version: str = "0.1.0") -> JsonObject:
    """The OpenAPI document: the SPARQL endpoint, the catalogue, and one operation per stored query."""
    sparql_responses: dict[str, JsonObject] = {
        "200": {"description": "Query results", "content": _content(TABULAR + GRAPH)},
        **_errors(), "413": _text("The query or the body is too large")}
    paths: JsonObject = {
        "/sparql": {
            "get": {
                "operationId": "sparqlQuery",
                "summary": "SPARQL 1.1 query (read-only); without a query, the service description",
                "parameters": [
                    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "default-graph-uri", "in": "query", "required": False,
                     "schema": {"type": "array", "items": {"type": "string"}}, "explode": True},
                    {"name": "named-graph-uri", "in": "query", "required": False,
                     "schema": {"type": "array", "items": {"type": "string"}}, "explode": True},
                    {"name": "format", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(TABULAR + GRAPH)}},
                ],
                "responses": sparql_responses,
            },
        },
        "/api/queries": {
            "get": {
                "operationId": "listQueries",
                "summary": "The stored queries, with their parameters",
                "responses": {"200": {"description": "The catalogue",
                                      "content": {"application/json": {"schema": {"type": "array"}}}}},
            },
        },
    }
    for name, query in sorted(queries.items()):
        formats = TABULAR if query.query_type in ("SELECT", "ASK") else GRAPH
        parameters = [_parameter(p) for p in query.params.values()]
        if query.query_type == "SELECT":
            parameters += [
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1}, "description": "Rows per page"},
                {"name": "offset", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 0}, "description": "Rows to skip"},
            ]
        operation: JsonObject = {
            "operationId": "query_" + name.replace("-", "_"),
            "summary": query.summary,
            "tags": list(query.tags) or ["queries"],
            "parameters": parameters,
            "responses": {"200": {"description": f"{query.query_type} results", "content": _content(formats)},
                          **_errors()},
        }
        if query.description:
            operation["description"] = query.description
        paths[f"/api/queries/{name}"] = {"get": operation}
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{title} SPARQL endpoint and stored queries", "version": version,
                 "description": "A read-only SPARQL 1.1 endpoint and the project's stored queries as a web API."},
        "paths": paths,
    }
