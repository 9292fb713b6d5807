"""The actor-graph explorer's data: filters, evidence, paths, timelines, exports.

A networkx actor graph (see :mod:`kg.analytics.convert`) or a store in, plain
JSON-ready values out. Strings from the news are returned as they are: escaping
them is the page's job. Nothing a caller gives enters SPARQL unchecked: IRIs pass
:func:`~kg.analytics.convert.check_iri`.

Example:
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Anna", type="Person")
    >>> g.add_node("b", label="Bob", type="Person")
    >>> g.add_node("c", label="Calais", type="Place")
    >>> _ = g.add_edge("a", "b", key="s1", label="meet", confidence=0.9)
    >>> _ = g.add_edge("a", "c", key="s2", label="visit", confidence=0.4)
    >>> f = GraphFilter.from_params({"type": "person", "min_conf": "0.5"})
    >>> f.to_params()
    {'type': ['Person'], 'min_conf': '0.5'}
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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox

from kg.analytics.convert import (
    BATCH,
    MAX_HOPS,
    _local_name,
    _number,
    check_iri,
    to_networkx,
    values_clause,
)
from kg.analytics.metrics import (
    MEASURES,
    centrality,
    communities,
    shortest_paths,
    timeline,
)
from kg.errors import InputError, NotFoundError
from kg.vocab import PREFIXES, TYPE_CLASSES

if TYPE_CHECKING:
    from kg.store.base import Store

__all__ = [
    "EXPORT_FORMATS",
    "MAX_TOP",
    "GraphFilter",
    "apply_filter",
    "cached_actor_graph",
    "centrality",
    "communities",
    "edge_evidence",
    "export_subgraph",
    "shortest_paths",
    "subgraph_turtle",
    "timeline",
]

MAX_TOP = 20_000  # actors a view may show
MAX_TEXT = 200  # characters of the ``q`` search
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
# centrality scores of the shared graphs, per measure: the unfiltered view is common
_SCORES: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[str, dict[str, float]]] = (
    weakref.WeakKeyDictionary()
)


def _fingerprint(store: Store) -> tuple[str, ...]:
    """Statement and label counts and the article hashes: cheap, changes on writes."""
    for row in store.query(_FINGERPRINT):
        return tuple(str(term.value) for term in row)
    return ()


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
        _CACHE[store] = (key, graph)
        _SCORES[graph] = {}
        return graph


def _centrality(graph: nx.MultiDiGraph, measure: str) -> dict[str, float]:
    """:func:`centrality`, remembered for the shared (frozen) actor graphs."""
    known = _SCORES.get(graph)
    if known is None:
        return centrality(graph, measure)
    if measure not in known:
        known[measure] = centrality(graph, measure)
    return known[measure]


# -- filters -------------------------------------------------------------------------

_PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class GraphFilter:
    """What a view of the actor graph shows; every field is a URL parameter.

    ``types``: type names (``type``); ``predicates``: relation labels or IRIs
    (``predicate``); ``sources``: publisher labels (``source``); ``date_from`` /
    ``date_to``: ISO dates, a year or a month, inclusive (``from``, ``to``);
    ``min_confidence`` (``min_conf``); ``min_degree``; ``text``: case-insensitive
    part of a name, its actors and their neighbours are kept (``q``); ``entity``
    and ``hops``: a neighbourhood; ``top``: actors shown, the most central by
    ``centrality``; ``communities``: colour by community.
    """

    types: tuple[str, ...] = ()
    predicates: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    min_confidence: float = 0.0
    min_degree: int = 0
    text: str = ""
    entity: str | None = None
    hops: int = 1
    top: int = 300
    centrality: str = "degree"
    communities: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", tuple(map(_type_name, self.types)))
        for name in ("predicates", "sources"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for param, value in (("from", self.date_from), ("to", self.date_to)):
            if value is not None:
                _check_date(param, value)
        if self.date_from and self.date_to and _after(self.date_from, self.date_to):
            raise InputError(
                f"from: {self.date_from!r} is after to: {self.date_to!r}; "
                "give from ≤ to"
            )
        _check_ranges(self)

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]]) -> GraphFilter:
        """The filter of a URL query (list values: repeated parameters).

        ``type``, ``predicate``, ``source`` may repeat or hold comma-separated
        values; empty values count as absent; unknown parameters are ignored.

        Raises:
            InputError: a value is invalid (the message names the parameter).
        """
        one = _Params(params)
        return cls(
            types=one.many("type"),
            predicates=one.many("predicate"),
            sources=one.many("source"),
            date_from=one.get("from"),
            date_to=one.get("to"),
            min_confidence=one.number("min_conf", float, 0.0),
            min_degree=one.number("min_degree", int, 0),
            text=one.get("q") or "",
            entity=one.get("entity"),
            hops=one.number("hops", int, 1),
            top=one.number("top", int, 300),
            centrality=one.get("centrality") or "degree",
            communities=one.flag("communities", True),
        )

    def to_params(self) -> dict[str, str | list[str]]:
        """URL parameters that :meth:`from_params` reads back; defaults left out."""
        out: dict[str, str | list[str]] = {}
        for name, values in (
            ("type", self.types),
            ("predicate", self.predicates),
            ("source", self.sources),
        ):
            if values:
                out[name] = list(values)
        defaults = GraphFilter()
        for name, field in _SCALARS:
            value = getattr(self, field)
            if value != getattr(defaults, field):
                out[name] = _param_text(value)
        return out


_SCALARS = (
    ("from", "date_from"),
    ("to", "date_to"),
    ("min_conf", "min_confidence"),
    ("min_degree", "min_degree"),
    ("q", "text"),
    ("entity", "entity"),
    ("hops", "hops"),
    ("top", "top"),
    ("centrality", "centrality"),
    ("communities", "communities"),
)


def _param_text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return repr(value) if isinstance(value, float) else str(value)


class _Params:
    """Reads one URL parameter at a time, naming it in every error."""

    def __init__(self, params: Mapping[str, str | list[str]]) -> None:
        self.params = params

    def values(self, name: str) -> list[str]:
        raw = self.params.get(name, [])
        return [v.strip() for v in ([raw] if isinstance(raw, str) else raw)]

    def many(self, name: str) -> tuple[str, ...]:
        parts = (p.strip() for v in self.values(name) for p in v.split(","))
        return tuple(dict.fromkeys(p for p in parts if p))

    def get(self, name: str) -> str | None:
        given = [v for v in self.values(name) if v]
        return given[-1] if given else None

    def number(self, name: str, kind: type[int] | type[float], default: Any) -> Any:
        value = self.get(name)
        if value is None:
            return default
        try:
            return kind(value)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise InputError(f"{name}: expected {what}, got {value!r}") from None

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if value.lower() in _TRUE + _FALSE:
            return value.lower() in _TRUE
        raise InputError(f"{name}: expected 1 or 0 (true/false), got {value!r}")


def _type_name(value: str) -> str:
    for name in TYPE_CLASSES:
        if name.lower() == value.lower():
            return name
    raise InputError(f"type: unknown type {value!r}; valid: {', '.join(TYPE_CLASSES)}")


def _check_date(param: str, value: str) -> None:
    """A year, a month or a day in ISO form that exists."""
    if _PARTIAL_DATE.fullmatch(value):
        try:
            date.fromisoformat((value + "-01-01")[:10])
            return
        except ValueError:
            pass
    raise InputError(
        f"{param}: expected an ISO date (2014-05-28, 2014-05 or 2014), got {value!r}"
    )


def _after(first: str, second: str) -> bool:
    """True when the period ``first`` starts after the period ``second`` ends."""
    n = min(len(first), len(second))
    return first[:n] > second[:n]


def _check_ranges(f: GraphFilter) -> None:
    checks = (
        ("min_conf", f.min_confidence, 0.0 <= f.min_confidence <= 1.0, "0 to 1"),
        ("min_degree", f.min_degree, f.min_degree >= 0, "0 or more"),
        ("hops", f.hops, 1 <= f.hops <= MAX_HOPS, f"1 to {MAX_HOPS}"),
        ("top", f.top, 1 <= f.top <= MAX_TOP, f"1 to {MAX_TOP}"),
        ("q", f.text, len(f.text) <= MAX_TEXT, f"at most {MAX_TEXT} characters"),
        ("centrality", f.centrality, f.centrality in MEASURES, ", ".join(MEASURES)),
    )
    for name, value, ok, valid in checks:
        if not ok:
            raise InputError(f"{name}: {value!r} is out of range; valid: {valid}")
    if f.entity is not None:
        try:
            check_iri(f.entity)
        except InputError as exc:
            raise InputError(f"entity: {exc}") from None


# -- applying a filter -----------------------------------------------------------------


def apply_filter(
    graph: nx.MultiDiGraph, f: GraphFilter
) -> tuple[nx.MultiDiGraph, dict[str, int]]:
    """The view ``f`` asks for, and how much of ``graph`` it shows.

    The view is a new graph, or ``graph`` itself when ``f`` keeps everything:
    never mutate it.

    Edges are filtered first (predicate, source, dates, confidence; an actor
    left without relations by these goes too), then actors (type, minimum
    degree, text and its neighbours, the neighbourhood of ``f.entity``), then the
    ``f.top`` most central are kept (ties by label, then IRI); ``f.entity``
    always stays. The counts: ``total_nodes``, ``total_edges``,
    ``matched_nodes``, ``matched_edges`` (after the filters), ``shown_nodes``,
    ``shown_edges`` and ``hidden_nodes`` (matched but beyond ``top``).

    Raises:
        NotFoundError: ``f.entity`` is not an actor of ``graph``.
    """
    if f.entity is not None and f.entity not in graph:
        raise NotFoundError(f"entity: no actor <{f.entity}> in the graph")
    matched = _filter_nodes(_filter_edges(graph, f), f)
    shown = _copy(graph, matched, _top(matched, f))
    n_matched = matched.number_of_nodes()
    return shown, {
        "total_nodes": graph.number_of_nodes(),
        "total_edges": graph.number_of_edges(),
        "matched_nodes": n_matched,
        "matched_edges": matched.number_of_edges(),
        "shown_nodes": shown.number_of_nodes(),
        "shown_edges": shown.number_of_edges(),
        "hidden_nodes": n_matched - shown.number_of_nodes(),
    }


def _filter_edges(graph: nx.MultiDiGraph, f: GraphFilter) -> nx.MultiDiGraph:
    """The edges ``f`` matches and their actors (``graph`` itself if all)."""
    predicates = {p.casefold() for p in f.predicates}
    sources = {s.casefold() for s in f.sources}
    if not (predicates or sources or f.date_from or f.date_to or f.min_confidence):
        return graph
    edges = [
        (u, v, k, d)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if _edge_matches(d, f, predicates, sources)
    ]
    ends = {n for u, v, _, _ in edges for n in (u, v)} | {f.entity}
    # a new graph, not a networkx view: every later step reads it many times
    out: nx.MultiDiGraph = nx.MultiDiGraph()
    out.add_nodes_from((n, d) for n, d in graph.nodes(data=True) if n in ends)
    out.add_edges_from(edges)
    return out


def _edge_matches(
    d: dict[str, Any], f: GraphFilter, predicates: set[str], sources: set[str]
) -> bool:
    names = {str(d.get("label", "")).casefold(), str(d.get("predicate", "")).casefold()}
    if predicates and not names & predicates:
        return False
    if sources and str(d.get("source", "")).casefold() not in sources:
        return False
    day = str(d.get("date") or "")
    if (f.date_from or f.date_to) and not day:
        return False
    if f.date_from and _after(f.date_from, day):
        return False
    if f.date_to and _after(day, f.date_to):
        return False
    return bool((d.get("confidence") or 0.0) >= f.min_confidence)


def _filter_nodes(graph: nx.MultiDiGraph, f: GraphFilter) -> nx.MultiDiGraph:
    """A view without the actors ``f`` does not match (``f.entity`` stays)."""
    nodes = set(graph)

    def keep(wanted: Iterable[Any]) -> nx.MultiDiGraph:
        nodes.intersection_update({*wanted, f.entity})
        return graph.subgraph(nodes)

    view = graph
    if f.types:
        view = keep(n for n, t in view.nodes(data="type") if t in f.types)
    if f.min_degree:
        view = keep(n for n, d in view.degree() if d >= f.min_degree)
    if f.text:
        hits = [n for n, d in view.nodes(data=True) if _names_match(d, f.text)]
        view = keep(set(hits).union(*(nx.all_neighbors(view, n) for n in hits)))
    if f.entity is not None:
        undirected = view.to_undirected(as_view=True)
        view = keep(nx.single_source_shortest_path_length(undirected, f.entity, f.hops))
    return view


def _names_match(data: dict[str, Any], text: str) -> bool:
    wanted = text.casefold()
    names = [str(data.get("label", "")), *map(str, data.get("aliases") or [])]
    return any(wanted in name.casefold() for name in names)


def _top(graph: nx.MultiDiGraph, f: GraphFilter) -> set[Any]:
    """The ``f.top`` most central actors (ties by label, then IRI), with the entity."""
    if graph.number_of_nodes() <= f.top:
        return set(graph)
    scores = _centrality(graph, f.centrality)
    order = sorted(
        graph,
        key=lambda n: (-round(scores[str(n)], 12), _label(graph, n).casefold(), str(n)),
    )
    keep = order[: f.top]
    if f.entity is not None and f.entity not in keep:
        keep = [*keep[: f.top - 1], f.entity]
    return set(keep)


def _copy(
    graph: nx.MultiDiGraph, view: nx.MultiDiGraph, nodes: set[Any]
) -> nx.MultiDiGraph:
    """A new graph of ``nodes`` and their edges in ``view``, in ``graph``'s order;
    ``graph`` itself when nothing was filtered out (never mutate the result)."""
    if view is graph and len(nodes) == graph.number_of_nodes():
        return graph
    out: nx.MultiDiGraph = nx.MultiDiGraph()
    out.add_nodes_from((n, d) for n, d in graph.nodes(data=True) if n in nodes)
    edges = [
        (u, v, k, d)
        for u, v, k, d in view.edges(keys=True, data=True)
        if u in nodes and v in nodes
    ]
    out.add_edges_from(sorted(edges, key=lambda e: str(e[2])))
    return out


def _label(graph: nx.MultiDiGraph, node: Any) -> str:
    return str(graph.nodes[node].get("label", node))


# -- evidence --------------------------------------------------------------------------

_EVIDENCE = """
SELECT ?st ?conf ?neg ?mod ?date ?attr ?attr_label ?otext ?plabel
       ?sent ?text ?art ?aid ?title ?adate ?url ?source
