"""The actor graph as arrays: filters, ranking and views in milliseconds.

networkx is the exchange format (:mod:`kg.analytics.convert`), but walking 30,000
edge dicts per request costs half a second. An :class:`ActorTable` holds the same
graph once as numpy arrays (edge ends, category codes for predicates, sources and
dates, confidences, flags), so a filter is a few boolean masks and a view a
:class:`Selection` of node and edge indexes. Built once per frozen actor graph
(see :func:`actor_table`), shared, never mutated.

Example:
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Anna", type="Person")
    >>> g.add_node("b", label="Bob", type="Person")
    >>> g.add_node("c", label="Calais", type="Place")
    >>> _ = g.add_edge("a", "b", key="s1", label="meet", confidence=0.9)
    >>> _ = g.add_edge("a", "c", key="s2", label="visit", confidence=0.4)
    >>> from kg.analytics.filters import GraphFilter
    >>> sel = select(ActorTable(g), GraphFilter(min_confidence=0.5))
    >>> sel.node_ids(), sel.stats["matched_edges"]
    (['a', 'b'], 1)
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]

from kg.analytics.filters import GraphFilter, after
from kg.analytics.metrics import (
    louvain,
    period_of,
    rank_scores,
    weighted_scores,
)
from kg.errors import NotFoundError
from kg.vocab import TYPE_CLASSES

__all__ = ["TYPE_NAMES", "ActorTable", "Selection", "actor_table", "around", "select"]

_T = TypeVar("_T")
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]

TYPE_NAMES = (*TYPE_CLASSES, "Thing")  # type codes index this
_TYPES = TYPE_NAMES


def _codes(values: Iterable[str]) -> tuple[Ints, list[str]]:
    """Category codes and the distinct values (first-seen order)."""
    seen: dict[str, int] = {}
    codes = [seen.setdefault(v, len(seen)) for v in values]
    return np.asarray(codes, dtype=np.int64), list(seen)


def _rank(keys: Sequence[Any]) -> Ints:
    """Each item's position in ``sorted(keys)``."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    return rank


class ActorTable:
    """One actor graph (a :func:`~kg.analytics.convert.to_networkx` graph) as arrays.

    Nodes are numbered in the graph's order, edges in its edge order. ``graph``
    stays the source for what arrays do not hold (exports, paths, panels).
    """

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.ids: list[str] = [str(n) for n in graph]
        self.keys_of_nodes: list[Any] = list(graph)
        self.index: dict[Any, int] = {n: i for i, n in enumerate(self.keys_of_nodes)}
        data = [d for _, d in graph.nodes(data=True)]
        self.labels = [
            str(d.get("label", n)) for n, d in zip(self.ids, data, strict=True)
        ]
        self.types = np.asarray(
            [
                _TYPES.index(t) if t in _TYPES else len(_TYPES) - 1
                for t in (str(d.get("type", "Thing")) for d in data)
            ],
            dtype=np.int64,
        )
        self.names = [  # what the text search looks in: label and aliases
            [name.casefold() for name in (lab, *map(str, d.get("aliases") or []))]
            for lab, d in zip(self.labels, data, strict=True)
        ]
        self.node_rank = _rank(self.ids)  # IRI order
        self.name_rank = _rank(
            [(lab.casefold(), i) for lab, i in zip(self.labels, self.ids, strict=True)]
        )
        self.edge_list = list(graph.edges(keys=True, data=True))
        edges = self.edge_list
        index = self.index
        self.src = np.asarray([index[u] for u, _, _, _ in edges], dtype=np.int64)
        self.dst = np.asarray([index[v] for _, v, _, _ in edges], dtype=np.int64)
        self.edge_keys = [str(k) for _, _, k, _ in edges]
        self.key_rank = _rank(self.edge_keys)
        self.pred, pairs = _codes(
            f"{d.get('predicate', '')}\n{d.get('label', '')}" for *_, d in edges
        )
        self.pred_iri = [p.split("\n", 1)[0] for p in pairs]
        self.pred_label = [p.split("\n", 1)[1] for p in pairs]
        self.pred_rank = _rank(self.pred_iri)
        self.source, self.sources = _codes(
            str(d.get("source") or "") for *_, d in edges
        )
        self.date, self.dates = _codes(str(d.get("date") or "") for *_, d in edges)
        self.conf = np.asarray(
            [float(d.get("confidence") or 0.0) for *_, d in edges], dtype=np.float64
        )
        self.negated = np.asarray([bool(d.get("negated")) for *_, d in edges], bool)
        self.hedged = np.asarray(
            [d.get("modality") not in (None, "", "asserted") for *_, d in edges], bool
        )
        self.attributed = np.asarray(
            [bool(d.get("attributed_to")) for *_, d in edges], bool
        )
        self.n_nodes, self.n_edges = len(self.ids), len(edges)
        self._memo: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def memo(self, key: Any, compute: Callable[[], _T]) -> _T:
        """``compute()``, once per key for this table (the table never changes)."""
        with self._lock:
            if key in self._memo:
                return cast(_T, self._memo[key])
        value = compute()
        with self._lock:
            return cast(_T, self._memo.setdefault(key, value))

    def all(self) -> Selection:
        """Everything, as a selection."""
        nodes = np.arange(self.n_nodes)
        edges = np.argsort(self.key_rank, kind="stable")
        n, e = self.n_nodes, self.n_edges
        return Selection(self, nodes, edges, _stats(n, e, n, e, n, e))

    def degree(self, nodes: Bools | None, edges: Bools | None = None) -> Ints:
        """Relations per node (in + out, a self-loop twice) over ``edges``."""
        src, dst = (
            (self.src, self.dst)
            if edges is None
            else (self.src[edges], self.dst[edges])
        )
        out = np.bincount(src, minlength=self.n_nodes) + np.bincount(
            dst, minlength=self.n_nodes
        )
        return out if nodes is None else out * nodes

    def adjacency(self, edges: Bools) -> Any:
        """Undirected CSR adjacency of the ``edges`` (for reach and components)."""
        s, d = self.src[edges], self.dst[edges]
        ones = np.ones(2 * len(s), dtype=np.int8)
        return sparse.csr_matrix(
            (ones, (np.concatenate([s, d]), np.concatenate([d, s]))),
            shape=(self.n_nodes, self.n_nodes),
        )

    def reach(self, start: int, hops: int, edges: Bools | None = None) -> Bools:
        """Nodes within ``hops`` relations of ``start`` (either direction), over
        ``edges`` (default: all)."""
        if edges is None:
            adj = self.memo(
                "adjacency", lambda: self.adjacency(np.ones(self.n_edges, bool))
            )
        else:
            adj = self.adjacency(edges)
        seen = np.zeros(self.n_nodes, dtype=bool)
        seen[start] = True
        frontier = seen.copy()
        for _ in range(hops):
            nxt = (adj @ frontier.astype(np.int8)) > 0
            frontier = nxt & ~seen
            if not frontier.any():
                break
            seen |= frontier
        return seen


