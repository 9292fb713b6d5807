"""The actor-graph explorer's data: the cached actor graph, views, exports.

A store or a networkx actor graph (see :mod:`kg.analytics.convert`) in, plain
JSON-ready values or files out. Views are computed on the arrays of
:mod:`kg.analytics.table`; the filter is :mod:`kg.analytics.filters`, the evidence
behind an edge :mod:`kg.analytics.evidence` (both re-exported here). Strings from
the news are returned as they are: escaping them is the page's job.

Example:
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Anna", type="Person")
    >>> g.add_node("b", label="Bob", type="Person")
    >>> g.add_node("c", label="Calais", type="Place")
    >>> _ = g.add_edge("a", "b", key="s1", label="meet", confidence=0.9)
    >>> _ = g.add_edge("a", "c", key="s2", label="visit", confidence=0.4)
    >>> f = GraphFilter.from_params({"type": "person", "min_conf": "0.5"})
    >>> shown, stats = apply_filter(g, f)
    >>> sorted(shown), stats["matched_edges"]
    (['a', 'b'], 1)
    >>> [[step["label"] for step in path] for path in shortest_paths(g, "b", "c")]
    [['meet', 'visit']]
"""

from __future__ import annotations

import csv
import io
import re
import threading
import weakref
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox

from kg.analytics.convert import BATCH, to_networkx, values_clause
from kg.analytics.evidence import edge_evidence
from kg.analytics.filters import MAX_TOP, GraphFilter
from kg.analytics.metrics import centrality, communities, shortest_paths, timeline
from kg.analytics.table import ActorTable, Selection, actor_table, select
from kg.errors import InputError
from kg.vocab import PREFIXES

if TYPE_CHECKING:
    from kg.store.base import Store

__all__ = [
    "EXPORT_FORMATS",
    "MAX_TOP",
    "ActorTable",
    "GraphFilter",
    "Selection",
    "actor_table",
    "apply_filter",
    "cached_actor_graph",
    "cached_actor_table",
    "centrality",
    "communities",
    "edge_evidence",
    "export_subgraph",
    "select",
    "shortest_paths",
    "subgraph_turtle",
    "timeline",
]

EXPORT_FORMATS = ("graphml", "gexf", "csv")


# -- the cached actor graph ----------------------------------------------------------

_FINGERPRINT = """
SELECT * WHERE {
  { SELECT (COUNT(*) AS ?statements) WHERE { ?st a kg:Statement } }
  { SELECT (COUNT(*) AS ?labels) WHERE { ?x rdfs:label|skos:altLabel ?l } }
  { SELECT (MD5(GROUP_CONCAT(?h)) AS ?articles) WHERE { ?a kg:contentHash ?h } }
}
"""
_CACHE: weakref.WeakKeyDictionary[Any, tuple[tuple[str, ...], nx.MultiDiGraph]] = (
    weakref.WeakKeyDictionary()
)
_CACHE_LOCK = threading.Lock()


def _fingerprint(store: Store) -> tuple[str, ...]:
    """Statement and label counts and the article hashes: cheap, changes on writes.

    With the writes made through this store object (its ``generation``, where it
    keeps one), so an update that changes only a value is seen too.
    """
    mine = (str(getattr(store, "generation", "")),)
    for row in store.query(_FINGERPRINT):
        return mine + tuple(str(term.value) for term in row)
    return mine


def cached_actor_graph(store: Store) -> nx.MultiDiGraph:
    """The store's whole actor graph (with ``aliases``), rebuilt when it changes.

    Memoised per store object and a fingerprint of its content (statement and
    label counts, article content hashes: one quick query). The graph is shared
    between callers and frozen: never mutate it, work on a copy
    (``graph.subgraph(nodes).copy()``, or :func:`apply_filter`, which copies).
    """
    key = _fingerprint(store)
    with _CACHE_LOCK:
        try:
            hit = _CACHE.get(store)
        except TypeError:  # a store that cannot be weakly referenced: no cache
            return nx.freeze(to_networkx(store, aliases=True))
        if hit is not None and hit[0] == key:
            return hit[1]
        graph = nx.freeze(to_networkx(store, aliases=True))
        actor_table(graph)  # built now, under the lock, once per store state
        _CACHE[store] = (key, graph)
        return graph


def cached_actor_table(store: Store) -> ActorTable:
    """The arrays of :func:`cached_actor_graph` (same lifetime)."""
    return actor_table(cached_actor_graph(store))


def apply_filter(
    graph: nx.MultiDiGraph, f: GraphFilter
) -> tuple[nx.MultiDiGraph, dict[str, int]]:
    """The view ``f`` asks for as a networkx graph, and how much of ``graph`` it shows.

    The view is a new graph, or ``graph`` itself when ``f`` keeps everything:
    never mutate it. The rules are :func:`~kg.analytics.table.select`'s. The
    counts: ``total_nodes``, ``total_edges``, ``matched_nodes``,
    ``matched_edges`` (after the filters), ``shown_nodes``, ``shown_edges`` and
    ``hidden_nodes`` (matched but beyond ``top``).

    Raises:
        NotFoundError: ``f.entity`` is not an actor of ``graph``.
    """
    chosen = select(actor_table(graph), f)
    return chosen.to_networkx(), chosen.stats


