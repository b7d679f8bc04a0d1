"""What afkg remembers about its stored queries across runs, so that running one needs
neither rdflib's SPARQL grammar nor a YAML parser: the guard's verdict on the query
(:func:`afkg.query.guard.check_stored`) and its parsed ``#+`` header
(:mod:`afkg.query.catalogue`).

Where: ``$XDG_CACHE_HOME/afkg/`` (``~/.cache/afkg/`` when that variable is unset or not
an absolute path), one small JSON file per entry in ``guard/`` and ``headers/``.
Deleting the folder clears the cache; nothing else is kept there.

An entry is named by its key, the SHA-256 of the text it is about (the query, or its
header) and of everything else its content depends on (:func:`key`): this file format,
afkg's version, the Python version, the source of the module that computed it, and the
files of the library that did (rdflib's SPARQL grammar and pyparsing, or PyYAML), by
size and modification time, so that an edit or an upgrade gives new keys. Only
successes are kept: a refused query or a bad header is checked in full every time, so
its message is always the checker's own.

A file is believed only if it is a regular file (not a symlink) owned by this user,
writable by no one else, small, and holds a JSON object with this format and its own
key; anything else is a miss, and the caller checks in full. What a file may say is
limited by its reader: see :func:`afkg.query.guard.check_stored` for why no file can
let a SERVICE clause through. Writes are atomic (a temporary file, then a rename) and
silent: a cache that cannot be written is simply not used.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from importlib.machinery import PathFinder
from typing import Any

from afkg import __version__

try:  # CPython's own SHA-256: hashlib loads OpenSSL first, which costs a cold start milliseconds
    from _sha256 import sha256  # type: ignore[import-not-found]  # Python 3.11
except ImportError:
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]  # Python 3.12 and later
    except ImportError:
        from hashlib import sha256

FORMAT = 1
"""The version of the file format; changing it makes every older file a miss."""
MAX_ENTRY_BYTES = 256 * 1024
"""The largest entry file read."""

Libraries = tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
"""Installed packages and, for each, the files (as path parts) whose changes matter."""

_stamps: dict[tuple[str, Libraries], bytes] = {}


def cache_dir() -> str | None:
    """``$XDG_CACHE_HOME/afkg`` when that is an absolute path, else ``~/.cache/afkg``; None when
    there is no home folder to put it in."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "afkg")


def _file_stamp(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


def _package_dir(name: str) -> str:
    """The folder of the installed package ``name``, found without importing it."""
    spec = PathFinder.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return f"{name}:missing"
    return list(spec.submodule_search_locations)[0]


def _stamp(source: str, libraries: Libraries) -> bytes:
    """What an entry computed by the module at ``source`` with ``libraries`` depends on, besides its text."""
    found = _stamps.get((source, libraries))
    if found is None:
        with open(source, "rb") as stream:  # an OSError here means: no cache
            digest = sha256(stream.read()).hexdigest()
        parts = {
            "format": FORMAT,
            "afkg": __version__,
            "python": list(sys.version_info[:2]),
            "source": [os.path.basename(source), digest],
            "libraries": [[name, [_file_stamp(os.path.join(folder, *path)) for path in files]]
                          for name, files in libraries for folder in (_package_dir(name),)],
        }
        found = _stamps[(source, libraries)] = json.dumps(parts, sort_keys=True).encode("utf-8")
    return found


def key(text: str, *, source: str, libraries: Libraries, extra: Any = None) -> str:
    """The key of an entry about ``text``, computed by the module whose file is ``source`` with
    ``libraries`` (``extra``: any other JSON-able input it depends on). Raises OSError when ``source``
    cannot be read."""
    digest = sha256(_stamp(source, libraries))
    digest.update(json.dumps(extra, sort_keys=True).encode("utf-8"))
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _encode(entry_key: str, payload: dict[str, Any]) -> bytes:
    # keys in the order given: a header's mapping keeps the order of its keys
    return json.dumps({"format": FORMAT, "key": entry_key, **payload}, ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def read(folder: str, entry_key: str) -> dict[str, Any] | None:
    """The payload recorded under ``entry_key`` in ``folder`` (``guard`` or ``headers``), without its
    format and key, or None when there is nothing to believe."""
    base = cache_dir()
    if base is None or len(entry_key) != 64 or not all(c in "0123456789abcdef" for c in entry_key):
        return None
    try:
        descriptor = os.open(os.path.join(base, folder, entry_key + ".json"),
                             os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(descriptor)
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022
                or info.st_size > MAX_ENTRY_BYTES):
            return None
        data = os.read(descriptor, MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    try:
        entry = json.loads(data.decode("ascii"))
    except (ValueError, UnicodeError, RecursionError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != entry_key:
        return None
    payload = {name: value for name, value in entry.items() if name not in ("format", "key")}
    try:
        if data != _encode(entry_key, payload):  # exactly the bytes :func:`write` writes, nothing more
            return None
    except (ValueError, TypeError, RecursionError):
        return None
    return payload


def plain(value: Any, depth: int = 64) -> bool:
    """Whether ``value`` comes back from JSON exactly as it is: dicts with text keys, lists, text,
    whole and finite numbers, booleans and None (of exactly those types), at most ``depth`` deep."""
    if value is None or type(value) in (str, bool, int):
        return True
    if type(value) is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if depth <= 0:
        return False
    if type(value) is list:
        return all(plain(item, depth - 1) for item in value)
    if type(value) is dict:
        return all(type(k) is str and plain(v, depth - 1) for k, v in value.items())
    return False


def write(folder: str, entry_key: str, payload: dict[str, Any]) -> None:
    """Record ``payload`` (a JSON object) under ``entry_key`` in ``folder``: atomic, and silent when the
    cache cannot be made or written."""
    base = cache_dir()
    if base is None:
        return
    where = os.path.join(base, folder)
    temporary = os.path.join(where, f".{entry_key}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    try:
        data = _encode(entry_key, payload)
        if len(data) > MAX_ENTRY_BYTES:
            return
        os.makedirs(where, mode=0o700, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                             | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)
        os.replace(temporary, os.path.join(where, entry_key + ".json"))
    except (OSError, ValueError, TypeError, RecursionError):
        try:
            os.unlink(temporary)
        except OSError:
            pass
