"""Visualisation: the actor graph as an offline pyvis / vis-network page."""

from kg.viz.render import (
    TYPE_COLOURS,
    VIS_CSS,
    VIS_JS,
    VIS_LIB,
    layout,
    limit_nodes,
    render_html,
)

__all__ = [
    "TYPE_COLOURS",
    "VIS_CSS",
    "VIS_JS",
    "VIS_LIB",
    "layout",
    "limit_nodes",
    "render_html",
]
