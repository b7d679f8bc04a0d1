"""afkg: a knowledge graph of a bilateral relation between two states.

The public surface is small: load the graph, validate it, query it. The CLI
and any server are thin layers over these. Names are imported on first use,
so that ``import afkg`` stays cheap for commands that need only part of it.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "AfkgError": "afkg.errors",
    "InputError": "afkg.errors",
    "QueryError": "afkg.errors",
    "UsageError": "afkg.errors",
    "Layout": "afkg.layout",
    "default_layout": "afkg.layout",
    "KnowledgeGraph": "afkg.graph",
    "load": "afkg.graph",
    "Report": "afkg.validation.validate",
    "validate": "afkg.validation.validate",
    "Catalogue": "afkg.query.catalogue",
    "StoredQuery": "afkg.query.catalogue",
    "get_engine": "afkg.query.engines",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'afkg' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
