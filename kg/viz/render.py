"""networkx actor graph → a self-contained pyvis (vis-network) HTML page.

The page never leaves the host: vis-network comes from ``vis_js_url`` /
``vis_css_url`` (the API serves pyvis's own copy) or, when they are None, is
inlined from pyvis's package. Positions are computed server-side
(:func:`kg.viz.layout.layout`, fixed seed) and physics is off, so the first picture
is fast and stable between reloads.

News text is untrusted. It only reaches the page as JSON inside a ``<script>``
(``<``, ``>`` and ``&`` escaped) and is put into the DOM with ``textContent``;
tooltips are DOM elements, never HTML strings.

Example:
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("a", "b", label="meet", sentence="A met B.", article="News")
    0
    >>> "vis.Network" in render_html(g)
    True
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
import pyvis
from pyvis.network import Network

# moved to kg.viz.layout; re-exported so ``from kg.viz.render import layout`` works
from kg.viz.layout import _component_layout as _component_layout
from kg.viz.layout import layout as layout

log = logging.getLogger(__name__)

VIS_LIB = Path(pyvis.__file__).parent / "templates" / "lib"
VIS_JS = "vis-9.1.2/vis-network.min.js"
VIS_CSS = "vis-9.1.2/vis-network.css"
TYPE_COLOURS: dict[str, str] = {
    "Person": "#e4572e",
    "Organization": "#2e86ab",
    "Group": "#f3a712",
    "Place": "#29bf12",
    "Event": "#a846a0",
    "Product": "#6c757d",
    "CreativeWork": "#17bebb",
    "Thing": "#9e9e9e",
}
_MAX_EVIDENCE = 5


def limit_nodes(
    graph: nx.MultiDiGraph, max_nodes: int, *, keep: Iterable[str] = ()
) -> tuple[nx.MultiDiGraph, int]:
    """The subgraph of the ``max_nodes`` best-connected nodes, and how many were hidden.

    Nodes in ``keep`` (e.g. the focus of a neighbourhood) always stay.
    """
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    n = graph.number_of_nodes()
    if n <= max_nodes:
        return graph, 0
    pinned = [k for k in keep if k in graph]
    ranked = sorted(graph.degree(), key=lambda nd: (-nd[1], str(nd[0])))
    chosen = dict.fromkeys(pinned)
    for node, _ in ranked:
        if len(chosen) >= max_nodes:
            break
        chosen.setdefault(node)
    return graph.subgraph(chosen).copy(), n - len(chosen)


def render_html(
    graph: nx.MultiDiGraph,
    *,
    title: str = "Actor graph",
    subtitle: str = "",
    hidden: int = 0,
    focus: str | None = None,
    vis_js_url: str | None = None,
    vis_css_url: str | None = None,
    node_url: str | None = None,
    links: Iterable[tuple[str, str]] = (),
    seed: int = 7,
) -> str:
    """The graph as one HTML page (pyvis data, vis-network, our template).

    Args:
        graph: nodes carry ``label``/``type``/``iri``; edges ``label``, ``sentence``,
            ``article``, ``confidence``, ``negated``, ``modality``.
        hidden: how many nodes were left out (said on the page).
        focus: a node to highlight (the centre of a neighbourhood).
        vis_js_url, vis_css_url: where the browser gets vis-network; None inlines it.
        node_url: prefix a node IRI is appended to (URL-encoded) on double-click.
        links: (text, href) pairs for the page header.
    """
    net = _to_pyvis(graph, focus=focus, seed=seed)
    nodes, edges, _, _, _, options = net.get_network_data()
    types = sorted({str(t) for _, t in graph.nodes(data="type", default="Thing")})
    return _TEMPLATE.render(
        title=title,
        subtitle=subtitle,
        hidden=hidden,
        legend=[(t, TYPE_COLOURS.get(t, TYPE_COLOURS["Thing"])) for t in types],
        links=list(links),
        vis_js_url=vis_js_url,
        vis_css_url=vis_css_url,
        vis_js=None if vis_js_url else (VIS_LIB / VIS_JS).read_text(),
        vis_css=None if vis_css_url else (VIS_LIB / VIS_CSS).read_text(),
        nodes_json=_script_json(nodes),
        edges_json=_script_json(edges),
        options_json=options,
        config_json=_script_json({"nodeUrl": node_url, "focus": focus}),
    )


def _to_pyvis(graph: nx.MultiDiGraph, *, focus: str | None, seed: int) -> Network:
    net = Network(directed=True, cdn_resources="remote")
    positions = layout(graph, seed=seed)
    degree = dict(graph.degree())
    for node, data in graph.nodes(data=True):
        kind = str(data.get("type", "Thing"))
        x, y = positions[node]
        net.add_node(
            str(node),
            label=str(data.get("label", node)),
            x=x,
            y=y,
            color=TYPE_COLOURS.get(kind, TYPE_COLOURS["Thing"]),
            size=10 + 6 * math.sqrt(degree.get(node, 0)),
            borderWidth=4 if node == focus else 1,
            kind=kind,
            iri=str(data.get("iri", node)),
            degree=degree.get(node, 0),
        )
    for i, (u, v, group) in enumerate(_grouped_edges(graph)):
        net.add_edge(str(u), str(v), id=f"e{i}", **_edge_options(graph, u, v, group))
    _curve_parallel(net.edges)
    net.options = _options()
    return net


def _grouped_edges(
    graph: nx.MultiDiGraph,
) -> list[tuple[Any, Any, list[dict[str, Any]]]]:
    """Parallel edges with the same label become one edge carrying all evidence."""
    groups: dict[tuple[Any, Any, str], list[dict[str, Any]]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        groups[(u, v, _edge_label(data))].append(data)
    return [(u, v, groups[(u, v, lab)]) for u, v, lab in sorted(groups, key=str)]


def _edge_label(data: dict[str, Any]) -> str:
    label = str(data.get("label", ""))
    return f"not {label}" if data.get("negated") else label


def _edge_options(
    graph: nx.MultiDiGraph, u: Any, v: Any, group: list[dict[str, Any]]
) -> dict[str, Any]:
    evidence = [
        {
            "sentence": str(d.get("sentence") or ""),
            "article": str(d.get("article") or ""),
            "confidence": d.get("confidence"),
            "modality": str(d.get("modality") or ""),
        }
        for d in sorted(group, key=lambda d: -(d.get("confidence") or 0.0))
    ]
    hedged = all(d.get("modality") not in (None, "", "asserted") for d in group)
    return {
        "label": _edge_label(group[0]),
        "source_label": str(graph.nodes[u].get("label", u)),
        "target_label": str(graph.nodes[v].get("label", v)),
        "evidence": evidence[:_MAX_EVIDENCE],
        "more": max(0, len(evidence) - _MAX_EVIDENCE),
        "count": len(group),
        "width": 1 + math.log2(len(group)),
        "dashes": hedged,
        "statements": [str(d.get("statement", "")) for d in group][:_MAX_EVIDENCE],
    }


def _curve_parallel(edges: list[dict[str, Any]]) -> None:
    """Edges between the same two nodes bend apart instead of overlapping."""
    pairs: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for e in edges:
        pairs[frozenset((e["from"], e["to"]))].append(e)
    for group in pairs.values():
        if len(group) == 1:
            group[0]["smooth"] = False
            continue
        seen: dict[tuple[str, str], int] = defaultdict(int)
        for e in group:
            k = seen[(e["from"], e["to"])]
            seen[(e["from"], e["to"])] += 1
            e["smooth"] = {
                "enabled": True,
                "type": "curvedCW",
                "roundness": 0.15 + 0.2 * k,
            }


def _options() -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "navigationButtons": False,
            "multiselect": False,
            "hideEdgesOnDrag": False,
        },
        "nodes": {
            "shape": "dot",
            "font": {
                "size": 18,
                "face": "DejaVu Sans, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "color": {"color": "#8a9bb0", "highlight": "#1f3b57", "hover": "#1f3b57"},
            "font": {
                "size": 12,
                "color": "#34495e",
                "align": "middle",
                "face": "DejaVu Sans, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "selectionWidth": 2,
            "hoverWidth": 1.5,
        },
    }


def _script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


_TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="icon" href="data:,">
{% if vis_css_url %}<link rel="stylesheet" href="{{ vis_css_url }}">
{% else %}<style>{{ vis_css|safe }}</style>{% endif %}
{% if vis_js_url %}<script src="{{ vis_js_url }}"></script>
{% else %}<script>{{ vis_js|safe }}</script>{% endif %}
<style>
  html, body { margin: 0; height: 100%; font-family: "DejaVu Sans", Arial, sans-serif;
               color: #1f2d3d; background: #fff; }
  body { display: flex; flex-direction: column; }
  header { display: flex; align-items: baseline; gap: 1.2em; flex-wrap: wrap;
           padding: 10px 18px; background: #1f3b57; color: #fff; }
  header h1 { font-size: 20px; margin: 0; font-weight: 600; }
  header .sub { font-size: 13px; opacity: .85; }
  header nav { margin-left: auto; font-size: 13px; }
  header nav a { color: #cfe3ff; margin-left: 1em; text-decoration: none; }
  header nav a:hover { text-decoration: underline; }
  #hidden-note { font-size: 13px; color: #ffd27f; }
  #toolbar { display: flex; align-items: center; gap: 1.4em; flex-wrap: wrap;
             padding: 6px 18px; font-size: 13px; background: #f3f5f8;
             border-bottom: 1px solid #d8dee4; }
  #legend { display: flex; align-items: center; gap: .9em; flex-wrap: wrap; }
  #legend h2 { font-size: 11px; margin: 0; text-transform: uppercase;
               letter-spacing: .05em; color: #57606a; font-weight: 600; }
  #legend ul { display: flex; gap: .9em; list-style: none; margin: 0; padding: 0; }
  #legend li { white-space: nowrap; }
  #legend .dot { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
                 margin-right: 5px; vertical-align: -1px; }
  #search { font-size: 13px; padding: 2px 6px; width: 14em; }
  header .hint { font-size: 12px; opacity: .7; }
  #mynetwork { flex: 1 1 auto; min-height: 0; position: relative; background: #fff; }
  div.vis-tooltip { white-space: normal; max-width: 440px; font-family: inherit;
                    font-size: 13px; line-height: 1.35; padding: 8px 10px;
                    background: #fffdf5; border-color: #c9b98a; }
  .tip-rel { font-weight: 600; margin-bottom: 4px; }
  .tip-ev { margin: 4px 0 0; padding-left: 8px; border-left: 3px solid #e1d7b5; }
  .tip-art { color: #6a737d; font-style: italic; font-size: 12px; }
  .tip-meta { color: #6a737d; font-size: 11px; }
</style>
</head>
<body>
<header>
  <h1>{{ title }}</h1>
  <span class="sub" id="summary">{{ subtitle }}</span>
  {% if hidden %}<span id="hidden-note">{{ hidden }} less-connected actors hidden</span>
  {% endif %}
  <span class="hint">size = relations · hover an arrow for its sentence ·
    double-click an actor to focus</span>
  <nav>{% for text, href in links %}<a href="{{ href }}">{{ text }}</a>
  {% endfor %}</nav>
</header>
<div id="toolbar">
  <div id="legend">
    <h2>Entity types</h2>
    <ul>{% for name, colour in legend %}
      <li><span class="dot" style="background: {{ colour }}"></span>{{ name }}</li>
      {% endfor %}
    </ul>
  </div>
  <input id="search" list="node-names" placeholder="Find an actor…"
         aria-label="Find an actor">
  <datalist id="node-names"></datalist>
</div>
<div id="mynetwork"></div>
<script>
  var nodes, edges, network;
  var kgConfig = {{ config_json|safe }};
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function edgeTip(e) {
    var box = el("div");
    box.appendChild(el("div", "tip-rel", e.source_label + " \\u2014 " + e.label
                       + " \\u2192 " + e.target_label));
    e.evidence.forEach(function (ev) {
      var item = el("div", "tip-ev");
      item.appendChild(el("div", "tip-sent", ev.sentence));
      if (ev.article) item.appendChild(el("div", "tip-art", ev.article));
      var meta = [];
      if (ev.confidence !== null && ev.confidence !== undefined)
        meta.push("confidence " + ev.confidence);
      if (ev.modality && ev.modality !== "asserted") meta.push(ev.modality);
      if (meta.length) item.appendChild(el("div", "tip-meta", meta.join(" \\u00b7 ")));
      box.appendChild(item);
    });
    if (e.more) box.appendChild(el("div", "tip-meta", "+ " + e.more + " more"));
    return box;
  }
  function nodeTip(n) {
    var box = el("div");
    box.appendChild(el("div", "tip-rel", n.label));
    box.appendChild(el("div", "tip-meta",
                       n.kind + " \\u00b7 " + n.degree + " relations"));
    box.appendChild(el("div", "tip-meta", n.iri));
    return box;
  }
  (function () {
    var nodeData = {{ nodes_json|safe }};
    var edgeData = {{ edges_json|safe }};
    nodeData.forEach(function (n) { n.title = nodeTip(n); });
    edgeData.forEach(function (e) { e.title = edgeTip(e); });
    nodes = new vis.DataSet(nodeData);
    edges = new vis.DataSet(edgeData);
    var options = {{ options_json|safe }};
    network = new vis.Network(document.getElementById("mynetwork"),
                              {nodes: nodes, edges: edges}, options);
    var list = document.getElementById("node-names");
    nodeData.map(function (n) { return n.label; }).sort().forEach(function (label) {
      var o = document.createElement("option"); o.value = label; list.appendChild(o);
    });
    document.getElementById("search").addEventListener("change", function (ev) {
      var hit = nodes.get(
        {filter: function (n) { return n.label === ev.target.value; }});
      if (!hit.length) return;
      network.selectNodes([hit[0].id]);
      network.focus(hit[0].id, {scale: 1.4, animation: true});
    });
    network.on("doubleClick", function (p) {
      if (kgConfig.nodeUrl && p.nodes.length)
        window.location.href = kgConfig.nodeUrl + encodeURIComponent(p.nodes[0]);
    });
    if (kgConfig.focus) network.selectNodes([kgConfig.focus]);
  })();
</script>
</body>
</html>
""")
