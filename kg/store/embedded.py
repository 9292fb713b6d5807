"""The embedded default store: Oxigraph (pyoxigraph) on disk.

Each article lives in its own named graph. The store's default graph holds the
set union of all article graphs, maintained here on every write, because
Oxigraph's ``use_default_graph_as_union`` has bag semantics: a triple present
in 24 article graphs would match 24 times and every COUNT would be wrong.

Chosen over rdflib+oxrdflib after ``benchmarks/bench_store.py`` (numbers in the
README): direct pyoxigraph loads and queries faster and gives real per-call
transactions, which oxrdflib's ``commit()`` does not.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib import Literal as RLiteral
from rdflib.term import Node

from kg.errors import QueryError, StoreError, StoreLockedError
from kg.vocab import KG, PREFIXES

log = logging.getLogger(__name__)

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _retract(graph: str) -> str:
    """SPARQL Update: drop a named graph and the union triples only it held."""
    g = f"<{graph}>"
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} FILTER NOT EXISTS "
        f"{{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {g}) }} }} ;\n"
        f"DROP SILENT GRAPH {g} ;\n"
    )


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert one rdflib term to its pyoxigraph equivalent."""
    if isinstance(term, RLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


# strings, IRIs and comments are blanked before looking for the SERVICE keyword
_OPAQUE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE\b", re.I)
# after blanking IRIs, a prologue is only "PREFIX p:" and "BASE" words
_UPDATE = re.compile(
    r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s+)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.I,
)


def check_query(sparql: str) -> None:
    """Refuse updates and SERVICE before the engine sees the query.

    SERVICE would make Oxigraph fetch any URL on the caller's behalf (SSRF).

    Raises:
        QueryError: the text is an update or calls SERVICE.
    """
    bare = _OPAQUE.sub(" ", sparql)
    if _UPDATE.match(bare):
        raise QueryError(
            "SPARQL Update is not allowed: queries are read-only "
            "(send SELECT, ASK, CONSTRUCT or DESCRIBE)"
        )
    if _SERVICE.search(bare):
        raise QueryError(
            "SERVICE (federated query) is not allowed: the store never makes "
            "network requests on a query's behalf"
        )


def rdf_format(fmt: str) -> ox.RdfFormat:
    try:
        return FORMATS[fmt]
    except KeyError:
        valid = ", ".join(FORMATS)
        raise StoreError(
            f"unknown RDF format {fmt!r}; valid formats: {valid}"
        ) from None


class EmbeddedStore:
    """pyoxigraph on disk (or in memory when ``path`` is None)."""

    def __init__(self, path: str | Path | None, *, read_only: bool = False) -> None:
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"the store {self.path} is open in another process (a running "
                    "'kg serve' or 'kg ingest'); stop it or use another --store"
                ) from exc
            raise StoreError(f"cannot open the store {self.path}: {exc}") from exc

    # -- writes ---------------------------------------------------------------
    def article_hash(self, graph: str) -> str | None:
        g = ox.NamedNode(graph)
        for quad in self._store.quads_for_pattern(
            None, ox.NamedNode(str(KG.contentHash)), None, g
        ):
            return str(quad.object.value)  # type: ignore[union-attr]
        return None

    def put_graph(self, graph: str, triples: Graph) -> None:
        """Replace the named graph in one transaction: whole article or nothing."""
        g = ox.NamedNode(graph)
        named = [
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)  # type: ignore[arg-type]
            for s, p, o in triples
        ]
        try:
            if not self._store.contains_named_graph(g):
                union = [ox.Quad(q.subject, q.predicate, q.object) for q in named]
                self._store.extend(named + union)  # one transaction
                return
            body = ox.serialize(
                (q.triple for q in named), format=ox.RdfFormat.N_TRIPLES
            )
            text = body.decode() if body else ""
            # one SPARQL update is one transaction: never half-replaced
            self._store.update(
                _retract(graph)
                + f"INSERT DATA {{ GRAPH <{graph}> {{\n{text}}}\n{text}}}"
            )
        except OSError as exc:
            raise StoreError(f"writing graph {graph} failed: {exc}") from exc

    def remove_graph(self, graph: str) -> bool:
        if not self._store.contains_named_graph(ox.NamedNode(graph)):
            return False
        try:
            self._store.update(_retract(graph).rstrip(" ;\n"))
        except OSError as exc:
            raise StoreError(f"removing graph {graph} failed: {exc}") from exc
        return True

    def graphs(self) -> Iterator[str]:
        for g in self._store.named_graphs():
            yield str(g.value)

    # -- reads ----------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> Any:
        """Run a SPARQL query; the default graph is the union of the article graphs.

        Raises:
            QueryError: the query does not parse (message with line and column).
        """
        check_query(sparql)
        kwargs: dict[str, Any] = {"prefixes": PREFIXES}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"malformed SPARQL query: {exc}") from exc
        except (RuntimeError, ValueError) as exc:
            raise QueryError(f"the query failed: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def dump(self, output: IO[bytes], fmt: str) -> None:
        rf = rdf_format(fmt)
        if rf.supports_datasets:  # the article graphs, without the union copy
            quads = (
                q
                for q in self._store.quads_for_pattern(None, None, None)
                if not isinstance(q.graph_name, ox.DefaultGraph)
            )
            ox.serialize(quads, output, format=rf, prefixes=PREFIXES)
        else:  # the union graph
            self._store.dump(
                output, format=rf, from_graph=ox.DefaultGraph(), prefixes=PREFIXES
            )

    def __len__(self) -> int:
        return len(self._store)

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()

    def close(self) -> None:
        """Flush and release the store (and its lock); safe to call twice."""
        if hasattr(self, "_store"):
            self.flush()
            del self._store


def open_store(location: str | Path, *, read_only: bool = False) -> EmbeddedStore:
    """Open the store named by ``--store`` / ``KG_STORE`` (a directory)."""
    return EmbeddedStore(location, read_only=read_only)
