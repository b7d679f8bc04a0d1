"""Stable bytes and atomic writes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from afkg.errors import InputError
from afkg.publish import export


@pytest.mark.slow  # test_export_formats.py checks every format across processes in the fast tier
def test_ntriples_and_turtle_are_byte_stable_across_processes(tmp_path):
    script = ("import sys; from afkg.graph import load; from afkg.publish import export; kg = load(); "
              "sys.stdout.buffer.write(export.to_turtle(kg.merged) + export.to_ntriples(kg.merged))")
    outputs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outputs.add(subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, check=True).stdout)
    assert len(outputs) == 1


def test_ntriples_lines_are_sorted(kg):
    lines = export.to_ntriples(kg.merged).decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(kg.merged)


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out.ttl"
    export.write_atomic(target, b"old\n")
    export.write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_failed_write_leaves_old_file_untouched(tmp_path, monkeypatch):
    target = tmp_path / "out.ttl"
    target.write_bytes(b"old\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(InputError, match="out.ttl: cannot write"):
        export.write_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]
