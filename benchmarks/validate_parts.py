"""Where `afkg validate` spends its time on a project: each step of the rudof engine in turn.

Loads a project (for instance one written by `generate.py N OUT`) and times, in one process:
loading, the typed data, the pyoxigraph store, the N-Triples dump, rudof on the shapes without
their SHACL-SPARQL constraints, and each SPARQL-based constraint run once over the store.
No assertion: the numbers are printed, not judged.

    python benchmarks/generate.py 100 /tmp/p100
    python benchmarks/validate_parts.py /tmp/p100
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the project folder")
    args = parser.parse_args()

    import pyoxigraph

    from afkg.graph import Layout, load
    from afkg.validation import sparql_constraints
    from afkg.validation import validate as v

    def step(name: str, start: float, extra: str = "") -> float:
        now = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name:<40} {now - start:8.2f} s  peak {peak:6.0f} MiB  {extra}")
        return now

    start = time.perf_counter()
    kg = load(Layout(args.root))
    start = step("load the project (rdflib)", start)
    data = v.typed_data(kg)
    start = step("typed data (rdflib)", start, f"{len(data)} triples")
    store = v.graph_store(data)
    start = step("pyoxigraph store", start)
    lexical = v._lexical_forms(data)
    start = step("lexical forms", start, f"{len(lexical)} literals")
    plan = sparql_constraints.plan(kg.shapes)
    start = step("plan the SPARQL constraints", start,
                 f"{len(plan.constraints)} run once, {len(plan.left)} left to rudof")
    core = sparql_constraints.without(kg.shapes, plan.handled())
    ntriples = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    start = step("N-Triples dump", start)
    results = v._rudof_results(ntriples.decode("utf-8"), core, kg.shapes)
    start = step("rudof, core constraints", start, f"{len(results)} result triples")
    total = 0.0
    for constraint in plan.constraints:
        begin = time.perf_counter()
        found = sparql_constraints.run(store, kg.shapes, [constraint], lexical=lexical)
        total += time.perf_counter() - begin
        step(f"  sparql {str(constraint.shape).rsplit('#', 1)[-1]}", begin, f"{len(found)} result triples")
    print(f"{'SPARQL constraints, all':<40} {total:8.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{'peak memory':<40} {peak / 1024:8.0f} MiB")


if __name__ == "__main__":
    main()
