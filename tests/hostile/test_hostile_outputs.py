"""``-o`` targets under attack (item 6 and the -o paper cut): special files are written
into, never replaced; a failed run leaves a target as it was; a successful one leaves it complete."""

from __future__ import annotations

import os
import select
import stat
import threading
from pathlib import Path

import pytest

from .harness import Expect

# Every case runs in the whole suite; the fast tier keeps the first case of each parametrized test.
pytestmark = [pytest.mark.hostile, pytest.mark.sample(1)]

ONE = "SELECT ?one WHERE { BIND(1 AS ?one) }\n"
COMMANDS = {
    "query-exec": lambda q: ["query", "exec", q, "--format", "csv"],
    "export": lambda q: ["export", "--format", "ntriples", "--graph", "data"],
    "context": lambda q: ["context"],
    "quickstatements": lambda q: ["link", "quickstatements"],
}
NOTES = r"^note: "


def _query(hostile) -> str:
    path = hostile.workspace().base / "one.rq"
    path.write_text(ONE, encoding="utf-8")
    return str(path)


def _special(hostile) -> Path:
    """A watched folder for special files: any replacement shows up as a change."""
    ws = hostile.workspace()
    folder = ws.base / "special"
    folder.mkdir(exist_ok=True)
    if folder not in ws.watched:
        ws.watched.append(folder)
    return folder


class FifoReader:
    """Reads a FIFO in a thread without ever blocking the writer or the test."""

    def __init__(self, path: Path) -> None:
        self.data = b""
        self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self._fd], [], [], 0.05)
            if ready:
                chunk = os.read(self._fd, 1 << 16)
                self.data += chunk
                if chunk:
                    continue
            if self._stop.is_set():
                break

    def close(self) -> bytes:
        self._stop.set()
        self._thread.join(5)
        os.close(self._fd)
        return self.data


@pytest.mark.parametrize("command", COMMANDS)
def test_output_to_a_null_device(hostile, command):
    null = _special(hostile) / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    hostile.run([*COMMANDS[command](_query(hostile)), "-o", str(null)], Expect((0,), stderr_extra=NOTES))


@pytest.mark.parametrize("command", COMMANDS)
def test_output_to_a_symlink_to_stdout(hostile, command):
    link = _special(hostile) / "stdout"
    link.symlink_to("/proc/self/fd/1")
    outcome = hostile.run([*COMMANDS[command](_query(hostile)), "-o", str(link)], Expect((0,), stderr_extra=NOTES))
    assert outcome.stdout.strip() or command == "quickstatements", "nothing reached standard output"


@pytest.mark.parametrize("command", COMMANDS)
def test_output_to_a_fifo(hostile, command):
    fifo = _special(hostile) / "fifo"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    try:
        hostile.run([*COMMANDS[command](_query(hostile)), "-o", str(fifo)], Expect((0,), stderr_extra=NOTES),
                    bound=10)
    finally:
        data = reader.close()
    if command == "query-exec":
        assert data.splitlines() == [b"one", b"1"], f"the FIFO received {data[:200]!r}"
    elif command != "quickstatements":
        assert data.strip(), "the FIFO received nothing"


@pytest.mark.parametrize("command", COMMANDS)
def test_output_whose_parent_is_a_file(hostile, command):
    ws = hostile.workspace()
    parent = ws.out / "file.txt"
    parent.write_text("keep me\n", encoding="utf-8")
    hostile.run([*COMMANDS[command](_query(hostile)), "-o", str(parent / "result")], Expect((2,)),
                outputs=[parent])


@pytest.mark.parametrize("command", COMMANDS)
def test_output_to_a_directory(hostile, command):
    ws = hostile.workspace()
    folder = ws.out / "folder"
    folder.mkdir()
    (folder / "inside.txt").write_text("keep me\n", encoding="utf-8")
    hostile.run([*COMMANDS[command](_query(hostile)), "-o", str(folder)], Expect((2,)), outputs=[folder])


@pytest.mark.parametrize("command", COMMANDS)
def test_output_into_missing_folders(hostile, command):
    target = hostile.workspace().out / "a" / "b" / "result"
    hostile.run([*COMMANDS[command](_query(hostile)), "-o", str(target)], Expect((0,), stderr_extra=NOTES),
                outputs=[target])


