"""Bounds on running a query: time and memory, enforced so that the work really stops.

An engine cannot be interrupted from Python (oxigraph evaluates in Rust, rdflib
in long loops), so :func:`run_bounded` runs the work in a forked child process:

- the child's address space is capped (``RLIMIT_AS``) at what the parent uses
  plus ``memory`` bytes, so a runaway join or ORDER BY fails inside the child;
- the parent waits at most ``timeout`` seconds for the child's answer and then
  kills it (SIGKILL), so nothing keeps running after the deadline;
- the child's answer (a value, or an afkg error) comes back through a pipe;
  whatever an engine prints on its own (a Rust allocation failure, a panic)
  goes to a scratch file that the parent reads only to tell an engine that
  ran out of memory from one that crashed (:func:`describe_exit`), so the
  caller reports one line either way.

Row bounds are applied inside the engines (``max_rows``), which stop reading
solutions once they have enough.
"""

from __future__ import annotations

import faulthandler
import marshal
import os
import re
import resource
import select
import time
from collections.abc import Callable
from typing import Any, TypeVar

from afkg.errors import AfkgError, QueryError
from afkg.option_values import parse_timeout

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
"""Seconds a query may run (CLI ``--timeout``)."""
DEFAULT_MAX_ROWS = 100_000
"""Rows (or triples) a query may give (CLI ``--max-rows``)."""
DEFAULT_MEMORY = 1 << 30
"""Bytes of address space a query may add to what the process already uses."""


ENGINE_LOG_BYTES = 64 * 1024
"""How much of what a child engine wrote on its standard error is read to say why it ended."""
_PANIC = r"panicked at [^\n]*?:\n([^\n]+)"
"""A Rust panic's message in an engine's log; compiled by the re module when a child failed, not at import."""


def describe_exit(status: int | None, log: bytes, memory: int | None, what: str = "query") -> tuple[str, str]:
    """Why a child that ran an engine ended without an answer: ``(kind, message)``, with ``kind``
    ``"memory"`` (it hit its memory bound) or ``"crash"`` (a panic, a signal, an exit), and a
    one-line message that names which.

    ``status`` is the child's exit status as :func:`os.waitpid` gives it (None if unknown);
    ``log`` is the start of what the child wrote on its standard error. A Rust engine that
    cannot allocate prints ``memory allocation of N bytes failed`` and aborts; one that
    panics prints ``thread … panicked at …:`` and its message, then aborts (pyoxigraph is
    built to abort on a panic). Both end by SIGABRT, so the log is what tells them apart.
    """
    import signal  # start-up: signal builds its enums on import; only a child that failed needs it

    text = log[:ENGINE_LOG_BYTES].decode("utf-8", "replace")
    if "memory allocation of" in text and "failed" in text or "MemoryError" in text:
        bound = f"more than {memory >> 20} MiB of memory (--max-memory)" if memory else "more memory than it had"
        return "memory", f"{what} stopped: it needed {bound}"
    panic = re.search(_PANIC, text)
    if panic:
        detail = " ".join(panic.group(1).split())[:200]
        return "crash", f"{what} failed: the query engine crashed (panic: {detail}); this is a defect of the engine"
    if status is not None and os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        if number == signal.SIGKILL:
            return "crash", (f"{what} failed: the query engine was killed ({name}), perhaps by the system "
                             "for lack of memory")
        return "crash", f"{what} failed: the query engine crashed ({name})"
    if status is not None and os.WIFEXITED(status):
        return "crash", f"{what} failed: the query engine ended unexpectedly (exit status {os.WEXITSTATUS(status)})"
    return "crash", f"{what} failed: the query engine ended without an answer"


