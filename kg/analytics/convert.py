"""Store → networkx: the one conversion point from RDF to the actor graph.

The actor graph is a :class:`networkx.MultiDiGraph`: one node per entity (its IRI),
one edge per extracted statement whose object is an entity. Everything is read with
SPARQL through the store, so it works the same on the embedded and a remote store.

Two queries build it, however large the store: one row per statement, and one per
IRI the statements refer to (entities, relations, articles). Entity types, labels
and article metadata are joined in Python, which costs far less than an OPTIONAL
or FILTER EXISTS per statement row.

Example:
    >>> from kg.store import EmbeddedStore
    >>> to_networkx(EmbeddedStore(None)).number_of_nodes()
    0
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.errors import InputError, NotFoundError
from kg.vocab import TYPE_CLASSES

if TYPE_CHECKING:
    from kg.store.base import Store

log = logging.getLogger(__name__)

MAX_HOPS = 3
MAX_FRONTIER = 2000  # actors expanded per hop of a neighbourhood
MAX_NEIGHBOURHOOD = 5000  # actors in a neighbourhood
BATCH = 500  # IRIs per VALUES list
_ENTITY_CLASSES = " ".join(f"<{iri}>" for iri in TYPE_CLASSES.values())
_TYPE_NAMES = {str(iri): name for name, iri in TYPE_CLASSES.items()}
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")

# One row per statement with an IRI object; {values} may restrict ?st. No nested
# OPTIONAL: Oxigraph evaluates one apart from its bindings, then joins.
_STATEMENTS = """
SELECT ?st ?s ?p ?o ?conf ?neg ?mod ?date ?attr ?sent ?text ?art
WHERE {{
  {values}
  ?st a kg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  FILTER(isIRI(?s) && isIRI(?o))
  OPTIONAL {{ ?st kg:confidence ?conf }}
  OPTIONAL {{ ?st kg:negated ?neg }}
  OPTIONAL {{ ?st kg:modality ?mod }}
  OPTIONAL {{ ?st dcterms:date ?date }}
  OPTIONAL {{ ?st prov:wasAttributedTo ?attr }}
  OPTIONAL {{ ?st prov:wasDerivedFrom ?sent }}
  OPTIONAL {{ ?st prov:wasDerivedFrom/schema:text ?text }}
  OPTIONAL {{ ?st prov:wasDerivedFrom/schema:isPartOf ?art }}
}}
"""
_STATEMENT_VARS = (
    "s",
    "p",
    "o",
    "conf",
    "neg",
    "mod",
    "date",
    "attr",
    "sent",
    "text",
    "art",
)

# Rows about entities (1), relations (2) and articles (3); {ent}, {rel} and {art}
# select them (all of a kind, or a VALUES list). Aggregated in Python: a GROUP BY
# here costs more than the whole query.
_LOOKUP = """
SELECT ?x ?kind ?type ?label ?alt ?id ?date ?url ?source WHERE {{
  {{
    {ent} ?x a ?type . BIND(1 AS ?kind)
    OPTIONAL {{ ?x rdfs:label ?label }}
    OPTIONAL {{ ?x skos:altLabel ?alt }}
  }} UNION {{
    {rel} ?x rdfs:label ?label . BIND(2 AS ?kind)
  }} UNION {{
    {art} ?x a schema:NewsArticle . BIND(3 AS ?kind)
    OPTIONAL {{ ?x schema:headline ?label }}
    OPTIONAL {{ ?x schema:identifier ?id }}
    OPTIONAL {{ ?x schema:datePublished ?date }}
    OPTIONAL {{ ?x schema:url ?url }}
    OPTIONAL {{ ?x schema:publisher/rdfs:label ?source }}
  }}
}}
"""
_LOOKUP_ALL = _LOOKUP.format(
    ent=f"VALUES ?type {{ {_ENTITY_CLASSES} }}", rel="?x a kg:Relation .", art=""
)
_TYPE_ORDER = {str(iri): i for i, iri in enumerate(TYPE_CLASSES.values())}
_KINDS = {"1": "entity", "2": "relation", "3": "article"}
_LOOKUP_VARS = ("label", "alt", "id", "date", "url", "source")

_NEIGHBOURS = f"""
SELECT DISTINCT ?n WHERE {{
  {{values}}
  {{ ?st rdf:subject ?f ; rdf:object ?n }}
  UNION {{ ?st rdf:object ?f ; rdf:subject ?n }}
  FILTER(isIRI(?n))
  ?st a kg:Statement .
  VALUES ?t {{ {_ENTITY_CLASSES} }}
  ?n a ?t .
}}
"""

_SUBJECT_OF = "SELECT ?st ?o WHERE { {values} ?st rdf:subject ?s ; rdf:object ?o }"

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


def _number(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


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


def values_clause(var: str, iris: Iterable[str]) -> str:
    """``VALUES ?var { <iri> ... }`` of checked IRIs, sorted (stable query text)."""
    return (
        f"VALUES ?{var} {{ "
        + " ".join(f"<{check_iri(i)}>" for i in sorted(iris))
        + " }"
    )


def _statements(store: Store, values: str = "") -> dict[str, dict[str, Any]]:
    """Statement IRI → its row as plain values (the first row of each statement)."""
    rows: dict[str, dict[str, Any]] = {}
    for st, *terms in store.query(_STATEMENTS.format(values=values)):
        if st.value in rows:
            continue
        row = {
            k: None if t is None else t.value
            for k, t in zip(_STATEMENT_VARS, terms, strict=True)
        }
        row["conf"] = _number(row["conf"])
        row["neg"] = row["neg"] in ("true", "1")
        rows[st.value] = row
    return rows


def _lookup(
    store: Store,
    entities: Iterable[str] | None = None,
    relations: Iterable[str] = (),
    articles: Iterable[str] = (),
) -> dict[str, dict[str, Any]]:
    """IRI → what the graph needs of it (``entities`` None: of every IRI).

    Entities: ``kind`` "entity", ``type`` (class IRI), ``label``, ``names`` (all
    labels and alt labels); relations: ``kind`` "relation", ``label``; articles:
    ``kind`` "article", ``label`` (headline), ``id``, ``date``, ``url``,
    ``source``. Of several values the least wins (types in the order of
    :data:`~kg.vocab.TYPE_CLASSES`), so the answer never depends on the plan.
    """
    query = _LOOKUP_ALL
    if entities is not None:
        query = _LOOKUP.format(
            ent=values_clause("x", entities),
            rel=values_clause("x", relations),
            art=values_clause("x", articles),
        )
    found: dict[str, dict[str, Any]] = {}
    for x, kind, type_, *terms in store.query(query):
        name = _KINDS[kind.value]
        if name == "entity" and type_.value not in _TYPE_ORDER:
            continue  # an entity's other classes
        info = found.setdefault(x.value, {"kind": name, "names": set()})
        if info["kind"] == name:
            _merge(info, type_, dict(zip(_LOOKUP_VARS, terms, strict=True)))
    return found


def _merge(info: dict[str, Any], type_: Any, terms: dict[str, Any]) -> None:
    """Keep the least of each value (types by rank) and collect the names."""
    if type_ is not None and _TYPE_ORDER[type_.value] < _TYPE_ORDER.get(
        info.get("type", ""), len(_TYPE_ORDER)
    ):
        info["type"] = type_.value
    for key, term in terms.items():
        if term is not None and (key not in info or term.value < info[key]):
            info[key] = term.value
    info["names"].update(
        terms[k].value for k in ("label", "alt") if terms[k] is not None
    )


def _node(iri: str, info: dict[str, Any], aliases: bool) -> dict[str, Any]:
    label = info.get("label") or _local_name(iri)
    attrs: dict[str, Any] = {
        "iri": iri,
        "label": label,
        "type": _TYPE_NAMES.get(info.get("type", ""), "Thing"),
    }
    if aliases:
        attrs["aliases"] = sorted(info["names"] - {label})
    return attrs


def _edge(st: str, row: dict[str, Any], look: dict[str, Any]) -> dict[str, Any]:
    art = look.get(row["art"] or "", {})
    relation = look.get(row["p"], {})
    return {
        "predicate": row["p"],
        "label": relation.get("label") or _local_name(row["p"]),
        "sentence": row["text"] or "",
        "sentence_iri": row["sent"] or "",
        "article": art.get("label") or "",
        "article_iri": row["art"] or "",
        "article_id": art.get("id") or "",
        "article_url": art.get("url") or "",
        "source": art.get("source") or "",
        "date": row["date"] or art.get("date") or "",
        "statement": st,
        "confidence": row["conf"],
        "negated": bool(row["neg"]),
        "modality": row["mod"] or "",
        "attributed_to": row["attr"] or "",
    }


def _build(
    rows: dict[str, dict[str, Any]],
    look: dict[str, dict[str, Any]],
    *,
    aliases: bool,
    keep: Iterable[str] = (),
) -> nx.MultiDiGraph:
    """The graph of the statements between entities of ``look`` (plus ``keep``)."""

    def is_entity(iri: str) -> bool:
        return look.get(iri, {}).get("kind") == "entity"

    edges = sorted(  # stable order → stable layout
        (st, row)
        for st, row in rows.items()
        if is_entity(row["s"]) and is_entity(row["o"])
    )
    nodes = {n for _, row in edges for n in (row["s"], row["o"])} | set(keep)
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    graph.add_nodes_from((n, _node(n, look[n], aliases)) for n in sorted(nodes))
    graph.add_edges_from((r["s"], r["o"], st, _edge(st, r, look)) for st, r in edges)
    return graph


def _sorted_copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with nodes in IRI order and edges in statement order, like _build."""
    out: nx.MultiDiGraph = nx.MultiDiGraph()
    out.add_nodes_from(sorted(graph.nodes(data=True), key=lambda n: str(n[0])))
    edges = graph.edges(keys=True, data=True)
    out.add_edges_from(sorted(edges, key=lambda e: str(e[2])))
    return out


