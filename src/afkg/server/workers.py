"""A small pool of worker processes that run queries, forked from one process that holds the store.

pyoxigraph cannot interrupt a query from another thread, and it aborts the whole
process on an internal error (a panic) or when it cannot allocate, so every query
runs in a worker process:

- a query that outlives the timeout has its worker killed (which frees its core
  at once);
- a worker's address space is capped at what it holds when idle plus
  ``memory`` bytes, so a query that needs more fails inside its worker;
- a worker that ends while running a query (a crash, or the memory bound) is
  read for why it ended (:func:`afkg.query.limits.describe_exit`): the query's
  own client gets the reason, and only that client;
- a worker that was killed or ended is replaced at once by a spare kept loaded
  and warm for that purpose, and a new spare is started in the background, while
  the other workers keep answering;
- the same query (same text, whitespace aside, same dataset) that crashed a worker
  or hit the memory bound is answered at once for a while without being run again.

At most ``size`` queries run at once; up to ``max_queued`` more wait for a worker
(at most ``queue_timeout`` seconds, first come first served), and any beyond that
are refused at once (:class:`Busy`).

How the workers are made (:class:`Zygote`): one process is started afresh (the
*zygote*, a clean interpreter: the server's own threads and sockets are not in it),
imports the query modules, builds the store once and runs a first query; every
worker is then forked from it, so the workers share its memory (the store, the
modules) page for page until they write to it, and a new worker is ready in
milliseconds. The zygote forks twice so that each worker is reparented to the
server (a Linux "child subreaper"), which thus waits for its workers itself and
reads how each ended. With the project's files, the zygote loads them into an
in-memory store that every worker shares; with ``--store``, each worker opens the
on-disk store read-only after the fork (the files are shared through the page
cache; an open RocksDB database is not something to fork).

The server talks to a worker through a socket pair: a task and its answer (whose
``body`` is the bytes to send), the dataclasses of :mod:`afkg.server.tasks`, are pickled, each preceded by
its length. The server's side is read by its event loop directly (no thread in
between); a worker's standard error goes to an anonymous file the server reads
when the worker dies.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import fcntl
import gc
import hashlib
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

import pyoxigraph as ox

from afkg.errors import AfkgError, InputError
from afkg.layout import Layout
from afkg.query.catalogue import Catalogue
from afkg.query.limits import ENGINE_LOG_BYTES, describe_exit, limit_memory
from afkg.server.config import QUEUE_PER_WORKER
from afkg.server.execution import Worker
from afkg.server.store import load_files, open_store
from afkg.server.tasks import Answer, Ready, SparqlTask, StartFailed, StoredTask, Task, failed

START_TIMEOUT = 120.0
"""Seconds the zygote may take to load the store, and a new worker to be ready."""
SPARES = 1
"""Workers kept loaded and idle, to replace at once one that was killed or crashed."""
QUARANTINE_SIZE = 256
"""Queries remembered as having crashed a worker or passed the memory bound."""
QUARANTINE_SECONDS = 600.0
"""How long such a query is answered without being run again."""
START_AT_ONCE = 2
"""Workers started at the same time in the background (each may open the on-disk store)."""
REAP_SECONDS = 2.0
"""How long the server waits for a worker whose socket closed to be gone, to read how it ended."""
_PR_SET_CHILD_SUBREAPER = 36


class Busy(AfkgError):
    """Every worker is busy and the queue is full (or the wait for a worker passed its bound)."""


class Stopped(AfkgError):
    """A query outlived the timeout; its worker was ended."""


class WorkerFailed(AfkgError):
    """A worker ended while running a query (the engine crashed)."""


class MemoryExceeded(WorkerFailed):
    """A query needed more memory than its worker may use; the worker was replaced."""


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build its store: a project folder, or an on-disk store."""

    root: str
    store: str | None = None
    allow_service: tuple[str, ...] = ()
    memory: int | None = None
    """Bytes of address space a query may add to what the idle worker holds (None: no bound)."""


_WARM_UP = SparqlTask(query="ASK { ?s ?p ?o }", tabular="json", graph="turtle", max_rows=1)


