"""Metrics of the actor graph: networkx in, plain dicts out.

Example:
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("a", "b"), ("a", "c")])
    >>> degrees(g)["a"]
    2
"""

from __future__ import annotations

from typing import Any

import networkx as nx


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
    simple = nx.Graph(graph.to_undirected(as_view=True))
    return {str(n): float(v) for n, v in nx.betweenness_centrality(simple).items()}


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
