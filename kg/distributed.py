"""Parsing and extraction on a Dask distributed cluster (``kg ingest --scheduler``).

Only the building moves to the cluster. This process does what a single-machine
ingest's parent does (:func:`kg.pipeline.ingest`, reused as it is): it streams
the input, skips unchanged articles by content hash and writes built articles
through the store layer in batches, in input order. Each batch of
``kg.pipeline.BATCH`` articles is one Dask task (:func:`kg.pipeline.build_batch`
on a worker); at most ``AHEAD`` tasks per worker thread are in flight. A worker
process loads the spaCy model once (warmed up on every worker when the run
starts, cached per process for workers that join later) and sends back each
article's graph as N-Triples bytes with its counts, not the article text, which
this process still holds.

No step needs a global view: IRIs are minted deterministically
(:mod:`kg.graph.iris`: actors by type and normalised name, statements by article
and content), entity resolution works within one article (:mod:`kg.resolve`),
and the union default graph is the set union of the article graphs, which the
store keeps on write. So workers need no coordination, and the graph equals a
single-process ingest's whatever the number of workers
(``tests/test_distributed.py``).

Dask is the optional extra ``kg[dask]``; it is imported only when used.

Example:
    >>> with open_builders(settings, local_workers=2) as builders:  # doctest: +SKIP
    ...     ingest(["seeds/"], store, settings, builders=builders)
"""

from __future__ import annotations

import logging
import signal
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, cast

from kg.config import Settings
from kg.errors import ConfigError, ExtractionError
from kg.pipeline import AHEAD, Built, Todo, _init_worker, build_batch

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = ["CONNECT_TIMEOUT", "DaskBuilders", "open_builders"]

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler and see a worker
Row = tuple[bytes, tuple[int, int, int, int], str | None]  # N-Triples, counts, error


def _distributed() -> ModuleType:
    """Import ``distributed``, or say how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ConfigError(
            "--scheduler and --dask-local need Dask, which is not installed: "
            "pip install 'kg[dask]' (dask[distributed])"
        ) from exc
    if not log.isEnabledFor(logging.INFO):  # it logs its own start-up at INFO
        logging.getLogger("distributed").setLevel(logging.WARNING)
    return distributed


# -- the worker side ----------------------------------------------------------------

_LOCK = threading.Lock()  # one spaCy model per process: one batch at a time
_LOADED: dict[str, tuple[str, str]] = {}


def _load(model: str, base_iri: str) -> None:
    """Load the model into this worker process, once per (model, base IRI)."""
    if _LOADED.get("key") != (model, base_iri):
        _init_worker(model, base_iri, False)
        _LOADED["key"] = (model, base_iri)


def _warm_up(model: str, base_iri: str) -> None:
    with _LOCK:
        _load(model, base_iri)


def _build(todo: list[Todo], model: str, base_iri: str) -> list[Row]:
    """One task: build a batch; return each article's N-Triples, counts, error."""
    with _LOCK:
        _load(model, base_iri)
        return [(b.ntriples, b.counts, b.error) for b in build_batch(todo)]


# -- the client side ----------------------------------------------------------------


