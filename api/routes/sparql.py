"""``/sparql``: a read-only SPARQL 1.1 Protocol query endpoint.

GET ``?query=``, POST form ``query=``, POST ``application/sparql-query``, with
``default-graph-uri`` / ``named-graph-uri`` (they override ``FROM``). Results by
``Accept`` (q-values honoured; ``406`` when nothing acceptable can be made):
SPARQL JSON / XML / CSV / TSV for SELECT and ASK; Turtle, N-Triples, N-Quads,
TriG, JSON-LD and RDF/XML for CONSTRUCT and DESCRIBE.

The query runs in a bounded pool of worker threads (pyoxigraph releases the
GIL), so a heavy query never delays a light one. Its result is serialised into
a spooled file (memory up to 8 MB, then disk) under a deadline and a size cap,
and only then is the status decided: a timeout is a ``503`` with a message,
never a truncated ``200``; large results stream from the spool.
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import parse_qs

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import get_settings, get_store
from api.errors import error_response, rejects_methods
from kg.errors import (
    InputError,
    KgError,
    QueryError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
)
from kg.store.guard import blank_opaque
from kg.textcache import short_text_cache

router = APIRouter(tags=["sparql"])

_RESULTS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPHS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
}
_FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
_MEDIA_TYPE = {  # what we send back (charset for the text ones)
    ox.QueryResultsFormat.JSON: "application/sparql-results+json",
    ox.QueryResultsFormat.XML: "application/sparql-results+xml",
    ox.QueryResultsFormat.CSV: "text/csv; charset=utf-8",
    ox.QueryResultsFormat.TSV: "text/tab-separated-values; charset=utf-8",
    ox.RdfFormat.TURTLE: "text/turtle; charset=utf-8",
    ox.RdfFormat.N_TRIPLES: "application/n-triples",
    ox.RdfFormat.N_QUADS: "application/n-quads",
    ox.RdfFormat.TRIG: "application/trig",
    ox.RdfFormat.RDF_XML: "application/rdf+xml",
    ox.RdfFormat.JSON_LD: "application/ld+json",
}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Results (SELECT, ASK) or RDF (CONSTRUCT, DESCRIBE) by Accept",
        "content": {media.split(";")[0]: {} for media in _MEDIA_TYPE.values()},
    },
    503: {"description": "The query ran out of time", "content": _ERROR},
}
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_QUERY_BODY = "application/sparql-query"
_FORM_OF_QUERY = re.compile(
    r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s+)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I
)
_SPOOL_MEMORY = 8 * 1024 * 1024
_CHUNK = 64 * 1024
_limiters: dict[int, anyio.CapacityLimiter] = {}


class Running:
    """Queries still running in worker threads, abandoned ones included.

    pyoxigraph cannot interrupt a query: one whose client already got its 503
    runs on until it ends. Counting those too bounds the CPU that runaway
    queries can take; past the bound new queries get an immediate 503.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def enter(self, limit: int) -> bool:
        with self._lock:
            if self.count >= limit:
                return False
            self.count += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.count -= 1


RUNNING = Running()


class UnsupportedMediaError(InputError):
    """POST with a Content-Type the protocol does not define."""

    status = 415


class ServerBusyError(QueryTimeoutError):
    """Too many queries are still running."""


class NotAcceptableError(KgError):
    """No acceptable media type can be produced for this query form."""

    status = 406


@dataclass
class SparqlRequest:
    """A SPARQL Protocol request, from the query string or the body."""

    query: str | None = None
    default_graph_uri: list[str] = field(default_factory=list)
    named_graph_uri: list[str] = field(default_factory=list)
    format: str | None = None


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise InputError(
            f"the '{name}' parameter is given {len(values)} times; send one"
        )
    return values[0] if values else None


def _parse_form(body: bytes) -> dict[str, list[str]]:
    """An URL-encoded form; every value must be UTF-8 once percent-decoded."""
    try:
        return parse_qs(
            _decode(body, "form body"), keep_blank_values=True, errors="strict"
        )
    except UnicodeDecodeError as exc:
        raise InputError(f"a form value is not valid UTF-8: {exc.reason}") from exc


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the {what} is not valid UTF-8 (byte {exc.start})") from exc