def to_networkx(store: Store, *, aliases: bool = False) -> nx.MultiDiGraph:
    """The whole actor graph of the store.

    Node attributes: ``label``, ``type`` (a key of :data:`kg.vocab.TYPE_CLASSES`),
    ``iri``, and with ``aliases`` the sorted other names (``skos:altLabel`` and
    further ``rdfs:label`` values). Edge attributes (key = statement IRI):
    ``predicate`` (IRI), ``label``, ``statement``, ``confidence``, ``negated``,
    ``modality``, ``attributed_to`` (IRI or ""), ``date`` (ISO: the statement's
    ``dcterms:date``, else the article's ``datePublished``, else ""),
    ``sentence`` (text), ``sentence_iri``, ``article`` (headline),
    ``article_iri``, ``article_id``, ``article_url`` and ``source`` (the
    publisher's label or "").
    """
    return _build(_statements(store), _lookup(store), aliases=aliases)


def _neighbours(store: Store, frontier: Iterable[str]) -> set[str]:
    query = _NEIGHBOURS.replace("{values}", values_clause("f", frontier))
    return {row["n"].value for row in store.query(query)}


def _statements_between(store: Store, nodes: set[str]) -> dict[str, dict[str, Any]]:
    """The statement rows from one of ``nodes`` to another.

    Their IRIs first (by subject, objects checked here: Oxigraph joins two
    VALUES lists badly and tests a long IN list row by row), then their rows in
    batches of :data:`BATCH`.
    """
    query = _SUBJECT_OF.replace("{values}", values_clause("s", nodes))
    ids = sorted(
        {row["st"].value for row in store.query(query) if row["o"].value in nodes}
    )
    rows: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), BATCH):
        rows.update(_statements(store, values_clause("st", ids[i : i + BATCH])))
    return rows


