"""``/graph``: the actor-relationship graph as an offline pyvis page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep, StoreDep
from kg.analytics import MAX_HOPS, neighbourhood, summary, to_networkx, top_nodes
from kg.viz import VIS_CSS, VIS_JS, limit_nodes, render_html

router = APIRouter(tags=["graph"])

_LINKS = (
    ("Home", "/"),
    ("Whole graph", "/graph"),
    ("SPARQL", "/sparql"),
    ("Export (TriG)", "/export.trig"),
    ("API docs", "/docs"),
)


@router.get("/graph", response_class=HTMLResponse, summary="Actor graph page")
def graph_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    entity: Annotated[
        str | None, Query(description="IRI of the actor to centre on")
    ] = None,
    hops: Annotated[
        int, Query(description=f"neighbourhood radius, 1 to {MAX_HOPS}")
    ] = 1,
) -> HTMLResponse:
    """Who acts on whom: entities coloured by type, sized by degree, edges labelled.

    With ``entity``, only the actors within ``hops`` relations of it (clamped to
    1..3). At most ``graph_max_nodes`` actors are drawn, the best connected.
    """
    hops = min(max(hops, 1), MAX_HOPS)
    graph = to_networkx(store)
    title = "Actor graph"
    if entity:
        graph = neighbourhood(store, entity, hops=hops, graph=graph)
        label = graph.nodes[entity].get("label", entity)
        title = f"{label}: {hops}-hop neighbourhood"
    shown, hidden = limit_nodes(
        graph, settings.graph_max_nodes, keep=[entity] if entity else []
    )
    subtitle = (
        f"{shown.number_of_nodes()} actors · {shown.number_of_edges()} relations"
        + (f" (of {graph.number_of_nodes()})" if hidden else "")
    )
    html = render_html(
        shown,
        title=title,
        subtitle=subtitle,
        hidden=hidden,
        focus=entity,
        vis_js_url=request.app.url_path_for("vislib", path=VIS_JS),
        vis_css_url=request.app.url_path_for("vislib", path=VIS_CSS),
        node_url=f"{request.app.url_path_for('graph_page')}?hops={hops}&entity=",
        links=_LINKS,
    )
    return HTMLResponse(html)


@router.get("/graph/summary", summary="Actor graph size and best-connected actors")
def graph_summary(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100, description="how many top actors")] = 10,
) -> dict[str, Any]:
    """Nodes, edges, density, components, types, and the top actors by degree."""
    graph = to_networkx(store)
    return {"ok": True, **summary(graph), "top": top_nodes(graph, limit=limit)}
