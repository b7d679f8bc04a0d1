"""A small pool of worker processes that run queries, each with its own copy of the store.

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
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from afkg.errors import AfkgError, InputError

START_TIMEOUT = 120.0
"""Seconds a new worker may take to load the store."""
SPARES = 1
"""Workers kept loaded and idle, to replace at once one that was killed or crashed."""
QUARANTINE_SIZE = 256
"""Queries remembered as having crashed a worker or passed the memory bound."""
QUARANTINE_SECONDS = 600.0
"""How long such a query is answered without being run again."""
START_AT_ONCE = 2
"""Workers started at the same time (each loads the store: more would only share the cores)."""


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


_WARM_UP = {"kind": "sparql", "query": "ASK { ?s ?p ?o }", "tabular": "json", "graph": "turtle", "max_rows": 1}


def _memory_answer(memory: int | None) -> dict[str, Any]:
    from afkg.query.limits import describe_exit

    message = describe_exit(None, b"MemoryError", memory)[1]
    return {"status": 503, "body": (message + "\n").encode(), "media": "text", "rows": None, "truncated": None,
            "message": message, "replace": "memory"}


def worker_main(conn: Connection, spec: WorkerSpec, log_path: str | None = None) -> None:
    """The body of a worker process: load the store, then answer tasks until the pipe closes.

    What the process writes on its standard error goes to ``log_path`` (emptied before
    each task), where the parent reads why it ended if it ends while running one.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log_path is not None:
        log = os.open(log_path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
        os.dup2(log, 2)
        os.close(log)
        with contextlib.suppress(OSError):
            os.unlink(log_path)  # the parent reads it through its own descriptor; no file is left behind
    from pathlib import Path

    from afkg.layout import Layout
    from afkg.query.limits import limit_memory
    from afkg.server.execution import Worker
    from afkg.server.store import load_files, open_store

    try:
        layout = Layout(Path(spec.root))
        store = open_store(spec.store) if spec.store else load_files(layout)
        worker = Worker(layout, store, spec.allow_service)
        worker.handle(dict(_WARM_UP))  # the first query pays for the imports and the parser: not a client's
    except AfkgError as exc:
        with contextlib.suppress(OSError):
            conn.send({"error": str(exc)})
        return
    limit_memory(spec.memory)
    try:
        conn.send({"ready": True})
    except OSError:  # the pool was closed while this worker loaded
        return
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if log_path is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(2, 0)
        try:
            answer = worker.handle(task)
        except MemoryError:
            answer = _memory_answer(spec.memory)
        except Exception as exc:  # never let one request end the worker without an answer
            message = f"internal error: {type(exc).__name__}"
            answer = {"status": 500, "body": (message + "\n").encode(), "media": "text", "rows": None,
                      "truncated": None, "message": message}
        try:
            conn.send(answer)
        except MemoryError:
            with contextlib.suppress(Exception):
                conn.send(_memory_answer(spec.memory))
            return
        except (BrokenPipeError, OSError):
            return
        if answer.get("replace"):
            return


class WorkerProcess:
    """One worker process, the parent's end of its pipe, and the file that keeps its standard error."""

    def __init__(self, context: Any, spec: WorkerSpec) -> None:
        self.spec = spec
        descriptor, path = tempfile.mkstemp(prefix="afkg-worker-", suffix=".log")
        self._log: int | None = descriptor
        self._log_path: str | None = path
        parent, child = context.Pipe()
        try:
            self.process = context.Process(target=worker_main, args=(child, spec, path), daemon=True,
                                           name="afkg-query-worker")
            self.process.start()
        except BaseException:
            self._forget_log()
            raise
        child.close()
        self.conn: Connection = parent

    def _unlink_log(self) -> None:
        if self._log_path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._log_path)
            self._log_path = None

    def _forget_log(self) -> None:
        self._unlink_log()
        if self._log is not None:
            with contextlib.suppress(OSError):
                os.close(self._log)
            self._log = None

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Block until the worker has loaded its store; an InputError if it could not."""
        try:
            if not self.conn.poll(timeout):
                self.kill()
                raise InputError(f"a query worker did not start within {timeout:g} s")
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                self.kill()
                raise InputError("a query worker ended while loading the store") from None
            if "error" in message:
                self.kill()
                raise InputError(message["error"])
        finally:
            self._unlink_log()  # the worker holds it open from its first instruction on

    def call(self, task: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send ``task`` and wait at most ``timeout`` seconds for the answer; Stopped after the
        timeout, WorkerFailed (or MemoryExceeded) if the worker ends meanwhile."""
        try:
            self.conn.send(task)
            if not self.conn.poll(timeout):
                raise Stopped(f"query stopped after {timeout:g} s (--timeout)")
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise self.failure() from None

    def failure(self) -> WorkerFailed:
        """Why the worker ended: a crash or its memory bound, read from its exit and its log."""
        from afkg.query.limits import ENGINE_LOG_BYTES, describe_exit

        with contextlib.suppress(Exception):
            self.process.join(2)
        code = self.process.exitcode
        status = None
        if code is not None:
            status = (-code & 0x7F) if code < 0 else (code & 0xFF) << 8  # back to a waitpid status
        log = b""
        if self._log is not None:
            with contextlib.suppress(OSError):
                log = os.pread(self._log, ENGINE_LOG_BYTES, 0)
        kind, message = describe_exit(status, log, self.spec.memory)
        return MemoryExceeded(message) if kind == "memory" else WorkerFailed(message)

    def kill(self, wait: bool = True) -> None:
        """End the process now and release its pipe and log (``wait``: until it is gone)."""
        with contextlib.suppress(Exception):
            self.process.kill()
        if wait:
            with contextlib.suppress(Exception):
                self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()
        self._forget_log()


