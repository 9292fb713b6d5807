"""The pages in headless Chromium: the graph draws offline, tooltips show the evidence.

Each test runs against the real server over tests/data/sample.trig and over the
seeded store (slow). Screenshots land in artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.main import create_app
from kg.config import Settings
from kg.store import EmbeddedStore
from tests.conftest import LiveServer, shot
from tests.test_api import MDM, load_sample

pytestmark = pytest.mark.browser

CANVAS_DRAWN = """() => { const c = document.querySelector('#mynetwork canvas');
  if (!c) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 3; i < d.length; i += 16) if (d[i] > 0) n++; return n > 200; }"""
# DOM position of the middle of an edge (on the curve for curved edges)
EDGE_MIDDLE = """(id) => { const e = network.body.edges[id];
  const p = e.edgeType.getPoint(0.5);
  const d = network.canvasToDOM(p);
  const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();
  return {x: r.left + d.x, y: r.top + d.y}; }"""
# the edge whose middle is farthest from every node's box (dot + label), so hovering
# it cannot hit a node; self-loops are skipped
CLEAREST_EDGE = """() => { const ids = nodes.getIds(); let best = null, bestD = -1;
  edges.forEach((e) => { if (e.from === e.to) return;
    const p = network.body.edges[e.id].edgeType.getPoint(0.5); let d = Infinity;
    for (const id of ids) { const b = network.getBoundingBox(id);
      const dx = Math.max(b.left - p.x, 0, p.x - b.right);
      const dy = Math.max(b.top - p.y, 0, p.y - b.bottom);
      d = Math.min(d, Math.hypot(dx, dy)); }
    if (d > bestD) { bestD = d; best = e.id; } });
  return best; }"""
# centre the view on an edge's middle (away from the legend box)
CENTRE_ON_EDGE = """(id) => { const p = network.body.edges[id].edgeType.getPoint(0.5);
  network.moveTo({position: p, scale: Math.max(network.getScale(), 1),
                  animation: false}); }"""


@pytest.fixture(scope="module")
def sample_server() -> Iterator[str]:
    store = load_sample(EmbeddedStore(None))
    with LiveServer(create_app(Settings(store="unused"), store=store)) as server:
        yield server.url
    store.close()


@pytest.fixture(params=["sample", pytest.param("seeded", marks=pytest.mark.slow)])
def server(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(name, URL): the real server over the sample store and the seeded store."""
    if request.param == "seeded":
        pytest.importorskip("kg.pipeline", reason="kg.pipeline.ingest not written yet")
        return "seeded", str(request.getfixturevalue("live_server"))
    return "sample", str(request.getfixturevalue("sample_server"))


def open_graph(browser_page: Any, url: str) -> Any:
    page = browser_page.page
    page.on(
        "dialog",
        lambda d: browser_page.errors.append(f"dialog: {d.message}") or d.dismiss(),
    )
    page.goto(url)
    page.wait_for_selector("#mynetwork canvas")
    page.wait_for_function(
        CANVAS_DRAWN
    )  # vis really drew (the canvas exists long before)
    return page


def assert_clean(browser_page: Any) -> None:
    assert browser_page.offhost == [], (
        f"page tried to leave the host: {browser_page.offhost}"
    )
    assert browser_page.errors == [], browser_page.errors
    assert browser_page.failed == [], browser_page.failed


def squash(text: str) -> str:
    """Whitespace collapsed, as the browser renders it."""
    return " ".join(text.split())


def hover_edge(page: Any, edge_id: str) -> str:
    """Move the mouse onto the edge and return the tooltip's text."""
    page.mouse.move(5, 5)
    page.evaluate(CENTRE_ON_EDGE, edge_id)
    point = page.evaluate(EDGE_MIDDLE, edge_id)
    page.mouse.move(point["x"], point["y"], steps=4)
    page.wait_for_selector("div.vis-tooltip", state="visible")
    return str(page.inner_text("div.vis-tooltip"))


def test_graph_page_draws_offline(server: tuple[str, str], browser_page: Any) -> None:
    name, url = server
    page = open_graph(browser_page, f"{url}/graph")
    assert page.evaluate("network.body.data.nodes.length") > 0
    assert page.evaluate("edges.length") > 0
    assert (
        page.is_visible("#legend")
        and "entity types" in page.inner_text("#legend").lower()
    )
    assert "actors" in page.inner_text("header")
    assert shot(page, f"graph-{name}").stat().st_size > 10_000
    assert_clean(browser_page)


