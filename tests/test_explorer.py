"""The actor-graph explorer in real Chromium over the seeded store.

One walk through what an analyst does: open ``/graph``, filter by type, click an
actor, click an arrow and read its sentence, open the entity and article pages,
find a path between two actors, move the date filter, download GraphML. Every
page: no console error, no failed request, nothing off the host. Screenshots land
in artifacts/screenshots/explorer-*.png.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import networkx as nx
import pytest

from tests.conftest import shot
from tests.test_pages import CENTRE_ON_EDGE, CLEAREST_EDGE, EDGE_MIDDLE

pytestmark = pytest.mark.browser

DRAWN = "() => document.body.getAttribute('data-drawn') === '1'"
NODE_POINT = """(id) => { const d = network.canvasToDOM(network.getPositions([id])[id]);
  const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();
  return {x: r.left + d.x, y: r.top + d.y}; }"""


def open_page(rec: Any, url: str) -> Any:
    page = rec.page
    page.goto(url)
    page.wait_for_function(DRAWN)
    return page


def clean(rec: Any) -> None:
    assert rec.offhost == [], f"requests off the host: {rec.offhost}"
    assert rec.errors == [], rec.errors
    assert rec.failed == [], rec.failed


@pytest.fixture(scope="module")
def view(live_server: str) -> dict[str, Any]:
    r = httpx.get(f"{live_server}/api/graph", params={"top": 1000}, timeout=60)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_graph_filter_node_and_edge(
    live_server: str, browser_page: Any, view: dict[str, Any]
) -> None:
    page = open_page(browser_page, f"{live_server}/graph")
    total = page.evaluate("nodes.length")
    assert total > 20 and page.evaluate("edges.length") > 10
    assert "actors" in page.inner_text("#summary")
    shot(page, "explorer-graph")

    # filter by type: only Person nodes remain
    page.check("#legend-type input[value=Person]")
    with page.expect_navigation():
        page.click("#apply")
    page.wait_for_function(DRAWN)
    assert "type=Person" in page.url
    types = set(page.evaluate("nodes.get().map((n) => n.type)"))
    assert types == {"Person"}, types
    shot(page, "explorer-filter-person")

    # click the most central actor: its panel lists relations and articles
    page = open_page(browser_page, f"{live_server}/graph")
    hub = page.evaluate("nodes.get().sort((a, b) => b.score - a.score)[0]")
    point = page.evaluate(NODE_POINT, hub["id"])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#panel:not([hidden]) .articles li")
    assert page.inner_text("#panel-title") == hub["label"]
    assert page.locator("#panel a.hop").count() == 3
    shot(page, "explorer-node-panel")

    # click an arrow: every sentence behind it, with the parts marked
    page.keyboard.press("Escape")
    edge_id = page.evaluate(CLEAREST_EDGE)
    page.evaluate(CENTRE_ON_EDGE, edge_id)
    edge = page.evaluate(EDGE_MIDDLE, edge_id)
    page.mouse.click(edge["x"], edge["y"])
    page.wait_for_selector("#panel[data-kind=edge] .evidence .sentence")
    sentence = page.inner_text("#panel .evidence .sentence >> nth=0")
    assert len(sentence) > 20
    assert page.locator("#panel .evidence mark").count() >= 1
    assert page.locator("#panel .evidence a.article-link").count() >= 1
    shot(page, "explorer-edge-panel")
    clean(browser_page)


def test_hover_shows_a_tooltip_and_colours_follow_the_switch(
    live_server: str, browser_page: Any
) -> None:
    page = open_page(browser_page, f"{live_server}/graph")
    hub = page.evaluate("nodes.get().sort((a, b) => b.score - a.score)[0]")
    assert page.evaluate("nodes.get().filter((n) => n.title).length") == 0  # lazy
    point = page.evaluate(NODE_POINT, hub["id"])
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=4)
    tip = page.wait_for_selector("div.vis-tooltip", state="visible")
    assert hub["label"] in tip.inner_text()
    assert "relations" in tip.inner_text()
    # colour by community: every actor moves to a community group, and back
    groups = "nodes.get().map((n) => n.group[0])"
    assert set(page.evaluate(groups)) == {"t"}
    page.select_option("#colour-by", "community")
    assert set(page.evaluate(groups)) == {"c"}
    assert not page.is_hidden("#legend-community")
    page.select_option("#colour-by", "type")
    assert set(page.evaluate(groups)) == {"t"}
    clean(browser_page)


def test_keyboard_find_opens_the_panel_and_escape_closes_it(
    live_server: str, browser_page: Any, view: dict[str, Any]
) -> None:
    page = open_page(browser_page, f"{live_server}/graph")
    label = page.evaluate("nodes.get().sort((a, b) => b.score - a.score)[0].label")
    page.focus("#find")
    page.keyboard.type(label)
    page.keyboard.press("Enter")
    page.wait_for_selector("#panel:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "panel"
    page.keyboard.press("Tab")  # into the panel's links
    assert page.evaluate("document.activeElement.closest('#panel') !== null")
    page.keyboard.press("Escape")
    assert page.is_hidden("#panel")
    clean(browser_page)


def test_entity_and_article_pages_from_the_panel(
    live_server: str, browser_page: Any
) -> None:
    page = open_page(browser_page, f"{live_server}/graph")
    hub = page.evaluate("nodes.get().sort((a, b) => b.score - a.score)[0].id")
    page.evaluate("(id) => kgOpenNode(id)", hub)
    page.wait_for_selector("#panel .articles li a")
    with page.expect_navigation():
        page.click("#panel a.entity-link")
    assert "/entity/" in page.url
    shot(page, "explorer-entity")
    with page.expect_navigation():
        page.click("a[href^='/article/'] >> nth=0")
    assert "/article/" in page.url
    assert page.locator("mark").count() >= 1  # mentions highlighted
    shot(page, "explorer-article")
    clean(browser_page)


def test_path_between_two_actors(
    live_server: str, browser_page: Any, view: dict[str, Any]
) -> None:
    g = nx.Graph()
    g.add_edges_from((e["from"], e["to"]) for e in view["edges"])
    hub = max(g, key=g.degree)
    reach = nx.single_source_shortest_path_length(g, hub)
    far = min(
        ((n, d) for n, d in reach.items() if d == min(3, max(reach.values()))),
        key=lambda kv: kv[0],
    )
    assert far[1] >= 2, "the seeds should hold a chain of at least two relations"
    labels = {n["id"]: n["label"] for n in view["nodes"]}
    page = browser_page.page
    page.goto(
        f"{live_server}/graph/path?from={quote(labels[hub])}&to={quote(labels[far[0]])}"
    )
    page.wait_for_function(DRAWN)
    steps = page.locator("#paths li.path >> nth=0").locator("li.step")
    assert steps.count() == far[1]
    page.click(".evidence-button >> nth=0")
    page.wait_for_selector("#panel .evidence .sentence")
    shot(page, "explorer-path")
    clean(browser_page)


def test_date_filter_and_graphml_download(
    live_server: str, browser_page: Any, tmp_path: Path
) -> None:
    page = open_page(browser_page, f"{live_server}/graph")
    before = page.evaluate("edges.get().reduce((n, e) => n + e.count, 0)")
    bars = page.locator("#timeline a.bar-link")
    assert bars.count() >= 2, "the seeds span several months"
    with page.expect_navigation():
        bars.nth(0).click()
    page.wait_for_function(DRAWN)
    assert "from=" in page.url and "to=" in page.url
    after = page.evaluate("edges.get().reduce((n, e) => n + e.count, 0)")
    assert 0 < after < before
    shot(page, "explorer-date-filter")
    with page.expect_download() as info:
        page.click("#download-graphml")
    path = tmp_path / "view.graphml"
    info.value.save_as(path)
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == page.evaluate("nodes.length")
    clean(browser_page)


def test_view_json_is_seeded_and_stable(live_server: str) -> None:
    a = httpx.get(f"{live_server}/api/graph", timeout=60).json()
    b = httpx.get(f"{live_server}/api/graph", timeout=60).json()
    assert json.dumps(a["nodes"]) == json.dumps(b["nodes"])  # same layout on reload