def _memory_answer(memory: int | None) -> Answer:
    return failed(503, describe_exit(None, b"MemoryError", memory)[1], replace="memory")


# --- messages: a length, then a pickle ---------------------------------------------------------

_LENGTH = struct.Struct("!Q")
_PID = struct.Struct("!q")


def _send(sock: socket.socket, message: Any) -> None:
    """``message`` pickled, after its length (a blocking socket)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) < 65536:
        sock.sendall(_LENGTH.pack(len(data)) + data)
    else:
        sock.sendall(_LENGTH.pack(len(data)))
        sock.sendall(data)


def _exactly(sock: socket.socket, size: int) -> bytes | None:
    """``size`` bytes from ``sock`` (a blocking socket), or None at the end of the stream."""
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        count = sock.recv_into(view[got:])
        if not count:
            return None
        got += count
    return bytes(buffer)


def _receive(sock: socket.socket) -> Any:
    """The next message from ``sock``; EOFError when the other end has closed it."""
    head = _exactly(sock, _LENGTH.size)
    if head is None:
        raise EOFError
    body = _exactly(sock, _LENGTH.unpack(head)[0])
    if body is None:
        raise EOFError
    return pickle.loads(body)


def _log_file() -> int:
    """An anonymous file for a worker's standard error (the server keeps a descriptor to read it)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("afkg-worker-log")
    with tempfile.TemporaryFile(prefix="afkg-worker-", suffix=".log") as stream:
        return os.dup(stream.fileno())


# --- inside the zygote and the workers ---------------------------------------------------------

@dataclass
class _Prepared:
    """What the zygote built once and every worker inherits."""

    layout: Any
    worker: Any
    """The zygote's :class:`afkg.server.execution.Worker` (over the shared store, or an empty one)."""
    shared: bool
    """Whether ``worker`` holds the store the workers query (else each opens ``--store`` itself)."""
    queries: list[Any]
    """The stored queries, read and checked once (the server gets them too)."""


def _prepare(spec: WorkerSpec) -> _Prepared:
    """Import what a query needs, build the shared store (from the project's files), run a first
    query and read the stored queries, so that no worker and no client pays for it."""
    layout = Layout(Path(spec.root))
    shared = spec.store is None
    store = load_files(layout) if shared else ox.Store()
    worker = Worker(layout, store, spec.allow_service)
    worker.handle(_WARM_UP)
    queries = Catalogue(layout).all()  # the guard's grammar is loaded by now; the workers inherit the checks
    worker.stored.update({query.name: query for query in queries})
    return _Prepared(layout, worker, shared, queries)


def _error_message(exc: AfkgError) -> StartFailed:
    """How the zygote reports an error to the server: the error itself if it survives pickling."""
    try:
        pickle.loads(pickle.dumps(exc))
        return StartFailed(str(exc), exception=exc)
    except Exception:
        return StartFailed(str(exc), exit_code=exc.exit_code)


