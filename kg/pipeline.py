"""Runs the stages: read, parse, extract/resolve, build RDF, commit per article.

The parent process reads the input (streaming), skips unchanged articles by
content hash and writes the new articles' graphs about ``COMMIT_LINES`` triples
at a time (``Store.put_batch``: each article whole or absent, even after a
kill -9; see ``kg.store.embedded``). Parsing,
extraction and building the RDF run in ``workers`` processes (one spaCy model
each), a few batches ahead at most, so memory stays flat whatever the corpus
size. Results come back in input order as N-Triples bytes, so the graph is the
same for any number of workers.

Ctrl-C stops after writing what is built; nothing is half-written, and
running the same command again skips what is stored and does the rest.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import signal
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from typing import Any, Protocol

from kg.config import Settings
from kg.extract.article import extract_article
from kg.extract.nlp import load_nlp
from kg.graph.build import build_ntriples, content_hash
from kg.graph.iris import Minter
from kg.ingest.news import Skipped, read_articles
from kg.store.base import Store
from kg.types import Article

log = logging.getLogger(__name__)
BATCH = 16  # articles per task: one nlp.pipe call in a worker
AHEAD = 2  # tasks in flight per worker: enough to keep them busy, bounded memory
# built N-Triples lines gathered before one store write. Each write is one
# bulk_load, i.e. one new level-0 file per RocksDB index, and every few of those
# start a compaction that rewrites level 1 whole: 5x bigger writes cut the
# compaction CPU 4x (13.5 s -> 3.4 s for 2,000 articles) for ~200 MB more RSS.
COMMIT_LINES = 200_000
# batches parsed in one spaCy memory zone (32 x 16 = 512 articles). Every string and
# lexeme a zone adds (each new name) is freed when it closes. spaCy's tokenizer
# caches nothing inside a zone, so a model's first PRIME_BATCHES batches run outside
# any: their common words ("the", "said,") stay cached for good. Parse CPU on 640
# articles against no zone at all: +7% with a zone per batch; +2% with one primed
# batch and 32 per zone; +1.4% with four (repeated runs vary by about 2%). Through
# build_batch on 960 articles, zones on and off could not be told apart.
ZONE_BATCHES = 32
# docs spaCy parses at once inside a batch. Its working memory grows with them, about
# 8 MB an article (batches of 16: 127 MB median, 147 max; of 4: 33 and 43), for the
# same CPU time (256 articles: 14.7 s against 14.8) and the same parses (256 articles,
# every token's tag, head, label, lemma and entity the same at 16, 4 and 1).
PARSE_BATCH = 4
PRIME_BATCHES = 4


@dataclass
class IngestReport:
    """What an ingest did."""

    articles_read: int = 0
    articles_ingested: int = 0
    articles_unchanged: int = 0
    sentences: int = 0
    entities: int = 0
    relations: int = 0
    quotes: int = 0
    words: int = 0
    quads: int = 0
    workers: int = 1
    interrupted: bool = False
    skipped: list[Skipped] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        d = dict(self.__dict__)
        d["skipped"] = [{"source": s.source, "reason": s.reason} for s in self.skipped]
        return d


@dataclass
class Built:
    """One article after the worker: its graph as N-Triples, or why it failed."""

    article: Article
    graph: str
    digest: str
    ntriples: bytes = b""
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # sentences, entities, ...
    error: str | None = None


Todo = tuple[Article, str, str]  # article, graph IRI, content hash


def default_workers() -> int:
    """All cores (``os.process_cpu_count`` where available)."""
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return max(1, count or 1)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


# -- the worker side ----------------------------------------------------------------

_STATE: dict[str, Any] = {}
# per model: batches parsed outside any zone (up to PRIME_BATCHES)
_PRIMED: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _init_worker(
    model: str, base_iri: str, ignore_sigint: bool, parent: int | None = None
) -> None:
    """Load the model once per process; Ctrl-C is the parent's to handle."""
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _close_zone()  # an earlier in-process ingest's
    _STATE.update(nlp=load_nlp(model), minter=Minter(base_iri))
    # the model's objects live as long as the process: keep them out of every
    # garbage collection (each full collection would scan them all again)
    gc.freeze()


