"""SPARQL 1.1 Protocol over the real server, case by case after the W3C protocol test
manifest (data-sparql11/protocol/manifest.ttl; each test names its case), then the
Graph Store Protocol (``/store``), write authorisation, the service description, CORS
and SPARQLWrapper as a real client.

Every server runs on a free port over its own copy of ``tests/data/sample.trig``
(two article graphs, 81 triples each, 156 in their union):

    ro    `kg serve` itself (granian, 2 read-only processes) on a disk copy, no write
          token: queries; every write is refused with 403
    rw    write token TOKEN: /update and /store writes (each test writes its own graph);
          uvicorn in a thread over an in-memory copy, as is
    cors  cors_origins=["https://example.org"]
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS

from api.main import create_app
from kg.config import Settings
from kg.store import EmbeddedStore
from tests.conftest import LiveServer, start_kg_serve

DATA = Path(__file__).parent / "data"
TOKEN = "protocol-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ORIGIN = "https://example.org"

ID = "https://kg.example/id/"
AFP_GRAPH = "https://kg.example/graph/afp-001"
RTR_GRAPH = "https://kg.example/graph/rtr-002"
AFP = ID + "article/afp-001"
RTR = ID + "article/rtr-002"
BOSSY = ID + "person/cecile-bossy"
AFP_HEADLINE = "Police clear migrant camp in Calais"
RTR_HEADLINE = "Aid group <b>warns</b> & \"criticises\" <a href='x'>evictions</a>"
UNION_SIZE = 156  # distinct triples over both article graphs
GRAPH_SIZE = 81  # triples in each article graph
TEST_GRAPH = "https://kg.example/graph/test-"  # + name: graphs written by tests

SCHEMA = "http://schema.org/"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"
PREFIXES = (
    "PREFIX schema: <http://schema.org/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX kg: <https://kg.example/ontology#>\n"
)
ARTICLES = PREFIXES + "SELECT ?a WHERE { ?a a schema:NewsArticle } ORDER BY ?a"
HEADLINES = (
    PREFIXES
    + "SELECT ?a ?h WHERE { ?a a schema:NewsArticle ; schema:headline ?h } ORDER BY ?a"
)
IN_GRAPHS = PREFIXES + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_GROUPS = PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?x a kg:Group }"
ASK_TRUE = PREFIXES + 'ASK { ?p a schema:Person ; rdfs:label "Cecile Bossy" }'
ASK_FALSE = PREFIXES + 'ASK { ?p a schema:Person ; rdfs:label "Nobody" }'
CONSTRUCT = (
    PREFIXES + "CONSTRUCT { ?a schema:headline ?h } WHERE { ?a a schema:NewsArticle ; "
    "schema:headline ?h }"
)
DESCRIBE = f"DESCRIBE <{BOSSY}>"

ERROR_KEYS = {"ok", "error", "errors", "status"}
LINE_COLUMN = re.compile(r"\b\d+:\d+\b|line \d+.*column \d+", re.I)

RESULTS_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
RDF_TYPES = {  # media type → rdflib parser name
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


# -- servers -------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    store: EmbeddedStore
    http: httpx.Client


def sample_store_graphs() -> list[Graph]:
    """The two article graphs of sample.trig."""
    dataset = parse_dataset((DATA / "sample.trig").read_bytes(), "trig")
    return [g for g in dataset.graphs() if len(g)]


def sample_store() -> EmbeddedStore:
    """A fresh in-memory store holding the two article graphs of sample.trig."""
    store = EmbeddedStore(None)
    for graph in sample_store_graphs():
        store.put_graph(str(graph.identifier), graph)
    return store


def make_settings(**kwargs: Any) -> Settings:
    """Settings that ignore any KG_WRITE_TOKEN / KG_CORS_ORIGINS of the environment."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("KG_WRITE_TOKEN", raising=False)
        mp.delenv("KG_CORS_ORIGINS", raising=False)
        return Settings(store="unused", **kwargs)


def serve(**kwargs: Any) -> Iterator[Server]:
    store = sample_store()
    try:
        settings = make_settings(**kwargs)
        with (
            LiveServer(create_app(settings, store=store)) as live,
            httpx.Client(base_url=live.url, timeout=20) as http,
        ):
            del http.headers["accept"]  # no Accept unless a test sends one
            yield Server(live.url, store, http)
    finally:
        store.close()


@pytest.fixture(scope="module")
def ro(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """No write token: reads only. The production server itself: ``kg serve``
    (granian, two processes, each with the store read-only) on a disk copy."""
    folder = tmp_path_factory.mktemp("ro") / "store"
    disk = EmbeddedStore(folder)
    for graph in sample_store_graphs():
        disk.put_graph(str(graph.identifier), graph)
    disk.close()
    proc, url = start_kg_serve(
        str(folder), "--workers", "2", env={"KG_WRITE_TOKEN": "", "KG_CORS_ORIGINS": ""}
    )
    store = sample_store()
    try:
        with httpx.Client(base_url=url, timeout=20) as http:
            del http.headers["accept"]  # no Accept unless a test sends one
            yield Server(url, store, http)
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
        store.close()


@pytest.fixture(scope="module")
def rw() -> Iterator[Server]:
    """A write token configured: /update and /store writes with ``AUTH``."""
    yield from serve(write_token=TOKEN)


@pytest.fixture(scope="module")
def cors() -> Iterator[Server]:
    yield from serve(cors_origins=[ORIGIN])


# -- helpers -------------------------------------------------------------------------


def parse_dataset(data: str | bytes, fmt: str) -> Dataset:
    dataset = Dataset()
    with warnings.catch_warnings():  # rdflib's own deprecated internals
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=data, format=fmt)
    return dataset


def parse_rdf(data: str | bytes, fmt: str) -> Graph:
    """All triples of a graph or dataset serialisation, as one graph."""
    graph = Graph()
    for triple in parse_dataset(data, fmt).quads((None, None, None, None)):
        graph.add(triple[:3])
    return graph


def assert_isomorphic(got: Graph, expected: Graph) -> None:
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(
            to_isomorphic(got), to_isomorphic(expected)
        )
        pytest.fail(
            "graphs differ\nonly in the answer:\n"
            + only_got.serialize(format="nt")
            + "only expected:\n"
            + only_expected.serialize(format="nt")
        )


def sample_graph(name: str) -> Graph:
    """One article graph of sample.trig, as rdflib parsed it."""
    dataset = parse_dataset((DATA / "sample.trig").read_bytes(), "trig")
    graph = Graph()
    for triple in dataset.graph(URIRef(name)):
        graph.add(triple)
    return graph


def headers(accept: str | None = None, **extra: str) -> dict[str, str]:
    return ({"Accept": accept} if accept else {}) | extra


