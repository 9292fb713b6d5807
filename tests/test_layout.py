"""kg.viz.layout: deterministic pixel positions, components apart, big graphs sane.

No timing is asserted here; the times are in benchmarks/results/explorer.md.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.viz import layout as exported_layout
from kg.viz.layout import _MIN_EDGE, _SPRING_MAX, layout

ROOT = Path(__file__).resolve().parent.parent


def news_graph(components: list[int], seed: int = 3) -> nx.MultiDiGraph:
    """Connected components of the given sizes (random trees plus a few extra
    edges, some parallel and reversed), node names as IRIs."""
    g = nx.MultiDiGraph()
    offset = 0
    for k, size in enumerate(components):
        tree = nx.random_labeled_tree(size, seed=seed + k) if size > 1 else nx.Graph()
        tree.add_nodes_from(range(size))
        name = {i: f"https://kg.example/id/person/p{offset + i}" for i in range(size)}
        g.add_nodes_from(name.values())
        for u, v in tree.edges():
            g.add_edge(name[u], name[v], label="meet")
            if (u + v) % 3 == 0:
                g.add_edge(name[v], name[u], label="criticise")  # reversed + parallel
        offset += size
    return g


def big_random_graph(n: int = 10_000, m: int = 30_000) -> nx.MultiDiGraph:
    return nx.MultiDiGraph(nx.gnm_random_graph(n, m, seed=11, directed=True))


def boxes(
    pos: dict[Any, tuple[float, float]], graph: nx.Graph
) -> list[tuple[float, ...]]:
    out = []
    for comp in nx.connected_components(graph.to_undirected(as_view=True)):
        xs = [pos[n][0] for n in comp]
        ys = [pos[n][1] for n in comp]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def test_layout_is_reexported_from_render_and_the_package() -> None:
    assert exported_layout is layout


def test_empty_graph_has_no_positions() -> None:
    assert layout(nx.MultiDiGraph()) == {}


def test_same_graph_and_seed_give_the_same_positions() -> None:
    g = news_graph([40, 150, 3, 2, 2, 1])
    assert layout(g, seed=7) == layout(g.copy(), seed=7)


def test_another_seed_gives_other_positions() -> None:
    g = news_graph([40])
    assert layout(g, seed=7) != layout(g, seed=8)


def test_positions_do_not_depend_on_the_process_hash_seed() -> None:
    """Components are ordered by name, not by set order (PYTHONHASHSEED)."""
    code = (
        "import json, sys; sys.path.insert(0, 'tests');"
        "from test_layout import news_graph; from kg.viz.layout import layout;"
        "pos = layout(news_graph([150, 30, 3, 2, 2]));"
        "print(json.dumps(sorted((k, round(x, 6), round(y, 6)) "
        "for k, (x, y) in pos.items())))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(h)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for h in (1, 2)
    ]
    assert json.loads(runs[0]) == json.loads(runs[1])


def test_edge_direction_and_parallel_edges_do_not_move_nodes() -> None:
    g = news_graph([12, 130])
    simple = nx.Graph(g.to_undirected())
    assert layout(g) == layout(simple)


@pytest.mark.parametrize(
    "sizes",
    [[5, 4, 3, 2, 2, 1, 1], [_SPRING_MAX + 40, 30, 2, 2, 1], [60] * 8],
    ids=["small", "one-big-and-small", "equal"],
)
def test_components_do_not_overlap(sizes: list[int]) -> None:
    g = news_graph(sizes)
    pos = layout(g)
    assert set(pos) == set(g)
    bs = boxes(pos, g)
    for i, a in enumerate(bs):
        for b in bs[i + 1 :]:
            apart = a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]
            assert apart, f"component boxes overlap: {a} and {b}"


@pytest.mark.parametrize("size", [2, 30, _SPRING_MAX + 1])
def test_edges_are_long_enough_for_a_label(size: int) -> None:
    g = news_graph([size])
    pos = layout(g)
    pairs = nx.Graph(g.to_undirected()).edges()  # the median counts a pair once
    lengths = sorted(math.dist(pos[u], pos[v]) for u, v in pairs)
    assert lengths[len(lengths) // 2] >= _MIN_EDGE - 1e-6


def test_ten_thousand_nodes_get_finite_distinct_positions() -> None:
    g = big_random_graph()
    assert g.number_of_nodes() > _SPRING_MAX
    pos = layout(g)
    assert set(pos) == set(g)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    assert len(set(pos.values())) == len(pos)
    # the giant component is spread out, not collapsed onto a line or a point
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    assert max(xs) - min(xs) > 20 * _MIN_EDGE and max(ys) - min(ys) > 20 * _MIN_EDGE


def test_nodes_of_any_hashable_type_are_placed() -> None:
    nodes: list[Hashable] = [1, "1", (1, 2), "b"]
    g = nx.Graph()
    g.add_edges_from([(nodes[0], nodes[1]), (nodes[2], nodes[3])])
    pos = layout(g)
    assert set(pos) == set(nodes) and len(set(pos.values())) == 4
