"""The data of one graph view: positioned, sized, coloured nodes and grouped edges.

The page draws exactly this (vis-network, physics off), so the server decides the
layout (seeded: the same view looks the same on every reload) and the browser only
paints. Parallel statements with the same predicate and polarity become one edge
with a ``count``; their sentences are fetched when the edge is clicked, so a big
view does not carry every sentence.

Example:
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="A", type="Person")
    >>> g.add_node("b", label="B", type="Group")
    >>> g.add_edge("a", "b", key="s1", label="meet", predicate="p", confidence=0.5)
    's1'
    >>> view = graph_view(g, centrality={"a": 1.0, "b": 0.5})
    >>> [n["id"] for n in view["nodes"]], view["edges"][0]["count"]
    (['a', 'b'], 1)
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import networkx as nx

from kg.viz.layout import layout
from kg.viz.style import TYPE_COLOURS

# vis-network keeps up with edge labels and smooth curves only on small views
LABELLED_EDGES = 1500
PALETTE = (  # community colours (Tableau 10), then grey for the long tail
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)


def graph_view(
    graph: nx.MultiDiGraph,
    *,
    centrality: dict[str, float],
    communities: dict[str, int] | None = None,
    focus: str | None = None,
    positions: dict[Any, tuple[float, float]] | None = None,
    seed: int = 7,
) -> dict[str, Any]:
    """Nodes and edges ready for the page (JSON-able), laid out with ``seed``.

    Node size grows with the square root of the centrality, scaled to the view's
    maximum, so the scale means the same whichever measure is chosen. Given
    ``positions`` (e.g. the whole graph's, for a big cut-out) are used as they are.
    """
    pos = layout(graph, seed=seed) if positions is None else positions
    top = max(centrality.values(), default=0.0) or 1.0
    communities = communities or {}
    nodes = []
    for node, data in graph.nodes(data=True):
        kind = str(data.get("type", "Thing"))
        x, y = pos[node]
        score = float(centrality.get(node, 0.0))
        nodes.append(
            {
                "id": str(node),
                "label": str(data.get("label", node)),
                "type": kind,
                "x": round(x, 1),
                "y": round(y, 1),
                "size": round(8 + 22 * math.sqrt(score / top), 1),
                "score": round(score, 6),
                "community": communities.get(node, -1),
                "degree": int(graph.degree(node)),
                "focus": node == focus,
            }
        )
    edges = _edges(graph)
    return {
        "nodes": nodes,
        "edges": edges,
        "labelled": len(edges) <= LABELLED_EDGES,
        "colours": {"type": TYPE_COLOURS, "community": list(PALETTE)},
    }


def _edges(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One edge per (subject, object, predicate, negated), with its statement count."""
    groups: dict[tuple[str, str, str, bool], list[dict[str, Any]]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        key = (
            str(u),
            str(v),
            str(data.get("predicate", "")),
            bool(data.get("negated")),
        )
        groups[key].append(data)
    out = []
    for i, ((u, v, predicate, negated), group) in enumerate(sorted(groups.items())):
        label = str(group[0].get("label", ""))
        confidences = [float(d["confidence"]) for d in group if d.get("confidence")]
        hedged = all(d.get("modality") not in (None, "", "asserted") for d in group)
        out.append(
            {
                "id": f"e{i}",
                "from": u,
                "to": v,
                "predicate": predicate,
                "label": f"not {label}" if negated else label,
                "count": len(group),
                "negated": negated,
                "hedged": hedged,
                "attributed": any(d.get("attributed_to") for d in group),
                "confidence": round(max(confidences), 3) if confidences else None,
            }
        )
    return out


NODE_FIELDS = ("id", "label", "type", "x", "y", "size", "score", "community", "degree")
EDGE_FLAGS = ("negated", "hedged", "attributed")


def compact(view: dict[str, Any]) -> dict[str, Any]:
    """The view with nodes and edges as rows, for the page (a fifth of the bytes).

    Nodes become lists in :data:`NODE_FIELDS` order; an edge becomes ``[from,
    to, predicate, count, flags, confidence]`` with node and predicate indexes
    and :data:`EDGE_FLAGS` as bits. ``graph.js`` expands them again.
    """
    index = {n["id"]: i for i, n in enumerate(view["nodes"])}
    predicates: dict[tuple[str, str], int] = {}
    edges = []
    for e in view["edges"]:
        p = predicates.setdefault((e["predicate"], e["label"]), len(predicates))
        flags = sum(1 << i for i, name in enumerate(EDGE_FLAGS) if e[name])
        edges.append(
            [index[e["from"]], index[e["to"]], p, e["count"], flags, e["confidence"]]
        )
    return {
        **view,
        "nodes": [[n[k] for k in NODE_FIELDS] for n in view["nodes"]],
        "focus": [n["id"] for n in view["nodes"] if n["focus"]],
        "predicates": [list(k) for k in predicates],
        "edges": edges,
        "fields": {"node": NODE_FIELDS, "flags": EDGE_FLAGS},
    }


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element (``<``, ``>``, ``&`` escaped)."""
    return (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


__all__ = [
    "EDGE_FLAGS",
    "LABELLED_EDGES",
    "NODE_FIELDS",
    "PALETTE",
    "compact",
    "graph_view",
    "script_json",
]