def get(
    http: httpx.Client,
    query: str,
    accept: str | None = None,
    params: dict[str, Any] | None = None,
) -> httpx.Response:
    """query_get: ``GET /sparql?query=``."""
    return http.get(
        "/sparql", params={"query": query, **(params or {})}, headers=headers(accept)
    )


def post_form(
    http: httpx.Client,
    query: str,
    accept: str | None = None,
    params: dict[str, Any] | None = None,
) -> httpx.Response:
    """query_post_form: ``POST /sparql`` with ``query=`` url-encoded in the body."""
    return http.post(
        "/sparql", data={"query": query, **(params or {})}, headers=headers(accept)
    )


def post_direct(
    http: httpx.Client,
    query: str | bytes,
    accept: str | None = None,
    params: dict[str, Any] | None = None,
    content_type: str = "application/sparql-query",
) -> httpx.Response:
    """query_post_direct: the query is the body; dataset parameters in the URL."""
    body = query.encode() if isinstance(query, str) else query
    return http.post(
        "/sparql",
        params=params,
        content=body,
        headers=headers(accept, **{"Content-Type": content_type}),
    )


Send = Callable[..., httpx.Response]
METHODS: dict[str, Send] = {"get": get, "form": post_form, "direct": post_direct}


def update_form(
    http: httpx.Client,
    update: str,
    params: dict[str, Any] | None = None,
    auth: dict[str, str] | None = AUTH,
) -> httpx.Response:
    """update_post_form: ``POST /update`` with ``update=`` url-encoded."""
    return http.post(
        "/update", data={"update": update, **(params or {})}, headers=auth or {}
    )


def update_direct(
    http: httpx.Client,
    update: str | bytes,
    params: dict[str, Any] | None = None,
    auth: dict[str, str] | None = AUTH,
    content_type: str = "application/sparql-update",
) -> httpx.Response:
    """update_post_direct: the update is the body; dataset parameters in the URL."""
    body = update.encode() if isinstance(update, str) else update
    return http.post(
        "/update",
        params=params,
        content=body,
        headers={"Content-Type": content_type, **(auth or {})},
    )


UPDATES: dict[str, Send] = {"form": update_form, "direct": update_direct}


def media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def rows(response: httpx.Response) -> list[dict[str, str]]:
    """SPARQL JSON bindings as ``{var: value}`` dicts."""
    assert response.status_code == 200, response.text
    assert media(response) == "application/sparql-results+json", response.headers
    return [
        {k: v["value"] for k, v in b.items()}
        for b in response.json()["results"]["bindings"]
    ]


def column(response: httpx.Response, var: str) -> list[str]:
    return [row[var] for row in rows(response)]


def count(response: httpx.Response) -> int:
    return int(column(response, "n")[0])


def assert_error(
    response: httpx.Response, status: int | set[int], *fragments: str
) -> dict[str, Any]:
    """The status and the one JSON error shape ``{"ok", "error", "errors", "status"}``."""
    allowed = {status} if isinstance(status, int) else status
    assert response.status_code in allowed, (response.status_code, response.text)
    assert media(response) == "application/json", response.headers
    body: dict[str, Any] = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["ok"] is False and body["status"] == response.status_code
    assert body["errors"] and body["error"] in body["errors"]
    assert body["error"].strip(), body
    for fragment in fragments:
        assert fragment.lower() in body["error"].lower(), body
    return body


def assert_written(response: httpx.Response) -> None:
    assert response.status_code in (200, 204), (response.status_code, response.text)


def graph_rows(http: httpx.Client, graph: str) -> list[dict[str, str]]:
    """Everything in one named graph, read through /sparql."""
    q = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o"
    return rows(get(http, q, "application/sparql-results+json"))


def quad_count(store: EmbeddedStore) -> int:
    q = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    return int(next(iter(store.query(q)))["n"].value)


# == query operation ===================================================================


@pytest.mark.parametrize("method", METHODS)
def test_query_by_get_form_and_direct_post(ro: Server, method: str) -> None:
    """query_get, query_post_form, query_post_direct."""
    r = METHODS[method](ro.http, ARTICLES, "application/sparql-results+json")
    assert column(r, "a") == [AFP, RTR]
    assert r.json()["head"]["vars"] == ["a"]


def test_direct_post_accepts_a_utf8_charset_parameter(ro: Server) -> None:
    q = PREFIXES + 'ASK { ?o rdfs:label "Médecins du Monde" }'
    r = post_direct(ro.http, q, content_type="application/sparql-query; charset=UTF-8")
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is True


def test_non_ascii_query_by_get_and_form(ro: Server) -> None:
    q = PREFIXES + 'ASK { ?o rdfs:label "Médecins du Monde" }'
    assert get(ro.http, q).json()["boolean"] is True
    assert post_form(ro.http, q).json()["boolean"] is True


def test_default_graph_is_the_set_union_of_the_article_graphs(ro: Server) -> None:
    assert count(get(ro.http, COUNT_ALL)) == UNION_SIZE
    assert count(get(ro.http, COUNT_GROUPS)) == 2  # in both graphs, counted once


# -- dataset: default-graph-uri / named-graph-uri -------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_default_graph_uri_sets_the_default_graph(ro: Server, method: str) -> None:
    """query_dataset_default_graph."""
    send = METHODS[method]
    assert column(
        send(ro.http, ARTICLES, params={"default-graph-uri": AFP_GRAPH}), "a"
    ) == [AFP]
    assert column(
        send(ro.http, ARTICLES, params={"default-graph-uri": RTR_GRAPH}), "a"
    ) == [RTR]


@pytest.mark.parametrize("method", METHODS)
def test_several_default_graph_uris_merge_into_the_default_graph(
    ro: Server, method: str
) -> None:
    """query_dataset_default_graphs_get / _post: the default graph is their RDF merge."""
    send = METHODS[method]
    both = {"default-graph-uri": [AFP_GRAPH, RTR_GRAPH]}
    assert column(send(ro.http, ARTICLES, params=both), "a") == [AFP, RTR]
    assert count(send(ro.http, COUNT_GROUPS, params=both)) == 2  # a set, not a bag
    assert count(send(ro.http, COUNT_ALL, params=both)) == UNION_SIZE


def test_default_graph_uri_of_an_unknown_graph_gives_an_empty_default_graph(
    ro: Server,
) -> None:
    r = get(ro.http, ARTICLES, params={"default-graph-uri": TEST_GRAPH + "nowhere"})
    assert column(r, "a") == []


@pytest.mark.parametrize("method", METHODS)
def test_named_graph_uris_set_the_named_graphs(ro: Server, method: str) -> None:
    """query_dataset_named_graphs_get / _post."""
    send = METHODS[method]
    one = send(ro.http, IN_GRAPHS, params={"named-graph-uri": RTR_GRAPH})
    assert column(one, "g") == [RTR_GRAPH]
    both = {"named-graph-uri": [AFP_GRAPH, RTR_GRAPH]}
    assert column(send(ro.http, IN_GRAPHS, params=both), "g") == [AFP_GRAPH, RTR_GRAPH]


