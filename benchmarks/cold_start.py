"""Cold start: whole-process wall time of short afkg commands next to a bare Python start-up.

Prints figures; asserts nothing. Run from the project root with the virtual
environment's Python (so that start-up is not measured through a shim):

    .venv/bin/python benchmarks/cold_start.py [--runs 15]

Each round runs every command once, in turn (interleaved), so that a machine
that gets busier or quieter during the run affects all of them alike. Reported:
the median wall time of each command over the rounds, and its ratio to the
median of ``python3 -c pass`` (the interpreter of this environment, without
``-S`` or ``-I``: the same start-up the ``afkg`` script pays).

Every command's output goes to a pipe that is read in full; a command that fails
is reported and stops the benchmark (a fast failure is not a start-up time).

The commands run as an installed afkg would: with compiled bytecode (kept in a
private ``PYTHONPYCACHEPREFIX`` folder, so nothing is written into the working
tree, even when ``$PYTHONDONTWRITEBYTECODE`` is set) and with a private guard cache
(``$XDG_CACHE_HOME``); the warm-up rounds fill both. ``--as-is`` runs them in the
environment unchanged instead (``$PYTHONDONTWRITEBYTECODE`` then makes every run
compile afkg's modules from source).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def afkg_command() -> list[str]:
    """The ``afkg`` console script next to this Python, else ``python -m afkg``."""
    script = Path(sys.executable).with_name("afkg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "afkg"]


def commands() -> list[tuple[str, list[str]]]:
    afkg = afkg_command()
    return [
        ("python3 -c pass", [sys.executable, "-c", "pass"]),
        ("afkg --help", [*afkg, "--help"]),
        ("afkg query run trade-by-year -p year=2024", [*afkg, "query", "run", "trade-by-year", "-p", "year=2024"]),
        ("afkg query run agreements-by-topic", [*afkg, "query", "run", "agreements-by-topic"]),
    ]


def run_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"cold_start: {' '.join(argv)} exited {done.returncode}: "
                 f"{done.stderr.decode('utf-8', 'replace').strip()[:300]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds of interleaved runs (default 15; at least 1)")
    parser.add_argument("--warm-up", type=int, default=2, help="rounds run first and not counted (default 2)")
    parser.add_argument("--as-is", action="store_true",
                        help="keep the environment's bytecode and cache settings (see above)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.warm_up < 1 and not args.as_is:
        parser.error("--warm-up must be at least 1 (it fills the bytecode and guard caches)")
    with tempfile.TemporaryDirectory(prefix="afkg-cold-start-") as scratch:
        env = dict(os.environ, AFKG_ROOT=str(ROOT))
        env.pop("PYTHONPROFILEIMPORTTIME", None)
        if not args.as_is:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = os.path.join(scratch, "pycache")
            env["XDG_CACHE_HOME"] = os.path.join(scratch, "cache")
        measure(args, env)


def measure(args: argparse.Namespace, env: dict[str, str]) -> None:
    cases = commands()
    times: dict[str, list[float]] = {label: [] for label, _ in cases}
    for round_number in range(args.warm_up + args.runs):
        for label, argv in cases:
            elapsed = run_once(argv, env)
            if round_number >= args.warm_up:
                times[label].append(elapsed)
    base = statistics.median(times[cases[0][0]])
    print(f"Cold start: medians of {args.runs} interleaved whole-process runs ({args.warm_up} warm-up rounds; "
          + ("environment as it is" if args.as_is else "bytecode and guard caches filled in warm-up") + ")")
    print(f"Python: {sys.executable} ({sys.version.split()[0]}); load average: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    width = max(len(label) for label, _ in cases)
    print(f"  {'command':<{width}}  {'median':>9}  {'min':>9}  {'max':>9}  {'ratio':>6}")
    for label, _ in cases:
        samples = times[label]
        median = statistics.median(samples)
        print(f"  {label:<{width}}  {median * 1000:7.1f} ms  {min(samples) * 1000:7.1f} ms  "
              f"{max(samples) * 1000:7.1f} ms  {median / base:5.1f}x")


if __name__ == "__main__":
    main()
