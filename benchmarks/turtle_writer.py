"""Turtle export: rdflib's serializer (the reference) against afkg's writer and pyoxigraph.

Run: PYTHONPATH=src python benchmarks/turtle_writer.py [N ...]   (default: 10 100)

For each N, a project of N synthetic pairs is generated (benchmarks/generate.py) in a
temporary folder, then it prints:
- cold: ``afkg --root OUT export --format turtle`` as a new process with the writer and
  with rdflib's serializer put back, and pyoxigraph parsing the project's Turtle files
  and serialising them as Turtle in a new process; whether both afkg outputs are the
  same bytes;
- in process, on the export's union graph: rdflib's serializer, the writer from the
  Graph and from a list of triples, and pyoxigraph loading and serialising the same
  triples.
Makes no assertions.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

OLD_CLI = """
import sys
from afkg.publish import export
from afkg.rdf import turtle
export.to_turtle_bytes = turtle.rdflib_turtle_bytes
from afkg.cli import main
sys.argv = ["afkg", *sys.argv[1:]]
main()
"""

OXIGRAPH_CLI = """
import sys
from pathlib import Path
import pyoxigraph as ox
store = ox.Store()
for path in sorted(Path(sys.argv[1]).rglob("*.ttl")):
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
Path(sys.argv[2]).write_bytes(store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph()))
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - started


def cold(root: Path, work: Path) -> None:
    new, old, oxi = work / "new.ttl", work / "old.ttl", work / "ox.ttl"
    args = ["--root", str(root), "export", "--format", "turtle", "-o"]
    t_new = timed([sys.executable, "-m", "afkg", *args, str(new)])
    t_old = timed([sys.executable, "-c", OLD_CLI, *args, str(old)])
    t_ox = timed([sys.executable, "-c", OXIGRAPH_CLI, str(root), str(oxi)])
    same = new.read_bytes() == old.read_bytes()
    print(f"  cold export: writer {t_new:.2f} s, rdflib {t_old:.2f} s, pyoxigraph parse+serialise {t_ox:.2f} s; "
          f"writer/pyoxigraph {t_new / t_ox:.1f}x; same bytes: {same}")


def in_process(root: Path) -> None:
    import pyoxigraph as ox
    from rdflib import Graph

    from afkg.graph import load
    from afkg.layout import Layout
    from afkg.namespaces import bind_prefixes
    from afkg.publish.export import named_triples
    from afkg.rdf.turtle import ntriples_bytes, rdflib_turtle_bytes
    from afkg.rdf.turtle_writer import graph_turtle, triples_turtle

    triples = sorted(set().union(*named_triples(load(Layout(root=root))).values()))
    union = Graph()
    bind_prefixes(union)
    for triple in triples:
        union.add(triple)
    figures = {}
    outputs = {}
    for name, job in [("rdflib", lambda: rdflib_turtle_bytes(union)), ("writer(Graph)", lambda: graph_turtle(union)),
                      ("writer(triples)", lambda: triples_turtle(triples))]:
        started = time.perf_counter()
        outputs[name] = job()
        figures[name] = time.perf_counter() - started
    text = ntriples_bytes(union)
    store = ox.Store()
    started = time.perf_counter()
    store.load(text, format=ox.RdfFormat.N_TRIPLES)
    loaded = time.perf_counter()
    theirs = store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=dict(union.namespaces()))
    dumped = time.perf_counter()
    ours = outputs["writer(triples)"]
    shared = set(ours.splitlines()) & set(theirs.splitlines())
    print(f"  pyoxigraph's Turtle (same prefixes) shares {len(shared)} of the writer's {len(ours.splitlines())} lines")
    same = len({outputs[name] for name in outputs}) == 1
    print(f"  in process, {len(triples)} triples: " + ", ".join(f"{k} {v:.2f} s" for k, v in figures.items())
          + f"; pyoxigraph load {loaded - started:.2f} s + serialise {dumped - loaded:.2f} s; same bytes: {same}")
    print(f"  writer(triples)/pyoxigraph serialise {figures['writer(triples)'] / (dumped - loaded):.1f}x, "
          f"/(load+serialise) {figures['writer(triples)'] / (dumped - started):.1f}x; "
          f"rdflib/writer(triples) {figures['rdflib'] / figures['writer(triples)']:.1f}x")


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root = Path(tmp) / f"project-{size}"
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(root)], check=True,
                           capture_output=True)
            print(f"N = {size}")
            cold(root, Path(tmp))
            in_process(root)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10, 100])