def test_hovering_an_edge_names_it_and_clicking_shows_its_sentence(
    server: tuple[str, str], browser_page: Any
) -> None:
    name, url = server
    page = open_graph(browser_page, f"{url}/graph")
    edge_id = page.evaluate(CLEAREST_EDGE)
    edge = page.evaluate(
        "(id) => { const e = edges.get(id); return {name: e.name, from: e.from, "
        "to: e.to, predicate: e.predicate}; }",
        edge_id,
    )
    tip = squash(hover_edge(page, edge_id))
    assert squash(edge["name"]) in tip and "click for the sentences" in tip
    page.evaluate("(id) => kgOpenEdge(id)", edge_id)
    page.wait_for_selector("#panel .evidence .sentence")
    evidence = httpx.get(
        f"{url}/api/edge",
        params={"s": edge["from"], "p": edge["predicate"], "o": edge["to"]},
    ).json()
    panel = squash(page.inner_text("#panel"))
    assert squash(evidence[0]["sentence"]) in panel
    assert squash(evidence[0]["article"]["title"]) in panel
    shot(page, f"graph-{name}-edge-panel")
    assert_clean(browser_page)


def test_hostile_news_text_is_shown_as_text(
    sample_server: str, browser_page: Any
) -> None:
    page = open_graph(browser_page, f"{sample_server}/graph")
    edge_id = page.evaluate("edges.get({filter: (e) => e.name === 'criticise'})[0].id")
    page.evaluate("(id) => kgOpenEdge(id)", edge_id)
    page.wait_for_selector("#panel .evidence .sentence")
    panel = page.inner_text("#panel")
    assert "<script>alert('x')</script>" in panel  # literally, as text
    assert "<a href='x'>evictions</a>" in panel
    assert (
        page.evaluate(
            "document.querySelectorAll('#panel-body script, #panel-body b, "
            "#panel-body img, #panel-body a[href^=x]').length"
        )
        == 0
    )
    assert_clean(browser_page)  # includes: no alert() dialog


def test_neighbourhood_page_centres_on_the_actor(
    server: tuple[str, str], browser_page: Any
) -> None:
    name, url = server
    entity = MDM
    if name == "seeded":  # the best-connected actor of the seeded graph
        page = open_graph(browser_page, f"{url}/graph")
        entity = page.evaluate("nodes.get().sort((a, b) => b.degree - a.degree)[0].id")
    page = open_graph(browser_page, f"{url}/graph?hops=1&entity={entity}")
    assert page.evaluate("network.getSelectedNodes()") == [entity]
    others = page.evaluate("nodes.getIds()")
    assert entity in others and len(others) >= 2
    assert "neighbourhood" in page.inner_text("header h1")
    shot(page, f"graph-{name}-neighbourhood")
    assert_clean(browser_page)


def test_double_click_opens_the_neighbourhood(
    sample_server: str, browser_page: Any
) -> None:
    page = open_graph(browser_page, f"{sample_server}/graph")
    point = page.evaluate(
        """(id) => { const d = network.canvasToDOM(network.getPositions([id])[id]);
        const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();
        return {x: r.left + d.x, y: r.top + d.y}; }""",
        MDM,
    )
    with page.expect_navigation():
        page.mouse.dblclick(point["x"], point["y"])
    assert "entity=" in page.url and "medecins-du-monde" in page.url
    page.wait_for_function(CANVAS_DRAWN)
    assert_clean(browser_page)


def test_index_page_loads_clean(sample_server: str, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(sample_server)
    assert page.inner_text("#count-articles") == "2"
    shot(page, "index")
    assert_clean(browser_page)


@pytest.mark.browser
def test_openapi_docs_render_offline(live_server: str, browser_page: Any) -> None:
    """/docs uses the vendored swagger-ui: the operations list renders, nothing off-host."""
    page = browser_page.page
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.eval_on_selector_all(
        ".opblock-summary-path", "els => els.map(e => e.textContent)"
    )
    assert any("/sparql" in p for p in paths)
    shot(page, "docs")
    assert browser_page.offhost == [], browser_page.offhost
    assert browser_page.errors == [] and browser_page.failed == [], (
        browser_page.errors,
        browser_page.failed,
    )
