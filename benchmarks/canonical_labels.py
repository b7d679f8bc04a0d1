"""Stable blank-node labels: afkg's labelling (afkg.rdf.canon) next to pyoxigraph's RDFC-1.0.

Run: PYTHONPATH=src python benchmarks/canonical_labels.py [--limit SECONDS]

For each graph below, each labelling runs in a fresh process (so a run that does not end is
stopped after ``--limit`` seconds, default 60) and the time of the labelling alone is printed,
with the ratio afkg / pyoxigraph:

- the project's export graph (ontology, shapes and data of this checkout);
- a chain of N nested blank nodes (``[ :next [ :next … ] ]``), N = 100 to 100,000;
- a tree: N blank nodes each with two blank children, N = 1,000 and 30,000;
- a ring of K blank nodes that nothing tells apart, K = 8, 16, 40 (afkg hands these to rdflib's
  canonicalisation up to 40 and refuses more; RDFC-1.0 must try orders of them);
- a grid of K × K blank nodes that colour refinement splits but that is not a tree.

It also says whether the two labellings give the same N-Triples bytes (they do not: afkg's
labels and RDFC-1.0's ``c14n`` labels differ, so adopting RDFC-1.0 changes every export that
shows a blank-node label). Makes no assertions.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r'''
import sys, time
from pathlib import Path
import pyoxigraph as ox
kind, shape, size, root = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
EX = "http://example.org/"
def triples():
    if shape == "project":
        files = [Path(root, "ontology", "afkg.ttl"), Path(root, "ontology", "shapes.ttl")]
        files += sorted(Path(root, "data").rglob("*.ttl"))
        out = []
        for f in files:
            out += [(t.subject, t.predicate, t.object) for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
        return out
    nodes = [ox.BlankNode() for _ in range(size if shape != "grid" else size * size)]
    p, q = ox.NamedNode(EX + "next"), ox.NamedNode(EX + "side")
    if shape == "chain":
        out = [(ox.NamedNode(EX + "start"), p, nodes[0])]
        out += [(nodes[i], p, nodes[i + 1]) for i in range(size - 1)]
        out.append((nodes[-1], p, ox.Literal("end")))
        return out
    if shape == "tree":
        out = [(ox.NamedNode(EX + "root"), p, nodes[0])]
        out += [(nodes[(i - 1) // 2], p if i % 2 else q, nodes[i]) for i in range(1, size)]
        out += [(n, ox.NamedNode(EX + "v"), ox.Literal(str(i % 7))) for i, n in enumerate(nodes)]
        return out
    if shape == "ring":
        return [(nodes[i], p, nodes[(i + 1) % size]) for i in range(size)]
    if shape == "grid":
        out = []
        for r in range(size):
            for c in range(size):
                n = nodes[r * size + c]
                out.append((n, ox.NamedNode(EX + "row"), ox.Literal(str(r))))
                if c + 1 < size:
                    out.append((n, p, nodes[r * size + c + 1]))
                if r + 1 < size:
                    out.append((n, q, nodes[(r + 1) * size + c]))
        return out
    raise SystemExit(f"unknown shape {shape}")
data = triples()
if kind == "afkg":
    from afkg.project import TermConverter
    from afkg.rdf.canon import stable_triples
    convert = TermConverter()
    graph = {(convert(s), convert(p), convert(o)) for s, p, o in data}
    start = time.perf_counter()
    labelled = stable_triples(graph)
    took = time.perf_counter() - start
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in labelled)
else:
    dataset = ox.Dataset(ox.Quad(s, p, o) for s, p, o in data)
    start = time.perf_counter()
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    took = time.perf_counter() - start
    lines = sorted(f"{q.subject} {q.predicate} {q.object} ." for q in dataset)
import hashlib
print(f"{took:.4f} {len(lines)} {hashlib.sha256(chr(10).join(lines).encode()).hexdigest()[:12]}")
'''

CASES = [("project", 0), ("chain", 100), ("chain", 1_000), ("chain", 10_000), ("chain", 100_000),
         ("tree", 1_000), ("tree", 30_000),
         ("ring", 8), ("ring", 16), ("ring", 40), ("grid", 20)]


def run(kind: str, shape: str, size: int, limit: float) -> str:
    """The child's line (seconds, triples, digest), or why it gave none."""
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, kind, shape, str(size), str(ROOT)],
                              capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return f"stopped after {limit:.0f} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return f"failed: {last[:60]}"
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=60.0)
    limit = parser.parse_args().limit
    print(f"{'graph':<16} {'afkg s':>10} {'RDFC-1.0 s':>12} {'ratio':>7}  same bytes")
    for shape, size in CASES:
        mine = run("afkg", shape, size, limit)
        theirs = run("oxigraph", shape, size, limit)
        name = shape if not size else f"{shape} {size}"
        try:
            a, b = float(mine.split()[0]), float(theirs.split()[0])
            ratio = f"{a / b:.2f}" if b else "-"
            same = "yes" if mine.split()[2] == theirs.split()[2] else "no"
            print(f"{name:<16} {a:>10.4f} {b:>12.4f} {ratio:>7}  {same}")
        except (ValueError, IndexError):
            print(f"{name:<16} {mine:>10} {theirs:>12}")


if __name__ == "__main__":
    main()
