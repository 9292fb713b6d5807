"""Visualisation: server-side layout and the data a graph page draws."""

from kg.viz.layout import layout
from kg.viz.style import TYPE_COLOURS, VIS_CSS, VIS_JS, VIS_LIB
from kg.viz.view import compact, graph_view, script_json

__all__ = [
    "TYPE_COLOURS",
    "VIS_CSS",
    "VIS_JS",
    "VIS_LIB",
    "compact",
    "graph_view",
    "layout",
    "script_json",
]
