"""API tests: in process over tests/data/sample.trig (fast), then a real server with
SPARQLWrapper (a real client) over the sample store and over the seeded store (slow)."""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from tests.conftest import LiveServer

with warnings.catch_warnings():  # starlette warns that httpx should become httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.main import create_app
from kg.analytics import count_items, neighbourhood, to_networkx
from kg.config import Settings
from kg.store import EmbeddedStore

DATA = Path(__file__).parent / "data"
ID = "https://kg.example/id/"
BOSSY = ID + "person/cecile-bossy"
MDM = ID + "organization/medecins-du-monde"
AFP_GRAPH = "https://kg.example/graph/afp-001"
RTR_GRAPH = "https://kg.example/graph/rtr-002"
PEOPLE = "SELECT DISTINCT ?p ?name WHERE { ?p a schema:Person ; rdfs:label ?name }"
ASK = "ASK { ?p a schema:Person }"
CONSTRUCT = (
    "CONSTRUCT { ?p rdfs:label ?name } WHERE { ?p a schema:Person ; rdfs:label ?name }"
)
ERROR_KEYS = {"ok", "error", "errors", "status"}
_CDN_TAG = re.compile(
    r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I
)


def parse_dataset(data: str | bytes, fmt: str) -> Dataset:
    """rdflib 7.6's Dataset (and JSON-LD) parsing warns about its own deprecated
    internals (ConjunctiveGraph, default_context): not ours to fix."""
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=data, format=fmt)
    return dataset


def parse_graph(data: str | bytes, fmt: str) -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=data, format=fmt)


def load_sample(store: EmbeddedStore) -> EmbeddedStore:
    dataset = parse_dataset((DATA / "sample.trig").read_text(), "trig")
    for graph in dataset.graphs():
        if len(graph):
            store.put_graph(str(graph.identifier), graph)
    return store


@pytest.fixture(scope="module")
def sample_store() -> Iterator[EmbeddedStore]:
    store = load_sample(EmbeddedStore(None))
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(sample_store: EmbeddedStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store="unused"), store=sample_store)) as c:
        yield c


def sparql(
    client: TestClient, query: str, accept: str | None = None, **params: Any
) -> Any:
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


