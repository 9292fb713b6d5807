#!/usr/bin/env python
"""Ingest on a Dask cluster (``kg ingest --dask-local N``) against the single-process ingest.

Usage::

    .venv/bin/python benchmarks/bench_dask.py [--articles 300] [--dask-workers 1,2,4]

1. A generated corpus (``gen_corpus.py``, ``--articles`` articles) is the input.
2. It is ingested into a fresh embedded store by:
   - ``single process``: ``kg.pipeline.ingest(workers=1)``, spaCy loaded beforehand;
   - ``process pool, 2``: ``ingest(workers=2)``, the pipeline's own worker processes
     (their start-up and model loading fall inside the ingest time);
   - ``Dask, N workers``: a ``LocalCluster`` of N worker processes, one thread each
     (``kg.distributed.open_builders``), for each N of ``--dask-workers``. Its start-up
     (scheduler, workers, the model loaded in each) is timed apart from the ingest.
3. It prints a Markdown table: words per second over the ingest (and including
   start-up), the scaling against one Dask worker, and the ratio to the
   single-process ingest (below 1: Dask's overhead), and words per CPU second of
   all the processes (client, scheduler, workers: less noisy than wall time on a
   shared machine), and the time the client spent in the store (content-hash
   lookups and batched writes): words / that time is the rate past which more
   workers cannot help, whatever the cluster. Every run must store the same
   number of quads. On a 2-core machine 4 workers oversubscribe the cores: that row
   shows the cost of more workers than cores, not a speed-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    name: str
    workers: int
    startup: float  # seconds before the ingest could start (0: inside the ingest)
    seconds: float
    cpu: float  # CPU seconds of every process over the ingest
    store: float  # seconds the client spent in the store (lookups and writes)
    words: int
    quads: int


class _TimedStore:
    """The store, with the time spent in its calls added up."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.seconds = inner, 0.0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t

        return timed


def _cpu() -> float:
    """CPU seconds of this process and of its children that have exited."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _self_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _ingest(
    corpus: Path,
    store_dir: Path,
    other_cpu: Callable[[], float] = lambda: 0.0,
    **kwargs: object,
) -> tuple[float, float, float, int, int]:
    from kg.config import Settings
    from kg.pipeline import ingest
    from kg.store import open_store

    store = _TimedStore(open_store(store_dir))
    try:
        t, cpu = time.perf_counter(), _cpu() + other_cpu()
        report = ingest([corpus], store, Settings(store=str(store_dir)), **kwargs)  # type: ignore[arg-type]
        seconds = time.perf_counter() - t
        cpu = _cpu() + other_cpu() - cpu
    finally:
        store.close()
    assert not report.skipped, report.skipped
    return seconds, cpu, store.seconds, report.words, report.quads


def run_single(corpus: Path, work: Path) -> Run:
    from kg.config import Settings
    from kg.extract.nlp import load_nlp

    t = time.perf_counter()
    load_nlp(Settings().spacy_model)
    startup = time.perf_counter() - t
    return Run("single process", 1, startup, *_ingest(corpus, work / "single"))


def run_pool(corpus: Path, work: Path) -> Run:
    return Run("process pool", 2, 0.0, *_ingest(corpus, work / "pool", workers=2))


def run_dask(n: int) -> Callable[[Path, Path], Run]:
    def run(corpus: Path, work: Path) -> Run:
        import distributed

        from kg.config import Settings
        from kg.distributed import DaskBuilders

        t = time.perf_counter()
        with (
            distributed.LocalCluster(  # type: ignore[no-untyped-call]  # as open_builders does
                n_workers=n,
                processes=True,
                threads_per_worker=1,
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            ) as cluster,
            distributed.Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            builders = DaskBuilders(client, Settings())  # loads the model everywhere
            startup = time.perf_counter() - t

            def workers_cpu() -> float:  # the worker processes are still running
                return float(sum(client.run(_self_cpu).values()))

            result = _ingest(
                corpus, work / f"dask{n}", workers_cpu, builders=builders, workers=n
            )
        return Run("Dask LocalCluster", n, startup, *result)

    return run


def table(runs: list[Run]) -> str:
    single = next(r for r in runs if r.name == "single process")
    dask1 = next(
        (r for r in runs if r.name.startswith("Dask") and r.workers == 1), None
    )
    rows = [
        "| run | workers | start-up s | ingest s | words/s | words/s incl. start-up "
        "| scaling vs 1 Dask worker | vs single process | CPU s | words per CPU s "
        "(vs single) | client in the store s | store ceiling words/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        rate, per_cpu = r.words / r.seconds, r.words / r.cpu
        total = r.words / (r.seconds + r.startup)
        scale = "-"
        if dask1 and r.name.startswith("Dask"):
            scale = f"{rate / (dask1.words / dask1.seconds):.2f}x"
        startup = f"{r.startup:.1f}" if r.startup else "(in ingest)"
        rows.append(
            f"| {r.name} | {r.workers} | {startup} | {r.seconds:.1f} | {rate:,.0f} "
            f"| {total:,.0f} | {scale} | {rate / (single.words / single.seconds):.2f} "
            f"| {r.cpu:.1f} | {per_cpu:,.0f} ({per_cpu / (single.words / single.cpu):.2f}) "
            f"| {r.store:.1f} | {r.words / r.store:,.0f} |"
        )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--dask-workers", default="1,2,4", help="comma-separated counts")
    ap.add_argument("--no-pool", action="store_true", help="skip the process-pool run")
    args = ap.parse_args()
    counts = [int(n) for n in args.dask_workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        gen = [sys.executable, str(ROOT / "benchmarks/gen_corpus.py")]
        subprocess.run(
            [*gen, str(args.articles), str(corpus)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        plan: list[Callable[[Path, Path], Run]] = [run_single]
        plan += [] if args.no_pool else [run_pool]
        plan += [run_dask(n) for n in counts]
        runs = []
        for step in plan:
            runs.append(run := step(corpus, work))
            print(
                f"{run.name} ({run.workers}): {run.seconds:.1f} s, start-up "
                f"{run.startup:.1f} s, {run.words:,} words, {run.quads:,} quads",
                file=sys.stderr,
            )
        assert len({r.quads for r in runs}) == 1, "runs stored different graphs"
    load = os.getloadavg()[0]
    print(
        f"\n{args.articles} generated articles, {runs[0].words:,} words, "
        f"{runs[0].quads:,} quads written; {os.cpu_count()} cores, "
        f"load average {load:.1f} at the end\n"
    )
    print(table(runs))


if __name__ == "__main__":  # the workers are spawned: they import this file
    main()
