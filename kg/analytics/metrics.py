"""Metrics of the actor graph: networkx in, plain dicts out.

Centrality and communities are computed on the simple undirected view (one edge
per related pair, weighted by how many statements relate it), seeded, so the same
graph always gets the same answer.

Example:
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("a", "b"), ("a", "c")])
    >>> degrees(g)["a"]
    2
    >>> centrality(g, "degree")["a"]
    1.0
    >>> communities(nx.MultiDiGraph([("a", "b"), ("c", "d"), ("d", "e")]))["e"]
    0
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

import networkx as nx

from kg.errors import InputError, NotFoundError

MEASURES: tuple[str, ...] = ("degree", "pagerank", "betweenness")
PERIODS = {"year": 4, "month": 7, "day": 10}  # length of the ISO date prefix
SEED = 7
# betweenness costs about sources × (nodes + edges): past this budget (about half
# a second) it is estimated from budget / (nodes + edges) sampled sources
BETWEENNESS_WORK = 600_000
_MIN_SOURCES = 16
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def degrees(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Number of relations each node takes part in (in + out, parallel edges count)."""
    return {str(n): int(d) for n, d in graph.degree()}


def in_degrees(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Number of relations each node is the object of."""
    return {str(n): int(d) for n, d in graph.in_degree()}


def out_degrees(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Number of relations each node is the subject of."""
    return {str(n): int(d) for n, d in graph.out_degree()}


def betweenness(graph: nx.MultiDiGraph) -> dict[str, float]:
    """Betweenness centrality on the simple undirected view (who bridges groups)."""
    return centrality(graph, "betweenness")


def simple_graph(graph: nx.MultiDiGraph) -> nx.Graph:
    """The undirected view with one edge per related pair, ``weight`` = statements."""
    simple: nx.Graph = nx.Graph()
    simple.add_nodes_from(graph)
    for u, v in graph.edges():
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += 1
        else:
            simple.add_edge(u, v, weight=1)
    return simple


def centrality(graph: nx.MultiDiGraph, measure: str = "degree") -> dict[str, float]:
    """Each node's centrality on the simple undirected view.

    ``degree``: share of the other nodes it is related to; ``pagerank``: weighted
    by statements; ``betweenness``: exact up to :data:`BETWEENNESS_WORK`, beyond
    it estimated from that many sampled sources (seeded, so stable).

    Raises:
        InputError: ``measure`` is not one of :data:`MEASURES`.
    """
    if measure == "degree":  # as nx.degree_centrality on the simple view, directly
        return _degree_centrality(graph)
    return weighted_scores(simple_graph(graph), measure)


def weighted_scores(simple: nx.Graph, measure: str) -> dict[str, float]:
    """PageRank or betweenness (as :func:`centrality`) of a simple weighted graph.

    Raises:
        InputError: ``measure`` is not pagerank or betweenness.
    """
    if measure == "pagerank":
        scores = _pagerank(simple)
    elif measure == "betweenness":
        k = _sources(simple)
        scores = nx.betweenness_centrality(simple, k=k, seed=SEED if k else None)
    else:
        raise InputError(
            f"centrality: unknown measure {measure!r}; valid: {', '.join(MEASURES)}"
        )
    return {str(n): float(v) for n, v in scores.items()}


def rank_scores(score: float) -> float:
    """A score rounded for ranking, so float noise never breaks a tie by label."""
    return round(score, 12)


def _degree_centrality(graph: nx.MultiDiGraph) -> dict[str, float]:
    """Distinct neighbours / (n - 1), a self-loop counting twice (as nx.Graph does)."""
    n = graph.number_of_nodes()
    if n <= 1:
        return {str(v): 1.0 for v in graph}
    scale = 1.0 / (n - 1)
    succ, pred = graph.succ, graph.pred
    out = {}
    for v in graph:
        nbrs = set(succ[v]).union(pred[v])
        out[str(v)] = (len(nbrs) + (v in nbrs)) * scale
    return out


def _sources(simple: nx.Graph) -> int | None:
    """How many sources betweenness samples (None: all of them)."""
    n = simple.number_of_nodes()
    k = max(_MIN_SOURCES, BETWEENNESS_WORK // max(1, n + simple.number_of_edges()))
    return None if k >= n else k


def _pagerank(simple: nx.Graph) -> dict[Any, float]:
    if not simple:
        return {}
    try:
        return dict(nx.pagerank(simple, weight="weight"))
    except ImportError:  # no scipy: networkx's own pure-Python power iteration
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

        return dict(_pagerank_python(simple, weight="weight"))


def communities(graph: nx.MultiDiGraph, seed: int = SEED) -> dict[str, int]:
    """Louvain communities (seeded): node → community, 0 the largest.

    Ties in size are ordered by their smallest node, so the numbering is stable.
    """
    return louvain(simple_graph(graph), seed)


def louvain(simple: nx.Graph, seed: int = SEED) -> dict[str, int]:
    """:func:`communities` of a simple weighted graph."""
    parts = nx.community.louvain_communities(simple, weight="weight", seed=seed)
    ordered = sorted(
        (sorted(map(str, p)) for p in parts if p), key=lambda p: (-len(p), p[0])
    )
    return {node: i for i, part in enumerate(ordered) for node in part}


def timeline(graph: nx.MultiDiGraph, *, by: str = "month") -> list[dict[str, Any]]:
    """Statements per period of their edge ``date``, oldest first.

    Each item: ``period`` ("2014", "2014-05" or "2014-05-28") and ``count``.
    Edges without a date (or with a coarser one than ``by``) are not counted.

    Raises:
        InputError: ``by`` is not year, month or day.
    """
    if by not in PERIODS:
        raise InputError(f"by: unknown period {by!r}; valid: {', '.join(PERIODS)}")
    counts: Counter[str] = Counter()
    for _, _, date in graph.edges(data="date", default=""):
        period = period_of(str(date or ""), by)
        if period:
            counts[period] += 1
    return [{"period": p, "count": n} for p, n in sorted(counts.items())]


def period_of(date: str, by: str) -> str:
    """The ``by`` period (year, month, day) of an ISO date; "" if it is coarser."""
    width = PERIODS[by]
    match = _DATE.match(date)
    return match.group()[:width] if match and len(match.group()) >= width else ""


def top_nodes(graph: nx.MultiDiGraph, *, limit: int = 10) -> list[dict[str, Any]]:
    """The ``limit`` most connected nodes, most connected first (ties by label).

    Each item: ``iri``, ``label``, ``type``, ``degree``, ``in``, ``out``.
    """
    deg, ind, outd = degrees(graph), in_degrees(graph), out_degrees(graph)
    order = sorted(graph.nodes, key=lambda n: (-deg[str(n)], _label(graph, n), str(n)))
    return [
        {
            "iri": str(n),
            "label": _label(graph, n),
            "type": graph.nodes[n].get("type", "Thing"),
            "degree": deg[str(n)],
            "in": ind[str(n)],
            "out": outd[str(n)],
        }
        for n in order[:limit]
    ]


def summary(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Size and shape: nodes, edges, density, weakly connected components, types."""
    types: dict[str, int] = {}
    for _, t in graph.nodes(data="type", default="Thing"):
        types[t] = types.get(t, 0) + 1
    n = graph.number_of_nodes()
    return {
        "nodes": n,
        "edges": graph.number_of_edges(),
        "density": float(nx.density(graph)) if n > 1 else 0.0,
        "components": nx.number_weakly_connected_components(graph) if n else 0,
        "types": dict(sorted(types.items())),
    }


def _label(graph: nx.MultiDiGraph, node: Any) -> str:
    return str(graph.nodes[node].get("label", node))


def shortest_paths(
    graph: nx.MultiDiGraph, a: str, b: str, *, limit: int = 5, max_length: int = 6
) -> list[list[dict[str, Any]]]:
    """Up to ``limit`` shortest simple paths from ``a`` to ``b``, shortest first.

    Relations count in either direction; paths longer than ``max_length`` are
    left out ([] when ``a`` and ``b`` are not connected, or are the same). Each
    path is a list of steps: ``from``, ``to``, ``predicate`` (IRI), ``label``,
    ``direction`` ("forward": ``from`` is the subject, else "backward") and
    ``statements`` (IRIs). Of several relations between two actors a step
    names the one with most statements (then best confidence, then label).

    Raises:
        NotFoundError: ``a`` or ``b`` is not a node of ``graph``.
        InputError: ``limit`` or ``max_length`` is below 1.
    """
    for name, node in (("from", a), ("to", b)):
        if node not in graph:
            raise NotFoundError(f"{name}: no actor <{node}> in the graph")
    for name, value in (("limit", limit), ("max_length", max_length)):
        if value < 1:
            raise InputError(f"{name}: expected 1 or more, got {value!r}")
    if a == b:
        return []
    paths = nx.shortest_simple_paths(simple_graph(graph), a, b)
    found = []
    try:
        for path in itertools.islice(paths, limit):
            if len(path) - 1 > max_length:
                break
            found.append([_step(graph, u, v) for u, v in itertools.pairwise(path)])
    except nx.NetworkXNoPath:
        return []
    return found


def _step(graph: nx.MultiDiGraph, u: Any, v: Any) -> dict[str, Any]:
    """The best-supported relation between ``u`` and ``v``, in either direction."""
    groups: dict[tuple[str, str, str], list[tuple[str, float]]] = {}
    for direction, (x, y) in (("forward", (u, v)), ("backward", (v, u))):
        for key, d in (graph.get_edge_data(x, y) or {}).items():
            group = (str(d.get("predicate", "")), str(d.get("label", "")), direction)
            groups.setdefault(group, []).append((str(key), d.get("confidence") or 0.0))
    (predicate, label, direction), statements = min(
        groups.items(),
        key=lambda g: (-len(g[1]), -max(c for _, c in g[1]), g[0][1], g[0][2]),
    )
    return {
        "from": str(u),
        "to": str(v),
        "predicate": predicate,
        "label": label,
        "direction": direction,
        "statements": sorted(key for key, _ in statements),
    }
