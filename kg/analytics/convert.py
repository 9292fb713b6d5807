"""Store → networkx: the one conversion point from RDF to the actor graph.

The actor graph is a :class:`networkx.MultiDiGraph`: one node per entity (its IRI),
one edge per extracted statement whose object is an entity. Everything is read with
SPARQL through the store, so it works the same on the embedded and a remote store.

Example:
    >>> from kg.store import EmbeddedStore
    >>> to_networkx(EmbeddedStore(None)).number_of_nodes()
    0
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.errors import InputError, NotFoundError
from kg.vocab import TYPE_CLASSES

if TYPE_CHECKING:
    from kg.store.base import Store

MAX_HOPS = 3
_ENTITY_CLASSES = " ".join(f"<{iri}>" for iri in TYPE_CLASSES.values())
_TYPE_NAMES = {str(iri): name for name, iri in TYPE_CLASSES.items()}
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")

# One row per statement. The default graph is the union of the article graphs and
# may repeat a triple once per article, hence GROUP BY + SAMPLE.
_EDGES = f"""
SELECT ?st (SAMPLE(?s_) AS ?s) (SAMPLE(?p_) AS ?p) (SAMPLE(?o_) AS ?o)
       (SAMPLE(?plabel_) AS ?plabel) (SAMPLE(?conf_) AS ?conf)
       (SAMPLE(?neg_) AS ?neg) (SAMPLE(?mod_) AS ?mod)
       (SAMPLE(?text_) AS ?text) (SAMPLE(?art_) AS ?art) (SAMPLE(?title_) AS ?title)
WHERE {{
  ?st a kg:Statement ; rdf:subject ?s_ ; rdf:predicate ?p_ ; rdf:object ?o_ .
  FILTER(isIRI(?s_) && isIRI(?o_))
  FILTER EXISTS {{ VALUES ?ts {{ {_ENTITY_CLASSES} }} ?s_ a ?ts }}
  FILTER EXISTS {{ VALUES ?to {{ {_ENTITY_CLASSES} }} ?o_ a ?to }}
  OPTIONAL {{ ?p_ rdfs:label ?plabel_ }}
  OPTIONAL {{ ?st kg:confidence ?conf_ }}
  OPTIONAL {{ ?st kg:negated ?neg_ }}
  OPTIONAL {{ ?st kg:modality ?mod_ }}
  OPTIONAL {{
    ?st prov:wasDerivedFrom ?sent .
    OPTIONAL {{ ?sent schema:text ?text_ }}
    OPTIONAL {{ ?sent schema:isPartOf ?art_ .
                 OPTIONAL {{ ?art_ schema:headline ?title_ }} }}
  }}
}}
GROUP BY ?st
"""

_NODES = f"""
SELECT ?e (SAMPLE(?label_) AS ?label) (SAMPLE(?type_) AS ?type)
WHERE {{
  VALUES ?type_ {{ {_ENTITY_CLASSES} }}
  ?e a ?type_ .
  {{values}}
  OPTIONAL {{ ?e rdfs:label ?label_ }}
}}
GROUP BY ?e
"""

_COUNTS = f"""
SELECT
  (COUNT(DISTINCT ?a) AS ?articles)
  (COUNT(DISTINCT ?e) AS ?entities)
  (COUNT(DISTINCT ?st) AS ?relations)
