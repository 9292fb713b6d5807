#!/usr/bin/env python
"""Actor-graph explorer benchmark: time to the first picture in headless Chromium.

Usage::

    .venv/bin/python benchmarks/bench_explorer.py [--actors N] [--runs R] [--out FILE]
        [--views TOPS] [--data DIR] [--seed S] [--workers N] [--timeout S]

What it does:

1. Builds (once; cached in ``--data``, default ``$TMPDIR/kg-bench-explorer-<actors>-<seed>``)
   a store with about ``--actors`` actors (default 10,000): the shipped seeds through
   ``kg ingest seeds`` (spaCy), plus synthetic articles written directly as RDF in the
   product's layout (``kg.graph.build``: typed entities with ``rdfs:label``, ``kg:Statement``
   nodes with ``rdf:subject/predicate/object``, ``prov:wasDerivedFrom`` a ``kg:Sentence``
   with ``schema:text`` and ``schema:isPartOf`` the article, ``kg:confidence``,
   ``kg:negated``, ``kg:modality``, ``dcterms:date``, the direct triple when asserted, and a
   ``schema:NewsArticle`` with headline, date and publisher). Actors are drawn per article
   from a Zipf-skewed pool, so a few hubs recur and most actors appear once; articles are
   added until the actor graph has ``--actors`` nodes. Each article quad goes into its named
   graph AND the default graph (the set union, as ``EmbeddedStore.put_graph`` writes it),
   through pyoxigraph ``bulk_extend``; a sample is also written through ``put_graph`` into a
   memory store to check that both give the same quads.
2. In-process, on the store opened read-only: ``kg.analytics.to_networkx`` (the actor
   graph), ``kg.viz.layout.layout`` on the best-connected actors of the smallest view, on
   2,000 and on all of them, and ``kg.analytics.table.around(table, HUB, hops=1)`` for
   the actor with the most relations (median of 20, within a time budget).
3. Starts the real server (``kg serve --store DIR --port P``), sends each URL once (cold
   caches) and then warms it, and times full HTTP responses with urllib (median of
   ``--runs``): ``/graph?top=T`` for each ``T`` of ``--views`` (default ``500,<actors>``)
   and ``/graph?entity=HUB&hops=1``.
4. Opens the views the server answered with 200 in headless Chromium (Debian's
   ``/usr/bin/chromium`` driven by Playwright; no host but 127.0.0.1 resolves), a new
   browser context (empty cache) per run,
   ``--runs`` runs each, each run with a filter that changes nothing but the server's
   view-cache key (``min_conf=0.00000k``), so every measured view is computed afresh, and records: request to first drawn picture (the page's
   ``window.kgFirstDraw``, set in vis-network's first ``afterDrawing``; when the page has no
   such hook, the first animation frame in which a canvas has drawn pixels, and the report
   says so), bytes transferred and decoded per resource type, time to first byte of each
   same-origin response, and the JS heap (CDP ``Performance.getMetrics``) after the first
   picture.
5. Prints a Markdown report with the targets (first picture <= 1 s for views of up to 500
   actors and <= 3 s above; neighbourhood server time <= 100 ms) and writes it to
   ``--out`` if given; text below the notes marker line of an existing ``--out`` is kept.

The server is stopped by its process id at the end.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import importlib
import itertools
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_store as gen  # noqa: E402  (name pools of the shared generator)
import serving  # noqa: E402  (shared with bench_sparql.py)
from serving import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
CHROMIUM, CHROMIUM_FLAGS = serving.CHROMIUM, serving.CHROMIUM_FLAGS
NOTES_MARKER = "<!-- notes: kept when bench_explorer.py rewrites this file -->"
LAYOUT_VERSION = 1  # bump when the generated data changes, to invalidate caches
TARGET_SMALL_S, TARGET_BIG_S, TARGET_NEIGHBOURHOOD_MS = 1.0, 3.0, 100.0

BASE = "https://kg.example/"
KG = BASE + "ontology#"
SCHEMA = "http://schema.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_PUBLISHERS = [
    "Northern Courier",
    "Civic Post",
    "Atlantic Wire",
    "Harbor Times",
    "Metro Ledger",
    "Coastal Herald",
    "Summit Daily",
    "Liberty Observer",
]
_MODALITIES = ["asserted"] * 8 + ["reported", "possible"]

# --------------------------------------------------------------------------------------
# Data: seeds + synthetic articles in the product's layout
# --------------------------------------------------------------------------------------


class Terms:
    """pyoxigraph terms with IRIs interned."""

    def __init__(self) -> None:
        self._nn: dict[str, ox.NamedNode] = {}

    def iri(self, v: str) -> ox.NamedNode:
        n = self._nn.get(v)
        if n is None:
            n = self._nn[v] = ox.NamedNode(v)
        return n

    def lit(self, v: str, dt: str | None = None) -> ox.Literal:
        return ox.Literal(v, datatype=self.iri(XSD + dt)) if dt else ox.Literal(v)


Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


@dataclass
class Synth:
    """Deterministic synthetic articles; tracks the actor graph they add up to."""

    seed: int
    pool_size: int
    terms: Terms = field(default_factory=Terms)
    actors: set[str] = field(default_factory=set)
    degree: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        from kg.graph.iris import Minter

        self.rng = random.Random(self.seed)
        self.minter = Minter(BASE)
        pool = gen._make_entities(self.rng, self.pool_size)  # noqa: SLF001
        seen: set[str] = set()
        self.entities: list[tuple[str, str, str]] = []  # iri, type, label
        for e in pool:
            iri = str(self.minter.entity(e.type, e.label))
            if iri not in seen:
                seen.add(iri)
                self.entities.append((iri, e.type, e.label))
        self.ent_cum = list(
            itertools.accumulate(
                1.0 / (i + 1) ** 0.9 for i in range(len(self.entities))
            )
        )
        verbs = gen._make_predicates(self.rng)  # noqa: SLF001
        self.verbs = [v.rsplit("/", 1)[1].replace("_", " ") for v in verbs]
        self.verb_cum = list(
            itertools.accumulate(1.0 / (i + 1) ** 0.7 for i in range(len(self.verbs)))
        )

    def article(self, k: int) -> tuple[str, list[Triple]]:
        """The named-graph IRI and triples of synthetic article ``k``."""
        rng, t, m = self.rng, self.terms, self.minter
        aid = f"synth-{k:06d}"
        a = t.iri(str(m.article(aid)))
        out: list[Triple] = []
        add = out.append
        day = _dt.date(2024, 1, 1) + _dt.timedelta(days=k % 730)
        headline = " ".join(rng.choices(gen._WORDS, k=8)).capitalize()  # noqa: SLF001
        pub_name = _PUBLISHERS[k % len(_PUBLISHERS)]
        pub = t.iri(str(m.entity("Organization", pub_name)))
        add((a, t.iri(RDF + "type"), t.iri(SCHEMA + "NewsArticle")))
        add((a, t.iri(SCHEMA + "identifier"), t.lit(aid)))
        digest = hashlib.sha256(f"{aid}{self.seed}".encode()).hexdigest()
        add((a, t.iri(KG + "contentHash"), t.lit(digest)))
        add((a, t.iri(SCHEMA + "headline"), t.lit(headline)))
        add((a, t.iri(SCHEMA + "datePublished"), t.lit(day.isoformat(), "date")))
        url = f"https://news.example.org/story/{k}"
        add((a, t.iri(SCHEMA + "url"), t.lit(url, "anyURI")))
        add((a, t.iri(SCHEMA + "publisher"), pub))
        add((pub, t.iri(RDF + "type"), t.iri(SCHEMA + "Organization")))
        add((pub, t.iri(RDFS + "label"), t.lit(pub_name)))

        chosen: dict[int, None] = {}
        n_ent = rng.randint(14, 24)
        while len(chosen) < n_ent:
            chosen[
                rng.choices(range(len(self.entities)), cum_weights=self.ent_cum)[0]
            ] = None
        ents = [self.entities[i] for i in chosen]
        for iri, kind, label in ents:
            e = t.iri(iri)
            add((e, t.iri(RDF + "type"), t.iri(SCHEMA + kind)))
            add((e, t.iri(RDFS + "label"), t.lit(label)))
            add((a, t.iri(SCHEMA + "mentions"), e))

        sentences: list[tuple[ox.NamedNode, list[str]]] = []
        for si in range(rng.randint(18, 30)):
            s = t.iri(str(m.sentence(aid, si)))
            sentences.append((s, []))
            add((s, t.iri(RDF + "type"), t.iri(KG + "Sentence")))
            add((s, t.iri(KG + "sentenceIndex"), t.lit(str(si), "integer")))
            add((s, t.iri(SCHEMA + "isPartOf"), a))

        for _ in range(rng.randint(18, 30)):
            (s_iri, _, s_label), (o_iri, _, o_label) = rng.sample(ents, 2)
            verb = rng.choices(self.verbs, cum_weights=self.verb_cum)[0]
            si = rng.randrange(len(sentences))
            sent, words = sentences[si]
            literal_object = rng.random() < 0.15
            negated = rng.random() < 0.05
            modality = rng.choice(_MODALITIES)
            p = t.iri(str(m.predicate(verb)))
            add((p, t.iri(RDF + "type"), t.iri(KG + "Relation")))
            add((p, t.iri(RDFS + "label"), t.lit(verb)))
            add((p, t.iri(RDFS + "subPropertyOf"), t.iri(KG + "related")))
            obj: ox.NamedNode | ox.Literal
            if literal_object:
                o_label = " ".join(rng.choices(gen._WORDS, k=3))  # noqa: SLF001
                obj = t.lit(o_label)
            else:
                obj = t.iri(o_iri)
            words += [s_label, verb, o_label] + rng.choices(gen._WORDS, k=6)  # noqa: SLF001
            st = t.iri(
                str(m.statement(aid, str(si), s_iri, p.value, obj.value, str(negated)))
            )
            add((st, t.iri(RDF + "type"), t.iri(RDF + "Statement")))
            add((st, t.iri(RDF + "type"), t.iri(KG + "Statement")))
            add((st, t.iri(RDF + "subject"), t.iri(s_iri)))
            add((st, t.iri(RDF + "predicate"), p))
            add((st, t.iri(RDF + "object"), obj))
            if literal_object:
                add((st, t.iri(KG + "objectText"), t.lit(o_label)))
            add((st, t.iri(PROV + "wasDerivedFrom"), sent))
            conf = str(round(rng.uniform(0.3, 0.99), 2))
            add((st, t.iri(KG + "confidence"), t.lit(conf, "double")))
            add((st, t.iri(KG + "negated"), t.lit(str(negated).lower(), "boolean")))
            add((st, t.iri(KG + "modality"), t.lit(modality)))
            add((st, t.iri(DCTERMS + "date"), t.lit(day.isoformat(), "date")))
            if not literal_object:
                self.actors.update((s_iri, o_iri))
                self.degree.update((s_iri, o_iri))
                if not negated and modality == "asserted":
                    add((t.iri(s_iri), p, obj))

        offset = 0
        for sent, words in sentences:
            words = words or rng.choices(gen._WORDS, k=12)  # noqa: SLF001
            text = " ".join(words).capitalize() + "."
            end = offset + len(text)
            add((sent, t.iri(SCHEMA + "text"), t.lit(text)))
            add((sent, t.iri(NIF + "beginIndex"), t.lit(str(offset), "integer")))
            add((sent, t.iri(NIF + "endIndex"), t.lit(str(end), "integer")))
            offset = end + 1
        return str(m.article_graph(aid)), out


def product_quads(graph: str, triples: list[Triple], terms: Terms) -> Iterator[ox.Quad]:
    """As ``EmbeddedStore.put_graph`` stores an article: named graph + default graph."""
    g, dg = terms.iri(graph), ox.DefaultGraph()
    for s, p, o in triples:
        yield ox.Quad(s, p, o, g)
        yield ox.Quad(s, p, o, dg)


def check_layout(synth: Synth, n: int) -> str:
    """Same quads from ``put_graph`` (the product's writer) and from the bulk path?"""
    import rdflib

    from kg.store import EmbeddedStore

    def rterm(term: ox.NamedNode | ox.Literal) -> rdflib.term.Node:
        if isinstance(term, ox.NamedNode):
            return rdflib.URIRef(term.value)
        dt = term.datatype.value if term.datatype.value != XSD + "string" else None
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(dt) if dt else None)

    ours, bulk = EmbeddedStore(None), ox.Store()
    for k in range(n):
        graph, triples = synth.article(k)
        g = rdflib.Graph()
        for s, p, o in triples:
            g.add((rterm(s), rterm(p), rterm(o)))
        ours.put_graph(graph, g)
        bulk.bulk_extend(product_quads(graph, triples, synth.terms))
    a = {str(q) for q in ours._store}  # noqa: SLF001 (a benchmark may look inside)
    b = {str(q) for q in bulk}
    if a != b:
        raise SystemExit(
            f"layout check failed: put_graph {len(a)} quads, bulk {len(b)}, "
            f"differ by {len(a ^ b)}: {sorted(a ^ b)[:3]}"
        )
    return f"OK ({n} articles, {len(a):,} quads identical)"


