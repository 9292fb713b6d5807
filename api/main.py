"""The FastAPI app: ``create_app(settings)`` wires the routers over one store.

Example:
    >>> from kg.config import Settings
    >>> from kg.store import EmbeddedStore
    >>> app = create_app(Settings(store="unused"), store=EmbeddedStore(None))
    >>> app.title
    'kg'
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.deps import StoreDep
from api.errors import install_error_handler
from api.routes import export, graph, query_page, sparql, update
from kg.analytics import count_items
from kg.config import Settings
from kg.store import Store, open_store
from kg.viz import VIS_LIB

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """The app over ``store``, or over ``open_store(settings.store)`` while it runs.

    A store passed in belongs to the caller and is not closed on shutdown.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is not None:
            yield
            return
        app.state.store = open_store(  # several processes: each reads, none writes
            settings.store,
            read_only=settings.workers > 1,
            allow_hosts=settings.allow_hosts,
        )
        try:
            yield
        finally:
            app.state.store.close()
            app.state.store = None

    app = FastAPI(
        title="kg",
        summary="Knowledge graph of news reports: who did what "
        "to whom, traceable to the sentence.",
        lifespan=lifespan,
        docs_url=None,  # served below from vendored swagger-ui: no CDN
        redoc_url=None,
        # no OpenTelemetry: its per-request check costs a fifth of a cheap query
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.store = store
    install_error_handler(app)
    app.add_middleware(sparql.SparqlFastPath)  # inside CORS, added after it
    if settings.cors_origins:  # off by default
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
        )
    app.include_router(sparql.router)
    app.include_router(update.router)
    app.include_router(query_page.router)
    app.include_router(graph.router)
    app.include_router(export.router)
    # vis-network from pyvis's own package: the graph page never needs a CDN
    app.mount("/vislib", StaticFiles(directory=VIS_LIB), name="vislib")
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
    app.add_api_route(
        "/",
        index,
        methods=["GET"],
        response_class=HTMLResponse,
        summary="Index page with counts and links",
        tags=["pages"],
    )
    return app


def docs() -> HTMLResponse:
    """OpenAPI docs with swagger-ui served by this server (npm swagger-ui-dist)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="kg API",
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
    )


def app_from_env() -> FastAPI:
    """The app with Settings from the environment (``KG_*``): uvicorn's factory,
    as ``kg serve`` runs it (``uvicorn api.main:app_from_env --factory``)."""
    return create_app(Settings())


def index(store: StoreDep) -> HTMLResponse:
    """Links to the graph, the SPARQL endpoint, the docs and the exports; counts."""
    counts = count_items(store)
    items = "".join(
        f'<li><span class="n" id="count-{k}">{v}</span> {k}</li>'
        for k, v in counts.items()
    )
    exports = " · ".join(f'<a href="/export.{e}">.{e}</a>' for e in export.EXPORTS)
    return HTMLResponse(
        _INDEX.format(
            counts=items, exports=exports, title=html.escape("kg: news knowledge graph")
        )
    )


_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="data:,">
<style>
 body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 46em;
        margin: 2em auto;
        color: #1f2d3d; line-height: 1.5; padding: 0 1em; }}
 h1 {{ color: #1f3b57; }} a {{ color: #2e86ab; }}
 ul.counts {{ list-style: none; padding: 0; display: flex; gap: 2em; }}
 ul.counts .n {{ font-size: 1.8em; font-weight: 600; display: block; color: #1f3b57; }}
</style></head>
<body><h1>{title}</h1>
<ul class="counts">{counts}</ul>
<ul>
 <li><a href="/graph">Actor graph</a>: who acts on whom, with the sentence
     behind each arrow</li>
 <li><a href="/sparql">SPARQL endpoint</a> (GET <code>?query=</code>, POST form or
     <code>application/sparql-query</code>; without a query: a service description)</li>
 <li><a href="/graph/summary">Graph summary</a>
     (JSON: size and best-connected actors)</li>
 <li><a href="/docs">API documentation</a></li>
 <li>Export the whole graph: {exports}</li>
</ul></body></html>
"""