def test_without_a_dataset_graph_patterns_see_every_article_graph(ro: Server) -> None:
    assert column(get(ro.http, IN_GRAPHS), "g") == [AFP_GRAPH, RTR_GRAPH]


@pytest.mark.parametrize("method", METHODS)
def test_default_and_named_graph_uris_together(ro: Server, method: str) -> None:
    """query_dataset_full."""
    q = (
        PREFIXES + "SELECT ?a ?g ?b WHERE { ?a a schema:NewsArticle . "
        "GRAPH ?g { ?b a schema:NewsArticle } }"
    )
    params = {"default-graph-uri": AFP_GRAPH, "named-graph-uri": RTR_GRAPH}
    assert rows(METHODS[method](ro.http, q, params=params)) == [
        {"a": AFP, "g": RTR_GRAPH, "b": RTR}
    ]


def test_from_and_from_named_in_the_query_are_honoured(ro: Server) -> None:
    q = PREFIXES + f"SELECT ?a FROM <{RTR_GRAPH}> WHERE {{ ?a a schema:NewsArticle }}"
    assert column(get(ro.http, q), "a") == [RTR]
    q = (
        f"SELECT DISTINCT ?g FROM NAMED <{AFP_GRAPH}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    assert column(get(ro.http, q), "g") == [AFP_GRAPH]


@pytest.mark.parametrize("method", METHODS)
def test_protocol_dataset_overrides_from_in_the_query(ro: Server, method: str) -> None:
    """query_multiple_dataset: default-graph-uri wins over FROM."""
    q = PREFIXES + f"SELECT ?a FROM <{RTR_GRAPH}> WHERE {{ ?a a schema:NewsArticle }}"
    r = METHODS[method](ro.http, q, params={"default-graph-uri": AFP_GRAPH})
    assert column(r, "a") == [AFP]


@pytest.mark.parametrize("method", METHODS)
def test_protocol_dataset_overrides_from_named_in_the_query(
    ro: Server, method: str
) -> None:
    q = (
        f"SELECT DISTINCT ?g FROM NAMED <{AFP_GRAPH}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    r = METHODS[method](ro.http, q, params={"named-graph-uri": RTR_GRAPH})
    assert column(r, "g") == [RTR_GRAPH]


# -- result formats -------------------------------------------------------------------


def headlines_from_json(r: httpx.Response) -> list[list[str]]:
    return [[row["a"], row["h"]] for row in rows(r)]


def headlines_from_xml(r: httpx.Response) -> list[list[str]]:
    ns = {"r": SPARQL_RESULTS}
    root = ET.fromstring(r.content)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["a", "h"]
    return [
        [
            result.findtext("r:binding[@name='a']/r:uri", namespaces=ns) or "",
            result.findtext("r:binding[@name='h']/r:literal", namespaces=ns) or "",
        ]
        for result in root.findall("r:results/r:result", ns)
    ]


def headlines_from_csv(r: httpx.Response) -> list[list[str]]:
    table = list(csv.reader(io.StringIO(r.text)))
    assert table[0] == ["a", "h"]
    return table[1:]


def headlines_from_tsv(r: httpx.Response) -> list[list[str]]:
    lines = [line for line in r.text.splitlines() if line]
    assert lines[0].split("\t") == ["?a", "?h"]
    table = [line.split("\t") for line in lines[1:]]
    for row in table:  # TSV cells are RDF terms: <iri>, "literal"
        assert row[0].startswith("<") and row[0].endswith(">"), row
        assert row[1].startswith('"') and row[1].endswith('"'), row
    # the second headline's quotes are escaped inside the TSV literal
    return [
        [a[1:-1], h[1:-1].replace('\\"', '"').replace("\\\\", "\\")] for a, h in table
    ]


@pytest.mark.parametrize(
    ("accept", "parse"),
    [
        ("application/sparql-results+json", headlines_from_json),
        ("application/sparql-results+xml", headlines_from_xml),
        ("text/csv", headlines_from_csv),
        ("text/tab-separated-values", headlines_from_tsv),
    ],
)
@pytest.mark.parametrize("method", METHODS)
def test_select_in_every_results_format(
    ro: Server,
    method: str,
    accept: str,
    parse: Callable[[httpx.Response], list[list[str]]],
) -> None:
    """query_content_type_select."""
    r = METHODS[method](ro.http, HEADLINES, accept)
    assert r.status_code == 200, r.text
    assert media(r) == accept
    assert parse(r) == [[AFP, AFP_HEADLINE], [RTR, RTR_HEADLINE]]


def boolean_of(r: httpx.Response) -> bool:
    kind = media(r)
    if kind == "application/sparql-results+json":
        value = r.json()["boolean"]
        assert isinstance(value, bool)
        return value
    if kind == "application/sparql-results+xml":
        text = ET.fromstring(r.content).findtext(f"{{{SPARQL_RESULTS}}}boolean")
        assert text in ("true", "false"), r.text
        return text == "true"
    last = [line for line in r.text.splitlines() if line.strip()][-1].strip().lower()
    assert last in ("true", "false"), r.text
    return last == "true"


@pytest.mark.parametrize("accept", RESULTS_TYPES)
@pytest.mark.parametrize("method", METHODS)
def test_ask_in_every_results_format(ro: Server, method: str, accept: str) -> None:
    """query_content_type_ask."""
    send = METHODS[method]
    yes, no = send(ro.http, ASK_TRUE, accept), send(ro.http, ASK_FALSE, accept)
    for r in (yes, no):
        assert r.status_code == 200, r.text
        assert media(r) == accept
    assert boolean_of(yes) is True and boolean_of(no) is False


def expected_headlines() -> Graph:
    graph = Graph()
    headline = URIRef(SCHEMA + "headline")
    graph.add((URIRef(AFP), headline, Literal(AFP_HEADLINE)))
    graph.add((URIRef(RTR), headline, Literal(RTR_HEADLINE)))
    return graph


@pytest.mark.parametrize("accept", RDF_TYPES)
@pytest.mark.parametrize("method", METHODS)
def test_construct_in_every_rdf_format(ro: Server, method: str, accept: str) -> None:
    """query_content_type_construct."""
    r = METHODS[method](ro.http, CONSTRUCT, accept)
    assert r.status_code == 200, r.text
    assert media(r) == accept
    assert_isomorphic(parse_rdf(r.content, RDF_TYPES[accept]), expected_headlines())


@pytest.mark.parametrize("accept", RDF_TYPES)
def test_describe_in_every_rdf_format(ro: Server, accept: str) -> None:
    """query_content_type_describe."""
    r = get(ro.http, DESCRIBE, accept)
    assert r.status_code == 200, r.text
    assert media(r) == accept
    graph = parse_rdf(r.content, RDF_TYPES[accept])
    bossy = URIRef(BOSSY)
    assert (bossy, RDF.type, URIRef(SCHEMA + "Person")) in graph
    assert set(graph.objects(bossy, RDFS.label)) == {Literal("Cecile Bossy")}
    assert set(graph.subjects()) == {bossy}


# a browser navigating to the endpoint (no application/xml: that would pick XML)
BROWSER_ACCEPT = "text/html,application/xhtml+xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize("accept", [None, "*/*", BROWSER_ACCEPT])
@pytest.mark.parametrize(
    ("query", "default"),
    [
        (HEADLINES, "application/sparql-results+json"),
        (ASK_TRUE, "application/sparql-results+json"),
        (CONSTRUCT, "text/turtle"),
        (DESCRIBE, "text/turtle"),
    ],
    ids=["select", "ask", "construct", "describe"],
)
def test_no_preference_gets_the_default_format(
    ro: Server, query: str, default: str, accept: str | None
) -> None:
    r = get(ro.http, query, accept)
    assert r.status_code == 200, r.text
    assert media(r) == default


@pytest.mark.parametrize(
    ("query", "accept", "chosen"),
    [
        (
            HEADLINES,
            "text/csv;q=0.5, application/sparql-results+xml;q=0.9",
            "application/sparql-results+xml",
        ),
        (
            HEADLINES,
            "application/sparql-results+json;q=0.1, text/tab-separated-values",
            "text/tab-separated-values",
        ),
        (HEADLINES, "text/turtle, text/csv;q=0.2", "text/csv"),
        (HEADLINES, "*/*;q=0.1, text/csv", "text/csv"),
        (
            HEADLINES,
            "application/sparql-results+xml;q=0, */*;q=0.1",
            "application/sparql-results+json",
        ),
        (HEADLINES, "Application/SPARQL-Results+XML", "application/sparql-results+xml"),
        (
            ASK_TRUE,
            "text/csv;q=0.9, application/sparql-results+xml",
            "application/sparql-results+xml",
        ),
        (
            CONSTRUCT,
            "application/rdf+xml;q=0.5, text/turtle;q=0.4",
            "application/rdf+xml",
        ),
        (
            CONSTRUCT,
            "application/sparql-results+json, application/n-triples;q=0.5",
            "application/n-triples",
        ),
        (
            CONSTRUCT,
            "text/turtle;q=0.1, application/ld+json;q=0.2, application/n-quads;q=0.3",
            "application/n-quads",
        ),
        (CONSTRUCT, "text/turtle; charset=utf-8", "text/turtle"),
        (DESCRIBE, "application/trig;q=1.0, text/turtle;q=0.99", "application/trig"),
    ],
)
def test_accept_quality_values_choose_the_format(
    ro: Server, query: str, accept: str, chosen: str
) -> None:
    """Content negotiation: the highest q among the types this query form can take."""
    r = get(ro.http, query, accept)
    assert r.status_code == 200, r.text
    assert media(r) == chosen
    assert "accept" in r.headers.get("vary", "").lower()


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (HEADLINES, "text/turtle"),
        (HEADLINES, "image/png"),
        (HEADLINES, "application/sparql-results+json;q=0"),
        (ASK_TRUE, "application/rdf+xml"),
        (CONSTRUCT, "application/sparql-results+json"),
        (CONSTRUCT, "text/csv, text/tab-separated-values"),
        (DESCRIBE, "application/sparql-results+xml"),
    ],
)
def test_only_unproducible_types_acceptable_is_406(
    ro: Server, query: str, accept: str
) -> None:
    """The message lists what this query form can be answered as."""
    offered = "text/turtle" if query in (CONSTRUCT, DESCRIBE) else RESULTS_TYPES[0]
    assert_error(get(ro.http, query, accept), 406, offered)
    assert_error(post_form(ro.http, query, accept), 406, offered)


