"""Hostile text and access: what news text can carry, and who may write.

Text: entity names, sentences, quotes, titles and URLs with markup, ``javascript:``
URLs, RTL overrides, control characters and spreadsheet formulas are stored
faithfully (read back by SPARQL, character for character) and stay inert:

- RDF exports (Turtle, TriG, N-Quads, N-Triples, JSON-LD) parse back to the same
  literals; they are downloads (attachment, never ``text/html``, ``nosniff``);
- the explorer's CSV of edges prefixes a cell that a spreadsheet would run as a
  formula (``=``, ``+``, ``-``, ``@``, tab, CR) with ``'``; its GraphML is
  well-formed XML;
- SPARQL CSV results (``/sparql`` with ``Accept: text/csv`` and
  ``kg query --format csv``) are the W3C SPARQL 1.1 CSV format, read by
  programs: they stay faithful, formulas included (decided: a spreadsheet-safe
  CSV is the explorer's, which says so);
- HTML pages escape the text.

Access: writes need the token (compared with ``hmac.compare_digest``), the
token never reaches logs, error messages or responses, a server without a
token is read-only, ``kg serve`` binds 127.0.0.1 by default and warns when it
binds elsewhere without a token. (``tests/test_protocol.py`` covers the
status codes of every write path against the real server.)
"""

from __future__ import annotations

import csv
import hmac
import io
import logging
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

with warnings.catch_warnings():  # starlette warns that httpx should become httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.main import create_app
from kg.cli import main
from kg.config import Settings
from kg.graph.build import build_graph, to_ntriples
from kg.graph.iris import Minter
from kg.store import EmbeddedStore, open_store
from kg.types import Article, Entity, Extraction, Quote, Relation, Sentence

TOKEN = "hostile-test-token-5f3a9c"
MINTER = Minter("https://kg.example/")
NAMES = {
    "e0": "<script>alert('x')</script> Bossy",
    "e1": '=HYPERLINK("http://evil.example","click")',
    "e2": "+33 Calais Group",
    "e3": "-2+3 Robin",
    "e4": "@Handle Jafari",
    "e5": "\u202eevil\u202c Robin Cousin",
    "e6": "Ctl\x1b[31m\x07 Name",
    "e7": "javascript:alert(1) Reporter",
    "e8": "[link=https://evil.example]Rich[/link] Markup",
}
SENTENCE = (
    "<b>Breaking</b>: \u202eCalais\u202c police <a href='javascript:alert(1)'>"
    'expelled</a> =SUM(A1) migrants\x0b\x1f "<img src=x onerror=alert(2)>"'
)
QUOTE = "<img src=x onerror=alert(2)>"
TITLE = "<script>alert('title')</script> \u202eRTL\u202c =1+1 \x07"
URL = "javascript:alert(document.cookie)"
SOURCE = "@Evil <i>Wire</i>"
ARTICLE = Article("hostile-1", SENTENCE, title=TITLE, source=SOURCE, url=URL)


def hostile_graph() -> Graph:
    entities = {k: Entity(k, name, "Person") for k, name in NAMES.items()}
    keys = list(NAMES)
    relations = [
        Relation(a, "criticise", b, 0, confidence=0.9)
        for a, b in zip(keys, keys[1:] + keys[:1], strict=True)
    ]
    ex = Extraction(
        ARTICLE,
        [Sentence(0, SENTENCE, 0, len(SENTENCE))],
        entities,
        relations,
        [Quote(QUOTE, "e0", 0, "say", start=SENTENCE.index(QUOTE))],
    )
    return build_graph(ex, minter=MINTER, digest="0" * 64)


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    st = EmbeddedStore(None)
    st.put_batch(
        [(str(MINTER.article_graph(ARTICLE.id)), to_ntriples(hostile_graph()))]
    )
    yield st
    st.close()


@pytest.fixture(scope="module")
def client(store: EmbeddedStore) -> Iterator[TestClient]:
    app = create_app(Settings(store="unused", write_token=TOKEN), store=store)
    with TestClient(app) as c:
        yield c


def labels(rows: Any) -> set[str]:
    return {str(row[0].value) for row in rows}


# -- stored faithfully --------------------------------------------------------------


def test_hostile_text_is_stored_character_for_character(store: EmbeddedStore) -> None:
    names = labels(
        store.query("SELECT ?l WHERE { ?e a schema:Person ; rdfs:label ?l }")
    )
    assert names == set(NAMES.values())
    texts = labels(store.query("SELECT ?t WHERE { ?s a kg:Sentence ; schema:text ?t }"))
    assert texts == {SENTENCE}
    quotes = labels(store.query("SELECT ?t WHERE { ?q a kg:Quote ; schema:text ?t }"))
    assert quotes == {QUOTE}
    row = next(
        iter(
            store.query(
                "SELECT ?h ?u ?p WHERE { ?a a schema:NewsArticle ; schema:headline ?h ;"
                " schema:url ?u ; schema:publisher/rdfs:label ?p }"
            )
        )
    )
    assert (row[0].value, row[1].value, row[2].value) == (TITLE, URL, SOURCE)


