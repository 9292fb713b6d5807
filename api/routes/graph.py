"""The actor-graph explorer: ``/graph``, its JSON, evidence, paths and downloads.

Every view is a URL (filters in the query string), so a view can be shared. The
server filters, ranks, lays out and colours; the page only draws (see
``kg/viz/view.py``) and fetches a panel's evidence when something is clicked.
"""

from __future__ import annotations

import calendar
import dataclasses
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import networkx as nx
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import StoreDep, get_settings
from kg.analytics import neighbourhood, summary, top_nodes
from kg.analytics.explore import (
    ActorTable,
    GraphFilter,
    Selection,
    actor_table,
    cached_actor_graph,
    cached_actor_table,
    edge_evidence,
    export_subgraph,
    select,
    shortest_paths,
    subgraph_turtle,
)
from kg.analytics.table import around
from kg.errors import InputError, NotFoundError
from kg.viz import TYPE_COLOURS, VIS_CSS, VIS_JS
from kg.viz.layout import layout
from kg.viz.view import PALETTE, compact, graph_view, script_json, selection_view

router = APIRouter(tags=["graph"])
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")

LINKS = (
    ("Overview", "/"),
    ("Graph", "/graph"),
    ("Query", "/query"),
    ("SPARQL", "/sparql"),
    ("API docs", "/docs"),
)
DOWNLOADS = (
    ("ttl", "Turtle"),
    ("graphml", "GraphML"),
    ("gexf", "GEXF (Gephi)"),
    ("csv", "CSV of edges"),
)
_MEDIA = {
    "ttl": "text/turtle; charset=utf-8",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "csv": "text/csv; charset=utf-8",
}


def _filter(request: Request) -> GraphFilter:
    """The view's filter from the URL; ``top`` defaults to KG_GRAPH_MAX_NODES."""
    params: dict[str, str | list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)  # type: ignore[union-attr]
    f = GraphFilter.from_params(params)
    if "top" not in params:
        f = dataclasses.replace(f, top=get_settings(request).graph_max_nodes)
    return f


def _base(
    store: StoreDep, f: GraphFilter, table: ActorTable | None = None
) -> Selection:
    """The whole actor graph, or the neighbourhood of ``f.entity``."""
    table = table or cached_actor_table(store)  # in memory: a neighbourhood is a BFS
    if not f.entity:
        return table.all()
    if f.entity in table.index:
        return around(table, f.entity, f.hops)
    # an entity without relations: the store knows it (or says it does not)
    return actor_table(neighbourhood(store, f.entity, hops=f.hops)).all()


BIG_VIEW = 2000  # actors above which a view reuses the whole graph's layout


def _view(
    store: StoreDep, f: GraphFilter, table: ActorTable | None = None
) -> tuple[dict[str, Any], Selection, Selection]:
    table = table or cached_actor_table(store)
    base = _base(store, f, table)
    shown = select(base.table, f, base)
    scores = shown.centrality(f.centrality)
    positions = groups = None
    if len(shown.nodes) > BIG_VIEW:  # big: the whole graph's map, cut out
        whole = _overall(table)
        positions, groups = whole["positions"], whole["communities"]
    elif f.communities:
        groups = shown.communities()
    view = selection_view(
        shown,
        centrality=scores,
        communities=groups if f.communities else None,
        focus=f.entity,
        positions=positions,
    )
    return {**view, "stats": shown.stats, "filter": f.to_params()}, base, shown


_OVERALL: dict[int, dict[str, Any]] = {}
_OVERALL_LOCK = threading.Lock()


def _overall(table: ActorTable) -> dict[str, Any]:
    """Layout and communities of the whole actor graph, once per store state."""
    with _OVERALL_LOCK:
        if id(table) not in _OVERALL:
            _OVERALL.clear()
            everything = table.all()
            _OVERALL[id(table)] = {
                "table": table,  # keeps the id from being reused
                "positions": layout(everything.simple()),
                "communities": everything.communities(),
                "facets": _facets_of(everything),
                "periods": everything.periods("month"),
            }
        return _OVERALL[id(table)]