# -- service description --------------------------------------------------------------


def test_get_without_a_query_describes_the_service(ro: Server) -> None:
    r = ro.http.get("/sparql")
    assert r.status_code == 200, r.text
    assert media(r) == "text/turtle"
    graph = parse_rdf(r.content, "turtle")
    services = set(graph.subjects(RDF.type, URIRef(SD + "Service")))
    assert services, r.text
    endpoint = URIRef(f"{ro.url}/sparql")
    assert any((s, URIRef(SD + "endpoint"), endpoint) in graph for s in services)


# == bad query requests ================================================================


@pytest.mark.parametrize("verb", ["PUT", "DELETE"])
def test_query_by_put_or_delete_is_405(ro: Server, verb: str) -> None:
    """bad_query_method."""
    r = ro.http.request(
        verb,
        "/sparql",
        params={"query": ARTICLES},
        content=ARTICLES.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert_error(r, 405)
    allow = {m.strip().upper() for m in r.headers.get("allow", "").split(",")}
    assert {"GET", "POST"} <= allow, r.headers


def test_several_query_parameters_are_400(ro: Server) -> None:
    """bad_multiple_queries: by GET and by form."""
    two = [ARTICLES, ASK_TRUE]
    assert_error(ro.http.get("/sparql", params={"query": two}), 400, "query")
    assert_error(ro.http.post("/sparql", data={"query": two}), 400, "query")


def test_query_in_both_url_and_form_body_is_400(ro: Server) -> None:
    r = ro.http.post("/sparql", params={"query": ASK_TRUE}, data={"query": ARTICLES})
    assert_error(r, 400, "query")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/json", "application/sparql-results+json"],
)
def test_post_with_a_wrong_media_type_is_415(ro: Server, content_type: str) -> None:
    """bad_query_wrong_media_type."""
    r = post_direct(ro.http, ARTICLES, content_type=content_type)
    assert_error(r, 415, "Content-Type")


@pytest.mark.parametrize(
    "body", [b"query=ASK%20%7B%7D", ASK_TRUE.encode()], ids=["form", "direct"]
)
def test_post_without_a_media_type_is_rejected(ro: Server, body: bytes) -> None:
    """bad_query_missing_form_type, bad_query_missing_direct_type."""
    request = ro.http.build_request("POST", "/sparql", content=body)
    request.headers.pop("content-type", None)  # httpx sets none for bytes
    assert "content-type" not in request.headers
    assert_error(ro.http.send(request), {400, 415}, "Content-Type")


def test_direct_post_that_is_not_utf8_is_400(ro: Server) -> None:
    """bad_query_non_utf8: Latin-1 bytes; decoded leniently they would be a valid query."""
    q = PREFIXES + 'ASK { ?o rdfs:label "Médecins du Monde" }'
    r = post_direct(ro.http, q.encode("latin-1"))
    assert_error(r, 400, "UTF-8")