def zygote_main(conn: Connection, spec: WorkerSpec) -> None:
    """The body of the zygote: prepare, then fork a worker for each request of the server.

    A request carries two descriptors (the worker's end of its socket pair, and its log
    file); the answer is the worker's process id (-1 if it could not be made). The zygote
    ends when the server closes its end of the control socket.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    control = socket.socket(fileno=os.dup(conn.fileno()))
    conn.close()
    try:
        prepared = _prepare(spec)
    except AfkgError as exc:
        with contextlib.suppress(OSError):
            _send(control, _error_message(exc))
        return
    gc.collect()
    gc.freeze()  # the collector then leaves the inherited objects (and their pages) alone in the workers
    try:
        _send(control, Ready(prepared.queries))
    except OSError:
        return
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 2)
        except OSError:
            return
        if not message:
            for fd in fds:
                os.close(fd)
            return
        pid = -1
        try:
            if len(fds) == 2:
                pid = _fork_worker(control, fds[0], fds[1], spec, prepared)
        except OSError:
            pid = -1
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
        try:
            control.sendall(_PID.pack(pid))
        except OSError:
            return


def _fork_worker(control: socket.socket, sock_fd: int, log_fd: int, spec: WorkerSpec, prepared: _Prepared) -> int:
    """Fork a worker through a short-lived middle process (so that it is reparented to the server);
    its process id."""
    read, write = os.pipe()
    middle = os.fork()
    if middle == 0:  # the middle process: fork the worker, say its id, end
        code = 0
        try:
            os.close(read)
            pid = os.fork()
            if pid == 0:
                os.close(write)
                control.close()
                _worker_process(sock_fd, log_fd, spec, prepared)
            os.write(write, _PID.pack(pid))
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    try:
        data = b""
        while len(data) < _PID.size:
            chunk = os.read(read, _PID.size - len(data))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(read)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(middle, 0)
    return _PID.unpack(data)[0] if len(data) == _PID.size else -1


def _worker_process(sock_fd: int, log_fd: int, spec: WorkerSpec, prepared: _Prepared) -> NoReturn:
    """The body of a worker process (forked from the zygote); never returns."""
    code = 0
    try:
        os.dup2(log_fd, 2)
        os.close(log_fd)
        # appended to, so that emptying it before each task (ftruncate) starts it again
        fcntl.fcntl(2, fcntl.F_SETFL, fcntl.fcntl(2, fcntl.F_GETFL) | os.O_APPEND)
        sock = socket.socket(fileno=sock_fd)
        sock.setblocking(True)
        worker_loop(sock, spec, prepared)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def worker_loop(sock: socket.socket, spec: WorkerSpec, prepared: _Prepared) -> None:
    """Open the store if the worker has its own, say it is ready, then answer tasks until the
    socket closes (or an answer says the worker must be replaced)."""
    worker = prepared.worker
    if not prepared.shared:
        try:
            worker = Worker(prepared.layout, open_store(str(spec.store)), spec.allow_service)
            worker.stored.update(prepared.worker.stored)
            worker.handle(_WARM_UP)
        except AfkgError as exc:
            with contextlib.suppress(OSError):
                _send(sock, StartFailed(str(exc)))
            return
    limit_memory(spec.memory)
    try:
        _send(sock, Ready())
    except OSError:  # the pool was closed while this worker started
        return
    while True:
        try:
            task: Task = _receive(sock)
        except (EOFError, OSError):
            return
        with contextlib.suppress(OSError):
            os.ftruncate(2, 0)
        try:
            answer = worker.handle(task)
        except MemoryError:
            answer = _memory_answer(spec.memory)
        except Exception as exc:  # never let one request end the worker without an answer
            answer = failed(500, f"internal error: {type(exc).__name__}")
        try:
            _send(sock, answer)
        except MemoryError:
            with contextlib.suppress(Exception):
                _send(sock, _memory_answer(spec.memory))
            return
        except OSError:
            return
        if answer.replace:
            return


# --- in the server ------------------------------------------------------------------------------

_subreaper: list[bool] = []


def become_subreaper() -> bool:
    """Make this process the one that orphaned descendants are given to (Linux), so that the
    workers the zygote forks are its children; whether that holds."""
    if not _subreaper:
        done = False
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                done = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):
                done = False
        _subreaper.append(done)
    return _subreaper[0]


class _Ended(Exception):
    """A worker's socket closed while the server waited for its answer."""