@router.get("/graph", response_class=HTMLResponse, summary="Actor graph explorer")
def graph_page(request: Request, store: StoreDep) -> HTMLResponse:
    """Who acts on whom: filters, centrality, communities, evidence on click.

    Query parameters: ``type``, ``predicate``, ``source`` (repeatable), ``from``,
    ``to`` (ISO dates), ``min_conf``, ``min_degree``, ``q``, ``entity`` + ``hops``,
    ``top``, ``centrality`` (degree, pagerank, betweenness).
    """
    f = _filter(request)
    query = "?" + urlencode(f.to_params(), doseq=True) if f.to_params() else ""
    return templates.TemplateResponse(
        request,
        "graph.html",
        {
            **_page_parts(store, f),
            "f": f,
            "links": LINKS,
            "downloads": DOWNLOADS,
            "query": query,
            "palette": PALETTE,
            "vis_js_url": request.app.url_path_for("vislib", path=VIS_JS),
            "vis_css_url": request.app.url_path_for("vislib", path=VIS_CSS),
        },
    )


_PARTS: OrderedDict[tuple[int, int, GraphFilter], dict[str, Any]] = OrderedDict()
_PARTS_KEPT = 16
_PARTS_LOCK = threading.Lock()


def warm(store: StoreDep, top: int) -> None:
    """Compute the default view (``/graph`` without parameters) ahead of time."""
    _page_parts(store, dataclasses.replace(GraphFilter(), top=top))
    _overall(cached_actor_table(store))


def _page_parts(store: StoreDep, f: GraphFilter) -> dict[str, Any]:
    """What the page shows for this filter, computed once per store state.

    The key holds the identity of the cached actor table, which is replaced
    whenever the store changes, so a write is never answered from here.
    """
    table = cached_actor_table(store)
    key = (id(store), id(table), f)
    with _PARTS_LOCK:
        if key in _PARTS:
            _PARTS.move_to_end(key)
            return _PARTS[key]
    view, base, _ = _view(store, f, table)
    title = "Actor graph"
    if f.entity:
        found = base.table.index.get(f.entity)
        label = base.table.labels[found] if found is not None else ""
        title = f"{label}: {f.hops}-hop neighbourhood"
    whole = base.table is table and base.is_everything()
    overall = _overall(table) if whole else None
    parts = {
        "title": title,
        "stats": view["stats"],
        **(overall["facets"] if overall else _facets_of(base)),
        "timeline": _timeline(f, overall["periods"] if overall else base.periods()),
        "view_json": script_json(compact(view)),
        "_table": table,  # keeps id(table) from being reused while cached
    }
    with _PARTS_LOCK:
        _PARTS[key] = parts
        while len(_PARTS) > _PARTS_KEPT:
            _PARTS.popitem(last=False)
    return parts


@router.get("/api/graph", summary="The graph view as JSON (same filters as /graph)")
def graph_json(request: Request, store: StoreDep) -> dict[str, Any]:
    """Nodes with positions, sizes and communities; grouped edges; counts."""
    view, _, _ = _view(store, _filter(request))
    return {"ok": True, **view}


@router.get("/api/edge", summary="Every sentence behind one edge of the graph")
def edge_json(
    store: StoreDep,
    s: Annotated[str, Query(description="subject IRI")],
    p: Annotated[str, Query(description="predicate IRI")],
    o: Annotated[str, Query(description="object IRI")],
) -> list[dict[str, Any]]:
    """Statements, best confidence first, with their sentence and article."""
    return edge_evidence(store, s, p, o)


@router.get("/api/path", summary="Shortest paths between two actors")
def path_json(
    store: StoreDep,
    source: Annotated[str, Query(alias="from", description="actor IRI or name")],
    target: Annotated[str, Query(alias="to", description="actor IRI or name")],
) -> dict[str, Any]:
    graph = cached_actor_graph(store)
    a, b = _actor(graph, source, "from"), _actor(graph, target, "to")
    return {"ok": True, "from": a, "to": b, "paths": shortest_paths(graph, a, b)}