def test_direct_post_declared_utf16_is_rejected(ro: Server) -> None:
    """bad_query_non_utf8 as the manifest sends it: charset=UTF-16."""
    r = post_direct(
        ro.http,
        ASK_TRUE.encode("utf-16"),
        content_type="application/sparql-query; charset=UTF-16",
    )
    assert_error(r, {400, 415}, "UTF-8")


def test_form_value_that_is_not_utf8_is_400(ro: Server) -> None:
    # "Médecins" with é percent-encoded as Latin-1 (%E9), not UTF-8 (%C3%A9)
    q = PREFIXES + 'ASK { ?o rdfs:label "M%E9decins du Monde" }'
    body = "query=" + re.sub(
        r"[^A-Za-z0-9%._~-]", lambda m: f"%{ord(m.group()):02X}", q
    )
    r = ro.http.post(
        "/sparql",
        content=body.encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(r, 400, "UTF-8")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("query", "where"),
    [("ASK {", None), ("SELECT ?s WHERE {\n  ?s ?p }", "2:")],
    ids=["unclosed", "second-line"],
)
def test_malformed_query_is_400_with_line_and_column(
    ro: Server, method: str, query: str, where: str | None
) -> None:
    """bad_query_syntax."""
    body = assert_error(METHODS[method](ro.http, query), 400)
    assert LINE_COLUMN.search(body["error"]), body["error"]
    if where:
        assert where in body["error"], body["error"]


def test_post_without_a_query_is_400(ro: Server) -> None:
    assert_error(ro.http.post("/sparql", data={"other": "x"}), 400, "query")
    assert_error(post_direct(ro.http, b""), 400, "query")
    assert_error(post_direct(ro.http, b"  \n"), 400, "query")


UPDATE_TEXTS = [
    f'INSERT DATA {{ GRAPH <{TEST_GRAPH}via-query> {{ <https://x.example/s> <https://x.example/p> "o" }} }}',
    f"DROP GRAPH <{AFP_GRAPH}>",
    "CLEAR ALL",
    PREFIXES + "DELETE WHERE { ?a a schema:NewsArticle }",
]


@pytest.mark.parametrize("update", UPDATE_TEXTS)
def test_update_sent_to_the_query_endpoint_is_400(rw: Server, update: str) -> None:
    """An update in every query slot of /sparql, even with the write token."""
    before = quad_count(rw.store)
    for r in (
        rw.http.get("/sparql", params={"query": update}, headers=AUTH),
        rw.http.post("/sparql", data={"query": update}, headers=AUTH),
        post_direct(rw.http, update),
    ):
        assert_error(r, 400, "update")
    # an update-shaped body to /sparql: refused either as an update or as the wrong type
    assert_error(
        rw.http.post("/sparql", data={"update": update}, headers=AUTH), {400, 415}
    )
    assert_error(
        post_direct(rw.http, update, content_type="application/sparql-update"),
        {400, 415},
    )
    assert quad_count(rw.store) == before


# == update operation ==================================================================


def triple_in(graph: str, obj: str) -> str:
    return f'INSERT DATA {{ GRAPH <{graph}> {{ <https://x.example/s> <https://x.example/p> "{obj}" }} }}'


@pytest.mark.parametrize("method", UPDATES)
def test_update_inserts_data(rw: Server, method: str) -> None:
    """update_post_form, update_post_direct."""
    graph = TEST_GRAPH + f"update-{method}"
    assert_written(UPDATES[method](rw.http, triple_in(graph, method)))
    assert graph_rows(rw.http, graph) == [
        {"s": "https://x.example/s", "p": "https://x.example/p", "o": method}
    ]


def test_update_request_of_several_operations_runs_them_in_order(rw: Server) -> None:
    graph = TEST_GRAPH + "sequence"
    update = (
        triple_in(graph, "first")
        + " ;\n"
        + triple_in(graph, "second")
        + f' ;\nDELETE DATA {{ GRAPH <{graph}> {{ <https://x.example/s> <https://x.example/p> "first" }} }}'
    )
    assert_written(update_form(rw.http, update))
    assert [row["o"] for row in graph_rows(rw.http, graph)] == ["second"]


COPY_ARTICLES = (
    PREFIXES + "INSERT {{ GRAPH <{out}> {{ ?a a <https://x.example/Seen> }} }} "
    "WHERE {{ ?a a schema:NewsArticle }}"
)
COPY_NAMED = (
    PREFIXES + "INSERT {{ GRAPH <{out}> {{ ?a <https://x.example/in> ?g }} }} "
    "WHERE {{ GRAPH ?g {{ ?a a schema:NewsArticle }} }}"
)


@pytest.mark.parametrize("method", UPDATES)
def test_update_without_a_dataset_reads_the_union(rw: Server, method: str) -> None:
    out = TEST_GRAPH + f"union-{method}"
    assert_written(UPDATES[method](rw.http, COPY_ARTICLES.format(out=out)))
    assert sorted(row["s"] for row in graph_rows(rw.http, out)) == [AFP, RTR]


@pytest.mark.parametrize("method", UPDATES)
def test_using_graph_uri_sets_the_default_graph_of_where(
    rw: Server, method: str
) -> None:
    """update_dataset_default_graph."""
    out = TEST_GRAPH + f"using-{method}"
    r = UPDATES[method](
        rw.http, COPY_ARTICLES.format(out=out), params={"using-graph-uri": RTR_GRAPH}
    )
    assert_written(r)
    assert [row["s"] for row in graph_rows(rw.http, out)] == [RTR]


@pytest.mark.parametrize("method", UPDATES)
def test_several_using_graph_uris(rw: Server, method: str) -> None:
    """update_dataset_default_graphs."""
    out = TEST_GRAPH + f"usings-{method}"
    both = {"using-graph-uri": [AFP_GRAPH, RTR_GRAPH]}
    assert_written(UPDATES[method](rw.http, COPY_ARTICLES.format(out=out), params=both))
    assert sorted(row["s"] for row in graph_rows(rw.http, out)) == [AFP, RTR]


@pytest.mark.parametrize("method", UPDATES)
def test_using_named_graph_uri_sets_the_named_graphs_of_where(
    rw: Server, method: str
) -> None:
    """update_dataset_named_graphs."""
    out = TEST_GRAPH + f"using-named-{method}"
    r = UPDATES[method](
        rw.http, COPY_NAMED.format(out=out), params={"using-named-graph-uri": AFP_GRAPH}
    )
    assert_written(r)
    assert graph_rows(rw.http, out) == [
        {"s": AFP, "p": "https://x.example/in", "o": AFP_GRAPH}
    ]


