"""The FastAPI app: ``create_app(settings)`` wires the routers over one store.

Example:
    >>> from kg.config import Settings
    >>> from kg.store import EmbeddedStore
    >>> app = create_app(Settings(store="unused"), store=EmbeddedStore(None))
    >>> app.title
    'kg'
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handler
from api.routes import export, graph, pages, query_page, sparql, update
from kg.analytics.explore import cached_actor_graph
from kg.config import Settings
from kg.store import Store, open_store
from kg.viz import VIS_LIB

STATIC = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


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
            settings=settings,
            shared=True,  # queried while it writes: transactions only
        )
        threading.Thread(
            target=_warm, args=(app.state.store, settings), daemon=True
        ).start()
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
    app.include_router(pages.router)
    # vis-network from pyvis's own package: the graph page never needs a CDN
    app.mount("/vislib", StaticFiles(directory=VIS_LIB), name="vislib")
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
    return app


def _warm(store: Store, settings: Settings) -> None:
    """Build the actor graph and the default view before the first visitor asks."""
    try:
        cached_actor_graph(store)
        graph.warm(store, settings.graph_max_nodes)
    except Exception as exc:  # the store closed meanwhile; the page builds it later
        log.info("actor graph warm-up stopped: %s", exc)


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
