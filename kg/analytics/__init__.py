"""Analytics over the actor graph: store → networkx, and metrics as plain dicts."""

from kg.analytics.convert import (
    MAX_HOPS,
    check_iri,
    count_items,
    neighbourhood,
    to_networkx,
)
from kg.analytics.metrics import (
    betweenness,
    degrees,
    in_degrees,
    out_degrees,
    summary,
    top_nodes,
)

__all__ = [
    "MAX_HOPS",
    "betweenness",
    "check_iri",
    "count_items",
    "degrees",
    "in_degrees",
    "neighbourhood",
    "out_degrees",
    "summary",
    "to_networkx",
    "top_nodes",
]