# -- exports ---------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")  # not in XML
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_CSV_COLUMNS = (
    *("source", "source_label", "predicate", "target", "target_label"),
    *("confidence", "date", "article", "sentence"),
)


def export_subgraph(graph: nx.MultiDiGraph, fmt: str) -> bytes:
    """The graph as GraphML, GEXF (Gephi) or a CSV of its edges (UTF-8).

    GraphML and GEXF keep every string, number and boolean attribute (lists
    joined with "; ", missing values left out, characters XML cannot hold
    dropped). The CSV has one row per statement: ``source``, ``source_label``,
    ``predicate`` (label), ``target``, ``target_label``, ``confidence``,
    ``date``, ``article`` (headline), ``sentence``; a cell a spreadsheet would
    run as a formula (starting with =, +, -, @, tab or CR) gets a leading ``'``.

    Raises:
        InputError: ``fmt`` is not one of :data:`EXPORT_FORMATS`.
    """
    if fmt == "csv":
        return _edges_csv(graph)
    if fmt not in EXPORT_FORMATS:
        raise InputError(
            f"unknown export format {fmt!r}; valid: {', '.join(EXPORT_FORMATS)}"
        )
    plain: nx.MultiDiGraph = nx.MultiDiGraph()
    plain.add_nodes_from((_xml_text(n), _plain(d)) for n, d in graph.nodes(data=True))
    plain.add_edges_from(
        (_xml_text(u), _xml_text(v), _xml_text(k), _plain(d))
        for u, v, k, d in graph.edges(keys=True, data=True)
    )
    out = io.BytesIO()
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(plain, out)
    return out.getvalue()


def _xml_text(value: Any) -> str:
    return _CONTROL.sub("", str(value))


def _plain(attrs: dict[str, Any]) -> dict[str, Any]:
    """Attributes the networkx XML writers take: str, int, float, bool."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if isinstance(value, list | tuple | set):
            value = "; ".join(map(str, value))
        if value is None:
            continue
        is_scalar = isinstance(value, bool | int | float)
        out[_xml_text(key)] = value if is_scalar else _xml_text(value)
    return out


def _edges_csv(graph: nx.MultiDiGraph) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_CSV_COLUMNS)
    for u, v, d in graph.edges(data=True):
        row = [u, _label(graph, u), d.get("label", ""), v, _label(graph, v)]
        row += [d.get(k) for k in ("confidence", "date", "article", "sentence")]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue().encode()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


_TURTLE = """
CONSTRUCT {{ ?x ?y ?z }} WHERE {{
  {{ {values} ?st ?y ?z . BIND(?st AS ?x) }}
  UNION {{ {values} ?st rdf:subject ?x ; rdf:predicate ?y ; rdf:object ?z . ?x ?y ?z }}
  UNION {{
    {values} ?st prov:wasDerivedFrom ?x . ?x ?y ?z .
    FILTER(?y IN (rdf:type, schema:text, nif:beginIndex, nif:endIndex,
                  kg:sentenceIndex, schema:isPartOf))
  }} UNION {{
    {values} ?st prov:wasDerivedFrom/schema:isPartOf ?x . ?x ?y ?z .
    FILTER(?y IN (rdf:type, schema:identifier, schema:headline,
                  schema:datePublished, schema:url, schema:publisher))
  }} UNION {{
    {values} ?st rdf:predicate ?x . ?x ?y ?z .
    FILTER(?y IN (rdf:type, rdfs:label, rdfs:subPropertyOf))
  }}
}}
"""
_ACTORS = """
CONSTRUCT {{ ?x ?y ?z }} WHERE {{
  {values} ?x ?y ?z . FILTER(?y IN (rdf:type, rdfs:label, skos:altLabel))
}}
"""


def subgraph_turtle(store: Store, graph: nx.MultiDiGraph) -> bytes:
    """Turtle of what ``graph`` shows, read from the store.

    Its actors (types, labels, alt labels), the direct triples behind its edges,
    and their statements with the sentence, article and relation they cite:
    CONSTRUCT queries over batches of :data:`BATCH` IRIs.

    Raises:
        InputError: a node or edge key of ``graph`` is not an IRI.
    """
    triples: set[Any] = set()
    for template, var, iris in (
        (_ACTORS, "x", set(map(str, graph))),
        (_TURTLE, "st", _statements_of(graph)),
    ):
        ordered = sorted(iris)
        for i in range(0, len(ordered), BATCH):
            query = template.format(values=values_clause(var, ordered[i : i + BATCH]))
            triples.update(store.query(query))
    body = ox.serialize(
        sorted(triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES
    )
    return bytes(body or b"")


def _statements_of(graph: nx.MultiDiGraph) -> set[str]:
    return {
        str(d.get("statement") or k) for _, _, k, d in graph.edges(keys=True, data=True)
    }


def _label(graph: nx.MultiDiGraph, node: Any) -> str:
    return str(graph.nodes[node].get("label", node))
