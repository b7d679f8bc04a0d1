"""Scale: afkg's commands on N synthetic pairs, each next to the same job done directly.

    python benchmarks/scale.py [N ...] [--cap SECONDS] [--work DIR] [--keep]

For each N (default 1 10 100 1000) a project with N renamed copies of the
article's pair is written with ``generate.py``; then every step runs as a new
process, once with afkg and once as the same job written directly against
pyoxigraph, rdflib or pySHACL, and the script prints wall time, peak memory
(the child's maximum resident set, from ``wait4``) and the ratio afkg / direct.
A step that runs longer than ``--cap`` seconds (default 600) is stopped and shown
as ``> cap``; nothing hangs. Prints figures; asserts nothing.

The afkg under test is the one Python imports (``PYTHONPATH=src`` for a checkout).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

QUERY_FAST = "trade-by-year"
QUERY_SLOW = "timeline"


@dataclass
class Measure:
    """One run: wall seconds, peak resident memory in MiB, and whether it finished in time and well."""

    seconds: float
    peak_mib: float
    status: str  # "ok", "capped" or "failed (exit N)"

    def time_text(self, cap: float) -> str:
        if self.status == "capped":
            return f"> {cap:g} s"
        text = f"{self.seconds:.2f} s"
        return text if self.status == "ok" else f"{text} {self.status}"

    def memory_text(self) -> str:
        return f"{self.peak_mib:.0f} MiB"


def run(command: list[str], cap: float, env: dict[str, str], cwd: Path) -> Measure:
    """Run ``command`` as a new process group; stop it after ``cap`` seconds."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd,
                               start_new_session=True)
    capped = threading.Event()

    def stop() -> None:
        capped.set()
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(cap, stop)
    timer.start()
    stderr = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    if capped.is_set():
        return Measure(seconds, peak, "capped")
    if process.returncode != 0:
        first = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        print(f"    failed: {' '.join(command[:6])}…: {first[0][:200]}", file=sys.stderr)
        return Measure(seconds, peak, f"failed (exit {process.returncode})")
    return Measure(seconds, peak, "ok")


# --- the same jobs done directly --------------------------------------------------------

_LOAD_OX = """
import pathlib, pyoxigraph as ox
root = pathlib.Path({root!r})
files = [root / 'ontology' / 'afkg.ttl'] + sorted(p for d in sorted((root / 'data').iterdir())
         if d.is_dir() and d.name != 'wikidata' for p in d.glob('*.ttl'))
store = ox.Store()
for f in files:
    store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE)
"""

_LOAD_RDFLIB = """
import pathlib, rdflib
root = pathlib.Path({root!r})
data = rdflib.Graph()
for d in sorted((root / 'data').iterdir()):
    if d.is_dir() and d.name != 'wikidata':
        for p in sorted(d.glob('*.ttl')):
            data.parse(p, format='turtle')
ontology = rdflib.Graph().parse(root / 'ontology' / 'afkg.ttl', format='turtle')
shapes = rdflib.Graph().parse(root / 'ontology' / 'shapes.ttl', format='turtle')
"""

_PYSHACL = """
import pyshacl
conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference='rdfs', advanced=True)
assert conforms
"""

_STATS_OX = """
from afkg.prefixes import PREFIXES
list(store.query('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'))
list(store.query('SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c } GROUP BY ?c', prefixes=PREFIXES))
list(store.query('''SELECT ?doc ?section (COUNT(DISTINCT ?fact) AS ?n) WHERE {
    ?s a afkg:ArticleSection ; rdfs:label ?section ; afkg:ofDocument ?doc .
    OPTIONAL { ?passage afkg:inSection ?s . ?fact prov:wasDerivedFrom ?passage ; a ?class .
               ?class rdfs:subClassOf* afkg:Fact . } } GROUP BY ?doc ?section''', prefixes=PREFIXES))
"""

_SERIALISE = """
import io
for fmt in {formats}:
    store.dump(io.BytesIO(), format=getattr(ox.RdfFormat, fmt), from_graph=ox.DefaultGraph())
"""