# -- RDF exports: faithful, and downloads ---------------------------------------------

_RDF = {
    "ttl": "turtle",
    "nt": "nt",
    "trig": "trig",
    "nq": "nquads",
    "jsonld": "json-ld",
}


@pytest.mark.parametrize("ext", sorted(_RDF))
def test_rdf_exports_keep_hostile_literals_exactly_and_are_downloads(
    client: TestClient, ext: str
) -> None:
    r = client.get(f"/export.{ext}")
    assert r.status_code == 200
    assert "html" not in r.headers["content-type"]
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers.get("x-content-type-options") == "nosniff"
    with warnings.catch_warnings():  # rdflib's own deprecated Dataset internals
        warnings.simplefilter("ignore", DeprecationWarning)
        data = Dataset()
        data.parse(data=r.content, format=_RDF[ext])
    got = {str(o) for _, _, o, _ in data.quads((None, RDFS.label, None, None))}
    assert set(NAMES.values()) <= got
    article = MINTER.article(ARTICLE.id)
    headline = URIRef("http://schema.org/headline")
    assert Literal(TITLE) in {o for _, _, o, _ in data.quads((article, headline, None))}


def test_turtle_export_holds_markup_only_inside_string_literals(
    client: TestClient,
) -> None:
    text = client.get("/export.ttl").text
    graph = Graph().parse(data=text, format="turtle")
    assert {str(o) for o in graph.objects(None, RDFS.label)} >= set(NAMES.values())
    for line in text.splitlines():  # the markup is never a term of its own
        if "<script>" in line:
            assert '"' in line.split("<script>")[0], line


