"""Where a small query's time goes in ``afkg serve``: the server process's CPU per request, layer by layer.

Prints figures; asserts nothing. Run from the project root:

    .venv/bin/python benchmarks/serve_overhead.py [--seconds 4] [--clients 8]

Each line is a server on 127.0.0.1 loaded by ``wrk`` (one thread) for ``--seconds``; the
CPU time of the server's own process (not its workers) is read from ``/proc`` before and
after and divided by the requests answered:

1. ``uvicorn`` (its h11 protocol, as ``afkg serve`` runs it) with a bare ASGI function that
   answers fixed bytes: the floor of any Python server on this stack;
2. the same, with a round trip to a query worker of afkg's pool (a ``ping`` task) per request;
3. ``afkg serve`` answering the tiny SELECT and the CONSTRUCT of ``serve_throughput.py``;
4. ``oxigraph serve-read-only`` on the same queries (its whole CPU per request).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import textwrap
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import serve_throughput as bench  # noqa: E402 - a sibling script

BARE = textwrap.dedent('''
    import sys, uvicorn
    from afkg.server.workers import QueryPool, WorkerSpec
    BODY = b"x" * 600
    pool = None
    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    if pool is not None:
                        await pool.attach()
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if pool is not None:
            await pool.run({"kind": "ping"})
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"600")]})
        await send({"type": "http.response.body", "body": BODY})
    if __name__ == "__main__":
        if sys.argv[1] == "hop":
            pool = QueryPool(WorkerSpec(root=sys.argv[3]), size=2, timeout=30, max_queued=512)
            pool.start()
        uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False,
                    lifespan="on", server_header=False)
''')


def own_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(name: str, server: bench.Server, url: str, accept: str, clients: int, seconds: float,
            script: Path) -> None:
    bench.wrk(url, accept, clients, 1, script)  # warm-up
    before, whole = own_cpu(server.process.pid), server.cpu()
    figures = bench.wrk(url, accept, clients, seconds, script)
    after, whole_after = own_cpu(server.process.pid), server.cpu()
    requests = figures["requests"]
    print(f"| {name} | {figures['rps']:.0f} | {1e6 * (after - before) / requests:.0f} µs | "
          f"{1e6 * (whole_after - whole) / requests:.0f} µs | {figures['client_cpu'] * 100:.0f} % |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="afkg-overhead-"))
    script = work / "bench.lua"
    script.write_text(bench.WRK_SCRIPT, encoding="utf-8")
    (work / "bare.py").write_text(BARE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(bench.ROOT / "src")}
    queries = bench.queries(bench.ROOT)
    print(f"wrk -t1 -c{args.clients}, {args.seconds:g} s each; CPU per request of the server process "
          "(and of the server with its workers)")
    print()
    print("| server | req/s | server process CPU per request | with its workers | wrk CPU |")
    print("|---|---|---|---|---|")
    try:
        for kind in ("bare", "hop"):
            port = bench.free_port()
            command = [sys.executable, str(work / "bare.py"), kind, str(port), str(bench.ROOT)]
            server = bench.Server(kind, command, f"http://127.0.0.1:{port}/healthz", f"http://127.0.0.1:{port}/",
                                  env)
            try:
                label = ("uvicorn + a bare ASGI function" if kind == "bare"
                         else "uvicorn + a bare ASGI function + a round trip to a worker")
                measure(label, server, server.endpoint, "text/plain", args.clients, args.seconds, script)
            finally:
                server.stop()
        bench.build_store(bench.ROOT, bench.ROOT / "src", work / "store")
        afkg = bench.start_afkg(bench.ROOT, bench.ROOT / "src", None, ["--max-queued", "512"])
        oxigraph = bench.start_oxigraph(work / "store")
        try:
            for name in ("tiny SELECT", "CONSTRUCT"):
                text, accept = queries[name]
                for server in (afkg, oxigraph):
                    url = server.endpoint + "?query=" + urllib.parse.quote(text, safe="")
                    measure(f"{server.name}, {name}", server, url, accept, args.clients, args.seconds, script)
        finally:
            afkg.stop()
            oxigraph.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
