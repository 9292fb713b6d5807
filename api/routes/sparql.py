"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint over the store.

GET ``?query=``, POST form ``query=``, POST ``application/sparql-query``. The
result format follows ``Accept`` (or a ``format`` parameter): SPARQL JSON / XML /
CSV / TSV for SELECT and ASK, Turtle / N-Triples / RDF/XML / JSON-LD for
CONSTRUCT and DESCRIBE. The whole body is serialised before the status is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import StoreDep
from kg.errors import InputError, QueryError, StoreError

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
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
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
    ox.RdfFormat.RDF_XML: "application/rdf+xml",
    ox.RdfFormat.JSON_LD: "application/ld+json",
}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class SparqlRequest:
    """A SPARQL Protocol request, from the query string or the body."""

    query: str | None = None
    default_graph_uri: list[str] = field(default_factory=list)
    named_graph_uri: list[str] = field(default_factory=list)
    format: str | None = None
    update: bool = False


async def read_request(
    request: Request,
    query: Annotated[str | None, Query(description="a SPARQL 1.1 query")] = None,
    default_graph_uri: Annotated[
        list[str] | None,
        Query(
            alias="default-graph-uri",
            description="graphs merged into the default graph",
        ),
    ] = None,
    named_graph_uri: Annotated[
        list[str] | None,
        Query(alias="named-graph-uri", description="graphs visible to GRAPH"),
    ] = None,
    format: Annotated[
        str | None,
        Query(description="overrides Accept: json, xml, csv, tsv, turtle, nt"),
    ] = None,
) -> SparqlRequest:
    """Collect the protocol parameters (reading the body is async; querying is not)."""
    req = SparqlRequest(
        query,
        list(default_graph_uri or []),
        list(named_graph_uri or []),
        format,
        update="update" in request.query_params,
    )
    if request.method != "POST":
        return req
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in _FORM_TYPES:
        form = await request.form()
        req.query = _form_str(form.get("query")) or req.query
        req.default_graph_uri += [str(v) for v in form.getlist("default-graph-uri")]
        req.named_graph_uri += [str(v) for v in form.getlist("named-graph-uri")]
        req.format = _form_str(form.get("format")) or req.format
        req.update = req.update or "update" in form
    elif ctype == "application/sparql-query":
        req.query = (await request.body()).decode("utf-8", errors="replace")
    elif ctype == "application/sparql-update":
        req.update = True
    else:
        raise InputError(
            f"unsupported Content-Type {ctype or '(none)'!r} for POST /sparql; "
            "use application/x-www-form-urlencoded or application/sparql-query"
        )
    return req


def _form_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


SparqlRequestDep = Annotated[SparqlRequest, Depends(read_request)]


@router.get("/sparql", name="sparql", summary="SPARQL 1.1 query (GET)")
def sparql_get(request: Request, store: StoreDep, params: SparqlRequestDep) -> Response:
    """Run ``?query=``; without a query, describe the service (Turtle)."""
    if params.query is None and not params.update:
        return _service_description(str(request.url_for("sparql")))
    return _answer(request, store, params)


@router.post(
    "/sparql", summary="SPARQL 1.1 query (POST form or application/sparql-query)"
)
def sparql_post(
    request: Request, store: StoreDep, params: SparqlRequestDep
) -> Response:
    """Run a query sent in the body."""
    return _answer(request, store, params)


def _answer(request: Request, store: StoreDep, params: SparqlRequest) -> Response:
    query = params.query
    if params.update:
        raise QueryError("SPARQL Update is not allowed: this endpoint is read-only")
    if not query or not query.strip():
        raise QueryError(
            "missing SPARQL query: send it as 'query' (GET parameter or "
            "form field) or as an application/sparql-query body"
        )
    result = store.query(
        query,
        default_graph=params.default_graph_uri or None,
        named_graphs=params.named_graph_uri or None,
    )
    accept = _wanted(params.format, request.headers.get("accept", ""))
    try:
        if isinstance(result, ox.QueryTriples):
            fmt: Any = _pick(accept, _GRAPHS, ox.RdfFormat.TURTLE)
            body = ox.serialize(result, format=fmt)
        else:
            fmt = _pick(accept, _RESULTS, ox.QueryResultsFormat.JSON)
            body = result.serialize(format=fmt)
    except (RuntimeError, ValueError) as exc:
        raise QueryError(f"the query failed while running: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"the query failed while reading the store: {exc}") from exc
    return Response(
        body or b"", media_type=_MEDIA_TYPE[fmt], headers={"Vary": "Accept"}
    )


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


def _pick(accept: list[str], offered: dict[str, Any], default: Any) -> Any:
    for media in accept:
        if media in offered:
            return offered[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    return default  # lenient: an unknown type gets the default format


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