WHERE {{
  ?st rdf:subject <{s}> ; rdf:predicate <{p}> ; rdf:object <{o}> ; a kg:Statement .
  OPTIONAL {{ ?st kg:confidence ?conf }}
  OPTIONAL {{ ?st kg:negated ?neg }}
  OPTIONAL {{ ?st kg:modality ?mod }}
  OPTIONAL {{ ?st dcterms:date ?date }}
  OPTIONAL {{ ?st kg:objectText ?otext }}
  OPTIONAL {{
    ?st prov:wasAttributedTo ?attr . OPTIONAL {{ ?attr rdfs:label ?attr_label }}
  }}
  OPTIONAL {{ <{p}> rdfs:label ?plabel }}
  OPTIONAL {{
    ?st prov:wasDerivedFrom ?sent .
    OPTIONAL {{ ?sent schema:text ?text }}
    OPTIONAL {{
      ?sent schema:isPartOf ?art .
      OPTIONAL {{ ?art schema:identifier ?aid }}
      OPTIONAL {{ ?art schema:headline ?title }}
      OPTIONAL {{ ?art schema:datePublished ?adate }}
      OPTIONAL {{ ?art schema:url ?url }}
      OPTIONAL {{ ?art schema:publisher ?pub . OPTIONAL {{ ?pub rdfs:label ?source }} }}
    }}
  }}
}}
"""
_EVIDENCE_VARS = (
    *("st", "conf", "neg", "mod", "date", "attr", "attr_label", "otext", "plabel"),
    *("sent", "text", "art", "aid", "title", "adate", "url", "source"),
)
_NAMES = "SELECT ?e ?name WHERE {{ {values} ?e rdfs:label|skos:altLabel ?name }}"
# forms a prefix of the lemma does not find ("tell" → "told"): lemma, then forms
_IRREGULAR = {
    forms.split()[0]: forms.split()[1:]
    for forms in """be am is are was were been being | have has had having
    | do does did done doing | say says said saying | tell tells told telling
    | go goes went gone going | make makes made making | take takes took taken taking
    | give gives gave given giving | leave leaves left leaving | meet meets met meeting
    | hold holds held holding | lead leads led leading | find finds found finding
    | win wins won winning | lose loses lost losing | bring brings brought bringing
    | send sends sent sending | seek seeks sought seeking | buy buys bought buying
    | sell sells sold selling | see sees saw seen seeing | come comes came coming
    | get gets got gotten getting | know knows knew known knowing
    | become becomes became becoming | flee flees fled fleeing | feel feels felt
    | pay pays paid paying | spend spends spent spending | put puts putting
    | speak speaks spoke spoken speaking | begin begins began begun beginning
    | fight fights fought fighting | build builds built building | run runs ran
    | write writes wrote written writing | drive drives drove driven driving
    | fall falls fell fallen falling | shoot shoots shot shooting | eat ate eaten
    | strike strikes struck striking | break breaks broke broken breaking
    | choose chooses chose chosen choosing | bear bears bore born borne""".split("|")
}


def edge_evidence(
    store: Store, subject: str, predicate: str, object: str
) -> list[dict[str, Any]]:
    """Every statement behind the edge ``subject –predicate→ object``, best first.

    Each item: ``statement``, ``sentence`` (text), ``spans`` (``subject``,
    ``predicate``, ``object``: ``[begin, end]`` character offsets in the sentence,
    or None when not found), ``confidence``, ``negated``, ``modality``,
    ``attributed_to`` (a label or None), ``date`` (the claim's, else the
    article's, else ""), ``article`` (``id``, ``iri``, ``title``, ``date``,
    ``url``, ``source``; "" when unknown).

    Raises:
        InputError: an argument is not an IRI.
    """
    s, p, o = (check_iri(iri) for iri in (subject, predicate, object))
    rows: dict[str, dict[str, Any]] = {}
    for row in store.query(_EVIDENCE.format(s=s, p=p, o=o)):
        values = {k: None if row[k] is None else row[k].value for k in _EVIDENCE_VARS}
        rows.setdefault(str(values["st"]), values)
    names = _names(store, {s, o})
    items = [_evidence(r, names[s], names[o], p) for r in rows.values()]
    items.sort(key=lambda e: (-(e["confidence"] or -1.0), e["statement"]))
    return items


def _names(store: Store, iris: set[str]) -> dict[str, list[str]]:
    """Each IRI's labels and alternative labels, longest first."""
    found: dict[str, set[str]] = {iri: set() for iri in iris}
    for row in store.query(_NAMES.format(values=values_clause("e", iris))):
        found[row["e"].value].add(row["name"].value)
    return {iri: sorted(n, key=lambda x: (-len(x), x)) for iri, n in found.items()}


