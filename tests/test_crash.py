"""kill -9 a real ``kg ingest`` at random moments: every article whole or absent.

The corpus is the seeds plus generated articles (``benchmarks/gen_corpus.py``). One
clean ingest per module is the reference: each article graph's triples, the union
graph, how long a run takes. Each chain of trials (seeded) then runs the CLI
``kg ingest`` on one store and kills its process group with SIGKILL, again and
again, each run resuming on what the last kill left. A kill lands

- at a random moment of the run still to do (its length measured from the clean
  run, scaled by the articles still missing), or
- at a random moment (0-50 ms) into the n-th burst of changes of the store's files
  (n drawn from 0, the store being opened and recovered, to the number of writes
  the run still has to do), so that many kills land inside a write.

After every kill the store opens (read-write, as every ``kg`` command opens it, so
its recovery runs), each article graph in it has exactly the clean triples (a
per-graph COUNT in one SPARQL query, then the graphs themselves), the union graph
is the set union of the article graphs, and the newly stored articles conform to
the SHACL shapes. A run that ends before its kill must leave the store equal to the
clean one; half of its articles are then removed (as ``kg remove`` does) and the
chain goes on. Each chain ends with a run that is not killed: the store must then
hold the same quads as the clean ingest (IRIs are deterministic and the reference
has no blank node, so the same N-Triples lines, graph by graph, and the same
union).

The runs write every ``BATCH`` articles instead of every ``COMMIT_LINES`` lines
(200,000, more than this whole corpus, which would make one write at the very end):
one chain in two writes batches of 4 articles (about 4,000 quads: mostly the
transactional write), the other batches of 16 (about 15,000: the bulk write).
"""

from __future__ import annotations

import gc
import io
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

pytest.importorskip("faker")

from benchmarks import gen_corpus  # noqa: E402
from kg.graph.validate import validate_graph  # noqa: E402
from kg.store import open_store  # noqa: E402

from .conftest import SEEDS, kill_group  # noqa: E402

GENERATED = 40  # generated articles (plus the 25 seed reports)
CHAINS = 4
KILLS = 5  # kills per chain: 20 trials
BATCHES = (4, 16)  # articles per write, by chain
QUIET_S = 0.15  # a pause in the store's file changes this long ends a burst
RUN_TIMEOUT = 300.0

COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
ORPHANS = "ASK { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
UNJOINED = "ASK { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"
BLANKS = (
    "ASK { { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } UNION "
    "{ GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } } }"
)

# the real CLI entry point; argv[1] > 0: write every that many articles
CLI = """
import sys, kg.pipeline as p
batch = int(sys.argv.pop(1))
if batch:
    assert hasattr(p, "BATCH") and hasattr(p, "COMMIT_LINES"), "pipeline changed"
    p.BATCH, p.COMMIT_LINES = batch, 1
from kg.cli import main
main(prog_name="kg")
"""


@dataclass(frozen=True)
class Reference:
    """The clean ingest: triples per article graph, the union, run times."""

    inputs: tuple[str, ...]
    graphs: dict[str, frozenset[str]]  # graph IRI -> its N-Triples lines
    union: frozenset[str]
    clean_s: float  # a whole run
    noop_s: float  # a run that finds every article stored (start-up and reading)

    def expected_s(self, missing: int) -> float:
        """How long a run that still has ``missing`` articles to do should take."""
        share = missing / len(self.graphs)
        return self.noop_s + (self.clean_s - self.noop_s) * share


@dataclass
class Trial:
    chain: int
    kill: int
    how: str  # what picked the moment
    returncode: int = 0
    elapsed_s: float = 0.0
    stored: int = -1  # articles in the store afterwards
    stderr: str = field(default="", repr=False)

    def __str__(self) -> str:
        return (
            f"chain seed {self.chain}, run {self.kill} ({self.how}; exit "
            f"{self.returncode} after {self.elapsed_s:.2f} s, {self.stored} "
            "articles stored)"
        )