def _stats(
    total_n: int,
    total_e: int,
    matched_n: int,
    matched_e: int,
    shown_n: int,
    shown_e: int,
) -> dict[str, int]:
    return {
        "total_nodes": total_n,
        "total_edges": total_e,
        "matched_nodes": matched_n,
        "matched_edges": matched_e,
        "shown_nodes": shown_n,
        "shown_edges": shown_e,
        "hidden_nodes": matched_n - shown_n,
    }


@dataclass
class Selection:
    """Part of a table: node indexes (graph order), edge indexes (statement order)."""

    table: ActorTable
    nodes: Ints
    edges: Ints
    stats: dict[str, int] = field(default_factory=dict)

    def node_ids(self) -> list[str]:
        return [self.table.ids[i] for i in self.nodes]

    def node_mask(self) -> Bools:
        mask = np.zeros(self.table.n_nodes, dtype=bool)
        mask[self.nodes] = True
        return mask

    def edge_mask(self) -> Bools:
        mask = np.zeros(self.table.n_edges, dtype=bool)
        mask[self.edges] = True
        return mask

    def is_everything(self) -> bool:
        t = self.table
        return len(self.nodes) == t.n_nodes and len(self.edges) == t.n_edges

    def to_networkx(self) -> nx.MultiDiGraph:
        """The selection as a new networkx graph (for exports and paths)."""
        t = self.table
        if self.is_everything():
            return t.graph
        out: nx.MultiDiGraph = nx.MultiDiGraph()
        out.add_nodes_from(
            (t.keys_of_nodes[i], t.graph.nodes[t.keys_of_nodes[i]]) for i in self.nodes
        )
        out.add_edges_from(t.edge_list[i] for i in self.edges)
        return out

    def pairs(self, *, loops: bool = False) -> tuple[Ints, Ints, Ints]:
        """Undirected related pairs (i <= j) and their statement counts."""
        t = self.table
        s, d = t.src[self.edges], t.dst[self.edges]
        lo, hi = np.minimum(s, d), np.maximum(s, d)
        keep = np.ones(len(lo), bool) if loops else lo != hi
        code = lo[keep] * t.n_nodes + hi[keep]
        uniq, counts = np.unique(code, return_counts=True)
        return uniq // t.n_nodes, uniq % t.n_nodes, counts

    def simple(self) -> nx.Graph:
        """The simple undirected weighted view (``weight`` = statements), frozen;
        built once for everything (layout, communities and scores share it)."""
        if self.is_everything():
            return self.table.memo("simple", self._simple)
        return self._simple()

    def _simple(self) -> nx.Graph:
        t = self.table
        simple = nx.Graph()
        simple.add_nodes_from(t.ids[i] for i in self.nodes)
        a, b, w = self.pairs(loops=True)
        ids = t.ids
        simple.add_weighted_edges_from(
            (ids[x], ids[y], int(c))
            for x, y, c in zip(a.tolist(), b.tolist(), w.tolist(), strict=True)
        )
        return nx.freeze(simple)

    def centrality(self, measure: str) -> dict[str, float]:
        """As :func:`kg.analytics.metrics.centrality`, remembered for everything."""
        if self.is_everything():
            return self.table.memo(
                ("centrality", measure), lambda: self._centrality(measure)
            )
        return self._centrality(measure)

    def _centrality(self, measure: str) -> dict[str, float]:
        if measure != "degree":
            return weighted_scores(self.simple(), measure)
        t, n = self.table, len(self.nodes)
        if n <= 1:
            return {t.ids[i]: 1.0 for i in self.nodes}
        a, b, _ = self.pairs()
        distinct = np.bincount(a, minlength=t.n_nodes) + np.bincount(
            b, minlength=t.n_nodes
        )
        loops = t.src[self.edges][t.src[self.edges] == t.dst[self.edges]]
        distinct[np.unique(loops)] += 2  # a self-loop counts twice, as in nx.Graph
        scale = 1.0 / (n - 1)
        return {t.ids[i]: float(distinct[i]) * scale for i in self.nodes}

    def type_counts(self) -> dict[str, int]:
        """Actors per type name."""
        counts = np.bincount(self.table.types[self.nodes], minlength=len(TYPE_NAMES))
        return {TYPE_NAMES[i]: int(c) for i, c in enumerate(counts.tolist()) if c}

    def edge_counts(self, attr: str) -> list[tuple[str, int]]:
        """Statements per relation ``label`` or per ``source``, most first."""
        t = self.table
        codes, values = (
            (t.pred, t.pred_label) if attr == "label" else (t.source, t.sources)
        )
        counts = np.bincount(codes[self.edges], minlength=len(values))
        merged: Counter[str] = Counter()
        for value, count in zip(values, counts.tolist(), strict=True):
            if value and count:
                merged[value] += count
        return sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))

    def periods(self, by: str = "month") -> list[dict[str, Any]]:
        """As :func:`kg.analytics.metrics.timeline`: statements per period."""
        t = self.table
        counts = np.bincount(t.date[self.edges], minlength=len(t.dates))
        merged: Counter[str] = Counter()
        for day, count in zip(t.dates, counts.tolist(), strict=True):
            period = period_of(day, by) if count else ""
            if period:
                merged[period] += count
        return [{"period": p, "count": n} for p, n in sorted(merged.items())]

    def communities(self) -> dict[str, int]:
        """Louvain communities (seeded), 0 the largest."""
        if self.is_everything():
            return self.table.memo("communities", lambda: louvain(self.simple()))
        return louvain(self.simple())


