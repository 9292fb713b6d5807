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

import io
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import FormatError, QueryError, StoreError, StoreLockedError
from kg.graph.build import to_ntriples
from kg.store.guard import blank_same_length, check_sparql
from kg.store.shape import Pattern, single_pattern
from kg.textcache import short_text_cache
from kg.vocab import KG, PREFIXES

log = logging.getLogger(__name__)
_IRI_OK = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")
CHEAP_ROWS = 256  # rows a query may return and still run on the server's loop
BULK_MIN_QUADS = 4096  # new-graph writes at least this big go through bulk_load
# the named graph listing the article graphs a bulk write has not finished yet
PENDING = "urn:kg:store:pending"
_PENDING = ox.NamedNode(PENDING)
_PENDING_CLASS = ox.NamedNode("urn:kg:store:PendingGraph")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_MARKER = f" <{KG.contentHash}> ".encode()

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


_REBUILD_UNION = (
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ;\n"
    "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
)


def _with_using(sparql: str, using: list[str], named: list[str]) -> str:
    """Add USING / USING NAMED before every WHERE (the protocol's dataset)."""
    if not using and not named:
        return sparql
    blanked = blank_same_length(sparql)
    if re.search(r"\b(USING|WITH)\b", blanked, re.I):
        raise QueryError(
            "using-graph-uri / using-named-graph-uri conflict with USING or WITH "
            "in the update: give the dataset one way"
        )
    clause = "".join(f" USING <{g}>" for g in using)
    clause += "".join(f" USING NAMED <{g}>" for g in named)
    out, last = [], 0
    for m in re.finditer(r"\bWHERE\b", blanked, re.I):
        out += [sparql[last : m.start()], clause + " "]
        last = m.start()
    return "".join(out) + sparql[last:]


@short_text_cache()
def _single_pattern(sparql: str) -> Pattern | None:
    return single_pattern(sparql, PREFIXES)


def _check_ntriples(graph: str, data: bytes) -> None:
    """The data must be N-Triples lines as pyoxigraph writes them."""
    if not _IRI_OK.fullmatch(graph):
        raise StoreError(f"not a graph IRI: {graph!r}")
    if data and not data.endswith(b" .\n"):
        raise StoreError(f"graph {graph}: the N-Triples do not end with ' .\\n'")


def _split_marker(data: bytes) -> tuple[bytes, bytes] | None:
    """(the N-Triples without the ``kg:contentHash`` line, that line), or None."""
    i = data.find(_MARKER)
    while i >= 0:
        start = data.rfind(b"\n", 0, i) + 1
        if b" " not in data[start:i]:  # the predicate, not text inside a literal
            end = data.index(b"\n", i) + 1
            return data[:start] + data[end:], data[start:end]
        i = data.find(_MARKER, i + 1)
    return None


def _in_graph(graph: str, data: bytes) -> bytes:
    """N-Triples lines -> N-Quads lines in ``graph``."""
    return data.replace(b" .\n", f" <{graph}> .\n".encode())


