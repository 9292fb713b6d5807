"""The explorer's data layer: filters, ranking, evidence, paths, timelines, exports,
the cached actor graph and the SPARQL neighbourhood.

Filters and evidence run on the seeded store (the expectations are recomputed from
the graph, so they follow the extractor); exact cases use tiny hand-made graphs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.analytics import neighbourhood, to_networkx
from kg.analytics.explore import (
    GraphFilter,
    apply_filter,
    cached_actor_graph,
    centrality,
    communities,
    edge_evidence,
    export_subgraph,
    shortest_paths,
    subgraph_turtle,
    timeline,
)
from kg.errors import InputError, NotFoundError
from kg.store import EmbeddedStore
from kg.vocab import KG, TYPE_CLASSES

ID = "https://kg.example/id/"
REL = "https://kg.example/rel/"
POLICE, MIGRANTS = ID + "group/french-police", ID + "group/migrants"
BOSSY = ID + "person/cecile-bossy"

TINY = """
@prefix kg: <https://kg.example/ontology#> .
@prefix schema: <http://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://kg.example/id/> .
@prefix rel: <https://kg.example/rel/> .

id:article\\/t1 a schema:NewsArticle ; schema:identifier "t1" ;
  schema:headline "Mayor meets unions" ; schema:datePublished "2020-03-02"^^xsd:date ;
  schema:url "https://news.example/t1"^^xsd:anyURI ; schema:publisher id:organization\\/rtr .
id:organization\\/rtr a schema:Organization ; rdfs:label "Reuters" .
id:person\\/ann-lee a schema:Person ; rdfs:label "Ann Lee" ; skos:altLabel "Lee" , "the mayor" .
id:group\\/unions a kg:Group ; rdfs:label "unions" .
id:article\\/t1\\/s0 a kg:Sentence ; schema:isPartOf id:article\\/t1 ;
  schema:text "The mayor, Ann Lee, met the unions on Monday and meets them again today." .
rel:meet a kg:Relation ; rdfs:label "meet" ; rdfs:subPropertyOf kg:related .
id:person\\/ann-lee rel:meet id:group\\/unions .
id:statement\\/weak a kg:Statement , rdf:Statement ; rdf:subject id:person\\/ann-lee ;
  rdf:predicate rel:meet ; rdf:object id:group\\/unions ;
  prov:wasDerivedFrom id:article\\/t1\\/s0 ; kg:confidence 0.4 ; kg:negated false ;
  kg:modality "reported" ; prov:wasAttributedTo id:organization\\/rtr .
id:statement\\/strong a kg:Statement , rdf:Statement ; rdf:subject id:person\\/ann-lee ;
  rdf:predicate rel:meet ; rdf:object id:group\\/unions ; kg:objectText "the unions" ;
  prov:wasDerivedFrom id:article\\/t1\\/s0 ; kg:confidence 0.9 ; kg:negated false ;
  kg:modality "asserted" ; dcterms:date "2020-03-01"^^xsd:date .
