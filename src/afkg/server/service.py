"""What the server loads once at start: the checked graph, the stored queries, the worker pool."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from afkg.errors import AfkgError, QueryError
from afkg.layout import Layout, default_layout
from afkg.server.config import ServerConfig
from afkg.server.store import DATA_GRAPH, ONTOLOGY_GRAPH, check_stamp, graph_counts
from afkg.server.workers import QueryPool, WorkerSpec

if TYPE_CHECKING:
    from afkg.graph import KnowledgeGraph
    from afkg.query.catalogue import StoredQuery


@dataclass
class Service:
    """The loaded project and its query workers; shared by every request."""

    config: ServerConfig
    layout: Layout
    queries: dict[str, StoredQuery]
    counts: dict[str, int]
    pool: QueryPool
    cache: dict[Any, bytes] = field(default_factory=dict)
    kg: KnowledgeGraph | None = None
    """The project as loaded and validated at start (None when served from a store)."""

    @classmethod
    def load(cls, config: ServerConfig) -> Service:
        """Load and check the project of ``config``: validated, unless read from a store that
        ``afkg build --store`` wrote (for a graph that conforms) from the very files the project
        has now; an AfkgError says why it cannot be served."""
        layout = default_layout(config.root)
        spec = WorkerSpec(root=str(layout.root), store=config.store, allow_service=config.allow_service,
                          memory=config.memory_bytes)
        pool = QueryPool(spec, size=config.max_concurrent, max_queued=config.queue_size, timeout=config.timeout,
                         queue_timeout=config.queue_wait)
        pool.prepare()  # the process the workers are forked from starts while this one reads and checks the rest
        try:
            counts: dict[str, int] | None = None
            if config.store:  # validated when it was written; its stamp says the files have not changed since
                stamp = check_stamp(config.store, layout)
                counts = {name: int(count) for name, count in stamp["graphs"].items()
                          if name in (ONTOLOGY_GRAPH, DATA_GRAPH)}
            counts, kg, queries = cls._read(config, layout, counts, pool)
        except BaseException:
            pool.close()
            raise
        return cls(config=config, layout=layout, queries=queries, counts=counts, pool=pool, kg=kg)

    @staticmethod
    def _read(config: ServerConfig, layout: Layout, counts: dict[str, int] | None, pool: QueryPool) -> tuple[
            dict[str, int], KnowledgeGraph | None, dict[str, StoredQuery]]:
        """The graphs' sizes, the project (validated) when served from its files, and the stored queries
        (read by the process the workers are forked from, which needs them too)."""
        kg = None
        if counts is None:
            from afkg.graph import load  # start-up: a store whose stamp matches is served without loading the graph
            from afkg.validation.validate import validate  # start-up: nor validating it (pyshacl)

            kg = load(layout)
            report = validate(kg)
            if not report.conforms:
                count = len(report.results)
                raise NotConforming(f"the graph does not conform to its shapes ({count} problem"
                                    f"{'s' if count != 1 else ''}); run 'afkg validate' for the report")
            counts = {name: count for name, count in graph_counts(kg.store).items()
                      if name in (ONTOLOGY_GRAPH, DATA_GRAPH)}
        queries = {q.name: q for q in pool.catalogue()}
        return counts, kg, queries

    def start(self) -> None:
        """Start the workers (each loads the store) and wait for them."""
        self.pool.start()

    def close(self) -> None:
        """End the workers."""
        self.pool.close()


class NotConforming(QueryError):
    """The graph does not conform to its shapes, so it is not served."""


__all__ = ["AfkgError", "NotConforming", "Service"]