def task_key(task: dict[str, Any]) -> str:
    """What identifies a query for the quarantine: its text (whitespace aside) and its dataset,
    or a stored query's name and values."""
    if task.get("kind") == "sparql":
        parts: tuple[Any, ...] = ("sparql", " ".join(str(task.get("query", "")).split()),
                                  task.get("default_graphs"), task.get("named_graphs"))
    else:
        parts = (task.get("kind"), task.get("name"), sorted((task.get("params") or {}).items()),
                 task.get("limit"), task.get("offset"))
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _stderr_line(line: str) -> None:
    with contextlib.suppress(Exception):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


class QueryPool:
    """``size`` workers (and a spare); :meth:`run` hands a task to an idle one within the bounds."""

    def __init__(self, spec: WorkerSpec, *, size: int, max_queued: int | None = None, timeout: float,
                 queue_timeout: float | None = None, spares: int = SPARES, log: Any = None) -> None:
        from afkg.server.config import QUEUE_PER_WORKER

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
        self._executor = ThreadPoolExecutor(max_workers=size + 1, thread_name_prefix="afkg-query")
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
        started = [WorkerProcess(self._context, self.spec) for _ in range(self.size + self.spares)]
        try:
            for worker in started:
                worker.wait_ready()
        except BaseException:
            for worker in started:
                worker.kill()
            raise
        self._workers, self._spare = started[:self.size], started[self.size:]
        self._closed = False

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

    async def run(self, task: dict[str, Any]) -> dict[str, Any]:
        """The worker's answer to ``task``; Busy, Stopped, MemoryExceeded or WorkerFailed when a
        bound or a worker fails."""
        assert self._loop is not None, "the pool is not attached to an event loop"
        key = task_key(task)
        known = self._quarantined(key)
        if known is not None:
            raise known
        worker = await self._acquire()
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(self._executor, worker.call, task, self.timeout)
        except WorkerFailed as exc:
            self._replace(worker, str(exc))
            self._remember(key, exc)
            raise
        except BaseException:  # the timeout, or the request was cancelled while its query ran
            self._replace(worker)
            raise
        replace = answer.pop("replace", None)
        if replace:
            self._replace(worker, answer.get("message"))
            if replace == "memory":
                self._remember(key, MemoryExceeded(str(answer.get("message"))))
        else:
            self._release(worker)
        return answer

    # --- replacing workers -------------------------------------------------------------------

    def _replace(self, worker: WorkerProcess, reason: str | None = None) -> None:
        """End ``worker``; a spare takes its place at once, and a new worker starts in the background."""
        worker.kill(wait=False)
        threading.Thread(target=worker.kill, name="afkg-worker-reap", daemon=True).start()
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
                    fresh = WorkerProcess(self._context, self.spec)
                    try:
                        fresh.wait_ready()
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
        self._idle = collections.deque()
        for waiter in self._waiters:
            if not waiter.done():
                with contextlib.suppress(RuntimeError):
                    waiter.cancel()
        self._waiters = collections.deque()