def around(table: ActorTable, entity: str, hops: int) -> Selection:
    """The actors within ``hops`` relations of ``entity`` and all relations among them.

    Raises:
        NotFoundError: ``entity`` is not an actor of the table.
    """
    start = table.index.get(entity)
    if start is None:
        raise NotFoundError(f"no entity with IRI <{entity}> in the store")
    nodes = table.reach(start, hops)
    edges = np.flatnonzero(nodes[table.src] & nodes[table.dst])
    edges = edges[np.argsort(table.key_rank[edges], kind="stable")]
    n, e = int(nodes.sum()), len(edges)
    return Selection(table, np.flatnonzero(nodes), edges, _stats(n, e, n, e, n, e))


def select(
    table: ActorTable, f: GraphFilter, base: Selection | None = None
) -> Selection:
    """The view ``f`` asks for, within ``base`` (default: the whole table).

    Same rules as :func:`kg.analytics.explore.apply_filter`: edges first
    (predicate, source, dates, confidence; an actor left without relations goes
    too), then actors (type, minimum degree, text and its neighbours, the
    neighbourhood of ``f.entity``), then the ``f.top`` most central (ties by
    label, then IRI; ``f.entity`` always stays).

    Raises:
        NotFoundError: ``f.entity`` is not an actor of ``base``.
    """
    nodes = np.ones(table.n_nodes, bool) if base is None else base.node_mask()
    edges = np.ones(table.n_edges, bool) if base is None else base.edge_mask()
    focus = table.index.get(f.entity) if f.entity is not None else None
    if f.entity is not None and (focus is None or not nodes[focus]):
        raise NotFoundError(f"entity: no actor <{f.entity}> in the graph")
    total_n, total_e = int(nodes.sum()), int(edges.sum())
    nodes, edges = _filter_edges(table, f, nodes, edges, focus)
    nodes = _filter_nodes(table, f, nodes, edges, focus)
    edges &= nodes[table.src] & nodes[table.dst]
    matched_n, matched_e = int(nodes.sum()), int(edges.sum())
    if matched_n > f.top:
        matched = Selection(table, np.flatnonzero(nodes), np.flatnonzero(edges))
        nodes = _top(matched, f, focus)
        edges &= nodes[table.src] & nodes[table.dst]
    order = np.flatnonzero(edges)
    order = order[np.argsort(table.key_rank[order], kind="stable")]
    shown = np.flatnonzero(nodes)
    stats = _stats(total_n, total_e, matched_n, matched_e, len(shown), len(order))
    return Selection(table, shown, order, stats)