def check_iris(iris: list[str], name: str) -> list[str]:
    """The graph IRIs of a dataset parameter, each checked to be an absolute IRI.

    Raises:
        InputError: one is empty or not an absolute IRI (``?default-graph-uri=``).
    """
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise InputError(
                f"the '{name}' value {iri!r} is not an absolute IRI ({exc}); "
                "give a graph IRI such as https://kg.example/graph/ID"
            ) from exc
    return iris


@short_text_cache()
def _query_string(raw: bytes) -> dict[str, list[str]]:
    """The URL's parameters, decoded as Starlette decodes them (cached: the
    percent-decoding of a long query costs as much as running a cheap one)."""
    return parse_qs(raw.decode("latin-1"), keep_blank_values=True)


async def read_request(request: Request) -> SparqlRequest:
    """Collect the protocol parameters; refuse malformed requests with a 4xx."""
    qp = _query_string(request.scope["query_string"])
    req = SparqlRequest(
        _one(qp.get("query", []), "query"),
        list(qp.get("default-graph-uri", [])),
        list(qp.get("named-graph-uri", [])),
        qp["format"][-1] if "format" in qp else None,
    )
    if "update" in qp:
        raise QueryError("/sparql is read-only: send SPARQL Update to /update")
    if request.method != "POST":
        return _checked(req)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == _FORM:
        values = _parse_form(await request.body())
    elif ctype == _MULTIPART:
        multi = await request.form()
        values = {k: [str(v) for v in multi.getlist(k)] for k in multi}
    elif ctype == "application/sparql-update":
        raise QueryError("/sparql is read-only: send SPARQL Update to /update")
    elif ctype == _QUERY_BODY:
        if req.query is not None:
            raise InputError("a query in the URL and another in the body: send one")
        req.query = _decode(await request.body(), "query body")
        return _checked(req)
    else:
        raise UnsupportedMediaError(
            f"unsupported Content-Type {ctype or '(none)'!r} for POST /sparql; use "
            f"{_FORM} or {_QUERY_BODY}"
        )
    if "update" in values:
        raise QueryError("/sparql is read-only: send SPARQL Update to /update")
    body_query = _one(values.get("query", []), "query")
    if body_query is not None and req.query is not None:
        raise InputError("the 'query' parameter is given twice (URL and body)")
    req.query = body_query if body_query is not None else req.query
    req.default_graph_uri += values.get("default-graph-uri", [])
    req.named_graph_uri += values.get("named-graph-uri", [])
    req.format = _one(values.get("format", []), "format") or req.format
    return _checked(req)


def _checked(req: SparqlRequest) -> SparqlRequest:
    check_iris(req.default_graph_uri, "default-graph-uri")
    check_iris(req.named_graph_uri, "named-graph-uri")
    return req


_PARAMS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "schema": {"type": "string"},
        "description": "a SPARQL 1.1 query (no query: the service description)",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "graphs merged into the default graph (overrides FROM)",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "graphs visible to GRAPH (overrides FROM NAMED)",
    },
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": "overrides Accept: json, xml, csv, tsv, turtle, nt, jsonld",
    },
]