@router.get("/graph/path", response_class=HTMLResponse, summary="Path view")
def path_page(
    request: Request,
    store: StoreDep,
    source: Annotated[str, Query(alias="from")],
    target: Annotated[str, Query(alias="to")],
) -> HTMLResponse:
    """How is A connected to B: the shortest paths drawn, with their evidence."""
    graph = cached_actor_graph(store)
    a, b = _actor(graph, source, "from"), _actor(graph, target, "to")
    paths = shortest_paths(graph, a, b)
    keep = {a, b} | {
        n for path in paths for step in path for n in (step["from"], step["to"])
    }
    statements = {st for path in paths for step in path for st in step["statements"]}
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, graph.nodes[n]) for n in keep)
    sub.add_edges_from(
        (u, v, k, d)
        for u, v, k, d in graph.subgraph(keep).edges(keys=True, data=True)
        if k in statements
    )
    view = graph_view(sub, centrality=dict(sub.degree()), focus=a)
    labels = {n: str(graph.nodes[n].get("label", n)) for n in keep}
    return templates.TemplateResponse(
        request,
        "path.html",
        {
            "title": f"{labels[a]} → {labels[b]}",
            "a": a,
            "b": b,
            "labels": labels,
            "paths": paths,
            "links": LINKS,
            "view_json": script_json(compact({**view, "stats": {}, "filter": {}})),
            "vis_js_url": request.app.url_path_for("vislib", path=VIS_JS),
            "vis_css_url": request.app.url_path_for("vislib", path=VIS_CSS),
        },
    )


@router.get("/graph/export.{fmt}", summary="The shown subgraph as a file")
def graph_export(request: Request, store: StoreDep, fmt: str) -> Response:
    """Turtle (statements and sentences), GraphML, GEXF (Gephi) or CSV of edges."""
    if fmt not in _MEDIA:
        raise NotFoundError(f"no export as .{fmt}; choose one of: {', '.join(_MEDIA)}")
    f = _filter(request)
    base = _base(store, f)
    shown = select(base.table, f, base).to_networkx()
    body = (
        subgraph_turtle(store, shown) if fmt == "ttl" else export_subgraph(shown, fmt)
    )
    return Response(
        body,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="kg-graph.{fmt}"'},
    )


@router.get("/graph/summary", summary="Actor graph size and best-connected actors")
def graph_summary(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100, description="how many top actors")] = 10,
) -> dict[str, Any]:
    """Nodes, edges, density, components, types, and the top actors by degree."""
    graph = cached_actor_graph(store)
    return {"ok": True, **summary(graph), "top": top_nodes(graph, limit=limit)}


def _actor(graph: nx.MultiDiGraph, value: str, field: str) -> str:
    """An actor IRI from an IRI or an exact (case-insensitive) name."""
    if value in graph:
        return value
    wanted = value.strip().casefold()
    hits = sorted(
        (
            n
            for n, label in graph.nodes(data="label")
            if str(label).casefold() == wanted
        ),
        key=lambda n: -graph.degree(n),
    )
    if not hits:
        raise InputError(f"{field}: no actor named {value!r} in the graph")
    return str(hits[0])


def _facets_of(sel: Selection) -> dict[str, Any]:
    """The filter choices the page offers, with their counts in ``sel``."""
    types = sel.type_counts()
    return {
        "type_facets": [
            (name, TYPE_COLOURS.get(name, TYPE_COLOURS["Thing"]), types[name])
            for name in sorted(types)
        ],
        "predicate_facets": sel.edge_counts("label")[:40],
        "source_facets": sel.edge_counts("source")[:20],
    }


def _timeline(f: GraphFilter, periods: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Bars per month (SVG geometry); each links to the view of its month."""
    if not periods:
        return None
    top = max(p["count"] for p in periods)
    width = max(240, 12 * len(periods))
    step = width / len(periods)
    bars = []
    for i, p in enumerate(periods):
        month = p["period"]
        year, mon = (int(x) for x in month.split("-")[:2])
        last = calendar.monthrange(year, mon)[1]
        params = {**f.to_params(), "from": f"{month}-01", "to": f"{month}-{last:02d}"}
        bars.append(
            {
                "x": round(i * step + 1, 1),
                "w": round(max(step - 2, 1), 1),
                "h": round(2 + 42 * p["count"] / top, 1),
                "period": month,
                "count": p["count"],
                "href": "/graph?" + urlencode(params, doseq=True),
                "active": bool(f.date_from and f.date_from.startswith(month)),
            }
        )
    return {
        "bars": bars,
        "width": width,
        "first": periods[0]["period"],
        "last": periods[-1]["period"],
    }
