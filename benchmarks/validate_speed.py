"""Cold `afkg validate` on the article, and pySHACL alone on the same shapes and data.

Prints the median and spread of several cold runs (a new Python process each time, as a
user runs the command) next to the median of pySHACL alone (in-process, the data and
shapes already loaded), so that the figures can be compared on a busy machine. No
assertion: the numbers are printed, not judged.

    python benchmarks/validate_speed.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cold_validate(runs: int) -> list[float]:
    """Wall-clock seconds of `python -m afkg validate`, each in a fresh process."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "afkg", "--root", str(ROOT), "validate"],
                              capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"afkg validate failed:\n{done.stdout}{done.stderr}")
    return times


def pyshacl_alone(runs: int) -> list[float]:
    """Seconds of pySHACL (no inference) on the same typed data and shapes, loading excluded."""
    from afkg.graph import load
    from afkg.validation.validate import shacl_results

    kg = load()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        shacl_results(kg, engine="pyshacl")
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cold = cold_validate(args.runs)
    reference = pyshacl_alone(max(3, args.runs // 2))
    print(f"afkg validate (cold, rudof):   median {statistics.median(cold):.2f} s  "
          f"min {min(cold):.2f} s  max {max(cold):.2f} s  ({len(cold)} runs)")
    print(f"pySHACL alone (warm, no load): median {statistics.median(reference):.2f} s  "
          f"min {min(reference):.2f} s  max {max(reference):.2f} s  ({len(reference)} runs)")


if __name__ == "__main__":
    main()
