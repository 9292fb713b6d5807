"""Concurrency: readers while articles are written, two writers on one store, a flood.

An embedded store on disk is locked by the process that opens it read-write. So:

- readers and a writer share one store only inside one process: ``kg serve`` with a
  write token (one process) takes whole article graphs through the Graph Store
  Protocol and SPARQL Update while other clients query ``/sparql``: every query
  answers, and sees each article graph whole or absent and the union graph equal
  to the union of the article graphs;
- a second ``kg ingest`` on a store that an ingest is writing stops at once with a
  clear message, and the first one finishes with the same graph as an ingest alone;
- ``kg query`` while ``kg ingest`` runs opens the store read-only (as it does while
  ``kg serve`` holds the lock): it gives a consistent answer or a clear message;
- ``kg serve`` (two read-only processes) survives a bounded flood of good, bad,
  oversized, slow and unknown requests from 32 threads: no 5xx but the documented
  503, still alive afterwards, a good query answers correctly, memory bounded.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import SEEDS, kill_group, start_kg_serve

TOKEN = "concurrency-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
KG = str(Path(sys.executable).with_name("kg"))
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# one snapshot: union triples no article graph holds, article triples not in the union
UNION_OFF = (
    "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o FILTER NOT EXISTS "
    "{ GRAPH ?g { ?s ?p ?o } } } UNION { GRAPH ?g { ?s ?p ?o } "
    "FILTER NOT EXISTS { ?s ?p ?o } } }"
)
TOTAL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


# -- helpers -------------------------------------------------------------------------


def graph_lines(store: Any, graph: str | None) -> frozenset[str]:
    """One graph of an open store (None: the union) as a set of N-Triples lines."""
    buf = io.BytesIO()
    store.dump_graph(buf, graph, "ntriples")
    return frozenset(buf.getvalue().decode().splitlines())


@pytest.fixture(scope="module")
def seed_graphs(seeded_store: Any) -> dict[str, frozenset[str]]:
    """Each seed article's graph (a clean in-process ingest of seeds/)."""
    graphs = {g: graph_lines(seeded_store, g) for g in seeded_store.graphs()}
    assert len(graphs) >= 25
    return graphs


