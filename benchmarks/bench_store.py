#!/usr/bin/env python
"""Benchmark the embedded Oxigraph store: pyoxigraph directly vs rdflib + oxrdflib.

Usage::

    .venv/bin/python benchmarks/bench_store.py [--articles N] [--out FILE] [--repeat R] [--seed S]

What it does, in one process:

1. Deterministically generates a synthetic news graph shaped like the product's:
   one named graph ``https://kg.example/graph/ID`` per article holding a ``schema:NewsArticle``
   node, ~20 sentence nodes with text literals, ~15 entities (``schema:Person`` /
   ``schema:Organization`` / ``schema:Place``, with ``rdfs:label`` and ``skos:altLabel``) drawn
   from a shared, Zipf-skewed pool so they repeat across articles, and ~25 relation triples
   ``entity rel:verb entity`` (predicates from a pool of 200), each reified by an
   ``rdf:Statement`` node with ``rdf:subject/predicate/object``, ``prov:wasDerivedFrom`` a
   sentence and a ``kg:confidence`` double.
   The data is generated once as plain strings; each variant builds its own term objects
   from them, and that construction is counted in its load time (it is what the product
   would pay with either API).
2. For (A) pyoxigraph (``Store(path)``, ``store.extend(quads)`` per article,
   ``store.query(q, use_default_graph_as_union=True)``) and (B) rdflib + oxrdflib
   (``Dataset(store="Oxigraph", default_union=True)`` opened on a path, ``ds.addN(quads)``
   per article, ``ds.query(q)`` with the query as a string), each on its own fresh
   temporary on-disk store (the two stores are open side by side and the work is
   interleaved, see ``run_both``, so that both variants see the same machine conditions):
   - loads one article per call (= one Oxigraph transaction): articles/s and quads/s;
   - runs the same SPARQL query strings over the union of the named graphs (A: the
     ``use_default_graph_as_union`` flag; B: ``default_union=True``, which oxrdflib maps to
     the same flag), each repeated, median ms. Every result is fully materialised
     (A: Python lists of pyoxigraph terms; B: rdflib ``ResultRow`` s of rdflib terms).
3. Checks that both variants return the same result sets (compared as N-Triples strings),
   that both stores hold the same number of quads, and that (B) without
   ``default_union`` sees nothing in the default graph (so the union flag is what matters).
4. Prints a Markdown table (operation | pyoxigraph | rdflib+oxrdflib | ratio) and writes it
   to ``--out`` if given.

Memory is not measured: peak RSS of one process cannot be attributed to a variant.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import itertools
import os
import platform
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib import Dataset, Literal, URIRef

BASE = "https://kg.example/"
KG = BASE + "ontology#"
REL = BASE + "rel/"
SCHEMA = "http://schema.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"

RDF_TYPE = RDF + "type"
XSD_DOUBLE = XSD + "double"
XSD_INTEGER = XSD + "integer"
XSD_DATE = XSD + "date"
_XSD_STRING = URIRef(XSD + "string")

# About 320 quads per article: 625 articles ~ 200k quads.
DEFAULT_ARTICLES = 625

PREFIXES = f"""PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX schema: <{SCHEMA}>
PREFIX prov: <{PROV}>
PREFIX kg: <{KG}>
"""

# --------------------------------------------------------------------------------------
# Synthetic data (neutral representation: tuples of plain strings)
# --------------------------------------------------------------------------------------

# A term is ("iri", value) or ("lit", lexical, datatype_or_None, lang_or_None).
Term = tuple
NQuad = tuple[Term, Term, Term, str]  # s, p, o, graph IRI


def _iri(v: str) -> Term:
    return ("iri", v)


def _lit(v: str, datatype: str | None = None, lang: str | None = None) -> Term:
    return ("lit", v, datatype, lang)


_FIRST = (
    "Anna Ben Carla David Elena Farid Grace Hugo Ines Jonas Karim Lena Marco Nadia Omar "
    "Paula Quentin Rosa Samir Tara Umar Vera Walid Xenia Yusuf Zoe Amir Bruno Chloe Dmitri"
).split()
_LAST = (
    "Schmidt Rossi Dubois Novak Haddad Okafor Silva Ivanova Kowalski Jensen Moreau Costa "
    "Petrov Nguyen Garcia Brown Fischer Leroy Bossy Marin Tanaka Weber Conti Laurent Popescu"
).split()
_ORG_A = (
    "Northern Global United Atlantic Civic Open Red Blue Central Free Coastal Federal "
    "National Metro Harbor Green Liberty Pioneer Summit Unity"
).split()
_ORG_B = (
    "Ministry Council Bank Union Agency Front Alliance Institute Authority Foundation "
    "Party Group Network Commission Coalition Bureau"
).split()
_PLACE_A = (
    "North South East West New Old Upper Lower Port Saint Great Little Fort Mount Lake"
).split()
_PLACE_B = (
    "haven ford bridge field wood ton burg ville mouth stead wick gate brook dale moor"
).split()
_VERBS = (
    "accuse acquire address announce appoint arrest attack back ban blame block boycott "
    "call cancel charge cite claim condemn confirm criticise defeat defend deny deport "
    "detain dismiss elect endorse evacuate expel fund fine hire host indict interview "
    "investigate join lead meet monitor name oppose pardon praise prosecute protest "
    "question rescue reject release replace report represent sanction sign sue support "
    "suspend threaten train veto visit warn welcome"
).split()
_ADVERBS = (
    "",
    "publicly",
    "formally",
    "reportedly",
    "jointly",
    "partly",
    "again",
    "quietly",
)
_WORDS = (
    "the a of in on at for with from by after before during while officials said told "
    "reporters on Tuesday morning statement border camp migrants police court week "
    "government talks deal vote city region crisis aid spokesperson according report "
    "claims figures thousands several hundreds protest election budget minister agreement"
).split()


@dataclass
class Entity:
    iri: str
    type: str  # schema local name
    label: str
    alt_labels: list[str]


@dataclass
class SyntheticData:
    articles: list[list[NQuad]]
    entities: list[Entity]
    predicates: list[str]
    entity_freq: dict[str, int] = field(default_factory=dict)

    @property
    def n_quads(self) -> int:
        return sum(len(a) for a in self.articles)


def _slug(s: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in s)


def _make_entities(rng: random.Random, n: int) -> list[Entity]:
    seen: set[str] = set()
    out: list[Entity] = []
    kinds = ("Person", "Organization", "Place")
    collisions = 0
    while len(out) < n:
        kind = kinds[len(out) % 3]
        if kind == "Person":
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            middle = (
                f" {rng.choice('ABCDEFGHJKLMNOPRSTVW')}." if rng.random() < 0.5 else ""
            )
            label = f"{first}{middle} {last}"
            alts = [last, f"{first[0]}. {last}"]
        elif kind == "Organization":
            a, b = rng.choice(_ORG_A), rng.choice(_ORG_B)
            label = f"{a} {b}"
            if rng.random() < 0.5:
                label += f" of {rng.choice(_PLACE_A)}{rng.choice(_PLACE_B)}"
            alts = ["".join(w[0] for w in label.split() if w[0].isupper())]
        else:
            label = f"{rng.choice(_PLACE_A)}{rng.choice(_PLACE_B)}"
            if rng.random() < 0.4:
                label += f"-{rng.choice(_PLACE_A)}{rng.choice(_PLACE_B)}"
            alts = [label.upper()] if rng.random() < 0.3 else []
        if label in seen:
            # The name space is finite: after many collisions, disambiguate with a number so
            # that any --articles terminates.
            collisions += 1
            if collisions < 50:
                continue
            label = f"{label} {len(out)}"
        collisions = 0
        seen.add(label)
        iri = f"{BASE}entity/{kind.lower()}/{_slug(label)}"
        out.append(Entity(iri, kind, label, alts))
    return out


def _make_predicates(rng: random.Random, n: int = 200) -> list[str]:
    preds: list[str] = []
    seen: set[str] = set()
    combos = [(v, a) for v in _VERBS for a in _ADVERBS]
    rng.shuffle(combos)
    for verb, adv in combos:
        name = f"{adv}_{verb}" if adv else verb
        if name not in seen:
            seen.add(name)
            preds.append(REL + name)
        if len(preds) == n:
            break
    return preds


def generate(n_articles: int, seed: int = 42) -> SyntheticData:
    """Deterministic synthetic news graph, one list of quads per article."""
    rng = random.Random(seed)
    pool_size = max(300, n_articles * 2)
    entities = _make_entities(rng, pool_size)
    predicates = _make_predicates(rng)
    # Zipf-ish weights: a few hub entities appear in many articles.
    ent_cum = list(
        itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(entities)))
    )
    pred_cum = list(
        itertools.accumulate(1.0 / (i + 1) ** 0.7 for i in range(len(predicates)))
    )
    ent_idx = range(len(entities))
    start = _dt.date(2024, 1, 1)
    articles: list[list[NQuad]] = []
    freq: dict[str, int] = {}

    for aid in range(n_articles):
        g = f"{BASE}graph/{aid:06d}"
        art = f"{BASE}article/{aid:06d}"
        q: list[NQuad] = []
        add = q.append
        # The article.
        add((_iri(art), _iri(RDF_TYPE), _iri(SCHEMA + "NewsArticle"), g))
        add(
            (
                _iri(art),
                _iri(SCHEMA + "headline"),
                _lit(" ".join(rng.choices(_WORDS, k=8)).capitalize()),
                g,
            )
        )
        day = start + _dt.timedelta(days=aid % 365)
        add(
            (
                _iri(art),
                _iri(SCHEMA + "datePublished"),
                _lit(day.isoformat(), XSD_DATE),
                g,
            )
        )
        add(
            (
                _iri(art),
                _iri(SCHEMA + "url"),
                _iri(f"https://news.example.org/story/{aid}"),
                g,
            )
        )

        # Entities of this article (distinct, drawn from the shared pool).
        n_ent = rng.randint(12, 18)
        chosen: dict[int, None] = {}
        while len(chosen) < n_ent:
            chosen[rng.choices(ent_idx, cum_weights=ent_cum)[0]] = None
        ents = [entities[i] for i in chosen]
        for e in ents:
            freq[e.iri] = freq.get(e.iri, 0) + 1
            add((_iri(e.iri), _iri(RDF_TYPE), _iri(SCHEMA + e.type), g))
            add((_iri(e.iri), _iri(RDFS + "label"), _lit(e.label, lang="en"), g))
            for alt in e.alt_labels:
                add((_iri(e.iri), _iri(SKOS + "altLabel"), _lit(alt, lang="en"), g))
            add((_iri(art), _iri(SCHEMA + "mentions"), _iri(e.iri), g))

        # Sentences.
        n_sent = rng.randint(16, 24)
        sents = [f"{art}/sentence/{k}" for k in range(n_sent)]
        for k, s in enumerate(sents):
            words = rng.choices(_WORDS, k=rng.randint(10, 25))
            e1, e2 = rng.sample(ents, 2)
            words.insert(rng.randrange(len(words)), e1.label)
            words.insert(rng.randrange(len(words)), e2.label)
            text = " ".join(words).capitalize() + "."
            add((_iri(s), _iri(RDF_TYPE), _iri(KG + "Sentence"), g))
            add((_iri(s), _iri(KG + "text"), _lit(text), g))
            add((_iri(s), _iri(KG + "index"), _lit(str(k), XSD_INTEGER), g))
            add((_iri(s), _iri(SCHEMA + "isPartOf"), _iri(art), g))

        # Relations + reification.
        n_rel = rng.randint(20, 30)
        for r in range(n_rel):
            subj, obj = rng.sample(ents, 2)
            pred = rng.choices(predicates, cum_weights=pred_cum)[0]
            st = f"{BASE}statement/{aid:06d}-{r}"
            # Canonical double lexical form, so rdflib's literal normalisation keeps it as is.
            conf = str(round(rng.uniform(0.3, 0.99), 2))
            add((_iri(subj.iri), _iri(pred), _iri(obj.iri), g))
            add((_iri(st), _iri(RDF_TYPE), _iri(RDF + "Statement"), g))
            add((_iri(st), _iri(RDF + "subject"), _iri(subj.iri), g))
            add((_iri(st), _iri(RDF + "predicate"), _iri(pred), g))
            add((_iri(st), _iri(RDF + "object"), _iri(obj.iri), g))
            add((_iri(st), _iri(PROV + "wasDerivedFrom"), _iri(rng.choice(sents)), g))
            add((_iri(st), _iri(KG + "confidence"), _lit(conf, XSD_DOUBLE), g))
        articles.append(q)

    return SyntheticData(articles, entities, predicates, freq)


# --------------------------------------------------------------------------------------
# Queries (identical strings for both variants; union default graph in both)
# --------------------------------------------------------------------------------------


def build_queries(data: SyntheticData) -> list[tuple[str, str]]:
    by_freq = sorted(data.entity_freq.items(), key=lambda kv: (-kv[1], kv[0]))
    hub = by_freq[0][0]  # most-mentioned entity
    mid = by_freq[min(len(by_freq) - 1, 20)][0]  # a moderately frequent one
    label_of = {e.iri: e.label for e in data.entities}
    lookup_label = label_of[by_freq[min(len(by_freq) - 1, 5)][0]].replace('"', '\\"')
    rel_filter = f'STRSTARTS(STR(?p), "{REL}")'
    return [
        ("scan: `?s ?p ?o` LIMIT 10", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"),
        (
            "label lookup (`rdfs:label` literal)",
            PREFIXES
            + f'SELECT DISTINCT ?e ?type WHERE {{ ?e rdfs:label "{lookup_label}"@en ; a ?type }}',
        ),
        (
            "1-hop neighbourhood of hub entity, both directions, labels",
            PREFIXES
            + f"""SELECT DISTINCT ?dir ?p ?n ?label WHERE {{
  {{ <{hub}> ?p ?n . BIND("out" AS ?dir) }} UNION {{ ?n ?p <{hub}> . BIND("in" AS ?dir) }}
  FILTER({rel_filter})
  ?n rdfs:label ?label .
}}""",
        ),
        (
            "COUNT statements GROUP BY predicate ORDER BY DESC LIMIT 20",
            PREFIXES
            + """SELECT ?p (COUNT(?st) AS ?n) WHERE { ?st a rdf:Statement ; rdf:predicate ?p }
