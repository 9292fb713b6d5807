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
from typing import Any

import networkx as nx
import numpy as np

from kg.analytics.table import TYPE_NAMES, Selection, actor_table
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
    """:func:`selection_view` of a whole networkx actor graph."""
    return selection_view(
        actor_table(graph).all(),
        centrality=centrality,
        communities=communities,
        focus=focus,
        positions=positions,
        seed=seed,
    )


def selection_view(
    sel: Selection,
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
    t = sel.table
    pos = layout(sel.simple(), seed=seed) if positions is None else positions
    top = max(centrality.values(), default=0.0) or 1.0
    communities = communities or {}
    degree = t.degree(None, sel.edge_mask())
    types = TYPE_NAMES
    nodes = []
    for i in sel.nodes.tolist():
        node = t.ids[i]
        x, y = pos[node]
        score = float(centrality.get(node, 0.0))
        nodes.append(
            {
                "id": node,
                "label": t.labels[i],
                "type": types[t.types[i]],
                "x": round(x, 1),
                "y": round(y, 1),
                "size": round(8 + 22 * math.sqrt(score / top), 1),
                "score": round(score, 6),
                "community": communities.get(node, -1),
                "degree": int(degree[i]),
                "focus": node == focus,
            }
        )
    edges = _edges(sel)
    return {
        "nodes": nodes,
        "edges": edges,
        "labelled": len(edges) <= LABELLED_EDGES,
        "colours": {"type": TYPE_COLOURS, "community": list(PALETTE)},
    }


def _edges(sel: Selection) -> list[dict[str, Any]]:
    """One edge per (subject, object, predicate, negated), with its statement count.

    Grouped with one sort over the selection's arrays, in (subject IRI, object
    IRI, predicate IRI, negated) order.
    """
    t, e = sel.table, sel.edges
    if not len(e):
        return []
    src, dst, pred, neg = t.src[e], t.dst[e], t.pred, t.negated[e]
    pred_rank = t.pred_rank[pred[e]]
    order = np.lexsort((neg, pred_rank, t.node_rank[dst], t.node_rank[src]))
    src, dst, pred_rank, neg = src[order], dst[order], pred_rank[order], neg[order]
    e = e[order]
    new = np.ones(len(e), dtype=bool)
    new[1:] = (
        (src[1:] != src[:-1])
        | (dst[1:] != dst[:-1])
        | (pred_rank[1:] != pred_rank[:-1])
        | (neg[1:] != neg[:-1])
    )
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(e)))
    conf = np.where(t.conf[e] > 0, t.conf[e], -1.0)
    best = np.maximum.reduceat(conf, starts)
    hedged = np.minimum.reduceat(t.hedged[e].astype(np.int8), starts)
    attributed = np.maximum.reduceat(t.attributed[e].astype(np.int8), starts)
    out = []
    for i, (start, count) in enumerate(
        zip(starts.tolist(), counts.tolist(), strict=True)
    ):
        first = int(e[start])
        code = int(pred[first])
        negated = bool(neg[start])
        label = t.pred_label[code]
        out.append(
            {
                "id": f"e{i}",
                "from": t.ids[src[start]],
                "to": t.ids[dst[start]],
                "predicate": t.pred_iri[code],
                "label": f"not {label}" if negated else label,
                "count": count,
                "negated": negated,
                "hedged": bool(hedged[i]),
                "attributed": bool(attributed[i]),
                "confidence": round(float(best[i]), 3) if best[i] > 0 else None,
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
    "selection_view",
]
