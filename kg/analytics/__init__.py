"""Analytics over the actor graph: store → networkx, metrics as plain dicts, and the
explorer's filters, evidence and exports."""

from kg.analytics.convert import (
    MAX_HOPS,
    check_iri,
    count_items,
    neighbourhood,
    to_networkx,
)
from kg.analytics.explore import (
    EXPORT_FORMATS,
    GraphFilter,
    apply_filter,
    cached_actor_graph,
    edge_evidence,
    export_subgraph,
    subgraph_turtle,
)
from kg.analytics.metrics import (
    MEASURES,
    betweenness,
    centrality,
    communities,
    degrees,
    in_degrees,
    out_degrees,
    shortest_paths,
    simple_graph,
    summary,
    timeline,
    top_nodes,
)

__all__ = [
    "EXPORT_FORMATS",
    "MAX_HOPS",
    "MEASURES",
    "GraphFilter",
    "apply_filter",
    "betweenness",
    "cached_actor_graph",
    "centrality",
    "check_iri",
    "communities",
    "count_items",
    "degrees",
    "edge_evidence",
    "export_subgraph",
    "in_degrees",
    "neighbourhood",
    "out_degrees",
    "shortest_paths",
    "simple_graph",
    "subgraph_turtle",
    "summary",
    "timeline",
    "to_networkx",
    "top_nodes",
]