def counts_of(response: httpx.Response) -> dict[str, int]:
    """?g ?n rows of a SPARQL JSON result."""
    rows = response.json()["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def number_of(response: httpx.Response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def stop_server(proc: subprocess.Popen[str], grace: float = 20) -> bool:
    """Stop ``kg serve`` (granian and its worker processes); False when SIGTERM
    did not stop it within ``grace`` seconds (then SIGKILL did)."""
    children = descendants(proc.pid)
    proc.terminate()
    try:
        proc.communicate(timeout=grace)
        return True
    except subprocess.TimeoutExpired:  # a stuck worker: kill them all
        for pid in [proc.pid, *children]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.communicate(timeout=20)
        return False


def descendants(pid: int) -> list[int]:
    """The process ids under ``pid`` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes together, in MB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def holds_lock(pid: int, store: Path) -> bool:
    """True when process ``pid`` has the store's LOCK file open."""
    lock = str((store / "LOCK").resolve())
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == lock:
                return True
        except OSError:
            continue
    return False


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def start_ingest(store: Path) -> subprocess.Popen[bytes]:
    """``kg ingest seeds/ --workers 1 --json`` in its own process group."""
    return subprocess.Popen(
        [KG, "ingest", str(SEEDS), "--store", str(store), "--workers", "1", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def store_graphs(path: Path) -> dict[str, frozenset[str]]:
    """Every article graph of a closed store."""
    from kg.store import open_store

    store = open_store(path, read_only=True)
    try:
        return {g: graph_lines(store, g) for g in store.graphs()}
    finally:
        store.close()


# -- readers while the server writes --------------------------------------------------


@dataclass
class Observed:
    """What the readers saw."""

    queries: int = 0
    during_writes: int = 0
    failures: list[str] = field(default_factory=list)
    torn: list[str] = field(default_factory=list)  # not whole, not absent


def write_plan(graphs: dict[str, frozenset[str]]) -> list[tuple[str, str, str]]:
    """(method, graph, N-Triples body): creates, replacements, deletes, updates."""
    names = sorted(graphs)
    plan = [("PUT", g, "\n".join(sorted(graphs[g]))) for g in names]
    for g in names[::5]:  # replaced by a shorter version, then back
        plan.append(("PUT", g, "\n".join(sorted(graphs[g])[::2])))
    for g in names[1::7]:
        plan.append(("DELETE", g, ""))
    small = min(names, key=lambda g: len(graphs[g]))
    lines, size = [], 0
    for line in sorted(graphs[small]):  # within the server's 64 KB update limit
        size += len(line.encode()) + 1
        if size > 60_000:
            break
        lines.append(line)
    plan += [("UPDATE", small, "\n".join(lines))]
    plan += [("PUT", g, "\n".join(sorted(graphs[g]))) for g in names]
    return plan


def long_report(graphs: dict[str, frozenset[str]]) -> tuple[str, str, str]:
    """A PUT of one long article: the three longest reports as one graph (about
    8,000 quads with its union copies)."""
    longest = sorted(graphs, key=lambda g: -len(graphs[g]))[:3]
    lines = frozenset[str]().union(*(graphs[g] for g in longest))
    return ("PUT", "https://kg.example/graph/long-report", "\n".join(sorted(lines)))


def allowed_sizes(plan: list[tuple[str, str, str]]) -> dict[str, set[int]]:
    sizes: dict[str, set[int]] = {}
    for _, graph, body in plan:
        if body:
            sizes.setdefault(graph, set()).add(len(set(body.splitlines())))
    return sizes


def write(http: httpx.Client, method: str, graph: str, body: str) -> None:
    if method == "PUT":
        r = http.put(
            "/store",
            params={"graph": graph},
            content=body.encode(),
            headers={**AUTH, "Content-Type": "application/n-triples"},
        )
    elif method == "DELETE":
        r = http.delete("/store", params={"graph": graph}, headers=AUTH)
    else:  # the whole graph in one SPARQL Update request
        update = f"DROP SILENT GRAPH <{graph}> ; INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"
        r = http.post(
            "/update",
            content=update.encode(),
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
    assert r.status_code in (201, 204), (method, graph, r.status_code, r.text[:500])


def read_loop(
    base: str, sizes: dict[str, set[int]], writing: threading.Event, seen: Observed
) -> None:
    """Query until the writer is done; record failures and torn snapshots."""
    with httpx.Client(base_url=base, timeout=60) as http:
        while True:
            active = writing.is_set()
            for query in (COUNTS, UNION_OFF):
                try:
                    r = http.post("/sparql", data={"query": query}, headers=JSON)
                except httpx.HTTPError as exc:
                    seen.failures.append(f"{query[:30]}: {exc!r}")
                    continue
                seen.queries += 1
                seen.during_writes += active
                if r.status_code != 200:
                    seen.failures.append(f"{r.status_code}: {r.text[:300]}")
                elif query is COUNTS:
                    seen.torn += [
                        f"{g}: {n} triples (whole: {sorted(sizes.get(g, ()))})"
                        for g, n in counts_of(r).items()
                        if n not in sizes.get(g, ())
                    ]
                elif number_of(r):
                    seen.torn.append(f"union graph off by {number_of(r)} triples")
            if not active:
                return


@dataclass
class WriteServer:
    proc: subprocess.Popen[str]
    url: str
    store: Path


@pytest.fixture
def write_server(tmp_path: Path) -> Iterator[WriteServer]:
    """``kg serve`` with a write token (one process) over an empty store."""
    store = tmp_path / "store"
    proc, base = start_kg_serve(
        str(store), "--workers", "1", env={"KG_WRITE_TOKEN": TOKEN}
    )
    try:
        yield WriteServer(proc, base, store)
    finally:
        if proc.poll() is None:
            stop_server(proc, grace=5)


def write_while_reading(
    base: str, plan: list[tuple[str, str, str]], timeout: float = 60
) -> Observed:
    """Run the plan's writes while three clients query; what they saw."""
    sizes = allowed_sizes(plan)
    seen, writing = Observed(), threading.Event()
    writing.set()
    readers = [
        threading.Thread(target=read_loop, args=(base, sizes, writing, seen))
        for _ in range(3)
    ]
    for t in readers:
        t.start()
    try:
        with httpx.Client(base_url=base, timeout=timeout) as http:
            for method, graph, body in plan:
                write(http, method, graph, body)
    finally:
        writing.clear()
        for t in readers:
            t.join(120)
    return seen


def final_counts(base: str) -> tuple[dict[str, int], int]:
    """Triples per graph, and how far the union is from the graphs' union."""
    with httpx.Client(base_url=base, timeout=60) as http:
        counts = counts_of(http.post("/sparql", data={"query": COUNTS}, headers=JSON))
        off = number_of(http.post("/sparql", data={"query": UNION_OFF}, headers=JSON))
    return counts, off


@pytest.mark.slow
def test_queries_during_server_writes_see_whole_articles_and_never_fail(
    write_server: WriteServer, seed_graphs: dict[str, frozenset[str]]
) -> None:
    seen = write_while_reading(write_server.url, write_plan(seed_graphs))
    assert not seen.failures, seen.failures[:10]
    assert not seen.torn, seen.torn[:10]
    assert seen.during_writes >= 10, seen  # the reads overlapped the writes
    counts, off = final_counts(write_server.url)
    assert counts == {g: len(t) for g, t in seed_graphs.items()}
    assert off == 0
    stop_server(write_server.proc, grace=5)  # SIGTERM, else SIGKILL: writes kept
    assert store_graphs(write_server.store) == seed_graphs


@pytest.mark.slow
def test_an_ingest_through_kg_serve_can_be_queried_while_it_runs(
    write_server: WriteServer, seed_graphs: dict[str, frozenset[str]]
) -> None:
    """Query while an ingest runs: ``kg ingest --store kg+http://...`` writes each
    article through the server (one transaction each) while clients query it."""
    sizes = {g: {len(lines)} for g, lines in seed_graphs.items()}
    seen, writing = Observed(), threading.Event()
    writing.set()
    readers = [
        threading.Thread(
            target=read_loop, args=(write_server.url, sizes, writing, seen)
        )
        for _ in range(2)
    ]
    for t in readers:
        t.start()
    try:
        run = subprocess.run(
            [KG, "ingest", str(SEEDS), "--store", f"kg+{write_server.url}/"]
            + ["--workers", "1", "--json"],
            env={**os.environ, "KG_STORE_TOKEN": TOKEN},
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        writing.clear()
        for t in readers:
            t.join(120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout)["articles_ingested"] == len(seed_graphs)
    assert seen.during_writes > 0
    assert not seen.failures, seen.failures[:10]
    assert not seen.torn, seen.torn[:10]
    counts, off = final_counts(write_server.url)
    assert counts == {g: len(lines) for g, lines in seed_graphs.items()}
    assert off == 0
    stop_server(write_server.proc, grace=10)
    assert store_graphs(write_server.store) == seed_graphs  # as an embedded ingest


@pytest.mark.slow
def test_the_write_server_stops_on_sigterm_after_writes(
    write_server: WriteServer, seed_graphs: dict[str, frozenset[str]]
) -> None:
    graphs = dict(sorted(seed_graphs.items())[:2])
    with httpx.Client(base_url=write_server.url, timeout=60) as http:
        for method, graph, body in write_plan(graphs)[:2]:
            write(http, method, graph, body)
    stopped = stop_server(write_server.proc, grace=10)
    assert store_graphs(write_server.store) == graphs
    assert stopped, "kg serve did not stop within 10 s of SIGTERM"


@pytest.mark.slow
def test_a_long_article_put_while_clients_query_is_whole_or_absent(
    write_server: WriteServer, seed_graphs: dict[str, frozenset[str]]
) -> None:
    plan = [long_report(seed_graphs)]
    plan += write_plan(dict(sorted(seed_graphs.items())[:3])) + plan
    seen = write_while_reading(write_server.url, plan, timeout=20)
    assert not seen.failures, seen.failures[:10]
    assert not seen.torn, seen.torn[:10]
    counts, off = final_counts(write_server.url)
    assert counts[plan[0][1]] == len(plan[0][2].splitlines())
    assert off == 0


# -- two processes on one store -------------------------------------------------------


@pytest.mark.slow
def test_a_second_ingest_on_the_same_store_stops_with_a_clear_message(
    tmp_path: Path, seed_graphs: dict[str, frozenset[str]]
) -> None:
    store = tmp_path / "store"
    first = start_ingest(store)
    try:
        wait_for(
            lambda: holds_lock(first.pid, store), "the first ingest to open the store"
        )
        second = subprocess.run(
            [KG, "ingest", str(SEEDS), "--store", str(store), "--workers", "1"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert first.poll() is None, "the first ingest ended before the second began"
        assert second.returncode == 1, second
        assert second.stderr == (
            f"Error: the store {store} is open in another process (a running "
            "'kg serve' or 'kg ingest'); stop it or use another --store\n"
        )
        out, err = first.communicate(timeout=300)
    finally:
        kill_group(first)
    assert first.returncode == 0, err.decode(errors="replace")[-3000:]
    assert json.loads(out)["articles_ingested"] == len(seed_graphs)
    assert store_graphs(store) == seed_graphs  # as if it had run alone


# the real CLI, in a loop in one process (no start-up per query): one JSON line each
QUERY_LOOP = """
import json, os, sys
from click.testing import CliRunner
from kg.cli import main

store, stop_file, query = sys.argv[1:4]
runner = CliRunner()
while not os.path.exists(stop_file):
    r = runner.invoke(main, ["query", "--store", store, "--format", "json", query])
    print(json.dumps({"code": r.exit_code, "out": r.stdout, "err": r.stderr}), flush=True)
"""
# what a clear message about a store that another process is writing says
BUSY_WORDS = ("another process", "being written", "ingest")


@pytest.mark.slow
def test_kg_query_during_an_ingest_answers_consistently_or_says_why_not(
    tmp_path: Path, seed_graphs: dict[str, frozenset[str]]
) -> None:
    store, stop_file = tmp_path / "store", tmp_path / "stop"
    ingest = start_ingest(store)
    loop: subprocess.Popen[bytes] | None = None
    try:
        wait_for(lambda: holds_lock(ingest.pid, store), "the ingest to open the store")
        loop = subprocess.Popen(
            [sys.executable, "-c", QUERY_LOOP, str(store), str(stop_file), COUNTS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        _, err = ingest.communicate(timeout=300)
        stop_file.touch()
        lines, loop_err = loop.communicate(timeout=120)
    finally:
        kill_group(ingest)
        if loop is not None:
            kill_group(loop)
    assert ingest.returncode == 0, err.decode(errors="replace")[-3000:]
    assert loop.returncode == 0, loop_err.decode(errors="replace")[-3000:]
    answers = [json.loads(line) for line in lines.splitlines()]
    assert len(answers) >= 5, answers
    bad = []
    for a in answers:
        if a["code"] != 0:
            if not any(w in a["err"] for w in BUSY_WORDS):
                bad.append(f"unclear error: {a['err'].strip()[:300]}")
            continue
        rows = json.loads(a["out"])["results"]["bindings"]
        for row in rows:
            g, n = row["g"]["value"], int(row["n"]["value"])
            if g not in seed_graphs or n != len(seed_graphs[g]):
                whole = len(seed_graphs[g]) if g in seed_graphs else None
                bad.append(f"{g}: {n} triples (whole: {whole})")
    assert not bad, f"{len(bad)} of {len(answers)} answers: {bad[:8]}"


# -- a flood against kg serve ---------------------------------------------------------

HEAVY = (  # about a second on the seeds; past KG_QUERY_TIMEOUT
    "SELECT (COUNT(*) AS ?n) WHERE { ?a rdfs:label ?b . ?c rdfs:label ?d "
    "FILTER(STRLEN(?b) < STRLEN(?d)) }"
)
KINDS: dict[str, tuple[int, tuple[str, str, dict[str, Any]], frozenset[int]]] = {
    # kind: (weight, (method, path, request arguments), acceptable statuses)
    "select": (
        30,
        (
            "GET",
            "/sparql",
            {"params": {"query": "SELECT ?s ?l { ?s rdfs:label ?l } LIMIT 10"}},
        ),
        frozenset({200, 503}),
    ),
    "count": (
        20,
        ("POST", "/sparql", {"data": {"query": TOTAL}}),
        frozenset({200, 503}),
    ),
    "malformed": (
        15,
        ("POST", "/sparql", {"data": {"query": "SELEC ?s WHERE { ?s ?p"}}),
        frozenset({400}),
    ),
    "huge-post": (
        8,
        ("POST", "/sparql", {"data": {"query": "ASK {} #" + "x" * 70_000}}),
        frozenset({400, 413}),
    ),
    "huge-direct": (
        4,
        (
            "POST",
            "/sparql",
            {
                "content": ("ASK {} #" + "x" * 70_000).encode(),
                "headers": {"Content-Type": "application/sparql-query"},
            },
        ),
        frozenset({400, 413}),
    ),
    "heavy": (
        2,
        ("POST", "/sparql", {"data": {"query": HEAVY}}),
        frozenset({200, 503}),
    ),
    "home": (6, ("GET", "/", {}), frozenset({200})),
    "graph": (4, ("GET", "/graph", {}), frozenset({200})),
    "query-page": (3, ("GET", "/query", {}), frozenset({200})),
    "unknown": (5, ("GET", "/no/such/page", {}), frozenset({404})),
    "wrong-method": (3, ("DELETE", "/sparql", {}), frozenset({405})),
    "write-refused": (
        3,
        ("POST", "/update", {"data": {"update": "CLEAR ALL"}}),
        frozenset({401, 403}),
    ),
}
FLOOD = 400


@pytest.fixture
def read_server(
    tmp_path: Path, seeded_store_path: Path
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``kg serve`` as installed (one read-only process per core) on a seeds copy."""
    store = tmp_path / "store"
    shutil.copytree(seeded_store_path, store)
    proc, base = start_kg_serve(
        str(store), env={"KG_WRITE_TOKEN": "", "KG_QUERY_TIMEOUT": "0.5"}
    )
    try:
        yield proc, base
    finally:
        stop_server(proc)


@pytest.mark.slow
def test_the_server_survives_a_flood_of_good_bad_and_slow_requests(
    read_server: tuple[subprocess.Popen[str], str],
    seed_graphs: dict[str, frozenset[str]],
) -> None:
    proc, base = read_server
    union = len(set().union(*seed_graphs.values()))
    rng = random.Random(8)
    kinds = rng.choices(list(KINDS), weights=[k[0] for k in KINDS.values()], k=FLOOD)
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    with httpx.Client(base_url=base, timeout=120, limits=limits) as http:
        for _ in range(3):  # warm up every process before measuring memory
            for kind in ("select", "count", "home", "graph"):
                method, path, kwargs = KINDS[kind][1]
                assert http.request(method, path, **kwargs).status_code == 200
        pids = [proc.pid, *descendants(proc.pid)]
        before = rss_mb(pids)

        def send(kind: str) -> tuple[str, int, str]:
            method, path, kwargs = KINDS[kind][1]
            try:
                r = http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                return kind, -1, repr(exc)
            if kind == "count" and r.status_code == 200 and number_of(r) != union:
                return kind, -2, r.text[:200]
            return kind, r.status_code, r.text[:200]

        with ThreadPoolExecutor(32) as pool:
            results = list(pool.map(send, kinds))
        after = rss_mb(pids)
        assert proc.poll() is None, "the server died"
        wrong = [r for r in results if r[1] not in KINDS[r[0]][2]]
        assert not wrong, wrong[:10]
        statuses: dict[str, dict[int, int]] = {}
        for kind, status, _ in results:
            statuses.setdefault(kind, {}).setdefault(status, 0)
            statuses[kind][status] += 1
        assert statuses["select"].get(200, 0) > 0 and statuses["count"].get(200, 0) > 0
        assert statuses["heavy"].get(503, 0) > 0  # the time limit was reached

        # a good query afterwards (once the abandoned heavy ones have ended)
        def answers() -> bool:
            r = http.post("/sparql", data={"query": TOTAL}, headers=JSON)
            return r.status_code == 200 and number_of(r) == union

        wait_for(answers, "a correct answer after the flood", timeout=60)
    assert after - before < 300, (before, after, statuses)