WHERE {{
  {{ ?a a schema:NewsArticle }}
  UNION {{ VALUES ?t {{ {_ENTITY_CLASSES} }} ?e a ?t }}
  UNION {{ ?st a kg:Statement }}
}}
"""


def _value(term: Any) -> Any:
    """A pyoxigraph term (or None) as a plain Python value."""
    if term is None:
        return None
    value = term.value
    datatype = getattr(getattr(term, "datatype", None), "value", "")
    if datatype.endswith("#double") or datatype.endswith("#decimal"):
        return float(value)
    if datatype.endswith("#boolean"):
        return value == "true"
    return value


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1].replace("_", " ")


def check_iri(iri: str) -> str:
    """``iri`` if it is an absolute IRI safe to put between ``<>`` in SPARQL.

    Raises:
        InputError: it is not.
    """
    if not _IRI.fullmatch(iri):
        raise InputError(
            f"not an absolute IRI: {iri!r} (expected e.g. "
            "https://kg.example/id/person/cecile-bossy)"
        )
    return iri


def _node_attrs(store: Store, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    iris = sorted(set(iris))
    if not iris:
        return {}
    values = "VALUES ?e { " + " ".join(f"<{check_iri(iri)}>" for iri in iris) + " }"
    attrs: dict[str, dict[str, str]] = {}
    for row in store.query(_NODES.replace("{values}", values)):
        iri = row["e"].value
        type_iri = _value(row["type"]) or ""
        attrs[iri] = {
            "iri": iri,
            "label": _value(row["label"]) or _local_name(iri),
            "type": _TYPE_NAMES.get(type_iri, "Thing"),
        }
    return attrs


def to_networkx(store: Store) -> nx.MultiDiGraph:
    """The whole actor graph of the store.

    Node attributes: ``label``, ``type`` (a key of :data:`kg.vocab.TYPE_CLASSES`),
    ``iri``. Edge attributes (key = statement IRI): ``predicate`` (IRI), ``label``,
    ``sentence``, ``article`` (headline), ``article_iri``, ``statement``,
    ``confidence``, ``negated``, ``modality``.
    """
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    edges = []
    for row in store.query(_EDGES):
        s, o, p = row["s"].value, row["o"].value, row["p"].value
        edges.append(
            (
                s,
                o,
                row["st"].value,
                {
                    "predicate": p,
                    "label": _value(row["plabel"]) or _local_name(p),
                    "sentence": _value(row["text"]) or "",
                    "article": _value(row["title"]) or "",
                    "article_iri": _value(row["art"]) or "",
                    "statement": row["st"].value,
                    "confidence": _value(row["conf"]),
                    "negated": bool(_value(row["neg"])),
                    "modality": _value(row["mod"]) or "",
                },
            )
        )
    edges.sort(key=lambda e: e[2])  # stable order → stable layout
    nodes = _node_attrs(store, (n for s, o, _, _ in edges for n in (s, o)))
    graph.add_nodes_from(sorted(nodes.items()))
    for s, o, key, attrs in edges:
        graph.add_edge(s, o, key=key, **attrs)
    return graph


def neighbourhood(
    store: Store, entity: str, *, hops: int = 1, graph: nx.MultiDiGraph | None = None
) -> nx.MultiDiGraph:
    """The actors within ``hops`` relations of ``entity`` (either direction).

    Raises:
        InputError: ``entity`` is not an IRI.
        NotFoundError: ``entity`` is not an entity IRI of the store.
        ValueError: ``hops`` is not between 1 and :data:`MAX_HOPS`.
    """
    if not 1 <= hops <= MAX_HOPS:
        raise ValueError(f"hops must be between 1 and {MAX_HOPS}, got {hops}")
    check_iri(entity)
    full = to_networkx(store) if graph is None else graph
    if entity not in full:
        attrs = _node_attrs(store, [entity])
        if entity not in attrs:
            raise NotFoundError(f"no entity with IRI <{entity}> in the store")
        lone: nx.MultiDiGraph = nx.MultiDiGraph()
        lone.add_node(entity, **attrs[entity])
        return lone
    reach = nx.single_source_shortest_path_length(
        full.to_undirected(as_view=True), entity, cutoff=hops
    )
    return full.subgraph(reach).copy()


def count_items(store: Store) -> dict[str, int]:
    """How many articles, entities and relation statements the store holds."""
    for row in store.query(_COUNTS):
        return {k: int(row[k].value) for k in ("articles", "entities", "relations")}
    return {"articles": 0, "entities": 0, "relations": 0}