class Zygote:
    """The process the workers are forked from, and the server's end of its control socket."""

    def __init__(self, context: Any, spec: WorkerSpec) -> None:
        self.spec = spec
        parent, child = context.Pipe(duplex=True)
        try:
            self.process = context.Process(target=zygote_main, args=(child, spec), daemon=True,
                                           name="afkg-query-zygote")
            self.process.start()
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        self.control = socket.socket(fileno=os.dup(parent.fileno()))
        parent.close()
        self._lock = threading.Lock()
        self.ready = False
        self.queries: list[Any] = []
        """The stored queries the zygote read."""

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Block until the zygote has built the store; an InputError if it could not."""
        message = _first_message(self.control, timeout, self.close,
                                 f"the query workers' store was not ready within {timeout:g} s",
                                 "the process that loads the store for the query workers ended while loading it")
        if isinstance(message, StartFailed):
            self.close()
            if isinstance(message.exception, AfkgError):
                raise message.exception
            error = InputError(message.error)
            if message.exit_code is not None:
                error.exit_code = message.exit_code
            raise error
        self.queries = list(message.queries)
        self.ready = True

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def fork(self) -> WorkerProcess:
        """A new worker (not ready yet: see :meth:`WorkerProcess.wait_ready`); OSError if the zygote
        cannot make one."""
        mine, theirs = socket.socketpair()
        log = _log_file()
        try:
            with self._lock:
                self.control.settimeout(30)
                socket.send_fds(self.control, [b"F"], [theirs.fileno(), log])
                data = _exactly(self.control, _PID.size)
        except BaseException:
            mine.close()
            os.close(log)
            raise
        finally:
            theirs.close()
        pid = _PID.unpack(data)[0] if data else -1
        if pid <= 0:
            mine.close()
            os.close(log)
            raise OSError("the zygote could not fork a query worker")
        return WorkerProcess(pid, mine, log, self.spec)

    def close(self) -> None:
        """End the zygote (the workers it forked are not its children and stay)."""
        with contextlib.suppress(OSError):
            self.control.close()
        with contextlib.suppress(Exception):
            self.process.join(2)
        if self.process.is_alive():
            with contextlib.suppress(Exception):
                self.process.kill()
                self.process.join(5)


def _first_message(sock: socket.socket, timeout: float, give_up: Callable[[], object], late: str,
                   ended: str) -> Any:
    """The first message a starting process sends on ``sock``. If none comes within ``timeout``
    seconds, or the process ends first, ``give_up()`` is called and an InputError says ``late``
    or ``ended``."""
    try:
        sock.settimeout(timeout)
        return _receive(sock)
    except TimeoutError:
        give_up()
        raise InputError(late) from None
    except (EOFError, OSError):
        give_up()
        raise InputError(ended) from None


class WorkerProcess:
    """One worker process: its id, the server's end of its socket pair, and its log file."""

    def __init__(self, pid: int, sock: socket.socket, log: int, spec: WorkerSpec) -> None:
        self.pid, self.sock, self.spec = pid, sock, spec
        self._log: int | None = log
        self.status: int | None = None
        """How the process ended, as :func:`os.waitpid` says it (None while it runs, or unknown)."""
        self._reaped = False
        self._buffer = memoryview(bytearray(1 << 16))

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Block until the worker can take a task; an InputError if it could not start."""
        message = _first_message(self.sock, timeout, self.kill, f"a query worker did not start within {timeout:g} s",
                                 "a query worker ended while opening the store")
        if isinstance(message, StartFailed):
            self.kill()
            raise InputError(message.error)
        self.sock.setblocking(False)

    async def call(self, task: Task, timeout: float) -> Answer:
        """Send ``task`` and wait at most ``timeout`` seconds for the answer; Stopped after the
        timeout, WorkerFailed (or MemoryExceeded) if the worker ends meanwhile."""
        loop = asyncio.get_running_loop()
        data = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
        outgoing = memoryview(_LENGTH.pack(len(data)) + data)
        done: asyncio.Future[bytes] = loop.create_future()
        sock, fd = self.sock, self.sock.fileno()
        incoming = bytearray()
        size = -1
        buffer = self._buffer

        def end(error: BaseException | None, payload: bytes = b"") -> None:
            if not done.done():
                if error is None:
                    done.set_result(payload)
                else:
                    done.set_exception(error)

        def readable() -> None:
            nonlocal size
            try:
                count = sock.recv_into(buffer)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                count = 0
            if not count:
                end(_Ended())
                return
            incoming.extend(buffer[:count])
            if size < 0 and len(incoming) >= _LENGTH.size:
                size = _LENGTH.unpack_from(incoming)[0]
            if size >= 0 and len(incoming) >= _LENGTH.size + size:
                end(None, bytes(memoryview(incoming)[_LENGTH.size:_LENGTH.size + size]))

        def writable() -> None:
            nonlocal outgoing
            try:
                sent = sock.send(outgoing)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                loop.remove_writer(fd)
                end(_Ended())
                return
            outgoing = outgoing[sent:]
            if not outgoing:
                loop.remove_writer(fd)

        def expire() -> None:
            end(Stopped(f"query stopped after {timeout:g} s (--timeout)"))

        try:
            outgoing = outgoing[sock.send(outgoing):]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            raise await self.failure() from None
        loop.add_reader(fd, readable)
        if outgoing:
            loop.add_writer(fd, writable)
        timer = loop.call_later(timeout, expire)
        try:
            payload = await done
        except _Ended:
            raise await self.failure() from None
        finally:
            timer.cancel()
            loop.remove_reader(fd)
            loop.remove_writer(fd)
        answer: Answer = pickle.loads(payload)
        return answer

    def _reap(self, block: bool) -> bool:
        """Collect the ended process (``block``: wait for it); whether it is gone."""
        if self._reaped:
            return True
        try:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # not this process's child (no subreaper): how it ended is unknown
            self._reaped = True
            return True
        except InterruptedError:
            return False
        if pid == 0:
            return False
        self.status, self._reaped = status, True
        return True

    async def failure(self) -> WorkerFailed:
        """Why the worker ended: a crash or its memory bound, read from its exit and its log."""
        deadline = time.monotonic() + REAP_SECONDS
        while not self._reap(False) and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        log = b""
        if self._log is not None:
            with contextlib.suppress(OSError):
                log = os.pread(self._log, ENGINE_LOG_BYTES, 0)
        kind, message = describe_exit(self.status, log, self.spec.memory)
        return MemoryExceeded(message) if kind == "memory" else WorkerFailed(message)

    def reap(self) -> None:
        """Wait until the process (killed or ending) is gone."""
        while not self._reap(True):
            pass

    def kill(self, wait: bool = True) -> None:
        """End the process now and release its socket and log (``wait``: until it is gone)."""
        if not self._reaped:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signal.SIGKILL)
            if wait:
                self.reap()
        with contextlib.suppress(OSError):
            self.sock.close()
        if self._log is not None:
            with contextlib.suppress(OSError):
                os.close(self._log)
            self._log = None


def task_key(task: Task) -> str:
    """What identifies a query for the quarantine: its text (whitespace aside) and its dataset,
    or a stored query's name and values."""
    if isinstance(task, SparqlTask):
        parts: tuple[Any, ...] = ("sparql", " ".join(task.query.split()), task.default_graphs, task.named_graphs)
    elif isinstance(task, StoredTask):
        parts = ("stored", task.name, sorted(task.params.items()), task.limit, task.offset)
    else:
        parts = ("ping", None, [], None, None)
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _stderr_line(line: str) -> None:
    with contextlib.suppress(Exception):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