_QUERY_BODIES: dict[str, Any] = {
    "required": True,
    "content": {
        _FORM: {
            "schema": {
                "type": "object",
                "required": ["query"],
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
        _QUERY_BODY: {"schema": {"type": "string"}},
    },
}


@router.get(
    "/sparql",
    name="sparql",
    summary="SPARQL 1.1 query (GET)",
    openapi_extra={"parameters": _PARAMS},
    responses=_ANSWERS,
)
async def sparql_get(request: Request) -> Response:
    """Run ``?query=``; without a query, describe the service (Turtle)."""
    return await handle(request)


@router.api_route(
    "/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False
)
@rejects_methods
def sparql_wrong_method(request: Request) -> Response:
    raise StarletteHTTPException(
        405, "use GET or POST for SPARQL queries", headers={"Allow": "GET, POST"}
    )


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query (POST form or application/sparql-query)",
    openapi_extra={"parameters": _PARAMS[1:], "requestBody": _QUERY_BODIES},
    responses=_ANSWERS,
)
async def sparql_post(request: Request) -> Response:
    """Run a query sent in the body."""
    return await handle(request)


async def handle(request: Request) -> Response:
    """One GET or POST on ``/sparql``: the query's answer, or the description."""
    params = await read_request(request)
    if params.query is None and request.method == "GET":
        return _service_description(str(request.url.replace(query="")))
    return await answer(request, params)


class SparqlFastPath:
    """ASGI middleware: GET and POST ``/sparql`` skip routing and dependencies.

    The endpoint's answers are the same as the routes' (one ``handle``); the
    middleware only saves the framework's per-request work, which costs ten
    times a cheap query (``benchmarks/results/sparql.md``). Errors get the
    app's one JSON error shape.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/sparql"
            or scope["method"] not in ("GET", "POST")
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await handle(request)
        except (KgError, StarletteHTTPException) as exc:
            response = error_response(exc, f"{request.method} /sparql")
        await response(scope, receive, send)


def _limiter(workers: int) -> anyio.CapacityLimiter:
    if workers not in _limiters:
        _limiters[workers] = anyio.CapacityLimiter(workers)
    return _limiters[workers]


async def answer(request: Request, params: SparqlRequest) -> Response:
    """Run the query off the event loop, under the deadline and the size cap."""
    settings = get_settings(request)
    store = get_store(request)
    query = params.query
    if not query or not query.strip():
        raise QueryError(
            "missing SPARQL query: send it as 'query' (GET parameter or "
            "form field) or as an application/sparql-query body"
        )
    if len(query.encode()) > settings.max_query_bytes:  # the rest: the store's guard
        raise QueryError(
            f"the query is {len(query.encode())} bytes; the limit is "
            f"{settings.max_query_bytes} (KG_MAX_QUERY_BYTES)"
        )
    fmt = negotiate(query, params.format, request.headers.get("accept", ""))
    deadline = time.monotonic() + settings.query_timeout_s
    if not RUNNING.enter(2 * settings.query_workers):
        raise ServerBusyError(
            f"{RUNNING.count} queries are still running (some past their time limit, "
            "which the engine cannot interrupt); try again shortly"
        )
    job = _Job(store, query, params, fmt, deadline, settings.max_result_bytes)
    dataset = {
        "default_graph": params.default_graph_uri or None,
        "named_graphs": params.named_graph_uri or None,
    }
    if store.is_cheap(query, **dataset):  # bounded: cheaper than a thread hand-off
        spool = job.run()
        return _respond(spool, job.fmt)
    with anyio.move_on_after(settings.query_timeout_s) as scope:
        spool = await anyio.to_thread.run_sync(
            job.run, abandon_on_cancel=True, limiter=_limiter(settings.query_workers)
        )
    if scope.cancelled_caught:
        job.abandon()
        raise QueryTimeoutError(
            f"the query ran out of time ({settings.query_timeout_s:g} s): narrow it "
            "or add a LIMIT"
        )
    return _respond(spool, job.fmt)


def negotiate(query: str, fmt: str | None, accept: str) -> Any:
    """The output format for this query form and Accept header, or 406."""
    graph_form = _is_graph_form(query)
    offered: dict[str, Any] = _GRAPHS if graph_form else _RESULTS
    default = ox.RdfFormat.TURTLE if graph_form else ox.QueryResultsFormat.JSON
    wanted = _wanted(fmt, accept)
    if not wanted and not accept.strip():
        return default
    for media in wanted:
        if media in offered:
            return offered[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    kind = "CONSTRUCT/DESCRIBE" if graph_form else "SELECT/ASK"
    raise NotAcceptableError(
        f"cannot answer a {kind} query as {', '.join(wanted)}; acceptable: "
        + ", ".join(sorted(set(offered)))
    )


@short_text_cache()
def _is_graph_form(query: str) -> bool:
    """True for CONSTRUCT and DESCRIBE (they answer with RDF, not results)."""
    m = _FORM_OF_QUERY.match(blank_opaque(query))
    return m is not None and m.group(1).upper() in ("CONSTRUCT", "DESCRIBE")


def _wanted(fmt: str | None, accept: str) -> list[str]:
    """Media types the client accepts, best first (a ``format`` parameter wins)."""
    if fmt:
        name = fmt.strip().lower()
        return [_FORMAT_NAMES.get(name, name)]
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, i, media.lower()))
    return [m for _, _, m in sorted(ranked)]


class _Spool:
    """A file-like sink for pyoxigraph's serialisers: deadline and size cap."""

    def __init__(self, deadline: float, cap: int) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)
        self.size = 0
        self.deadline = deadline
        self.cap = cap
        self.abandoned = False

    def write(self, data: bytes) -> int:
        if self.abandoned or time.monotonic() > self.deadline:
            raise TimeoutError("query deadline passed")
        self.size += len(data)
        if self.size > self.cap:
            raise OverflowError(f"result over {self.cap} bytes")
        return self.file.write(data)

    def flush(self) -> None:
        pass