@pytest.mark.parametrize("method", UPDATES)
def test_using_graph_uri_and_using_named_graph_uri_together(
    rw: Server, method: str
) -> None:
    """update_dataset_full."""
    out = TEST_GRAPH + f"using-full-{method}"
    update = (
        PREFIXES + f"INSERT {{ GRAPH <{out}> {{ ?a <https://x.example/sees> ?b }} }} "
        "WHERE { ?a a schema:NewsArticle . GRAPH ?g { ?b a schema:NewsArticle } }"
    )
    params = {"using-graph-uri": AFP_GRAPH, "using-named-graph-uri": RTR_GRAPH}
    assert_written(UPDATES[method](rw.http, update, params=params))
    assert graph_rows(rw.http, out) == [
        {"s": AFP, "p": "https://x.example/sees", "o": RTR}
    ]


@pytest.mark.parametrize(
    "clause",
    [f"USING <{AFP_GRAPH}>", f"USING NAMED <{AFP_GRAPH}>"],
    ids=["using", "using-named"],
)
def test_using_parameter_and_using_clause_together_is_400(
    rw: Server, clause: str
) -> None:
    """bad_update_dataset_conflict."""
    out = TEST_GRAPH + "conflict"
    update = (
        PREFIXES + f"INSERT {{ GRAPH <{out}> {{ ?a a <https://x.example/Seen> }} }} "
        f"{clause} WHERE {{ ?a a schema:NewsArticle }}"
    )
    r = update_form(rw.http, update, params={"using-graph-uri": RTR_GRAPH})
    assert_error(r, 400, "using")
    assert graph_rows(rw.http, out) == []


def test_using_parameter_and_with_clause_together_is_400(rw: Server) -> None:
    """bad_update_dataset_conflict, WITH form."""
    out = TEST_GRAPH + "conflict-with"
    update = (
        PREFIXES
        + f"WITH <{AFP_GRAPH}> INSERT {{ GRAPH <{out}> {{ ?a a <https://x.example/Seen> }} }} "
        "WHERE { ?a a schema:NewsArticle }"
    )
    r = update_form(rw.http, update, params={"using-named-graph-uri": RTR_GRAPH})
    assert_error(r, 400, "using")
    assert graph_rows(rw.http, out) == []


def test_relative_iris_in_an_update_resolve_against_a_service_base(rw: Server) -> None:
    """update_base_uri: the service picks an absolute base IRI."""
    graph = TEST_GRAPH + "base"
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <relative-subject> <https://x.example/p> "b" }} }}'
    assert_written(update_form(rw.http, update))
    (row,) = graph_rows(rw.http, graph)
    assert re.match(r"^[a-z][a-z0-9+.-]*:", row["s"]), row
    assert row["s"].endswith("relative-subject"), row


# -- bad update requests ----------------------------------------------------------------


def test_update_by_get_is_405(rw: Server) -> None:
    """bad_update_get."""
    graph = TEST_GRAPH + "by-get"
    r = rw.http.get("/update", params={"update": triple_in(graph, "x")}, headers=AUTH)
    assert_error(r, 405)
    assert "POST" in r.headers.get("allow", "").upper(), r.headers
    assert graph_rows(rw.http, graph) == []


@pytest.mark.parametrize("verb", ["PUT", "DELETE"])
def test_update_by_put_or_delete_is_405(rw: Server, verb: str) -> None:
    r = rw.http.request(
        verb,
        "/update",
        content=triple_in(TEST_GRAPH + "by-put", "x").encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert_error(r, 405)


def test_several_update_parameters_are_400(rw: Server) -> None:
    """bad_multiple_updates."""
    one, two = TEST_GRAPH + "multi-1", TEST_GRAPH + "multi-2"
    r = rw.http.post(
        "/update",
        data={"update": [triple_in(one, "1"), triple_in(two, "2")]},
        headers=AUTH,
    )
    assert_error(r, 400, "update")
    assert graph_rows(rw.http, one) == graph_rows(rw.http, two) == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/sparql-query", "application/json"]
)
def test_update_with_a_wrong_media_type_is_415(rw: Server, content_type: str) -> None:
    """bad_update_wrong_media_type."""
    graph = TEST_GRAPH + "wrong-type"
    r = update_direct(rw.http, triple_in(graph, "x"), content_type=content_type)
    assert_error(r, 415, "Content-Type")
    assert graph_rows(rw.http, graph) == []


def test_update_without_a_media_type_is_rejected(rw: Server) -> None:
    """bad_update_missing_form_type."""
    graph = TEST_GRAPH + "no-type"
    body = str(httpx.QueryParams({"update": triple_in(graph, "x")})).encode()
    request = rw.http.build_request("POST", "/update", content=body, headers=AUTH)
    request.headers.pop("content-type", None)  # httpx sets none for bytes
    assert_error(rw.http.send(request), {400, 415}, "Content-Type")
    assert graph_rows(rw.http, graph) == []


def test_update_that_is_not_utf8_is_400(rw: Server) -> None:
    """bad_update_non_utf8."""
    graph = TEST_GRAPH + "latin1"
    r = update_direct(rw.http, triple_in(graph, "café").encode("latin-1"))
    assert_error(r, 400, "UTF-8")
    assert graph_rows(rw.http, graph) == []


def test_update_declared_utf16_is_rejected(rw: Server) -> None:
    graph = TEST_GRAPH + "utf16"
    r = update_direct(
        rw.http,
        triple_in(graph, "x").encode("utf-16"),
        content_type="application/sparql-update; charset=UTF-16",
    )
    assert_error(r, {400, 415})
    assert graph_rows(rw.http, graph) == []


@pytest.mark.parametrize("method", UPDATES)
def test_malformed_update_is_400_with_line_and_column(rw: Server, method: str) -> None:
    """bad_update_syntax."""
    before = quad_count(rw.store)
    body = assert_error(
        UPDATES[method](
            rw.http, "INSERT DATA {\n  <https://x.example/a> <https://x.example/b> }"
        ),
        400,
    )
    assert LINE_COLUMN.search(body["error"]) and "2:" in body["error"], body["error"]
    assert quad_count(rw.store) == before