def _exit_with(parent: int) -> None:
    """A worker whose parent was killed (kill -9 skips every clean-up) exits too."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def build_batch(todo: list[Todo]) -> list[Built]:
    """Parse, extract and build one batch (in a worker, or in-process)."""
    nlp, minter = _STATE["nlp"], _STATE["minter"]
    if _PRIMED.get(nlp, 0) < PRIME_BATCHES:
        _PRIMED[nlp] = _PRIMED.get(nlp, 0) + 1
        return _build(nlp, minter, todo)
    if "zone" not in _STATE or _STATE["batches"] >= ZONE_BATCHES:
        _close_zone()
        _STATE.update(zone=ExitStack(), batches=0)
        _STATE["zone"].enter_context(nlp.memory_zone())
    _STATE["batches"] += 1
    return _build(nlp, minter, todo)


def _close_zone() -> None:
    """Free the strings and lexemes the open memory zone added to the vocabulary.

    Safe between batches only: nothing of a batch's Docs outlives it, only bytes.
    Without zones every new name would stay in the model's vocabulary for the
    life of the process (50,000 articles: ~100 MB).
    """
    zone = _STATE.pop("zone", None)
    if zone is not None:
        zone.close()


def _build(nlp: Any, minter: Minter, todo: list[Todo]) -> list[Built]:
    out = []
    for (article, graph, digest), doc in zip(
        todo,
        nlp.pipe((a.text for a, _, _ in todo), batch_size=PARSE_BATCH),
        strict=True,
    ):
        try:
            ex = extract_article(doc, article)
            data = build_ntriples(ex, minter=minter, digest=digest)
        except Exception as exc:  # one bad article must not stop the run
            log.exception("extraction failed for %s", article.origin)
            out.append(
                Built(article, graph, digest, error=f"extraction failed: {exc!r}")
            )
            continue
        counts = (
            len(ex.sentences),
            len(ex.entities),
            len(ex.relations),
            len(ex.quotes),
        )
        out.append(Built(article, graph, digest, data, counts))
    return out


class Builders(Protocol):
    """What turns batches into built articles: local processes, or a Dask cluster."""

    workers: int

    def run(self, batches: Iterator[list[Todo]]) -> Iterator[list[Built]]: ...

    def finished(self) -> Iterator[list[Built]]:
        """After an interrupt: the batches built but not handed back yet, in order."""
        ...

    def close(self, *, cancel: bool = False) -> None: ...


class _Builders:
    """``workers`` processes (or this one) turning batches into built articles."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self.workers = workers
        args = (settings.spacy_model, settings.base_iri)
        self.pool: ProcessPoolExecutor | None = None
        self.pending: deque[Future[list[Built]]] = deque()
        if workers > 1:
            self.pool = ProcessPoolExecutor(
                workers,
                mp_context=get_context("spawn"),  # no inherited store handles
                initializer=_init_worker,
                initargs=(*args, True, os.getpid()),
            )
        else:
            _init_worker(*args, False)

    def run(self, batches: Iterator[list[Todo]]) -> Iterator[list[Built]]:
        """Built batches in input order, at most ``AHEAD`` per worker in flight."""
        if self.pool is None:
            for todo in batches:
                yield build_batch(todo)
            return
        pending = self.pending
        for todo in batches:
            pending.append(self.pool.submit(build_batch, todo))
            if len(pending) >= AHEAD * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def finished(self) -> Iterator[list[Built]]:
        """The batches already built when interrupted, in input order."""
        while self.pending and self.pending[0].done():
            future = self.pending.popleft()
            if not future.cancelled() and future.exception() is None:
                yield future.result()

    def close(self, *, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=not cancel, cancel_futures=cancel)
        else:
            _close_zone()  # the model is this process's: leave its vocabulary as it was


