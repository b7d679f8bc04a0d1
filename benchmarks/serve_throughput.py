"""Serving throughput: ``afkg serve`` against ``oxigraph serve-read-only`` on the same data.

Prints figures; asserts nothing. Run from the project root:

    python benchmarks/serve_throughput.py [--seconds 5] [--soak 60] [--soak-clients 50]

Both servers listen on 127.0.0.1 and are started and stopped by this script. For
three queries (a small SELECT, ``timeline``, a CONSTRUCT), at 1, 8 and 32 concurrent
clients, each client sends the same query over and over for ``--seconds``; the
script prints requests per second and p50/p99 latency for each server, and afkg's
share of Oxigraph's throughput. afkg runs with ``--max-queued`` large enough that
no client is turned away. Then a soak: ``--soak-clients`` clients for ``--soak``
seconds against afkg alone, reporting errors and the resident memory of the
server and its workers at the start and the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def query_text(name: str, **params: str) -> str:
    """A stored query's SPARQL text, with its parameters written in as IRIs."""
    text = "\n".join(line for line in (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8").splitlines()
                     if not line.startswith("#+"))
    for key, value in params.items():
        text = re.sub(rf"\?_{key}\b", f"<{value}>", text)
    return text


QUERIES = {
    "small SELECT (diplomatic-missions)": query_text("diplomatic-missions"),
    "timeline": query_text("timeline"),
    "CONSTRUCT (resource-card)": query_text("resource-card", resource="https://w3id.org/afkg/resource/Tirana"),
}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_afkg(max_concurrent: int, max_queued: int) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "afkg", "--root", str(ROOT), "serve", "--port", "0", "--max-concurrent",
         str(max_concurrent), "--max-queued", str(max_queued), "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = process.stdout.readline()
    match = re.search(r"sparql endpoint (\S+)\)", line)
    if not match:
        process.kill()
        raise SystemExit(f"afkg serve did not start: {line!r}")
    return process, match.group(1)


def start_oxigraph(folder: Path) -> tuple[subprocess.Popen, str]:
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    if oxigraph is None:
        raise SystemExit("the oxigraph server is not installed (pip install oxigraph)")
    files = [ROOT / "ontology" / "afkg.ttl"] + sorted(p for p in (ROOT / "data").glob("*/*.ttl")
                                                       if p.parent.name != "wikidata")
    for path in files:
        subprocess.run([oxigraph, "load", "--location", str(folder), "--file", str(path)], check=True,
                       capture_output=True)
    port = free_port()
    process = subprocess.Popen([oxigraph, "serve-read-only", "--location", str(folder), "--bind",
                                f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(200):
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    return process, url


async def load(url: str, query: str, clients: int, seconds: float) -> tuple[list[float], int]:
    """Latencies of successful requests, and the number of failures."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    accept = "text/turtle" if "CONSTRUCT" in query else "application/sparql-results+json"
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        async def client() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    response = await http.get(url, params={"query": query}, headers={"Accept": accept})
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1
        await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its child processes, in KiB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(status.parent.name) == pid or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="Duration of each measurement.")
    parser.add_argument("--clients", default="1,8,32", help="Concurrency levels, comma-separated.")
    parser.add_argument("--max-concurrent", type=int, default=2, help="afkg's worker processes.")
    parser.add_argument("--soak", type=float, default=60.0, help="Soak duration in seconds (0: none).")
    parser.add_argument("--soak-clients", type=int, default=50)
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]

    folder = Path(tempfile.mkdtemp(prefix="afkg-bench-oxigraph-"))
    afkg, afkg_url = start_afkg(args.max_concurrent, max(levels + [args.soak_clients]) * 2)
    oxigraph, oxigraph_url = start_oxigraph(folder)
    try:
        print(f"afkg serve ({args.max_concurrent} workers) vs oxigraph serve-read-only; "
              f"{args.seconds:g} s per cell, {os.cpu_count()} cores")
        print(f"{'query':<36} {'clients':>7}  {'afkg req/s':>10} {'p50 ms':>7} {'p99 ms':>7}  "
              f"{'oxigraph req/s':>14} {'p50 ms':>7} {'p99 ms':>7}  {'ratio':>6}  errors")
        for name, query in QUERIES.items():
            for clients in levels:
                figures = []
                for url in (afkg_url, oxigraph_url):
                    asyncio.run(load(url, query, clients, min(1.0, args.seconds)))  # warm up
                    latencies, errors = asyncio.run(load(url, query, clients, args.seconds))
                    figures.append((len(latencies) / args.seconds, percentile(latencies, 0.5) * 1000,
                                    percentile(latencies, 0.99) * 1000, errors))
                (a, a50, a99, aerr), (o, o50, o99, oerr) = figures
                print(f"{name:<36} {clients:>7}  {a:>10.1f} {a50:>7.1f} {a99:>7.1f}  {o:>14.1f} {o50:>7.1f} "
                      f"{o99:>7.1f}  {a / o if o else float('nan'):>6.2f}  {aerr}/{oerr}", flush=True)
        oxigraph.send_signal(signal.SIGTERM)
        oxigraph.wait(30)
        if args.soak > 0:
            rss_start = tree_rss_kib(afkg.pid)
            mixed = list(QUERIES.values())

            async def soak() -> tuple[int, int]:
                results = await asyncio.gather(*(
                    load(afkg_url, mixed[i % len(mixed)], 1, args.soak) for i in range(args.soak_clients)))
                return sum(len(r[0]) for r in results), sum(r[1] for r in results)

            done, errors = asyncio.run(soak())
            rss_end = tree_rss_kib(afkg.pid)
            print(f"soak: {args.soak_clients} clients for {args.soak:g} s: {done} requests "
                  f"({done / args.soak:.1f}/s), {errors} errors; RSS of server and workers "
                  f"{rss_start / 1024:.1f} MiB at start, {rss_end / 1024:.1f} MiB at end")
    finally:
        for process in (afkg, oxigraph):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
