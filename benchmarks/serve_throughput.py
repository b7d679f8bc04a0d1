"""Serving throughput and footprint: ``afkg serve`` against ``oxigraph serve-read-only`` on the same store.

Prints figures; asserts nothing. Run from the project root:

    .venv/bin/python benchmarks/serve_throughput.py [--seconds 5] [--rounds 3] [--clients 1,8,32]
    .venv/bin/python benchmarks/serve_throughput.py --startup-only --root OUT   # a generated project

The load generator is ``wrk`` (``apt-get install wrk``), one thread, keep-alive connections,
each connection sending the same request again as soon as its answer is read. Its own CPU
time is read from the kernel (``wait4``) and printed next to every figure: a client that
used a whole core would be measuring itself, not the server.

Both servers read the same data: the store that ``afkg build --store`` writes (ontology and
data in their named graphs), which afkg serves with ``--store`` and Oxigraph with
``--union-default-graph`` (what afkg's default graph is). Each cell (query × clients) is
measured ``--rounds`` times, alternating the two servers (afkg, Oxigraph, afkg, …), after a
warm-up of each; the medians are printed with afkg's share of Oxigraph's throughput.

``--src DIR`` runs another checkout's ``src/`` (the "before" of a change), ``--files``
serves the project files instead of the store. Start-up is the time from starting the
process until ``/healthz`` (Oxigraph: a query) answers 200; memory is the resident set (RSS)
and the proportional set (PSS: a page shared by k processes counts 1/k in each) of the
server and all its descendants, summed, after start and after the load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


# --- the queries ----------------------------------------------------------------------------------

def query_text(root: Path, name: str, **params: str) -> str:
    """A stored query's SPARQL text, with its parameters written in as IRIs."""
    text = "\n".join(line for line in (root / "queries" / f"{name}.rq").read_text(encoding="utf-8").splitlines()
                     if not line.startswith("#+"))
    for key, value in params.items():
        text = re.sub(rf"\?_{key}\b", f"<{value}>", text)
    return text


def queries(root: Path) -> dict[str, tuple[str, str]]:
    """Name: (query text, Accept)."""
    results = "application/sparql-results+json"
    return {
        "tiny SELECT": ("PREFIX afkg: <https://w3id.org/afkg/ontology#>\nSELECT ?sending ?city WHERE { "
                        "?m afkg:sendingState ?sending ; afkg:place ?city } ORDER BY ?sending ?city", results),
        "small SELECT": (query_text(root, "diplomatic-missions"), results),
        "timeline": (query_text(root, "timeline"), results),
        "CONSTRUCT": (query_text(root, "resource-card", resource="https://w3id.org/afkg/resource/Tirana"),
                      "text/turtle"),
    }


# --- processes and their memory ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parent = int(text.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def memory_kib(pid: int) -> tuple[int, int, int]:
    """(processes, RSS, PSS) of ``pid`` and its descendants, in KiB."""
    count = rss = pss = 0
    for member in descendants(pid):
        try:
            text = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        fields = dict(re.findall(r"^(\w+):\s+(\d+) kB", text, re.M))
        count += 1
        rss += int(fields.get("Rss", 0))
        pss += int(fields.get("Pss", 0))
    return count, rss, pss


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of ``pid`` and its living descendants, plus their waited-for children."""
    total = 0
    for member in descendants(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def wait_for(url: str, process: subprocess.Popen, cap: float = 600.0) -> float:
    """Seconds until ``url`` answers 200 (polled every 10 ms); the process's start is the origin."""
    started = time.perf_counter()
    parts = urllib.parse.urlsplit(url)
    request = (f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n"
               .encode())
    while time.perf_counter() - started < cap:
        if process.poll() is not None:
            raise SystemExit(f"the server ended with {process.returncode} before it answered")
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
                sock.sendall(request)
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.01)
    raise SystemExit(f"{url} did not answer within {cap:g} s")


class Server:
    def __init__(self, name: str, command: list[str], probe: str, endpoint: str, env: dict[str, str] | None = None):
        self.name, self.endpoint = name, endpoint
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env=env, start_new_session=True)
        self.startup = wait_for(probe, self.process)

    def memory(self) -> tuple[int, int, int]:
        return memory_kib(self.process.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def start_afkg(root: Path, src: Path, store: Path | None, extra: list[str]) -> Server:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, "-m", "afkg", "--root", str(root), "serve", "--port", str(port), *extra]
    if store is not None:
        command += ["--store", str(store)]
    base = f"http://127.0.0.1:{port}/"
    return Server("afkg", command, base + "healthz", base + "sparql", env)


