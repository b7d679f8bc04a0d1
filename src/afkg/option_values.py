"""Bounds given on the command line or in a request (seconds, rows, MiB), read into numbers or
refused with a one-line UsageError that names the option. Shared by the query limits, the HTTP
client and the CLI."""

from __future__ import annotations

import math

from afkg.errors import UsageError


def parse_timeout(value: str | float, option: str = "--timeout") -> float:
    """A timeout in seconds from ``value``: a finite number above 0, else a one-line UsageError."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{option} must be a number of seconds above 0, got {str(value)[:40]!r}") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise UsageError(f"{option} must be a finite number of seconds above 0, got {str(value)[:40]!r}")
    return seconds


def parse_max_rows(value: str | int, option: str = "--max-rows") -> int:
    """A row bound from ``value``: an integer of at least 1, else a one-line UsageError."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12 or int(text) < 1:
        raise UsageError(f"{option} must be a whole number of at least 1, got {str(value)[:40]!r}")
    return int(text)


def parse_max_memory(value: str | int, option: str = "--max-memory") -> int:
    """A memory bound in bytes from ``value`` in MiB: a whole number from 64 to 1048576, else a one-line
    UsageError."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 8 or not 64 <= int(text) <= 1 << 20:
        raise UsageError(f"{option} must be a whole number of MiB from 64 to 1048576, got {str(value)[:40]!r}")
    return int(text) << 20