def start_ingest(
    inputs: tuple[str, ...], store: Path, batch: int
) -> subprocess.Popen[bytes]:
    """``kg ingest INPUTS --store STORE --workers 1 --json`` in its own group."""
    return subprocess.Popen(
        [sys.executable, "-c", CLI, str(batch), "ingest", *inputs]
        + ["--store", str(store), "--workers", "1", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def run_ingest(
    inputs: tuple[str, ...], store: Path, batch: int = 0
) -> tuple[dict[str, Any], float]:
    """A whole run: its JSON summary and how long it took."""
    t0 = time.monotonic()
    proc = start_ingest(inputs, store, batch)
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    finally:
        kill_group(proc)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, err.decode(errors="replace")[-3000:]
    summary: dict[str, Any] = json.loads(out)
    return summary, elapsed


def folder_state(path: Path) -> tuple[tuple[str, int], ...]:
    """The store folder's file names and sizes (they change as a write starts)."""
    while True:
        try:
            with os.scandir(path) as entries:
                return tuple(sorted((e.name, e.stat().st_size) for e in entries))
        except FileNotFoundError:  # a file went away during the scan, or no folder
            if not path.exists():
                return ()


def wait_until(proc: subprocess.Popen[bytes], deadline: float) -> None:
    """Sleep until ``deadline`` (monotonic), or until the process exits."""
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(min(0.005, max(0.0, deadline - time.monotonic())))


def wait_for_burst(
    proc: subprocess.Popen[bytes], store: Path, nth: int, jitter: float
) -> None:
    """Return ``jitter`` seconds into the ``nth`` burst of changes of the store
    folder (counted from 0), or when the process exits."""
    seen, last, bursts = folder_state(store), -math.inf, -1
    give_up = time.monotonic() + RUN_TIMEOUT
    while proc.poll() is None and time.monotonic() < give_up:
        time.sleep(0.002)
        now = folder_state(store)
        if now == seen:
            continue
        t = time.monotonic()
        if t - last > QUIET_S:
            bursts += 1
        seen, last = now, t
        if bursts == nth:
            wait_until(proc, t + jitter)
            return


def graph_lines(store: Any, graph: str | None) -> frozenset[str]:
    """One graph (None: the union) as a set of N-Triples lines."""
    buf = io.BytesIO()
    store.dump_graph(buf, graph, "ntriples")
    return frozenset(buf.getvalue().decode().splitlines())


def read_store(path: Path, graphs: list[str] | None = None) -> dict[str, Any]:
    """Open the store as every ``kg`` command does (read-write: recovery runs);
    per-graph counts, the union checks, the triples of ``graphs`` (None: all of
    them, and the union)."""
    store = open_store(path)
    try:
        counts = {str(r[0].value): int(r[1].value) for r in store.query(COUNTS)}
        read = {
            "counts": counts,
            "orphans": bool(store.query(ORPHANS)),
            "unjoined": bool(store.query(UNJOINED)),
            "blanks": bool(store.query(BLANKS)),
            "graphs": {
                g: graph_lines(store, g) for g in (counts if graphs is None else graphs)
            },
        }
        if graphs is None:
            read["union"] = graph_lines(store, None)
    finally:
        store.close()
        gc.collect()  # nothing of the store outlives close(): its lock is free
    return read


def remove_graphs(path: Path, graphs: set[str]) -> None:
    """Remove article graphs as ``kg remove`` does."""
    store = open_store(path)
    try:
        for g in graphs:
            assert store.remove_graph(g), g
    finally:
        store.close()
        gc.collect()


def assert_same_as(ref: Reference, store: Path, context: object) -> None:
    """The store holds exactly the clean ingest's quads."""
    read = read_store(store)
    missing = sorted(set(ref.graphs) - set(read["graphs"]))
    extra = sorted(set(read["graphs"]) - set(ref.graphs))
    assert not missing and not extra, f"{context}: missing {missing}, extra {extra}"
    differ = [g for g, t in read["graphs"].items() if t != ref.graphs[g]]
    assert not differ, f"{context}: graphs differ from the clean ingest: {differ}"
    assert read["union"] == ref.union, f"{context}: the union graph differs"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The seeds plus generated articles, ingested once without a kill."""
    folder = tmp_path_factory.mktemp("crash-ref")
    templates = gen_corpus.load_templates(cache_dir=folder / "templates")
    corpus = folder / "generated.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        gen_corpus.write_corpus(GENERATED, out, seed=7, templates=templates)
    inputs = (str(SEEDS), str(corpus))
    store = folder / "store"
    summary, clean_s = run_ingest(inputs, store)
    total = summary["articles_ingested"]
    assert total >= GENERATED + 25 and not summary["skipped"], summary
    again, noop_s = run_ingest(inputs, store)  # nothing to do: start-up and reading
    assert (again["articles_unchanged"], again["articles_ingested"]) == (total, 0)
    read = read_store(store)
    assert not read["blanks"], "blank nodes in the clean ingest: compare by isomorphism"
    assert not read["orphans"] and not read["unjoined"]
    graphs: dict[str, frozenset[str]] = read["graphs"]
    assert len(graphs) == total
    assert {g: len(t) for g, t in graphs.items()} == read["counts"]
    return Reference(inputs, graphs, read["union"], clean_s, noop_s)


def check_after_kill(
    store: Path, ref: Reference, validated: set[str], trial: Trial
) -> set[str]:
    """Whole or absent, the union consistent, new articles conform; the stored."""
    read = read_store(store, graphs=[])
    counts: dict[str, int] = read["counts"]
    wrong = {
        g: (n, len(ref.graphs[g]) if g in ref.graphs else None)
        for g, n in counts.items()
        if g not in ref.graphs or n != len(ref.graphs[g])
    }
    assert not wrong, f"{trial}: graph: (triples stored, clean triples): {wrong}"
    assert not read["orphans"], f"{trial}: union triples that no article graph holds"
    assert not read["unjoined"], f"{trial}: article triples missing from the union"
    new = sorted(set(counts) - validated)
    if new:
        got = read_store(store, graphs=new)["graphs"]
        differ = [g for g in new if got[g] != ref.graphs[g]]
        assert not differ, f"{trial}: graphs differ from the clean ones: {differ}"
        data = "\n".join(line for g in new for line in got[g])
        result = validate_graph(Graph().parse(data=data, format="nt"))
        assert result.conforms, f"{trial}: {result.report[:3000]}"
        validated.update(new)
    return set(counts)


def kill_chain(seed: int, ref: Reference, store: Path, batch: int) -> Iterator[Trial]:
    """Runs on one store, each killed at a random moment, each checked after."""
    rng = random.Random(seed)
    validated: set[str] = set()
    stored: set[str] = set()
    killed = 0
    for run in range(3 * KILLS):
        if killed == KILLS:
            return
        missing = len(ref.graphs) - len(stored)
        by_time = rng.random() < 0.5
        delay = rng.uniform(0.02, 0.8) * ref.expected_s(missing)
        nth, jitter = rng.randint(0, math.ceil(missing / batch)), rng.uniform(0, 0.05)
        trial = Trial(
            seed,
            run,
            f"at {delay:.2f} s"
            if by_time
            else (f"{jitter * 1000:.0f} ms into burst {nth} of store writes"),
        )
        t0 = time.monotonic()
        proc = start_ingest(ref.inputs, store, batch)
        try:
            if by_time:
                wait_until(proc, t0 + delay)
            else:
                wait_for_burst(proc, store, nth, jitter)
        finally:
            trial.stderr = kill_group(proc)
        trial.returncode, trial.elapsed_s = proc.returncode, time.monotonic() - t0
        assert proc.returncode in (0, -signal.SIGKILL), f"{trial}: {trial.stderr}"
        if proc.returncode == -signal.SIGKILL:
            killed += 1
            stored = check_after_kill(store, ref, validated, trial)
            trial.stored = len(stored)
        if proc.returncode == 0 or len(stored) == len(ref.graphs):  # all done
            assert_same_as(ref, store, trial)
            gone = set(rng.sample(sorted(ref.graphs), len(ref.graphs) // 2))
            remove_graphs(store, gone)  # and half of it to do again
            validated, stored = validated - gone, set(ref.graphs) - gone
            trial.stored = len(stored)
        yield trial


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(CHAINS))
def test_kill_9_at_random_moments_leaves_whole_articles_and_a_rerun_completes(
    reference: Reference, tmp_path: Path, seed: int
) -> None:
    store = tmp_path / "store"
    trials = []
    for trial in kill_chain(seed, reference, store, BATCHES[seed % 2]):
        trials.append(trial)
        print(trial)  # noqa: T201 (the log of the chain, with -s)
    killed = [t for t in trials if t.returncode == -signal.SIGKILL]
    assert len(killed) == KILLS, "\n".join(map(str, trials))
    assert 0 < max(t.stored for t in killed), "no kill came after a write"

    summary, _ = run_ingest(reference.inputs, store, BATCHES[seed % 2])
    assert summary["articles_read"] == len(reference.graphs), summary
    stored_before = trials[-1].stored
    assert summary["articles_unchanged"] == stored_before, summary
    assert summary["articles_ingested"] == len(reference.graphs) - stored_before
    assert_same_as(reference, store, f"chain seed {seed}, the final run")