def _evidence(
    r: dict[str, Any], subject: list[str], object: list[str], predicate: str
) -> dict[str, Any]:
    text = r["text"] or ""
    subject_span = _find(text, subject)
    object_span = _find(text, [r["otext"]] if r["otext"] else []) or _find(text, object)
    lemma = r["plabel"] or _local_name(predicate)
    after = subject_span[1] if subject_span else 0
    return {
        "statement": r["st"],
        "sentence": text,
        "spans": {
            "subject": subject_span,
            "predicate": _find_verb(text, lemma, after),
            "object": object_span,
        },
        "confidence": _number(r["conf"]),
        "negated": r["neg"] in ("true", "1"),
        "modality": r["mod"] or "",
        "attributed_to": r["attr_label"] or (r["attr"] and _local_name(r["attr"])),
        "date": r["date"] or r["adate"] or "",
        "article": {
            "id": r["aid"] or "",
            "iri": r["art"] or "",
            "title": r["title"] or "",
            "date": r["adate"] or "",
            "url": r["url"] or "",
            "source": r["source"] or "",
        },
    }


def _find(text: str, names: Iterable[str]) -> list[int] | None:
    """``[begin, end]`` of the first name found as whole words (any case)."""
    for name in names:
        if name.strip():
            m = re.search(rf"(?<!\w){re.escape(name.strip())}(?!\w)", text, re.I)
            if m:
                return [m.start(), m.end()]
    return None


def _find_verb(text: str, lemma: str, after: int) -> list[int] | None:
    """``[begin, end]`` of a form of the lemma's first word, after ``after`` if any."""
    words = lemma.split()
    if not words:
        return None
    verb = words[0].lower()
    forms = [re.escape(f) for f in _IRREGULAR.get(verb, [])]
    if len(verb) > 3:  # a prefix: expel → expelled, expelling; receive → receiv…
        forms.append(re.escape(verb[:-1] if verb[-1] in "ey" else verb) + r"\w*")
    else:  # short verbs (be, win, try): no prefix, it would match too much
        forms += [re.escape(verb) + end for end in ("", "s", "ed", "ing", r"\w?ed")]
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(forms)})(?!\w)", re.I)
    spans = [[m.start(), m.end()] for m in pattern.finditer(text)]
    later = [span for span in spans if span[0] >= after]
    if later or spans:
        return (later or spans)[0]
    return None


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
