"""Query latency: cold runs of the CLI (whole process) and in-process runs of every stored query.

Prints figures; asserts nothing. Run from the project root:

    python benchmarks/query_latency.py [--runs 15] [--query trade-by-year]

Cold: the median wall time of ``afkg query run NAME`` as a new process, per engine
(Python start-up, imports, loading the graph, running the query, printing).
In-process: per stored query and engine, the median time of ``execute`` once the
graph is loaded, and the time to load the graph into each engine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cold_command(name: str, engine: str) -> list[str]:
    script = Path(sys.executable).with_name("afkg")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "afkg"]
    return head + ["query", "run", name, "--engine", engine, "--format", "csv"]


def cold(name: str, engine: str, runs: int) -> list[float]:
    times = []
    env = dict(os.environ, AFKG_ROOT=str(ROOT))
    subprocess.run(cold_command(name, engine), capture_output=True, check=True, env=env)  # warm the disk cache
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cold_command(name, engine), capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def import_breakdown(engine: str) -> str:
    """Wall time of the imports alone, as a share of a cold run."""
    code = ("import time; t=time.perf_counter(); "
            "import afkg.cli, afkg.query.catalogue, afkg.query.engines, afkg.query.results, yaml; "
            + ("import pyoxigraph; " if engine == "oxigraph" else "import rdflib, afkg.graph; ")
            + "print(time.perf_counter()-t)")
    samples = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
               for _ in range(7)]
    return f"{statistics.median(samples) * 1000:.0f} ms"


def in_process(runs: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from afkg.layout import Layout
    from afkg.query.catalogue import Catalogue, execute
    from afkg.query.engines import ENGINES, get_engine

    layout = Layout(ROOT)
    catalogue = Catalogue(layout)
    samples = {"describe-resource": {"resource": "res:Tirana"}, "resource-card": {"resource": "res:Tirana"},
               "provenance": {"resource": "fact:trade-2024-france-exports-to-albania"},
               "is-member": {"member": "Albania", "organisation": "NATO"},
               "ever-opposed": {"holder": "France", "target": "Albania"}}
    engines = {}
    print("\nLoading the graph (ontology + data) into each engine:")
    for name in ENGINES:
        start = time.perf_counter()
        engine = get_engine(name, layout)
        execute(catalogue.get("facts-per-section"), engine, {})
        engines[name] = engine
        print(f"  {name:<9} {1000 * (time.perf_counter() - start):8.1f} ms (first query included)")
    print(f"\nIn-process latency, median of {runs} runs (ms):")
    print(f"  {'query':<32}" + "".join(f"{n:>11}" for n in ENGINES))
    totals = {n: 0.0 for n in ENGINES}
    skipped = []
    for query_name in catalogue.names():
        query = catalogue.get(query_name)
        if query.federated:
            skipped.append(query_name)
            continue
        row = []
        for name, engine in engines.items():
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                execute(query, engine, samples.get(query_name, {}))
                times.append(time.perf_counter() - start)
            median = statistics.median(times) * 1000
            totals[name] += median
            row.append(f"{median:11.2f}")
        print(f"  {query_name:<32}" + "".join(row))
    print(f"  {'sum of medians':<32}" + "".join(f"{totals[n]:11.1f}" for n in ENGINES))
    if skipped:
        print(f"  not timed (federated, they call a remote service): {', '.join(skipped)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--query", default="trade-by-year")
    args = parser.parse_args()
    print(f"Cold 'afkg query run {args.query}' (whole process), {args.runs} runs, {os.cpu_count()} cores:")
    for engine in ("oxigraph", "rdflib"):
        times = cold(args.query, engine, args.runs)
        print(f"  {engine:<9} median {statistics.median(times) * 1000:7.1f} ms   "
              f"min {min(times) * 1000:7.1f}   max {max(times) * 1000:7.1f}   imports {import_breakdown(engine)}")
    in_process(args.runs)


if __name__ == "__main__":
    main()