GROUP BY ?p ORDER BY DESC(?n) ?p LIMIT 20""",
        ),
        (
            "2-hop: entities sharing a neighbour with an entity, labels",
            # Union default graph is a bag (a triple in k article graphs matches k times), so
            # the neighbours and labels are made DISTINCT in subqueries before joining; the
            # naive single-BGP form grows super-linearly (1.6 s at 200k quads, 4.2 s at 290k).
            PREFIXES
            + f"""SELECT ?b ?label ?shared WHERE {{
  {{ SELECT ?b (COUNT(DISTINCT ?m) AS ?shared) WHERE {{
      {{ SELECT DISTINCT ?m WHERE {{
          {{ <{mid}> ?p1 ?m }} UNION {{ ?m ?p1 <{mid}> }}
          FILTER(STRSTARTS(STR(?p1), "{REL}"))
      }} }}
      {{ ?b ?p2 ?m }} UNION {{ ?m ?p2 ?b }}
      FILTER(STRSTARTS(STR(?p2), "{REL}") && ?b != <{mid}>)
  }} GROUP BY ?b }}
  {{ SELECT DISTINCT ?b ?label WHERE {{ ?b rdfs:label ?label }} }}
}} ORDER BY DESC(?shared) ?b""",
        ),
        (
            "bulk rows: all distinct (entity, label) pairs",
            PREFIXES + "SELECT DISTINCT ?e ?label WHERE { ?e rdfs:label ?label }",
        ),
    ]


# --------------------------------------------------------------------------------------
# Variants
# --------------------------------------------------------------------------------------


class Variant:
    name: str

    def open(self, path: str) -> None: ...
    def make_quads(self, article: list[NQuad]) -> list: ...
    def add_article(self, quads: list) -> None: ...
    def query_rows(self, q: str) -> list[tuple]: ...
    def rows_as_strings(self, rows: list[tuple]) -> list[tuple[str, ...]]: ...
    def quad_count(self) -> int: ...
    def raw_store(self) -> ox.Store: ...
    def close(self) -> None: ...


class PyOxigraph(Variant):
    name = "pyoxigraph"

    def open(self, path: str) -> None:
        self.store = ox.Store(path)

    def _term(self, t: Term):
        if t[0] == "iri":
            return ox.NamedNode(t[1])
        _, v, dt, lang = t
        if lang:
            return ox.Literal(v, language=lang)
        if dt:
            return ox.Literal(v, datatype=ox.NamedNode(dt))
        return ox.Literal(v)

    def make_quads(self, article: list[NQuad]) -> list[ox.Quad]:
        t = self._term
        return [ox.Quad(t(s), t(p), t(o), ox.NamedNode(g)) for s, p, o, g in article]

    def add_article(self, quads: list[ox.Quad]) -> None:
        self.store.extend(quads)  # one transaction

    def query_rows(self, q: str) -> list[tuple]:
        res = self.store.query(q, use_default_graph_as_union=True)
        return [tuple(sol) for sol in res]

    def rows_as_strings(self, rows: list[tuple]) -> list[tuple[str, ...]]:
        return [tuple("" if v is None else str(v) for v in r) for r in rows]

    def quad_count(self) -> int:
        return len(self.store)

    def raw_store(self) -> ox.Store:
        return self.store

    def close(self) -> None:
        self.store.flush()
        del self.store
        gc.collect()


class RdflibOxrdflib(Variant):
    name = "rdflib+oxrdflib"

    def open(self, path: str) -> None:
        # default_union=True makes oxrdflib pass use_default_graph_as_union=True to Oxigraph.
        self.ds = Dataset(store="Oxigraph", default_union=True)
        self.ds.open(path, create=True)

    def _term(self, t: Term):
        if t[0] == "iri":
            return URIRef(t[1])
        _, v, dt, lang = t
        if lang:
            return Literal(v, lang=lang)
        if dt:
            return Literal(v, datatype=URIRef(dt))
        return Literal(v)

    def make_quads(self, article: list[NQuad]) -> list[tuple]:
        t = self._term
        return [(t(s), t(p), t(o), URIRef(g)) for s, p, o, g in article]

    def add_article(self, quads: list[tuple]) -> None:
        # Dataset.addN -> OxigraphStore.addN -> one Store.extend (one transaction).
        # NB: ds.graph(iri).addN(...) would silently drop these quads: Graph.addN keeps only
        # quads whose context is a Graph whose identifier *is* that Graph's identifier object.
        self.ds.addN(quads)

    def query_rows(self, q: str) -> list[tuple]:
        # A string query runs in Oxigraph's engine (a prepareQuery() one would not).
        return [tuple(row) for row in self.ds.query(q)]

    def rows_as_strings(self, rows: list[tuple]) -> list[tuple[str, ...]]:
        # n3() of an rdflib term is its N-Triples form, like str() of a pyoxigraph term.
        # oxrdflib returns every simple literal as Literal(v, datatype=xsd:string), which
        # rdflib does not consider == Literal(v) (same RDF 1.1 term): normalise it back.
        def nt(v) -> str:
            if v is None:
                return ""
            if (
                isinstance(v, Literal)
                and v.language is None
                and v.datatype == _XSD_STRING
            ):
                return Literal(str(v)).n3()
            return v.n3()

        return [tuple(nt(v) for v in r) for r in rows]

    def quad_count(self) -> int:
        return len(self.ds.store._inner)  # the underlying pyoxigraph.Store

    def raw_store(self) -> ox.Store:
        return self.ds.store._inner

    def default_graph_only_count(self) -> int:
        """Same query with default_union off: must see nothing (all data is in named graphs)."""
        ds2 = Dataset(store=self.ds.store, default_union=False)
        return len(list(ds2.query("SELECT * WHERE { ?s ?p ?o } LIMIT 10")))

    def close(self) -> None:
        inner = self.ds.store._inner
        inner.flush()
        self.ds.close()
        del inner, self.ds
        gc.collect()


# --------------------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------------------


@dataclass
class Result:
    load_s: float = 0.0
    load_call_s: float = 0.0
    optimize_s: float = 0.0
    quads: int = 0
    stored_quads: int = 0
    query_ms: dict[str, float] = field(default_factory=dict)
    query_rows: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)


def _load_one(v: Variant, art: list[NQuad], res: Result) -> None:
    t0 = time.perf_counter()
    quads = v.make_quads(art)
    c0 = time.perf_counter()
    v.add_article(quads)
    t1 = time.perf_counter()
    res.load_s += t1 - t0
    res.load_call_s += t1 - c0


def _query_once(v: Variant, q: str) -> tuple[float, list[tuple]]:
    t = time.perf_counter()
    rows = v.query_rows(q)
    return (time.perf_counter() - t) * 1000, rows


def run_both(
    data: SyntheticData,
    queries: list[tuple[str, str]],
    repeat: int,
    log: Callable[[str], None],
) -> tuple[Result, Result]:
    """Both variants, each on its own fresh on-disk store, measured interleaved.

    Running A entirely and then B made the ratios depend on the order (query medians of the
    first store were up to 1.7x slower at 480k quads, load ratios moved from 1.5 to 1.8), so
    the two stores are open side by side: article i is loaded into both (alternating which
    goes first), and every query repetition runs on both (alternating too). Each variant
    gets the same machine conditions; its timings only cover its own calls.
    """
    a_var, b_var = PyOxigraph(), RdflibOxrdflib()
    ra, rb = Result(), Result()
    tmp = tempfile.mkdtemp(prefix="bench_store_")
    opened: list[Variant] = []
    try:
        for v in (a_var, b_var):
            v.open(os.path.join(tmp, v.name.replace("+", "_")))
            opened.append(v)
        pairs = ((a_var, ra), (b_var, rb))
        gc.collect()
        for i, art in enumerate(data.articles):
            for v, r in pairs if i % 2 == 0 else pairs[::-1]:
                _load_one(v, art, r)
        for v, r in pairs:
            r.quads = data.n_quads
            r.stored_quads = v.quad_count()
            log(f"  {v.name}: loaded {len(data.articles)} articles in {r.load_s:.2f} s")
        # Untimed: flush both stores so no write is pending when queries start.
        for v, r in pairs:
            t = time.perf_counter()
            v.raw_store().flush()
            v.raw_store().optimize()
            r.optimize_s = time.perf_counter() - t

        for label, q in queries:
            times: dict[str, list[float]] = {a_var.name: [], b_var.name: []}
            for v, r in pairs:  # warm-up; these rows are the ones compared
                _, rows = _query_once(v, q)
                r.query_rows[label] = v.rows_as_strings(rows)
            for k in range(repeat):
                for v, _r in pairs if k % 2 == 0 else pairs[::-1]:
                    ms, _ = _query_once(v, q)
                    times[v.name].append(ms)
            for v, r in pairs:
                r.query_ms[label] = statistics.median(times[v.name])
                log(
                    f"  {v.name}: {label}: {r.query_ms[label]:.2f} ms, "
                    f"{len(r.query_rows[label])} rows"
                )
        rb.extra["default_graph_only_rows"] = b_var.default_graph_only_count()
    finally:
        for v in opened:
            try:
                v.close()
            except Exception as exc:  # noqa: BLE001 - cleanup must go on
                log(f"  closing {v.name} failed: {exc!r}")
        shutil.rmtree(tmp, ignore_errors=True)
    return ra, rb


def _fmt(x: float, unit: str = "") -> str:
    if x >= 1000:
        s = f"{x:,.0f}"
    elif x >= 100:
        s = f"{x:.0f}"
    elif x >= 10:
        s = f"{x:.1f}"
    else:
        s = f"{x:.2f}"
    return s + unit


def make_table(
    data: SyntheticData, a: Result, b: Result, queries: list[tuple[str, str]]
) -> str:
    n_art = len(data.articles)
    lines = [
        "| operation | pyoxigraph | rdflib+oxrdflib | ratio |",
        "|---|---:|---:|---:|",
    ]
    # Throughputs: ratio = A rate / B rate, i.e. the same as a time ratio.
    for label, fa, fb in (
        (
            "load: articles/s (one transaction per article, incl. building terms)",
            n_art / a.load_s,
            n_art / b.load_s,
        ),
        ("load: quads/s (same)", a.quads / a.load_s, b.quads / b.load_s),
        (
            "load: quads/s inside the add call only",
            a.quads / a.load_call_s,
            b.quads / b.load_call_s,
        ),
    ):
        lines.append(f"| {label} | {_fmt(fa)} | {_fmt(fb)} | {fa / fb:.2f} |")
    lines.append(
        f"| load: total time | {_fmt(a.load_s, ' s')} | {_fmt(b.load_s, ' s')} | {b.load_s / a.load_s:.2f} |"
    )
    for label, _ in queries:
        ma, mb = a.query_ms[label], b.query_ms[label]
        n = len(a.query_rows[label])
        lines.append(
            f"| query: {label} ({n} rows), median ms | {_fmt(ma)} | {_fmt(mb)} | {mb / ma:.2f} |"
        )
    lines.append("")
    lines.append(
        "ratio = rdflib+oxrdflib time / pyoxigraph time (for throughputs: pyoxigraph rate / rdflib rate); "
        "> 1 means rdflib+oxrdflib is slower."
    )
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--articles",
        type=int,
        default=DEFAULT_ARTICLES,
        help=f"number of articles (default {DEFAULT_ARTICLES}, ~200k quads)",
    )
    ap.add_argument(
        "--out", help="also write the Markdown table (with run details) to this file"
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=7,
        help="timed repetitions per query after one warm-up (default 7)",
    )
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    if args.articles < 1 or args.repeat < 1:
        ap.error("--articles and --repeat must be >= 1")

    # Turn SIGTERM into SystemExit so the finally blocks remove the temporary stores.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    load_start = _loadavg()
    t0 = time.perf_counter()
    data = generate(args.articles, args.seed)
    log(
        f"generated {len(data.articles)} articles, {data.n_quads} quads, "
        f"{len(data.entity_freq)} distinct entities in {time.perf_counter() - t0:.1f} s"
    )
    queries = build_queries(data)

    a, b = run_both(data, queries, args.repeat, log)

    # ---- checks ----
    problems: list[str] = []
    if a.stored_quads != b.stored_quads:
        problems.append(
            f"stored quad counts differ: {a.stored_quads} vs {b.stored_quads}"
        )
    if a.stored_quads > data.n_quads:
        problems.append(
            f"store holds more quads than generated ({a.stored_quads} > {data.n_quads})"
        )
    for label, _ in queries:
        ra, rb = a.query_rows[label], b.query_rows[label]
        if len(ra) != len(rb):
            problems.append(f"{label}: row counts differ ({len(ra)} vs {len(rb)})")
        elif sorted(ra) != sorted(rb):
            problems.append(f"{label}: same row count ({len(ra)}) but different rows")
        if len(ra) == 0:
            problems.append(f"{label}: no rows (query or data is wrong)")
    if b.extra.get("default_graph_only_rows") != 0:
        problems.append(
            "rdflib Dataset without default_union saw triples in the default graph"
        )

    table = make_table(data, a, b, queries)
    print(table)
    check = (
        "OK: same result rows (compared as N-Triples) and same stored quad count for both"
        if not problems
        else "MISMATCH: " + "; ".join(problems)
    )
    print()
    print(check)

    if args.out:
        header = (
            f"# Store benchmark: pyoxigraph vs rdflib + oxrdflib\n\n"
            f"- date: {_dt.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
            f"- command: `.venv/bin/python benchmarks/bench_store.py {' '.join(argv if argv is not None else sys.argv[1:])}`\n"
            f"- articles (named graphs): {len(data.articles)}; quads generated: {data.n_quads}; "
            f"quads stored: {a.stored_quads} (duplicates within an article collapse); "
            f"distinct entities: {len(data.entity_freq)}; relation predicates: {len(data.predicates)}\n"
            f"- machine: {_cpu_model()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
            f"pyoxigraph {ox.__version__}, rdflib {rdflib.__version__}; "
            f"load average at start / end: {load_start} / {_loadavg()} (other work shares the machine)\n"
            f"- stores: two fresh temporary on-disk Oxigraph stores (under {tempfile.gettempdir()}), open side by side; "
            f"load = one `Store.extend` (A) / `Dataset.addN` (B) per article, interleaved article by article "
            f"(alternating which variant goes first); then, untimed, `flush()` + `optimize()` on both "
            f"(A {a.optimize_s:.1f} s, B {b.optimize_s:.1f} s)\n"
            f"- queries: identical SPARQL strings over the union of the named graphs "
            f"(A: `use_default_graph_as_union=True`; B: `Dataset(default_union=True)` and the query passed as a string); "
            f"one warm-up each, then {args.repeat} repetitions alternating A/B, median; rows fully materialised\n"
            f"- check: {check}\n\n"
        )
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(header + table + "\n")
    log(f"total {time.perf_counter() - t0:.1f} s")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
