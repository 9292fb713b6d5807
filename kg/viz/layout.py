"""Pixel positions for the actor graph: the old look when small, fast when big.

Each connected component is laid out on its own and the components are packed in
rows, biggest first, so a pair of actors is never squeezed into one spot by the rest
of the graph. Components of up to ``_SPRING_MAX`` actors get networkx's seeded
spring layout (as before); bigger ones a multilevel Fruchterman-Reingold in numpy
and scipy (both BSD): coarsen by merging hubs with their leaves and a few
neighbours down to ~50 nodes, lay that out with exact FR, then refine each finer
level for a few iterations from its parent's position. Repulsion is exact below
the ideal edge length (``scipy.spatial.cKDTree.query_pairs``) and comes from an
FFT convolution of a grid of masses beyond it, so hubs keep their room and the
giant component spreads evenly instead of contracting. Everything is deterministic
for the same graph and seed, across processes too: nodes are ordered by ``str``
and the random source is a seeded ``numpy.random.Generator``.

Earlier measurements (giant component only, 2-core dev machine, Barabasi-Albert
graphs with 3 edges per node): networkx ``spring_layout`` 100 it took 2.15 s at
500 nodes and 16.6 s at 2,000; ``forceatlas2_layout`` 0.96 s / 16.3 s; plain numpy
FR with FFT repulsion only 0.50 s at 10,000 but packed the hubs' core much denser.

``layout`` end to end (graph in, pixels out, median of 3, ``nice``, same machine,
numpy 2.4.6, scipy 1.17.1), this multilevel layout:

=================================================  ========  ========  =========
graph                                              500       2,000     10,000
=================================================  ========  ========  =========
BA giant (m=3) + small trees (13/51/245 comps)     52 ms     114 ms    0.80 s
news store ``kg-bench-explorer-10000-42``          --        --        0.73 s
=================================================  ========  ========  =========

(news store: 10,000 actors, 32,854 edges, 113 components; the giant component
alone, 10,000-node BA: 0.67 s.) Edge lengths in the giant component stay within
0.35x-1.65x the median (5th-95th percentile). Small components cost ~2 ms each in
``spring_layout``; their layout is cached by shape, so the ~100 pairs and triples
of a 10,000-actor news graph cost a few calls.

Example:
    >>> import networkx as nx
    >>> pos = layout(nx.MultiDiGraph([("a", "b"), ("c", "d")]))
    >>> sorted(pos) == ["a", "b", "c", "d"]
    True
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Hashable, Sequence
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

_ASPECT = 1.7  # width / height of the drawing area on a typical screen
_MIN_EDGE = 110.0  # px: short enough to pack, long enough for an edge label
_SPRING_MAX = 100  # nodes: up to here networkx spring layout (31 ms at 100 nodes)
_COARSEST = 50  # nodes: stop coarsening here
_MERGE = 3  # non-leaf neighbours a cluster takes per coarsening step
_EXACT_MAX = 150  # nodes: all-pairs repulsion up to here, grid + k-d tree above
_COARSE_ITERATIONS = 200
_LEVEL_ITERATIONS = 25
_FINE_ITERATIONS = 20

Point = tuple[float, float]
Edges = tuple[tuple[int, int], ...]
_IntArray = npt.NDArray[np.intp]
_FloatArray = npt.NDArray[np.float64]
_ComplexArray = npt.NDArray[np.complex128]


def layout(graph: nx.Graph, *, seed: int = 7) -> dict[Any, Point]:
    """Pixel positions, stable for the same graph and seed.

    Edge direction, parallel edges and self-loops do not matter.

    Example:
        >>> pos = layout(nx.path_graph(3))
        >>> len(pos), all(len(xy) == 2 for xy in pos.values())
        (3, True)
    """
    placed = [
        (nodes, *_index_layout(len(nodes), edges, seed))
        for nodes, edges in _components(graph)
    ]
    area = sum((2 * r) ** 2 for _, _, r in placed)
    # rows about as wide as a landscape screen needs for the total area
    row_width = max(
        1.25 * math.sqrt(area * _ASPECT),
        max((2 * r for _, _, r in placed), default=0.0),
    )
    pos: dict[Any, Point] = {}
    x = y = row_height = 0.0
    for nodes, local, radius in placed:
        if x > 0 and x + 2 * radius > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (lx, ly) in zip(nodes, local, strict=True):
            pos[node] = (x + radius + lx, y + radius + ly)
        x += 2 * radius
        row_height = max(row_height, 2 * radius)
    return pos


def _component_layout(comp: nx.Graph, seed: int) -> tuple[dict[Any, Point], float]:
    """Positions of one connected graph around (0, 0), and the radius (px) of the
    circle that holds them with their labels."""
    ((nodes, edges),) = _components(comp)
    local, radius = _index_layout(len(nodes), edges, seed)
    return dict(zip(nodes, local, strict=True)), radius


def _components(graph: nx.Graph) -> list[tuple[list[Hashable], Edges]]:
    """Connected components, biggest first: nodes sorted by ``str`` and the
    undirected edges as sorted pairs of indexes into that list."""
    order = sorted(graph, key=str)
    index = {node: i for i, node in enumerate(order)}
    pairs = {
        (min(a, b), max(a, b))
        for a, b in ((index[u], index[v]) for u, v in graph.edges())
        if a != b
    }
    simple = nx.Graph()
    simple.add_nodes_from(range(len(order)))
    simple.add_edges_from(pairs)
    out = []
    for members in nx.connected_components(simple):
        ids = sorted(members)  # index order is str order
        local = {i: k for k, i in enumerate(ids)}
        edges = tuple(
            sorted((local[a], local[b]) for a in ids for b in simple[a] if a < b)
        )
        out.append(([order[i] for i in ids], edges))
    out.sort(key=lambda c: (-len(c[0]), str(c[0][0])))
    return out


def _index_layout(n: int, edges: Edges, seed: int) -> tuple[list[Point], float]:
    """Positions of nodes ``0..n-1`` around (0, 0) with edges at least ``_MIN_EDGE``
    long (median), and the radius (px) that holds them with their labels."""
    if n == 1:
        return [(0.0, 0.0)], _MIN_EDGE / 2
    raw: Sequence[Point] = (
        _spring(n, edges, seed) if n <= _SPRING_MAX else _multilevel(n, edges, seed)
    )
    lengths = sorted(math.dist(raw[u], raw[v]) for u, v in edges)
    median = lengths[len(lengths) // 2] if lengths else 1.0
    scale = max(20.0 + 60.0 * math.sqrt(n - 1), _MIN_EDGE / max(median, 1e-6))
    pos = [(px * scale, py * scale) for px, py in raw]
    radius = max(math.hypot(x, y) for x, y in pos) + 45.0
    return pos, radius


@functools.lru_cache(maxsize=1024)
def _spring(n: int, edges: Edges, seed: int) -> tuple[Point, ...]:
    """networkx's seeded spring layout, in [-1, 1]. Cached: small components of
    the same shape recur in a big news graph."""
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    raw = nx.spring_layout(graph, seed=seed, iterations=100)
    return tuple((float(raw[i][0]), float(raw[i][1])) for i in range(n))


def _multilevel(n: int, edges: Edges, seed: int) -> Sequence[Point]:
    """Multilevel Fruchterman-Reingold from a seeded start, rescaled to [-1, 1].

    The graph is coarsened until it has at most ``_COARSEST`` nodes (each step
    merges a node with its leaves and up to ``_MERGE`` other free neighbours,
    hubs first); the coarsest graph gets exact FR, and each finer level starts
    from its parent's position plus a seeded jitter and refines for a few
    iterations. Repulsion is mass-weighted (a coarse node stands for its members):
    exact for pairs closer than the ideal edge length (a k-d tree), from a grid
    of masses convolved by FFT for the rest."""
    rng = np.random.default_rng(seed)
    fine = np.asarray(edges, dtype=np.intp).reshape(-1, 2)
    levels: list[tuple[int, _IntArray, _FloatArray]] = [(n, fine, np.ones(n))]
    parents: list[_IntArray] = []
    while levels[-1][0] > _COARSEST:
        fn, fe, fm = levels[-1]
        parent, cn = _coarsen(fn, fe, rng)
        if cn > 0.85 * fn or cn < 4:
            break
        pe = parent[fe]
        pe = np.sort(pe[pe[:, 0] != pe[:, 1]], axis=1)
        keys = np.unique(pe[:, 0] * cn + pe[:, 1])
        parents.append(parent)
        ce = np.stack([keys // cn, keys % cn], axis=1)
        levels.append((cn, ce, np.bincount(parent, fm, cn).astype(np.float64)))
    cn, ce, cm = levels[-1]
    k = math.sqrt(float(cm.mean()))
    side = math.sqrt(cn) * k
    pos = rng.uniform(-side / 2, side / 2, size=(cn, 2))
    pos = _forces(pos, ce, cm / cm.mean(), k, _COARSE_ITERATIONS, side / 10, 0.97)
    for level in range(len(levels) - 2, -1, -1):
        fn, fe, fm = levels[level]
        parent = parents[level]
        k = math.sqrt(float(fm.mean()))
        radius = 0.5 * k * np.sqrt(levels[level + 1][2][parent] / fm.mean())
        angle = rng.uniform(0.0, 2 * math.pi, fn)
        radius *= np.sqrt(rng.uniform(0.0, 1.0, fn))
        jitter = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
        pos = pos[parent] + jitter
        iterations = _FINE_ITERATIONS if level == 0 else _LEVEL_ITERATIONS
        pos = _forces(pos, fe, fm / fm.mean(), k, iterations, k, 0.92)
    return _rescale([(float(x), float(y)) for x, y in pos])


def _coarsen(
    n: int, edges: _IntArray, rng: np.random.Generator
) -> tuple[_IntArray, int]:
    """Cluster id of each node, and the number of clusters. Hubs first (seeded
    tie-break), each free node founds a cluster and takes its free leaves and its
    ``_MERGE`` least connected free neighbours."""
    degree = np.bincount(edges.ravel(), minlength=n)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    neighbours = dst[np.lexsort((degree[dst], src))]
    start = np.zeros(n + 1, dtype=np.intp)
    np.cumsum(np.bincount(src, minlength=n), out=start[1:])
    parent = np.full(n, -1, dtype=np.intp)
    count = 0
    for v in np.lexsort((rng.random(n), -degree)).tolist():
        if parent[v] >= 0:
            continue
        parent[v] = count
        near = neighbours[start[v] : start[v + 1]]
        free = near[parent[near] < 0]
        leaf = degree[free] == 1
        parent[free[leaf]] = count
        parent[free[~leaf][:_MERGE]] = count
        count += 1
    return parent, count


def _forces(
    pos: _FloatArray,
    edges: _IntArray,
    mass: _FloatArray,
    k: float,
    iterations: int,
    step: float,
    cool: float,
) -> _FloatArray:
    """``iterations`` FR steps (repulsion k^2/d times mass, attraction d^2/k), each
    node moving at most ``step``, which shrinks by ``cool`` per step."""
    n = len(pos)
    a, b = edges[:, 0], edges[:, 1]
    k2 = k * k
    for _ in range(iterations):
        if n <= _EXACT_MAX:
            i, j = np.triu_indices(n, 1)
            dx, dy = np.zeros(n), np.zeros(n)
        else:
            pairs = cKDTree(pos).query_pairs(k, output_type="ndarray")
            i, j = pairs[:, 0], pairs[:, 1]
            dx, dy = _far_repulsion(pos, mass, k)
        d = pos[i] - pos[j]
        f = k2 / (np.einsum("ij,ij->i", d, d) + 1e-9 * k2)
        fx, fy = d[:, 0] * f, d[:, 1] * f
        dx += np.bincount(i, fx * mass[j], n) - np.bincount(j, fx * mass[i], n)
        dy += np.bincount(i, fy * mass[j], n) - np.bincount(j, fy * mass[i], n)
        d = pos[a] - pos[b]
        g = np.sqrt(np.einsum("ij,ij->i", d, d)) / k
        gx, gy = d[:, 0] * g, d[:, 1] * g
        dx += np.bincount(b, gx, n) - np.bincount(a, gx, n)
        dy += np.bincount(b, gy, n) - np.bincount(a, gy, n)
        length = np.sqrt(dx * dx + dy * dy) + 1e-12
        scale = np.minimum(length, step) / length
        pos[:, 0] += dx * scale
        pos[:, 1] += dy * scale
        step *= cool
    return pos


def _far_repulsion(
    pos: _FloatArray, mass: _FloatArray, k: float
) -> tuple[_FloatArray, _FloatArray]:
    """Repulsion k^2 r/|r|^2 from all the mass, at grid resolution: the masses are
    binned on a square grid (cells about 1.5 k, at most 128 a side) and convolved
    with the force kernel by FFT."""
    low = pos.min(axis=0)
    span = float((pos.max(axis=0) - low).max()) + 1e-9
    g = int(min(128, max(16, 2 ** math.ceil(math.log2(span / (1.5 * k))))))
    h = span / (g - 1)
    cell = np.minimum(((pos - low) / h + 0.5).astype(np.intp), g - 1)
    flat = cell[:, 0] * g + cell[:, 1]
    kx, ky = _kernel(g)
    rho = np.fft.rfft2(np.bincount(flat, mass, g * g).reshape(g, g), (2 * g, 2 * g))
    rho *= k * k / h
    inner = slice(g - 1, 2 * g - 1)
    fx = np.fft.irfft2(rho * kx, (2 * g, 2 * g))[inner, inner]
    fy = np.fft.irfft2(rho * ky, (2 * g, 2 * g))[inner, inner]
    return fx.ravel()[flat], fy.ravel()[flat]


@functools.lru_cache(maxsize=8)
def _kernel(g: int) -> tuple[_ComplexArray, _ComplexArray]:
    """FFT of the unit force kernel r/|r|^2 on a (2g-1)^2 grid of offsets, padded
    to 2g (enough: only the middle g x g of the convolution is read)."""
    off = np.arange(-g + 1, g, dtype=float)
    ox, oy = np.meshgrid(off, off, indexing="ij")
    r2 = ox * ox + oy * oy
    r2[g - 1, g - 1] = np.inf
    shape = (2 * g, 2 * g)
    return np.fft.rfft2(ox / r2, shape), np.fft.rfft2(oy / r2, shape)


def _rescale(points: Sequence[Point]) -> list[Point]:
    """Centred on the mean and scaled so the farthest coordinate is 1 (as networkx)."""
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    lim = max(max(abs(x - mx), abs(y - my)) for x, y in points) or 1.0
    return [((x - mx) / lim, (y - my) / lim) for x, y in points]