_QUERY_OX = """
from afkg.query.catalogue import Catalogue
from afkg.layout import Layout
from afkg.prefixes import PREFIXES
text = Catalogue(Layout(root)).get({name!r}).text
list(store.query(text, prefixes=PREFIXES))
"""

_QUERY_RDFLIB = """
from afkg.query.catalogue import Catalogue
from afkg.layout import Layout
from afkg.prefixes import PREFIXES
text = Catalogue(Layout(root)).get({name!r}).text
for t in ontology:
    data.add(t)
list(data.query(text, initNs=PREFIXES))
"""


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def afkg_command() -> list[str]:
    script = Path(sys.executable).with_name("afkg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "afkg"]


def steps(root: Path, out: Path) -> list[tuple[str, list[str], str, list[str]]]:
    """(step, afkg command, what the direct job is, direct command) for a project at ``root``."""
    afkg = afkg_command() + ["--root", str(root)]
    ox_load = _LOAD_OX.format(root=str(root))
    rdf_load = _LOAD_RDFLIB.format(root=str(root))
    all_formats = ["TURTLE", "N_TRIPLES", "RDF_XML", "JSON_LD"]
    return [
        ("validate", afkg + ["validate"], "pyshacl alone (rdflib load + validate)", python(rdf_load + _PYSHACL)),
        ("stats", afkg + ["stats"], "pyoxigraph load + the counts by SPARQL", python(ox_load + _STATS_OX)),
        ("build", afkg + ["build", "-o", str(out / "dist")], "pyshacl + pyoxigraph serialise 4 formats",
         python(rdf_load + _PYSHACL + ox_load + _SERIALISE.format(formats=all_formats))),
        ("export turtle", afkg + ["export", "--format", "turtle", "-o", str(out / "x.ttl")],
         "pyoxigraph load + serialise Turtle", python(ox_load + _SERIALISE.format(formats=["TURTLE"]))),
        ("export jsonld", afkg + ["export", "--format", "jsonld", "-o", str(out / "x.jsonld")],
         "pyoxigraph load + serialise JSON-LD", python(ox_load + _SERIALISE.format(formats=["JSON_LD"]))),
        (f"query run {QUERY_FAST} (oxigraph)", afkg + ["query", "run", QUERY_FAST, "--format", "csv"],
         "pyoxigraph load + query", python(ox_load + _QUERY_OX.format(name=QUERY_FAST))),
        (f"query run {QUERY_FAST} (rdflib)",
         afkg + ["query", "run", QUERY_FAST, "--engine", "rdflib", "--format", "csv", "--max-memory", "8192",
                  "--timeout", "600"],
         "rdflib load + query", python(rdf_load + _QUERY_RDFLIB.format(name=QUERY_FAST))),
        (f"query run {QUERY_SLOW} (oxigraph)", afkg + ["query", "run", QUERY_SLOW, "--format", "csv"],
         "pyoxigraph load + query", python(ox_load + _QUERY_OX.format(name=QUERY_SLOW))),
        (f"query run {QUERY_SLOW} (rdflib)",
         afkg + ["query", "run", QUERY_SLOW, "--engine", "rdflib", "--format", "csv", "--max-memory", "8192",
                  "--timeout", "600"],
         "rdflib load + query", python(rdf_load + _QUERY_RDFLIB.format(name=QUERY_SLOW))),
    ]


# --- serve start-up ---------------------------------------------------------------------------

def has_serve(env: dict[str, str]) -> bool:
    """Whether the afkg under test has a ``serve`` command."""
    probe = subprocess.run(afkg_command() + ["serve", "--help"], capture_output=True, env=env, check=False)
    return probe.returncode == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_startup(command: list[str], url: str, cap: float, env: dict[str, str], cwd: Path) -> Measure:
    """Seconds from starting a server until ``url`` answers; its peak memory once stopped."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd,
                               start_new_session=True)
    answered = None
    while time.perf_counter() - start < cap and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local server we started
                response.read()
            answered = time.perf_counter() - start
            break
        except urllib.error.HTTPError:  # any HTTP answer means the server is up
            answered = time.perf_counter() - start
            break
        except OSError:
            time.sleep(0.05)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        _, _, usage = os.wait4(process.pid, 0)
        peak = usage.ru_maxrss / 1024
    except ChildProcessError:
        peak = 0.0
    if answered is None:
        return Measure(time.perf_counter() - start, peak, "capped" if process.returncode is None else "failed")
    return Measure(answered, peak, "ok")


# --- the table --------------------------------------------------------------------------

def machine() -> list[str]:
    """Lines describing the machine and the packages measured."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            total = next(line for line in meminfo if line.startswith("MemTotal")).split()[1]
        memory = f"{int(total) / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    versions = []
    for package in ("afkg", "pyoxigraph", "rdflib", "pyshacl", "PyLD", "pyparsing"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    return [f"- machine: {platform.machine()}, {os.cpu_count()} cores (nproc), {memory} memory, "
            f"{platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}; {', '.join(versions)}"]


def data_triples(root: Path) -> int:
    import pyoxigraph as ox

    store = ox.Store()
    for folder in sorted((root / "data").iterdir()):
        if folder.is_dir() and folder.name != "wikidata":
            for path in sorted(folder.glob("*.ttl")):
                store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return len(store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", type=int, nargs="*", default=[1, 10, 100, 1000], metavar="N")
    parser.add_argument("--cap", type=float, default=600.0, help="seconds before a step is stopped (default 600)")
    parser.add_argument("--peer-cap", type=float, default=None,
                        help="seconds before a direct job is stopped (default: --cap)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the generated projects (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument("--only", action="append", default=[], metavar="STEP",
                        help="run only steps whose name starts with STEP (repeatable)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="afkg-scale-"))
    env = dict(os.environ)
    env.pop("AFKG_ROOT", None)
    serve = has_serve(env)
    print("\n".join(machine()))
    print(f"- step cap: {args.cap:g} s; every figure is one run in a new process (start-up included)\n")
    print("| N | data triples | step | afkg time | afkg peak | direct job | direct time | direct peak | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    try:
        for count in args.counts:
            root = work / f"n{count}"
            if not (root / "ontology").is_dir():
                generate(count, root)
            out = work / f"out{count}"
            out.mkdir(exist_ok=True)
            triples = data_triples(root)
            chosen = [s for s in steps(root, out) if not args.only or any(s[0].startswith(o) for o in args.only)]
            for name, command, peer_name, peer in chosen:
                mine = run(command, args.cap, env, out)
                peer_cap = args.peer_cap or args.cap
                theirs = run(peer, peer_cap, env, out)
                _row(count, triples, name, mine, peer_name, theirs, args.cap, peer_cap)
            if args.only and not any("serve".startswith(o) or o.startswith("serve") for o in args.only):
                continue
            if serve:
                port = free_port()
                mine = serve_startup(afkg_command() + ["--root", str(root), "serve", "--port", str(port)],
                                     f"http://127.0.0.1:{port}/", args.cap, env, out)
                peer_code = _LOAD_OX.format(root=str(root))
                theirs = run(python(peer_code), args.cap, env, out)
                _row(count, triples, "serve start-up (until / answers)", mine, "pyoxigraph load", theirs, args.cap)
            else:
                print(f"| {count} | {triples} | serve start-up | – | – | skipped: this afkg has no `serve` command "
                      "| – | – | – |", flush=True)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def _row(count: int, triples: int, name: str, mine: Measure, peer_name: str, theirs: Measure, cap: float,
         peer_cap: float | None = None) -> None:
    peer_cap = peer_cap or cap
    if mine.status == "ok" and theirs.status == "ok" and theirs.seconds > 0:
        ratio = f"{mine.seconds / theirs.seconds:.2f}×"
    elif mine.status == "capped" and theirs.status == "ok":
        ratio = f"> {cap / theirs.seconds:.0f}×"
    elif mine.status == "ok" and theirs.status == "capped":
        ratio = f"< {mine.seconds / peer_cap:.2f}×"
    else:
        ratio = "–"
    print(f"| {count} | {triples} | {name} | {mine.time_text(cap)} | {mine.memory_text()} | {peer_name} | "
          f"{theirs.time_text(peer_cap)} | {theirs.memory_text()} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
