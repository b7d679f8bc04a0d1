"""Writing output files safely.

``-o PATH`` means:

- a regular file (or a path that does not exist yet) is replaced atomically:
  a temporary file in the same folder, then a rename, so a reader never sees
  half a file and a failure leaves the old file as it was; missing parent
  folders are created;
- a symlink to a regular file: its target is replaced atomically, the link stays;
- anything else that is not a folder (a device such as ``/dev/null``, a FIFO,
  a socket, ``/dev/stdout``, or a symlink to one) is written to in place and is
  never replaced or removed;
- a folder is refused.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from afkg.errors import InputError


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _make_parents(path: Path) -> None:
    """Create the missing folders above ``path``; a file in the way is a one-line error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [path.parent, *path.parent.parents] if p.exists() and not p.is_dir()), path.parent)
        raise InputError(f"{path}: cannot write: {blocker} is a file, not a folder") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot create its folder ({_reason(exc)})") from None


def _umask() -> int:
    """The process's file-creation mask (read by setting it and setting it back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _write_synced(stream: BinaryIO, data: bytes) -> None:
    """Write ``data`` to ``stream`` and flush it to disk."""
    stream.write(data)
    stream.flush()
    os.fsync(stream.fileno())


def _write_in_place(path: Path, data: bytes) -> None:
    """Write to a device, FIFO or socket without replacing it."""
    try:
        with open(path, "wb", buffering=0) as stream:
            view = memoryview(data)
            while view:
                written = stream.write(view)
                view = view[written or 0:]
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return
        raise InputError(f"{path}: cannot write ({_reason(exc)})") from None


def _replace_atomically(path: Path, data: bytes, shown: Path) -> None:
    _make_parents(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"{shown}: cannot write ({_reason(exc)})") from None
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            _write_synced(stream, data)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{shown}: cannot write ({_reason(exc)})") from None
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as described in the module docstring."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        _make_parents(path)
        info = None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path}: cannot write (symlink loop)") from None
        raise InputError(f"{path}: cannot write ({_reason(exc)})") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder, not a file")
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_in_place(path, data)
        return
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    _replace_atomically(target, data, path)


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Create each of ``files`` (name: content) in ``folder``, in their order, each flushed to disk;
    a name that exists already raises FileExistsError."""
    for name, data in files.items():
        with open(folder / name, "xb") as stream:
            _write_synced(stream, data)


def write_folder(folder: Path, fill: Callable[[Path], None], place: Callable[[Path], None]) -> None:
    """Fill the new, empty ``folder`` (as :func:`tempfile.mkdtemp` makes it, beside where it belongs)
    and put it in place, all or nothing: the folder gets the permissions a plain ``mkdir`` gives
    (mkdtemp's are 0700), ``fill(folder)`` writes its files, then ``place(folder)`` renames it where it
    belongs. On any failure the folder and what it holds are removed and the exception propagates."""
    try:
        os.chmod(folder, 0o777 & ~_umask())
        fill(folder)
        place(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def replace_folder(new: Path, target: Path) -> None:
    """Put the complete folder ``new`` where ``target`` is (both in one parent folder). An existing
    ``target`` is moved aside first and removed only once ``new`` is in place; if that last rename
    fails, it is moved back, so ``target`` is always either the old folder or the new one."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
