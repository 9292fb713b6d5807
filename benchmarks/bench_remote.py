#!/usr/bin/env python
"""Store writes: the remote store (``oxigraph serve`` on 127.0.0.1) against the embedded one.

Usage::

    .venv/bin/python benchmarks/bench_remote.py [--articles 150] [--repeat 3]

1. A generated corpus (``gen_corpus.py``) is ingested once into a scratch embedded
   store; each article's graph is read back as N-Triples. Those bytes are the
   workload, so spaCy is not measured.
2. The same graphs are written, in the ingest's batches of 16 articles
   (``put_batch``), into a fresh store of each kind, ``--repeat`` times in turn:
   - ``embedded``: pyoxigraph on disk (one transaction per batch, union kept);
   - ``remote kg``: ``oxigraph serve``, kg keeps the union (one SPARQL Update
     request per batch, ``KG_STORE_UNION=kg``);
   - ``remote server``: ``oxigraph serve --union-default-graph``, one Graph Store
     Protocol PUT per article (``KG_STORE_UNION=server``).
3. It prints article quads per second (the N-Triples lines: the union copies the
   embedded and ``kg`` modes also write are not counted) and the ratio to embedded,
   median of the runs. The server shares the machine's cores with the client.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import serving  # noqa: E402  (shared with bench_sparql.py)

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
BATCH = 16


def workload(articles: int, work: Path) -> list[tuple[str, bytes]]:
    """(graph IRI, N-Triples) of each article of a generated corpus."""
    from kg.config import Settings
    from kg.pipeline import ingest
    from kg.store import EmbeddedStore

    corpus = work / "corpus.jsonl"
    gen = [sys.executable, str(ROOT / "benchmarks/gen_corpus.py"), str(articles)]
    subprocess.run([*gen, str(corpus)], check=True, stdout=subprocess.DEVNULL)
    store = EmbeddedStore(work / "scratch")
    ingest([corpus], store, Settings(store=str(work / "scratch")), workers=2)
    items = []
    for graph in sorted(store.graphs()):
        out = tempfile.SpooledTemporaryFile()
        store.dump_graph(out, graph, "ntriples")  # type: ignore[arg-type]
        out.seek(0)
        items.append((graph, out.read()))
    store.close()
    return items


class Server:
    """``oxigraph serve`` on a free port with a fresh data directory."""

    def __init__(self, data: Path, union: bool) -> None:
        self.port = serving.free_port()
        self.log = data.with_suffix(".log")
        args = [str(OXIGRAPH), "serve", "--location", str(data)]
        args += ["--bind", f"127.0.0.1:{self.port}"]
        args += ["--union-default-graph"] if union else []
        self.proc = subprocess.Popen(
            args, stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        probe = f"http://127.0.0.1:{self.port}/query?query=ASK%7B%7D"
        serving.wait_ready("oxigraph", self.proc, self.log, probe, 30)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        serving.stop(self.proc)


def write_all(store: object, items: list[tuple[str, bytes]]) -> float:
    start = time.perf_counter()
    for i in range(0, len(items), BATCH):
        store.put_batch(items[i : i + BATCH])  # type: ignore[attr-defined]
    return time.perf_counter() - start


def run_embedded(items: list[tuple[str, bytes]], data: Path) -> float:
    from kg.store import EmbeddedStore

    store = EmbeddedStore(data)
    try:
        return write_all(store, items)
    finally:
        store.close()


def run_remote(mode: str) -> Callable[[list[tuple[str, bytes]], Path], float]:
    def run(items: list[tuple[str, bytes]], data: Path) -> float:
        from kg.config import Settings
        from kg.store.remote import RemoteStore

        with Server(data, union=mode == "server") as server:
            url = f"sparql+http://127.0.0.1:{server.port}/"
            store = RemoteStore(url, Settings(store=url, store_union=mode))
            try:
                seconds = write_all(store, items)
                assert len(list(store.graphs())) == len(items)
                return seconds
            finally:
                store.close()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    targets = {
        "embedded": run_embedded,
        "remote kg (Update)": run_remote("kg"),
        "remote server (GSP PUT)": run_remote("server"),
    }
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp:
        work = Path(tmp)
        items = workload(args.articles, work)
        quads = sum(d.count(b"\n") for _, d in items)
        mib = sum(len(d) for _, d in items) / 2**20
        print(
            f"{len(items)} articles, {quads:,} article quads, {mib:.1f} MiB N-Triples"
        )
        times: dict[str, list[float]] = {name: [] for name in targets}
        for r in range(args.repeat):  # alternate: drift hits every target alike
            for j, (name, run) in enumerate(targets.items()):
                times[name].append(run(items, work / f"target{j}-run{r}"))
    base = quads / statistics.median(times["embedded"])
    print("\n| target | article quads/s | vs embedded | runs (s) |")
    print("|---|---:|---:|---|")
    for name, secs in times.items():
        rate = quads / statistics.median(secs)
        runs = ", ".join(f"{s:.2f}" for s in secs)
        print(f"| {name} | {rate:,.0f} | {rate / base:.2f} | {runs} |")


if __name__ == "__main__":
    main()
