#!/usr/bin/env python
"""HTTP SPARQL benchmark: ``kg serve`` against ``oxigraph serve`` on the same data.

Usage::

    .venv/bin/python benchmarks/bench_sparql.py [--articles N] [--data DIR] [--out FILE]
        [--duration S] [--warmup S] [--rounds R] [--threads T] [--connections C]
        [--workers N]

What it does:

1. Builds (once; cached in ``--data``, default ``$TMPDIR/kg-bench-sparql-<articles>-<seed>``)
   a store in the product's layout from the deterministic news-shaped generator of
   ``bench_store.py`` (3,125 articles ~ 1.0M article quads): every article quad in its
   named graph ``https://kg.example/graph/ID`` AND its triple in the default graph, which
   holds the set union of the article graphs (as ``EmbeddedStore.put_graph`` writes it).
   Labels are plain literals, as ``kg.graph.build`` writes them. The load goes through
   pyoxigraph ``Store.bulk_extend``; a sample of articles is also written through
   ``EmbeddedStore.put_graph`` into a memory store to check that both give the same quads.
   The finished directory is copied for ``oxigraph serve`` (same pyoxigraph/oxigraph version,
   same on-disk format), so both servers hold byte-for-byte the same data, and the same
   default graph (``oxigraph serve`` runs without ``--union-default-graph``).
2. Times each query in-process (pyoxigraph ``query`` + JSON ``serialize``, no HTTP) on the
   store: the engine floor both servers share.
3. Starts ``kg serve`` and ``oxigraph serve`` on free 127.0.0.1 ports, waits until they
   answer, checks that both return the same rows for each query, then runs
   ``wrk --latency`` (one warm-up run, then ``--rounds`` measured runs, the two servers
   alternating, one at a time; each figure is the median of the rounds) with the URL-encoded
   GET query and ``Accept: application/sparql-results+json``.
   Both servers are stopped at the end (by their process id).
4. Prints a Markdown table (req/s, p50, p99, kg/oxigraph ratios, row check, CPU used by the
   server, wrk and everything else during each run) and writes it to ``--out`` if given;
   text below the notes marker line in an existing ``--out`` file is kept.

If ``kg serve --help`` lists ``--workers``, ``--workers N`` is passed through to it.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_store as gen  # noqa: E402  (the shared deterministic generator)
import serving  # noqa: E402  (shared with bench_explorer.py)
from serving import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ACCEPT = "application/sparql-results+json"
DEFAULT_ARTICLES = 3125  # ~1.0M article quads (~320 per article)
NOTES_MARKER = "<!-- notes: kept when bench_sparql.py rewrites this file -->"
LAYOUT_VERSION = 1  # bump when the stored data changes, to invalidate caches

PREFIX_LINES = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


class Terms:
    """gen's neutral terms -> pyoxigraph terms, IRIs interned. Labels as plain literals."""

    def __init__(self) -> None:
        self._nn: dict[str, ox.NamedNode] = {}

    def iri(self, v: str) -> ox.NamedNode:
        n = self._nn.get(v)
        if n is None:
            n = self._nn[v] = ox.NamedNode(v)
        return n

    def term(self, t: tuple) -> ox.NamedNode | ox.Literal:
        if t[0] == "iri":
            return self.iri(t[1])
        _, v, dt, _lang = t  # the product writes labels without a language tag
        if dt:
            return ox.Literal(v, datatype=self.iri(dt))
        return ox.Literal(v)


def our_layout(articles: list[list[tuple]], terms: Terms):
    """Quads as ``EmbeddedStore.put_graph`` stores them: named graph + default graph."""
    dg = ox.DefaultGraph()
    for art in articles:
        for s, p, o, g in art:
            st, pt, ot = terms.term(s), terms.term(p), terms.term(o)
            yield ox.Quad(st, pt, ot, terms.iri(g))
            yield ox.Quad(st, pt, ot, dg)


