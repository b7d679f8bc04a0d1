"""Exceptions raised by afkg.

    AfkgError                 base class; ``exit_code`` is what the CLI exits with
    ├── InputError            a file cannot be read or parsed (exit 2)
    ├── UsageError            a bad name, option or parameter value (exit 2)
    └── QueryError            a query failed while running (exit 1)

Every message is one line that names the file, line, value or name at fault.
"""

from __future__ import annotations


class AfkgError(Exception):
    """Base class of every error afkg reports to a user."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())

    def __str__(self) -> str:
        return self.message


class InputError(AfkgError):
    """An input file is missing, unreadable or not valid in its syntax."""

    exit_code = 2


class UsageError(AfkgError):
    """The caller asked for something that does not exist or does not fit."""

    exit_code = 2


class QueryError(AfkgError):
    """A query could not be run to completion."""

    exit_code = 1