class _Chunks(io.RawIOBase):
    """A read-only binary stream over an iterable of byte strings."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._view = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._view:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._view = memoryview(chunk)
        n = min(len(buffer), len(self._view))
        buffer[:n] = self._view[:n]
        self._view = self._view[n:]
        return n


def _reader(chunks: Iterable[bytes]) -> IO[bytes]:
    """``chunks`` as one buffered file for ``bulk_load``, produced as it reads.

    Joining a 200,000-line group first held it twice more in memory
    (about 90 MB per 1.2M quads, measured); the parse speed is the same.
    """
    return io.BufferedReader(_Chunks(chunks), buffer_size=1 << 20)


# literals XML 1.0 cannot hold (C0 controls but tab and LF), or would change (CR → LF)
_XML_UNSAFE = """ASK {{ {pattern} FILTER(isLiteral(?o) &&
  REGEX(STR(?o), "[\\u0000-\\u0008\\u000B-\\u001F\\uFFFE\\uFFFF]")) }}"""


def check_xml_safe(store: Any, fmt: ox.RdfFormat, graph: str | None = None) -> None:
    """Refuse an RDF/XML export (of ``graph``, else of everything) that could not
    say every literal exactly; ``store``: anything with ``query(sparql)``.

    Raises:
        FormatError: a literal holds a character XML 1.0 forbids or changes.
    """
    if fmt != ox.RdfFormat.RDF_XML:
        return
    if graph is not None and not _IRI_OK.fullmatch(graph):
        raise StoreError(f"not a graph IRI: {graph!r}")
    pattern = "?s ?p ?o ." if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    if bool(store.query(_XML_UNSAFE.format(pattern=pattern))):
        raise FormatError(
            "RDF/XML cannot hold some text of this graph exactly (control characters "
            "such as U+0000 or a carriage return, which XML 1.0 forbids or turns into "
            "a line feed): export as Turtle, TriG, N-Quads, N-Triples or JSON-LD"
        )


def rdf_format(fmt: str) -> ox.RdfFormat:
    try:
        return FORMATS[fmt]
    except KeyError:
        valid = ", ".join(FORMATS)
        raise StoreError(
            f"unknown RDF format {fmt!r}; valid formats: {valid}"
        ) from None


# pyoxigraph sets RocksDB's max_open_files to the process's RLIMIT_NOFILE minus this
# (and refuses to open a store under 96): pyoxigraph 0.5, read back from RocksDB's LOG
_OXIGRAPH_SPARE_FILES = 48


@contextmanager
def _open_files_cap(cap: int | None) -> Iterator[None]:
    """Open the store inside this to cap RocksDB's open table files at ``cap``.

    pyoxigraph takes the cap from the soft RLIMIT_NOFILE when the store opens, so
    the limit is lowered for the open only (never below the descriptors already
    open) and put back; where there are no rlimits, nothing changes.
    """
    try:
        import resource

        in_use = len(os.listdir("/proc/self/fd"))
    except (ImportError, OSError):  # Windows; no /proc (macOS): leave it alone
        in_use = None
    if not cap or in_use is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = max(cap, in_use) + _OXIGRAPH_SPARE_FILES
    if limit >= soft:
        yield
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class EmbeddedStore:
    """pyoxigraph on disk (or in memory when ``path`` is None)."""

    def __init__(
        self,
        path: str | Path | None,
        *,
        read_only: bool = False,
        allow_hosts: Iterable[str] = (),
        shared: bool = False,
        max_open_files: int | None = None,
    ) -> None:
        """``shared``: readers query this object while it writes (a server), so
        every write is one transaction, never the bulk path (whole only once done).

        ``max_open_files``: RocksDB keeps each table file it has opened open, with
        its index in memory (~1% of the file), until the file is deleted: memory
        that grows with the store (a 1-worker ingest, 5,000 -> 50,000 articles:
        ~90 MB). A cap (kg ingest: ``KG_INGEST_OPEN_FILES``) keeps it flat: 20,000
        synthetic articles in groups of 500, RSS 149 MB uncapped, 100 MB at 48 (flat
        from 4,500 on), no slower. Reads of files closed since open them again, so
        a server stays uncapped (None).
        """
        self.path = None if path is None else Path(path)
        self.allow_hosts = tuple(allow_hosts)
        self.read_only = read_only
        # query text -> is_cheap() answer; only this object writes, and each
        # write starts a new cache once it has committed
        self._cheap: dict[str, bool] = {}
        # writes through this object so far: caches of derived data key on it
        self.generation = 0
        self.bulk_min_quads = sys.maxsize if shared else BULK_MIN_QUADS
        self.recovered: list[str] = []  # graphs an interrupted ingest left
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                with _open_files_cap(max_open_files):
                    self._store = ox.Store(str(self.path))
                self.recovered = self._recover()
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
        self.put_ntriples(graph, to_ntriples(triples))

    def put_ntriples(self, graph: str, data: bytes) -> int:
        """Replace the named graph with these N-Triples in one transaction.

        Returns:
            How many quads were written (the graph's, plus their union copies).
        """
        return self.put_batch([(graph, data)])

    def put_batch(
        self, items: Sequence[tuple[str, bytes]], *, new: bool = False
    ) -> int:
        """Write several article graphs (N-Triples each); quads written.

        Each article is whole or absent afterwards, whatever happens (even a
        kill -9). A graph that exists already is replaced in a transaction of
        its own. New graphs go in one transaction (pyoxigraph parses the
        N-Quads in Rust: no Python object per triple), or, from
        ``BULK_MIN_QUADS`` quads on, through ``bulk_load``, which is 3x faster
        but not atomic; see :meth:`_bulk_write` for how it stays whole.

        ``new``: the caller knows none of the graphs exists, so none is looked
        up. Each lookup reads the RocksDB indexes, whose cached blocks then stay
        resident: 12,000 synthetic articles written in groups of 500 peaked at
        356 MB with a lookup per article, 320 MB without.
        """
        written = 0
        fresh: list[tuple[str, bytes]] = []
        seen: set[str] = set()
        try:
            for graph, data in items:
                _check_ntriples(graph, data)
                written += 2 * data.count(b"\n")
                if graph in seen:  # the same graph twice: the last one wins
                    self._write_fresh(fresh)
                    fresh, seen = [], set()
                seen.add(graph)
                if not new and self._store.contains_named_graph(ox.NamedNode(graph)):
                    self._replace(graph, data)
                else:
                    fresh.append((graph, data))
            self._write_fresh(fresh)
        except SyntaxError as exc:
            raise StoreError(f"invalid N-Triples for the store: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"writing {len(items)} graph(s) failed: {exc}") from exc
        finally:
            self._written()  # after the commit: answers cached before it are gone
        return written

    def _write_fresh(self, fresh: list[tuple[str, bytes]]) -> None:
        """New graphs: one transaction, or the marked bulk write when big."""
        if not fresh:
            return
        split = [(g, _split_marker(d)) for g, d in fresh]
        lines = sum(d.count(b"\n") for _, d in fresh)
        if 2 * lines < self.bulk_min_quads or any(m is None for _, m in split):
            # each line twice: in the article's graph, and in the union
            data = b"".join(_in_graph(g, d) + d for g, d in fresh)
            self._store.load(data, format=ox.RdfFormat.N_QUADS)
        else:
            self._bulk_write([(g, *m) for g, m in split if m is not None])

    def _bulk_write(self, items: list[tuple[str, bytes, bytes]]) -> None:
        """New article graphs through ``bulk_load``, each whole or absent.

        ``items`` are (graph, N-Triples without the marker, the marker line:
        the article's ``kg:contentHash`` triple). Four steps:

        1. one transaction lists the graphs in the ``PENDING`` graph;
        2. ``bulk_load`` of the graphs' triples (not atomic);
        3. ``bulk_load`` of their union copies, only once step 2 has finished,
           so every union triple written here has its named copy;
        4. one transaction adds the markers (graph and union) and empties
           ``PENDING``.

        A crash before 4 leaves the graphs listed as pending and unmarked: the
        next read-write open (:meth:`_recover`) retracts them like
        ``remove_graph`` would, and a re-run ingests them again (their
        ``article_hash`` is None). A crash in 4 changes nothing (atomic). An
        exception (Ctrl-C included) between the steps recovers at once.
        """
        self._store.extend(
            ox.Quad(ox.NamedNode(g), _RDF_TYPE, _PENDING_CLASS, _PENDING)
            for g, _, _ in items
        )
        try:
            # streamed, one article at a time: no joined copy of the whole group
            self._store.bulk_load(
                _reader(_in_graph(g, body) for g, body, _ in items),
                format=ox.RdfFormat.N_QUADS,
            )
            self._store.bulk_load(
                _reader(body for _, body, _ in items), format=ox.RdfFormat.N_TRIPLES
            )
            markers = "".join(
                f"GRAPH <{g}> {{ {m.decode()} }}\n{m.decode()}" for g, _, m in items
            )
            self._store.update(
                f"DROP SILENT GRAPH <{PENDING}> ;\nINSERT DATA {{\n{markers}}}"
            )
        except BaseException:
            self._recover()
            raise
        # the two small transactions (pending list, markers) land in RocksDB's write
        # buffers, which nothing else empties during a long ingest (128 MB per index):
        # about 10 MB per 500 articles, growing with the corpus. Flushed after each
        # bulk write, memory stays flat (1,040 articles: peak 419 -> 409 MB)
        self._store.flush()

    def _recover(self) -> list[str]:
        """Retract the graphs an interrupted bulk write left; their IRIs.

        A pending graph that has its marker was rewritten whole since (by a
        transaction of its own): it stays.
        """
        listed = [
            q.subject for q in self._store.quads_for_pattern(None, None, None, _PENDING)
        ]
        marker = ox.NamedNode(str(KG.contentHash))
        pending = [
            str(g.value)
            for g in listed
            if isinstance(g, ox.NamedNode)
            and next(self._store.quads_for_pattern(None, marker, None, g), None) is None
        ]
        if listed:
            log.warning(
                "store %s: %d article graph(s) were being written when the last "
                "ingest stopped; removing them (re-run the ingest to add them)",
                self.path,
                len(pending),
            )
            self._store.update(
                "".join(_retract(g) for g in pending) + f"DROP SILENT GRAPH <{PENDING}>"
            )
        return pending

    def _replace(self, graph: str, data: bytes) -> None:
        """One SPARQL update, so one transaction: never half-replaced."""
        text = data.decode()
        self._store.update(
            _retract(graph) + f"INSERT DATA {{ GRAPH <{graph}> {{\n{text}}}\n{text}}}"
        )

    def remove_graph(self, graph: str) -> bool:
        if not self._store.contains_named_graph(ox.NamedNode(graph)):
            return False
        try:
            self._store.update(_retract(graph).rstrip(" ;\n"))
        except OSError as exc:
            raise StoreError(f"removing graph {graph} failed: {exc}") from exc
        finally:
            self._written()
        return True

    def update(
        self,
        sparql: str,
        *,
        using_graphs: Iterable[str] = (),
        using_named_graphs: Iterable[str] = (),
        base_iri: str | None = None,
    ) -> None:
        """Run a SPARQL 1.1 Update on the named graphs, then rebuild the union.

        The default graph is the union of the article graphs, so it is rebuilt
        in the same transaction; write into named graphs (``GRAPH <g> {...}``).
        ``using_graphs`` / ``using_named_graphs`` are the protocol's
        ``using-graph-uri`` / ``using-named-graph-uri``: they become ``USING``
        / ``USING NAMED`` clauses of each operation that has a ``WHERE``.

        Raises:
            QueryError: the text is no update, is malformed, or would LOAD from
                a host that is not allowed.
        """
        check_sparql(sparql, update=True, allow_hosts=self.allow_hosts)
        text = _with_using(sparql, list(using_graphs), list(using_named_graphs))
        try:
            self._store.update(
                text + " ;\n" + _REBUILD_UNION, prefixes=PREFIXES, base_iri=base_iri
            )
        except SyntaxError as exc:
            raise QueryError(f"malformed SPARQL update: {exc}") from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"the update failed: {exc}") from exc
        finally:
            self._written()

    def _written(self) -> None:
        """After any write: cached answers go, the generation moves on."""
        self._cheap = {}
        self.generation += 1

    def has_graph(self, graph: str) -> bool:
        return bool(self._store.contains_named_graph(ox.NamedNode(graph)))

    def is_empty(self) -> bool:
        return next(iter(self._store.named_graphs()), None) is None

    def dump_graph(self, output: IO[bytes], graph: str | None, fmt: str) -> None:
        """Serialise one named graph (None: the default graph, i.e. the union)."""
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        rf = rdf_format(fmt)
        check_xml_safe(self._store, rf, graph)
        self._store.dump(output, format=rf, from_graph=name, prefixes=PREFIXES)

    def graphs(self) -> Iterator[str]:
        for g in self._store.named_graphs():
            if g != _PENDING:
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

        ``default_graph`` / ``named_graphs`` are the protocol's dataset: when
        either is given, the dataset is exactly those graphs (the default graph
        is their set union; only the named ones are visible to GRAPH), and it
        overrides FROM / FROM NAMED.

        Raises:
            QueryError: the query does not parse (message with line and column).
        """
        check_sparql(sparql, allow_hosts=self.allow_hosts)
        # no local alias of self._store: a traceback frame holding it would keep
        # the store (and its lock) alive after close()
        dataset: ox.Store | None = None
        kwargs: dict[str, Any] = {"prefixes": PREFIXES}
        if default_graph is not None or named_graphs is not None:
            defaults = list(default_graph or [])
            named = [ox.NamedNode(g) for g in named_graphs or []]
            if len(defaults) > 1:  # Oxigraph merges several as a bag: merge as a set
                dataset = self._dataset(defaults, named)
                kwargs["named_graphs"] = named
            else:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in defaults]
                kwargs["named_graphs"] = named
        try:
            return (dataset or self._store).query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"malformed SPARQL query: {exc}") from exc
        except (RuntimeError, ValueError) as exc:
            raise QueryError(f"the query failed: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def is_cheap(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> bool:
        """True when the query's cost is bounded and small before it runs.

        One triple pattern over the union graph (see :mod:`kg.store.shape`)
        whose rows are bounded by ``CHEAP_ROWS``: by its LIMIT and OFFSET, or
        by probing the index for at most that many matches. Such a query costs
        about as much as a dictionary lookup; the server runs it without a
        worker thread.
        """
        if default_graph is not None or named_graphs is not None:
            return False
        if len(sparql) > 2048:  # one triple pattern is never this long: no caching
            return False
        known = self._cheap.get(sparql)
        if known is None:
            cache = self._cheap  # a write meanwhile replaces it: stale, dropped
            known = cache[sparql] = self._bounded(sparql)
            if len(cache) > 4096:  # a dict keeps order: forget the oldest
                cache.pop(next(iter(cache)), None)
        return known

    def _bounded(self, sparql: str) -> bool:
        pattern = _single_pattern(sparql)
        if pattern is None:
            return False
        if pattern.ask:
            return True
        if pattern.limit is not None and pattern.limit + pattern.offset <= CHEAP_ROWS:
            return True
        subject, predicate, obj = pattern.nodes
        matches = self._store.quads_for_pattern(
            subject, predicate, obj, ox.DefaultGraph()
        )
        return sum(1 for _ in islice(matches, CHEAP_ROWS + 1)) <= CHEAP_ROWS

    def _dataset(self, defaults: list[str], named: list[ox.NamedNode]) -> ox.Store:
        """An in-memory dataset: the set union of ``defaults``, plus ``named``."""
        tmp = ox.Store()
        tmp.extend(
            ox.Quad(q.subject, q.predicate, q.object)
            for g in defaults
            for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(g))
        )
        tmp.extend(
            q for g in named for q in self._store.quads_for_pattern(None, None, None, g)
        )
        return tmp

    def dump(self, output: IO[bytes], fmt: str) -> None:
        rf = rdf_format(fmt)
        check_xml_safe(self._store, rf)
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


def open_store(
    location: str | Path, *, read_only: bool = False, allow_hosts: Iterable[str] = ()
) -> EmbeddedStore:
    """Open the store named by ``--store`` / ``KG_STORE`` (a directory)."""
    return EmbeddedStore(location, read_only=read_only, allow_hosts=allow_hosts)