"""
ANN, UNIONS = ID + "person/ann-lee", ID + "group/unions"


@pytest.fixture(scope="module")
def seeds(seeded_store: Any) -> nx.MultiDiGraph:
    return cached_actor_graph(seeded_store)


@pytest.fixture
def tiny_store() -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(None)
    store.put_graph(
        "https://kg.example/graph/t1", Graph().parse(data=TINY, format="turtle")
    )
    yield store
    store.close()


def graph_of(*edges: tuple[str, str, dict[str, Any]]) -> nx.MultiDiGraph:
    """A small actor graph: node labels are the upper-cased names, type Person."""
    g = nx.MultiDiGraph()
    for i, (u, v, attrs) in enumerate(edges):
        for n in (u, v):
            g.add_node(n, label=n.upper(), type="Person", aliases=[])
        g.add_edge(u, v, key=f"st{i}", statement=f"st{i}", **attrs)
    return g


# -- GraphFilter: parsing, validation, round trip ----------------------------------------


@pytest.mark.parametrize(
    ("params", "name", "value"),
    [
        ({"type": "Alien"}, "type", "Alien"),
        ({"type": ["Person", "Alien"]}, "type", "Alien"),
        ({"min_conf": "high"}, "min_conf", "high"),
        ({"min_conf": "1.5"}, "min_conf", "1.5"),
        ({"min_conf": "nan"}, "min_conf", "nan"),
        ({"min_degree": "-1"}, "min_degree", "-1"),
        ({"min_degree": "2.5"}, "min_degree", "2.5"),
        ({"hops": "9"}, "hops", "9"),
        ({"hops": "two"}, "hops", "two"),
        ({"top": "0"}, "top", "0"),
        ({"from": "2014-13-01"}, "from", "2014-13-01"),
        ({"to": "yesterday"}, "to", "yesterday"),
        ({"from": "2015", "to": "2014-05"}, "from", "2015"),
        ({"centrality": "fame"}, "centrality", "fame"),
        ({"entity": "x> } DROP ALL"}, "entity", "x> } DROP ALL"),
        ({"communities": "maybe"}, "communities", "maybe"),
        ({"q": "x" * 201}, "q", "x" * 201),
    ],
)
def test_filter_errors_name_the_parameter_and_value(
    params: dict[str, Any], name: str, value: str
) -> None:
    with pytest.raises(InputError) as err:
        GraphFilter.from_params(params)
    message = str(err.value)
    assert message.startswith(f"{name}:"), message
    assert repr(value) in message or str(value) in message, message


def test_filter_reads_repeated_comma_separated_and_empty_params() -> None:
    f = GraphFilter.from_params(
        {
            "type": ["person", "Group,place"],
            "predicate": "expel from, tell",
            "source": ["AFP", ""],
            "from": "",
            "min_conf": " 0.5 ",
            "hops": ["1", "2"],
            "unknown": "ignored",
        }
    )
    assert f.types == ("Person", "Group", "Place")
    assert f.predicates == ("expel from", "tell")
    assert f.sources == ("AFP",)
    assert f.date_from is None and f.min_confidence == 0.5 and f.hops == 2


@pytest.mark.parametrize(
    "f",
    [
        GraphFilter(),
        GraphFilter(
            types=("Person", "Group"),
            predicates=("expel", "tell"),
            sources=("AFP",),
            date_from="2014-05",
            date_to="2014-05-31",
            min_confidence=0.615,
            min_degree=2,
            text="Police",
            entity=POLICE,
            hops=3,
            top=25,
            centrality="betweenness",
            communities=False,
        ),
        GraphFilter(date_from="2014", min_confidence=1.0, centrality="pagerank"),
    ],
)
def test_filter_params_round_trip(f: GraphFilter) -> None:
    params = f.to_params()
    assert GraphFilter.from_params(params) == f
    defaults = {"hops": "1", "top": "300", "centrality": "degree", "communities": "1"}
    assert not [k for k, v in defaults.items() if params.get(k) == v]  # left out


def test_default_filter_has_no_params_and_is_hashable() -> None:
    assert GraphFilter().to_params() == {}
    assert hash(GraphFilter(types=["Person"])) == hash(GraphFilter(types=("Person",)))  # type: ignore[arg-type]


# -- apply_filter on the seeds -----------------------------------------------------------


def _edges(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    return [d for _, _, d in g.edges(data=True)]


@pytest.mark.parametrize(
    ("f", "edge_ok"),
    [
        (GraphFilter(predicates=("based in",)), lambda d: d["label"] == "based in"),
        (GraphFilter(sources=("afp",)), lambda d: d["source"] == "AFP"),
        (
            GraphFilter(date_from="2014-05", date_to="2016-09-30"),
            lambda d: "2014-05" <= d["date"][:10] <= "2016-09-30",
        ),
        (GraphFilter(date_to="2008"), lambda d: d["date"][:4] <= "2008"),
        (GraphFilter(min_confidence=0.7), lambda d: d["confidence"] >= 0.7),
    ],
)
def test_edge_filters_keep_exactly_the_matching_statements(
    seeds: nx.MultiDiGraph, f: GraphFilter, edge_ok: Any
) -> None:
    shown, stats = apply_filter(seeds, GraphFilter(**{**f.__dict__, "top": 5000}))
    wanted = {
        k
        for _, _, k, d in seeds.edges(keys=True, data=True)
        if d["date"] and edge_ok(d)
    }
    if not (f.date_from or f.date_to):
        wanted = {k for _, _, k, d in seeds.edges(keys=True, data=True) if edge_ok(d)}
    assert 0 < len(wanted) < seeds.number_of_edges()
    assert {k for _, _, k in shown.edges(keys=True)} == wanted
    assert stats["matched_edges"] == len(wanted)
    assert set(shown) == {n for u, v, _ in shown.edges(keys=True) for n in (u, v)}
    assert stats["total_edges"] == seeds.number_of_edges()


def test_type_filter_keeps_only_those_actors(seeds: nx.MultiDiGraph) -> None:
    shown, stats = apply_filter(seeds, GraphFilter(types=("Person", "Place"), top=5000))
    wanted = {n for n, t in seeds.nodes(data="type") if t in ("Person", "Place")}
    assert set(shown) == wanted and stats["matched_nodes"] == len(wanted)
    assert all(u in wanted and v in wanted for u, v in shown.edges())


def test_min_degree_filter(seeds: nx.MultiDiGraph) -> None:
    shown, _ = apply_filter(seeds, GraphFilter(min_degree=3, top=5000))
    assert set(shown) == {n for n, d in seeds.degree() if d >= 3}
    assert 0 < shown.number_of_nodes() < seeds.number_of_nodes()


def test_text_filter_keeps_matches_and_their_neighbours(seeds: nx.MultiDiGraph) -> None:
    shown, _ = apply_filter(seeds, GraphFilter(text="bossy", top=5000))
    assert set(shown) == {BOSSY, *nx.all_neighbors(seeds, BOSSY)}
    by_alias = {n for n, d in seeds.nodes(data=True) if "Bossy" in d["aliases"]}
    assert by_alias == {BOSSY}


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_entity_filter_is_the_neighbourhood(seeds: nx.MultiDiGraph, hops: int) -> None:
    shown, _ = apply_filter(seeds, GraphFilter(entity=POLICE, hops=hops, top=5000))
    undirected = seeds.to_undirected(as_view=True)
    assert set(shown) == set(
        nx.single_source_shortest_path_length(undirected, POLICE, hops)
    )


def test_filters_combine_and_report_counts(seeds: nx.MultiDiGraph) -> None:
    shown, stats = apply_filter(
        seeds, GraphFilter(types=("Group",), sources=("Wikinews",), top=3)
    )
    assert {t for _, t in shown.nodes(data="type")} == {"Group"}
    assert {d["source"] for d in _edges(shown)} <= {"Wikinews"}
    assert stats["shown_nodes"] == 3
    assert stats["hidden_nodes"] == stats["matched_nodes"] - 3 > 0


def test_unknown_entity_is_not_found(seeds: nx.MultiDiGraph) -> None:
    with pytest.raises(NotFoundError, match="nobody"):
        apply_filter(seeds, GraphFilter(entity=ID + "person/nobody"))


@pytest.mark.parametrize("measure", ["degree", "pagerank", "betweenness"])
def test_top_n_is_the_most_central_and_deterministic(
    seeds: nx.MultiDiGraph, measure: str
) -> None:
    f = GraphFilter(top=12, centrality=measure)
    first, stats = apply_filter(seeds, f)
    again, _ = apply_filter(seeds.copy(), f)
    assert list(first) == list(again) and stats["shown_nodes"] == 12
    scores = centrality(seeds, measure)
    cut = min(scores[n] for n in first)
    assert all(scores[n] <= cut + 1e-9 for n in seeds if n not in first)


def test_top_n_ties_are_broken_by_label() -> None:
    g = graph_of(("urn:d", "urn:c", {}), ("urn:b", "urn:a", {}))  # all four tie
    shown, _ = apply_filter(g, GraphFilter(top=3))
    assert set(shown) == {"urn:a", "urn:b", "urn:c"}
    shown, _ = apply_filter(g, GraphFilter(top=1, entity="urn:d"))
    assert list(shown) == ["urn:d"]  # the focus always stays


def test_the_cached_graph_is_frozen_and_filtered_copies_are_not(
    seeds: nx.MultiDiGraph,
) -> None:
    with pytest.raises(nx.NetworkXError):
        seeds.add_node("x")
    shown, _ = apply_filter(seeds, GraphFilter(top=5))
    shown.add_node("x")  # a copy of its own
    assert "x" not in seeds


def test_cached_graph_is_reused_until_the_store_changes(
    tiny_store: EmbeddedStore,
) -> None:
    first = cached_actor_graph(tiny_store)
    assert cached_actor_graph(tiny_store) is first
    extra = Graph()
    extra.add(
        (URIRef(ID + "place/paris"), RDF.type, URIRef(str(TYPE_CLASSES["Place"])))
    )
    extra.add((URIRef(ID + "place/paris"), RDFS.label, Literal("Paris")))
    extra.add((URIRef(ID + "statement/new"), RDF.type, KG.Statement))
    for p, o in (
        (RDF.subject, ANN),
        (RDF.predicate, REL + "meet"),
        (RDF.object, ID + "place/paris"),
    ):
        extra.add((URIRef(ID + "statement/new"), p, URIRef(o)))
    tiny_store.put_graph("https://kg.example/graph/t2", extra)
    second = cached_actor_graph(tiny_store)
    assert second is not first and second.has_edge(ANN, ID + "place/paris")


def test_cached_graph_sees_an_update_that_only_changes_a_value(
    tiny_store: EmbeddedStore,
) -> None:
    first = cached_actor_graph(tiny_store)
    label = first.nodes[ANN]["label"]
    graph = next(iter(tiny_store.graphs()))
    tiny_store.update(  # same number of labels, statements and articles
        f"DELETE {{ GRAPH <{graph}> {{ <{ANN}> rdfs:label ?l }} }} "
        f'INSERT {{ GRAPH <{graph}> {{ <{ANN}> rdfs:label "Renamed" }} }} '
        f"WHERE {{ GRAPH <{graph}> {{ <{ANN}> rdfs:label ?l }} }}"
    )
    second = cached_actor_graph(tiny_store)
    assert second is not first
    assert second.nodes[ANN]["label"] == "Renamed" != label


# -- to_networkx attributes ----------------------------------------------------------------


def test_edges_carry_date_source_and_article(seeds: nx.MultiDiGraph) -> None:
    ((_, d),) = [
        (k, d)
        for k, d in seeds.get_edge_data(POLICE, MIGRANTS).items()
        if d["label"] == "expel"
    ]
    assert d["date"] == "2014-05-28" and d["source"] == "AFP"
    assert d["article_id"] == "seed-calais-expulsions"
    assert d["article_iri"] == ID + "article/seed-calais-expulsions"
    assert d["sentence_iri"] == ID + "article/seed-calais-expulsions/s0"
    assert d["sentence"].startswith("French police have begun expelling")
    assert seeds.nodes[BOSSY]["aliases"] == ["Bossy"]


def test_statement_date_wins_over_the_article_date(tiny_store: EmbeddedStore) -> None:
    edges = to_networkx(tiny_store).get_edge_data(ANN, UNIONS)
    assert edges[ID + "statement/strong"]["date"] == "2020-03-01"
    assert edges[ID + "statement/weak"]["date"] == "2020-03-02"  # the article's
    weak = edges[ID + "statement/weak"]
    assert (
        weak["source"] == "Reuters" and weak["article_url"] == "https://news.example/t1"
    )
    assert weak["attributed_to"] == ID + "organization/rtr"


# -- metrics ---------------------------------------------------------------------------------


def test_centrality_measures_rank_the_bridge_first() -> None:
    g = graph_of(("a", "b", {}), ("b", "c", {}), ("c", "d", {}), ("b", "e", {}))
    for measure in ("degree", "pagerank", "betweenness"):
        scores = centrality(g, measure)
        assert max(scores, key=scores.__getitem__) == "b", measure
    assert centrality(g, "betweenness")["a"] == 0.0
    with pytest.raises(InputError, match="centrality: unknown measure 'fame'"):
        centrality(g, "fame")


def test_betweenness_on_a_big_graph_is_sampled_and_seeded() -> None:
    big = nx.MultiDiGraph(nx.gnm_random_graph(3000, 9000, seed=1, directed=True))
    first = centrality(big, "betweenness")
    assert first == centrality(big, "betweenness")
    assert len(first) == 3000


def test_communities_are_seeded_and_numbered_by_size() -> None:
    big = [(a, b, {}) for a in "abcd" for b in "abcd" if a < b]
    small = [(a, b, {}) for a in "xyz" for b in "xyz" if a < b]
    g = graph_of(*big, *small, ("d", "x", {}))
    groups = communities(g)
    assert groups == communities(g)
    assert {n for n, c in groups.items() if c == 0} == set("abcd")
    assert {n for n, c in groups.items() if c == 1} == set("xyz")


def test_timeline_counts_statements_per_period(seeds: nx.MultiDiGraph) -> None:
    g = graph_of(
        ("a", "b", {"date": "2014-05-28"}),
        ("a", "c", {"date": "2014-05-02"}),
        ("b", "c", {"date": "2015-01-01"}),
        ("c", "a", {"date": ""}),
    )
    assert timeline(g) == [
        {"period": "2014-05", "count": 2},
        {"period": "2015-01", "count": 1},
    ]
    assert [p["period"] for p in timeline(g, by="year")] == ["2014", "2015"]
    dated = sum(1 for d in _edges(seeds) if d["date"])
    assert sum(p["count"] for p in timeline(seeds, by="day")) == dated
    with pytest.raises(InputError, match="by: unknown period 'week'"):
        timeline(g, by="week")


# -- evidence -----------------------------------------------------------------------------


def test_evidence_spans_point_at_the_words(seeded_store: Any) -> None:
    (ev,) = edge_evidence(seeded_store, POLICE, REL + "expel", MIGRANTS)
    text = ev["sentence"]
    parts = {k: text[b:e] for k, (b, e) in ev["spans"].items()}
    assert parts == {
        "subject": "French police",
        "predicate": "expelling",
        "object": "migrants",
    }
    assert ev["article"] == {
        "id": "seed-calais-expulsions",
        "iri": ID + "article/seed-calais-expulsions",
        "title": "French police begin expelling migrants from Calais camps",
        "date": "2014-05-28",
        "url": "",
        "source": "AFP",
    }
    assert ev["date"] == "2014-05-28" and ev["negated"] is False
    assert ev["attributed_to"] is None and 0 < ev["confidence"] <= 1


def test_evidence_is_best_first_with_aliases_and_attribution(
    tiny_store: EmbeddedStore,
) -> None:
    strong, weak = edge_evidence(tiny_store, ANN, REL + "meet", UNIONS)
    assert (strong["statement"], weak["statement"]) == (
        ID + "statement/strong",
        ID + "statement/weak",
    )
    text = strong["sentence"]
    subject = text[slice(*strong["spans"]["subject"])]
    assert subject == "The mayor"  # the longest name found, in the sentence's case
    assert text[slice(*strong["spans"]["predicate"])] == "met"
    assert text[slice(*strong["spans"]["object"])] == "the unions"
    assert weak["attributed_to"] == "Reuters" and weak["modality"] == "reported"
    assert strong["date"] == "2020-03-01" and weak["date"] == "2020-03-02"


def test_evidence_checks_iris_and_may_be_empty(tiny_store: EmbeddedStore) -> None:
    with pytest.raises(InputError, match="IRI"):
        edge_evidence(tiny_store, "x> } DROP ALL", REL + "meet", UNIONS)
    assert edge_evidence(tiny_store, UNIONS, REL + "meet", ANN) == []


# -- paths ----------------------------------------------------------------------------------


def test_shortest_paths_between_seeded_actors(seeds: nx.MultiDiGraph) -> None:
    paths = shortest_paths(seeds, POLICE, BOSSY)
    length = nx.shortest_path_length(seeds.to_undirected(as_view=True), POLICE, BOSSY)
    assert paths and len(paths[0]) == length >= 2
    assert [len(p) for p in paths] == sorted(len(p) for p in paths)
    for path in paths:
        assert path[0]["from"] == POLICE and path[-1]["to"] == BOSSY
        for step in path:
            ends = (step["from"], step["to"])
            u, v = ends if step["direction"] == "forward" else ends[::-1]
            data = seeds.get_edge_data(u, v)
            assert step["statements"] and set(step["statements"]) <= set(data)
            assert {data[k]["predicate"] for k in step["statements"]} == {
                step["predicate"]
            }


def test_shortest_paths_limits_and_errors() -> None:
    g = graph_of(("a", "b", {}), ("b", "c", {}), ("c", "d", {}), ("x", "y", {}))
    assert [[s["to"] for s in p] for p in shortest_paths(g, "a", "d")] == [
        ["b", "c", "d"]
    ]
    assert shortest_paths(g, "a", "d", max_length=2) == []
    assert shortest_paths(g, "a", "x") == []
    assert shortest_paths(g, "d", "a")[0][0]["direction"] == "backward"
    with pytest.raises(NotFoundError, match="nobody"):
        shortest_paths(g, "a", "nobody")


# -- exports --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def view(seeds: nx.MultiDiGraph) -> nx.MultiDiGraph:
    shown, _ = apply_filter(seeds, GraphFilter(entity=POLICE, hops=3, top=5000))
    return shown


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_exports_parse_back(view: nx.MultiDiGraph, fmt: str) -> None:
    data = export_subgraph(view, fmt)
    back = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(io.BytesIO(data))
    assert set(back) == set(view)
    assert back.number_of_edges() == view.number_of_edges()
    assert back.nodes[BOSSY]["label"] == "Cecile Bossy"
    assert back.nodes[BOSSY]["aliases"] == "Bossy"


def test_xml_exports_drop_characters_xml_cannot_hold() -> None:
    g = graph_of(("a", "b", {"label": "say\x0b", "confidence": None}))
    back = nx.read_graphml(io.BytesIO(export_subgraph(g, "graphml")))
    ((_, _, data),) = back.edges(data=True)
    assert data["label"] == "say" and "confidence" not in data


def test_csv_export_has_one_row_per_statement(view: nx.MultiDiGraph) -> None:
    rows = list(csv.DictReader(io.StringIO(export_subgraph(view, "csv").decode())))
    assert len(rows) == view.number_of_edges()
    assert list(rows[0]) == [
        *("source", "source_label", "predicate", "target", "target_label"),
        *("confidence", "date", "article", "sentence"),
    ]
    expel = next(r for r in rows if r["predicate"] == "expel")
    assert (expel["source_label"], expel["target_label"]) == (
        "French police",
        "migrants",
    )


def test_csv_export_neutralises_formulas() -> None:
    evil = "=cmd|' /C calc'!A0"
    g = graph_of(
        (
            "a",
            "b",
            {"label": evil, "sentence": "+1", "article": "@SUM(A1)", "date": "-1"},
        )
    )
    g.nodes["a"]["label"] = "\tTAB"
    (row,) = list(csv.reader(io.StringIO(export_subgraph(g, "csv").decode())))[1:]
    assert row[1] == "'\tTAB" and row[2] == "'" + evil
    assert row[6:] == ["'-1", "'@SUM(A1)", "'+1"]


def test_unknown_export_format_is_refused(view: nx.MultiDiGraph) -> None:
    with pytest.raises(InputError, match="'xlsx'.*graphml, gexf, csv"):
        export_subgraph(view, "xlsx")


def test_turtle_export_holds_statements_sentences_and_actors(
    seeded_store: Any, view: nx.MultiDiGraph
) -> None:
    rdf = Graph().parse(data=subgraph_turtle(seeded_store, view), format="turtle")
    statements = {URIRef(k) for _, _, k in view.edges(keys=True)}
    assert statements and statements <= set(rdf.subjects(RDF.type, KG.Statement))
    assert rdf.value(URIRef(BOSSY), RDFS.label) == Literal("Cecile Bossy")
    assert (URIRef(POLICE), URIRef(REL + "expel"), URIRef(MIGRANTS)) in rdf
    sentence = URIRef(ID + "article/seed-calais-expulsions/s0")
    assert str(rdf.value(sentence, URIRef("http://schema.org/text"))).startswith(
        "French police"
    )
    assert not set(rdf.subjects(RDF.type, KG.Statement)) - statements  # nothing else


# -- neighbourhood over SPARQL ---------------------------------------------------------------


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_neighbourhood_matches_the_whole_graph_result(
    seeded_store: Any, hops: int
) -> None:
    whole = to_networkx(seeded_store)
    for actor in whole:
        old = neighbourhood(seeded_store, actor, hops=hops, graph=whole)
        new = neighbourhood(seeded_store, actor, hops=hops)
        assert list(new.nodes(data=True)) == list(old.nodes(data=True)), actor
        assert list(new.edges(keys=True, data=True)) == list(
            old.edges(keys=True, data=True)
        ), actor


def test_neighbourhood_of_a_lone_or_unknown_actor(tiny_store: EmbeddedStore) -> None:
    assert list(neighbourhood(tiny_store, ID + "organization/rtr")) == [
        ID + "organization/rtr"
    ]
    with pytest.raises(NotFoundError, match="nobody"):
        neighbourhood(tiny_store, ID + "person/nobody")
    assert set(neighbourhood(tiny_store, ANN, aliases=True).nodes[ANN]["aliases"]) == {
        "Lee",
        "the mayor",
    }


class SpyStore:
    """A store that records the SPARQL it is asked."""

    def __init__(self, store: Any) -> None:
        self.store, self.queries = store, []

    def query(self, sparql: str, **kwargs: Any) -> Any:
        self.queries.append(sparql)
        return self.store.query(sparql, **kwargs)


def test_neighbourhood_never_reads_the_whole_graph(seeded_store: Any) -> None:
    from kg.analytics import convert

    spy = SpyStore(seeded_store)
    assert MIGRANTS in neighbourhood(spy, POLICE, hops=2)  # type: ignore[arg-type]
    whole = {convert._STATEMENTS.format(values=""), convert._LOOKUP_ALL}
    assert spy.queries and not whole & set(spy.queries)


def test_neighbourhood_is_capped(
    seeded_store: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from kg.analytics import convert

    monkeypatch.setattr(convert, "MAX_NEIGHBOURHOOD", 3)
    assert neighbourhood(seeded_store, POLICE, hops=3).number_of_nodes() == 3
    assert "keeping 2 of" in caplog.text