def assert_error(response: Any, status: int, *fragments: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["ok"] is False and body["status"] == status
    assert body["errors"] and body["error"] in body["errors"]
    for fragment in fragments:
        assert fragment in body["error"]
    return body


def page_data(html: str, name: str) -> list[dict[str, Any]]:
    """The nodes or edges embedded in the graph page (its ``kg-view`` JSON)."""
    match = re.search(
        r'<script type="application/json" id="kg-view">(.*?)</script>', html, re.S
    )
    assert match, "no kg-view data in the page"
    view = json.loads(match.group(1))  # rows: see kg/viz/view.py compact()
    nodes = [
        dict(zip(view["fields"]["node"], row, strict=True)) for row in view["nodes"]
    ]
    if name == "node":
        return nodes
    return [
        {
            "from": nodes[f]["id"],
            "to": nodes[t]["id"],
            "predicate": view["predicates"][p][0],
            "label": view["predicates"][p][1],
            "count": count,
        }
        for f, t, p, count, _, _ in view["edges"]
    ]


# -- SPARQL: result formats -------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "application/sparql-results+json",
        "application/json",
        "*/*",
        "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
    ],
)
def test_select_answers_sparql_json_by_default(
    client: TestClient, accept: str | None
) -> None:
    r = sparql(client, PEOPLE, accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/sparql-results+json"
    body = r.json()
    assert body["head"]["vars"] == ["p", "name"]
    assert [b["name"]["value"] for b in body["results"]["bindings"]] == ["Cecile Bossy"]


def test_select_answers_xml(client: TestClient) -> None:
    r = sparql(client, PEOPLE, "application/sparql-results+xml")
    assert r.headers["content-type"] == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(r.content)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == [
        "p",
        "name",
    ]
    assert root.find(".//r:binding[@name='name']/r:literal", ns).text == "Cecile Bossy"


@pytest.mark.parametrize(
    ("accept", "delimiter", "header"),
    [
        ("text/csv", ",", ["p", "name"]),
        ("text/tab-separated-values", "\t", ["?p", "?name"]),
    ],
)
def test_select_answers_csv_and_tsv(
    client: TestClient, accept: str, delimiter: str, header: list[str]
) -> None:
    r = sparql(client, PEOPLE, accept)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    rows = list(csv.reader(io.StringIO(r.text), delimiter=delimiter))
    assert rows[0] == header
    assert len(rows) == 2 and "Cecile Bossy" in rows[1][1]


def test_accept_quality_values_pick_the_preferred_format(client: TestClient) -> None:
    r = sparql(client, PEOPLE, "text/csv;q=0.5, application/sparql-results+xml;q=0.9")
    assert r.headers["content-type"] == "application/sparql-results+xml"


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    r = sparql(client, PEOPLE, "application/sparql-results+json", format="csv")
    assert r.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize(
    ("accept", "check"),
    [
        ("application/sparql-results+json", lambda r: r.json()["boolean"] is True),
        (
            "application/sparql-results+xml",
            lambda r: b"<boolean>true</boolean>" in r.content,
        ),
        ("text/csv", lambda r: "true" in r.text),
        ("text/tab-separated-values", lambda r: "true" in r.text),
    ],
)
def test_ask_answers_every_results_format(
    client: TestClient, accept: str, check: Any
) -> None:
    r = sparql(client, ASK, accept)
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert check(r)


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
    ],
)
def test_construct_answers_rdf_that_parses_back(
    client: TestClient, accept: str | None, media: str, rdflib_format: str
) -> None:
    r = sparql(client, CONSTRUCT, accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    graph = parse_graph(r.content, rdflib_format)
    assert {str(o) for o in graph.objects(URIRef(BOSSY))} == {"Cecile Bossy"}


def test_describe_answers_turtle(client: TestClient) -> None:
    r = sparql(client, f"DESCRIBE <{BOSSY}>")
    assert r.headers["content-type"].startswith("text/turtle")
    graph = parse_graph(r.text, "turtle")
    assert (URIRef(BOSSY), RDF.type, URIRef("http://schema.org/Person")) in graph


# -- SPARQL: protocol -------------------------------------------------------------


def test_get_post_form_and_post_body_give_the_same_answer(client: TestClient) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = sparql(client, PEOPLE).json()
    by_form = client.post("/sparql", data={"query": PEOPLE}, headers=accept).json()
    by_body = client.post(
        "/sparql",
        content=PEOPLE.encode(),
        headers={**accept, "Content-Type": "application/sparql-query; charset=utf-8"},
    ).json()
    assert by_get == by_form == by_body
    assert by_get["results"]["bindings"]


def test_default_graph_uri_restricts_the_default_graph(client: TestClient) -> None:
    q = "SELECT ?a WHERE { ?a a schema:NewsArticle }"
    everything = sparql(client, q).json()["results"]["bindings"]
    only_afp = sparql(client, q, **{"default-graph-uri": AFP_GRAPH}).json()
    assert len(everything) == 2
    assert [b["a"]["value"] for b in only_afp["results"]["bindings"]] == [
        ID + "article/afp-001"
    ]
    form = client.post(
        "/sparql", data={"query": q, "default-graph-uri": RTR_GRAPH}
    ).json()
    assert [b["a"]["value"] for b in form["results"]["bindings"]] == [
        ID + "article/rtr-002"
    ]


def test_named_graph_uri_limits_graph_patterns(client: TestClient) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = sparql(client, q, **{"named-graph-uri": RTR_GRAPH})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [RTR_GRAPH]


def test_get_without_query_describes_the_service(client: TestClient) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    graph = parse_graph(r.text, "turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    service = URIRef("http://testserver/sparql")
    assert (service, RDF.type, URIRef(sd + "Service")) in graph
    assert (service, URIRef(sd + "endpoint"), service) in graph
    formats = {str(o) for o in graph.objects(service, URIRef(sd + "resultFormat"))}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats


# -- SPARQL: errors and read-only ---------------------------------------------------


def test_malformed_query_is_400_with_the_parser_message(client: TestClient) -> None:
    body = assert_error(
        sparql(client, "SELECT ?s WHERE { ?s ?p }"), 400, "malformed SPARQL query", "1:"
    )
    assert re.search(r"\d+:\d+", body["error"]), body


def test_malformed_query_by_post_is_400_too(client: TestClient) -> None:
    assert_error(client.post("/sparql", data={"query": "SELEKT *"}), 400, "malformed")
    assert_error(
        client.post(
            "/sparql",
            content=b"ASK {",
            headers={"Content-Type": "application/sparql-query"},
        ),
        400,
        "malformed",
    )


def test_post_without_query_is_400(client: TestClient) -> None:
    assert_error(
        client.post("/sparql", data={"other": "x"}), 400, "missing SPARQL query"
    )


def test_post_with_unknown_content_type_is_415(client: TestClient) -> None:
    assert_error(
        client.post(
            "/sparql", content=b"{}", headers={"Content-Type": "application/json"}
        ),
        415,
        "Content-Type",
    )


UPDATES = [
    "INSERT DATA { <https://x.example/a> <https://x.example/b> 1 }",
    "PREFIX ex: <https://x.example/>\nDELETE WHERE { ?s ?p ?o }",
    "# comment\nDROP ALL",
    "CLEAR DEFAULT",
    "LOAD <https://x.example/data.ttl>",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_rejected_and_change_nothing(
    client: TestClient, sample_store: EmbeddedStore, update: str
) -> None:
    before = len(sample_store)
    assert_error(sparql(client, update), 400, "read-only")
    assert_error(client.post("/sparql", data={"query": update}), 400, "read-only")
    assert_error(client.post("/sparql", data={"update": update}), 400, "read-only")
    assert_error(
        client.post(
            "/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        400,
        "read-only",
    )
    assert len(sample_store) == before


def test_keywords_inside_strings_and_iris_are_not_taken_for_updates(
    client: TestClient,
) -> None:
    q = (
        'SELECT ?s WHERE { ?s ?p "INSERT DATA SERVICE" . '
        "FILTER(?s != <https://x.example/DROP/SERVICE>) }"
    )
    assert sparql(client, q).status_code == 200


def test_service_is_rejected(client: TestClient) -> None:
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    assert_error(sparql(client, q), 400, "SERVICE")


def test_error_shape_is_pinned_for_not_found(client: TestClient) -> None:
    r = client.get("/graph", params={"entity": ID + "person/nobody"})
    assert r.json() == {
        "ok": False,
        "error": f"no entity with IRI <{ID}person/nobody> in the store",
        "errors": [f"no entity with IRI <{ID}person/nobody> in the store"],
        "status": 404,
    }


# -- exports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ext", "media", "rdflib_format", "is_dataset"),
    [
        ("ttl", "text/turtle", "turtle", False),
        ("trig", "application/trig", "trig", True),
        ("nq", "application/n-quads", "nquads", True),
        ("nt", "application/n-triples", "nt", False),
        ("jsonld", "application/ld+json", "json-ld", True),
        ("rdf", "application/rdf+xml", "xml", False),
    ],
)
def test_exports_parse_back_with_rdflib(
    client: TestClient,
    sample_store: EmbeddedStore,
    ext: str,
    media: str,
    rdflib_format: str,
    is_dataset: bool,
) -> None:
    r = client.get(f"/export.{ext}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert r.headers["content-disposition"] == f'attachment; filename="kg.{ext}"'
    if is_dataset:
        dataset = parse_dataset(r.content, rdflib_format)
        graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
        assert graphs == {AFP_GRAPH, RTR_GRAPH}
        quads = sample_store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        )
        assert sum(len(g) for g in dataset.graphs()) == int(next(quads)["n"].value)
    else:
        graph = parse_graph(r.content, rdflib_format)
        assert (URIRef(BOSSY), RDF.type, URIRef("http://schema.org/Person")) in graph


# -- graph page ---------------------------------------------------------------------


def test_graph_page_is_offline_html_with_vis_globals(client: TestClient) -> None:
    r = client.get("/graph")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert not _CDN_TAG.search(html), _CDN_TAG.search(html)
    assert "cdnjs" not in html and "jsdelivr" not in html
    assert "/vislib/vis-9.1.2/" in html and "/static/explorer/graph.js" in html
    js = client.get("/static/explorer/graph.js").text
    for name in ("var nodes, edges, network", "new vis.Network", "afterDrawing"):
        assert name in js
    nodes, edges = page_data(html, "node"), page_data(html, "edge")
    assert len(nodes) == 6 and len(edges) == 5
    assert {e["label"] for e in edges} == {
        "expel",
        "tell",
        "criticise",
        "accuse of",
        "help",
    }
    assert "Entity types" in html and "Organization" in html
    assert client.get("/vislib/vis-9.1.2/vis-network.min.js").status_code == 200


def test_graph_page_never_embeds_news_text_as_markup(client: TestClient) -> None:
    html = client.get("/graph").text
    for raw in ("<script>alert", '<a href="javascript', "<a href='x'>", "<b>warns"):
        assert raw not in html
    js = client.get("/static/explorer/graph.js").text
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js


def test_edge_evidence_carries_sentence_and_article(client: TestClient) -> None:
    edges = page_data(client.get("/graph").text, "edge")
    expel = next(e for e in edges if e["label"] == "expel")
    r = client.get(
        "/api/edge",
        params={"s": expel["from"], "p": expel["predicate"], "o": expel["to"]},
    )
    assert r.status_code == 200, r.text
    first = r.json()[0]
    assert first["sentence"].startswith("French police expelled")
    assert first["article"]["title"] == "Police clear migrant camp in Calais"
    hostile = next(e for e in edges if e["label"] == "criticise")
    sentence = client.get(
        "/api/edge",
        params={"s": hostile["from"], "p": hostile["predicate"], "o": hostile["to"]},
    ).json()[0]["sentence"]
    assert "<script>alert('x')</script>" in sentence  # kept as text, as data


@pytest.mark.parametrize(
    ("hops", "labels"),
    [
        (1, {"Médecins du Monde", "French police", "Cecile Bossy"}),
        (2, {"Médecins du Monde", "French police", "Cecile Bossy", "migrants", "AFP"}),
        (
            3,
            {
                "Médecins du Monde",
                "French police",
                "Cecile Bossy",
                "migrants",
                "AFP",
                "Calais eviction",
            },
        ),
    ],
)
def test_neighbourhood_view_draws_actors_within_hops(
    client: TestClient, hops: int, labels: set[str]
) -> None:
    r = client.get("/graph", params={"entity": MDM, "hops": hops})
    assert r.status_code == 200, r.text
    assert {n["label"] for n in page_data(r.text, "node")} == labels
    assert "Médecins du Monde: " in r.text


def test_neighbourhood_of_an_actor_without_relations_is_that_actor(
    client: TestClient,
) -> None:
    r = client.get("/graph", params={"entity": ID + "place/calais"})
    assert [n["label"] for n in page_data(r.text, "node")] == ["Calais"]


def test_neighbourhood_radius_outside_1_to_3_is_refused(client: TestClient) -> None:
    assert_error(client.get("/graph", params={"entity": MDM, "hops": 9}), 400, "hops")


def test_neighbourhood_rejects_a_non_iri(client: TestClient) -> None:
    assert_error(client.get("/graph", params={"entity": "x> } DROP ALL"}), 400, "IRI")


def test_graph_page_caps_nodes_and_says_how_many_are_hidden(
    sample_store: EmbeddedStore,
) -> None:
    app = create_app(Settings(store="unused", graph_max_nodes=3), store=sample_store)
    html = TestClient(app).get("/graph").text
    nodes = page_data(html, "node")
    assert len(nodes) == 3
    assert "3 less central actors hidden" in html
    every = TestClient(app).get("/graph/summary", params={"limit": 6}).json()["top"]
    degree = {t["iri"]: t["degree"] for t in every}
    kept = sorted((degree[n["id"]] for n in nodes), reverse=True)
    assert kept == sorted(degree.values(), reverse=True)[:3]  # the best connected


def test_graph_layout_is_stable_between_requests(client: TestClient) -> None:
    first, second = (page_data(client.get("/graph").text, "node") for _ in range(2))
    assert [(n["id"], n["x"], n["y"]) for n in first] == [
        (n["id"], n["x"], n["y"]) for n in second
    ]
    js = client.get("/static/explorer/graph.js").text
    assert "physics: {enabled: false}" in js


def test_graph_summary_lists_the_best_connected_actors(client: TestClient) -> None:
    body = client.get("/graph/summary", params={"limit": 2}).json()
    assert body["ok"] is True and body["nodes"] == 6 and body["edges"] == 5
    assert [t["label"] for t in body["top"]] == ["Cecile Bossy", "French police"]


# -- analytics behind the page ---------------------------------------------------------


def test_actor_graph_has_one_edge_per_entity_statement(
    sample_store: EmbeddedStore,
) -> None:
    graph = to_networkx(sample_store)
    assert graph.number_of_edges() == 5  # the literal-object statement is left out
    ((_, data),) = graph.get_edge_data(BOSSY, ID + "organization/afp").items()
    assert data["label"] == "tell" and data["confidence"] == 0.9
    assert data["statement"] == ID + "statement/a1b2c3d4e5f60002"
    assert graph.nodes[BOSSY] == {
        "iri": BOSSY,
        "label": "Cecile Bossy",
        "type": "Person",
    }


def test_neighbourhood_follows_relations_both_ways(sample_store: EmbeddedStore) -> None:
    assert set(neighbourhood(sample_store, BOSSY, hops=1)) == {
        BOSSY,
        MDM,
        ID + "organization/afp",
    }


def test_counts(sample_store: EmbeddedStore) -> None:
    assert count_items(sample_store) == {"articles": 2, "entities": 8, "relations": 6}


# -- app ------------------------------------------------------------------------------


def test_index_page_links_and_counts(client: TestClient) -> None:
    html = client.get("/").text
    for href in (
        'href="/graph"',
        'href="/sparql"',
        'href="/docs"',
        'href="/export.ttl"',
        'href="/export.trig"',
        'href="/export.nq"',
        'href="/export.jsonld"',
    ):
        assert href in html
    assert '<span class="n" id="count-articles">2</span>' in html
    assert '<span class="n" id="count-entities">8</span>' in html


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/sparql",
        "/graph",
        "/graph/summary",
        "/export.ttl",
        "/export.trig",
        "/export.nq",
        "/export.jsonld",
        "/",
    ):
        assert path in paths
    params = {p["name"] for p in paths["/sparql"]["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= params


def test_store_touching_handlers_are_plain_functions(client: TestClient) -> None:
    for route in client.app.routes:
        endpoint = getattr(route, "endpoint", None)
        if endpoint and getattr(route, "path", "").startswith(
            ("/sparql", "/graph", "/export")
        ):
            assert not inspect.iscoroutinefunction(endpoint), route.path


def test_app_opens_and_closes_its_own_store(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with TestClient(create_app(Settings(store=str(location)))) as c:
        assert c.get("/").status_code == 200
        assert c.get("/sparql", params={"query": ASK}).json()["boolean"] is False
    EmbeddedStore(location).close()  # the lock was released on shutdown


def test_kg_never_imports_api() -> None:
    kg = Path(__file__).resolve().parent.parent / "kg"
    for path in kg.rglob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+api\b", path.read_text(), re.M), path


# -- a real server and a real client (SPARQLWrapper) ---------------------------


@pytest.fixture(scope="module")
def sample_server(sample_store: EmbeddedStore) -> Iterator[str]:
    with LiveServer(create_app(Settings(store="unused"), store=sample_store)) as server:
        yield server.url


@pytest.fixture(params=["sample", pytest.param("seeded", marks=pytest.mark.slow)])
def server(request: pytest.FixtureRequest) -> str:
    """The real server over the sample store, and over the seeded store (slow)."""
    if request.param == "seeded":
        pytest.importorskip("kg.pipeline", reason="kg.pipeline.ingest not written yet")
        return str(request.getfixturevalue("live_server"))
    return str(request.getfixturevalue("sample_server"))


COUNT_ARTICLES = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a schema:NewsArticle }"


def wrapper(url: str, query: str, fmt: str) -> Any:
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client.query().convert()


def test_sparqlwrapper_json(server: str) -> None:
    result = wrapper(server, COUNT_ARTICLES, "json")
    assert int(result["results"]["bindings"][0]["n"]["value"]) >= 2


def test_sparqlwrapper_xml(server: str) -> None:
    doc = wrapper(server, COUNT_ARTICLES, "xml")
    assert int(doc.getElementsByTagName("literal")[0].firstChild.data) >= 2


@pytest.mark.parametrize(
    ("fmt", "delimiter", "header"), [("csv", ",", "n"), ("tsv", "\t", "?n")]
)
def test_sparqlwrapper_csv_tsv(
    server: str, fmt: str, delimiter: str, header: str
) -> None:
    raw = wrapper(server, COUNT_ARTICLES, fmt)
    rows = list(csv.reader(io.StringIO(raw.decode()), delimiter=delimiter))
    assert rows[0] == [header]
    assert int(rows[1][0].split("^^")[0].strip('"')) >= 2


def test_sparqlwrapper_ask_and_construct(server: str) -> None:
    assert wrapper(server, "ASK { ?a a schema:NewsArticle }", "json")["boolean"] is True
    graph = wrapper(server, "CONSTRUCT WHERE { ?a a schema:NewsArticle }", "turtle")
    graph = graph if isinstance(graph, Graph) else parse_graph(graph, "turtle")
    assert len(graph) >= 2


def test_sparqlwrapper_bad_query_gets_400(server: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed) as err:
        wrapper(server, "SELECT ?x WHERE { ?x", "json")
    assert "malformed SPARQL query" in str(err.value)


def test_live_server_pages_and_exports(server: str) -> None:
    import httpx

    with httpx.Client(base_url=server) as http:
        assert http.get("/").status_code == 200
        page = http.get("/graph")
        assert page.status_code == 200 and not _CDN_TAG.search(page.text)
        assert page_data(page.text, "node")
        trig = http.get("/export.trig")
        assert len(parse_dataset(trig.content, "trig")) > 0
        bad = http.get("/sparql", params={"query": "SELECT"})
        assert bad.status_code == 400 and set(bad.json()) == ERROR_KEYS


def test_view_json_escapes_hostile_labels_for_a_script_element() -> None:
    import networkx as nx

    from kg.viz.view import graph_view, script_json

    evil = "<img src=x onerror=alert(1)></script><script>alert(2)</script>&amp;"
    graph = nx.MultiDiGraph()
    graph.add_node("urn:a", label=evil, type="Person", iri="urn:a")
    graph.add_node("urn:b", label="B", type=evil, iri="urn:b")
    graph.add_edge("urn:a", "urn:b", label=evil, predicate="urn:p")
    text = script_json(graph_view(graph, centrality={"urn:a": 1.0}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["nodes"][0]["label"] == evil  # intact as data


def test_app_factory_reads_the_store_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.main import app_from_env

    monkeypatch.setenv("KG_STORE", str(tmp_path / "env-store"))
    with TestClient(app_from_env()) as c:
        assert "count-articles" in c.get("/").text
    assert (tmp_path / "env-store").is_dir()