@pytest.mark.parametrize("query", [ARTICLES, ASK_TRUE, CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("method", UPDATES)
def test_query_sent_to_the_update_endpoint_is_400(
    rw: Server, method: str, query: str
) -> None:
    assert_error(UPDATES[method](rw.http, query), 400, "query")


def test_post_without_an_update_is_400(rw: Server) -> None:
    assert_error(
        rw.http.post("/update", data={"other": "x"}, headers=AUTH), 400, "update"
    )
    assert_error(update_direct(rw.http, b""), 400, "update")


# -- who may write --------------------------------------------------------------------


def test_updates_are_off_without_a_configured_token(ro: Server) -> None:
    before = quad_count(ro.store)
    graph = TEST_GRAPH + "no-token"
    for auth in (None, AUTH):
        assert_error(update_form(ro.http, triple_in(graph, "x"), auth=auth), 403)
        assert_error(update_direct(ro.http, triple_in(graph, "x"), auth=auth), 403)
    assert_error(update_form(ro.http, f"DROP GRAPH <{AFP_GRAPH}>"), 403)
    assert quad_count(ro.store) == before


@pytest.mark.parametrize("method", UPDATES)
def test_update_without_credentials_is_401_with_a_bearer_challenge(
    rw: Server, method: str
) -> None:
    graph = TEST_GRAPH + f"anonymous-{method}"
    r = UPDATES[method](rw.http, triple_in(graph, "x"), auth=None)
    assert_error(r, 401)
    assert r.headers.get("www-authenticate", "").lower().startswith("bearer"), r.headers
    assert graph_rows(rw.http, graph) == []


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer wrong-token",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        "Bearer",
        f"Basic {TOKEN}",
        TOKEN,
    ],
)
def test_update_with_wrong_credentials_is_refused(
    rw: Server, authorization: str
) -> None:
    graph = TEST_GRAPH + "wrong-token"
    r = update_form(
        rw.http, triple_in(graph, "x"), auth={"Authorization": authorization}
    )
    assert_error(r, {401, 403})
    assert graph_rows(rw.http, graph) == []


def test_bearer_scheme_is_case_insensitive(rw: Server) -> None:
    graph = TEST_GRAPH + "bearer-case"
    r = update_form(
        rw.http, triple_in(graph, "x"), auth={"Authorization": f"bearer {TOKEN}"}
    )
    assert_written(r)
    assert len(graph_rows(rw.http, graph)) == 1


def test_write_token_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KG_WRITE_TOKEN", "from-env")
    assert Settings(store="unused").write_token == "from-env"


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <file:///etc/passwd>",
        f"LOAD <file:///etc/passwd> INTO GRAPH <{TEST_GRAPH}passwd>",
        f"LOAD SILENT <file:///etc/passwd> INTO GRAPH <{TEST_GRAPH}passwd>",
        "LOAD <file:///etc/hostname>",
    ],
)
def test_load_of_a_local_file_is_refused_and_loads_nothing(
    rw: Server, update: str
) -> None:
    before = quad_count(rw.store)
    r = update_form(rw.http, update)
    if "SILENT" not in update:
        source = re.search(r"<(file:[^>]*)>", update)
        assert source
        assert_error(r, {400, 403}, "LOAD", source.group(1))  # names what it refused
    assert quad_count(rw.store) == before
    assert graph_rows(rw.http, TEST_GRAPH + "passwd") == []
    leak = 'ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } FILTER(CONTAINS(STR(?s), "root") || CONTAINS(STR(?o), "root:")) }'
    assert get(rw.http, leak).json()["boolean"] is False


# == Graph Store Protocol: /store ======================================================


def gsp(
    http: httpx.Client,
    verb: str,
    graph: str | None,
    body: str | bytes | None = None,
    content_type: str = "text/turtle",
    accept: str | None = None,
    auth: dict[str, str] | None = AUTH,
) -> httpx.Response:
    """One Graph Store Protocol request on ``?graph=IRI`` (``None``: ``?default``)."""
    params = {"graph": graph} if graph else {"default": ""}
    extra = dict(auth or {})
    if body is not None:
        extra["Content-Type"] = content_type
    if accept:
        extra["Accept"] = accept
    content = body.encode() if isinstance(body, str) else body
    return http.request(verb, "/store", params=params, content=content, headers=extra)


def turtle(*objects: str) -> str:
    return "".join(
        f'<https://x.example/s> <https://x.example/p> "{o}" .\n' for o in objects
    )


def objects_in(http: httpx.Client, graph: str) -> list[str]:
    r = gsp(http, "GET", graph, accept="application/n-triples")
    assert r.status_code == 200, r.text
    return sorted(str(o) for o in parse_rdf(r.content, "nt").objects())


def test_gsp_get_returns_the_named_graph(ro: Server) -> None:
    r = gsp(ro.http, "GET", AFP_GRAPH, auth=None)
    assert r.status_code == 200, r.text
    assert media(r) == "text/turtle"
    assert_isomorphic(parse_rdf(r.content, "turtle"), sample_graph(AFP_GRAPH))


@pytest.mark.parametrize(
    "accept",
    [
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
        "text/turtle",
    ],
)
def test_gsp_get_follows_accept(ro: Server, accept: str) -> None:
    r = gsp(ro.http, "GET", RTR_GRAPH, accept=accept, auth=None)
    assert r.status_code == 200, r.text
    assert media(r) == accept
    graph = parse_rdf(r.content, RDF_TYPES[accept])
    assert len(graph) == GRAPH_SIZE
    assert (URIRef(RTR), RDF.type, URIRef(SCHEMA + "NewsArticle")) in graph


def test_gsp_get_default_is_the_union(ro: Server) -> None:
    r = gsp(ro.http, "GET", None, auth=None)
    assert r.status_code == 200, r.text
    graph = parse_rdf(r.content, "turtle")
    assert len(graph) == UNION_SIZE
    assert {URIRef(AFP), URIRef(RTR)} == set(
        graph.subjects(RDF.type, URIRef(SCHEMA + "NewsArticle"))
    )


def test_gsp_get_of_a_missing_graph_is_404(ro: Server) -> None:
    missing = TEST_GRAPH + "missing"
    assert_error(gsp(ro.http, "GET", missing, auth=None), 404, missing)


def test_gsp_head_answers_like_get_without_a_body(ro: Server) -> None:
    r = gsp(ro.http, "HEAD", AFP_GRAPH, auth=None)
    assert r.status_code == 200
    assert media(r) == "text/turtle"
    assert r.content == b""
    assert gsp(ro.http, "HEAD", TEST_GRAPH + "missing", auth=None).status_code == 404


def test_gsp_put_creates_then_replaces(rw: Server) -> None:
    graph = TEST_GRAPH + "gsp-put"
    created = gsp(rw.http, "PUT", graph, turtle("a", "b"))
    assert created.status_code == 201, created.text
    assert objects_in(rw.http, graph) == ["a", "b"]
    replaced = gsp(rw.http, "PUT", graph, turtle("c"))
    assert replaced.status_code == 204, replaced.text
    assert objects_in(rw.http, graph) == ["c"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/n-triples", turtle("nt")),
        (
            "application/rdf+xml",
            Graph().parse(data=turtle("xml"), format="turtle").serialize(format="xml"),
        ),
        (
            "application/ld+json",
            Graph()
            .parse(data=turtle("jsonld"), format="turtle")
            .serialize(format="json-ld"),
        ),
    ],
)
def test_gsp_put_reads_other_rdf_formats(
    rw: Server, content_type: str, body: str
) -> None:
    graph = TEST_GRAPH + "gsp-format-" + content_type.split("/")[1]
    r = gsp(rw.http, "PUT", graph, body, content_type=content_type)
    assert r.status_code == 201, r.text
    assert len(objects_in(rw.http, graph)) == 1