class _Job:
    """One query, run in a worker thread: query, then serialise into a spool."""

    def __init__(
        self,
        store: Any,
        query: str,
        params: SparqlRequest,
        fmt: Any,
        deadline: float,
        cap: int,
    ) -> None:
        self.store, self.query, self.params, self.fmt = store, query, params, fmt
        self.spool = _Spool(deadline, cap)  # in memory until its first write
        self._lock = threading.Lock()
        self._started = self._dropped = False

    def abandon(self) -> None:
        """The client got its answer: stop at the next write, or never start."""
        self.spool.abandoned = True
        with self._lock:
            self._dropped = True
            if not self._started:  # still queued: free its place now
                RUNNING.leave()
                self.spool.file.close()

    def run(self) -> _Spool:
        with self._lock:
            if self._dropped:
                self.spool.file.close()
                return self.spool
            self._started = True
        try:
            self._serialise()
        except BaseException:
            self.spool.file.close()
            raise
        finally:
            RUNNING.leave()
        if self.spool.abandoned:  # nobody waits for it any more
            self.spool.file.close()
        return self.spool

    def _serialise(self) -> None:
        """Query and serialise; errors are raised only once the result is gone.

        pyoxigraph results may only be dropped on the thread that made them, so
        no exception leaving this thread may carry a frame that holds one.
        """
        result = self.store.query(
            self.query,
            default_graph=self.params.default_graph_uri or None,
            named_graphs=self.params.named_graph_uri or None,
        )
        sink: Any = self.spool
        error: KgError | None = None
        try:
            if isinstance(result, ox.QueryTriples):
                if not isinstance(self.fmt, ox.RdfFormat):
                    self.fmt = ox.RdfFormat.TURTLE
                ox.serialize(result, sink, format=self.fmt)
            else:
                if not isinstance(self.fmt, ox.QueryResultsFormat):
                    self.fmt = ox.QueryResultsFormat.JSON
                result.serialize(sink, format=self.fmt)
        except TimeoutError:
            error = QueryTimeoutError("the query ran out of time; add a LIMIT")
        except OverflowError:
            error = ResultTooLargeError(
                f"the result is larger than {self.spool.cap} bytes "
                "(KG_MAX_RESULT_BYTES); add a LIMIT or page with OFFSET"
            )
        except (RuntimeError, ValueError, SyntaxError) as exc:
            error = QueryError(f"the query failed while running: {exc}")
        except OSError as exc:
            error = StoreError(f"the query failed while reading the store: {exc}")
        del result
        if error is not None:
            raise error


def _respond(spool: _Spool, fmt: Any) -> Response:
    media = _MEDIA_TYPE[fmt]
    headers = {"Vary": "Accept"}
    if spool.size <= _SPOOL_MEMORY:
        spool.file.seek(0)
        body = spool.file.read()
        spool.file.close()
        return Response(body, media_type=media, headers=headers)

    def chunks() -> Iterator[bytes]:
        try:
            spool.file.seek(0)
            while data := spool.file.read(_CHUNK):
                yield data
        finally:
            spool.file.close()

    headers["Content-Length"] = str(spool.size)
    return StreamingResponse(chunks(), media_type=media, headers=headers)


def _service_description(endpoint: str) -> Response:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    fm = "http://www.w3.org/ns/formats/"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    me, dataset, graph = ox.NamedNode(endpoint), ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(me, rdf_type, ox.NamedNode(sd + "Service")),
        ox.Triple(me, ox.NamedNode(sd + "endpoint"), me),
        ox.Triple(
            me,
            ox.NamedNode(sd + "supportedLanguage"),
            ox.NamedNode(sd + "SPARQL11Query"),
        ),
        ox.Triple(
            me, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")
        ),
        ox.Triple(me, ox.NamedNode(sd + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, ox.NamedNode(sd + "Dataset")),
        ox.Triple(dataset, ox.NamedNode(sd + "defaultGraph"), graph),
        ox.Triple(graph, rdf_type, ox.NamedNode(sd + "Graph")),
    ]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "N-Quads",
        "TriG",
        "RDF_XML",
        "JSON-LD",
    ):
        triples.append(
            ox.Triple(me, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(fm + name))
        )
    body = ox.serialize(
        triples, format=ox.RdfFormat.TURTLE, prefixes={"sd": sd, "formats": fm}
    )
    return Response(body, media_type="text/turtle; charset=utf-8")
