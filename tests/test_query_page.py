"""``/query``: the YASGUI page loads only local assets, its examples return rows, and in
headless Chromium a query runs and shows a result table without leaving the host."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI

with warnings.catch_warnings():  # starlette warns that httpx should become httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.main import STATIC, create_app
from api.routes import query_page
from api.routes.query_page import EXAMPLES
from kg.config import Settings
from kg.store import EmbeddedStore
from tests.conftest import LiveServer, shot

# every <script src> / <link href> of the page
_ASSET = re.compile(
    r'<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["\']([^"\']*)["\']', re.I
)


def _with_query_page(app: FastAPI) -> FastAPI:
    """The app with ``/query``, whether or not ``create_app`` already includes it."""
    if not any(getattr(r, "path", None) == "/query" for r in app.routes):
        app.include_router(query_page.router)
    return app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = EmbeddedStore(None)
    app = _with_query_page(create_app(Settings(store="unused"), store=store))
    with TestClient(app) as c:
        yield c
    store.close()


@pytest.fixture(scope="module")
def live_server(seeded_store: Any) -> Iterator[str]:
    """The real app over the seeded store, served over HTTP, with ``/query``."""
    app = _with_query_page(create_app(Settings(store="unused"), store=seeded_store))
    with LiveServer(app) as server:
        yield server.url


def test_query_page_references_only_local_assets(client: TestClient) -> None:
    response = client.get("/query")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>kg — SPARQL query</title>" in page
    assets = _ASSET.findall(page)
    assert "/static/yasgui/yasgui.min.js" in assets
    assert "/static/yasgui/yasgui.min.css" in assets
    assert [a for a in assets if re.match(r"(?i)(https?:)?//", a)] == []
    for link in ('href="/"', 'href="/graph"', 'href="/docs"'):
        assert link in page
    for example in EXAMPLES:
        assert f'data-example="{example.key}"' in page


def test_vendored_yasgui_is_served_with_its_notice(client: TestClient) -> None:
    for name in ("yasgui.min.js", "yasgui.min.css"):
        response = client.get(f"/static/yasgui/{name}")
        assert response.status_code == 200, name
        assert len(response.content) > 50_000
    notice = (STATIC / "yasgui" / "NOTICE.md").read_text(encoding="utf-8")
    for licence in ("MIT", "Apache-2.0", "MPL-2.0", "CC BY 4.0"):
        assert licence in notice


def test_examples_embed_no_raw_script_end() -> None:
    page = query_page.render_query_page(EXAMPLES)
    data = page.split('<script id="kg-examples" type="application/json">')[1]
    assert "<" not in data.split("</script>")[0]


def test_examples_declare_their_prefixes() -> None:
    for example in EXAMPLES:
        used = set(re.findall(r"\b([a-z]+):[A-Za-z]", example.query))
        declared = set(re.findall(r"PREFIX (\w+):", example.query))
        assert used - {"http", "https"} <= declared, example.key


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.key)
def test_example_returns_rows_on_the_seeds(
    seeded_store: Any, example: query_page.Example
) -> None:
    app = _with_query_page(create_app(Settings(store="unused"), store=seeded_store))
    with TestClient(app) as c:
        response = c.post(
            "/sparql",
            data={"query": example.query},
            headers={"Accept": "application/sparql-results+json"},
        )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert len(rows) >= 2, example.key


# the result rows of the active tab, as cell texts (other tabs' tables stay in the DOM)
_ROWS = """() => [...yasgui.getTab().getYasr().rootEl.querySelectorAll('table tbody tr')]
  .map(tr => [...tr.cells].map(td => td.innerText.trim()))"""


def _results(page: Any, expect: str | None = None) -> list[list[str]]:
    """Wait until the active tab shows result rows (one containing ``expect``)."""
    page.wait_for_function(
        f"(want) => ({_ROWS})().some(r => r.length > 1 && r.join(' ').includes(want))",
        arg=expect or "",
    )
    rows: list[list[str]] = page.evaluate(_ROWS)
    return rows


def _assert_clean(b: SimpleNamespace) -> None:
    assert b.offhost == [], f"page tried to leave the host: {b.offhost}"
    assert b.errors == [] and b.failed == [], (b.errors, b.failed)


@pytest.mark.browser
def test_query_page_runs_a_query_offline(
    live_server: str, browser_page: SimpleNamespace
) -> None:
    b = browser_page
    page = b.page
    page.goto(f"{live_server}/query")
    page.wait_for_selector(".yasqe .CodeMirror")
    # the LOV-backed autocompleters are off; nothing is persisted
    assert page.evaluate("yasgui.getTab().getYasqe().config.autocompleters") == [
        "variables",
        "prefixes",
    ]
    assert page.evaluate("Object.keys(Yasgui.Yasqe.Autocompleters).sort()") == [
        "prefixes",
        "variables",
    ]
    assert page.evaluate("yasgui.getTab().getEndpoint()") == f"{live_server}/sparql"
    assert "kg:Relation" in page.evaluate("yasgui.getTab().getQuery()")

    # the first example is preloaded: run it with YASQE's own button
    page.click(".yasqe_queryButton")
    rows = _results(page)
    assert len(rows) > 10
    assert all(len(r) >= 4 for r in rows)  # row number + who, did, whom

    # an example button opens its own tab and runs it
    page.click('button.example[data-example="actor-relations"]')
    rows = _results(page, "Doctors of the World")
    assert page.evaluate("yasgui.getTab().getName()").startswith("An actor's relations")
    assert any("Cecile Bossy" in cell for row in rows for cell in row), rows
    assert page.evaluate("document.querySelectorAll('.tabsList .tab').length") == 2
    assert page.evaluate("localStorage.length") == 0

    page.click('button.example[data-example="who-said-what"]')
    rows = _results(page, "Cecile Bossy")
    assert any(row[1:2] == ["Denis Robin"] for row in rows), rows
    page.wait_for_timeout(200)  # let the table settle before the picture
    assert shot(page, "query").stat().st_size > 20_000
    _assert_clean(b)


@pytest.mark.browser
def test_share_link_naming_another_endpoint_queries_this_server(
    live_server: str, browser_page: SimpleNamespace
) -> None:
    b = browser_page
    link = urlencode(
        {
            "query": "SELECT ?name WHERE { ?p a <http://schema.org/Person> ; "
            '<http://www.w3.org/2000/01/rdf-schema#label> ?name FILTER(?name = "Cecile Bossy") }',
            "endpoint": "https://dbpedia.org/sparql",
            "tabTitle": "Shared",
        }
    )
    b.page.goto(f"{live_server}/query?{link}")
    rows = _results(b.page, "Cecile Bossy")  # YASGUI runs a shared query at once
    assert rows
    assert b.page.evaluate("yasgui.getTab().getEndpoint()") == f"{live_server}/sparql"
    _assert_clean(b)