def start_oxigraph(store: Path) -> Server:
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    if oxigraph is None:
        raise SystemExit("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    base = f"http://127.0.0.1:{port}/query"
    return Server("oxigraph", [oxigraph, "serve-read-only", "--location", str(store), "--union-default-graph",
                               "--bind", f"127.0.0.1:{port}"],
                  base + "?query=" + urllib.parse.quote("ASK {}"), base)


def build_store(root: Path, src: Path, target: Path) -> None:
    """``afkg build --store`` of ``root`` into ``target`` (the build's other files go to a temporary folder)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.TemporaryDirectory(prefix="afkg-bench-dist-") as dist:
        done = subprocess.run([sys.executable, "-m", "afkg", "--root", str(root), "build", "-o", dist + "/dist",
                               "--store", str(target)], capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"afkg build --store failed: {done.stderr[-2000:]}")


# --- the load generator -----------------------------------------------------------------------------

WRK_SCRIPT = """
wrk.method = "GET"
wrk.headers["Accept"] = os.getenv("BENCH_ACCEPT")
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH {\\"requests\\": %d, \\"duration_us\\": %d, \\"status_errors\\": %d, \\"socket_errors\\": %d, "
    .. "\\"bytes\\": %d, \\"p50_us\\": %d, \\"p99_us\\": %d}\\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.bytes, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk(url: str, accept: str, clients: int, seconds: float, script: Path) -> dict[str, float]:
    """One wrk run: requests/s, p50/p99 in ms, errors, and the client's CPU as a share of one core."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([binary, "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s",
                                    "-s", str(script), url], stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "BENCH_ACCEPT": accept})
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    match = re.search(r"^BENCH (\{.*\})$", text, re.M)
    if not match:
        raise SystemExit(f"wrk failed: {text[-1000:]}")
    figures = json.loads(match.group(1))
    duration = figures["duration_us"] / 1e6
    return {"rps": figures["requests"] / duration, "p50": figures["p50_us"] / 1000, "p99": figures["p99_us"] / 1000,
            "errors": figures["status_errors"] + figures["socket_errors"],
            "client_cpu": (usage.ru_utime + usage.ru_stime) / duration, "requests": figures["requests"]}


def check_answer(url: str, accept: str) -> int:
    """The status and size of one answer (so a cell that measures errors is seen as such)."""
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - a local server we started
        return len(response.read())


# --- main ---------------------------------------------------------------------------------------------

def fmt_mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def startup_only(args: argparse.Namespace, src: Path) -> None:
    """Start-up time and memory of afkg (store, and files with ``--files``; ``--before`` too) and
    Oxigraph, ``--rounds`` times, alternating."""
    root = Path(args.root).resolve()
    work = Path(tempfile.mkdtemp(prefix="afkg-bench-"))
    try:
        store = Path(args.store).resolve() if args.store else work / "store"
        if not args.store:
            started = time.perf_counter()
            build_store(root, src, store)
            print(f"afkg build --store: {time.perf_counter() - started:.1f} s", flush=True)
        sources = [("afkg", src)] + ([("afkg before", Path(args.before).resolve())] if args.before else [])
        kinds: list[tuple[str, Path | None, bool]] = []
        for label, tree in sources:
            kinds.append((f"{label} --store", tree, True))
            if args.files:
                kinds.append((f"{label} (files)", tree, False))
        kinds.append(("oxigraph", None, True))
        times: dict[str, list[float]] = {k[0]: [] for k in kinds}
        memory: dict[str, tuple[int, int, int]] = {}
        for _ in range(args.rounds):
            for kind, tree, from_store in kinds:
                if tree is None:
                    server = start_oxigraph(store)
                else:
                    server = start_afkg(root, tree, store if from_store else None, args.afkg_args)
                try:
                    times[kind].append(server.startup)
                    time.sleep(0.5)  # the spare, started last, is counted too
                    memory[kind] = server.memory()
                finally:
                    server.stop()
        for kind, _, _ in kinds:
            count, rss, pss = memory[kind]
            print(f"| {kind} | {statistics.median(times[kind]):.2f} s ({', '.join(f'{t:.2f}' for t in times[kind])}) "
                  f"| {count} | {fmt_mib(rss)} | {fmt_mib(pss)} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="Duration of each measurement.")
    parser.add_argument("--rounds", type=int, default=3, help="Measurements of each cell, alternating servers.")
    parser.add_argument("--clients", default="1,8,32", help="Concurrency levels, comma-separated.")
    parser.add_argument("--only", default=None, help="Queries to run (comma-separated names).")
    parser.add_argument("--root", default=str(ROOT), help="The project to serve (default: this checkout).")
    parser.add_argument("--src", default=str(ROOT / "src"), help="The afkg sources to run (default: this checkout's).")
    parser.add_argument("--before", default=None, metavar="SRC",
                        help="Also run these afkg sources (another checkout's src/), interleaved, as 'before'.")
    parser.add_argument("--store", default=None, metavar="DIR",
                        help="An existing store of --root (else 'afkg build --store' writes one).")
    parser.add_argument("--files", action="store_true", help="afkg serves the project files, not the store.")
    parser.add_argument("--afkg-args", default="", help="More options for afkg serve (one string).")
    parser.add_argument("--startup-only", action="store_true", help="Measure start-up and memory only.")
    args = parser.parse_args()
    args.afkg_args = args.afkg_args.split()
    src = Path(args.src).resolve()
    if args.startup_only:
        startup_only(args, src)
        return
    root = Path(args.root).resolve()
    levels = [int(c) for c in args.clients.split(",")]
    chosen = queries(root)
    if args.only:
        chosen = {k: v for k, v in chosen.items() if k in args.only.split(",")}
    work = Path(tempfile.mkdtemp(prefix="afkg-bench-"))
    script = work / "bench.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    servers: list[Server] = []
    try:
        store = Path(args.store).resolve() if args.store else work / "store"
        if not args.store:
            build_store(root, src, store)
        shutil.copytree(store, work / "oxigraph-store", ignore=shutil.ignore_patterns("LOCK"))
        options = ["--max-queued", str(4 * max(levels)), "--timeout", "30", *args.afkg_args]
        variants = [("afkg", src)] + ([("afkg before", Path(args.before).resolve())] if args.before else [])
        for label, sources in variants:
            server = start_afkg(root, sources, None if args.files else store, options)
            server.name = label
            servers.append(server)
        servers.append(start_oxigraph(work / "oxigraph-store"))
        print(f"{os.cpu_count()} cores; wrk -t1; {args.seconds:g} s per measurement, {args.rounds} rounds, "
              f"servers alternating; afkg serves {'the files' if args.files else 'the store'} "
              f"({' '.join(options)})")
        for server in servers:
            count, rss, pss = server.memory()
            print(f"- {server.name}: start-up {server.startup:.2f} s; after start {count} processes, "
                  f"RSS {fmt_mib(rss)}, PSS {fmt_mib(pss)}")
        print()
        print("| query | clients | server | req/s | p50 ms | p99 ms | server CPU | wrk CPU | × Oxigraph | errors |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, (text, accept) in chosen.items():
            for clients in levels:
                runs: dict[str, list[dict[str, float]]] = {s.name: [] for s in servers}
                urls = {s.name: s.endpoint + "?query=" + urllib.parse.quote(text, safe="") for s in servers}
                for server in servers:
                    check_answer(urls[server.name], accept)
                    wrk(urls[server.name], accept, clients, min(1.0, args.seconds), script)  # warm-up
                for _ in range(args.rounds):
                    for server in servers:
                        cpu = server.cpu()
                        figures = wrk(urls[server.name], accept, clients, args.seconds, script)
                        figures["server_cpu"] = (server.cpu() - cpu) / args.seconds
                        runs[server.name].append(figures)
                medians = {n: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for n, rs in runs.items()}
                reference = medians["oxigraph"]["rps"]
                for server in servers:
                    m = medians[server.name]
                    errors = sum(r["errors"] for r in runs[server.name])
                    spread = "/".join(f"{r['rps']:.0f}" for r in runs[server.name])
                    print(f"| {name} | {clients} | {server.name} | {m['rps']:.0f} ({spread}) | {m['p50']:.2f} | "
                          f"{m['p99']:.2f} | {m['server_cpu'] * 100:.0f} % | {m['client_cpu'] * 100:.0f} % | "
                          f"{m['rps'] / reference:.2f}× | {errors:.0f} |", flush=True)
        print()
        for server in servers:
            count, rss, pss = server.memory()
            print(f"- {server.name}: after the load {count} processes, RSS {fmt_mib(rss)}, PSS {fmt_mib(pss)}")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