def check_layout(articles: list[list[tuple]]) -> str:
    """Same quads from put_graph (the product's writer) and from our bulk path?"""
    import rdflib

    from kg.store import EmbeddedStore

    def rterm(t: tuple):
        if t[0] == "iri":
            return rdflib.URIRef(t[1])
        _, v, dt, _lang = t
        return rdflib.Literal(v, datatype=rdflib.URIRef(dt) if dt else None)

    ours = EmbeddedStore(None)
    for art in articles:
        g = rdflib.Graph()
        for s, p, o, _ in art:
            g.add((rterm(s), rterm(p), rterm(o)))
        ours.put_graph(art[0][3], g)
    bulk = ox.Store()
    bulk.bulk_extend(our_layout(articles, Terms()))
    a = {str(q) for q in ours._store}  # noqa: SLF001 (a benchmark may look inside)
    b = {str(q) for q in bulk}
    if a != b:
        raise SystemExit(
            f"layout check failed: put_graph {len(a)} quads, bulk {len(b)}, "
            f"differ by {len(a ^ b)}"
        )
    return f"OK ({len(articles)} articles, {len(a)} quads identical)"


@dataclass
class Dataset:
    kg_dir: Path
    ox_dir: Path
    meta: dict


def build_data(data_dir: Path, n_articles: int, seed: int) -> Dataset:
    """Build (or reuse) the two identical store directories and the query constants."""
    meta_path = data_dir / "meta.json"
    kg_dir, ox_dir = data_dir / "kg-store", data_dir / "oxigraph-store"
    want = {"articles": n_articles, "seed": seed, "layout": LAYOUT_VERSION}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if (
            all(meta.get(k) == v for k, v in want.items())
            and kg_dir.is_dir()
            and ox_dir.is_dir()
        ):
            print(f"[data] reusing {data_dir}", file=sys.stderr)
            return Dataset(kg_dir, ox_dir, meta)
    for d in (kg_dir, ox_dir):
        shutil.rmtree(d, ignore_errors=True)
    meta_path.unlink(missing_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    data = gen.generate(n_articles, seed)
    t_gen = time.perf_counter() - t0
    print(
        f"[data] generated {data.n_quads:,} article quads in {t_gen:.1f} s",
        file=sys.stderr,
    )
    layout = check_layout(data.articles[:30])
    print(f"[data] layout check vs EmbeddedStore.put_graph: {layout}", file=sys.stderr)

    t0 = time.perf_counter()
    store = ox.Store(str(kg_dir))
    store.bulk_extend(our_layout(data.articles, Terms()))
    store.flush()
    store.optimize()
    t_load = time.perf_counter() - t0
    n_total = len(store)
    n_default = sum(
        1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    n_graphs = sum(1 for _ in store.named_graphs())
    del store
    shutil.copytree(kg_dir, ox_dir)
    print(
        f"[data] bulk-loaded {n_total:,} quads ({n_default:,} in the default graph) "
        f"in {t_load:.1f} s; copied for oxigraph serve",
        file=sys.stderr,
    )

    by_freq = sorted(data.entity_freq.items(), key=lambda kv: (-kv[1], kv[0]))
    label_of = {e.iri: e.label for e in data.entities}
    meta = {
        **want,
        "generated_quads": data.n_quads,
        "stored_quads": n_total,
        "default_graph_triples": n_default,
        "named_graph_quads": n_total - n_default,
        "named_graphs": n_graphs,
        "entities": len(data.entities),
        "hub": by_freq[0][0],
        "hub_articles": by_freq[0][1],
        "label": label_of[by_freq[min(len(by_freq) - 1, 5)][0]],
        "load_s": round(t_load, 1),
        "layout_check": layout,
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    return Dataset(kg_dir, ox_dir, meta)


def sparql_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_queries(meta: dict) -> list[tuple[str, str]]:
    hub = meta["hub"]
    return [
        ("scan `?s ?p ?o` LIMIT 10", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"),
        (
            "label lookup",
            PREFIX_LINES
            + f"SELECT ?e WHERE {{ ?e rdfs:label {sparql_string(meta['label'])} }}",
        ),
        (
            "1-hop of hub entity, both directions, labels, LIMIT 100",
            PREFIX_LINES
            + f"""SELECT ?dir ?p ?n ?label WHERE {{
  {{ <{hub}> ?p ?n . BIND("out" AS ?dir) }}
  UNION
  {{ ?n ?p <{hub}> . BIND("in" AS ?dir) }}
  ?n rdfs:label ?label .
}} LIMIT 100""",
        ),
    ]


def engine_floor(
    store_dir: Path, queries: list[tuple[str, str]], budget_s: float = 1.0
):
    """Median ms of query + JSON serialisation in-process (no HTTP), per query."""
    store = ox.Store.read_only(str(store_dir))
    out = []
    for _, q in queries:
        times: list[float] = []
        end = time.perf_counter() + budget_s
        while time.perf_counter() < end or len(times) < 5:
            t = time.perf_counter()
            store.query(q).serialize(format=ox.QueryResultsFormat.JSON)
            times.append(time.perf_counter() - t)
        out.append(statistics.median(times) * 1000)
    del store
    return out


# --------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------


def http_get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    return serving.http_get(url, timeout, accept=ACCEPT)


@dataclass
class Server:
    name: str
    endpoint: str  # http://127.0.0.1:PORT/path
    proc: subprocess.Popen
    log: Path
    note: str = ""

    def url(self, query: str) -> str:
        return self.endpoint + "?" + urllib.parse.urlencode({"query": query})

    def wait_ready(self, timeout: float = 90.0) -> None:
        serving.wait_ready(self.name, self.proc, self.log, self.url("ASK { }"), timeout)

    def stop(self) -> None:
        serving.stop(self.proc)


def kg_supports_workers() -> bool:
    out = subprocess.run(
        [str(VENV_BIN / "kg"), "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return "--workers" in out


def start_kg(store_dir: Path, logdir: Path, workers: int | None) -> Server:
    port = free_port()
    cmd = [
        str(VENV_BIN / "kg"),
        "serve",
        "--store",
        str(store_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    note = (
        f"kg serve default: granian, one process per core ({os.cpu_count()}), "
        "store read-only in each"
    )
    if workers is not None:
        if kg_supports_workers():
            cmd += ["--workers", str(workers)]
            note = f"--workers {workers}"
        else:
            note = f"--workers {workers} requested, but `kg serve` has no --workers: 1 process"
    log = logdir / "kg-serve.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
    return Server("kg serve", f"http://127.0.0.1:{port}/sparql", proc, log, note)


def start_oxigraph(store_dir: Path, logdir: Path) -> Server:
    port = free_port()
    exe = shutil.which("oxigraph", path=str(VENV_BIN)) or "oxigraph"
    cmd = [exe, "serve", "--location", str(store_dir), "--bind", f"127.0.0.1:{port}"]
    log = logdir / "oxigraph-serve.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    return Server("oxigraph serve", f"http://127.0.0.1:{port}/query", proc, log)


def rows_of(server: Server, query: str) -> list[str]:
    status, body = http_get(server.url(query))
    if status != 200:
        raise SystemExit(f"{server.name}: HTTP {status}: {body[:500]!r}")
    return [
        json.dumps(b, sort_keys=True) for b in json.loads(body)["results"]["bindings"]
    ]


# --------------------------------------------------------------------------------------
# wrk
# --------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"cannot parse wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


@dataclass
class WrkResult:
    rps: float
    p50: float
    p99: float
    requests: int
    non2xx: int
    errors: int
    server_cores: float = float("nan")  # CPU used by the server (process tree) / wall s
    wrk_cores: float = float("nan")  # CPU used by wrk / wall s
    other_cores: float = float("nan")  # everything else on the machine / wall s


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _system_busy_s() -> float:
    """Busy CPU seconds of the whole machine since boot (/proc/stat)."""
    try:
        f = [
            int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        ]
    except OSError:
        return float("nan")
    return (sum(f[:8]) - f[3] - f[4]) / _TICK  # minus idle and iowait; guest is in user


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its live children (server workers)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1] = ppid
            total += (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
    return total


def run_wrk(url: str, args: argparse.Namespace, duration: float, pid: int) -> WrkResult:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration:g}s",
        "--latency",
        "--timeout",
        "10s",
        "-H",
        f"Accept: {ACCEPT}",
        url,
    ]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, srv0, t0 = _system_busy_s(), _tree_cpu_s(pid), time.monotonic()
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    wall = time.monotonic() - t0
    busy, srv = _system_busy_s() - busy0, _tree_cpu_s(pid) - srv0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    rps_m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    reqs_m = re.search(r"(\d+) requests in", out)
    if rps_m is None or reqs_m is None or set(pct) != {"50", "99"}:
        raise SystemExit(f"cannot read wrk's output:\n{out}")
    rps, reqs = float(rps_m.group(1)), int(reqs_m.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = sum(int(x) for x in sock.groups()) if sock else 0
    return WrkResult(
        rps,
        _ms(pct["50"]),
        _ms(pct["99"]),
        reqs,
        int(non2xx.group(1)) if non2xx else 0,
        errors,
        srv / wall,
        wrk_cpu / wall,
        max(0.0, busy - srv - wrk_cpu) / wall,
    )


def median_result(runs: list[WrkResult]) -> WrkResult:
    """Each figure's median over the rounds; counts of requests and errors summed."""
    med = statistics.median
    return WrkResult(
        med(r.rps for r in runs),
        med(r.p50 for r in runs),
        med(r.p99 for r in runs),
        sum(r.requests for r in runs),
        sum(r.non2xx for r in runs),
        sum(r.errors for r in runs),
        med(r.server_cores for r in runs),
        med(r.wrk_cores for r in runs),
        med(r.other_cores for r in runs),
    )


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )


def fmt_ms(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:,.1f}"


def render(
    args, ds: Dataset, queries, floors, rows, results, servers, wrk_version
) -> str:
    m = ds.meta
    kg_s, ox_s = servers
    lines = [
        "# SPARQL over HTTP: `kg serve` vs `oxigraph serve`",
        "",
        f"- date: {_dt.datetime.now(_dt.UTC).isoformat(timespec='seconds')}",
        f"- command: `.venv/bin/python benchmarks/bench_sparql.py {' '.join(sys.argv[1:])}`",
        f"- data: {m['articles']:,} articles (named graphs), seed {m['seed']}; "
        f"{m['named_graph_quads']:,} article quads in named graphs + "
        f"{m['default_graph_triples']:,} triples in the default graph (their set union) = "
        f"{m['stored_quads']:,} stored quads; {m['entities']:,} entities in the pool",
        f"- layout check (bulk path vs `EmbeddedStore.put_graph`): {m['layout_check']}",
        "- both servers serve copies of the same store directory (pyoxigraph/oxigraph "
        f"{ox.__version__}); `oxigraph serve` without `--union-default-graph`, so the same "
        "default graph answers the same query strings",
        f"- kg serve: {kg_s.note}; oxigraph serve: default (multi-threaded)",
        f"- machine: {machine()}; wrk runs on the same 2 cores as the server",
        f"- wrk: `{wrk_version}`: `wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration:g}s --latency --timeout 10s -H 'Accept: {ACCEPT}' "
        "'http://127.0.0.1:PORT/PATH?query=<url-encoded>'` after a "
        f"{args.warmup:g} s warm-up run with the same parameters, then {args.rounds} "
        "measured runs per server, the servers alternating (one at a time); each "
        "figure is the median of those runs",
        "- engine ms: median of pyoxigraph `query()` + JSON `serialize()` in-process on the "
        "same store (no HTTP): the floor both servers share",
        "",
        "| query | rows kg / ox | same rows | engine ms | kg req/s | ox req/s | "
        "kg/ox req/s | kg p50 ms | ox p50 ms | kg p99 ms | ox p99 ms | kg/ox p99 | "
        "target (≥0.30, ≤3x) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for (name, _), floor, (nk, no, same), (rk, ro) in zip(
        queries, floors, rows, results, strict=True
    ):
        tr, pr = rk.rps / ro.rps, rk.p99 / ro.p99
        ok = "met" if tr >= 0.30 and pr <= 3.0 else "**missed**"
        lines.append(
            f"| {name} | {nk} / {no} | {'yes' if same else '**no**'} | {fmt_ms(floor)} | "
            f"{rk.rps:,.0f} | {ro.rps:,.0f} | {tr:.2f} | {fmt_ms(rk.p50)} | {fmt_ms(ro.p50)} | "
            f"{fmt_ms(rk.p99)} | {fmt_ms(ro.p99)} | {pr:.1f}x | {ok} |"
        )
    bad = [
        f"{s} on '{name}': {r.non2xx} non-2xx, {r.errors} socket errors"
        for (name, _), pair in zip(queries, results, strict=True)
        for s, r in zip(("kg", "oxigraph"), pair, strict=True)
        if r.non2xx or r.errors
    ]
    lines += [
        "",
        "CPU during each measured run (CPU-seconds per wall second, from /proc; 'other' is "
        "every process on the machine but the server and wrk: above ~0.2 other work "
        "competed for the 2 cores and the run is noisier):",
        "",
        "| query | kg server | kg wrk | kg other | ox server | ox wrk | ox other |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for (name, _), (rk, ro) in zip(queries, results, strict=True):
        lines.append(
            f"| {name} | {rk.server_cores:.2f} | {rk.wrk_cores:.2f} | {rk.other_cores:.2f} "
            f"| {ro.server_cores:.2f} | {ro.wrk_cores:.2f} | {ro.other_cores:.2f} |"
        )
    lines += [
        "",
        "kg/ox req/s = throughput ratio (target ≥ 0.30); kg/ox p99 = p99 latency ratio "
        "(target ≤ 3x). 'same rows' compares the JSON bindings as sets.",
        "",
        "- errors: "
        + ("; ".join(bad) if bad else "none (all responses 2xx, no socket errors)"),
        "",
        "Queries (identical strings sent to both servers):",
        "",
    ]
    for name, q in queries:
        lines += [f"- {name}:", "", "```sparql", q, "```", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=DEFAULT_ARTICLES)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--data", type=Path, default=None, help="cache directory for the stores"
    )
    ap.add_argument("--out", type=Path, default=None, help="write the Markdown here")
    ap.add_argument("--duration", type=float, default=10.0, help="wrk seconds per run")
    ap.add_argument(
        "--warmup", type=float, default=2.0, help="wrk warm-up seconds per run"
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measured runs per server and query (alternating); medians reported",
    )
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="passed to `kg serve --workers` if it has that option",
    )
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    wrk_version = (
        subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        .stdout.splitlines()[0]
        .strip()
    )

    data_dir = args.data or Path(tempfile.gettempdir()) / (
        f"kg-bench-sparql-{args.articles}-{args.seed}"
    )
    ds = build_data(data_dir, args.articles, args.seed)
    queries = build_queries(ds.meta)
    floors = engine_floor(ds.kg_dir, queries)
    print("[engine] " + ", ".join(f"{f:.2f} ms" for f in floors), file=sys.stderr)

    servers: list[Server] = []
    try:
        servers.append(start_kg(ds.kg_dir, data_dir, args.workers))
        servers.append(start_oxigraph(ds.ox_dir, data_dir))
        for s in servers:
            s.wait_ready()
        kg_s, ox_s = servers
        rows = []
        for name, q in queries:
            a, b = rows_of(kg_s, q), rows_of(ox_s, q)
            rows.append((len(a), len(b), sorted(a) == sorted(b)))
            print(
                f"[rows] {name}: kg {len(a)}, oxigraph {len(b)}, same={rows[-1][2]}",
                file=sys.stderr,
            )
        results = []
        for name, q in queries:
            runs: list[list[WrkResult]] = [[] for _ in servers]
            for rnd in range(args.rounds):  # servers alternate within each round
                for i, s in enumerate(servers):
                    url = s.url(q)
                    if args.warmup > 0 and rnd == 0:
                        run_wrk(url, args, args.warmup, s.proc.pid)
                    # Requests in flight when wrk exits are abandoned by the client but
                    # still run to their end on the server (kg counts them against its
                    # busy bound): let them drain, so each run starts from an idle server.
                    time.sleep(1.0)
                    r = run_wrk(url, args, args.duration, s.proc.pid)
                    print(
                        f"[wrk] {s.name} / {name} (round {rnd + 1}): {r.rps:,.0f} req/s, "
                        f"p50 {r.p50:.2f} ms, p99 {r.p99:.2f} ms ({r.requests} requests, "
                        f"{r.non2xx} non-2xx, {r.errors} socket errors; CPU cores: "
                        f"server {r.server_cores:.2f}, wrk {r.wrk_cores:.2f}, "
                        f"other {r.other_cores:.2f})",
                        file=sys.stderr,
                    )
                    runs[i].append(r)
            results.append(tuple(median_result(rs) for rs in runs))
    finally:
        for s in servers:
            s.stop()

    md = render(args, ds, queries, floors, rows, results, servers, wrk_version)
    print(md)
    if args.out:  # hand-written analysis below the marker survives a re-run
        serving.write_report(Path(args.out), md, NOTES_MARKER)


if __name__ == "__main__":
    main()
