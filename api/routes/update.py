"""Writes: SPARQL 1.1 Update at ``/update`` and the Graph Store Protocol at ``/store``.

Both are off unless a write token is configured (``KG_WRITE_TOKEN``); then every
write needs ``Authorization: Bearer <token>`` (reads of ``/store`` are open).
``LOAD`` and ``SERVICE`` are refused unless ``KG_ALLOW_HOSTS`` names the host.
The default graph is the union of the named graphs, so it can be read but not
written: writes name a graph.
"""

from __future__ import annotations

import io
from typing import Any

import anyio
from fastapi import APIRouter, Request, Response
from rdflib import Graph
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import require_writer
from api.deps import get_settings, get_store
from api.errors import rejects_methods
from api.routes.sparql import (
    UnsupportedMediaError,
    _decode,
    _one,
    _parse_form,
    _wanted,
    check_iris,
)
from kg.errors import InputError, NotFoundError, QueryError

router = APIRouter(tags=["update"])

_UPDATE_BODY = "application/sparql-update"
_FORM = "application/x-www-form-urlencoded"
_RDF_IN = {  # Content-Type -> rdflib parser
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
_RDF_OUT = {  # Accept -> (store format, media type)
    "text/turtle": ("turtle", "text/turtle; charset=utf-8"),
    "application/n-triples": ("ntriples", "application/n-triples"),
    "application/rdf+xml": ("rdfxml", "application/rdf+xml"),
    "application/ld+json": ("jsonld", "application/ld+json"),
}


@router.api_route(
    "/update", methods=["GET", "PUT", "DELETE", "PATCH"], include_in_schema=False
)
@rejects_methods
def update_wrong_method(request: Request) -> Response:
    raise StarletteHTTPException(
        405, "use POST for SPARQL Update", headers={"Allow": "POST"}
    )


_UPDATE_BODIES: dict[str, Any] = {
    "required": True,
    "content": {
        _FORM: {
            "schema": {
                "type": "object",
                "required": ["update"],
                "properties": {"update": {"type": "string"}},
            }
        },
        _UPDATE_BODY: {"schema": {"type": "string"}},
    },
}
_GRAPH_PARAMS: list[dict[str, Any]] = [
    {
        "name": "graph",
        "in": "query",
        "schema": {"type": "string"},
        "description": "the graph's IRI",
    },
    {
        "name": "default",
        "in": "query",
        "schema": {"type": "string"},
        "allowEmptyValue": True,
        "description": "present: the default graph (the union; read-only)",
    },
]
_GRAPH_BODY: dict[str, Any] = {
    "required": True,
    "content": {media: {"schema": {"type": "string"}} for media in _RDF_IN},
}


@router.post(
    "/update",
    summary="SPARQL 1.1 Update (needs the write token)",
    status_code=204,
    openapi_extra={"requestBody": _UPDATE_BODIES},
)
async def update(request: Request) -> Response:
    """Run an update sent as form ``update=`` or as ``application/sparql-update``."""
    require_writer(request)
    qp = request.query_params
    using = qp.getlist("using-graph-uri")
    using_named = qp.getlist("using-named-graph-uri")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if ctype == _FORM:
        form = _parse_form(body)
        if "query" in form:
            raise QueryError("this is a query: send it to /sparql")
        text = _one(form.get("update", []), "update")
        using += form.get("using-graph-uri", [])
        using_named += form.get("using-named-graph-uri", [])
    elif ctype == _UPDATE_BODY:
        text = _decode(body, "update body")
    else:
        raise UnsupportedMediaError(
            f"unsupported Content-Type {ctype or '(none)'!r} for POST /update; use "
            f"{_FORM} or {_UPDATE_BODY}"
        )
    check_iris(using, "using-graph-uri")
    check_iris(using_named, "using-named-graph-uri")
    if not text or not text.strip():
        raise QueryError("missing SPARQL update: send 'update' or a sparql-update body")
    settings = get_settings(request)
    if len(text.encode()) > settings.max_query_bytes:
        raise QueryError(f"the update is over {settings.max_query_bytes} bytes")
    store = get_store(request)
    await anyio.to_thread.run_sync(
        lambda: store.update(
            text,
            using_graphs=using,
            using_named_graphs=using_named,
            base_iri=settings.base_iri,
        )
    )
    return Response(status_code=204)


def _target(request: Request) -> str | None:
    """The graph IRI named by ``?graph=`` (None for ``?default``)."""
    qp = request.query_params
    graph = _one(qp.getlist("graph"), "graph")
    if graph is not None and "default" in qp:
        raise InputError("give either ?graph=IRI or ?default, not both")
    if graph is None and "default" not in qp:
        raise InputError("name the graph: ?graph=IRI, or ?default for the union")
    return graph if graph is None else check_iris([graph], "graph")[0]


def _parse_body(request: Request, body: bytes) -> Graph:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in _RDF_IN:
        raise UnsupportedMediaError(
            f"unsupported Content-Type {ctype or '(none)'!r}; use one of "
            + ", ".join(sorted(_RDF_IN))
        )
    graph = Graph()
    try:
        graph.parse(data=_decode(body, "RDF body"), format=_RDF_IN[ctype])
    except Exception as exc:  # rdflib raises many kinds for bad input
        raise InputError(f"the {ctype} body does not parse: {exc}") from exc
    return graph


_WRITTEN: dict[int | str, dict[str, Any]] = {
    201: {"description": "The graph was created"},
    204: {"description": "The graph was replaced or added to"},
}


@router.get(
    "/store",
    summary="Graph Store Protocol: read a graph",
    responses={
        200: {
            "description": "The graph, by Accept",
            "content": {media.split(";")[0]: {} for _, media in _RDF_OUT.values()},
        }
    },
    openapi_extra={"parameters": _GRAPH_PARAMS},
)
def store_get(request: Request) -> Response:
    """A named graph (``?graph=IRI``) or the union (``?default``), by Accept."""
    graph = _target(request)
    store = get_store(request)
    if graph is not None and not store.has_graph(graph):
        raise NotFoundError(f"no graph <{graph}> in the store")
    fmt, media = _RDF_OUT["text/turtle"]
    for wanted in _wanted(None, request.headers.get("accept", "")):
        if wanted in _RDF_OUT:
            fmt, media = _RDF_OUT[wanted]
            break
    buf = io.BytesIO()
    store.dump_graph(buf, graph, fmt)
    return Response(buf.getvalue(), media_type=media)


@router.head("/store", include_in_schema=False)
def store_head(request: Request) -> Response:
    response = store_get(request)
    return Response(status_code=200, media_type=response.media_type)


def _writable(request: Request) -> str:
    require_writer(request)
    graph = _target(request)
    if graph is None:
        raise InputError(
            "the default graph is the union of the named graphs and cannot be "
            "written: name a graph with ?graph=IRI"
        )
    return graph


async def _write_graph(request: Request, *, merge: bool) -> Response:
    """PUT replaces the graph, POST adds to it; 201 when it is new, else 204."""
    graph = _writable(request)
    data = _parse_body(request, await request.body())
    store: Any = get_store(request)
    existed = store.has_graph(graph)
    if merge and existed:
        buf = io.BytesIO()
        store.dump_graph(buf, graph, "ntriples")
        data += Graph().parse(data=buf.getvalue().decode(), format="nt")
    await anyio.to_thread.run_sync(lambda: store.put_graph(graph, data))
    return Response(status_code=204 if existed else 201)


@router.put(
    "/store",
    summary="Graph Store Protocol: replace a graph",
    status_code=204,
    responses=_WRITTEN,
    openapi_extra={"parameters": _GRAPH_PARAMS, "requestBody": _GRAPH_BODY},
)
async def store_put(request: Request) -> Response:
    return await _write_graph(request, merge=False)


@router.post(
    "/store",
    summary="Graph Store Protocol: add to a graph",
    status_code=204,
    responses=_WRITTEN,
    openapi_extra={"parameters": _GRAPH_PARAMS, "requestBody": _GRAPH_BODY},
)
async def store_post(request: Request) -> Response:
    return await _write_graph(request, merge=True)


@router.delete(
    "/store",
    summary="Graph Store Protocol: delete a graph",
    status_code=204,
    openapi_extra={"parameters": _GRAPH_PARAMS},
)
def store_delete(request: Request) -> Response:
    graph = _writable(request)
    if not get_store(request).remove_graph(graph):
        raise NotFoundError(f"no graph <{graph}> in the store")
    return Response(status_code=204)
