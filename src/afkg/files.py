"""Reading project files with bounds: only regular files, at most so many bytes,
UTF-8 with the line of the first bad byte, JSON at most so deep.

Every failure is an InputError whose one-line message names the file.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from afkg.errors import InputError

MiB = 1024 * 1024
MAX_TURTLE_BYTES = 64 * MiB
"""An ontology, shapes or data file."""
MAX_TEXT_BYTES = 16 * MiB
"""A source text (the article a pair's quotes come from)."""
MAX_JSON_BYTES = 16 * MiB
"""context.jsonld, items.json."""
MAX_TABLE_BYTES = 4 * MiB
"""reference-ids.tsv."""
MAX_JSON_DEPTH = 64
"""Arrays and objects nested deeper than this are refused before parsing."""


def _oserror(name: str, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{name}: file not found")
    if exc.errno == errno.ELOOP:
        return InputError(f"{name}: cannot read (symlink loop)")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{name}: is a folder, not a file")
    return InputError(f"{name}: cannot read ({exc.strerror or exc})")


def read_bytes(path: Path, limit: int, shown_as: str | None = None, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file ``path``, refusing devices, FIFOs, folders and
    files larger than ``limit`` bytes (checked on what is read, not only the size);
    without ``follow_symlinks``, refusing ``path`` if it is a symbolic link."""
    name = shown_as or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        if not follow_symlinks and exc.errno == errno.ELOOP:
            raise InputError(f"{name}: is a symbolic link; not read") from None
        raise _oserror(name, exc) from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{name}: is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{name}: not a regular file")
        if info.st_size > limit:
            raise InputError(f"{name}: {info.st_size} bytes, more than the limit of {limit}")
        chunks = []
        size = 0
        while True:
            chunk = os.read(descriptor, min(1 * MiB, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise InputError(f"{name}: more than the limit of {limit} bytes")
        return b"".join(chunks)
    except OSError as exc:
        raise _oserror(name, exc) from None
    finally:
        os.close(descriptor)


def decode_utf8(data: bytes, name: str) -> str:
    """``data`` as text; a byte that is not UTF-8 is an InputError naming its line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise InputError(f"{name}:{line}:{column}: not UTF-8 (byte 0x{data[exc.start]:02x})") from None


def read_text(path: Path, limit: int = MAX_TEXT_BYTES, shown_as: str | None = None, *,
              follow_symlinks: bool = True) -> str:
    """A bounded regular file as UTF-8 text."""
    name = shown_as or str(path)
    return decode_utf8(read_bytes(path, limit, name, follow_symlinks=follow_symlinks), name)


# Compiled by the re module on first use, not at import: only JSON files need them, and a cold start
# pays for every pattern compiled at import.
_STRING = r'"(?:[^"\\]|\\.)*"'
_NOT_BRACKET = r"[^\[\]{}]+"


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in the JSON ``text`` (strings ignored)."""
    brackets = re.sub(_NOT_BRACKET, "", re.sub(_STRING, "", text, flags=re.DOTALL))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def load_json(path: Path, limit: int = MAX_JSON_BYTES, shown_as: str | None = None) -> Any:
    """A bounded JSON file; bad bytes, bad JSON or too deep nesting are one-line InputErrors."""
    name = shown_as or str(path)
    text = read_text(path, limit, name)
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InputError(f"{name}: JSON nested more than {MAX_JSON_DEPTH} deep")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{name}: JSON nested too deep") from None


def list_folder(path: Path, shown_as: str | None = None) -> list[Path]:
    """The entries of a folder, sorted; an unreadable folder is an InputError."""
    name = shown_as or str(path)
    try:
        with os.scandir(path) as entries:
            return sorted(Path(entry.path) for entry in entries)
    except NotADirectoryError:
        raise InputError(f"{name}: not a folder") from None
    except OSError as exc:
        raise _oserror(name, exc) from None


def is_folder(path: Path) -> bool:
    """True for a folder (or a symlink to one); a symlink loop or unreadable entry is an InputError."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _oserror(str(path), exc) from None
