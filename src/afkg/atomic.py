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
import stat
import tempfile
from pathlib import Path

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
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
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
