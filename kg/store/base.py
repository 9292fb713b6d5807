"""The Store protocol: what the pipeline, CLI and API need from a triple store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, Protocol

from rdflib import Graph


class Store(Protocol):
    """A quad store holding one named graph per article."""

    def article_hash(self, graph: str) -> str | None:
        """The content hash stored for an article graph, or None if absent."""

    def put_graph(self, graph: str, triples: Graph) -> None:
        """Atomically replace the named graph with these triples."""

    def put_ntriples(self, graph: str, data: bytes) -> int:
        """Atomically replace the named graph with N-Triples; quads written."""

    def put_batch(
        self, items: Sequence[tuple[str, bytes]], *, new: bool = False
    ) -> int:
        """Write several article graphs (N-Triples each), each whole or absent.

        ``new``: the caller knows none of the graphs exists yet (an ingest into a
        store that held no graph, each graph once), so none needs looking up.
        """

    def is_empty(self) -> bool:
        """True when the store holds no named graph (so no article)."""

    def update(
        self,
        sparql: str,
        *,
        using_graphs: Iterable[str] = (),
        using_named_graphs: Iterable[str] = (),
        base_iri: str | None = None,
    ) -> None:
        """Run a SPARQL Update on the named graphs (the union follows)."""

    def has_graph(self, graph: str) -> bool:
        """True when the named graph exists."""

    def dump_graph(self, output: IO[bytes], graph: str | None, fmt: str) -> None:
        """Serialise one named graph (None: the union default graph)."""

    def remove_graph(self, graph: str) -> bool:
        """Delete a named graph; False if it did not exist."""

    def graphs(self) -> Iterator[str]:
        """The IRIs of the named graphs."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> Any:
        """Run a read-only SPARQL query; the default graph is the union of graphs."""

    def is_cheap(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> bool:
        """True when the query is known to be cheap (bounded) before it runs."""

    def dump(self, output: IO[bytes], fmt: str) -> None:
        """Serialise the whole store (graphs merged unless the format keeps them)."""

    def close(self) -> None:
        """Release the store."""
