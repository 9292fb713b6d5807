"""The overview, entity and article pages: in process (fast), then in headless
Chromium over the seeded store and over a store full of hostile text.

Screenshots land in artifacts/screenshots/ (overview, entity-*, article-*, hostile-*).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from api.main import create_app
from api.routes.pages import bar_chart, column_chart, timeline, web_url
from kg.config import Settings
from kg.graph.iris import Minter
from kg.store import EmbeddedStore
from kg.viz import TYPE_COLOURS
from kg.vocab import KG, NIF, SCHEMA
from tests.conftest import LiveServer, shot
from tests.test_api import BOSSY, ERROR_KEYS, load_sample

with warnings.catch_warnings():  # starlette warns that httpx should become httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CALAIS = "seed-calais-expulsions"
RATHKE = "person/jeff-rathke"
_CDN = re.compile(
    r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//"
)
_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
NAV = ('href="/"', 'href="/graph"', 'href="/query"', 'href="/sparql"', 'href="/docs"')


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = load_sample(EmbeddedStore(None))
    with TestClient(create_app(Settings(store="unused"), store=store)) as c:
        yield c
    store.close()


def assert_error(response: Any, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS and body["ok"] is False
    assert body["status"] == status and fragment in body["error"]


# -- in process -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/entity/person/cecile-bossy", "/article/afp-001", "/article/rtr-002"]
)
def test_pages_are_self_contained_html_with_the_nav(
    client: TestClient, path: str
) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for href in NAV:
        assert href in r.text
    assert 'href="/static/explorer/pages.css"' in r.text
    assert not _CDN.search(r.text), "no asset from elsewhere"
    assert not _HANDLER.search(r.text), "no inline event handler"
    assert "<script" not in r.text


def test_pages_stylesheet_is_served(client: TestClient) -> None:
    r = client.get("/static/explorer/pages.css")
    assert r.status_code == 200 and "mark.ent" in r.text


def test_entity_json(client: TestClient) -> None:
    body = client.get("/api/entity", params={"iri": BOSSY}).json()
    assert body["ok"] is True and body["label"] == "Cecile Bossy"
    assert body["roles"] == ["prefect"] and body["aliases"] == ["Bossy"]
    assert {a["id"] for a in body["articles"]} == {"afp-001", "rtr-002"}
    accused = [g for g in body["relations"] if g["label"] == "accuse of"]
    assert accused[0]["items"][0]["direction"] == "in"


def test_article_json(client: TestClient) -> None:
    body = client.get("/api/article/afp-001").json()
    assert body["ok"] is True and body["title"] == "Police clear migrant camp in Calais"
    assert body["url"] == "https://news.example/afp-001"
    marks = [m["text"] for s in body["sentences"] for m in s["mentions"]]
    assert marks == ["French police", "migrants", "Calais", "Cecile Bossy", "AFP"]
    assert body["quotes"][0]["speaker"]["id"] == "person/cecile-bossy"


def test_overview_json(client: TestClient) -> None:
    body = client.get("/api/overview").json()
    assert body["ok"] is True and body["counts"]["articles"] == 2


@pytest.mark.parametrize(
    ("path", "params", "status", "fragment"),
    [
        (
            "/api/entity",
            {"iri": "https://kg.example/id/person/nobody"},
            404,
            "no entity",
        ),
        ("/api/entity", {"iri": "nobody"}, 400, "not an absolute IRI"),
        ("/api/entity", {}, 400, "invalid request"),
        ("/api/article/nope", {}, 404, "no article with id 'nope'"),
        ("/api/article/a%00b", {}, 400, "not an article id"),
    ],
)
def test_api_errors_have_the_error_shape(
    client: TestClient, path: str, params: dict[str, str], status: int, fragment: str
) -> None:
    assert_error(client.get(path, params=params), status, fragment)


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/entity/person/nobody", 404, "no entity with IRI"),
        ("/entity/Person/x", 400, "not an entity id"),
        ("/article/nope", 404, "no article with id"),
    ],
)
def test_html_routes_answer_an_html_error_page(
    client: TestClient, path: str, status: int, text: str
) -> None:
    r = client.get(path)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert text in r.text and 'href="/"' in r.text


def test_negated_and_hedged_statements_are_styled(client: TestClient) -> None:
    html = client.get("/article/rtr-002").text
    assert 'class="statement hedged"' in html  # "help" is reported
    assert '<em class="modality">reported</em>' in html


def test_entity_page_folds_long_evidence_lists() -> None:
    """Five sentences behind one relation: three shown, two behind "2 more"."""
    mint = Minter("https://kg.example/")
    a, b = mint.entity("Person", "Ann Lee"), mint.entity("Person", "Bo Ray")
    pred, art = mint.predicate("meet"), mint.article("meetings")
    ds = Dataset()
    g = ds.graph(mint.article_graph("meetings"))
    for t in [
        (art, RDF.type, SCHEMA.NewsArticle),
        (art, SCHEMA.identifier, Literal("meetings")),
        (a, RDF.type, SCHEMA.Person),
        (a, RDFS.label, Literal("Ann Lee")),
        (b, RDF.type, SCHEMA.Person),
        (b, RDFS.label, Literal("Bo Ray")),
        (pred, RDFS.label, Literal("meet")),
    ]:
        g.add(t)
    for i in range(5):
        sent, st = mint.sentence("meetings", i), mint.statement("meetings", str(i))
        for t in [
            (sent, RDF.type, KG.Sentence),
            (sent, SCHEMA.text, Literal(f"Ann Lee met Bo Ray, time {i}.")),
            (sent, KG.sentenceIndex, Literal(i)),
            (sent, SCHEMA.isPartOf, art),
            (st, RDF.type, KG.Statement),
            (st, RDF.subject, a),
            (st, RDF.predicate, pred),
            (st, RDF.object, b),
            (st, PROV.wasDerivedFrom, sent),
        ]:
            g.add(t)
    store = EmbeddedStore(None)
    store.put_graph(str(g.identifier), g)
    with TestClient(create_app(Settings(store="unused"), store=store)) as c:
        html = c.get("/entity/person/ann-lee").text
    store.close()
    shown, folded = html.split('<details class="more">')
    assert shown.count('class="evidence') == 3 and folded.count('class="evidence') == 2
    assert "2 more sentences" in folded
    assert '<mark class="hl type-Person">Bo Ray</mark>' in shown


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://news.example/a", True),
        ("http://news.example/a", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,x", False),
        ("//news.example/a", False),
        ("https://", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url: str | None, safe: bool) -> None:
    assert (web_url(url) is not None) is safe


def test_timeline_fills_months_then_years() -> None:
    months = timeline(
        [{"month": "2014-05", "statements": 3}, {"month": "2014-08", "statements": 1}]
    )
    assert months == [("2014-05", 3), ("2014-06", 0), ("2014-07", 0), ("2014-08", 1)]
    years = timeline(
        [{"month": "2006-01", "statements": 2}, {"month": "2015-09", "statements": 5}]
    )
    assert years[0] == ("2006", 2) and years[-1] == ("2015", 5) and len(years) == 10
    wide = timeline(
        [{"month": "1900-01", "statements": 1}, {"month": "2050-01", "statements": 1}]
    )
    assert len(wide) <= 80 and sum(n for _, n in wide) == 2
    assert timeline([]) == []


def test_charts_scale_to_the_largest_value() -> None:
    chart = column_chart([("a", 5), ("b", 10), ("c", 0)])
    heights = [b["h"] for b in chart["bars"]]
    assert heights[1] == 2 * heights[0] and heights[2] == 0
    assert all(b["y"] + b["h"] == chart["base"] for b in chart["bars"])
    bars = bar_chart([{"label": "x" * 40, "value": 4}, {"label": "y", "value": 2}])
    assert bars["bars"][0]["w"] == 2 * bars["bars"][1]["w"]
    assert len(bars["bars"][0]["short"]) == 20 and bars["bars"][1]["short"] == "y"


# -- in Chromium, over the seeded store ------------------------------------------------


def assert_clean(rec: Any) -> None:
    assert rec.offhost == [], f"page tried to leave the host: {rec.offhost}"
    assert rec.errors == [], rec.errors
    assert rec.failed == [], rec.failed


def open_page(rec: Any, url: str) -> Any:
    page = rec.page
    page.on(
        "dialog", lambda d: rec.errors.append(f"dialog: {d.message}") or d.dismiss()
    )
    page.goto(url)
    page.wait_for_load_state("load")
    return page


BARS = """(sel) => [...document.querySelectorAll(sel + ' rect.bar')].map(r => ({
  h: r.getBBox().height, w: r.getBBox().width,
  title: r.querySelector('title') && r.querySelector('title').textContent }))"""


@pytest.mark.browser
def test_overview_page_draws_counts_and_charts(
    live_server: str, browser_page: Any
) -> None:
    page = open_page(browser_page, live_server)
    assert page.inner_text("#count-articles") == "25"
    assert int(page.inner_text("#count-relations")) > 100
    assert int(page.inner_text("#count-entities")) > 100
    for chart, unit in (
        ("#chart-time", "statements"),
        ("#chart-sources", "statements"),
        ("#chart-articles", "articles"),
        ("#chart-types", "entities"),
    ):
        assert page.is_visible(chart)
        bars = page.evaluate(BARS, chart)
        drawn = [b for b in bars if b["h"] > 0 and b["w"] > 0]
        assert len(drawn) >= 2, (chart, bars)
        assert all(b["title"] and b["title"].endswith(unit) for b in bars)
    sources = page.text_content("#chart-sources") or ""
    assert "Wikinews" in sources and "AFP" in sources
    time_numbers = page.eval_on_selector_all(
        "#chart-time text.value", "ts => ts.map(t => +t.textContent)"
    )
    assert sum(time_numbers) == int(page.inner_text("#count-relations"))
    for href in ("/graph", "/sparql", "/docs", "/export.ttl", "/query"):
        assert page.locator(f'a[href="{href}"]').count() >= 1
    assert shot(page, "overview").stat().st_size > 20_000
    first = page.locator("#top-actors a.entity").first
    name = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert "/entity/" in page.url and page.inner_text("h1") == name.strip()
    assert_clean(browser_page)


@pytest.mark.browser
def test_entity_page_shows_names_relations_evidence_and_links(
    live_server: str, browser_page: Any
) -> None:
    page = open_page(browser_page, f"{live_server}/entity/person/cecile-bossy")
    head = page.inner_text("header.page-head")
    assert "Cecile Bossy" in head and "Bossy" in head and "PERSON" in head.upper()
    relations = page.inner_text("#relations")
    assert "told AFP at the scene" in relations
    assert "French police begin expelling migrants from Calais camps" in relations
    hops = page.eval_on_selector_all(
        "#graph-links a", "as => as.map(a => a.getAttribute('href'))"
    )
    assert hops == [
        f"/graph?entity={quote(BOSSY, safe='')}&hops={h}" for h in (1, 2, 3)
    ]
    assert "anything but professional" in page.inner_text("#quotes")
    shot(page, "entity-cecile-bossy")
    link = page.locator("#relations blockquote.evidence .meta a").first
    with page.expect_navigation():
        link.click()
    assert unquote(page.url).endswith(f"/article/{CALAIS}#s3")
    assert page.evaluate("document.querySelector(':target').id") == "s3"
    assert "Cecile Bossy" in page.inner_text("#s3")
    assert_clean(browser_page)


@pytest.mark.browser
def test_entity_page_marks_negated_relations(
    live_server: str, browser_page: Any
) -> None:
    page = open_page(browser_page, f"{live_server}/entity/{RATHKE}")
    denied = page.locator("li.relation.negated").first
    assert "not turn away" in denied.inner_text()
    style = "(e) => getComputedStyle(e).backgroundColor"
    negated_bg = denied.locator("blockquote.evidence").evaluate(style)
    plain = page.locator("li.relation:not(.negated) blockquote.evidence").first
    assert negated_bg != plain.evaluate(style)
    assert (
        page.locator("li.relation:not(.negated) .predicate", has_text="not ").count()
        == 0
    )
    shot(page, "entity-negated")
    assert_clean(browser_page)


@pytest.mark.browser
def test_article_page_marks_mentions_like_displacy(
    live_server: str, browser_page: Any
) -> None:
    page = open_page(browser_page, f"{live_server}/article/{CALAIS}")
    assert (
        page.inner_text("h1")
        == "French police begin expelling migrants from Calais camps"
    )
    marks = page.eval_on_selector_all(
        "#text mark.ent",
        """ms => ms.map(m => ({text: m.textContent, type: m.dataset.type,
            href: m.closest('a') && m.closest('a').getAttribute('href'),
            bg: getComputedStyle(m).backgroundColor,
            border: getComputedStyle(m).borderBottomColor,
            tag: getComputedStyle(m, '::after').content}))""",
    )
    assert len(marks) >= 20
    bossy = next(m for m in marks if m["text"] == "Cecile Bossy")
    assert bossy["type"] == "Person" and bossy["href"] == "/entity/person/cecile-bossy"
    assert bossy["tag"] == '"Person"'  # the type label, displaCy style
    assert bossy["border"] == rgb(TYPE_COLOURS["Person"])
    assert {m["bg"] for m in marks if m["type"] == "Place"} != {
        m["bg"] for m in marks if m["type"] == "Group"
    }
    legend = page.inner_text("#legend").split()
    assert {"PERSON", "ORGANIZATION", "GROUP", "PLACE"} <= {w.upper() for w in legend}
    # the text reads as written: marks add no characters
    assert page.inner_text("#s0").startswith(
        "French police have begun expelling about 650 migrants"
    )
    # two columns on a wide screen: the statements sit beside the text
    text_box = page.locator("#text").bounding_box()
    side_box = page.locator("#statements").bounding_box()
    assert side_box["x"] >= text_box["x"] + text_box["width"]
    statements = page.inner_text("#statements")
    assert "French police" in statements and "expel" in statements
    anchor = page.locator("#statements a[href^='#s']").first.get_attribute("href")
    assert page.locator(anchor).count() == 1
    assert "anything but professional" in page.inner_text("#quotes")
    shot(page, "article-calais")
    with page.expect_navigation():
        page.locator("#text a.ent-link", has_text="Cecile Bossy").first.click()
    assert page.url.endswith("/entity/person/cecile-bossy")
    assert page.inner_text("h1") == "Cecile Bossy"
    assert_clean(browser_page)


def rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


FOCUSED = """() => { const e = document.activeElement;
  return {tag: e.tagName, href: e.getAttribute('href'), text: e.textContent.trim(),
          outline: getComputedStyle(e).outlineStyle}; }"""


@pytest.mark.browser
def test_links_are_reachable_with_tab(live_server: str, browser_page: Any) -> None:
    page = open_page(browser_page, f"{live_server}/article/{CALAIS}")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    assert seen[0]["text"] == "Skip to content"
    hrefs = [f["href"] for f in seen]
    for href in ("/", "/graph", "/query", "/sparql", "/docs"):
        assert href in hrefs
    mentions = [f for f in seen if (f["href"] or "").startswith("/entity/")]
    assert mentions and all(f["tag"] == "A" for f in seen)
    assert all(f["outline"] != "none" for f in seen)  # the focus is visible
    shot(page, "article-keyboard-focus")
    page.keyboard.press("Enter")
    page.wait_for_url("**/entity/**")
    assert_clean(browser_page)


# -- hostile text ---------------------------------------------------------------------

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
HOSTILE_ID = 'evil/1?x=<b>"q"#frag'  # links must quote it
HOSTILE_NAME = f'{IMG} "Q" O\'Neil'
HOSTILE_TITLE = f'{SCRIPT} & "quoted" <b>bold</b>'
HOSTILE_SENTENCE = f"{HOSTILE_NAME} attacked the Council {SCRIPT} today."


def hostile_store() -> EmbeddedStore:
    """One article where every piece of text tries to become markup."""
    mint = Minter("https://kg.example/")
    art, person = mint.article(HOSTILE_ID), mint.entity("Person", HOSTILE_NAME)
    council, pub = (
        mint.entity("Organization", "Council"),
        mint.entity("Organization", IMG),
    )
    sent, pred = mint.sentence(HOSTILE_ID, 0), mint.predicate("attack")
    st, q = mint.statement(HOSTILE_ID, "0"), mint.quote(HOSTILE_ID, "0")
    ds = Dataset()
    g = ds.graph(mint.article_graph(HOSTILE_ID))
    triples: list[tuple[URIRef, URIRef, Any]] = [
        (art, RDF.type, SCHEMA.NewsArticle),
        (art, SCHEMA.identifier, Literal(HOSTILE_ID)),
        (art, SCHEMA.headline, Literal(HOSTILE_TITLE)),
        (art, SCHEMA.datePublished, Literal("2020-01-02", datatype=XSD.date)),
        (art, SCHEMA.url, Literal("javascript:window.__xss=1", datatype=XSD.anyURI)),
        (art, SCHEMA.publisher, pub),
        (art, SCHEMA.mentions, person),
        (art, SCHEMA.mentions, council),
        (pub, RDF.type, SCHEMA.Organization),
        (pub, RDFS.label, Literal(IMG)),
        (person, RDF.type, SCHEMA.Person),
        (person, RDFS.label, Literal(HOSTILE_NAME)),
        (person, SKOS.altLabel, Literal(SCRIPT)),
        (person, SCHEMA.jobTitle, Literal(f"{SCRIPT} minister")),
        (council, RDF.type, SCHEMA.Organization),
        (council, RDFS.label, Literal("Council")),
        (sent, RDF.type, KG.Sentence),
        (sent, SCHEMA.text, Literal(HOSTILE_SENTENCE)),
        (sent, NIF.beginIndex, Literal(0)),
        (sent, NIF.endIndex, Literal(len(HOSTILE_SENTENCE))),
        (sent, KG.sentenceIndex, Literal(0)),
        (sent, SCHEMA.isPartOf, art),
        (pred, RDF.type, KG.Relation),
        (pred, RDFS.label, Literal(f"attack {IMG}")),
        (pred, RDFS.subPropertyOf, KG.related),
        (person, pred, council),
        (st, RDF.type, RDF.Statement),
        (st, RDF.type, KG.Statement),
        (st, RDF.subject, person),
        (st, RDF.predicate, pred),
        (st, RDF.object, council),
        (st, KG.confidence, Literal(0.5, datatype=XSD.double)),
        (st, KG.negated, Literal(False)),
        (st, KG.modality, Literal("asserted")),
        (st, PROV.wasDerivedFrom, sent),
        (q, RDF.type, KG.Quote),
        (q, SCHEMA.text, Literal(f"{SCRIPT} said </blockquote>{IMG}")),
        (q, KG.speaker, person),
        (q, KG.reportingVerb, Literal("say")),
        (q, PROV.wasDerivedFrom, sent),
    ]
    for triple in triples:
        g.add(triple)
    store = EmbeddedStore(None)
    store.put_graph(str(g.identifier), g)
    return store


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[str]:
    store = hostile_store()
    with LiveServer(create_app(Settings(store="unused"), store=store)) as server:
        yield server.url
    store.close()


NO_MARKUP = """() => ({xss: typeof window.__xss,
  scripts: document.querySelectorAll('script').length,
  imgs: document.querySelectorAll('img, b').length,
  js: [...document.querySelectorAll('a[href]')].filter(
        a => !/^(https?:|\\/|#)/.test(a.getAttribute('href'))).length})"""


@pytest.mark.browser
@pytest.mark.parametrize("where", ["overview", "entity", "article"])
def test_hostile_text_is_shown_as_text(
    hostile_server: str, browser_page: Any, where: str
) -> None:
    person = Minter("https://kg.example/").entity("Person", HOSTILE_NAME)
    path = {
        "overview": "/",
        "entity": "/entity/" + str(person).split("/id/", 1)[1],
        "article": "/article/" + quote(HOSTILE_ID, safe=""),
    }[where]
    page = open_page(browser_page, hostile_server + path)
    assert page.evaluate(NO_MARKUP) == {
        "xss": "undefined",
        "scripts": 0,
        "imgs": 0,
        "js": 0,
    }
    body = page.inner_text("main")
    if where == "overview":
        assert HOSTILE_NAME in body  # the top actor
    if where == "entity":
        assert page.inner_text("h1") == HOSTILE_NAME
        assert SCRIPT in page.inner_text("header.page-head")  # alias and role
        assert HOSTILE_SENTENCE in body and f"attack {IMG}" in body
        assert HOSTILE_TITLE in body
        shot(page, "hostile-entity")
        with page.expect_navigation():
            page.locator("#articles a", has_text=HOSTILE_TITLE).click()
        assert page.inner_text("h1") == HOSTILE_TITLE
    if where == "article":
        assert page.inner_text("h1") == HOSTILE_TITLE
        assert page.inner_text("#s0") == HOSTILE_SENTENCE
        assert page.locator("#text mark.ent").first.inner_text() == HOSTILE_NAME
        url = page.locator("#article-url")
        assert url.evaluate("e => e.tagName") == "SPAN"
        assert url.inner_text() == "javascript:window.__xss=1"
        assert f"{SCRIPT} said </blockquote>{IMG}" in page.inner_text("#quotes")
    if where != "entity":
        shot(page, f"hostile-{where}")
    assert_clean(browser_page)
