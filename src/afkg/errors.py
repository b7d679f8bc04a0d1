"""Exceptions raised by afkg.

    AfkgError                 base class; ``exit_code`` is what the CLI exits with
    ├── InputError            a file cannot be read or parsed (exit 2)
    │   └── SparqlSyntaxError a query text does not parse (exit 2)
    ├── UsageError            a bad name, option or parameter value (exit 2)
    ├── QueryError            a query failed while running (exit 1)
    └── NetworkError          a remote service could not be reached or answered badly (exit 1)

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


class SparqlSyntaxError(InputError):
    """A SPARQL text does not parse; ``line`` and ``column`` count from 1 in that text."""

    def __init__(self, line: int, column: int | None, reason: str, source: str = "query") -> None:
        where = f"{source}:{line}:{column}" if column else f"{source}:{line}"
        super().__init__(f"{where}: SPARQL syntax error: {reason}")
        self.line, self.column, self.reason = line, column, reason

    def located(self, source: str) -> SparqlSyntaxError:
        """The same error, said of the file or stream ``source``."""
        return SparqlSyntaxError(self.line, self.column, self.reason, source)


class UsageError(AfkgError):
    """The caller asked for something that does not exist or does not fit."""

    exit_code = 2


class QueryError(AfkgError):
    """A query could not be run to completion."""

    exit_code = 1


class NetworkError(AfkgError):
    """A remote service (Wikidata, a SPARQL endpoint) was unreachable, too slow, or answered badly."""

    exit_code = 1