class QueryPool:
    """``size`` workers (and a spare); :meth:`run` hands a task to an idle one within the bounds."""

    def __init__(self, spec: WorkerSpec, *, size: int, max_queued: int | None = None, timeout: float,
                 queue_timeout: float | None = None, spares: int = SPARES, log: Any = None) -> None:
        self.spec, self.size, self.timeout = spec, size, timeout
        self.max_queued = QUEUE_PER_WORKER * size if max_queued is None else max_queued
        self.queue_timeout = timeout if queue_timeout is None else queue_timeout
        self.spares = spares
        self.log = log or _stderr_line
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[WorkerProcess] = []
        self._spare: list[WorkerProcess] = []
        self._idle: collections.deque[WorkerProcess] = collections.deque()
        self._waiters: collections.deque[asyncio.Future[WorkerProcess]] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._zygote: Zygote | None = None
        self._zygote_lock = threading.Lock()
        self._lock = threading.Lock()
        self._starting = threading.Semaphore(START_AT_ONCE)
        self._closed = False
        self._restarts: list[threading.Thread] = []
        self._pending: list[WorkerProcess] = []
        """Workers started in the background, ready, not yet taken in by the event loop."""
        self._quarantine: collections.OrderedDict[str, tuple[float, WorkerFailed]] = collections.OrderedDict()
        self.replaced = 0
        """Workers ended by the timeout, a crash or the memory bound, and started again."""

    def start(self) -> None:
        """Start every worker (and the spares) and wait until each has loaded the store (idempotent)."""
        if self._workers:
            return
        started: list[WorkerProcess] = []
        try:
            zygote = self._ready_zygote()
            for _ in range(self.size + self.spares):
                started.append(zygote.fork())
            for worker in started:
                worker.wait_ready()
        except BaseException as exc:
            for worker in started:
                worker.kill()
            self._close_zygote()
            if isinstance(exc, OSError):
                raise InputError(f"the query workers could not be started ({exc})") from None
            raise
        self._workers, self._spare = started[:self.size], started[self.size:]
        self._closed = False

    def prepare(self) -> None:
        """Start the zygote, which builds the store meanwhile (:meth:`start` waits for it)."""
        with self._zygote_lock:
            if self._zygote is None:
                become_subreaper()
                self._zygote = Zygote(self._context, self.spec)

    def _ready_zygote(self) -> Zygote:
        """The zygote, started (and waited for) if there is none, it is not ready yet, or it has ended."""
        with self._zygote_lock:
            if self._zygote is not None and not self._zygote.alive:
                self._zygote.close()
                self._zygote = None
            if self._zygote is None:
                become_subreaper()
                self._zygote = Zygote(self._context, self.spec)
            if not self._zygote.ready:
                try:
                    self._zygote.wait_ready()
                except BaseException:
                    self._zygote = None
                    raise
            return self._zygote

    def catalogue(self) -> list[Any]:
        """The stored queries, as the zygote read and checked them (waiting for it if need be)."""
        return self._ready_zygote().queries

    def _new_worker(self) -> WorkerProcess:
        """A new worker, ready; an AfkgError if it cannot be had."""
        zygote = self._ready_zygote()
        try:
            fresh = zygote.fork()
        except OSError:
            with self._zygote_lock:  # the zygote is broken: start another one next time
                if self._zygote is zygote:
                    zygote.close()
                    self._zygote = None
            raise InputError("the process the query workers are forked from does not answer") from None
        fresh.wait_ready()
        return fresh

    def _close_zygote(self) -> None:
        with self._zygote_lock:
            if self._zygote is not None:
                self._zygote.close()
                self._zygote = None

    async def attach(self) -> None:
        """Make the workers available to the running event loop."""
        self.start()
        self._loop = asyncio.get_running_loop()
        self._idle = collections.deque(self._workers)
        self._waiters = collections.deque()
        with self._lock:  # workers lost while no event loop could take them in are started again
            starting = sum(1 for thread in self._restarts if thread.is_alive())
            missing = self.size + self.spares - len(self._workers) - len(self._spare) - starting
        for _ in range(max(0, missing)):
            self._start_one()

    @property
    def idle(self) -> int:
        """Workers free right now."""
        return len(self._idle)

    @property
    def queued(self) -> int:
        """Requests waiting for a worker right now."""
        return sum(1 for waiter in self._waiters if not waiter.done())

    @property
    def alive(self) -> int:
        """Workers that can take a query now or once their query ends (not being replaced)."""
        return len(self._workers)

    # --- handing workers out -----------------------------------------------------------------

    async def _acquire(self) -> WorkerProcess:
        if self._idle:
            return self._idle.popleft()
        if self.queued >= self.max_queued:
            raise Busy(f"all {self.size} query workers are busy and {self.max_queued} requests already wait "
                       "(--max-concurrent, --max-queued); try again shortly")
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[WorkerProcess] = loop.create_future()
        self._waiters.append(waiter)

        def expire() -> None:
            if not waiter.done():
                waiter.set_exception(Busy(f"no query worker became free within {self.queue_timeout:g} s "
                                          "(--queue-timeout); try again shortly"))

        timer = loop.call_later(self.queue_timeout, expire)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())
            raise
        finally:
            timer.cancel()
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _release(self, worker: WorkerProcess) -> None:
        """Give ``worker`` to the first request still waiting, else make it idle."""
        if worker not in self._workers:
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _quarantined(self, key: str) -> WorkerFailed | None:
        found = self._quarantine.get(key)
        if found is None:
            return None
        when, error = found
        if time.monotonic() - when > QUARANTINE_SECONDS:
            del self._quarantine[key]
            return None
        self._quarantine.move_to_end(key)
        return type(error)(f"{error} (the same query did this {time.monotonic() - when:.0f} s ago; "
                           "it was not run again)")

    def _remember(self, key: str, error: WorkerFailed) -> None:
        self._quarantine[key] = (time.monotonic(), error)
        self._quarantine.move_to_end(key)
        while len(self._quarantine) > QUARANTINE_SIZE:
            self._quarantine.popitem(last=False)

    async def run(self, task: Task) -> Answer:
        """The worker's answer to ``task``; Busy, Stopped, MemoryExceeded or WorkerFailed when a
        bound or a worker fails."""
        assert self._loop is not None, "the pool is not attached to an event loop"
        key = task_key(task)
        known = self._quarantined(key)
        if known is not None:
            raise known
        worker = await self._acquire()
        try:
            answer = await worker.call(task, self.timeout)
        except WorkerFailed as exc:
            self._replace(worker, str(exc))
            self._remember(key, exc)
            raise
        except BaseException:  # the timeout, or the request was cancelled while its query ran
            self._replace(worker)
            raise
        replace, answer.replace = answer.replace, None
        if replace:
            self._replace(worker, answer.message)
            if replace == "memory":
                self._remember(key, MemoryExceeded(str(answer.message)))
        else:
            self._release(worker)
        return answer

    # --- replacing workers -------------------------------------------------------------------

    def _replace(self, worker: WorkerProcess, reason: str | None = None) -> None:
        """End ``worker``; a spare takes its place at once, and a new worker starts in the background."""
        worker.kill(wait=False)
        threading.Thread(target=worker.reap, name="afkg-worker-reap", daemon=True).start()
        self.replaced += 1
        if reason:
            self.log(f"afkg: a query worker ended ({reason}); it was replaced")
        with self._lock:
            self._workers = [w for w in self._workers if w is not worker]
            spare = self._spare.pop(0) if self._spare else None
            if spare is not None:
                self._workers.append(spare)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)
        if spare is not None:
            self._release(spare)
        self._start_one()

    def _start_one(self) -> None:
        loop = self._loop

        def start_new() -> None:
            for attempt in range(3):
                with self._starting:
                    if self._closed:
                        return
                    try:
                        fresh = self._new_worker()
                    except AfkgError as exc:
                        self.log(f"afkg: a query worker could not start ({exc})")
                        time.sleep(0.5 * (attempt + 1))
                        continue
                with self._lock:
                    if self._closed or loop is None:
                        fresh.kill()
                        return
                    self._pending.append(fresh)
                    try:
                        loop.call_soon_threadsafe(self._adopt, fresh)
                    except RuntimeError:  # the loop has ended
                        self._pending.remove(fresh)
                        fresh.kill()
                return

        thread = threading.Thread(target=start_new, name="afkg-worker-restart", daemon=True)
        with self._lock:
            self._restarts = [t for t in self._restarts if t.is_alive()] + [thread]
        thread.start()

    def _adopt(self, fresh: WorkerProcess) -> None:
        """A new worker is ready (in the event loop): it takes a missing worker's place, or is the spare."""
        with self._lock:
            if fresh not in self._pending:  # the pool was closed meanwhile, and ended it
                return
            self._pending.remove(fresh)
            if self._closed:
                role = "none"
            elif len(self._workers) < self.size:
                self._workers.append(fresh)
                role = "worker"
            elif len(self._spare) < self.spares:
                self._spare.append(fresh)
                role = "spare"
            else:
                role = "none"
        if role == "worker":
            self._release(fresh)
        elif role == "none":
            fresh.kill()

    def close(self) -> None:
        """End every worker."""
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers + self._spare + self._pending, []
            self._spare, self._pending = [], []
            restarts, self._restarts = self._restarts, []
        for worker in workers:
            worker.kill()
        for thread in restarts:
            thread.join(START_TIMEOUT)
        self._close_zygote()
        self._idle = collections.deque()
        for waiter in self._waiters:
            if not waiter.done():
                with contextlib.suppress(RuntimeError):
                    waiter.cancel()
        self._waiters = collections.deque()