def test_gsp_post_merges_into_the_graph(rw: Server) -> None:
    graph = TEST_GRAPH + "gsp-post"
    first = gsp(rw.http, "POST", graph, turtle("a"))
    assert first.status_code in (200, 201, 204), first.text
    second = gsp(rw.http, "POST", graph, turtle("b", "a"))
    assert second.status_code in (200, 204), second.text
    assert objects_in(rw.http, graph) == ["a", "b"]


def test_gsp_delete_removes_the_graph(rw: Server) -> None:
    graph = TEST_GRAPH + "gsp-delete"
    assert gsp(rw.http, "PUT", graph, turtle("a")).status_code == 201
    deleted = gsp(rw.http, "DELETE", graph)
    assert deleted.status_code == 204, deleted.text
    assert_error(gsp(rw.http, "GET", graph), 404)
    assert_error(gsp(rw.http, "DELETE", graph), 404)


def test_gsp_graphs_take_part_in_the_union_default_graph(rw: Server) -> None:
    graph = TEST_GRAPH + "gsp-union"
    ask = 'ASK { <https://x.example/s> <https://x.example/p> "in-union" }'
    assert gsp(rw.http, "PUT", graph, turtle("in-union")).status_code == 201
    assert get(rw.http, ask).json()["boolean"] is True
    assert gsp(rw.http, "DELETE", graph).status_code == 204
    assert get(rw.http, ask).json()["boolean"] is False


def test_gsp_put_of_malformed_turtle_is_400_and_keeps_the_graph(rw: Server) -> None:
    graph = TEST_GRAPH + "gsp-malformed"
    assert gsp(rw.http, "PUT", graph, turtle("kept")).status_code == 201
    assert_error(
        gsp(rw.http, "PUT", graph, "<https://x.example/s> <https://x.example/p> ."), 400
    )
    assert objects_in(rw.http, graph) == ["kept"]


@pytest.mark.parametrize("verb", ["PUT", "POST", "DELETE"])
def test_gsp_writes_need_the_token(rw: Server, verb: str) -> None:
    body = None if verb == "DELETE" else turtle("intruder")
    anonymous = gsp(rw.http, verb, AFP_GRAPH, body, auth=None)
    assert_error(anonymous, 401)
    assert anonymous.headers.get("www-authenticate", "").lower().startswith("bearer")
    wrong = gsp(rw.http, verb, AFP_GRAPH, body, auth={"Authorization": "Bearer nope"})
    assert_error(wrong, {401, 403})
    r = gsp(rw.http, "GET", AFP_GRAPH, accept="application/n-triples", auth=None)
    assert_isomorphic(parse_rdf(r.content, "nt"), sample_graph(AFP_GRAPH))


@pytest.mark.parametrize("verb", ["PUT", "POST", "DELETE"])
def test_gsp_writes_are_off_without_a_configured_token(ro: Server, verb: str) -> None:
    before = quad_count(ro.store)
    body = None if verb == "DELETE" else turtle("intruder")
    assert_error(gsp(ro.http, verb, AFP_GRAPH, body), 403)
    assert_error(gsp(ro.http, verb, AFP_GRAPH, body, auth=None), 403)
    assert quad_count(ro.store) == before


# == CORS ==============================================================================


def test_cors_is_off_by_default(ro: Server) -> None:
    r = ro.http.get("/sparql", params={"query": ASK_TRUE}, headers={"Origin": ORIGIN})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    preflight = ro.http.options(
        "/sparql",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_a_configured_origin(cors: Server) -> None:
    r = cors.http.get("/sparql", params={"query": ASK_TRUE}, headers={"Origin": ORIGIN})
    assert r.status_code == 200
    assert r.headers.get("access-control-allow-origin") == ORIGIN
    preflight = cors.http.options(
        "/sparql",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers.get("access-control-allow-origin") == ORIGIN
    assert "POST" in preflight.headers.get("access-control-allow-methods", "")


def test_cors_refuses_other_origins(cors: Server) -> None:
    evil = "https://evil.example"
    r = cors.http.get("/sparql", params={"query": ASK_TRUE}, headers={"Origin": evil})
    assert r.headers.get("access-control-allow-origin") not in (evil, "*")


# == SPARQLWrapper: a real client ======================================================


def wrapper(url: str, query: str, fmt: str, *, post: bool = False) -> Any:
    from SPARQLWrapper import POST, SPARQLWrapper

    client = SPARQLWrapper(f"{url}/sparql")
    client.setOnlyConneg(True)  # content negotiation only, no format= parameter
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if post:
        client.setMethod(POST)
    return client.query().convert()


@pytest.mark.parametrize("post", [False, True], ids=["get", "post"])
def test_sparqlwrapper_json(ro: Server, post: bool) -> None:
    result = wrapper(ro.url, HEADLINES, "json", post=post)
    assert [
        (b["a"]["value"], b["h"]["value"]) for b in result["results"]["bindings"]
    ] == [(AFP, AFP_HEADLINE), (RTR, RTR_HEADLINE)]
    assert wrapper(ro.url, ASK_FALSE, "json", post=post)["boolean"] is False


def test_sparqlwrapper_xml(ro: Server) -> None:
    doc = wrapper(ro.url, HEADLINES, "xml")
    literals = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert literals == [AFP_HEADLINE, RTR_HEADLINE]


@pytest.mark.parametrize(("fmt", "header"), [("csv", "a,h"), ("tsv", "?a\t?h")])
def test_sparqlwrapper_csv_and_tsv(ro: Server, fmt: str, header: str) -> None:
    lines = [
        line for line in wrapper(ro.url, HEADLINES, fmt).decode().splitlines() if line
    ]
    assert lines[0] == header and len(lines) == 3
    assert AFP in lines[1] and RTR in lines[2]


@pytest.mark.parametrize("fmt", ["turtle", "xml"])
def test_sparqlwrapper_construct(ro: Server, fmt: str) -> None:
    graph = wrapper(ro.url, CONSTRUCT, fmt)
    if not isinstance(graph, Graph):
        graph = parse_rdf(graph, "turtle")
    assert_isomorphic(graph, expected_headlines())


def test_sparqlwrapper_update_with_a_bearer_token(rw: Server) -> None:
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import Unauthorized

    graph = TEST_GRAPH + "sparqlwrapper"
    client = SPARQLWrapper(f"{rw.url}/sparql", updateEndpoint=f"{rw.url}/update")
    client.setMethod(POST)
    client.setQuery(triple_in(graph, "wrapped"))
    with pytest.raises(Unauthorized):
        client.query()
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.query()
    assert [row["o"] for row in graph_rows(rw.http, graph)] == ["wrapped"]


def test_sparqlwrapper_bad_query_is_query_bad_formed(ro: Server) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed):
        wrapper(ro.url, "SELECT ?x WHERE { ?x", "json")