class DaskBuilders:
    """Builds batches on a Dask cluster; a drop-in for the pipeline's process pool.

    ``ingest(..., builders=DaskBuilders(client, settings))`` runs the pipeline
    with its building on the cluster; the ingest closes the builders when it
    ends, so make one per ingest. ``owned`` are closed with them (the client and
    local cluster :func:`open_builders` made); a caller's client stays open.

    Raises:
        ConfigError: a worker cannot load the spaCy model.
    """

    def __init__(
        self, client: Client, settings: Settings, *, owned: tuple[Any, ...] = ()
    ) -> None:
        self.client = cast(Any, client)  # distributed's own hints are partial
        self.address = str(self.client.scheduler.address)
        self.args = (settings.spacy_model, settings.base_iri)
        self.owned = owned
        self.pending: deque[tuple[list[Todo], Future[list[Row]]]] = deque()
        self.workers = max(1, sum(self.client.nthreads().values()))
        try:  # load the model everywhere now: not in the first batches' time
            self.client.run(_warm_up, *self.args)
        except Exception as exc:
            self.close()
            raise ConfigError(
                f"a Dask worker of {self.address} cannot load the spaCy model "
                f"{self.args[0]!r} (every worker needs kg and the model "
                f"installed): {exc}"
            ) from exc

    def run(self, batches: Iterator[list[Todo]]) -> Iterator[list[Built]]:
        """Built batches in input order, at most ``AHEAD`` per worker in flight."""
        for todo in batches:
            task = self.client.submit(_build, todo, *self.args, pure=False)
            self.pending.append((todo, task))
            if len(self.pending) >= AHEAD * self.workers:
                yield self._next()
        while self.pending:
            yield self._next()

    def _next(self) -> list[Built]:
        todo, task = self.pending.popleft()
        try:
            rows: list[Row] = task.result()
        except Exception as exc:
            first = todo[0][0]
            raise ExtractionError(
                f"the Dask cluster at {self.address} failed on the batch of "
                f"{len(todo)} articles from {first.origin or first.id}: {exc!r}. "
                "Every stored article is whole: run the same command again to resume."
            ) from exc
        return [
            Built(article, graph, digest, ntriples, counts, error)
            for (article, graph, digest), (ntriples, counts, error) in zip(
                todo, rows, strict=True
            )
        ]

    def finished(self) -> Iterator[list[Built]]:
        """The batches already built when interrupted, in input order."""
        while self.pending and self.pending[0][1].status == "finished":
            yield self._next()

    def close(self, *, cancel: bool = False) -> None:
        """Drop (or cancel) the tasks in flight; close what this object owns."""
        if cancel and self.pending:
            self.client.cancel([task for _, task in self.pending])
        self.pending.clear()
        owned, self.owned = self.owned, ()
        for thing in owned:
            thing.close()

    def __enter__(self) -> DaskBuilders:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(cancel=exc is not None)


def open_builders(
    settings: Settings,
    *,
    scheduler: str | None = None,
    local_workers: int | None = None,
    timeout: float | None = None,
) -> DaskBuilders:
    """Connect to a Dask scheduler, or start a local cluster, for an ingest.

    Args:
        settings: the spaCy model and base IRI the workers use.
        scheduler: address of a running scheduler (``tcp://host:8786``).
        local_workers: start a local cluster of this many worker processes
            (one thread each) instead.
        timeout: seconds to reach the scheduler and see a worker
            (default ``CONNECT_TIMEOUT``).

    Raises:
        ConfigError: Dask is not installed, both or neither of ``scheduler`` and
            ``local_workers`` are given, the scheduler cannot be reached or has
            no worker, or a worker cannot load the model.

    Example:
        >>> open_builders(Settings(), scheduler="tcp://10.0.0.5:8786")  # doctest: +SKIP
        <kg.distributed.DaskBuilders object at ...>
    """
    if (scheduler is None) == (local_workers is None):
        raise ConfigError("give either a scheduler address or local_workers")
    if local_workers is not None and local_workers < 1:
        raise ConfigError(f"local_workers must be 1 or more, not {local_workers}")
    dd = _distributed()
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if local_workers is not None:
        with _sigint_ignored():  # the workers inherit it: Ctrl-C is ours to handle
            cluster = dd.LocalCluster(
                n_workers=local_workers,
                processes=True,
                threads_per_worker=1,
                dashboard_address=None,  # no dashboard; its HTTP server on a free port:
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=max(logging.WARNING, log.getEffectiveLevel()),
            )
        client = dd.Client(cluster)
        return DaskBuilders(client, settings, owned=(client, cluster))
    client = _connect(dd, str(scheduler), timeout)
    return DaskBuilders(client, settings, owned=(client,))


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while local workers are spawned (as the pipeline's pool does).

    A Ctrl-C reaches the whole process group; this process stops the run and
    keeps what is built, while workers that got it too would die with tracebacks.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _connect(dd: ModuleType, address: str, timeout: float) -> Client:
    try:
        client = dd.Client(address, timeout=timeout)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler at {address}: {exc}. Start one "
            f"('dask scheduler', then 'dask worker {address} --nthreads 1' on "
            "each machine) or use --dask-local N."
        ) from exc
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as exc:
        client.close()
        raise ConfigError(
            f"the Dask scheduler at {address} has no worker after {timeout:g} s: "
            f"start some with 'dask worker {address} --nthreads 1'"
        ) from exc
    return cast("Client", client)