def _category_ok(values: list[str], test: Callable[[str], bool]) -> Bools:
    return np.asarray([test(v) for v in values], dtype=bool)


def _filter_edges(
    t: ActorTable, f: GraphFilter, nodes: Bools, edges: Bools, focus: int | None
) -> tuple[Bools, Bools]:
    predicates = {p.casefold() for p in f.predicates}
    sources = {s.casefold() for s in f.sources}
    if not (predicates or sources or f.date_from or f.date_to or f.min_confidence):
        return nodes, edges
    keep = edges.copy()
    if predicates:
        ok = [
            iri.casefold() in predicates or label.casefold() in predicates
            for iri, label in zip(t.pred_iri, t.pred_label, strict=True)
        ]
        keep &= np.asarray(ok, dtype=bool)[t.pred]
    if sources:
        keep &= _category_ok(t.sources, lambda s: s.casefold() in sources)[t.source]
    if f.date_from or f.date_to:
        keep &= _category_ok(t.dates, lambda day: _in_period(day, f))[t.date]
    if f.min_confidence:
        keep &= t.conf >= f.min_confidence
    ends = np.zeros(t.n_nodes, dtype=bool)
    ends[t.src[keep]] = True
    ends[t.dst[keep]] = True
    if focus is not None:
        ends[focus] = True
    return nodes & ends, keep


def _in_period(day: str, f: GraphFilter) -> bool:
    if not day:
        return False
    if f.date_from and after(f.date_from, day):
        return False
    return not (f.date_to and after(day, f.date_to))


def _filter_nodes(
    t: ActorTable, f: GraphFilter, nodes: Bools, edges: Bools, focus: int | None
) -> Bools:
    """The actors ``f`` keeps, each step over the edges among those still kept."""

    def keep(wanted: Bools) -> Bools:
        if focus is not None:
            wanted[focus] = True
        return nodes & wanted

    def live() -> Bools:
        return edges & nodes[t.src] & nodes[t.dst]

    if f.types:
        codes = [_TYPES.index(name) for name in f.types if name in _TYPES]
        nodes = keep(np.isin(t.types, codes))
    if f.min_degree:
        nodes = keep(t.degree(None, live()) >= f.min_degree)
    if f.text:
        wanted = f.text.casefold()
        hits = nodes & np.asarray(
            [any(wanted in name for name in names) for names in t.names], dtype=bool
        )
        now = live()
        near = hits.copy()
        near[t.dst[now & hits[t.src]]] = True
        near[t.src[now & hits[t.dst]]] = True
        nodes = keep(near)
    if focus is not None:
        nodes = keep(t.reach(focus, f.hops, live()))
    return nodes


def _top(matched: Selection, f: GraphFilter, focus: int | None) -> Bools:
    """The ``f.top`` most central of ``matched`` (ties by label, then IRI)."""
    t = matched.table
    scores = matched.centrality(f.centrality)
    ids = matched.nodes
    rounded = np.asarray([rank_scores(scores[t.ids[i]]) for i in ids])
    order = ids[np.lexsort((t.name_rank[ids], -rounded))]
    keep = order[: f.top]
    if focus is not None and focus not in keep:
        keep = np.append(keep[: f.top - 1], focus)
    out = np.zeros(t.n_nodes, dtype=bool)
    out[keep] = True
    return out


# -- one table per frozen actor graph --------------------------------------------------

_TABLES: weakref.WeakKeyDictionary[nx.MultiDiGraph, ActorTable] = (
    weakref.WeakKeyDictionary()
)
_TABLES_LOCK = threading.Lock()


def actor_table(graph: nx.MultiDiGraph) -> ActorTable:
    """The table of ``graph``: built once for a frozen graph, afresh otherwise."""
    if not nx.is_frozen(graph):
        return ActorTable(graph)
    with _TABLES_LOCK:
        table = _TABLES.get(graph)
        if table is None:
            table = _TABLES[graph] = ActorTable(graph)
        return table
