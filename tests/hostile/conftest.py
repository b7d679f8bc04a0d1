"""Fixtures of the hostile suite: the two local servers and a case runner."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from .harness import Expect, Outcome, Workspace, base_env, copy_project, run_afkg, snapshot, verify
from .servers import Script, ScriptedServer, TrapServer


@pytest.fixture(scope="session")
def trap() -> Iterable[TrapServer]:
    server = TrapServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def allowed() -> Iterable[ScriptedServer]:
    server = ScriptedServer().start()
    yield server
    server.stop()


class Hostile:
    """Runs one hostile case in a fresh workspace and checks every invariant."""

    def __init__(self, base: Path, trap: TrapServer, allowed: ScriptedServer) -> None:
        self.base = base
        self.trap = trap
        self.allowed = allowed
        self._workspace: Workspace | None = None

    @property
    def trap_url(self) -> str:
        return self.trap.url

    @property
    def allowed_url(self) -> str:
        return self.allowed.url

    def workspace(self, *, tiny: bool | None = None) -> Workspace:
        """The case's workspace, created on first use (a tiny project copy unless ``tiny`` is False)."""
        if self._workspace is None:
            tiny = True if tiny is None else tiny
            root = copy_project(self.base / "project", tiny=tiny)
            sentinels = self.base / "sentinels"
            sentinels.mkdir()
            (sentinels / "keep.txt").write_text("unrelated file\n", encoding="utf-8")
            (sentinels / "keep.ttl").write_bytes(b"<urn:a> <urn:b> <urn:c> .\n")
            out = self.base / "out"
            out.mkdir()
            home = self.base / "home"
            home.mkdir()
            cwd = self.base / "cwd"
            cwd.mkdir()
            env = base_env(self.trap.url, home)
            self._workspace = Workspace(self.base, root, sentinels, out, env, tiny, watched=[home, cwd])
        if tiny is not None and self._workspace.tiny != tiny:
            raise RuntimeError("the case asked for a tiny and a full project copy; create the workspace first")
        return self._workspace

    def run(self, args: list[str | bytes], expect: Expect, *, bound: float = 10.0, tiny: bool | None = None,
            env: dict[str, str] | None = None, script: Script | None = None, root: bool = True,
            outputs: Iterable[Path] = (), output_check: Callable[[bytes], str | None] | None = None,
            memory: int | None = None, close_stdin: bool = False, watch_project: bool = True,
            wrapper: Iterable[str] = (), sleeps: list[float] | None = None) -> Outcome:
        """Run ``afkg [--root COPY] ARGS`` and assert the case's invariants.

        ``outputs`` are ``-o`` targets: after a success each must exist and pass
        ``output_check``; after a failure each must be as it was before."""
        ws = self.workspace(tiny=tiny)
        self.trap.log.clear()
        self.allowed.reset(script)
        full_env = dict(ws.env)
        full_env.update(env or {})
        before = ws.watch()
        if not watch_project:
            before.pop(str(ws.root))
        outputs = list(outputs)
        outputs_before = {p: snapshot(p) for p in outputs}
        argv = (["--root", str(ws.root)] if root else []) + list(args)
        kwargs = {"memory": memory} if memory else {}
        sleep_log = ws.base / "sleeps.txt"
        if sleeps is not None:
            sleep_log.unlink(missing_ok=True)
            full_env["AFKG_TEST_SLEEPS"] = str(sleep_log)
        outcome = run_afkg(argv, env=full_env, bound=bound, cwd=ws.base / "cwd", close_stdin=close_stdin,
                           wrapper=wrapper, fake_clock=sleeps is not None, **kwargs)
        if sleeps is not None and sleep_log.exists():
            sleeps.extend(float(line) for line in sleep_log.read_text(encoding="utf-8").split())
        time.sleep(0.02)
        changes = ws.changes(before)
        for path in outputs:
            now = snapshot(path)
            if outcome.returncode == 0 and not outcome.timed_out:
                if not path.exists():
                    changes.append(f"-o target {path.name} missing after success")
                elif output_check is not None and path.is_file():
                    reason = output_check(path.read_bytes())
                    if reason:
                        changes.append(f"-o target {path.name} incomplete: {reason}")
            elif now != outputs_before[path]:
                changes.append(f"-o target {path.name} changed by a failed run")
        verify(outcome, expect, trap_log=list(self.trap.log), changes=changes)
        return outcome


@pytest.fixture()
def hostile(tmp_path: Path, trap: TrapServer, allowed: ScriptedServer) -> Hostile:
    return Hostile(tmp_path, trap, allowed)
