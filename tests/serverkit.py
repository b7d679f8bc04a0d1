"""Helpers for the server tests: a loaded service shared by a module, a live server, a trap endpoint."""

from __future__ import annotations

import dataclasses
import http.server
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.testclient import TestClient

from afkg.server import create_app
from afkg.server.config import ServerConfig
from afkg.server.service import Service
from afkg.server.workers import QueryPool, WorkerSpec

PROJECT = Path(__file__).resolve().parent.parent
SRC = PROJECT / "src"


def load_service(**settings: object) -> Service:
    """A service over the project, with small bounds for tests."""
    config = ServerConfig(root=str(PROJECT), **{"max_concurrent": 2, "timeout": 5.0, **settings})
    service = Service.load(config)
    service.start()
    return service


def variant(service: Service, *, pool_size: int | None = None, allow_service: tuple[str, ...] = (),
            **settings: object) -> Service:
    """``service`` with other settings; with ``pool_size``, its own pool (close it after use)."""
    config = dataclasses.replace(service.config, allow_service=allow_service or service.config.allow_service,
                                 **settings)
    pool = service.pool
    if pool_size is not None:
        spec = WorkerSpec(root=str(service.layout.root), store=config.store, allow_service=config.allow_service)
        pool = QueryPool(spec, size=pool_size, max_queued=config.max_queued, timeout=config.timeout)
        pool.start()
    return dataclasses.replace(service, config=config, pool=pool, cache={})


@contextmanager
def client(service: Service, **options: object) -> Iterator[TestClient]:
    """A TestClient over an application on ``service`` (the service stays open)."""
    with TestClient(create_app(service=service, **options)) as test_client:
        yield test_client


class LiveServer:
    """``python -m afkg serve --port 0`` in a subprocess; ``url`` is what it printed."""

    def __init__(self, *args: str, root: Path = PROJECT) -> None:
        env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "afkg", "--root", str(root), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.process.stdout.readline()
        match = re.match(r"afkg: serving (http://\S+/) \(sparql endpoint (http://\S+)\)", line)
        if not match:
            self.process.kill()
            _, err = self.process.communicate(timeout=30)
            raise RuntimeError(f"the server did not start: {line!r} {err!r}")
        self.url, self.endpoint = match.group(1), match.group(2)
        self.log: list[str] = []
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()

    def _read_log(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> int:
        """SIGTERM, then wait; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        return self.process.returncode


class Trap:
    """An HTTP server on 127.0.0.1 that records every request it receives and answers nothing useful."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        trap = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                trap.requests.append(f"{self.command} {self.path} {body}")
                payload = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _record

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
