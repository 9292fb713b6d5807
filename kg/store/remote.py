"""Any SPARQL 1.1 store as the graph: the Protocol, Update and the Graph Store Protocol.

``--store sparql+http://host:port/`` (or ``sparql+https://``). A bare base URL
means Oxigraph's layout (``BASE/query``, ``BASE/update``, ``BASE/store``); the
settings ``KG_STORE_QUERY_URL`` / ``KG_STORE_UPDATE_URL`` / ``KG_STORE_GSP_URL``
name other endpoints (``KG_STORE_GSP_URL=none``: no Graph Store Protocol), and
``KG_STORE_TOKEN`` (bearer) or ``KG_STORE_USER`` + ``KG_STORE_PASSWORD`` (basic)
authenticate. Results come back as pyoxigraph objects, as from the embedded store.

The union default graph, ``KG_STORE_UNION``:

``kg`` (default)
    kg keeps the store's own default graph equal to the *set* union of the
    article graphs, as the embedded store does, so every store answers alike.
    Each batch of whole articles is one SPARQL Update request (retract, then
    ``INSERT DATA`` into the graph and the union): atomic wherever an update
    request is a transaction (Oxigraph, Fuseki/TDB2, GraphDB). The server must
    not add a union of its own (no ``--union-default-graph`` on Oxigraph).
``server``
    the server's default graph is already the union of the named graphs
    (Oxigraph ``--union-default-graph``, Fuseki ``unionDefaultGraph``, GraphDB,
    Virtuoso, QLever, Neptune). Each article is PUT through the Graph Store
    Protocol (replaces it: re-ingest is idempotent); without GSP, one
    ``DROP SILENT GRAPH`` + ``INSERT DATA`` update request per article.

Every request is retried with bounded exponential backoff on connection errors,
timeouts, 429 and 5xx (writes are idempotent: a retry after a lost answer
rewrites the same article); then a :class:`~kg.errors.StoreError` names the
endpoint (never the credentials). An article is written whole or not at all,
and the content hash lets a re-run skip what is stored and fill the gaps.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from typing import IO, Any, Literal
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
from rdflib import Graph

from kg.config import REMOTE_SCHEMES, Settings
from kg.errors import ConfigError, QueryError, QueryTimeoutError, StoreError
from kg.graph.build import to_ntriples
from kg.store import is_remote
from kg.store.embedded import (
    _IRI_OK,
    _REBUILD_UNION,
    _check_ntriples,
    _retract,
    _with_using,
    check_xml_safe,
    rdf_format,
)
from kg.store.guard import check_sparql
from kg.vocab import KG, PREFIXES

log = logging.getLogger(__name__)
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_NO_GSP_STATUS = frozenset({404, 405, 501})
_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, "
    "text/turtle;q=0.8, application/sparql-results+xml;q=0.7"
)
_ACCEPT_ROWS = "text/tab-separated-values, application/sparql-results+json;q=0.9"
_ACCEPT_TRIPLES = "application/n-triples, text/turtle;q=0.9"
_SPOOL = 8 * 1024 * 1024
Union = Literal["kg", "server"]


@dataclass(frozen=True)
class Endpoints:
    """Where the store answers; ``label`` names it in messages (no credentials)."""

    query: str
    update: str
    gsp: str | None
    label: str
    auth: tuple[str, str] | None = None  # user and password from the URL


def endpoints(location: str, settings: Settings) -> Endpoints:
    """The query, update and GSP URLs for ``sparql+http(s)://host:port/path/``.

    ``kg+http(s)://host:port/`` names a running ``kg serve`` (``/sparql``,
    ``/update``, ``/store``; it keeps the set union itself).

    Example:
        >>> endpoints("sparql+http://db:7878/", Settings()).update
        'http://db:7878/update'
        >>> endpoints("kg+http://127.0.0.1:8000/", Settings()).query
        'http://127.0.0.1:8000/sparql'
    """
    if not is_remote(location):
        raise ConfigError(f"not a SPARQL store URL: {location!r}; use {REMOTE_SCHEMES}")
    served = location.startswith("kg+")  # a `kg serve`: its own endpoint names
    parts = urlsplit(location.removeprefix("sparql+").removeprefix("kg+"))
    if not parts.hostname:
        raise ConfigError(f"no host in the store URL {_strip(location)!r}")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    base = urlunsplit((parts.scheme, netloc, path, "", ""))
    gsp = settings.store_gsp_url or urljoin(base, "store")
    auth = None
    if parts.username:
        auth = (unquote(parts.username), unquote(parts.password or ""))
    return Endpoints(
        query=settings.store_query_url
        or urljoin(base, "sparql" if served else "query"),
        update=settings.store_update_url or urljoin(base, "update"),
        gsp=None if gsp.lower() == "none" else gsp,
        label=base,
        auth=auth,
    )


def _strip(url: str) -> str:
    """The URL without user info, for messages."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _iri(graph: str) -> str:
    """``<graph>`` for a SPARQL text, once the IRI is checked."""
    if not _IRI_OK.fullmatch(graph):
        raise StoreError(f"not a graph IRI: {graph!r}")
    return f"<{graph}>"