def _reach(store: Store, entity: str, hops: int) -> set[str]:
    """The entities within ``hops`` statements of ``entity``, hop by hop."""
    seen, frontier = {entity}, [entity]
    for _ in range(hops):
        if not frontier:
            break
        if len(frontier) > MAX_FRONTIER:
            log.warning(
                "neighbourhood of %s: expanding %d of %d actors",
                *(entity, MAX_FRONTIER, len(frontier)),
            )
        new = sorted(_neighbours(store, frontier[:MAX_FRONTIER]) - seen)
        room = MAX_NEIGHBOURHOOD - len(seen)
        if len(new) > room:
            log.warning(
                "neighbourhood of %s: keeping %d of %d new actors",
                *(entity, room, len(new)),
            )
        frontier = new[:room]
        seen.update(frontier)
    return seen


def neighbourhood(
    store: Store,
    entity: str,
    *,
    hops: int = 1,
    graph: nx.MultiDiGraph | None = None,
    aliases: bool = False,
) -> nx.MultiDiGraph:
    """The actors within ``hops`` relations of ``entity`` (either direction).

    Reads only the neighbourhood: the store is expanded hop by hop with SPARQL
    (at most :data:`MAX_FRONTIER` actors expanded per hop and
    :data:`MAX_NEIGHBOURHOOD` in all), then the statements between those actors
    are read. With ``graph`` (an actor graph already in memory), it is cut from
    that graph instead. Same attributes as :func:`to_networkx`.

    Raises:
        InputError: ``entity`` is not an IRI.
        NotFoundError: ``entity`` is not an entity IRI of the store.
        ValueError: ``hops`` is not between 1 and :data:`MAX_HOPS`.
    """
    if not 1 <= hops <= MAX_HOPS:
        raise ValueError(f"hops must be between 1 and {MAX_HOPS}, got {hops}")
    check_iri(entity)
    if graph is not None and entity in graph:  # the explorer's own cut, on arrays
        from kg.analytics.table import actor_table, around

        return _sorted_copy(around(actor_table(graph), entity, hops).to_networkx())
    nodes = _reach(store, entity, hops) if graph is None else {entity}
    rows = _statements_between(store, nodes)
    look = _lookup(
        store,
        nodes,
        {r["p"] for r in rows.values()},
        {r["art"] for r in rows.values() if r["art"]},
    )
    if look.get(entity, {}).get("kind") != "entity":
        raise NotFoundError(f"no entity with IRI <{entity}> in the store")
    return _build(rows, look, aliases=aliases, keep=[entity])


def count_items(store: Store) -> dict[str, int]:
    """How many articles, entities and relation statements the store holds."""
    for row in store.query(_COUNTS):
        return {k: int(row[k].value) for k in ("articles", "entities", "relations")}
    return {"articles": 0, "entities": 0, "relations": 0}
