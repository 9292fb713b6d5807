"""Server-rendered pages: the overview (``/``), entity and article pages; their JSON.

Pages are Jinja2 templates from ``api/templates`` with autoescaping on: news text
only ever reaches the page escaped. Charts are inline SVG drawn here (no script);
the stylesheet is ``/static/explorer/pages.css``. Nothing is loaded from elsewhere.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep, StoreDep
from api.routes.export import EXPORTS
from kg.analytics.convert import MAX_HOPS
from kg.analytics.documents import (
    article_view,
    entity_iri,
    entity_panel,
    find_mentions,
    name_finders,
    overview,
)
from kg.errors import InputError, NotFoundError
from kg.viz import TYPE_COLOURS

router = APIRouter(tags=["pages"])

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# how much of a big entity the HTML page shows (the JSON has everything)
CAP = {"relations": 30, "evidence": 3, "more": 20, "articles": 50, "quotes": 50}
NAV = (
    ("Overview", "/"),
    ("Graph", "/graph"),
    ("Query", "/query"),
    ("SPARQL", "/sparql"),
    ("API docs", "/docs"),
)


def entity_href(id_: str | None) -> str | None:
    """The page of an entity id, or None (an entity outside our IRIs has none)."""
    return f"/entity/{quote(id_, safe='/')}" if id_ else None


def article_href(article_id: str | None, sentence: int | None = None) -> str:
    anchor = f"#s{sentence}" if sentence is not None else ""
    return f"/article/{quote(article_id or '', safe='')}{anchor}"


def web_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL (safe as a link), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def graph_href(iri: str, hops: int = 1) -> str:
    return "/graph?" + urlencode({"entity": iri, "hops": hops})


def entity_json_href(iri: str) -> str:
    return "/api/entity?" + urlencode({"iri": iri})


def article_json_href(article_id: str) -> str:
    return f"/api/article/{quote(article_id, safe='')}"


def _tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white: ``amount`` 0 is white, 1 the colour."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * amount):02x}" for c in rgb)


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#1f2d3d" if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "#ffffff"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        nav=NAV,
        cap=CAP,
        hops_range=range(1, MAX_HOPS + 1),
        exports=tuple(EXPORTS),
        types={
            name: {"colour": c, "tint": _tint(c, 0.22), "ink": _ink(c)}
            for name, c in TYPE_COLOURS.items()
        },
    )
    env.filters.update(
        entity_href=entity_href,
        article_href=article_href,
        web_url=web_url,
        graph_href=graph_href,
        entity_json_href=entity_json_href,
        article_json_href=article_json_href,
    )
    return env


_ENV = _environment()


def render(name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_ENV.get_template(name).render(**context), status_code=status)


def error_page(exc: InputError | NotFoundError) -> HTMLResponse:
    title = "Not found" if isinstance(exc, NotFoundError) else "Bad request"
    return render("page_error.html", status=exc.status, title=title, message=str(exc))


# -- charts ---------------------------------------------------------------------------


def _nice_max(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^k at or above ``value``."""
    if value <= 1:
        return 1
    step = int(10 ** math.floor(math.log10(value)))
    return next(m * step for m in (1, 2, 5, 10) if m * step >= value)


