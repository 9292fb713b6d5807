"""Export: Turtle and TriG parse back isomorphic to the store; SHACL conforms."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.graph.validate import validate_graph

pytestmark = pytest.mark.slow


def _dump(store: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    store.dump(buf, fmt)
    return buf.getvalue()


def _union_from_store(store: Any) -> Graph:
    g = Graph()
    for t in store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
        g.parse(data=f"{t.subject} {t.predicate} {t.object} .", format="nt")
    return g


def _assert_iso(a: Graph, b: Graph) -> None:
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        raise AssertionError(
            f"not isomorphic:\nonly in first:\n{only_a.serialize(format='nt')[:2000]}"
            f"\nonly in second:\n{only_b.serialize(format='nt')[:2000]}"
        )


def test_turtle_round_trip_is_isomorphic(seeded_store: Any) -> None:
    exported = Graph().parse(data=_dump(seeded_store, "turtle"), format="turtle")
    assert len(exported) > 5000
    _assert_iso(exported, _union_from_store(seeded_store))


def test_trig_keeps_named_graphs_and_round_trips(seeded_store: Any) -> None:
    ds = Dataset()
    ds.parse(data=_dump(seeded_store, "trig"), format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == set(seeded_store.graphs())
    union = Graph()
    for g in ds.graphs():
        for t in g:
            union.add(t)
    _assert_iso(union, _union_from_store(seeded_store))
    nq = Dataset()
    nq.parse(data=_dump(seeded_store, "nquads"), format="nquads")
    assert len(list(nq.quads())) == len(list(ds.quads()))


@pytest.mark.parametrize("fmt,parser", [("jsonld", "json-ld"), ("rdfxml", "xml")])
def test_other_formats_parse(seeded_store: Any, fmt: str, parser: str) -> None:
    data = _dump(seeded_store, fmt)
    if fmt == "jsonld":
        ds = Dataset()
        ds.parse(data=data, format=parser)
        assert len(list(ds.quads())) > 5000
    else:
        assert len(Graph().parse(data=data, format=parser)) > 5000


def test_export_conforms_to_the_shacl_shapes(seeded_store: Any) -> None:
    exported = Graph().parse(data=_dump(seeded_store, "turtle"), format="turtle")
    result = validate_graph(exported)
    assert result.conforms, result.report[:3000]
