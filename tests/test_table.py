"""The array views (kg.analytics.table) against a networkx oracle.

The oracle is the explorer's former networkx implementation of the same rules,
kept here in its plainest form; random actor graphs (self-loops, parallel edges,
every attribute) and random filters must give the same actors, the same
statements and the same counts either way.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import networkx as nx
import pytest

from kg.analytics.filters import GraphFilter, after
from kg.analytics.metrics import centrality, simple_graph
from kg.analytics.table import ActorTable, actor_table, around, select
from kg.errors import NotFoundError
from kg.viz.view import graph_view

TYPES = ("Person", "Organization", "Place", "Group")
PREDICATES = (("urn:p:meet", "meet"), ("urn:p:attack", "attack"), ("urn:p:say", "say"))
SOURCES = ("BBC", "Wikinews", "")
DATES = ("", "2014", "2014-05", "2014-05-28", "2014-06-02", "2015-01-10")
NAMES = ("anna", "bob", "calais", "police", "annabel", "bossy")


def random_graph(rng: random.Random, n: int, m: int) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for i in range(n):
        g.add_node(
            f"urn:e:{i:03d}",
            label=f"{rng.choice(NAMES).title()} {i}",
            type=rng.choice(TYPES),
            aliases=[rng.choice(NAMES)] if rng.random() < 0.3 else [],
        )
    nodes = list(g)
    for k in range(m):
        u = rng.choice(nodes[: max(3, n // 4)] if rng.random() < 0.5 else nodes)
        v = u if rng.random() < 0.05 else rng.choice(nodes)
        p, label = rng.choice(PREDICATES)
        g.add_edge(
            u,
            v,
            key=f"urn:st:{rng.randrange(10**6):06d}-{k}",
            predicate=p,
            label=label,
            source=rng.choice(SOURCES),
            date=rng.choice(DATES),
            confidence=rng.choice([None, 0.0, 0.2, 0.5, 0.9]),
            negated=rng.random() < 0.15,
            modality=rng.choice(["", "asserted", "hedged", None]),
            attributed_to=rng.choice(["", "", "urn:e:000"]),
        )
    return g


def random_filter(rng: random.Random, g: nx.MultiDiGraph) -> GraphFilter:
    pick = rng.random
    date_from = rng.choice(["2014", "2014-05", "2014-05-28"]) if pick() < 0.3 else None
    date_to = rng.choice(["2014-06", "2015"]) if pick() < 0.3 else None
    if date_from and date_to and after(date_from, date_to):
        date_from = None
    return GraphFilter(
        types=tuple(rng.sample(TYPES, rng.randint(1, 3))) if pick() < 0.3 else (),
        predicates=(rng.choice(["meet", "urn:p:say", "ATTACK"]),)
        if pick() < 0.3
        else (),
        sources=(rng.choice(["bbc", "Wikinews"]),) if pick() < 0.3 else (),
        date_from=date_from,
        date_to=date_to,
        min_confidence=rng.choice([0.0, 0.0, 0.3, 0.9]),
        min_degree=rng.choice([0, 0, 2, 4]),
        text=rng.choice(["", "", "", "ann", "Bossy", "zzz"]),
        entity=rng.choice(list(g)) if g and pick() < 0.3 else None,
        hops=rng.randint(1, 3),
        top=rng.choice([1, 3, 10, 50, 1000]),
        centrality=rng.choice(["degree", "degree", "pagerank"]),
    )


# -- the oracle: the former networkx implementation ---------------------------------


def oracle(
    graph: nx.MultiDiGraph, f: GraphFilter
) -> tuple[set[str], set[str], dict[str, int]]:
    matched = _nodes(_edges(graph, f), f)
    shown_nodes = _top(matched, f)
    shown = matched.subgraph(shown_nodes)
    stats = {
        "total_nodes": graph.number_of_nodes(),
        "total_edges": graph.number_of_edges(),
        "matched_nodes": matched.number_of_nodes(),
        "matched_edges": matched.number_of_edges(),
        "shown_nodes": shown.number_of_nodes(),
        "shown_edges": shown.number_of_edges(),
        "hidden_nodes": matched.number_of_nodes() - shown.number_of_nodes(),
    }
    keys = {str(k) for _, _, k in shown.edges(keys=True)}
    return set(shown), keys, stats


def _edges(graph: nx.MultiDiGraph, f: GraphFilter) -> nx.MultiDiGraph:
    predicates = {p.casefold() for p in f.predicates}
    sources = {s.casefold() for s in f.sources}
    if not (predicates or sources or f.date_from or f.date_to or f.min_confidence):
        return graph

    def ok(d: dict[str, Any]) -> bool:
        names = {
            str(d.get("label", "")).casefold(),
            str(d.get("predicate", "")).casefold(),
        }
        if predicates and not names & predicates:
            return False
        if sources and str(d.get("source", "")).casefold() not in sources:
            return False
        day = str(d.get("date") or "")
        if (f.date_from or f.date_to) and not day:
            return False
        if f.date_from and after(f.date_from, day):
            return False
        if f.date_to and after(day, f.date_to):
            return False
        return bool((d.get("confidence") or 0.0) >= f.min_confidence)

    edges = [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if ok(d)]
    ends = {n for u, v, _, _ in edges for n in (u, v)} | {f.entity}
    out = nx.MultiDiGraph()
    out.add_nodes_from((n, d) for n, d in graph.nodes(data=True) if n in ends)
    out.add_edges_from(edges)
    return out


def _nodes(graph: nx.MultiDiGraph, f: GraphFilter) -> nx.MultiDiGraph:
    nodes = set(graph)

    def keep(wanted: Any) -> nx.MultiDiGraph:
        nodes.intersection_update({*wanted, f.entity})
        return graph.subgraph(nodes)

    view = graph
    if f.types:
        view = keep(n for n, t in view.nodes(data="type") if t in f.types)
    if f.min_degree:
        view = keep(n for n, d in view.degree() if d >= f.min_degree)
    if f.text:
        text = f.text.casefold()
        hits = [
            n
            for n, d in view.nodes(data=True)
            if any(text in s.casefold() for s in [d["label"], *d["aliases"]])
        ]
        view = keep(set(hits).union(*(nx.all_neighbors(view, n) for n in hits)))
    if f.entity is not None:
        undirected = view.to_undirected(as_view=True)
        view = keep(nx.single_source_shortest_path_length(undirected, f.entity, f.hops))
    return view


def _top(graph: nx.MultiDiGraph, f: GraphFilter) -> set[Any]:
    if graph.number_of_nodes() <= f.top:
        return set(graph)
    scores = centrality(graph, f.centrality)
    order = sorted(
        graph,
        key=lambda n: (-round(scores[n], 12), graph.nodes[n]["label"].casefold(), n),
    )
    keep = order[: f.top]
    if f.entity is not None and f.entity not in keep:
        keep = [*keep[: f.top - 1], f.entity]
    return set(keep)


# -- the checks -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_select_matches_the_networkx_oracle(seed: int) -> None:
    rng = random.Random(seed)
    graph = random_graph(rng, rng.randint(5, 60), rng.randint(5, 200))
    table = ActorTable(graph)
    for _ in range(25):
        f = random_filter(rng, graph)
        nodes, keys, stats = oracle(graph, f)
        sel = select(table, f)
        assert set(sel.node_ids()) == nodes, f
        assert {table.edge_keys[i] for i in sel.edges} == keys, f
        assert sel.stats == stats, f
        # statements come in key order, actors in graph order
        shown_keys = [table.edge_keys[i] for i in sel.edges]
        assert shown_keys == sorted(shown_keys)
        assert list(sel.nodes) == sorted(sel.nodes)


@pytest.mark.parametrize("seed", range(4))
def test_centrality_and_neighbourhood_match_networkx(seed: int) -> None:
    rng = random.Random(100 + seed)
    graph = random_graph(rng, 40, 120)
    everything = ActorTable(graph).all()
    for measure in ("degree", "pagerank", "betweenness"):
        ours, theirs = everything.centrality(measure), centrality(graph, measure)
        assert ours.keys() == theirs.keys()
        assert all(abs(ours[n] - theirs[n]) < 1e-9 for n in ours), measure
    assert nx.utils.graphs_equal(everything.simple(), simple_graph(graph))
    start = rng.choice(list(graph))
    for hops in (1, 2, 3):
        reach = nx.single_source_shortest_path_length(
            graph.to_undirected(as_view=True), start, hops
        )
        hood = around(everything.table, start, hops)
        assert set(hood.node_ids()) == set(reach)
        assert len(hood.edges) == graph.subgraph(reach).number_of_edges()


def test_around_an_unknown_actor_is_not_found() -> None:
    table = ActorTable(random_graph(random.Random(1), 5, 5))
    with pytest.raises(NotFoundError, match="urn:e:nobody"):
        around(table, "urn:e:nobody", 1)


def _oracle_edges(graph: nx.MultiDiGraph) -> list[tuple[Any, ...]]:
    groups: dict[tuple[str, str, str, bool], list[dict[str, Any]]] = defaultdict(list)
    for u, v, d in graph.edges(data=True):
        groups[(u, v, d["predicate"], bool(d["negated"]))].append(d)
    out = []
    for (u, v, p, neg), group in sorted(groups.items()):
        confs = [float(d["confidence"]) for d in group if d.get("confidence")]
        out.append(
            (
                u,
                v,
                p,
                len(group),
                neg,
                all(d.get("modality") not in (None, "", "asserted") for d in group),
                any(d.get("attributed_to") for d in group),
                round(max(confs), 3) if confs else None,
            )
        )
    return out


@pytest.mark.parametrize("seed", range(4))
def test_view_edges_group_parallel_statements_like_the_oracle(seed: int) -> None:
    graph = random_graph(random.Random(200 + seed), 30, 150)
    view = graph_view(graph, centrality=centrality(graph, "degree"))
    ours = [
        (e["from"], e["to"], e["predicate"], e["count"], e["negated"], e["hedged"])
        + (e["attributed"], e["confidence"])
        for e in view["edges"]
    ]
    assert ours == _oracle_edges(graph)
    degrees = {n["id"]: n["degree"] for n in view["nodes"]}
    assert degrees == dict(graph.degree())


def test_frozen_graphs_share_one_table_and_others_get_their_own() -> None:
    graph = random_graph(random.Random(3), 10, 20)
    assert actor_table(graph) is not actor_table(graph)
    frozen = nx.freeze(graph)
    assert actor_table(frozen) is actor_table(frozen)