def timeline(per_month: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(period, count) with empty periods filled: months when the span is three
    years or less, else years, else groups of years (at most 80 bars)."""
    counts = {p["month"]: int(p["statements"]) for p in per_month}
    if not counts:
        return []
    (y0, m0), (y1, m1) = (map(int, k.split("-")) for k in (min(counts), max(counts)))
    if (y1 - y0) * 12 + m1 - m0 < 36:
        months = [(y, m) for y in range(y0, y1 + 1) for m in range(1, 13)]
        months = [(y, m) for y, m in months if (y0, m0) <= (y, m) <= (y1, m1)]
        return [(f"{y}-{m:02d}", counts.get(f"{y}-{m:02d}", 0)) for y, m in months]
    per_year: dict[int, int] = {}
    for key, n in counts.items():
        per_year[int(key[:4])] = per_year.get(int(key[:4]), 0) + n
    size = math.ceil((y1 - y0 + 1) / 80)
    return [
        (
            str(y) if size == 1 else f"{y}–{min(y + size - 1, y1)}",
            sum(per_year.get(y + i, 0) for i in range(size)),
        )
        for y in range(y0, y1 + 1, size)
    ]


def column_chart(
    points: list[tuple[str, int]], *, width: int = 1100, height: int = 230
) -> dict[str, Any]:
    """Geometry of a vertical bar chart in a ``width`` × ``height`` viewBox."""
    left, right, top, bottom = 40, 8, 24, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((n for _, n in points), default=0))
    band = plot_w / max(len(points), 1)
    every = max(1, math.ceil(len(points) / 12))  # axis labels that do not collide
    bar_w = min(max(band * 0.76, 1), 60)
    bars = []
    for i, (label, n) in enumerate(points):
        h = plot_h * n / top_value
        x = left + i * band
        bars.append(
            {
                "label": label,
                "value": n,
                "x": round(x + (band - bar_w) / 2, 1),
                "w": round(bar_w, 1),
                "y": round(top + plot_h - h, 1),
                "h": round(h, 1),
                "cx": round(x + band / 2, 1),
                "tick": i % every == 0,
            }
        )
    font = 11 if band >= 20 else 9
    _place_values(bars, font)
    ticks = [
        {"value": v, "y": round(top + plot_h - plot_h * v / top_value, 1)}
        for v in (0, top_value // 2, top_value)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "base": top + plot_h,
        "bars": bars,
        "ticks": list({t["value"]: t for t in ticks}.values()),
        "font": font,
    }


def _place_values(bars: list[dict[str, Any]], font: int) -> None:
    """Set ``vy``, the baseline of each bar's number: just above the bar, or above
    the previous number when the two would touch."""
    prev: dict[str, Any] | None = None
    for bar in bars:
        bar["vy"] = bar["y"] - 4
        if not bar["value"]:
            continue
        half = len(str(bar["value"])) * font * 0.33
        if (
            prev is not None
            and bar["cx"] - half < prev["cx"] + prev["half"] + 1
            and abs(bar["vy"] - prev["vy"]) < font + 1
        ):
            bar["vy"] = min(bar["vy"], prev["vy"]) - font - 1
        bar["half"] = half
        prev = bar


def bar_chart(
    rows: list[dict[str, Any]], *, width: int = 540, label_w: int = 150
) -> dict[str, Any]:
    """Geometry of a horizontal bar chart; rows are ``{"label", "value", ...}``."""
    row_h, pad = 26, 6
    top_value = max((r["value"] for r in rows), default=0) or 1
    plot_w = width - label_w - 50
    fits = int(label_w / 7.5)  # characters of a 12px label
    bars = [
        {
            **r,
            "short": r["label"]
            if len(r["label"]) <= fits
            else r["label"][: fits - 1] + "…",
            "y": pad + i * row_h,
            "w": round(max(plot_w * r["value"] / top_value, 1), 1),
        }
        for i, r in enumerate(rows)
    ]
    for bar in bars:
        bar["end"] = label_w + bar["w"]
    return {
        "width": width,
        "height": pad * 2 + row_h * len(rows),
        "x": label_w,
        "row_h": row_h,
        "bars": bars,
    }


# -- routes ---------------------------------------------------------------------------


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="Overview: counts, charts, top actors and predicates, links",
)
def index(store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    """Counts, statements over time and per source, entity types, top actors."""
    data = overview(store, base=settings.base_iri)
    no_source = "(no publisher)"
    charts = {
        "time": column_chart(timeline(data["statements_per_month"])),
        "sources": bar_chart(
            [
                {"label": s["source"] or no_source, "value": s["statements"], **s}
                for s in data["statements_per_source"]
            ]
        ),
        "articles": bar_chart(
            [
                {"label": s["source"] or no_source, "value": s["articles"], **s}
                for s in data["articles_per_source"]
            ]
        ),
        "types": bar_chart(
            [
                {"label": t, "value": n, "type": t}
                for t, n in data["entities_by_type"].items()
            ],
            label_w=120,
        ),
    }
    return render("page_index.html", data=data, charts=charts, current="/")


@router.get("/api/overview", summary="Counts and top lists (JSON)")
def overview_json(store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """What the overview page shows, as JSON."""
    return {"ok": True, **overview(store, base=settings.base_iri)}


@router.get(
    "/entity/{entity_id:path}",
    response_class=HTMLResponse,
    summary="Entity page",
)
def entity_page(entity_id: str, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    """Names, type, roles, relations with their sentences, articles and quotes of an
    entity, by its id (``person/cecile-bossy``)."""
    try:
        iri = entity_iri(entity_id, base=settings.base_iri)
        panel = entity_panel(store, iri, base=settings.base_iri)
    except (InputError, NotFoundError) as exc:
        return error_page(exc)
    mark_evidence(panel)
    return render("page_entity.html", e=panel)


@router.get("/api/entity", summary="Everything about one entity (JSON)")
def entity_json(
    store: StoreDep,
    settings: SettingsDep,
    iri: Annotated[str, Query(description="the entity's IRI")],
) -> dict[str, Any]:
    """Names, type, roles, relations grouped by predicate, articles and quotes."""
    return {"ok": True, **entity_panel(store, iri, base=settings.base_iri)}


@router.get(
    "/article/{article_id:path}",
    response_class=HTMLResponse,
    summary="Article page",
)
def article_page(
    article_id: str, store: StoreDep, settings: SettingsDep
) -> HTMLResponse:
    """The article's text with its entity mentions marked, its statements and quotes."""
    try:
        view = article_view(store, article_id, base=settings.base_iri)
    except (InputError, NotFoundError) as exc:
        return error_page(exc)
    return render(
        "page_article.html",
        a=view,
        paragraphs=paragraphs(view["sentences"]),
        legend=legend(view),
    )


@router.get("/api/article/{article_id:path}", summary="One article (JSON)")
def article_json(
    article_id: str, store: StoreDep, settings: SettingsDep
) -> dict[str, Any]:
    """Sentences with mentions, statements and quotes of one article."""
    return {"ok": True, **article_view(store, article_id, base=settings.base_iri)}


def legend(view: dict[str, Any]) -> list[str]:
    """The entity types marked in an article, in the order of ``TYPE_COLOURS``."""
    seen = {m["type"] for s in view["sentences"] for m in s["mentions"]}
    return [t for t in TYPE_COLOURS if t in seen]


def paragraphs(sentences: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Sentences in paragraphs (a gap of two or more characters starts one), each
    with its ``parts``: ``(text, mention or None)`` in order."""
    out: list[list[dict[str, Any]]] = []
    end = None
    for s in sentences:
        begin = s["begin"]
        if not out or (end is not None and begin is not None and begin - end > 1):
            out.append([])
        end = s["end"]
        spans = [(m["begin"], m["end"], m) for m in s["mentions"]]
        out[-1].append({**s, "parts": split(s["text"], spans)})
    return out


def split(text: str, spans: list[tuple[int, int, Any]]) -> list[tuple[str, Any]]:
    """``text`` cut at the sorted, non-overlapping ``spans``: ``(piece, payload or
    None)``, empty pieces left out."""
    parts: list[tuple[str, Any]] = []
    at = 0
    for begin, end, payload in spans:
        parts += [(text[at:begin], None), (text[begin:end], payload)]
        at = end
    parts.append((text[at:], None))
    return [p for p in parts if p[0]]


def mark_evidence(panel: dict[str, Any]) -> None:
    """Give each statement's sentence ``parts`` with the entity and the other side
    of the relation marked (by label and other names)."""
    me = {k: panel[k] for k in ("iri", "label", "type")}
    for group in panel["relations"]:
        for item in group["items"][: CAP["relations"]]:
            who = {me["iri"]: me}
            names = {me["iri"]: [panel["label"], *panel["aliases"]]}
            if item["other"]["iri"]:
                who[item["other"]["iri"]] = item["other"]
                names[item["other"]["iri"]] = [item["other"]["label"]]
            finders = name_finders(names)
            for st in item["statements"][: CAP["evidence"] + CAP["more"]]:
                text = st["sentence"] or ""
                spans = [(b, e, who[k]) for b, e, k in find_mentions(text, finders)]
                st["parts"] = split(text, spans)
