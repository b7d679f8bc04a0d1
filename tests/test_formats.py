"""The format registry agrees with pyoxigraph, with the tables derived from it, and with the CLI."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from afkg.rdf import accept, formats


@pytest.mark.parametrize("name", list(formats.FORMATS))
def test_media_types_suffixes_and_iris_are_pyoxigraphs(name):
    f = formats.get(name)
    ours = f.pyoxigraph()
    assert isinstance(ours, ox.QueryResultsFormat if f.kind == "results" else ox.RdfFormat)
    assert ours.media_type.split(";")[0] == f.media_type
    assert f.content_type == (ours.media_type if ";" in ours.media_type else f.content_type)
    if f.kind == "results":
        assert ours.file_extension in (f.suffix, *f.aliases)
    else:
        assert ours.file_extension == f.suffix
    if name != "jsonld":  # pyoxigraph names JSON-LD https://www.w3.org/ns/formats/data/JSON-LD
        assert ours.iri == f.iri


def test_every_name_suffix_alias_and_media_type_leads_back():
    for f in formats.FORMATS.values():
        for key in (f.name, f.suffix, *f.aliases, f.media_type, f.media_type.upper(), f.content_type, f" {f.name} "):
            assert formats.lookup(key) is f, key
    assert formats.lookup("bogus") is None
    assert formats.lookup("application/json") is None  # generic: only Accept reads it


def test_the_command_line_lists_the_registry_without_importing_it():
    from afkg import cli
    from afkg.query import results

    assert cli._FORMATS == ("table", *formats.CLI_RESULTS, *formats.CLI_GRAPH) == results.FORMATS


def test_the_endpoint_and_the_site_answer_the_same_content_type():
    from afkg.publish.site import negotiation as site
    from afkg.server import negotiation as server

    for f in formats.FORMATS.values():
        if f.suffix in site.MEDIA_TYPES:
            assert site.MEDIA_TYPES[f.suffix] == server.media_type(f.name) == f.content_type


@pytest.mark.parametrize(("header", "chosen"), [
    (None, "a"), ("", "a"), ("  ", "a"), ("*/*", "a"), ("text/y", "b"), ("TEXT/Y", "b"),
    ("text/*", "a"), ("text/x;q=0.5, text/y", "b"), ("text/x;q=0.5, text/y;q=0.5", "a"),
    ("text/y;q=1.5", None), ("text/y;q=1.0000", None), ("text/y;q=0.5e0", None), ("text/y;q=0.001", "b"),
    ("application/z", "b"), ("application/*", None),  # other types count only when named exactly
    ("garbage", None), (",,;;", None), ("x/y, " * 64 + "text/y", None), ("x" * 5000 + ", text/y", None),
])
def test_accept(header, chosen):
    assert accept.choose(header, (("a", ("text/x",)), ("b", ("text/y", "application/z")))) == chosen
