"""JSON-LD export, step by step, next to pyoxigraph serialising the same triples.

Prints figures; asserts nothing. Run on a project folder (the article, or one made
by ``benchmarks/generate.py N OUT``):

    python benchmarks/jsonld_export.py [--root OUT] [--frame facts] [--nquads]

Steps: loading the project, making the export's graphs, turning the triples into
pyld's RDF dataset, pyld's ``from_rdf``, compaction (or framing) and writing JSON;
then pyoxigraph's JSON-LD serialiser on the same triples (expanded, not compacted:
it has no context). ``--nquads`` also times the earlier path, pyld parsing the
sorted N-Quads text itself (quadratic: minutes at a hundred thousand triples).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from itertools import chain
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from afkg.graph import load  # noqa: E402
from afkg.layout import Layout  # noqa: E402
from afkg.publish import export  # noqa: E402
from afkg.rdf.context import load_context, local_loader  # noqa: E402
from afkg.rdf.jsonld import jsonld_document, rdf_dataset  # noqa: E402
from afkg.rdf.turtle import ntriples_bytes  # noqa: E402


def timed(label: str, function, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"{label:<34} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--frame", choices=["events", "facts", "actors"])
    parser.add_argument("--nquads", action="store_true", help="also time the earlier N-Quads path")
    args = parser.parse_args()

    from pyld import jsonld

    kg = timed("load project (rdflib)", load, Layout(root=args.root))
    graphs = timed("export graphs (labels, metadata)", export.named_graphs, kg)
    triples = list(chain.from_iterable(graphs.values()))
    print(f"{'triples':<34} {len(triples):8d}")
    context = load_context(kg.layout.context_file)
    loader = local_loader(context)
    dataset = timed("rdf_dataset (sorted, parsed)", rdf_dataset, triples)
    expanded = timed("pyld from_rdf", jsonld.from_rdf, dataset, {"documentLoader": loader})
    out = timed(f"pyld {'frame ' + args.frame if args.frame else 'compact'} + JSON", jsonld_document, expanded, context,
                kg.ontology, loader, context_url=None, frame=args.frame)
    print(f"{'output bytes':<34} {len(out):8d}")

    import pyoxigraph as ox

    from afkg.rdf.terms import from_rdflib, to_oxigraph

    quads = [ox.Triple(*(to_oxigraph(from_rdflib(t)) for t in triple)) for triple in triples]
    text = timed("pyoxigraph serialise JSON-LD", ox.serialize, quads, format=ox.RdfFormat.JSON_LD)
    print(f"{'pyoxigraph output bytes':<34} {len(text):8d}")
    if args.nquads:
        from rdflib import Graph

        union = Graph()
        for triple in triples:
            union.add(triple)
        nquads = ntriples_bytes(union).decode("utf-8")
        start = time.perf_counter()
        parsed = jsonld.from_rdf(nquads, {"format": "application/n-quads", "documentLoader": loader})
        old = jsonld_document(parsed, context, kg.ontology, loader, context_url=None, frame=args.frame,
                              expand_again=True)
        print(f"{'earlier path (pyld parses N-Quads)':<34} {time.perf_counter() - start:8.2f} s")
        print(f"{'same bytes':<34} {str(old == out):>8}")
    json.loads(out)


if __name__ == "__main__":
    main()