FAILING = {
    "syntax-error": lambda hostile: ["query", "exec", _bad_query(hostile), "--format", "csv"],
    "refused-service": lambda hostile: ["query", "exec", _service_query(hostile), "--format", "csv"],
    "bad-parameter": lambda hostile: ["query", "run", "is-member", "-p", "member=http://[::1", "-p",
                                      "organisation=res:NATO"],
    "unknown-query": lambda hostile: ["query", "run", "no-such-query"],
    "export-bad-format": lambda hostile: ["export", "--format", "nope"],
}


def _bad_query(hostile) -> str:
    path = hostile.workspace().base / "bad.rq"
    path.write_text("SELECT * WHERE { ?s ?p }\n", encoding="utf-8")
    return str(path)


def _service_query(hostile) -> str:
    path = hostile.workspace().base / "service.rq"
    path.write_text(f"SELECT * WHERE {{ SERVICE <{hostile.trap_url}/sparql> {{ ?s ?p ?o }} }}\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("kind", FAILING)
def test_failed_run_leaves_the_target_as_it_was(hostile, kind):
    target = hostile.workspace().out / "previous.csv"
    target.write_text("previous,complete\nresult,here\n", encoding="utf-8")
    hostile.run([*FAILING[kind](hostile), "-o", str(target)], Expect((2,)), outputs=[target])


def test_docs_into_a_file(hostile):
    target = hostile.workspace().out / "site.html"
    target.write_text("<p>old</p>\n", encoding="utf-8")
    hostile.run(["docs", "-o", str(target)], Expect((2,)), outputs=[target])


def test_docs_index_is_a_fifo(hostile):
    site = _special(hostile) / "site"
    site.mkdir()
    os.mkfifo(site / "index.html")
    reader = FifoReader(site / "index.html")
    try:
        hostile.run(["docs", "-o", str(site)], Expect((0, 2)), bound=10)
    finally:
        reader.close()


def test_build_into_a_file(hostile):
    target = hostile.workspace().out / "dist"
    target.write_text("not a folder\n", encoding="utf-8")
    hostile.run(["build", "-o", str(target)], Expect((2,)), outputs=[target], bound=30)


def test_build_is_all_or_nothing(hostile):
    """One target that cannot be written: nothing of the previous build changes (item 24)."""
    dist = hostile.workspace().out / "dist"
    dist.mkdir()
    (dist / "afkg.ttl").write_text("# previous build\n", encoding="utf-8")
    (dist / "void.ttl").mkdir()
    (dist / "void.ttl" / "blocker").write_text("a folder where a file goes\n", encoding="utf-8")
    hostile.run(["build", "-o", str(dist)], Expect((1, 2)), outputs=[dist], bound=30)


# --- the real /dev/null and /dev/stdout, inside a private mount namespace ---------------------------------

PRIVATE_DEV = r"""
mount -t tmpfs afkg-dev /dev && mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 \
  && mknod -m 666 /dev/urandom c 1 9 && ln -s /proc/self/fd /dev/fd && ln -s /proc/self/fd/1 /dev/stdout \
  && ln -s /proc/self/fd/2 /dev/stderr || exit 99
"$@"; rc=$?
stat -c '%n: %F' /dev/null /dev/stdout > "$AFKG_DEV_REPORT" 2>&1
exit $rc
"""


def _private_dev_available() -> bool:
    import shutil
    import subprocess

    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                            "mount -t tmpfs probe /mnt"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.parametrize("command", ["query-exec", "export"])
@pytest.mark.parametrize("target", ["/dev/null", "/dev/stdout"])
def test_output_to_the_real_special_files(hostile, command, target):
    """``-o /dev/null`` and ``-o /dev/stdout`` write there and replace nothing. The run gets a
    private /dev (a tmpfs in its own mount namespace), so the machine's /dev is never at risk."""
    if not _private_dev_available():
        pytest.skip("needs root and unshare to give the run a private /dev")
    report = hostile.workspace().base / "dev-report.txt"
    wrapper = ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", PRIVATE_DEV, "sh"]
    outcome = hostile.run([*COMMANDS[command](_query(hostile)), "-o", target], Expect((0,)), wrapper=wrapper,
                          env={"AFKG_DEV_REPORT": str(report)})
    kinds = report.read_text(encoding="utf-8").splitlines()
    assert kinds == ["/dev/null: character special file", "/dev/stdout: symbolic link"], \
        f"-o {target} replaced a special file: {kinds}" + outcome.describe()
    if target == "/dev/stdout":
        assert outcome.stdout.strip(), "nothing reached standard output"
