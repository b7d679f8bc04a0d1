"""Run ``afkg`` as an attacker would, and judge the outcome.

``run_afkg`` starts ``python -m afkg`` in a subprocess with a wall-clock bound,
a memory cap, closed standard input and a controlled environment (proxies point
at the trap, so a request to any host but 127.0.0.1 lands there too).
``verify`` asserts what every hostile case must hold: the documented exit code,
exactly one ``afkg: error:`` line on stderr (plus allowed warnings), no
traceback, no death by signal, no overrun of the bound, an unchanged project,
untouched sentinel files, and nothing received by the trap.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent.parent
TEST_PAIR = PROJECT / "tests" / "pairs" / "testland-otherland"
MEMORY_CAP = 2 << 30
"""Address-space limit of every afkg subprocess (bytes)."""
MARGIN = 5.0
"""Seconds added to a case's bound before the subprocess is killed (start-up on a busy machine)."""

ERROR_LINE = re.compile(r"^afkg: error: \S")
WARNING_LINE = re.compile(r"^afkg: warning: \S")


def copy_project(dest: Path, *, tiny: bool = False) -> Path:
    """A copy of the project's ontology/, data/ and queries/ under ``dest``.

    ``tiny`` keeps the ontology and shapes but replaces the data with the small test
    pair and a few extra literals (fast to load when the graph content does not matter)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT / "ontology", dest / "ontology")
    shutil.copytree(PROJECT / "queries", dest / "queries")
    if not tiny:
        shutil.copytree(PROJECT / "data", dest / "data")
        return dest
    pair = dest / "data" / "testland-otherland"
    shutil.copytree(TEST_PAIR, pair)
    shutil.copytree(PROJECT / "data" / "wikidata", dest / "data" / "wikidata")
    (pair / "extra.ttl").write_text(
        "@prefix ex: <https://example.org/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix wd: <http://www.wikidata.org/entity/> .\n"
        'ex:a rdfs:label "Shkodër 日本 ÆØÅ ☃"@sq .\n'
        'ex:b rdfs:label "plain ascii" .\n'
        "ex:c owl:sameAs wd:Q142 .\n"
        "ex:d owl:sameAs wd:Q222 .\n", encoding="utf-8")
    return dest


def snapshot(root: Path) -> dict[str, tuple[str, str]]:
    """Every entry under ``root``: kind and content digest (symlinks by target; special files by device)."""
    entries: dict[str, tuple[str, str]] = {}
    if not os.path.lexists(root):
        return entries
    stack = [root]
    while stack:
        here = stack.pop()
        info = os.lstat(here)
        name = str(here.relative_to(root)) if here != root else "."
        if stat.S_ISLNK(info.st_mode):
            entries[name] = ("symlink", os.readlink(here))
        elif stat.S_ISDIR(info.st_mode):
            entries[name] = ("dir", "")
            stack.extend(sorted(here.iterdir()))
        elif stat.S_ISREG(info.st_mode):
            entries[name] = ("file", hashlib.sha256(here.read_bytes()).hexdigest())
        elif stat.S_ISFIFO(info.st_mode):
            entries[name] = ("fifo", "")
        elif stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
            entries[name] = ("device", str(info.st_rdev))
        else:
            entries[name] = ("other", str(stat.S_IFMT(info.st_mode)))
    return entries


def diff(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]) -> list[str]:
    """What changed between two snapshots, one line per path."""
    lines = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            lines.append(f"removed {name}")
        elif name not in before:
            lines.append(f"added {name} ({after[name][0]})")
        elif before[name] != after[name]:
            lines.append(f"changed {name} ({before[name][0]} -> {after[name][0]})")
    return lines


@dataclass
class Outcome:
    """What one afkg run did."""

    args: list[str]
    returncode: int | None
    stdout: bytes
    stderr: bytes
    elapsed: float
    timed_out: bool

    def describe(self) -> str:
        """The run in a few lines, for assertion messages."""
        shown = " ".join(a if len(a) < 120 else a[:100] + f"…({len(a)} chars)" for a in self.args)
        return (f"\n  command: afkg {shown}\n  exit: {self.returncode}  elapsed: {self.elapsed:.1f} s"
                f"{'  (killed: bound exceeded)' if self.timed_out else ''}\n"
                f"  stderr: {excerpt(self.stderr)}\n  stdout: {excerpt(self.stdout)}")


def excerpt(data: bytes, limit: int = 600) -> str:
    text = data.decode("utf-8", "backslashreplace")
    if len(text) > limit:
        text = text[:limit // 2] + f" …[{len(text)} chars]… " + text[-limit // 2:]
    return repr(text)


def base_env(trap_url: str, home: Path) -> dict[str, str]:
    """A clean environment: no ambient AFKG_* settings, proxies pointing at the trap."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HTTP_PROXY": trap_url, "HTTPS_PROXY": trap_url, "ALL_PROXY": trap_url,
        "http_proxy": trap_url, "https_proxy": trap_url, "all_proxy": trap_url,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        "AFKG_WIKIDATA_API": trap_url + "/w/api.php",
        # afkg's cache of query verdicts (see afkg.query.cache) goes beside the watched home, not in it
        "XDG_CACHE_HOME": str(home.parent / "cache"),
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


