"""A small pool of worker processes that run queries, each with its own copy of the store.

pyoxigraph cannot interrupt a query from another thread, so every query runs in a
worker process. When a query outlives the timeout, its worker is killed (which
frees its core at once) and a fresh one is started in the background, while the
other workers keep answering. At most ``size`` queries run at once; up to
``max_queued`` more wait for a worker, and any beyond that are refused at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from afkg.errors import AfkgError, InputError

START_TIMEOUT = 120.0
"""Seconds a new worker may take to load the store."""


class Busy(AfkgError):
    """Every worker is busy and the queue is full."""


class Stopped(AfkgError):
    """A query outlived the timeout; its worker was ended."""


class WorkerFailed(AfkgError):
    """A worker ended while running a query."""


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build its store: a project folder, or an on-disk store."""

    root: str
    store: str | None = None
    allow_service: tuple[str, ...] = ()


def worker_main(conn: Connection, spec: WorkerSpec) -> None:
    """The body of a worker process: load the store, then answer tasks until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from pathlib import Path

    from afkg.layout import Layout
    from afkg.server.execution import Worker
    from afkg.server.store import load_files, open_store

    try:
        layout = Layout(Path(spec.root))
        store = open_store(spec.store) if spec.store else load_files(layout)
        worker = Worker(layout, store, spec.allow_service)
    except AfkgError as exc:
        conn.send({"error": str(exc)})
        return
    conn.send({"ready": True})
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = worker.handle(task)
        except Exception as exc:  # never let one request end the worker without an answer
            message = f"internal error: {type(exc).__name__}"
            answer = {"status": 500, "body": (message + "\n").encode(), "media": "text", "rows": None,
                      "truncated": None, "message": message}
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return


class WorkerProcess:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: Any, spec: WorkerSpec) -> None:
        parent, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child, spec), daemon=True,
                                       name="afkg-query-worker")
        self.process.start()
        child.close()
        self.conn: Connection = parent

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Block until the worker has loaded its store; an InputError if it could not."""
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

    def call(self, task: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send ``task`` and wait at most ``timeout`` seconds for the answer."""
        try:
            self.conn.send(task)
            if not self.conn.poll(timeout):
                raise Stopped(f"query stopped after {timeout:g} s (--timeout)")
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise WorkerFailed("the query worker ended while running the query") from None

    def kill(self) -> None:
        """End the process now and release its pipe."""
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class QueryPool:
    """``size`` workers; :meth:`run` hands a task to an idle one within the bounds."""

    def __init__(self, spec: WorkerSpec, *, size: int, max_queued: int, timeout: float) -> None:
        self.spec, self.size, self.max_queued, self.timeout = spec, size, max_queued, timeout
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[WorkerProcess] = []
        self._idle: asyncio.Queue[WorkerProcess] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting = 0
        self._executor = ThreadPoolExecutor(max_workers=size + 1, thread_name_prefix="afkg-query")
        self._lock = threading.Lock()
        self._closed = False
        self._restarts: list[threading.Thread] = []
        self.replaced = 0
        """Workers ended by the timeout or a crash and started again."""

    def start(self) -> None:
        """Start every worker and wait until each has loaded the store (idempotent)."""
        if self._workers:
            return
        started = [WorkerProcess(self._context, self.spec) for _ in range(self.size)]
        try:
            for worker in started:
                worker.wait_ready()
        except BaseException:
            for worker in started:
                worker.kill()
            raise
        self._workers = started
        self._closed = False

    async def attach(self) -> None:
        """Make the workers available to the running event loop."""
        self.start()
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        for worker in self._workers:
            self._idle.put_nowait(worker)

    @property
    def idle(self) -> int:
        """Workers free right now."""
        return self._idle.qsize() if self._idle is not None else 0

    async def run(self, task: dict[str, Any]) -> dict[str, Any]:
        """The worker's answer to ``task``; Busy, Stopped or WorkerFailed when a bound or a worker fails."""
        assert self._idle is not None, "the pool is not attached to an event loop"
        try:
            worker = self._idle.get_nowait()
        except asyncio.QueueEmpty:
            if self._waiting >= self.max_queued:
                raise Busy(f"all {self.size} query workers are busy (--max-concurrent); try again shortly") from None
            self._waiting += 1
            try:
                worker = await asyncio.wait_for(self._idle.get(), self.timeout)
            except TimeoutError:
                raise Busy(f"all {self.size} query workers stayed busy; try again shortly") from None
            finally:
                self._waiting -= 1
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(self._executor, worker.call, task, self.timeout)
        except (Stopped, WorkerFailed):
            self._replace(worker)
            raise
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return answer

    def _replace(self, worker: WorkerProcess) -> None:
        """End ``worker`` and start another in the background; it joins the idle queue when ready."""
        worker.kill()
        self.replaced += 1

        def start_new() -> None:
            if self._closed:
                return
            fresh = WorkerProcess(self._context, self.spec)
            try:
                fresh.wait_ready()
            except AfkgError:
                return
            with self._lock:
                if self._closed or self._loop is None or self._idle is None:
                    fresh.kill()
                    return
                self._workers = [w for w in self._workers if w is not worker] + [fresh]
                idle = self._idle
                try:
                    self._loop.call_soon_threadsafe(idle.put_nowait, fresh)
                except RuntimeError:
                    fresh.kill()

        thread = threading.Thread(target=start_new, name="afkg-worker-restart", daemon=True)
        with self._lock:
            self._restarts = [t for t in self._restarts if t.is_alive()] + [thread]
        thread.start()

    def close(self) -> None:
        """End every worker."""
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, []
            restarts, self._restarts = self._restarts, []
        for worker in workers:
            worker.kill()
        for thread in restarts:
            thread.join(START_TIMEOUT)
        self._idle = None
