"""Named SPARQL queries used by the CLI and the API."""

from __future__ import annotations

from typing import Any

from kg.store.base import Store

_COUNT = "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"
_PATTERNS = {
    "articles": "?x a schema:NewsArticle",
    "sentences": "?x a kg:Sentence",
    "entities": "?x a ?c . FILTER(?c IN (schema:Person, schema:Organization, "
    "schema:Place, schema:Event, kg:Group, schema:Product, schema:CreativeWork))",
    "statements": "?x a kg:Statement",
    "asserted relations": "?x ?p ?o . ?p a kg:Relation",
    "quotes": "?x a kg:Quote",
}
_BY_TYPE = """
SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?x a ?c . FILTER(?c IN (schema:Person, schema:Organization, schema:Place,
                          schema:Event, kg:Group, schema:Product, schema:CreativeWork))
} GROUP BY ?c ORDER BY DESC(?n)
"""


def _count(store: Store, pattern: str) -> int:
    for row in store.query(_COUNT.format(pattern=pattern)):
        return int(row["n"].value)
    return 0


def graph_stats(store: Store) -> dict[str, Any]:
    """Counts of what the store holds, with entities broken down by type."""
    counts: dict[str, Any] = {k: _count(store, p) for k, p in _PATTERNS.items()}
    counts["entities by type"] = {
        str(row["c"].value).rsplit("/", 1)[-1].rsplit("#", 1)[-1]: int(row["n"].value)
        for row in store.query(_BY_TYPE)
    }
    counts["named graphs"] = sum(1 for _ in store.graphs())
    return counts