FAKE_CLOCK = Path(__file__).with_name("fake_clock.py")
"""A launcher that runs afkg with sleeps recorded instead of waited (see its docstring)."""


def run_afkg(args: Iterable[str | bytes], *, env: dict[str, str], bound: float, cwd: Path,
             memory: int = MEMORY_CAP, close_stdin: bool = False, wrapper: Iterable[str] = (),
             fake_clock: bool = False) -> Outcome:
    """Run ``python -m afkg ARGS`` (behind ``wrapper``, if any; through FAKE_CLOCK if ``fake_clock``);
    kill its process group if it outlives ``bound`` + MARGIN."""
    entry = [str(FAKE_CLOCK)] if fake_clock else ["-m", "afkg"]
    argv = [*wrapper, sys.executable, *entry, *args]

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if close_stdin:
            os.close(0)

    started = time.monotonic()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, cwd=cwd, preexec_fn=limit, start_new_session=True)
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=bound + MARGIN)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
    shown = [a if isinstance(a, str) else os.fsdecode(a) for a in args]
    return Outcome(shown, process.returncode, stdout, stderr, time.monotonic() - started, timed_out)


@dataclass
class Expect:
    """What a hostile case must end with."""

    exit_codes: tuple[int, ...]
    warnings: bool = False
    """``afkg: warning:`` lines may appear on stderr."""
    stderr_extra: str | None = None
    """A regular expression for further stderr lines a command documents (on success)."""
    stderr_contains: str | None = None
    """A regular expression the error line must match."""
    stdout_check: Callable[[bytes], str | None] | None = None
    """Returns a reason when the standard output is wrong."""
    forbidden: tuple[str, ...] = ()
    """Texts that must appear in neither output (e.g. contents of a file outside the project)."""
    report_codes: tuple[int, ...] = ()
    """Exit codes a command documents as "a report on standard output" (validate, lint): no error line needed."""


def verify(outcome: Outcome, expect: Expect, *, trap_log: list[str], changes: list[str]) -> None:
    """Assert everything a hostile case must hold; the message says what broke and shows the run."""
    problems: list[str] = []
    both = outcome.stdout + outcome.stderr
    if b"Traceback" in both:
        problems.append("a traceback was printed")
    if outcome.timed_out:
        problems.append("did not finish within its bound (killed)")
    elif outcome.returncode is not None and outcome.returncode < 0:
        problems.append(f"died by signal {-outcome.returncode}")
    elif outcome.returncode not in expect.exit_codes:
        problems.append(f"exit {outcome.returncode}, expected {' or '.join(map(str, expect.exit_codes))}")
    lines = outcome.stderr.decode("utf-8", "backslashreplace").splitlines()
    errors = [line for line in lines if ERROR_LINE.match(line)]
    others = [line for line in lines if not ERROR_LINE.match(line)
              and not (expect.warnings and WARNING_LINE.match(line))
              and not (expect.stderr_extra and re.match(expect.stderr_extra, line))]
    if not outcome.timed_out and outcome.returncode not in (0, None):
        if outcome.returncode in expect.report_codes and not errors:
            pass
        elif len(errors) != 1:
            problems.append(f"stderr has {len(errors)} 'afkg: error:' lines, expected exactly one")
        elif expect.stderr_contains and not re.search(expect.stderr_contains, errors[0]):
            problems.append(f"the error line does not match /{expect.stderr_contains}/")
    elif outcome.returncode == 0 and errors:
        problems.append("exit 0 but an 'afkg: error:' line on stderr")
    if others:
        problems.append(f"{len(others)} unexpected stderr line(s), first: {others[0][:200]!r}")
    if outcome.returncode == 0 and expect.stdout_check and not outcome.timed_out:
        reason = expect.stdout_check(outcome.stdout)
        if reason:
            problems.append(f"standard output: {reason}")
    for text in expect.forbidden:
        if text.encode("utf-8") in both:
            problems.append(f"output contains {text!r}")
    if trap_log:
        problems.append(f"the trap received {len(trap_log)} connection(s): {trap_log[:3]}")
    if changes:
        problems.append(f"files changed: {changes[:5]}")
    assert not problems, "; ".join(problems) + outcome.describe()


@dataclass
class Workspace:
    """A case's scratch area: a project copy, sentinel files beside it, and outputs."""

    base: Path
    root: Path
    sentinels: Path
    out: Path
    env: dict[str, str]
    tiny: bool
    watched: list[Path] = field(default_factory=list)

    def watch(self) -> dict[str, dict[str, tuple[str, str]]]:
        return {str(p): snapshot(p) for p in (self.root, self.sentinels, *self.watched)}

    def changes(self, before: dict[str, dict[str, tuple[str, str]]]) -> list[str]:
        lines = []
        for name, old in before.items():
            lines += [f"{name}: {line}" for line in diff(old, snapshot(Path(name)))]
        return lines