def _prologue(sparql: str) -> str:
    """kg's predeclared prefixes the text uses and does not declare, on line 1."""
    used = [
        f"PREFIX {p}: <{iri}>"
        for p, iri in PREFIXES.items()
        if re.search(rf"(?<![\w.-]){p}:", sparql)
        and not re.search(rf"PREFIX\s+{p}\s*:", sparql, re.I)
    ]
    return " ".join(used) + " " + sparql if used else sparql


class RemoteStore:
    """A SPARQL 1.1 endpoint holding one named graph per article."""

    def __init__(
        self,
        location: str,
        settings: Settings | None = None,
        *,
        read_only: bool = False,
        allow_hosts: Iterable[str] = (),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        settings = settings or Settings()
        if settings.store_union not in ("kg", "server"):
            raise ConfigError(
                f"KG_STORE_UNION={settings.store_union!r}; valid values: kg, server"
            )
        served = location.startswith("kg+")  # a kg server keeps the set union
        self.union: Union = (
            "kg" if settings.store_union == "kg" and not served else "server"
        )
        self.endpoints = ep = endpoints(location, settings)
        self.read_only = read_only
        self.allow_hosts = tuple(allow_hosts)
        self.retries = max(0, settings.store_retries)
        self.batch_bytes = max(1, settings.store_batch_bytes)
        self._gsp = ep.gsp if self.union == "server" else None
        self._gsp_type = "application/n-triples"
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.store_timeout_s, connect=10.0),
            headers=_auth_headers(settings),
            auth=_basic_auth(settings, ep),
            transport=transport,
        )

    @property
    def label(self) -> str:
        return self.endpoints.label

    # -- HTTP -------------------------------------------------------------------
    def _request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        idempotent: bool = True,
        sink: IO[bytes] | None = None,
        ok_status: frozenset[int] = frozenset(),
        **kwargs: Any,
    ) -> httpx.Response:
        """Send with bounded exponential backoff; raise a StoreError naming ``url``.

        The body is read into the response, or streamed into ``sink`` (rewound
        and truncated before each attempt). ``idempotent=False`` retries only
        what cannot have reached the server (connection refused, 429, 503).
        """
        delay, problem = 0.25, ""
        for attempt in range(self.retries + 1):
            if attempt:
                log.warning(
                    "%s at %s: %s; retry %d of %d in %.2f s",
                    what, _strip(url), problem, attempt, self.retries, delay,
                )  # fmt: skip
                time.sleep(delay)
                delay = min(delay * 2, 8.0)
            try:
                resp = self._send(method, url, sink, **kwargs)
            except httpx.ReadTimeout as exc:
                if what == "query":
                    raise QueryTimeoutError(
                        f"the store at {self.label} did not answer the query in "
                        "time; add a LIMIT or raise KG_STORE_TIMEOUT"
                    ) from exc
                problem, retry = f"timed out ({exc.__class__.__name__})", idempotent
            except httpx.TransportError as exc:
                problem = f"{exc.__class__.__name__}: {exc}".rstrip(": ")
                retry = idempotent or isinstance(exc, httpx.ConnectError)
            else:
                code = resp.status_code
                if code < 400 or code in ok_status:
                    return resp
                if code not in _RETRY_STATUS:
                    raise self._refused(resp, what, url)
                problem = f"HTTP {code} {_snippet(resp)}"
                retry = idempotent or code in (429, 503)
            if not retry:
                break
        raise StoreError(
            f"{what} at {_strip(url)} failed after {attempt + 1} attempt(s): "
            f"{problem}. Is the store up? A re-run resumes: stored articles are "
            "whole and skipped"
        )

    def _send(
        self, method: str, url: str, sink: IO[bytes] | None, **kwargs: Any
    ) -> httpx.Response:
        if sink is None:
            return self._client.request(method, url, **kwargs)
        sink.seek(0)
        sink.truncate()
        with self._client.stream(method, url, **kwargs) as resp:
            if resp.status_code < 400:
                for chunk in resp.iter_bytes(1 << 16):
                    sink.write(chunk)
            else:
                resp.read()
        sink.seek(0)
        return resp

    def _refused(self, resp: httpx.Response, what: str, url: str) -> Exception:
        code, text = resp.status_code, _snippet(resp)
        where = _strip(url)
        if code in (401, 403):
            return StoreError(
                f"{what} at {where}: HTTP {code}, the store refused the credentials "
                "(set KG_STORE_TOKEN, or KG_STORE_USER and KG_STORE_PASSWORD)"
            )
        if code == 400 and what in ("query", "update"):
            return QueryError(f"the store at {where} refused the {what}: {text}")
        return StoreError(f"{what} at {where} failed: HTTP {code} {text}")

    def _post_query(
        self,
        sparql: str,
        accept: str,
        *,
        sink: IO[bytes] | None = None,
        dataset: dict[str, list[str]] | None = None,
    ) -> httpx.Response:
        form: dict[str, Any] = {"query": _prologue(sparql)}
        form.update({k: v for k, v in (dataset or {}).items() if v})
        return self._request(
            "POST",
            self.endpoints.query,
            what="query",
            sink=sink,
            data=form,
            headers={"Accept": accept},
        )

    def _post_update(self, sparql: str, *, what: str, idempotent: bool) -> None:
        if self.read_only:
            raise StoreError(f"the store {self.label} was opened read-only: no {what}")
        self._request(
            "POST",
            self.endpoints.update,
            what=what,
            idempotent=idempotent,
            content=_prologue(sparql).encode(),
            headers={"Content-Type": "application/sparql-update"},
        )

    # -- writes -----------------------------------------------------------------
    def article_hash(self, graph: str) -> str | None:
        rows = self.query(
            f"SELECT ?h WHERE {{ GRAPH {_iri(graph)} {{ ?a <{KG.contentHash}> ?h }} }} "
            "LIMIT 1"
        )
        for row in rows:
            return str(row[0].value)
        return None

    def put_graph(self, graph: str, triples: Graph) -> None:
        """Replace the named graph: whole article or nothing."""
        self.put_ntriples(graph, to_ntriples(triples))

    def put_ntriples(self, graph: str, data: bytes) -> int:
        """Replace the named graph with these N-Triples; quads written."""
        return self.put_batch([(graph, data)])

    def put_batch(
        self, items: Sequence[tuple[str, bytes]], *, new: bool = False
    ) -> int:
        """Write several article graphs (N-Triples each), each whole or absent.

        ``new`` changes nothing here: each request replaces its graphs anyway.

        ``kg`` union: whole articles grouped into update requests of at most
        ``KG_STORE_BATCH_BYTES`` (one article alone when larger). ``server``
        union: one GSP PUT (else one update request) per article.
        """
        if self.read_only:
            raise StoreError(f"the store {self.label} was opened read-only")
        for graph, data in items:
            _check_ntriples(graph, data)
        lines = sum(data.count(b"\n") for _, data in items)
        if self.union == "kg":
            for group in _groups(items, self.batch_bytes):
                text = " ;\n".join(
                    _retract(g) + f"INSERT DATA {{ GRAPH <{g}> {{\n{d}}}\n{d}}}"
                    for g, d in ((g, data.decode()) for g, data in group)
                )
                self._post_update(text, what=f"writing {len(group)} graph(s)",
                                  idempotent=True)  # fmt: skip
            return 2 * lines
        for graph, data in items:
            if not (self._gsp and self._put_gsp(graph, data)):
                self._post_update(
                    f"DROP SILENT GRAPH <{graph}> ;\n"
                    f"INSERT DATA {{ GRAPH <{graph}> {{\n{data.decode()}}} }}",
                    what=f"writing graph {graph}",
                    idempotent=True,
                )
        return lines

    def _put_gsp(self, graph: str, data: bytes) -> bool:
        """PUT one graph; False (and GSP off from now on) if the store lacks it."""
        assert self._gsp is not None
        resp = self._request(
            "PUT",
            self._gsp,
            what=f"writing graph {graph}",
            ok_status=_NO_GSP_STATUS | {415},
            params={"graph": graph},
            content=data,
            headers={"Content-Type": self._gsp_type},
        )
        if resp.status_code == 415 and self._gsp_type != "text/turtle":
            self._gsp_type = "text/turtle"  # N-Triples is Turtle
            return self._put_gsp(graph, data)
        if resp.status_code in _NO_GSP_STATUS | {415}:
            log.warning(
                "no Graph Store Protocol at %s (HTTP %d): writing by SPARQL Update",
                _strip(self._gsp), resp.status_code,
            )  # fmt: skip
            self._gsp = None
            return False
        return True

    def remove_graph(self, graph: str) -> bool:
        if not self.has_graph(graph):
            return False
        text = _retract(graph) if self.union == "kg" else f"DROP SILENT GRAPH <{graph}>"
        self._post_update(
            text.rstrip(" ;\n"), what=f"removing graph {graph}", idempotent=True
        )
        return True

    def update(
        self,
        sparql: str,
        *,
        using_graphs: Iterable[str] = (),
        using_named_graphs: Iterable[str] = (),
        base_iri: str | None = None,
    ) -> None:
        """Run a SPARQL 1.1 Update on the named graphs (``kg`` union: rebuilt after).

        Raises:
            QueryError: the text is no update, the store refuses it, or it
                would LOAD from a host that is not allowed.
        """
        check_sparql(sparql, update=True, allow_hosts=self.allow_hosts)
        text = _with_using(sparql, list(using_graphs), list(using_named_graphs))
        if base_iri:
            text = f"BASE <{base_iri}>\n{text}"
        if self.union == "kg":
            text += " ;\n" + _REBUILD_UNION
        self._post_update(text, what="update", idempotent=False)

    def has_graph(self, graph: str) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"))

    def is_empty(self) -> bool:
        return not self.query("ASK { GRAPH ?g { ?s ?p ?o } }")

    def graphs(self) -> Iterator[str]:
        for row in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"):
            yield str(row[0].value)

    # -- reads ------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> Any:
        """Run a SPARQL query at the store: QuerySolutions, QueryTriples or a bool.

        ``default_graph`` / ``named_graphs`` become the protocol's
        ``default-graph-uri`` / ``named-graph-uri``.

        Raises:
            QueryError: the store refuses the query (its message says where).
            QueryTimeoutError: no answer within ``KG_STORE_TIMEOUT``.
        """
        check_sparql(sparql, allow_hosts=self.allow_hosts)
        resp = self._post_query(
            sparql,
            _ACCEPT,
            dataset={
                "default-graph-uri": list(default_graph or []),
                "named-graph-uri": list(named_graphs or []),
            },
        )
        return self._parse(resp.headers.get("content-type", ""), resp.content)

    def _parse(self, content_type: str, body: bytes | IO[bytes]) -> Any:
        media = content_type.split(";")[0].strip().lower()
        results = ox.QueryResultsFormat.from_media_type(media) if media else None
        if results is not None:
            return ox.parse_query_results(body, format=results)
        rdf = ox.RdfFormat.from_media_type(media) if media else None
        if rdf is None:
            raise StoreError(
                f"the store at {self.label} answered a query with {media!r}, "
                "neither SPARQL results nor RDF"
            )
        tmp = ox.Store()  # an in-memory graph, so the caller gets QueryTriples
        tmp.load(body, format=rdf)
        return tmp.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def is_cheap(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> bool:
        """Always False: a remote query's cost is not known before it runs."""
        return False

    def dump(self, output: IO[bytes], fmt: str) -> None:
        """The article graphs (TriG, N-Quads) or their union (the other formats)."""
        rf = rdf_format(fmt)
        check_xml_safe(self, rf)
        if not rf.supports_datasets:
            self.dump_graph(output, None, fmt)
            return
        sparql = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        with SpooledTemporaryFile(_SPOOL) as spool:
            resp = self._post_query(sparql, _ACCEPT_ROWS, sink=spool)
            rows = self._parse(resp.headers.get("content-type", ""), spool)
            quads = (ox.Quad(r[1], r[2], r[3], r[0]) for r in rows)
            ox.serialize(quads, output, format=rf, prefixes=PREFIXES)

    def dump_graph(self, output: IO[bytes], graph: str | None, fmt: str) -> None:
        """Serialise one named graph (None: the union default graph)."""
        rf = rdf_format(fmt)
        check_xml_safe(self, rf, graph)
        if graph is not None:
            where = f"GRAPH {_iri(graph)} {{ ?s ?p ?o }}"
        elif self.union == "server":  # a bag on some stores: one copy of each
            where = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
        else:
            where = "?s ?p ?o"
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"
        with SpooledTemporaryFile(_SPOOL) as spool:
            resp = self._post_query(sparql, _ACCEPT_TRIPLES, sink=spool)
            media = resp.headers.get("content-type", "").split(";")[0].strip()
            source = ox.RdfFormat.from_media_type(media) if media else None
            if source is None:
                raise StoreError(f"the store at {self.label} answered {media!r}")
            triples = (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(spool, format=source)
            )
            ox.serialize(triples, output, format=rf, prefixes=PREFIXES)

    def __len__(self) -> int:
        """Quads stored: the article graphs (and kg's union copy)."""
        where = "{ GRAPH ?g { ?s ?p ?o } }"
        if self.union == "kg":
            where += " UNION { ?s ?p ?o }"
        for row in self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"):
            return int(row[0].value)
        return 0

    def flush(self) -> None:
        """Nothing to flush: every write is committed by the server."""

    def close(self) -> None:
        """Close the HTTP connections; safe to call twice."""
        self._client.close()


def _groups(
    items: Sequence[tuple[str, bytes]], limit: int
) -> Iterator[list[tuple[str, bytes]]]:
    """Whole articles in groups of at most ``limit`` bytes (one when larger)."""
    group: list[tuple[str, bytes]] = []
    size = 0
    for item in items:
        if group and size + len(item[1]) > limit:
            yield group
            group, size = [], 0
        group.append(item)
        size += len(item[1])
    if group:
        yield group


def _snippet(resp: httpx.Response) -> str:
    try:
        text = resp.text
    except (httpx.HTTPError, UnicodeDecodeError):
        return ""
    return " ".join(text.split())[:300]


def _auth_headers(settings: Settings) -> dict[str, str]:
    if settings.store_token and settings.store_user:
        raise ConfigError(
            "both KG_STORE_TOKEN and KG_STORE_USER are set: give a bearer token "
            "or basic auth, not both"
        )
    if settings.store_token:
        return {"Authorization": f"Bearer {settings.store_token}"}
    return {}


def _basic_auth(settings: Settings, ep: Endpoints) -> httpx.BasicAuth | None:
    if settings.store_user:
        return httpx.BasicAuth(settings.store_user, settings.store_password or "")
    if ep.auth and not settings.store_token:
        return httpx.BasicAuth(*ep.auth)
    return None
