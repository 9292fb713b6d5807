"""An entity's panel: its names, relations by predicate, articles and quotes.

Plain dicts out, read with SPARQL through the :class:`~kg.store.base.Store`
protocol; entity IRIs pass :func:`~kg.analytics.convert.check_iri` first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.analytics.convert import check_iri
from kg.analytics.records import (
    Iri,
    _brief,
    _local_name,
    _names,
    _rows,
    _values,
)
from kg.config import DEFAULT_BASE_IRI
from kg.errors import NotFoundError

if TYPE_CHECKING:
    from kg.store.base import Store

__all__ = ["entity_panel"]


# -- entity panel ---------------------------------------------------------------------

_ENTITY_STATEMENTS = """
SELECT ?st ?dir (SAMPLE(?p_) AS ?p) (SAMPLE(?other_) AS ?other)
  (SAMPLE(?plabel_) AS ?plabel) (SAMPLE(?conf_) AS ?conf) (SAMPLE(?neg_) AS ?neg)
  (SAMPLE(?mod_) AS ?mod) (SAMPLE(?otext_) AS ?otext) (SAMPLE(?by_) AS ?by)
  (SAMPLE(?text_) AS ?text) (SAMPLE(?idx_) AS ?idx) (SAMPLE(?aid_) AS ?aid)
  (SAMPLE(?title_) AS ?title) (SAMPLE(COALESCE(?sdate, ?adate)) AS ?date)
WHERE {
  VALUES ?e { %s }
  { ?st rdf:subject ?e ; rdf:object ?other_ . BIND("out" AS ?dir) }
  UNION { ?st rdf:object ?e ; rdf:subject ?other_ . BIND("in" AS ?dir) }
  ?st a kg:Statement ; rdf:predicate ?p_ .
  OPTIONAL { ?p_ rdfs:label ?plabel_ }
  OPTIONAL { ?st kg:confidence ?conf_ }
  OPTIONAL { ?st kg:negated ?neg_ }
  OPTIONAL { ?st kg:modality ?mod_ }
  OPTIONAL { ?st kg:objectText ?otext_ }
  OPTIONAL { ?st prov:wasAttributedTo ?by_ }
  OPTIONAL { ?st dcterms:date ?sdate }
  OPTIONAL { ?st prov:wasDerivedFrom ?sent .
    OPTIONAL { ?sent schema:text ?text_ }
    OPTIONAL { ?sent kg:sentenceIndex ?idx_ }
    OPTIONAL { ?sent schema:isPartOf ?art .
      OPTIONAL { ?art schema:identifier ?aid_ }
      OPTIONAL { ?art schema:headline ?title_ }
      OPTIONAL { ?art schema:datePublished ?adate } } }
} GROUP BY ?st ?dir
"""

_ENTITY_ARTICLES = """
SELECT ?a (SAMPLE(?id_) AS ?id) (SAMPLE(?title_) AS ?title) (SAMPLE(?date_) AS ?date)
  (SAMPLE(?source_) AS ?source) (SAMPLE(?url_) AS ?url)
WHERE {
  VALUES ?e { %s }
  { ?a schema:mentions ?e } UNION { ?a schema:publisher ?e }
  ?a a schema:NewsArticle ; schema:identifier ?id_ .
  OPTIONAL { ?a schema:headline ?title_ }
  OPTIONAL { ?a schema:datePublished ?date_ }
  OPTIONAL { ?a schema:publisher/rdfs:label ?source_ }
  OPTIONAL { ?a schema:url ?url_ }
} GROUP BY ?a
"""

_ENTITY_QUOTES = """
SELECT ?q (SAMPLE(?text_) AS ?text) (SAMPLE(?stext_) AS ?sentence)
  (SAMPLE(?idx_) AS ?idx) (SAMPLE(?aid_) AS ?aid) (SAMPLE(?title_) AS ?title)
  (SAMPLE(?date_) AS ?date) (SAMPLE(?verb_) AS ?verb)
