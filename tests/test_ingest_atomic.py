"""Every article whole or absent: the store's bulk write killed (-9) at each step.

``EmbeddedStore.put_batch`` writes big batches of new article graphs through
pyoxigraph's ``bulk_load``, which is not atomic. A child process writes one batch
cleanly, then a second one and kills itself with SIGKILL in the middle of a step
(half of the data of a ``bulk_load`` written, or just before the final marker
transaction). The parent reopens the store and checks that it is consistent
(every article graph whole, the union graph the exact set union of the article
graphs), that the interrupted articles are gone, and that writing them again gives
the same quads as a clean run.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.store.embedded import PENDING, EmbeddedStore
from kg.vocab import KG

from .conftest import ROOT, SEEDS

BASE = "https://kg.example/"


def _article(n: int) -> tuple[str, bytes]:
    """A small article graph: its own triples, shared ones, and its marker."""
    a = f"<{BASE}id/article/a{n}>"
    lines = [
        f'{a} <{KG.contentHash}> "hash-{n}" .',
        f'{a} <http://schema.org/headline> "Story {n}: \\"quoted\\" text" .',
        f"{a} <http://schema.org/mentions> <{BASE}id/person/p{n % 3}> .",
        f'<{BASE}id/person/p{n % 3}> <http://www.w3.org/2000/01/rdf-schema#label> "P{n % 3}" .',
        f"<{BASE}id/person/shared> <{BASE}rel/meet> <{BASE}id/person/p{n % 3}> .",
    ]
    lines += [
        f'<{BASE}id/article/a{n}/s{i}> <http://schema.org/text> "sentence {i} of {n}" .'
        for i in range(40)
    ]
    return f"{BASE}graph/a{n}", "".join(line + "\n" for line in lines).encode()


BATCH_A = [_article(n) for n in range(6)]
BATCH_B = [_article(n) for n in range(6, 12)]

# runs in the child: batch A whole, then batch B killed at ``point``
CHILD = textwrap.dedent(
    """
    import json, os, signal, sys
    sys.path.insert(0, {root!r})
    from kg.store.embedded import EmbeddedStore

    point, path, batches = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

    class Killer:
        '''The pyoxigraph store, killed with SIGKILL at ``point`` of batch B.'''

        def __init__(self, inner):
            self.inner, self.bulk = inner, 0

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def _die(self):
            os.kill(os.getpid(), signal.SIGKILL)

        def bulk_load(self, data, *, format, **kwargs):
            self.bulk += 1
            step = "named" if self.bulk == 1 else "union"
            if point == "before-" + step:
                self._die()
            if point == "half-" + step:  # half the lines written, then killed
                lines = data.read().splitlines(keepends=True)
                self.inner.bulk_load(b"".join(lines[: len(lines) // 2]), format=format)
                self._die()
            return self.inner.bulk_load(data, format=format, **kwargs)

        def update(self, sparql, **kwargs):
            if point == "before-marker" and "INSERT DATA" in sparql:
                self._die()
            return self.inner.update(sparql, **kwargs)

    store = EmbeddedStore(path)
    store.bulk_min_quads = 0  # the bulk path, however small the batch
    store.put_batch([(g, d.encode()) for g, d in batches[0]])
    store._store = Killer(store._store)
    store.put_batch([(g, d.encode()) for g, d in batches[1]])
    print("not killed")
    """
)

POINTS = [
    "before-named",
    "half-named",
    "before-union",
    "half-union",
    "before-marker",
]


def _quads(store: EmbeddedStore) -> set[str]:
    return {str(q) for q in store._store.quads_for_pattern(None, None, None)}


def _assert_consistent(store: EmbeddedStore, expected: dict[str, bytes]) -> None:
    """Each article graph is exactly its data; the union is their set union."""
    st = store._store
    union: set[ox.Triple] = set()
    for graph in store.graphs():
        got = {
            q.triple
            for q in st.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        }
        nt = ox.RdfFormat.N_TRIPLES
        want = {q.triple for q in ox.parse(expected[graph], format=nt)}
        assert got == want, f"{graph}: {len(got)} of {len(want)} triples"
        union |= got
    default = {
        q.triple for q in st.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    assert default == union, (
        f"union graph: {len(default - union)} orphan(s), {len(union - default)} missing"
    )


def _clean(path: Path) -> set[str]:
    store = EmbeddedStore(path)
    store.bulk_min_quads = 0
    store.put_batch(BATCH_A)
    store.put_batch(BATCH_B)
    quads = _quads(store)
    store.close()
    return quads


@pytest.mark.parametrize("point", POINTS)
def test_kill_9_in_a_bulk_write_leaves_whole_articles_and_a_rerun_fills_the_gaps(
    tmp_path: Path, point: str
) -> None:
    path = tmp_path / "store"
    batches = json.dumps(
        [[(g, d.decode()) for g, d in batch] for batch in (BATCH_A, BATCH_B)]
    )
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), point, str(path), batches],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr

    store = EmbeddedStore(path)  # opening recovers
    try:
        b_graphs = {g for g, _ in BATCH_B}
        assert set(store.recovered) <= b_graphs
        assert set(store.graphs()) == {g for g, _ in BATCH_A}, "batch B must be absent"
        assert not store.has_graph(PENDING)
        _assert_consistent(store, dict(BATCH_A + BATCH_B))
        assert all(store.article_hash(g) is None for g in b_graphs)
        store.bulk_min_quads = 0
        store.put_batch(BATCH_B)  # the re-run
        _assert_consistent(store, dict(BATCH_A + BATCH_B))
        rerun = _quads(store)
    finally:
        store.close()
    assert rerun == _clean(tmp_path / "clean")


def test_small_and_bulk_writes_store_the_same_quads(tmp_path: Path) -> None:
    stores = []
    for name, bulk_min in (("txn", 10**9), ("bulk", 0)):
        store = EmbeddedStore(tmp_path / name)
        store.bulk_min_quads = bulk_min
        written = store.put_batch(BATCH_A) + store.put_batch(BATCH_B)
        _assert_consistent(store, dict(BATCH_A + BATCH_B))
        assert store.article_hash(f"{BASE}graph/a7") == "hash-7"
        assert not store.has_graph(PENDING), "no empty pending graph left"
        stores.append((written, _quads(store)))
        store.close()
    assert stores[0] == stores[1]


def test_recovery_keeps_a_pending_graph_rewritten_whole_since(tmp_path: Path) -> None:
    """Ctrl-C after step 1, then the same article put again: it must stay."""
    store = EmbeddedStore(tmp_path / "s")
    graph, data = BATCH_A[0]
    pending = ox.Quad(
        ox.NamedNode(graph),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("urn:kg:store:PendingGraph"),
        ox.NamedNode(PENDING),
    )
    store._store.add(pending)
    store.put_batch([(graph, data)])  # a transaction of its own, marker included
    assert store._recover() == []
    assert store.article_hash(graph) == "hash-0" and not store.has_graph(PENDING)
    store.close()


def test_kill_9_during_a_real_ingest_then_rerun_equals_a_clean_ingest(
    tmp_path: Path,
) -> None:
    """The pipeline end to end: kill -9 inside the first bulk write of ``ingest``."""
    from kg.config import Settings
    from kg.pipeline import ingest

    files = sorted(SEEDS.glob("*.txt"))[:1] + [SEEDS / "wikinews-demo.jsonl"]
    code = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        import kg.pipeline
        from kg.config import Settings
        from kg.pipeline import ingest
        from kg.store.embedded import EmbeddedStore

        kg.pipeline.COMMIT_LINES = 1  # one store write per batch of 16 articles

        class Killer:
            def __init__(self, inner):
                self.inner, self.calls = inner, 0
            def __getattr__(self, name):
                return getattr(self.inner, name)
            def bulk_load(self, data, **kwargs):
                self.calls += 1
                if self.calls == 4:  # the union copies of the second write
                    lines = data.read().splitlines(keepends=True)
                    self.inner.bulk_load(b"".join(lines[: len(lines) // 3]), **kwargs)
                    os.kill(os.getpid(), signal.SIGKILL)
                return self.inner.bulk_load(data, **kwargs)

        store = EmbeddedStore(sys.argv[1])
        store.bulk_min_quads = 0
        store._store = Killer(store._store)
        ingest({[str(f) for f in files]!r}, store, Settings(store=sys.argv[1]))
        """
    )
    crashed = tmp_path / "crashed"
    child = subprocess.run(
        [sys.executable, "-c", code, str(crashed)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr

    def run(path: Path) -> tuple[Any, set[str]]:
        store = EmbeddedStore(path)
        try:
            report = ingest([str(f) for f in files], store, Settings(store=str(path)))
            return report, _quads(store)
        finally:
            store.close()

    store = EmbeddedStore(crashed)
    recovered, kept = store.recovered, set(store.graphs())
    store.close()
    assert recovered and kept, "the kill must fall after one whole write"
    report, rerun = run(crashed)
    assert report.articles_unchanged == len(kept)
    assert report.articles_ingested == report.articles_read - len(kept)
    _, clean = run(tmp_path / "clean")
    assert rerun == clean


def test_a_bulk_write_leaves_nothing_in_rocksdb_write_buffers(tmp_path: Path) -> None:
    """The pending list and the markers are small transactions: RocksDB keeps them in
    its write buffers (128 MB per index) until something flushes them, so a long
    ingest's memory would grow with every group. After a bulk write they are in
    table files already: a copy of the store without its write-ahead log (``*.log``,
    which is all a write buffer is backed by) still holds every marker."""
    store = EmbeddedStore(tmp_path / "live")
    store.bulk_min_quads = 0
    store.put_batch(BATCH_A)
    store.put_batch(BATCH_B)
    live = tmp_path / "live"
    for attempt in range(100):  # RocksDB may compact (replace files) while we copy
        copy = tmp_path / f"copy-{attempt}"
        copy.mkdir()
        try:  # the table files first, the MANIFEST that lists them after
            for f in sorted(live.iterdir(), key=lambda f: f.suffix != ".sst"):
                if f.suffix != ".log" and f.name != "LOCK":
                    shutil.copyfile(f, copy / f.name)
            snapshot = EmbeddedStore(copy, read_only=True)
            break
        except (FileNotFoundError, StoreError):
            time.sleep(0.05)
    store.close()
    for graph, _ in BATCH_A + BATCH_B:
        n = graph.rsplit("a", 1)[1]
        assert snapshot.article_hash(graph) == f"hash-{n}", f"{graph}: marker lost"
    _assert_consistent(snapshot, dict(BATCH_A + BATCH_B))
