"""afkg: a knowledge graph of a bilateral relation between two states.

The public surface is small: load the graph, validate it, describe it, build
the distribution files. The CLI and any server are thin layers over these.
"""

from __future__ import annotations

from afkg.errors import AfkgError, InputError, QueryError, UsageError
from afkg.graph import KnowledgeGraph, Layout, default_layout, load
from afkg.validate import Report, validate

__all__ = [
    "AfkgError",
    "InputError",
    "KnowledgeGraph",
    "Layout",
    "QueryError",
    "Report",
    "UsageError",
    "default_layout",
    "load",
    "validate",
]

__version__ = "0.1.0"