WHERE {
  VALUES ?e { %s }
  ?q a kg:Quote ; kg:speaker ?e ; schema:text ?text_ .
  OPTIONAL { ?q kg:reportingVerb ?verb_ }
  OPTIONAL { ?q prov:wasDerivedFrom ?sent .
    OPTIONAL { ?sent schema:text ?stext_ }
    OPTIONAL { ?sent kg:sentenceIndex ?idx_ }
    OPTIONAL { ?sent schema:isPartOf ?art .
      OPTIONAL { ?art schema:identifier ?aid_ }
      OPTIONAL { ?art schema:headline ?title_ }
      OPTIONAL { ?art schema:datePublished ?date_ } } }
} GROUP BY ?q
"""


def entity_panel(
    store: Store, iri: str, *, base: str = DEFAULT_BASE_IRI
) -> dict[str, Any]:
    """Everything the store says about one entity.

    Returns:
        ``{"iri", "id", "label", "aliases", "type", "roles", "relations",
        "articles", "quotes"}``. ``relations`` is a list of groups
        ``{"label", "predicate", "items"}`` (most statements first); each item is
        ``{"predicate", "label", "direction": "out" | "in", "negated", "other":
        {"iri", "id", "label", "type"}, "statements": [{"statement",
        "confidence", "negated", "modality", "sentence", "sentence_index",
        "article_id", "article_title", "date", "attributed_to"}]}``; a literal
        object has ``iri``, ``id`` and ``type`` None. ``articles`` are
        ``{"id", "title", "date", "source", "url"}`` (newest first), ``quotes``
        ``{"text", "sentence", "sentence_index", "article_id", "article_title",
        "date", "reporting_verb"}``.

    Raises:
        InputError: ``iri`` is not an IRI.
        NotFoundError: no entity has this IRI.

    Example:
        >>> from kg.store import EmbeddedStore
        >>> entity_panel(EmbeddedStore(None), "urn:x:y")
        Traceback (most recent call last):
        kg.errors.NotFoundError: no entity with IRI <urn:x:y> in the store
    """
    me = _names(store, [check_iri(iri)], base)[iri]
    if not me["typed"]:
        raise NotFoundError(f"no entity with IRI <{iri}> in the store")
    rows = _rows(store, _ENTITY_STATEMENTS % _values([iri]))
    people = {r[k] for r in rows for k in ("other", "by") if isinstance(r[k], Iri)}
    names = _names(store, people, base)
    panel = {k: me[k] for k in ("iri", "id", "label", "aliases", "type", "roles")}
    panel["relations"] = _group_relations(rows, names)
    panel["articles"] = sorted(
        (_article(r) for r in _rows(store, _ENTITY_ARTICLES % _values([iri]))),
        key=lambda a: (a["date"] or "", a["id"]),
        reverse=True,
    )
    panel["quotes"] = sorted(
        (
            {
                "text": r["text"],
                "sentence": r["sentence"],
                "sentence_index": r["idx"],
                "article_id": r["aid"],
                "article_title": r["title"],
                "date": r["date"],
                "reporting_verb": r["verb"],
            }
            for r in _rows(store, _ENTITY_QUOTES % _values([iri]))
        ),
        key=lambda q: (
            q["date"] or "",
            q["article_id"] or "",
            q["sentence_index"] or 0,
        ),
    )
    return panel


def _group_relations(
    rows: list[dict[str, Any]], names: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    items: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        other = r["other"]
        if isinstance(other, Iri):
            brief = _brief(names[other])
        else:  # a literal object phrase
            brief = {
                "iri": None,
                "id": None,
                "label": r["otext"] or other,
                "type": None,
            }
        label = r["plabel"] or _local_name(r["p"]).replace("_", " ")
        key = (label, r["dir"], brief["iri"] or brief["label"], bool(r["neg"]))
        item = items.setdefault(
            key,
            {
                "predicate": r["p"],
                "label": label,
                "direction": r["dir"],
                "negated": bool(r["neg"]),
                "other": brief,
                "statements": [],
            },
        )
        item["statements"].append(
            {
                "statement": r["st"],
                "confidence": r["conf"],
                "negated": bool(r["neg"]),
                "modality": r["mod"] or "asserted",
                "sentence": r["text"],
                "sentence_index": r["idx"],
                "article_id": r["aid"],
                "article_title": r["title"],
                "date": r["date"],
                "attributed_to": _brief(names[r["by"]]) if r["by"] in names else None,
            }
        )
    groups: dict[str, dict[str, Any]] = {}
    for item in items.values():
        item["statements"].sort(
            key=lambda s: (
                s["date"] or "",
                s["article_id"] or "",
                s["sentence_index"] or 0,
            )
        )
        group = groups.setdefault(
            item["label"],
            {"label": item["label"], "predicate": item["predicate"], "items": []},
        )
        group["items"].append(item)
    for group in groups.values():
        group["items"].sort(key=lambda i: (-len(i["statements"]), i["other"]["label"]))
    return sorted(
        groups.values(),
        key=lambda g: (-sum(len(i["statements"]) for i in g["items"]), g["label"]),
    )


def _article(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r.get(k) for k in ("id", "title", "date", "source", "url")}