def actor_graph(store_dir: Path) -> Any:
    from kg.analytics import to_networkx
    from kg.store import EmbeddedStore

    store = EmbeddedStore(store_dir, read_only=True)
    try:
        return to_networkx(store)
    finally:
        store.close()


def build_data(data_dir: Path, actors: int, seed: int) -> dict[str, Any]:
    """Build (or reuse) the store; return its description (meta.json)."""
    meta_path, store_dir = data_dir / "meta.json", data_dir / "kg-store"
    want = {"actors": actors, "seed": seed, "layout": LAYOUT_VERSION}
    if meta_path.exists() and store_dir.is_dir():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in want.items()):
            log(f"[data] reusing {data_dir}")
            return dict(meta)
    shutil.rmtree(store_dir, ignore_errors=True)
    meta_path.unlink(missing_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    out = subprocess.run(
        [str(VENV_BIN / "kg"), "ingest", "seeds", "--store", str(store_dir), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode not in (0, 2):  # 2: some input skipped
        raise SystemExit(f"kg ingest seeds failed:\n{out.stdout}\n{out.stderr}")
    t_seeds = time.perf_counter() - t0
    seed_articles = json.loads(out.stdout)["articles_ingested"]
    seed_graph = actor_graph(store_dir)
    seed_actors = set(seed_graph)
    log(f"[data] seeds: {len(seed_actors)} actors, ingested in {t_seeds:.1f} s")

    layout_check = check_layout(Synth(seed, pool_size=3 * actors), 20)
    log(f"[data] layout check vs EmbeddedStore.put_graph: {layout_check}")

    synth = Synth(seed, pool_size=3 * actors)
    n_articles = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal n_articles
        while len(synth.actors | seed_actors) < actors:
            graph, triples = synth.article(n_articles)
            n_articles += 1
            yield from product_quads(graph, triples, synth.terms)

    t0 = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_extend(quads())
    store.flush()
    store.optimize()
    t_load = time.perf_counter() - t0
    n_total = len(store)
    n_default = sum(
        1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    del store
    log(f"[data] {n_articles} synthetic articles, {n_total:,} quads in {t_load:.1f} s")
    hub, _ = synth.degree.most_common(1)[0]
    meta = {
        **want,
        "seed_articles": seed_articles,
        "seed_actors": len(seed_actors),
        "synthetic_articles": n_articles,
        "stored_quads": n_total,
        "default_graph_triples": n_default,
        "named_graph_quads": n_total - n_default,
        "hub": hub,
        "load_s": round(t_load, 1),
        "layout_check": layout_check,
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    return meta


# --------------------------------------------------------------------------------------
# In-process measurements
# --------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(
    fn: Callable[[], Any], runs: int, budget_s: float = 120.0
) -> tuple[list[float], Any]:
    """Seconds per call (at least one call, at most ``runs``, within ``budget_s``)."""
    times: list[float] = []
    result = None
    end = time.monotonic() + budget_s
    while len(times) < runs and (not times or time.monotonic() < end):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return times, result


def top_subgraph(graph: Any, n: int) -> Any:
    ranked = sorted(graph.degree(), key=lambda nd: (-nd[1], str(nd[0])))[:n]
    return graph.subgraph([node for node, _ in ranked]).copy()


@dataclass
class InProcess:
    to_networkx_s: list[float]
    nodes: int
    edges: int
    layout_s: dict[int, list[float]]
    components: dict[int, int]
    neighbourhood_ms: list[float]
    neighbourhood_size: tuple[int, int]
    neighbourhood_error: str = ""


def in_process(store_dir: Path, hub: str, small: int) -> InProcess:
    import networkx as nx

    from kg.analytics import to_networkx
    from kg.analytics.table import actor_table, around
    from kg.store import EmbeddedStore

    layout_mod = importlib.import_module("kg.viz.layout")
    store = EmbeddedStore(store_dir, read_only=True)
    try:
        t_nx, graph = timed(lambda: to_networkx(store), 3)
        log(f"[in-process] to_networkx: {_ms_list(t_nx)} ms")
        layout_s: dict[int, list[float]] = {}
        comps: dict[int, int] = {}
        for n in sorted({small, 2000, graph.number_of_nodes()}):
            sub = top_subgraph(graph, n)
            comps[sub.number_of_nodes()] = nx.number_connected_components(
                sub.to_undirected(as_view=True)
            )

            def run(sub: Any = sub) -> Any:
                layout_mod._spring.cache_clear()  # noqa: SLF001 (a cold layout)
                return layout_mod.layout(sub)

            size = sub.number_of_nodes()
            layout_s[size], _ = timed(run, 3)
            log(f"[in-process] layout {size}: {_ms_list(layout_s[size])} ms")
        err, hood = "", (0, 0)
        try:
            table = actor_table(graph)  # as the server runs it: over the arrays
            t_nb, nb = timed(lambda: around(table, hub, 1), 20, 60.0)
            hood = (len(nb.nodes), len(nb.edges))
        except Exception as exc:  # noqa: BLE001 (report whatever is there)
            t_nb, err = [], f"{type(exc).__name__}: {exc}"
        log(f"[in-process] neighbourhood: {_ms_list(t_nb)} ms, size {hood} {err}")
        return InProcess(
            t_nx,
            graph.number_of_nodes(),
            graph.number_of_edges(),
            layout_s,
            comps,
            [t * 1000 for t in t_nb],
            hood,
            err,
        )
    finally:
        store.close()


def _ms_list(ts: list[float]) -> str:
    return ", ".join(f"{t * 1000:.0f}" for t in ts)


# --------------------------------------------------------------------------------------
# Server and HTTP
# --------------------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    cmd: list[str]

    def wait_ready(self, timeout: float = 120.0) -> None:
        probe = self.base + "/sparql?query=ASK%7B%7D"
        serving.wait_ready("kg serve", self.proc, self.log_path, probe, timeout)

    def stop(self) -> None:
        serving.stop(self.proc)


def start_server(
    store_dir: Path,
    logdir: Path,
    workers: int | None,
    *,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
) -> Server:
    port = free_port()
    cmd = [str(VENV_BIN / "kg"), "serve", "--store", str(store_dir)]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    log_path = logdir / "kg-serve.log"
    with log_path.open("wb") as fh:
        proc = subprocess.Popen(
            cmd,
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
    return Server(f"http://127.0.0.1:{port}", proc, log_path, cmd)


def http_get(url: str, timeout: float = 120.0) -> tuple[int, bytes]:
    return serving.http_get(url, timeout)


@dataclass
class HttpTiming:
    url: str
    status: int
    size: int
    cold_ms: float
    warm_ms: list[float]
    body: bytes = b""


def time_http(base: str, path: str, runs: int) -> HttpTiming:
    """Full response time (loopback, no browser): first request, then ``runs``."""
    t = time.perf_counter()
    status, body = http_get(base + path)
    cold = (time.perf_counter() - t) * 1000
    for _ in range(3):  # each server process fills its caches
        http_get(base + path)
    warm = []
    for _ in range(runs):
        t = time.perf_counter()
        http_get(base + path)
        warm.append((time.perf_counter() - t) * 1000)
    return HttpTiming(path, status, len(body), cold, warm, body[:500])


# --------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------

# The first animation frame in which a canvas shows drawn pixels (the fallback when the
# page has no kgFirstDraw hook); checked on a 64x40 copy, so the probe stays cheap.
CANVAS_PROBE = """(() => {
  window.kgCanvasDrawn = null;
  const probe = document.createElement("canvas");
  probe.width = 64; probe.height = 40;
  const ctx = probe.getContext("2d", {willReadFrequently: true});
  function tick() {
    for (const c of document.querySelectorAll("canvas")) {
      if (!c.width || !c.height) continue;
      ctx.clearRect(0, 0, 64, 40);
      ctx.drawImage(c, 0, 0, 64, 40);
      const d = ctx.getImageData(0, 0, 64, 40).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      if (n > 20) { window.kgCanvasDrawn = performance.now(); return; }
    }
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();"""

NODE_COUNT = """() => {
  try { if (window.network) return network.body.data.nodes.length; } catch (e) {}
  try { if (window.nodes) return nodes.length; } catch (e) {}
  return null; }"""


class ViewRefusedError(Exception):
    """The server did not answer the view's URL with 200."""


@dataclass
class View:
    name: str
    path: str
    target_s: float
    http: HttpTiming | None = None
    runs: list[PageRun] = field(default_factory=list)
    refused: str = ""


@dataclass
class PageRun:
    first_draw_ms: float
    hook: bool
    canvas_ms: float | None
    dcl_ms: float
    nodes: int | None
    transferred: dict[str, int]
    decoded: dict[str, int]
    ttfb_ms: dict[str, float]
    heap_used_mb: float
    heap_total_mb: float
    offhost: list[str]
    errors: list[str]


def open_view(browser: Any, url: str, timeout_s: float) -> PageRun:
    """One cold run: a new context (empty cache), one page, until the first picture."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(CANVAS_PROBE)
    page = ctx.new_page()
    responses: list[Any] = []
    offhost: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: responses.append(r))
    page.on(
        "request",
        lambda r: (
            urllib.parse.urlparse(r.url).hostname not in ("127.0.0.1", "localhost")
            and not r.url.startswith(("data:", "blob:"))
            and offhost.append(r.url)
        ),
    )
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    try:
        resp = page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        if resp is None or resp.status != 200:
            raise ViewRefusedError(f"HTTP {resp.status if resp else '?'}")
        page.wait_for_function(
            "() => window.kgFirstDraw !== undefined || window.kgCanvasDrawn !== null",
            timeout=timeout_s * 1000,
            polling=50,
        )
        first = page.evaluate("() => window.kgFirstDraw")
        canvas = page.evaluate("() => window.kgCanvasDrawn")
        cdp = ctx.new_cdp_session(page)
        cdp.send("Performance.enable")
        metrics = {
            m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]
        }
        page.wait_for_load_state("load", timeout=timeout_s * 1000)
        dcl = page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
        )
        nodes = page.evaluate(NODE_COUNT)
        transferred: dict[str, int] = defaultdict(int)
        decoded: dict[str, int] = defaultdict(int)
        ttfb: dict[str, float] = {}
        for r in responses:
            kind = r.request.resource_type
            sizes = r.request.sizes()
            transferred[kind] += (
                sizes["responseHeadersSize"] + sizes["responseBodySize"]
            )
            try:
                decoded[kind] += len(r.body())
            except Exception:  # noqa: BLE001 (Chromium keeps no body over ~10 MB)
                if not r.headers.get("content-encoding"):
                    decoded[kind] += sizes["responseBodySize"]
            timing = r.request.timing
            if kind in ("document", "fetch", "xhr") and timing["responseStart"] >= 0:
                path = urllib.parse.urlparse(r.url).path
                ttfb[f"{kind} {path}"] = (
                    timing["responseStart"] - timing["requestStart"]
                )
        return PageRun(
            first_draw_ms=float(first if first is not None else canvas),
            hook=first is not None,
            canvas_ms=canvas,
            dcl_ms=float(dcl),
            nodes=nodes,
            transferred=dict(transferred),
            decoded=dict(decoded),
            ttfb_ms=ttfb,
            heap_used_mb=metrics.get("JSHeapUsedSize", math.nan) / 2**20,
            heap_total_mb=metrics.get("JSHeapTotalSize", math.nan) / 2**20,
            offhost=offhost,
            errors=errors,
        )
    finally:
        ctx.close()


def browse(base: str, views: list[View], runs: int, timeout_s: float) -> str:
    """Fill ``view.runs`` (views the server refused are skipped); Chromium's version."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} missing: apt-get install -y chromium")
    live = [v for v in views if not v.refused]
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        version = str(browser.version)
        try:
            if live:  # warm the browser process itself
                open_view(browser, base + live[0].path, timeout_s)
            for i in range(runs):
                for v in live:  # the views alternate
                    if v.refused:
                        continue
                    # a filter that changes nothing but the cache key: the server
                    # computes every measured view afresh (its caches are warm)
                    cold = f"&min_conf={(len(v.runs) + 1) * 1e-6:.6f}"
                    try:
                        r = open_view(browser, base + v.path + cold, timeout_s)
                    except ViewRefusedError as exc:
                        v.refused = str(exc)
                        continue
                    log(
                        f"[browser] {v.path} run {i + 1}: first picture "
                        f"{r.first_draw_ms:.0f} ms ({'hook' if r.hook else 'canvas probe'})"
                        f", nodes {r.nodes}, heap {r.heap_used_mb:.0f} MB"
                    )
                    v.runs.append(r)
        finally:
            browser.close()
    return version


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


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def fmt_ms(x: float) -> str:
    if math.isnan(x):
        return "–"
    return f"{x:.1f}" if x < 10 else f"{x:,.0f}"


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB" if n < 2**20 else f"{n / 2**20:,.2f} MB"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(
    args: argparse.Namespace,
    meta: dict[str, Any],
    ip: InProcess,
    views: list[View],
    hood: HttpTiming,
    hood_api: HttpTiming,
    chromium: str,
    server: Server,
) -> str:
    import networkx

    scipy_version = _version("scipy")
    nb_ms, nb_http = med(ip.neighbourhood_ms), med(hood.warm_ms)
    serve_cmd = " ".join([Path(server.cmd[0]).name, *server.cmd[1:]])
    serve_cmd = serve_cmd.replace(server.base.rsplit(":", 1)[1], "PORT")
    lines = [
        "# Actor-graph explorer: first picture, page weight, neighbourhood time",
        "",
        f"- date: {_dt.datetime.now(_dt.UTC).isoformat(timespec='seconds')}",
        "- command: `.venv/bin/python benchmarks/bench_explorer.py "
        f"{' '.join(sys.argv[1:])}`",
        f"- machine: {machine()}; browser, server and benchmark share the cores",
        f"- data: the {meta['seed_articles']} shipped seed articles (`kg ingest seeds`, "
        f"{meta['seed_actors']} actors) + {meta['synthetic_articles']:,} synthetic "
        f"articles in the product's layout (seed {meta['seed']}); "
        f"{meta['named_graph_quads']:,} quads in named graphs + "
        f"{meta['default_graph_triples']:,} triples in the default graph = "
        f"{meta['stored_quads']:,} stored quads; actor graph {ip.nodes:,} actors, "
        f"{ip.edges:,} relations",
        f"- layout check (bulk path vs `EmbeddedStore.put_graph`): {meta['layout_check']}",
        f"- server: `{serve_cmd}` (the working tree)",
        f"- browser: Chromium {chromium} (`{CHROMIUM}`, headless, software rendering), "
        f"Playwright {_version('playwright')}; viewport 1280x800; a new context (empty "
        f"cache) per run, {args.runs} runs per view, the views alternating, after one "
        "untimed load; each measured run adds `&min_conf=0.00000k` (k = run), a filter "
        "that changes nothing but the server's view-cache key, so every view is computed "
        "afresh (the actor graph and the whole-graph layout are warm); nothing but "
        "127.0.0.1 resolves",
        f"- versions: networkx {networkx.__version__}, scipy {scipy_version}, "
        f"pyoxigraph {ox.__version__}",
        "- first picture = `window.kgFirstDraw` (ms since navigation start, set in "
        "vis-network's first `afterDrawing`); where the page lacks that hook, the first "
        "animation frame with drawn canvas pixels (column 'hook')",
        "",
        "## Targets",
        "",
        "| target | measured (median) | |",
        "|---|---:|---|",
    ]
    for v in views:
        goal = f"{v.name}: request → first picture ≤ {v.target_s:g} s"
        if v.refused or not v.runs:
            lines.append(f"| {goal} | not drawn: {v.refused} | **missed** |")
            continue
        first = med([r.first_draw_ms for r in v.runs]) / 1000
        lines.append(f"| {goal} | {first:.2f} s | {verdict(first <= v.target_s)} |")
    lim = TARGET_NEIGHBOURHOOD_MS
    lines += [
        f"| 1-hop neighbourhood of the hub, server time ≤ {lim:g} ms: in-process "
        f"`around()` | {fmt_ms(nb_ms)} ms | {verdict(nb_ms <= lim)} |",
        f"| same over HTTP: `/graph?entity=HUB&hops=1` (whole page, cached view) | "
        f"{fmt_ms(nb_http)} ms | {verdict(nb_http <= lim)} |",
        f"| same over HTTP: `/api/graph?entity=HUB&hops=1` (the view computed afresh "
        f"on every request: neighbourhood, the top 300 by degree, layout, "
        f"communities, JSON) | {fmt_ms(med(hood_api.warm_ms))} ms | "
        f"{verdict(med(hood_api.warm_ms) <= lim)} |",
        "",
        "## Browser, per view (median of the runs)",
        "",
        "| view | actors drawn | first picture ms (runs) | hook | DOMContentLoaded ms "
        "| transferred | decoded | JS heap used / total MB |",
        "|---|---:|---|---|---:|---:|---:|---:|",
    ]
    for v in views:
        if not v.runs:
            lines.append(f"| {v.name} (`{v.path}`) | – | {v.refused} | | | | | |")
            continue
        rs = v.runs
        hooks = [r.hook for r in rs]
        hook = "yes" if all(hooks) else "some runs" if any(hooks) else "**missing**"
        lines.append(
            f"| {v.name} (`{v.path}`) | {rs[0].nodes if rs[0].nodes is not None else '?'}"
            f" | **{fmt_ms(med([r.first_draw_ms for r in rs]))}** "
            f"({', '.join(fmt_ms(r.first_draw_ms) for r in rs)}) | {hook} | "
            f"{fmt_ms(med([r.dcl_ms for r in rs]))} | "
            f"{kb(med([sum(r.transferred.values()) for r in rs]))} | "
            f"{kb(med([sum(r.decoded.values()) for r in rs]))} | "
            f"{med([r.heap_used_mb for r in rs]):.0f} / "
            f"{med([r.heap_total_mb for r in rs]):.0f} |"
        )
    lines += [
        "",
        "Page weight by resource type (median; transferred = headers + body on the wire, "
        "decoded = body after decompression):",
        "",
        "| view | resource type | transferred | decoded |",
        "|---|---|---:|---:|",
    ]
    for v in views:
        for k in sorted({k for r in v.runs for k in r.transferred}):
            lines.append(
                f"| {v.name} | {k} | {kb(med([r.transferred.get(k, 0) for r in v.runs]))}"
                f" | {kb(med([r.decoded.get(k, 0) for r in v.runs]))} |"
            )
    lines += [
        "",
        "Time to first byte of the same-origin HTML/JSON responses, as the browser saw "
        "them (≈ server time on loopback):",
        "",
        "| view | response | TTFB ms (median) |",
        "|---|---|---:|",
    ]
    for v in views:
        for key in sorted({k for r in v.runs for k in r.ttfb_ms}):
            ts = [r.ttfb_ms[key] for r in v.runs if key in r.ttfb_ms]
            lines.append(f"| {v.name} | `{key}` | {fmt_ms(med(ts))} |")
    runs = [r for v in views for r in v.runs]
    errors = sorted({e for r in runs for e in r.errors})
    lines += [
        "",
        "- requests off the host: "
        + ("none" if not any(r.offhost for r in runs) else "**yes**"),
        "- console errors: " + ("none" if not errors else "; ".join(errors[:10])),
        "",
        "## Server time over HTTP (urllib on loopback, whole response, no browser)",
        "",
        "The first request after the server started (cold caches), then 3 untimed, then "
        f"{args.runs} timed requests:",
        "",
        "| URL | status | body | first request ms | median ms (runs) |",
        "|---|---:|---:|---:|---|",
    ]
    for h in [*(v.http for v in views if v.http), hood, hood_api]:
        path = urllib.parse.unquote(h.url).replace(meta["hub"], "HUB")
        lines.append(
            f"| `{path}` | {h.status} | {kb(h.size)} | {fmt_ms(h.cold_ms)} | "
            f"**{fmt_ms(med(h.warm_ms))}** ({', '.join(fmt_ms(x) for x in h.warm_ms)}) |"
        )
    lines += [
        "",
        "## In-process (no HTTP), on the same store opened read-only",
        "",
        "| step | input | median ms (runs) |",
        "|---|---|---|",
        f"| `kg.analytics.to_networkx(store)` | {meta['stored_quads']:,} quads | "
        f"{fmt_ms(med(ip.to_networkx_s) * 1000)} ({_ms_list(ip.to_networkx_s)}) |",
    ]
    for n, ts in sorted(ip.layout_s.items()):
        lines.append(
            f"| `kg.viz.layout.layout(graph)` | the {n:,} best-connected actors "
            f"(components: {ip.components[n]}) | {fmt_ms(med(ts) * 1000)} "
            f"({_ms_list(ts)}) |"
        )
    nb = ip.neighbourhood_ms
    size = ip.neighbourhood_size
    result = (
        f"**{fmt_ms(med(nb))}** ({len(nb)} runs: min {fmt_ms(min(nb))}, "
        f"max {fmt_ms(max(nb))}) |"
        if nb
        else f"failed: {ip.neighbourhood_error} |"
    )
    lines += [
        f"| `around(actor table, HUB, hops=1)` (what `/graph?entity=` runs) | "
        f"{size[0]:,} actors, "
        f"{size[1]:,} relations | " + result,
        "",
        f"HUB = `{meta['hub']}` (the synthetic actor with the most relations). The first "
        "layout run includes importing scipy.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--actors", type=int, default=10_000, help="actors in the store")
    ap.add_argument(
        "--views",
        default=None,
        help="comma-separated `top` values to draw (default: 500 and --actors); "
        f"target {TARGET_SMALL_S:g} s up to 500 actors, {TARGET_BIG_S:g} s above",
    )
    ap.add_argument("--runs", type=int, default=5, help="browser runs per view")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data", type=Path, default=None, help="cache directory")
    ap.add_argument("--out", type=Path, default=None, help="write the Markdown here")
    ap.add_argument("--workers", type=int, default=None, help="kg serve --workers")
    ap.add_argument("--timeout", type=float, default=120.0, help="s per page load")
    args = ap.parse_args()
    tops = [int(t) for t in (args.views or f"500,{args.actors}").split(",")]

    data_dir = args.data or Path(tempfile.gettempdir()) / (
        f"kg-bench-explorer-{args.actors}-{args.seed}"
    )
    meta = build_data(data_dir, args.actors, args.seed)
    store_dir = data_dir / "kg-store"
    ip = in_process(store_dir, meta["hub"], min(tops))

    views = [
        View(
            f"{top:,}-actor view" if top < ip.nodes else f"whole graph ({ip.nodes:,})",
            f"/graph?top={top}",
            TARGET_SMALL_S if top <= 500 else TARGET_BIG_S,
        )
        for top in tops
    ]
    server = start_server(store_dir, data_dir, args.workers)
    try:
        server.wait_ready()
        for v in views:
            v.http = time_http(server.base, v.path, args.runs)
            if v.http.status != 200:
                v.refused = f"HTTP {v.http.status}: {v.http.body[:200]!r}"
        hub_q = urllib.parse.urlencode({"entity": meta["hub"], "hops": 1})
        hood = time_http(server.base, f"/graph?{hub_q}", args.runs)
        hood_api = time_http(server.base, f"/api/graph?{hub_q}", args.runs)
        for h in [*(v.http for v in views if v.http), hood, hood_api]:
            log(
                f"[http] {h.url[:60]}: {h.status}, cold {h.cold_ms:.0f} ms, "
                f"warm {med(h.warm_ms):.0f} ms"
            )
        chromium = browse(server.base, views, args.runs, args.timeout)
    finally:
        server.stop()

    md = render(args, meta, ip, views, hood, hood_api, chromium, server)
    print(md)
    if args.out:  # hand-written analysis below the marker survives a re-run
        serving.write_report(Path(args.out), md, NOTES_MARKER)


if __name__ == "__main__":
    main()