def _address_space() -> int:
    """Bytes of address space this process uses now."""
    try:  # read as bytes: a text stream would import its codec in the child, which costs start-up time
        descriptor = os.open("/proc/self/statm", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            data = os.read(descriptor, 4096)
        finally:
            os.close(descriptor)
        return int(data.decode("ascii").split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(memory: int | None) -> None:
    """Cap this process's address space at what it uses now plus ``memory`` bytes (None: no cap)."""
    if memory is None:
        return
    used = _address_space()
    if used:
        limit = used + memory
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ValueError, OSError):
            pass  # the time bound still holds


def _child(function: Callable[[], T], write: int, memory: int | None, log: int) -> None:
    """Run ``function`` in the forked child and send its outcome; never returns."""
    code = 0
    try:
        faulthandler.disable()  # an engine that aborts is reported by the parent, once
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(log, 2)
        limit_memory(memory)
        try:
            outcome: tuple = ("ok", function())
        except AfkgError as error:
            outcome = ("error", type(error), error.exit_code, error.message)
        except MemoryError:
            outcome = ("memory",)
        except RecursionError:
            outcome = ("error", QueryError, 1, "query stopped: too deeply structured")
        except Exception as error:  # a defect, not a bound: say what it was, on one line
            detail = " ".join(str(error).split())[:200]
            outcome = ("error", QueryError, 1, f"query failed: internal error ({type(error).__name__}: {detail})")
        payload = _encode(outcome)
        view = memoryview(payload)
        while view:
            written = os.write(write, view)
            view = view[written:]
    except BaseException:  # the child must end here, whatever happened
        code = 70
    finally:
        os._exit(code)


_MARSHAL, _PICKLE = b"m", b"p"
"""The first byte of a child's answer: how the rest is encoded."""
_PLAIN_TYPES = (str, bytes, int, float, bool, type(None))


def _plain(value: Any, depth: int = 32) -> bool:
    """Whether :mod:`marshal` gives ``value`` back exactly: text, bytes, numbers, booleans and None (of
    exactly those types), in tuples and lists (ditto) at most ``depth`` deep."""
    if type(value) in _PLAIN_TYPES:
        return True
    if type(value) in (tuple, list) and depth > 0:
        return all(_plain(item, depth - 1) for item in value)
    return False


def _encode(outcome: tuple) -> bytes:
    """A child's outcome as bytes: by marshal when it is plain (the text of a query's answer), which
    needs no import; else by pickle (an error's class, any other value)."""
    if _plain(outcome):
        return _MARSHAL + marshal.dumps(outcome)
    import pickle  # start-up: a plain answer, the usual one, has no use for pickle

    return _PICKLE + pickle.dumps(outcome)


def _decode(data: bytes) -> Any:
    """The outcome :func:`_encode` encoded as ``data``; an empty or cut answer raises."""
    kind, body = data[:1], data[1:]
    if kind == _MARSHAL:
        return marshal.loads(body)
    if kind != _PICKLE:
        raise ValueError("no answer")
    import pickle  # start-up: see _encode

    return pickle.loads(body)


def _rebuild(kind: type, exit_code: int, message: str) -> AfkgError:
    """The error the child raised, rebuilt without calling its own constructor."""
    error = kind.__new__(kind) if isinstance(kind, type) and issubclass(kind, AfkgError) else QueryError.__new__(
        QueryError)
    AfkgError.__init__(error, message)
    error.exit_code = exit_code
    return error


def run_bounded(function: Callable[[], T], *, timeout: float = DEFAULT_TIMEOUT,
                memory: int | None = DEFAULT_MEMORY, what: str = "query") -> T:
    """``function()`` run in a child process stopped after ``timeout`` seconds, with at most
    ``memory`` more bytes of address space. Its value must pickle. An AfkgError it raises is
    raised here; running out of time or memory is a one-line QueryError."""
    timeout = parse_timeout(timeout)
    log = _scratch_file()
    try:
        return _run_in_child(function, timeout, memory, what, log)
    finally:
        os.close(log)


def _scratch_file() -> int:
    """A file descriptor of an anonymous file for the child's standard error: a memory file where
    Linux has one (no import of tempfile, which costs start-up time), else an unlinked temp file."""
    if hasattr(os, "memfd_create"):
        try:
            return os.memfd_create("afkg-engine", os.MFD_CLOEXEC)
        except OSError:
            pass
    import tempfile  # start-up: tempfile only where there is no memfd_create

    with tempfile.TemporaryFile(prefix="afkg-engine-") as handle:
        return os.dup(handle.fileno())


def _run_in_child(function: Callable[[], T], timeout: float, memory: int | None, what: str, log: int) -> T:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read)
        _child(function, write, memory, log)
    os.close(write)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    finished = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _, _ = select.select([read], [], [], remaining)
            if not ready:
                continue
            data = os.read(read, 1 << 16)
            if not data:
                finished = True
                break
            chunks.append(data)
    finally:
        os.close(read)
        if not finished:
            import signal  # start-up: only a child that overran its time is killed

            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    if not finished:
        raise QueryError(f"{what} stopped after {timeout:g} s (--timeout)")
    try:
        outcome = _decode(b"".join(chunks)) if not os.WIFSIGNALED(status) else None
    except Exception:  # an empty or cut answer: the child failed before it could say why
        outcome = None
    if outcome is None:
        raise QueryError(describe_exit(status, os.pread(log, ENGINE_LOG_BYTES, 0), memory, what)[1])
    if outcome[0] == "ok":
        return outcome[1]
    if outcome[0] == "memory":
        raise QueryError(describe_exit(None, b"MemoryError", memory, what)[1])
    raise _rebuild(outcome[1], outcome[2], outcome[3])