# -- the explorer's exports (GraphML, CSV) --------------------------------------------

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def test_edge_csv_neutralises_formulas_and_keeps_the_rest(client: TestClient) -> None:
    r = client.get("/graph/export.csv")
    assert r.status_code == 200, r.text
    rows = list(csv.reader(io.StringIO(r.text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert rows[1:], "no edges exported"
    for cell in cells:
        assert not cell.startswith(FORMULA), cell
    for name in NAMES.values():  # every name present: as is, or behind a quote
        shown = "'" + name if name.startswith(FORMULA) else name
        assert shown in cells, name


def test_edge_graphml_is_well_formed_and_keeps_markup_as_text(
    client: TestClient,
) -> None:
    r = client.get("/graph/export.graphml")
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.content)  # well-formed despite control characters
    values = {el.text for el in root.iter() if el.text}
    assert NAMES["e0"] in values  # markup kept as character data
    assert not any(el.tag.endswith("script") for el in root.iter())


# -- SPARQL CSV results: W3C format, faithful -----------------------------------------

QUERY_NAMES = "SELECT ?l WHERE { ?e a schema:Person ; rdfs:label ?l } ORDER BY ?l"


def test_sparql_csv_results_are_faithful_w3c_csv(client: TestClient) -> None:
    r = client.get(
        "/sparql",
        params={
            "query": "PREFIX schema: <http://schema.org/> PREFIX rdfs: "
            "<http://www.w3.org/2000/01/rdf-schema#> " + QUERY_NAMES
        },
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    assert rows[0] == ["l"]
    assert {row[0] for row in rows[1:]} == set(NAMES.values())  # formulas unchanged


def test_kg_query_csv_is_faithful_and_table_shows_text_literally(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "store"
    disk = open_store(folder)
    disk.put_batch(
        [(str(MINTER.article_graph(ARTICLE.id)), to_ntriples(hostile_graph()))]
    )
    disk.close()
    runner = CliRunner()
    out = runner.invoke(
        main, ["query", "--store", str(folder), "--format", "csv", QUERY_NAMES]
    )
    assert out.exit_code == 0, out.output
    rows = list(csv.reader(io.StringIO(out.output, newline="")))
    assert {row[0] for row in rows[1:]} == set(NAMES.values())


def test_kg_query_table_prints_labels_literally(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    disk = open_store(folder)
    disk.put_batch(
        [(str(MINTER.article_graph(ARTICLE.id)), to_ntriples(hostile_graph()))]
    )
    disk.close()
    out = CliRunner().invoke(main, ["query", "--store", str(folder), QUERY_NAMES])
    assert out.exit_code == 0, out.output
    assert "[link=https://evil.example]Rich[/link]" in out.output
    assert "\x1b[31m" not in out.output


# -- HTML pages escape the text -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/article/{ARTICLE.id}",
        "/entity/person/" + MINTER.entity("Person", NAMES["e0"]).rsplit("/", 1)[1],
    ],
)
def test_pages_escape_hostile_text(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert "text/html" in r.headers["content-type"]
    html = r.text
    for raw in ("<script>alert('x')", "<img src=x onerror", "<b>Breaking</b>"):
        assert raw not in html, raw
    assert "href='javascript:" not in html and 'href="javascript:' not in html


# -- access -------------------------------------------------------------------------

INSERT = 'INSERT DATA { GRAPH <https://kg.example/graph/w> { <urn:a> <urn:b> "c" } }'


def test_writes_compare_the_token_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("api.auth.hmac.compare_digest", spy)
    r = client.post(
        "/update", data={"update": INSERT}, headers={"Authorization": "Bearer nope"}
    )
    assert r.status_code in (401, 403)
    assert calls and TOKEN.encode() in calls[-1]


def test_the_token_never_reaches_logs_errors_or_responses(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = {"Authorization": f"Bearer {TOKEN}-wrong"}  # contains the token itself
    right = {"Authorization": f"Bearer {TOKEN}"}
    ttl = {"Content-Type": "text/turtle"}
    graph = {"graph": "https://kg.example/graph/token-test"}
    responses = [
        client.post("/update", data={"update": INSERT}, headers=wrong),
        client.post(
            "/update",
            content=INSERT,
            headers={**wrong, "Content-Type": "application/sparql-update"},
        ),
        client.put(
            "/store",
            params=graph,
            content="<urn:a> <urn:b> <urn:c> .",
            headers={**wrong, **ttl},
        ),
        client.post(
            "/update", data={"update": "INSERT DATA { nonsense"}, headers=right
        ),
        client.put(
            "/store", params=graph, content="not turtle <", headers={**right, **ttl}
        ),
        client.put(
            "/store",
            params={"graph": ""},
            content="<urn:a> <urn:b> <urn:c> .",
            headers={**right, **ttl},
        ),
        client.post("/update", data={"update": INSERT}, headers=right),
        client.put(
            "/store",
            params=graph,
            content="<urn:a> <urn:b> <urn:c> .",
            headers={**right, **ttl},
        ),
        client.delete("/store", params=graph, headers=right),
    ]
    statuses = [r.status_code for r in responses]
    assert statuses[:6] == [401, 401, 401, 400, 400, 400], statuses
    assert statuses[6:] == [204, 201, 204], statuses
    for r in responses:
        assert TOKEN not in r.text
        assert TOKEN not in " ".join(f"{k}: {v}" for k, v in r.headers.items())
    captured = capsys.readouterr()
    assert caplog.records, "nothing was logged: the check would be vacuous"
    assert TOKEN not in caplog.text
    assert TOKEN not in captured.out + captured.err


@pytest.mark.parametrize("token", [None, ""])
def test_without_a_token_the_server_is_read_only(
    store: EmbeddedStore, token: str | None
) -> None:
    app = create_app(Settings(store="unused", write_token=token), store=store)
    before = len(store)
    with TestClient(app) as c:
        for auth in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer x"}):
            assert (
                c.post("/update", data={"update": INSERT}, headers=auth).status_code
                == 403
            )
            r = c.put(
                "/store",
                params={"graph": "https://kg.example/graph/ro"},
                content="<urn:a> <urn:b> <urn:c> .",
                headers={**auth, "Content-Type": "text/turtle"},
            )
            assert r.status_code == 403
            assert (
                c.delete(
                    "/store",
                    params={"graph": str(MINTER.article_graph(ARTICLE.id))},
                    headers=auth,
                ).status_code
                == 403
            )
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert len(store) == before


class FakeGranian:
    """Records where ``kg serve`` would listen instead of listening."""

    started: list[dict[str, Any]] = []

    def __init__(self, target: str, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def serve(self) -> None:
        FakeGranian.started.append(self.kwargs)


@pytest.fixture
def fake_granian(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import granian

    FakeGranian.started = []
    monkeypatch.setattr(granian, "Granian", FakeGranian)
    for name in ("KG_HOST", "KG_WRITE_TOKEN", "KG_WORKERS", "KG_STORE"):
        monkeypatch.delenv(name, raising=False)
    return FakeGranian.started


def test_kg_serve_binds_loopback_by_default(
    tmp_path: Path, fake_granian: list[dict[str, Any]]
) -> None:
    assert Settings(store="unused").host == "127.0.0.1"
    r = CliRunner().invoke(
        main, ["serve", "--store", str(tmp_path / "s"), "--workers", "1"]
    )
    assert r.exit_code == 0, r.output
    assert fake_granian[-1]["address"] == "127.0.0.1"
    assert "warning" not in r.output.lower()


@pytest.mark.parametrize(("token", "warned"), [(None, True), (TOKEN, False)])
def test_kg_serve_warns_when_binding_elsewhere_without_a_token(
    tmp_path: Path,
    fake_granian: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    token: str | None,
    warned: bool,
) -> None:
    if token:
        monkeypatch.setenv("KG_WRITE_TOKEN", token)
    r = CliRunner().invoke(
        main,
        [
            "serve",
            "--store",
            str(tmp_path / "s"),
            "--host",
            "0.0.0.0",
            "--workers",
            "1",
        ],
    )
    assert r.exit_code == 0, r.output
    assert fake_granian[-1]["address"] == "0.0.0.0"
    assert ("warning: binding 0.0.0.0 without KG_WRITE_TOKEN" in r.output) == warned
    assert TOKEN not in r.output