# -- the parent side ----------------------------------------------------------------


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    settings: Settings,
    *,
    defaults: Mapping[str, str | None] | None = None,
    on_article: Callable[[Article | Skipped, IngestReport], None] | None = None,
    workers: int = 1,
    builders: Builders | None = None,
) -> IngestReport:
    """Ingest news files into the store; each article is stored whole or not at all.

    Unchanged articles (same content hash) are skipped; a changed article
    replaces its named graph. Bad files are recorded in ``report.skipped``.
    ``workers`` processes parse and extract (1: this process), unless
    ``builders`` do it (``kg.distributed.DaskBuilders``: a Dask cluster). On Ctrl-C the
    report comes back with ``interrupted`` set; every stored article is whole.

    Example:
        >>> ingest(["seeds/"], open_store("kg-data"), Settings())  # doctest: +SKIP
    """
    report = IngestReport(workers=workers)
    minter = Minter(settings.base_iri)

    def notify(item: Article | Skipped) -> None:
        if on_article:
            on_article(item, report)

    # a store that holds no graph yet has nothing to look up: the articles of this
    # run have distinct ids (duplicates are skipped as read), so distinct graphs
    new = store.is_empty()

    def todo_batches() -> Iterator[list[Todo]]:
        articles = read_articles(paths, defaults=defaults, settings=settings)
        for batch in _batches(articles, BATCH):
            todo: list[Todo] = []
            for item in batch:
                if isinstance(item, Skipped):
                    report.skipped.append(item)
                    log.warning("skipped %s: %s", item.source, item.reason)
                    notify(item)
                    continue
                report.articles_read += 1
                graph = str(minter.article_graph(item.id))
                digest = content_hash(item, settings.spacy_model)
                if not new and store.article_hash(graph) == digest:
                    report.articles_unchanged += 1
                    notify(item)
                else:
                    todo.append((item, graph, digest))
            if todo:
                yield todo

    if builders is None:  # else e.g. kg.distributed.DaskBuilders (a cluster)
        builders = _Builders(settings, workers)
    ready: list[Built] = []  # built, not yet written: at most ~COMMIT_LINES lines

    def write() -> None:
        _trim_heap()  # the parse's freed memory, before the write's own peak
        _commit(ready, store, report, new=new)  # one write for the new ones
        _trim_heap()  # and what the write freed, before the parse goes on
        for b in ready:
            notify(b.article)
        ready.clear()

    try:
        lines = 0
        for built in builders.run(todo_batches()):
            ready += built
            lines += sum(b.ntriples.count(b"\n") for b in built)
            if lines >= COMMIT_LINES:
                write()
                lines = 0
        write()
    except KeyboardInterrupt:
        report.interrupted = True
        for built in builders.finished():  # what is built already: keep it
            ready += built
        builders.close(cancel=True)
        write()
    finally:
        builders.close()
    return report


def _load_malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None (macOS, musl: nothing to do there)."""
    try:  # the process's own symbols: no ``find_library`` (it forks ldconfig)
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # TypeError: Windows wants a name
        return None


_MALLOC_TRIM = _load_malloc_trim()


def _trim_heap() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``).

    glibc keeps what a process frees, in every thread's arena: spaCy's batches in
    the main one, the store's bulk loads and RocksDB's compactions in theirs. A
    1-worker ingest otherwise carries ~70 MB of free but resident pages from the
    parse into each write and back (1,040 articles: peak RSS 433 -> 419 MB). Two
    calls per write group (~500 articles) cost about a millisecond each.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _commit(
    built: list[Built], store: Store, report: IngestReport, *, new: bool = False
) -> None:
    good = [b for b in built if b.error is None]
    for b in built:
        if b.error is not None:
            report.skipped.append(Skipped(b.article.origin or b.article.id, b.error))
    report.quads += store.put_batch([(b.graph, b.ntriples) for b in good], new=new)
    for b in good:
        report.articles_ingested += 1
        report.words += len(b.article.text.split())
        s, e, r, q = b.counts
        report.sentences += s
        report.entities += e
        report.relations += r
        report.quotes += q


def remove_article(article_id: str, store: Store, settings: Settings) -> bool:
    """Delete one article's named graph; False if it was not stored."""
    return store.remove_graph(str(Minter(settings.base_iri).article_graph(article_id)))
